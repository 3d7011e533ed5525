"""Encryption at rest for SQLite audit databases and packages: SQLCipher 4 through the sqlcipher3 wheel.

An encrypted file is a SQLCipher database: every page AES-256 encrypted (CBC, a random IV per page) and
authenticated (HMAC-SHA512), under a key derived from a passphrase with PBKDF2-HMAC-SHA512 (256,000 iterations)
and the random salt the file begins with. Nothing of it reads as SQLite: its first bytes are the salt, not
"SQLite format 3".

The passphrase is asked for once per file and session and never written anywhere: this module keeps, in memory
only, the key derived from it (the derivation costs a third of a second; every connection after the first is then
keyed at once with the raw key and the file's salt, which SQLCipher accepts as `x'KEY SALT'`). Where it comes from
is the front end's choice, through one passphrase provider:

- the `cdi` command: CDI_PASSPHRASE (CDI_PACKAGE_PASSPHRASE for a package), else a prompt, never argv;
- the window: a password dialog on the main thread, before the opening is handed to the worker (`unlock`);
- anything else (tests, scripts): the environment variables alone.

A package's passphrase is its own, given to its recipient separately. Converting a file in place (`cdi encrypt`,
`cdi decrypt`) is in storage/conversion.py. PostgreSQL is not concerned: encryption there is the server's job.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from .database import DatabaseError

PASSPHRASE_VARIABLE = "CDI_PASSPHRASE"
PACKAGE_PASSPHRASE_VARIABLE = "CDI_PACKAGE_PASSPHRASE"
PACKAGE_SUFFIX = ".cdipkg"  # (packages.common.SUFFIX: the packages import storage, not the other way round)
HEADER = b"SQLite format 3\x00"
KDF_ITERATIONS = 256_000  # SQLCipher 4's PBKDF2-HMAC-SHA512 default, pinned on every connection (compatibility 4)
KEY_BYTES, SALT_BYTES = 32, 16
# An encrypted page is decrypted and its HMAC checked each time it is read from the disk, not when it is found in
# SQLite's page cache: 32 MB of cache (SQLite's default is 2 MB) keeps a queue's pages at hand. Navigation at a
# million records: 2.2x slower than plain with the default, as fast with this (benchmarks/encryption.py).
CACHE_KIB = 32_768
_OTHER_FORMATS = (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"\xef\xbb\xbf")  # zip (xlsx), PDF, old Office, BOM


class PassphraseError(DatabaseError):
    """An encrypted file that cannot be opened: no passphrase, or the wrong one (said in words, naming the file)."""


class WrongPassphrase(PassphraseError):
    """The passphrase given does not open the file."""


class PassphraseNeeded(PassphraseError):
    """The file is encrypted and no passphrase was given."""


@dataclass(frozen=True)
class Key:
    """The key of one encrypted file: 32 bytes derived from its passphrase and its 16-byte salt (never shown)."""

    raw: bytes = field(repr=False)
    salt: bytes = field(repr=False)

    @classmethod
    def derive(cls, passphrase: str, salt: bytes | None = None) -> Key:
        """SQLCipher 4's own derivation (PBKDF2-HMAC-SHA512, 256,000 iterations, the UTF-8 bytes of the
        passphrase): the file opens with the bare passphrase in any SQLCipher 4 too. A new salt if none given."""
        salt = os.urandom(SALT_BYTES) if salt is None else salt
        raw = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ITERATIONS, KEY_BYTES)
        return cls(raw, salt)

    def hex(self) -> str:
        """The key as SQLCipher takes it raw, key and salt: x'<64 hex digits><32 hex digits>' (ATTACH ... KEY ?)."""
        return f"x'{self.raw.hex()}{self.salt.hex()}'"

    def literal(self) -> str:
        """hex() quoted for a PRAGMA key statement (hex digits only: nothing to escape)."""
        return f'"{self.hex()}"'


def dbapi() -> Any:
    """The sqlcipher3 DBAPI module (imported on first need: opening a plain file never loads it)."""
    try:
        import sqlcipher3.dbapi2
    except ImportError:  # sqlcipher3-binary has Linux wheels only (pyproject.toml)
        raise DatabaseError("encrypted audit databases and packages need SQLCipher, which is not installed here "
                            "(pip install sqlcipher3-binary on Linux, sqlcipher3 elsewhere)") from None
    return sqlcipher3.dbapi2


def driver_errors() -> tuple[type[BaseException], ...]:
    """The errors either SQLite driver raises (the standard library's for plain files, sqlcipher3's)."""
    return (sqlite3.Error, dbapi().Error)


# ---- what a file is ----------------------------------------------------------------------------------------
def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(16)
    except OSError:
        return b""


def is_encrypted(path: str | Path) -> bool:
    """Has the file the shape of an encrypted SQLite database? Whole pages (a non-zero multiple of 512 bytes),
    beginning with 16 random bytes (the salt) where a plain one says "SQLite format 3", not with text or another
    format's signature. (A file of that shape that SQLCipher does not open is refused as "wrong passphrase, or not
    an audit database".)"""
    p = Path(path)
    try:
        size = p.stat().st_size if p.is_file() else 0
    except OSError:
        return False
    if size < 512 or size % 512:
        return False
    head = _head(p)
    if len(head) < 16 or head == HEADER or head.startswith(_OTHER_FORMATS):
        return False
    return not all(32 <= b < 127 or b in (9, 10, 13) for b in head)  # text: a CSV, a JSON file


