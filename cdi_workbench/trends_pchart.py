"""A p-chart across a series of audits (Shewhart control chart for proportions): the centre line is the pooled
proportion of the segment's audits, each audit's limits centre +/- 3 sqrt(centre (1 - centre) / n_i), cut to
0% and 100%; an audit outside its limits is a signal, more than the sampling noise of its own sample size.

Where an audit's crimes come clustered in records (a recording rate's design effect above 1, Kish), n_i is its
effective sample size, n_i divided by the design effect, so its limits are as wide as the information it holds.

Each segment of the series (split where the rules or the audit method change, trends_points.segments) has its own
centre line: audits under different methods are never pooled.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .trends_points import AuditPoint, Break, figure_label, segments

PCHART_METHOD = "p-chart, 3-sigma limits"
ABOVE, BELOW = "above the upper limit", "below the lower limit"


def _pc(x: float) -> str:
    return f"{x * 100:.1f}%"


@dataclass(frozen=True)
class ChartPoint:
    name: str
    k: int
    n: int
    rate: float | None  # None where nothing was counted
    lower: float | None  # the control limits, None where not defined
    upper: float | None
    signal: str  # ABOVE, BELOW or ''
    text: str


@dataclass(frozen=True)
class ChartSegment:
    centre: float | None  # the pooled proportion of the segment (or of its baseline)
    points: tuple[ChartPoint, ...]
    break_before: Break | None
    baseline: tuple[str, ...]  # the audits the centre line was set from
    text: str


@dataclass(frozen=True)
class PChart:
    figure: str
    segments: tuple[ChartSegment, ...]
    sigmas: float = 3.0
    method: str = PCHART_METHOD

    @property
    def points(self) -> list[ChartPoint]:
        return [p for s in self.segments for p in s.points]

    @property
    def signals(self) -> list[ChartPoint]:
        return [p for p in self.points if p.signal]

    @property
    def breaks(self) -> list[Break]:
        return [s.break_before for s in self.segments if s.break_before is not None]

    @property
    def text(self) -> str:
        head = f"{figure_label(self.figure)} ({self.method}):"
        parts = [s.text for s in self.segments] or ["no audits."]
        return " ".join([head, *parts])


def _segment(pts: list[AuditPoint], figure: str, sigmas: float, baseline: int | None,
             brk: Break | None) -> ChartSegment:
    base = pts if baseline is None else pts[:baseline]
    kb = sum(p.count(figure)[0] for p in base)
    nb = sum(p.count(figure)[1] for p in base)
    centre = kb / nb if nb else None
    out = []
    for p in pts:
        k, n = p.count(figure)
        if n == 0:
            out.append(ChartPoint(p.name, k, n, None, None, None, "", f"{p.name}: not defined (nothing counted)"))
            continue
        r = k / n
        if centre is None or centre in (0.0, 1.0):
            why = "no centre line" if centre is None else f"centre line at {_pc(centre)}"
            out.append(ChartPoint(p.name, k, n, r, None, None, "",
                                  f"{p.name}: {_pc(r)} ({k} of {n}); limits not defined ({why})"))
            continue
        _, n_eff, deff = p.effective(figure)  # n / deff: crimes clustered in records
        half = sigmas * math.sqrt(centre * (1 - centre) / n_eff)
        lo, hi = max(0.0, centre - half), min(1.0, centre + half)
        signal = ABOVE if r > hi else BELOW if r < lo else ""
        text = (f"{p.name}: {_pc(r)} ({k} of {n}), limits {_pc(lo)} to {_pc(hi)}"
                + (f" (design effect {deff:.2f}: effective sample {n_eff:.0f})" if deff > 1 else ""))
        out.append(ChartPoint(p.name, k, n, r, lo, hi, signal, text + (f": {signal}" if signal else "")))
    names = tuple(p.name for p in base)
    return ChartSegment(centre, tuple(out), brk, names, _words(centre, out, brk, names, len(pts)))


def _words(centre: float | None, pts: list[ChartPoint], brk: Break | None, baseline: tuple[str, ...],
           size: int) -> str:
    lead = (brk.text + " ") if brk is not None else ""
    first, last = pts[0].name, pts[-1].name
    span = first if first == last else f"{first} to {last}"
    if centre is None:
        return f"{lead}{span}: centre line not defined (nothing counted)."
    base = "" if len(baseline) == size else f", set from {baseline[0]} to {baseline[-1]}"
    head = f"{lead}{span}: centre line {_pc(centre)}{base}"
    if centre in (0.0, 1.0):
        which = "counted" if len(baseline) == size else "of the baseline"
        return f"{head}; control limits not defined (every audit {which} is at {_pc(centre)}: no variation to chart)."
    if size == 1:
        return f"{head}; one audit, nothing to compare yet."
    above = [p.name for p in pts if p.signal == ABOVE]
    below = [p.name for p in pts if p.signal == BELOW]
    if not above and not below:
        return f"{head}; every audit within its limits: the variation is within sampling noise."
    said = []
    if above:
        said.append(f"{', '.join(above)} {ABOVE}")
    if below:
        said.append(f"{', '.join(below)} {BELOW}")
    return f"{head}; {' and '.join(said)}: more than sampling noise, the rate has changed."


def p_chart(points: Iterable[AuditPoint], figure: str, sigmas: float = 3.0, baseline: int | None = None) -> PChart:
    """The p-chart of a figure across a series, one centre line per segment. baseline: set each segment's centre
    line from its first `baseline` audits only (a reference period), else from all of them."""
    if baseline is not None and baseline < 1:
        raise ValueError("the baseline must hold at least one audit")
    segs = tuple(_segment(pts, figure, sigmas, baseline, brk) for brk, pts in segments(points))
    method = PCHART_METHOD if sigmas == 3.0 else f"p-chart, {sigmas:g}-sigma limits"
    return PChart(figure, segs, sigmas, method)
