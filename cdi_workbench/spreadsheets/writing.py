"""Writing files: whole or not at all, CSV whose cells no spreadsheet runs, workbooks that carry the marking.

Every CSV the workbench writes goes through `csv_writer` (verdicts, the draw list, rejected rows, a record's
history) and every workbook cell through cells.put (findings, verdicts, the failures sent to the force); every
workbook gets the marking in its page headers and footers (`mark_pages`) and its properties (`mark_workbook`),
and in its first row where that row is not the header a re-import needs (`marking_row`).
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cells import MARKING, csv_safe, put

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

CREATOR = "CDI Workbench"


def write_atomically(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call write(tmp) for a temporary file beside path, then move it into place: no half-written exports."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise
    return target


# ---- CSV -------------------------------------------------------------------------------------------------------
class SafeCsvWriter:
    """csv.writer whose text cells never run as a formula: each goes through cells.csv_safe (one leading
    apostrophe before text that starts like one; cells.csv_unsafe takes it off again on import)."""

    def __init__(self, fh: Any, **fmt: Any) -> None:
        self._out = csv.writer(fh, **fmt)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._out.writerow([csv_safe(v) if isinstance(v, str) else v for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fh: Any, **fmt: Any) -> SafeCsvWriter:
    """The writer for every CSV the workbench writes (fh opened with newline='')."""
    return SafeCsvWriter(fh, **fmt)


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Iterable[Any]], *,
              bom: bool = True) -> Path:
    """A whole CSV file, written atomically: the header, then the rows. bom: UTF-8 with a byte order mark, so
    that Excel opens it as UTF-8."""

    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
            out = csv_writer(fh)
            out.writerow(header)
            out.writerows(rows)

    return write_atomically(path, write)


# ---- workbooks -------------------------------------------------------------------------------------------------
def mark_pages(ws: Worksheet) -> None:
    """The marking centred in every printed header and footer of the sheet (first, odd and even pages)."""
    for part in (ws.oddHeader.center, ws.evenHeader.center, ws.firstHeader.center,
                 ws.oddFooter.center, ws.evenFooter.center, ws.firstFooter.center):
        part.text = MARKING
        part.size = 10
        part.font = "Arial,Bold"


def marking_row(ws: Worksheet, font: Any = None) -> Cell:
    """The marking in cell A1 (bold), for a sheet whose first row is not a header to be read back."""
    cell = put(ws, 1, 1, MARKING)
    if font is None:
        from openpyxl.styles import Font

        font = Font(bold=True, size=11)
    cell.font = font
    return cell


def mark_workbook(wb: Workbook, title: str, subject: str | None = None) -> None:
    """The workbook's properties: its title, the marking as keywords and category, the workbench as creator."""
    props = wb.properties
    props.title = title
    if subject is not None:
        props.subject = subject
    props.keywords = MARKING
    props.category = MARKING
    props.creator = CREATOR
