"""A programme of audits in one database (issue 14; audit.programme, schema 0016): audits added with their rule
set checked against the period, samples drawn for one audit from the records of its period, the findings of one
audit counting only its verdicts, each item evaluated under its own audit's rules, the command line's
`cdi audit new|list|close|reopen` and `--audit`, and a database from before programmes opening as a programme of
one that still verifies."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from cdi_workbench import sampling
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.programme import ProgrammeError, check_rules, close_audit, create, listing, new_audit
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.cli import main as cdi
from cdi_workbench.findings import compute
from cdi_workbench.storage.database import Database
from sample_data.generate import build as build_sample
from tests.builders import small_audit, taken_back

ROOT = Path(__file__).resolve().parents[2]


def _incidents(f: object) -> int:
    return f.value("incidents", "Incident records", "Records reviewed")  # type: ignore[attr-defined]


@pytest.fixture
def programme(tmp_path: Path) -> Database:
    """The small audit (01/01/2014 to 30/06/2014: incidents on 14/03, 02/04 and 05/05) and a second audit of
    March 2014 with its own incident sample."""
    db = small_audit(tmp_path / "programme.db")
    create(db, None, date(2014, 3, 1), date(2014, 3, 31), "2014")
    with db.session() as s:
        sampling.draw(s, "Incidents 2014-03", "incident", 10, seed=3, audit="2014-03")
    return db


def test_the_rule_set_must_fit_the_period() -> None:
    check_rules(date(2014, 1, 1), date(2015, 3, 31), "2014")
    check_rules(date(2015, 4, 1), date(2015, 4, 30), "2015")
    with pytest.raises(ProgrammeError, match="spans 01/04/2015.*create two audits"):
        check_rules(date(2015, 3, 1), date(2015, 4, 30), "2015")
    with pytest.raises(ProgrammeError, match="2015 rules .*24-hour.* do not apply"):
        check_rules(date(2014, 1, 1), date(2014, 1, 31), "2015")
    with pytest.raises(ProgrammeError, match="2014 rules .*72-hour.* do not apply"):
        check_rules(date(2016, 1, 1), date(2016, 1, 31), "2014")
    with pytest.raises(ProgrammeError, match="ends .* before it starts"):
        check_rules(date(2014, 2, 1), date(2014, 1, 31), "2014")


def test_audits_are_listed_named_and_the_latest_is_the_default(programme: Database) -> None:
    audits = listing(programme)
    assert [(a.name, a.samples, a.items) for a in audits] == [("2014-01-01 to 2014-06-30", 5, 7), ("2014-03", 1, 1)]
    # the default audit is the one whose period ends last: the half year, not the newer March audit
    assert AuditService(programme).info().name == "2014-01-01 to 2014-06-30"
    with pytest.raises(ProgrammeError, match="already an audit called '2014-03'"):
        create(programme, "2014-03", date(2014, 4, 1), date(2014, 4, 30), "2014")


def test_a_sample_is_drawn_from_the_records_of_its_audits_period(programme: Database) -> None:
    svc = AuditService(programme, audit="2014-03")
    (smp,) = svc.samples()
    assert smp.name == "Incidents 2014-03"
    refs = [r.ref for r in svc.queue(smp.id)]
    assert refs == ["INC-0001"]  # the only incident received in March; the April and May ones are not in the frame
    with programme.session() as s:
        frame = s.execute(text("SELECT frame FROM sample WHERE name = 'Incidents 2014-03'")).scalar_one()
    frame = json.loads(frame) if isinstance(frame, str) else frame
    assert (frame["audit"], frame["period"], frame["population"]) == ("2014-03", ["2014-03-01", "2014-03-31"],
                                                                       {"all": 1})
    # the first audit's service lists its own samples only
    assert "Incidents 2014-03" not in [x.name for x in AuditService(programme).samples()]


def test_each_audits_findings_count_only_its_own_verdicts(programme: Database) -> None:
    march = AuditService(programme, "Lena", audit="2014-03")
    item = march.queue(march.samples()[0].id)[0].item_id
    march.save_verdict(item, VerdictBody(crimes=[CrimeFinding("8N", 1, "CR-1")], complete=True))
    assert _incidents(compute(programme, audit="2014-03")) == 1
    assert _incidents(compute(programme)) == 0  # the half year's incidents have no verdicts yet
    half = AuditService(programme, "Lena")
    first = half.queue(next(x.id for x in half.samples() if x.name == "Incidents"))[0].item_id
    half.save_verdict(first, VerdictBody(zero_status=True, complete=True))
    assert _incidents(compute(programme, audit="2014-01-01 to 2014-06-30")) == 1
    assert _incidents(compute(programme, audit="2014-03")) == 1
    assert compute(programme, audit="2014-03").audit["audit"] == "2014-03"
    with pytest.raises(ProgrammeError, match="no audit called 'May'.*'2014-03'"):
        compute(programme, audit="May")


def test_each_item_is_timed_under_its_own_audits_rules(tmp_path: Path) -> None:
    """A 2014 audit (72 hours) and a 2015 audit (24 hours) in one programme: a crime recorded 35 hours after the
    report is in time in the first and late in the second."""
    from cdi_workbench.storage.models import CrimeRecord, RecordLink, ReportRecord
    from cdi_workbench.timeutil import uk_local

    db = small_audit(tmp_path / "rules.db")
    create(db, "2015-05", date(2015, 5, 1), date(2015, 5, 31), "2015")
    with db.session() as s:
        inc = ReportRecord(kind="incident", system="Incident", ref="INC-2015", received_at=uk_local(2015, 5, 4, 9, 0),
                           narrative="Caller reports her bicycle stolen from the garden.", crime_refs="CR-2015")
        crime = CrimeRecord(ref="CR-2015", recorded_at=uk_local(2015, 5, 5, 20, 0), ho_code="49", offence="Theft")
        s.add_all([inc, crime])
        s.flush()
        s.add(RecordLink(report_id=inc.id, crime_id=crime.id))
        crime_id = crime.id
        sampling.draw(s, "Incidents 2015-05", "incident", 5, seed=1, audit="2015-05")
    svc = AuditService(db, "Lena", audit="2015-05")
    item = svc.queue(svc.samples()[0].id)[0].item_id
    (result,) = svc.evaluate(item, VerdictBody(crimes=[CrimeFinding("49", crime_id, "CR-2015")], complete=True))
    assert result.timely is False  # 35 hours: late under the 24-hour rule of the audit it was drawn for
    svc.save_verdict(item, VerdictBody(crimes=[CrimeFinding("49", crime_id, "CR-2015")], complete=True))
    f = compute(db, audit="2015-05")
    assert f.value("incidents", "Incident records", "Outside 24 hours") == 1
    # the trail check works each verdict's counts out again, under the same audit's rules: nothing to report
    assert svc.verify_trail() == []
    # and the verdicts file says it as the findings do, and reads back without an override
    from cdi_workbench.verdict_io import export_verdicts, import_verdicts

    out = tmp_path / "verdicts.csv"
    export_verdicts(db, out, "Lena")
    (row,) = [r for r in csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines())
              if r["record_ref"] == "INC-2015"]
    assert row["timely"] == "N"
    import_verdicts(db, out, "Lena")
    (crime,) = AuditService(db, "Lena", audit="2015-05").verdict(item).crimes
    assert crime.timely_override is None
    db.close()


def test_only_the_lead_plans_audits(programme: Database) -> None:
    add_person(programme, "Lena Lead", "Lena Lead", "lead")
    add_person(programme, "Lena Lead", "Amy Auditor", "auditor")
    with programme.session() as s, pytest.raises(NotAllowed, match="only the audit lead may"):
        new_audit(s, "2014-04", date(2014, 4, 1), date(2014, 4, 30), "2014", who="Amy Auditor")
    with programme.session() as s, pytest.raises(NotAllowed):
        close_audit(s, "2014-03", who="Amy Auditor")
    made = create(programme, "2014-04", date(2014, 4, 1), date(2014, 4, 30), "2014", who="Lena Lead")
    assert made.created_by == "Lena Lead"


def test_a_closed_audit_draws_no_more_samples(programme: Database) -> None:
    with programme.session() as s:
        close_audit(s, "2014-03")
    with programme.session() as s, pytest.raises(ValueError, match="'2014-03' is closed"):
        sampling.draw(s, "More", "incident", 1, seed=1, audit="2014-03")
    assert not [a for a in listing(programme) if a.name == "2014-03"][0].open
    with programme.session() as s:
        close_audit(s, "2014-03", reopen=True)
        sampling.draw(s, "More", "incident", 1, seed=1, audit="2014-03")


def test_a_sample_written_without_an_audit_belongs_to_the_first(programme: Database) -> None:
    """A row written by a script or an older tool (no audit_id, or an id of no audit) is the first audit's, not
    lost from every audit's figures."""
    with programme.session() as s:
        s.execute(text("UPDATE sample SET audit_id = NULL WHERE name = 'Incidents'"))
        s.execute(text("UPDATE sample SET audit_id = 999 WHERE name = 'Guardian'"))
    names = [x.name for x in AuditService(programme, audit="2014-01-01 to 2014-06-30").samples()]
    assert {"Incidents", "Guardian"} <= set(names)
    assert "Incidents" not in [x.name for x in AuditService(programme, audit="2014-03").samples()]
    assert [a.samples for a in listing(programme)] == [5, 1]


