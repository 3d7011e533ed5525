"""Save a copy (issue 11): SQLite's backup API takes every committed verdict, those still in the write-ahead log
too, while the audit is open; a plain copy of the file would not. The copy verifies."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.backup import CopyExists, backup, save_copy, why_not
from cdi_workbench.cli import main
from cdi_workbench.storage.database import Database, DatabaseError
from cdi_workbench.storage.models import Verdict
from tests.builders import small_audit


def _verdicts(path: Path) -> dict[tuple[int, str], str]:
    """item, role -> body, read straight from the file with sqlite3 (no workbench, no upgrade)."""
    with sqlite3.connect(path) as conn:
        return {(i, r): b for i, r, b in conn.execute("SELECT item_id, role, body FROM verdict")}


def _audit_open(path: Path) -> tuple[Database, AuditService]:
    db = small_audit(path)
    svc = AuditService(db, "Inspector A")
    for n, smp in enumerate(svc.samples()):
        for row in svc.queue(smp.id):
            body = (VerdictBody(crimes=[CrimeFinding(expected_code="8N", not_recorded_reason="No discernible reason")],
                                rationale=f"verdict {n}", complete=True) if smp.kind in ("incident", "referral")
                    else VerdictBody(checks={}, rationale=f"verdict {n}", complete=True))
            svc.save_verdict(row.item_id, body)
    return db, svc


def test_a_copy_of_the_open_database_holds_every_verdict(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    db, svc = _audit_open(path)
    try:
        wal = Path(f"{path}-wal")
        assert wal.exists() and wal.stat().st_size > 0  # the latest work is in the log, not yet in audit.db
        with db.session() as s:
            expected = {(v.item_id, v.role) for v in s.scalars(select(Verdict))}
        assert len(expected) == 7
        plain = tmp_path / "plain.db"
        shutil.copyfile(path, plain)  # what a file manager would do: the log is left behind
        try:
            lost = len(expected) - len(_verdicts(plain))
        except sqlite3.OperationalError:  # not even the tables: they too are still in the log
            lost = len(expected)
        assert lost > 0
        copy = save_copy(db, tmp_path / "copy.db", "Inspector A")
        assert set(_verdicts(copy)) == expected and _verdicts(copy) == _verdicts(path)
        assert not Path(f"{copy}-wal").exists()  # one self-contained file
        svc.save_verdict(svc.queue(1)[0].item_id, VerdictBody(zero_status=True, complete=True))  # work goes on
    finally:
        db.close()
    other = Database(copy)
    try:
        assert AuditService(other).verify_trail() == []
    finally:
        other.close()
    assert main(["verify", str(copy)]) == 0


def test_refusals(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "audit.db"
    db, _ = _audit_open(path)
    try:
        target = tmp_path / "copy.db"
        target.write_text("something precious")
        with pytest.raises(CopyExists, match="already exists"):
            save_copy(db, target, "Inspector A")
        assert target.read_text() == "something precious"
        with pytest.raises(DatabaseError, match="the audit database itself"):
            save_copy(db, path, "Inspector A", overwrite=True)
        with pytest.raises(DatabaseError, match="a folder"):
            save_copy(db, tmp_path, "Inspector A")
        with pytest.raises(DatabaseError, match="no such folder"):
            save_copy(db, tmp_path / "nowhere" / "copy.db", "Inspector A")
        add_person(db, "Lena Lead", "Lena Lead", "lead")
        add_person(db, "Lena Lead", "Rita Reviewer", "reviewer")
        with pytest.raises(NotAllowed, match="may not save a copy of the audit database"):
            save_copy(db, tmp_path / "r.db", "Rita Reviewer")  # a copy holds the first verdicts: not for her
        assert not (tmp_path / "r.db").exists()
        assert why_not(db) == ""
    finally:
        db.close()
    # the command line: no overwrite unless --force
    assert main(["--user", "Lena Lead", "backup", str(path), str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["--user", "Lena Lead", "backup", str(path), str(target), "--force"]) == 0
    assert "Saved a copy" in capsys.readouterr().out
    assert len(_verdicts(target)) == 7
    assert main(["verify", str(target)]) == 0
    assert not list(tmp_path.glob(".*partial*"))  # nothing left behind


def test_postgresql_is_pg_dumps_job(capsys) -> None:  # noqa: ANN001
    url = "postgresql+psycopg2://nobody@127.0.0.1:1/nowhere"  # never connected to
    with pytest.raises(DatabaseError, match="pg_dump"):
        backup(url, "copy.db")
    assert main(["backup", url, "copy.db"]) == 1
    assert "pg_dump" in capsys.readouterr().err
