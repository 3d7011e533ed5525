"""Each imported record's content digest (the `content_hash` column, schema 0012), and a table's digest.

A record's digest covers what the extract put in it (its reference, dates, codes, narrative, the columns an
extract carried beyond the known ones), not what the workbench works out from it (the draw key, the stratum) nor
the import stamps. It is worked out from the stored values however they are read (typed through SQLAlchemy, or
raw from the driver: a SQLite date is its stored text, a flag 0 or 1, `extra` JSON text), so the importer, an
ORM write and `cdi verify` agree. `import_hash` is something else: a digest of the file's cells and mapping, for
telling a re-imported row unchanged; it cannot be worked out again from what is stored.

The digest is unkeyed: whoever holds a SQLite file can edit a record and store the digest of the edit. What
shows that is the table's digest (each record's id and digest, in id order) that every import writes to the
hash-chained history (audit.trail, action 'records'), and the trail's head printed in every report (the anchor:
docs/security.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ColumnDefault, Connection, DateTime, event, func, select
from sqlalchemy.orm import Mapper
from sqlalchemy.types import TypeDecorator

from ..timeutil import to_utc
from .models import N100, Cancellation, CrimeRecord, Disposal, ReportRecord

# what each record table's digest covers, in this order (named here, not read from the model: a column added later
# is in a record's digest only when added here, with a migration working out every stored digest again)
CONTENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "report_record": ("kind", "system", "ref", "received_at", "opening_code", "closing_code", "caller_type",
                      "agency", "category", "location", "narrative", "crime_refs", "extra"),
    "crime_record": ("ref", "recorded_at", "reported_at", "month", "ho_code", "offence", "status", "outcome",
                     "source_ref", "domestic_abuse", "victim_age", "victim_sex", "location", "extra"),
    "disposal": ("ref", "crime_ref", "disposal_type", "issued_at", "offender_history", "victim", "notes", "extra"),
    # offence_group: as the workbench regroups it (strata.refresh_cancellations refreshes the digest)
    "cancellation": ("crime_ref", "cancelled_at", "reason", "decided_by_role", "offence_group", "notes", "extra"),
    "n100": ("ref", "incident_ref", "recorded_at", "reason_code", "narrative", "extra"),
}
RECORD_TABLES: dict[str, Any] = {m.__tablename__: m for m in (ReportRecord, CrimeRecord, Disposal, Cancellation,
                                                               N100)}
# what the trail calls each table (a 'records' row's "table")
TABLE_LABELS = {"report_record": "incident and referral records", "crime_record": "crime records",
                "disposal": "out-of-court disposals", "cancellation": "cancelled crimes", "n100": "N100 records"}
CHUNK = 5000


def canonical(value: Any) -> Any:
    """One stored value in its canonical form (JSON-native): a date as SQLite stores it (naive UTC text, as the
    importer writes it too), a flag 0 or 1."""
    if value is None or value.__class__ is str:
        return value
    if isinstance(value, datetime):
        return to_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _extra(value: Any) -> Any:
    """`extra` as JSON text in one form whether read raw (text, as either writer spelled it) or typed (a dict)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else None


_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_HASH = hashlib.blake2b(digest_size=16, person=b"cdi-record")


class _Digester:
    """The digest of one table's rows from their CONTENT_COLUMNS values: only the columns whose stored form varies
    with the reader (dates, flags, `extra`) are touched, so a million rows cost a few seconds."""

    def __init__(self, table: str) -> None:
        self.table = table
        cols = CONTENT_COLUMNS[table]
        t = RECORD_TABLES[table].__table__
        self.dates = [i for i, c in enumerate(cols) if isinstance(t.c[c].type, DateTime | TypeDecorator)]
        self.flags = [i for i, c in enumerate(cols) if isinstance(t.c[c].type, Boolean)]
        self.extra = cols.index("extra")

    def __call__(self, values: list[Any]) -> str:
        for i in self.dates:
            v = values[i]
            if v is not None and v.__class__ is not str:
                values[i] = canonical(v)
        for i in self.flags:
            v = values[i]
            if v is not None:
                values[i] = int(v)
        if values[self.extra] is not None:
            values[self.extra] = _extra(values[self.extra])
        h = _HASH.copy()
        h.update(_DUMPS([self.table, *values]).encode("utf-8", "surrogatepass"))
        return h.hexdigest()


_DIGESTERS: dict[str, _Digester] = {}


def _digester(table: str) -> _Digester:
    d = _DIGESTERS.get(table)
    if d is None:
        d = _DIGESTERS[table] = _Digester(table)
    return d


def content_digest(table: str, values: Iterable[Any]) -> str:
    """The digest of one record of `table` from its CONTENT_COLUMNS values, in that order (32 hex characters)."""
    values = list(values)
    if len(values) != len(CONTENT_COLUMNS[table]):
        raise ValueError(f"{table}: {len(CONTENT_COLUMNS[table])} values expected, {len(values)} given")
    return _digester(table)(values)


