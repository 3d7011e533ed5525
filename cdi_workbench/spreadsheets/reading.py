"""Reading a file as a table: CSV (UTF-8, UTF-8 with BOM or Windows-1252, any common delimiter) or .xlsx.

The one reader behind the extract import (importing.reader), the verdict import (verdict_io) and the force's
responses to the challenges (challenges.import_responses). Rows are streamed in chunks: nothing holds the whole
file. Row numbers are as a spreadsheet shows them (header = row 1), so a cell holding line breaks still counts
as one row. The format is told from the content, not the name.

A workbook's sheets are read in openpyxl's read-only mode, which trusts the <dimension> a sheet states: a sheet
written by a program that gets it wrong ('A1:A1' over a thousand rows) would lose its rows and columns, and
one claiming a million rows would yield a million empty ones. So the stated dimension serves only to estimate
the rows for progress, and the cells are read as they are.

Nothing is passed on silently as something else (issue 12). A formula cell saved without its value (a workbook
written by a program, never opened in Excel) is not read as a blank: it comes back as an UnsavedFormula, and a
cell holding a NUL character (which the database would cut text short at) is flagged; `cell_problems(cells)`
names both, and every caller reports them as problems of their row and column (`Table.marked` says when a file
has any, so a large import looks at its cells only then). A header with either, or a workbook whose XML carries a
character XML forbids (a NUL byte), is refused here naming the row and column. UTF-16 text (a byte-order mark, or
NUL bytes at every other position) is read as UTF-16, not refused as garbled Windows-1252.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
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
# byte-order marks: UTF-32's first (its little-endian mark starts with UTF-16's)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WIDE = ("utf-16", "utf-32")  # encodings whose text is full of NUL bytes: their cells are looked at instead
UNSAVED_FORMULA = "a formula with no saved value: open the file in Excel and save it, or paste values"
NUL_CHARACTER = ("a NUL character (byte 0), which the database cannot keep (text is cut short at it): remove it "
                 "from the cell")

Chunk = tuple[int, list[list[Any]]]  # (row number of the first row, rows of cells)


class TableError(ValueError):
    """A file that cannot be read as a table (missing, empty, not text, not a workbook, broken quoting).

    The message is fit to show: '<file>: <problem>' or '<file>, <where>: <problem>' (where: 'row 5', 'line 9',
    'after row 7'); `file`, `where` and `problem` let a caller word it its own way."""

    def __init__(self, file: str, problem: str, where: str = "") -> None:
        super().__init__(f"{file}, {where}: {problem}" if where else f"{file}: {problem}")
        self.file, self.problem, self.where = file, problem, where


ErrorHook = Callable[[TableError], Exception]  # a caller's own exception for a TableError


class UnsavedFormula:
    """A workbook cell holding a formula but no saved value (its text, '=SUM(A1:A3)'): read as this, never as a
    blank, so that whoever reads the row reports it (cell_problems)."""

    __slots__ = ("formula",)

    def __init__(self, formula: str) -> None:
        self.formula = formula

    def __str__(self) -> str:
        return self.formula

    def __repr__(self) -> str:
        return f"UnsavedFormula({self.formula!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnsavedFormula) and other.formula == self.formula

    def __hash__(self) -> int:
        return hash(("formula", self.formula))


def cell_problems(cells: list[Any] | tuple[Any, ...]) -> list[tuple[int, str, str]]:
    """The cells of a row that must not be read as values: (position, the cell as text, what is wrong) for a
    formula with no saved value and for text holding a NUL character."""
    out = []
    for i, c in enumerate(cells):
        if c.__class__ is UnsavedFormula:
            out.append((i, c.formula, UNSAVED_FORMULA))
        elif isinstance(c, str) and "\x00" in c:
            out.append((i, c, NUL_CHARACTER))
    return out


def column_letter(index: int) -> str:
    """'A' for the first column (index 0), 'AA' for the 27th."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _header_check(path: Path, cells: list[Any], number: int) -> None:
    bad = cell_problems(cells)
    if bad:
        i, value, problem = bad[0]
        raise TableError(path.name, f"{problem} (value {value[:60]!r})", f"row {number}, column {column_letter(i)}")


