"""In the real window: an auditor's change to a first verdict the audit lead has decided on is refused, and the
window says so (it does not drop the change silently); the verdict and the decision stand. Checked through the core."""

from __future__ import annotations

from pathlib import Path

from cdi_workbench.audit import decisions
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.storage.database import Database
from tests.builders import small_audit

from .conftest import open_window, settle

AUDITOR, REVIEWER, LEAD = "Inspector Test", "Rita Reviewer", "Lena Lead"
TWO = VerdictBody(crimes=[CrimeFinding("8N", 1, "CR-1"), CrimeFinding("58A", 2, "CR-2")], complete=True,
                  rationale="two crimes")
ZERO = VerdictBody(zero_status=True, complete=True, rationale="no crime")


def test_the_auditors_change_to_a_decided_record_is_refused_in_words(qtbot, tmp_path, settings) -> None:  # noqa: ANN001
    path = tmp_path / "audit.db"
    db = small_audit(path)
    sid = next(s.id for s in AuditService(db, AUDITOR).samples() if s.name == "Incidents")
    first = AuditService(db, AUDITOR).queue(sid)[0].item_id  # the record the window opens on
    AuditService(db, AUDITOR).save_verdict(first, TWO)
    AuditService(db, REVIEWER).save_verdict(first, ZERO, role="review")
    decisions.decide(AuditService(db, LEAD), first, "primary", "the auditor is right")
    db.close()

    w = open_window(qtbot, path, settings, user=AUDITOR)
    settle(qtbot, w)
    assert w.current_item == first
    errors: list[tuple[str, str]] = []
    w._show_error = lambda title, details="": errors.append((title, details))  # noqa: SLF001 (no modal box)
    w.panel.rationale.setText("On second thoughts, no crime.")  # the auditor changes the first verdict
    w.panel.done()
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    settle(qtbot, w)
    title, details = errors[0]
    assert title == "The verdict was not saved"
    assert f"the audit lead has decided this record (final verdict by {LEAD} on " in details
    assert "the lead must undo the decision first" in details
    check = Database(Path(path))
    try:
        svc = AuditService(check, LEAD)
        assert svc.verdict(first) == TWO and svc.verdict(first, "final").crimes == TWO.crimes
        assert [d.item_id for d in decisions.decided(svc)] == [first]
    finally:
        check.close()
    w.close()
