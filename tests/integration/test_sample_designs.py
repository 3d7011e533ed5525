"""Sample designs as templates (issue 14; sample_designs): the month's samples drawn in one action for an audit,
each with a seed derived from one master seed, reproducible, all or nothing; designs saved from an audit."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from cdi_workbench import sample_designs
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.programme import create
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditService
from cdi_workbench.cli import main as cdi
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import AuditItem, AuditSetting, Sample
from tests.builders import small_audit


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """The small audit (01/01 to 30/06/2014) and an audit of March 2014: in March there are one incident
    (INC-0001), one disposal (a community resolution), one cancellation (vap), no referral and no N100."""
    d = small_audit(tmp_path / "designs.db")
    create(d, None, date(2014, 3, 1), date(2014, 3, 31), "2014")
    return d


def test_seeds_are_derived_from_the_master_seed_the_audit_and_the_sample() -> None:
    want = int.from_bytes(hashlib.sha256(b"42|2014-03|Incidents").digest()[:4], "big")
    assert sample_designs.derive_seed(42, "2014-03", "Incidents") == want
    seeds = {sample_designs.derive_seed(42, a, s) for a in ("2014-03", "2014-04") for s in ("Incidents", "N100s")}
    assert len(seeds) == 4


def test_the_monthly_design_draws_the_months_samples_in_one_action(db: Database) -> None:
    run = sample_designs.draw(db, "monthly dip-sample", "2014-03", master_seed=42)
    drawn = {d.sample: d for d in run.drawn}
    assert drawn["Incidents 2014-03"].records == 1
    assert drawn["Incidents 2014-03"].seed == sample_designs.derive_seed(42, "2014-03", "Incidents")
    assert drawn["Disposals 2014-03"].records == 1
    # the design's other disposal types have no records in March: none drawn, and said
    assert drawn["Disposals 2014-03"].note == ("none in the period: Cannabis warning, Caution, "
                                              "Penalty notice for disorder")
    assert drawn["N100s 2014-03"].skipped == "no n100 records in the period"
    # referrals of every system the programme holds (Guardian), none of them received in March
    assert drawn["Referrals (Guardian) 2014-03"].skipped == "no referral records in the period"
    svc = AuditService(db, audit="2014-03")
    assert sorted(x.name for x in svc.samples()) == ["Cancellations 2014-03", "Disposals 2014-03",
                                                     "Incidents 2014-03"]
    with db.session() as s:
        kept = json.loads(s.get(AuditSetting, "design-run:2014-03").value)  # type: ignore[union-attr]
        seed = s.scalar(select(Sample.seed).where(Sample.name == "Incidents 2014-03"))
    assert (kept["design"], kept["master_seed"], seed) == ("Monthly dip-sample", 42, drawn["Incidents 2014-03"].seed)
    assert "Drew the design 'Monthly dip-sample' for the audit '2014-03' (master seed 42): 3 samples" in run.text
    with pytest.raises(ValueError, match="already been drawn"):
        sample_designs.draw(db, "Monthly dip-sample", "2014-03", master_seed=42)


def test_the_same_master_seed_draws_the_same_records(db: Database, tmp_path: Path) -> None:
    create(db, "H1", date(2014, 1, 1), date(2014, 6, 30), "2014")  # a second audit of the half year
    path = Path(str(db.engine.url.database))
    db.close()
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)
    drawn = []
    for p in (path, copy):
        d = Database(p)
        sample_designs.draw(d, "Monthly dip-sample", "H1", master_seed=7)
        with d.session() as s:
            drawn.append(s.execute(select(Sample.name, AuditItem.record_id, AuditItem.position)
                                   .join(AuditItem, AuditItem.sample_id == Sample.id)
                                   .where(Sample.name.like("% H1")).order_by(Sample.name, AuditItem.position)).all())
        d.close()
    assert drawn[0] == drawn[1] and len(drawn[0]) >= 5


def test_all_or_nothing(db: Database) -> None:
    """A sample name already taken stops the whole draw: none of the month's samples is left behind."""
    from cdi_workbench import sampling

    with db.session() as s:
        sampling.draw(s, "Cancellations 2014-03", "cancellation", 1, seed=1, audit="2014-03")
    with pytest.raises(ValueError, match="already a sample called 'Cancellations 2014-03'"):
        sample_designs.draw(db, "Monthly dip-sample", "2014-03", master_seed=1)
    assert [x.name for x in AuditService(db, audit="2014-03").samples()] == ["Cancellations 2014-03"]
    with db.session() as s:
        assert s.get(AuditSetting, "design-run:2014-03") is None


