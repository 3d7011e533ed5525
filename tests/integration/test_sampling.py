from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from cdi_workbench import sampling
from cdi_workbench.cli import main
from cdi_workbench.storage.models import AuditItem, ReportRecord, Sample
from tests.builders import small_audit


def _with_incidents(path: Path, n: int = 300):  # noqa: ANN202
    db = small_audit(path)
    with db.session() as s:
        s.add_all(ReportRecord(kind="incident", system="Incident", ref=f"P{i:05d}", narrative="") for i in range(n))
    return db


def test_extension_never_repeats_and_follows_the_same_order(tmp_path: Path) -> None:
    db = _with_incidents(tmp_path / "a.db")
    with db.session() as s:
        sampling.draw(s, "S", "incident", 40, seed=5)
    with db.session() as s:
        assert sampling.extend(s, "S", 25) == 25
    with db.session() as s:
        sampling.draw(s, "S65", "incident", 65, seed=5)
    with db.session() as s:
        ext = [r["reference"] for r in sampling.draw_order(s, "S")]
        direct = [r["reference"] for r in sampling.draw_order(s, "S65")]
        assert len(ext) == len(set(ext)) == 65
        # an extended simple random sample is exactly the larger sample of the same seed
        assert set(ext) == set(direct)
        smp = s.scalar(select(Sample).where(Sample.name == "S"))
        assert smp.frame["extensions"][0]["added"] == 25
        positions = list(s.scalars(select(AuditItem.position).where(AuditItem.sample_id == smp.id)
                                   .order_by(AuditItem.position)))
        assert positions == list(range(1, 66))
    db.close()


def test_allocation_modes() -> None:
    sizes = {"a": 600, "b": 300, "c": 100}
    assert sampling._allocate(sizes, 100, None) == {"a": 60, "b": 30, "c": 10}
    assert sampling._allocate(sizes, 100, None, "equal") == {"a": 34, "b": 33, "c": 33}
    assert sampling._allocate({"a": 5, "b": 300}, 100, None, "equal") == {"a": 5, "b": 95}
    assert sampling._allocate(sizes, 0, 20) == {"a": 20, "b": 20, "c": 20}
    assert sampling._allocate(sizes, 0, {"a": 7}) == {"a": 7, "b": 0, "c": 0}
    with pytest.raises(ValueError, match="no such stratum"):
        sampling._allocate(sizes, 0, {"zz": 1})


def test_required_size_matches_the_textbook() -> None:
    # Cochran: z=1.96, p=0.5, e=0.05 -> 384.16 -> 385; with N=1000 -> 278
    assert sampling.required_size(0.05, 0.5) == 385
    assert sampling.required_size(0.05, 0.5, 1000) == 278
    assert sampling.required_size(0.03, 0.85, 94989) == 542  # 541.11 rounded up
    with pytest.raises(ValueError):
        sampling.required_size(3, 0.85)
    # a population of zero (or less) was accepted and printed '-5 records' (issue 10)
    for impossible in (0, -5):
        with pytest.raises(ValueError, match="cannot be sampled"):
            sampling.required_size(0.03, 0.85, impossible)


def test_duplicate_name_refused(tmp_path: Path) -> None:
    db = _with_incidents(tmp_path / "a.db", 10)
    with db.session() as s, pytest.raises(ValueError, match="already a sample"):
        sampling.draw(s, "Incidents", "incident", 3, seed=1)
    db.close()


def test_cli_draw_extend_export(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    _with_incidents(path).close()
    assert main(["sample", str(path), "--kind", "incidents", "--size", "30", "--seed", "11", "--name", "Main"]) == 0
    assert "Drew 'Main': 30 incident records, seed 11" in capsys.readouterr().out
    assert main(["sample", str(path), "--extend", "Main", "--size", "10"]) == 0
    out = tmp_path / "list.csv"
    assert main(["sample", str(path), "--export", "Main", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert [int(r["position"]) for r in rows] == list(range(1, 41))
    assert len({r["reference"] for r in rows}) == 40
    assert main(["sample-size", "--margin", "5", "--rate", "50", "--population", "1000"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("278 records")


def test_population_counts_and_filters(tmp_path: Path) -> None:
    from datetime import date

    db = small_audit(tmp_path / "a.db")
    with db.session() as s:
        counts = sampling.population_counts(s, "incident")
        # INC-0001 links an 8N and a 58A: counted once, in the more serious group (violence)
        assert counts == {"no crime linked": 2, "vap": 1}
        only_dom = sampling.Filters(opening_code="Domestic Incident")
        assert sum(sampling.population_counts(s, "incident", filters=only_dom).values()) == 2
        by_code = sampling.Filters(ho_code="058a")
        assert [c.ref for c in sampling.population(s, "incident", filters=by_code)] == ["INC-0001"]
        april = sampling.Filters(date_from=date(2014, 4, 1), date_to=date(2014, 4, 2))
        assert [c.ref for c in sampling.population(s, "incident", filters=april)] == ["INC-0002"]
        assert sampling.systems(s) == ["Guardian"]
        smp = sampling.draw(s, "April", "incident", 5, seed=3, filters=april)
        assert smp.frame["filters"] == {"date_from": "2014-04-01", "date_to": "2014-04-02"}
    with db.session() as s, pytest.raises(ValueError, match="no incident records to sample"):
        sampling.draw(s, "None", "incident", 5, seed=3, filters=sampling.Filters(closing_code="Nothing"))
    db.close()


def test_extending_a_sample_that_holds_every_record_adds_none(tmp_path: Path) -> None:
    """Found by test_report_never_raises: the proportional share of an empty remainder divided by zero."""
    db = small_audit(tmp_path / "a.db")
    try:
        with db.session() as s:
            assert sampling.extend(s, "N100s", 5, who="Inspector A") == 0
    finally:
        db.close()
