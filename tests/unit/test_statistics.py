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


def test_stratified_estimate_against_a_hand_computation() -> None:
    strata = [Stratum(population=9000, sampled=300, recorded=240, identified=300),
              Stratum(population=1000, sampled=300, recorded=150, identified=300)]
    r = stratified_rate(strata)
    w1, w2 = 0.9, 0.1
    p1, p2 = 0.8, 0.5
    assert r.rate == pytest.approx(w1 * p1 + w2 * p2)  # 0.77, not the unweighted 0.65
    var = (w1 ** 2 * (1 - 300 / 9000) * p1 * (1 - p1) / 299 + w2 ** 2 * (1 - 300 / 1000) * p2 * (1 - p2) / 299)
    assert r.margin == pytest.approx(1.959963984540054 * math.sqrt(var))


def test_unrecorded_estimate_reproduces_the_published_figure() -> None:
    # "a force recording 83.6% with about 59,000 recorded crimes a year fails to record over 11,600"
    r = rate(836, 1000)
    est = unrecorded_estimate(59_000, r)
    assert est is not None
    assert 11_500 < est.value < 11_700
    assert est.low < est.value < est.high
    assert unrecorded_estimate(59_000, rate(0, 0)) is None
