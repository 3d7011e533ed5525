"""The findings as an Excel workbook (openpyxl): a Summary sheet, one sheet per findings table laid out as
published, the items behind every figure, and one row per verdict.

Every sheet carries the OFFICIAL-SENSITIVE marking in its first row and in its printed header and footer.
Free text is always stored as text: a rationale such as "=HYPERLINK(...)" or "+44 ..." is written as a
string cell with the quote-prefix style, never as a formula, so Excel shows it and does not evaluate it.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from cdi_workbench.findings import Findings, Table
from cdi_workbench.findings_units import ByUnit
from cdi_workbench.spreadsheets import (  # noqa: F401  (RISKY_START, MAX_*: the names this module always gave)
    MAX_CELL_TEXT,
    MAX_EXACT_INT,
    RISKY_START,
    clean_text,
    mark_pages,
    mark_workbook,
    marking_row,
    put,
)
from cdi_workbench.spreadsheets.sheets import Look, RowSheet, add_rows_sheet, add_whole_sheet, new_workbook
from cdi_workbench.timeutil import DISPLAY_FORMAT, display

from .common import (
    AGREEMENT_COLUMNS,
    AGREEMENT_METHOD,
    CHALLENGE_COLUMNS,
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
    column_label,
    extension_text,
    is_total,
    kappa_band,
    methodology,
    not_applicable,
    period_text,
    population_text,
    previous_facts,
    resolution_method,
    sample_size,
    special_sample,
    table_is_empty,
    trail_facts,
    verdict_columns,
    without_gc,
    write_atomically,
    yes_no,
)

BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
SUBTITLE_FONT = Font(italic=True, size=10)
MARKING_FONT = Font(bold=True, size=11)
NOTE_FONT = Font(italic=True, size=9)
HEADER_FILL = PatternFill("solid", start_color="D9D9D9", end_color="D9D9D9")
THIN = Side(style="thin", color="808080")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TOTAL_BORDER = Border(left=THIN, right=THIN, top=Side(style="medium", color="000000"), bottom=THIN)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
RATE_FORMAT = "0.0%"
COUNT_FORMAT = "#,##0"
KAPPA_FORMAT = "0.00"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"

# The heading of the label column of each findings table.
LABEL_HEADINGS = {"incidents": "Records", "other_systems": "System", "cancellations": "Offence group",
                  "disposals": "Disposal type", "n100": "Records", "by_unit": "Unit",
                  "by_unit_rates": "Unit: offence group"}
WRAPPED_VERDICT_COLUMNS = {"classification", "timeliness", "reason_not_recorded", "rationale"}


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique worksheet name: no []:*?/\\ characters, at most 31 characters."""
    name = re.sub(r"[\[\]:*?/\\]", "-", title).strip().strip("'") or "Sheet"
    name = name[:31]
    base, n = name, 2
    while name.lower() in used or name.lower() == "history":
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def _print_setup(ws: Worksheet | RowSheet, landscape: bool = False, title_rows: str | None = None) -> None:
    mark_pages(ws)
    for footer in (ws.oddFooter, ws.evenFooter, ws.firstFooter):
        footer.right.text = "Page &P of &N"
        footer.right.size = 8
        footer.left.text = "&A"
        footer.left.size = 8
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if title_rows:
        ws.print_title_rows = title_rows


def _marking_row(ws: Worksheet | RowSheet) -> None:
    marking_row(ws, MARKING_FONT)


