"""What the findings read from the database, as plain rows in a few set-based queries (no ORM objects).

An audit of 20,000 verdicts is read in a handful of Core SELECTs (SQLAlchemy Core on the tables, so no ORM
loading machinery per row): the effective verdicts joined to their items and, for incidents and referrals, to
the sampled report in the same row; the crime records the verdicts link, fetched in chunks (SQLite refuses more
than 32,766 parameters in one statement); and the other kinds' sampled records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import DateTime, Text, and_, case, exists, literal, select, type_coerce
from sqlalchemy.orm import Session

from .audit.programme import of_audit
from .kinds import RecordKind, VerdictRole
from .storage.models import (
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


class Crime(NamedTuple):
    """A crime record as the findings need it (a tuple: tens of thousands are read at once)."""

    id: int
    ref: str
    ho_code: str | None
    recorded_at: datetime | None
    status: str


_V, _A, _R, _C = Verdict.__table__.c, AuditItem.__table__.c, ReportRecord.__table__.c, CrimeRecord.__table__.c
_ORDER = (_A.sample_id, _A.position, _V.role.desc())  # sample and draw order, 'primary' before 'final'
# A date-time column read as its storage type, not as storage.types.UTCDateTime: the driver's value parsed as the
# engine parses it (on SQLite the stored UTC string, naive; on PostgreSQL an aware datetime); stored() then gives
# what UTCDateTime gives, at a fifth of the cost (54,000 date-times in an audit of 20,000 verdicts)
_STORED_TIME = DateTime(timezone=True)


def _raw_time(column: Any) -> Any:  # noqa: ANN401 (a column expression)
    return type_coerce(column, _STORED_TIME).label(column.name)


def stored(value: datetime | None) -> datetime | None:
    """A date-time read with _raw_time exactly as UTCDateTime returns it: aware, in UTC (a naive value is UTC, as
    stored). datetime.combine(value, value.time(), UTC) is value.replace(tzinfo=UTC), fold and all, made faster."""
    if value is None:
        return None
    return datetime.combine(value, value.time(), UTC) if value.tzinfo is None else value.astimezone(UTC)


def effective_verdicts(s: Session) -> list[ItemVerdict]:
    """One row per audit item that has a primary or final verdict (the final one where it exists), in sample and
    draw order."""
    q = (select(_V.item_id, _A.sample_id, _A.position, _A.kind, _A.record_id, _A.stratum, _V.auditor,
                _V.updated_at, _V.body, _V.complete)
         .join_from(Verdict.__table__, AuditItem.__table__, _A.id == _V.item_id)
         .where(_V.role.in_(VerdictRole.EFFECTIVE)).order_by(*_ORDER))
    out: dict[int, ItemVerdict] = {}
    for item_id, sid, pos, kind, rid, stratum, auditor, at, body, complete in s.connection().execute(q):
        # rows come primary first, so a final verdict replaces the primary one in place (the order is kept)
        out[item_id] = ItemVerdict(item_id, sid, pos, kind, rid, stratum, auditor, at, body or {}, bool(complete))
    return list(out.values())


class Effective(NamedTuple):
    """A completed effective verdict with its item and, for an incident or referral, its sampled report.

    body is the verdict's body as stored (on SQLite its JSON text), read with the Verdicts' parse; received_at is
    what UTCDateTime gives (stored()); updated_at is left as the driver gives it (_raw_time), for stored() to
    convert only where the verdict rows show it. Kept by the findings for their verdict rows, so held as text and
    plain values: an object Python's cycle collector need not walk."""

    item_id: int
    sample_id: int
    position: int
    kind: str
    record_id: int
    stratum: str | None
    auditor: str
    updated_at: datetime | None
    body: Any
    report_kind: str | None  # None for the other kinds (and for a report record that is missing)
    system: str | None
    ref: str | None
    received_at: datetime | None


class Verdicts(NamedTuple):
    rows: list[Effective]
    parse: Callable[[Any], Any]  # a body as stored -> the JSON value SQLAlchemy's JSON type would give


