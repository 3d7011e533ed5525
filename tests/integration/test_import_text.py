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


def test_a_workbook_saved_with_the_1904_date_system(tmp_path: Path) -> None:
    """Date cells read right whatever the workbook's date system; so do serial numbers in plain number cells."""
    from datetime import datetime

    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    from cdi_workbench.timeutil import uk_local
    from tests.builders import small_audit

    for epoch in (None, CALENDAR_MAC_1904):
        wb = openpyxl.Workbook()
        if epoch is not None:
            wb.epoch = epoch
        ws = wb.active
        ws.append(["incident_ref", "received_at", "narrative"])
        ws.append(["D-1", datetime(2014, 3, 14, 21, 14), "a date cell"])
        # 14/03/2014 21:14 as a plain number in this workbook's own date system
        base = 41712 if epoch is None else 41712 - 1462
        ws.append(["D-2", base + (21 * 60 + 14) / 1440, "a serial number"])
        path = tmp_path / f"e{epoch is not None}.xlsx"
        wb.save(path)
        db = small_audit(tmp_path / f"e{epoch is not None}.db")
        assert import_file(db, path, "incidents").committed
        with db.session() as s:
            got = dict(s.execute(select(ReportRecord.ref, ReportRecord.received_at)
                                 .where(ReportRecord.ref.like("D-%"))).tuples().all())
        assert got == {"D-1": uk_local(2014, 3, 14, 21, 14), "D-2": uk_local(2014, 3, 14, 21, 14)}, epoch
        db.close()


def test_records_dated_outside_the_audit_period_are_pointed_out(tmp_path: Path) -> None:
    from tests.builders import small_audit

    db = small_audit(tmp_path / "a.db")  # audit period 01/01/2014 to 30/06/2014
    path = tmp_path / "inc.csv"
    path.write_text("incident_ref,received_at,narrative\nQ-1,01/03/2014 10:00,x\nQ-2,01/03/2013 10:00,y\n"
                    "Q-3,01/07/2014 00:30,z\n", encoding="utf-8")
    r = import_file(db, path, "incidents")
    assert r.committed and r.added == 3
    assert "2 rows dated outside the audit period (01/01/2014 to 30/06/2014)" in " ".join(r.notes)
    path.write_text("incident_ref,received_at,narrative\nQ-4,30/06/2014 23:59,x\n", encoding="utf-8")
    assert not any("outside the audit period" in n for n in import_file(db, path, "incidents").notes)
    db.close()
