"""An audit's findings as a point of a trend (trends.point_from_findings): the counts are the findings' figures,
checked against what the bulk builder planned (tests/bulk_builders.py), not only against the code under test."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cdi_workbench.findings import compute
from cdi_workbench.findings_figures import figures
from cdi_workbench.storage.database import Database
from cdi_workbench.trends import FIGURES, counts_from_figures, point_from_findings, series
from tests.bulk_builders import bulk_audit


def test_point_from_findings_carries_the_audit_and_its_counts(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    plan = bulk_audit(path, verdicts=600, seed=14)
    db = Database(path)
    try:
        findings = compute(db)
    finally:
        db.close()
    point = point_from_findings(findings, method_style="2016-17", name="2015")
    assert (point.name, point.period_start, point.period_end) == ("2015", date(2015, 1, 1), date(2015, 12, 31))
    assert (point.rules, point.method_style, point.force) == ("2015", "2016-17", "Benchshire Police")
    # against the plan: crimes identified and recorded in the incident records
    assert point.count("incidents.recorded") == (plan.recorded["Incident records"], plan.identified["Incident records"])
    assert point.count("incidents.correctly_classified") == (
        plan.recorded["Incident records"] - plan.misclassified["Incident records"], plan.recorded["Incident records"])
    # against the findings' figures, as the JSON export names them
    fig = figures(findings)
    for key in ("all", "vap", "sexual", "rape", "other"):
        r = fig["recording_rates"][key]
        assert point.count(f"recording_rates.{key}") == (r["crimes_recorded"], r["crimes_identified"])
        t = fig["timeliness"][key]
        assert point.count(f"timeliness.{key}") == (t["within_limit"], t["within_limit"] + t["outside_limit"])
    assert point.count("cancellations.total.correct") == (fig["cancellations"]["total"]["correct"],
                                                          fig["cancellations"]["total"]["reviewed"])
    assert point.count("recording_rates.all")[1] > 0
    assert set(point.counts) <= set(FIGURES) | {f"cancellations.by_group.{g}.correct"
                                                for g in fig["cancellations"]["by_group"]}
    # each point of the series is the findings' published-style rate and interval, finite population
    # correction included where the findings applied it
    for key in ("all", "vap", "other"):
        r = fig["recording_rates"][key]
        got = series([point], f"recording_rates.{key}").points[0].rate
        assert (got.rate, got.low, got.high) == (pytest.approx(r["rate"]), pytest.approx(r["lower"]),
                                                 pytest.approx(r["upper"]))
        assert got.population == r["fpc_population"]
    assert any(fig["recording_rates"][k]["fpc_population"] for k in ("all", "vap", "other"))


def test_counts_from_an_empty_or_partial_figures_mapping_never_raise() -> None:
    counts = counts_from_figures({})
    assert counts["recording_rates.all"] == (0, 0) and counts["timeliness.all"] == (0, 0)
    partial = counts_from_figures({"recording_rates": {"all": {"crimes_recorded": 8, "crimes_identified": 10}}})
    assert partial["recording_rates.all"] == (8, 10) and partial["recording_rates.vap"] == (0, 0)
