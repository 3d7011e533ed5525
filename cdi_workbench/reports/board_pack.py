"""The board pack (issue 14): what a force's crime data integrity board is shown each month, as data.

    pack = board_pack(db, audit="2016-06", method="normal")
    write_board_pdf(pack, "board.pdf")     # reports.board_pack_pdf (reportlab)
    write_board_xlsx(pack, "board.xlsx")   # reports.board_pack_excel (openpyxl)

For one audit of the programme (default: the latest) and the audits before it:

- each key rate (programme_figures.KEY_FIGURES): crimes recorded of crimes identified (k of n, unweighted, as the
  trends count them), its interval by the chosen method (named beside it), the force's target, the red/amber/green
  status decided by the interval (programme_figures.rag, RAG_METHOD stated with it), and the change since the
  previous audit in words (trends.latest_change);
- the trend of each key figure over the last 12 months of audits (trends.series with intervals, the p-chart and the
  test of change between consecutive audits in words); a series that breaks (rules or audit method changed) says
  why;
- the recording rate of the audit by owning unit with intervals (findings_units.findings_by_unit);
- completion: records audited of those drawn, per audit; figures of a part-finished audit are PROVISIONAL wherever
  they appear;
- the actions log (programme_figures.actions), overdue actions marked.

Pure Python: no Qt, no reportlab or openpyxl here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cdi_workbench.audit.programme import resolve
from cdi_workbench.programme_figures import (
    KEY_FIGURES,
    RAG_METHOD,
    Action,
    AuditFigures,
    Completion,
    actions,
    audits_figures,
    method_style,
    rag,
    targets,
)
from cdi_workbench.statistics import METHODS, SHORT, Rate
from cdi_workbench.timeutil import display, now_utc
from cdi_workbench.trends import (
    WINDOWS,
    AuditPoint,
    Change,
    ChangeScan,
    PChart,
    Series,
    SeriesPoint,
    changes,
    figure_label,
    latest_change,
    ordered,
    p_chart,
    series,
)

if TYPE_CHECKING:
    from cdi_workbench.storage.database import Database

BOARD_TITLE = "Crime data integrity board pack"
TREND_WINDOW = "last_12_months"
RATE_BASIS = ("Each rate is crimes recorded (or correct) of those counted in the audit's samples, unweighted, as the "
              "trend figures count them")
PROVISIONAL = "PROVISIONAL"
RAG_LABELS = {"green": "Green", "amber": "Amber", "red": "Red", "not rated": "Not rated"}


@dataclass(frozen=True)
class KeyRate:
    """One key figure of the audit: its point (k of n, rate, interval), target, status and change."""

    figure: str
    point: SeriesPoint | None  # None where the audit is not in the series (it always is: kept for safety)
    method: str  # the interval method in words, beside the figure
    target: float | None  # per cent
    status: str  # 'green', 'amber', 'red' or 'not rated' (programme_figures.rag)
    change: Change | None  # since the previous audit (None: the first audit)
    provisional: bool

    @property
    def label(self) -> str:
        return figure_label(self.figure)

    @property
    def rate(self) -> Rate | None:
        return self.point.rate if self.point is not None else None

    @property
    def value_text(self) -> str:
        r = self.rate
        return "not defined" if r is None or r.rate is None else f"{r.rate * 100:.1f}%"

    @property
    def counts_text(self) -> str:
        return "" if self.point is None else f"{self.point.k:,} of {self.point.n:,}"

    @property
    def interval_text(self) -> str:
        r = self.rate
        if r is None or r.rate is None:
            return "nothing counted"
        if r.census:
            return "no sampling error (every record audited)"
        if not r.defined:
            return "not defined at 0% or 100%"
        return f"{r.low * 100:.1f}% to {r.high * 100:.1f}%"  # type: ignore[operator]

    @property
    def target_text(self) -> str:
        return "no target set" if self.target is None else f"{self.target:g}%"

    @property
    def status_text(self) -> str:
        return RAG_LABELS.get(self.status, self.status)

    @property
    def change_text(self) -> str:
        if self.change is None:
            return "No previous audit to compare with."
        return self.change.text


@dataclass(frozen=True)
class FigureTrend:
    """A key figure across the audits of the window: the series with intervals, the p-chart, the test of change
    between consecutive audits, and the target."""

    figure: str
    series: Series
    chart: PChart
    scan: ChangeScan
    target: float | None
    provisional: tuple[str, ...]  # the audits in the series whose figures are provisional

    @property
    def label(self) -> str:
        return figure_label(self.figure)

    @property
    def words(self) -> list[str]:
        """The p-chart and the change test in words, then the breaks (each once)."""
        out = [self.chart.text, self.scan.text]
        if self.provisional:
            out.append(f"{PROVISIONAL}: {', '.join(self.provisional)} not finished (not every record drawn has "
                       f"been audited), so {'its figures' if len(self.provisional) == 1 else 'their figures'} may "
                       f"still change.")
        return out


@dataclass(frozen=True)
class UnitRate:
    unit: str
    rate: Rate

    @property
    def value_text(self) -> str:
        return "not defined" if self.rate.rate is None else f"{self.rate.rate * 100:.1f}%"

    @property
    def interval_text(self) -> str:
        r = self.rate
        if r.rate is None:
            return "nothing counted"
        return r.interval_text() if r.defined or r.census else "not defined at 0% or 100%"  # (a census first)


@dataclass(frozen=True)
class AuditCompletion:
    name: str
    period: str
    completion: Completion

    @property
    def provisional(self) -> bool:
        return not self.completion.finished

    @property
    def percent(self) -> float | None:
        c = self.completion
        return c.audited / c.drawn if c.drawn else None

    @property
    def progress_text(self) -> str:
        """'52 of 60 records audited', or 'no records drawn yet'."""
        c = self.completion
        return f"{c.audited:,} of {c.drawn:,} records audited" if c.drawn else "no records drawn yet"

    @property
    def state(self) -> str:
        if not self.completion.drawn:
            return "no records drawn yet"
        return "complete" if self.completion.finished else PROVISIONAL


@dataclass(frozen=True)
class BoardPack:
    force: str
    audit: str
    period: str  # 'dd/mm/yyyy to dd/mm/yyyy'
    rules: str  # the rule set's title
    closed: bool
    method: str  # statistics.METHODS key
    generated_at: str  # dd/mm/yyyy HH:MM
    completion: AuditCompletion  # the audit's own
    key_rates: tuple[KeyRate, ...]
    trends: tuple[FigureTrend, ...]
    units: tuple[UnitRate, ...]
    unit_notes: tuple[str, ...]
    completions: tuple[AuditCompletion, ...]  # each audit of the trend window, oldest first
    actions: tuple[Action, ...]
    window: str = TREND_WINDOW
    rag_method: str = RAG_METHOD

    @property
    def method_text(self) -> str:
        return f"{METHODS[self.method]}, 95%"

    @property
    def method_short(self) -> str:
        return SHORT[self.method]

    @property
    def window_text(self) -> str:
        return WINDOWS[self.window]

    @property
    def provisional(self) -> bool:
        """The audit itself is part-finished: its figures are provisional wherever they appear."""
        return self.completion.provisional

    @property
    def provisional_audits(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.completions if c.provisional)

    @property
    def provisional_text(self) -> str:
        """What the pages holding a part-finished audit's figures say."""
        names = self.provisional_audits
        if not names:
            return ""
        parts = [f"{c.name}: {c.progress_text}" for c in self.completions if c.provisional]
        return f"{PROVISIONAL}: figures of a part-finished audit ({'; '.join(parts)}) may still change"

    @property
    def overdue(self) -> list[Action]:
        return [a for a in self.actions if a.overdue]

    def key_rate(self, figure: str) -> KeyRate:
        return next(k for k in self.key_rates if k.figure == figure)

    def trend(self, figure: str) -> FigureTrend:
        return next(t for t in self.trends if t.figure == figure)


