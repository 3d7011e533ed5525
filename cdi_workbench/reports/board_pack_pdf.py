"""The board pack as a PDF (reportlab, A4 portrait, built-in Helvetica), in the findings report's style (reports.pdf):
OFFICIAL-SENSITIVE at the top and bottom of every page, 'Page x of y', headings never stranded.

Page 1 is the one-page summary: each key rate with its interval and method, the target, the red/amber/green cell
(the word printed in it, so it reads in black and white) and the change since the previous audit in words. Then the
trends (a chart per key figure: each audit's rate with its interval bar, the target as a dashed line, a break in the
series drawn as a gap with its reason), the recording rate by unit, completion and the actions log.

Every page holding figures of a part-finished audit says PROVISIONAL under the marking: the flowables showing such
figures are wrapped (_Provisional) and note the pages they are drawn on; the canvas stamps those pages at the end.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from cdi_workbench.programme_figures import RAG_CLUSTERING
from cdi_workbench.trends import CHANGE_METHOD, TEST_METHOD

from .board_pack import BOARD_TITLE, PROVISIONAL, RATE_BASIS, BoardPack, FigureTrend
from .common import MARKING, without_gc, write_atomically
from .pdf import NumberedCanvas, ReportDoc, marked_pages
from .pdf_styles import FOOTER_Y, FRAME_W, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, PAGE_H, PAGE_W, STYLES, grid_style, para
from .pdf_text import printable, text
from .protect import current_password, pdf_encryption

RAG_FILL = {"green": colors.HexColor("#8FD19E"), "amber": colors.HexColor("#FFD27F"),
            "red": colors.HexColor("#F2A0A0"), "not rated": colors.white}
CHART_H = 6.2 * cm
SMALL = ParagraphStyle("BoardSmall", parent=STYLES["cell"], fontSize=8, leading=9.8)
SMALL_BOLD = ParagraphStyle("BoardSmallBold", parent=SMALL, fontName="Helvetica-Bold")
HEAD = ParagraphStyle("BoardHead", parent=STYLES["head_left"], fontSize=8, leading=9.8)
TITLE = ParagraphStyle("BoardTitle", parent=STYLES["title"], fontSize=18, leading=22, spaceAfter=4)


# ---- pages holding provisional figures ---------------------------------------------------------------------------
class _Provisional(Flowable):
    """A flowable showing a part-finished audit's figures: drawn as it is, noting each page it lands on (on the
    canvas: BoardCanvas stamps those pages), its parts too when it splits across pages."""

    def __init__(self, inner: Flowable) -> None:
        super().__init__()
        self.inner = inner

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:  # noqa: N803 (reportlab's names)
        self.width, self.height = self.inner.wrapOn(self.canv, aW, aH)
        return self.width, self.height

    def split(self, aW: float, aH: float) -> list[Flowable]:  # noqa: N803
        return [_Provisional(p) for p in self.inner.splitOn(self.canv, aW, aH)]

    def getSpaceBefore(self) -> float:  # noqa: N802
        return float(self.inner.getSpaceBefore())

    def getSpaceAfter(self) -> float:  # noqa: N802
        return float(self.inner.getSpaceAfter())

    def getKeepWithNext(self) -> bool:  # noqa: N802
        return bool(self.inner.getKeepWithNext())

    def draw(self) -> None:
        pages = getattr(self.canv, "provisional_pages", None)
        if pages is not None:
            pages.add(self.canv.getPageNumber())
        self.inner.drawOn(self.canv, 0, 0)


def _marked(block: list[Flowable], provisional: bool) -> list[Flowable]:
    return [_Provisional(f) for f in block] if provisional else block


def _canvas_for(banner: str) -> type[canvas.Canvas]:
    class BoardCanvas(NumberedCanvas):
        """NumberedCanvas, stamping `banner` under the marking of every page noted as holding provisional
        figures."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.provisional_pages: set[int] = set()

        def save(self) -> None:
            total = len(self._saved_page_states)
            pages = self.provisional_pages
            for state in self._saved_page_states:
                self.__dict__.update(state)
                if self._pageNumber in pages and banner:
                    _stamp(self, banner)
                self.setFont("Helvetica", 8)
                self.setFillColor(colors.black)
                self.drawRightString(PAGE_W - MARGIN_X, FOOTER_Y, f"Page {self._pageNumber} of {total}")
                canvas.Canvas.showPage(self)
            canvas.Canvas.save(self)

    return BoardCanvas


