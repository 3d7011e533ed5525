"""An audit that counted every record of its frame (issue 14 review: the generated year, and a small force's
month): its rate has no sampling error. Every text said '+/- 0.00%' or '93.7% to 93.7%' beside a red/amber/green
that claimed 'the point alone never decides', Wilson gave an interval, and the change test spoke of sampling noise
without a word."""

from __future__ import annotations

from datetime import date

import pytest

from cdi_workbench.programme_figures import rag
from cdi_workbench.statistics import CENSUS, rate
from cdi_workbench.trends import AuditPoint, change


@pytest.mark.parametrize("method", ["normal", "wilson", "clopper-pearson"])
def test_a_census_has_no_sampling_error_by_any_method(method: str) -> None:
    r = rate(88, 96, method, population=96)
    assert r.census and r.low == r.high == r.rate == 88 / 96
    assert r.interval_text() == CENSUS and CENSUS in r.text()
    sample = rate(88, 96, method, population=400)
    assert not sample.census and sample.low < sample.rate < sample.high  # type: ignore[operator]
    assert "no sampling error" not in sample.interval_text()


def test_a_census_is_rated_by_its_rate() -> None:
    assert rag(rate(88, 96, population=96), 92) == "red"  # 91.7%: below the target, whatever its counts
    assert rag(rate(85, 96, population=96), 90) == "red"
    assert rag(rate(87, 96, population=96), 90) == "green"  # 90.6%: a census at or above the target
    assert rag(rate(96, 96, population=96), 95) == "green"  # 100%: the normal interval is not defined there
    assert rag(rate(87, 96, population=400), 90) == "amber"  # a sample straddling the target stays amber


def test_the_change_between_censuses_says_what_its_noise_means() -> None:
    before = AuditPoint("2016-05", date(2016, 5, 1), date(2016, 5, 31), "2015", "2016-17",
                        {"recording_rates.all": (80, 100)}, populations={"recording_rates.all": 100.0})
    after = AuditPoint("2016-06", date(2016, 6, 1), date(2016, 6, 30), "2015", "2016-17",
                       {"recording_rates.all": (90, 100)}, populations={"recording_rates.all": 400.0})
    c = change(before, after, "recording_rates.all")
    assert any("2016-05 audited every record of its frame" in n for n in c.notes)
    assert "2016-06" not in " ".join(c.notes)