def test_a_design_saved_from_an_audit_draws_the_same_samples_next_month(db: Database) -> None:
    with db.session() as s:
        d = sample_designs.design_of_audit(s, "2014-01-01 to 2014-06-30", "Our design")
        sample_designs.save_design(s, d)
    assert [(x.name, x.kind, x.size, x.system) for x in d.samples] == [
        ("Incidents", "incident", 3, None), ("Guardian", "referral", 1, "Guardian"),
        ("Disposals", "disposal", 1, None), ("Cancellations", "cancellation", 1, None), ("N100s", "n100", 1, None)]
    with db.session() as s:
        assert [x.name for x in sample_designs.designs(s)] == ["Monthly dip-sample", "Our design"]
    run = sample_designs.draw(db, "our design", "2014-03", master_seed=3)
    assert [(x.sample, x.records) for x in run.drawn if not x.skipped] == [
        ("Incidents 2014-03", 1), ("Disposals 2014-03", 1), ("Cancellations 2014-03", 1)]


def test_only_the_lead_saves_a_design_and_bad_designs_are_refused(db: Database) -> None:
    add_person(db, "Lena Lead", "Lena Lead", "lead")
    add_person(db, "Lena Lead", "Amy Auditor", "auditor")
    with db.session() as s:
        d = sample_designs.builtin()
        with pytest.raises(NotAllowed):
            sample_designs.save_design(s, d, who="Amy Auditor")
    for bad, said in (({"name": "x", "samples": [{"name": "A", "kind": "crimes?", "size": 1}]}, "unknown kind"),
                      ({"name": "x", "samples": [{"name": "A", "kind": "incident"}]}, "give a size"),
                      ({"name": "x", "samples": [{"name": "A", "kind": "incident", "size": 2, "colour": 1}]},
                       "unknown field colour"),
                      ({"name": "x", "samples": []}, "lists no samples"),
                      ({"name": "x", "samples": [{"name": "A", "kind": "incident", "size": 1, "system": "PO1"}]},
                       "only referrals")):
        with pytest.raises(ValueError, match=said):
            sample_designs.Design.from_json(bad, "d.json")


