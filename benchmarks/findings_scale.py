"""Findings and the exports at scale: an audit of 20,000 completed verdicts (tests/bulk_builders.bulk_audit).

Each operation is timed beside a baseline measured in the same run on the same data, and the ratio printed
against the goal (issue "At scale"):

- findings.compute(db) + reports.review_figures(db), against pandas.read_sql of the verdict, audit item and
  record rows and a group-by; goal: findings.compute under 0.2 s for 20,000 verdicts (scaled with --verdicts).
  findings.compute is what the dashboard waits for: it leaves the verdict rows (Findings.verdicts) to be built
  when first read, so "+ verdict rows" (compute, then the rows read) is what an export or a drill-down costs;
- findings.compute in CPU time against the implementation it replaced (tests/findings_reference, the same
  figures), the two alternated in this process, so that other work on a shared machine weighs on both alike;
- reports.write_xlsx, against an openpyxl write-only workbook of the same cells (the export read back:
  the same sheets, rows and values, no styles); goal: at most 1.5x;
- reports.write_pdf, against reportlab drawing the same tables (the same rows and columns of every table
  in the report) with plain strings, no paragraphs; goal: at most 1.5x;
- reports.write_json, against json.dumps of the same document (same indent) written to a file; goal: at
  most 1.5x.

The database is built before any timing (bulk SQL into the real schema). Medians over --repeat runs.

    .venv/bin/python -m benchmarks.findings_scale                    # 20,000 verdicts, 3 repeats
    .venv/bin/python -m benchmarks.findings_scale --verdicts 2000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # also runnable as a script

from cdi_workbench.findings import compute  # noqa: E402
from cdi_workbench.reports import findings_document, review_figures, write_json  # noqa: E402
from cdi_workbench.reports.excel import write_xlsx  # noqa: E402
from cdi_workbench.reports.pdf import build_story, write_pdf  # noqa: E402
from cdi_workbench.storage.database import Database  # noqa: E402
from tests.bulk_builders import bulk_audit  # noqa: E402
from tests.findings_reference import reference_compute  # noqa: E402

FINDINGS_GOAL_S = 0.2  # for 20,000 verdicts
EXPORT_GOAL = 1.5  # times the baseline

BASELINE_SQL = """
SELECT v.item_id, v.role, v.auditor, v.updated_at, v.body, v.complete, v.n_crimes, v.n_recorded,
       v.n_misclassified, v.n_late, v.n_failed_checks, a.sample_id, a.position, a.kind, a.stratum,
       r.system, r.ref, r.received_at
FROM verdict v JOIN audit_item a ON a.id = v.item_id
LEFT JOIN report_record r ON r.id = a.record_id AND a.kind IN ('incident', 'referral')
"""


def cpu_alternated(fns: list[Callable[[], Any]], repeat: int) -> list[float]:
    """Median CPU seconds of each function, run in turn `repeat` times."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, times, strict=True):
            t = time.process_time()
            fn()
            out.append(time.process_time() - t)
    return [statistics.median(t) for t in times]


def timed(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def pandas_baseline(path: Path) -> None:
    """What a data analyst would do: read the rows once and group them."""
    import pandas as pd

    con = sqlite3.connect(path)
    try:
        df = pd.read_sql_query(BASELINE_SQL, con)
        df.groupby(["kind", "system", "role"], dropna=False)[
            ["n_crimes", "n_recorded", "n_misclassified", "n_late", "n_failed_checks"]].sum()
    finally:
        con.close()


def workbook_cells(path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """The export read back: (sheet, rows of values) per sheet."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [(ws.title, [tuple(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
    finally:
        wb.close()


def openpyxl_baseline(sheets: list[tuple[str, list[tuple[Any, ...]]]], target: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(target)


def story_tables(story: list[Any]) -> list[Any]:
    """Every reportlab Table in a story, including those kept together with their headings, and a long table the
    report lays out a page at a time (pdf_tables.PagedTable) as the one Table of all its rows."""
    from reportlab.platypus import KeepTogether, Table

    from cdi_workbench.reports.pdf_tables import PagedTable

    out = []
    for f in story:
        if isinstance(f, KeepTogether):
            out += story_tables(list(f._content))
        elif isinstance(f, Table):
            out.append(f)
        elif isinstance(f, PagedTable):
            out.append(f.table())
    return out


def _plain(cell: Any) -> str:
    if isinstance(cell, str):
        return cell
    text = getattr(cell, "text", "")
    return re.sub(r"<[^>]+>", " ", text) if isinstance(text, str) else ""


def plain_tables(findings: Any, review: Any) -> list[tuple[list[list[str]], list[float]]]:
    """The report's tables as plain strings: (rows, column widths) each."""
    return [([[_plain(c) for c in row] for row in t._cellvalues], list(t._argW))
            for t in story_tables(build_story(findings, review))]


def reportlab_baseline(tables: list[tuple[list[list[str]], list[float]]], target: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    story = []
    for rows, widths in tables:
        t = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("FONTSIZE", (0, 0), (-1, -1), 9)]))
        story.append(t)
    SimpleDocTemplate(str(target), pagesize=A4).build(story)