def utf16_encoding(head: bytes) -> str | None:
    """'utf-16' or 'utf-32' for text starting with their byte-order mark, 'utf-16-le' / 'utf-16-be' for text
    without one whose every other byte is NUL (the ASCII of UTF-16), else None."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even, odd = head[0:pairs * 2:2].count(0), head[1:pairs * 2:2].count(0)
    if odd >= 0.7 * pairs and even <= 0.05 * odd:
        name = "utf-16-le"
    elif even >= 0.7 * pairs and odd <= 0.05 * even:
        name = "utf-16-be"
    else:
        return None
    try:  # and it reads as text: no control characters but tabs and line breaks (binary data would have some)
        text = head[:pairs * 2].decode(name)
    except UnicodeDecodeError:
        text = head[:pairs * 2 - 2].decode(name, "replace")  # (a character cut in two at the end of the sample)
    return None if _CONTROL.search(text) else name


def detect_encoding(path: Path) -> str:
    """'utf-16' (or '-le', '-be', 'utf-32') for UTF-16 or UTF-32 text, else 'utf-8-sig' when the whole file is
    UTF-8 (with or without BOM), else 'cp1252'; refuses other bytes."""
    return sniff_encoding(path)[0]


def _has_nul(path: Path) -> bool:
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            if b"\x00" in block:
                return True
    return False


def sniff_encoding(path: Path) -> tuple[str, bool]:
    """(the encoding, whether the text may hold NUL characters): see detect_encoding."""
    with open(path, "rb") as fh:
        wide = utf16_encoding(fh.read(4096))
    if wide is not None:
        return wide, True
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = cp1252 = True
    nul = False
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            nul = nul or b"\x00" in block
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
            return "utf-8-sig", nul
        except UnicodeDecodeError:
            pass
    if cp1252:
        return "cp1252", nul
    raise TableError(path.name, "not a text file in UTF-8, UTF-16 or Windows-1252; save it as CSV (UTF-8) or "
                                ".xlsx")


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
    _marks: list[int] = field(default_factory=lambda: [0], repr=False)

    @property
    def marked(self) -> int:
        """Non-zero once the rows read so far may hold cells `cell_problems` names (a CSV with a NUL byte, or
        UTF-16 text; a workbook: how many formulas with no saved value were read): look at the cells then."""
        return self._marks[0]

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
        from .xlsx_reading import open_xlsx  # (it reads this module's Table)

        return open_xlsx(path, sheet, prefer_sheet, chunk)
    if magic == _OLE:
        raise TableError(path.name, "an old Excel .xls workbook; save it as .xlsx or CSV")
    if path.suffix.lower() in XLSX_SUFFIXES:
        raise TableError(path.name, "not an Excel workbook (.xlsx) although it is named like one")
    if xlsx_only:
        raise TableError(path.name, "not an Excel workbook (.xlsx)")
    return _open_csv(path, delimiter, encoding, chunk)


def reader_encoding(exc: UnicodeDecodeError) -> str:
    names = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "utf-16": "UTF-16", "utf-16-le": "UTF-16",
             "utf-16-be": "UTF-16", "utf-32": "UTF-32"}
    return names.get(exc.encoding.lower().replace("_", "-"), exc.encoding)


def _open_csv(path: Path, delimiter: str | None, encoding: str | None, chunk: int) -> Table:
    if encoding:
        try:
            wide = codecs.lookup(encoding).name.startswith(_WIDE)
        except LookupError:
            raise TableError(path.name, f"unknown encoding {encoding!r}") from None
        nul = wide or _has_nul(path)
    else:
        encoding, nul = sniff_encoding(path)
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
        if nul:
            _header_check(path, header, 1)
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
                 fraction=lambda: min(raw.tell() / size, 1.0), _marks=[int(nul)])


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
