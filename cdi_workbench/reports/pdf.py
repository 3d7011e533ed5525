"""The findings as a printable PDF report (reportlab platypus, A4 portrait, built-in Helvetica).

Every page carries OFFICIAL-SENSITIVE at the top and bottom and 'Page x of y' (a two-pass canvas keeps the
page states until the end, when the total is known). Nothing relies on colour: headers are bold on light
grey, totals are bold under a heavier rule, so the report reads the same printed in black and white.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import _FrameBreak

from cdi_workbench.findings import Findings
from cdi_workbench.findings import Row as FindingsRow
from cdi_workbench.findings import Table as FindingsTable
from cdi_workbench.timeutil import display

from .charts import rate_chart, timeliness_chart
from .common import (
    AGREEMENT_METHOD,
    KIND_LABELS,
    MARKING,
    NOT_APPLICABLE,
    REPORT_TITLE,
    RESOLUTION_COLUMNS,
    RESOLUTION_KEYS,
    ReviewFigures,
    agreement_groups,
    agreement_label,
    agreement_method,
    audit_name_text,
    auditors_text,
    extension_text,
    is_total,
    kappa_band,
    kappa_figure,
    kappa_interval,
    methodology,
    not_applicable,
    pabak_figure,
    percent_interval,
    percent_text,
    period_text,
    previous_facts,
    resolution_method,
    sample_size,
    special_sample,
    stratum_label,
    table_is_empty,
    trail_facts,
    without_gc,
    write_atomically,
)
from .pdf_styles import (  # noqa: F401 (MARGIN_*, FOOTER_Y, PAGE_H: also read from here by board_pack_pdf)
    FOOTER_Y,
    FRAME_W,
    GRID_GREY,
    GRID_PADDING,
    GROUP_GREY,
    HEADER_GREY,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_H,
    PAGE_W,
    STYLES,
    grid_style,
    para,
)
from .pdf_tables import PagedTable, PlainCells, row_heights
from .pdf_text import printable, text
from .protect import current_password, pdf_encryption

LABEL_HEADINGS = {"incidents": "Records", "other_systems": "System", "cancellations": "Offence group",
                  "disposals": "Disposal type", "n100": "Records", "by_unit": "Unit", "by_unit_rates": "Unit"}


# ---- page furniture ----------------------------------------------------------------------------------------
class NumberedCanvas(canvas.Canvas):
    """Keeps every page until save(), then stamps 'Page x of y' on each once y is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved_page_states: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._saved_page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_page_states)
        for state in self._saved_page_states:
            self.__dict__.update(state)
            self.setFont("Helvetica", 8)
            self.setFillColor(colors.black)
            self.drawRightString(PAGE_W - MARGIN_X, FOOTER_Y, f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


class HeadingWithNext(KeepTogether):
    """A heading (keepWithNext, as the h1-h3 styles are) and what follows it: never a heading alone at a page
    foot. Unlike reportlab's KeepTogether, when what follows is long and can split (a table running over pages, a
    long paragraph), the heading goes with its first part rather than pushing all of it to the next page
    (`split_last`; not for a block meant to be kept together, which goes whole, its heading with it)."""

    def __init__(self, flowables: list[Flowable], split_last: bool = True) -> None:
        super().__init__(flowables)
        self.split_last = split_last

    def split(self, aW: float, aH: float) -> list[Flowable]:  # noqa: N803 (reportlab's names)
        parts = super().split(aW, aH)
        if not self.split_last or not parts or not isinstance(parts[0], _FrameBreak) or len(self._content) < 2:
            return parts
        *heads, last = self._content
        canv = getattr(self, "canv", None)
        used = sum(f.wrapOn(canv, aW, aH)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in heads)
        room = aH - used - last.getSpaceBefore() - 2  # (a margin for rounding)
        first = last.splitOn(canv, aW, room) if room > 0 else []
        return self._content[:] if len(first) > 1 else parts  # else none of it fits here: all to the next page


class ReportDoc(SimpleDocTemplate):
    def __init__(self, filename: str, **kw: Any) -> None:
        super().__init__(filename, keepTogetherClass=HeadingWithNext, **kw)

    def handle_keepWithNext(self, flowables: list[Flowable]) -> None:
        """reportlab leaves a block kept together (KeepTogether) out of a heading's keepWithNext, so the heading
        could end a page and its block start the next: here the heading joins the block."""
        i = 0
        while i < len(flowables) and flowables[i].getKeepWithNext() and not isinstance(flowables[i], KeepTogether):
            i += 1
        if i and i < len(flowables) and type(flowables[i]) is KeepTogether:
            group = HeadingWithNext([*flowables[:i], *flowables[i]._content], split_last=False)
            for f in flowables[:i]:
                f.__dict__["keepWithNext"] = 0  # (as reportlab does) not grouped again when the group splits
            flowables[: i + 1] = [group]
            return
        super().handle_keepWithNext(flowables)


def _page_decorator(findings: Findings):  # type: ignore[no-untyped-def]
    force = str(findings.audit.get("force", ""))
    return marked_pages(f"{force}: crime data integrity audit findings" if force else REPORT_TITLE)


def marked_pages(footer_left: str):  # type: ignore[no-untyped-def]
    """Every page's marking at its head and foot, the rules under and over them, and `footer_left` (cut to leave
    room for the page number) below the foot's marking: the findings report's and the board pack's."""

    def on_page(c: canvas.Canvas, _doc: Any) -> None:
        c.saveState()
        c.setFillColor(colors.black)
        c.setFont("Helvetica-Bold", 10)
        c.drawCentredString(PAGE_W / 2, PAGE_H - 1.3 * cm, MARKING)
        c.drawCentredString(PAGE_W / 2, 1.3 * cm, MARKING)
        c.setStrokeColor(GRID_GREY)
        c.setLineWidth(0.5)
        c.line(MARGIN_X, PAGE_H - 1.55 * cm, PAGE_W - MARGIN_X, PAGE_H - 1.55 * cm)
        c.line(MARGIN_X, 1.75 * cm, PAGE_W - MARGIN_X, 1.75 * cm)
        c.setFont("Helvetica", 8)
        # on its own line below the marking, cut to leave room for the page number
        label = printable(footer_left)
        while label and stringWidth(label, "Helvetica", 8) > FRAME_W - 3 * cm:
            label = label[:-2] + "\u2026" if len(label) > 2 else ""
        c.drawString(MARGIN_X, FOOTER_Y, label)
        c.restoreState()

    return on_page


# ---- content -----------------------------------------------------------------------------------------------
def _facts_table(rows: list[tuple[str, Any]], label_width: float = 4.2 * cm) -> Table:
    data = [[para(label, "cell_bold"), para(value, "cell")] for label, value in rows]
    t = Table(data, colWidths=[label_width, FRAME_W - label_width], hAlign="LEFT")
    t.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID_GREY),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
    ]))
    return t


