"""Reading a file as a table: CSV (UTF-8, UTF-8 with BOM or Windows-1252, any common delimiter) or .xlsx.

The one reader behind the extract import (importing.reader), the verdict import (verdict_io) and the force's
responses to the challenges (challenges.import_responses). Rows are streamed in chunks: nothing holds the whole
file. Row numbers are as a spreadsheet shows them (header = row 1), so a cell holding line breaks still counts
as one row. The format is told from the content, not the name.

A workbook's sheets are read in openpyxl's read-only mode, which trusts the <dimension> a sheet states: a sheet
written by a program that gets it wrong ('A1:A1' over a thousand rows) would lose its rows and columns, and
one claiming a million rows would yield a million empty ones. So the stated dimension serves only to estimate
the rows for progress, and the cells are read as they are.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from .cells import cell_text

CHUNK = 5000  # rows per chunk: between progress reports and cancel checks, and per set-wise write
MAX_CELL = 16 * 1024 * 1024
csv.field_size_limit(MAX_CELL)
DELIMITERS = (",", ";", "\t", "|")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_SENTINEL = "\x00cdi: end of file\x00"  # tells a quoted cell left open at the end from a complete last row
_CP1252_UNDEFINED = tuple(bytes([b]) for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D))
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
_BLOCK = 1 << 20

Chunk = tuple[int, list[list[Any]]]  # (row number of the first row, rows of cells)


class TableError(ValueError):
    """A file that cannot be read as a table (missing, empty, not text, not a workbook, broken quoting).

    The message is fit to show: '<file>: <problem>' or '<file>, <where>: <problem>' (where: 'row 5', 'line 9',
    'after row 7'); `file`, `where` and `problem` let a caller word it its own way."""

    def __init__(self, file: str, problem: str, where: str = "") -> None:
        super().__init__(f"{file}, {where}: {problem}" if where else f"{file}: {problem}")
        self.file, self.problem, self.where = file, problem, where


ErrorHook = Callable[[TableError], Exception]  # a caller's own exception for a TableError


def detect_encoding(path: Path) -> str:
    """'utf-8-sig' when the whole file is UTF-8 (with or without BOM), else 'cp1252'; refuses other bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = cp1252 = True
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            if utf8 and (not block.isascii() or decoder.getstate()[0]):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
            if cp1252 and any(b in block for b in _CP1252_UNDEFINED):
                cp1252 = False
            if not (utf8 or cp1252):
                break
    if utf8:
        try:
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    if cp1252:
        return "cp1252"
    raise TableError(path.name, "not a text file in UTF-8 or Windows-1252; save it as CSV (UTF-8) or .xlsx")


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the header row: ',' whenever it gives two or more columns."""
    best, best_n = ",", 1
    for delim in DELIMITERS:
        try:
            first = next(csv.reader(io.StringIO(sample), delimiter=delim), [])
        except csv.Error:
            continue
        if delim == "," and len(first) > 1:
            return ","
        if len(first) > best_n:
            best, best_n = delim, len(first)
    return best


def header_names(cells: list[Any]) -> list[str]:
    """Header cells as names; a blank header becomes 'column N' so its values are not lost."""
    names = [cell_text(c) for c in cells]
    while names and not names[-1]:
        names.pop()
    return [n or f"column {i + 1}" for i, n in enumerate(names)]


@dataclass
class Table:
    """An open file: its header, how it was read, and its data rows in chunks."""

    path: Path
    format: str  # csv | xlsx
    headers: list[str]  # header_names(header_cells)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    total: int | None = None  # data rows, when the format says (xlsx)
    fraction: Any = None  # CSV: () -> share of the file's bytes read so far, for an estimate of the rows
    date1904: bool = False  # a workbook saved with the 1904 date system (serial numbers count from 1904)
    header_cells: list[Any] = field(default_factory=list)  # the header row as read
    header_row: int = 1  # its number: a workbook's first row with anything in it
    _chunks: Iterator[Chunk] = field(default=iter(()), repr=False)
    _closers: list[Any] = field(default_factory=list, repr=False)

    def total_estimate(self, rows_read: int) -> int | None:
        """Data rows in all: as the workbook says, or for CSV from the share of the file read so far."""
        if self.total is not None or self.fraction is None or rows_read <= 0:
            return self.total
        share = self.fraction()
        return max(rows_read, round(rows_read / share)) if share > 0 else None

    def chunks(self) -> Iterator[Chunk]:
        """(number of the first row, up to CHUNK rows of cells), blank rows included."""
        return self._chunks

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """Row by row: (row number, cells)."""
        for first, rows in self._chunks:
            yield from enumerate(rows, start=first)

    def close(self) -> None:
        for c in self._closers:
            c.close()
        self._closers.clear()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_table(path: str | Path, sheet: str | None = None, delimiter: str | None = None,
               encoding: str | None = None, *, prefer_sheet: str | None = None, xlsx_only: bool = False,
               chunk: int = CHUNK, error: ErrorHook | None = None) -> Table:
    """Open a CSV or .xlsx file (the format is told from the content, not the name).

    sheet: the worksheet to read (an error when there is none of that name); prefer_sheet: read it when there
    is one, else the first. xlsx_only: refuse anything but a workbook. error: turns each TableError, raised on
    opening or later as rows are read, into the caller's own exception."""
    try:
        table = _open(Path(path), sheet, delimiter, encoding, prefer_sheet, xlsx_only, chunk)
    except TableError as exc:
        if error is None:
            raise
        raise error(exc) from None
    if error is not None:
        table._chunks = _translated(table._chunks, error)
    return table


