"""The findings dashboard: tables that update as verdicts are entered, charts, and drill-down to records."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QTabWidget, QTextBrowser, QWidget

from cdi_workbench.findings import Cell, Findings

from .charts import RateChart, TimelinessChart


def _figure(c: Cell) -> str:
    return escape(c.text) if c.text else f"{c.value:,}"


def render(f: Findings) -> str:
    parts = []
    for ti, t in enumerate(f.tables):
        if not any(c.value for r in t.rows for c in r.cells):
            continue
        head = "".join(f"<th align=right>{escape(c)}</th>" for c in t.columns)
        rows = []
        for ri, r in enumerate(t.rows):
            cells = []
            for ci, c in enumerate(r.cells):
                shown = _figure(c)
                if c.items:  # every figure opens the records behind it
                    shown = f"<a href='drill:{ti}:{ri}:{ci}'>{shown}</a>"
                cells.append(f"<td align=right>{shown}</td>")
            rows.append(f"<tr><td>{escape(r.label)}</td>{''.join(cells)}</tr>")
        note = f"<br><small><i>{escape(t.note)}</i></small>" if t.key == "recording_rates" and t.note else ""
        parts.append(f"<p style='margin:6px 0 2px 0'><b>{escape(t.title)}</b></p>"
                     f"<table border=1 cellspacing=0 cellpadding=3 style='border-collapse:collapse'>"
                     f"<tr><th></th>{head}</tr>{''.join(rows)}</table>{note}")
    if not parts:
        return "<p><i>No completed verdicts yet.</i></p>"
    return "<p><small>Click a figure to see the records behind it.</small></p>" + "".join(parts)


class FindingsView(QTabWidget):
    """Tables and charts; `drill(items, title)` when a figure is clicked."""

    drill = Signal(list, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Findings so far")
        self.browser = QTextBrowser(objectName="findings_tables")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._clicked)
        self.rate_chart = RateChart()
        self.time_chart = TimelinessChart()
        self.addTab(self.browser, "Tables")
        self.addTab(self.rate_chart, "Recording rates")
        self.addTab(self.time_chart, "Timeliness")
        self.findings: Findings | None = None

    def show_findings(self, f: Findings) -> None:
        self.findings = f
        bar = self.browser.verticalScrollBar().value()
        self.browser.setHtml(render(f))
        self.browser.verticalScrollBar().setValue(bar)
        self.rate_chart.set_findings(f)
        self.time_chart.set_findings(f)

    def _clicked(self, url: QUrl) -> None:
        text = url.toString()
        if not text.startswith("drill:") or self.findings is None:
            return
        ti, ri, ci = (int(x) for x in text.split(":")[1:])
        t = self.findings.tables[ti]
        row, cell = t.rows[ri], t.rows[ri].cells[ci]
        self.drill.emit(list(cell.items), f"{t.title}: {row.label}, {t.columns[ci]} ({_figure(cell)})")