def _title_page(findings: Findings) -> list[Flowable]:
    a = findings.audit
    hours = a.get("limit_hours")
    rules = a.get("rule_set_title") or a.get("rule_set", "")
    return [
        Spacer(1, 3.5 * cm),
        para(REPORT_TITLE, "title"),
        para(a.get("force", ""), "subtitle"),
        _facts_table([
            ("Force", a.get("force", "")),
            ("Audit", audit_name_text(findings)),
            ("Audit period", period_text(findings)),
            ("Rule set", rules),
            ("Time limit", f"{hours} hours from receipt of the report"),
            ("Audited by", auditors_text(findings)),
            ("Generated", a.get("generated_at", "")),
            ("Protective marking", MARKING),
            *previous_facts(findings),
            *trail_facts(findings),
        ]),
        Spacer(1, 1.2 * cm),
        para("This report holds findings about records of crime reported by victims, including children and "
             "victims of sexual offences and domestic abuse. Handle it as OFFICIAL-SENSITIVE: share it only "
             "with those who need it and do not leave it unattended.", "note"),
        PageBreak(),
    ]


def _count_table(findings: Findings, table: FindingsTable) -> Table:
    label_w, num_w = _column_widths(table)
    header = [Paragraph(text(LABEL_HEADINGS.get(table.key, "")), STYLES["head_left"])]
    header += [Paragraph(text(c), STYLES["head_right"]) for c in table.columns]
    data: list[list[Any]] = [header]
    style: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID_GREY),
        ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("VALIGN", (0, 1), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("FONTNAME", (1, 1), (-1, -1), "Helvetica"),
        ("FONTSIZE", (1, 1), (-1, -1), 10),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (1, 0), (-1, -1), 6),
    ]
    for i, r in enumerate(table.rows, 1):
        total = is_total(r.label)
        data.append([Paragraph(text(r.label), STYLES["cell_bold" if total else "cell"])]
                    + [_figure(c.text if c.text else NOT_APPLICABLE if not_applicable(table.key, r.label, col)
                               and not c.value else f"{c.value:,}", total)
                       for col, c in zip(table.columns, r.cells, strict=True)])
        if total:
            style += [("FONTNAME", (1, i), (-1, i), "Helvetica-Bold"), ("LINEABOVE", (0, i), (-1, i), 1.5,
                                                                          colors.black)]
    t = Table(data, colWidths=[label_w, *num_w], repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle(style))
    return t


