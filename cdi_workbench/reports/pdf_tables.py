"""Long tables in the PDF report (thousands of rows, such as every failure and the force's response), drawn as
reportlab would draw them as one Table, in a fraction of the time.

- CellParagraph / cell_para: a cell's paragraph that keeps its wrap, one instance per text in a table;
- row_heights: every row's height worked out once, as reportlab works it out;
- PlainCells: a cell that fits on one line as a plain string, drawn where its paragraph would be;
- PagedTable: the table split a page at a time from those rows and heights.

reportlab is imported only when a report is written: CellParagraph and PagedTable (which subclass reportlab's
classes) are made when first asked for.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from .pdf_text import printable, text

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle


def cell_para(cells: dict[tuple[str, str], Any], markup: str, style: ParagraphStyle) -> Any:  # noqa: ANN401
    """The CellParagraph of Paragraph markup (escape free text with text()), one per markup and style in
    `cells` (a dict for one table)."""
    found = cells.get((markup, style.name))
    if found is None:
        found = cells[(markup, style.name)] = _classes()["CellParagraph"](markup, style)
    return found


def row_heights(rows: list[list[Any]], widths: list[float], padding: tuple[float, float, float, float],
                leading: float = 12) -> list[float]:
    """The height of each row of a table, as reportlab works it out (the tallest cell: a flowable wrapped at its
    column's width less the padding, a plain string `leading` a line; plus the padding), for
    Table(rowHeights=...): left to itself reportlab finds each row still to size by searching the list of
    heights from the top, and adds up the rows above at each, which over the thousands of rows of a long table
    took seconds, several times over. padding: left, top, right, bottom (points); leading: of the table's plain
    strings (its LEADING, 12 unless set)."""
    from reportlab.platypus import Flowable

    left, top, right, bottom = padding
    out = []
    for row in rows:
        tallest = 0.0
        for cell, width in zip(row, widths, strict=True):
            if isinstance(cell, Flowable):
                tallest = max(tallest, cell.wrap(width - left - right, 72000 - top - bottom)[1])
            else:
                tallest = max(tallest, leading * len(("" if cell is None else str(cell)).split("\n")))
        out.append(tallest + top + bottom)
    return out


class PlainCells:
    """The cells of a long table of paragraphs in one style: plain(column, value) gives the value as a plain
    string where it fits on one line of its column, which the table draws where the paragraph would have drawn
    it, in the same font, size and leading (table_style()), in a tenth of the time; else as a paragraph.
    bold_columns: columns whose plain strings are bold, as their paragraphs are (<b>...</b>)."""

    def __init__(self, widths: list[float], padding: tuple[float, float, float, float], style: ParagraphStyle,
                 bold_columns: frozenset[int] = frozenset()) -> None:
        left, _top, right, _bottom = padding
        self._room = [w - left - right for w in widths]
        self.style = style
        self.leading = style.leading
        self._bold = bold_columns
        self._paras: dict[tuple[str, str], Any] = {}
        from reportlab.pdfbase.pdfmetrics import stringWidth

        self._width = stringWidth

    def plain(self, column: int, value: Any) -> Any:  # noqa: ANN401 (any cell value; a str or a CellParagraph)
        bold = column in self._bold
        shown = printable("" if value is None else str(value))
        font = "Helvetica-Bold" if bold else self.style.fontName
        # one line as the paragraph would lay it out: no line break or run of spaces for it to fold, and room to
        # spare (a paragraph breaks a line only past the width: a hair's margin for rounding)
        if shown == " ".join(shown.split()) and \
                self._width(shown, font, self.style.fontSize) < self._room[column] - 0.01:
            return shown
        return self.para(f"<b>{text(value)}</b>" if bold else text(value))

    def para(self, markup: str) -> Any:  # noqa: ANN401 (a CellParagraph)
        """A paragraph of markup (escape free text with text()): one per markup, as cell_para."""
        return cell_para(self._paras, markup, self.style)

    def table_style(self) -> list[tuple[Any, ...]]:
        """The table style commands that draw the plain strings of the rows below the heading row."""
        return [("FONTNAME", (0, 1), (-1, -1), self.style.fontName),
                ("FONTSIZE", (0, 1), (-1, -1), self.style.fontSize),
                ("LEADING", (0, 1), (-1, -1), self.leading),
                *[("FONTNAME", (c, 1), (c, -1), "Helvetica-Bold") for c in sorted(self._bold)]]


def _added_up(heights: list[float]) -> float:
    """A table's height as a Table adds its rows up (from the bottom, carrying the rounding), so that a
    PagedTable fits, or not, exactly where its Table would."""
    height = carry = 0.0
    for h in reversed(heights):
        y = h - carry
        t = height + y
        carry = (t - height) - y
        height = t
    return height


def __getattr__(name: str) -> Any:  # noqa: ANN401
    """CellParagraph and PagedTable, made when first asked for (they subclass reportlab's flowables)."""
    if name in ("CellParagraph", "PagedTable"):
        return _classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _classes() -> dict[str, type]:
    from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

    class CellParagraph(Paragraph):
        """A paragraph in a table cell that keeps its last wrap: reportlab wraps every cell to size the rows, again
        when a long table is split over pages and again to draw it, always at the column's width. The wrap depends
        on the text, style and width only, so one instance can also stand in every cell that holds the same text
        (cell_para): a long table's cells mostly say 'no response'."""

        def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (reportlab's names)
            if self.__dict__.get("_wrapped_width") != availWidth:
                self._wrapped_size = super().wrap(availWidth, availHeight)
                self._wrapped_width = availWidth
            return self._wrapped_size

    class PagedTable(Flowable):
        """A long table (a heading row, then rows of known heights) laid out a page at a time.

        Split over pages, a reportlab Table makes a table of the rows that fit and a new Table of every row left,
        styled and sized again, at each page: over a table of thousands of rows that took longer than drawing them.
        A PagedTable splits a Table of the rows that fit a page and one more (the heading row first, as repeatRows=1
        repeats it) and keeps the rest as a PagedTable: the same rows on the same pages, drawn as the split Table
        draws them. `style`: TableStyle commands, as for the whole table."""

        def __init__(self, header: list[Any], rows: list[list[Any]], widths: list[float], header_height: float,
                     heights: list[float], style: list[tuple[Any, ...]], hAlign: str = "LEFT") -> None:  # noqa: N803
            super().__init__()
            self.header, self.rows, self.widths = header, rows, widths
            self.header_height, self.heights = header_height, heights
            self.style = style
            self.hAlign = hAlign
            self.width = sum(widths)
            self.height = _added_up([header_height, *heights])

        def table(self, n: int | None = None) -> Table:
            """The Table of the heading row and the first n rows (all of them by default)."""
            rows, heights = (self.rows, self.heights) if n is None else (self.rows[:n], self.heights[:n])
            t = Table([self.header, *rows], colWidths=self.widths, rowHeights=[self.header_height, *heights],
                      repeatRows=1, hAlign=self.hAlign)
            t.setStyle(TableStyle(self.style))
            return t

        def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
            return self.width, self.height

        def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
            # as Table._splitRows does (by rows): the heading row and then each row, while the heights added up fit
            used = 0.0 + self.header_height
            if used > availHeight:
                return []
            n = 0
            for h in self.heights:
                if used + h > availHeight:
                    break
                used += h
                n += 1
            if n == 0:
                return []  # the heading row alone: all of it on the next page
            if n == len(self.rows):
                return [self]
            # reportlab's own split of a table of those rows and the next, so that the part on this page is what a
            # split Table draws (a split box is not closed at the foot of the page: the grid's line is)
            parts = self.table(n + 1).split(availWidth, availHeight)
            if len(parts) != 2:
                return []
            taken = len(parts[0]._cellvalues) - 1  # (n, as worked out above; counted, so that no row is lost)
            rest = PagedTable(self.header, self.rows[taken:], self.widths, self.header_height, self.heights[taken:],
                              self.style, self.hAlign)
            return [parts[0], rest]

        def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803, ANN401
            """The rows left, when they all fit: drawn as the Table of them (exactly as that Table draws)."""
            t = self.table()
            t.wrapOn(canvas, self.width, self.height)
            t.drawOn(canvas, x, y, _sW)

    return {"CellParagraph": CellParagraph, "PagedTable": PagedTable}