def _is_package(path: Path) -> bool:
    return path.suffix.lower() == PACKAGE_SUFFIX


# ---- where passphrases come from ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PassphraseRequest:
    """What a front end is asked: the passphrase of this file (or, `new`, one to encrypt it with)."""

    path: Path
    package: bool = False  # an audit package: its own passphrase, given to its recipient separately
    new: bool = False  # a passphrase being chosen (a front end asks for it twice)

    @property
    def what(self) -> str:
        name = f" {self.path.name}" if self.path.name else ""
        return f"{'the audit package' if self.package else 'the audit database'}{name}"

    @property
    def variable(self) -> str:
        return PACKAGE_PASSPHRASE_VARIABLE if self.package else PASSPHRASE_VARIABLE

    @property
    def prompt(self) -> str:
        if self.new and self.package:
            return (f"A passphrase to encrypt {self.what} with (give it to its recipient separately, never with "
                    "the file)")
        if self.new:
            return f"A passphrase to encrypt {self.what} with (nobody can open it without it: keep it safe)"
        return f"{self.what[0].upper()}{self.what[1:]} is encrypted. Its passphrase"


Provider = Callable[[PassphraseRequest], "str | None"]


def from_environment(request: PassphraseRequest) -> str | None:
    """CDI_PASSPHRASE (CDI_PACKAGE_PASSPHRASE for a package), or None: the provider when no front end set one."""
    return os.environ.get(request.variable) or None


_lock = threading.Lock()
_provider: Provider = from_environment
_keys: dict[tuple[str, bytes], Key] = {}  # (file, its salt) -> its key, once it has opened the file
_offered: dict[str, str] = {}  # file -> a passphrase given for its next opening (the window asks on its thread)
# open audit (a Database) -> what the packages exported from it are encrypted with, when the window set it: it goes
# with the audit, never outlives it
_package_passphrases: WeakKeyDictionary[object, str] = WeakKeyDictionary()
_plain_packages = False


def set_provider(provider: Provider) -> Provider:
    """Make `provider` the source of passphrases; returns the one it replaces."""
    global _provider
    with _lock:
        previous, _provider = _provider, provider
    return previous


@contextmanager
def provided_by(provider: Provider) -> Iterator[None]:
    """Passphrases from `provider` within the block (a `cdi` command), then from whatever gave them before."""
    previous = set_provider(provider)
    try:
        yield
    finally:
        set_provider(previous)


def ask(request: PassphraseRequest) -> str | None:
    with _lock:
        provider = _provider
    return provider(request) or None


def _name(path: Path) -> str:
    return str(path.resolve())


