"""The agreement figures and the lead's decisions check the role in the core (issue 12).

`cdi agreement` had no role check: anyone, a blind reviewer, the force's liaison, an unregistered name or no name
at all, read the agreement figures, which tell the first verdicts of blind reviews (the records where the two
answers differ, per check). Now they are for those who may see the findings (the lead and auditors), on the
command line, in the core (review_outcomes.figures_for) and through the window's operation. Undoing a decision and
the list of decided records are the lead's; a reviewer's own share exports blind where the assignment is blind.
"""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from cdi_workbench.audit import decisions, review
from cdi_workbench.audit import review_operations as rops
from cdi_workbench.audit.people import add_person, create_login
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.review_outcomes import figures_for
from cdi_workbench.storage.database import Database
from tests.builders import small_audit

LEAD, AUDITOR, REVIEWER, LIAISON = "Lena Lead", "Alan Auditor", "Rita Reviewer", "Liam Liaison"
TWO = VerdictBody(crimes=[CrimeFinding("8N", 1, "CR-1"), CrimeFinding("58A", 2, "CR-2")], complete=True)
ZERO = VerdictBody(zero_status=True, complete=True)


def _team_round(target: str) -> tuple[Database, dict[str, int]]:
    """A team; the auditor's verdicts on the incidents; INC-0001 and INC-0002 assigned blind to the reviewer, who
    has completed INC-0001 (disagreeing: zero status) and not INC-0002."""
    db = small_audit(target)
    for name, role in ((LEAD, "lead"), (AUDITOR, "auditor"), (REVIEWER, "reviewer"), (LIAISON, "liaison")):
        add_person(db, LEAD, name, role)
    auditor, lead = AuditService(db, AUDITOR), AuditService(db, LEAD)
    sid = next(s.id for s in auditor.samples() if s.name == "Incidents")
    items = {r.ref: r.item_id for r in auditor.queue(sid)}
    for ref in ("INC-0001", "INC-0002", "INC-0003"):
        auditor.save_verdict(items[ref], TWO if ref == "INC-0001" else ZERO)
    review.assign(lead, sid, "hand", REVIEWER, "blind", item_ids=[items["INC-0001"], items["INC-0002"]])
    return db, items


def test_agreement_is_refused_to_those_who_may_not_see_the_findings(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    db, items = _team_round(str(tmp_path / "a.db"))
    AuditService(db, REVIEWER).save_verdict(items["INC-0001"], ZERO, role="review")
    for who in (REVIEWER, LIAISON, "Mallory Nobody"):
        with pytest.raises(NotAllowed):
            figures_for(db, who)
        with pytest.raises(NotAllowed):
            rops.review_figures(AuditService(db, who))
    assert len(figures_for(db, LEAD).agreement) > 0 and len(figures_for(db, AUDITOR).agreement) > 0
    db.close()
    target = str(tmp_path / "a.db")
    for argv in (["--user", REVIEWER, "agreement", target], ["--user", LIAISON, "agreement", target],
                 ["--user", "Mallory Nobody", "agreement", target], ["agreement", target]):
        capsys.readouterr()
        assert main(argv) == 4, argv
        captured = capsys.readouterr()
        assert "not allowed" in captured.err and "Crimes identified" not in captured.out
    assert main(["--user", AUDITOR, "agreement", target]) == 0
    assert "Crimes identified" in capsys.readouterr().out


def test_on_postgresql_a_reviewers_own_login_is_refused_the_agreement(db_target: str) -> None:
    if not db_target.startswith("postgresql"):
        pytest.skip("database logins exist on PostgreSQL only")
    db, items = _team_round(db_target)
    login = f"cdi_rita_{uuid.uuid4().hex[:8]}"
    try:
        create_login(db, login)
        add_person(db, LEAD, "Rita Two", "reviewer", login)
        as_rita = Database(db_target.replace("postgres@", f"{login}@", 1))
        try:
            with pytest.raises(NotAllowed, match="Rita Two"):
                figures_for(as_rita, LEAD)  # whatever name is typed, the server says who is connected
        finally:
            as_rita.close()
        assert figures_for(db, LEAD).agreement == []  # nothing reviewed yet, but the lead may look
    finally:
        db.close()
        from sqlalchemy import create_engine

        admin = create_engine(db_target, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": login}).first():
                conn.exec_driver_sql(f'DROP OWNED BY "{login}"')
                conn.exec_driver_sql(f'DROP ROLE "{login}"')
        admin.dispose()


def test_only_the_lead_undoes_a_decision_or_lists_the_decided(tmp_path: Path) -> None:
    db, items = _team_round(str(tmp_path / "a.db"))
    AuditService(db, REVIEWER).save_verdict(items["INC-0001"], ZERO, role="review")
    lead = AuditService(db, LEAD)
    review.adjudicate(lead, items["INC-0001"], "primary", "The log discloses two crimes")
    for who in (AUDITOR, REVIEWER, LIAISON):
        svc = AuditService(db, who)
        with pytest.raises(NotAllowed, match="may not decide disagreements"):
            decisions.undo_decision(svc, items["INC-0001"], "I disagree")
        with pytest.raises(NotAllowed):
            decisions.decided(svc)
        with pytest.raises(NotAllowed, match="may not decide disagreements"):
            decisions.own_verdict(svc, items["INC-0001"], zero_status=True)
    assert lead.verdict(items["INC-0001"], "final") == TWO
    assert [d.upheld for d in decisions.decided(lead)] == ["auditor"]
    db.close()


def test_export_my_assignment_is_the_reviewers_share_and_travels_blind(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    db, items = _team_round(str(tmp_path / "a.db"))
    db.close()
    target, package = str(tmp_path / "a.db"), tmp_path / "mine.cdipkg"
    assert main(["package", "export", target, "--mine", "--user", REVIEWER, "--to", str(package), "--plain"]) == 0
    out = capsys.readouterr().out
    assert "2 record(s) of 'Incidents'" in out and "2 blind" in out
    with closing(sqlite3.connect(package)) as con:
        roles = con.execute("SELECT item_id, role FROM verdict").fetchall()
        records = con.execute("SELECT count(*) FROM audit_item").fetchone()[0]
    assert roles == [] and records == 2  # nothing of the auditor's verdicts; only her two records
    # an auditor has nothing assigned and may not review; a reviewer cannot name positions with --mine
    assert main(["package", "export", target, "--mine", "--user", AUDITOR, "--to", str(tmp_path / "x")]) == 4
    assert main(["package", "export", target, "--mine", "--positions", "3", "--user", REVIEWER]) == 2
    assert main(["package", "export", target, "--mine", "--user", LEAD, "--to", str(tmp_path / "y")]) == 1
    assert "no records are assigned to Lena Lead" in capsys.readouterr().err
