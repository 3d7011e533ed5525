"""The input of the trends (cdi_workbench.trends): one audit as a point of a series, its figures as counts.

An AuditPoint holds, per figure, k successes out of n trials (crimes recorded of crimes identified, cancellations
correct of reviewed, ...), so every trend figure is a proportion whose interval and change test are worked out
from the counts. point_from_findings builds one from an audit's findings (the `figures` mapping of
docs/findings-json.md). Audits under different rules, audit methods or forces are never compared silently:
break_reason says why two audits do not compare and segments splits a series there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from .findings_rates import RATE_GROUPS

if TYPE_CHECKING:
    from .findings import Findings

_CANCELLATION_GROUPS = {"rape": "rape", "sexual": "sexual offences (excluding rape)",
                        "vap": "violence against the person", "robbery": "robbery", "burglary": "burglary",
                        "other": "other offences"}


def _figure_labels() -> dict[str, str]:
    out = {}
    for key, label in RATE_GROUPS:
        out[f"recording_rates.{key}"] = f"Recording rate: {label}"
        out[f"timeliness.{key}"] = f"Recorded within the time limit: {label}"
    out["incidents.recorded"] = "Incident records: crimes recorded of crimes identified"
    out["incidents.correctly_classified"] = "Incident records: recorded crimes correctly classified"
    out["other_systems.recorded"] = "Other systems: crimes recorded of crimes identified"
    out["domestic_abuse.recorded"] = "Domestic abuse: crimes recorded of crimes identified"
    out["cancellations.total.correct"] = "Cancelled crimes correctly cancelled: all"
    for key, label in _CANCELLATION_GROUPS.items():
        out[f"cancellations.by_group.{key}.correct"] = f"Cancelled crimes correctly cancelled: {label}"
    out["disposals.total.offender_suitable"] = "Out-of-court disposals: offender suitable"
    out["disposals.total.made_aware"] = "Out-of-court disposals: offender made aware"
    out["disposals.total.victims_views_considered"] = "Out-of-court disposals: victim's views considered"
    return out


# the figures a trend can follow, named as in the findings JSON, and what each is in words
FIGURES: dict[str, str] = _figure_labels()


def figure_label(figure: str) -> str:
    """The figure in words ('Recording rate: All crimes (excluding fraud)'); the name itself if not known."""
    return FIGURES.get(figure, figure)


@dataclass(frozen=True)
class AuditPoint:
    """One audit as a point of a trend: its period, rules ('2014' or '2015'), audit method (a label such as
    'inspection-2014', '2016-17' or 'monthly dip-sample') and, per figure, (k, n): k successes out of n."""

    name: str
    period_start: date
    period_end: date
    rules: str
    method_style: str
    counts: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    force: str = ""
    # per figure, the population N of the finite population correction where the audit's findings applied one
    # (recording rates under the normal approximation with a sample frame); the series applies it the same way
    populations: Mapping[str, float] = field(default_factory=dict)
    # per figure, the design effect (statistics.design_effect, Kish) where crimes clustered in records make n crimes
    # worth fewer independent ones (above 1 only): the change test and the p-chart use n / deff, the effective
    # sample size (a recording rate's, from the audit's design-weighted rate; other figures treat crimes as
    # independent)
    design_effects: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.period_end < self.period_start:
            raise ValueError(f"audit {self.name!r}: its period ends before it starts")
        for figure, (k, n) in self.counts.items():
            if k < 0 or n < 0 or k > n:
                raise ValueError(f"audit {self.name!r}, {figure}: {k} out of {n} is not a proportion")

    def effective(self, figure: str) -> tuple[float, float, float]:
        """(k / deff, n / deff, deff): the figure's counts as the effective sample size (deff 1: as counted)."""
        k, n = self.count(figure)
        deff = max(1.0, float(self.design_effects.get(figure, 1.0)))
        return k / deff, n / deff, deff

    def count(self, figure: str) -> tuple[int, int]:
        """(k, n) for the figure; (0, 0) where the audit has no such figure (nothing counted)."""
        k, n = self.counts.get(figure, (0, 0))
        return int(k), int(n)

    @property
    def period_text(self) -> str:
        return f"{self.period_start:%d/%m/%Y} to {self.period_end:%d/%m/%Y}"


