"""Reproducible random samples, simple or stratified by offence group.

Every record gets a rank from a keyed hash of (seed, record reference): the sample is the lowest-ranked
records. The order depends only on the seed and the references, so the same seed gives the same sample on
any machine and database engine, and extending a sample takes the next records of the same random order.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .classification import group_of
from .storage.models import N100, AuditItem, Cancellation, CrimeRecord, Disposal, RecordLink, ReportRecord, Sample
from .timeutil import now_utc


def rank(seed: int, ref: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{seed}:{ref}".encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class Candidate:
    record_id: int
    ref: str
    stratum: str


def population(s: Session, kind: str, system: str | None = None) -> list[Candidate]:
    """Every record of a kind (and system), with its offence-group stratum where one can be derived."""
    if kind in ("incident", "referral"):
        q = select(ReportRecord.id, ReportRecord.ref, func.min(CrimeRecord.ho_code)).where(
            ReportRecord.kind == kind).outerjoin(RecordLink, RecordLink.report_id == ReportRecord.id).outerjoin(
            CrimeRecord, CrimeRecord.id == RecordLink.crime_id).group_by(ReportRecord.id, ReportRecord.ref)
        if system:
            q = q.where(ReportRecord.system == system)
        return [Candidate(i, r, group_of(code) if code else "no crime linked") for i, r, code in s.execute(q)]
    if kind == "disposal":
        return [Candidate(i, r, t) for i, r, t in s.execute(select(Disposal.id, Disposal.ref,
                                                                    Disposal.disposal_type))]
    if kind == "cancellation":
        return [Candidate(i, r, g or "other") for i, r, g in s.execute(
            select(Cancellation.id, Cancellation.crime_ref, Cancellation.offence_group))]
    if kind == "n100":
        return [Candidate(i, r, "n100") for i, r in s.execute(select(N100.id, N100.ref))]
    raise ValueError(f"unknown record kind {kind!r}")


def draw(s: Session, name: str, kind: str, size: int, seed: int, system: str | None = None,
         stratify: bool = False, per_stratum: int | None = None, who: str = "",
         progress: Callable[[int, int], None] | None = None) -> Sample:
    """Draw and store a sample. stratify: proportional allocation by stratum (largest remainder);
    per_stratum: a fixed-size dip-sample from each stratum (e.g. 20 of each disposal type)."""
    pop = population(s, kind, system)
    if not pop:
        raise ValueError(f"there are no {kind} records to sample")
    strata: dict[str, list[Candidate]] = defaultdict(list)
    for c in pop:
        strata[c.stratum if (stratify or per_stratum) else "all"].append(c)
    for members in strata.values():
        members.sort(key=lambda c: rank(seed, c.ref))
    alloc = _allocate({k: len(v) for k, v in strata.items()}, size, per_stratum)
    chosen = [c for k, members in strata.items() for c in members[:alloc[k]]]
    chosen.sort(key=lambda c: rank(seed, c.ref))
    method = ("fixed size per stratum" if per_stratum else "stratified by offence group, proportional"
              if stratify else "simple random") + " (seeded keyed-hash order)"
    frame = {"population": {k: len(v) for k, v in strata.items()}, "allocated": alloc, "seed": seed,
             "stratified": bool(stratify or per_stratum)}
    smp = Sample(name=name, kind=kind, system=system, method=method, seed=seed, frame=frame,
                 drawn_at=now_utc(), drawn_by=who)
    s.add(smp)
    s.flush()
    s.add_all(AuditItem(sample_id=smp.id, kind=kind, record_id=c.record_id, position=i + 1, stratum=c.stratum)
              for i, c in enumerate(chosen))
    if progress:
        progress(len(chosen), len(chosen))
    return smp


def _allocate(sizes: dict[str, int], total: int, per_stratum: int | None) -> dict[str, int]:
    if per_stratum is not None:
        return {k: min(n, per_stratum) for k, n in sizes.items()}
    n_pop = sum(sizes.values())
    total = min(total, n_pop)
    exact = {k: total * n / n_pop for k, n in sizes.items()}
    alloc = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (exact[k] - alloc[k], k), reverse=True)[: total - sum(alloc.values())]:
        alloc[k] += 1
    return alloc
