"""Worksheets of a write-only workbook: long sheets kept as rows of ready cells, short ones held whole; and cell
styles made once (Look).

openpyxl's ordinary workbook keeps every cell in one dictionary and sorts it when the file is saved; on the
verdicts sheet of a large audit (400,000 cells) that alone took half as long again as writing the same cells
through openpyxl's write-only mode. So an export's workbook is write-only (`new_workbook`) and each sheet is one
of:

- `add_rows_sheet`: a RowSheet, filled with cells.put as any worksheet, the cells of each row kept together (no
  dictionary of all the cells, nothing sorted but the rows) and written when the workbook is saved, so that
  column widths, frozen panes and print settings can be set at any time before, as on any sheet;
- `add_whole_sheet`: a WholeSheet, an ordinary openpyxl worksheet (links, anything), written as an ordinary
  workbook writes it: for the short sheets.

openpyxl is imported only when a workbook is written: RowSheet and WholeSheet are made when first asked for.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.styles.cell_style import StyleArray


class Look:
    """A cell style (font, fill, border, alignment) made once for the many cells cells.put writes with it.

    openpyxl looks every style given to a cell up in the workbook's lists by hashing it (some 20 microseconds a
    style, most of the export on a long sheet when each cell was given its own). A Look works out the cell's
    style array once for each variant put needs (text with or without the quote prefix, a number in its format)
    and gives each cell a copy. The arrays index the lists of the workbook of `sheet`: use a Look in that
    workbook only."""

    def __init__(self, sheet: Any, **styles: Any) -> None:  # noqa: ANN401 (any openpyxl worksheet)
        from openpyxl.styles.cell_style import StyleArray

        self._sheet = sheet
        self._styles = styles
        self._arrays: dict[tuple[str | None, bool], StyleArray] = {}
        self._copy = StyleArray

    def style(self, number_format: str | None = None, quote_prefix: bool = False) -> StyleArray:
        """A new style array for one cell."""
        key = (number_format, quote_prefix)
        found = self._arrays.get(key)
        if found is None:
            from openpyxl.cell.cell import Cell

            cell = Cell(self._sheet)  # a scratch cell, styled the ordinary way (never added to the sheet)
            for name, value in self._styles.items():
                setattr(cell, name, value)
            if number_format:
                cell.number_format = number_format
            if quote_prefix:
                cell.quotePrefix = True
            found = self._arrays[key] = self._copy(cell._style)
        return self._copy(found)


def new_workbook() -> Workbook:
    """An empty write-only workbook: add its sheets with add_rows_sheet and add_whole_sheet, in order."""
    from openpyxl import Workbook

    return Workbook(write_only=True)


def add_rows_sheet(wb: Workbook, title: str) -> Any:  # noqa: ANN401 (a RowSheet)
    """A long sheet at the end of the workbook: see RowSheet."""
    sheet = _classes()["RowSheet"](parent=wb, title=title)
    wb._add_sheet(sheet)  # as Workbook.create_sheet adds the sheet it makes
    return sheet


def add_whole_sheet(wb: Workbook, title: str) -> Any:  # noqa: ANN401 (a WholeSheet)
    """A short sheet at the end of the workbook: an ordinary openpyxl worksheet."""
    sheet = _classes()["WholeSheet"](parent=wb, title=title)
    wb._add_sheet(sheet)
    return sheet


def __getattr__(name: str) -> Any:  # noqa: ANN401
    """RowSheet and WholeSheet, made when first asked for (they subclass openpyxl's worksheets)."""
    if name in ("RowSheet", "WholeSheet"):
        return _classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _classes() -> dict[str, type]:
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Border
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.worksheet import Worksheet

    class RowSheet(WriteOnlyWorksheet):  # type: ignore[misc]
        """A write-only worksheet whose cells are made with cell(row, column) (what cells.put calls) and kept
        in rows until the workbook is saved. cell() on a cell already made returns it, so a cell can be given
        its border after its value, as on an ordinary worksheet."""

        def __init__(self, parent: Workbook, title: str) -> None:
            super().__init__(parent, title)
            self._cell_rows: dict[int, dict[int, Cell]] = {}
            self._edge_looks: dict[tuple[Any, ...], tuple[Look, Any]] = {}

        def cell(self, row: int, column: int) -> Cell:
            cells = self._cell_rows.get(row)
            if cells is None:
                cells = self._cell_rows[row] = {}
            found = cells.get(column)
            if found is None:
                found = cells[column] = Cell(self, row, column)
            return found

        def merge_cells(self, *, start_row: int, start_column: int, end_row: int, end_column: int) -> None:
            """As Worksheet.merge_cells: the range merged, and the cells on its edges given the top-left cell's
            borders (Excel draws a merged cell's border from the cells it covers). A covered cell not yet
            styled gets the style of its edges made once (openpyxl adds each side to each cell's border)."""
            merged = CellRange(min_col=start_column, min_row=start_row, max_col=end_column, max_row=end_row)
            self.merged_cells.add(merged)
            corner = self.cell(start_row, start_column)
            sides = {name: side for name in ("top", "left", "right", "bottom")
                     if (side := getattr(corner.border, name)) is not None and side.style is not None}
            edges: dict[tuple[int, int], list[str]] = {}
            for name in sides:
                for at in getattr(merged, name):
                    edges.setdefault(at, []).append(name)
            for (row, column), names in edges.items():
                cell = self.cell(row, column)
                if cell is corner or cell.has_style:
                    for name in names:
                        cell.border = cell.border + Border(**{name: sides[name]})
                    continue
                key = (*names, *(id(sides[n]) for n in names))
                look = self._edge_looks.get(key)
                if look is None:
                    border = Border()
                    for name in names:
                        border = border + Border(**{name: sides[name]})
                    look = self._edge_looks[key] = (Look(self, border=border), sides)  # (keeps the ids alive)
                cell._style = look[0].style()

        def calculate_dimension(self) -> str:
            """The <dimension> of the sheet, as an ordinary worksheet writes it (A1:F300)."""
            rows = {r: cells for r, cells in self._cell_rows.items() if cells}
            if not rows:
                return "A1:A1"
            first_col = min(min(cells) for cells in rows.values())
            last_col = max(max(cells) for cells in rows.values())
            return f"{get_column_letter(first_col)}{min(rows)}:{get_column_letter(last_col)}{max(rows)}"

        def _values_to_row(self, values: Any, row_idx: int) -> Any:  # noqa: ANN401 (openpyxl's hook)
            """The cells as they are: openpyxl's own version first tries each as a value and then as a cell (the
            exception that takes costs as much as writing the cell)."""
            return values

        def close(self) -> None:
            """Write the rows (called when the workbook is saved)."""
            rows = self._cell_rows
            for row in range(1, max(max(rows, default=0), max(self.row_dimensions, default=0)) + 1):
                cells = rows.get(row)
                self.append([cells[c] for c in sorted(cells)] if cells else [])
            self._cell_rows = {}
            super().close()

    class WholeSheet(Worksheet):  # type: ignore[misc]
        """An ordinary worksheet in a write-only workbook, written whole when the workbook is saved."""

        _writer: WorksheetWriter | None = None

        @property
        def closed(self) -> bool:
            return self._writer is not None

        def close(self) -> None:
            self._writer = WorksheetWriter(self)
            self._writer.write()

    return {"RowSheet": RowSheet, "WholeSheet": WholeSheet}