def _stamp(c: canvas.Canvas, banner: str) -> None:
    c.saveState()
    y = PAGE_H - 2.1 * cm
    c.setFillColor(colors.HexColor("#FFF2CC"))
    c.setStrokeColor(colors.black)
    c.setLineWidth(0.8)
    c.rect(MARGIN_X, y - 3, FRAME_W, 13, fill=1, stroke=1)
    c.setFillColor(colors.black)
    size = 8.5
    label = printable(banner)
    while stringWidth(label, "Helvetica-Bold", size) > FRAME_W - 8 and size > 6:
        size -= 0.5
    if stringWidth(label, "Helvetica-Bold", size) > FRAME_W - 8:  # many audits part-finished: the short form
        label = f"{PROVISIONAL}: figures of part-finished audits may still change (see 4. Completion)"
    c.setFont("Helvetica-Bold", size)
    c.drawCentredString(PAGE_W / 2, y, label)
    c.restoreState()


def _page_decorator(pack: BoardPack):  # type: ignore[no-untyped-def]
    return marked_pages(f"{pack.force}: {BOARD_TITLE.lower()}, audit {pack.audit}" if pack.force else BOARD_TITLE)


# ---- page 1: the summary ------------------------------------------------------------------------------------------
def _cell(value: Any, bold: bool = False) -> Paragraph:
    return Paragraph(text(value), SMALL_BOLD if bold else SMALL)


def _summary(pack: BoardPack) -> list[Flowable]:
    c = pack.completion
    state = "closed: final" if pack.closed else "open"
    head: list[Flowable] = [
        Paragraph(text(BOARD_TITLE), TITLE),
        para(f"{pack.force}: audit {pack.audit}, {pack.period}", "subtitle"),
        para("1. Summary", "h1"),
        para(f"Audit {pack.audit} ({state}; {pack.rules}). Completion: {c.completion.text}. Generated "
             f"{pack.generated_at}.", "body"),
    ]
    if pack.provisional:
        head.append(para(f"{PROVISIONAL}: this audit is not finished ({c.progress_text}); every figure on this "
                         f"page may still change.", "cell_bold"))
    head.append(Spacer(1, 6))
    heads = ["Key rate", "Rate (k of n)", "95% interval", "Target", "Status", "Change since the previous audit"]
    data: list[list[Any]] = [[Paragraph(text(h), HEAD) for h in heads]]
    style = grid_style() + [("VALIGN", (0, 1), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 4),
                            ("RIGHTPADDING", (0, 0), (-1, -1), 4)]
    for i, k in enumerate(pack.key_rates, 1):
        data.append([_cell(k.label, True), _cell(f"{k.value_text}\n({k.counts_text})" if k.counts_text
                                                  else k.value_text),
                     _cell(f"{k.interval_text}\n{pack.method_short}"), _cell(k.target_text),
                     _cell(k.status_text.upper() if k.status != "not rated" else k.status_text, True),
                     _cell(k.change_text)])
        style.append(("BACKGROUND", (4, i), (4, i), RAG_FILL.get(k.status, colors.white)))
    widths = [4.0 * cm, 2.0 * cm, 2.7 * cm, 1.6 * cm, 1.7 * cm, FRAME_W - 12.0 * cm]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    notes = [
        f"{RATE_BASIS}; each interval by the {pack.method_text} (named under it).",
        f"Status: {pack.rag_method} (the point alone never decides, except where every record of the frame was "
        f"audited, so the rate has no sampling error; where the normal interval is not defined at 0% or 100% the "
        f"Wilson interval of the same counts decides). {RAG_CLUSTERING}. Targets are the force's own.",
        f"Change: the latest audit against the one before it, {CHANGE_METHOD}, {TEST_METHOD}; audits under "
        f"different rules or audit methods are not compared.",
    ]
    open_ = [a for a in pack.actions if a.status in ("open", "in progress")]
    notes.append(f"Actions: {len(open_)} open or in progress, {len(pack.overdue)} overdue (section 5).")
    body: list[Flowable] = [table, Spacer(1, 4)] + [para(n, "note") for n in notes]
    return head + _marked(body, pack.provisional) + [PageBreak()]


# ---- trends -------------------------------------------------------------------------------------------------------
def _short_reason(reason: str) -> str:
    parts = []
    if "rules changed" in reason:
        parts.append("rules changed")
    if "method changed" in reason:
        parts.append("method changed")
    if "different forces" in reason:
        parts.append("force changed")
    return ", ".join(parts) or "not comparable"


