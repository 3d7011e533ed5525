"""The findings dashboard: tables that update as verdicts are entered, charts, and drill-down to records."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QTabWidget, QTextBrowser, QWidget

from cdi_workbench.agreement import Agreement, label
from cdi_workbench.findings import RATE_GROUPS, Cell, Findings, Table
from cdi_workbench.reports.common import (
    AGREEMENT_METHOD,
    ReviewFigures,
    agreement_groups,
    agreement_method,
    kappa_band,
    kappa_figure,
    kappa_interval,
    pabak_figure,
    percent_interval,
)

from .charts import RateChart, TimelinessChart
from .trends_view import TrendsView, render_team
from .widgets import named

if TYPE_CHECKING:  # the breakdown's module is imported when the By unit tab is first shown
    from cdi_workbench.findings_units import ByUnit
    from cdi_workbench.team_view import Team


def _figure(c: Cell) -> str:
    return escape(c.text) if c.text else f"{c.value:,}"


# columns of words, not figures (the method behind an interval, which rate an estimate used): read left-aligned
WORDS = frozenset({"Interval method", "Design-weighted method", "Rate used"})
WARNING_BOX = "bgcolor='#fde2c8' style='border:1px solid #b35c00'"


def _warnings(f: Findings) -> str:
    """What the findings must say (strata with nothing completed, refused frames, crimes linked to cancelled crime
    records, a previous audit that does not compare): above every table, marked and tinted."""
    if not f.warnings:
        return ""
    items = "".join(f"<li>{escape(w)}</li>" for w in f.warnings)
    return (f"<table cellspacing=0 cellpadding=4 width='100%'><tr><td {WARNING_BOX}><b>⚠ Read these figures with "
            f"{'this' if len(f.warnings) == 1 else 'these'} in mind:</b><ul style='margin:2px 0 0 -20px'>{items}"
            f"</ul></td></tr></table>")


def _headline_column(f: Findings, t: Table, row: str) -> int:
    """The recording rate a group's headline uses, bold in the table: the design-weighted one where records were
    sampled at different rates (Findings.headline), else the published-style one; -1 for other tables."""
    if t.key != "recording_rates":
        return -1
    key = next((k for k, lab in RATE_GROUPS if lab == row), "")
    column = "Design-weighted rate" if f.headline.get(key) == "design" else "Recording rate"
    return t.columns.index(column) if key and column in t.columns else -1


def _note(t: Table, warnings: list[str]) -> str:
    """A table's note, less what the warnings above already say."""
    note = t.note
    for w in warnings:
        note = note.replace(w, "")
    note = " ".join(note.split())
    return f"<p style='margin:1px 0 0 0'><small><i>{escape(note)}</i></small></p>" if note else ""


def render(f: Findings) -> str:
    parts = []
    for ti, t in enumerate(f.tables):
        if not any(c.value for r in t.rows for c in r.cells):
            continue
        align = ["left" if col in WORDS else "right" for col in t.columns]
        head = "".join(f"<th align={a}>{escape(c)}</th>" for a, c in zip(align, t.columns, strict=True))
        rows = []
        for ri, r in enumerate(t.rows):
            cells = []
            bold = _headline_column(f, t, r.label)
            for ci, c in enumerate(r.cells):
                shown = _figure(c)
                if c.items:  # every figure opens the records behind it
                    shown = f"<a href='drill:{ti}:{ri}:{ci}'>{shown}</a>"
                if ci == bold:
                    shown = f"<b>{shown}</b>"
                cells.append(f"<td align={align[ci]}>{shown}</td>")
            rows.append(f"<tr><td>{escape(r.label)}</td>{''.join(cells)}</tr>")
        parts.append(f"<p style='margin:8px 0 2px 0'><b>{escape(t.title)}</b></p>"
                     f"<table border=1 cellspacing=0 cellpadding=3 style='border-collapse:collapse'>"
                     f"<tr><th></th>{head}</tr>{''.join(rows)}</table>{_note(t, f.warnings)}")
    if not parts:
        return _warnings(f) + "<p><i>No completed verdicts yet.</i></p>"
    return (_warnings(f) + "<p><small>Click a figure to see the records behind it. In the recording rates the "
            "headline rate of each group is bold.</small></p>" + "".join(parts))


UNIT_WORDS = WORDS | {"Interval method"}
EMPTY_UNITS = ("No completed verdicts yet in this audit: each unit's figures appear here as verdicts are completed "
               "(each record counts in its owning unit, as the extract gave it).")


