"""Which records a sample is drawn from: the filters, each kind's table and columns, the population's conditions,
its counts per stratum (what the population view shows, and a draw allocates from). sampling draws from it;
findings_units applies a sample's frame with the same conditions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, literal, or_, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from .classification import CANCELLATION_GROUPS, GROUP_LABELS, NO_CRIME
from .draw_keys import draw_key
from .kinds import RecordKind
from .rules import normalise_code
from .storage.models import N100, AuditItem, Cancellation, CrimeRecord, Disposal, RecordLink, ReportRecord
from .storage.record_models import date_column
from .strata import crime_group, null_rows, refresh_cancellations
from .strata import refresh as refresh_strata
from .timeutil import uk_local


@dataclass(frozen=True)
class Candidate:
    record_id: int
    ref: str
    stratum: str


@dataclass(frozen=True)
class Filters:
    """Which records of a kind form the population (all optional)."""

    opening_code: str = ""
    closing_code: str = ""
    ho_code: str = ""
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    # an audit's period (within_period): records with no date stay in (they cannot be placed in any one period)
    keep_undated: bool = False

    def to_json(self) -> dict[str, str]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v}

    @classmethod
    def from_json(cls, data: dict[str, str] | None) -> Filters:
        data = dict(data or {})
        for k in ("date_from", "date_to"):
            if data.get(k):
                data[k] = date.fromisoformat(data[k])  # type: ignore[assignment]
        return cls(**data)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Source:
    """Where the records of one kind are, and what their reference, draw key and stratum are."""

    table: Any
    id: Any
    ref: Any
    key: Any
    stratum: Any
    time: Any


def source(kind: str) -> Source:
    """The kind's date (the date filters') is its date column, record_models.date_column. A crime record's stratum is
    the offence group of its Home Office code (strata.crime_group)."""
    if kind in RecordKind.REPORTS:
        r = ReportRecord
        return Source(r, r.id, r.ref, r.draw_key, r.stratum, date_column(kind))
    if kind == RecordKind.DISPOSAL:
        return Source(Disposal, Disposal.id, Disposal.ref, Disposal.draw_key, Disposal.disposal_type,
                       date_column(kind))
    if kind == RecordKind.CANCELLATION:
        c = Cancellation
        return Source(c, c.id, c.crime_ref, c.draw_key, func.coalesce(c.offence_group, "other"), date_column(kind))
    if kind == RecordKind.N100:
        return Source(N100, N100.id, N100.ref, N100.draw_key, literal("n100"), date_column(kind))
    if kind == RecordKind.CRIME:
        return Source(CrimeRecord, CrimeRecord.id, CrimeRecord.ref, CrimeRecord.draw_key, crime_group(),
                       date_column(kind))
    raise ValueError(f"unknown record kind {kind!r}")


class Stored(ColumnElement[Any]):
    """A date column compared as stored: on SQLite `+column`, an expression without the column's NUMERIC affinity, so
    SQLite does not try to read a number from the bound date on every row (a quarter of a draw's scan at 5M rows).
    The same rows pass: that affinity would only ever apply to the bound date (text such as '2015-01-01
    00:00:00.000000', from which no number can be read, so it stays as it is), never to the stored value, and `+`
    keeps the column's collation. PostgreSQL compares the column itself."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any) -> None:  # noqa: ANN401 (a column)
        self.column = column
        self.type = column.type


@compiles(Stored)
def _stored(element: Stored, compiler: Any, **kw: Any) -> str:  # noqa: ANN401
    return str(compiler.process(element.column, **kw))


@compiles(Stored, "sqlite")
def _stored_sqlite(element: Stored, compiler: Any, **kw: Any) -> str:  # noqa: ANN401
    return "+" + str(compiler.process(element.column, **kw))


def where(q, src: Source, kind: str, system: str | None, f: Filters, exclude: int | None = None):  # type: ignore[no-untyped-def]
    """The population's conditions: kind and system, the filters, and (extending) not already in a sample."""
    if src.table is ReportRecord:
        q = q.where(ReportRecord.kind == kind)
        if system:
            q = q.where(ReportRecord.system == system)
    conditions = []
    if f.date_from:
        conditions.append(Stored(src.time) >= uk_local(f.date_from.year, f.date_from.month, f.date_from.day))
    if f.date_to:
        end = f.date_to + timedelta(days=1)
        conditions.append(Stored(src.time) < uk_local(end.year, end.month, end.day))
    if conditions:
        q = q.where(or_(and_(*conditions), src.time.is_(None)) if f.keep_undated else and_(*conditions))
    if src.table is CrimeRecord:  # recorded crime: a cancelled crime is audited in a cancellation dip-sample
        q = q.where(CrimeRecord.status != "cancelled")
        if f.ho_code:  # the code as rules.normalise_code compares it: no case, spaces or leading zeros
            stored = func.ltrim(func.upper(func.replace(CrimeRecord.ho_code, " ", "")), "0")
            q = q.where(stored == normalise_code(f.ho_code))
    if src.table is ReportRecord:
        if f.opening_code:
            q = q.where(ReportRecord.opening_code == f.opening_code)
        if f.closing_code:
            q = q.where(ReportRecord.closing_code == f.closing_code)
        if f.ho_code:
            linked = (select(RecordLink.report_id).join(CrimeRecord, CrimeRecord.id == RecordLink.crime_id)
                      .where(func.upper(CrimeRecord.ho_code) == normalise_code(f.ho_code)))
            q = q.where(ReportRecord.id.in_(linked))
    if exclude is not None:
        q = q.where(~exists().where(AuditItem.sample_id == exclude, AuditItem.record_id == src.id))
    return q


def within_period(f: Filters, start: date, end: date) -> Filters:
    """The filters narrowed to an audit's period (the later start, the earlier end)."""
    return replace(f, date_from=max(f.date_from, start) if f.date_from else start,
                   date_to=min(f.date_to, end) if f.date_to else end,
                   keep_undated=not (f.date_from or f.date_to))


def prepare(s: Session, kind: str) -> None:
    """Make sure every record has its draw key and every report its stratum (rows written outside the importer:
    by hand, by scripts, or links changed since), and every cancelled crime the offence group of its crime's
    Home Office code (strata.refresh_cancellations)."""
    src = source(kind)
    if src.table is ReportRecord:
        missing = null_rows(s.connection(), "draw_key")
    else:
        missing = [(i, r) for i, r in s.execute(select(src.id, src.ref).where(src.key.is_(None)))]
    for start in range(0, len(missing), 10000):
        s.execute(update(src.table), [{"id": i, "draw_key": draw_key(r)} for i, r in missing[start:start + 10000]])
    if src.table is ReportRecord:
        refresh_strata(s.connection())
    elif src.table is Cancellation:
        refresh_cancellations(s)


def population(s: Session, kind: str, system: str | None = None, filters: Filters | None = None) -> list[Candidate]:
    """Every record of a kind (and system) passing the filters, with its stratum."""
    prepare(s, kind)
    src = source(kind)
    q = where(select(src.id, src.ref, src.stratum), src, kind, system, filters or Filters())
    return [Candidate(i, r, st or NO_CRIME) for i, r, st in s.execute(q)]


def strata_counts(s: Session, kind: str, system: str | None, f: Filters, exclude: int | None = None) -> dict[str, int]:
    src = source(kind)
    if kind == RecordKind.N100:  # one stratum, a constant (which PostgreSQL will not group by)
        n = s.scalar(where(select(func.count(src.id)), src, kind, system, f, exclude)) or 0
        return {"n100": n} if n else {}
    q = where(select(src.stratum, func.count()), src, kind, system, f, exclude).group_by(src.stratum)
    return ordered_counts(kind, list(s.execute(q).tuples()))


def ordered_counts(kind: str, rows: list[tuple[str | None, int]]) -> dict[str, int]:
    """The counts per stratum as the population view and a sample's frame list them, from (stratum, count) rows."""
    counts = dict(sorted((st or NO_CRIME, n) for st, n in rows))
    if kind == RecordKind.CANCELLATION:  # the offence groups in the order reports list them
        order = list(CANCELLATION_GROUPS)
        counts = dict(sorted(counts.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order
                                                             else len(order), kv[0])))
    if kind == RecordKind.CRIME:  # the offence groups in the order reports list them (classification.GROUP_LABELS)
        groups = list(GROUP_LABELS)
        counts = dict(sorted(counts.items(), key=lambda kv: (groups.index(kv[0]) if kv[0] in groups
                                                             else len(groups), kv[0])))
    return counts


def population_counts(s: Session, kind: str, system: str | None = None,
                      filters: Filters | None = None) -> dict[str, int]:
    """How many records fall in each stratum: what the population view shows before a draw."""
    prepare(s, kind)
    return strata_counts(s, kind, system, filters or Filters())
