"""Import at scale: 1,000,000 and 5,000,000 incident rows against `sqlite3 .import` of the same file, in one run.

    python -m benchmarks.import_scale                          # 1M and 5M, 3 alternated runs each (long)
    python -m benchmarks.import_scale --rows 1000000 --repeat 3 --paths compiled,python
    python -m benchmarks.import_scale --rows 20000 --repeat 1  # a quick run

For each size: generates the deterministic incident CSV of benchmarks/import_incidents.py, then `--repeat` times,
alternately, `sqlite3 DB ".import FILE t"` into a plain table and `cdi import` of the same file into a fresh audit
database in a child process, once per read path asked for (compiled: arrow_path, the default; python: today's
per-row reference path). Prints each run, then medians: time, ratio to sqlite3 (the median of the runs' ratios),
the child's peak memory (ru_maxrss), and, over the sizes, how both grow (time at the largest size / time at the
smallest, beside the ratio of the sizes: linear growth gives the same number). Last, on the database of the
largest size's last compiled import, a 2,000-record stratified draw (three seeds, median).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # also runnable as a script

from benchmarks.import_incidents import generate, our_import, sqlite3_import  # noqa: E402


def draw_time(db_path: Path) -> tuple[float, list[float]]:
    from cdi_workbench import sampling
    from cdi_workbench.storage.database import Database

    db = Database(db_path)
    times = []
    try:
        for n, seed in enumerate((42, 7, 2015)):
            t = time.perf_counter()
            with db.session() as s:
                sampling.draw(s, f"Scale {n}", "incident", 2000, seed=seed, stratify=True)
            times.append(time.perf_counter() - t)
    finally:
        db.close()
    return statistics.median(times), times


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", default="1000000,5000000", help="sizes, comma-separated")
    p.add_argument("--repeat", type=int, default=3, metavar="N")
    p.add_argument("--paths", default="compiled", help="read paths, comma-separated: compiled, python")
    p.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files (default: a temp dir, removed)")
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    a = p.parse_args(argv)
    sizes = [int(x) for x in a.rows.split(",")]
    paths = [x.strip() for x in a.paths.split(",") if x.strip()]
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="cdi-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    figures: dict = {"sizes": {}, "paths": paths}
    try:
        for rows in sizes:
            csv_path = work / f"incidents-{rows}.csv"
            if not csv_path.exists():
                t = time.perf_counter()
                generate(csv_path, rows)
                print(f"generated {rows:,} rows, {csv_path.stat().st_size / 1e6:,.0f} MB in "
                      f"{time.perf_counter() - t:.1f} s", flush=True)
            runs: dict[str, list] = {"sqlite3": [], **{x: [] for x in paths}}
            for n in range(max(a.repeat, 1)):
                for f in work.glob("*.db*"):
                    f.unlink()
                base = sqlite3_import(csv_path, work / "plain.db")
                runs["sqlite3"].append(base)
                line = [f"{rows:,} run {n + 1}: sqlite3 .import {base:.2f} s"]
                for path in paths:
                    ours, child = our_import(csv_path, work / f"audit-{path}.db", path)
                    assert child["added"] == rows and child["rejected"] == 0, child
                    assert child["read_path"] == path, child
                    runs[path].append((ours, child["maxrss_kib"] / 1024, ours / base))
                    line.append(f"cdi import ({path}) {ours:.2f} s = {ours / base:.2f}x, "
                                f"peak {child['maxrss_kib'] / 1024:.0f} MB")
                print("; ".join(line), flush=True)
            size = {"sqlite3": statistics.median(runs["sqlite3"]), "runs": runs}
            for path in paths:
                size[path] = {"seconds": statistics.median(r[0] for r in runs[path]),
                              "ratio": statistics.median(r[2] for r in runs[path]),
                              "peak_mb": max(r[1] for r in runs[path])}
            figures["sizes"][rows] = size
            print(f"{rows:,} rows, medians of {len(runs['sqlite3'])}: sqlite3 .import {size['sqlite3']:.2f} s; "
                  + "; ".join(f"cdi import ({x}) {size[x]['seconds']:.2f} s, {size[x]['ratio']:.2f}x, peak "
                              f"{size[x]['peak_mb']:.0f} MB" for x in paths), flush=True)
        if len(sizes) > 1:
            lo, hi = min(sizes), max(sizes)
            grow = {"rows": hi / lo, "sqlite3": figures["sizes"][hi]["sqlite3"] / figures["sizes"][lo]["sqlite3"]}
            for x in paths:
                grow[x] = figures["sizes"][hi][x]["seconds"] / figures["sizes"][lo][x]["seconds"]
            figures["growth"] = grow
            print(f"growth {lo:,} -> {hi:,} rows ({grow['rows']:.1f}x the rows): sqlite3 .import "
                  f"{grow['sqlite3']:.2f}x; " + "; ".join(f"cdi import ({x}) {grow[x]:.2f}x" for x in paths))
        if "compiled" in paths:
            big = max(sizes)
            median, times = draw_time(work / "audit-compiled.db")
            figures["draw"] = {"rows": big, "median": median, "times": times}
            print(f"2,000-record stratified draw from {big:,} imported incidents: median {median:.2f} s "
                  f"({', '.join(f'{t:.2f}' for t in times)})")
        if a.json:
            Path(a.json).write_text(json.dumps(figures, indent=2, default=str))
    finally:
        if not a.keep:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
