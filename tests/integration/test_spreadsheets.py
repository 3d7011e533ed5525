"""The one spreadsheet layer (cdi_workbench.spreadsheets): every CSV and workbook the workbench writes keeps
formula-looking text as text and, where the format allows, carries the marking; the one reader reads a workbook
whatever its <dimension> says; challenges and reports import each other no more."""

from __future__ import annotations

import ast
import csv
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.trail import write_history_csv
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.challenges import export_for_force, import_responses
from cdi_workbench.cli import main
from cdi_workbench.findings import compute
from cdi_workbench.importing import check_file, import_file
from cdi_workbench.reports import review_figures, write_xlsx
from cdi_workbench.sampling import SampleOps
from cdi_workbench.spreadsheets import MARKING, csv_safe, csv_unsafe, open_table
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import ReportRecord
from cdi_workbench.verdict_io import export_verdicts, read_verdicts
from tests.builders import small_audit
from tests.integration.test_import_support import INCIDENT_HEADERS, audit, write_csv

ROOT = Path(__file__).resolve().parents[2]
FORMULA = '=HYPERLINK("http://evil.example","click")'
ESCAPED = "'" + FORMULA


@pytest.fixture
def risky(tmp_path: Path) -> Iterator[Database]:
    """small_audit whose missed crime (INC-0002) has a formula for a reference, a reason and a rationale."""
    db = small_audit(tmp_path / "a.db")
    with db.session() as s:
        record = s.scalar(select(ReportRecord).where(ReportRecord.ref == "INC-0002"))
        assert record is not None
        record.ref = FORMULA
    svc = AuditService(db, "Alice Auditor")
    items = {r.ref: r.item_id for smp in svc.samples() for r in svc.queue(smp.id)}
    svc.save_verdict(items[FORMULA], VerdictBody(crimes=[
        CrimeFinding(expected_code="8L", not_recorded_reason=FORMULA, safeguarding=True, investigation=False),
    ], rationale=FORMULA, complete=True), reason=FORMULA)
    yield db
    db.close()


def _item(db: Database, ref: str) -> int:
    svc = AuditService(db)
    return next(r.item_id for smp in svc.samples() for r in svc.queue(smp.id) if r.ref == ref)


# ---- workbooks -------------------------------------------------------------------------------------------------
def _no_formulas(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name).decode("utf-8")
                assert not re.search(r"<f[ >]", xml), f"{path.name} {name} holds a formula"


def _formula_cells(path: Path) -> list[openpyxl.cell.cell.Cell]:
    """The cells holding the formula as their whole text: every one a string with Excel's quote prefix."""
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    for c in cells:
        if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@")):
            assert c.data_type == "s" and c.quotePrefix, (c.parent.title, c.coordinate, c.value, c.data_type)
    return [c for c in cells if c.value == FORMULA]


def _marked(path: Path, first_row: bool) -> None:
    wb = openpyxl.load_workbook(path)
    assert wb.properties.keywords == MARKING and wb.properties.category == MARKING
    for ws in wb.worksheets:
        for part in (ws.oddHeader, ws.evenHeader, ws.firstHeader, ws.oddFooter, ws.evenFooter, ws.firstFooter):
            assert part.center.text == MARKING, (ws.title, part)
        if first_row:
            assert ws["A1"].value == MARKING, ws.title


def test_the_findings_workbook(risky: Database, tmp_path: Path) -> None:
    path = write_xlsx(compute(risky), tmp_path / "findings.xlsx", review_figures(risky))
    _no_formulas(path)
    assert len(_formula_cells(path)) >= 3  # the reference, the reason and the rationale in the Verdicts sheet
    _marked(path, first_row=True)


def test_the_verdicts_workbook(risky: Database, tmp_path: Path) -> None:
    path = tmp_path / "verdicts.xlsx"
    export_verdicts(risky, path)
    _no_formulas(path)
    assert len(_formula_cells(path)) == 3  # record_ref, reason_not_recorded, rationale
    _marked(path, first_row=False)  # row 1 holds the column names an import reads