def render_by_unit(by: ByUnit | None) -> str:
    """The audit's findings by owning unit: one row per unit (records reviewed, crimes identified and recorded,
    failures, the recording rate with its interval), then each unit's recording rate per offence group; every
    figure a link to the records behind it."""
    if by is None:
        return "<p>Working out the findings by unit…</p>"
    if not by.units:
        return f"<p><i>{escape(EMPTY_UNITS)}</i></p>"
    parts = []
    if by.fpc_refused:
        parts.append(f"<table cellspacing=0 cellpadding=4 width='100%'><tr><td {WARNING_BOX}><b>⚠ No finite "
                     f"population correction by unit:</b> {escape(by.fpc_refused)}.</td></tr></table>")
    parts.append("<p><small>Click a figure to see the records behind it.</small></p>")
    for ti, t in enumerate(by.tables):
        if not t.rows:  # the rates by unit, before any crime is identified
            parts.append(f"<p style='margin:8px 0 2px 0'><b>{escape(t.title)}</b></p><p><i>None yet: no crime "
                         "identified in the records audited.</i></p>")
            continue
        align = ["left" if col in UNIT_WORDS else "right" for col in t.columns]
        head = "".join(f"<th align={a}>{escape(c)}</th>" for a, c in zip(align, t.columns, strict=True))
        rows = []
        for ri, r in enumerate(t.rows):
            cells = [f"<td align={align[ci]}>" + (f"<a href='unit:{ti}:{ri}:{ci}'>{_figure(c)}</a>" if c.items
                                                  else _figure(c)) + "</td>" for ci, c in enumerate(r.cells)]
            rows.append(f"<tr><td>{escape(r.label)}</td>{''.join(cells)}</tr>")
        parts.append(f"<p style='margin:8px 0 2px 0'><b>{escape(t.title)}</b></p>"
                     f"<table border=1 cellspacing=0 cellpadding=3 style='border-collapse:collapse'>"
                     f"<tr><th align=left>Unit</th>{head}</tr>{''.join(rows)}</table>")
    parts += [f"<p><small><i>{escape(n)}</i></small></p>" for n in by.notes]
    return "".join(parts)


EMPTY_AGREEMENT = ("Nothing has been peer reviewed yet: no record has both an auditor's and a reviewer's "
                   "completed verdict. Agreement per check appears here as reviews are completed.")


def _agreement_table(rows: list[Agreement], index: dict[int, int]) -> str:
    head = "".join(f"<th align={a}>{escape(h)}</th>" for a, h in (
        ("left", "Check"), ("right", "Pairs"), ("right", "Agreed"), ("right", "Differ"), ("right", "% agreement"),
        ("right", "95% CI"), ("right", f"Kappa: {AGREEMENT_METHOD}"), ("right", "Kappa 95% CI"),
        ("left", "Kappa method"), ("right", "PABAK"), ("left", "Landis and Koch (1977) band"),
        ("right", "Could not decide")))
    body = []
    for group, group_rows in agreement_groups(rows):
        body.append(f"<tr><td colspan=12 bgcolor='#eeeeee'><b>{escape(group)}</b></td></tr>")
        for a in group_rows:
            i = index[id(a)]
            pairs = f"<a href='agree:{i}:items'>{a.pairs:,}</a>"
            differ = a.pairs - a.agree
            differ_text = f"<a href='agree:{i}:differ'>{differ:,}</a>" if differ else "0"
            pct = "" if a.percent is None else f"{a.percent:.1f}%"
            method = a.kappa_method if a.kappa is not None else ""
            body.append(f"<tr><td>{escape(label(a.check))}</td><td align=right>{pairs}</td>"
                        f"<td align=right>{a.agree:,}</td><td align=right>{differ_text}</td>"
                        f"<td align=right>{pct}</td><td align=right>{escape(percent_interval(a))}</td>"
                        f"<td align=right>{kappa_figure(a)}</td><td align=right>{escape(kappa_interval(a))}</td>"
                        f"<td>{escape(method)}</td><td align=right>{pabak_figure(a)}</td>"
                        f"<td>{escape(kappa_band(a))}</td><td align=right>{_undecided(a, i)}</td></tr>")
    return (f"<table border=1 cellspacing=0 cellpadding=3 style='border-collapse:collapse'><tr>{head}</tr>"
            f"{''.join(body)}</table>")


def _undecided(a: Agreement, i: int) -> str:
    """Records where the reviewer could not decide the check: counted apart, never a pair."""
    return f"<a href='agree:{i}:undecided'>{a.undecided:,}</a>" if a.undecided else "0"


