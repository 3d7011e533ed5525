"""Worksheets of a write-only workbook: long sheets kept as rows of ready cells, short ones held whole.

openpyxl's ordinary workbook keeps every cell in one dictionary and sorts it when the file is saved; on the
verdicts sheet of a large audit (400,000 cells) that alone took half as long again as writing the same cells
through openpyxl's write-only mode. So an export's workbook is write-only (`new_workbook`) and each sheet is one
of:

- `add_rows_sheet`: a `RowSheet`, filled with cells.put (and styled) as any worksheet, the cells of each row
  kept in a list (no dictionary of all the cells, nothing sorted but the rows) and written when the workbook is
  saved, so that column widths, frozen panes and print settings can be set at any time before, as on any
  sheet; cells may not be merged on it;
- `add_whole_sheet`: a `WholeSheet`, an ordinary openpyxl worksheet (merged cells, links, anything), written as
  an ordinary workbook writes it: for the short sheets.

openpyxl is imported only when a workbook is written.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet


class Look:
    """A cell style (font, fill, border, alignment) made once for the many cells cells.put writes with it.

    openpyxl looks every style given to a cell up in the workbook's lists by hashing it (some 20 microseconds a
    style, most of the export on a long sheet when each cell was given its own). A Look works out the cell's
    style array once for each variant put needs (text with or without the quote prefix, a number in its format)
    and gives each cell a copy. The arrays index the lists of the workbook of `sheet`: use a Look in that
    workbook only."""

    def __init__(self, sheet: Any, **styles: Any) -> None:  # noqa: ANN401 (any openpyxl worksheet)
        self._sheet = sheet
        self._styles = styles
        self._arrays: dict[tuple[str | None, bool], StyleArray] = {}

    def style(self, number_format: str | None = None, quote_prefix: bool = False) -> StyleArray:
        """A new style array for one cell."""
        key = (number_format, quote_prefix)
        found = self._arrays.get(key)
        if found is None:
            cell = Cell(self._sheet)  # a scratch cell, styled the ordinary way (never added to the sheet)
            for name, value in self._styles.items():
                setattr(cell, name, value)
            if number_format:
                cell.number_format = number_format
            if quote_prefix:
                cell.quotePrefix = True
            found = self._arrays[key] = StyleArray(cell._style)
        return StyleArray(found)


def new_workbook() -> Workbook:
    """An empty write-only workbook: add its sheets with add_rows_sheet and add_whole_sheet, in order."""
    return Workbook(write_only=True)


class RowSheet(WriteOnlyWorksheet):
    """A write-only worksheet whose cells are made with cell(row, column) (what cells.put calls) and kept in
    rows until the workbook is saved. cell() on a cell already made returns it, so a cell can be given its
    border after its value, as on an ordinary worksheet."""

    def __init__(self, parent: Workbook, title: str) -> None:
        super().__init__(parent, title)
        self._cell_rows: dict[int, dict[int, Cell]] = {}

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
        borders (a merged cell's border is drawn from the cells it covers)."""
        from openpyxl.styles import Border
        from openpyxl.worksheet.cell_range import CellRange

        merged = CellRange(min_col=start_column, min_row=start_row, max_col=end_column, max_row=end_row)
        self.merged_cells.add(merged)
        corner = self.cell(start_row, start_column).border
        for name in ("top", "left", "right", "bottom"):
            side = getattr(corner, name)
            if side is None or side.style is None:
                continue
            for row, column in getattr(merged, name):
                cell = self.cell(row, column)
                cell.border = cell.border + Border(**{name: side})

    @property
    def max_row(self) -> int:
        return max(self._cell_rows, default=1)

    @property
    def max_column(self) -> int:
        return max((max(cells) for cells in self._cell_rows.values() if cells), default=1)

    def calculate_dimension(self) -> str:
        """The <dimension> of the sheet, as an ordinary worksheet writes it (A1:F300)."""
        from openpyxl.utils import get_column_letter

        if not any(self._cell_rows.values()):
            return "A1:A1"
        first_row = min(r for r, cells in self._cell_rows.items() if cells)
        first_col = min(min(cells) for cells in self._cell_rows.values() if cells)
        return f"{get_column_letter(first_col)}{first_row}:{get_column_letter(self.max_column)}{self.max_row}"

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


class WholeSheet(Worksheet):
    """An ordinary worksheet in a write-only workbook, written whole when the workbook is saved."""

    _writer: WorksheetWriter | None = None

    @property
    def closed(self) -> bool:
        return self._writer is not None

    def close(self) -> None:
        self._writer = WorksheetWriter(self)
        self._writer.write()


def _add(wb: Workbook, sheet: Any) -> Any:  # noqa: ANN401
    wb._add_sheet(sheet)  # as Workbook.create_sheet adds the sheet it makes
    return sheet


def add_rows_sheet(wb: Workbook, title: str) -> RowSheet:
    """A long sheet at the end of the workbook: see RowSheet."""
    sheet: RowSheet = _add(wb, RowSheet(parent=wb, title=title))
    return sheet


def add_whole_sheet(wb: Workbook, title: str) -> WholeSheet:
    """A short sheet at the end of the workbook: an ordinary openpyxl worksheet."""
    sheet: WholeSheet = _add(wb, WholeSheet(parent=wb, title=title))
    return sheet
