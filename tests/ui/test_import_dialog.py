from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import ReportRecord

from .conftest import open_window, settle


def test_import_an_extract_with_mapped_headers(qtbot, small_db, settings, tmp_path: Path) -> None:  # noqa: ANN001
    extract = tmp_path / "storm.csv"
    with extract.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Log number", "Received", "Opening", "Narrative", "Beat"])
        for n in range(1, 6):
            w.writerow([f"S-{n:03d}", f"0{n}/02/2014 10:1{n}", "Domestic Incident",
                        f"0{n}/02/2014 10:1{n} [Call taker] Caller reports\nshouting next door", f"B{n}"])
    w = open_window(qtbot, small_db, settings)
    qtbot.keyClick(w, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(w, "import_dialog", None) is not None and w.import_dialog.isVisible())
    d = w.import_dialog
    d.kind.setCurrentIndex(d.kind.findData("incidents"))
    d.path.setText(str(extract))
    d.refresh()
    qtbot.waitUntil(lambda: d.preview is not None and d.mapping.rowCount() == 5, timeout=5000)
    assert "incident_ref" in d.preview.proposal.missing  # 'Log number' is not a canonical header
    assert not d.import_button.isEnabled()
    for header, target in (("Log number", "incident_ref"), ("Received", "received_at"),
                           ("Opening", "opening_code"), ("Narrative", "narrative")):
        r = next(i for i in range(d.mapping.rowCount()) if d.mapping.item(i, 0).text() == header)
        box = d.mapping.cellWidget(r, 1)
        box.setCurrentText(target)
        box.activated.emit(box.currentIndex())
    settle(qtbot, w)  # every re-preview done
    qtbot.waitUntil(lambda: d.import_button.isEnabled(), timeout=10000)
    assert d.rows.rowCount() == 5
    assert d.rows.item(0, 1).text() == "S-001"
    qtbot.mouseClick(d.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "added 5" in d.message.text(), timeout=30000)
    settle(qtbot, w)
    w.close()
    db = Database(small_db)
    with db.session() as s:
        got = s.scalar(select(ReportRecord).where(ReportRecord.ref == "S-003"))
        assert got.opening_code == "Domestic Incident"
        assert "shouting next door" in got.narrative
        assert got.extra == {"Beat": "B3"}  # the force's own columns are kept
        assert s.scalar(select(func.count()).select_from(ReportRecord).where(ReportRecord.kind == "incident")) == 8
    db.close()


def test_the_dialog_says_first_which_audited_records_an_import_changed(tmp_path: Path) -> None:
    from cdi_workbench.importing import AuditedChange, ImportResult
    from ui.import_dialog import ImportDialog

    r = ImportResult(tmp_path / "storm.csv", "incidents", rows=10, changed=2, unchanged=8, committed=True,
                     audited=[AuditedChange(7, "Incidents", 3, "INC-3", "a" * 32, "b" * 32)])
    r.notes = [r.audited_message()]
    lines = ImportDialog._report(r).splitlines()
    assert lines[0] == ("Look again: 1 record already audited changed: Incidents #3 INC-3; flagged for a second "
                        "look (the history records each change).")
    assert lines[1].startswith("10 rows read: added 0, changed 2") and len(lines) == 2