def test_the_command_line(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(db.engine.url.database)
    db.close()
    assert cdi(["design", "list", path]) == 0
    assert capsys.readouterr().out.startswith("Monthly dip-sample: 5 samples")
    assert cdi(["audit", "draw", path, "--audit", "2014-03", "--seed", "9"]) == 0
    out = capsys.readouterr().out
    assert "(master seed 9): 3 samples, 3 records" in out and "N100s 2014-03: not drawn" in out
    assert cdi(["design", "save", path, "March", "--from-audit", "2014-03"]) == 0
    assert cdi(["design", "show", path, "March"]) == 0  # as asked (100), though March gave one
    shown = capsys.readouterr().out
    assert json.loads(shown[shown.index("{"):])["samples"][0] == {"name": "Incidents", "kind": "incident",
                                                                  "size": 100, "stratify": True,
                                                                  "allocation": "proportional"}


def test_output_piped_into_a_reader_that_stops_is_not_a_traceback(db: Database) -> None:
    path = str(db.engine.url.database)
    db.close()
    code = "import sys; from cdi_workbench.cli import main; sys.exit(main(['design', 'show', sys.argv[1], " \
           "'Monthly dip-sample']))"
    p = subprocess.Popen([sys.executable, "-c", code, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=Path(__file__).resolve().parents[2])
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()  # the reader goes away before anything is written
    err = p.stderr.read().decode()
    assert p.wait() == 141
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_a_peer_reviewer_cannot_record_a_design_run_even_when_every_kind_is_empty(tmp_path: Path) -> None:
    """The role is checked before anything is recorded: a month with no records of any kind would otherwise be
    'drawn' by anyone, and the lead's real draw then refused."""
    d = small_audit(tmp_path / "empty.db")
    create(d, "2014-09", date(2014, 9, 1), date(2014, 9, 30), "2014")  # no records in September
    add_person(d, "Lena Lead", "Lena Lead", "lead")
    add_person(d, "Lena Lead", "Rita Reviewer", "reviewer")
    with pytest.raises(NotAllowed):
        sample_designs.draw(d, "Monthly dip-sample", "2014-09", master_seed=1, who="Rita Reviewer")
    with d.session() as s:
        assert s.get(AuditSetting, "design-run:2014-09") is None
    # the lead's draw of an empty month is refused too, now: nothing is recorded, so it can be drawn once imported
    with pytest.raises(ValueError, match="nothing to draw"):
        sample_designs.draw(d, "Monthly dip-sample", "2014-09", master_seed=1, who="Lena Lead")
    with d.session() as s:
        assert s.get(AuditSetting, "design-run:2014-09") is None


def test_a_design_saved_from_an_audit_asks_for_what_was_asked_not_what_a_small_month_gave(db: Database) -> None:
    """March 2014 drawn to the monthly design holds 1 incident (of 100 asked), 1 disposal (20 of each type asked)
    and 1 cancellation: the design saved from it asks for 100 and 20 again, so April's bigger month is sampled as
    March's was meant to be, with the extension's asked size added."""
    sample_designs.draw(db, "Monthly dip-sample", "2014-03", master_seed=7)
    asked = {x.name: x for x in sample_designs.builtin().samples}
    with db.session() as s:
        d = sample_designs.design_of_audit(s, "2014-03", "From March")
    got = {x.name: x for x in d.samples}
    assert got["Incidents"].size == asked["Incidents"].size == 100
    assert got["Disposals"].per_stratum == asked["Disposals"].per_stratum
    assert got["Cancellations"].per_stratum == asked["Cancellations"].per_stratum
    from cdi_workbench import sampling

    with db.session() as s:
        sampling.extend(s, "Incidents 2014-03", 5)  # nothing left in March to add: 0 added, 5 asked
    with db.session() as s:
        assert sample_designs.design_of_audit(s, "2014-03", "From March").samples[0].size == 105


def test_derived_seeds_past_32_bits_are_stored_on_every_engine(db_target: str) -> None:
    """A programme's seeds go up to 2^32 - 1 (four bytes of SHA-256): on PostgreSQL the sample's seed column was a
    32-bit integer and the draw failed ('integer out of range'); it is 64-bit from schema 0020, and a seed past even
    that is refused in words before anything is written."""
    from cdi_workbench import sampling

    d = small_audit(db_target)
    create(d, None, date(2014, 3, 1), date(2014, 3, 31), "2014")
    seed = sample_designs.derive_seed(42, "2014-03", "Incidents")
    assert seed > 2**31 - 1  # the case that failed
    run = sample_designs.draw(d, "monthly dip-sample", "2014-03", master_seed=42)
    assert {x.sample: x.seed for x in run.drawn}["Incidents 2014-03"] == seed
    with d.session() as s:
        assert s.scalar(select(Sample.seed).where(Sample.name == "Incidents 2014-03")) == seed
        with pytest.raises(ValueError, match="a seed is a whole number from 0 to 9,223,372,036,854,775,807"):
            sampling.draw(s, "Too big", "incident", 1, seed=2**63)
        with pytest.raises(ValueError, match="a seed is a whole number"):
            sampling.draw(s, "Negative", "incident", 1, seed=-1)
    d.close()