def _review_tables(review: ReviewFigures) -> str:
    """The lead's decisions and each auditor's agreement with the final verdict (review_outcomes), each figure a
    link to the records behind it."""
    parts = []
    for ti, t in enumerate(review.tables):
        head = "".join(f"<th align=right>{escape(c)}</th>" for c in t.columns)
        rows = []
        for ri, r in enumerate(t.rows):
            cells = [f"<td align=right><a href='rtable:{ti}:{ri}:{ci}'>{_figure(c)}</a></td>" if c.items
                     else f"<td align=right>{_figure(c)}</td>" for ci, c in enumerate(r.cells)]
            rows.append(f"<tr><td>{escape(r.label)}</td>{''.join(cells)}</tr>")
        parts.append(f"<p style='margin:10px 0 2px 0'><b>{escape(t.title)}</b></p>"
                     f"<table border=1 cellspacing=0 cellpadding=3 style='border-collapse:collapse'><tr><th></th>"
                     f"{head}</tr>{''.join(rows)}</table><p style='margin:1px 0 0 0'><small><i>{escape(t.note)}"
                     f"</i></small></p>")
    return "".join(parts)


def render_agreement(review: ReviewFigures | None) -> str:
    """Per check, overall then per auditor: pairs, agreed, differ, % agreement and kappa with their 95%
    intervals, the kappa's method, PABAK and the band (or why there is none, and any prevalence warning)."""
    if review is None or not review.agreement:
        return f"<p><i>{escape(EMPTY_AGREEMENT)}</i></p>"
    index = {id(a): i for i, a in enumerate(review.agreement)}
    parts = ["<p><small>Auditor's and peer reviewer's answers, record by record. Kappa is "
             f"{escape(AGREEMENT_METHOD)} (weighted, linear weights, for crimes identified); PABAK after Byrt, "
             "Bishop and Carlin (1993); bands after Landis and Koch (1977), from 30 pairs. Click a number of "
             "pairs or of records that differ to see the records.</small></p>",
             "<p style='margin:6px 0 2px 0'><b>All auditors</b></p>", _agreement_table(review.agreement_for(""), index)]
    for who in review.auditors:
        parts += [f"<p style='margin:10px 0 2px 0'><b>Auditor: {escape(who)}</b></p>",
                  _agreement_table(review.agreement_for(who), index)]
    parts.append(_review_tables(review))
    parts += [f"<p><small><i>{escape(p)}</i></small></p>" for p in agreement_method(review.percent_method)]
    return "".join(parts)


