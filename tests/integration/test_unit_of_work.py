"""Each named operation is one unit of work (issue 11): one session and one transaction for all it reads and
writes, the person looked up once, and all or nothing (a save whose follow-up fails is not half kept)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cdi_workbench.audit import operations as ops
from cdi_workbench.audit import service as service_module
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from tests.builders import small_audit

LEAD, REVIEWER = "Lead Inspector", "Reviewer B"
FIRST = VerdictBody(crimes=[CrimeFinding("8N", 1, "CR-1"), CrimeFinding("58A", 2, "CR-2")], complete=True)


@pytest.fixture
def opened(tmp_path: Path):  # noqa: ANN201
    db = small_audit(tmp_path / "a.db")
    add_person(db, LEAD, LEAD, "lead")
    add_person(db, LEAD, REVIEWER, "reviewer")
    db.close()
    o = ops.open_audit(str(tmp_path / "a.db"), LEAD)
    yield o
    o.close()


def _count(monkeypatch, o: ops.OpenedAudit) -> dict[str, int]:  # noqa: ANN001
    """Count the sessions opened on the audit's database and the times the person is looked up."""
    counts = {"sessions": 0, "identify": 0}
    factory, identify = o.db._factory, service_module.identify  # noqa: SLF001

    def session():  # noqa: ANN202
        counts["sessions"] += 1
        return factory()

    def looked_up(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        counts["identify"] += 1
        return identify(*args, **kwargs)

    monkeypatch.setattr(o.db, "_factory", session)
    monkeypatch.setattr(service_module, "identify", looked_up)
    return counts


def test_opening_and_saving_a_record_is_one_session_and_one_look_up(opened, monkeypatch) -> None:  # noqa: ANN001
    item = opened.svc.queue(opened.samples[0].id)[0].item_id
    counts = _count(monkeypatch, opened)
    record = ops.open_record(opened.svc, item, ops.Mode.AUDIT, opened.samples[0].id)
    assert counts == {"sessions": 1, "identify": 1}
    ops.save_verdict(opened.svc, item, FIRST, ops.Mode.AUDIT, expect=record.base, sample_id=opened.samples[0].id)
    assert counts == {"sessions": 2, "identify": 2}
    ops.look(opened.svc, None, item)
    assert counts["sessions"] == 3


def test_a_save_whose_follow_up_fails_is_not_kept(opened, monkeypatch) -> None:  # noqa: ANN001
    """All or nothing: the queue row read after the save fails, so the operation fails and the verdict (and its
    history row, and the undo entry) are not kept; the person never saw it acknowledged."""
    item = opened.svc.queue(opened.samples[0].id)[0].item_id
    rows = len(opened.svc.history(item))

    def broken(_item_id: int) -> None:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(opened.svc, "queue_row", broken)
    with pytest.raises(RuntimeError):
        ops.save_verdict(opened.svc, item, FIRST, ops.Mode.AUDIT, sample_id=opened.samples[0].id)
    monkeypatch.undo()
    assert opened.svc.verdict(item) == VerdictBody()
    assert len(opened.svc.history(item)) == rows
    assert opened.svc.undo_stack.undo_label == ""
    assert opened.svc.verify_trail() == []


def test_the_undo_entry_comes_after_the_commit(opened) -> None:  # noqa: ANN001
    item = opened.svc.queue(opened.samples[0].id)[0].item_id
    with opened.svc.unit():
        opened.svc.save_verdict(item, FIRST, label="Crimes")
        assert opened.svc.undo_stack.undo_label == ""  # not yet committed: nothing to undo
    assert opened.svc.undo_stack.undo_label == "Crimes"
    assert ops.undo(opened.svc).item_id == item and opened.svc.verdict(item) == VerdictBody()


def test_a_unit_belongs_to_its_thread(opened) -> None:  # noqa: ANN001
    """The window's worker and its watch may share a service: a unit open on one thread is not joined by the
    other (which gets a session of its own and sees only what is committed)."""
    item = opened.svc.queue(opened.samples[0].id)[0].item_id
    seen: list[VerdictBody] = []
    with opened.svc.unit():
        opened.svc.save_verdict(item, FIRST)
        assert opened.svc.verdict(item) == FIRST  # this thread's unit sees its own write
        t = threading.Thread(target=lambda: seen.append(opened.svc.verdict(item)))
        t.start()
        t.join(30)  # SQLite in WAL mode: a reader is not blocked by the open write transaction
    assert seen == [VerdictBody()]  # the other thread did not join the unit: it saw only what was committed
    assert opened.svc.verdict(item) == FIRST