def counts_from_figures(fig: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """Every trend figure (FIGURES) of one audit's figures mapping (findings_figures.figures), as (k, n)."""
    out: dict[str, tuple[int, int]] = {}

    def put(name: str, k: Any, n: Any) -> None:
        out[name] = (int(k or 0), int(n or 0))

    for key, _ in RATE_GROUPS:
        r = fig.get("recording_rates", {}).get(key) or {}
        put(f"recording_rates.{key}", r.get("crimes_recorded"), r.get("crimes_identified"))
        t = fig.get("timeliness", {}).get(key) or {}
        # only crimes whose times are known and in order count (DOMAIN: "time not known" is reported apart)
        put(f"timeliness.{key}", t.get("within_limit"), (t.get("within_limit") or 0) + (t.get("outside_limit") or 0))
    inc = fig.get("incidents") or {}
    put("incidents.recorded", inc.get("crimes_recorded"), inc.get("crimes_identified"))
    put("incidents.correctly_classified", (inc.get("crimes_recorded") or 0) - (inc.get("wrongly_classified") or 0),
        inc.get("crimes_recorded"))
    oth = (fig.get("other_systems") or {}).get("total") or {}
    put("other_systems.recorded", oth.get("crimes_recorded"), oth.get("crimes_identified"))
    da = fig.get("domestic_abuse") or {}
    put("domestic_abuse.recorded", da.get("recorded"), da.get("crimes_identified"))
    canc = fig.get("cancellations") or {}
    tot = canc.get("total") or {}
    put("cancellations.total.correct", tot.get("correct"), tot.get("reviewed"))
    for key, c in (canc.get("by_group") or {}).items():
        put(f"cancellations.by_group.{key}.correct", c.get("correct"), c.get("reviewed"))
    disp = (fig.get("disposals") or {}).get("total") or {}
    put("disposals.total.offender_suitable", disp.get("offender_suitable"), disp.get("sampled"))
    put("disposals.total.made_aware", disp.get("made_aware"), disp.get("sampled"))
    put("disposals.total.victims_views_considered", disp.get("victims_views_considered"), disp.get("with_a_victim"))
    return out


def point_from_findings(findings: Findings, *, method_style: str, name: str = "") -> AuditPoint:
    """An audit's findings (findings.compute) as a point of a trend. method_style names the audit method (the
    programme knows it, the findings do not); name defaults to the audit's period. The counts are the unweighted
    ones (crimes recorded of crimes identified), whatever the findings' headline rate; a recording rate's design
    effect (crimes clustered in records) comes from its design-weighted rate."""
    from datetime import datetime

    from .findings_figures import figures

    info = findings.audit
    start = datetime.strptime(info["period_start"], "%d/%m/%Y").date()
    end = datetime.strptime(info["period_end"], "%d/%m/%Y").date()
    fig = figures(findings)
    populations = {f"recording_rates.{key}": float(r["fpc_population"])
                   for key, r in fig.get("recording_rates", {}).items()
                   if isinstance(r, dict) and r.get("fpc_population") is not None}
    from .statistics import design_effect

    effects = {f"recording_rates.{key}": d for key, r in findings.design_rates.items()
               if (d := design_effect(r)) is not None and d > 1}
    return AuditPoint(name or f"{start:%d/%m/%Y} to {end:%d/%m/%Y}", start, end, str(info.get("rule_set", "")),
                      method_style, counts_from_figures(fig), str(info.get("force") or ""), populations, effects)


def _rules_text(key: str) -> str:
    from .rules import rule_set

    try:
        return f"{key} rules, {rule_set(key).title}"
    except ValueError:
        return f"rules {key!r}"


def break_reason(a: AuditPoint, b: AuditPoint) -> str:
    """Why audits a and b must not be compared directly, in words; '' when they compare."""
    reasons = []
    if a.rules != b.rules:
        reasons.append(f"the rules changed ({a.name}: {_rules_text(a.rules)}; {b.name}: {_rules_text(b.rules)}), "
                       f"so the time limit and what counts as recorded in time differ")
    if a.method_style != b.method_style:
        reasons.append(f"the audit method changed ({a.name}: {a.method_style or 'not stated'}; {b.name}: "
                       f"{b.method_style or 'not stated'}): findings under different methods must not be compared "
                       f"directly")
    if a.force.strip().lower() != b.force.strip().lower() and a.force and b.force:
        reasons.append(f"the audits are of different forces ({a.force}; {b.force})")
    return "; ".join(reasons)


@dataclass(frozen=True)
class Break:
    """Where a series breaks: between audit `before` and audit `after`, and why (in words)."""

    before: str
    after: str
    reason: str

    @property
    def text(self) -> str:
        return f"Series breaks between {self.before} and {self.after}: {self.reason}."


def ordered(points: Iterable[AuditPoint]) -> list[AuditPoint]:
    """The audits in order of their periods (start, then end, then name)."""
    return sorted(points, key=lambda p: (p.period_start, p.period_end, p.name))


def segments(points: Iterable[AuditPoint]) -> list[tuple[Break | None, list[AuditPoint]]]:
    """The series (ordered by period) split where audits do not compare: each segment with the break before it
    (None for the first)."""
    out: list[tuple[Break | None, list[AuditPoint]]] = []
    for p in ordered(points):
        if out:
            last = out[-1][1][-1]
            why = break_reason(last, p)
            if not why:
                out[-1][1].append(p)
                continue
            out.append((Break(last.name, p.name, why), [p]))
        else:
            out.append((None, [p]))
    return out


def overlap_note(a: AuditPoint, b: AuditPoint) -> str:
    """A note where two audits' periods overlap (the same records may be in both samples)."""
    if a.period_start <= b.period_end and b.period_start <= a.period_end:
        return (f"the periods of {a.name} and {b.name} overlap: the same records may be in both samples, so the "
                f"samples may not be independent as the test assumes")
    return ""


# the selections of a trend: the latest audit, the one before it, and the audits of the last 6 or 12 months
WINDOWS = {"this_month": "this month", "last_month": "last month", "last_6_months": "the last 6 months",
           "last_12_months": "the last 12 months", "all": "all audits"}


def _months_back(d: date, months: int) -> date:
    """The first day of the month `months - 1` months before d's month (6 -> the 6 months ending with d's)."""
    index = d.year * 12 + d.month - 1 - (months - 1)
    year, month = divmod(index, 12)
    return date(year, month + 1, 1)


def until(points: Iterable[AuditPoint], name: str | None) -> list[AuditPoint]:
    """The audits up to and including the one called `name`, in order of period (None: all): a trend seen from a
    past month ends with it."""
    pts = ordered(points)
    if name is None:
        return pts
    at = next((i for i, p in enumerate(pts) if p.name == name), None)
    if at is None:
        raise ValueError(f"no audit called {name!r} in the series")
    return pts[: at + 1]


def window_of(points: Iterable[AuditPoint], window: str, upto: str | None = None) -> tuple[list[AuditPoint],
                                                                                          list[AuditPoint]]:
    """(the audits a window shows, seen from the audit `upto` (None: the latest); the audits up to the last one
    shown, for its change against the audit before it): 'last month' seen from March shows February, and its
    change is February's against January, never March's against February."""
    before = until(points, upto)
    chosen = select(before, window)
    return chosen, (until(before, chosen[-1].name) if chosen else [])


def select(points: Iterable[AuditPoint], window: str = "all") -> list[AuditPoint]:
    """The audits of a window (WINDOWS), in order of period. 'this_month' is the latest audit, 'last_month' the one
    before it; 'last_6_months' and 'last_12_months' the audits whose periods start within the 6 or 12 calendar
    months ending with the latest audit's last month."""
    if window not in WINDOWS:
        raise ValueError(f"unknown window {window!r}: one of {', '.join(WINDOWS)}")
    pts = ordered(points)
    if not pts or window == "all":
        return pts
    if window == "this_month":
        return pts[-1:]
    if window == "last_month":
        return pts[-2:-1]
    months = 6 if window == "last_6_months" else 12
    latest = max(p.period_end for p in pts)
    since = _months_back(latest, months)
    return [p for p in pts if p.period_start >= since]
