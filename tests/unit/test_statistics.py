"""Intervals checked against values computed independently (published figures and textbook formulas)."""

from __future__ import annotations

import math

import pytest

from cdi_workbench.statistics import Stratum, rate, stratified_rate, unrecorded_estimate


def test_normal_interval_matches_the_wald_formula_and_prints_as_published() -> None:
    r = rate(1310, 1567)  # an audit of about the published size
    p = 1310 / 1567
    half = 1.959963984540054 * math.sqrt(p * (1 - p) / 1567)
    assert r.rate == pytest.approx(p)
    assert r.margin == pytest.approx(half)
    assert r.text() == f"{p * 100:.1f} percent (+/- {half * 100:.2f} percent)"
    assert "normal approximation" in r.method


def test_wilson_and_clopper_pearson_against_reference_values() -> None:
    # 8 of 10: Wilson (0.4902, 0.9433); Clopper-Pearson (0.4439, 0.9748) (Newcombe 1998, table I)
    w = rate(8, 10, "wilson")
    assert (round(w.low, 4), round(w.high, 4)) == (0.4902, 0.9433)
    cp = rate(8, 10, "clopper-pearson")
    assert (round(cp.low, 4), round(cp.high, 4)) == (0.4439, 0.9748)
    # Clopper-Pearson from the beta distribution directly
    from scipy.stats import beta
    assert cp.low == pytest.approx(beta.ppf(0.025, 8, 3))
    assert cp.high == pytest.approx(beta.ppf(0.975, 9, 2))


def test_small_counts_are_handled_honestly() -> None:
    none = rate(0, 0)
    assert none.rate is None and "no crimes identified" in none.warning
    assert none.text().startswith("no rate")
    tiny = rate(3, 4)
    assert "treat the rate with caution" in tiny.warning and "unreliable" in tiny.warning
    assert rate(100, 100, "wilson").high == 1.0
    with pytest.raises(ValueError):
        rate(5, 4)


def test_finite_population_correction_narrows_the_normal_interval() -> None:
    plain, fpc = rate(80, 100), rate(80, 100, population=200)
    assert fpc.margin == pytest.approx(plain.margin * math.sqrt(100 / 199))


def test_stratified_ratio_estimate_against_a_hand_computation() -> None:
    # stratum A: 1,000 records, 4 sampled; stratum B: 100 records, 4 sampled (B oversampled)
    a = Stratum(1000, ((1, 1), (0, 1), (2, 2), (0, 0)))
    b = Stratum(100, ((0, 1), (0, 2), (1, 1), (1, 1)))
    r = stratified_rate([a, b])
    y = 1000 / 4 * 3 + 100 / 4 * 2
    x = 1000 / 4 * 4 + 100 / 4 * 5
    ratio = y / x
    assert r.rate == pytest.approx(ratio)  # 0.7, where the unweighted 5/9 = 0.556 over-counts stratum B

    def part(n_pop, recs):  # noqa: ANN001, ANN202
        d = [yy - ratio * xx for yy, xx in recs]
        m = sum(d) / len(d)
        s2 = sum((v - m) ** 2 for v in d) / (len(d) - 1)
        return n_pop ** 2 * (1 - len(recs) / n_pop) * s2 / len(recs)

    half = 1.959963984540054 * math.sqrt(part(1000, a.records) + part(100, b.records)) / x
    assert r.low == pytest.approx(ratio - half)
    assert r.high == 1.0  # clipped: a rate cannot exceed 100 percent
    assert "ratio estimate" in r.method


def test_stratified_equals_plain_rate_under_proportional_allocation() -> None:
    a = Stratum(400, ((1, 1), (0, 1), (2, 2), (1, 2)))
    b = Stratum(200, ((0, 1), (1, 1)))
    assert stratified_rate([a, b]).rate == pytest.approx(5 / 8)


def test_unrecorded_estimate_reproduces_the_published_figure() -> None:
    # "a force recording 83.6% with about 59,000 recorded crimes a year fails to record over 11,600"
    r = rate(836, 1000)
    est = unrecorded_estimate(59_000, r)
    assert est is not None
    assert 11_500 < est.value < 11_700
    assert est.low < est.value < est.high
    assert unrecorded_estimate(59_000, rate(0, 0)) is None
