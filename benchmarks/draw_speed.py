"""A 2,000-record stratified draw before and after issue 15's changes, alternated in one process on one database.

Before: the draw as it was (the population counted, then each stratum ranked by the database over all its records,
the period compared through the date column's NUMERIC affinity), kept here as copies of the old functions and put in
place for the 'before' runs. After: sampling.draw as it is. Both draw the same seeds; each draw is rolled back, and
the two must store the same records in the same positions. Also times the parts: the counts (the population view)
and the ranking, before and after.

Run: .venv/bin/python benchmarks/draw_speed.py --db PATH [--rows N] [--repeat R]
(builds N incidents as benchmarks/navigation.py does into PATH if it does not exist, else reuses it)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # also runnable as a script
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from cdi_workbench import sample_population, sampling  # noqa: E402
from cdi_workbench.classification import NO_CRIME  # noqa: E402
from cdi_workbench.draw_keys import SeedMaps  # noqa: E402
from cdi_workbench.storage.models import AuditItem, ReportRecord  # noqa: E402
from tests.integration.test_draw_threshold import old_where  # noqa: E402


# --- the draw as it was before issue 15's changes (sampling.py at d3d90864), for the 'before' runs -------------------
# (its population condition is the equivalence test's copy: tests/integration/test_draw_threshold.old_where)
def old_lowest(s, kind, system, f, maps, n, stratum, exclude=None):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201
    src = sampling.source(kind)
    q = old_where(select(src.id, src.ref, src.key, src.stratum), src, kind, system, f, exclude)
    if stratum is not None:
        q = q.where(src.stratum == stratum)
    first, second = maps.sql(src.key)
    q = q.order_by(first, second, src.ref).limit(n)
    return [sampling._Drawn((*maps.rank(k), r), i, st or NO_CRIME) for i, r, k, st in s.execute(q)]


def old_pick(s, kind, system, f, maps, alloc, stratified, exclude=None, pool=None, counts=None):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201, ARG001
    chosen = []
    for k, n in alloc.items():
        if n > 0:
            chosen += old_lowest(s, kind, system, f, maps, n, k if stratified else None, exclude)
    chosen.sort(key=lambda d: d.rank)
    return chosen


@contextmanager
def before():  # type: ignore[no-untyped-def]  # noqa: ANN201
    """sampling as it was: the old period condition, no pool, every stratum ranked over all its records."""
    saved = sampling.where, sample_population.where, sampling._pick, sampling._fusable
    sampling.where = sample_population.where = old_where  # (the counts are made in sample_population)
    sampling._pick = old_pick
    sampling._fusable = lambda *a, **k: False  # noqa: ARG005
    try:
        yield
    finally:
        sampling.where, sample_population.where, sampling._pick, sampling._fusable = saved


# ------------------------------------------------------------------------------------------------------------------
def drawn(db: Any, seed: int, old: bool) -> tuple[float, list[tuple[int, int, str]]]:  # noqa: ANN401
    """Seconds for one draw (rolled back), and the records it stored (position, record id, stratum)."""
    s: Session = db._factory()
    try:
        t = time.perf_counter()
        if old:
            with before():
                smp = sampling.draw(s, f"bench {seed} old", "incident", 2000, seed=seed, stratify=True)
        else:
            smp = sampling.draw(s, f"bench {seed} new", "incident", 2000, seed=seed, stratify=True)
        s.flush()
        dt = time.perf_counter() - t
        items = [tuple(r) for r in s.execute(select(AuditItem.position, AuditItem.record_id, AuditItem.stratum)
                                             .where(AuditItem.sample_id == smp.id).order_by(AuditItem.position))]
        return dt, items  # type: ignore[return-value]
    finally:
        s.rollback()
        s.close()


def parts(db: Any, seed: int, old: bool) -> tuple[float, float]:  # noqa: ANN401
    """Seconds for the counts (population view) and for the ranking of one draw's allocation."""
    s: Session = db._factory()
    try:
        audit = sampling.resolve(s, None)
        f = sampling.within_period(sampling.Filters(), audit.period_start, audit.period_end)
        maps = SeedMaps.of(seed)
        t = time.perf_counter()
        if old:
            with before():
                counts = sampling.population_counts(s, "incident", None, f)
        else:
            counts = sampling.population_counts(s, "incident", None, f)
        t_counts = time.perf_counter() - t
        alloc = sampling._allocate(counts, 2000, None)
        t = time.perf_counter()
        if old:
            old_pick(s, "incident", None, f, maps, alloc, True)
        else:  # the ranking alone, from the counts (no pool): the threshold per stratum
            sampling._pick(s, "incident", None, f, maps, alloc, True, counts=counts)
        return t_counts, time.perf_counter() - t
    finally:
        s.rollback()
        s.close()


def fused(db: Any, seed: int) -> float:  # noqa: ANN401
    """Seconds for the one read that counts and collects the pool (sampling._counts_and_pool)."""
    s: Session = db._factory()
    try:
        audit = sampling.resolve(s, None)
        f = sampling.within_period(sampling.Filters(), audit.period_start, audit.period_end)
        t = time.perf_counter()
        sampling._counts_and_pool(s, "incident", None, f, SeedMaps.of(seed), 2000)
        return time.perf_counter() - t
    finally:
        s.rollback()
        s.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    if not a.db.exists():
        import navigation

        t = time.perf_counter()
        navigation.build(a.db, a.rows)
        print(f"built {a.rows:,} incidents in {time.perf_counter() - t:.1f} s")
    from cdi_workbench.storage.database import Database

    db = Database(a.db)
    with db.session() as s:
        n = s.scalar(select(func.count()).select_from(ReportRecord))
    print(f"{a.db}: {n:,} records; {date.today()}")
    seeds = (42, 7, 2015)
    times: dict[str, list[float]] = {k: [] for k in ("draw before", "draw after", "counts before", "counts after",
                                                      "ranking before", "ranking after (threshold)",
                                                      "counts + pool (one read)")}
    drawn(db, 1, False)  # warm the page cache
    for r in range(a.repeat):
        for i, seed in enumerate(seeds):
            order = (True, False) if (r + i) % 2 == 0 else (False, True)
            got = {}
            for old in order:
                dt, items = drawn(db, seed, old)
                got[old] = items
                times["draw before" if old else "draw after"].append(dt)
            if got[True] != got[False]:
                raise SystemExit(f"seed {seed}: the draws differ")
            for old in order:
                c, k = parts(db, seed, old)
                times["counts before" if old else "counts after"].append(c)
                times["ranking before" if old else "ranking after (threshold)"].append(k)
            times["counts + pool (one read)"].append(fused(db, seed))
            print(f"round {r + 1} seed {seed}: before {times['draw before'][-1]:.3f} s, after "
                  f"{times['draw after'][-1]:.3f} s, same {len(got[True]):,} records in the same positions",
                  flush=True)
    print(f"{'medians of ' + str(len(times['draw before'])) + ' runs':32} {'s':>7}")
    for k, v in times.items():
        print(f"{k:32} {statistics.median(v):7.3f}   (min {min(v):.3f}, max {max(v):.3f})")
    db.close()


if __name__ == "__main__":
    main()
