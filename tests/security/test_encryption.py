"""Encryption at rest (issue 13), attacked: real SQLCipher files read as an attacker holding them would read them.

The encrypted file and its write-ahead log hold no narrative or rationale in their bytes (a plain one does); plain
sqlite3 and a wrong passphrase read nothing, and are refused in words; a decryption that fails midway leaves the
encrypted original as it was and no plain copy anywhere; the upgrade backup, `cdi backup` and Save a copy are
encrypted like their source; a package opens only with its own passphrase."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.backup import save_copy
from cdi_workbench.cli import main
from cdi_workbench.packages import PackageError, export_package, plan_import
from cdi_workbench.storage import conversion, encryption
from cdi_workbench.storage.database import Database, DatabaseError, _alembic_config, make_engine
from cdi_workbench.storage.encryption import Key, PassphraseNeeded, WrongPassphrase
from tests.builders import NARRATIVE_TWO, small_audit

PASS = "correct horse battery staple"
PHRASE = b"punched her in the face"  # from NARRATIVE_TWO, the first incident's log
RATIONALE = "RATIONALE-7731: the partner's threat was recorded too late"
HEADER = b"SQLite format 3\x00"
assert PHRASE.decode() in NARRATIVE_TWO


@pytest.fixture(autouse=True)
def _no_keys_kept() -> Iterator[None]:
    """Each test starts and ends with no key known to the session (the cache is the process's)."""
    encryption.forget()
    yield
    encryption.forget()


def _encrypted_audit(path: Path, passphrase: str = PASS) -> Database:
    encryption.create_encrypted(path, Key.derive(passphrase))
    return small_audit(path)


def _bytes_beside(path: Path) -> bytes:
    """The file and everything SQLite keeps beside it (-wal, -shm, -journal)."""
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


def _save_a_rationale(db: Database) -> None:
    svc = AuditService(db, "Inspector A")
    item = svc.queue(svc.samples()[0].id)[0].item_id
    svc.save_verdict(item, VerdictBody(zero_status=True, rationale=RATIONALE, complete=True))


def test_the_encrypted_file_and_its_log_hold_no_narrative_text(tmp_path: Path) -> None:
    plain, enc = tmp_path / "plain" / "audit.db", tmp_path / "enc" / "audit.db"
    plain.parent.mkdir()
    enc.parent.mkdir()
    for path, db in ((plain, small_audit(plain)), (enc, _encrypted_audit(enc))):
        _save_a_rationale(db)  # the latest work is still in the write-ahead log: read it while the audit is open
        assert Path(f"{path}-wal").stat().st_size > 0
        found = _bytes_beside(path)
        db.close()
        found += _bytes_beside(path)
        if path == plain:
            assert PHRASE in found and RATIONALE.encode() in found  # the check can see a narrative when it is there
        else:
            assert PHRASE not in found and RATIONALE.encode() not in found
            assert b"Testshire" not in found and b"INC-0001" not in found
    assert plain.read_bytes()[:16] == HEADER and enc.read_bytes()[:16] != HEADER
    with pytest.raises(sqlite3.DatabaseError, match="not a database"), sqlite3.connect(enc) as conn:
        conn.execute("SELECT narrative FROM report_record").fetchall()


def test_a_wrong_passphrase_is_refused_in_words_and_writes_nothing(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "audit.db"
    _encrypted_audit(path).close()
    encryption.forget()
    before = path.read_bytes()
    monkeypatch.setenv("CDI_PASSPHRASE", "not the passphrase")
    with pytest.raises(WrongPassphrase, match=r"audit\.db: wrong passphrase, or not an audit database"):
        Database(path)
    assert main(["info", str(path)]) == 1
    err = capsys.readouterr().err
    assert "audit.db: wrong passphrase, or not an audit database" in err and "Traceback" not in err
    monkeypatch.delenv("CDI_PASSPHRASE")
    with pytest.raises(PassphraseNeeded, match=r"audit\.db is encrypted: give its passphrase \(CDI_PASSPHRASE"):
        Database(path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["audit.db"]
    monkeypatch.setenv("CDI_PASSPHRASE", PASS)
    assert main(["verify", str(path)]) == 0  # the right one opens it, and its trail verifies


def test_the_file_opens_with_the_bare_passphrase_in_sqlcipher(tmp_path: Path) -> None:
    """The key is derived as SQLCipher 4 derives it: any SQLCipher 4 opens the file with the passphrase alone."""
    path = tmp_path / "audit.db"
    _encrypted_audit(path, "pâsse £ phrase").close()
    conn = encryption.dbapi().connect(str(path))
    try:
        conn.execute("PRAGMA key = 'pâsse £ phrase'")
        assert conn.execute("SELECT force FROM audit").fetchone()[0] == "Testshire Police"
    finally:
        conn.close()


def _rows(path: Path, key: Key) -> dict[str, list[tuple]]:
    """Every row of every table of an encrypted file, read with its key."""
    conn = encryption.connect(path, key)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


@pytest.mark.parametrize("failing", ["check_converted", "replace"])
def test_a_decrypt_that_fails_midway_leaves_the_encrypted_original_and_no_plain_file(
        tmp_path: Path, monkeypatch, failing: str) -> None:  # noqa: ANN001
    path = tmp_path / "audit.db"
    db = _encrypted_audit(path)
    _save_a_rationale(db)
    db.close()
    before = path.read_bytes()
    content = _rows(path, Key.derive(PASS, before[:16]))
    seen: list[bytes] = []

    def fail(*args: object) -> None:  # the plain copy is complete at this point: it must not survive the failure
        written = [p for p in tmp_path.iterdir() if p.name != "audit.db"]
        assert written and any(p.read_bytes()[:16] == HEADER for p in written)
        seen.extend(p.read_bytes() for p in written)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(conversion, failing, fail)
    with pytest.raises(DatabaseError, match="could not be decrypted .* it was left as it was"):
        conversion.decrypt_file(path, Key.derive(PASS, before[:16]))
    assert seen and any(PHRASE in b for b in seen)  # the failure came after the narratives were written in plain
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.db"]  # no plain copy left, nor anything else
    after = path.read_bytes()  # the original, as it was: encrypted under the same salt, every row the same
    assert after[:16] == before[:16] and PHRASE not in after and RATIONALE.encode() not in after
    assert _rows(path, Key.derive(PASS, after[:16])) == content
    encryption.forget()
    monkeypatch.setenv("CDI_PASSPHRASE", PASS)
    assert main(["verify", str(path)]) == 0


def test_an_interrupted_conversion_leaves_its_file_to_the_next_one(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A process killed mid-decryption (a power cut) leaves its hidden partial file: the next conversion of the same
    database removes it."""
    path = tmp_path / "audit.db"
    _encrypted_audit(path).close()
    stale = tmp_path / ".audit.db.converting-99999"
    stale.write_bytes(HEADER + PHRASE)
    conversion.decrypt_file(path, Key.derive(PASS, path.read_bytes()[:16]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.db"]


def test_encrypt_and_decrypt_round_trip_with_the_trail_verifying(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "audit.db"
    db = small_audit(path)
    _save_a_rationale(db)
    db.close()
    monkeypatch.setenv("CDI_PASSPHRASE", PASS)
    assert main(["encrypt", str(path)]) == 0
    assert path.read_bytes()[:16] != HEADER and PHRASE not in _bytes_beside(path)
    assert main(["encrypt", str(path)]) == 1 and "already encrypted" in capsys.readouterr().err
    encryption.forget()
    assert main(["verify", str(path)]) == 0
    assert main(["decrypt", str(path)]) == 0
    assert path.read_bytes()[:16] == HEADER and PHRASE in path.read_bytes()
    monkeypatch.delenv("CDI_PASSPHRASE")
    assert main(["verify", str(path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.db"]


def test_a_database_open_elsewhere_is_not_converted(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    small_audit(path).close()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom cdi_workbench.storage.database import Database\n"
        f"db = Database({str(path)!r})\nprint('open', flush=True)\ntime.sleep(60)")],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(DatabaseError, match=r"audit\.db is open .*close it, then encrypt it"):
            conversion.encrypt_file(path, PASS)
    finally:
        holder.kill()
        holder.wait()
    assert path.read_bytes()[:16] == HEADER and sorted(p.name for p in tmp_path.iterdir() if p.name[0] == ".") == []


def test_the_upgrade_backup_of_an_encrypted_database_is_encrypted(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "old.db"
    key = Key.derive(PASS)
    encryption.create_encrypted(path, key)
    engine = make_engine(path, key)  # a database an older workbench wrote (schema 0001), encrypted
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.execute(text("INSERT INTO audit (force, period_start, period_end, rule_set, created_at, created_by) "
                          "VALUES ('Old Force', '2014-01-01', '2014-06-30', '2014', '2014-07-01 00:00:00', 'x')"))
    engine.dispose()
    encryption.forget()
    monkeypatch.setenv("CDI_PASSPHRASE", PASS)
    db = Database(path)
    assert db.backup is not None and db.backup.exists()
    db.close()
    raw = db.backup.read_bytes()
    assert raw[:16] != HEADER and b"Old Force" not in raw
    with pytest.raises(sqlite3.DatabaseError), sqlite3.connect(db.backup) as conn:
        conn.execute("SELECT version_num FROM alembic_version").fetchone()
    with pytest.raises(WrongPassphrase):
        encryption.check_key(encryption.connect(db.backup, Key.derive("not the passphrase", raw[:16])), db.backup)
    conn = encryption.connect(db.backup, Key.derive(PASS, raw[:16]))
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
        assert conn.execute("SELECT force FROM audit").fetchone()[0] == "Old Force"
    finally:
        conn.close()


def test_backups_and_saved_copies_are_encrypted_like_their_source(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "audit.db"
    db = _encrypted_audit(path)
    _save_a_rationale(db)
    copy = save_copy(db, tmp_path / "saved.db", "Inspector A")  # File > Save a copy…, with the log not yet merged
    db.close()
    monkeypatch.setenv("CDI_PASSPHRASE", PASS)
    assert main(["backup", str(path), str(tmp_path / "backup.db")]) == 0
    encryption.forget()
    for made in (copy, tmp_path / "backup.db"):
        raw = made.read_bytes()
        assert raw[:16] != HEADER and PHRASE not in raw and RATIONALE.encode() not in raw
        with pytest.raises(sqlite3.DatabaseError), sqlite3.connect(made) as conn:
            conn.execute("SELECT count(*) FROM verdict").fetchone()
        monkeypatch.setenv("CDI_PASSPHRASE", "not the passphrase")
        assert main(["verify", str(made)]) == 1
        monkeypatch.setenv("CDI_PASSPHRASE", PASS)
        assert main(["verify", str(made)]) == 0
        other = Database(made)
        with other.engine.connect() as conn:  # the latest verdict, from the log, is in the copy
            assert any(RATIONALE in str(b) for b in conn.execute(text("SELECT body FROM verdict")).scalars())
        other.close()


def _package(tmp_path: Path, passphrase: str | None) -> tuple[Path, Path]:
    path = tmp_path / "audit.db"
    db = small_audit(path)
    _save_a_rationale(db)
    r = export_package(db, "Incidents", tmp_path / "share.cdipkg", who="Lead L", passphrase=passphrase)
    db.close()
    assert r.encrypted == (passphrase is not None)
    return path, r.path


def test_a_package_opens_only_with_its_own_passphrase(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    audit, package = _package(tmp_path, "for the reviewer")
    raw = package.read_bytes()
    assert raw[:16] != HEADER and PHRASE not in raw and RATIONALE.encode() not in raw
    with pytest.raises(PassphraseNeeded, match=r"share\.cdipkg is encrypted: give its passphrase "
                                               r"\(CDI_PACKAGE_PASSPHRASE"):
        Database(package)
    monkeypatch.setenv("CDI_PASSPHRASE", "for the reviewer")  # the database's variable is not the package's
    with pytest.raises(PassphraseNeeded):
        Database(package)
    monkeypatch.setenv("CDI_PACKAGE_PASSPHRASE", "a guess")
    with pytest.raises(WrongPassphrase, match=r"share\.cdipkg: wrong passphrase, or not an audit package"):
        Database(package)
    db = Database(audit)
    with pytest.raises(PackageError, match=r"share\.cdipkg: wrong passphrase, or not an audit package"):
        plan_import(db, package, "Lead L")
    monkeypatch.setenv("CDI_PACKAGE_PASSPHRASE", "for the reviewer")
    pkg = Database(package)  # the reviewer's side: the package opens, and its trail verifies
    assert AuditService(pkg).verify_trail() == []
    pkg.close()
    plan = plan_import(db, package, "Lead L")  # its issue (HMAC under the audit's key) checks out inside
    assert plan.records == 3 and plan.issued_to == "Lead L"
    db.close()
    assert package.read_bytes() == raw  # reading it wrote nothing to it


def test_cdi_encrypts_packages_unless_told_plain(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "audit.db"
    small_audit(path).close()
    base = ["package", "export", str(path), "--sample", "Incidents", "--user", "Lead L", "--to"]
    monkeypatch.delenv("CDI_PACKAGE_PASSPHRASE", raising=False)
    assert main([*base, str(tmp_path / "none.cdipkg")]) == 1  # no passphrase and no terminal: refused, nothing written
    assert "no passphrase given for the audit package none.cdipkg" in capsys.readouterr().err
    assert not (tmp_path / "none.cdipkg").exists()
    monkeypatch.setenv("CDI_PACKAGE_PASSPHRASE", "given separately")
    assert main([*base, str(tmp_path / "enc.cdipkg")]) == 0
    assert "It is encrypted: give its passphrase to its recipient separately" in capsys.readouterr().out
    assert (tmp_path / "enc.cdipkg").read_bytes()[:16] != HEADER
    assert main([*base, str(tmp_path / "plain.cdipkg"), "--plain"]) == 0
    assert "NOT encrypted (--plain)" in capsys.readouterr().out
    assert (tmp_path / "plain.cdipkg").read_bytes()[:16] == HEADER
    assert main(["verify", str(path), "--against", str(tmp_path / "enc.cdipkg")]) == 0  # its trail anchor is read


def test_postgresql_is_not_encrypted_by_the_workbench(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    url = "postgresql+psycopg2://nobody@127.0.0.1:1/none"
    assert main(["encrypt", url]) == 1
    assert "encryption at rest there is the server's job" in capsys.readouterr().err
    assert not encryption.needs_passphrase(url)


def test_an_encrypted_file_is_checked_like_a_plain_one(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Whoever knows the passphrase (the sender of a package, say) can still not slip SQL in: the schema is checked
    once the file is decrypted, before anything is written."""
    path = tmp_path / "audit.db"
    _encrypted_audit(path).close()
    key = encryption.known_key(path)
    assert key is not None
    conn = encryption.connect(path, key)
    conn.execute("CREATE TRIGGER drop_history AFTER INSERT ON verdict BEGIN DELETE FROM verdict_change; END")
    conn.commit()
    conn.close()
    encryption.forget()
    monkeypatch.setenv("CDI_PASSPHRASE", PASS)
    with pytest.raises(DatabaseError, match="holds a trigger 'drop_history' that CDI Workbench did not make"):
        Database(path)


def test_other_files_are_not_taken_for_encrypted_ones(tmp_path: Path) -> None:
    """A spreadsheet or a CSV of whole pages is still refused as what it is, without asking for a passphrase."""
    csv = tmp_path / "extract.db"
    csv.write_bytes((b"incident_ref,received_at,narrative\n" * 200)[:4096])
    xlsx = tmp_path / "report.db"
    xlsx.write_bytes((b"PK\x03\x04" + bytes(range(256)) * 16)[:4096])  # a zip (xlsx) signature
    for path in (csv, xlsx):
        assert not encryption.is_encrypted(path)
        with pytest.raises(DatabaseError, match="not a SQLite file"):
            Database(path)
    random_pages = tmp_path / "random.db"
    random_pages.write_bytes(bytes((i * 131 + 7) % 256 for i in range(4096)))
    assert encryption.is_encrypted(random_pages)


def test_the_key_is_never_shown(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    db = _encrypted_audit(path)
    key = db.key
    assert key is not None and key.raw.hex() not in repr(key) and PASS not in repr(key)
    assert key.raw.hex() not in str(db.engine.url) and key.raw.hex() not in repr(db.engine)
    db.close()


def test_encrypting_overwrites_the_plain_original(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Whoever still reaches the plain original's bytes after `cdi encrypt` (here: a handle opened before, as a
    program reading the disk would find its blocks) finds zeros, not the narratives; the encrypted file is whole."""
    path = tmp_path / "audit.db"
    db = small_audit(path)
    _save_a_rationale(db)
    db.close()
    with open(path, "rb") as before:
        assert PHRASE in before.read()
        monkeypatch.setenv("CDI_PASSPHRASE", PASS)
        assert main(["encrypt", str(path)]) == 0
        before.seek(0)
        left = before.read()
    assert left and left == bytes(len(left))  # every byte of the old file overwritten
    encryption.forget()
    assert main(["verify", str(path)]) == 0


def test_a_file_with_another_name_is_not_overwritten(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A hard link is a second name for the same bytes: wiping them would empty the other name's file."""
    import os

    path = tmp_path / "audit.db"
    small_audit(path).close()
    os.link(path, tmp_path / "other-name.db")
    monkeypatch.setenv("CDI_PASSPHRASE", PASS)
    assert main(["encrypt", str(path)]) == 0
    assert PHRASE in (tmp_path / "other-name.db").read_bytes()