def trend_chart(trend: FigureTrend, width: float, height: float = CHART_H) -> Drawing:
    """Each audit's rate (a dot; hollow where provisional) with its interval bar, joined within a segment; the
    target as a dashed line; a break as a gap marked by a dashed rule and its reason."""
    pts = trend.series.points
    d = Drawing(width, height)
    left, right, bottom, top = 34.0, 54.0, 26.0, 14.0
    plot_w, plot_h = width - left - right, height - bottom - top
    values = [v for p in pts for v in (p.rate.rate, p.rate.low if p.rate.defined else None,
                                       p.rate.high if p.rate.defined else None) if v is not None]
    if trend.target is not None:
        values.append(trend.target / 100)
    lo = max(0.0, math.floor((min(values, default=0.0) * 100 - 2) / 10) * 10 / 100)
    hi = min(1.0, math.ceil((max(values, default=1.0) * 100 + 2) / 10) * 10 / 100)
    if hi - lo < 0.2:
        lo, hi = (max(0.0, hi - 0.2), hi) if hi - 0.2 >= 0 else (0.0, 0.2)

    def y(v: float) -> float:
        return bottom + plot_h * (v - lo) / (hi - lo)

    step = 10 if hi - lo <= 0.6 else 20
    tick = int(round(lo * 100))
    while tick <= round(hi * 100):
        d.add(Line(left, y(tick / 100), left + plot_w, y(tick / 100), strokeColor=colors.lightgrey,
                   strokeWidth=0.4, strokeDashArray=[1, 2]))
        d.add(String(left - 4, y(tick / 100) - 2.5, f"{tick}%", fontName="Helvetica", fontSize=7,
                     textAnchor="end"))
        tick += step
    d.add(Line(left, bottom, left, bottom + plot_h, strokeColor=colors.black, strokeWidth=0.6))
    d.add(Line(left, bottom, left + plot_w, bottom, strokeColor=colors.black, strokeWidth=0.6))
    n = max(len(pts), 1)
    slot = plot_w / n

    def x(i: int) -> float:
        return left + slot * (i + 0.5)

    if trend.target is not None:
        ty = y(trend.target / 100)
        d.add(Line(left, ty, left + plot_w, ty, strokeColor=colors.black, strokeWidth=1, strokeDashArray=[4, 3]))
        d.add(String(left + plot_w + 4, ty - 2.5, f"target {trend.target:g}%", fontName="Helvetica-Bold",
                     fontSize=7))
    provisional = set(trend.provisional)
    for i, p in enumerate(pts):
        label = p.name
        while stringWidth(label, "Helvetica", 6.5) > slot - 2 and len(label) > 3:
            label = label[:-2] + "\u2026"
        d.add(String(x(i), bottom - 9, printable(label), fontName="Helvetica", fontSize=6.5, textAnchor="middle"))
        if p.name in provisional:
            d.add(String(x(i), bottom - 18, "provisional", fontName="Helvetica-Oblique", fontSize=6,
                         textAnchor="middle"))
        if i and p.segment != pts[i - 1].segment:  # the break: a gap, a dashed rule and why
            bx = left + slot * i
            d.add(Line(bx, bottom, bx, bottom + plot_h, strokeColor=colors.black, strokeWidth=0.8,
                       strokeDashArray=[2, 2]))
            reason = _short_reason(trend.series.breaks[p.segment - 1].reason)
            d.add(String(bx, bottom + plot_h + 4, f"series breaks here: {reason}", fontName="Helvetica-Oblique",
                         fontSize=6.5, textAnchor="start" if i < len(pts) / 2 else "end"))
        r = p.rate
        if r.rate is None:
            d.add(String(x(i), bottom + 3, "n/a", fontName="Helvetica", fontSize=6.5, textAnchor="middle"))
            continue
        before = pts[i - 1].rate.rate if i and pts[i - 1].segment == p.segment else None
        if before is not None:
            d.add(Line(x(i - 1), y(before), x(i), y(r.rate), strokeColor=colors.grey, strokeWidth=0.8))
        if r.defined and r.low is not None and r.high is not None:
            cx = x(i)
            for seg in ((cx, y(r.low), cx, y(r.high)), (cx - 3, y(r.low), cx + 3, y(r.low)),
                        (cx - 3, y(r.high), cx + 3, y(r.high))):
                d.add(Line(*seg, strokeColor=colors.black, strokeWidth=0.9))
        hollow = p.name in provisional
        d.add(Circle(x(i), y(r.rate), 2.6, fillColor=colors.white if hollow else colors.black,
                     strokeColor=colors.black, strokeWidth=0.9))
    last = next((p for p in reversed(pts) if p.rate.rate is not None), None)
    if last is not None and last.rate.rate is not None:
        d.add(String(left + plot_w + 4, y(last.rate.rate) + 5, f"{last.rate.rate * 100:.1f}%",
                     fontName="Helvetica", fontSize=7))
    return d


