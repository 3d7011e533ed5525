"""Changes between audits and p-chart limits allow for crimes clustered in records (issue 10, a statistician's
check): the tests treated every crime as independent, so two audits of 100 records of three crimes each, a record's
crimes all recorded or none, read 'Up 10.0 points (95% CI 3.1 to 16.8): more than sampling noise (p = 0.005)',
where a ratio estimator over the records gives -2.0 to 22.0 and p = 0.10. Each audit's counts now enter as its
effective sample size, n over the design effect of its design-weighted rate (Kish)."""

from __future__ import annotations

import math
import shutil
from datetime import date
from pathlib import Path

import pytest
from scipy.stats import norm

from cdi_workbench.findings import compute
from cdi_workbench.statistics import Stratum, design_effect, design_rate
from cdi_workbench.storage.database import Database
from cdi_workbench.trends_change import MORE, change
from cdi_workbench.trends_pchart import p_chart
from cdi_workbench.trends_points import AuditPoint, point_from_findings
from tests.random_verdicts import fill

FIGURE = "recording_rates.all"
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sample_audit.db"


def _records(recorded: int, records: int = 100, crimes: int = 3) -> list[tuple[int, int]]:
    return [(crimes, crimes)] * recorded + [(0, crimes)] * (records - recorded)


def _ratio(records: list[tuple[int, int]]) -> tuple[float, float]:
    """The ratio estimate over records and its variance (no finite population correction), by hand."""
    n = len(records)
    y = [a for a, _ in records]
    x = [b for _, b in records]
    r = sum(y) / sum(x)
    xbar = sum(x) / n
    return r, sum((yi - r * xi) ** 2 for yi, xi in zip(y, x, strict=True)) / (n * (n - 1) * xbar ** 2)


def _point(name: str, month: int, records: list[tuple[int, int]]) -> AuditPoint:
    k, n = sum(a for a, _ in records), sum(b for _, b in records)
    deff = design_effect(design_rate([Stratum(10 ** 9, tuple(records))]).rate)  # a frame too large for an FPC
    assert deff is not None
    return AuditPoint(name, date(2016, month, 1), date(2016, month, 28), "2015", "monthly dip-sample",
                      {FIGURE: (k, n)}, design_effects={FIGURE: deff})


def test_a_change_of_clustered_crimes_is_tested_on_the_records_information() -> None:
    jan, feb = _records(70), _records(80)
    a, b = _point("January", 1, jan), _point("February", 2, feb)
    assert a.design_effects[FIGURE] == pytest.approx(3.0, rel=0.02)  # three crimes decided as one
    c = change(a, b, FIGURE)
    (r1, v1), (r2, v2) = _ratio(jan), _ratio(feb)
    se = math.sqrt(v1 + v2)
    hand_low, hand_high = r2 - r1 - 1.959964 * se, r2 - r1 + 1.959964 * se
    hand_p = 2 * norm.sf(abs(r2 - r1) / se)
    assert c.difference == pytest.approx(0.10)
    assert c.verdict != MORE, c.text
    assert c.low == pytest.approx(hand_low, abs=0.01) and c.high == pytest.approx(hand_high, abs=0.01)
    assert c.p_value == pytest.approx(hand_p, abs=0.01)
    assert any("clustered in records" in n and "design effect" in n for n in c.notes)
    # the same counts without a design effect: the test as before, crimes independent
    bare = change(AuditPoint("January", date(2016, 1, 1), date(2016, 1, 28), "2015", "monthly dip-sample",
                             {FIGURE: (210, 300)}),
                  AuditPoint("February", date(2016, 2, 1), date(2016, 2, 28), "2015", "monthly dip-sample",
                             {FIGURE: (240, 300)}), FIGURE)
    assert bare.verdict == MORE and bare.p_value is not None and bare.p_value < 0.01
    assert not any("clustered" in n for n in bare.notes)


def test_p_chart_limits_widen_by_the_root_of_the_design_effect() -> None:
    points = [_point(m, i + 1, _records(r)) for i, (m, r) in enumerate([("Jan", 70), ("Feb", 75), ("Mar", 80)])]
    chart = p_chart(points, FIGURE)
    centre = 225 / 300
    for p, cp in zip(points, chart.points, strict=True):
        half = 3 * math.sqrt(centre * (1 - centre) / (300 / p.design_effects[FIGURE]))
        assert (cp.lower, cp.upper) == (pytest.approx(max(0.0, centre - half)), pytest.approx(min(1.0, centre + half)))
        assert "design effect 3.0" in cp.text


def test_an_audits_point_carries_its_recording_rates_design_effects(tmp_path: Path) -> None:
    if not SAMPLE.exists():
        pytest.skip("the bundled sample is built by `make sample`")
    path = tmp_path / "audit.db"
    shutil.copy(SAMPLE, path)
    db = Database(path)
    try:
        fill(db, 11)
        findings = compute(db)
    finally:
        db.close()
    point = point_from_findings(findings, method_style="inspection-2014")
    for key, r in findings.design_rates.items():
        d = design_effect(r)
        if d is not None and d > 1:
            # the design-weighted variance without the FPC over the simple random sample's of as many crimes (also
            # without), which is never below the variance with the FPC that the margin shows
            srs = r.rate * (1 - r.rate) / r.identified
            assert point.design_effects[f"recording_rates.{key}"] == pytest.approx(r.variance_wr / srs, rel=1e-9)
            assert r.variance_wr >= (r.half_width / 1.959964) ** 2 * (1 - 1e-5)
    assert point.design_effects, "the sample's rates have design effects above 1"
