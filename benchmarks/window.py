"""The window as the person feels it on a large audit: next record, and save-and-next, until the panel shows it.

A database of --rows incident records (a third linked to crime records) with a 2,000-record sample is built
first (benchmarks/navigation.build); then the real MainWindow is driven offscreen:
- next record: Ctrl+PgDown (MainWindow.next_record) until the panel holds the next record;
- save and next: zero status (Ctrl+0, which saves the verdict and moves on) until the next record shows.
Baseline, measured in the same run: a bare PySide6 window doing the least the same step needs (select the next
row of a table model, fetch the record's row and narrative with plain sqlite3, set it as HTML in a text browser).
Goal (issue 11): p95 under 50 ms for both, never waiting behind a findings refresh.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.window --rows 1000000 --steps 60
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # also runnable as a script
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QSettings  # noqa: E402
from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTableView, QTextBrowser  # noqa: E402

from benchmarks.navigation import build  # noqa: E402
from cdi_workbench import sampling  # noqa: E402
from cdi_workbench.storage.database import Database  # noqa: E402

GOAL_MS = 50.0


def pump(app: QApplication, cond, limit_ms: int = 30000) -> None:  # noqa: ANN001
    t = QElapsedTimer()
    t.start()
    while not cond():
        app.processEvents()
        if t.elapsed() > limit_ms:
            raise TimeoutError("the window did not get there")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def real_window(app: QApplication, path: Path, steps: int) -> tuple[list[float], list[float], float]:
    from ui.main_window import MainWindow

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    t = time.perf_counter()
    w = MainWindow(user="Inspector Bench", settings=settings)
    w.show()
    w.open_database(str(path))
    pump(app, lambda: w.panel.detail is not None and not w.runner.busy)
    opened = time.perf_counter() - t
    nxt: list[float] = []
    for _ in range(steps):
        before = w.panel.detail.item_id
        t = time.perf_counter()
        w.next_record()
        pump(app, lambda b=before: w.panel.detail is not None and w.panel.detail.item_id != b and not w.runner.busy)
        nxt.append((time.perf_counter() - t) * 1000)
    save: list[float] = []
    for _ in range(steps):
        before = w.panel.detail.item_id
        t = time.perf_counter()
        w.panel.zero_status()
        pump(app, lambda b=before: w.panel.detail is not None and w.panel.detail.item_id != b and not w.runner.busy)
        save.append((time.perf_counter() - t) * 1000)
    w.close()
    return nxt, save, opened


def bare_window(app: QApplication, path: Path, steps: int) -> list[float]:
    """The least a 'next record' needs: the next row selected, its record fetched and shown."""
    con = sqlite3.connect(path)
    ids = [r[0] for r in con.execute("SELECT record_id FROM audit_item ORDER BY sample_id, position")]
    win = QMainWindow()
    model = QStandardItemModel(len(ids), 1)
    for i, rid in enumerate(ids):
        model.setItem(i, 0, QStandardItem(str(rid)))
    table, view = QTableView(), QTextBrowser()
    table.setModel(model)
    split = QSplitter()
    split.addWidget(table)
    split.addWidget(view)
    win.setCentralWidget(split)
    win.show()
    app.processEvents()
    out = []
    for row in range(1, steps + 1):
        t = time.perf_counter()
        table.selectRow(row)
        ref, received, narrative = con.execute(
            "SELECT ref, received_at, narrative FROM report_record WHERE id = ?", (ids[row],)).fetchone()
        view.setHtml(f"<h2>{ref}</h2><p>{received}</p><p>{narrative}</p>")
        app.processEvents()
        out.append((time.perf_counter() - t) * 1000)
    win.close()
    con.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--steps", type=int, default=60)
    a = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        t = time.perf_counter()
        build(path, a.rows)
        db = Database(path)
        with db.session() as s:
            sampling.draw(s, "Bench", "incident", 2000, seed=7, stratify=True, who="bench")
        db.close()
        print(f"built {a.rows:,} incidents and a 2,000-record sample in {time.perf_counter() - t:.1f} s")
        bare = bare_window(app, path, a.steps)
        nxt, save, opened = real_window(app, path, a.steps)
        base = statistics.median(bare)
        print(f"window opened on the audit and populated in {opened:.2f} s")
        print(f"{'step':24} {'median ms':>10} {'p95 ms':>8} {'bare median':>12} {'ratio':>6}  goal")
        for name, values in (("next record", nxt), ("save and next", save)):
            med = statistics.median(values)
            print(f"{name:24} {med:10.1f} {p95(values):8.1f} {base:12.1f} {med / base:6.1f}  p95 < {GOAL_MS:.0f} ms "
                  f"{'met' if p95(values) < GOAL_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
