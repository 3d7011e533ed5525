"""Charts drawn with QPainter (no extra Qt module): recording rates with intervals, timeliness per group.

Bars are grey and outlined, intervals are black whiskers, values are printed: readable in black and white.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from cdi_workbench.findings import Findings

BAR = QColor("#9aa5b1")
BAR_LATE = QColor("#e4e7eb")


class RateChart(QWidget):
    """Horizontal bars: recording rate per offence group with the 95% interval as a whisker."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, float | None, float | None, float | None, int]] = []
        self.title = "Recording rate by offence group (95% interval)"
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_findings(self, f: Findings) -> None:
        table = next((t for t in f.tables if t.key == "recording_rates"), None)
        self.rows = []
        if table is not None:
            for r in table.rows:
                key = next((k for k, lab in _labels() if lab == r.label), "")
                rate = f.rates.get(key)
                ident = int(r.cells[0].value)
                self.rows.append((r.label, rate.rate if rate else None, rate.low if rate else None,
                                  rate.high if rate else None, ident))
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: ANN001, N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        p.setFont(QFont(self.font().family(), 9, QFont.Weight.Bold))
        p.drawText(QRectF(6, 2, w - 12, 18), Qt.AlignmentFlag.AlignLeft, self.title)
        p.setFont(QFont(self.font().family(), 9))
        if not self.rows:
            p.drawText(QRectF(6, 24, w, 20), Qt.AlignmentFlag.AlignLeft, "No completed verdicts yet.")
            return
        label_w, top, right = 230.0, 24.0, 120.0
        plot_w = max(50.0, w - label_w - right)
        row_h = min(26.0, (h - top - 18) / len(self.rows))
        p.setPen(QPen(QColor("#cbd2d9"), 1, Qt.PenStyle.DotLine))
        for pct in (0, 25, 50, 75, 100):
            x = label_w + plot_w * pct / 100
            p.drawLine(int(x), int(top), int(x), int(top + row_h * len(self.rows)))
            p.drawText(QRectF(x - 20, top + row_h * len(self.rows), 40, 14), Qt.AlignmentFlag.AlignCenter, f"{pct}%")
        for i, (label, rate, low, high, n) in enumerate(self.rows):
            y = top + i * row_h
            p.setPen(Qt.GlobalColor.black)
            p.drawText(QRectF(4, y, label_w - 8, row_h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       label)
            if rate is None:
                p.drawText(QRectF(label_w + 4, y, plot_w, row_h), Qt.AlignmentFlag.AlignVCenter, "no crimes identified")
                continue
            bar = QRectF(label_w, y + row_h * 0.2, plot_w * rate, row_h * 0.6)
            p.fillRect(bar, BAR)
            p.drawRect(bar)
            if low is not None and high is not None:
                cy = y + row_h / 2
                p.setPen(QPen(Qt.GlobalColor.black, 1.5))
                x1, x2 = label_w + plot_w * low, label_w + plot_w * high
                p.drawLine(int(x1), int(cy), int(x2), int(cy))
                p.drawLine(int(x1), int(cy - 5), int(x1), int(cy + 5))
                p.drawLine(int(x2), int(cy - 5), int(x2), int(cy + 5))
            p.drawText(QRectF(label_w + plot_w + 6, y, right, row_h), Qt.AlignmentFlag.AlignVCenter,
                       f"{rate * 100:.1f}% (n={n})")


class TimelinessChart(QWidget):
    """Stacked bars per group: recorded within the limit (grey) and outside it (light, hatched)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, int, int]] = []
        self.limit = ""
        self.setMinimumHeight(150)

    def set_findings(self, f: Findings) -> None:
        table = next((t for t in f.tables if t.key == "timeliness"), None)
        self.limit = str(f.audit.get("limit_hours", ""))
        self.rows = [(r.label, int(r.cells[1].value), int(r.cells[2].value)) for r in table.rows] if table else []
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: ANN001, N802
        p = QPainter(self)
        w, h = self.width(), self.height()
        p.setFont(QFont(self.font().family(), 9, QFont.Weight.Bold))
        p.drawText(QRectF(6, 2, w - 12, 18), Qt.AlignmentFlag.AlignLeft,
                   f"Recorded within {self.limit} hours (grey) and outside (hatched)")
        p.setFont(QFont(self.font().family(), 9))
        total_max = max((a + b for _, a, b in self.rows), default=0)
        if not total_max:
            p.drawText(QRectF(6, 24, w, 20), Qt.AlignmentFlag.AlignLeft, "No crimes recorded yet.")
            return
        label_w, top, right = 230.0, 24.0, 150.0
        plot_w = max(50.0, w - label_w - right)
        row_h = min(26.0, (h - top - 4) / len(self.rows))
        for i, (label, ok, late) in enumerate(self.rows):
            y = top + i * row_h
            p.setPen(Qt.GlobalColor.black)
            p.drawText(QRectF(4, y, label_w - 8, row_h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       label)
            a = QRectF(label_w, y + row_h * 0.2, plot_w * ok / total_max, row_h * 0.6)
            b = QRectF(a.right(), a.top(), plot_w * late / total_max, a.height())
            p.fillRect(a, BAR)
            p.drawRect(a)
            p.fillRect(b, BAR_LATE)
            p.fillRect(b, Qt.BrushStyle.BDiagPattern)
            p.drawRect(b)
            p.drawText(QRectF(label_w + plot_w + 6, y, right, row_h), Qt.AlignmentFlag.AlignVCenter,
                       f"{ok} of {ok + late} in time" if ok + late else "no crimes")


def _labels() -> list[tuple[str, str]]:
    from cdi_workbench.findings import RATE_GROUPS, WEIGHTED_LABEL

    return [*RATE_GROUPS, ("all_weighted", WEIGHTED_LABEL)]
