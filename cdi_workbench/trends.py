"""Trends across a programme of audits: any figure as a series with each audit's interval, the change between two
audits (Newcombe's interval for a difference of proportions, with a score test), a p-chart with control limits,
and the breaks where audits under different rules or methods must not be compared (HMICFRS, as the West Midlands
board note of 2017 warns: "Because of the change in methodology since CDI 2014 direct comparisons to earlier
findings must not be made").

The input is neutral (AuditPoint: an audit's period, rules, audit method and counts per figure), built from an
audit's findings with point_from_findings. Every result names its method beside its figures and says in words
what it comes to; nothing raises at 0%, 100% or with nothing counted, it says "not defined".

    points = [point_from_findings(f, method_style="2016-17", name=...) for f in each_audits_findings]
    s = series(points, "recording_rates.all", method="wilson", window="last_12_months")
    c = change(points[-2], points[-1], "recording_rates.all")   # c.text: "Up 3.1 points (95% CI ...): ..."
    chart = p_chart(points, "recording_rates.all")              # chart.signals, chart.text
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .statistics import METHODS, SHORT, Rate, rate
from .trends_change import (
    CHANGE_METHOD,
    EDGE,
    MORE,
    REFUSED,
    TEST_METHOD,
    UNDEFINED,
    WITHIN,
    Change,
    ChangeScan,
    change,
    changes,
)
from .trends_pchart import ABOVE, BELOW, PCHART_METHOD, ChartPoint, ChartSegment, PChart, p_chart
from .trends_points import (
    FIGURES,
    WINDOWS,
    AuditPoint,
    Break,
    break_reason,
    counts_from_figures,
    figure_label,
    ordered,
    point_from_findings,
    segments,
    select,
    until,
    window_of,
)

__all__ = ["AuditPoint", "Break", "Change", "ChangeScan", "ChartPoint", "ChartSegment", "PChart", "Series",
           "SeriesPoint", "FIGURES", "WINDOWS", "CHANGE_METHOD", "TEST_METHOD", "PCHART_METHOD", "MORE", "WITHIN",
           "EDGE", "REFUSED", "UNDEFINED", "ABOVE", "BELOW", "break_reason", "change", "changes",
           "counts_from_figures", "figure_label", "ordered", "p_chart", "point_from_findings", "segments", "select",
           "series", "latest_change", "until", "window_of", "window_trend"]


@dataclass(frozen=True)
class SeriesPoint:
    """One audit in a series: its rate and interval (statistics.Rate), and the segment it belongs to."""

    name: str
    period_start: str  # dd/mm/yyyy
    period_end: str
    rules: str
    method_style: str
    k: int
    n: int
    rate: Rate
    segment: int  # 0 for the first segment, 1 after the first break, ...

    @property
    def defined(self) -> bool:
        return self.rate.rate is not None

    @property
    def text(self) -> str:
        """'83.6% (80.1% to 86.9%)', '83.6% (+/- 1.79%)', '100.0% (interval not defined at 0% or 100%)' or
        'not defined (nothing counted)'."""
        r = self.rate
        if r.rate is None:
            return "not defined (nothing counted)"
        if not r.defined and not r.census:
            return f"{r.rate * 100:.1f}% (interval not defined at 0% or 100%)"
        return f"{r.rate * 100:.1f}% ({r.interval_text()})"


@dataclass(frozen=True)
class Series:
    figure: str
    window: str
    method: str  # the interval method's key (statistics.METHODS)
    points: tuple[SeriesPoint, ...]
    breaks: tuple[Break, ...]
    confidence: float = 0.95

    @property
    def label(self) -> str:
        return figure_label(self.figure)

    @property
    def method_text(self) -> str:
        """The interval method beside every point, e.g. 'Wilson score interval, 95%'."""
        fpc = any(p.rate.population is not None for p in self.points)
        return (f"{METHODS[self.method]}, {self.confidence * 100:g}%"
                + (", with the finite population correction where the audit applied one" if fpc else ""))

    @property
    def short(self) -> str:
        return SHORT[self.method]

    def rows(self) -> list[dict[str, object]]:
        """One row per audit with plain numbers (proportions 0-1; None where not defined), for Excel and JSON."""
        out: list[dict[str, object]] = []
        for p in self.points:
            r = p.rate
            defined = r.defined
            out.append({"audit": p.name, "period_start": p.period_start, "period_end": p.period_end,
                        "rules": p.rules, "method_style": p.method_style, "segment": p.segment, "k": p.k, "n": p.n,
                        "rate": r.rate, "lower": r.low if defined else None, "upper": r.high if defined else None,
                        "interval_method": r.method, "text": p.text})
        return out

    def segment(self, i: int) -> list[SeriesPoint]:
        return [p for p in self.points if p.segment == i]

    @property
    def text(self) -> str:
        """The series in words: each audit's rate and interval, the method, and any break."""
        head = f"{self.label}, {WINDOWS[self.window]} ({self.method_text}):"
        if not self.points:
            return f"{head} no audits."
        lines, seg = [head], 0
        for p in self.points:
            if p.segment != seg:
                seg = p.segment
                lines.append(self.breaks[seg - 1].text)
            lines.append(f"{p.name}: {p.text}.")
        return " ".join(lines)


def series(points: Iterable[AuditPoint], figure: str, method: str = "normal", window: str = "all",
           confidence: float = 0.95) -> Series:
    """The figure across the audits of a window (trends_points.WINDOWS), in order of period, each with its rate and
    interval by `method` (statistics.METHODS: 'normal', 'wilson', 'clopper-pearson'); the series breaks where the
    rules or the audit method change."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    chosen = select(points, window)
    out, breaks = [], []
    for i, (brk, seg) in enumerate(segments(chosen)):
        if brk is not None:
            breaks.append(brk)
        for p in seg:
            k, n = p.count(figure)
            out.append(SeriesPoint(p.name, f"{p.period_start:%d/%m/%Y}", f"{p.period_end:%d/%m/%Y}", p.rules,
                                   p.method_style, k, n, _rate(p, figure, k, n, method, confidence), i))
    return Series(figure, window, method, tuple(out), tuple(breaks), confidence)


def _rate(p: AuditPoint, figure: str, k: int, n: int, method: str, confidence: float) -> Rate:
    """The point's rate as its audit's findings gave it: with the finite population correction where the audit
    applied one (the normal approximation only; the other methods' text says it is not applied)."""
    population = p.populations.get(figure)
    if population is not None and population < n:  # a population below the sample: no correction, never a raise
        population = None
    return rate(k, n, method, confidence, population)


def window_trend(chosen: list[AuditPoint], context: list[AuditPoint], figure: str, method: str,
                 window: str) -> tuple[Series, Change | None, ChangeScan, PChart]:
    """A figure over the audits a window shows (window_of's `chosen`, named as `window`): its series, its latest
    change (that of the last audit shown, from `context`), the changes across it (Holm) and its p-chart."""
    s = replace(series(chosen, figure, method), window=window)
    return s, latest_change(context, figure), changes(chosen, figure), p_chart(chosen, figure)


def latest_change(points: Iterable[AuditPoint], figure: str, confidence: float = 0.95) -> Change | None:
    """This month against last month: the change from the audit before the latest to the latest (None with fewer
    than two audits)."""
    pts = ordered(points)
    if len(pts) < 2:
        return None
    return change(pts[-2], pts[-1], figure, confidence)
