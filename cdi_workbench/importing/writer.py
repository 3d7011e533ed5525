"""Writing converted rows: a chunk at a time, set-wise, on the raw DBAPI connection of one transaction.

Each chunk costs one look-up of the references it holds (never one per row); new rows are inserted and changed
rows (import digest differs) updated with executemany (execute_values / execute_batch on PostgreSQL).
Columns the file does not fill are left as they were on update, and `extra` is merged key by key.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Connection

from .rows import Converter, Row
from .values import from_stored_text

# SQLite: rows per INSERT statement. One statement of many rows opens the table's and its indexes' cursors once
# instead of once per row: a million-row import spends 2 s less in SQLite than with one row per statement.
ROWS_PER_INSERT = 250


class Writer:
    """Upserts rows of one kind inside the caller's transaction (and stages their keys when links need them)."""

    def __init__(self, conn: Connection, conv: Converter) -> None:
        self.conn, self.conv, self.kind = conn, conv, conv.kind
        self.sqlite = conn.dialect.name == "sqlite"
        if conn.dialect.name not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"importing into {conn.dialect.name} is not supported")
        dbapi = conn.connection.dbapi_connection
        if dbapi is None:  # only a closed or invalidated connection has none
            raise RuntimeError("the import's database connection is closed")
        self.raw: Any = dbapi  # the driver's own (sqlite3, psycopg2): getlimit, named cursors
        self.cur = self.raw.cursor()
        self.ph = "?" if self.sqlite else "%s"
        table = self.kind.table.name
        cols = conv.columns
        # columns the file leaves at a constant are written into the statement: fewer values to bind per row
        constants = {**conv.constants, **conv.stamps}
        self.content: Any = None
        if "content_hash" in constants:  # each new record's content digest, bound with it (storage.content)
            from ..storage.content import insert_digest

            del constants["content_hash"]
            self.content = insert_digest(self.kind.table.name, conv.columns, conv.constants)
            cols = [*cols, "content_hash"]
        literals = [_literal(v, self.sqlite, c == "imported_at") for c, v in constants.items()]
        self.insert_sql = f"INSERT INTO {table} ({', '.join([*cols, *constants])}) VALUES "
        if self.sqlite:
            row = "(" + ", ".join(["?"] * len(cols) + literals) + ")"
            limit = cast(sqlite3.Connection, self.raw).getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            self.group = max(1, min(ROWS_PER_INSERT, limit // max(len(cols), 1)))
            self.insert_many_sql = self.insert_sql + ", ".join([row] * self.group)
            self.insert_sql += row
            self.insert_template = None
        else:
            self.insert_sql += "%s"
            self.insert_template = "(" + ", ".join(["%s"] * len(cols) + [x.replace("%", "%%") for x in literals]) + ")"
        upd = conv.update_columns
        stamps = [f"{c} = {_literal(v, self.sqlite, c == 'imported_at')}" for c, v in conv.stamps.items()]
        if "content_hash" in self.kind.table.c:  # worked out again once the import has written (storage.content)
            stamps.append("content_hash = NULL")
        if not self.sqlite:
            stamps = [x.replace("%", "%%") for x in stamps]
        sets = ", ".join([f"{c} = {self.ph}" for c in upd] + stamps)
        self.update_sql = f"UPDATE {table} SET {sets} WHERE id = {self.ph}"
        pos = {c: i for i, c in enumerate(cols)}
        self.update_pos = [pos[c] for c in upd]
        self.update_extra = upd.index("extra") if "extra" in upd else None
        self.dt_insert = conv.datetime_pos
        self.dt_update = [i for i, p in enumerate(self.update_pos) if p in conv.datetime_pos]
        self.key_col = "ref" if self.kind.report else self.kind.field(self.kind.key).column
        self.with_extra = self.update_extra is not None
        self.staging = False
        self.fresh = False  # nothing shared the file's keys when the import began: no look-ups needed
        # ids of records already audited (importing.audited): a change to one is kept in `audited` as
        # (id, key, import digest before, after)
        self.watch: set[int] = set()
        self.audited: list[tuple[int, Any, str | None, str]] = []

    # transaction and temp tables -------------------------------------------------------------------------------

    def begin(self) -> None:
        """Take the write lock now (so the look-ups see what the writes will meet) and set up staging."""
        if self.sqlite:
            self.conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            self.conn.exec_driver_sql("SELECT 1")  # let SQLAlchemy open its transaction first
            tables = [self.kind.table.name] + (["record_link"] if self.kind.name in (
                "incidents", "referrals", "crimes") else [])
            self.cur.execute(f"LOCK TABLE {', '.join(tables)} IN SHARE ROW EXCLUSIVE MODE")
        where = ""
        params: tuple[str, ...] = ()
        if self.conv.key_system is not None:  # incidents, or referrals of one system: only that system counts
            where, params = f" WHERE system = {self.ph}", (self.conv.key_system,)
        self.fresh = self.scalar(f"SELECT 1 FROM {self.kind.table.name}{where} LIMIT 1", params) is None

    def stage_keys(self) -> None:
        """Keep the keys of every row written in _cdi_keys, for the links to be worked out at the end."""
        self.staging = True
        self.temp_table("_cdi_keys", "system VARCHAR(40), ref VARCHAR(80)")

    def temp_table(self, name: str, columns: str) -> None:
        if self.sqlite:
            self.cur.execute(f"DROP TABLE IF EXISTS temp.{name}")
            self.cur.execute(f"CREATE TEMP TABLE {name} ({columns})")
        else:
            self.cur.execute(f"DROP TABLE IF EXISTS {name}")
            self.cur.execute(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP")

    def end(self) -> None:
        """Drop the temp tables (SQLite would keep them with the pooled connection)."""
        if self.sqlite:
            for name in ("_cdi_keys", "_cdi_aff", "_cdi_pairs", "_cdi_want"):
                self.cur.execute(f"DROP TABLE IF EXISTS temp.{name}")

    def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        self.cur.execute(sql, tuple(params))
        row = self.cur.fetchone()
        return row[0] if row else None

    def executemany(self, sql: str, rows: list[Any]) -> None:
        if not rows:
            return
        if self.sqlite:
            self.cur.executemany(sql, rows)
        else:
            from psycopg2.extras import execute_batch

            execute_batch(self.cur, sql, rows, page_size=1000)

    # rows ------------------------------------------------------------------------------------------------------

    def _lookup(self, keys: list[Any]) -> dict[Any, tuple[int, str | None, Any]]:
        found: dict[Any, tuple[int, str | None, Any]] = {}
        extra = ", extra" if self.with_extra else ""
        table = self.kind.table.name
        if self.conv.key_system is not None:
            groups: list[tuple[str | None, list[Any]]] = [(self.conv.key_system, keys)]
        elif self.kind.report:
            by_system: dict[str, list[str]] = {}
            for system, ref in keys:
                by_system.setdefault(system, []).append(ref)
            groups = list(by_system.items())
        else:
            groups = [(None, keys)]
        for system, refs in groups:
            marks = ", ".join([self.ph] * len(refs))
            if system is None:
                self.cur.execute(f"SELECT {self.key_col}, id, import_hash{extra} FROM {table} "
                                 f"WHERE {self.key_col} IN ({marks})", refs)
                for r in self.cur.fetchall():
                    found[r[0]] = (r[1], r[2], r[3] if extra else None)
            else:
                self.cur.execute(f"SELECT ref, id, import_hash{extra} FROM {table} WHERE system = {self.ph} "
                                 f"AND ref IN ({marks})", [system, *refs])
                tuples = self.conv.key_system is None
                for r in self.cur.fetchall():
                    found[(system, r[0]) if tuples else r[0]] = (r[1], r[2], r[3] if extra else None)
        return found

    def write(self, rows: list[Row], contents: list[str] | None = None) -> tuple[int, int, int]:
        """Insert the new rows, update the changed ones; returns (added, changed, unchanged). `contents`: each
        row's content digest when inserted, worked out already (arrow_path), else worked out here."""
        if not rows:
            return 0, 0, 0
        existing = {} if self.fresh else self._lookup([r[0] for r in rows])
        unchanged = 0
        new: list[int] | None = None  # which rows are inserted, when not all
        if not existing:
            inserts = [r[1] for r in rows]
            updates: list[list[Any]] = []
        else:
            inserts, updates, new = [], [], []
            watch = self.watch
            for i, (key, values, extra, digest, _, _) in enumerate(rows):
                hit = existing.get(key)
                if hit is None:
                    inserts.append(values)
                    new.append(i)
                elif hit[1] == digest:
                    unchanged += 1
                else:
                    updates.append(self._update_values(values, extra, hit))
                    if hit[0] in watch:
                        self.audited.append((hit[0], key, hit[1], digest))
        if self.content is not None and contents is not None:
            for values, digest in zip(inserts, contents if new is None else [contents[i] for i in new],
                                      strict=True):
                values.append(digest)
        elif self.content is not None:
            content = self.content
            for values in inserts:
                values.append(content(values))
        if not self.sqlite:
            self._pg_datetimes(inserts, self.dt_insert)
            self._pg_datetimes(updates, self.dt_update)
        if inserts:
            if self.sqlite:
                self._insert_sqlite(inserts)
            else:
                from psycopg2.extras import execute_values

                execute_values(self.cur, self.insert_sql, inserts, template=self.insert_template, page_size=1000)
        self.executemany(self.update_sql, updates)
        if self.staging:
            system = self.conv.key_system
            keys = [(system, r[0]) for r in rows] if system is not None or not self.kind.report else \
                [r[0] for r in rows]
            self.executemany(f"INSERT INTO _cdi_keys (system, ref) VALUES ({self.ph}, {self.ph})", keys)
        return len(inserts), len(updates), unchanged

    def _insert_sqlite(self, rows: list[list[Any]]) -> None:
        """`group` rows per statement (their values end to end), the remainder one row per statement."""
        group = self.group
        whole = len(rows) - len(rows) % group
        if whole:
            flat = list(itertools.chain.from_iterable(rows[:whole]))
            step = group * len(rows[0])
            self.cur.executemany(self.insert_many_sql, [flat[i:i + step] for i in range(0, len(flat), step)])
        if whole < len(rows):
            self.cur.executemany(self.insert_sql, rows[whole:])

    def _update_values(self, values: list[Any], extra: str | None, hit: tuple[int, str | None, Any]) -> list[Any]:
        out = [values[p] for p in self.update_pos]
        if self.update_extra is not None:
            old = hit[2] if isinstance(hit[2], dict) or hit[2] is None else json.loads(hit[2])
            if old:  # extra is merged key by key: columns another extract gave are kept
                merged = {**old, **(json.loads(extra) if extra else {})}
                out[self.update_extra] = json.dumps(merged, ensure_ascii=False)
        out.append(hit[0])
        return out

    @staticmethod
    def _pg_datetimes(rows: list[list[Any]], positions: list[int]) -> None:
        for values in rows:
            for p in positions:
                if values[p] is not None:
                    values[p] = from_stored_text(values[p])


def _literal(value: Any, sqlite: bool, utc_time: bool = False) -> str:
    """A constant (model defaults, kind, system, import stamps) as SQL text."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return ("1" if value else "0") if sqlite else ("TRUE" if value else "FALSE")
    if isinstance(value, int):
        return str(value)
    text = str(value) + ("+00:00" if utc_time and not sqlite else "")  # stored times are UTC
    return "'" + text.replace("'", "''") + "'"
