"""A generated year of monthly audits opened as one programme (issue 14, "Done means"): sample_data.series_db
writes each month of sample_data.series as an audit with its records, sample and verdicts through the core; the
trend figures read back from the database (programme_figures.points) equal the generator's own counts of its
outcomes, the change test on them is the change test on those counts, the known step change is flagged and the
month-to-month noise is not."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scipy.stats import norm

from cdi_workbench import programme_figures, trends
from cdi_workbench.storage.database import Database
from sample_data.series import counts, monthly_series
from sample_data.series_db import write_year

SEED, CRIMES = 2016, 200


@pytest.fixture(scope="module")
def year_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("year") / "year.db"
    write_year(path, monthly_series(seed=SEED, crimes=CRIMES)).close()
    return path


def test_the_figures_read_back_are_the_generators(year_db: Path) -> None:
    year = monthly_series(seed=SEED, crimes=CRIMES)
    db = Database(year_db)
    try:
        points = programme_figures.points(db)
    finally:
        db.close()
    assert [p.name for p in points] == [f"{p.period_start:%Y-%m}" for p in year.points]
    for p, outcomes in zip(points, year.outcomes, strict=True):
        want = counts(outcomes)
        for figure in ("recording_rates.all", "recording_rates.vap", "recording_rates.rape", "timeliness.all"):
            assert p.count(figure) == want[figure], (p.name, figure)
        # and independently of the generator's counting: straight from the outcomes
        assert p.count("recording_rates.all") == (sum(o.recorded for o in outcomes), len(outcomes))


def test_the_step_change_is_flagged_and_the_noise_is_not(year_db: Path) -> None:
    db = Database(year_db)
    try:
        points = programme_figures.points(db)
    finally:
        db.close()
    scan = trends.changes(points, "recording_rates.all")
    assert [(c.before, c.after) for c in scan.flagged] == [("2016-11", "2016-12")]  # month 8 to month 9: the step
    step = next(c for c in scan.changes if c.after == "2016-12")
    raw = step.counts
    # the test by hand: the pooled two-proportion z-test on each audit's effective sample size (k and n over the
    # design effect of its design-weighted rate: crimes clustered in records), and the difference
    (k1, n1, d1), (k2, n2, d2) = (next(p for p in points if p.name == name).effective("recording_rates.all")
                                  for name in ("2016-11", "2016-12"))
    assert (k1 * d1, n1 * d1, k2 * d2, n2 * d2) == pytest.approx(raw)
    p1, p2, pooled = k1 / n1, k2 / n2, (k1 + k2) / (n1 + n2)
    z = (p2 - p1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    assert step.p_value == pytest.approx(2 * norm.sf(abs(z)), rel=1e-6)
    assert step.difference == pytest.approx(p2 - p1)
    assert "more than sampling noise" in step.text
    chart = trends.p_chart(points, "recording_rates.all")
    assert {p.name for p in chart.signals} <= {p.name for p in points[8:]}  # only months after the step signal


def test_audits_under_another_method_break_the_series(tmp_path: Path) -> None:
    year = monthly_series(seed=SEED, crimes=60, months=4, break_month=3, step_month=None)
    db = write_year(tmp_path / "break.db", year)
    try:
        points = programme_figures.points(db)
    finally:
        db.close()
    scan = trends.changes(points, "recording_rates.all")
    assert len(scan.breaks) == 1 and "method" in scan.breaks[0].text
    refused = [c for c in scan.changes if c.after == points[2].name]
    assert refused and refused[0].difference is None and refused[0].reason
