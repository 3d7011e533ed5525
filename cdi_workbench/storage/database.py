"""Opening an audit database: engine settings, schema creation and upgrade (with a backup first)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseError(Exception):
    """A database that cannot be opened, with a message fit to show the user."""


def is_url(target: str | Path) -> bool:
    return "://" in str(target)


def make_engine(target: str | Path) -> Engine:
    """An engine for a SQLite file path or a database URL (e.g. postgresql+psycopg2://...)."""
    if is_url(target):
        return create_engine(str(target), pool_pre_ping=True)
    engine = create_engine(f"sqlite:///{Path(target)}", connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        cur = dbapi_conn.cursor()
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
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_sqlite(path: Path, revision: str) -> Path:
    """Copy a SQLite file with SQLite's own backup API (consistent even with a WAL) before an upgrade."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = path.with_name(f"{path.stem}.backup-{revision}-{stamp}{path.suffix}")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(dest)
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return dest


def _known_revision(rev: str) -> bool:
    try:
        return ScriptDirectory.from_config(_alembic_config(None)).get_revision(rev) is not None
    except CommandError:
        return False


def prepare_schema(engine: Engine, target: str | Path, create: bool) -> Path | None:
    """Create the schema on a new database, or upgrade an older one; returns the backup made, if any."""
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
        backup = backup_sqlite(Path(target), current)
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
        raise DatabaseError(f"{path.name} is not an audit database (not a SQLite file: perhaps a spreadsheet or "
                            "an export?)")


class Database:
    """An open audit database: an engine and a factory for one Session per unit of work."""

    def __init__(self, target: str | Path, create: bool = False) -> None:
        self.target = str(target)
        if not is_url(target) and not create:
            _check_sqlite_file(Path(target))
        self.engine = make_engine(target)
        try:
            self.backup = prepare_schema(self.engine, target, create)
        except SQLAlchemyError as exc:  # a server that refuses, a damaged file: said plainly, not as a traceback
            self.engine.dispose()
            why = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise DatabaseError(f"{self.display_name}: cannot be opened as an audit database ({why})") from None
        except Exception:
            self.engine.dispose()
            raise
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

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

    @property
    def display_name(self) -> str:
        if is_url(self.target):  # never a password on screen or in a message
            from sqlalchemy.engine import make_url

            return make_url(self.target).render_as_string(hide_password=True)
        return Path(self.target).name

    def close(self) -> None:
        self.engine.dispose()
