"""Reproducible random samples, simple or stratified by offence group.

The sample is the lowest-ranked records in a seeded random order (cdi_workbench.draw_keys): each record's rank
comes from its stored draw key and the seed, and the database picks the lowest ranks of each stratum, so the
same seed gives the same sample on any machine and database engine, a draw from a million records needs no
full load into Python, and extending a sample takes the next records of the same order.

Samples drawn before schema 0007 were ranked in Python by a keyed hash of (seed, reference) (`rank`); their
frames have no "order" entry, and they are still extended in that order.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import sample_admin
from .audit.facts import note_sample
from .audit.programme import resolve
from .audit.roles import identify
from .classification import (
    GROUP_PRIORITY,  # noqa: F401 (part of this module's interface)
    NO_CRIME,
)
from .draw_keys import ORDER, P, SeedMaps
from .kinds import RecordKind
from .sample_population import (  # noqa: F401 (Filters, within_period, population_counts: also this module's interface)
    Candidate,
    Filters,
    ordered_counts,
    population,
    population_counts,
    prepare,
    source,
    strata_counts,
    where,
    within_period,
)
from .special_samples import SPECIAL_SAMPLES, special_key
from .storage.models import (
    AuditItem,
    ReportRecord,
    Sample,
    VerdictChange,
)
from .strata import (
    report_stratum,  # noqa: F401 (part of this module's interface)
)
from .timeutil import now_utc


def ranker(seed: int) -> Callable[[str], int]:
    """The order of samples drawn before schema 0007: a keyed hash of (seed, reference), lowest first."""
    prefix = f"{seed}:".encode()

    def rank_of(ref: str) -> int:
        return int.from_bytes(hashlib.blake2b(prefix + ref.encode(), digest_size=8).digest(), "big")

    return rank_of


def rank(seed: int, ref: str) -> int:
    return ranker(seed)(ref)



@dataclass(frozen=True)
class _Drawn:
    rank: tuple[int, int, str]
    record_id: int
    stratum: str


def _lowest(s: Session, kind: str, system: str | None, f: Filters, maps: SeedMaps, n: int, stratum: str | None,
            exclude: int | None = None, total: int | None = None) -> list[_Drawn]:
    """The n lowest-ranked records (of one stratum, or of all), ranked by the database.

    total: about how many records there are to rank (the counts before the draw), or None. With it the database first
    ranks only the records whose first number is below a bound that leaves some n + 6 sqrt(n) + 20 of them, which
    spares it ranking the rest: the order compares the first number first, so every record left out comes after
    every one kept, and if n + 1 are kept (or n, all there are below the bound) and no two of them share both
    numbers, the lowest n are those, whatever the database does with ties. Otherwise (too few below the bound, or a
    tie, which only the reference breaks, in the database's collation) the query is the one without the bound."""
    src = source(kind)
    q = where(select(src.id, src.ref, src.key, src.stratum), src, kind, system, f, exclude)
    if stratum is not None:
        q = q.where(src.stratum == stratum)
    first, second = maps.sql(src.key)
    q = q.order_by(first, second, src.ref)
    bound = _bound(n + _SPARE[0] * math.sqrt(n) + _SPARE[1], total) if total else P
    if bound < P:
        rows = s.execute(q.where(first < bound).limit(n + 1)).all()
        ranks = [maps.rank(k) for _, _, k, _ in rows]
        if len(rows) >= n and all(ranks[j] != ranks[j + 1] for j in range(len(ranks) - 1)):
            return [_Drawn((*rk, r), i, st or NO_CRIME) for rk, (i, r, _, st) in zip(ranks[:n], rows, strict=False)]
    return [_Drawn((*maps.rank(k), r), i, st or NO_CRIME) for i, r, k, st in s.execute(q.limit(n))]


def _bound(wanted: float, total: int) -> int:
    """The first number below which about `wanted` of `total` records fall (P: every record)."""
    return P if wanted >= total else min(P, math.ceil(P * wanted / total))


# the largest seed a sample stores (a 64-bit signed integer: schema 0020)
MAX_SEED = 2**63 - 1
# _lowest's bound leaves about n + 6 sqrt(n) + 20 records below it: fewer than n with odds of some 1 in 10^9
_SPARE = (6.0, 20.0)
# a draw of up to this many records (proportional or simple) counts the population and collects the records it will
# pick from in one read (_Pool), below a bound that leaves about 4 x size + 1,000 of the table below it; larger
# draws count first and rank per stratum
_FUSED_SIZE = 20_000
_POOL = (4.0, 1000.0)


@dataclass
class _Pool:
    """The records that can come first in the seed's order, read with the population's counts (_counts_and_pool):
    every record whose first number is below a bound (per stratum as stored: id, draw key, reference), chosen before
    the counts are known so that some 4 x size + 1,000 of the whole table fall below it. A stratum's lowest n are
    picked from its records below the bound when at least n are there and no two of the first n + 1 share both
    numbers of their rank (as _lowest: the records left out all come later, and without ties the order needs no
    reference, which the database compares in its own collation); otherwise the database ranks the stratum
    (_lowest)."""

    below: dict[str | None, list[tuple[int, int, str]]]

    def lowest(self, maps: SeedMaps, n: int, stratum: str | None) -> list[_Drawn] | None:
        if stratum is None:
            rows = [(i, k, r, st) for st, members in self.below.items() for i, k, r in members]
        elif stratum in self.below:
            rows = [(i, k, r, stratum) for i, k, r in self.below[stratum]]
        else:
            return None
        if len(rows) < n:
            return None
        ranked = sorted(((maps.rank(k), i, r, st) for i, k, r, st in rows), key=lambda x: x[0])
        if any(ranked[j][0] == ranked[j + 1][0] for j in range(min(n, len(ranked) - 1))):
            return None
        return [_Drawn((*rk, r), i, st or NO_CRIME) for rk, i, r, st in ranked[:n]]


def _fusable(kind: str, size: int, stratified: bool, per_stratum: object, allocation: str) -> bool:
    return (kind != RecordKind.N100 and per_stratum is None and size <= _FUSED_SIZE
            and (not stratified or allocation == "proportional"))


def _counted(s: Session, kind: str, system: str | None, f: Filters, maps: SeedMaps, size: int, fusable: bool,
             exclude: int | None = None) -> tuple[dict[str, int], _Pool | None]:
    """The population's counts per stratum, with (a draw _fusable) the _Pool for drawing `size` records."""
    if fusable:
        return _counts_and_pool(s, kind, system, f, maps, size, exclude)
    return strata_counts(s, kind, system, f, exclude), None


def _counts_and_pool(s: Session, kind: str, system: str | None, f: Filters, maps: SeedMaps, size: int,
                     exclude: int | None = None) -> tuple[dict[str, int], _Pool]:
    """strata_counts, and the _Pool for drawing `size` records, in one read of the population."""
    src = source(kind)
    highest = s.scalar(select(func.max(src.id))) or 0  # at least as many as the population: the bound errs low
    bound = _bound(_POOL[0] * size + _POOL[1], highest) if highest > 0 else P
    first, _ = maps.sql(src.key)
    if s.get_bind().dialect.name == "sqlite":
        below = func.json_group_array(func.json_array(src.id, src.key, src.ref)).filter(first < bound)
    else:
        below = func.json_agg(func.json_build_array(src.id, src.key, src.ref)).filter(first < bound)
    q = where(select(src.stratum, func.count(), below), src, kind, system, f, exclude).group_by(src.stratum)
    rows = s.execute(q).all()
    pool = _Pool({st: [(i, k, r) for i, k, r in (json.loads(m) if isinstance(m, str) else m or [])]
                  for st, _, m in rows})
    return ordered_counts(kind, [(st, n) for st, n, _ in rows]), pool


def _pick(s: Session, kind: str, system: str | None, f: Filters, maps: SeedMaps, alloc: dict[str, int],
          stratified: bool, exclude: int | None = None, pool: _Pool | None = None,
          counts: dict[str, int] | None = None) -> list[_Drawn]:
    """The records drawn: each stratum's allocation of its lowest-ranked records (from the pool where it can tell,
    else ranked by the database), in the seed's order. counts: the counts before the draw (bounding _lowest)."""
    chosen: list[_Drawn] = []
    for k, n in alloc.items():
        if n > 0:
            stratum = k if stratified else None
            got = pool.lowest(maps, n, stratum) if pool is not None else None
            if got is None:
                total = None if counts is None else counts.get(k) if stratified else sum(counts.values())
                got = _lowest(s, kind, system, f, maps, n, stratum, exclude, total)
            chosen += got
    chosen.sort(key=lambda d: d.rank)
    return chosen


def next_item_id(s: Session) -> int | None:
    """The id the next audit item takes on SQLite, so that no id is ever used twice: SQLite gives a new row the
    highest id + 1, which would hand a new item the id of one deleted with its sample (sample_admin), whose history
    (kept, hash-chained) would then read as the new item's. None on PostgreSQL, whose sequences never reuse one."""
    if s.get_bind().dialect.name != "sqlite":
        return None
    items = s.scalar(select(func.max(AuditItem.id))) or 0
    return max(items, s.scalar(select(func.max(VerdictChange.item_id))) or 0) + 1


def systems(s: Session) -> list[str]:
    """Referral systems present in the database."""
    return list(s.scalars(select(ReportRecord.system).where(ReportRecord.kind == RecordKind.REFERRAL).distinct()
                          .order_by(ReportRecord.system)))


def draw(s: Session, name: str, kind: str, size: int, seed: int, system: str | None = None,
         stratify: bool = False, per_stratum: int | dict[str, int] | None = None, allocation: str = "proportional",
         who: str = "", progress: Callable[[int, int], None] | None = None,
         filters: Filters | None = None, special: str | None = None, audit: str | None = None,
         asked_per_stratum: int | dict[str, int] | None = None) -> Sample:
    """Draw and store a sample for the programme's audit called `audit` (None: the latest; audit.programme), from
    the records of the audit's period (its date column, record_models.date_column) that pass the filters.

    stratify: allocate `size` across offence-group strata, `allocation` 'proportional' (largest remainder)
    or 'equal'; per_stratum: a fixed-size dip-sample from each stratum (e.g. 20 of each disposal type, or 20
    cancelled crimes of each offence group in classification.CANCELLATION_GROUPS, or 20 recorded crimes of each
    offence group in classification.GROUP_LABELS), or a dict of sizes per stratum. Crime records (kind 'crime'):
    those recorded in the audit's period and not cancelled, stratified by the offence group of their Home Office
    code (strata.crime_group).
    special: a special sample's purpose (special_samples.SPECIAL_SAMPLES, e.g. 'modern_slavery_referrals'):
    reported in a table of its own, kept out of the main tables and rates.
    asked_per_stratum: the dip-samples a design asked for, strata with no records in the period included (kept in
    the frame as asked; default: per_stratum).
    """
    who = identify(s, who).require_name("draw samples")
    if s.scalar(select(Sample.id).where(Sample.name == name)) is not None:
        raise ValueError(f"there is already a sample called {name!r}")
    if size < 0:
        raise ValueError("a sample size cannot be negative")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"a seed is a whole number from 0 to {MAX_SEED:,}, not {seed:,}")
    target = resolve(s, audit)
    if target.closed_at is not None:
        raise ValueError(f"the audit {target.name!r} is closed: reopen it to draw more samples")
    given = filters or Filters()
    f = within_period(given, target.period_start, target.period_end)
    if special is not None:
        special = special_key(special)
        if kind not in RecordKind.REPORTS:
            raise ValueError(f"a special sample ({SPECIAL_SAMPLES[special].label}) is drawn from incidents or "
                             f"referrals, not {kind} records")
    prepare(s, kind)
    maps = SeedMaps.of(seed)
    counts, pool = _counted(s, kind, system, f, maps, size,
                            _fusable(kind, size, bool(stratify or per_stratum), per_stratum, allocation))
    if not counts:
        raise ValueError(f"there are no {kind} records to sample" + (" that pass the filters" if filters else "")
                         + f" in the period of the audit {target.name!r} ({target.period_start:%d/%m/%Y} to "
                           f"{target.period_end:%d/%m/%Y})")
    stratified = bool(stratify or per_stratum)
    sizes = counts if stratified else {"all": sum(counts.values())}
    alloc = _allocate(sizes, size, per_stratum, allocation)
    chosen = _pick(s, kind, system, f, maps, alloc, stratified, pool=pool, counts=counts)
    if per_stratum is not None:
        method = "fixed size per stratum"
    elif stratify:
        method = f"stratified by offence group, {allocation} allocation"
    else:
        method = "simple random"
    method += " (seeded keyed-hash order)"
    if special is not None:
        method = f"special sample: {SPECIAL_SAMPLES[special].label}; {method}"
    frame = {"population": sizes, "allocated": alloc, "seed": seed, "order": ORDER,
             "stratified": stratified, "allocation": allocation if stratify and per_stratum is None else "",
             "extensions": [], "filters": given.to_json(), "audit": target.name,
             "period": [target.period_start.isoformat(), target.period_end.isoformat()],
             # what was asked for, beside what the frame gave (a design saved from the audit asks for it again)
             "requested": size,
             "requested_per_stratum": per_stratum if asked_per_stratum is None else asked_per_stratum}
    if special is not None:
        frame["special"] = special
    smp = Sample(name=name, kind=kind, system=system, method=method, seed=seed, frame=frame,
                 drawn_at=now_utc(), drawn_by=who, audit_id=target.id)
    s.add(smp)
    s.flush()
    first = next_item_id(s)
    s.add_all(AuditItem(id=first + i if first else None, sample_id=smp.id, kind=kind, record_id=c.record_id,
                        position=i + 1, stratum=c.stratum) for i, c in enumerate(chosen))
    note_sample(s, smp, who, f"sample '{name}' drawn: {len(chosen):,} records ({method})")
    if progress:
        progress(len(chosen), len(chosen))
    return smp