def test_the_command_line(programme: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(programme.engine.url.database)
    programme.close()
    assert cdi(["audit", "new", path, "--period-start", "2014-04-01", "--period-end", "2014-04-30",
                "--rules", "2014"]) == 0
    assert "Added the audit '2014-04'" in capsys.readouterr().out
    assert cdi(["audit", "new", path, "--period-start", "2015-03-01", "--period-end", "2015-04-30",
                "--rules", "2015"]) == 1
    assert "spans 01/04/2015" in capsys.readouterr().err
    assert cdi(["audit", "list", path, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["audits"]
    assert [a["name"] for a in listed] == ["2014-01-01 to 2014-06-30", "2014-03", "2014-04"]
    assert set(listed[0]) == {"name", "force", "period_start", "period_end", "rule_set", "created_at", "created_by",
                              "closed_at", "samples", "records_drawn", "verdicts"}
    assert cdi(["sample", path, "--kind", "incidents", "--size", "5", "--name", "April", "--seed", "2",
                "--audit", "2014-04"]) == 0
    assert "Drew 'April': 1 incident records" in capsys.readouterr().out  # INC-0002, received 02/04/2014
    out = tmp_path / "march.json"
    assert cdi(["report", path, "--json", str(out), "--audit", "2014-03", "--previous-audit", "2014-04"]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["audit"]["audit"] == "2014-03"
    assert doc["audit"]["previous"]["audit"] == "2014-04" and doc["audit"]["previous"]["file"] == path
    assert [s["name"] for s in doc["samples"]] == ["Incidents 2014-03"]
    # a lead signs only a report the database bears out: worked out again for the report's own audit (and previous)
    from cdi_workbench.audit.anchor import report_anchor
    from cdi_workbench.audit.report_match import require_current

    db = Database(path)
    try:
        require_current(db, doc, report_anchor(doc, out.name).rows, out.name)
    finally:
        db.close()
    assert cdi(["report", path, "--json", str(out), "--audit", "Nope"]) == 1
    assert "no audit called 'Nope'" in capsys.readouterr().err


def test_a_database_from_before_programmes_opens_as_a_programme_of_one(tmp_path: Path) -> None:
    """The bundled sample taken back to schema 0015 (before programmes, by the migrations' downgrades) is upgraded,
    backed up first, named from its period, keeps its samples, and its trail still verifies."""
    path = tmp_path / "old.db"
    build_sample(path)  # as `make sample` builds it (at today's schema), then taken back to before programmes
    taken_back(path, "0015")
    con = sqlite3.connect(path)
    before = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    samples = con.execute("SELECT count(*) FROM sample").fetchone()[0]
    con.close()
    assert before < "0016"
    db = Database(path)
    try:
        (audit,) = listing(db)
        assert audit.name == "2014-01-01 to 2014-06-30" and audit.samples == samples > 0
        assert len(AuditService(db).samples()) == samples
        assert AuditService(db).verify_trail() == []
    finally:
        db.close()
    assert list(tmp_path.glob("old.backup-*.db")), "the upgrade backs the file up first"


def test_peer_review_agreement_is_of_one_audit(programme: Database) -> None:
    """A review in each audit: each audit's agreement counts its own pair only, and the report of an audit takes
    its agreement from that audit (review_figures follows the findings' audit)."""
    from cdi_workbench.agreement import agreement
    from cdi_workbench.reports.common import review_figures

    body = VerdictBody(zero_status=True, complete=True)
    for name in ("2014-03", "2014-01-01 to 2014-06-30"):
        a, b = AuditService(programme, "Inspector A", audit=name), AuditService(programme, "Reviewer B", audit=name)
        smp = next(x for x in a.samples() if x.kind == "incident")
        item = a.queue(smp.id)[0].item_id
        a.save_verdict(item, body)
        b.save_verdict(item, body if name == "2014-03" else VerdictBody(crimes=[CrimeFinding("8N")], complete=True),
                       role="review")

    # the first row: the whole record's pass or fail, everyone (agreement.CHECK_ORDER)
    march, half = agreement(programme, audit="2014-03")[0], agreement(programme, audit="2014-01-01 to 2014-06-30")[0]
    assert (march.pairs, march.agree, half.pairs, half.agree) == (1, 1, 1, 0)
    mine = review_figures(programme, findings=compute(programme, audit="2014-03")).agreement[0]
    assert (mine.check, mine.pairs, mine.agree) == (march.check, 1, 1)


def test_moving_a_sample_to_another_audit_by_hand_is_found(programme: Database) -> None:
    """A sample's audit is anchored in the trail: an UPDATE of sample.audit_id in the file is reported."""
    assert AuditService(programme).verify_trail() == []
    with programme.session() as s:
        first = s.execute(text("SELECT min(id) FROM audit")).scalar_one()
        s.execute(text("UPDATE sample SET audit_id = :a WHERE name = 'Incidents 2014-03'"), {"a": first})
    found = AuditService(programme).verify_trail()
    assert found and any("Incidents 2014-03" in str(f) for f in found)


def test_units_of_an_audit_count_the_frame_of_its_period(programme: Database) -> None:
    """Records outside the audit's period are not in its sample's frame: the frame has not 'changed since drawn'."""
    from cdi_workbench.findings_units import findings_by_unit

    assert findings_by_unit(programme, audit="2014-03").fpc_refused == ""


def test_a_draw_for_a_period_reads_the_draw_index_alone(programme: Database) -> None:
    """Counting the strata of an audit's period and picking its lowest-ranked incidents read the covering draw
    index (schema 0018), not every row of a million-record table."""
    from sqlalchemy import func, select

    from cdi_workbench.sample_population import Filters, source, where, within_period

    src = source("incident")
    f = within_period(Filters(), date(2014, 3, 1), date(2014, 3, 31))
    q = where(select(src.stratum, func.count()), src, "incident", None, f).group_by(src.stratum)
    with programme.session() as s:
        sql = str(q.compile(s.get_bind(), compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(r[-1]) for r in s.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "COVERING INDEX ix_report_draw" in plan, plan


def test_the_verdicts_file_of_one_audit(programme: Database, tmp_path: Path) -> None:
    """cdi verdicts export --audit NAME writes that audit's verdicts only; without it, every audit's."""
    body = VerdictBody(zero_status=True, complete=True)
    for name in ("2014-03", "2014-01-01 to 2014-06-30"):
        svc = AuditService(programme, "Inspector A", audit=name)
        smp = next(x for x in svc.samples() if x.kind == "incident")
        row = next(r for r in svc.queue(smp.id) if name == "2014-03" or r.ref != "INC-0001")
        svc.save_verdict(row.item_id, body)
    path = str(programme.engine.url.database)
    programme.close()

    def refs(*extra: str) -> list[str]:
        out = tmp_path / "v.csv"
        assert cdi(["verdicts", "export", path, str(out), "--yes", *extra]) == 0
        return sorted(r["record_ref"] for r in csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))

    march = refs("--audit", "2014-03")
    every = refs()
    assert march == ["INC-0001"] and len(every) == 2 and set(march) < set(every)
