"""programme_figures: the red/amber/green status by the interval, not the point."""

from __future__ import annotations

import pytest

from cdi_workbench.programme_figures import rag
from cdi_workbench.statistics import rate


@pytest.mark.parametrize(("k", "n", "target", "want"), [
    (95, 100, 90, "green"),  # 95% +/- 4.3%: the interval's lower end (90.7%) reaches 90%
    (92, 100, 90, "amber"),  # the point is above the target but the interval (86.7% to 97.3%) straddles it
    (80, 100, 90, "red"),  # the upper end (87.8%) is below the target
    (100, 100, 90, "green"),  # 100%: the normal interval is not defined; Wilson's (96.3% to 100%) decides
    (20, 20, 90, "amber"),  # Wilson at 20 of 20: 83.9% to 100%
    (0, 0, 90, "not rated"),
])
def test_rag_is_decided_by_the_interval(k: int, n: int, target: float, want: str) -> None:
    assert rag(rate(k, n), target) == want


def test_without_a_target_nothing_is_rated() -> None:
    assert rag(rate(95, 100), None) == "not rated"
    assert rag(None, 90) == "not rated"
