"""The exports of a large audit hold the findings (issue 10, "At scale"): the Excel export is written in
openpyxl's write-only mode with styles made once, the PDF's long table a page at a time, and neither may lose or
change a figure on the way.

An audit of 1,500 completed verdicts from tests/bulk_builders.py (several samples, thousands of cells, a
failures table over many PDF pages, risky free text). The workbook is read back and every sheet compared with
the Findings and review figures it was written from; the PDF's text is read back with pypdf.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader

from cdi_workbench.findings import Findings, Table, compute
from cdi_workbench.reports import review_figures
from cdi_workbench.reports.common import (
    CHALLENGE_COLUMNS,
    MARKING,
    NOT_APPLICABLE,
    ReviewFigures,
    agreement_label,
    column_label,
    verdict_columns,
)
from cdi_workbench.reports.excel import build_workbook, write_xlsx
from cdi_workbench.reports.pdf import write_pdf
from cdi_workbench.spreadsheets import RISKY_START, clean_text, yes_no
from cdi_workbench.storage.database import Database
from tests.bulk_builders import bulk_audit

VERDICTS = 1500


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("scale")
    bulk_audit(tmp / "bulk.db", VERDICTS)
    db = Database(tmp / "bulk.db")
    try:
        findings = compute(db)
        review = review_figures(db, findings=findings)
    finally:
        db.close()
    return {"findings": findings, "review": review, "xlsx": write_xlsx(findings, tmp / "findings.xlsx", review),
            "pdf": write_pdf(findings, tmp / "findings.pdf", review)}


@pytest.fixture(scope="module")
def workbook(exported: dict[str, Any]) -> Any:  # noqa: ANN401
    return openpyxl.load_workbook(exported["xlsx"])


def _rows(ws: Any) -> list[tuple[Any, ...]]:  # noqa: ANN401
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _sheet_of(wb: Any, title: str) -> Any:  # noqa: ANN401
    """The sheet whose title (cell A2) is `title`."""
    found = [ws for ws in wb.worksheets if ws["A2"].value == title]
    assert len(found) == 1, title
    return found[0]


def _check_table(ws: Any, t: Table) -> None:  # noqa: ANN401
    """A findings table laid out as published: a row per table row, a column per figure (and one beside it for a
    previous audit's figure); each figure a number (the figure itself) or the figure's text."""
    heads = [c.value for c in ws[4]]
    rows = {ws.cell(r, 1).value: r for r in range(5, 5 + len(t.rows))}
    assert list(rows) == [r.label for r in t.rows]
    for r in t.rows:
        for column, cell in zip(t.columns, r.cells, strict=True):
            got = ws.cell(rows[r.label], heads.index(column) + 1)
            if isinstance(got.value, int | float):
                # a percentage held in percent units ('100.0%' of 100.0) is written as the fraction it shows
                percent_units = isinstance(cell.value, float) and cell.text == f"{cell.value:.1f}%"
                want = cell.value / 100 if percent_units else cell.value
                assert got.value == pytest.approx(want), (t.key, r.label, column)
                assert got.number_format in ("#,##0", "0.0%", "0.00"), (t.key, r.label, column)
            else:
                shown = cell.text.rsplit(" (", 1)[0] if cell.previous is not None else cell.text
                assert got.value in (cell.text, shown) or (got.value == NOT_APPLICABLE and not cell.value), \
                    (t.key, r.label, column, got.value)
            if cell.previous is not None:
                assert ws.cell(rows[r.label], heads.index(f"{column} (previous audit)") + 1).value == \
                    pytest.approx(cell.previous)


def test_the_workbook_is_written_write_only(exported: dict[str, Any]) -> None:
    """The long sheets stream through openpyxl's write-only mode (an ordinary workbook keeps and sorts every
    cell: half as long again as writing them)."""
    assert build_workbook(exported["findings"], exported["review"]).write_only


def test_every_sheet_is_marked_and_named_in_the_contents(workbook: Any) -> None:  # noqa: ANN401
    for ws in workbook.worksheets:
        assert ws["A1"].value == MARKING, ws.title
        assert ws.oddHeader.center.text == MARKING and ws.oddFooter.center.text == MARKING, ws.title
    summary = workbook["Summary"]
    links = [c.value for c in summary["A"] if c.hyperlink is not None]
    assert links == workbook.sheetnames[1:]


def test_every_findings_table_sheet_holds_the_tables_figures(exported: dict[str, Any], workbook: Any) -> None:  # noqa: ANN401
    f: Findings = exported["findings"]
    review: ReviewFigures = exported["review"]
    for t in [*f.tables, *review.tables]:
        _check_table(_sheet_of(workbook, t.title), t)


def test_the_figure_sources_name_every_figures_records(exported: dict[str, Any], workbook: Any) -> None:  # noqa: ANN401
    f: Findings = exported["findings"]
    names = {_sheet_of(workbook, t.title).title: t for t in f.tables}
    by_key = {t.key: name for name, t in names.items()}
    want = [(by_key[t.key], r.label, column, cell.value,  # (a list too long for a cell cut, with a mark)
             clean_text("; ".join(f.item_labels.get(i, f"item {i}") for i in sorted(cell.items))) or None)
            for t in f.tables for r in t.rows for column, cell in zip(t.columns, r.cells, strict=True) if cell.value]
    got = _rows(workbook["Figure sources"])[2:]
    assert [(*g[:3], g[4]) for g in got] == [(*w[:3], w[4]) for w in want]
    assert [g[3] for g in got] == pytest.approx([w[3] for w in want])  # (a workbook keeps 15 or 16 digits)


def test_the_verdicts_sheet_holds_every_verdict(exported: dict[str, Any], workbook: Any) -> None:  # noqa: ANN401
    f: Findings = exported["findings"]
    ws = workbook["Verdicts"]
    keys = verdict_columns(f.verdicts)
    assert [c.value for c in ws[2]] == [column_label(k) for k in keys]
    assert ws.max_row == 2 + len(f.verdicts)
    risky = 0
    for row, v in enumerate(f.verdicts, 3):
        cells = ws[row]
        for col, key in enumerate(keys):
            want = v.get(key)
            got = cells[col]
            if want is None or want == "":
                assert got.value is None, (row, key)
                continue
            if key == "updated_at":
                want = datetime.strptime(want, "%d/%m/%Y %H:%M")
                assert got.number_format == "dd/mm/yyyy hh:mm"
            assert got.value == yes_no(want), (row, key)
            assert type(got.value) is type(yes_no(want)), (row, key)  # numbers stay numbers, text stays text
            if isinstance(want, str) and want.startswith(RISKY_START):
                risky += 1
                assert got.data_type == "s" and got.quotePrefix, (row, key)  # shown as text, never run
            assert got.alignment.vertical == "top", (row, key)
    assert risky > 0  # the builder writes rationales that start like formulas
    for col, key in enumerate(keys, 1):
        longest = max([len(column_label(key))] + [16 if key == "updated_at" else len(str(yes_no(v[key])))
                                                  for v in f.verdicts if v.get(key) not in (None, "")])
        cap = 60 if key == "rationale" else 45 if key in {"classification", "timeliness", "reason_not_recorded"} \
            else 28
        letter = openpyxl.utils.get_column_letter(col)
        assert ws.column_dimensions[letter].width == max(9, min(longest + 2, cap)), key
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == f"A2:{letter}{2 + len(f.verdicts)}"


def test_the_challenges_sheet_holds_every_failure_and_response(exported: dict[str, Any], workbook: Any) -> None:  # noqa: ANN401
    f: Findings = exported["findings"]
    review: ReviewFigures = exported["review"]
    rows = _rows(workbook["Before and after challenges"])
    start = rows.index(tuple(CHALLENGE_COLUMNS)) + 1
    got = rows[start:]
    assert len(got) == len(review.challenges) > 100
    for r, row in zip(review.challenges, got, strict=True):
        assert row[0] == f.item_labels.get(r.failure.item_id, r.failure.reference)
        assert row[2] == r.failure.failure and row[3] == (r.response or "no response")
        assert row[9] == ("Yes" if r.counted_after else "No")


def test_the_agreement_sheet_holds_every_checks_pairs(exported: dict[str, Any], workbook: Any) -> None:  # noqa: ANN401
    review: ReviewFigures = exported["review"]
    rows = _rows(workbook["Peer review agreement"])
    first = {}
    for row in rows:
        first.setdefault(row[0], row)  # the first section: all auditors
    for a in review.agreement_for(""):
        assert first[agreement_label(a)][1:3] == (a.pairs, a.agree), agreement_label(a)


def test_the_cells_share_a_few_styles(workbook: Any) -> None:  # noqa: ANN401
    """Styles are made once and shared: tens of distinct cell styles in a workbook of tens of thousands of
    cells, and a handful on the verdicts sheet."""
    assert len(workbook._cell_styles) < 60
    on_verdicts = {tuple(c._style) for row in workbook["Verdicts"].iter_rows(min_row=3) for c in row if c.has_style}
    assert len(on_verdicts) <= 6


def test_the_pdf_lists_every_failure_on_pages_with_the_tables_heading(exported: dict[str, Any]) -> None:
    f: Findings = exported["findings"]
    review: ReviewFigures = exported["review"]
    pages = [p.extract_text() for p in PdfReader(exported["pdf"]).pages]
    total = len(pages)
    for n, text in enumerate(pages, 1):
        assert text.count(MARKING) >= 2 and f"Page {n} of {total}" in text
    start = next(n for n, text in enumerate(pages) if "Every failure and the force's response" in text)
    table = re.sub(r"\s+", " ", " ".join(pages[start:]))
    at = 0
    for r in review.challenges:  # in order, each once
        label = re.sub(r"\s+", " ", f.item_labels.get(r.failure.item_id, r.failure.reference))
        found = table.find(label, at)
        assert found >= 0, label
        at = found + len(label)
    # the heading row on every page of the table
    assert all("Still a failure" in re.sub(r"\s+", " ", text) for text in pages[start + 1:])
