"""Import speed and memory against the sqlite3 command line's `.import`, on a generated incident extract.

    python -m benchmarks.import_incidents              # 1,000,000 rows (about 0.5 GB of CSV; a minute or two)
    python -m benchmarks.import_incidents --rows 20000 # a quick run
    python -m benchmarks.import_incidents --repeat 3   # both imports three times, alternately: medians
    python -m benchmarks.import_incidents --path python  # today's per-row read path (default: compiled)

Generates a deterministic incident CSV (narratives of 300-600 characters) in a temporary directory, times
`sqlite3 DB ".mode csv" ".import FILE t"` into a plain table, then `cdi import` of the same file into a fresh
audit database in a child process, and prints both times, the ratio and the child's peak memory (ru_maxrss).
With --repeat N both are run N times, alternately (each pair in the same conditions), and the medians are given
beside every run's figures: the machine may be shared, and one run says little.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADERS = ["incident_ref", "received_at", "opening_code", "closing_code", "caller_type", "location", "narrative",
           "crime_refs"]
OPENING = ["ASB - Personal", "Domestic Incident", "Suspicious Circumstances", "Concern for Safety", "Assault",
           "Theft", "Burglary - Dwelling", "Criminal Damage", "Road Traffic Collision", "Sexual Offence"]
CLOSING = ["Crime Recorded", "No Crime - Advice Given", "Crime Related Incident", "Duplicate Call",
           "Words of Advice", "Referred to Partner Agency", "Unable to Trace"]
CALLERS = ["Victim", "Witness", "Third Party", "Partner Agency", "Anonymous", "Police Officer"]
STREETS = ["High Street", "Church Lane", "Station Road", "Mill Road", "Victoria Street", "Park Avenue",
           "Queens Road", "The Green", "Bridge Street", "Manor Way"]
TOWNS = ["Stafford", "Stoke-on-Trent", "Burton", "Tamworth", "Lichfield", "Leek", "Cannock", "Uttoxeter"]
ROLES = ["Call taker", "Dispatcher", "PC 2231", "PC 1187", "PS 402", "Control room supervisor"]
SENTENCES = [
    "Caller states her partner has pushed her against the wall and she has a cut to her lip.",
    "Neighbour reports shouting and banging from the flat above, a female heard screaming.",
    "Male in a red hooded top seen trying car door handles along the street.",
    "Victim reports her purse was taken from her handbag while she was shopping.",
    "Unit assigned, graded immediate, ETA ten minutes.",
    "Officers on scene, both parties spoken to, male has left prior to police arrival.",
    "Victim does not wish to make a complaint at this time but accepts safeguarding referral.",
    "CCTV requested from the shop, staff say the footage is kept for thirty days.",
    "Caller is known to police, previous calls this month about the same neighbour.",
    "Front door window smashed overnight, nothing taken, homeowner is upset.",
    "Young person reported missing from care home, last seen at 19:00 near the bus station.",
    "Suspect arrested on suspicion of assault and taken to custody.",
    "DASH risk assessment completed, graded medium, referral to IDVA made.",
    "Scene attended, no trace of the males described, area search negative.",
    "Caller says she was threatened with a knife and told she would be hurt if she called police.",
]


def narrative(rng: random.Random, when: datetime) -> str:
    target = rng.randint(300, 600)
    parts, size = [], 0
    while size < target:
        when += timedelta(minutes=rng.randint(1, 40))
        entry = f"{when:%d/%m/%Y %H:%M} [{rng.choice(ROLES)}] {rng.choice(SENTENCES)}"
        parts.append(entry)
        size += len(entry) + 1
    return "\n".join(parts)[:target]


def generate(path: Path, rows: int, seed: int = 2014) -> None:
    """A deterministic incident extract of `rows` rows (canonical headers, UK local times)."""
    rng = random.Random(seed)
    start = datetime(2014, 1, 1)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADERS)
        for n in range(rows):
            when = start + timedelta(seconds=rng.randrange(181 * 86400))
            crimes = ";".join(f"CR-{n:07d}-{k}" for k in range(rng.choice((0, 0, 0, 1, 1, 2))))
            out.writerow([f"INC-{n:07d}", f"{when:%d/%m/%Y %H:%M}", rng.choice(OPENING), rng.choice(CLOSING),
                          rng.choice(CALLERS), f"{rng.randint(1, 200)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}",
                          narrative(rng, when), crimes])


def sqlite3_import(csv_path: Path, db: Path) -> float:
    exe = shutil.which("sqlite3")
    if exe is None:
        sys.exit("the sqlite3 command line is needed (apt-get install -y sqlite3)")
    os.sync()  # neither run pays for the other's writes still in the page cache
    started = time.perf_counter()
    subprocess.run([exe, str(db), ".mode csv", f".import {csv_path} t"], check=True)
    return time.perf_counter() - started


CHILD = """
import json, resource, sys, time
started = time.perf_counter()
from cdi_workbench.importing import import_file
from cdi_workbench.storage.database import Database
db = Database(sys.argv[1])
r = import_file(db, sys.argv[2], "incidents", read_path=sys.argv[3] if len(sys.argv) > 3 else None)
db.close()
print(json.dumps({"inside": time.perf_counter() - started, "added": r.added, "rejected": r.rejected,
                  "read_path": r.read_path, "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def our_import(csv_path: Path, db: Path, read_path: str | None = None) -> tuple[float, dict]:
    """`cdi import` of the file into a new audit database, in a child process: (wall seconds, the child's
    figures). read_path: 'compiled' or 'python' (default: as CDI_IMPORT_PATH says, else compiled)."""
    from cdi_workbench.audit.setup import init_audit

    init_audit(db, "Benchmark Police", date(2014, 1, 1), date(2014, 6, 30), "2014").close()
    os.sync()
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(db), str(csv_path), *([read_path] if read_path else [])],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    return wall, json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files (default: a temp dir, removed)")
    p.add_argument("--repeat", type=int, default=1, metavar="N", help="run both imports N times; print medians")
    p.add_argument("--path", choices=["compiled", "python"], default=None,
                   help="the importer's read path (default: compiled, where pyarrow is installed)")
    a = p.parse_args(argv)
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="cdi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        csv_path = work / f"incidents-{a.rows}.csv"
        if not csv_path.exists():
            t = time.perf_counter()
            generate(csv_path, a.rows)
            print(f"generated {a.rows:,} rows, {csv_path.stat().st_size / 1e6:,.0f} MB in "
                  f"{time.perf_counter() - t:.1f} s")
        runs = []
        for n in range(max(a.repeat, 1)):
            for f in work.glob("*.db*"):
                f.unlink()
            base = sqlite3_import(csv_path, work / "plain.db")
            ours, child = our_import(csv_path, work / "audit.db", a.path)
            assert child["added"] == a.rows and child["rejected"] == 0, child
            runs.append((base, ours, child))
            if a.repeat > 1:
                print(f"run {n + 1}: sqlite3 .import {base:.2f} s, cdi import {ours:.2f} s ({ours / base:.2f}x), "
                      f"peak {child['maxrss_kib'] / 1024:.0f} MB")
        base = statistics.median(r[0] for r in runs)
        ours = statistics.median(r[1] for r in runs)
        inside = statistics.median(r[2]["inside"] for r in runs)
        ratio = statistics.median(r[1] / r[0] for r in runs)
        peak = max(r[2]["maxrss_kib"] for r in runs)
        what = f" (median of {len(runs)})" if len(runs) > 1 else ""
        print(f"sqlite3 .import:  {base:7.2f} s{what}")
        print(f"cdi import:       {ours:7.2f} s   (in the import itself {inside:.2f} s; the rest is "
              f"interpreter start-up; read path: {runs[-1][2].get('read_path')})")
        print(f"ratio:            {ratio:7.2f}x")
        print(f"peak memory:      {peak / 1024:7.0f} MB (ru_maxrss of the importing process)")
        print(f"this process:     {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:7.0f} MB")
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
