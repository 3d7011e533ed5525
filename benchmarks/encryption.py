"""What encryption at rest costs: the same work on an encrypted (SQLCipher) audit database and on a plain one.

    python -m benchmarks.encryption                   # 1,000,000 rows: navigation, then the import (several minutes)
    python -m benchmarks.encryption --rows 200000     # smaller
    python -m benchmarks.encryption --skip-import     # navigation only

Navigation (as benchmarks/navigation.py does it): a database of --rows incidents with a 2,000-record stratified
sample is built once, plain; the encrypted one is a copy of it encrypted with `cdi encrypt`'s code, so both hold
the same rows. Then, alternately on each, in the same run: opening it (passphrase already given this session; and
the first opening, which derives the key from the passphrase), loading the sample's queue, opening the next
record, saving a verdict. The import: --rows incidents (benchmarks/import_incidents.py's extract) imported by
`cdi import`'s code in a child process into a fresh plain database and a fresh encrypted one, alternately,
--repeat times. Each line gives the medians and the ratio encrypted / plain.

Also measured, because storage/database.py had to choose: an engine made with `creator=` (the choice: a sqlcipher3
connection keyed with the raw key before SQLAlchemy sees it, a QueuePool as for a plain file) against SQLAlchemy's
`sqlite+pysqlcipher` dialect (the passphrase in the URL, derived again for every connection, one connection per
thread: SingletonThreadPool).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # also runnable as a script

from benchmarks import import_incidents, navigation  # noqa: E402
from cdi_workbench import sampling  # noqa: E402
from cdi_workbench.audit.service import AuditService  # noqa: E402
from cdi_workbench.audit.setup import init_audit  # noqa: E402
from cdi_workbench.audit.verdicts import VerdictBody  # noqa: E402
from cdi_workbench.storage import encryption  # noqa: E402
from cdi_workbench.storage.conversion import encrypt_file  # noqa: E402
from cdi_workbench.storage.database import Database  # noqa: E402

PASSPHRASE = "correct horse battery staple"
ROOT = Path(__file__).resolve().parent.parent


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _line(name: str, plain: float, encrypted: float) -> None:
    print(f"{name:44} {plain * 1000:10.1f} {encrypted * 1000:12.1f} {encrypted / plain:7.2f}x")


# ---- navigation ------------------------------------------------------------------------------------------------
def navigation_pair(work: Path, rows: int) -> tuple[Path, Path]:
    plain, enc = work / "plain.db", work / "encrypted.db"
    t = time.perf_counter()
    navigation.build(plain, rows)
    db = Database(plain)
    with db.session() as s:
        sampling.draw(s, "Big", "incident", 2000, seed=42, stratify=True)
    db.close()
    shutil.copyfile(plain, enc)
    encrypt_file(enc, PASSPHRASE)
    print(f"built {rows:,} incidents, a sample of 2,000, and the encrypted copy in {time.perf_counter() - t:.1f} s")
    return plain, enc


def navigate(plain: Path, enc: Path, rounds: int) -> None:
    os.environ[encryption.PASSPHRASE_VARIABLE] = PASSPHRASE  # the first opening's passphrase (from the environment)
    opened = {p: Database(p) for p in (plain, enc)}
    svcs = {p: AuditService(db, "bench") for p, db in opened.items()}
    sid = {p: svc.samples()[0].id for p, svc in svcs.items()}
    ids = {p: [r.item_id for r in svc.queue(sid[p])] for p, svc in svcs.items()}
    n = {plain: 0, enc: 0}

    def reopen(p: Path) -> None:
        db = Database(p)
        AuditService(db, "bench").samples()
        db.close()

    def first_open(p: Path) -> None:
        encryption.forget()  # the passphrase derived into the key again, as on the session's first opening
        reopen(p)

    def next_record(p: Path) -> None:
        n[p] += 1
        item = ids[p][n[p] % len(ids[p])]
        svcs[p].record(item)
        svcs[p].verdict(item)

    def save(p: Path) -> None:
        n[p] += 1
        svcs[p].save_verdict(ids[p][n[p] % len(ids[p])], VerdictBody(zero_status=True, complete=True))

    ops: dict[str, Callable[[Path], object]] = {
        "open the database (passphrase known)": reopen,
        "open the database (first: key derived)": first_open,
        "load the queue (2,000 rows)": lambda p: svcs[p].queue(sid[p]),
        "filter: to do": lambda p: svcs[p].queue(sid[p], "to do"),
        "search text 'smashed'": lambda p: svcs[p].queue(sid[p], "all", "smashed"),
        "open the next record": next_record,
        "save a verdict": save,
    }
    print(f"{'navigation (median of ' + str(rounds) + ', alternated)':44} {'plain ms':>10} {'encrypted ms':>12} "
          f"{'ratio':>8}")
    for name, op in ops.items():
        times: dict[Path, list[float]] = {plain: [], enc: []}
        for _ in range(rounds):
            for p in (plain, enc):  # alternately: both in the same conditions
                t = time.perf_counter()
                op(p)
                times[p].append(time.perf_counter() - t)
        _line(name, statistics.median(times[plain]), statistics.median(times[enc]))
    for db in opened.values():
        db.close()
    del os.environ[encryption.PASSPHRASE_VARIABLE]


# ---- the engine: creator= against the sqlite+pysqlcipher dialect ------------------------------------------------
def engines(enc: Path, rounds: int) -> None:
    from sqlalchemy import URL, create_engine, text

    from cdi_workbench.storage.database import make_engine

    key = encryption.Key.derive(PASSPHRASE, enc.read_bytes()[:16])

    def chosen() -> object:
        return make_engine(enc, key)

    def dialect() -> object:
        return create_engine(URL.create("sqlite+pysqlcipher", password=PASSPHRASE, database=str(enc)))

    def work(make: Callable[[], object]) -> tuple[float, float, float]:
        engine = make()
        t = time.perf_counter()
        with engine.connect() as conn:  # type: ignore[attr-defined]
            conn.execute(text("SELECT count(*) FROM audit_item")).scalar()
        first = time.perf_counter() - t
        t = time.perf_counter()
        for _ in range(200):
            with engine.connect() as conn:  # type: ignore[attr-defined]
                conn.execute(text("SELECT ref FROM report_record WHERE id = 500")).scalar()
        sessions = (time.perf_counter() - t) / 200
        def read_elsewhere() -> None:  # the window's findings and trail check read on threads of their own
            with engine.connect() as conn:  # type: ignore[attr-defined]
                conn.execute(text("SELECT count(*) FROM audit_item")).scalar()

        t = time.perf_counter()
        th = threading.Thread(target=read_elsewhere)
        th.start()
        th.join()
        other_thread = time.perf_counter() - t
        engine.dispose()  # type: ignore[attr-defined]
        return first, sessions, other_thread

    runs: dict[str, list[tuple[float, float, float]]] = {"creator": [], "dialect": []}
    for _ in range(rounds):
        runs["creator"].append(work(chosen))
        runs["dialect"].append(work(dialect))
    print(f"{'engine (median of ' + str(rounds) + ')':44} {'creator ms':>10} {'pysqlcipher ms':>12} {'ratio':>8}")
    for i, name in enumerate(("first connection", "a short unit of work (of 200)", "a read on another thread")):
        c = statistics.median(r[i] for r in runs["creator"])
        d = statistics.median(r[i] for r in runs["dialect"])
        print(f"{name:44} {c * 1000:10.2f} {d * 1000:12.2f} {d / c:7.2f}x")


# ---- the import ------------------------------------------------------------------------------------------------
CHILD = """
import json, resource, sys, time
started = time.perf_counter()
from cdi_workbench.importing import import_file
from cdi_workbench.storage.database import Database
db = Database(sys.argv[1])
r = import_file(db, sys.argv[2], "incidents")
db.close()
print(json.dumps({"inside": time.perf_counter() - started, "added": r.added, "rejected": r.rejected,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _import(csv_path: Path, db: Path, encrypted: bool) -> float:
    for f in db.parent.glob(db.name + "*"):
        f.unlink()
    if encrypted:
        encryption.create_encrypted(db, encryption.Key.derive(PASSPHRASE))
    init_audit(db, "Benchmark Police", date(2014, 1, 1), date(2014, 6, 30), "2014").close()
    os.sync()
    env = {**os.environ, encryption.PASSPHRASE_VARIABLE: PASSPHRASE}
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(db), str(csv_path)], check=True, capture_output=True,
                         text=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - started
    child = json.loads(out.stdout.strip().splitlines()[-1])
    assert child["rejected"] == 0 and child["added"] > 0, child
    return wall


def imports(work: Path, rows: int, repeat: int) -> None:
    csv_path = work / f"incidents-{rows}.csv"
    t = time.perf_counter()
    import_incidents.generate(csv_path, rows)
    print(f"generated {rows:,} incident rows, {csv_path.stat().st_size / 1e6:,.0f} MB in "
          f"{time.perf_counter() - t:.1f} s")
    times: dict[bool, list[float]] = {False: [], True: []}
    for n in range(repeat):
        for encrypted in (False, True):
            times[encrypted].append(_import(csv_path, work / ("imp-enc.db" if encrypted else "imp-plain.db"),
                                            encrypted))
        print(f"run {n + 1}: plain {times[False][-1]:.2f} s, encrypted {times[True][-1]:.2f} s "
              f"({times[True][-1] / times[False][-1]:.2f}x)")
    plain, enc = statistics.median(times[False]), statistics.median(times[True])
    print(f"{'import ' + format(rows, ',') + ' incidents (median of ' + str(repeat) + ')':44} {'plain s':>10} "
          f"{'encrypted s':>12} {'ratio':>8}")
    print(f"{'cdi import, in a child process':44} {plain:10.2f} {enc:12.2f} {enc / plain:7.2f}x")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=1_000_000, help="incidents in the navigation database and the import")
    p.add_argument("--rounds", type=int, default=9, help="navigation: times each operation runs on each database")
    p.add_argument("--repeat", type=int, default=3, help="imports of each kind (alternated)")
    p.add_argument("--skip-import", action="store_true")
    a = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cdi-bench-enc-"))
    try:
        plain, enc = navigation_pair(work, a.rows)
        navigate(plain, enc, a.rounds)
        engines(enc, a.rounds)
        for f in work.glob("*.db*"):
            f.unlink()
        if not a.skip_import:
            imports(work, a.rows, a.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
