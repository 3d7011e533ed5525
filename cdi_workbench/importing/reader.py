"""Reading an extract as a table: CSV (UTF-8, UTF-8 with BOM or Windows-1252, any common delimiter) or .xlsx.

Rows are streamed in chunks: nothing holds the whole file. Row numbers are as a spreadsheet shows them (header =
row 1), so a cell holding line breaks still counts as one row.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from .errors import ImportFileError
from .values import cell_text

CHUNK = 5000  # rows per chunk: between progress reports and cancel checks, and per set-wise write
MAX_CELL = 16 * 1024 * 1024
csv.field_size_limit(MAX_CELL)
DELIMITERS = (",", ";", "\t", "|")
_SENTINEL = "\x00cdi: end of file\x00"  # tells a quoted cell left open at the end from a complete last row
_CP1252_UNDEFINED = tuple(bytes([b]) for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D))
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
_BLOCK = 1 << 20

Chunk = tuple[int, list[list[Any]]]  # (row number of the first row, rows of cells)


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
    raise ImportFileError(f"{path.name}: not a text file in UTF-8 or Windows-1252; save it as CSV (UTF-8) or .xlsx")


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
    """An open extract: its headers, how it was read, and its data rows in chunks."""

    path: Path
    format: str  # csv | xlsx
    headers: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    total: int | None = None  # data rows, when the format says (xlsx)
    fraction: Any = None  # CSV: () -> share of the file's bytes read so far, for an estimate of the rows
    date1904: bool = False  # a workbook saved with the 1904 date system (serial numbers count from 1904)
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
               encoding: str | None = None) -> Table:
    """Open a CSV or .xlsx extract (the format is told from the content, not the name)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if magic == _ZIP:
        return _open_xlsx(path, sheet)
    if magic == _OLE:
        raise ImportFileError(f"{path.name}: an old Excel .xls workbook; save it as .xlsx or CSV")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise ImportFileError(f"{path.name}: not an Excel workbook (.xlsx) although it is named like one")
    return _open_csv(path, delimiter, encoding)


def reader_encoding(exc: UnicodeDecodeError) -> str:
    return {"utf-8": "UTF-8", "cp1252": "Windows-1252"}.get(exc.encoding, exc.encoding)


def _open_csv(path: Path, delimiter: str | None, encoding: str | None) -> Table:
    encoding = encoding or detect_encoding(path)
    try:
        fh = open(path, newline="", encoding=encoding, errors="strict")
    except LookupError:
        raise ImportFileError(f"{path.name}: unknown encoding {encoding!r}") from None
    try:
        sample = fh.read(64 * 1024)
        if not sample.strip():
            raise ImportFileError(f"{path.name}: the file is empty")
        delimiter = delimiter or sniff_delimiter(sample)
        fh.seek(0)  # the utf-8-sig codec skips a BOM again
        reader = csv.reader(itertools.chain(fh, [_SENTINEL + "\n"]), delimiter=delimiter)
        header = next(reader, None)
        if header is None or header == [_SENTINEL]:
            raise ImportFileError(f"{path.name}: the file is empty")
        if header and header[-1].endswith(_SENTINEL + "\n"):
            raise ImportFileError(f"{path.name}, row 1: a quoted cell is not closed before the end of the file")
    except csv.Error as exc:
        fh.close()
        raise ImportFileError(f"{path.name}, row 1: cannot be read as CSV: {exc}") from None
    except UnicodeDecodeError as exc:
        fh.close()
        raise ImportFileError(f"{path.name}: not {reader_encoding(exc)} text") from None
    except BaseException:
        fh.close()
        raise
    size = max(path.stat().st_size, 1)
    raw = cast(io.BufferedReader, fh.buffer)  # open() in text mode wraps a BufferedReader
    return Table(path, "csv", header_names(header), encoding, delimiter, _chunks=_csv_chunks(path, reader),
                 _closers=[fh], fraction=lambda: min(raw.tell() / size, 1.0))


def _csv_chunks(path: Path, reader: Any) -> Iterator[Chunk]:
    number = 2
    try:
        while chunk := list(itertools.islice(reader, CHUNK)):
            first, number = number, number + len(chunk)
            last = chunk[-1]  # only the file's last row can hold the sentinel
            if last == [_SENTINEL]:
                chunk.pop()
            elif last and last[-1].endswith(_SENTINEL + "\n"):
                raise ImportFileError(f"{path.name}, row {number - 1}: a quoted cell is not closed before the "
                                      "end of the file")
            if chunk:
                yield first, chunk
    except csv.Error as exc:
        why = str(exc)
        if "field larger than field limit" in why:
            why = f"a cell longer than {MAX_CELL // (1024 * 1024)} MB: probably a quote that is not closed"
        raise ImportFileError(f"{path.name}, line {reader.line_num}: cannot be read as CSV: {why}") from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path.name}, after row {number - 1}: not {reader_encoding(exc)} text") from None


def _open_xlsx(path: Path, sheet: str | None) -> Table:
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError(f"{path.name}: cannot be read as an Excel workbook ({type(exc).__name__}: {exc})") \
            from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise ImportFileError(f"{path.name}: no sheet named {sheet!r} (sheets: {', '.join(wb.sheetnames)})")
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        values = ws.iter_rows(values_only=True)
        header, header_row = None, 0
        for number, row in enumerate(values, start=1):
            if any(c not in (None, "") for c in row):
                header, header_row = list(row), number
                break
        if header is None:
            raise ImportFileError(f"{path.name}: sheet {ws.title!r} is empty")
        total = ws.max_row - header_row if isinstance(ws.max_row, int) and ws.max_row >= header_row else None
    except ImportFileError:
        wb.close()
        raise
    except Exception as exc:  # a damaged sheet
        wb.close()
        raise ImportFileError(f"{path.name}: cannot be read ({type(exc).__name__}: {exc})") from None
    date1904 = getattr(wb, "epoch", None) is not None and wb.epoch.year == 1904
    return Table(path, "xlsx", header_names(header), sheet=ws.title, total=total, date1904=date1904,
                 _chunks=_xlsx_chunks(path, values, header_row + 1), _closers=[wb])


def _xlsx_chunks(path: Path, values: Iterator[tuple[Any, ...]], number: int) -> Iterator[Chunk]:
    try:
        while chunk := [list(r) for r in itertools.islice(values, CHUNK)]:
            yield number, chunk
            number += len(chunk)
    except Exception as exc:  # a damaged sheet shows only as rows are read
        raise ImportFileError(f"{path.name}, after row {number - 1}: cannot be read ({type(exc).__name__}: "
                              f"{exc})") from None