def _paragraph(ws: Worksheet | RowSheet, row: int, text: str, first_col: int, last_col: int, width_chars: float,
               font: Font | None = None) -> None:
    """A wrapped paragraph across merged columns, with a row height that fits it."""
    cell = put(ws, row, first_col, text)
    cell.alignment = WRAP_TOP
    if font:
        cell.font = font
    if last_col > first_col:
        ws.merge_cells(start_row=row, start_column=first_col, end_row=row, end_column=last_col)
    lines = max(1, -(-len(text) // max(1, int(width_chars * 1.1))))
    ws.row_dimensions[row].height = 13.5 * lines + 3


# ---- sheets ------------------------------------------------------------------------------------------------
SAMPLE_WIDTHS = [24, 18, 14, 34, 12, 16, 16, 8, 48]  # the summary sheet's columns (the samples table's)


def _summary_sheet(ws: Worksheet, findings: Findings, contents: list[tuple[str, str]]) -> None:
    a = findings.audit
    _marking_row(ws)
    put(ws, 2, 1, REPORT_TITLE).font = TITLE_FONT
    facts = [
        ("Force", a.get("force", "")),
        ("Audit", audit_name_text(findings)),
        ("Audit period", period_text(findings)),
        ("Rule set", a.get("rule_set_title") or a.get("rule_set", "")),
        ("Time limit", f"{a.get('limit_hours')} hours from receipt of the report"),
        ("Audited by", auditors_text(findings)),
        ("Generated", a.get("generated_at", "")),
        ("Protective marking", MARKING),
        *previous_facts(findings),
        *trail_facts(findings),
    ]
    row = 4
    for label, value in facts:
        put(ws, row, 1, label).font = BOLD
        put(ws, row, 2, value).alignment = Alignment(wrap_text=False, vertical="top")
        row += 1

    row += 1
    put(ws, row, 1, "Samples").font = Font(bold=True, size=12)
    row += 1
    heads = ["Sample", "Kind", "System", "Method", "Seed", "Drawn at", "Drawn by", "Size",
             "Population per stratum"]
    for col, h in enumerate(heads, 1):
        c = put(ws, row, col, h)
        c.font, c.fill, c.border, c.alignment = BOLD, HEADER_FILL, GRID, HEADER_ALIGN
    for smp in findings.samples:
        row += 1
        values = [smp.get("name", ""), KIND_LABELS.get(smp.get("kind", ""), smp.get("kind", "")),
                  smp.get("system", ""), smp.get("method", ""), smp.get("seed"),
                  _as_datetime(smp.get("drawn_at")),
                  smp.get("drawn_by", ""), sample_size(smp),
                  "; ".join(filter(None, [special_sample(smp), extension_text(smp), population_text(smp)]))]
        for col, v in enumerate(values, 1):
            c = put(ws, row, col, v, DATETIME_FORMAT if isinstance(v, datetime) else "0")
            c.border, c.alignment = GRID, WRAP_TOP
        # wrapped cells need the row's height set: Excel and LibreOffice keep a written height as it is
        lines = max(-(-len(str(v)) // max(1, int(SAMPLE_WIDTHS[col - 1] * 1.1))) if isinstance(v, str) else 1
                    for col, v in enumerate(values, 1))
        ws.row_dimensions[row].height = 13.5 * max(1, lines) + 3
    if not findings.samples:
        row += 1
        put(ws, row, 1, "No samples have been drawn.")

    row += 2
    put(ws, row, 1, "Contents").font = Font(bold=True, size=12)
    for name, title in contents:
        row += 1
        c = put(ws, row, 1, name)
        c.hyperlink = Hyperlink(ref=c.coordinate, location=f"'{name}'!A1", display=name)  # in-workbook link
        c.font = Font(underline="single", color="1F4E79")
        put(ws, row, 2, title)

    widths = SAMPLE_WIDTHS
    if findings.warnings:
        row += 2
        put(ws, row, 1, "Read the figures with these notes").font = Font(bold=True, size=12)
        for text in findings.warnings:
            row += 1
            _paragraph(ws, row, text, 1, 7, sum(widths[:7]))
    row += 2
    put(ws, row, 1, "How the figures are counted").font = Font(bold=True, size=12)
    for text in methodology(findings):
        row += 1
        _paragraph(ws, row, text, 1, 7, sum(widths[:7]))

    for col, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = w
    _print_setup(ws, landscape=True)


def _table_sheet(ws: Worksheet, findings: Findings, table: Table) -> None:
    a = findings.audit
    _marking_row(ws)
    put(ws, 2, 1, table.title).font = Font(bold=True, size=13)
    put(ws, 3, 1, f"{a.get('force', '')}, {period_text(findings)}").font = SUBTITLE_FONT
    header_row = 4
    # a follow-up audit: each figure with a previous value gets a numeric column of its own beside it
    with_prev = [any(r.cells[i].previous is not None for r in table.rows) for i in range(len(table.columns))]
    layout: list[tuple[int, bool]] = []  # (column index in the table, previous?)
    for i, prev in enumerate(with_prev):
        layout.append((i, False))
        if prev:
            layout.append((i, True))
    heads = [LABEL_HEADINGS.get(table.key, "")] + [
        f"{table.columns[i]} (previous audit)" if prev else table.columns[i] for i, prev in layout]
    for col, h in enumerate(heads, 1):
        c = put(ws, header_row, col, h)
        c.font, c.fill, c.border = BOLD, HEADER_FILL, GRID
        c.alignment = HEADER_ALIGN if col > 1 else Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[header_row].height = 30
    row = header_row
    last_data_row = header_row
    for r in table.rows:
        row += 1
        total = is_total(r.label)
        c = put(ws, row, 1, r.label)
        c.border = TOTAL_BORDER if total else GRID
        c.font = BOLD if total else Font()
        for col, (i, prev) in enumerate(layout, 2):
            column, cell = table.columns[i], r.cells[i]
            na = not cell.value and not_applicable(table.key, r.label, column)
            rate_col = column in RATE_COLUMNS
            if prev:
                number = cell.previous
                c = put(ws, row, col, number, RATE_FORMAT if rate_col and isinstance(number, float)
                        else COUNT_FORMAT)
            elif rate_col and isinstance(cell.value, float) and _shown_as_rate(cell.text):
                c = put(ws, row, col, cell.value, RATE_FORMAT)  # a rate: a real number shown as a percentage
            elif isinstance(cell.value, float) and cell.text == f"{cell.value:.1f}%":
                c = put(ws, row, col, cell.value / 100, RATE_FORMAT)  # a percentage held in percent units
            elif isinstance(cell.value, float) and cell.text == f"{cell.value:.2f}":
                c = put(ws, row, col, cell.value, KAPPA_FORMAT)  # a kappa (or other ratio) to two places
            elif cell.text and _current_text(cell) != f"{cell.value:,}":
                c = put(ws, row, col, _current_text(cell))
            else:
                c = put(ws, row, col, NOT_APPLICABLE if na else cell.value, COUNT_FORMAT)
            c.border = TOTAL_BORDER if total else GRID
            c.alignment = WORDS_ALIGN if _wordy(column) and not prev else RIGHT_ALIGN
            if total:
                c.font = BOLD
        if not total:
            last_data_row = row
    last_col = get_column_letter(len(heads))
    # The filter covers the data rows only, so sorting or filtering never moves the total.
    ws.auto_filter.ref = f"A{header_row}:{last_col}{max(last_data_row, header_row + 1)}"
    ws.freeze_panes = f"B{header_row + 1}"

    label_width = max([len(heads[0])] + [len(r.label) for r in table.rows]) + 4
    ws.column_dimensions["A"].width = min(max(label_width, 18), 48)
    for col, h in enumerate(heads[1:], 2):
        wide = _wordy(h)  # words, not figures: wrapped in a wider column
        ws.column_dimensions[get_column_letter(col)].width = 34 if wide else max(12, min(len(h) + 4, 20))
    notes = []
    if table_is_empty(table):
        notes.append("No records of this kind have a completed verdict in this audit.")
    if table.note:
        notes.append(table.note)
    width = ws.column_dimensions["A"].width + sum(ws.column_dimensions[get_column_letter(c)].width
                                                   for c in range(2, len(heads) + 1))
    row += 1
    for text in notes:
        row += 1
        _paragraph(ws, row, text, 1, len(heads), width, NOTE_FONT)
    _print_setup(ws, title_rows=f"{header_row}:{header_row}")


RATE_COLUMNS = {"Recording rate", "Design-weighted rate"}
RIGHT_ALIGN = Alignment(horizontal="right")
RIGHT_TOP = Alignment(horizontal="right", vertical="top")
WORDS_ALIGN = Alignment(horizontal="left", vertical="top", wrap_text=True)


def _wordy(column: str) -> bool:
    """A column of words (a method, an interval that may say a bound was cut, the rate an estimate used)."""
    return column.endswith(("method", "Rate used", "interval"))


def _shown_as_rate(text: str) -> bool:
    """'83.8%' or '83.8% (80.1%)' (a follow-up's bracket): the cell is the rate itself."""
    return text.split(" (")[0].endswith("%") and not text.startswith(("+/-", "n/a"))


def _current_text(cell: Any) -> str:
    """The cell's own text: a previous figure in brackets has a column of its own in the workbook."""
    if cell.previous is not None and cell.text.endswith(")") and " (" in cell.text:
        return cell.text[:cell.text.rindex(" (")]
    return cell.text


def _sources_sheet(ws: RowSheet, findings: Findings, names: dict[str, str]) -> None:
    """Every non-zero figure with the audit items behind it, so any figure can be traced to its records."""
    _marking_row(ws)
    heads = ["Sheet", "Row", "Column", "Figure", "Records behind it (sample #position reference)"]
    for col, h in enumerate(heads, 1):
        c = put(ws, 2, col, h)
        c.font, c.fill, c.border, c.alignment = BOLD, HEADER_FILL, GRID, HEADER_ALIGN
    row = 2
    for t in findings.tables:
        for r in t.rows:
            for column, cell in zip(t.columns, r.cells, strict=True):
                if not cell.value:
                    continue
                row += 1
                put(ws, row, 1, names[t.key])
                put(ws, row, 2, r.label)
                put(ws, row, 3, column)
                put(ws, row, 4, cell.value, COUNT_FORMAT)
                put(ws, row, 5, "; ".join(findings.item_labels.get(i, f"item {i}")
                                          for i in sorted(cell.items))).alignment = WRAP_TOP
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:E{max(row, 3)}"
    for col, w in enumerate([30, 34, 26, 10, 80], 1):
        ws.column_dimensions[get_column_letter(col)].width = w
    _print_setup(ws, landscape=True, title_rows="2:2")


def _verdicts_sheet(ws: RowSheet, findings: Findings) -> None:
    _marking_row(ws)
    keys = verdict_columns(findings.verdicts)
    for col, key in enumerate(keys, 1):
        c = put(ws, 2, col, column_label(key))
        c.font, c.fill, c.border, c.alignment = BOLD, HEADER_FILL, GRID, HEADER_ALIGN
    ws.row_dimensions[2].height = 30
    widths = {k: len(column_label(k)) for k in keys}
    wrapped, top = Look(ws, alignment=WRAP_TOP), Look(ws, alignment=TOP)  # styles made once, not per cell
    columns = [(col, key, wrapped if key in WRAPPED_VERDICT_COLUMNS else top) for col, key in enumerate(keys, 1)]
    for row, v in enumerate(findings.verdicts, 3):
        for col, key, look in columns:
            value = v.get(key)
            if value is None or value == "":
                continue  # a blank answer: no cell (about half the cells, the checks of the other kinds)
            if key == "updated_at":
                value = _as_datetime(value)
            if isinstance(value, datetime):
                put(ws, row, col, value, DATETIME_FORMAT, look)
                shown = 16
            else:
                put(ws, row, col, value, "0", look)
                shown = len(value) if isinstance(value, str) else len(str(yes_no(value)))
            if shown > widths[key]:
                widths[key] = shown
    for col, key in enumerate(keys, 1):
        cap = 60 if key == "rationale" else 45 if key in WRAPPED_VERDICT_COLUMNS else 28
        ws.column_dimensions[get_column_letter(col)].width = max(9, min(widths[key] + 2, cap))
    last = get_column_letter(max(1, len(keys)))
    ws.auto_filter.ref = f"A2:{last}{max(2 + len(findings.verdicts), 3)}"
    ws.freeze_panes = "A3"
    if not findings.verdicts:
        put(ws, 3, 1, "No completed verdicts.")
    _print_setup(ws, landscape=True, title_rows="2:2")


def _header(ws: Worksheet | RowSheet, row: int, heads: list[str]) -> None:
    look = Look(ws, font=BOLD, fill=HEADER_FILL, border=GRID, alignment=HEADER_ALIGN)
    for col, h in enumerate(heads, 1):
        put(ws, row, col, h, look=look)
    ws.row_dimensions[row].height = 30


def _records(findings: Findings, items: Any) -> str:
    return "; ".join(findings.item_labels.get(i, f"item {i}") for i in sorted(items))


def _agreement_sheet(ws: RowSheet, findings: Findings, review: ReviewFigures) -> None:
    """Per check: pairs, agreed, % agreement with its 95% interval (numbers shown as percentages), kappa (0.00)
    with its standard error, 95% interval and method, PABAK, the prevalence and bias indices and the band (or
    why there is none), overall then per auditor; the records where the answers differ."""
    _marking_row(ws)
    put(ws, 2, 1, "Peer review agreement").font = Font(bold=True, size=13)
    interval = f"; % agreement 95% CI: {review.percent_method}" if review.percent_method else ""
    put(ws, 3, 1, f"{findings.audit.get('force', '')}, {period_text(findings)}. Kappa: {AGREEMENT_METHOD} "
                  f"(weighted, linear weights, for crimes identified){interval}; PABAK: Byrt, Bishop and Carlin "
                  f"(1993); bands: Landis and Koch (1977), from 30 pairs.").font = SUBTITLE_FONT
    heads = [*AGREEMENT_COLUMNS, "Records where the answers differ (sample #position reference)"]
    widths = [46, 9, 9, 11, 11, 9, 9, 11, 11, 9, 20, 13, 11, 9, 30, 60]
    band_col, records_col = len(AGREEMENT_COLUMNS), len(heads)
    row = 4
    if not review.agreement:
        row += 1
        put(ws, row, 1, "Nothing has been peer reviewed yet: no record has both an auditor's and a reviewer's "
                        "completed verdict.")
    sections = [("All auditors", "")] + [(f"Auditor: {w}", w) for w in review.auditors]
    words, figures = Look(ws, border=GRID, alignment=WRAP_TOP), Look(ws, border=GRID, alignment=RIGHT_TOP)
    first_header = None
    for title, who in sections if review.agreement else []:
        row += 2
        put(ws, row, 1, title).font = Font(bold=True, size=12)
        row += 1
        _header(ws, row, heads)
        first_header = first_header or row
        for group, rows in agreement_groups(review.agreement_for(who)):
            row += 1
            c = put(ws, row, 1, group)
            c.font, c.border = Font(bold=True, italic=True), GRID
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(heads))
            for a in rows:  # every cell framed; words wrapped at the top, figures to the right
                row += 1
                put(ws, row, 1, agreement_label(a), look=words)
                put(ws, row, 2, a.pairs, COUNT_FORMAT, figures)
                put(ws, row, 3, a.agree, COUNT_FORMAT, figures)
                for col, pct in ((4, a.percent), (5, a.percent_low), (6, a.percent_high)):
                    put(ws, row, col, None if pct is None else pct / 100, RATE_FORMAT, figures)
                put(ws, row, 7, "n/a" if a.kappa is None else a.kappa, KAPPA_FORMAT, figures)
                for col, value in ((8, a.kappa_se), (9, a.kappa_low), (10, a.kappa_high)):
                    put(ws, row, col, value, KAPPA_FORMAT, figures)
                put(ws, row, 11, a.kappa_method if a.kappa is not None else "", look=words)
                for col, value in ((12, a.pabak), (13, a.prevalence_index), (14, a.bias_index)):
                    put(ws, row, col, value, KAPPA_FORMAT, figures)
                put(ws, row, band_col, kappa_band(a), look=words)
                put(ws, row, records_col, _records(findings, a.disagreements), look=words)
    row += 1
    for text in agreement_method(review.percent_method):
        row += 1
        _paragraph(ws, row, text, 1, band_col, sum(widths[:band_col]), NOTE_FONT)
    for col, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = w
    if first_header:
        ws.freeze_panes = f"B{first_header + 1}"
    _print_setup(ws, landscape=True)


def _challenges_sheet(ws: RowSheet, findings: Findings, review: ReviewFigures) -> None:
    """Failures per kind before and after the force's challenges, then every answered failure behind them."""
    _marking_row(ws)
    put(ws, 2, 1, "Before and after the force's challenges").font = Font(bold=True, size=13)
    put(ws, 3, 1, f"{findings.audit.get('force', '')}, {period_text(findings)}").font = SUBTITLE_FONT
    header_row = 5
    _header(ws, header_row, ["Failure", *RESOLUTION_COLUMNS])
    row = header_row
    for failure, figures in review.resolution():
        row += 1
        total = failure == "Total"
        c = put(ws, row, 1, failure)
        c.border, c.font = (TOTAL_BORDER, BOLD) if total else (GRID, Font())
        for col, key in enumerate(RESOLUTION_KEYS, 2):
            c = put(ws, row, col, len(figures[key]), COUNT_FORMAT)
            c.border = TOTAL_BORDER if total else GRID
            c.alignment = RIGHT_ALIGN
            if total:
                c.font = BOLD
    row += 1
    _paragraph(ws, row + 1, resolution_method(), 1, 9, 160, NOTE_FONT)
    row += 3
    put(ws, row, 1, "Every failure and the force's response (the records behind the figures)").font = \
        Font(bold=True, size=12)
    row += 1
    _header(ws, row, CHALLENGE_COLUMNS)
    look = Look(ws, border=GRID, alignment=WRAP_TOP)  # made once for the thousands of cells below
    for r in review.challenges:
        row += 1
        values = [findings.item_labels.get(r.failure.item_id, r.failure.reference), r.failure.crime_no or None,
                  r.failure.failure, r.response or "no response", r.force_rationale, r.state if r.response else "",
                  r.decided_by,
                  _as_datetime(display(r.decided_at)), r.decision_reason, r.counted_after]
        for col, v in enumerate(values, 1):
            put(ws, row, col, v, DATETIME_FORMAT if isinstance(v, datetime) else "0", look)
    for col, w in enumerate([30, 13, 24, 14, 44, 24, 16, 16, 44, 10], 1):
        ws.column_dimensions[get_column_letter(col)].width = w
    ws.freeze_panes = f"B{header_row + 1}"
    _print_setup(ws, landscape=True)


def _as_datetime(value: Any) -> Any:
    """A 'dd/mm/yyyy HH:MM' display string as a real (naive, UK local) date-time; else unchanged."""
    if isinstance(value, str) and value:
        try:
            if (len(value) == 16 and value[2] == value[5] == "/" and value[10] == " " and value[13] == ":"
                    and (digits := value[:2] + value[3:5] + value[6:10] + value[11:13] + value[14:]).isdigit()
                    and digits.isascii()):  # read as strptime reads it, in a tenth of the time (a verdict a row)
                return datetime(int(value[6:10]), int(value[3:5]), int(value[:2]), int(value[11:13]),
                                int(value[14:]))
            return datetime.strptime(value, DISPLAY_FORMAT)
        except ValueError:
            return value
    return value


# ---- the workbook ------------------------------------------------------------------------------------------
def build_workbook(findings: Findings, review: ReviewFigures | None = None, by_unit: ByUnit | None = None
                   ) -> Workbook:
    """The findings workbook, write-only (it can be saved once): the long sheets (every failure and response,
    the figure sources, the verdicts) are kept as rows of cells, the others are ordinary worksheets
    (spreadsheets.sheets)."""
    wb = new_workbook()
    summary = add_whole_sheet(wb, "Summary")
    used = {"summary"}
    names = {t.key: sheet_name(t.title, used) for t in findings.tables}
    sources_name = sheet_name("Figure sources", used)
    verdicts_name = sheet_name("Verdicts", used)
    agreement_name = sheet_name("Peer review agreement", used) if review is not None else ""
    challenges_name = sheet_name("Before and after challenges", used) if review and review.has_challenges else ""
    contents = [(names[t.key], t.title) for t in findings.tables]
    unit_sheets = [(sheet_name(t.title, used), t) for t in by_unit.tables] if by_unit is not None else []
    contents += [(name, t.title) for name, t in unit_sheets]  # the findings by unit (findings_units), if asked
    review_tables = [(sheet_name(t.title, used), t) for t in review.tables] if review is not None else []
    if agreement_name:
        contents.append((agreement_name, f"Auditor and peer reviewer per check: % agreement, {AGREEMENT_METHOD}"))
        contents += [(name, t.title) for name, t in review_tables]
    if challenges_name:
        contents.append((challenges_name, "Failures before and after the force's challenges, with every response"))
    contents += [(sources_name, "The audit items behind every figure"),
                 (verdicts_name, "One row per crime identified, or per record where none was")]
    _summary_sheet(summary, findings, contents)
    for t in findings.tables:
        _table_sheet(add_whole_sheet(wb, names[t.key]), findings, t)
    for name, t in unit_sheets:
        _table_sheet(add_whole_sheet(wb, name), findings, t)
    if review is not None:
        _agreement_sheet(add_rows_sheet(wb, agreement_name), findings, review)
        for name, table in review_tables:  # the lead's decisions, agreement with the final verdict
            _table_sheet(add_whole_sheet(wb, name), findings, table)
        if challenges_name:
            _challenges_sheet(add_rows_sheet(wb, challenges_name), findings, review)
    _sources_sheet(add_rows_sheet(wb, sources_name), findings, names)
    _verdicts_sheet(add_rows_sheet(wb, verdicts_name), findings)

    mark_workbook(wb, clean_text(f"{REPORT_TITLE} ({findings.audit.get('force', '')})")[:250],
                  subject="Crime data integrity audit")
    return wb


def write_xlsx(findings: Findings, path: str | Path, review: ReviewFigures | None = None,
               by_unit: ByUnit | None = None, password: str | None = None) -> Path:
    """Write the findings workbook; the file appears complete or not at all. With `review`
    (common.review_figures(db)) it adds the peer review agreement and, once the force has answered, the
    before/after-challenges sheet. With `password` (else that of an enclosing protect.protected block) it is
    encrypted (msoffcrypto), and no plain copy reaches the disk."""
    from .protect import current_password, save_encrypted_workbook

    password = password or current_password()
    with without_gc():
        wb = build_workbook(findings, review, by_unit)
        if password:
            return write_atomically(path, lambda tmp: save_encrypted_workbook(wb.save, password, tmp))
        return write_atomically(path, lambda tmp: wb.save(tmp))