def read_all(path: str | Path, **options: Any) -> tuple[Table, list[tuple[int, list[Any]]]]:
    """The whole table at once, closed again: (the table, [(row number, cells)] of its data rows)."""
    with open_table(path, **options) as table:
        return table, list(table.rows())


def _translated(chunks: Iterator[Chunk], error: ErrorHook) -> Iterator[Chunk]:
    try:
        yield from chunks
    except TableError as exc:
        raise error(exc) from None


def _open(path: Path, sheet: str | None, delimiter: str | None, encoding: str | None, prefer_sheet: str | None,
          xlsx_only: bool, chunk: int) -> Table:
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except FileNotFoundError:
        raise TableError(str(path), "no such file") from None
    except OSError as exc:
        raise TableError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    if magic == _ZIP:
        return _open_xlsx(path, sheet, prefer_sheet, chunk)
    if magic == _OLE:
        raise TableError(path.name, "an old Excel .xls workbook; save it as .xlsx or CSV")
    if path.suffix.lower() in XLSX_SUFFIXES:
        raise TableError(path.name, "not an Excel workbook (.xlsx) although it is named like one")
    if xlsx_only:
        raise TableError(path.name, "not an Excel workbook (.xlsx)")
    return _open_csv(path, delimiter, encoding, chunk)


def reader_encoding(exc: UnicodeDecodeError) -> str:
    return {"utf-8": "UTF-8", "cp1252": "Windows-1252"}.get(exc.encoding, exc.encoding)


def _open_csv(path: Path, delimiter: str | None, encoding: str | None, chunk: int) -> Table:
    encoding = encoding or detect_encoding(path)
    try:
        fh = open(path, newline="", encoding=encoding, errors="strict")
    except LookupError:
        raise TableError(path.name, f"unknown encoding {encoding!r}") from None
    try:
        sample = fh.read(64 * 1024)
        if not sample.strip():
            raise TableError(path.name, "the file is empty")
        delimiter = delimiter or sniff_delimiter(sample)
        fh.seek(0)  # the utf-8-sig codec skips a BOM again
        reader = csv.reader(itertools.chain(fh, [_SENTINEL + "\n"]), delimiter=delimiter)
        header = next(reader, None)
        if header is None or header == [_SENTINEL]:
            raise TableError(path.name, "the file is empty")
        if header and header[-1].endswith(_SENTINEL + "\n"):
            raise TableError(path.name, "a quoted cell is not closed before the end of the file", "row 1")
    except csv.Error as exc:
        fh.close()
        raise TableError(path.name, f"cannot be read as CSV: {exc}", "row 1") from None
    except UnicodeDecodeError as exc:
        fh.close()
        raise TableError(path.name, f"not {reader_encoding(exc)} text") from None
    except BaseException:
        fh.close()
        raise
    size = max(path.stat().st_size, 1)
    raw = cast(io.BufferedReader, fh.buffer)  # open() in text mode wraps a BufferedReader
    return Table(path, "csv", header_names(header), encoding, delimiter, header_cells=list(header),
                 _chunks=_csv_chunks(path, reader, chunk), _closers=[fh],
                 fraction=lambda: min(raw.tell() / size, 1.0))