# Tables too wide for the page print in parts, each with the row labels (published-style, then design-weighted).
_SPLIT_AT = {"recording_rates": "Design-weighted rate", "by_unit_rates": "Design-weighted rate",
             "by_unit": "Recording rate"}


def _column_parts(table: FindingsTable) -> list[FindingsTable]:
    first = _SPLIT_AT.get(table.key)
    if first is None or first not in table.columns:
        return [table]
    at = table.columns.index(first)
    return [FindingsTable(table.key, table.title, cols, [FindingsRow(r.label, cells) for r, cells in
                                                         zip(table.rows, rows, strict=True)], table.note)
            for cols, rows in ((table.columns[:at], [r.cells[:at] for r in table.rows]),
                               (table.columns[at:], [r.cells[at:] for r in table.rows]))]


def _figure(value: str, bold: bool) -> str | Paragraph:
    """A figure as drawn: short ones as they are; words (e.g. 'not defined at 0% or 100%') wrap in the cell."""
    if len(value) <= 12:
        return value
    return Paragraph(f"<b>{text(value)}</b>" if bold else text(value), STYLES["cell_right"])


def _weight(column: str) -> float:
    """Columns of words (a method, an interval that may say a bound was cut) get more room than counts."""
    if column.endswith("method") or column == "Rate used":
        return 2.0
    if column.endswith("interval"):
        return 1.5
    return 1.0


def _column_widths(table: FindingsTable) -> tuple[float, list[float]]:
    """Label column as wide as its longest label (within limits); figure columns share the rest by weight, each
    at least as wide as the longest word of its heading so headings wrap between words, never inside one."""
    n = max(len(table.columns), 1)
    pad = 12
    labels = [LABEL_HEADINGS.get(table.key, "")] + [r.label for r in table.rows]
    wordy = any(_weight(c) > 1 for c in table.columns)
    label_w = max(stringWidth(lab, "Helvetica-Bold", 9) for lab in labels) + pad
    label_w = min(max(label_w, 4 * cm), 4.6 * cm if wordy else 7 * cm)
    word_w = max((stringWidth(w, "Helvetica-Bold", 8.5) for c in table.columns for w in c.split()), default=0)
    weights = [_weight(c) for c in table.columns] or [1.0]
    unit = (FRAME_W - label_w) / sum(weights)
    if unit < word_w + pad:  # give the figure columns what they need; labels wrap instead
        unit = word_w + pad
        label_w = max(FRAME_W - sum(weights) * unit, 3 * cm)
    return label_w, [unit * w for w in weights][:n]


