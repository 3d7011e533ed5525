"""The findings dock's Trends and Team tabs (issue 14).

Trends: each key figure of the programme (chosen in a drop-down) across its audits of the window chosen beside it
(this month, last month, the last 6 or 12 months, or all audits; the last 12 months to start with, and the choice
kept while the window is open, whichever programme it opens): a chart
drawn with QPainter (each audit's rate with its interval as a whisker, the force's target as a dashed line, each
segment's p-chart centre line dotted, a gap with its reason where the series breaks), beside it the change of the
latest audit against the one before in words, its status against the target, a small table (audit, rate, interval,
n) and the p-chart's words. Team: who has audited what in the audit open, the records left per sample, the reviews
assigned per person.

What is shown comes whole from the core (programme_operations.trends and team); nothing here decides a figure.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .widgets import named

if TYPE_CHECKING:  # the core's trends are imported by the worker that works them out, not at start
    from cdi_workbench.audit.programme_operations import FigureTrend, ProgrammeTrends
    from cdi_workbench.team_view import Team

GRID, INK, FAINT = QColor("#cbd2d9"), QColor("#1f2933"), QColor("#7b8794")
# the windows of audits offered, as the core names them (cdi_workbench.trends_points.WINDOWS), with their labels
WINDOW_CHOICES = (("this_month", "This month"), ("last_month", "Last month"), ("last_6_months", "Last 6 months"),
                  ("last_12_months", "Last 12 months"), ("all", "All audits"))
FIRST_WINDOW = "last_12_months"
STATUS = {"green": "green: the interval's lower end reaches the target",
          "amber": "amber: the interval straddles the target",
          "red": "red: the interval's upper end is below the target"}


def _pc(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


class TrendChart(QWidget):
    """One figure's series: points with their intervals, the target, the p-chart centre lines, the breaks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trend: FigureTrend | None = None
        self.provisional: set[str] = set()
        self.setMinimumSize(320, 170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_trend(self, trend: FigureTrend | None, provisional: set[str] | None = None) -> None:
        self.trend, self.provisional = trend, provisional or set()
        self.update()

    def _range(self) -> tuple[float, float]:
        """The vertical scale: from a round 10% below the lowest bound (or target) shown to 100%."""
        t = self.trend
        assert t is not None
        lows = [p.rate.low if p.rate.low is not None else p.rate.rate for p in t.series.points
                if p.rate.rate is not None]
        lows = [x for x in lows if x is not None]
        if t.target is not None:
            lows.append(t.target / 100)
        bottom = max(0.0, min(lows, default=0.0) - 0.05)
        return (int(bottom * 10) / 10, 1.0)

    def paintEvent(self, _event) -> None:  # noqa: ANN001, N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        t = self.trend
        p.setFont(QFont(self.font().family(), 9, QFont.Weight.Bold))
        title = (f"{t.label} ({t.series.short}, 95% interval)" if t is not None else "Trends")
        metrics = QFontMetrics(p.font())
        p.drawText(QRectF(6, 2, w - 12, 18), Qt.AlignmentFlag.AlignLeft,
                   metrics.elidedText(title, Qt.TextElideMode.ElideRight, w - 12))
        p.setFont(QFont(self.font().family(), 8))
        metrics = QFontMetrics(p.font())
        if t is None or not t.series.points:
            p.drawText(QRectF(6, 24, w - 12, 20), Qt.AlignmentFlag.AlignLeft, "No audits in the series yet.")
            return
        pts = t.series.points
        lo, hi = self._range()
        left, right, top, bottom = 44.0, 12.0, 40.0, 34.0
        # the key, one line under the title: the lines are named here, not beside the points they would cover
        centres = [f"{_pc(seg.centre)}" for seg in t.chart.segments if seg.centre is not None]
        key = "  ·  ".join(filter(None, [
            f"dashed: target {t.target:g}%" if t.target is not None else "",
            f"dotted: p-chart centre {', '.join(centres)} and 3-sigma limits" if centres else "",
            "ringed ▲▼: outside the limits", "whiskers: 95% intervals"]))
        p.setPen(FAINT)
        p.drawText(QRectF(6, 20, w - 12, 14), Qt.AlignmentFlag.AlignLeft,
                   metrics.elidedText(key, Qt.TextElideMode.ElideRight, int(w - 12)))
        plot_w, plot_h = max(40.0, w - left - right), max(40.0, h - top - bottom)

        def y_of(v: float) -> float:
            return top + plot_h * (hi - v) / (hi - lo)

        step = (w - left - right) / len(pts)

        def x_of(i: int) -> float:
            return left + step * (i + 0.5)

        # the scale: a faint grid every 10% (20% on a tall range)
        every = 0.1 if hi - lo <= 0.5 else 0.2
        v = lo
        while v <= hi + 1e-9:
            y = y_of(v)
            p.setPen(QPen(GRID, 1, Qt.PenStyle.DotLine))
            p.drawLine(QPointF(left, y), QPointF(left + plot_w, y))
            p.setPen(FAINT)
            p.drawText(QRectF(0, y - 7, left - 4, 14), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       f"{v * 100:.0f}%")
            v += every
        # the force's target
        if t.target is not None:
            y = y_of(t.target / 100)
            p.setPen(QPen(INK, 1.2, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(left, y), QPointF(left + plot_w, y))
        # each segment's p-chart centre line, and the breaks between segments
        for seg_index, seg in enumerate(t.chart.segments):
            idx = [i for i, sp in enumerate(pts) if sp.segment == seg_index]
            if seg.centre is not None and idx:
                p.setPen(QPen(FAINT, 1, Qt.PenStyle.DotLine))
                y = y_of(seg.centre)
                p.drawLine(QPointF(x_of(idx[0]) - step / 2 + 4, y), QPointF(x_of(idx[-1]) + step / 2 - 4, y))
                # the control limits, each audit's own (they follow its n), as dotted steps
                limits = {cp.name: cp for cp in seg.points}
                for i in idx:
                    cp = limits.get(pts[i].name)
                    for limit in (cp.lower, cp.upper) if cp is not None else ():
                        if limit is not None and lo <= limit <= hi:
                            y = y_of(limit)
                            p.drawLine(QPointF(x_of(i) - step / 2 + 4, y), QPointF(x_of(i) + step / 2 - 4, y))
            if seg.break_before is not None and idx:
                x = x_of(idx[0]) - step / 2
                p.setPen(QPen(INK, 1, Qt.PenStyle.DashLine))
                p.drawLine(QPointF(x, top), QPointF(x, top + plot_h))
                reason = seg.break_before.reason.split(" (")[0].split(":")[0]
                p.setPen(INK)
                label = f"series breaks: {reason}"
                box = p.boundingRect(QRectF(x + 3, top, max(60.0, step * 2), 28), Qt.TextFlag.TextWordWrap, label)
                p.fillRect(box, QColor(255, 255, 255, 210))  # readable across a whisker
                p.drawText(box, Qt.TextFlag.TextWordWrap, label)
        from cdi_workbench.trends import ABOVE, BELOW

        # the points: whiskers for the intervals, a line within each segment, an open marker when provisional
        signals = {cp.name: cp.signal for cp in t.chart.points}
        previous: tuple[int, QPointF] | None = None
        for i, sp in enumerate(pts):
            x = x_of(i)
            p.setPen(INK)
            name = metrics.elidedText(sp.name, Qt.TextElideMode.ElideMiddle, int(step) - 2)
            p.drawText(QRectF(x - step / 2, top + plot_h + 3, step, 14), Qt.AlignmentFlag.AlignHCenter, name)
            p.setPen(FAINT)
            p.drawText(QRectF(x - step / 2, top + plot_h + 16, step, 14), Qt.AlignmentFlag.AlignHCenter,
                       f"n={sp.n}")
            r = sp.rate
            if r.rate is None:
                p.drawText(QRectF(x - step / 2, top + plot_h - 16, step, 14), Qt.AlignmentFlag.AlignHCenter, "none")
                previous = None
                continue
            centre = QPointF(x, y_of(r.rate))
            if r.defined and r.low is not None and r.high is not None:
                p.setPen(QPen(INK, 1.4))
                p.drawLine(QPointF(x, y_of(r.low)), QPointF(x, y_of(r.high)))
                for end in (r.low, r.high):
                    p.drawLine(QPointF(x - 4, y_of(end)), QPointF(x + 4, y_of(end)))
            if previous is not None and pts[previous[0]].segment == sp.segment:
                p.setPen(QPen(FAINT, 1.2))
                p.drawLine(previous[1], centre)
            previous = (i, centre)
            p.setPen(QPen(INK, 1.4))
            p.setBrush(Qt.BrushStyle.NoBrush if sp.name in self.provisional else QColor(INK))
            p.drawEllipse(centre, 3.5, 3.5)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(INK)  # the value beside its point: readable without the scale, in black and white
            signal = signals.get(sp.name, "")
            value = _pc(r.rate) + (" ▲" if signal == ABOVE else " ▼" if signal == BELOW else "")
            wide = metrics.horizontalAdvance(value) + 2
            # above and to the right of the point; below it at the top of the scale (clear of the title), to its
            # left at the right-hand edge (not cut off)
            y_text = centre.y() - 16 if centre.y() - 16 >= top else centre.y() + 2
            if x + 6 + wide <= w - 2:
                p.drawText(QRectF(x + 6, y_text, wide, 14), Qt.AlignmentFlag.AlignLeft, value)
            else:
                p.drawText(QRectF(x - 6 - wide, y_text, wide, 14), Qt.AlignmentFlag.AlignRight, value)
            if signal:  # outside the p-chart's limits: ringed, its value marked ▲ or ▼ (the key says so)
                p.drawEllipse(centre, 7.0, 7.0)


def _figure_html(t: FigureTrend, provisional: dict[str, str]) -> str:
    parts = [f"<p><b>{escape(t.latest_text)}</b></p>"]
    if t.target is not None:
        parts.append(f"<p>Target {t.target:g}%: latest audit {escape(STATUS.get(t.status, t.status))}.</p>")
    rows = []
    seg = 0
    for sp in t.series.points:
        if sp.segment != seg:
            seg = sp.segment
            rows.append(f"<tr><td colspan=4><i>{escape(t.series.breaks[seg - 1].text)}</i></td></tr>")
        r = sp.rate
        if r.rate is None:
            rate, interval = "not defined", "nothing counted"
        elif r.census or not r.defined:  # the core's words: no sampling error, or not defined at 0% or 100%
            rate, interval = _pc(r.rate), r.interval_text()
        else:
            rate, interval = _pc(r.rate), f"{_pc(r.low)} to {_pc(r.high)}"
        name = escape(sp.name) + (" <i>(provisional)</i>" if sp.name in provisional else "")
        rows.append(f"<tr><td>{name}</td><td align=right>{rate}</td><td>{interval}</td>"
                    f"<td align=right>{sp.k:,} of {sp.n:,}</td></tr>")
    parts.append("<table cellspacing=0 cellpadding=3 border=1 style='border-collapse:collapse'>"
                 "<tr><th>Audit</th><th>Rate</th><th>95% interval</th><th>n</th></tr>" + "".join(rows) + "</table>")
    parts.append(f"<p>{escape(t.chart.text)}</p>")
    parts.append(f"<p>{escape(t.scan.text)}</p>")
    parts.append(f"<p><i>Intervals: {escape(t.series.method_text)}.</i></p>")
    for name, text in provisional.items():
        parts.append(f"<p><i>{escape(name)} is provisional: {escape(text)}.</i></p>")
    return "".join(parts)


class TrendsView(QWidget):
    """The Trends tab: a key figure and a window of audits chosen, the figure's chart beside its words and table.
    `window_chosen(key)` when another window of audits is chosen (the findings actions work the trends out again)."""

    window_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trends: ProgrammeTrends | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.figure_box = named(QComboBox(), "trend_figure")
        self.figure_box.setAccessibleName("Figure to show the trend of")
        label = QLabel("&Figure:")
        label.setBuddy(self.figure_box)
        top.addWidget(label)
        top.addWidget(self.figure_box, 1)
        self.window_box = named(QComboBox(), "trend_window")
        self.window_box.setAccessibleName("Audits the trends are drawn over")
        for key, text in WINDOW_CHOICES:
            self.window_box.addItem(text, key)
        self.window_box.setCurrentIndex(self.window_box.findData(FIRST_WINDOW))
        window_label = QLabel("Audits sho&wn:")
        window_label.setBuddy(self.window_box)
        top.addWidget(window_label)
        top.addWidget(self.window_box)
        self.summary = named(QLabel(), "trend_summary")
        top.addWidget(self.summary, 2)
        lay.addLayout(top)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.chart = TrendChart()
        self.words = named(QTextBrowser(), "trend_words")
        self.words.setOpenLinks(False)
        split.addWidget(self.chart)
        split.addWidget(self.words)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([600, 500])
        lay.addWidget(split, 1)
        self.figure_box.currentIndexChanged.connect(lambda _i: self._show_figure())
        self.window_box.currentIndexChanged.connect(lambda _i: self._window_chosen())
        self.show_trends(None)

    def time_window(self) -> str:
        """The window of audits chosen (a key of cdi_workbench.trends_points.WINDOWS)."""
        return str(self.window_box.currentData() or FIRST_WINDOW)

    def choose_window(self, key: str) -> None:
        self.window_box.setCurrentIndex(self.window_box.findData(key))

    def _window_chosen(self) -> None:
        self.show_trends(None)
        self.window_chosen.emit(self.time_window())

    def show_trends(self, trends: ProgrammeTrends | None, waiting: str = "Working out the trends…") -> None:
        if trends is not None and trends.window != self.time_window():
            return  # the trends of a window no longer chosen: those of the one chosen are on their way
        self.trends = trends
        chosen = self.figure_box.currentData()
        self.figure_box.blockSignals(True)
        self.figure_box.clear()
        if trends is not None:
            from cdi_workbench.trends import WINDOWS

            for t in trends.figures:
                self.figure_box.addItem(t.label, t.figure)
            self.figure_box.setCurrentIndex(max(self.figure_box.findData(chosen), 0))
            audits = len(trends.figures[0].series.points) if trends.figures else 0
            self.summary.setText(f"All {audits} audits of the programme" if trends.window == "all" and audits != 1
                                 else f"{audits} audit{'s' if audits != 1 else ''} of the programme: "
                                      f"{WINDOWS[trends.window]}")
        else:
            self.summary.setText(waiting)
        self.figure_box.blockSignals(False)
        self._show_figure()

    def figure(self) -> FigureTrend | None:
        """The figure shown."""
        if self.trends is None or self.figure_box.currentIndex() < 0:
            return None
        return self.trends.figures[self.figure_box.currentIndex()]

    def choose(self, figure: str) -> None:
        self.figure_box.setCurrentIndex(self.figure_box.findData(figure))

    def _show_figure(self) -> None:
        t = self.figure()
        provisional = self.trends.provisional if self.trends is not None else {}
        self.chart.set_trend(t, set(provisional))
        bar = self.words.verticalScrollBar().value()
        self.words.setHtml(_figure_html(t, provisional) if t is not None else f"<p>{self.summary.text()}</p>")
        self.words.verticalScrollBar().setValue(bar)


def render_team(team: Team | None, waiting: str = "Working out who has audited what…") -> str:
    if team is None:
        return f"<p>{escape(waiting)}</p>"
    left = team.left
    out = [f"<h3>Audit {escape(team.audit)}: {left:,} record{'s' if left != 1 else ''} left to audit</h3>",
           "<table cellspacing=0 cellpadding=3 border=1 style='border-collapse:collapse'><tr><th>Person</th>"
           "<th>Audited</th><th>Started</th><th>Given to audit</th><th>Of those left</th><th>Reviews assigned</th>"
           "<th>Reviews done</th><th>Reviews left</th><th>Final verdicts</th></tr>"]
    for m in team.members:
        out.append(f"<tr><td>{escape(m.name)}</td>" + "".join(
            f"<td align=right>{n:,}</td>" for n in (m.audited, m.started, m.work_assigned, m.work_left,
                                                   m.reviews_assigned, m.reviews_done, m.reviews_left, m.decided))
            + "</tr>")
    if not team.members:
        out.append("<tr><td colspan=9>Nobody has audited or been assigned a record yet.</td></tr>")
    out.append("</table><h4>Records left per sample</h4><table cellspacing=0 cellpadding=3 border=1 "
               "style='border-collapse:collapse'><tr><th>Sample</th><th>Drawn</th><th>Audited</th><th>Left</th></tr>")
    for x in team.samples:
        out.append(f"<tr><td>{escape(x.name)}</td><td align=right>{x.drawn:,}</td><td align=right>{x.audited:,}</td>"
                   f"<td align=right>{x.left:,}</td></tr>")
    if not team.samples:
        out.append("<tr><td colspan=4>No sample drawn yet.</td></tr>")
    out.append("</table>")
    return "".join(out)
