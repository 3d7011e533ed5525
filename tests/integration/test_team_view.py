"""The team view of an audit (issue 14; team_view): who has audited what, records left per sample, the peer
reviews assigned to each person and how many are done; for those who may see the findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.review import assign
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.cli import main as cdi
from cdi_workbench.team_view import team
from tests.builders import small_audit


def test_who_audited_what_and_what_is_left(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = small_audit(tmp_path / "team.db")
    a, c = AuditService(db, "Inspector A"), AuditService(db, "Inspector C")
    incidents = next(x.id for x in a.samples() if x.name == "Incidents")
    rows = a.queue(incidents)
    a.save_verdict(rows[0].item_id, VerdictBody(zero_status=True, complete=True))
    a.save_verdict(rows[1].item_id, VerdictBody(zero_status=True, complete=True))
    c.save_verdict(rows[2].item_id, VerdictBody(zero_status=True, complete=False))  # started, not finished
    lead = AuditService(db, "Lena Lead")
    assign(lead, incidents, "hand", "Reviewer B", "open", item_ids=[rows[0].item_id, rows[1].item_id])
    AuditService(db, "Reviewer B").save_verdict(rows[0].item_id, VerdictBody(zero_status=True, complete=True),
                                                role="review")
    t = team(db)
    by = {m.name: m for m in t.members}
    assert (by["Inspector A"].audited, by["Inspector A"].started) == (2, 0)
    assert (by["Inspector C"].audited, by["Inspector C"].started) == (0, 1)
    assert (by["Reviewer B"].reviews_assigned, by["Reviewer B"].reviews_done, by["Reviewer B"].reviews_left) == (2, 1, 1)
    left = {x.name: (x.audited, x.drawn, x.left) for x in t.samples}
    assert left["Incidents"] == (2, 3, 1)  # the started one is still left
    with db.session() as s:  # every sample's left count, checked against the rows themselves
        want = s.execute(text("SELECT count(*) FROM audit_item i WHERE NOT EXISTS (SELECT 1 FROM verdict v WHERE "
                              "v.item_id = i.id AND v.role IN ('primary', 'final') AND v.complete)")).scalar_one()
    assert t.left == want
    path = str(db.engine.url.database)
    db.close()
    assert cdi(["audit", "team", path, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["records_left"] == want and doc["members"][0]["name"] == "Inspector A"
    assert cdi(["audit", "team", path]) == 0
    assert "Reviewer B: 0 audited, reviews 1 of 2 done (1 left)" in capsys.readouterr().out


def test_a_peer_reviewer_may_not_see_the_team_view(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "team.db")
    add_person(db, "Lena Lead", "Lena Lead", "lead")
    add_person(db, "Lena Lead", "Rita Reviewer", "reviewer")
    with pytest.raises(NotAllowed):
        team(db, who="Rita Reviewer")
    assert team(db, who="Lena Lead").audit == "2014-01-01 to 2014-06-30"


def test_the_lead_gives_records_to_auditors_and_the_team_view_counts_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cdi_workbench.team_view import assign_work

    db = small_audit(tmp_path / "work.db")
    add_person(db, "Lena Lead", "Lena Lead", "lead")
    add_person(db, "Lena Lead", "Amy Auditor", "auditor")
    add_person(db, "Lena Lead", "Carl Auditor", "auditor")
    add_person(db, "Lena Lead", "Rita Reviewer", "reviewer")
    assert assign_work(db, "amy auditor", "Incidents", [1, 2], who="Lena Lead") == 2  # the name as registered
    assert assign_work(db, "Carl Auditor", "Incidents", who="Lena Lead") == 1  # the one record left
    with pytest.raises(NotAllowed):
        assign_work(db, "Carl Auditor", "Incidents", [1], who="Amy Auditor")
    with pytest.raises(ValueError, match="may not enter first verdicts"):
        assign_work(db, "Rita Reviewer", "Incidents", [1], who="Lena Lead")
    with pytest.raises(ValueError, match="not registered"):
        assign_work(db, "Nobody", "Incidents", [1], who="Lena Lead")
    with pytest.raises(ValueError, match="no position 9"):
        assign_work(db, "Amy Auditor", "Incidents", [9], who="Lena Lead")
    amy = AuditService(db, "Amy Auditor")
    rows = amy.queue(next(x.id for x in amy.samples() if x.name == "Incidents"))
    amy.save_verdict(rows[0].item_id, VerdictBody(zero_status=True, complete=True))
    by = {m.name: m for m in team(db, who="Lena Lead").members}
    assert (by["Amy Auditor"].work_assigned, by["Amy Auditor"].work_done, by["Amy Auditor"].work_left) == (2, 1, 1)
    assert (by["Carl Auditor"].work_assigned, by["Carl Auditor"].work_left) == (1, 1)
    # giving a record again moves it
    assign_work(db, "Carl Auditor", "Incidents", [2], who="Lena Lead")
    by = {m.name: m for m in team(db, who="Lena Lead").members}
    assert (by["Amy Auditor"].work_assigned, by["Carl Auditor"].work_assigned) == (1, 2)
    path = str(db.engine.url.database)
    db.close()
    assert cdi(["--user", "Lena Lead", "audit", "assign", path, "--sample", "Guardian", "--to", "Amy Auditor"]) == 0
    assert "Gave 1 record of 'Guardian' to Amy Auditor" in capsys.readouterr().out
    assert cdi(["--user", "Lena Lead", "audit", "team", path]) == 0
    assert "Amy Auditor: 1 audited, given 2 to audit (1 left)" in capsys.readouterr().out
