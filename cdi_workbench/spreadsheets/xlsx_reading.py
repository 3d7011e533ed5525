"""Reading a workbook's sheet as a table (reading.open_table): python-calamine's rows where it can give exactly
openpyxl's (xlsx_fast), else openpyxl's read-only mode; the header found, formulas saved without a value and
NUL characters marked, and a damaged workbook refused naming the part, row and column where its XML breaks."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .reading import (
    _BLOCK,
    NUL_CHARACTER,
    Chunk,
    Table,
    TableError,
    UnsavedFormula,
    _header_check,
    column_letter,
    header_names,
)


def open_xlsx(path: Path, sheet: str | None, prefer_sheet: str | None, chunk: int) -> Table:
    from . import xlsx_fast

    fast = xlsx_fast.open_sheet(path, sheet, prefer_sheet)  # python-calamine, when it gives what openpyxl gives
    if fast is not None:
        return _xlsx_table(path, fast, fast.title, fast.member, fast.stated, fast.rows(), fast.date1904, [0], chunk)
    try:
        import openpyxl  # loads with the first workbook read, not with the window

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise _damaged(path, exc, None, "cannot be read as an Excel workbook") from None
    marks = [0]
    member: str | None = None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise TableError(path.name, f"no sheet named {sheet!r} (sheets: {', '.join(wb.sheetnames)})")
        if sheet is None and prefer_sheet is not None and prefer_sheet in wb.sheetnames:
            sheet = prefer_sheet
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        member = str(getattr(ws, "_worksheet_path", "") or "").lstrip("/") or None
        stated = ws.max_row if isinstance(ws.max_row, int) else None
        values = sheet_rows(wb, ws, marks)  # what the sheet holds, not what its <dimension> says (see above)
    except TableError:
        wb.close()
        raise
    except Exception as exc:  # a damaged sheet
        wb.close()
        raise _damaged(path, exc, member) from None
    date1904 = getattr(wb, "epoch", None) is not None and wb.epoch.year == 1904
    return _xlsx_table(path, wb, ws.title, member, stated, values, date1904, marks, chunk)


def _xlsx_table(path: Path, closer: Any, title: str, member: str | None, stated: int | None,
                values: Iterator[list[Any]], date1904: bool, marks: list[int], chunk: int) -> Table:
    """A sheet's table, whichever reader gives its rows: the header is its first row with anything in it."""
    try:
        header, header_row = None, 0
        for number, row in enumerate(values, start=1):
            if any(c not in (None, "") for c in row):
                header, header_row = list(row), number
                break
        if header is None:
            raise TableError(path.name, f"sheet {title!r} is empty")
        _header_check(path, header, header_row)
        # a dimension of one row over a sheet with a header (and so, presumably, data) is one of the wrong ones
        total = stated - header_row if stated is not None and stated > max(header_row, 1) else None
    except TableError:
        closer.close()
        raise
    except Exception as exc:  # a damaged sheet
        closer.close()
        raise _damaged(path, exc, member) from None
    headers = header_names(header)
    return Table(path, "xlsx", headers, sheet=title, total=total, date1904=date1904,
                 header_cells=header, header_row=header_row,
                 _chunks=_xlsx_chunks(path, values, header_row + 1, chunk, member, headers), _closers=[closer],
                 _marks=marks)


def sheet_rows(wb: Any, ws: Any, marks: list[int]) -> Iterator[list[Any]]:
    """The sheet's rows as lists of values, from its first row, whatever its <dimension> says (a row missing from
    the XML is an empty list). A formula cell with no saved value comes back as an UnsavedFormula (counted in
    `marks`), never as None. openpyxl's own parser reads the cells; this replaces only ReadOnlyWorksheet's row
    loop, which trusts the dimension and silently drops a row numbered before the one it follows."""
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_row(self, row: Any) -> tuple[int, list[dict[str, Any]]]:
            number, cells = super().parse_row(row)
            for element, cell in zip(row, cells, strict=False):
                # data_only gives None for a formula without its value; an empty text result (t="str", <v></v>)
                # is a value, and stays blank
                if cell["value"] is None and (f := element.find(FORMULA_TAG)) is not None and (
                        element.get("t") != "str" or element.find(VALUE_TAG) is None):
                    cell["value"] = UnsavedFormula(_formula_text(self, element, f))
                    marks[0] += 1
            return number, cells

    with ws._get_source() as src:
        parser = Parser(src, ws._shared_strings, data_only=True, epoch=wb.epoch, date_formats=wb._date_formats,
                        timedelta_formats=wb._timedelta_formats)
        expected = 1
        for number, cells in parser.parse():
            if number < expected:
                raise ValueError(f"row {number} comes after row {expected - 1}: the sheet's rows are out of order")
            while expected < number:
                yield []
                expected += 1
            values: list[Any] = [None] * max((c["column"] for c in cells), default=0)
            for c in cells:
                values[c["column"] - 1] = c["value"]
            yield values
            expected = number + 1


