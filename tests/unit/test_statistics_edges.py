"""The rates at their edges, as published practice and the formulas have them (each of these failed before the
margins, estimates and frames were put in line with published practice: git show 5d49f11:cdi_workbench/statistics.py).
"""

from __future__ import annotations

import math

import pytest

from cdi_workbench.statistics import (
    Stratum,
    check_strata,
    design_effect,
    design_rate,
    fpc,
    rate,
    stratified_rate,
    unrecorded_estimate,
)

Z = 1.959963984540054


def test_the_margin_at_an_edge_is_the_formulas_not_half_the_cut_interval() -> None:
    """29 of 30: the formula gives +/- 6.42%; the upper bound is cut at 100%, which must not shrink the margin
    printed to half the cut interval (4.88%)."""
    r = rate(29, 30)
    p = 29 / 30
    half = Z * math.sqrt(p * (1 - p) / 30)
    assert f"{half * 100:.2f}" == "6.42"
    assert f"{(1 - (p - half)) / 2 * 100:.2f}" == "4.88"  # what half the cut interval gives
    assert r.margin == pytest.approx(half)
    assert (r.low, r.high) == (pytest.approx(p - half), 1.0)
    assert r.high_cut and not r.low_cut
    assert r.interval_text() == "+/- 6.42% (upper bound cut at 100%)"
    assert "4.88" not in r.text() and "+/- 6.42 percent" in r.text()
    # and at the other edge
    low = rate(1, 30)
    assert low.margin == pytest.approx(half) and low.low == 0.0 and low.low_cut
    assert low.interval_text() == "+/- 6.42% (lower bound cut at 0%)"


def test_the_margin_with_a_finite_population() -> None:
    """Published margins carry sqrt((N - n) / (N - 1)), N the crimes estimated in the sampled population."""
    r = rate(29, 30, population=300)
    half = Z * math.sqrt(29 / 30 / 30 / 30) * math.sqrt(270 / 299)
    assert r.margin == pytest.approx(half) and r.population == 300
    assert "N = 300" in r.method
    # a census: nothing left to estimate
    assert rate(29, 30, population=30).margin == 0.0
    # Wilson and Clopper-Pearson have no standard finite-population form, and say so
    w = rate(29, 30, "wilson", population=300)
    assert w.population is None and "not applied" in w.method


def test_an_estimate_whose_rate_reaches_zero_is_not_defined_above_and_never_infinite() -> None:
    """1 of 3 recorded: the interval's lower bound is cut at 0%, where recorded x (1 - p) / p is infinite; the
    estimate's upper end is 'not defined' (it raised OverflowError when printed)."""
    r = rate(1, 3)
    assert r.low == 0.0
    est = unrecorded_estimate(800, r)
    assert est is not None
    assert est.value == pytest.approx(800 * 2)
    assert est.low == pytest.approx(800 * (1 - r.high) / r.high)
    assert est.high is None
    assert est.interval_text() == f"{round(est.low):,} to not defined (the rate's lower bound is 0%)"
    assert all(math.isfinite(x) for x in (est.value, est.low))


def test_an_estimate_at_a_rate_of_100_percent_has_no_interval_rather_than_0_to_0() -> None:
    est = unrecorded_estimate(800, rate(3, 3))
    assert est is not None and est.value == 0
    assert (est.low, est.high) == (None, None)
    assert est.interval_text() == "not defined (the rate's interval is not defined)"
    assert "0 to 0" not in est.interval_text()
    # nothing recorded: no estimate at all
    assert unrecorded_estimate(800, rate(0, 3)) is None
    # Wilson at 100% has an interval, so the estimate does: 0 to something
    w = unrecorded_estimate(800, rate(3, 3, "wilson"))
    assert w is not None and w.low == 0 and w.high is not None and w.high > 0