def extend(s: Session, name: str, size: int, who: str = "") -> int:
    """Add `size` records to a sample: the next ones in the same seeded order, never one already drawn.

    A stratified sample is extended stratum by stratum in the same proportions as its population, so the
    extended sample is still a random sample of the same design. Returns how many were added.
    """
    who = identify(s, who).require_name("draw samples")
    smp = s.scalar(select(Sample).where(Sample.name == name))
    if smp is None:
        raise ValueError(f"no sample called {name!r}")
    if size <= 0:
        raise ValueError("extend by at least one record")
    sample_admin.require_open(s, smp, "extend")
    frame = dict(smp.frame or {})
    stratified = bool(frame.get("stratified"))
    f = Filters.from_json(frame.get("filters"))
    if frame.get("period"):  # drawn for an audit of a programme (schema 0016): from the records of its period
        f = within_period(f, *(date.fromisoformat(d) for d in frame["period"]))
    if frame.get("order") == ORDER:
        prepare(s, smp.kind)
        maps = SeedMaps.of(smp.seed)
        allocation = frame.get("allocation") or "proportional"
        left, pool = _counted(s, smp.kind, smp.system, f, maps, size,
                              _fusable(smp.kind, size, stratified, None, allocation), smp.id)
        sizes = left if stratified else {"all": sum(left.values())}
        alloc = _allocate(sizes, size, None, allocation)
        chosen: list[Any] = _pick(s, smp.kind, smp.system, f, maps, alloc, stratified, smp.id, pool, left)
    else:
        chosen = _extend_in_python_order(s, smp, size, f, stratified)
    last = s.scalar(select(func.max(AuditItem.position)).where(AuditItem.sample_id == smp.id)) or 0
    first = next_item_id(s)
    s.add_all(AuditItem(id=first + i if first else None, sample_id=smp.id, kind=smp.kind, record_id=c.record_id,
                        position=last + i + 1, stratum=c.stratum) for i, c in enumerate(chosen))
    frame["extensions"] = [*frame.get("extensions", []), {"added": len(chosen), "requested": size,
                                                          "at": now_utc().isoformat(), "by": who}]
    smp.frame = frame
    note_sample(s, smp, who, f"sample '{smp.name}' extended by {len(chosen):,} records")
    return len(chosen)


