"""A verification and the figures read one consistent state, whatever is saved meanwhile.

Found by CI: the window's background verification read the history, then the verdicts; a verdict saved between
the two reads was reported as 'the verdict on item 1 has no history' and the window told the inspector the
database had been tampered with. Each test saves a verdict from another connection in the middle of the read."""

from __future__ import annotations

from cdi_workbench import findings
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.trail_checkpoint import verify_in_full
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.storage.database import Database
from tests.builders import small_audit


def _two_items(target: str) -> tuple[int, int]:
    db = small_audit(target)
    svc = AuditService(db, "Inspector A")
    first, second = (r.item_id for r in svc.queue(svc.samples()[0].id)[:2])
    svc.save_verdict(first, VerdictBody(zero_status=True, complete=True))
    db.close()
    return first, second


def test_a_verdict_saved_during_verification_is_no_false_alarm(db_target: str) -> None:
    _, second = _two_items(db_target)
    reader, writer = Database(db_target), Database(db_target)
    saved: list[int] = []

    def meanwhile() -> bool:  # asked at every history row the verification reads: someone saves here
        if not saved:
            AuditService(writer, "Inspector B").save_verdict(second, VerdictBody(zero_status=True, complete=True))
            saved.append(second)
        return False

    try:
        assert verify_in_full(reader, meanwhile) == []
        assert saved == [second]
        assert verify_in_full(reader) == []  # and the new verdict, with its history, verifies afterwards
    finally:
        reader.close()
        writer.close()


def test_figures_come_from_one_state(db_target: str, monkeypatch) -> None:  # noqa: ANN001
    """The audit, the samples and the verdicts the figures are built from are read in one snapshot."""
    _, second = _two_items(db_target)
    reader, writer = Database(db_target), Database(db_target)
    real = findings.completed_verdicts
    saved: list[int] = []

    def meanwhile(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if not saved:
            AuditService(writer, "Inspector B").save_verdict(second, VerdictBody(zero_status=True, complete=True))
            saved.append(second)
        return real(*args, **kwargs)

    monkeypatch.setattr(findings, "completed_verdicts", meanwhile)
    try:
        before = findings.compute(reader)
        assert saved == [second]
        monkeypatch.setattr(findings, "completed_verdicts", real)
        after = findings.compute(reader)
        reviewed = ("incidents", "Incident records", "Records reviewed")
        assert (before.value(*reviewed), after.value(*reviewed)) == (1, 2)
    finally:
        reader.close()
        writer.close()
