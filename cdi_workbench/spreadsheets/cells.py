"""One cell at a time: the marking, text a spreadsheet could run, and cells read back as text.

No openpyxl here (the window imports this without it): `put` takes any openpyxl worksheet it is given.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

    from .sheets import Look, RowSheet

# The protective marking of everything the workbench writes about victims of crime (workbooks, PDF, JSON,
# packages). A CSV file cannot carry it without breaking its one header row: label and store such files so.
MARKING = "OFFICIAL-SENSITIVE"

# Text a spreadsheet (Excel, LibreOffice, a CSV opened in either) could read as a formula or a command.
RISKY_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32767  # characters a workbook cell holds
MAX_EXACT_INT = 2**53 - 1  # past this Excel (15 significant digits) would round an integer
# The control characters XML 1.0 forbids (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE, without importing openpyxl).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def is_risky(text: str) -> bool:
    """True for text that starts like a formula or a command."""
    return text.startswith(RISKY_START)


def csv_safe(text: str) -> str:
    """Text as a CSV cell no spreadsheet runs: one more leading apostrophe when, after any apostrophes it starts
    with, it starts like a formula ('=1+1' -> \"'=1+1\"). `csv_unsafe` undoes it exactly."""
    return "'" + text if text.lstrip("'").startswith(RISKY_START) else text


def csv_unsafe(text: str) -> str:
    """A CSV cell as the text it stands for: one leading apostrophe removed where csv_safe would have added it."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(RISKY_START) else text


def clean_text(text: str) -> str:
    """Text a workbook can hold: control characters XML forbids replaced, overlong text cut with a mark."""
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if len(text) > MAX_CELL_TEXT:
        mark = " [cut: too long for one cell]"
        text = text[: MAX_CELL_TEXT - len(mark)] + mark
    return text


def yes_no(value: Any) -> Any:
    """Booleans as Yes/No, None as blank; anything else unchanged."""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if value is None:
        return ""
    return value


def put(ws: Worksheet | RowSheet, row: int, col: int, value: Any, number_format: str | None = None,
        look: Look | None = None) -> Cell:
    """Write one value: strings always as text (never a formula; Excel's quote prefix on text that starts like
    one, so it stays text when the cell is edited), booleans as Yes/No, None blank. number_format: of a number
    or date-time (text has none). look: the cell's font, fill, border and alignment, made once for many cells
    (sheets.Look), in the variant this value needs (the quote prefix, the number format)."""
    cell = ws.cell(row=row, column=col)
    value = yes_no(value)
    if isinstance(value, int) and abs(value) > MAX_EXACT_INT:
        value = str(value)  # Excel numbers hold 15 significant digits: keep a big seed exact as text
    if isinstance(value, str):
        text = clean_text(value)
        # stored as it is, as text (Cell.value would type a leading "=" as a formula, and check once more what
        # clean_text has just made sure of: no character XML forbids, no more than a cell holds)
        cell._value = str(text)
        cell.data_type = "s"
        risky = text.startswith(RISKY_START)  # the quote prefix: Excel keeps it as text even when it is edited
        if look is not None:
            cell._style = look.style(quote_prefix=risky)
        elif risky:
            cell.quotePrefix = True
    elif isinstance(value, int | float | datetime):
        cell.value = value
        if look is not None:
            cell._style = look.style(number_format)
        elif number_format:
            cell.number_format = number_format
    elif value is not None:
        put(ws, row, col, str(value), look=look)
    elif look is not None:
        cell._style = look.style()
    return cell


def cell_text(value: object) -> str:
    """Any cell as text: Excel numbers without a spurious '.0', datetimes in ISO form."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(" ")
    return str(value).strip()