def completed_verdicts(s: Session, audit_id: int | None = None) -> Verdicts:
    """The effective verdicts (the final one where it exists, else the primary) that are complete, in sample and
    draw order, each joined to its sampled report in the same query: one SELECT, rows as tuples. The database picks
    each item's effective verdict (an index lookup of the final one per item) and gives the rows in draw order (the
    items' (sample, position) index), so Python only wraps them. `audit_id`: only those of the samples drawn for
    that audit of the programme (None: every sample)."""
    # on SQLite the body as the text it is stored as (parsed by json_text where used), not by the JSON type
    text = s.get_bind().dialect.name == "sqlite"
    final = Verdict.__table__.alias("final_verdict")
    effective_role = case((exists().where(final.c.item_id == _A.id, final.c.role == VerdictRole.FINAL),
                           literal(VerdictRole.FINAL.value)), else_=literal(VerdictRole.PRIMARY.value))
    q = (select(_V.item_id, _A.sample_id, _A.position, _A.kind, _A.record_id, _A.stratum, _V.auditor,
                _raw_time(_V.updated_at), type_coerce(_V.body, Text) if text else _V.body, _R.kind, _R.system, _R.ref,
                _raw_time(_R.received_at))
         .join_from(AuditItem.__table__, Verdict.__table__, and_(_V.item_id == _A.id, _V.role == effective_role))
         .outerjoin(ReportRecord.__table__, and_(_R.id == _A.record_id, _A.kind.in_(RecordKind.REPORTS)))
         .where(_V.complete.is_(True)).order_by(_A.sample_id, _A.position))
    if audit_id is not None:
        q = q.where(_A.sample_id.in_(select(Sample.id).where(of_audit(s, audit_id))))
    kept = [Effective(i, sid, pos, kind, rid, stratum, auditor, at, body, r_kind, system, ref, stored(received))
            for i, sid, pos, kind, rid, stratum, auditor, at, body, r_kind, system, ref, received
            in s.connection().execute(q).all()]
    return Verdicts(kept, json_text if text else _as_given)


_scan_json: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]

try:  # a compiled JSON reader, about four times json's speed on verdict bodies (20,000 of them per large audit)
    from orjson import JSONDecodeError as _OrjsonError
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover - a dependency; without it, json alone
    _orjson_loads = None  # type: ignore[assignment]


def _as_given(value: Any) -> Any:  # noqa: ANN401 (a JSON value the driver has parsed)
    return value


def json_text(text: Any) -> Any:  # noqa: ANN401 (JSON as stored; any JSON value)
    """json.loads(text), what SQLAlchemy's JSON type gives on SQLite, made faster: read by orjson where it reads
    the text, else (NaN, Infinity, a number too large for a double, a lone surrogate: orjson refuses those) by json
    itself, to read or refuse as it does. One difference, which no figure depends on: an integer outside 64 bits
    (beyond what either database's integer column holds, so never a record's id) is read as the nearest float."""
    if not isinstance(text, str):
        return None if text is None else json.loads(text)
    if _orjson_loads is not None:
        try:
            return _orjson_loads(text)
        except _OrjsonError:
            pass
    try:
        value, end = _scan_json(text, 0)
    except StopIteration:  # no value at the start (white space, a byte order mark, not JSON)
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


def crimes(s: Session, ids: Iterable[int]) -> dict[int, Crime]:
    """The crime records with these ids: first every crime linked to a sampled incident or referral (one query
    with no parameters: most crimes a verdict names are linked), then any others in chunks."""
    return _crimes(s, ids, _C.recorded_at, _as_read)


def _as_read(value: datetime | None) -> datetime | None:
    return value


def crimes_utc(s: Session, ids: Iterable[int]) -> dict[int, Crime]:
    """As crimes(), faster (the recording times converted by stored(), not by UTCDateTime)."""
    return _crimes(s, ids, _raw_time(_C.recorded_at), stored)


def _crimes(s: Session, ids: Iterable[int], recorded_at: Any,  # noqa: ANN401 (a column expression)
            convert: Callable[[Any], datetime | None]) -> dict[int, Crime]:
    wanted_set = set(ids)
    out: dict[int, Crime] = {}
    columns = (_C.id, _C.ref, _C.ho_code, recorded_at, _C.status)
    if len(wanted_set) > 50:
        link = RecordLink.__table__.c
        linked = (select(link.crime_id).join_from(RecordLink.__table__, AuditItem.__table__,
                                                  _A.record_id == link.report_id)
                  .where(_A.kind.in_(RecordKind.REPORTS)))
        rows = s.connection().execute(select(*columns).where(_C.id.in_(linked))).all()
        out.update({i: Crime(i, r, c, convert(at), st or "recorded") for i, r, c, at, st in rows if i in wanted_set})
    wanted = sorted(wanted_set - out.keys())
    for start in range(0, len(wanted), CHUNK):
        rows = s.connection().execute(select(*columns).where(_C.id.in_(wanted[start:start + CHUNK]))).all()
        out.update({i: Crime(i, r, c, convert(at), st or "recorded") for i, r, c, at, st in rows})
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


def samples(s: Session, audit_id: int | None = None) -> list[SampleInfo]:
    """The samples (of one audit of the programme: audit_id; None: all)."""
    q = select(Sample.id, Sample.name, Sample.kind, Sample.system, Sample.method, Sample.seed, Sample.drawn_at,
               Sample.drawn_by, Sample.frame).order_by(Sample.id)
    if audit_id is not None:
        q = q.where(of_audit(s, audit_id))
    return [SampleInfo(i, name, kind, system, method, seed, at, by, dict(frame or {}))
            for i, name, kind, system, method, seed, at, by, frame in s.execute(q).tuples()]
