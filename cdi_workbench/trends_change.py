"""The change of a figure between two audits: the difference of two independent proportions with Newcombe's hybrid
score interval (Newcombe 1998, method 10) and a two-sided score test, said in words: more than sampling noise or not.
Where an audit's crimes come clustered in records (a recording rate whose design effect is above 1), its counts enter
both as its effective sample size, n divided by the design effect (Kish 1965), and a note says so.

Audits under different rules or methods are refused (no figure, the reason in words); a difference with no audit
counted on one side is "not defined". Across a series, the changes between consecutive audits are tested together
with Holm's adjustment, so that eleven month-to-month comparisons do not raise a false alarm one year in two.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .trends_points import AuditPoint, Break, break_reason, figure_label, overlap_note, segments

CHANGE_METHOD = "Newcombe hybrid score interval, difference of proportions"
TEST_METHOD = "two-sided score test of equal proportions (pooled two-proportion z-test)"
HOLM = "Holm's step-down adjustment for the several comparisons"
MORE, WITHIN, EDGE = "more than sampling noise", "within sampling noise", "on the edge of sampling noise"
REFUSED, UNDEFINED = "not compared", "not defined"


@dataclass(frozen=True)
class Change:
    """The change of `figure` from audit `before` to audit `after` (after minus before, as proportions)."""

    figure: str
    before: str
    after: str
    counts: tuple[int, int, int, int]  # k and n before, k and n after
    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    verdict: str  # MORE, WITHIN, EDGE, REFUSED or UNDEFINED
    text: str  # the sentence, e.g. "Up 12.3 points (95% CI 4.1 to 20.2): more than sampling noise (p = 0.004)."
    confidence: float = 0.95
    method: str = CHANGE_METHOD
    test: str = TEST_METHOD
    reason: str = ""  # why not compared or not defined
    notes: tuple[str, ...] = ()
    adjusted_p: float | None = None  # with Holm's adjustment, in a scan of a series (changes())

    @property
    def significant(self) -> bool:
        """True only where the change is more than sampling noise."""
        return self.verdict == MORE

    def describe(self) -> str:
        """The figure, the audits, the sentence, the method, and any notes."""
        out = f"{figure_label(self.figure)}, {self.before} to {self.after}: {self.text}"
        if self.verdict not in (REFUSED, UNDEFINED):
            out += f" Method: {self.method}; {self.test}" + (f"; {HOLM}" if self.adjusted_p is not None else "") + "."
        return out + "".join(f" Note: {n}." for n in self.notes)


def _pts(x: float) -> str:
    return f"{x * 100:.1f}".replace("-0.0", "0.0")


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _counts(before: AuditPoint, after: AuditPoint, figure: str) -> tuple[int, int, int, int]:
    return (*before.count(figure), *after.count(figure))


def change(before: AuditPoint, after: AuditPoint, figure: str, confidence: float = 0.95) -> Change:
    """The change of a figure between two audits (after minus before). Never raises for 0%, 100% or n = 0."""
    counts = _counts(before, after, figure)
    k1, n1, k2, n2 = counts
    why = break_reason(before, after)
    if why:
        return Change(figure, before.name, after.name, counts, None, None, None, None, REFUSED,
                      f"Not compared: {why}.", confidence, reason=why)
    empty = [p.name for p, n in ((before, n1), (after, n2)) if n == 0]
    if empty:
        why = f"nothing counted in {' and '.join(empty)} (n = 0), so there is no rate to compare"
        return Change(figure, before.name, after.name, counts, None, None, None, None, UNDEFINED,
                      f"Change not defined: {why}.", confidence, reason=why)
    from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

    alpha = 1 - confidence
    diff = k2 / n2 - k1 / n1
    # crimes clustered in records: each audit's counts as its effective sample size (n / design effect, Kish), so a
    # record's three crimes recorded together weigh as the one decision they were
    e1, m1, d1 = before.effective(figure)
    e2, m2, d2 = after.effective(figure)
    with warnings.catch_warnings():  # statsmodels divides by zero for the ratio and odds ratio at 0% or 100%
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = (float(x) for x in confint_proportions_2indep(e2, m2, e1, m1, method="newcomb",
                                                                    compare="diff", alpha=alpha))
        pooled = (k1 + k2) / (n1 + n2)
        p: float | None = None
        if 0 < pooled < 1:
            res = test_proportions_2indep(e2, m2, e1, m1, method="score", compare="diff", correction=False)
            p = float(res.pvalue)
            if math.isnan(p):
                p = None
    notes = tuple(filter(None, [overlap_note(before, after), census_note(before, after, figure),
                                clustering_note(before, after, d1, d2)]))
    verdict, tail = _verdict(low, high, p, alpha, pooled)
    level = f"{confidence * 100:g}% CI {_pts(low)} to {_pts(high)}"
    if round(diff * 1000) == 0:
        head = f"No change ({_pts(abs(diff))} points; {level})"
    else:
        head = f"{'Up' if diff > 0 else 'Down'} {_pts(abs(diff))} points ({level})"
    return Change(figure, before.name, after.name, counts, diff, low, high, p, verdict, f"{head}: {tail}.",
                  confidence, notes=notes)


def clustering_note(before: AuditPoint, after: AuditPoint, d1: float, d2: float) -> str:
    """Said where a design effect above 1 widened the comparison (crimes clustered in records)."""
    if d1 <= 1 and d2 <= 1:
        return ""
    return (f"crimes come clustered in records, so each audit's crimes count as its effective sample size, n divided "
            f"by the design effect of its design-weighted rate ({before.name}: {d1:.2f}; {after.name}: {d2:.2f}; "
            f"Kish 1965)")


def census_note(before: AuditPoint, after: AuditPoint, figure: str) -> str:
    """Said where an audit counted every record of its frame (its rate has no sampling error): the test still
    treats each month's recording as a sample of the force's practice, so 'sampling noise' means month-to-month
    variation a steady practice would show."""
    whole = [p.name for p in (before, after)
             if (n := p.count(figure)[1]) and abs(p.populations.get(figure, -1.0) - n) < 1e-6]
    if not whole:
        return ""
    which = " and ".join(whole)
    return (f"{which} audited every record of {'its frame' if len(whole) == 1 else 'their frames'}, so "
            f"{'its rate has' if len(whole) == 1 else 'their rates have'} no sampling error; the test treats each "
            f"month as a sample of the force's recording practice, so 'sampling noise' is the variation a steady "
            f"practice would show from month to month")


def _verdict(low: float, high: float, p: float | None, alpha: float, pooled: float) -> tuple[str, str]:
    excludes = low > 0 or high < 0
    if p is None:  # both audits at 0% or both at 100%: no variation, no test
        edge = "0%" if pooled == 0 else "100%"
        return WITHIN, f"{WITHIN} (p-value not defined: both audits are at {edge})"
    if excludes and p < alpha:
        return MORE, f"{MORE} ({_p_text(p)})"
    if not excludes and p >= alpha:
        return WITHIN, f"{WITHIN} ({_p_text(p)})"
    return EDGE, (f"{EDGE} ({_p_text(p)}; the interval and the test disagree, so it is not counted as more than "
                  f"sampling noise)")


@dataclass(frozen=True)
class ChangeScan:
    """The changes between consecutive audits of a series, tested together (Holm), and the breaks."""

    figure: str
    changes: tuple[Change, ...]
    breaks: tuple[Break, ...]
    confidence: float = 0.95

    @property
    def flagged(self) -> list[Change]:
        return [c for c in self.changes if c.significant]

    @property
    def text(self) -> str:
        tested = [c for c in self.changes if c.verdict not in (REFUSED, UNDEFINED)]
        lines = [f"{figure_label(self.figure)}: {len(tested)} change{'s' if len(tested) != 1 else ''} between "
                 f"consecutive audits tested ({CHANGE_METHOD}; {TEST_METHOD}; {HOLM})."]
        if not tested:
            lines.append("Nothing to compare.")
        elif self.flagged:
            lines += [f"{c.before} to {c.after}: {c.text}" for c in self.flagged]
        else:
            lines.append("No change between consecutive audits is more than sampling noise.")
        lines += [b.text for b in self.breaks]
        return " ".join(lines)


def holm(pvalues: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values (Holm 1979), in the order given: the i-th smallest of m multiplied by
    m - i + 1, made non-decreasing, cut at 1. (statsmodels' multipletests gives the same, but runs a full garbage
    collection on every call: 50 ms or more in a loaded window.)"""
    m = len(pvalues)
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(sorted(range(m), key=lambda j: pvalues[j])):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        out[i] = running
    return out


