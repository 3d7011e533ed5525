"""Start-up and quit of the window (issue 11, "Start in a second").

Each run is a fresh `python -c` subprocess (offscreen Qt), timed from the parent:

- baseline: a bare PySide6 QMainWindow (the window's size) shown and exposed;
- the window: `main.py AUDIT_DB`'s own path (ui.app.run) on a copy of the audit, until it is populated (the queue
  filled and the first record shown in the record view and the verdict panel); then, for information, until
  the findings dock is filled;
- quit: from asking the window to close (once populated and the findings shown) until the process has exited
  (the window's teardown, as ui.app.run does it, and the interpreter's).

Runs alternate bare/window; medians over --runs (after one unmeasured warm-up of each). Each window run opens
its own copy of the audit (the remembered position, the trail checkpoint and the WAL start as in the template),
upgraded once before the runs if its schema is older than the code's.

    .venv/bin/python -m benchmarks.startup                    # the bundled sample (make sample), 7 runs
    .venv/bin/python -m benchmarks.startup --rows 1000000     # a large audit: 1M incidents, 2,000 sampled,
                                                              # a history of 40,000 changes
    .venv/bin/python -m benchmarks.startup --importtime       # also: what the window imports at start

Goals: populated in < 1.5 s and <= 3x the bare window; quit < 0.5 s. For comparison it also times the bare window
after importing only SQLAlchemy's ORM, and only the workbench's tables (the floor the fixed stack sets, FLOORS).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also runnable as a script
SAMPLE = ROOT / "sample_data" / "sample_audit.db"
READY_GOAL_S = 1.5
READY_GOAL_RATIO = 3.0
QUIT_GOAL_S = 0.5
HEAVY = ("scipy", "statsmodels", "pandas", "numpy", "openpyxl", "reportlab", "alembic", "matplotlib")

BARE = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv)
w = QMainWindow()
w.resize(1400, 860)
w.show()

def poll():
    handle = w.windowHandle()
    if handle is not None and handle.isExposed():
        timer.stop()
        print("READY", flush=True)
        print("FINDINGS", flush=True)
        print("QUIT", flush=True)
        w.close()

timer = QTimer()
timer.timeout.connect(poll)
timer.start(2)
sys.exit(app.exec())
"""

# What the fixed stack costs before any of the window's own work: the bare window after importing SQLAlchemy's ORM
# alone, and after importing the workbench's tables (storage.models: the ORM and the mapped classes). The window
# cannot read its queue without them, so these ratios are the floor of its own.
FLOORS = {"bare + SQLAlchemy ORM imported": "import sqlalchemy.orm\n" + BARE,
          "bare + storage.models imported": "import cdi_workbench.storage.models\n" + BARE}

# main.py's own path: `from ui.app import run` then run(DB); a timer in its event loop watches the window
REAL = r"""
import sys, time
from ui.app import run
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv)
HEAVY = %r
state = {"ready": False, "findings": False, "since": None}

def window():
    from ui.main_window import MainWindow
    return next((w for w in app.topLevelWidgets() if isinstance(w, MainWindow)), None)

def poll():
    w = window()
    if w is None or w.db is None:
        return
    if not state["ready"]:
        if w.queue_model.rowCount() and w.panel.detail is not None and w.record_view.toPlainText().strip():
            state["ready"], state["since"] = True, time.perf_counter()
            print("READY", flush=True)
            print("MODULES " + ",".join(m for m in HEAVY if m in sys.modules), flush=True)
        return
    shown = w.findings_view.findings is not None
    if shown or time.perf_counter() - state["since"] > 60:
        timer.stop()
        print("FINDINGS" if shown else "NOFINDINGS", flush=True)
        print("QUIT", flush=True)
        w.close()

timer = QTimer()
timer.timeout.connect(poll)
timer.start(2)
sys.exit(run(%r))
"""


class Hung(RuntimeError):
    """A child that did not finish in time (killed)."""