def _trend_block(pack: BoardPack, trend: FigureTrend) -> list[Flowable]:
    s = trend.series
    count = len(s.points)
    intro = (f"{count} audit{'s' if count != 1 else ''} of {pack.window_text}; each dot the audit's rate, the bar "
             f"its interval ({s.method_text})"
             + ("; the dashed line the target" if trend.target is not None else "; no target set")
             + ("; hollow dots: provisional" if trend.provisional else "") + ".")
    block: list[Flowable] = [para(trend.label, "h3")]
    if any(p.rate.rate is not None for p in s.points):
        block += [para(intro, "note"), trend_chart(trend, FRAME_W)]
    else:
        block.append(para(f"Nothing was counted for this figure in any audit of {pack.window_text}: no chart.",
                          "body"))
    rows = [[Paragraph(text(h), HEAD) for h in ("Audit", "Rate (k of n)", "Interval", "Audit", "Rate (k of n)",
                                                 "Interval")]]
    cells = [[_cell(p.name + (" (provisional)" if p.name in trend.provisional else "")),
              _cell("not defined" if p.rate.rate is None else f"{p.rate.rate * 100:.1f}% ({p.k} of {p.n})"),
              _cell(p.rate.interval_text() if p.rate.rate is not None and p.rate.defined else "not defined")]
             for p in s.points]
    half = (len(cells) + 1) // 2
    for i in range(half):
        right = cells[half + i] if half + i < len(cells) else [_cell(""), _cell(""), _cell("")]
        rows.append(cells[i] + right)
    widths = [2.3 * cm, 3.3 * cm, 2.9 * cm] * 2
    table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(TableStyle(grid_style() + [("LEFTPADDING", (0, 0), (-1, -1), 4),
                                              ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                                              ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                                              ("LINEBEFORE", (3, 0), (3, -1), 1.2, colors.black)]))
    if any(p.rate.rate is not None for p in s.points):  # a table of 'not defined' says nothing the words do not
        block += [Spacer(1, 2), table]
    block += [para(w, "note") for w in trend.words]
    return [KeepTogether(_marked(block, bool(trend.provisional)))]


def _trends(pack: BoardPack) -> list[Flowable]:
    out: list[Flowable] = [para("2. Trends", "h1"),
                           para(f"Each key figure over {pack.window_text} up to audit {pack.audit}, with each "
                                f"audit's interval; a p-chart (3-sigma control limits about the pooled rate) and the "
                                f"test of change between consecutive audits (Holm's adjustment across them) say in "
                                f"words whether a change is more than sampling noise. Where the rules or the audit "
                                f"method changed the series breaks and says why: such audits are never compared.",
                                "body")]
    for t in pack.trends:
        out += _trend_block(pack, t)
    return out


# ---- by unit, completion, actions ---------------------------------------------------------------------------------
def _table(heads: list[str], rows: list[list[Any]], widths: list[float], extra: list[tuple[Any, ...]] | None = None
           ) -> Table:
    data: list[list[Any]] = [[Paragraph(text(h), HEAD) for h in heads]]
    data += [[c if isinstance(c, Flowable) else _cell(c) for c in r] for r in rows]
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle(grid_style() + [("VALIGN", (0, 1), (-1, -1), "TOP"),
                                          ("LEFTPADDING", (0, 0), (-1, -1), 4),
                                          ("RIGHTPADDING", (0, 0), (-1, -1), 4)] + (extra or [])))
    return t


def _units(pack: BoardPack) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(6 * cm), para("3. Recording rate by unit", "h1"),
                           para(f"Audit {pack.audit}: crimes recorded of crimes identified (all crimes, excluding "
                                f"fraud) in the records of each owning unit, with the 95% interval by the "
                                f"{pack.method_text}.", "body")]
    if not pack.units:
        return out + [para("No record has a completed verdict in this audit.", "body")]
    rows = [[u.unit, f"{u.rate.identified:,}", f"{u.rate.recorded:,}", u.value_text, u.interval_text,
             u.rate.short or pack.method_short] for u in pack.units]
    table = _table(["Unit", "Crimes identified", "Crimes recorded", "Recording rate", "95% interval", "Method"], rows,
                   [4.4 * cm, 2.2 * cm, 2.2 * cm, 2.2 * cm, 3.2 * cm, FRAME_W - 14.2 * cm])
    return out + _marked([table, *[para(n, "note") for n in pack.unit_notes]], pack.provisional)


