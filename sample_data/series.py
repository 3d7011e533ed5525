"""A year of monthly audits with a known trend and a known step change, for the trends (cdi_workbench.trends).

    from sample_data.series import monthly_series
    year = monthly_series(seed=7)                 # 12 months, 80% rising 0.3 points a month, +10 points at month 9
    year.points                                   # one cdi_workbench.trends.AuditPoint per month
    year.outcomes[0]                              # month 1, crime by crime: offence group, recorded, in time

Each month's audit identifies `crimes` crimes (one per sampled record), each recorded with the month's true rate:
base + slope x (month - 1), plus `step` from `step_month` on. Everything comes from the seed (random.Random), so a
test can check that the step is flagged and the month-to-month noise is not. Nothing is written to a database:
the programme's audits are built from these outcomes once the programme exists.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

from cdi_workbench.trends import AuditPoint

# offence groups of the crimes identified, and their shares (violence, sexual offences excluding rape, rape, other)
GROUP_SHARES = (("vap", 0.40), ("sexual", 0.10), ("rape", 0.05), ("other", 0.45))
WITHIN_LIMIT = 0.85  # of recorded crimes whose times are known, the share recorded within the time limit
TIME_NOT_KNOWN = 0.02  # of recorded crimes, the share with a time missing


@dataclass(frozen=True)
class Outcome:
    """One crime identified in a month's audit: its record, offence group, whether it was recorded, and whether
    in time (None when not recorded or the time is not known)."""

    record: int
    group: str
    recorded: bool
    within_limit: bool | None


@dataclass
class YearOfAudits:
    points: list[AuditPoint]
    truth: list[float]  # the true recording rate of each month
    outcomes: list[list[Outcome]] = field(default_factory=list)
    step_month: int | None = None  # the month (1-based) the step change takes effect
    break_month: int | None = None  # the month (1-based) from which the audit method differs

    def point(self, month: int) -> AuditPoint:
        return self.points[month - 1]


def true_rate(month: int, base: float = 0.80, slope: float = 0.003, step: float = 0.10,
              step_month: int | None = 9) -> float:
    """The known recording rate of a month (1-based)."""
    r = base + slope * (month - 1) + (step if step_month is not None and month >= step_month else 0.0)
    return min(1.0, max(0.0, r))


def _month(start: date, i: int) -> tuple[date, date]:
    import calendar

    index = start.year * 12 + start.month - 1 + i
    year, month = divmod(index, 12)
    return date(year, month + 1, 1), date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def counts(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    """The trend figures of one month's outcomes (named as cdi_workbench.trends.FIGURES)."""
    groups = {"all": ("vap", "sexual", "rape", "other"), "vap": ("vap",), "sexual_all": ("sexual", "rape"),
              "sexual": ("sexual",), "rape": ("rape",), "other": ("other",)}
    out = {}
    for key, members in groups.items():
        mine = [o for o in outcomes if o.group in members]
        out[f"recording_rates.{key}"] = (sum(o.recorded for o in mine), len(mine))
        timed = [o for o in mine if o.within_limit is not None]
        out[f"timeliness.{key}"] = (sum(bool(o.within_limit) for o in timed), len(timed))
    return out


def monthly_series(seed: int = 2016, months: int = 12, start: date = date(2016, 4, 1), base: float = 0.80,
                   slope: float = 0.003, step: float = 0.10, step_month: int | None = 9, crimes: int = 500,
                   rules: str = "2015", method_style: str = "2016-17", force: str = "Midshire Police",
                   break_month: int | None = None, style_after_break: str = "inspection-2014") -> YearOfAudits:
    """Monthly audits from `start`, each of `crimes` crimes identified, recorded at the month's true_rate. With
    step_month=None there is no step (slope=0 as well: no change at all, for false-alarm checks). With break_month
    the audits from that month on carry method_style `style_after_break` (a method break)."""
    rnd = random.Random(seed)
    names = [g for g, _ in GROUP_SHARES]
    cum = list(accumulate(share for _, share in GROUP_SHARES))
    points, truth, all_outcomes = [], [], []
    for i in range(months):
        month = i + 1
        p = true_rate(month, base, slope, step, step_month)
        outcomes = []
        for record in range(crimes):
            group = names[min(bisect(cum, rnd.random() * cum[-1]), len(names) - 1)]
            recorded = rnd.random() < p
            in_time: bool | None = None
            if recorded and rnd.random() >= TIME_NOT_KNOWN:
                in_time = rnd.random() < WITHIN_LIMIT
            outcomes.append(Outcome(record + 1, group, recorded, in_time))
        first, last = _month(start, i)
        style = style_after_break if break_month is not None and month >= break_month else method_style
        points.append(AuditPoint(f"{first:%B %Y}", first, last, rules, style, counts(outcomes), force))
        truth.append(p)
        all_outcomes.append(outcomes)
    return YearOfAudits(points, truth, all_outcomes, step_month, break_month)
