"""A crime record sampled itself (issue 14): the queue and the record view show it, the verdict panel asks the
crime kind's checks from the checks table with the timeliness worked out beside it as a suggestion, and the answers
typed are the verdict stored."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTextBrowser

from cdi_workbench import sampling
from cdi_workbench.audit.service import AuditService
from cdi_workbench.storage.database import Database
from tests.builders import small_audit

from .conftest import open_window, settle
from .test_every_kind import answer_checks, choose_sample

# small_audit's crime records (2014 rules: 72 hours): reported -> recorded, as the builder writes them
WORKED = {"CR-1": "within 72 hours",  # 14/03/2014 21:14 -> 15/03/2014 08:00
          "CR-2": "outside 72 hours",  # 14/03/2014 21:14 -> 19/03/2014 12:00
          "CR-3": "time not known"}  # no report time


def _with_crime_sample(path: Path) -> None:
    db = small_audit(path)
    with db.session() as s:
        sampling.draw(s, "Crime records", "crime", 0, seed=4, per_stratum=5)
    db.close()


def _findings_text(w) -> str:  # noqa: ANN001
    """What the findings dock shows (its text browsers), the record view and the panel's aside."""
    from ui.findings_view import FindingsView

    return "\n".join(tb.toPlainText() for view in w.findChildren(FindingsView) for tb in view.findChildren(QTextBrowser))


def test_a_crime_record_in_the_window(qtbot, tmp_path: Path, settings) -> None:  # noqa: ANN001
    path = tmp_path / "audit.db"
    _with_crime_sample(path)
    w = open_window(qtbot, path, settings)
    w.resize(1400, 900)
    choose_sample(qtbot, w, "Crime records")
    rows = w.queue_model.rows
    assert sorted(r.ref for r in rows) == ["CR-1", "CR-2", "CR-3"]
    assert {r.kind for r in rows} == {"crime"}
    assert w.queue_model.headerData(2, Qt.Orientation.Horizontal) == "Code"
    first = rows[0]
    detail = w.panel.detail
    assert detail is not None and detail.kind == "crime" and detail.ref == first.ref
    html = w.record_view.toPlainText()
    assert f"Crime record {first.ref}" in html
    assert "Home Office code" in html and "Timeliness (worked out)" in html and WORKED[first.ref] in html
    # the panel asks the crime kind's two checks, from the checks table, with the suggestion under the second
    assert list(w.panel.checks.boxes) == ["code_correct", "recorded_in_time"]
    hint = w.panel.checks.hints["recorded_in_time"]
    assert hint.isVisible() and WORKED[first.ref] in hint.text() and "suggestion" in hint.text()
    assert "code_correct" not in w.panel.checks.hints
    shot = Path(os.environ.get("CDI_SCREENSHOT_DIR", str(tmp_path))) / "crime_record_window.png"
    assert w.grab().save(str(shot))
    answer_checks(qtbot, w, ["Y", "N"])
    settle(qtbot, w)
    # the findings so far: the crime records table, counted from the verdict just given
    qtbot.waitUntil(lambda: "Crime records" in _findings_text(w), timeout=10000)
    text = " ".join(_findings_text(w).split())
    assert "Violence against the person 1 1 0" in text  # reviewed, correctly classified, in time
    assert w.grab().save(str(shot.with_name("crime_record_findings.png")))
    w.close()
    QApplication.processEvents()

    db = Database(path)
    try:
        svc = AuditService(db)
        body = svc.verdict(first.item_id)
        assert body.checks == {"code_correct": True, "recorded_in_time": False} and body.complete
        row = svc.queue_row(first.item_id)
        assert row.n_failed_checks == 1
    finally:
        db.close()