def changes(points: Iterable[AuditPoint], figure: str, confidence: float = 0.95) -> ChangeScan:
    """Each change between consecutive audits (in order of period); a pair across a break is refused. A change
    is more than sampling noise only where its interval excludes no change and its p-value, adjusted by Holm's
    method over the changes tested, is below 1 - confidence."""
    segs = segments(points)
    raw: list[Change] = []
    breaks = [b for b, _ in segs if b is not None]
    flat = [p for _, seg in segs for p in seg]
    for a, b in zip(flat, flat[1:], strict=False):
        raw.append(change(a, b, figure, confidence))
    tested = {i: c.p_value for i, c in enumerate(raw) if c.p_value is not None}
    adjusted = dict(zip(tested, holm(list(tested.values())), strict=True))
    alpha = 1 - confidence
    out = []
    for i, c in enumerate(raw):
        if i not in adjusted:
            out.append(c)
            continue
        q = adjusted[i]
        assert c.p_value is not None and c.low is not None and c.high is not None
        excludes = c.low > 0 or c.high < 0
        verdict = MORE if excludes and q < alpha else WITHIN if not excludes and q >= alpha else EDGE
        tail = f"{verdict} ({_p_text(c.p_value)}; {_p_text(q)} after Holm's adjustment for {len(adjusted)} comparisons"
        tail += ")" if verdict != EDGE else "; the interval and the adjusted test disagree)"
        head = c.text.split(": ", 1)[0]
        out.append(replace(c, verdict=verdict, text=f"{head}: {tail}.", adjusted_p=q))
    return ChangeScan(figure, tuple(out), tuple(breaks), confidence)
