"""Live counts of the findings so far, as the tables will be published."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser, QWidget

from cdi_workbench.findings import Cell, Findings


def _figure(c: Cell) -> str:
    return escape(c.text) if c.text else f"{c.value:,}"


def render(f: Findings) -> str:
    parts = []
    for t in f.tables:
        if not any(c.value for r in t.rows for c in r.cells):
            continue
        head = "".join(f"<th align=right>{escape(c)}</th>" for c in t.columns)
        rows = "".join("<tr><td>" + escape(r.label) + "</td>" +
                       "".join(f"<td align=right>{_figure(c)}</td>" for c in r.cells) + "</tr>" for r in t.rows)
        parts.append(f"<p style='margin:4px 0'><b>{escape(t.title)}</b></p>"
                     f"<table border=1 cellspacing=0 cellpadding=3 style='border-collapse:collapse'>"
                     f"<tr><th></th>{head}</tr>{rows}</table>")
    return "".join(parts) or "<p><i>No completed verdicts yet.</i></p>"


class FindingsView(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Findings so far")
        self.findings: Findings | None = None

    def show_findings(self, f: Findings) -> None:
        self.findings = f
        self.setHtml(render(f))