def json_baseline(doc: dict[str, Any], target: Path) -> None:
    target.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _row(name: str, median: float, base: float, goal: str, ok: bool) -> None:
    print(f"{name:44} {median:9.3f} {base:12.3f} {median / base:7.2f}  {goal} {'met' if ok else 'NOT MET'}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--verdicts", type=int, default=20_000, help="completed verdicts in the audit (20,000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each operation; medians are printed (3)")
    a = ap.parse_args(argv)
    # kappa's standard error where both raters gave one answer throughout: statsmodels says so on stderr each run
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="statsmodels")
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        path = tmp / "scale.db"
        t = time.perf_counter()
        plan = bulk_audit(path, a.verdicts)
        print(f"built an audit of {plan.verdicts:,} completed verdicts ({plan.verdict_rows:,} verdict rows, "
              f"{plan.review_verdicts:,} peer reviews, {plan.challenges:,} force responses) in "
              f"{time.perf_counter() - t:.1f} s (not timed below)")
        db = Database(path)
        try:
            findings = compute(db)
            review = review_figures(db, findings=findings)  # as cdi report and the window call it
            t_compute = timed(lambda: compute(db), a.repeat)
            t_rows = timed(lambda: compute(db).verdicts, a.repeat)  # the verdict rows built, as the exports read them
            cpu_compute, cpu_rows, cpu_reference = cpu_alternated(
                [lambda: compute(db), lambda: compute(db).verdicts, lambda: reference_compute(db)], a.repeat)
            t_review = timed(lambda: review_figures(db, findings=findings), a.repeat)
            t_pandas = timed(lambda: pandas_baseline(path), a.repeat)

            xlsx = write_xlsx(findings, tmp / "findings.xlsx", review)
            sheets = workbook_cells(xlsx)
            cells = sum(1 for _, rows in sheets for r in rows for v in r if v is not None)
            t_xlsx = timed(lambda: write_xlsx(findings, tmp / "findings.xlsx", review), a.repeat)
            t_xlsx_base = timed(lambda: openpyxl_baseline(sheets, tmp / "baseline.xlsx"), a.repeat)

            tables = plain_tables(findings, review)
            pdf_cells = sum(len(r) for rows, _ in tables for r in rows)
            t_pdf = timed(lambda: write_pdf(findings, tmp / "findings.pdf", review), a.repeat)
            t_pdf_base = timed(lambda: reportlab_baseline(tables, tmp / "baseline.pdf"), a.repeat)

            doc = findings_document(findings, review)
            t_json = timed(lambda: write_json(findings, tmp / "findings.json", review), a.repeat)
            t_json_base = timed(lambda: json_baseline(doc, tmp / "baseline.json"), a.repeat)
            # the same again in CPU seconds, each export run in turn with its baseline: on a shared machine the
            # wall-clock medians above, timed one block after the other, take in whatever else runs meanwhile
            cpu_exports = cpu_alternated([
                lambda: write_xlsx(findings, tmp / "findings.xlsx", review),
                lambda: openpyxl_baseline(sheets, tmp / "baseline.xlsx"),
                lambda: write_pdf(findings, tmp / "findings.pdf", review),
                lambda: reportlab_baseline(tables, tmp / "baseline.pdf"),
                lambda: write_json(findings, tmp / "findings.json", review),
                lambda: json_baseline(doc, tmp / "baseline.json")], a.repeat)
        finally:
            db.close()

    goal_s = FINDINGS_GOAL_S * a.verdicts / 20_000
    print(f"medians of {a.repeat} runs; the workbook holds {cells:,} cells in {len(sheets)} sheets, the PDF "
          f"{pdf_cells:,} table cells in {len(tables)} tables")
    print(f"{'operation':44} {'median s':>9} {'baseline s':>12} {'ratio':>7}  goal")
    print(f"{'findings.compute':44} {t_compute:9.3f} {t_pandas:12.3f} {t_compute / t_pandas:7.2f}  "
          f"< {goal_s:.3f} s ({FINDINGS_GOAL_S} s per 20,000 verdicts) {'met' if t_compute < goal_s else 'NOT MET'}")
    print(f"{'findings.compute + verdict rows (exports)':44} {t_rows:9.3f} {t_pandas:12.3f} {t_rows / t_pandas:7.2f}")
    print(f"CPU s, alternated in this process: findings.compute {cpu_compute:.3f}, with the verdict rows "
          f"{cpu_rows:.3f}; the implementation before issue 10 (tests/findings_reference) {cpu_reference:.3f}, so "
          f"{cpu_compute / cpu_reference:.2f}x and {cpu_rows / cpu_reference:.2f}x of it")
    print(f"{'review_figures (agreement, challenges)':44} {t_review:9.3f} {t_pandas:12.3f} "
          f"{t_review / t_pandas:7.2f}")
    both = t_rows + t_review  # the challenge rows in the review figures read the verdict rows
    print(f"{'findings.compute + rows + review_figures':44} {both:9.3f} {t_pandas:12.3f} {both / t_pandas:7.2f}  "
          f"(baseline: pandas.read_sql of the verdict rows + a group-by)")
    goal = f"<= {EXPORT_GOAL}x"
    _row("Excel: write_xlsx (vs openpyxl write-only)", t_xlsx, t_xlsx_base, goal,
         t_xlsx <= EXPORT_GOAL * t_xlsx_base)
    _row("PDF: write_pdf (vs plain reportlab tables)", t_pdf, t_pdf_base, goal, t_pdf <= EXPORT_GOAL * t_pdf_base)
    _row("JSON: write_json (vs json.dumps)", t_json, t_json_base, goal, t_json <= EXPORT_GOAL * t_json_base)
    pairs = zip(("Excel", "PDF", "JSON"), cpu_exports[0::2], cpu_exports[1::2], strict=True)
    print("CPU s, each export alternated with its baseline in this process: " + ", ".join(
        f"{name} {mine:.3f} vs {base:.3f} ({mine / base:.2f}x)" for name, mine, base in pairs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