def _extend_in_python_order(s: Session, smp: Sample, size: int, f: Filters, stratified: bool) -> list[Candidate]:
    """The next records of a sample drawn before schema 0007, in the order it was drawn in."""
    drawn = {rid for (rid,) in s.execute(select(AuditItem.record_id).where(AuditItem.sample_id == smp.id))}
    pop = population(s, smp.kind, smp.system, f)
    strata = _strata([c for c in pop if c.record_id not in drawn], smp.seed, stratified)
    if stratified:
        alloc = _allocate({k: len(v) for k, v in strata.items()}, size, None,
                          (smp.frame or {}).get("allocation") or "proportional")
    else:
        alloc = {"all": size}
    chosen = [c for k, members in strata.items() for c in members[:alloc.get(k, 0)]]
    rank_of = ranker(smp.seed)
    chosen.sort(key=lambda c: rank_of(c.ref))
    return chosen


def draw_order(s: Session, name: str) -> list[dict[str, object]]:
    """The drawn records in draw order (as inspectors send the list to the force)."""
    smp = s.scalar(select(Sample).where(Sample.name == name))
    if smp is None:
        raise ValueError(f"no sample called {name!r}")
    src = source(smp.kind)
    q = (select(AuditItem.position, AuditItem.kind, src.ref, AuditItem.stratum)
         .join(src.table, src.id == AuditItem.record_id)
         .where(AuditItem.sample_id == smp.id).order_by(AuditItem.position))
    return [{"position": p, "kind": k, "system": smp.system or "", "reference": r, "stratum": st or ""}
            for p, k, r, st in s.execute(q)]