def _findings_section(findings: Findings) -> list[Flowable]:
    out: list[Flowable] = [para("1. Findings in numbers", "h1"),
                           para(f"{findings.audit.get('force', '')}, {period_text(findings)}. Counts are per "
                                f"crime for incidents and referrals and per record for the other checks; see "
                                f"section 3 for how each figure is counted.", "body")]
    if findings.warnings:
        out.append(para("Read the figures with these notes:", "body"))
        out += [Paragraph(f"&bull; {text(w)}", STYLES["body"]) for w in findings.warnings]
    for t in findings.tables:
        block: list[Flowable] = [para(t.title, "h2")]
        if table_is_empty(t):
            block.append(para("No records of this kind have a completed verdict in this audit.", "body"))
        else:
            parts = _column_parts(t)
            for n, part in enumerate(parts):
                if n:
                    block.append(Spacer(1, 6))
                block.append(_count_table(findings, part))
            if t.note:
                block.append(para(t.note, "note"))
            chart = {"recording_rates": rate_chart, "timeliness": timeliness_chart}.get(t.key)
            drawing = chart(findings, FRAME_W) if chart else None
            if drawing is not None:
                caption = ("Figure: recording rate by offence group; bars show the rate, whiskers the 95% interval."
                           if t.key == "recording_rates" else
                           f"Figure: crimes recorded within {findings.audit.get('limit_hours')} hours (grey) "
                           f"and outside (light, dashed outline).")
                block += [Spacer(1, 6), drawing, para(caption, "note")]
        out.append(KeepTogether(block))
    return out


def _samples_section(findings: Findings) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(8 * cm), para("2. Samples and method", "h1")]
    if not findings.samples:
        out.append(para("No samples have been drawn.", "body"))
    for smp in findings.samples:
        kind = smp.get("kind", "")
        size = sample_size(smp)
        facts = [("Kind", KIND_LABELS.get(kind, kind))]
        if smp.get("system"):
            facts.append(("System", smp["system"]))
        facts += [("Method", smp.get("method", "")),
                 ("Seed", smp.get("seed", "")),
                 ("Drawn", f"{smp.get('drawn_at', '')}" + (f" by {smp['drawn_by']}" if smp.get("drawn_by")
                                                            else ""))]
        if size is not None:
            facts.append(("Records drawn", extension_text(smp) or f"{size:,}"))
        if special_sample(smp):
            facts.append(("Special sample", f"{special_sample(smp)}: reported in its own table, not in the "
                                            f"recording rates"))
        block: list[Flowable] = [para(smp.get("name", ""), "h3"), _facts_table(facts, 3.2 * cm)]
        frame = smp.get("frame") or {}
        pop = frame.get("population") or {}
        alloc = frame.get("allocated") or {}
        if pop:
            rows: list[list[Any]] = [[Paragraph("Stratum", STYLES["head_left"]),
                                      Paragraph("Population", STYLES["head_right"]),
                                      Paragraph("Drawn", STYLES["head_right"])]]
            for key, n in pop.items():
                drawn = alloc.get(key)
                rows.append([para(stratum_label(key, kind), "cell"), f"{n:,}",
                             "" if drawn is None else f"{drawn:,}"])
            if len(pop) > 1:
                rows.append([para("Total", "cell_bold"), f"{sum(pop.values()):,}",
                             f"{sum(alloc.values()):,}" if alloc else ""])
            t = Table(rows, colWidths=[8 * cm, 3 * cm, 3 * cm], hAlign="LEFT", repeatRows=1)
            st: list[tuple[Any, ...]] = [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
                ("GRID", (0, 0), (-1, -1), 0.5, GRID_GREY),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("FONTSIZE", (1, 1), (-1, -1), 9),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
            if len(pop) > 1:
                st += [("FONTNAME", (1, -1), (-1, -1), "Helvetica-Bold"),
                       ("LINEABOVE", (0, -1), (-1, -1), 1.2, colors.black)]
            t.setStyle(TableStyle(st))
            block += [Spacer(1, 0.25 * cm), para("Population per stratum", "note"), t]
        out.append(KeepTogether(block))
    return out


def _method_section(findings: Findings) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(6 * cm), para("3. How the figures are counted", "h1")]
    out += [para(p, "body") for p in methodology(findings)]
    return out


