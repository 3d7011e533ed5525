"""The record as the auditor reads it: header, narrative timeline with offence words marked, crime records."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser, QWidget

from cdi_workbench.audit.narrative import offence_spans
from cdi_workbench.audit.records import CrimeInfo, RecordDetail
from cdi_workbench.timeutil import display

KIND_TITLES = {"incident": "Incident log", "referral": "Referral", "disposal": "Out-of-court disposal",
               "cancellation": "Cancelled crime", "n100": "N100 record", "crime": "Crime record"}


def highlight(text: str) -> str:
    """Escape text and mark offence words (bold, underlined, tinted: readable in black and white too)."""
    out, pos = [], 0
    for start, end in offence_spans(text):
        out.append(escape(text[pos:start]))
        out.append(f"<b><u style='background:#fff2a8'>{escape(text[start:end])}</u></b>")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def _stacked(when) -> str:  # noqa: ANN001
    """dd/mm/yyyy over HH:MM, so time columns stay narrow and the offence keeps its width."""
    return display(when).replace(" ", "<br>")


def _crime_rows(crimes: list[CrimeInfo], with_why: bool) -> str:
    rows = []
    for c in crimes:
        why = f"<br><i>{escape(c.why)}</i>" if with_why and c.why else ""  # under the reference: no extra column
        notes = " (DA)" if c.domestic_abuse else ""
        if c.status != "recorded":  # under the reference, whole (the offence column is narrow)
            why = f"<br><b style='white-space:nowrap; background:#fde2c8'>⚠ {escape(c.status or 'no status')}</b>{why}"
        victim = f"<br>Victim: {escape(c.victim)}" if c.victim else ""  # under the offence: it keeps its width
        rows.append(f"<tr><td><b style='white-space:nowrap'>{escape(c.ref)}</b>{why}</td>"
                    f"<td><b>{escape(c.ho_code)}</b> {escape(c.offence)}{notes}{victim}</td>"
                    f"<td style='white-space:nowrap'>{_stacked(c.reported_at)}</td>"
                    f"<td style='white-space:nowrap'>{_stacked(c.recorded_at)}</td></tr>")
    first = "Crime, why offered" if with_why else "Crime"
    # no column is given a share of the width (a 50% offence column went one letter a line in a narrow view:
    # issue 11); 99%, as Qt's sizing of the columns to their content can run a pixel over 100% (a scroll bar)
    return ("<table cellspacing=0 cellpadding=3 border=1 style='border-collapse:collapse' width='99%'>"
            f"<tr><th align=left>{first}</th><th align=left>Offence, victim</th><th align=left>Reported</th>"
            f"<th align=left>Recorded</th></tr>{''.join(rows)}</table>")


def _status_warnings(crimes: list[CrimeInfo]) -> str:
    """A crime record that is no longer 'recorded' (cancelled, transferred) is said above the table, marked and
    tinted (readable in black and white), never only as a word in a cell."""
    out = []
    for c in crimes:
        if c.status == "recorded":
            continue
        state = "has been cancelled" if c.status == "cancelled" else f"has the status '{escape(c.status or 'none')}'"
        out.append(f"<tr><td bgcolor='#fde2c8' style='border:1px solid #b35c00'><b>⚠ Crime record "
                   f"{escape(c.ref)} {state}.</b> A crime identified that it recorded is still counted as "
                   f"recorded, as the verdict says; the findings name it.</td></tr>")
    return f"<table cellspacing=0 cellpadding=4 width='100%'>{''.join(out)}</table>" if out else ""


def _timeline(entries: list) -> str:  # noqa: ANN001 (narrative.Entry)
    out = []
    for e in entries:
        who = f" · <i>{escape(e.author)}</i>" if e.author else ""
        out.append(f"<p style='margin:6px 0 0 0'><b>{escape(e.time)}</b>{who}</p>"
                   f"<p style='margin:0 0 0 14px'>{highlight(e.text)}</p>")
    return "".join(out)


def render(d: RecordDetail) -> str:
    title = KIND_TITLES.get(d.kind, d.kind)
    sys_ = f" ({escape(d.system)})" if d.system and d.kind == "referral" else ""
    parts = [f"<h2 style='margin:0'>{title}{sys_} {escape(d.ref)}</h2>"]
    if d.received_at:
        label = {"incident": "Received", "referral": "Received", "disposal": "Issued",
                 "cancellation": "Cancelled", "n100": "Recorded", "crime": "Recorded"}.get(d.kind, "Date")
        parts.append(f"<p style='margin:2px 0'><b>{label}:</b> {display(d.received_at)}</p>")
    if d.flagged:
        parts.append(f"<p><b>⚑ Flagged for a second opinion:</b> {escape(d.flag_note)}</p>")
    if d.fields:
        parts.append("<table cellpadding=2>" + "".join(
            f"<tr><td><b>{escape(k)}</b></td><td>{highlight(v)}</td></tr>" for k, v in d.fields) + "</table>")
    if d.narrative:
        parts.append("<h3>Narrative</h3>" + _timeline(d.narrative))
    if d.related:
        parts.append(f"<h3>{escape(d.related_title)}</h3>" + _timeline(d.related))
    # a crime record sampled itself: its own row (code, offence, reported and recorded times) under this heading
    parts.append("<h3>The crime record</h3>" if d.kind == "crime" else "<h3>Linked crime records</h3>")
    if d.kind in ("incident", "referral"):  # where crimes identified are linked; a cancellation's own crime record
        parts.append(_status_warnings(d.linked))  # is cancelled by definition (its status shows in the table)
    parts.append(_crime_rows(d.linked, False) if d.linked else "<p><i>None linked.</i></p>")
    if d.candidates:
        parts.append("<h3>Crime records not linked that may match</h3>")
        parts.append(_crime_rows(d.candidates, True))
    return "".join(parts)


class RecordView(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setAccessibleName("Record")
        # never so narrow that a crime table's offence column goes one letter a line (issue 11): about 64
        # characters hold a reference, two stacked dates and an offence's words
        self.setMinimumWidth(64 * self.fontMetrics().averageCharWidth())
        self.detail: RecordDetail | None = None

    def show_record(self, d: RecordDetail | None) -> None:
        self.detail = d
        self.setHtml(render(d) if d else "<p><i>No record selected.</i></p>")
