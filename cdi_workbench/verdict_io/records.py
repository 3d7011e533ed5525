"""What the audit holds that a verdicts file refers to: the sampled records (once however many samples hold
them), the audit's rule set, crime records by id or reference."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, null, select
from sqlalchemy.orm import Session

from ..audit.verdicts import REPORT_KINDS
from ..kinds import RecordKind
from ..rules import RuleSet, rule_set
from ..storage.models import N100, Audit, AuditItem, Cancellation, CrimeRecord, Disposal, ReportRecord, Sample

_CHUNK = 500  # values per SQL IN (...)


@dataclass
class _Record:
    """A sampled record, once however many samples hold it, with the audit items that sample it."""

    kind: str
    record_id: int
    ref: str
    system: str
    item_ids: list[int] = field(default_factory=list)
    received_at: datetime | None = None
    disposal_type: str = ""
    order: tuple[int, int] = (0, 0)  # (sample, position) of its first item


def _sampled_records(s: Session) -> list[_Record]:
    """Every sampled record in sample and draw order."""
    none = null()
    # per kind: the record table, its id and reference, what tells records apart in messages, received at,
    # disposal type
    sources = [
        (ReportRecord, ReportRecord.id, ReportRecord.ref, ReportRecord.system, ReportRecord.received_at, none,
         AuditItem.kind.in_(REPORT_KINDS)),
        (Disposal, Disposal.id, Disposal.ref, Disposal.disposal_type, none, Disposal.disposal_type,
         AuditItem.kind == "disposal"),
        (Cancellation, Cancellation.id, Cancellation.crime_ref, Cancellation.offence_group, none, none,
         AuditItem.kind == "cancellation"),
        (N100, N100.id, N100.ref, none, none, none, AuditItem.kind == "n100"),
        (CrimeRecord, CrimeRecord.id, CrimeRecord.ref, CrimeRecord.ho_code, none, none,
         AuditItem.kind == RecordKind.CRIME),
    ]
    queries = [select(AuditItem.id, AuditItem.kind, AuditItem.record_id, AuditItem.sample_id, AuditItem.position,
                      ref, system, received, dtype).join(table, record_id == AuditItem.record_id).where(where)
               for table, record_id, ref, system, received, dtype, where in sources]
    found: dict[tuple[str, int], _Record] = {}
    order: dict[int, tuple[int, int]] = {}
    for q in queries:
        for item_id, kind, record_id, sample_id, position, ref, system, when, extra in s.execute(q):
            order[item_id] = (sample_id, position)
            rec = found.get((kind, record_id))
            if rec is None:
                rec = found[(kind, record_id)] = _Record(kind, record_id, ref, system or "", order=order[item_id])
                if kind in REPORT_KINDS:
                    rec.received_at = when
                elif kind == "disposal":
                    rec.disposal_type = extra or ""
            rec.item_ids.append(item_id)
            rec.order = min(rec.order, order[item_id])
    for rec in found.values():
        rec.item_ids.sort(key=order.__getitem__)
    return sorted(found.values(), key=lambda r: r.order)


def _rules(s: Session) -> RuleSet:
    key = s.scalar(select(Audit.rule_set).limit(1))
    if key is None:
        raise ValueError("this database holds no audit")
    return rule_set(key)


def _item_rules(s: Session) -> dict[int, RuleSet]:
    """Each audit item's rule set: its sample's audit's (a programme holds audits under either); an item whose
    sample has no audit, or an unknown one, has the programme's first audit's (as audit.programme.of_audit says)."""
    audits = {i: rule_set(key) for i, key in s.execute(select(Audit.id, Audit.rule_set).order_by(Audit.id))}
    first = next(iter(audits.values()), None)
    of_sample = {sid: audits.get(aid) if aid is not None else None
                 for sid, aid in s.execute(select(Sample.id, Sample.audit_id))}
    out: dict[int, RuleSet] = {}
    for i, sid in s.execute(select(AuditItem.id, AuditItem.sample_id)):
        rs = of_sample.get(sid) or first
        if rs is not None:
            out[i] = rs
    return out


def _in_chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    values = list(values)
    for i in range(0, len(values), _CHUNK):
        yield values[i:i + _CHUNK]


def _crimes_by_id(s: Session, ids: Iterable[int]) -> dict[int, CrimeRecord]:
    out: dict[int, CrimeRecord] = {}
    for chunk in _in_chunks(set(ids)):
        out.update({c.id: c for c in s.scalars(select(CrimeRecord).where(CrimeRecord.id.in_(chunk)))})
    return out


def _crimes_by_ref(s: Session, refs: Iterable[str]) -> dict[str, CrimeRecord]:
    """Crime records by reference as given: exactly, else ignoring case where that finds just one."""
    wanted = set(refs)
    out: dict[str, CrimeRecord] = {}
    for chunk in _in_chunks(wanted):
        out.update({c.ref: c for c in s.scalars(select(CrimeRecord).where(CrimeRecord.ref.in_(chunk)))})
    rest = {r.upper(): r for r in wanted - set(out)}
    found: dict[str, list[CrimeRecord]] = {}
    for chunk in _in_chunks(rest):
        for c in s.scalars(select(CrimeRecord).where(func.upper(CrimeRecord.ref).in_(chunk))):
            found.setdefault(c.ref.upper(), []).append(c)
    out.update({rest[key]: crimes[0] for key, crimes in found.items() if len(crimes) == 1 and key in rest})
    return out
