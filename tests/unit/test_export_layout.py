"""The pieces that make the exports fast at scale draw and write what the slow ways did (issue 10, "At scale").

- reports.pdf_tables: a PagedTable puts the same rows on the same pages, with the same text at the same places
  and the same lines, as the reportlab Table it stands for; row_heights gives reportlab's own row heights;
  PlainCells draws a one-line cell as a plain string exactly where its paragraph was drawn.
- spreadsheets.sheets: a RowSheet in a write-only workbook reads back as the same content written to an
  ordinary worksheet (values, types, number formats, fonts, borders, alignment, the quote prefix, merged cells
  and their borders, row heights, column widths, frozen panes); a Look styles a cell as styles set one by one.

The PDF is read back with pypdf: text with its position on the page, and every line stroked (merged where
reportlab draws one line in two pieces), by colour and width.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from cdi_workbench.reports.pdf_tables import PagedTable, PlainCells, row_heights
from cdi_workbench.spreadsheets import put
from cdi_workbench.spreadsheets.sheets import Look, add_rows_sheet, add_whole_sheet, new_workbook

CELL = ParagraphStyle("TestCell", fontName="Helvetica", fontSize=9, leading=11)
HEAD = ParagraphStyle("TestHead", fontName="Helvetica-Bold", fontSize=8.5, leading=10.5)
STYLE = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9D9D9")),
         ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#808080")),
         ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
         ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
         ("VALIGN", (0, 1), (-1, -1), "TOP"),
         ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
WIDTHS = [100.0, 80.0, 130.0, 50.0]
PADDING = (6, 3, 6, 3)  # reportlab's default left and right padding, the style's top and bottom


def _rows(n: int) -> tuple[list[Any], list[list[Any]]]:
    header = [Paragraph(h, HEAD) for h in ("Record", "Failure", "Force's response", "Still a failure")]
    rows = [[Paragraph(f"Incidents 2015 #{i} INC-{i:08d}, crime {1 + i % 3}", CELL),
             Paragraph("not recorded" if i % 3 else "recorded outside 24 hours", CELL),
             Paragraph(f"<b>challenge</b>: {'the force disagrees ' * (i % 5)}" if i % 4 == 0 else "<b>no response</b>",
                       CELL),
             Paragraph("Yes" if i % 2 else "No", CELL)] for i in range(n)]
    return header, rows


def _pdf(story: list[Any]) -> PdfReader:
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    return PdfReader(io.BytesIO(buf.getvalue()))


def _texts(page: Any) -> list[tuple[str, float, float, str]]:
    """Every piece of text on the page with where it starts (rounded to 1/100 point) and its font."""
    out: list[tuple[str, float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, _size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            out.append((text.strip(), round(x, 2), round(y, 2), str(font.get("/BaseFont") if font else "")))

    page.extract_text(visitor_text=visit)
    return sorted(out)


def _lines(page: Any, reader: PdfReader) -> dict[tuple[Any, ...], list[tuple[float, float]]]:
    """Every straight line stroked on the page, by (colour, width, horizontal?, where): the stretches it covers,
    pieces that touch or overlap joined into one."""
    ops = ContentStream(page.get_contents(), reader).operations
    stack: list[tuple[list[float], Any, float]] = []
    ctm, colour, width = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], None, 1.0
    last = (0.0, 0.0)
    found: dict[tuple[Any, ...], list[tuple[float, float]]] = defaultdict(list)

    def at(x: float, y: float) -> tuple[float, float]:
        return (round(x * ctm[0] + y * ctm[2] + ctm[4], 2), round(x * ctm[1] + y * ctm[3] + ctm[5], 2))

    segments: list[tuple[tuple[float, float], tuple[float, float]]] = []
    for operands, op in ops:
        if op == b"q":
            stack.append((ctm[:], colour, width))
        elif op == b"Q":
            ctm, colour, width = stack.pop()
        elif op == b"cm":
            a, b, c, d, e, f = map(float, operands)
            ctm = [a * ctm[0] + b * ctm[2], a * ctm[1] + b * ctm[3], c * ctm[0] + d * ctm[2],
                   c * ctm[1] + d * ctm[3], e * ctm[0] + f * ctm[2] + ctm[4], e * ctm[1] + f * ctm[3] + ctm[5]]
        elif op in (b"RG", b"G"):
            colour = tuple(round(float(v), 3) for v in operands)
        elif op == b"w":
            width = round(float(operands[0]), 3)
        elif op == b"m":
            last = at(float(operands[0]), float(operands[1]))
        elif op == b"l":
            end = at(float(operands[0]), float(operands[1]))
            segments.append((last, end))
            last = end
        elif op == b"S":
            for (x1, y1), (x2, y2) in segments:
                if y1 == y2:
                    found[(colour, width, "h", y1)].append((min(x1, x2), max(x1, x2)))
                elif x1 == x2:
                    found[(colour, width, "v", x1)].append((min(y1, y2), max(y1, y2)))
                else:
                    found[(colour, width, "d", x1, y1)].append((x2, y2))
            segments = []
        elif op == b"n":
            segments = []
    merged: dict[tuple[Any, ...], list[tuple[float, float]]] = {}
    for key, spans in found.items():
        joined: list[tuple[float, float]] = []
        for lo, hi in sorted(spans):
            if joined and lo <= joined[-1][1] + 0.01:
                joined[-1] = (joined[-1][0], max(joined[-1][1], hi))
            else:
                joined.append((lo, hi))
        merged[key] = joined
    return merged


def test_a_paged_table_puts_the_same_rows_on_the_same_pages_as_its_table() -> None:
    header, rows = _rows(400)
    heading = ParagraphStyle("TestHeading", fontName="Helvetica-Bold", fontSize=12, leading=16, spaceAfter=6)
    table = _pdf([Paragraph("Every failure", heading),
                  Table([header, *rows], colWidths=WIDTHS, repeatRows=1, hAlign="LEFT", style=TableStyle(STYLE))])
    heights = row_heights([header, *rows], WIDTHS, PADDING)
    paged = _pdf([Paragraph("Every failure", heading), PagedTable(header, rows, WIDTHS, heights[0], heights[1:], STYLE)])

    assert len(table.pages) > 10
    assert len(paged.pages) == len(table.pages)
    for n, (a, b) in enumerate(zip(table.pages, paged.pages, strict=True), 1):
        assert _texts(b) == _texts(a), f"page {n}"
        assert _lines(b, paged) == _lines(a, table), f"page {n}"
        assert "Record" in a.extract_text()  # the heading row on every page


def test_row_heights_are_the_heights_reportlab_gives_the_rows() -> None:
    header, rows = _rows(60)
    rows[5][0] = "a plain string"
    rows[6][3] = "two\nlines"
    table = Table([header, *rows], colWidths=WIDTHS, style=TableStyle(STYLE))
    table.wrap(sum(WIDTHS), 10**6)
    assert row_heights([header, *rows], WIDTHS, PADDING) == table._rowHeights


def test_plain_cells_draw_text_where_their_paragraphs_did() -> None:
    values = [("Incidents 2015 #7 INC-00000007, crime 1", "not recorded", "no response", "Yes"),
              ("N100s #3 N100-0003", "recorded outside 24 hours", "no response", "No"),
              ("Tom & Jerry <script>", "wrongly  classified", "accepted", "Yes")]
    plain = PlainCells(WIDTHS, PADDING, CELL, bold_columns=frozenset({2}))
    style = [*STYLE, *plain.table_style()]
    header = [Paragraph(h, HEAD) for h in ("Record", "Failure", "Force's response", "Still a failure")]

    def as_paragraph(col: int, v: str) -> Paragraph:
        from cdi_workbench.reports.pdf_text import text

        return Paragraph(f"<b>{text(v)}</b>" if col == 2 else text(v), CELL)

    paras = [[as_paragraph(c, v) for c, v in enumerate(row)] for row in values]
    plains = [[plain.plain(c, v) for c, v in enumerate(row)] for row in values]
    assert plains[0][1] == "not recorded" and plains[0][3] == "Yes"  # one line: a plain string
    assert not isinstance(plains[1][1], str)  # two lines in its column: still a paragraph
    assert not isinstance(plains[2][1], str)  # a run of spaces the paragraph folds
    assert plains[2][0] == "Tom & Jerry <script>"  # no markup escaping for a plain string

    def drawn(data: list[list[Any]]) -> list[tuple[str, float, float, str]]:
        rows = [header, *data]
        t = Table(rows, colWidths=WIDTHS, rowHeights=row_heights(rows, WIDTHS, PADDING, plain.leading),
                  repeatRows=1, hAlign="LEFT", style=TableStyle(style))
        return _texts(_pdf([t]).pages[0])

    assert drawn(plains) == drawn(paras)
    assert ("no response", *[t for t in drawn(plains) if t[0] == "no response"][0][1:3],
            "/Helvetica-Bold") in drawn(plains)


# ---- workbooks ------------------------------------------------------------------------------------------------
GRID = Border(*(Side(style="thin", color="808080"),) * 4)
WRAP = Alignment(wrap_text=True, vertical="top")
FILL = PatternFill("solid", start_color="D9D9D9", end_color="D9D9D9")


def _fill(ws: Any, look: bool) -> None:  # noqa: ANN401
    """The same content, styled one attribute at a time or with Looks."""
    put(ws, 1, 1, "OFFICIAL-SENSITIVE").font = Font(bold=True)
    header = Look(ws, font=Font(bold=True), fill=FILL, border=GRID, alignment=WRAP)
    for col, h in enumerate(["Record", "=risky heading", "Count", "Rate", "When", "Checked", "Blank"], 1):
        if look:
            put(ws, 2, col, h, look=header)
        else:
            c = put(ws, 2, col, h)
            c.font, c.fill, c.border, c.alignment = Font(bold=True), FILL, GRID, WRAP
    ws.row_dimensions[2].height = 30
    body = Look(ws, border=GRID, alignment=WRAP)
    for row in range(3, 40):
        values = [f"record {row}", "+44 7700 900123" if row % 5 == 0 else f"text {row}", row * 7, row / 100,
                  datetime(2015, 1, row % 28 + 1, 9, 30), row % 2 == 0, None]
        formats = [None, None, "#,##0", "0.0%", "dd/mm/yyyy hh:mm", None, None]
        for col, (v, fmt) in enumerate(zip(values, formats, strict=True), 1):
            if look:
                put(ws, row, col, v, fmt, body)
            else:
                c = put(ws, row, col, v, fmt)
                c.border, c.alignment = GRID, WRAP
    put(ws, 41, 1, "A note across the columns").alignment = WRAP
    c = put(ws, 42, 1, "A framed group")
    c.border = GRID
    ws.merge_cells(start_row=41, start_column=1, end_row=41, end_column=7)
    ws.merge_cells(start_row=42, start_column=1, end_row=42, end_column=7)
    ws.row_dimensions[41].height = 40
    for col, w in enumerate([20, 15, 9, 9, 16, 8, 5], 1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width = w
    ws.freeze_panes = "B3"
    ws.auto_filter.ref = "A2:G39"


def _written_cells(path: Path) -> list[str]:
    """The cells the file itself holds (openpyxl gives a merged range's covered cells its borders on reading
    whatever the file says; Excel draws each cell's own)."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    return sorted(re.findall(r'<c r="([A-Z]+[0-9]+)"', xml))


def _read(path: Path) -> dict[str, Any]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    cells = {(c.row, c.column): (c.value, c.data_type, c.number_format, repr(c.font), repr(c.fill), repr(c.border),
                                 repr(c.alignment), c.quotePrefix)
             for row in ws.iter_rows() for c in row if c.value is not None or c.has_style}
    return {"cells": cells, "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
            "widths": {k: d.width for k, d in ws.column_dimensions.items()}, "frozen": ws.freeze_panes,
            "filter": ws.auto_filter.ref, "dimension": ws.dimensions, "written": _written_cells(path)}


@pytest.mark.parametrize("look", [False, True])
def test_a_rows_sheet_reads_back_as_the_same_content_on_an_ordinary_sheet(tmp_path: Path, look: bool) -> None:
    ordinary = openpyxl.Workbook()
    _fill(ordinary.active, look=False)
    ordinary.save(tmp_path / "ordinary.xlsx")
    for add in (add_rows_sheet, add_whole_sheet):
        wb = new_workbook()
        _fill(add(wb, "Sheet"), look=look)
        wb.save(tmp_path / f"{add.__name__}.xlsx")
        got, want = _read(tmp_path / f"{add.__name__}.xlsx"), _read(tmp_path / "ordinary.xlsx")
        assert got == want, add.__name__
    cells = _read(tmp_path / "add_rows_sheet.xlsx")["cells"]
    assert cells[(2, 2)][:2] == ("=risky heading", "s") and cells[(2, 2)][-1] is True  # text, quote prefix
    assert cells[(5, 2)][:2] == ("+44 7700 900123", "s") and cells[(5, 2)][-1] is True
    assert cells[(3, 3)][:3] == (21, "n", "#,##0") and cells[(3, 6)][0] == "No"
    assert isinstance(cells[(3, 5)][0], datetime) and cells[(3, 5)][2] == "dd/mm/yyyy hh:mm"
    written = _read(tmp_path / "add_rows_sheet.xlsx")["written"]
    assert {"B42", "G42"} <= set(written) and "B41" not in written  # a framed merged group's edges: in the file


def test_a_look_gives_few_styles_to_many_cells(tmp_path: Path) -> None:
    wb = new_workbook()
    ws = add_rows_sheet(wb, "Long")
    look = Look(ws, border=GRID, alignment=WRAP)
    for row in range(1, 2001):
        for col in range(1, 11):
            put(ws, row, col, row * col if col % 2 else f"text {row}", "0", look)
    wb.save(tmp_path / "long.xlsx")
    back = openpyxl.load_workbook(tmp_path / "long.xlsx")
    assert len(back._cell_styles) <= 4  # the default, the text look, the number look
    assert back["Long"].cell(2000, 10).value == "text 2000" and back["Long"].cell(2000, 9).value == 18000
