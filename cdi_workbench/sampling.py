"""Reproducible random samples, simple or stratified by offence group.

Every record gets a rank from a keyed hash of (seed, record reference): the sample is the lowest-ranked
records. The order depends only on the seed and the references, so the same seed gives the same sample on
any machine and database engine, and extending a sample takes the next records of the same random order.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from .classification import group_of
from .rules import normalise_code
from .storage.models import N100, AuditItem, Cancellation, CrimeRecord, Disposal, RecordLink, ReportRecord, Sample
from .timeutil import now_utc, uk_local


def ranker(seed: int) -> Callable[[str], int]:
    """The seeded order: a record's rank is a keyed hash of (seed, reference); lowest ranks are drawn first."""
    prefix = f"{seed}:".encode()

    def rank_of(ref: str) -> int:
        return int.from_bytes(hashlib.blake2b(prefix + ref.encode(), digest_size=8).digest(), "big")

    return rank_of


def rank(seed: int, ref: str) -> int:
    return ranker(seed)(ref)


@dataclass(frozen=True)
class Candidate:
    record_id: int
    ref: str
    stratum: str


GROUP_PRIORITY = ("rape", "sexual", "vap", "other", "fraud")
NO_CRIME = "no crime linked"


def report_stratum(codes: list[str]) -> str:
    """The stratum of an incident or referral: the most serious offence group among its linked crimes."""
    groups = {group_of(c) for c in codes if c}
    return next((g for g in GROUP_PRIORITY if g in groups), NO_CRIME)


@dataclass(frozen=True)
class Filters:
    """Which records of a kind form the population (all optional)."""

    opening_code: str = ""
    closing_code: str = ""
    ho_code: str = ""
    date_from: date | None = None
    date_to: date | None = None  # inclusive

    def to_json(self) -> dict[str, str]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v}

    @classmethod
    def from_json(cls, data: dict[str, str] | None) -> Filters:
        data = dict(data or {})
        for k in ("date_from", "date_to"):
            if data.get(k):
                data[k] = date.fromisoformat(data[k])  # type: ignore[assignment]
        return cls(**data)  # type: ignore[arg-type]


def _time_column(kind: str):  # type: ignore[no-untyped-def]
    return {"incident": ReportRecord.received_at, "referral": ReportRecord.received_at,
            "disposal": Disposal.issued_at, "cancellation": Cancellation.cancelled_at,
            "n100": N100.recorded_at}[kind]


def _filtered(q, kind: str, f: Filters):  # type: ignore[no-untyped-def]
    col = _time_column(kind)
    if f.date_from:
        q = q.where(col >= uk_local(f.date_from.year, f.date_from.month, f.date_from.day))
    if f.date_to:
        end = f.date_to + timedelta(days=1)
        q = q.where(col < uk_local(end.year, end.month, end.day))
    if kind in ("incident", "referral"):
        if f.opening_code:
            q = q.where(ReportRecord.opening_code == f.opening_code)
        if f.closing_code:
            q = q.where(ReportRecord.closing_code == f.closing_code)
        if f.ho_code:
            linked = (select(RecordLink.report_id).join(CrimeRecord, CrimeRecord.id == RecordLink.crime_id)
                      .where(func.upper(CrimeRecord.ho_code) == normalise_code(f.ho_code)))
            q = q.where(ReportRecord.id.in_(linked))
    return q


def population(s: Session, kind: str, system: str | None = None, filters: Filters | None = None) -> list[Candidate]:
    """Every record of a kind (and system) passing the filters, with its stratum where one can be derived."""
    f = filters or Filters()
    if kind in ("incident", "referral"):
        q = (select(ReportRecord.id, ReportRecord.ref, CrimeRecord.ho_code).where(ReportRecord.kind == kind)
             .outerjoin(RecordLink, RecordLink.report_id == ReportRecord.id)
             .outerjoin(CrimeRecord, (CrimeRecord.id == RecordLink.crime_id) & (CrimeRecord.status != "cancelled")))
        if system:
            q = q.where(ReportRecord.system == system)
        codes: dict[int, list[str]] = {}
        refs: dict[int, str] = {}
        for i, r, code in s.execute(_filtered(q, kind, f)).tuples():
            refs[i] = r
            codes.setdefault(i, []).append(code or "")
        memo: dict[tuple[str, ...], str] = {}  # most reports share a handful of code combinations
        out = []
        for i, r in refs.items():
            key = tuple(codes[i])
            st = memo.get(key)
            if st is None:
                st = memo[key] = report_stratum(list(key))
            out.append(Candidate(i, r, st))
        return out
    if kind == "disposal":
        q = select(Disposal.id, Disposal.ref, Disposal.disposal_type)
    elif kind == "cancellation":
        q = select(Cancellation.id, Cancellation.crime_ref, func.coalesce(Cancellation.offence_group, "other"))
    elif kind == "n100":
        q = select(N100.id, N100.ref, literal("n100"))
    else:
        raise ValueError(f"unknown record kind {kind!r}")
    return [Candidate(i, r, st) for i, r, st in s.execute(_filtered(q, kind, f))]


def population_counts(s: Session, kind: str, system: str | None = None,
                      filters: Filters | None = None) -> dict[str, int]:
    """How many records fall in each stratum: what the population view shows before a draw."""
    counts: dict[str, int] = defaultdict(int)
    for c in population(s, kind, system, filters):
        counts[c.stratum] += 1
    return dict(sorted(counts.items()))


def systems(s: Session) -> list[str]:
    """Referral systems present in the database."""
    return list(s.scalars(select(ReportRecord.system).where(ReportRecord.kind == "referral").distinct()
                          .order_by(ReportRecord.system)))


