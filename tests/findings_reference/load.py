"""Reference copy (tests/findings_reference, commit 6998aa6) of cdi_workbench/findings_load.py.

What the findings read from the database, as plain rows in a few set-based queries (no ORM objects).

An audit of 20,000 verdicts is read in a handful of SELECTs: the effective verdicts joined to their items, the
sampled records of each kind joined to their items, and the crime records the verdicts link, fetched in chunks
(SQLite refuses more than 32,766 parameters in one statement).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from cdi_workbench.kinds import RecordKind, VerdictRole
from cdi_workbench.storage.models import (
    N100,
    AuditItem,
    Cancellation,
    CrimeRecord,
    Disposal,
    RecordLink,
    ReportRecord,
    Sample,
    Verdict,
)

CHUNK = 5000  # ids per IN (...), well below SQLite's limit of 32,766 parameters


class ItemVerdict(NamedTuple):
    """An audit item with its effective verdict (the lead's final verdict where given, else the auditor's)."""

    item_id: int
    sample_id: int
    position: int
    kind: str
    record_id: int
    stratum: str | None
    auditor: str
    updated_at: datetime | None
    body: dict[str, Any]
    complete: bool


@dataclass(frozen=True)
class Report:
    kind: str
    system: str
    ref: str
    received_at: datetime | None


@dataclass(frozen=True)
class Crime:
    id: int
    ref: str
    ho_code: str | None
    recorded_at: datetime | None
    status: str


def effective_verdicts(s: Session) -> list[ItemVerdict]:
    """One row per audit item that has a primary or final verdict (the final one where it exists), in sample and
    draw order."""
    q = (select(Verdict.item_id, AuditItem.sample_id, AuditItem.position, AuditItem.kind, AuditItem.record_id,
                AuditItem.stratum, Verdict.auditor, Verdict.updated_at, Verdict.body, Verdict.complete, Verdict.role)
         .join(AuditItem, AuditItem.id == Verdict.item_id)
         .where(Verdict.role.in_(VerdictRole.EFFECTIVE))
         .order_by(AuditItem.sample_id, AuditItem.position, Verdict.role.desc()))  # 'primary' before 'final'
    out: dict[int, ItemVerdict] = {}
    for item_id, sid, pos, kind, rid, stratum, auditor, at, body, complete, _role in s.execute(q).tuples():
        # rows come primary first, so a final verdict replaces the primary one in place (the order is kept)
        out[item_id] = ItemVerdict(item_id, sid, pos, kind, rid, stratum, auditor, at, body or {}, bool(complete))
    return list(out.values())


def reports(s: Session) -> dict[int, Report]:
    """The sampled incidents and referrals, by record id."""
    q = (select(ReportRecord.id, ReportRecord.kind, ReportRecord.system, ReportRecord.ref, ReportRecord.received_at)
         .where(ReportRecord.id.in_(select(AuditItem.record_id).where(AuditItem.kind.in_(RecordKind.REPORTS)))))
    return {i: Report(k, sy, r, at) for i, k, sy, r, at in s.execute(q)}


def crimes(s: Session, ids: Iterable[int]) -> dict[int, Crime]:
    """The crime records with these ids: first every crime linked to a sampled incident or referral (one query
    with no parameters: most crimes a verdict names are linked), then any others in chunks."""
    wanted_set = set(ids)
    out: dict[int, Crime] = {}
    if len(wanted_set) > 50:
        linked = (select(RecordLink.crime_id).join(AuditItem, AuditItem.record_id == RecordLink.report_id)
                  .where(AuditItem.kind.in_(RecordKind.REPORTS)))
        q = (select(CrimeRecord.id, CrimeRecord.ref, CrimeRecord.ho_code, CrimeRecord.recorded_at,
                    CrimeRecord.status).where(CrimeRecord.id.in_(linked)))
        out.update({i: Crime(i, r, c, at, st or "recorded") for i, r, c, at, st in s.execute(q).tuples()
                    if i in wanted_set})
    wanted = sorted(wanted_set - out.keys())
    for start in range(0, len(wanted), CHUNK):
        q = (select(CrimeRecord.id, CrimeRecord.ref, CrimeRecord.ho_code, CrimeRecord.recorded_at, CrimeRecord.status)
             .where(CrimeRecord.id.in_(wanted[start:start + CHUNK])))
        out.update({i: Crime(i, r, c, at, st or "recorded") for i, r, c, at, st in s.execute(q)})
    return out


def disposals(s: Session) -> dict[int, tuple[str, str]]:
    """Sampled disposals: id -> (reference, type)."""
    q = select(Disposal.id, Disposal.ref, Disposal.disposal_type).where(
        Disposal.id.in_(select(AuditItem.record_id).where(AuditItem.kind == RecordKind.DISPOSAL)))
    return {i: (r, t) for i, r, t in s.execute(q)}


def cancellations(s: Session) -> dict[int, tuple[str, str | None, str | None]]:
    """Sampled cancellations: id -> (crime reference, the group as written, the cancelled crime's HO code)."""
    q = (select(Cancellation.id, Cancellation.crime_ref, Cancellation.offence_group, CrimeRecord.ho_code)
         .outerjoin(CrimeRecord, CrimeRecord.ref == Cancellation.crime_ref)
         .where(Cancellation.id.in_(select(AuditItem.record_id).where(AuditItem.kind == RecordKind.CANCELLATION))))
    return {i: (r, g, c) for i, r, g, c in s.execute(q)}


def n100s(s: Session) -> dict[int, str]:
    q = select(N100.id, N100.ref).where(
        N100.id.in_(select(AuditItem.record_id).where(AuditItem.kind == RecordKind.N100)))
    return {i: ref for i, ref in s.execute(q).tuples()}


@dataclass(frozen=True)
class SampleInfo:
    id: int
    name: str
    kind: str
    system: str | None
    method: str
    seed: int
    drawn_at: datetime | None
    drawn_by: str
    frame: dict[str, Any]


def samples(s: Session) -> list[SampleInfo]:
    q = select(Sample.id, Sample.name, Sample.kind, Sample.system, Sample.method, Sample.seed, Sample.drawn_at,
               Sample.drawn_by, Sample.frame).order_by(Sample.id)
    return [SampleInfo(i, name, kind, system, method, seed, at, by, dict(frame or {}))
            for i, name, kind, system, method, seed, at, by, frame in s.execute(q).tuples()]
