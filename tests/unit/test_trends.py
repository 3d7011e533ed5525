"""Trends across audits (cdi_workbench.trends) against independent computations: Newcombe's interval and the score
test worked out by hand (math and scipy, not statsmodels), Newcombe's published worked examples, the p-chart's
limits by hand, and the series' intervals by statistics.rate."""

from __future__ import annotations

import math
import re
import warnings
from datetime import date

import pytest
from scipy.stats import norm

from cdi_workbench.statistics import rate
from cdi_workbench.trends import (
    ABOVE,
    BELOW,
    CHANGE_METHOD,
    MORE,
    PCHART_METHOD,
    WITHIN,
    AuditPoint,
    change,
    latest_change,
    p_chart,
    select,
    series,
)

Z = norm.ppf(0.975)
FIG = "recording_rates.all"


def pt(name: str, month: int, k: int, n: int, year: int = 2016, rules: str = "2015",
       style: str = "2016-17") -> AuditPoint:
    end = date(year, month, 28)
    return AuditPoint(name, date(year, month, 1), end, rules, style, {FIG: (k, n)}, "Midshire Police")


def wilson(k: int, n: int, z: float = Z) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def newcombe_by_hand(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Newcombe (1998) method 10 for p1 - p2, from the two Wilson intervals."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def pooled_z_p(k1: int, n1: int, k2: int, n2: int) -> float:
    pool = (k1 + k2) / (n1 + n2)
    z = (k1 / n1 - k2 / n2) / math.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
    return float(2 * norm.sf(abs(z)))


@pytest.mark.parametrize(("after", "before", "published"), [
    ((56, 70), (48, 80), (0.0524, 0.3339)),  # Newcombe 1998, Table II, example (a), method 10
    ((9, 10), (3, 10), (0.1705, 0.8090)),  # example (b)
    ((5, 56), (0, 29), (-0.0381, 0.1926)),  # example (e): one proportion at 0%
])
def test_change_interval_is_newcombes_published_method_10(after: tuple[int, int], before: tuple[int, int],
                                                           published: tuple[float, float]) -> None:
    c = change(pt("before", 1, *before), pt("after", 2, *after), FIG)
    assert (c.low, c.high) == (pytest.approx(published[0], abs=5e-5), pytest.approx(published[1], abs=5e-5))
    assert (c.low, c.high) == (pytest.approx(newcombe_by_hand(*after, *before)[0], abs=1e-9),
                               pytest.approx(newcombe_by_hand(*after, *before)[1], abs=1e-9))
    assert c.method == CHANGE_METHOD == "Newcombe hybrid score interval, difference of proportions"


@pytest.mark.parametrize(("before", "after"), [
    ((400, 500), (440, 500)), ((410, 500), (400, 500)), ((80, 100), (81, 100)), ((23, 30), (29, 31)),
    ((1, 40), (0, 35)), ((418, 500), (418, 500)), ((120, 150), (96, 140)),
])
def test_change_matches_an_independent_computation(before: tuple[int, int], after: tuple[int, int]) -> None:
    c = change(pt("May 2016", 5, *before), pt("June 2016", 6, *after), FIG)
    low, high = newcombe_by_hand(*after, *before)
    p = pooled_z_p(*after, *before)
    d = after[0] / after[1] - before[0] / before[1]
    assert c.difference == pytest.approx(d)
    assert c.low == pytest.approx(low, abs=1e-9) and c.high == pytest.approx(high, abs=1e-9)
    assert c.p_value == pytest.approx(p, rel=1e-9)
    more = (low > 0 or high < 0) and p < 0.05
    assert c.significant == more
    # the sentence: direction, size, interval and p-value, as worked out by hand
    word = "No change" if round(d * 1000) == 0 else ("Up" if d > 0 else "Down")
    assert c.text.startswith(f"{word} {abs(d) * 100:.1f} points" if word != "No change" else "No change (")
    ends = [f"{x * 100:.1f}".replace("-0.0", "0.0") for x in (low, high)]
    assert f"95% CI {ends[0]} to {ends[1]})" in c.text
    assert (MORE in c.text) == more
    p_said = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    assert p_said in c.text
    assert c.text.endswith(".")


def test_the_sentence_reads_as_the_board_would_read_it() -> None:
    up = change(pt("May 2016", 5, 380, 500), pt("June 2016", 6, 441, 500), FIG)
    assert re.fullmatch(r"Up 12\.2 points \(95% CI \d+\.\d to \d+\.\d\): more than sampling noise \(p < 0\.001\)\.",
                        up.text), up.text
    same = change(pt("May 2016", 5, 400, 500), pt("June 2016", 6, 405, 500), FIG)
    assert re.fullmatch(r"Up 1\.0 points \(95% CI -\d\.\d to \d\.\d\): within sampling noise \(p = 0\.\d{3}\)\.",
                        same.text), same.text
    assert same.verdict == WITHIN and not same.significant
    down = change(pt("May 2016", 5, 441, 500), pt("June 2016", 6, 380, 500), FIG)
    assert down.text.startswith("Down 12.2 points (95% CI -")
    assert "Newcombe hybrid score interval" in down.describe() and "May 2016 to June 2016" in down.describe()


def test_series_gives_each_audit_its_rate_by_statistics_rate_in_order_of_period() -> None:
    pts = [pt(f"M{m}", m, 400 + m, 500) for m in (3, 1, 2)]
    s = series(pts, FIG, method="wilson")
    assert [p.name for p in s.points] == ["M1", "M2", "M3"]
    for p in s.points:
        ref = rate(p.k, p.n, "wilson")
        assert (p.rate.rate, p.rate.low, p.rate.high) == (ref.rate, ref.low, ref.high)
        lo, hi = wilson(p.k, p.n)
        assert p.rate.low == pytest.approx(lo) and p.rate.high == pytest.approx(hi)
    assert s.method_text == "Wilson score interval, 95%"
    lo, hi = wilson(401, 500)
    assert f"M1: 80.2% ({lo * 100:.1f}% to {hi * 100:.1f}%)." in s.text and "Wilson score interval" in s.text
    normal = series(pts, FIG)
    assert normal.points[0].text == f"80.2% (+/- {Z * math.sqrt(0.802 * 0.198 / 500) * 100:.2f}%)"


def test_windows_this_month_last_month_last_6_and_12_months() -> None:
    pts = [pt(f"{y}-{m:02d}", m, 400, 500, year=y) for y in (2016, 2017) for m in range(1, 13)]
    assert [p.name for p in select(pts, "this_month")] == ["2017-12"]
    assert [p.name for p in select(pts, "last_month")] == ["2017-11"]
    assert [p.name for p in select(pts, "last_6_months")] == [f"2017-{m:02d}" for m in range(7, 13)]
    assert [p.name for p in select(pts, "last_12_months")] == [f"2017-{m:02d}" for m in range(1, 13)]
    assert len(series(pts, FIG, window="last_6_months").points) == 6
    assert select(pts[:1], "last_month") == []
    assert latest_change(pts[:1], FIG) is None
    last = latest_change(pts, FIG)
    assert last is not None and (last.before, last.after) == ("2017-11", "2017-12")
    with pytest.raises(ValueError, match="unknown window"):
        select(pts, "last_fortnight")


def test_p_chart_limits_match_the_formula_by_hand() -> None:
    counts = [(412, 500), (398, 480), (441, 520), (190, 200), (300, 400), (12, 12)]
    pts = [pt(f"M{i + 1}", i + 1, k, n) for i, (k, n) in enumerate(counts)]
    chart = p_chart(pts, FIG)
    centre = sum(k for k, _ in counts) / sum(n for _, n in counts)
    assert chart.segments[0].centre == pytest.approx(centre)
    assert chart.method == PCHART_METHOD == "p-chart, 3-sigma limits"
    for cp, (k, n) in zip(chart.points, counts, strict=True):
        half = 3 * math.sqrt(centre * (1 - centre) / n)
        lo, hi = max(0.0, centre - half), min(1.0, centre + half)
        assert cp.lower == pytest.approx(lo) and cp.upper == pytest.approx(hi)
        expected = ABOVE if k / n > hi else BELOW if k / n < lo else ""
        assert cp.signal == expected
    assert chart.points[5].upper == 1.0  # 12 of 12: the upper limit is cut at 100%
    assert chart.points[4].signal == BELOW and chart.points[3].signal == ABOVE
    assert "M5 below the lower limit" in chart.text and "more than sampling noise" in chart.text


def test_p_chart_baseline_sets_the_centre_from_the_first_audits() -> None:
    pts = [pt(f"M{i}", i, k, 500) for i, k in enumerate([400, 405, 395, 402, 450, 455], start=1)]
    chart = p_chart(pts, FIG, baseline=4)
    assert chart.segments[0].centre == pytest.approx(1602 / 2000)
    assert [p.name for p in chart.signals] == ["M5", "M6"]
    assert "set from M1 to M4" in chart.text
    with pytest.raises(ValueError):
        p_chart(pts, FIG, baseline=0)


def test_edges_never_raise_and_say_not_defined() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing leaks a RuntimeWarning (statsmodels divides by zero at the edges)
        zero, full, empty = pt("Zero", 1, 0, 40), pt("Full", 2, 40, 40), pt("Empty", 3, 0, 0)
        full2 = pt("Full again", 4, 35, 35)
        s = series([zero, full, empty], FIG)
        assert [p.text for p in s.points] == ["0.0% (interval not defined at 0% or 100%)",
                                              "100.0% (interval not defined at 0% or 100%)",
                                              "not defined (nothing counted)"]
        assert "not defined" in series([empty], FIG, method="wilson").text
        rows = s.rows()
        assert [(r["rate"], r["lower"], r["upper"]) for r in rows] == [(0.0, None, None), (1.0, None, None),
                                                                       (None, None, None)]
        assert all(r["n"] == n for r, n in zip(rows, (40, 40, 0), strict=True))
        odd = AuditPoint("Odd", date(2016, 6, 1), date(2016, 6, 30), "2015", "2016-17", {FIG: (30, 40)},
                         populations={FIG: 10.0})  # a population below its sample: no correction, no raise
        assert series([odd], FIG).points[0].rate.population is None
        c = change(full, empty, FIG)
        assert c.verdict == "not defined" and c.difference is None and c.p_value is None
        assert c.text == "Change not defined: nothing counted in Empty (n = 0), so there is no rate to compare."
        both = change(full, full2, FIG)
        assert both.verdict == WITHIN and both.p_value is None and both.difference == 0
        assert "p-value not defined: both audits are at 100%" in both.text
        assert both.low is not None and both.low < 0 < (both.high or 0)
        zeros = change(zero, pt("Zero again", 5, 0, 10), FIG)
        assert "both audits are at 0%" in zeros.text
        leap = change(zero, full, FIG)
        assert leap.significant and leap.text.startswith("Up 100.0 points")
        chart = p_chart([full, full2, empty], FIG)
        assert "control limits not defined" in chart.text and not chart.signals
        assert chart.points[1].text == "Empty: not defined (nothing counted)"
        assert "not defined" in p_chart([empty], FIG).text
        assert p_chart([], FIG).text.endswith("no audits.")
        assert series([], FIG).text.endswith("no audits.")


def test_an_impossible_count_is_refused() -> None:
    with pytest.raises(ValueError, match="not a proportion"):
        pt("Bad", 1, 6, 5)
    with pytest.raises(ValueError, match="ends before it starts"):
        AuditPoint("Bad", date(2016, 2, 1), date(2016, 1, 1), "2015", "2016-17")