def _completion(pack: BoardPack) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(6 * cm), para("4. Completion", "h1"),
                           para("Records audited (a completed first or final verdict) of those drawn, for each audit "
                                "of the trends. An audit not finished is marked provisional: its figures may still "
                                "change.", "body")]
    rows: list[list[Any]] = []
    extra: list[tuple[Any, ...]] = []
    for i, c in enumerate(pack.completions, 1):
        pct = "" if c.percent is None else f"{c.percent * 100:.0f}%"
        rows.append([c.name, c.period, f"{c.completion.drawn:,}", f"{c.completion.audited:,}", pct,
                     _cell(c.state, c.provisional)])
        if c.provisional:
            extra.append(("BACKGROUND", (5, i), (5, i), colors.HexColor("#FFF2CC")))
    table = _table(["Audit", "Period", "Records drawn", "Audited", "Done", "State"], rows,
                   [3.0 * cm, 4.6 * cm, 2.2 * cm, 2.0 * cm, 1.6 * cm, FRAME_W - 13.4 * cm], extra)
    by = pack.completion.completion.by_sample
    out += _marked([table], bool(pack.provisional_audits))
    if by:
        out.append(para(f"Audit {pack.audit} by sample: " + "; ".join(f"{name}: {a:,} of {n:,}" for name, a, n in by)
                        + ".", "note"))
    return out


def _actions(pack: BoardPack) -> list[Flowable]:
    from datetime import date

    out: list[Flowable] = [CondPageBreak(6 * cm), para("5. Actions log", "h1"),
                           para("The board's recommendations, carried from month to month: each with its owner, due "
                                "date and status; an open action past its due date is OVERDUE.", "body")]
    if not pack.actions:
        return out + [para("No actions have been logged.", "body")]
    rows: list[list[Any]] = []
    extra: list[tuple[Any, ...]] = []
    for i, a in enumerate(pack.actions, 1):
        status = a.status + (" - OVERDUE" if a.overdue else "")
        rows.append([str(a.number), a.recommendation, a.owner, f"{date.fromisoformat(a.due):%d/%m/%Y}",
                     _cell(status, a.overdue), a.raised_in,
                     f"{_when(a.updated_at)}" + (f" by {a.updated_by}" if a.updated_by else "")])
        if a.overdue:
            extra.append(("BACKGROUND", (4, i), (4, i), RAG_FILL["red"]))
    table = _table(["No.", "Recommendation", "Owner", "Due", "Status", "Raised in", "Last updated"], rows,
                   [0.9 * cm, 5.4 * cm, 2.6 * cm, 1.9 * cm, 2.0 * cm, 1.7 * cm, FRAME_W - 14.5 * cm], extra)
    return out + [table]


def _when(iso: str) -> str:
    from datetime import datetime

    from cdi_workbench.timeutil import display

    try:
        return display(datetime.fromisoformat(iso))
    except ValueError:
        return iso


def build_story(pack: BoardPack) -> list[Flowable]:
    return _summary(pack) + _trends(pack) + _units(pack) + _completion(pack) + _actions(pack)


def write_board_pdf(pack: BoardPack, path: str | Path, password: str | None = None) -> Path:
    """Write the board pack's PDF; complete or not at all. With `password` (else that of an enclosing
    protect.protected block) it opens only with it."""
    title = f"{BOARD_TITLE} ({pack.force})" if pack.force else BOARD_TITLE

    def build(tmp: Path) -> None:
        doc = ReportDoc(str(tmp), pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                        bottomMargin=MARGIN_BOTTOM, title=title, author="CDI Workbench",
                        subject=f"{MARKING}: crime data integrity board pack", keywords=MARKING,
                        creator="CDI Workbench", encrypt=pdf_encryption(password or current_password()))
        on_page = _page_decorator(pack)
        doc.build(build_story(pack), onFirstPage=on_page, onLaterPages=on_page,
                  canvasmaker=_canvas_for(pack.provisional_text))

    with without_gc():
        return write_atomically(path, build)
