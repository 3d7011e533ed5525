"""The lead decides only a record awaiting a decision, and a decision holds its verdicts still.

1. A final verdict (a decision) is written only on a record audit.review.disagreements lists: a complete first
   verdict and a complete (for blind: sealed) review that disagree or where the reviewer could not decide a check.
   Anything else is refused in words saying why, by --take primary, --take review, --own, the command line and the
   window's final verdict; the figures do not move.
2. While a decision stands, the first verdict and the review may not change (a save, undo, an import, a merge):
   else the decision would silently stand on verdicts it never saw.

On SQLite and PostgreSQL (single-user mode: the names are stamped as given).
"""

from __future__ import annotations

import re

import pytest

from cdi_workbench.audit import decisions, review
from cdi_workbench.audit import operations as ops
from cdi_workbench.audit.service import AuditError, AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.findings import compute
from cdi_workbench.storage.database import Database
from tests.builders import small_audit

AUDITOR, REVIEWER, LEAD = "Alan Auditor", "Rita Reviewer", "Lena Lead"
TWO = VerdictBody(crimes=[CrimeFinding("8N", 1, "CR-1"), CrimeFinding("58A", 2, "CR-2")], complete=True,
                  rationale="two crimes")
ZERO = VerdictBody(zero_status=True, complete=True, rationale="no crime")
UNFINISHED = VerdictBody(crimes=[CrimeFinding("8N", 1, "CR-1")], complete=False)
DECIDED = re.escape(f"the audit lead has decided this record (final verdict by {LEAD} on ") + r"\d\d/\d\d/\d{4} \d\d:\d\d" \
    + re.escape("): the lead must undo the decision first (Review > Disagreements, or cdi review undo-decision)")


def _setup(target: str) -> tuple[Database, dict[str, int], dict[str, int]]:
    """Incidents #3 INC-0001: two crimes by the auditor, zero status by the reviewer (awaiting a decision);
    #1 INC-0002: the first verdict not complete, a complete review; #2 INC-0003: both zero status (agrees);
    Guardian #1 GRD-0001: audited, never reviewed."""
    db = small_audit(target)
    alan, rita = AuditService(db, AUDITOR), AuditService(db, REVIEWER)
    items = {r.ref: r.item_id for smp in alan.samples() for r in alan.queue(smp.id)}
    positions = {r.ref: r.position for smp in alan.samples() for r in alan.queue(smp.id)}
    alan.save_verdict(items["INC-0001"], TWO)
    alan.save_verdict(items["INC-0002"], UNFINISHED)
    alan.save_verdict(items["INC-0003"], ZERO)
    alan.save_verdict(items["GRD-0001"], ZERO)
    for ref in ("INC-0001", "INC-0002", "INC-0003"):
        rita.save_verdict(items[ref], ZERO, role="review")
    return db, items, positions


def _figures(db: Database) -> tuple[object, ...]:
    f = compute(db)
    return tuple(f.value("incidents", "Incident records", column)
                 for column in ("Records reviewed", "Crimes identified", "Crimes recorded"))


def _not_awaiting(position: int, why: str, sample: str = "Incidents") -> str:
    return re.escape(f"position {position} of '{sample}' is not awaiting a decision: {why}")


def test_only_a_record_awaiting_a_decision_is_decided(db_target: str) -> None:
    db, items, pos = _setup(db_target)
    try:
        lead = AuditService(db, LEAD)
        assert [c.ref for c in review.disagreements(lead)] == ["INC-0001"]
        before = _figures(db)
        incomplete = _not_awaiting(pos["INC-0002"], "the first verdict is not complete")
        for take in ("primary", "review", ZERO):
            with pytest.raises(AuditError, match=incomplete):
                decisions.decide(lead, items["INC-0002"], take, "test")
        with pytest.raises(AuditError, match=_not_awaiting(pos["INC-0003"],
                                                           "the review agrees with the first verdict")):
            decisions.decide(lead, items["INC-0003"], "primary", "test")
        with pytest.raises(AuditError, match=_not_awaiting(1, "it has no completed review", "Guardian")):
            review.adjudicate(lead, items["GRD-0001"], "primary", "test")
        # the window's final verdict goes through the same rule
        with pytest.raises(AuditError, match=incomplete):
            ops.save_verdict(lead, items["INC-0002"], ZERO, ops.Mode.FINAL, final_reason="test")
        for ref in ("INC-0002", "INC-0003", "GRD-0001"):
            assert lead.verdict(items[ref], "final") == VerdictBody()
            assert not [h for h in lead.history(items[ref]) if h.role == "final"]
        assert _figures(db) == before
        assert [c.ref for c in review.disagreements(lead)] == ["INC-0001"] and decisions.decided(lead) == []
    finally:
        db.close()


