"""The PDF reports' page geometry, paragraph styles and table grid (A4 portrait, built-in Helvetica): shared by the
findings report (pdf), its per-unit pages (pdf_units) and the board pack (board_pack_pdf)."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph

from .pdf_text import text

PAGE_W, PAGE_H = A4
MARGIN_X = 2 * cm
MARGIN_TOP = 2.4 * cm
MARGIN_BOTTOM = 2.4 * cm
FOOTER_Y = 0.8 * cm
FRAME_W = PAGE_W - 2 * MARGIN_X
HEADER_GREY = colors.HexColor("#D9D9D9")
GRID_GREY = colors.HexColor("#808080")

_base = getSampleStyleSheet()
STYLES = {
    "title": ParagraphStyle("ReportTitle", parent=_base["Title"], fontName="Helvetica-Bold", fontSize=22,
                            leading=27, alignment=TA_LEFT, spaceAfter=8),
    "subtitle": ParagraphStyle("ReportSubtitle", parent=_base["Normal"], fontName="Helvetica", fontSize=14,
                               leading=18, spaceAfter=18),
    "h1": ParagraphStyle("H1", parent=_base["Heading1"], fontName="Helvetica-Bold", fontSize=16, leading=20,
                         spaceBefore=16, keepWithNext=1, spaceAfter=10),
    "h2": ParagraphStyle("H2", parent=_base["Heading2"], fontName="Helvetica-Bold", fontSize=12.5, leading=16,
                         spaceBefore=12, keepWithNext=1, spaceAfter=6),
    "h3": ParagraphStyle("H3", parent=_base["Heading3"], fontName="Helvetica-Bold", fontSize=10.5, leading=13,
                         spaceBefore=16, keepWithNext=1, spaceAfter=4),
    "body": ParagraphStyle("Body", parent=_base["BodyText"], fontName="Helvetica", fontSize=10, leading=13.5,
                           spaceAfter=6),
    "note": ParagraphStyle("Note", parent=_base["BodyText"], fontName="Helvetica-Oblique", fontSize=8.5,
                           leading=11, spaceBefore=4, spaceAfter=4),
    "cell": ParagraphStyle("Cell", parent=_base["BodyText"], fontName="Helvetica", fontSize=9, leading=11),
    "cell_bold": ParagraphStyle("CellBold", parent=_base["BodyText"], fontName="Helvetica-Bold", fontSize=9,
                                leading=11),
    "cell_right": ParagraphStyle("CellRight", parent=_base["BodyText"], fontName="Helvetica", fontSize=9,
                                 leading=11, alignment=TA_RIGHT),
    "head": ParagraphStyle("Head", parent=_base["BodyText"], fontName="Helvetica-Bold", fontSize=8.5,
                           leading=10.5, alignment=TA_CENTER),
    "head_left": ParagraphStyle("HeadLeft", parent=_base["BodyText"], fontName="Helvetica-Bold", fontSize=8.5,
                                leading=10.5, alignment=TA_LEFT),
    "head_right": ParagraphStyle("HeadRight", parent=_base["BodyText"], fontName="Helvetica-Bold",
                                 fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
}

def para(value: Any, style: str = "body") -> Paragraph:
    return Paragraph(text(value), STYLES[style])


GROUP_GREY = colors.HexColor("#EFEFEF")


GRID_PADDING = (6, 3, 6, 3)  # the cells' padding in a grid_style table: left, top, right, bottom (points)


def grid_style(header_rows: int = 1) -> list[tuple[Any, ...]]:
    return [
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_GREY),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID_GREY),
        ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
        ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.8, colors.black),
        ("VALIGN", (0, 0), (-1, header_rows - 1), "BOTTOM"),
        ("VALIGN", (0, header_rows), (-1, -1), "MIDDLE"),
        ("FONTNAME", (1, header_rows), (-1, -1), "Helvetica"),
        ("FONTSIZE", (1, header_rows), (-1, -1), 9),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
