"""Charts for the PDF report (reportlab graphics): grey bars, black interval whiskers, values printed,
so they read the same printed in black and white."""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from cdi_workbench.findings import Findings

GREY = colors.Color(0.62, 0.66, 0.70)
LIGHT = colors.Color(0.92, 0.93, 0.94)
ROW_H = 18
LABEL_W = 175
VALUE_W = 95


def _axis(d: Drawing, x0: float, plot_w: float, y: float, top: float) -> None:
    for pct in (0, 25, 50, 75, 100):
        x = x0 + plot_w * pct / 100
        d.add(Line(x, y, x, top, strokeColor=colors.lightgrey, strokeWidth=0.4, strokeDashArray=[1, 2]))
        d.add(String(x, y - 10, f"{pct}%", fontName="Helvetica", fontSize=7, textAnchor="middle"))


def rate_chart(f: Findings, width: float) -> Drawing | None:
    """Recording rate per offence group with its interval, for groups with crimes identified."""
    from cdi_workbench.findings import RATE_GROUPS, WEIGHTED_LABEL

    keys = dict((lab, k) for k, lab in [*RATE_GROUPS, ("all_weighted", WEIGHTED_LABEL)])
    table = next((t for t in f.tables if t.key == "recording_rates"), None)
    rows = []
    for r in table.rows if table else []:
        rate = f.rates.get(keys.get(r.label, ""))
        if rate is not None and rate.rate is not None:
            rows.append((r.label, rate, rate.rate))
    if not rows:
        return None
    plot_w = width - LABEL_W - VALUE_W
    height = ROW_H * len(rows) + 30
    d = Drawing(width, height)
    base = 18
    _axis(d, LABEL_W, plot_w, base, height - 6)
    for i, (label, rate, value) in enumerate(reversed(rows)):
        y = base + i * ROW_H
        d.add(String(LABEL_W - 6, y + 5, label, fontName="Helvetica", fontSize=8, textAnchor="end"))
        d.add(Rect(LABEL_W, y + 3, plot_w * value, ROW_H - 6, fillColor=GREY, strokeColor=colors.black,
                   strokeWidth=0.5))
        if rate.low is not None and rate.high is not None:
            x1, x2, cy = LABEL_W + plot_w * rate.low, LABEL_W + plot_w * rate.high, y + ROW_H / 2
            for line in ((x1, cy, x2, cy), (x1, cy - 4, x1, cy + 4), (x2, cy - 4, x2, cy + 4)):
                d.add(Line(*line, strokeColor=colors.black, strokeWidth=1))
        d.add(String(LABEL_W + plot_w + 6, y + 5, f"{value * 100:.1f}% (n={rate.identified})",
                     fontName="Helvetica", fontSize=8))
    return d


def timeliness_chart(f: Findings, width: float) -> Drawing | None:
    """Crimes recorded within the limit (grey) and outside it (light, outlined) per offence group."""
    table = next((t for t in f.tables if t.key == "timeliness"), None)
    rows = [(r.label, int(r.cells[1].value), int(r.cells[2].value)) for r in table.rows] if table else []
    top = max((a + b for _, a, b in rows), default=0)
    if not top:
        return None
    plot_w = width - LABEL_W - VALUE_W
    d = Drawing(width, ROW_H * len(rows) + 8)
    for i, (label, ok, late) in enumerate(reversed(rows)):
        y = 4 + i * ROW_H
        d.add(String(LABEL_W - 6, y + 5, label, fontName="Helvetica", fontSize=8, textAnchor="end"))
        w_ok, w_late = plot_w * ok / top, plot_w * late / top
        d.add(Rect(LABEL_W, y + 3, w_ok, ROW_H - 6, fillColor=GREY, strokeColor=colors.black, strokeWidth=0.5))
        d.add(Rect(LABEL_W + w_ok, y + 3, w_late, ROW_H - 6, fillColor=LIGHT, strokeColor=colors.black,
                   strokeWidth=0.5, strokeDashArray=[2, 1]))
        d.add(String(LABEL_W + plot_w + 6, y + 5, f"{ok} of {ok + late} in time" if ok + late else "no crimes",
                     fontName="Helvetica", fontSize=8))
    return d
