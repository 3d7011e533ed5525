"""The window's front door, without Qt (issue 11): which verdict a reviewer or the lead starts from, what a save
expects to find stored, what a person may do, and the change records the window applies."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdi_workbench import sampling
from cdi_workbench.audit import operations as ops
from cdi_workbench.audit import review
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.roles import NotAllowed, Person
from cdi_workbench.audit.service import AuditError
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from tests.builders import small_audit

LEAD, AUDITOR, REVIEWER, LIAISON = "Lead Inspector", "Inspector A", "Reviewer B", "Force Liaison"


@pytest.fixture
def team(tmp_path: Path):  # noqa: ANN201
    db = small_audit(tmp_path / "a.db")
    add_person(db, LEAD, LEAD, "lead")
    add_person(db, LEAD, AUDITOR, "auditor")
    add_person(db, LEAD, REVIEWER, "reviewer")
    add_person(db, LEAD, LIAISON, "liaison")
    db.close()
    opened = {who: ops.open_audit(str(tmp_path / "a.db"), who) for who in (LEAD, AUDITOR, REVIEWER, LIAISON)}
    yield opened
    for o in opened.values():
        o.close()


def _items(o: ops.OpenedAudit) -> dict[str, int]:
    return {r.ref: r.item_id for smp in o.samples for r in o.svc.queue(smp.id)}


FIRST = VerdictBody(crimes=[CrimeFinding("8N", 1, "CR-1"), CrimeFinding("58A", 2, "CR-2")], complete=True)


def test_an_auditor_opens_saves_and_a_stale_save_is_refused(team) -> None:  # noqa: ANN001
    a, lead = team[AUDITOR], team[LEAD]
    item = _items(a)["INC-0001"]
    opened = ops.open_record(a.svc, item, ops.Mode.AUDIT, a.samples[0].id)
    assert opened.base is None and opened.body == VerdictBody() and opened.first is None
    saved = ops.save_verdict(a.svc, item, FIRST, ops.Mode.AUDIT, expect=opened.base, sample_id=a.samples[0].id)
    assert saved.changes.items == {item} and saved.changes.findings and saved.row.status == "done"
    assert saved.progress[0] == 1 and saved.base == FIRST.to_json()
    # someone else (the lead, in another window) saves first: a save from the old state writes nothing
    other = VerdictBody(zero_status=True, complete=True)
    ops.save_verdict(lead.svc, item, other, ops.Mode.AUDIT, expect=saved.base)
    with pytest.raises(AuditError, match="changed since"):
        ops.save_verdict(a.svc, item, FIRST, ops.Mode.AUDIT, expect=saved.base)
    assert ops.open_record(a.svc, item, ops.Mode.AUDIT).body == other


def test_a_blind_reviewer_starts_empty_an_open_one_from_the_first_verdict(team) -> None:  # noqa: ANN001
    a, lead, rev = team[AUDITOR], team[LEAD], team[REVIEWER]
    items = _items(a)
    sid = a.samples[0].id
    ops.save_verdict(a.svc, items["INC-0001"], FIRST, ops.Mode.AUDIT)
    ops.save_verdict(a.svc, items["INC-0002"], FIRST, ops.Mode.AUDIT)
    review.assign(lead.svc, sid, "hand", REVIEWER, "blind", item_ids=[items["INC-0001"]])
    review.assign(lead.svc, sid, "hand", REVIEWER, "open", item_ids=[items["INC-0002"]])
    blind = ops.open_record(rev.svc, items["INC-0001"], ops.Mode.REVIEW, sid)
    assert blind.body == VerdictBody() and not blind.from_first
    assert blind.first is not None and blind.first.hidden and blind.first.body is None  # never sent to the window
    open_ = ops.open_record(rev.svc, items["INC-0002"], ops.Mode.REVIEW, sid)
    assert open_.from_first and [c.expected_code for c in open_.body.crimes] == ["8N", "58A"]
    assert not open_.body.complete  # the reviewer completes their own review
    queue = ops.load_queue(rev.svc, sid, "to review", reviewing=True)
    assert {r.item_id for r in queue.rows} == {items["INC-0001"], items["INC-0002"]} and queue.done == 0
    saved = ops.save_verdict(rev.svc, items["INC-0001"], FIRST, ops.Mode.REVIEW, expect=blind.base, sample_id=sid)
    assert saved.first is not None and not saved.first.hidden  # a completed blind review now shows the first
    assert saved.progress == (1, 2)
    # a reviewer may not write a first verdict, nor review a record not assigned to them
    with pytest.raises(NotAllowed):
        ops.save_verdict(rev.svc, items["INC-0003"], FIRST, ops.Mode.AUDIT)
    with pytest.raises((NotAllowed, AuditError)):
        ops.save_verdict(rev.svc, items["INC-0003"], FIRST, ops.Mode.REVIEW)


def test_the_lead_starts_a_final_verdict_from_the_review_and_it_carries_the_reason(team) -> None:  # noqa: ANN001
    a, lead, rev = team[AUDITOR], team[LEAD], team[REVIEWER]
    item, sid = _items(a)["INC-0001"], a.samples[0].id
    ops.save_verdict(a.svc, item, FIRST, ops.Mode.AUDIT)
    review.assign(lead.svc, sid, "hand", REVIEWER, "open", item_ids=[item])
    reviewed = VerdictBody(crimes=[CrimeFinding("105A", 1, "CR-1")], complete=True)
    ops.save_verdict(rev.svc, item, reviewed, ops.Mode.REVIEW)
    final = ops.open_record(lead.svc, item, ops.Mode.FINAL, sid)
    assert [c.expected_code for c in final.body.crimes] == ["105A"] and not final.body.complete
    assert final.first is not None and final.base is None
    ops.save_verdict(lead.svc, item, reviewed, ops.Mode.FINAL, expect=final.base, final_reason="the reviewer is right")
    last = lead.svc.history(item)[-1]
    assert last.role == "final" and "the reviewer is right" in last.reason
    with pytest.raises(NotAllowed):  # only the lead writes final verdicts
        ops.save_verdict(a.svc, item, FIRST, ops.Mode.FINAL)


def test_what_the_window_may_offer_is_the_cores_answer() -> None:
    reviewer, liaison = Person(REVIEWER, "reviewer", True), Person(LIAISON, "liaison", True)
    auditor, lead = Person(AUDITOR, "auditor", True), Person(LEAD, "lead", True)
    assert ops.may(None, "audit", ops.WindowState(has_database=False)) == (False, "Open an audit database first")
    assert not ops.may(reviewer, "findings")[0] and "blind review" in ops.may(reviewer, "findings")[1]
    assert ops.may(lead, "findings") == (True, "")
    assert not ops.may(liaison, "edit", ops.WindowState(has_record=True))[0]
    assert ops.may(auditor, "edit", ops.WindowState(has_record=True)) == (True, "")
    assert not ops.may(auditor, "edit", ops.WindowState(ops.Mode.FINAL, has_record=True))[0]  # only the lead
    assert ops.may(lead, "edit", ops.WindowState(ops.Mode.FINAL, has_record=True)) == (True, "")
    blind = ops.WindowState(ops.Mode.REVIEW, has_record=True, first_hidden=True)
    assert not ops.may(reviewer, "history", blind)[0]
    assert ops.may(reviewer, "history", ops.WindowState(ops.Mode.REVIEW, has_record=True)) == (True, "")
    assert ops.may(auditor, "edit", ops.WindowState(has_record=False)) == (False, "No record open")


def test_a_look_sees_others_verdicts_samples_and_people(team, tmp_path: Path) -> None:  # noqa: ANN001
    a, lead = team[AUDITOR], team[LEAD]
    item = _items(a)["INC-0001"]
    first = ops.look(a.svc, None, item)
    assert not first.changes and first.stored is None
    assert not ops.look(a.svc, first.seen, item).changes  # nothing happened
    ops.save_verdict(lead.svc, item, FIRST, ops.Mode.AUDIT)
    seen = ops.look(a.svc, first.seen, item)
    assert seen.changes.verdicts and seen.changes.findings and not seen.changes.samples
    assert seen.stored == FIRST.to_json()
    with lead.db.session() as s:
        sampling.draw(s, "Drawn elsewhere", "incident", 1, seed=9, who=LEAD)
    drawn = ops.look(a.svc, seen.seen)
    assert drawn.changes.samples and "Drawn elsewhere" in [smp.name for smp in drawn.samples]
    add_person(lead.db, LEAD, "Auditor C", "auditor")
    assert ops.look(a.svc, drawn.seen).changes.people


def test_change_records_combine() -> None:
    one, two = ops.Changes(frozenset({1})), ops.Changes(frozenset({2}), people=True)
    both = one | two
    assert both.items == {1, 2} and both.people and both.findings
    assert not ops.NOTHING and not ops.NOTHING.findings
    assert ops.Changes(people=True) and not ops.Changes(people=True).findings
    assert ops.Changes(settings=True).findings


def test_opening_a_file_that_is_not_an_audit_closes_it(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("not a database")
    with pytest.raises(Exception, match="not"):
        ops.open_audit(str(bad), "someone")
    assert bad.read_text() == "not a database"