def known_key(path: str | Path) -> Key | None:
    """The key this session already opened the file with (None: not opened yet, or the file was replaced)."""
    p = Path(path)
    salt = _head(p)
    with _lock:
        return _keys.get((_name(p), salt))


def needs_passphrase(target: str | Path) -> bool:
    """An encrypted file whose passphrase this session has not had yet (a URL never)."""
    if "://" in str(target):
        return False
    return is_encrypted(target) and known_key(target) is None


def unlock(path: str | Path, provider: Provider) -> bool:
    """Ask `provider` (the window's dialog, on the window's thread) for the passphrase of an encrypted file this
    session has not opened yet, and hold it for its next opening (checked there; forgotten if wrong). False when
    the person gave none (cancelled); True at once for a plain file or one already opened."""
    p = Path(path)
    if not needs_passphrase(p):
        return True
    given = provider(PassphraseRequest(p, package=_is_package(p)))
    if not given:
        return False
    with _lock:
        _offered[_name(p)] = given
    return True


def key_for(path: str | Path, request: PassphraseRequest | None = None) -> Key:
    """The key of an encrypted file: the one this session opened it with, else derived from the passphrase offered
    for it or given by the provider (PassphraseNeeded when there is none). Not kept until it has opened the file
    (`remember`)."""
    p = Path(path)
    known = known_key(p)
    if known is not None:
        return known
    with _lock:
        given = _offered.pop(_name(p), None)
    request = request or PassphraseRequest(p, package=_is_package(p))
    given = given or ask(request)
    if not given:
        raise PassphraseNeeded(f"{p.name} is encrypted: give its passphrase ({request.variable}, or at the prompt; "
                               "in the window, when asked)")
    return Key.derive(given, _head(p))


def remember(path: str | Path, key: Key) -> None:
    """Keep, for this session, the key that has just opened the file."""
    p = Path(path)
    with _lock:
        _keys[(_name(p), _head(p))] = key


def forget(path: str | Path | None = None) -> None:
    """Forget the key (and any passphrase offered) of a file, or of every file."""
    with _lock:
        if path is None:
            _keys.clear()
            _offered.clear()
            return
        name = _name(Path(path))
        _offered.pop(name, None)
        for k in [k for k in _keys if k[0] == name]:
            del _keys[k]


def wrong(path: str | Path) -> WrongPassphrase:
    """The refusal of a key that does not open the file (and the file's offered passphrase forgotten)."""
    p = Path(path)
    with _lock:
        _offered.pop(_name(p), None)
    what = "an audit package" if _is_package(p) else "an audit database"
    return WrongPassphrase(f"{p.name}: wrong passphrase, or not {what}: nothing was opened")


MIN_PASSPHRASE = 10  # characters, spaces at the ends not counted: a new passphrase shorter is refused


def weak_passphrase(passphrase: str) -> str:
    """Why a passphrase chosen for a new encrypted file is too weak ('' when it is not): at least MIN_PASSPHRASE
    characters, not all one character (a tester's ' ' and 'abc' were accepted)."""
    core = passphrase.strip()
    if len(core) < MIN_PASSPHRASE:
        return (f"a passphrase needs at least {MIN_PASSPHRASE} characters (a few words are easiest to remember): "
                "nothing was written")
    if len(set(core)) < 3:
        return "a passphrase of one or two characters repeated is too easy to guess: nothing was written"
    return ""


def new_passphrase(path: str | Path, package: bool = False) -> str:
    """A passphrase chosen for a file about to be encrypted (the provider asks for it twice); refused when weak."""
    p = Path(path)
    request = PassphraseRequest(p, package=package, new=True)
    given = ask(request)
    if not given:
        raise PassphraseNeeded(f"no passphrase was given to encrypt {p.name} with ({request.variable}, or at the "
                               "prompt): nothing was written")
    if why := weak_passphrase(given):
        raise PassphraseNeeded(f"{p.name}: {why}")
    return given