def run_once(code: str, env: dict[str, str], timeout: float = 120, flags: tuple[str, ...] = ()) -> dict[str, object]:
    """Launch `python -c code`; the times (from launch) at which it printed each marker, and its exit."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *flags, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, bufsize=1)
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read() if proc.stderr else ""), daemon=True)
    reader.start()
    out: dict[str, object] = {}
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            word, _, rest = line.strip().partition(" ")
            if word in ("READY", "FINDINGS", "NOFINDINGS", "QUIT"):
                out[word.lower()] = time.perf_counter() - t0
            elif word == "MODULES":
                out["modules"] = rest
        rc = proc.wait()
        out["exit"] = time.perf_counter() - t0
    finally:
        killer.cancel()
    reader.join(5)
    out["stderr"] = "".join(err)
    if rc < 0 and out["exit"] >= timeout:  # type: ignore[operator]
        raise Hung(f"killed after {timeout:.0f} s; it had printed {sorted(k for k in out if k != 'stderr')}:\n"
                   f"{out['stderr'][-2000:]}")  # type: ignore[index]
    if rc != 0 or "ready" not in out:
        raise RuntimeError(f"the child failed (exit {rc}):\n{out['stderr'][-3000:]}")  # type: ignore[index]
    return out


def environment(tmp: Path, user: str) -> dict[str, str]:
    """Offscreen Qt, and the window's settings (QSettings, native format) in a folder of our own, naming the
    person working so the window does not ask."""
    config = tmp / "config"
    conf = config / "CDI Workbench" / "CDI Workbench.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(f"[General]\nauditor={user}\n", encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(config),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    env.pop("PYTHONSTARTUP", None)
    return env


def build_large(path: Path, rows: int, history: int = 40_000) -> None:
    """An audit of `rows` incidents and rows/3 crime records (benchmarks.navigation.build, crimes given a place
    and a report time), a 2,000-record stratified sample, and a sealed history of `history` verdict changes over
    its first records (the last change of each record is its stored verdict, so the trail verifies)."""
    import json
    import sqlite3
    from datetime import UTC, datetime, timedelta

    from benchmarks.navigation import build
    from cdi_workbench import sampling
    from cdi_workbench.audit.trail import GENESIS, digest
    from cdi_workbench.audit.verdicts import VerdictBody
    from cdi_workbench.storage.database import Database

    build(path, rows)
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE crime_record SET location = 'On or near Street ' || ((id * 3) % 5000), reported_at = "
                    "(SELECT received_at FROM report_record r WHERE r.id = crime_record.id * 3)")
    con.close()
    db = Database(path)
    with db.session() as s:
        sampling.draw(s, "Big", "incident", 2000, seed=42, stratify=True)
    db.close()
    con = sqlite3.connect(path)
    items = [r[0] for r in con.execute("SELECT id FROM audit_item ORDER BY position LIMIT 1000 OFFSET 100")]
    bodies = [VerdictBody(zero_status=True, complete=i % 2 == 0, rationale=f"change {i}").to_json()
              for i in range(history)]
    at = datetime(2016, 2, 1, 9, 0, tzinfo=UTC)
    prev, changes, last = GENESIS, [], {}
    for i, body in enumerate(bodies):
        item = items[i % len(items)]
        old = last.get(item)
        when = at + timedelta(seconds=i)
        h = digest(prev, item, "primary", when, "Benchmark", "set", old, body, "")
        changes.append((i + 1, item, "primary", when.strftime("%Y-%m-%d %H:%M:%S.%f"), "Benchmark", "set",
                        json.dumps(old) if old is not None else None, json.dumps(body), "", prev, h))
        prev, last[item] = h, body
    with con:
        con.executemany("INSERT INTO verdict_change (id, item_id, role, at, who, action, old_body, new_body, reason, "
                        "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", changes)
        con.executemany("INSERT INTO verdict (item_id, role, auditor, updated_at, body, complete, n_crimes, "
                        "n_recorded, n_misclassified, n_late, n_failed_checks) "
                        "VALUES (?, 'primary', 'Benchmark', ?, ?, ?, 0, 0, 0, 0, 0)",
                        ((item, at.strftime("%Y-%m-%d %H:%M:%S.%f"), json.dumps(body), int(body["complete"]))
                         for item, body in last.items()))
    con.close()


def importtime(env: dict[str, str], db: Path) -> None:
    """`python -X importtime` of the window's start: the slowest top-level packages and what loads them."""
    out = run_once(REAL % (HEAVY, str(db)), env, flags=("-X", "importtime"))
    per_package: dict[str, int] = {}
    total = 0
    for line in str(out["stderr"]).splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not m:
            continue
        self_us, name = int(m.group(1)), m.group(4)
        per_package[name.split(".")[0]] = per_package.get(name.split(".")[0], 0) + self_us
        total += self_us
    print(f"imports at start (python -X importtime, self time summed per top-level package): {total / 1e6:.2f} s")
    for name, us in sorted(per_package.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {name:24} {us / 1e6:6.3f} s  {100 * us / max(total, 1):4.0f}%")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7, help="measured runs of each (7); medians are printed")
    ap.add_argument("--db", type=Path, default=SAMPLE, help="the audit to open (the bundled sample)")
    ap.add_argument("--rows", type=int, default=0, help="build and open a large audit of this many incidents")
    ap.add_argument("--user", default="Benchmark", help="who is working (a registered name on a multi-user audit)")
    ap.add_argument("--importtime", action="store_true", help="also print what the window imports at start")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        template = tmp / "template.db"
        if a.rows:
            t = time.perf_counter()
            build_large(template, a.rows)
            print(f"built a {a.rows:,}-incident audit in {time.perf_counter() - t:.0f} s (not timed below)")
            what = f"a {a.rows:,}-incident audit"
        else:
            if not a.db.exists():
                print(f"{a.db} not found: build it with `make sample`", file=sys.stderr)
                return 2
            shutil.copy(a.db, template)
            what = a.db.name
        from cdi_workbench.storage.database import Database

        Database(template).close()  # an older schema is upgraded here, once, not in every run
        env = environment(tmp, a.user)
        if a.importtime:
            copy = tmp / "imports.db"
            shutil.copy(template, copy)
            importtime(env, copy)
        times: dict[str, list[float]] = {"bare": [], "ready": [], "findings": [], "quit": [], "bare_quit": [],
                                         **{name: [] for name in FLOORS}}
        modules = ""
        hung = 0
        for i in range(a.runs + 1):
            run_db = tmp / f"run{i}.db"
            shutil.copy(template, run_db)
            with open(run_db, "rb+") as fh:  # on disk before the run: else the window's first fsync (at quit,
                os.fsync(fh.fileno())        # synchronous=FULL) would write out the whole copy and be timed
            try:
                bare = run_once(BARE, env)
                real = run_once(REAL % (HEAVY, str(run_db)), env)
                floors = {name: run_once(code, env) for name, code in FLOORS.items()}
            except Hung as exc:
                hung += 1
                print(f"run {i}: a child hung and was killed: {exc}", file=sys.stderr)
                continue
            finally:
                for p in tmp.glob(f"run{i}.db*"):
                    p.unlink()
            if i == 0:
                continue  # the warm-up: file caches, .pyc
            times["bare"].append(float(bare["ready"]))  # type: ignore[arg-type]
            times["bare_quit"].append(float(bare["exit"]) - float(bare["quit"]))  # type: ignore[arg-type]
            times["ready"].append(float(real["ready"]))  # type: ignore[arg-type]
            for name, out in floors.items():
                times[name].append(float(out["ready"]))  # type: ignore[arg-type]
            if "findings" in real:
                times["findings"].append(float(real["findings"]))  # type: ignore[arg-type]
            times["quit"].append(float(real["exit"]) - float(real["quit"]))  # type: ignore[arg-type]
            modules = str(real.get("modules", ""))
    med = {k: statistics.median(v) for k, v in times.items() if v}
    ratio = med["ready"] / med["bare"]
    print(f"start-up on {what}: medians of {a.runs} runs each, alternated, in subprocesses (offscreen)")
    print(f"{'':44} {'median s':>9} {'baseline s':>11} {'ratio':>7}  goal")
    ok = med["ready"] < READY_GOAL_S and ratio <= READY_GOAL_RATIO
    print(f"{'window shown and populated (queue, record)':44} {med['ready']:9.3f} {med['bare']:11.3f} {ratio:7.2f}  "
          f"< {READY_GOAL_S} s and <= {READY_GOAL_RATIO:.0f}x {'met' if ok else 'NOT MET'}")
    if "findings" in med:
        print(f"{'  ... and the findings dock filled':44} {med['findings']:9.3f} {med['bare']:11.3f} "
              f"{med['findings'] / med['bare']:7.2f}  (may follow a moment later)")
    print(f"{'quit (close to process exit)':44} {med['quit']:9.3f} {med['bare_quit']:11.3f} "
          f"{med['quit'] / max(med['bare_quit'], 1e-6):7.2f}  < {QUIT_GOAL_S} s "
          f"{'met' if med['quit'] < QUIT_GOAL_S else 'NOT MET'}")
    for name in FLOORS:
        print(f"{'  floor: ' + name:44} {med[name]:9.3f} {med['bare']:11.3f} {med[name] / med['bare']:7.2f}  "
              f"(the stack alone, before the window's own work)")
    print(f"heavy libraries loaded when the window was populated: {modules or 'none'}")
    if hung:
        print(f"{hung} run(s) hung and were killed (left out of the medians)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