def _formula_text(parser: Any, element: Any, formula: Any) -> str:
    try:
        text = parser.parse_formula(element)  # a shared formula's cells are translated from its first cell
    except Exception:  # noqa: BLE001 (the formula is only shown)
        text = None
    if not isinstance(text, str):
        text = getattr(text, "text", None) or "=" + (formula.text or "")
    return text if text.startswith("=") else "=" + text


def _xlsx_chunks(path: Path, values: Iterator[list[Any]], number: int, size: int, member: str | None = None,
                 headers: list[str] | None = None) -> Iterator[Chunk]:
    try:
        while chunk := list(itertools.islice(values, size)):
            yield number, chunk
            number += len(chunk)
    except Exception as exc:  # a damaged sheet shows only as rows are read
        raise _damaged(path, exc, member, headers=headers, where=f"after row {number - 1}") from None


# ---- a workbook whose XML breaks: where, and why ---------------------------------------------------------------
_NUL_REFERENCE = re.compile(rb"&#(?:[xX]0+|0+);")


def _damaged(path: Path, exc: Exception, member: str | None, what: str = "cannot be read",
             headers: list[str] | None = None, where: str = "") -> TableError:
    """The TableError for a workbook openpyxl could not read: at the cell where its XML breaks when that can be
    found (a NUL byte, say, which XML does not allow in any form), else as openpyxl put it."""
    try:
        fault = _xml_fault(path, member)
    except Exception:  # noqa: BLE001 (looking for the cell is a courtesy: the file is refused either way)
        fault = None
    problem = f"{what} ({type(exc).__name__}: {exc})"
    if fault is None:
        return TableError(path.name, problem, where)
    ref, nul = fault
    if nul:
        problem = NUL_CHARACTER + " (the workbook's XML holds one, so it cannot be read)"
    if ref is None:
        return TableError(path.name, problem, where)
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    if m is None:
        return TableError(path.name, problem, f"cell {ref}")
    index = 0
    for ch in m.group(1):
        index = index * 26 + ord(ch) - 64
    column = repr(headers[index - 1]) if headers and index <= len(headers) else m.group(1)
    return TableError(path.name, problem, f"row {int(m.group(2))}, column {column}")


def _xml_fault(path: Path, member: str | None) -> tuple[str | None, bool] | None:
    """(the reference of the cell whose XML breaks, or None; whether a NUL is why), looking in the shared strings
    and then the sheet (the first sheet when none is named); None when their XML is sound."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        sheets = [member] if member in names else sorted(n for n in names if n.startswith("xl/worksheets/sheet"))
        strings = next((n for n in names if n.lower() == "xl/sharedstrings.xml"), None)
        if strings is not None:
            fault = _expat_fault(z, strings, "si")
            if fault is not None:
                count, nul = fault
                for name in sheets:
                    ref = _shared_string_cell(z, name, int(count or 0) - 1)
                    if ref is not None:
                        return ref, nul
                return None, nul
        for name in sheets:
            fault = _expat_fault(z, name, "c")
            if fault is not None:
                return (str(fault[0]) if fault[0] else None), fault[1]
    return None


def _expat_fault(z: Any, member: str, tag: str) -> tuple[str | int | None, bool] | None:
    """Parse one part: None when it is sound, else (for tag 'c' the reference of the cell being read, for 'si'
    how many strings were begun; whether the bytes at the fault are a NUL byte or a reference to one)."""
    from xml.parsers import expat

    state: dict[str, Any] = {"row": 0, "col": 0, "ref": None, "count": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            r = attrs.get("r", "")
            state["row"], state["col"] = int(r) if r.isdigit() else state["row"] + 1, 0
        elif local == "c" and tag == "c":
            state["col"] += 1
            state["ref"] = attrs.get("r") or f"{column_letter(state['col'] - 1)}{state['row']}"
        elif local == tag:
            state["count"] += 1

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    offset, tail = 0, b""
    with z.open(member) as fh:
        try:
            while block := fh.read(_BLOCK):
                data = tail + block
                parser.Parse(block, False)
                offset += len(block)
                tail = data[-64:]
            parser.Parse(b"", True)
        except expat.ExpatError:
            at = parser.ErrorByteIndex - (offset - len(tail))
            data = tail + (block or b"")
            here = data[max(at, 0):max(at, 0) + 16]
            nul = here[:1] == b"\x00" or _NUL_REFERENCE.match(here) is not None
            return (state["ref"] if tag == "c" else state["count"]), nul
    return None


def _shared_string_cell(z: Any, member: str, index: int) -> str | None:
    """The first cell of a sheet showing shared string `index`."""
    import xml.etree.ElementTree as ET

    with z.open(member) as fh:
        for _, el in ET.iterparse(fh):
            if el.tag.rpartition("}")[2] == "c":
                if el.get("t") == "s" and (el.findtext("{*}v") or "").strip() == str(index):
                    return el.get("r")
                el.clear()
    return None