def _period(p: AuditPoint) -> str:
    return p.period_text


def window_figures(db: Database, method: str = "normal", audit: str | None = None,
                   window: str = TREND_WINDOW) -> list[AuditFigures]:
    """programme_figures.audits_figures for only the audits a trend of `window` up to `audit` (None: the latest)
    shows, and the one before the first of them (the change of a window holding one audit is against it): the
    window is trends.select's, applied to the audits' periods, so the others' findings are never worked out."""
    from cdi_workbench.audit.programme import summaries
    from cdi_workbench.trends import select

    with db.session() as s:
        name = resolve(s, audit).name
        listed = [(a.name, a.period_start, a.period_end, a.rule_set, method_style(s, a.name)) for a in summaries(s)]
    bare = ordered(AuditPoint(n, start, end, rules, style) for n, start, end, rules, style in listed)
    upto = bare[: next(i for i, p in enumerate(bare) if p.name == name) + 1]
    shown = {p.name for p in select(upto, window)}
    first = next(i for i, p in enumerate(upto) if p.name in shown)
    wanted = {p.name for p in upto[max(0, first - 1):]}
    return audits_figures(db, method, wanted)


def board_pack(db: Database, audit: str | None = None, method: str = "normal", who: str | None = None,
               figures: list[AuditFigures] | None = None) -> BoardPack:
    """The board pack of `audit` (None: the latest) with intervals by `method` (statistics.METHODS). With `who`,
    the person must be one who may see the findings ('report'). `figures`: audits_figures(db, method) (or
    window_figures) when the caller has them already (the trend view), else those of the trend window worked out
    here."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    if who is not None:
        from cdi_workbench.audit.roles import require

        require(db, who, "report")
    with db.session() as s:
        a = resolve(s, audit)
        name = a.name or ""
    every = figures if figures is not None else window_figures(db, method, name)
    chosen = next((f for f in every if f.name == name), None)
    if chosen is None:
        raise ValueError(f"the audit {name!r} has no figures")
    # the audit and those before it (in order of period): a pack for a past month shows the trend up to it
    pts = ordered(f.point for f in every)
    upto = pts[: next(i for i, p in enumerate(pts) if p.name == name) + 1]
    done = {f.name: f.completion for f in every}
    info = chosen.findings.audit
    wanted = targets(db)
    trends: list[FigureTrend] = []
    keys: list[KeyRate] = []
    for figure in KEY_FIGURES:
        s_ = series(upto, figure, method=method, window=TREND_WINDOW)
        in_window = [p.name for p in s_.points]
        window_pts = [p for p in upto if p.name in in_window]
        provisional = tuple(n for n in in_window if not done[n].finished)
        target = wanted.get(figure)
        trends.append(FigureTrend(figure, s_, p_chart(window_pts, figure), changes(window_pts, figure), target,
                                  provisional))
        mine = next((p for p in s_.points if p.name == name), None)
        keys.append(KeyRate(figure, mine, s_.method_text, target, rag(mine.rate if mine else None, target),
                            latest_change(upto, figure), not done[name].finished))
    window_names = {p.name for t in trends for p in t.series.points}
    completions = tuple(AuditCompletion(p.name, _period(p), done[p.name]) for p in upto if p.name in window_names)
    units, notes = _units(db, method, name)
    return BoardPack(force=str(info.get("force") or ""), audit=name, period=_period(chosen.point),
                     rules=str(info.get("rule_set_title") or info.get("rule_set") or ""),
                     closed=bool(info.get("audit_closed")), method=method, generated_at=display(now_utc()),
                     completion=AuditCompletion(name, _period(chosen.point), done[name]), key_rates=tuple(keys),
                     trends=tuple(trends), units=units, unit_notes=notes, completions=completions,
                     actions=tuple(actions_upto(db, name)))


def actions_upto(db: Database, audit: str) -> list[Action]:
    """The actions log as a pack for `audit` shows it: those raised in it or in an audit before it (by period), and
    any whose audit is unknown; never one raised in a later month (a pack for June lists no December action)."""
    from cdi_workbench.audit.programme import summaries

    with db.session() as s:
        starts = {a.name: a.period_start for a in summaries(s)}
    this = starts.get(audit)
    return [x for x in actions(db)
            if this is None or starts.get(x.raised_in) is None or starts[x.raised_in] <= this]


def _units(db: Database, method: str, audit: str) -> tuple[tuple[UnitRate, ...], tuple[str, ...]]:
    """The recording rate (all crimes, excluding fraud) of each owning unit, with its interval."""
    from cdi_workbench.findings_units import findings_by_unit
    from cdi_workbench.statistics import rate

    by = findings_by_unit(db, method=method, audit=audit)
    out = []
    for unit, f in by.units.items():
        r = f.rates.get("all") or rate(0, 0, method)
        out.append(UnitRate(unit, r))
    return tuple(out), tuple(by.notes)


def write_board_pack(pack: BoardPack, pdf: str | Path | None = None, xlsx: str | Path | None = None,
                     password: str | None = None) -> list[Path]:
    """Write the pack's PDF and/or workbook (each complete or not at all); with `password`, both protected."""
    written = []
    if pdf:
        from .board_pack_pdf import write_board_pdf

        written.append(write_board_pdf(pack, pdf, password))
    if xlsx:
        from .board_pack_excel import write_board_xlsx

        written.append(write_board_xlsx(pack, xlsx, password))
    return written
