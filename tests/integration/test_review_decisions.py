"""What reviewers and leads need (issue 12): 'could not decide' per check, comments per check and a note back to the
auditor, the lead's decisions summarised (who was upheld, per check and per auditor), each auditor's agreement with
the final verdict, record-level pass/fail agreement, the lead's own final verdict (--own), undoing a decision, and
the list of decided records. Through the core and the command line, on SQLite and PostgreSQL (single-user mode:
the names are stamped as given; the role refusals are in tests/security/test_review_figures_roles.py).

The expected figures are worked out by hand below from the answers written here, not from the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdi_workbench.agreement import RECORD_PASSES, agreement
from cdi_workbench.audit import decisions, review
from cdi_workbench.audit.service import AuditError, AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.review_outcomes import compute
from cdi_workbench.storage.database import Database
from tests.builders import small_audit

AUDITOR, OTHER, REVIEWER, LEAD = "Alan Auditor", "Ann Other", "Rita Reviewer", "Lena Lead"
TWO = VerdictBody(crimes=[CrimeFinding("8N", 1, "CR-1"), CrimeFinding("58A", 2, "CR-2")], complete=True)
MISSED = VerdictBody(crimes=[CrimeFinding(expected_code="8L", not_recorded_reason="No discernible reason")],
                     complete=True)
ZERO = VerdictBody(zero_status=True, complete=True)
ALL_RIGHT = {"decision_correct": True, "authorised_decision_maker": True, "victim_informed": True}
NOTE = "Please look again at the second crime's recording time"


def _items(svc: AuditService) -> dict[str, int]:
    return {r.ref: r.item_id for smp in svc.samples() for r in svc.queue(smp.id)}


def _reviewed(target: str) -> tuple[Database, dict[str, int], str]:
    """INC-0001: the reviewer agrees on the crimes but could not decide the classification (a comment on it and a
    note back to the auditor); INC-0002: the auditor found a crime not recorded, the reviewer no crime at all;
    INC-0003: both zero status; the cancellation (audited by Ann Other): the reviewer says the decision was wrong."""
    db = small_audit(target)
    alan, ann, rita = AuditService(db, AUDITOR), AuditService(db, OTHER), AuditService(db, REVIEWER)
    items = _items(alan)
    cancellation = next(r for r in items if r.startswith("CR-"))
    alan.save_verdict(items["INC-0001"], TWO)
    alan.save_verdict(items["INC-0002"], MISSED)
    alan.save_verdict(items["INC-0003"], ZERO)
    ann.save_verdict(items[cancellation], VerdictBody(checks=dict(ALL_RIGHT), complete=True))
    rita.save_verdict(items["INC-0001"], VerdictBody(
        crimes=TWO.crimes, complete=True, undecided=["classification"],
        comments={"classification": "8N or 105A: the injury is not clear from the log"}, note_to_auditor=NOTE),
        role="review")
    rita.save_verdict(items["INC-0002"], ZERO, role="review")
    rita.save_verdict(items["INC-0003"], ZERO, role="review")
    rita.save_verdict(items[cancellation], VerdictBody(checks={**ALL_RIGHT, "decision_correct": False},
                                                       complete=True), role="review")
    return db, items, cancellation


def test_a_check_the_reviewer_could_not_decide_is_counted_apart_and_reaches_the_lead_marked(db_target: str) -> None:
    db, items, cancellation = _reviewed(db_target)
    try:
        rows = {(a.check, a.auditor): a for a in agreement(db)}
        # INC-0001's classification: the auditor answered (both crimes correctly classified), the reviewer could not
        # decide: no pair, one 'could not decide' (before, it dropped out, or counted as agreeing)
        classification = rows[("classification", "")]
        assert (classification.pairs, classification.undecided) == (0, 1)
        assert classification.undecided_items == (items["INC-0001"],)
        assert rows[("classification", AUDITOR)].undecided == 1
        # crimes identified: INC-0001 (2, 2), INC-0002 (1, 0), INC-0003 (0, 0)
        assert (rows[("crimes_identified", "")].pairs, rows[("crimes_identified", "")].agree) == (3, 2)
        # the verdict body keeps its form where nothing of the kind was given
        assert "undecided" not in ZERO.to_json() and "note_to_auditor" not in TWO.to_json()
        lead = AuditService(db, LEAD)
        listed = {c.ref: c for c in review.disagreements(lead)}
        assert set(listed) == {"INC-0001", "INC-0002", cancellation}
        one = listed["INC-0001"]
        assert one.diffs == () and one.undecided == ("No recorded crime wrongly classified",)
        assert one.comments == (("No recorded crime wrongly classified",
                                 "8N or 105A: the injury is not clear from the log"),)
        assert one.note_to_auditor == NOTE
        assert one.name == "Incidents #" + str(one.position) + " INC-0001 (incident)"
        # the auditor sees the note on their record once the review is complete
        note = decisions.review_note(AuditService(db, AUDITOR), items["INC-0001"])
        assert note is not None and note.note == NOTE and note.undecided == ("No recorded crime wrongly classified",)
        assert decisions.review_note(AuditService(db, AUDITOR), items["INC-0003"]) is None
        # the reviewer's verdict cannot be taken as it is where they could not decide
        with pytest.raises(AuditError, match="could not decide No recorded crime wrongly classified"):
            review.adjudicate(lead, items["INC-0001"], "review", "as reviewed")
    finally:
        db.close()


def test_record_level_pass_or_fail_agreement_beside_the_checks(db_target: str) -> None:
    db, items, cancellation = _reviewed(db_target)
    try:
        rows = {(a.check, a.auditor): a for a in agreement(db)}
        whole = rows[(RECORD_PASSES, "")]
        # INC-0001: CR-2 recorded five days after the report: fails by both (late), whatever the classification;
        # INC-0002: the auditor's crime not recorded fails, the reviewer's zero status passes: they differ;
        # INC-0003: both pass; the cancellation: the auditor passes it, the reviewer fails it
        assert (whole.pairs, whole.agree, whole.undecided) == (4, 2, 0)
        assert set(whole.disagreements) == {items["INC-0002"], items[cancellation]}
        assert whole.group == "Whole record"
        assert [a.check for a in agreement(db) if a.auditor == ""][0] == RECORD_PASSES
        # 'recorded' alone hides INC-0002: the reviewer identified no crime, so there is no pair on it
        assert rows[("all_recorded", "")].pairs == 1
        assert (rows[(RECORD_PASSES, OTHER)].pairs, rows[(RECORD_PASSES, OTHER)].agree) == (1, 0)
    finally:
        db.close()


def test_the_lead_decides_undoes_and_the_summary_says_who_was_upheld(db_target: str, tmp_path: Path) -> None:
    db, items, cancellation = _reviewed(db_target)
    try:
        lead = AuditService(db, LEAD)
        review.adjudicate(lead, items["INC-0001"], "primary", "The log supports 8N")
        review.adjudicate(lead, items["INC-0002"], "review", "Nothing disclosed")
        # the lead's own verdict through the command line: neither side's
        assert main(["--user", LEAD, "review", "decide", db_target, "--sample", "Cancellations", "--position", "1",
                     "--own", "--answer", "decision_correct=yes", "--answer", "authorised_decision_maker=no",
                     "--answer", "victim_informed=yes", "--reason", "Right decision, wrong rank"]) == 0
        final = lead.verdict(items[cancellation], "final")
        assert final.checks == {**ALL_RIGHT, "authorised_decision_maker": False} and final.complete
        assert lead.verdict(items["INC-0002"], "final") == ZERO
        assert lead.verdict(items["INC-0001"], "final").note_to_auditor == ""  # the review's own answers stay there

        done = {d.comparison.ref: d for d in decisions.decided(lead)}
        assert {r: d.upheld for r, d in done.items()} == {"INC-0001": "auditor", "INC-0002": "reviewer",
                                                          cancellation: "neither"}
        assert "Right decision, wrong rank" in done[cancellation].reason and done[cancellation].decided_by == LEAD
        assert review.disagreements(lead) == []

        outcome = compute(db)
        tables = {t.key: t for t in outcome.tables}
        by_check = {r.label: dict(zip(tables["review_decisions_by_check"].columns, (c.value for c in r.cells),
                                      strict=True)) for r in tables["review_decisions_by_check"].rows}
        # crimes identified, disputed on INC-0002 only: the reviewer's 0 kept
        assert by_check["Crimes identified (number: 0, 1, 2, 3 or more)"] == {
            "Disputed": 1, "Decided": 1, "Auditor upheld": 0, "Reviewer upheld": 1, "Neither upheld": 0,
            "Awaiting decision": 0, "Reviewer could not decide": 0}
        # classification, undecided on INC-0001: the auditor's answer kept
        assert by_check["No recorded crime wrongly classified"]["Auditor upheld"] == 1
        assert by_check["No recorded crime wrongly classified"]["Reviewer could not decide"] == 1
        # the cancellation's decision: the auditor's 'yes' kept
        assert by_check["Decision correct (AVI, error or transfer evidenced)?"]["Auditor upheld"] == 1
        # the whole record: INC-0002 passes (the reviewer's), the cancellation fails (as the reviewer said)
        assert by_check["Whole record passes every check (pass or fail)"]["Reviewer upheld"] == 2
        by_auditor = {r.label: dict(zip(tables["review_decisions_by_auditor"].columns, (c.value for c in r.cells),
                                        strict=True)) for r in tables["review_decisions_by_auditor"].rows}
        assert by_auditor[AUDITOR] == {"Records reviewed": 3, "Disputed": 2, "Decided": 2, "Auditor upheld": 1,
                                       "Reviewer upheld": 1, "Neither upheld": 0, "Awaiting decision": 0,
                                       "Reviewer could not decide": 1}
        assert by_auditor[OTHER]["Neither upheld"] == 1 and by_auditor["Total"]["Decided"] == 3
        # each auditor against the final verdict, whole record: Alan 2 of 3 (INC-0002 overturned), Ann 0 of 1
        final_rows = {(a.check, a.auditor): a for a in outcome.final_agreement}
        assert (final_rows[(RECORD_PASSES, AUDITOR)].pairs, final_rows[(RECORD_PASSES, AUDITOR)].agree) == (3, 2)
        assert (final_rows[(RECORD_PASSES, OTHER)].pairs, final_rows[(RECORD_PASSES, OTHER)].agree) == (1, 0)
        assert (final_rows[("authorised_decision_maker", OTHER)].agree) == 0

        # undo: the lead takes INC-0002's decision back, with a reason, in the trail; it awaits a decision again
        with pytest.raises(AuditError, match="needs a reason"):
            decisions.undo_decision(lead, items["INC-0002"], "  ")
        position = next(d.comparison.position for d in decisions.decided(lead) if d.comparison.ref == "INC-0002")
        assert main(["--user", LEAD, "review", "undo-decision", db_target, "--sample", "Incidents", "--position",
                     str(position), "--reason", "Decided on the wrong record"]) == 0
        assert [c.ref for c in review.disagreements(lead)] == ["INC-0002"]
        assert lead.verdict(items["INC-0002"], "final") == VerdictBody()
        last = lead.history(items["INC-0002"])[-1]
        assert (last.action, last.role, last.who, last.new_body) == ("undo decision", "final", LEAD, None)
        assert "Decided on the wrong record" in last.reason
        assert lead.verify_trail() == []
        with pytest.raises(AuditError, match="no decision"):
            decisions.undo_decision(lead, items["INC-0002"], "again")
        tables = {t.key: t for t in compute(db).tables}
        column = tables["review_decisions_by_auditor"].columns.index("Awaiting decision")
        awaiting = {r.label: r.cells[column].value for r in tables["review_decisions_by_auditor"].rows}
        assert awaiting[AUDITOR] == 1
    finally:
        db.close()


def test_the_command_line_lists_by_sample_marks_could_not_decide_and_prints_the_summary(
        db_target: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db, items, cancellation = _reviewed(db_target)
    db.close()
    assert main(["--user", LEAD, "review", "disagreements", db_target, "--sample", "Cancellations"]) == 0
    out = capsys.readouterr().out
    assert cancellation in out and "INC-0001" not in out and "INC-0002" not in out
    assert main(["--user", LEAD, "review", "disagreements", db_target, "--sample", "Incidents"]) == 0
    out = capsys.readouterr().out
    assert "COULD NOT DECIDE" in out and NOTE in out and "8N or 105A" in out and cancellation not in out
    # --own is refused unless complete; --take and --own go alone
    assert main(["--user", LEAD, "review", "decide", db_target, "--sample", "Cancellations", "--position", "1",
                 "--own", "--answer", "decision_correct=yes", "--reason", "r"]) == 1
    assert "answer every check" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--user", LEAD, "review", "decide", db_target, "--sample", "Cancellations", "--position", "1",
              "--own", "--take", "primary", "--reason", "r"])
    assert main(["--user", LEAD, "review", "decide", db_target, "--sample", "Incidents", "--position", "1",
                 "--own", "--crime", "8N=CR-1", "--crime", "58A=CR-2", "--crime", "8L", "--reason", "three",
                 "--not-recorded-reason", "No discernible reason"]) == 0
    capsys.readouterr()
    assert main(["--user", LEAD, "review", "disagreements", db_target, "--decided"]) == 0
    out = capsys.readouterr().out
    assert "Decided: 1 record(s)" in out and "neither (the lead's own verdict) upheld" in out
    assert main(["--user", LEAD, "agreement", db_target]) == 0
    out = capsys.readouterr().out
    assert "Whole record passes every check" in out and "undecided" in out
    assert "The lead's decisions, per check" in out and "Each auditor's agreement with the final verdict" in out
    # the report carries the same tables
    assert main(["--user", LEAD, "report", db_target, "--json", str(tmp_path / "f.json")]) == 0
    doc = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))["peer_review_agreement"]
    assert [t["key"] for t in doc["tables"]] == ["review_decisions_by_check", "review_decisions_by_auditor",
                                                 "review_final_agreement"]
    row = next(r for r in doc["rows"] if r["check"] == "classification" and r["auditor"] == "")
    assert row["undecided"] == 1
    assert main(["--user", LEAD, "report", db_target, "--xlsx", str(tmp_path / "f.xlsx"), "--pdf",
                 str(tmp_path / "f.pdf")]) == 0
    import openpyxl
    from pypdf import PdfReader

    sheets = openpyxl.load_workbook(tmp_path / "f.xlsx").sheetnames
    assert any(s.startswith("The lead's decisions, per chec") for s in sheets)
    assert any(s.startswith("Each auditor's agreement with") for s in sheets)
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "f.pdf").pages)
    assert "The lead's decisions, per auditor" in text and "Whole record passes every check" in text


def test_review_answers_belong_to_a_review_and_name_real_checks(db_target: str) -> None:
    db = small_audit(db_target)
    try:
        svc = AuditService(db, AUDITOR)
        items = _items(svc)
        with pytest.raises(AuditError, match="belong to a review verdict"):
            svc.save_verdict(items["INC-0001"], VerdictBody(zero_status=True, undecided=["crimes_identified"]))
        with pytest.raises(AuditError, match="not a check of incident records"):
            svc.save_verdict(items["INC-0001"], VerdictBody(zero_status=True, undecided=["victim_informed"]),
                             role="review")
        cancellation = next(r for r in items if r.startswith("CR-"))
        with pytest.raises(AuditError, match="answered and 'could not decide' at once"):
            svc.save_verdict(items[cancellation], VerdictBody(checks={"victim_informed": True},
                                                              undecided=["victim_informed"]), role="review")
        svc.save_verdict(items[cancellation], VerdictBody(checks={"decision_correct": True},
                                                          undecided=["victim_informed"]), role="review")
        assert svc.verdict(items[cancellation], "review").undecided == ["victim_informed"]
    finally:
        db.close()


def test_the_agreement_with_the_final_verdict_is_numbers_in_excel(tmp_path: Path) -> None:
    """A tester found '% agreement' and 'Kappa' of this sheet stored as text ('100.0%', '1.00'), unusable in a
    formula, while every other sheet holds numbers."""
    import openpyxl

    target = str(tmp_path / "a.db")
    db, items, _ = _reviewed(target)
    try:
        lead = AuditService(db, LEAD)
        review.adjudicate(lead, items["INC-0001"], "primary", "The log supports 8N")
    finally:
        db.close()
    out = tmp_path / "r.xlsx"
    assert main(["--user", LEAD, "report", target, "--xlsx", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = next(wb[n] for n in wb.sheetnames if n.startswith("Each auditor"))
    header = next(r for r in ws.iter_rows() if any(c.value == "% agreement" for c in r))
    cols = {c.value: c.column for c in header}
    rows = [r for r in ws.iter_rows(min_row=header[0].row + 1) if r[0].value and isinstance(r[1].value, int)]
    assert len(rows) >= 2
    for r in rows:
        pct, kappa = r[cols["% agreement"] - 1], r[cols["Kappa"] - 1]
        assert isinstance(pct.value, int | float) and pct.number_format == "0.0%" and 0 <= pct.value <= 1
        assert kappa.value == "n/a" or (isinstance(kappa.value, int | float) and kappa.number_format == "0.00")


def test_a_disposal_check_the_reviewer_could_not_decide_is_listed_once(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A check the reviewer could not decide is shown as COULD NOT DECIDE, not also as a difference (reviewer:
    no answer), in the comparison the lead decides from."""
    db = small_audit(tmp_path / "audit.db")
    a, b = AuditService(db, "Inspector A"), AuditService(db, "Reviewer B")
    item = next(r.item_id for smp in a.samples() if smp.kind == "disposal" for r in a.queue(smp.id))
    checks = {"offender_suitable": True, "offender_made_aware": True, "victim_to_consult": True,
              "victim_views_considered": True, "outcome_appropriate": True}
    a.save_verdict(item, VerdictBody(checks=checks, complete=True))
    b.save_verdict(item, VerdictBody(checks={**checks, "offender_made_aware": None},
                                     undecided=["offender_made_aware"],
                                     complete=True), role="review")
    (c,) = [c for c in review.disagreements(AuditService(db, LEAD)) if c.item_id == item]
    assert [d.check for d in c.diffs] == [] and len(c.undecided) == 1
    path = str(db.engine.url.database)
    db.close()
    assert main(["--user", LEAD, "review", "disagreements", path, "--sample", "Disposals"]) == 0
    out = capsys.readouterr().out
    assert out.count(c.undecided[0]) == 1 and "COULD NOT DECIDE" in out
