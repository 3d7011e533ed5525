"""The core operations behind the window's programme month (issue 14), without Qt: the next audit carries on the
audit method of the one before it (so the series does not break), a design is drawn once per audit and only by
those who may draw samples, the trends and the team are for those who may see the findings, and the window's
15-second look notices audits created, closed and reopened by others."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cdi_workbench.audit import programme_operations as pops
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.programme import close_audit, create
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditService
from cdi_workbench.programme_figures import method_style
from cdi_workbench.sample_designs import Design, save_design
from cdi_workbench.storage.database import Database
from sample_data.series import monthly_series
from sample_data.series_db import write_year

LEAD, REVIEWER, LIAISON = "Lena Lead", "Rita Reviewer", "Liam Liaison"


@pytest.fixture
def db(tmp_path: Path):  # noqa: ANN201
    d = write_year(tmp_path / "year.db", monthly_series(months=2, crimes=10, start=date(2016, 4, 1)))
    add_person(d, LEAD, LEAD, "lead")
    add_person(d, LEAD, REVIEWER, "reviewer")
    add_person(d, LEAD, LIAISON, "liaison")
    yield d
    d.close()


def test_the_next_audit_carries_on_the_method_of_the_one_before(db: Database) -> None:
    made = pops.new_audit(AuditService(db, LEAD), "2016-06", date(2016, 6, 1), date(2016, 6, 30), "2015")
    assert made.row.name == "2016-06"
    with db.session() as s:
        assert method_style(s, "2016-05") == "2016-17"
        assert method_style(s, "2016-06") == "2016-17"  # not the default 'standard': the series goes on
    trends = pops.trends(AuditService(db, LEAD, audit="2016-06"))
    figure = next(f for f in trends.figures if f.figure == "recording_rates.all")
    assert [p.name for p in figure.series.points] == ["2016-04", "2016-05", "2016-06"]
    assert figure.series.breaks == ()


def test_a_design_is_drawn_once_per_audit_by_those_who_may_draw(db: Database) -> None:
    pops.new_audit(AuditService(db, LEAD), "2016-06", date(2016, 6, 1), date(2016, 6, 30), "2015")
    lead = AuditService(db, LEAD, audit="2016-06")
    choices = pops.design_choices(lead)
    assert [d.name for d in choices.designs] == ["Monthly dip-sample"] and choices.may_draw
    assert choices.drawn == {} and choices.current == "2016-06"
    assert [a.name for a in choices.audits] == ["2016-04", "2016-05", "2016-06"]
    with pytest.raises(NotAllowed):
        pops.draw_design(AuditService(db, REVIEWER, audit="2016-06"), "Monthly dip-sample")
    assert not pops.design_choices(AuditService(db, REVIEWER, audit="2016-06")).may_draw
    # June has no records imported: nothing to draw, refused, and nothing recorded (it can be drawn once imported)
    with pytest.raises(ValueError, match="nothing to draw for the audit '2016-06'"):
        pops.draw_design(lead, "Monthly dip-sample", master_seed=11)
    assert pops.design_choices(lead).drawn == {}
    # another audit than the one open (May, with records): drawn for it, the open audit's samples unchanged
    with db.session() as s:
        save_design(s, Design.from_json({"name": "Extra", "samples": [
            {"name": "Extra incidents", "kind": "incident", "size": 2}]}), LEAD)
    other = pops.draw_design(lead, "Extra", "2016-05", 3)
    assert not other.current and other.run.audit == "2016-05" and other.run.master_seed == 3
    assert "Extra incidents 2016-05: 2 incident records" in other.run.text and other.changes.samples
    assert pops.design_choices(lead).drawn == {"2016-05": "Extra"}
    with pytest.raises(ValueError, match="has already been drawn to a design"):
        pops.draw_design(lead, "Extra", "2016-05")


def test_trends_and_team_are_for_those_who_see_the_findings(db: Database) -> None:
    with pytest.raises(NotAllowed):
        pops.trends(AuditService(db, LIAISON))
    with pytest.raises(NotAllowed):
        pops.team(AuditService(db, LIAISON))
    team = pops.team(AuditService(db, LEAD, audit="2016-04"))
    assert team.audit == "2016-04" and [(m.name, m.audited) for m in team.members] == [("Series Auditor", 10)]


def test_the_look_notices_audits_created_closed_and_reopened(db: Database) -> None:
    svc = AuditService(db, LEAD, audit="2016-05")
    first = pops.look(svc, None, None)
    assert not first.changed and first.audits == (("2016-04", False), ("2016-05", False))
    same = pops.look(svc, first.look.seen, first.audits)
    assert not same.changed
    create(db, "2016-06", date(2016, 6, 1), date(2016, 6, 30), "2015", LEAD)
    added = pops.look(svc, same.look.seen, same.audits)
    assert added.changed and added.audits[-1] == ("2016-06", False)
    with db.session() as s:
        close_audit(s, "2016-05", LEAD)
    closed = pops.look(svc, added.look.seen, added.audits)
    assert closed.changed and ("2016-05", True) in closed.audits and closed.info.closed
    with db.session() as s:
        close_audit(s, "2016-05", LEAD, reopen=True)
    reopened = pops.look(svc, closed.look.seen, closed.audits)
    assert reopened.changed and not reopened.info.closed


def test_a_new_audit_overlapping_others_is_made_and_said(db: Database) -> None:
    lead = AuditService(db, LEAD)
    apart = pops.new_audit(lead, "2016-06", date(2016, 6, 1), date(2016, 6, 30), "2015")
    assert apart.warning == ""
    over = pops.new_audit(lead, "Thematic", date(2016, 5, 15), date(2016, 6, 15), "2015")
    assert over.row.name == "Thematic"
    assert "overlaps" in over.warning and "'2016-05'" in over.warning and "'2016-06'" in over.warning
