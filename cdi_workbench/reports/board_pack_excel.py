"""The board pack as an Excel workbook (openpyxl), in the findings workbook's style (reports.excel): the marking in
cell A1 and in every printed header and footer, text always stored as text.

Sheets: Summary (each key rate, its interval, target, status and change), Trends (one row per audit per key figure:
audit, period, k, n, rate, lower, upper, method, ...), By unit, Completion, Actions. Every figure is a number cell
(rates as proportions shown as percentages); a figure that is not defined is left blank, never written as text.
On every sheet the data's header is row 4 and the data start in row 5.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cdi_workbench.programme_figures import RAG_CLUSTERING
from cdi_workbench.spreadsheets import clean_text, mark_workbook, put
from cdi_workbench.spreadsheets.sheets import add_whole_sheet, new_workbook
from cdi_workbench.trends import CHANGE_METHOD, TEST_METHOD

from .board_pack import BOARD_TITLE, PROVISIONAL, RATE_BASIS, BoardPack
from .common import without_gc, write_atomically
from .excel import (
    BOLD,
    GRID,
    HEADER_ALIGN,
    HEADER_FILL,
    NOTE_FONT,
    RATE_FORMAT,
    SUBTITLE_FONT,
    _marking_row,
    _print_setup,
)

HEADER_ROW = 4
COUNT = "#,##0"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
P_FORMAT = "0.0000"
RAG_FILLS = {"green": "8FD19E", "amber": "FFD27F", "red": "F2A0A0"}
PROVISIONAL_FILL = PatternFill("solid", start_color="FFF2CC", end_color="FFF2CC")


def _head(ws: Worksheet, pack: BoardPack, title: str, heads: list[str], widths: list[float],
          provisional: bool) -> None:
    _marking_row(ws)
    put(ws, 2, 1, title).font = Font(bold=True, size=13)
    sub = f"{pack.force}: audit {pack.audit}, {pack.period}. Generated {pack.generated_at}."
    if provisional:
        sub += f" {pack.provisional_text}."
    put(ws, 3, 1, sub).font = SUBTITLE_FONT
    for col, h in enumerate(heads, 1):
        c = put(ws, HEADER_ROW, col, h)
        c.font, c.fill, c.border, c.alignment = BOLD, HEADER_FILL, GRID, HEADER_ALIGN
        ws.column_dimensions[get_column_letter(col)].width = widths[col - 1]
    ws.row_dimensions[HEADER_ROW].height = 42
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)


def _row(ws: Worksheet, row: int, values: list[Any], formats: dict[int, str], wrap: bool = False) -> None:
    """One data row: numbers in their formats (1-based columns), text as text, None blank; `wrap`: long text wraps
    (the caller sets the row's height)."""
    for col, v in enumerate(values, 1):
        fmt = formats.get(col)
        if isinstance(v, datetime):
            fmt = DATETIME_FORMAT
        elif isinstance(v, date):
            v, fmt = datetime(v.year, v.month, v.day), DATE_FORMAT
        c = put(ws, row, col, v, fmt if isinstance(v, int | float | datetime) and not isinstance(v, bool) else None)
        c.border = GRID
        c.alignment = Alignment(wrap_text=wrap and isinstance(v, str) and len(v) > 30, vertical="top")


def _notes(ws: Worksheet, row: int, notes: list[str], width: int) -> None:
    for text in notes:
        row += 1
        c = put(ws, row, 1, text)
        c.font, c.alignment = NOTE_FONT, Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        ws.row_dimensions[row].height = 13.5 * max(1, -(-len(text) // 150)) + 3


def _pct(target: float | None) -> float | None:
    return None if target is None else target / 100


def _summary(ws: Worksheet, pack: BoardPack) -> None:
    heads = ["Key rate", "Figure", "k (recorded)", "n (counted)", "Rate", "Lower", "Upper", "Interval method",
             "Target", "Status", "Change", "Change lower", "Change upper", "p-value", "Change in words", "Provisional"]
    _head(ws, pack, f"{BOARD_TITLE}: summary", heads,
          [40, 26, 11, 11, 9, 9, 9, 40, 9, 11, 10, 11, 11, 9, 60, 11], pack.provisional)
    fmt = {3: COUNT, 4: COUNT, 5: RATE_FORMAT, 6: RATE_FORMAT, 7: RATE_FORMAT, 9: RATE_FORMAT, 11: RATE_FORMAT,
           12: RATE_FORMAT, 13: RATE_FORMAT, 14: P_FORMAT}
    row = HEADER_ROW
    for k in pack.key_rates:
        row += 1
        p, r, ch = k.point, k.rate, k.change
        defined = r is not None and r.defined
        _row(ws, row, [k.label, k.figure, p.k if p else None, p.n if p else None, r.rate if r else None,
                       r.low if defined and r else None, r.high if defined and r else None, k.method,
                       _pct(k.target), k.status_text, ch.difference if ch else None, ch.low if ch else None,
                       ch.high if ch else None, ch.p_value if ch else None, k.change_text,
                       "Yes" if k.provisional else "No"], fmt, wrap=True)
        fill = RAG_FILLS.get(k.status)
        if fill:
            ws.cell(row=row, column=10).fill = PatternFill("solid", start_color=fill, end_color=fill)
        ws.cell(row=row, column=15).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 44
    c = pack.completion
    _notes(ws, row + 1, [f"Completion of audit {pack.audit}: {c.completion.text}.",
                         f"{RATE_BASIS}; intervals by the {pack.method_text}.",
                         f"Status: {pack.rag_method}. {RAG_CLUSTERING}.",
                         f"Change: the audit against the one before it, {CHANGE_METHOD}, {TEST_METHOD}; audits under "
                         f"different rules or audit methods are not compared."], 10)
    _print_setup(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")


def _trends(ws: Worksheet, pack: BoardPack) -> None:
    heads = ["Figure", "Key rate", "Audit", "Period", "Period start", "Period end", "Rules", "Audit method",
             "Segment", "k", "n", "Rate", "Lower", "Upper", "Interval method", "Target", "Provisional",
             "p-chart lower limit", "p-chart upper limit", "p-chart signal", "Series breaks before this audit"]
    _head(ws, pack, f"{BOARD_TITLE}: trends ({pack.window_text})", heads,
          [26, 40, 12, 24, 12, 12, 8, 18, 9, 8, 8, 9, 9, 9, 34, 9, 11, 11, 11, 22, 60],
          bool(pack.provisional_audits))
    fmt = {9: "0", 10: COUNT, 11: COUNT, 12: RATE_FORMAT, 13: RATE_FORMAT, 14: RATE_FORMAT, 16: RATE_FORMAT,
           18: RATE_FORMAT, 19: RATE_FORMAT}
    row = HEADER_ROW
    for t in pack.trends:
        limits = {c.name: c for c in t.chart.points}
        breaks = {b.after: b.text for b in t.series.breaks}
        for p in t.series.points:
            row += 1
            r = p.rate
            ctl = limits.get(p.name)
            _row(ws, row, [t.figure, t.label, p.name, f"{p.period_start} to {p.period_end}",
                           datetime.strptime(p.period_start, "%d/%m/%Y").date(),
                           datetime.strptime(p.period_end, "%d/%m/%Y").date(), p.rules, p.method_style,
                           p.segment + 1, p.k, p.n, r.rate, r.low if r.defined else None,
                           r.high if r.defined else None, t.series.method_text, _pct(t.target),
                           "Yes" if p.name in t.provisional else "No", ctl.lower if ctl else None,
                           ctl.upper if ctl else None, ctl.signal if ctl else "", breaks.get(p.name, "")], fmt)
            if p.name in t.provisional:
                ws.cell(row=row, column=17).fill = PROVISIONAL_FILL
    _notes(ws, row + 1, [f"{RATE_BASIS}. Rates and limits are proportions shown as percentages; a blank is not "
                         "defined (nothing counted, or a normal interval at 0% or 100%).",
                         *[w for t in pack.trends for w in t.words[:2]]], 12)
    _print_setup(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")


def _units(ws: Worksheet, pack: BoardPack) -> None:
    heads = ["Unit", "Crimes identified", "Crimes recorded", "Recording rate", "Lower", "Upper", "Interval method"]
    _head(ws, pack, f"{BOARD_TITLE}: recording rate by unit (audit {pack.audit})", heads,
          [30, 12, 12, 12, 10, 10, 40], pack.provisional)
    fmt = {2: COUNT, 3: COUNT, 4: RATE_FORMAT, 5: RATE_FORMAT, 6: RATE_FORMAT}
    row = HEADER_ROW
    for u in pack.units:
        row += 1
        r = u.rate
        shown = r.defined or r.census  # a unit audited in full: its interval is the rate itself
        _row(ws, row, [u.unit, r.identified, r.recorded, r.rate, r.low if shown else None,
                       r.high if shown else None, r.short or pack.method_short], fmt)
    _notes(ws, row + 1, list(pack.unit_notes), 7)
    _print_setup(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")


def _completion(ws: Worksheet, pack: BoardPack) -> None:
    heads = ["Audit", "Period", "Records drawn", "Records audited", "Done", "State"]
    _head(ws, pack, f"{BOARD_TITLE}: completion", heads, [16, 26, 12, 12, 9, 20], bool(pack.provisional_audits))
    fmt = {3: COUNT, 4: COUNT, 5: "0%"}
    row = HEADER_ROW
    for c in pack.completions:
        row += 1
        _row(ws, row, [c.name, c.period, c.completion.drawn, c.completion.audited, c.percent, c.state], fmt)
        if c.provisional:
            ws.cell(row=row, column=6).fill = PROVISIONAL_FILL
    row += 2
    put(ws, row, 1, f"Audit {pack.audit} by sample").font = BOLD
    for name, audited, drawn in pack.completion.completion.by_sample:
        row += 1
        _row(ws, row, [name, "", drawn, audited, audited / drawn if drawn else None, ""], fmt)
    _notes(ws, row + 1, [f"An audit not finished is {PROVISIONAL}: its figures may still change."], 6)
    _print_setup(ws, landscape=False, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")


def _actions(ws: Worksheet, pack: BoardPack) -> None:
    heads = ["No.", "Recommendation", "Owner", "Due", "Status", "Overdue", "Raised in", "Last updated",
             "Updated by"]
    _head(ws, pack, f"{BOARD_TITLE}: actions log", heads, [6, 60, 20, 12, 12, 9, 12, 16, 20], False)
    row = HEADER_ROW
    for a in pack.actions:
        row += 1
        try:
            updated: Any = datetime.fromisoformat(a.updated_at).replace(tzinfo=None)
        except ValueError:
            updated = a.updated_at
        _row(ws, row, [a.number, a.recommendation, a.owner, date.fromisoformat(a.due), a.status,
                       "Yes" if a.overdue else "No", a.raised_in, updated, a.updated_by], {1: "0"}, wrap=True)
        ws.row_dimensions[row].height = 13.5 * max(1, -(-len(a.recommendation) // 62)) + 3
        if a.overdue:
            ws.cell(row=row, column=6).fill = PatternFill("solid", start_color=RAG_FILLS["red"],
                                                          end_color=RAG_FILLS["red"])
    if not pack.actions:
        put(ws, row + 1, 1, "No actions have been logged.")
    _print_setup(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")


def build_board_workbook(pack: BoardPack) -> Any:  # noqa: ANN401 (an openpyxl Workbook)
    wb = new_workbook()
    for title, fill in (("Summary", _summary), ("Trends", _trends), ("By unit", _units),
                        ("Completion", _completion), ("Actions", _actions)):
        fill(add_whole_sheet(wb, title), pack)
    mark_workbook(wb, clean_text(f"{BOARD_TITLE} ({pack.force}, audit {pack.audit})")[:250],
                  subject="Crime data integrity board pack")
    return wb


def write_board_xlsx(pack: BoardPack, path: str | Path, password: str | None = None) -> Path:
    """Write the board pack's workbook; complete or not at all. With `password` (else that of an enclosing
    protect.protected block) it is encrypted and no plain copy reaches the disk."""
    from .protect import current_password, save_encrypted_workbook

    password = password or current_password()
    with without_gc():
        wb = build_board_workbook(pack)
        if password:
            return write_atomically(path, lambda tmp: save_encrypted_workbook(wb.save, password, tmp))
        return write_atomically(path, lambda tmp: wb.save(tmp))
