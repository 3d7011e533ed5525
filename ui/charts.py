"""Charts drawn with QPainter (no extra Qt module): recording rates with intervals, timeliness per group.

Bars are grey and outlined, intervals are black whiskers, values are printed: readable in black and white.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from cdi_workbench.findings import Findings

BAR = QColor("#9aa5b1")
BAR_LATE = QColor("#e4e7eb")


class RateChart(QWidget):
    """Horizontal bars: recording rate per offence group with the 95% interval as a whisker."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, float | None, float | None, float | None, int]] = []
        self.design: list[float | None] = []  # the design-weighted rate per row, drawn as a diamond
        self.title = "Recording rate by offence group (95% interval)"
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_findings(self, f: Findings) -> None:
        table = next((t for t in f.tables if t.key == "recording_rates"), None)
        self.rows, self.design = [], []
        methods: list[str] = []
        if table is not None:
            for r in table.rows:
                key = next((k for k, lab in _labels() if lab == r.label), "")
                rate = f.rates.get(key)
                ident = int(r.cells[0].value)
                self.rows.append((r.label, rate.rate if rate else None, rate.low if rate else None,
                                  rate.high if rate else None, ident))
                design = f.design_rates.get(key) if key != "all_weighted" else None
                self.design.append(design.rate if design else None)
                if rate is not None and rate.short and key != "all_weighted":
                    methods.append(rate.short.split(",")[0])  # 'Normal approximation, FPC (N = ...)': the name
        method = ", ".join(dict.fromkeys(methods))
        self.title = ("Recording rate by offence group, published style" + (f" (95% interval: {method})" if method
                                                                            else " (95% interval)")
                      + ("; ◆ design-weighted rate" if any(d is not None for d in self.design) else ""))
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
        metrics = QFontMetrics(p.font())
        # as wide as the longest label (none cut), within reason; the figure column as wide as its text
        label_w = min(max(metrics.horizontalAdvance(r[0]) for r in self.rows) + 14.0, max(160.0, w * 0.4))
        right = max(120.0, max(metrics.horizontalAdvance(self._value_text(i)) for i in range(len(self.rows))) + 12.0)
        top = 24.0
        plot_w = max(50.0, w - label_w - right)
        row_h = min(26.0, (h - top - 18) / len(self.rows))
        for pct in (0, 25, 50, 75, 100):
            x = label_w + plot_w * pct / 100
            p.setPen(QPen(QColor("#cbd2d9"), 1, Qt.PenStyle.DotLine))
            p.drawLine(int(x), int(top), int(x), int(top + row_h * len(self.rows)))
            p.setPen(QColor("#52606d"))  # the scale readable, the grid faint
            p.drawText(QRectF(x - 20, top + row_h * len(self.rows), 40, 14), Qt.AlignmentFlag.AlignCenter, f"{pct}%")
        for i, (label, rate, low, high, _n) in enumerate(self.rows):
            y = top + i * row_h
            p.setPen(Qt.GlobalColor.black)
            p.drawText(QRectF(4, y, label_w - 8, row_h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       metrics.elidedText(label, Qt.TextElideMode.ElideMiddle, int(label_w - 8)))
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
            design = self.design[i] if i < len(self.design) else None
            if design is not None:
                cx, cy, r = label_w + plot_w * design, y + row_h / 2, max(3.0, row_h * 0.22)
                p.setPen(QPen(Qt.GlobalColor.white, 1))
                p.setBrush(Qt.GlobalColor.black)
                p.drawPolygon(QPolygonF([QPointF(cx, cy - r), QPointF(cx + r, cy), QPointF(cx, cy + r),
                                         QPointF(cx - r, cy)]))
                p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(Qt.GlobalColor.black)
            p.drawText(QRectF(label_w + plot_w + 6, y, right, row_h), Qt.AlignmentFlag.AlignVCenter,
                       self._value_text(i))

    def _value_text(self, i: int) -> str:
        label, rate, _low, _high, n = self.rows[i]
        if rate is None:
            return ""
        design = self.design[i] if i < len(self.design) else None
        return f"{rate * 100:.1f}% (n={n})" + (f" ◆ {design * 100:.1f}%" if design is not None else "")


class TimelinessChart(QWidget):
    """Stacked bars per group: recorded within the limit (grey) and outside it (light, hatched)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, int, int]] = []
        self.unknown: list[int] = []  # recorded crimes whose time is not known, per row (not drawn, said)
        self.limit = ""
        self.setMinimumHeight(150)

    def set_findings(self, f: Findings) -> None:
        table = next((t for t in f.tables if t.key == "timeliness"), None)
        self.limit = str(f.audit.get("limit_hours", ""))
        self.rows = [(r.label, int(r.cells[1].value), int(r.cells[2].value)) for r in table.rows] if table else []
        col = table.columns.index("Time not known") if table and "Time not known" in table.columns else -1
        self.unknown = [int(r.cells[col].value) if col >= 0 else 0 for r in table.rows] if table else []
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: ANN001, N802
        p = QPainter(self)
        w, h = self.width(), self.height()
        p.setFont(QFont(self.font().family(), 9, QFont.Weight.Bold))
        p.drawText(QRectF(6, 2, w - 12, 18), Qt.AlignmentFlag.AlignLeft,
                   f"Recorded within {self.limit} hours (grey) and outside (hatched); a time not known (missing, "
                   f"or recorded before the report) is counted apart")
        p.setFont(QFont(self.font().family(), 9))
        total_max = max((a + b for _, a, b in self.rows), default=0)
        if not total_max:
            p.drawText(QRectF(6, 24, w, 20), Qt.AlignmentFlag.AlignLeft, "No crimes recorded yet.")
            return
        metrics = QFontMetrics(p.font())
        label_w = min(max(metrics.horizontalAdvance(r[0]) for r in self.rows) + 14.0, max(160.0, w * 0.4))
        right = max(150.0, max(metrics.horizontalAdvance(self._value_text(i)) for i in range(len(self.rows))) + 12.0)
        top = 24.0
        plot_w = max(50.0, w - label_w - right)
        row_h = min(26.0, (h - top - 4) / len(self.rows))
        for i, (label, ok, late) in enumerate(self.rows):
            y = top + i * row_h
            p.setPen(Qt.GlobalColor.black)
            p.drawText(QRectF(4, y, label_w - 8, row_h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       metrics.elidedText(label, Qt.TextElideMode.ElideMiddle, int(label_w - 8)))
            a = QRectF(label_w, y + row_h * 0.2, plot_w * ok / total_max, row_h * 0.6)
            b = QRectF(a.right(), a.top(), plot_w * late / total_max, a.height())
            p.fillRect(a, BAR)
            p.drawRect(a)
            p.fillRect(b, BAR_LATE)
            p.fillRect(b, Qt.BrushStyle.BDiagPattern)
            p.drawRect(b)
            p.drawText(QRectF(label_w + plot_w + 6, y, right, row_h), Qt.AlignmentFlag.AlignVCenter,
                       self._value_text(i))

    def _value_text(self, i: int) -> str:
        _label, ok, late = self.rows[i]
        unknown = self.unknown[i] if i < len(self.unknown) else 0
        text = f"{ok} of {ok + late} in time" if ok + late else "no crimes"
        return text + (f", {unknown} time not known" if unknown else "")


def _labels() -> list[tuple[str, str]]:
    from cdi_workbench.findings import RATE_GROUPS, WEIGHTED_LABEL

    return [*RATE_GROUPS, ("all_weighted", WEIGHTED_LABEL)]