def _csv_chunks(path: Path, reader: Any, size: int) -> Iterator[Chunk]:
    number = 2
    try:
        while chunk := list(itertools.islice(reader, size)):
            first, number = number, number + len(chunk)
            last = chunk[-1]  # only the file's last row can hold the sentinel
            if last == [_SENTINEL]:
                chunk.pop()
            elif last and last[-1].endswith(_SENTINEL + "\n"):
                raise TableError(path.name, "a quoted cell is not closed before the end of the file",
                                 f"row {number - 1}")
            if chunk:
                yield first, chunk
    except csv.Error as exc:
        why = str(exc)
        if "field larger than field limit" in why:
            why = f"a cell longer than {MAX_CELL // (1024 * 1024)} MB: probably a quote that is not closed"
        raise TableError(path.name, f"cannot be read as CSV: {why}", f"line {reader.line_num}") from None
    except UnicodeDecodeError as exc:
        raise TableError(path.name, f"not {reader_encoding(exc)} text", f"after row {number - 1}") from None


def _open_xlsx(path: Path, sheet: str | None, prefer_sheet: str | None, chunk: int) -> Table:
    try:
        import openpyxl  # loads with the first workbook read, not with the window

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise TableError(path.name, f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc})") \
            from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise TableError(path.name, f"no sheet named {sheet!r} (sheets: {', '.join(wb.sheetnames)})")
        if sheet is None and prefer_sheet is not None and prefer_sheet in wb.sheetnames:
            sheet = prefer_sheet
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        stated = ws.max_row if isinstance(ws.max_row, int) else None
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # read what the sheet holds, not what its <dimension> says (see above)
        values = ws.iter_rows(values_only=True)
        header, header_row = None, 0
        for number, row in enumerate(values, start=1):
            if any(c not in (None, "") for c in row):
                header, header_row = list(row), number
                break
        if header is None:
            raise TableError(path.name, f"sheet {ws.title!r} is empty")
        # a dimension of one row over a sheet with a header (and so, presumably, data) is one of the wrong ones
        total = stated - header_row if stated is not None and stated > max(header_row, 1) else None
    except TableError:
        wb.close()
        raise
    except Exception as exc:  # a damaged sheet
        wb.close()
        raise TableError(path.name, f"cannot be read ({type(exc).__name__}: {exc})") from None
    date1904 = getattr(wb, "epoch", None) is not None and wb.epoch.year == 1904
    return Table(path, "xlsx", header_names(header), sheet=ws.title, total=total, date1904=date1904,
                 header_cells=header, header_row=header_row,
                 _chunks=_xlsx_chunks(path, values, header_row + 1, chunk), _closers=[wb])


def _xlsx_chunks(path: Path, values: Iterator[tuple[Any, ...]], number: int, size: int) -> Iterator[Chunk]:
    try:
        while chunk := [list(r) for r in itertools.islice(values, size)]:
            yield number, chunk
            number += len(chunk)
    except Exception as exc:  # a damaged sheet shows only as rows are read
        raise TableError(path.name, f"cannot be read ({type(exc).__name__}: {exc})", f"after row {number - 1}") \
            from None
