"""Saving a copy of an audit database: File > Save a copy… and `cdi backup DB FILE`.

A SQLite audit database is open in WAL mode: the latest verdicts may still be in the write-ahead log beside the
file (audit.db-wal) until SQLite checkpoints them, so a plain copy of audit.db taken while the workbench is open
loses them. The copy is made with SQLite's online backup API (storage.database.copy_sqlite), which reads through
the log: every committed verdict is in it, with the hash-chained history, so the copy verifies (`cdi verify`).
It is written beside the target and moved into place: the target appears complete or not at all, and an existing
file is replaced only when asked (--force; the window asks). The copy of an encrypted database is encrypted like it
(the same passphrase opens it); it never exists in plain, not even while it is written.

A PostgreSQL audit is not copied by the workbench: the server's own tool, pg_dump, is (and pg_restore puts the
copy back); the workbench says so rather than pretend.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .audit.roles import require
from .storage.database import Database, DatabaseError, copy_sqlite, is_url
from .storage.encryption import Key, driver_errors

PG_ADVICE = ("this audit is held on a PostgreSQL server, which the workbench does not copy: use PostgreSQL's own "
             "pg_dump (e.g. pg_dump --format=custom --file=audit.dump DBNAME, run by someone who may read the whole "
             "database; pg_restore puts it back)")


class CopyExists(DatabaseError):
    """The file named for the copy exists and replacing it was not asked for."""


def why_not(db: Database) -> str:
    """Why the workbench will not copy this database ('' when it will): a PostgreSQL server's is pg_dump's job."""
    return PG_ADVICE if is_url(db.target) else ""


def save_copy(db: Database, dest: str | Path, who: str = "", overwrite: bool = False) -> Path:
    """Copy the open audit database `db` to `dest` (a consistent snapshot, the write-ahead log included); returns
    the path written. Refuses a PostgreSQL database (PG_ADVICE), a person whose role may not save a copy, the
    database itself as the target, and an existing file unless `overwrite`."""
    if is_url(db.target):
        raise DatabaseError(PG_ADVICE)
    from .audit.exports import exported

    require(db, who, "save a copy")  # before anything else is looked at
    return exported(db, who, "save a copy", "a copy of the audit database", Path(dest),
                    lambda _person: _copy(Path(db.target), Path(dest), overwrite, db.key))


def backup(target: str | Path, dest: str | Path, who: str = "", overwrite: bool = False) -> Path:
    """save_copy of the database at `target` (a file path; a PostgreSQL URL is refused before connecting)."""
    if is_url(target):
        raise DatabaseError(PG_ADVICE)
    db = Database(target)
    try:
        return save_copy(db, dest, who, overwrite)
    finally:
        db.close()


def _copy(src: Path, dest: Path, overwrite: bool, key: Key | None = None) -> Path:
    if dest.is_dir():
        raise DatabaseError(f"{dest} is a folder: name the file for the copy")
    if dest.resolve() == src.resolve():
        raise DatabaseError(f"{dest.name} is the audit database itself: name another file for the copy")
    if dest.exists() and not overwrite:
        raise CopyExists(f"{dest} already exists: choose another name, or replace it (cdi backup --force)")
    for side in ("-wal", "-journal"):
        if Path(f"{dest}{side}").exists():
            raise DatabaseError(f"{dest.name} is open (there is a {dest.name}{side} beside it): close what has it "
                                "open, or choose another name")
    if not dest.parent.is_dir():
        raise DatabaseError(f"{dest.parent}: no such folder")
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    errors: tuple[type[BaseException], ...] = (sqlite3.Error, OSError)
    if key is not None:
        errors = (*driver_errors(), OSError)
    try:
        copy_sqlite(src, tmp, key)
        os.replace(tmp, dest)
    except errors as exc:
        raise DatabaseError(f"the copy could not be written to {dest}: {exc}") from None
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
    return dest
