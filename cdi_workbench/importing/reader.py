"""Reading an extract as a table: the workbench's one reader (cdi_workbench.spreadsheets.reading), with its
errors as ImportFileError.

Rows are streamed in chunks: nothing holds the whole file. Row numbers are as a spreadsheet shows them (header =
row 1), so a cell holding line breaks still counts as one row.

A rejects file the importer wrote (its last columns 'row' and 'problems') is read back with the apostrophe that
kept formula-looking text from running taken off again (spreadsheets.csv_unsafe), so that a fixed rejects file
imports the values as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..spreadsheets.cells import csv_unsafe
from ..spreadsheets.reading import (
    DELIMITERS,
    MAX_CELL,
    Chunk,
    Table,
    TableError,
    cell_problems,
    detect_encoding,
    header_names,
    reader_encoding,
    sniff_delimiter,
)
from ..spreadsheets.reading import open_table as _open_table
from .errors import ImportFileError
from .profiles import REJECTS_COLUMNS

CHUNK = 5000  # rows per chunk: between progress reports and cancel checks, and per set-wise write

__all__ = ["CHUNK", "DELIMITERS", "MAX_CELL", "Chunk", "Table", "cell_problems", "detect_encoding", "header_names",
           "open_table", "reader_encoding", "sniff_delimiter"]


def _error(exc: TableError) -> ImportFileError:
    return ImportFileError(str(exc))


def open_table(path: str | Path, sheet: str | None = None, delimiter: str | None = None,
               encoding: str | None = None) -> Table:
    """Open a CSV or .xlsx extract (the format is told from the content, not the name)."""
    table = _open_table(path, sheet, delimiter, encoding, chunk=CHUNK, error=_error)
    if table.format == "csv" and table.headers[-2:] == REJECTS_COLUMNS and len(table.headers) > 2:
        table._chunks = _unescaped(table._chunks)
    return table


def _unescaped(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    for first, rows in chunks:
        yield first, [[csv_unsafe(c) for c in row] for row in rows]