def required_size(margin: float, expected_rate: float, population_size: int | None = None,
                  confidence: float = 0.95) -> int:
    """Records needed for a normal-approximation margin of error at the given confidence, with the finite
    population correction when the population is known (Cochran 1977, eq. 4.1-4.2)."""
    if not 0 < margin < 1:
        raise ValueError("the margin of error is a proportion between 0 and 1 (e.g. 0.03 for +/- 3 percent)")
    if not 0 < expected_rate < 1:
        raise ValueError("the expected recording rate is a proportion between 0 and 1")
    if population_size is not None and population_size <= 0:
        raise ValueError(f"a population of {population_size} records cannot be sampled: give the number of "
                         f"records in the population (more than 0), or leave it out")
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2))
    n0 = z * z * expected_rate * (1 - expected_rate) / (margin * margin)
    if population_size:
        n0 = n0 / (1 + (n0 - 1) / population_size)
    return min(int(-(-n0 // 1)), population_size) if population_size else int(-(-n0 // 1))


def _strata(pop: list[Candidate], seed: int, stratified: bool) -> dict[str, list[Candidate]]:
    """Candidates per stratum, each in the seeded random order (ranks computed once per record)."""
    ranked: dict[str, list[tuple[int, Candidate]]] = defaultdict(list)
    rank_of = ranker(seed)
    for c in pop:
        ranked[c.stratum if stratified else "all"].append((rank_of(c.ref), c))
    out = {}
    for k in sorted(ranked):
        members = ranked[k]
        members.sort(key=lambda rc: rc[0])
        out[k] = [c for _, c in members]
    return out


def _allocate(sizes: dict[str, int], total: int, per_stratum: int | dict[str, int] | None,
              allocation: str = "proportional") -> dict[str, int]:
    if isinstance(per_stratum, dict):
        unknown = set(per_stratum) - set(sizes)
        if unknown:
            raise ValueError(f"no such stratum: {', '.join(sorted(unknown))}")
        return {k: min(n, per_stratum.get(k, 0)) for k, n in sizes.items()}
    if per_stratum is not None:
        return {k: min(n, per_stratum) for k, n in sizes.items()}
    n_pop = sum(sizes.values())
    total = min(total, n_pop)
    if n_pop == 0:  # nothing (left) to draw: extending a sample that already holds every record
        return {k: 0 for k in sizes}
    if allocation == "equal":
        alloc = {k: 0 for k in sizes}
        left = total
        while left > 0:  # share out evenly, capped by each stratum's size
            open_ = [k for k in sorted(sizes) if alloc[k] < sizes[k]]
            share = max(1, left // len(open_))
            for k in open_:
                take = min(share, sizes[k] - alloc[k], left)
                alloc[k] += take
                left -= take
                if left == 0:
                    break
        return alloc
    if allocation != "proportional":
        raise ValueError(f"unknown allocation {allocation!r}: proportional or equal")
    exact = {k: total * n / n_pop for k, n in sizes.items()}
    alloc = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (exact[k] - alloc[k], k), reverse=True)[: total - sum(alloc.values())]:
        alloc[k] += 1
    return alloc


class SampleOps:
    """Sampling as units of work on a database, for the GUI's background worker and scripts."""

    def __init__(self, db) -> None:  # noqa: ANN001 (a storage.database.Database)
        self.db = db

    def systems(self) -> list[str]:
        with self.db.session() as s:
            return systems(s)

    def counts(self, kind: str, system: str | None = None, filters: Filters | None = None) -> dict[str, int]:
        with self.db.session() as s:
            return population_counts(s, kind, system, filters)

    def draw(self, name: str, kind: str, size: int, seed: int, **options: object) -> int:
        """Draw and store a sample; returns its id."""
        with self.db.session() as s:
            return draw(s, name, kind, size, seed, **options).id  # type: ignore[arg-type]

    def extend(self, name: str, size: int, who: str = "") -> int:
        with self.db.session() as s:
            return extend(s, name, size, who)

    def holdings(self, name: str) -> sample_admin.Holdings:
        """What deleting the sample would remove (records drawn, verdicts, assignments, the force's responses)."""
        with self.db.session() as s:
            return sample_admin.holdings(s, name)

    def rename(self, old: str, new: str, who: str = "") -> str:
        """Rename a sample; returns the name as stored (spaces tidied)."""
        with self.db.session() as s:
            return sample_admin.rename_sample(s, old, new, who).name

    def delete(self, name: str, who: str = "", reason: str = "") -> sample_admin.Deleted:
        """Delete a sample (sample_admin.delete_sample: one holding verdicts needs the lead and a reason)."""
        with self.db.session() as s:
            return sample_admin.delete_sample(s, name, who, reason)

    def export(self, name: str, path: str, who: str = "") -> int:
        """The sample's records in draw order as CSV (UTF-8), through the one CSV writer (spreadsheets); for those
        who may draw samples (the lead or an auditor), and written to the trail (audit.exports)."""
        from .audit.exports import exported
        from .spreadsheets import write_csv

        def write(_person: object) -> int:
            with self.db.session() as s:
                rows = draw_order(s, name)
            columns = ["position", "kind", "system", "reference", "stratum"]
            write_csv(path, columns, ([r.get(c) for c in columns] for r in rows), bom=False)
            return len(rows)

        return exported(self.db, who, "draw samples", f"the draw list of sample '{name}'", path, write,
                        lambda n: {"sample": name, "rows": n})
