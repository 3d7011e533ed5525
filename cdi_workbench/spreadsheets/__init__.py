"""The one spreadsheet layer: every CSV and .xlsx file the workbench reads or writes goes through here.

- cells: the protective marking, text that starts like a formula (RISKY_START), `put` (one workbook cell, text
  always stored as text with Excel's quote prefix where it starts like a formula), `csv_safe` / `csv_unsafe`
  (one leading apostrophe, on export and off again on import), `cell_text` (any cell read back as text).
- reading: `open_table`, the reader of the extract import, the verdict import and the force's responses: CSV
  in UTF-8, UTF-16 or Windows-1252 with any common delimiter, or a workbook read whatever its <dimension> says;
  `cell_problems` names the cells no caller may take as values (a formula with no saved value, a NUL).
- writing: `write_atomically`, `csv_writer` / `write_csv` (every cell through csv_safe) and the marking of a
  workbook: `mark_pages` (printed headers and footers), `marking_row` (cell A1), `mark_workbook` (properties).

openpyxl is imported only when a workbook is read or written.
"""

from .cells import (
    MARKING,
    MAX_CELL_TEXT,
    MAX_EXACT_INT,
    RISKY_START,
    cell_text,
    clean_text,
    csv_safe,
    csv_unsafe,
    is_risky,
    put,
    yes_no,
)
from .reading import CHUNK, Table, TableError, UnsavedFormula, cell_problems, open_table, read_all
from .writing import (
    CREATOR,
    SafeCsvWriter,
    csv_writer,
    mark_pages,
    mark_workbook,
    marking_row,
    write_atomically,
    write_csv,
)

__all__ = [
    "CHUNK", "CREATOR", "MARKING", "MAX_CELL_TEXT", "MAX_EXACT_INT", "RISKY_START", "SafeCsvWriter", "Table",
    "TableError", "UnsavedFormula", "cell_problems", "cell_text", "clean_text", "csv_safe", "csv_unsafe",
    "csv_writer", "is_risky", "mark_pages", "mark_workbook", "marking_row", "open_table", "put", "read_all",
    "write_atomically", "write_csv", "yes_no",
]
