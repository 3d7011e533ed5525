"""A sealed blind review in the real window (issue 12, item 4): once the reviewer completes a blind review, the
panel is read-only and says why; the lead reopens it from the Review menu, with a reason, and the reviewer may
change it again. The rule is the core's (operations.OpenedRecord.sealed, operations.may): the window only shows it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from cdi_workbench.audit import review
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.storage.database import Database
from tests.builders import small_audit
from ui.main_window import MainWindow

from .conftest import open_window, settle

LEAD, AUDITOR, REVIEWER = "Lena Lead", "Alan Auditor", "Rita Reviewer"
MISSED = VerdictBody(crimes=[CrimeFinding(expected_code="8L", not_recorded_reason="No discernible reason")],
                     complete=True, rationale="Threat to kill with a knife: harassment not recorded.")


def _actions(w: MainWindow) -> dict[str, object]:
    return {a.text(): a for m in w.menuBar().actions() for a in m.menu().actions() if a.text()}


def test_a_sealed_review_is_read_only_until_the_lead_reopens_it(qtbot, tmp_path, settings, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    db = small_audit(path)
    for name, role in ((LEAD, "lead"), (AUDITOR, "auditor"), (REVIEWER, "reviewer")):
        add_person(db, LEAD, name, role)
    auditor = AuditService(db, AUDITOR)
    sid = next(s.id for s in auditor.samples() if s.kind == "incident")
    items = {r.ref: r.item_id for r in auditor.queue(sid)}
    auditor.save_verdict(items["INC-0002"], MISSED)
    review.assign(AuditService(db, LEAD), sid, "hand", REVIEWER, "blind", item_ids=[items["INC-0002"],
                                                                                    items["INC-0003"]])
    db.close()

    w = open_window(qtbot, path, settings, user=REVIEWER)
    qtbot.waitUntil(lambda: w.panel.detail.ref == "INC-0002", timeout=5000)
    settle(qtbot, w)
    assert w.panel.isEnabled() and "sealed" not in w.panel.heading.text()
    assert not _actions(w)["Re&open the sealed review of this record…"].isEnabled()  # the lead's
    qtbot.keyClick(w.panel.rationale, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # zero status, done
    qtbot.waitUntil(lambda: w.panel.detail.ref == "INC-0003", timeout=5000)
    settle(qtbot, w)
    qtbot.keyClick(w.panel.rationale, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.panel.detail.ref == "INC-0002", timeout=5000)
    settle(qtbot, w)
    # sealed: the auditor's verdict shown, the panel read-only, and it says why
    assert MISSED.rationale in w.panel.first_text.toPlainText()
    assert not w.panel.isEnabled()
    assert "sealed" in w.panel.heading.text()
    assert "sealed" in w.panel.status.text() and "lead" in w.panel.status.text()
    acts = _actions(w)
    assert not acts["&Zero status"].isEnabled() and not acts["&Done, next record"].isEnabled()
    assert "sealed" in acts["&Zero status"].toolTip()
    w.close()

    # the lead reopens it from the Review menu, with a reason
    lead_window = open_window(qtbot, path, settings, user=LEAD)
    lead_window.go_to_item(items["INC-0002"])
    qtbot.waitUntil(lambda: lead_window.panel.detail is not None and lead_window.panel.detail.ref == "INC-0002",
                    timeout=5000)
    settle(qtbot, lead_window)
    reopen = _actions(lead_window)["Re&open the sealed review of this record…"]
    assert reopen.isEnabled()
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("Zero status by mistake", True))
    reopen.trigger()
    settle(qtbot, lead_window)
    lead_window.close()
    db = Database(path)
    last = AuditService(db, LEAD).history(items["INC-0002"])[-1]
    assert (last.action, last.who, last.reason) == ("reopen", LEAD, "sealed review reopened: Zero status by mistake")
    db.close()

    # reopened: the reviewer's panel is editable again
    w = open_window(qtbot, path, settings, user=REVIEWER)
    w.go_to_item(items["INC-0002"])
    qtbot.waitUntil(lambda: w.panel.detail.ref == "INC-0002", timeout=5000)
    settle(qtbot, w)
    assert w.panel.isEnabled() and "sealed" not in w.panel.heading.text()
    w.close()