def _agreement_table(review: ReviewFigures, auditor: str) -> Table:
    heads = ["Check", "Pairs", "Agreed", "% agreement (95% CI)", "Kappa (95% CI), method", "PABAK",
             "Landis and Koch band"]
    data: list[list[Any]] = [[Paragraph(text(heads[0]), STYLES["head_left"])]
                             + [Paragraph(text(h), STYLES["head_right"]) for h in heads[1:-1]]
                             + [Paragraph(text(heads[-1]), STYLES["head_left"])]]
    style = grid_style() + [("ALIGN", (1, 1), (5, -1), "RIGHT")]
    for group, rows in agreement_groups(review.agreement_for(auditor)):
        data.append([para(group, "cell_bold"), "", "", "", "", "", ""])
        i = len(data) - 1
        # a group's name never ends a page: it goes over with its first row
        style += [("SPAN", (0, i), (-1, i)), ("BACKGROUND", (0, i), (-1, i), GROUP_GREY),
                  ("NOSPLIT", (0, i), (-1, i + 1))]
        for a in rows:
            pct = text(percent_text(a)) + (f"<br/>({text(percent_interval(a))})" if percent_interval(a) else "")
            kap = text(kappa_figure(a))
            if a.kappa is not None:
                kap += f" ({text(kappa_interval(a))})" if kappa_interval(a) else ""
                kap += f"<br/><i>{text(a.kappa_method)}</i>"
            data.append([para(agreement_label(a), "cell"), f"{a.pairs:,}", f"{a.agree:,}",
                         Paragraph(pct, STYLES["cell_right"]), Paragraph(kap, STYLES["cell_right"]),
                         pabak_figure(a), para(kappa_band(a), "cell")])
    widths = [3.6 * cm, 1.2 * cm, 1.5 * cm, 3.1 * cm, 3.1 * cm, 1.5 * cm, 3.0 * cm]  # 17 cm: the frame
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle(style))
    return t


def _disagreement_note(findings: Findings, review: ReviewFigures) -> Paragraph | None:
    parts = [f"{agreement_label(a)}: " + "; ".join(findings.item_labels.get(i, f"item {i}")
                                                   for i in sorted(a.disagreements))
             for a in review.agreement_for("") if a.disagreements]
    if not parts:
        return None
    return Paragraph("<b>Records where the answers differ</b> (sample #position reference):<br/>"
                     + "<br/>".join(text(p) for p in parts), STYLES["note"])


def _agreement_section(findings: Findings, review: ReviewFigures) -> list[Flowable]:
    interval = f" ({review.percent_method})" if review.percent_method else ""
    out: list[Flowable] = [CondPageBreak(8 * cm), para("4. Peer review agreement", "h1"),
                           para(f"Auditor's and peer reviewer's answers compared per check: % agreement with its "
                                f"95% confidence interval{interval}; {AGREEMENT_METHOD} (the weighted kappa with "
                                "linear weights for crimes identified) with its 95% interval from the asymptotic "
                                "standard error; the prevalence- and bias-adjusted kappa (PABAK, Byrt, Bishop and "
                                "Carlin 1993); and the Landis and Koch (1977) band, given from 30 pairs.", "body")]
    if not review.agreement:
        out.append(para("Nothing has been peer reviewed yet: no record has both an auditor's and a reviewer's "
                        "completed verdict.", "body"))
        return out
    out += [para("All auditors", "h3"), _agreement_table(review, "")]
    note = _disagreement_note(findings, review)
    if note is not None:
        out.append(note)
    for who in review.auditors:
        out.append(KeepTogether([para(f"Auditor: {who}", "h3"), _agreement_table(review, who)]))
    for table in review.tables:  # the lead's decisions, agreement with the final verdict (review_outcomes)
        out += [KeepTogether([para(table.title, "h3"), _count_table(findings, table)]), para(table.note, "note")]
    out += [para(p, "note") for p in agreement_method(review.percent_method)]
    return out


