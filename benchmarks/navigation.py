"""How the audit flow scales: a database with a million source records, a 2,000-record stratified sample.

Prints each operation's time beside a baseline measured in the same run on the same file: the plain
sqlite3 query that fetches the same rows. Run: .venv/bin/python benchmarks/navigation.py [--rows N] [--db PATH]
(--db: build the database there once and keep it; a later run with the same path reuses it, and adds its samples)
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # also runnable as a script

from cdi_workbench import sampling  # noqa: E402
from cdi_workbench.audit.service import AuditService  # noqa: E402
from cdi_workbench.audit.setup import init_audit  # noqa: E402
from cdi_workbench.audit.verdicts import VerdictBody  # noqa: E402
from cdi_workbench.draw_keys import draw_key  # noqa: E402
from cdi_workbench.strata import refresh as refresh_strata  # noqa: E402

CODES = ["8N", "105A", "8L", "19C", "17A", "58A", "58C", "45", "46", "49", "9A", "30C", "28E", "92E"]
WORDS = ("caller reports neighbour shouting assaulted punched smashed window stolen bicycle outside shop "
         "officer attended advised victim declined complaint concern welfare noise male female").split()


def build(path: Path, rows: int) -> None:
    init_audit(path, "Benchshire Police", date(2015, 1, 1), date(2015, 12, 31), "2015").close()
    rnd = random.Random(1)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    with con:
        con.executemany(
            "INSERT INTO report_record (id, kind, system, ref, received_at, location, narrative, crime_refs, "
            "draw_key, stratum) VALUES (?, 'incident', 'Incident', ?, ?, ?, ?, '', ?, 'no crime linked')",
            ((i, f"INC-{i:08d}", f"2015-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00.000000",
              f"On or near Street {i % 5000}", " ".join(rnd.choices(WORDS, k=60)), draw_key(f"INC-{i:08d}"))
             for i in range(1, rows + 1)))
        n_crimes = rows // 3
        con.executemany(
            "INSERT INTO crime_record (id, ref, recorded_at, ho_code, status, source_ref) "
            "VALUES (?, ?, '2015-06-01 10:00:00.000000', ?, 'recorded', ?)",
            ((i, f"CR-{i:08d}", CODES[i % len(CODES)], f"INC-{i * 3:08d}") for i in range(1, n_crimes + 1)))
        con.executemany("INSERT INTO record_link (report_id, crime_id) VALUES (?, ?)",
                        ((i * 3, i) for i in range(1, n_crimes + 1)))
    con.close()
    from cdi_workbench.storage.database import Database

    db = Database(path)  # the links made the triggers mark their incidents' strata: work them out, as an import does
    t = time.perf_counter()
    with db.engine.begin() as conn:
        n = refresh_strata(conn)
    print(f"strata of {n:,} linked incidents worked out in {time.perf_counter() - t:.2f} s (part of a crime import)")
    db.close()


def timed(fn, repeat: int = 5) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, help="build the database here and keep it, or reuse it if it is there")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = a.db or Path(tmp) / "big.db"
        if path.exists():
            print(f"reusing {path} (built before: --rows does not apply)")
        else:
            t = time.perf_counter()
            build(path, a.rows)
            print(f"built {a.rows:,} incidents in {time.perf_counter() - t:.1f} s")
        run = time.strftime("%Y%m%d-%H%M%S")  # names of this run's samples (a kept database holds earlier runs')
        from cdi_workbench.storage.database import Database

        db = Database(path)
        draws = []
        for n, seed in enumerate((42, 7, 2015)):  # the first is kept as the sample the rest of the run uses
            t = time.perf_counter()
            with db.session() as s:
                sampling.draw(s, f"Big {run}" if n == 0 else f"Big {run} {n}", "incident", 2000, seed=seed,
                              stratify=True)
            draws.append(time.perf_counter() - t)
        draw = statistics.median(draws)

        def counts() -> None:
            with db.session() as s:
                sampling.population_counts(s, "incident")

        view = timed(counts)
        con = sqlite3.connect(path)
        base_pop = timed(lambda: con.execute(
            "SELECT r.id, r.ref, c.ho_code FROM report_record r LEFT JOIN record_link l ON l.report_id = r.id "
            "LEFT JOIN crime_record c ON c.id = l.crime_id").fetchall(), 1)
        rows = con.execute("SELECT count(*) FROM report_record WHERE kind = 'incident'").fetchone()[0]
        print(f"draw 2,000 stratified from {rows:,} incidents: median {draw:.2f} s of {len(draws)} seeds (baseline: "
              f"reading the population with sqlite3, {base_pop:.2f} s; ratio {draw / base_pop:.2f}x)")
        print(f"population view (counts per stratum): {view * 1000:.0f} ms (ratio {view / base_pop:.2f}x)")
        svc = AuditService(db, "bench")
        sid = next(smp.id for smp in svc.samples() if smp.name == f"Big {run}")
        rows = svc.queue(sid)
        ids = [r.item_id for r in rows]
        base_q = timed(lambda: con.execute(
            "SELECT a.id, r.ref, r.received_at FROM audit_item a JOIN report_record r ON r.id = a.record_id "
            "WHERE a.sample_id = ? ORDER BY a.position", (sid,)).fetchall())
        base_one = timed(lambda: con.execute("SELECT * FROM report_record WHERE id = ?", (ids[500],)).fetchall())
        ops = {
            "load the queue (2,000 rows)": (lambda: svc.queue(sid), base_q),
            "filter: to do": (lambda: svc.queue(sid, "to do"), base_q),
            "search text 'smashed'": (lambda: svc.queue(sid, "all", "smashed"), base_q),
            "open the next record": (lambda: (svc.record(ids[500]), svc.verdict(ids[500])), base_one),
            "save a verdict": (lambda: svc.save_verdict(ids[501], VerdictBody(zero_status=True, complete=True)),
                               base_one),
        }
        print(f"{'operation':32} {'median ms':>10} {'baseline ms':>12} {'ratio':>7}")
        for name, (fn, base) in ops.items():
            m = timed(fn)
            print(f"{name:32} {m * 1000:10.1f} {base * 1000:12.2f} {m / base:7.1f}")
        con.close()
        db.close()


if __name__ == "__main__":
    main()
