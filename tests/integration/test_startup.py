"""Starting the window fast (issue 11): no heavy library before the first record, no Alembic for an up-to-date
database, the record view's candidates found through an index."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import event, select

from cdi_workbench.audit.records import _candidates
from cdi_workbench.storage.database import Database, head_from_files, head_revision
from cdi_workbench.storage.models import CrimeRecord, ReportRecord
from tests.builders import small_audit

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("scipy", "statsmodels", "pandas", "numpy", "openpyxl", "reportlab", "matplotlib", "pyarrow")

# What the window runs before the first record is on screen: its modules, then the core's operations to open the
# audit, identify the person, list the samples, load the queue and open the first record, then the trail's quick
# check. None of it may need the statistics, data-frame or export libraries (they load with the findings and
# the exports, off the person's path), nor Alembic (only for a database to create or upgrade).
START = """
import sys
import ui.app, ui.main_window  # the window's modules, as main.py imports them
from cdi_workbench.audit import operations as ops
from cdi_workbench.audit.trail_checkpoint import check_on_open
heavy = %r
at_import = [m for m in heavy + ("alembic",) if m in sys.modules]
opened = ops.open_audit(%r, "Inspector A")
svc = opened.svc
assert not isinstance(ops.identify(svc), Exception)
for smp in svc.samples():
    queue = ops.load_queue(svc, smp.id)
    first = queue.rows[0].item_id
    svc.record(first)
    body = svc.verdict(first)
    svc.evaluate(first, body)
check_on_open(opened.db)
print("IMPORT", ",".join(at_import))
print("OPEN", ",".join(m for m in heavy + ("alembic",) if m in sys.modules))
"""


def test_the_window_starts_and_shows_a_record_without_heavy_libraries(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    small_audit(path).close()
    out = subprocess.run([sys.executable, "-c", START % (HEAVY, str(path))], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    lines = dict(line.split(" ", 1) if " " in line else (line, "") for line in out.stdout.splitlines())
    assert lines["IMPORT"] == "", f"imported with the window: {lines['IMPORT']}"
    assert lines["OPEN"] == "", f"loaded before the first record: {lines['OPEN']}"


def test_no_module_loads_a_heavy_library_when_imported() -> None:
    """Every module of the core and of the window imports without them (they load inside the functions that use
    them), but the export writers, which exist for openpyxl and reportlab (cdi_workbench.reports defers them)."""
    writers = ("cdi_workbench.reports.excel", "cdi_workbench.reports.pdf", "cdi_workbench.reports.charts",
               "cdi_workbench.reports.pdf_units", "cdi_workbench.reports.pdf_styles", "cdi_workbench.reports.board_pack_pdf",
               "cdi_workbench.reports.board_pack_excel")
    code = (
        "import pkgutil, sys, cdi_workbench, ui\n"
        "for pkg in (cdi_workbench, ui):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        f"        if '.migrations' not in m.name and m.name not in {writers!r}:\n"
        "            __import__(m.name)\n"
        f"print(','.join(h for h in {(*HEAVY, 'alembic')!r} if h in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_the_head_read_from_the_scripts_is_alembics() -> None:
    assert head_from_files() == head_revision()


def test_an_older_database_is_still_upgraded(tmp_path: Path) -> None:
    """The fast path (no Alembic) is only for a database at the head: an older one is upgraded as before."""
    from alembic import command

    from cdi_workbench.storage.database import _alembic_config, make_engine

    path = tmp_path / "audit.db"
    engine = make_engine(path)
    with engine.begin() as conn:  # a database of schema 0009, as the migrations made it (a newer file relabelled
        command.upgrade(_alembic_config(conn), "0009")  # 0009 is refused: it is not what 0009 makes)
    engine.dispose()
    db = Database(path)
    assert db.backup is not None and db.backup.exists()
    db.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'ix_crime_place_time'").fetchone()


def test_candidates_at_the_same_place_are_found_through_the_index(tmp_path: Path) -> None:
    """records._candidates: crime records citing the report, or at its place within two days of it. Each side of
    the OR is searched through an index (on a 1M-record audit the place-and-time side scanned 333,000 crimes)."""
    path = tmp_path / "audit.db"
    db = small_audit(path)
    with db.session() as s:  # enough crime records that a scan would be the planner's last choice
        s.add_all(CrimeRecord(ref=f"CR-X{i}", location=f"On or near Street {i % 300}", status="recorded")
                  for i in range(3000))
    statements: list[tuple[str, object]] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def capture(_conn, _cursor, statement, params, _context, _many) -> None:  # noqa: ANN001
        if "FROM crime_record" in statement and "location" in statement:
            statements.append((statement, params))

    with db.session() as s:
        report = s.scalar(select(ReportRecord).where(ReportRecord.ref == "INC-0002"))
        assert report is not None and report.location
        found = _candidates(s, report, set())
    assert statements, "the candidates query did not run"
    statement, params = statements[-1]
    db.close()
    with sqlite3.connect(path) as conn:
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement, params)]  # type: ignore[arg-type]
    text = "\n".join(plan)
    assert "ix_crime_place_time" in text, text
    assert "ix_crime_record_source_ref" in text, text
    assert not any(p.startswith("SCAN crime_record") for p in plan), text
    assert isinstance(found, list)