def insert_digest(table: str, columns: list[str], constants: dict[str, Any]) -> Callable[[list[Any]], str]:
    """For the importer: the digest of a new record from the values it binds (`columns`, in order, dates as their
    stored text) and the constants its INSERT writes for the rest, as content_digest gives it once stored."""
    where = {c: i for i, c in enumerate(columns)}
    plan = [(where.get(c), constants.get(c)) for c in CONTENT_COLUMNS[table]]
    digest = _digester(table)

    def run(values: list[Any]) -> str:
        return digest([values[i] if i is not None else const for i, const in plan])

    return run


def digest_of(record: Any) -> str:
    """The content digest of an ORM record object (ReportRecord, CrimeRecord, ...), as it will be stored (a column
    left unset takes its default, as the INSERT gives it)."""
    table = record.__tablename__
    columns = record.__table__.c
    values = []
    for c in CONTENT_COLUMNS[table]:
        value = getattr(record, c)
        default = columns[c].default
        if value is None and isinstance(default, ColumnDefault) and default.is_scalar:
            value = default.arg
        values.append(value)
    return content_digest(table, values)


def _rows(conn: Connection, table: str, missing: bool = False, stop: Callable[[], bool] | None = None
          ) -> Iterator[list[tuple[int, str | None, str]]]:
    """Chunks of (id, stored digest, digest of the content as it is now) of the table's rows (with `missing`, only
    those without a stored digest), in id order: read as the driver gives them, a chunk at a time by id."""
    digest = _digester(table)
    raw: Any = conn.connection.dbapi_connection
    ph = "?" if conn.dialect.name == "sqlite" else "%s"
    sql = (f"SELECT id, content_hash, {', '.join(CONTENT_COLUMNS[table])} FROM {table} WHERE id > {ph}"
           + (" AND content_hash IS NULL" if missing else "") + f" ORDER BY id LIMIT {CHUNK}")
    cur = raw.cursor()
    try:
        last = -(2 ** 62)
        while True:
            if stop is not None and stop():
                from ..audit.trail import Stopped

                raise Stopped
            cur.execute(sql, (last,))
            rows = cur.fetchall()
            if not rows:
                return
            yield [(r[0], r[1], digest(list(r[2:]))) for r in rows]
            last = rows[-1][0]
    finally:
        cur.close()


def fill(conn: Connection, table: str) -> int:
    """Work out the digest of every row of `table` that has none yet (rows an import just wrote or changed: the
    importer leaves it empty), inside the caller's transaction; returns how many."""
    raw: Any = conn.connection.dbapi_connection
    ph = "?" if conn.dialect.name == "sqlite" else "%s"
    sql = f"UPDATE {table} SET content_hash = {ph} WHERE id = {ph}"
    n = 0
    for chunk in _rows(conn, table, missing=True):
        cur = raw.cursor()
        try:
            if conn.dialect.name == "sqlite":
                cur.executemany(sql, [(d, rid) for rid, _, d in chunk])
            else:
                from psycopg2.extras import execute_batch

                execute_batch(cur, sql, [(d, rid) for rid, _, d in chunk], page_size=1000)
        finally:
            cur.close()
        n += len(chunk)
    return n


def table_digest(conn: Connection, table: str, stop: Callable[[], bool] | None = None) -> tuple[int, str]:
    """(rows, digest) of `table`: each record's id and stored content digest, in id order."""
    raw: Any = conn.connection.dbapi_connection
    ph = "?" if conn.dialect.name == "sqlite" else "%s"
    sql = f"SELECT id, content_hash FROM {table} WHERE id > {ph} ORDER BY id LIMIT {CHUNK * 10}"
    h = hashlib.sha256(table.encode())
    n, last = 0, -(2 ** 62)
    cur = raw.cursor()
    try:
        while True:
            if stop is not None and stop():
                from ..audit.trail import Stopped

                raise Stopped
            cur.execute(sql, (last,))
            rows = cur.fetchall()
            if not rows:
                break
            h.update("".join([f"\n{rid}:{digest or ''}" for rid, digest in rows]).encode())
            n += len(rows)
            last = rows[-1][0]
    finally:
        cur.close()
    return n, h.hexdigest()


def table_state(conn: Connection, table: str) -> dict[str, Any]:
    """What a 'records' history row records of a table: {"table", "rows", "digest"}."""
    rows, digest = table_digest(conn, table)
    return {"table": table, "rows": rows, "digest": digest}


def changed_records(conn: Connection, table: str, stop: Callable[[], bool] | None = None
                    ) -> Iterator[tuple[int, str | None, str]]:
    """(id, stored digest, digest of the content now) of every record whose content is not what its stored digest
    says (edited outside the application, its digest left as it was)."""
    for chunk in _rows(conn, table, stop=stop):
        for rid, stored, now in chunk:
            if stored != now:
                yield rid, stored, now


def count(conn: Connection, table: str) -> int:
    t = RECORD_TABLES[table].__table__
    return conn.execute(select(func.count()).select_from(t)).scalar_one()


def _stamp(_mapper: Mapper[Any], _conn: Connection, target: Any) -> None:
    target.content_hash = digest_of(target)


for _model in RECORD_TABLES.values():  # a record written through the ORM (a package's copy, a test) gets its digest
    event.listen(_model, "before_insert", _stamp)
    event.listen(_model, "before_update", _stamp)