def draw(s: Session, name: str, kind: str, size: int, seed: int, system: str | None = None,
         stratify: bool = False, per_stratum: int | dict[str, int] | None = None, allocation: str = "proportional",
         who: str = "", progress: Callable[[int, int], None] | None = None,
         filters: Filters | None = None) -> Sample:
    """Draw and store a sample.

    stratify: allocate `size` across offence-group strata, `allocation` 'proportional' (largest remainder)
    or 'equal'; per_stratum: a fixed-size dip-sample from each stratum (e.g. 20 of each disposal type),
    or a dict of sizes per stratum.
    """
    if s.scalar(select(Sample.id).where(Sample.name == name)) is not None:
        raise ValueError(f"there is already a sample called {name!r}")
    if size < 0:
        raise ValueError("a sample size cannot be negative")
    pop = population(s, kind, system, filters)
    if not pop:
        raise ValueError(f"there are no {kind} records to sample" + (" that pass the filters" if filters else ""))
    stratified = bool(stratify or per_stratum)
    strata = _strata(pop, seed, stratified)
    alloc = _allocate({k: len(v) for k, v in strata.items()}, size, per_stratum, allocation)
    chosen = [c for k, members in strata.items() for c in members[:alloc.get(k, 0)]]  # each already in rank order
    rank_of = ranker(seed)
    chosen.sort(key=lambda c: rank_of(c.ref))
    if per_stratum is not None:
        method = "fixed size per stratum"
    elif stratify:
        method = f"stratified by offence group, {allocation} allocation"
    else:
        method = "simple random"
    method += " (seeded keyed-hash order)"
    frame = {"population": {k: len(v) for k, v in strata.items()}, "allocated": alloc, "seed": seed,
             "stratified": stratified, "allocation": allocation if stratify and per_stratum is None else "",
             "extensions": [], "filters": (filters or Filters()).to_json()}
    smp = Sample(name=name, kind=kind, system=system, method=method, seed=seed, frame=frame,
                 drawn_at=now_utc(), drawn_by=who)
    s.add(smp)
    s.flush()
    s.add_all(AuditItem(sample_id=smp.id, kind=kind, record_id=c.record_id, position=i + 1, stratum=c.stratum)
              for i, c in enumerate(chosen))
    if progress:
        progress(len(chosen), len(chosen))
    return smp


def extend(s: Session, name: str, size: int, who: str = "") -> int:
    """Add `size` records to a sample: the next ones in the same seeded order, never one already drawn.

    A stratified sample is extended stratum by stratum in the same proportions as its population, so the
    extended sample is still a random sample of the same design. Returns how many were added.
    """
    smp = s.scalar(select(Sample).where(Sample.name == name))
    if smp is None:
        raise ValueError(f"no sample called {name!r}")
    if size <= 0:
        raise ValueError("extend by at least one record")
    frame = dict(smp.frame or {})
    drawn = {rid for (rid,) in s.execute(select(AuditItem.record_id).where(AuditItem.sample_id == smp.id))}
    pop = population(s, smp.kind, smp.system, Filters.from_json(frame.get("filters")))
    strata = _strata([c for c in pop if c.record_id not in drawn], smp.seed, bool(frame.get("stratified")))
    if frame.get("stratified"):
        alloc = _allocate({k: len(v) for k, v in strata.items()}, size, None, frame.get("allocation") or "proportional")
    else:
        alloc = {"all": size}
    chosen = [c for k, members in strata.items() for c in members[:alloc.get(k, 0)]]
    rank_of = ranker(smp.seed)
    chosen.sort(key=lambda c: rank_of(c.ref))
    last = s.scalar(select(func.max(AuditItem.position)).where(AuditItem.sample_id == smp.id)) or 0
    s.add_all(AuditItem(sample_id=smp.id, kind=smp.kind, record_id=c.record_id, position=last + i + 1,
                        stratum=c.stratum) for i, c in enumerate(chosen))
    frame["extensions"] = [*frame.get("extensions", []), {"added": len(chosen), "at": now_utc().isoformat(),
                                                          "by": who}]
    smp.frame = frame
    return len(chosen)


def draw_order(s: Session, name: str) -> list[dict[str, object]]:
    """The drawn records in draw order (as inspectors send the list to the force)."""
    smp = s.scalar(select(Sample).where(Sample.name == name))
    if smp is None:
        raise ValueError(f"no sample called {name!r}")
    refs = {c.record_id: c.ref for c in population(s, smp.kind, smp.system)}
    items = s.scalars(select(AuditItem).where(AuditItem.sample_id == smp.id).order_by(AuditItem.position))
    return [{"position": i.position, "kind": i.kind, "system": smp.system or "", "reference": refs.get(i.record_id, ""),
             "stratum": i.stratum or ""} for i in items]


def required_size(margin: float, expected_rate: float, population_size: int | None = None,
                  confidence: float = 0.95) -> int:
    """Records needed for a normal-approximation margin of error at the given confidence, with the finite
    population correction when the population is known (Cochran 1977, eq. 4.1-4.2)."""
    if not 0 < margin < 1:
        raise ValueError("the margin of error is a proportion between 0 and 1 (e.g. 0.03 for +/- 3 percent)")
    if not 0 < expected_rate < 1:
        raise ValueError("the expected recording rate is a proportion between 0 and 1")
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

    def export(self, name: str, path: str) -> int:
        import csv

        with self.db.session() as s:
            rows = draw_order(s, name)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, ["position", "kind", "system", "reference", "stratum"])
            w.writeheader()
            w.writerows(rows)
        return len(rows)