def test_the_command_line_refuses_in_words(db_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    db, items, pos = _setup(db_target)
    try:
        before = _figures(db)
        for args in (["--take", "primary"], ["--take", "review"], ["--own", "--zero-status"]):
            assert main(["--user", LEAD, "review", "decide", db_target, "--sample", "Incidents", "--position",
                         str(pos["INC-0002"]), *args, "--reason", "test"]) != 0
            assert (f"position {pos['INC-0002']} of 'Incidents' is not awaiting a decision: the first verdict is not "
                    "complete") in capsys.readouterr().err
        assert main(["--user", LEAD, "review", "decide", db_target, "--sample", "Incidents", "--position",
                     str(pos["INC-0003"]), "--take", "primary", "--reason", "test"]) != 0
        assert "the review agrees with the first verdict" in capsys.readouterr().err
        assert _figures(db) == before
        assert AuditService(db, LEAD).verdict(items["INC-0002"], "final") == VerdictBody()
    finally:
        db.close()


def test_a_decided_record_is_not_decided_again_until_undone(db_target: str) -> None:
    db, items, pos = _setup(db_target)
    try:
        lead = AuditService(db, LEAD)
        decisions.decide(lead, items["INC-0001"], "primary", "the auditor is right")
        with pytest.raises(AuditError, match=_not_awaiting(pos["INC-0001"], "it is decided already")):
            decisions.decide(lead, items["INC-0001"], "review", "changed my mind")
        assert lead.verdict(items["INC-0001"], "final").crimes == TWO.crimes
    finally:
        db.close()


def test_a_blind_review_reopened_is_not_decided_on(db_target: str) -> None:
    db, items, pos = _setup(db_target)
    try:
        lead = AuditService(db, LEAD)
        grd = items["GRD-0001"]
        review.assign(lead, lead.sample_of(grd), "hand", REVIEWER, "blind", item_ids=[grd])
        AuditService(db, REVIEWER).save_verdict(grd, VerdictBody(crimes=[CrimeFinding("8N")], complete=True),
                                                role="review")
        assert review.sealed(lead, grd) is not None and grd in [c.item_id for c in review.disagreements(lead)]
        review.reopen(lead, grd, "a slip of the hand")
        assert grd not in [c.item_id for c in review.disagreements(lead)]
        with pytest.raises(AuditError, match=_not_awaiting(1, "its blind review was reopened", "Guardian")):
            decisions.decide(lead, grd, "primary", "test")
    finally:
        db.close()


def test_a_decision_holds_the_first_verdict_and_the_review_still(db_target: str) -> None:
    db, items, pos = _setup(db_target)
    try:
        alan, rita, lead = AuditService(db, AUDITOR), AuditService(db, REVIEWER), AuditService(db, LEAD)
        inc = items["INC-0001"]
        alan.save_verdict(inc, TWO, reason="saved again")  # on the auditor's undo stack
        decisions.decide(lead, inc, "primary", "the auditor is right")
        before, history = _figures(db), len(lead.history(inc))
        with pytest.raises(AuditError, match=DECIDED):
            alan.save_verdict(inc, ZERO)
        with pytest.raises(AuditError, match=DECIDED):
            alan.undo()
        with pytest.raises(AuditError, match=DECIDED):
            rita.save_verdict(inc, TWO, role="review")
        with pytest.raises(AuditError, match=DECIDED):  # a verdict import
            alan.save_many([(inc, ZERO, "")], reason="imported from verdicts.xlsx")
        with pytest.raises(AuditError, match=DECIDED), alan.unit():  # a package merge
            alan.write(inc, ZERO.to_json(), "primary", "merge", "merged from a package", AUDITOR)
        assert alan.verdict(inc) == TWO and alan.verdict(inc, "review") == ZERO
        assert len(lead.history(inc)) == history and _figures(db) == before
        assert [d.item_id for d in decisions.decided(lead)] == [inc]
        # the other records are not held: the auditor finishes INC-0002
        alan.save_verdict(items["INC-0002"], ZERO)
        assert alan.verdict(items["INC-0002"]) == ZERO
    finally:
        db.close()


def test_disagreement_decide_undo_and_awaiting_again(db_target: str) -> None:
    db, items, pos = _setup(db_target)
    try:
        alan, lead = AuditService(db, AUDITOR), AuditService(db, LEAD)
        inc = items["INC-0001"]
        crimes_before = _figures(db)[1]
        decisions.decide(lead, inc, "review", "no crime disclosed")
        assert review.disagreements(lead) == [] and [d.item_id for d in decisions.decided(lead)] == [inc]
        assert _figures(db)[1] == crimes_before - 2  # the final verdict (zero status) counts over the auditor's two
        where = decisions.undo_decision(lead, inc, "decided too soon")
        assert where.startswith("it awaits your decision again")
        assert [c.item_id for c in review.disagreements(lead)] == [inc] and decisions.decided(lead) == []
        assert _figures(db)[1] == crimes_before
        alan.save_verdict(inc, ZERO)  # no decision stands now: the auditor may change their verdict
        assert review.disagreements(lead) == []
    finally:
        db.close()


def test_undoing_a_decision_on_a_record_not_in_disagreement_says_where_it_goes(
        db_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    db, items, pos = _setup(db_target)
    try:
        # a final verdict written straight through the service (as before decisions were held to disagreements)
        AuditService(db, LEAD).save_verdict(items["INC-0002"], ZERO, role="final", reason="adjudicated: old")
        assert main(["--user", LEAD, "review", "undo-decision", db_target, "--sample", "Incidents", "--position",
                     str(pos["INC-0002"]), "--reason", "not a disagreement"]) == 0
        out = capsys.readouterr().out
        assert "awaits your decision again" not in out
        assert (f"the findings use the first verdict again; position {pos['INC-0002']} of 'Incidents' is not "
                "awaiting a decision: the first verdict is not complete") in out
    finally:
        db.close()
