"""review.first_verdict: what the GUI shows above a reviewer's panel ("Auditor's verdict")."""

from __future__ import annotations

from pathlib import Path

from cdi_workbench.audit import review
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import VerdictBody
from tests.builders import small_audit

ZERO = VerdictBody(zero_status=True, complete=True, rationale="Lost wallet: no crime.")


def test_first_verdict_hidden_from_a_blind_reviewer_until_their_review_is_complete(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    for name, role in (("Lena Lead", "lead"), ("Alan Auditor", "auditor"), ("Rita Reviewer", "reviewer")):
        add_person(db, "Lena Lead", name, role)
    lead, auditor, reviewer = (AuditService(db, n) for n in ("Lena Lead", "Alan Auditor", "Rita Reviewer"))
    sid = next(s.id for s in lead.samples() if s.kind == "incident")
    items = {r.ref: r.item_id for r in lead.queue(sid)}
    blind, open_, bare = items["INC-0003"], items["INC-0002"], items["INC-0001"]
    auditor.save_verdict(blind, ZERO)
    auditor.save_verdict(open_, ZERO)
    review.assign(lead, sid, "hand", "Rita Reviewer", "blind", item_ids=[blind, bare])
    review.assign(lead, sid, "hand", "Rita Reviewer", "open", item_ids=[open_])

    hidden = review.first_verdict(reviewer, blind)
    assert hidden.hidden and hidden.body is None and hidden.auditor == ""
    shown = review.first_verdict(reviewer, open_)
    assert not shown.hidden and shown.body == ZERO and shown.auditor == "Alan Auditor"
    assert shown.updated_at is not None
    none_yet = review.first_verdict(lead, bare)
    assert not none_yet.hidden and none_yet.body is None
    assert review.first_verdict(lead, blind).body == ZERO  # the lead is never blind

    reviewer.save_verdict(blind, VerdictBody(zero_status=True, complete=True), role="review")
    after = review.first_verdict(reviewer, blind)
    assert not after.hidden and after.body == ZERO and after.auditor == "Alan Auditor"
    db.close()