def test_the_workbook_for_the_force(risky: Database, tmp_path: Path) -> None:
    path = tmp_path / "force.xlsx"
    assert export_for_force(risky, path) >= 1
    _no_formulas(path)
    assert len(_formula_cells(path)) >= 1  # the reference of the failed record
    _marked(path, first_row=True)
    # and it reads back: the reference was stored as text, so the failure keys are found again
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    failures = ws.max_row - 2
    for row in range(3, ws.max_row + 1):
        ws.cell(row, 9).value = "agree"
    ws.insert_rows(3)  # a blank row, which a workbook need not hold at all
    wb.save(path)
    assert import_responses(risky, path)["agree"] == failures


# ---- CSV -------------------------------------------------------------------------------------------------------
def _csv(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    with open(path, newline="", encoding=encoding) as fh:
        return list(csv.reader(fh))


def test_the_verdicts_csv(risky: Database, tmp_path: Path) -> None:
    path = tmp_path / "verdicts.csv"
    export_verdicts(risky, path)
    rows = _csv(path)
    assert sum(cell == ESCAPED for row in rows for cell in row) == 3
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_the_draw_list(risky: Database, tmp_path: Path) -> None:
    path = tmp_path / "draw.csv"
    SampleOps(risky).export("Incidents", str(path))
    rows = _csv(path, "utf-8")
    assert rows[0] == ["position", "kind", "system", "reference", "stratum"]
    assert ESCAPED in [r[3] for r in rows[1:]]


def test_a_records_history(risky: Database, tmp_path: Path) -> None:
    item = _item(risky, FORMULA)
    changes = AuditService(risky).history(item)
    path = tmp_path / "history.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        write_history_csv(changes, fh)
    rows = _csv(path, "utf-8")
    assert rows[0] == ["when", "who", "role", "action", "old", "new", "reason", "hash"]
    assert rows[1][6] == ESCAPED
    assert rows[1][5].startswith("{") and "HYPERLINK" in rows[1][5]  # the rationale sits inside the JSON
    # `cdi history` writes the same
    db_path = str(risky.engine.url.database)
    svc = AuditService(risky)
    sample, position = next((smp.name, r.position) for smp in svc.samples() for r in svc.queue(smp.id)
                            if r.item_id == item)
    out = tmp_path / "cli.csv"
    assert main(["history", db_path, "--sample", sample, "--position", str(position), "--csv", str(out), "--yes"]) == 0
    assert _csv(out, "utf-8") == rows


def test_rejected_rows_are_escaped_and_import_again_as_they_were(tmp_path: Path) -> None:
    db = audit(tmp_path / "a.db")
    try:
        rows = [["INC-1", "01/03/2014 10:00", "", "", "", "", "", ""],
                [FORMULA, "not a date", "", "", "", "", "'-1 apostrophe kept", ""]]
        path = write_csv(tmp_path / "incidents.csv", INCIDENT_HEADERS, rows)
        result = import_file(db, path, "incidents", rejects=tmp_path / "rejected.csv")
        assert result.committed and result.rejected == 1
        saved = _csv(tmp_path / "rejected.csv")
        assert saved[1][0] == ESCAPED and saved[1][6] == "''-1 apostrophe kept"
        saved[1][1] = "02/03/2014 10:00"  # fixed
        fixed = tmp_path / "fixed.csv"
        with open(fixed, "w", newline="", encoding="utf-8-sig") as fh:
            csv.writer(fh).writerows(saved)
        assert import_file(db, fixed, "incidents").added == 1
        with db.session() as s:
            record = s.scalar(select(ReportRecord).where(ReportRecord.ref == FORMULA))
            assert record is not None and record.narrative == "'-1 apostrophe kept"
    finally:
        db.close()


def test_csv_safe_and_unsafe_undo_each_other() -> None:
    for text in ["", "plain", FORMULA, "'=1", "''=1", "'quoted", "-5", "+44 1234", "@who", "\tTab", "a=b"]:
        assert csv_unsafe(csv_safe(text)) == text
        assert not csv_safe(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_only_the_spreadsheet_layer_makes_csv_writers_and_every_workbook_is_marked() -> None:
    """Every CSV goes through spreadsheets.csv_writer; every module that makes a workbook marks it."""
    sources = [p for p in [*(ROOT / "cdi_workbench").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]
               if "spreadsheets" not in p.parts]
    for p in sources:
        text = p.read_text(encoding="utf-8")
        assert not re.search(r"csv\.(writer|DictWriter)\(", text), f"{p.relative_to(ROOT)}: use spreadsheets.csv_writer"
        if "Workbook()" in text:
            assert "mark_pages(" in text and "mark_workbook(" in text, f"{p.relative_to(ROOT)}: mark the workbook"


# ---- the reader: a workbook whatever its <dimension> says ------------------------------------------------------
def _set_dimension(path: Path, ref: str) -> None:
    """Rewrite the <dimension> every sheet states, as some programs write it wrong."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), data)
            assert f'<dimension ref="{ref}"/>'.encode() in parts[name]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


@pytest.mark.parametrize("dimension", ["A1:A1", "A1:Z1048576"])
def test_a_wrong_dimension_loses_nothing(tmp_path: Path, dimension: str) -> None:
    path = tmp_path / "incidents.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(INCIDENT_HEADERS)
    for n in range(1, 31):
        ws.append([f"INC-{n}", f"{n:02d}/03/2014 10:00", "", "", "", "", f"note {n}", ""])
    wb.save(path)
    _set_dimension(path, dimension)
    with open_table(path) as table:
        rows = list(table.rows())
        assert table.headers == INCIDENT_HEADERS
    assert [n for n, _ in rows] == list(range(2, 32))
    assert all(cells[6] == f"note {n - 1}" for n, cells in rows)  # the seventh column too
    assert check_file(path, "incidents").valid == 30


def test_a_verdicts_workbook_with_a_wrong_dimension_imports_whole(risky: Database, tmp_path: Path) -> None:
    path = tmp_path / "verdicts.xlsx"
    n = export_verdicts(risky, path)
    expected = read_verdicts(risky, path)
    _set_dimension(path, "A1:A1")
    plan = read_verdicts(risky, path)
    assert plan.ok and plan.rows == n == expected.rows
    assert [v.body for v in plan.verdicts] == [v.body for v in expected.verdicts]


# ---- no import cycle: challenges <-> reports -------------------------------------------------------------------
FIRST = ["cdi_workbench.challenges", "cdi_workbench.reports", "cdi_workbench.reports.common",
         "cdi_workbench.reports.excel", "cdi_workbench.verdict_io", "cdi_workbench.spreadsheets", "cdi_workbench.cli",
         "cdi_workbench.importing"]


@pytest.mark.parametrize("module", FIRST)
def test_each_imports_first_in_a_fresh_interpreter(module: str) -> None:
    code = f"import sys, {module}\nprint(','.join(m for m in ('cdi_workbench.reports',) if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    if module == "cdi_workbench.challenges":
        assert out.stdout.strip() == "", "importing challenges loaded reports"


def _imports(module: str) -> set[str]:
    """The cdi_workbench modules a module imports, at the top or inside functions (relative imports resolved)."""
    path = ROOT / Path(*module.split("."))
    is_pkg = path.is_dir()
    source = (path / "__init__.py") if is_pkg else path.with_suffix(".py")
    package = module if is_pkg else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            names = [f"{name}.{a.name}" for a in node.names] + [name]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for n in names:
            parts = n.split(".")
            for i in range(2, len(parts) + 1):
                candidate = ".".join(parts[:i])
                p = ROOT / Path(*parts[:i])
                if parts[0] == "cdi_workbench" and (p.is_dir() or p.with_suffix(".py").exists()):
                    found.add(candidate)
    found.discard(module)
    return found


def _closure(module: str) -> set[str]:
    seen, todo = set(), [module]
    while todo:
        for m in _imports(todo.pop()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return seen


def test_challenges_never_reach_the_reports_and_the_spreadsheet_layer_stands_alone() -> None:
    assert not any(m.startswith("cdi_workbench.reports") for m in _closure("cdi_workbench.challenges"))
    assert all(m.startswith("cdi_workbench.spreadsheets") for m in _closure("cdi_workbench.spreadsheets"))
    assert "cdi_workbench.reports" not in _closure("cdi_workbench.verdict_io")
