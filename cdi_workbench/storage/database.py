"""Opening an audit database: engine settings, schema creation and upgrade (with a backup first)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:  # Alembic is imported only when a schema is created or upgraded (it is slow to load)
    from alembic.config import Config

    from .encryption import Key

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseError(Exception):
    """A database that cannot be opened, with a message fit to show the user."""


class UntrustedFile(DatabaseError):
    """A SQLite file holding SQL the workbench did not make (a trigger, a view, a table or an index too many, or
    one of its own altered): refused before anything was written to it (schema_check.py, docs/security.md)."""


def is_url(target: str | Path) -> bool:
    return "://" in str(target)


def make_engine(target: str | Path, key: Key | None = None) -> Engine:
    """An engine for a SQLite file path or a database URL (e.g. postgresql+psycopg2://...). With `key`, the file is
    encrypted (storage/encryption.py): each connection is a sqlcipher3 one keyed before anything reads the file
    (SQLAlchemy's SQLite dialect over the sqlcipher3 module, so its errors are wrapped as usual; the pool as for
    a plain file, and the key never in a URL)."""
    if is_url(target):
        return create_engine(str(target), pool_pre_ping=True)
    if key is not None:
        from .encryption import connect, dbapi

        path = Path(target)
        engine = create_engine(f"sqlite:///{path}", module=dbapi(), creator=lambda: connect(
            path, key, check_same_thread=False, timeout=30))
    else:
        engine = create_engine(f"sqlite:///{Path(target)}", connect_args={"check_same_thread": False,
                                                                          "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA trusted_schema=OFF")  # SQL kept in the file may call no function with side effects
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")  # an acknowledged verdict survives a power cut
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    return engine


WRITE_LOCK = 7215_2014  # PostgreSQL advisory lock: one unit of verdict work at a time across the team


def serialise_writes(s: Session) -> None:
    """Make this unit of work wait for any other writer before it reads what it will change.

    Call it first in a unit of work that reads and then writes (a verdict change: read the old verdict, write
    the new one and the next link of the hash chain). On PostgreSQL it takes a transaction-scoped advisory
    lock; on SQLite a write statement that touches no row starts the write transaction at once (waiting up
    to the busy timeout), so two people saving at the same moment take turns instead of both reading the same
    old state."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(select(func.pg_advisory_xact_lock(WRITE_LOCK)))
    else:
        s.execute(text("UPDATE audit SET id = id WHERE 0"))


def _alembic_config(connection: object) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head() or ""


_REVISION_LINE = re.compile(r"""^(down_)?revision\s*=\s*['"]([^'"]+)['"]""", re.MULTILINE)


@cache
def _file_revisions() -> tuple[frozenset[str], frozenset[str]]:
    """The revisions the migration scripts declare, and those they revise (read without Alembic)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for down, rev in _REVISION_LINE.findall(script.read_text(encoding="utf-8")):
            (revised if down else revisions).add(rev)
    return frozenset(revisions), frozenset(revised)


def head_from_files() -> str | None:
    """The head revision read straight from the migration scripts, without Alembic: the one revision that no
    other revises (None if that is not one clear answer: then ask Alembic). Opening an up-to-date database
    compares its revision with this and never loads Alembic (head_revision() says the same; a test checks)."""
    revisions, revised = _file_revisions()
    heads = revisions - revised
    return next(iter(heads)) if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _stored_revisions(engine: Engine) -> list[str] | None:
    """The revisions the database's alembic_version table holds, by plain SQL (None: no such table)."""
    if "alembic_version" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        return [str(r) for r in conn.execute(text("SELECT version_num FROM alembic_version")).scalars()]


def backup_sqlite(path: Path, revision: str, key: Key | None = None) -> Path:
    """Copy a SQLite file with SQLite's own backup API (consistent even with a WAL) before an upgrade; an
    encrypted file's copy is encrypted like it (`key`)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = path.with_name(f"{path.stem}.backup-{revision}-{stamp}{path.suffix}")
    copy_sqlite(path, dest, key)
    return dest


def copy_sqlite(path: Path, dest: Path, key: Key | None = None) -> None:
    """Copy a SQLite database into `dest` (a new file) with SQLite's online backup API: a consistent snapshot
    holding every committed transaction, those still in the write-ahead log (-wal) too, which a copy of the main
    file alone would lose; writers may carry on meanwhile. The copy is one self-contained file (rollback journal
    mode: no -wal beside it to forget), checked before it is handed back. An encrypted database (`key`) is copied
    page by page into a file encrypted with the same key and salt, as a copy of the file would be: it opens with
    the same passphrase, and never exists in plain (SQLCipher refuses a backup from an encrypted database into a
    plain one)."""
    opened: Callable[..., Any] = sqlite3.connect
    if key is not None:
        from .encryption import connect

        opened = partial(connect, key=key)
    src = opened(path, timeout=30)
    try:
        src.execute("PRAGMA trusted_schema=OFF")
        dst = opened(dest)
        try:
            dst.execute("PRAGMA trusted_schema=OFF")
            with dst:
                src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            check = dst.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise DatabaseError(f"the copy of {path.name} does not check out ({check[0] if check else '?'})")
        finally:
            dst.close()
    finally:
        src.close()


def _known_revision(rev: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(_alembic_config(None)).get_revision(rev) is not None
    except CommandError:
        return False


def prepare_schema(engine: Engine, target: str | Path, create: bool, key: Key | None = None) -> Path | None:
    """Create the schema on a new database, or upgrade an older one; returns the backup made, if any (encrypted
    like the database: `key`)."""
    stored = _stored_revisions(engine)
    if stored is not None and len(stored) == 1 and stored[0] == head_from_files():
        return None  # up to date: the usual open, without loading Alembic
    from alembic import command

    head = head_revision()
    names = set(inspect(engine).get_table_names())
    current = current_revision(engine) if "alembic_version" in names else None
    if current is None and names - {"alembic_version"}:
        raise DatabaseError(f"{target} is not a CDI Workbench audit database (it holds other tables).")
    if current is None and not create:
        raise DatabaseError(f"{target} holds no audit. Create one with 'cdi init'.")
    if current is not None and not _known_revision(current):
        raise DatabaseError(f"{target} was written by a newer version of CDI Workbench (schema {current}); "
                            "update the workbench to open it.")
    if current == head:
        return None
    backup = None
    if current is not None and not is_url(target):
        backup = backup_sqlite(Path(target), current, key)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    return backup


def _check_sqlite_file(path: Path) -> None:
    """Refuse, without touching it, a path that is not a SQLite file (opening would write to it)."""
    if not path.exists():
        raise DatabaseError(f"{path}: no such file")
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder, not an audit database")
    with open(path, "rb") as fh:
        head = fh.read(16)
    if not head:
        raise DatabaseError(f"{path.name} is empty: it holds no audit. Create one with 'cdi init'.")
    if head != b"SQLite format 3\x00":
        from .encryption import is_encrypted

        if is_encrypted(path):
            return  # an encrypted one (SQLCipher): opened with its key, and checked the same way
        raise DatabaseError(f"{path.name} is not an audit database (not a SQLite file: perhaps a spreadsheet or "
                            "an export?)")


_UNTRUSTED_ADVICE = ("A file changed outside CDI Workbench can carry SQL of its own, which would run when verdicts "
                     "are saved. Open the file as the workbench wrote it (or a backup of it) instead.")


def _untrusted(path: Path, found: list[str]) -> UntrustedFile:
    said = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
    return UntrustedFile(f"{path.name} holds {said}: refused, nothing was changed. {_UNTRUSTED_ADVICE}")


@cache
def _manifest_from_migrations() -> dict[str, dict[tuple[str, str], str]]:
    """The expected schemas worked out now, by running the migrations on a temporary file (a third of a second,
    with Alembic): only for a revision the scripts have and the manifest (resources/schema_manifest.json) has
    not yet, i.e. while a new migration is being written. A test fails until the manifest is regenerated."""
    import warnings

    from .schema_check import build_manifest

    warnings.warn("the schema manifest (resources/schema_manifest.json) lacks the newest migration: regenerate "
                  "it (python -m cdi_workbench.storage.schema_check --write)", stacklevel=3)
    return build_manifest()


def check_sqlite_schema(path: Path, key: Key | None = None) -> None:
    """Refuse, before anything writes to it, a SQLite file whose schema (sqlite_master: tables, indexes, triggers,
    views) is not exactly what the migrations make at the file's schema version: an object too many, one altered
    or one missing is named in the UntrustedFile raised. Read with trusted_schema OFF and query_only ON; nothing
    in the file runs (a trigger runs only when its table is written). An empty file passes (a new database).
    Costs a millisecond or two: one read of sqlite_master, compared with the precomputed manifest
    (resources/schema_manifest.json).
    An encrypted file is read with its `key` (WrongPassphrase when it does not open it)."""
    from .schema_check import connect_to_inspect, differences, read_revisions, read_schema
    from .schema_manifest import SQLITE_SCHEMA

    version_table = ("table", "alembic_version")
    errors: tuple[type[BaseException], ...] = (sqlite3.Error,)
    if key is not None:
        from .encryption import driver_errors

        errors = driver_errors()
    try:
        conn = connect_to_inspect(path, key)
        try:
            rows = read_schema(conn)
            if not rows:
                return
            if not any(r[:2] == version_table for r in rows):
                raise DatabaseError(f"{path} is not a CDI Workbench audit database (it holds other tables).")
            same_in_all = next(iter(SQLITE_SCHEMA.values()))[version_table]
            found = differences([r for r in rows if r[:2] == version_table], {version_table: same_in_all})
            if found:
                raise _untrusted(path, found)
            revisions = read_revisions(conn)
        finally:
            conn.close()
    except errors as exc:
        raise DatabaseError(f"{path.name}: cannot be opened as an audit database ({exc})") from None
    if not revisions:
        if any(r[2] != "alembic_version" for r in rows):
            raise DatabaseError(f"{path} is not a CDI Workbench audit database (it holds other tables).")
        return
    if len(revisions) > 1:
        raise DatabaseError(f"{path.name} is not a CDI Workbench audit database (it names several schema "
                            f"versions: {', '.join(revisions[:5])})")
    expected = SQLITE_SCHEMA.get(revisions[0])
    if expected is None and revisions[0] in _file_revisions()[0]:
        expected = _manifest_from_migrations().get(revisions[0])
    if expected is None:
        raise DatabaseError(f"{path} was written by a newer version of CDI Workbench (schema {revisions[0]}); "
                            "update the workbench to open it.")
    found = differences(rows, expected)
    if found:
        raise _untrusted(path, found)


# The triggers the migrations put on a PostgreSQL database, (table, trigger) -> the function it runs: the strata's
# (0007, strata.POSTGRES_TRIGGERS) and the server's guards (0011_roles_on_the_server.TRIGGERS, PEOPLE_CHECK; 0014;
# 0019_work_assignments.TRIGGER).
PG_TRIGGERS = {
    ("record_link", "cdi_link_changed"): "cdi_link_changed",
    ("crime_record", "cdi_crime_changed"): "cdi_crime_changed",
    ("verdict", "cdi_guard_verdict"): "cdi_guard_verdict",
    ("verdict_change", "cdi_guard_history"): "cdi_guard_history",
    ("verdict_change", "cdi_history_append_only"): "cdi_history_append_only",
    ("app_user", "cdi_guard_people"): "cdi_guard_people",
    ("app_user", "cdi_people_in_trail"): "cdi_people_in_trail",
    ("review_assignment", "cdi_guard_assignment"): "cdi_guard_assignment",
    ("challenge", "cdi_guard_challenge"): "cdi_guard_challenge",
    ("sample", "cdi_guard_sample"): "cdi_guard_sample",
    ("audit_item", "cdi_guard_audit_item"): "cdi_guard_audit_item",
    ("user_state", "cdi_guard_user_state"): "cdi_guard_user_state",
    # schema 0014: the records, reasons and settings, written only by an auditor or the lead
    **{(t, "cdi_guard_records"): "cdi_guard_records" for t in ("report_record", "crime_record", "record_link",
                                                                 "disposal", "cancellation", "n100",
                                                                 "reason_option", "audit_setting")},
    # schema 0019: the audit work given out, written only by the lead
    ("work_assignment", "cdi_guard_work"): "cdi_guard_work",
    ("audit", "cdi_guard_audit"): "cdi_guard_audit",  # and the programme's audits, by the lead's own login
    ("audit_setting", "cdi_guard_lead_settings"): "cdi_guard_lead_settings",  # the lead's settings
}


def check_pg_triggers(engine: Engine, name: str) -> None:
    """Refuse a PostgreSQL database with a trigger or a rule on a workbench table that the workbench did not make.

    A server the team administers is not a file sent from elsewhere: its schema is not compared object by object
    (whoever administers it can change anything, the bodies of the workbench's own trigger functions included:
    that is the administrator's to guard). But a trigger or a rule that runs on a save is looked for, cheaply,
    before anything is written: one query of pg_trigger (every trigger, TRUNCATE's too, whatever the login's
    privileges; FOREIGN KEY's internal ones aside) and one of pg_rules."""
    from .schema_manifest import SQLITE_SCHEMA

    tables = sorted({n for kind, n in next(reversed(SQLITE_SCHEMA.values())) if kind == "table"})
    with engine.connect() as conn:
        triggers = conn.execute(text(
            "SELECT c.relname, t.tgname, p.proname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal "
            "AND c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(:t)"), {"t": tables}).all()
        rules = conn.execute(text("SELECT tablename, rulename FROM pg_rules WHERE schemaname = current_schema() "
                                  "AND tablename = ANY(:t)"), {"t": tables}).all()
    found = []
    for table, trigger, function in triggers:
        made = PG_TRIGGERS.get((str(table), str(trigger)))
        if made is None:
            found.append(f"a trigger '{trigger}' on {table} that CDI Workbench did not make")
        elif made != str(function):
            found.append(f"a trigger '{trigger}' on {table} that runs {function}(), not the {made}() CDI Workbench "
                         "made it run")
    found += [f"a rule '{rule}' on {table} that CDI Workbench did not make" for table, rule in rules]
    if found:
        said = "; ".join(sorted(found)[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
        raise UntrustedFile(f"{name} holds {said}: refused, nothing was changed. Ask whoever administers the "
                            "server to remove it.")


def _audits_into_the_trail(s: Session, _context: object) -> None:
    """After each flush: an audit of the programme added or changed (or its method named: a setting) is recorded
    in the hash-chained history (audit.trail.note_audits), whichever part of the workbench made the change; one
    made by SQL is not, and `cdi verify` reports it."""
    from .models import Audit, AuditSetting

    if any(isinstance(o, Audit | AuditSetting) for o in s.new) or any(isinstance(o, Audit | AuditSetting)
                                                                      for o in s.dirty):
        from ..audit.trail import note_audits

        note_audits(s)


class Database:
    """An open audit database: an engine and a factory for one Session per unit of work."""

    def __init__(self, target: str | Path, create: bool = False, key: Key | None = None) -> None:
        """Open (`create`: or make) the audit database at `target`. An encrypted file (SQLCipher) is opened with
        `key`, else with the key this session opened it with, else with one derived from the passphrase the front
        end gives (storage/encryption.py): PassphraseNeeded without one, WrongPassphrase for the wrong one."""
        self.target = str(target)
        self.key: Key | None = None  # an encrypted file's key: its copies and upgrade backups are encrypted with it
        if is_url(target) and str(target).split(":", 1)[0].lower().startswith("sqlite"):
            raise DatabaseError("give a SQLite audit database by its file's path, not as a sqlite:// URL")
        if not is_url(target):
            path = Path(target)
            if not create:
                _check_sqlite_file(path)
            if path.is_file() and path.stat().st_size:
                from .encryption import is_encrypted, key_for

                if is_encrypted(path):
                    self.key = key or key_for(path)
                check_sqlite_schema(path, self.key)  # before the engine: its first connection may already write
        self.engine = make_engine(target, self.key)
        try:
            if self.engine.dialect.name == "postgresql":
                check_pg_triggers(self.engine, self.display_name)
            self.backup = prepare_schema(self.engine, target, create, self.key)
        except SQLAlchemyError as exc:  # a server that refuses, a damaged file: said plainly, not as a traceback
            self.engine.dispose()
            why = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise DatabaseError(f"{self.display_name}: cannot be opened as an audit database ({why})") from None
        except Exception:
            self.engine.dispose()
            raise
        if self.key is not None:
            from .encryption import remember

            remember(self.target, self.key)  # it opened the file: not asked for again this session
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._factory, "after_flush", _audits_into_the_trail)
        from ..local_config import activate

        activate(self)  # the programme's own extra checks into the checks table, until closed (local_config)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends, rolls back on any error."""
        s = self._factory()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read of one consistent state: every statement in the block sees the database as it stood at the
        first, whatever others commit meanwhile. A verification or a set of figures read statement by statement
        could otherwise see a verdict saved after its history was read ('the verdict has no history': a false
        alarm of tampering) or count a verdict in one table and not the next. On SQLite the block is one
        deferred read transaction (WAL keeps its snapshot; writers are not blocked); on PostgreSQL it runs at
        REPEATABLE READ. Nothing written in the block is kept."""
        s = self._factory()
        try:
            if self.engine.dialect.name == "postgresql":
                s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            else:
                s.connection().exec_driver_sql("BEGIN")
            yield s
        finally:
            s.rollback()
            s.close()

    @property
    def display_name(self) -> str:
        if is_url(self.target):  # never a password on screen or in a message
            from sqlalchemy.engine import make_url

            return make_url(self.target).render_as_string(hide_password=True)
        return Path(self.target).name

    def close(self) -> None:
        from ..local_config import deactivate

        deactivate(self)  # the checks of the database opened before it, if any, are in force again
        self.engine.dispose()