@pytest.mark.parametrize("population, records, words", [
    (0, ((1, 1), (0, 1)), "gives a population of 0"),
    (-5, ((1, 1),), "gives a population of -5"),
    (1, ((1, 1), (0, 1)), "smaller than the 2 records sampled from it"),
])
def test_an_impossible_frame_is_refused_with_a_clear_message(population: int, records: tuple, words: str) -> None:
    strata = [Stratum(100, ((1, 1), (1, 2))), Stratum(population, records, "Incidents, Rape")]
    for f in (check_strata, design_rate, stratified_rate):
        with pytest.raises(ValueError, match=words) as caught:
            f(strata)
        assert "'Incidents, Rape'" in str(caught.value)


def test_an_impossible_population_for_the_correction_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot hold a sample"):
        fpc(0, 5)
    with pytest.raises(ValueError, match="smaller than its sample"):
        fpc(3, 5)
    with pytest.raises(ValueError):
        rate(3, 5, population=4)
    assert fpc(5, 5) == 0.0 and fpc(None, 5) is None


def test_a_stratum_with_nothing_completed_is_named_and_contributes_nothing() -> None:
    done = Stratum(100, ((1, 1), (0, 1), (2, 2), (1, 1)), "Incidents, Violence against the person")
    empty = Stratum(40, (), "Incidents, Rape")
    d = design_rate([done, empty])
    assert d.rate.rate == pytest.approx(4 / 5)
    assert d.crimes_in_population == pytest.approx(100 / 4 * 5)
    assert len(d.notes) == 1 and "Incidents, Rape" in d.notes[0] and "no completed records" in d.notes[0]
    assert design_rate([done]).rate == d.rate  # the same estimate as without it


def test_a_stratum_of_one_record_says_how_its_variance_is_estimated() -> None:
    d = design_rate([Stratum(100, ((1, 1), (0, 1), (1, 1))), Stratum(50, ((1, 2),))])
    assert "single record" in d.rate.warning and "about the overall rate" in d.rate.warning
    # but a stratum taken whole (a census of one) has no variance to estimate and no warning
    assert "single record" not in design_rate([Stratum(100, ((1, 1), (0, 1))), Stratum(1, ((1, 2),))]).rate.warning


def test_strata_of_one_record_each_still_give_an_interval() -> None:
    """(a statistician's check) Three strata of one sampled record each (of 11, 11 and 21): the variance of each was
    left out, and the design-weighted rate printed +/- 0.00%. Each single record is now centred on the overall
    rate (R survey's lonely.psu = 'adjust'): var = sum N_h^2 (1 - 1/N_h) (y - R x)^2, by hand here."""
    strata = [Stratum(11, ((1, 1),)), Stratum(11, ((0, 1),)), Stratum(21, ((2, 3),))]
    d = design_rate(strata)
    y = 11 * 1 + 11 * 0 + 21 * 2
    x = 11 * 1 + 11 * 1 + 21 * 3
    r = y / x
    var = sum(n ** 2 * (1 - 1 / n) * (yy - r * xx) ** 2 for n, ((yy, xx),) in ((s.population, s.records)
                                                                             for s in strata))
    assert d.rate.rate == pytest.approx(r)
    assert d.rate.half_width == pytest.approx(1.959963984540054 * math.sqrt(var) / x)
    assert d.rate.half_width > 0.1  # not +/- 0.00%
    assert "single record" in d.rate.warning


def test_the_design_effect_is_not_cancelled_by_a_large_sampling_fraction() -> None:
    """(a statistician's check) 100 records of 3 crimes, each record's crimes all recorded or none, drawn from a frame
    of 150 records: the design effect is about 3 whatever the frame (the FPC is on neither variance). It came out
    at 1.01, the FPC (1 - 100/150) having cancelled the clustering, so the change test took 300 crimes for 300
    independent ones."""
    records = tuple([(3, 3)] * 70 + [(0, 3)] * 30)
    small_frame = design_effect(design_rate([Stratum(150, records)]).rate)
    huge_frame = design_effect(design_rate([Stratum(10 ** 9, records)]).rate)
    assert small_frame == pytest.approx(huge_frame)
    assert small_frame == pytest.approx(3.0 * 100 / 99, rel=1e-9)  # s2 with n - 1 against p (1 - p) / n
