"""The window's programme operations without Qt (cdi_workbench.audit.programme_operations): what the New audit dialog
is offered for a period, the month after the latest audit, the audits listed with their progress, switching, the
audit an opening starts on, and sampling bound to one audit's period."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cdi_workbench.audit import operations as ops
from cdi_workbench.audit import programme_operations as pops
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditError, AuditService
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.sampling import SampleOps
from cdi_workbench.storage.models import ReportRecord
from cdi_workbench.timeutil import uk_local
from tests.builders import small_audit

LEAD, AUDITOR = "Lena Lead", "Alan Auditor"
FIRST = "2014-01-01 to 2014-06-30"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "programme.db"
    db = small_audit(p)
    add_person(db, LEAD, LEAD, "lead")
    add_person(db, LEAD, AUDITOR, "auditor")
    with db.session() as s:
        s.add(ReportRecord(kind="incident", system="Incident", ref="INC-0701", received_at=uk_local(2014, 7, 3, 10),
                           opening_code="Lost Property", closing_code="Advice", narrative="Lost wallet."))
    db.close()
    return p


def test_the_proposal_for_a_period() -> None:
    assert pops.propose(date(2014, 7, 1), date(2014, 7, 31)) == pops.Proposal("2014-07", "2014")
    assert pops.propose(date(2015, 4, 1), date(2015, 4, 30)) == pops.Proposal("2015-04", "2015")
    assert pops.propose(date(2015, 3, 16), date(2015, 4, 15)).name == "2015-03-16 to 2015-04-15"
    assert "spans 01/04/2015" in pops.propose(date(2015, 3, 16), date(2015, 4, 15)).problem
    ends_first = pops.propose(date(2014, 7, 31), date(2014, 7, 1))
    assert ends_first.problem.startswith("The audit period ends (01/07/2014) before it starts") and not ends_first.name


def test_the_month_after() -> None:
    assert pops.next_period(date(2014, 6, 30)) == (date(2014, 7, 1), date(2014, 7, 31))
    assert pops.next_period(date(2014, 12, 31)) == (date(2015, 1, 1), date(2015, 1, 31))
    assert pops.next_period(date(2016, 1, 31)) == (date(2016, 2, 1), date(2016, 2, 29))
    assert pops.next_period(date(2014, 6, 15)) == (date(2014, 6, 16), date(2014, 6, 30))  # the rest of the month


def test_the_programme_listed_created_switched_and_closed(path: Path) -> None:
    opened = ops.open_audit(str(path), LEAD)
    try:
        svc = opened.svc
        assert svc.audit == FIRST  # the service stays on the audit it opened
        sid = next(s.id for s in svc.samples() if s.kind == "incident")
        items = [r.item_id for r in svc.queue(sid)]
        svc.save_verdict(items[0], VerdictBody(zero_status=True, complete=True))
        svc.save_verdict(items[1], VerdictBody(zero_status=True))  # not complete: not audited yet
        p = pops.programme(svc)
        assert [a.name for a in p.audits] == [FIRST] and p.current == FIRST and p.may_plan and p.why_not == ""
        assert p.plan == pops.NewAuditPlan(date(2014, 7, 1), date(2014, 7, 31), pops.Proposal("2014-07", "2014"))
        row = p.audits[0]
        assert (row.samples, row.drawn, row.audited, row.current, row.closed) == (5, 7, 1, True, False)
        assert row.period == "01/01/2014 to 30/06/2014" and row.rules == "2014 rules, 72-hour limit"
        assert row.progress == "1 of 7 records audited (14%), 5 samples" and row.status == "Open"

        with pytest.raises(ValueError, match="do not apply to 01/07/2014 to 31/07/2014"):
            pops.new_audit(svc, "", date(2014, 7, 1), date(2014, 7, 31), "2015")
        made = pops.new_audit(svc, "", date(2014, 7, 1), date(2014, 7, 31), "2014")  # named from its period
        assert made.row.name == "2014-07" and made.row.progress == "No sample drawn yet" and not made.row.current
        assert made.programme.plan.start == date(2014, 8, 1)
        with pytest.raises(ValueError, match="already an audit called '2014-07'"):
            pops.new_audit(svc, "2014-07", date(2014, 8, 1), date(2014, 8, 31), "2014")
        assert svc.info().name == FIRST and len(svc.samples()) == 5  # still on the first audit

        july = pops.switch_audit(svc, "2014-07")
        assert july.db is opened.db and july.svc is not svc and july.svc.audit == "2014-07"
        assert july.info.name == "2014-07" and july.samples == [] and july.reasons == opened.reasons
        with pytest.raises(AuditError, match="There is no audit called 'nope'"):
            pops.switch_audit(svc, "nope")

        # sampling bound to the audit: counted and drawn from its period's records
        assert sum(SampleOps(opened.db).counts("incident").values()) == 4
        assert sum(pops.sampling(july.svc).counts("incident").values()) == 1
        assert sum(pops.sampling(svc).counts("incident").values()) == 3
        pops.sampling(july.svc).draw("July", "incident", 1, seed=1, who=LEAD)
        assert [s.name for s in july.svc.samples()] == ["July"] and "July" not in [s.name for s in svc.samples()]

        closed = pops.close_audit(july.svc, "2014-07")
        assert closed.info.closed and closed.changes.findings
        with pytest.raises(ValueError, match="is closed: reopen it"):
            pops.sampling(july.svc).draw("July 2", "incident", 1, seed=1, who=LEAD)
        assert pops.programme(svc).audits[1].status.startswith("Closed ")
        assert not pops.close_audit(july.svc, "2014-07", reopen=True).info.closed

        auditor = AuditService(opened.db, AUDITOR, audit=FIRST)
        p = pops.programme(auditor)
        assert not p.may_plan and p.why_not.startswith("Only the audit lead may plan the programme")
        with pytest.raises(NotAllowed):
            pops.new_audit(auditor, "", date(2014, 8, 1), date(2014, 8, 31), "2014")
        with pytest.raises(NotAllowed):
            pops.close_audit(auditor, FIRST)
    finally:
        opened.close()


def test_an_opening_starts_on_the_audit_asked_for_else_the_latest(path: Path) -> None:
    first = ops.open_audit(str(path), LEAD)
    pops.new_audit(first.svc, "", date(2014, 7, 1), date(2014, 7, 31), "2014")
    first.close()
    for asked, got in ((None, "2014-07"), (FIRST, FIRST), ("2014-07", "2014-07"), ("gone since", "2014-07")):
        o = ops.open_audit(str(path), LEAD, asked)
        try:
            assert (o.info.name, o.svc.audit) == (got, got)
        finally:
            o.close()
