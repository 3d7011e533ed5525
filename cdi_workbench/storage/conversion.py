"""Encrypting or decrypting an audit database in place: `cdi encrypt DB`, `cdi decrypt DB`.

The file is converted by SQLCipher's own sqlcipher_export (every table, index and trigger, with its rows) into a
new file beside it, under a hidden name, in one transaction while the original is held exclusively (nobody writes
it meanwhile). The new file is checked (SQLite's quick_check, the same schema, the same number of rows in every
table), flushed to the disk (fsync) and moved over the original in one step (an atomic rename on the same
filesystem), and the folder flushed too. Until that rename the original is untouched; if anything fails, the new
file is removed, so a failed conversion leaves the original as it was and no copy of it, plain or encrypted.

Refused: a PostgreSQL database (encryption at rest there is the server's job), a file that is not an audit
database the workbench made (storage.schema_check), one already in the state asked for, and one open elsewhere (the
workbench opens every database in WAL mode, which cannot be left while another process has it open).

Encrypting overwrites the plain original with zeros once the encrypted file has taken its name (held open across
the rename, so the database is never without a whole copy; not on Windows, nor for a file with other names). What
it cannot do: be sure those blocks are gone (on an SSD or a copy-on-write filesystem the old blocks may survive
where nobody can overwrite them reliably); a copy made before (an upgrade backup, a saved copy, a package) stays
as it was; and a process killed during a decryption (a power cut) can leave the hidden, partial plain file, which
the next conversion of the same database removes. docs/security.md, "Encryption at rest".
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Any

from .database import DatabaseError, check_sqlite_schema, is_url
from .encryption import Key, connect, dbapi, is_encrypted, key_for, remember

CONVERTING = ".converting-"  # .NAME.converting-PID: the new file while it is written, beside the original
PG_ADVICE = ("this audit is held on a PostgreSQL server: encryption at rest there is the server's job (an encrypted "
             "disk or tablespace, TLS for the connection), not the workbench's")


def encryptable(path: str | Path) -> Path:
    """The file at `path`, if it can be encrypted (asked before its passphrase is)."""
    p = _existing(path)
    if is_encrypted(p):
        raise DatabaseError(f"{p.name} is already encrypted")
    return p


def encrypt_file(path: str | Path, passphrase: str) -> Path:
    """Encrypt the plain audit database at `path` in place with `passphrase` (a new random salt); its key is kept
    for this session. Returns the path."""
    p = encryptable(path)
    if not passphrase:
        raise DatabaseError(f"an empty passphrase encrypts nothing: {p.name} was left as it was")
    key = Key.derive(passphrase)
    _convert(p, None, key, "encrypt")
    remember(p, key)
    return p


def decrypt_file(path: str | Path, key: Key | None = None) -> Path:
    """Decrypt the encrypted audit database at `path` in place (with `key`, else its passphrase from the front end:
    encryption.key_for). Returns the path."""
    p = _existing(path)
    if not is_encrypted(p):
        raise DatabaseError(f"{p.name} is not encrypted")
    _convert(p, key or key_for(p), None, "decrypt")
    return p


def leftovers(path: Path) -> list[Path]:
    """Hidden files an interrupted conversion of `path` left beside it."""
    return [Path(f) for f in glob.glob(str(path.parent / f".{glob.escape(path.name)}{CONVERTING}*"))]


def plain_copies(path: Path) -> list[Path]:
    """Upgrade backups of `path` beside it (NAME.backup-REV-TIME.db) that are still plain SQLite files."""
    found = glob.glob(str(path.parent / f"{glob.escape(path.stem)}.backup-*{glob.escape(path.suffix)}"))
    return sorted(Path(f) for f in found if Path(f).is_file() and _plain(Path(f)))


def _plain(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


def _existing(path: str | Path) -> Path:
    if is_url(path):
        raise DatabaseError(PG_ADVICE)
    p = Path(path)
    if not p.is_file():
        raise DatabaseError(f"{p}: no such file")
    return p


def _convert(path: Path, source: Key | None, target: Key | None, verb: str) -> None:
    check_sqlite_schema(path, source)  # an audit database as the workbench made it (a wrong key: in words)
    conn = connect(path, source, isolation_level=None, timeout=2)
    tmp = path.with_name(f".{path.name}{CONVERTING}{os.getpid()}")
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        _hold(conn, path, verb)
        for old in leftovers(path):  # an earlier conversion that was killed: its partial file goes
            old.unlink(missing_ok=True)
        conn.execute("ATTACH DATABASE ? AS converted KEY ?", (str(tmp), target.hex() if target else ""))
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("SELECT sqlcipher_export('converted')")
        version = int(conn.execute("PRAGMA main.user_version").fetchone()[0])
        conn.execute(f"PRAGMA converted.user_version = {version}")
        conn.execute("COMMIT")
        conn.execute("BEGIN EXCLUSIVE")  # nobody writes the original while the new file is checked
        check_converted(conn, path)
        before = _stamp(path)
        conn.execute("ROLLBACK")
        conn.execute("DETACH DATABASE converted")
        conn.close()  # (Windows renames no file a connection holds open)
        if _stamp(path) != before:
            raise DatabaseError(f"{path.name} was written while it was being converted: try again once nothing "
                                "has it open")
        _fsync(tmp)
        # encrypting: the plain original is overwritten once the encrypted file has taken its name (below)
        original = _open_to_wipe(path) if source is None and target is not None else None
        try:
            replace(tmp, path)
            _fsync_folder(path.parent)
            if original is not None:
                _wipe(original)
        finally:
            if original is not None:
                original.close()
    except dbapi().Error as exc:
        raise DatabaseError(f"{path.name} could not be {verb}ed ({exc}); it was left as it was") from None
    except OSError as exc:
        raise DatabaseError(f"{path.name} could not be {verb}ed ({exc.strerror or exc}); it was left as it "
                            "was") from None
    finally:
        try:
            conn.close()
        finally:
            for side in ("", "-journal", "-wal", "-shm"):  # after the rename there is nothing left to remove
                Path(f"{tmp}{side}").unlink(missing_ok=True)


def _hold(conn: Any, path: Path, verb: str) -> None:
    """Leave WAL mode, which SQLite allows only to the one connection that has the file open: anyone else (the
    window, another command) makes it fail, and the file is refused."""
    try:
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except dbapi().OperationalError:
        mode = None
    if str(mode).lower() != "delete":
        raise DatabaseError(f"{path.name} is open (in the workbench, or in another cdi command): close it, then "
                            f"{verb} it")


def check_converted(conn: Any, path: Path) -> None:
    """The new file (attached as `converted`) checks out and holds what the original does: the same schema and the
    same number of rows in every table."""
    check = conn.execute("PRAGMA converted.quick_check").fetchone()
    if not check or check[0] != "ok":
        raise DatabaseError(f"the converted copy of {path.name} does not check out ({check[0] if check else '?'})")
    schemas = [sorted(conn.execute(f"SELECT type, name, tbl_name, sql FROM {db}.sqlite_master").fetchall())
               for db in ("main", "converted")]
    if schemas[0] != schemas[1]:
        raise DatabaseError(f"the converted copy of {path.name} does not hold the same tables and indexes")
    for (kind, name, _table, _sql) in schemas[0]:
        if kind == "table":
            ours, theirs = (conn.execute(f'SELECT count(*) FROM {db}."{name}"').fetchone()[0]
                            for db in ("main", "converted"))
            if ours != theirs:
                raise DatabaseError(f"the converted copy of {path.name} holds {theirs} rows of {name}, not {ours}")


def _open_to_wipe(path: Path) -> Any:  # noqa: ANN401 (an open binary file, or None)
    """The plain original, held open so that its blocks can be overwritten after the rename (the file is then
    nameless, reached only through this handle). None where that cannot be done safely: on Windows (a file held open
    cannot be renamed over) and where the file has other names (hard links: another name would lose its content)."""
    if os.name == "nt":
        return None
    try:
        fh = open(path, "r+b")  # noqa: SIM115 (closed by the caller after the wipe)
    except OSError:
        return None
    if os.fstat(fh.fileno()).st_nlink != 1:
        fh.close()
        return None
    return fh


def _wipe(fh: Any) -> None:  # noqa: ANN401 (an open binary file)
    """Overwrite the plain original's bytes with zeros and flush them to the disk: on a disk that writes in place
    the plain text is gone from its blocks; on an SSD or a copy-on-write filesystem the old blocks may survive
    elsewhere (docs/security.md). Best effort: a failure here leaves the encrypted database in place, unharmed."""
    try:
        size = os.fstat(fh.fileno()).st_size
        fh.seek(0)
        block = bytes(1 << 20)
        left = size
        while left > 0:
            n = min(left, len(block))
            fh.write(block[:n])
            left -= n
        fh.flush()
        os.fsync(fh.fileno())
    except OSError:
        pass


def replace(tmp: Path, path: Path) -> None:
    """Move the converted file over the original in one step (a rename within one folder)."""
    os.replace(tmp, path)


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":  # a folder cannot be opened (nor needs flushing) on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