# ---- packages: encrypted unless the front end says plain ----------------------------------------------------
def set_package_passphrase(source: object, passphrase: str | None) -> None:
    """What the packages exported from the open audit `source` (a Database) are encrypted with (the window: asked
    at File > Export audit package); None: ask the provider at each export."""
    with _lock:
        if passphrase:
            _package_passphrases[source] = passphrase
        else:
            _package_passphrases.pop(source, None)


@contextmanager
def plain_packages() -> Iterator[None]:
    """Packages written within the block are plain (`cdi package export --plain`)."""
    global _plain_packages
    with _lock:
        before, _plain_packages = _plain_packages, True
    try:
        yield
    finally:
        with _lock:
            _plain_packages = before


def package_key(path: Path, source: object = None) -> Key | None:
    """The key a new package exported from `source` is encrypted with: from the passphrase the front end set for
    it, else the provider's (`cdi`: CDI_PACKAGE_PASSPHRASE or a prompt, which never gives nothing); None (plain)
    when asked for plain, or when nothing asks (a test, a script with no CDI_PACKAGE_PASSPHRASE)."""
    with _lock:
        plain, given = _plain_packages, _package_passphrases.get(source) if source is not None else None
    if plain:
        return None
    given = given or ask(PassphraseRequest(path, package=True, new=True))
    if given and (why := weak_passphrase(given)):
        raise PassphraseNeeded(f"{path.name}: {why}")
    return Key.derive(given) if given else None


# ---- connections ---------------------------------------------------------------------------------------------
_VARIABLE_LIMIT = re.compile(r"MAX_VARIABLE_NUMBER=(\d+)")
_connection_class: Any = None


def _connection_factory() -> Any:
    """sqlcipher3's connection with the standard library's getlimit(SQLITE_LIMIT_VARIABLE_NUMBER), which the
    importer reads to size its multi-row INSERTs (the limit SQLite was built with, as the standard library says)."""
    global _connection_class
    if _connection_class is None:
        class Connection(dbapi().Connection):  # type: ignore[misc,name-defined]
            def getlimit(self, category: int) -> int:
                if category != sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER:
                    raise NotImplementedError("only the variable limit is known")
                options = " ".join(r[0] for r in self.execute("PRAGMA compile_options"))
                m = _VARIABLE_LIMIT.search(options)
                return int(m.group(1)) if m else 32766  # SQLite's default since 3.32

        _connection_class = Connection
    return _connection_class


def connect(path: str | Path, key: Key | None, **kwargs: Any) -> Any:
    """A sqlcipher3 connection to `path`, keyed with `key` before anything reads the file (SQLCipher 4's settings
    pinned); with no key, a plain SQLite connection through the same library."""
    conn = dbapi().connect(str(path), factory=_connection_factory(), **kwargs)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is said in words, not logged to stderr
        if key is not None:
            conn.execute(f"PRAGMA key = {key.literal()}")
            conn.execute("PRAGMA cipher_compatibility = 4")
            try:
                conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")  # reads the first page: the key is tried here
            except dbapi().DatabaseError:
                raise wrong(path) from None
    except BaseException:
        conn.close()
        raise
    return conn


def check_key(conn: Any, path: str | Path) -> None:
    """Read the keyed file's first page: a wrong key (or a file that is no SQLite database) is WrongPassphrase."""
    try:
        conn.execute("SELECT count(*) FROM main.sqlite_master").fetchone()
    except dbapi().DatabaseError:
        raise wrong(path) from None


def create_encrypted(path: str | Path, key: Key) -> Path:
    """A new, empty encrypted SQLite file (its first page written, so it is encrypted from its first byte), its
    key remembered for the session: `Database(path, create=True)` then makes the audit in it."""
    p = Path(path)
    if p.exists():
        raise DatabaseError(f"{p} already exists: an encrypted audit database is made as a new file (to encrypt "
                            f"an existing one: cdi encrypt {p.name})")
    try:
        conn = connect(p, key, isolation_level=None)
        try:
            conn.execute("PRAGMA user_version = 0")  # writes the header page: the salt, then ciphertext
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()
    except dbapi().Error as exc:
        p.unlink(missing_ok=True)
        raise DatabaseError(f"{p} cannot be made ({exc})") from None
    remember(p, key)
    return p
