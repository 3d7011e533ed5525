"""Text as forces export it: Windows-1252, UTF-8 with BOM, other delimiters, line breaks inside cells."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from cdi_workbench.importing import check_file, import_file, preview_file
from cdi_workbench.storage.models import ReportRecord
from tests.integration.test_import_support import INCIDENT_HEADERS, audit, write_csv

NARRATIVE = 'Caller says "he said he\'d kill me", then hung up.\r\n21:20 Unit assigned, grade 1,\n21:45 On scene.'


def _narratives(db_target: str, path: Path) -> dict[str, str]:
    db = audit(db_target)
    result = import_file(db, path, "incidents")
    assert result.committed and result.problems == [], result.problems
    with db.session() as s:
        out = {r.ref: r.narrative for r in s.scalars(select(ReportRecord))}
    db.close()
    return out


def test_windows_1252(db_target: str, tmp_path: Path) -> None:
    rows = [["INC-1", "01/03/2014 10:00", "", "", "", "Café Néro, Stafford", "Victim’s purse – £20 taken", ""]]
    path = write_csv(tmp_path / "cp1252.csv", INCIDENT_HEADERS, rows, encoding="cp1252")
    assert b"\xe9" in path.read_bytes() and b"\x92" in path.read_bytes()  # really Windows-1252
    assert preview_file(path, "incidents").encoding == "cp1252"
    assert _narratives(db_target, path) == {"INC-1": "Victim’s purse – £20 taken"}


def test_utf8_with_bom_and_semicolons(db_target: str, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffincident_ref;received_at;narrative\r\nINC-1;01/03/2014 10:00;Zoë, 12 – ✓\r\n"
                     .encode("utf-8"))
    preview = preview_file(path, "incidents")
    assert (preview.encoding, preview.delimiter, preview.headers) == ("utf-8-sig", ";",
                                                                      ["incident_ref", "received_at", "narrative"])
    assert _narratives(db_target, path) == {"INC-1": "Zoë, 12 – ✓"}


def test_multi_line_quoted_narratives_keep_row_numbers(db_target: str, tmp_path: Path) -> None:
    rows = [["INC-1", "01/03/2014 10:00", "", "", "", "", NARRATIVE, ""],
            ["INC-2", "not a date", "", "", "", "", NARRATIVE, ""],
            ["INC-3", "01/03/2014 10:00", "", "", "", "", "one line", ""]]
    path = write_csv(tmp_path / "multi.csv", INCIDENT_HEADERS, rows)
    problems = check_file(path, "incidents").problems
    assert [(p.row, p.column) for p in problems] == [(3, "received_at")]  # the row, not the line
    del rows[1]
    path = write_csv(tmp_path / "multi.csv", INCIDENT_HEADERS, rows)
    assert _narratives(db_target, path) == {"INC-1": NARRATIVE.strip(), "INC-3": "one line"}


def test_blank_rows_and_tab_delimited(tmp_path: Path) -> None:
    path = tmp_path / "tabs.tsv"
    path.write_text("incident_ref\tnarrative\nINC-1\ta\n\n\t\nINC-2\tb\n", encoding="utf-8")
    result = check_file(path, "incidents")
    assert (result.rows, result.valid, result.problems) == (2, 2, [])
    assert "2 blank rows ignored" in result.notes