def _challenges_section(findings: Findings, review: ReviewFigures) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(8 * cm), para("5. Before and after the force's challenges", "h1"),
                           para(resolution_method(), "body")]
    heads = ["Failure", *RESOLUTION_COLUMNS]
    small = ParagraphStyle("HeadSmall", parent=STYLES["head_right"], fontSize=7.5, leading=9)
    data: list[list[Any]] = [[Paragraph(text(heads[0]), STYLES["head_left"])]
                             + [Paragraph(text(h), small) for h in heads[1:]]]
    style = grid_style() + [("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("LEFTPADDING", (1, 0), (-1, -1), 3),
                            ("RIGHTPADDING", (1, 0), (-1, -1), 3)]
    for failure, figures in review.resolution():
        total = failure == "Total"
        data.append([para(failure, "cell_bold" if total else "cell")]
                    + [f"{len(figures[k]):,}" for k in RESOLUTION_KEYS])
        if total:
            i = len(data) - 1
            style += [("FONTNAME", (1, i), (-1, i), "Helvetica-Bold"),
                      ("LINEABOVE", (0, i), (-1, i), 1.5, colors.black)]
    # figure columns as wide as the longest heading word (headings wrap between words); the label takes the rest
    num_w = max(stringWidth(w, "Helvetica-Bold", 7.5) for h in heads[1:] for w in h.split()) + 8
    num_w = max(num_w, (FRAME_W - 5 * cm) / len(RESOLUTION_KEYS))
    t = Table(data, colWidths=[FRAME_W - num_w * len(RESOLUTION_KEYS)] + [num_w] * len(RESOLUTION_KEYS),
              repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle(style))
    out.append(t)
    out.append(para("Every failure and the force's response (the records behind the figures)", "h3"))
    heads = ["Record", "Failure", "Force's response", "Decision", "Still a failure"]
    data = [[Paragraph(text(h), STYLES["head_left"]) for h in heads]]
    widths = [3.6 * cm, 2.8 * cm, 4.4 * cm, 4.4 * cm, 1.8 * cm]
    # thousands of rows: a cell that fits on one line is drawn as a plain string in the table's font (as the
    # paragraph would draw it, in a tenth of the time); the response column's is bold, as its paragraphs start
    cell = PlainCells(widths, GRID_PADDING, STYLES["cell"], bold_columns=frozenset({2}))
    for r in review.challenges:
        label = findings.item_labels.get(r.failure.item_id, r.failure.reference)
        if r.failure.crime_no:
            label += f", crime {r.failure.crime_no}"
        response: Any
        if r.force_rationale:
            response = cell.para(f"<b>{text(r.response or 'no response')}</b>: {text(r.force_rationale)}")
        else:
            response = cell.plain(2, r.response or "no response")
        decision: Any = ""
        if r.response:
            decision = f"<b>{text(r.state)}</b>"
            if r.decision:
                decision += f" by {text(r.decided_by)}, {display(r.decided_at)}: {text(r.decision_reason)}"
            decision = cell.para(decision)
        elif r.decision:
            decision = cell.para(f" by {text(r.decided_by)}, {display(r.decided_at)}: {text(r.decision_reason)}")
        data.append([cell.plain(0, label), cell.plain(1, r.failure.failure), response, decision,
                     cell.plain(4, "Yes" if r.counted_after else "No")])
    heights = row_heights(data, widths, GRID_PADDING, cell.leading)
    out.append(PagedTable(data[0], data[1:], widths, heights[0], heights[1:],
                          grid_style() + [("VALIGN", (0, 1), (-1, -1), "TOP"), *cell.table_style()]))
    return out


def build_story(findings: Findings, review: ReviewFigures | None = None, by_unit: Any = None) -> list[Flowable]:
    story = _title_page(findings) + _findings_section(findings) + _samples_section(findings) + \
        _method_section(findings)
    if review is not None:
        story += _agreement_section(findings, review)
        if review.has_challenges:
            story += _challenges_section(findings, review)
    if by_unit is not None:  # findings_units.ByUnit: the findings by unit (pdf_units), an annex at the end
        from .pdf_units import units_section

        story += units_section(findings, by_unit)
    return story


def write_pdf(findings: Findings, path: str | Path, review: ReviewFigures | None = None, by_unit: Any = None,
              password: str | None = None) -> Path:
    """Write the findings report; the file appears complete or not at all. With `review`
    (common.review_figures(db)) it adds the peer review agreement and, once the force has answered, the
    before/after-challenges section. With `password` (else that of an enclosing protect.protected block) it opens
    only with it."""
    force = str(findings.audit.get("force", ""))

    def build(tmp: Path) -> None:
        doc = ReportDoc(
            str(tmp), pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM, title=f"{REPORT_TITLE} ({force})" if force else REPORT_TITLE,
            author=auditors_text(findings), subject=f"{MARKING}: crime data integrity audit",
            keywords=MARKING, creator="CDI Workbench", encrypt=pdf_encryption(password or current_password()))
        on_page = _page_decorator(findings)
        doc.build(build_story(findings, review, by_unit), onFirstPage=on_page, onLaterPages=on_page,
                  canvasmaker=NumberedCanvas)

    with without_gc():
        return write_atomically(path, build)