class FindingsView(QTabWidget):
    """Tables and charts; `drill(items, title)` when a figure is clicked."""

    drill = Signal(list, str)
    units_wanted = Signal()  # the By unit tab is shown and its figures are not those of the verdicts now
    trends_wanted = Signal()  # the Trends tab is shown and its figures are not those of the programme now
    team_wanted = Signal()  # the Team tab is shown and is not up to date

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Findings so far")
        self.browser = named(QTextBrowser(), "findings_tables")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._clicked)
        self.rate_chart = RateChart()
        self.time_chart = TimelinessChart()
        self.addTab(self.browser, "Tables")
        self.addTab(self.rate_chart, "Recording rates")
        self.addTab(self.time_chart, "Timeliness")
        self.findings: Findings | None = None
        self.agreement_browser = named(QTextBrowser(), "agreement_tables")
        self.agreement_browser.setOpenLinks(False)
        self.agreement_browser.anchorClicked.connect(self._agreement_clicked)
        self.addTab(self.agreement_browser, "Peer review agreement")
        self.review: ReviewFigures | None = None
        self.show_agreement(None)
        self.units_browser = named(QTextBrowser(), "units_tables")
        self.units_browser.setOpenLinks(False)
        self.units_browser.anchorClicked.connect(self._unit_clicked)
        self.addTab(self.units_browser, "By unit")
        self.by_unit: ByUnit | None = None
        self.units_stale = True  # worked out only while the tab is shown (findings_actions.refresh_units)
        self.show_by_unit(None)
        # the programme's trends and the team: worked out only while their tab is shown (findings_actions)
        self.trends_view = TrendsView()
        self.addTab(self.trends_view, "Trends")
        self.trends_stale = True
        self.team_browser = named(QTextBrowser(), "team_tables")
        self.team_browser.setOpenLinks(False)
        self.addTab(self.team_browser, "Team")
        self.team: Team | None = None
        self.team_stale = True
        self.show_team(None)
        self.currentChanged.connect(self._tab_changed)

    def units_shown(self) -> bool:
        return self.currentWidget() is self.units_browser and self.isVisible()

    def trends_shown(self) -> bool:
        return self.currentWidget() is self.trends_view and self.isVisible()

    def team_shown(self) -> bool:
        return self.currentWidget() is self.team_browser and self.isVisible()

    def _tab_changed(self, _index: int) -> None:
        if self.units_shown() and self.units_stale:
            self.units_wanted.emit()
        if self.trends_shown() and self.trends_stale:
            self.trends_wanted.emit()
        if self.team_shown() and self.team_stale:
            self.team_wanted.emit()

    def show_team(self, team: Team | None, waiting: str = "Working out who has audited what…") -> None:
        self.team = team
        bar = self.team_browser.verticalScrollBar().value()
        self.team_browser.setHtml(render_team(team, waiting))
        self.team_browser.verticalScrollBar().setValue(bar)

    def show_by_unit(self, by: ByUnit | None) -> None:
        self.by_unit = by
        bar = self.units_browser.verticalScrollBar().value()
        self.units_browser.setHtml(render_by_unit(by))
        self.units_browser.verticalScrollBar().setValue(bar)

    def _unit_clicked(self, url: QUrl) -> None:
        text = url.toString()
        if not text.startswith("unit:") or self.by_unit is None:
            return
        ti, ri, ci = (int(x) for x in text.split(":")[1:])
        t = self.by_unit.tables[ti]
        row, cell = t.rows[ri], t.rows[ri].cells[ci]
        self.drill.emit(list(dict.fromkeys(cell.items)), f"{t.title}: {row.label}, {t.columns[ci]} ({_figure(cell)})")

    def show_findings(self, f: Findings) -> None:
        self.findings = f
        bar = self.browser.verticalScrollBar().value()
        self.browser.setHtml(render(f))
        self.browser.verticalScrollBar().setValue(bar)
        self.rate_chart.set_findings(f)
        self.time_chart.set_findings(f)

    def forget(self) -> None:
        """Nothing of an audit closed stays on show (another database is being opened)."""
        self.findings = None
        self.browser.setHtml("<p>Working out the findings…</p>")
        self.rate_chart.rows, self.rate_chart.design = [], []
        self.rate_chart.update()
        self.time_chart.rows, self.time_chart.unknown = [], []
        self.time_chart.update()
        self.show_agreement(None)
        self.units_stale = True
        self.show_by_unit(None)
        self.trends_stale = self.team_stale = True
        self.trends_view.show_trends(None)
        self.show_team(None)

    def _clicked(self, url: QUrl) -> None:
        text = url.toString()
        if not text.startswith("drill:") or self.findings is None:
            return
        ti, ri, ci = (int(x) for x in text.split(":")[1:])
        t = self.findings.tables[ti]
        row, cell = t.rows[ri], t.rows[ri].cells[ci]
        self.drill.emit(list(cell.items), f"{t.title}: {row.label}, {t.columns[ci]} ({_figure(cell)})")

    def show_agreement(self, review: ReviewFigures | None) -> None:
        self.review = review
        bar = self.agreement_browser.verticalScrollBar().value()
        self.agreement_browser.setHtml(render_agreement(review))
        self.agreement_browser.verticalScrollBar().setValue(bar)

    def _agreement_clicked(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("rtable:") and self.review is not None:
            ti, ri, ci = (int(x) for x in text.split(":")[1:])
            t = self.review.tables[ti]
            cell = t.rows[ri].cells[ci]
            self.drill.emit(list(dict.fromkeys(cell.items)), f"{t.title}: {t.rows[ri].label}: {t.columns[ci]} "
                                                             f"({len(cell.items)})")
            return
        if not text.startswith("agree:") or self.review is None:
            return
        _, i, which = text.split(":")
        a = self.review.agreement[int(i)]
        who = f", {a.auditor}" if a.auditor else ""
        if which == "undecided":
            self.drill.emit(list(dict.fromkeys(a.undecided_items)),
                            f"Peer review: {label(a.check)}{who}: the reviewer could not decide ({a.undecided})")
        elif which == "differ":
            self.drill.emit(list(dict.fromkeys(a.disagreements)),
                            f"Peer review: {label(a.check)}{who}: answers differ ({len(a.disagreements)})")
        else:
            self.drill.emit(list(dict.fromkeys(a.items)), f"Peer review: {label(a.check)}{who}: records compared "
                                                          f"({a.pairs})")
