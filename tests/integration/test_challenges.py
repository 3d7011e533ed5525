from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.challenges import ResponseError, decide, export_for_force, import_responses, resolution
from cdi_workbench.cli import main
from cdi_workbench.storage.models import Challenge
from tests.builders import NARRATIVE_MISSED, small_audit


def _audit(path: Path):  # noqa: ANN202
    db = small_audit(path)
    svc = AuditService(db, "Inspector A")
    rows = {r.ref: r.item_id for r in svc.queue(1)}
    svc.save_verdict(rows["INC-0001"], VerdictBody(crimes=[CrimeFinding(expected_code="8N", crime_id=1, crime_ref="CR-1"),
                                                           CrimeFinding(expected_code="58A", crime_id=2, crime_ref="CR-2")],
                                                   complete=True))
    svc.save_verdict(rows["INC-0002"], VerdictBody(crimes=[CrimeFinding(
        expected_code="8L", not_recorded_reason="Victim not believed")], rationale="Threat to kill ignored",
        complete=True))
    return db


def test_a_challenge_round(tmp_path: Path) -> None:
    db = _audit(tmp_path / "a.db")
    out = tmp_path / "for force.xlsx"
    assert export_for_force(db, out) == 2  # CR-2 late, the threat not recorded
    wb = openpyxl.load_workbook(out)
    ws = wb["Failed records"]
    assert ws["A1"].value == "OFFICIAL-SENSITIVE"
    rows = {ws.cell(r, 8).value: r for r in range(3, ws.max_row + 1)}
    assert set(rows) == {"recorded outside 72 hours", "not recorded"}
    texts = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "kill" not in texts and "Threat" not in texts and NARRATIVE_MISSED[:20] not in texts  # no more than needed
    ws.cell(rows["recorded outside 72 hours"], 9).value = "agree"
    ws.cell(rows["not recorded"], 9).value = "challenge"
    wb.save(out)
    with pytest.raises(ResponseError) as err:
        import_responses(db, out)
    assert f"row {rows['not recorded']}, column 'Force rationale'" in err.value.problems[0]
    with db.session() as s:
        assert s.query(Challenge).count() == 0  # nothing stored from a workbook with problems
    ws.cell(rows["not recorded"], 10).value = "The caller withdrew the allegation on a recorded call"
    wb.save(out)
    assert import_responses(db, out) == {"agree": 1, "challenge": 1}
    before = resolution(db)
    assert before["not recorded"] == {"before": 1, "agreed": 0, "challenged": 1, "upheld": 0, "rejected": 0,
                                      "pending": 1, "after": 1}
    with db.session() as s:
        cid = s.query(Challenge).filter_by(response="challenge").one().id
    with pytest.raises(ValueError, match="needs a reason"):
        decide(db, cid, True, " ", "Lead C")
    decide(db, cid, True, "Withdrawal evidenced on the call recording", "Lead C")
    after = resolution(db)
    assert after["not recorded"]["upheld"] == 1 and after["not recorded"]["after"] == 0
    assert after["recorded outside 72 hours"] == {"before": 1, "agreed": 1, "challenged": 0, "upheld": 0,
                                                  "rejected": 0, "pending": 0, "after": 1}
    db.close()
    assert main(["challenges", "status", str(tmp_path / "a.db")]) == 0
    assert main(["challenges", "export", str(tmp_path / "a.db"), str(tmp_path / "again.xlsx")]) == 0


def test_a_second_workbook_cannot_change_what_the_lead_decided(tmp_path: Path) -> None:
    db = _audit(tmp_path / "a.db")
    out = tmp_path / "for force.xlsx"
    export_for_force(db, out)
    wb = openpyxl.load_workbook(out)
    ws = wb["Failed records"]
    rows = {ws.cell(r, 8).value: r for r in range(3, ws.max_row + 1)}
    ws.cell(rows["recorded outside 72 hours"], 9).value = "agree"
    ws.cell(rows["not recorded"], 9).value = "challenge"
    ws.cell(rows["not recorded"], 10).value = "The caller withdrew the allegation"
    wb.save(out)
    assert import_responses(db, out) == {"agree": 1, "challenge": 1}
    assert import_responses(db, out) == {"unchanged": 2}  # the same workbook again: nothing stored
    with db.session() as s:
        cid = s.query(Challenge).filter_by(response="challenge").one().id
    decide(db, cid, True, "Withdrawal evidenced", "Lead C")
    ws.cell(rows["not recorded"], 9).value = "agree"  # the force changes its mind after the decision
    ws.cell(rows["recorded outside 72 hours"], 9).value = "challenge"
    ws.cell(rows["recorded outside 72 hours"], 10).value = "Recorded on time in our system"
    wb.save(out)
    with pytest.raises(ResponseError) as err:
        import_responses(db, out)
    assert len(err.value.problems) == 1
    assert f"row {rows['not recorded']}" in err.value.problems[0] and "already decided" in err.value.problems[0]
    with db.session() as s:  # nothing stored: not even the undecided row's new answer
        got = {c.failure: (c.response, c.decision) for c in s.query(Challenge)}
    assert got == {"recorded outside 72 hours": ("agree", ""), "not recorded": ("challenge", "upheld")}
    db.close()
