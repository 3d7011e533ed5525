"""Storage on real engines: SQLite files on disk and, when available, a PostgreSQL server."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from cdi_workbench import sampling
from cdi_workbench.audit.service import AuditError, AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.storage.database import Database, DatabaseError, _alembic_config, head_revision, make_engine
from cdi_workbench.storage.models import Base, CrimeRecord, ReportRecord, VerdictChange
from tests.builders import small_audit


def test_schema_from_migrations_matches_models(db_target: str) -> None:
    db = small_audit(db_target)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    db.close()
    assert diff == []


def test_verdict_is_committed_when_entered(db_target: str) -> None:
    db = small_audit(db_target)
    svc = AuditService(db, "Inspector A")
    item = svc.queue(svc.samples()[0].id)[0]
    svc.save_verdict(item.item_id, VerdictBody(crimes=[CrimeFinding(expected_code="8N")]))
    # a second, independent connection sees it at once: nothing waits for a "save"
    other = Database(db_target)
    body = AuditService(other, "Reader").verdict(item.item_id)
    assert [c.expected_code for c in body.crimes] == ["8N"]
    other.close()
    db.close()


def test_history_undo_and_redo(db_target: str) -> None:
    db = small_audit(db_target)
    svc = AuditService(db, "Inspector A")
    item_id = svc.queue(svc.samples()[0].id)[0].item_id
    svc.save_verdict(item_id, VerdictBody(crimes=[CrimeFinding(expected_code="8N")]), label="first")
    svc.save_verdict(item_id, VerdictBody(crimes=[CrimeFinding(expected_code="105A")]), label="second")
    assert svc.undo() == item_id
    assert [c.expected_code for c in svc.verdict(item_id).crimes] == ["8N"]
    assert svc.redo() == item_id
    assert [c.expected_code for c in svc.verdict(item_id).crimes] == ["105A"]
    svc.undo()
    svc.undo()
    assert svc.verdict(item_id).crimes == []
    assert svc.undo() is None
    actions = [h.action for h in svc.history(item_id)]
    assert actions == ["set", "set", "undo", "redo", "undo", "undo"]
    assert all(h.who == "Inspector A" for h in svc.history(item_id))
    db.close()


def test_override_needs_a_reason_and_nobody_cannot_write(db_target: str) -> None:
    db = small_audit(db_target)
    svc = AuditService(db, "Inspector A")
    item_id = svc.queue(svc.samples()[0].id)[0].item_id
    with pytest.raises(AuditError, match="override needs a reason"):
        svc.save_verdict(item_id, VerdictBody(crimes=[CrimeFinding(expected_code="8N", crime_id=1,
                                                                   timely_override=True)]))
    with pytest.raises(AuditError, match="who is auditing"):
        AuditService(db, "").save_verdict(item_id, VerdictBody())
    with db.session() as s:  # no verdict row (drawing the samples wrote theirs)
        assert s.scalar(select(VerdictChange.id).where(VerdictChange.item_id == item_id)) is None
    db.close()


def test_times_round_trip_aware_utc(db_target: str) -> None:
    db = small_audit(db_target)
    with db.session() as s:
        inc = s.scalar(select(ReportRecord).where(ReportRecord.ref == "INC-0001"))
        # 14/03/2014 21:14 in London was GMT, so 21:14 UTC
        assert inc.received_at == datetime(2014, 3, 14, 21, 14, tzinfo=UTC)
        assert inc.received_at.tzinfo is not None
        s.add(CrimeRecord(ref="BST-1", recorded_at=datetime(2014, 7, 1, 12, 0)))  # naive: UK local (BST)
    with db.session() as s:
        got = s.scalar(select(CrimeRecord.recorded_at).where(CrimeRecord.ref == "BST-1"))
        assert got == datetime(2014, 7, 1, 11, 0, tzinfo=UTC)
    db.close()


def test_same_seed_same_sample_on_every_engine(db_target: str, tmp_path: Path) -> None:
    """The draw depends only on the seed and the references, so SQLite and PostgreSQL agree."""
    reference = small_audit(tmp_path / "reference.db")
    db = small_audit(db_target)
    for d in (reference, db):
        with d.session() as s:
            for n in range(200):
                s.add(ReportRecord(kind="incident", system="Incident", ref=f"X{n:04d}", narrative=""))
            s.flush()
            sampling.draw(s, "big", "incident", 25, seed=99)
    picked = []
    for d in (reference, db):
        svc = AuditService(d)
        sid = next(x.id for x in svc.samples() if x.name == "big")
        picked.append([r.ref for r in svc.queue(sid)])
        d.close()
    assert picked[0] == picked[1]
    assert len(set(picked[0])) == 25


def test_older_file_is_backed_up_then_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = make_engine(path)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.execute(text("INSERT INTO audit (force, period_start, period_end, rule_set, created_at, created_by) "
                          "VALUES ('Old Force', '2014-01-01', '2014-06-30', '2014', '2014-07-01 00:00:00', 'x')"))
    engine.dispose()
    db = Database(path)
    assert db.backup is not None and db.backup.exists()
    with sqlite3.connect(db.backup) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
        assert conn.execute("SELECT force FROM audit").fetchone()[0] == "Old Force"
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    assert AuditService(db).info().force == "Old Force"
    db.close()


def test_newer_and_foreign_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    small_audit(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(DatabaseError, match="newer version"):
        Database(path)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(DatabaseError, match="not a CDI Workbench audit database"):
        Database(foreign)
    with pytest.raises(DatabaseError, match="no such file"):
        Database(tmp_path / "missing.db")


def test_registrar_can_extend_the_reasons(db_target: str) -> None:
    db = small_audit(db_target)
    svc = AuditService(db, "Registrar")
    svc.add_reason("  Victim  could not be traced ")
    svc.add_reason("Victim could not be traced")
    assert svc.reasons()[-1] == "Victim could not be traced"
    assert svc.reasons().count("Victim could not be traced") == 1
    db.close()


def test_files_that_are_not_audit_databases_are_refused_plainly_and_left_alone(tmp_path: Path) -> None:
    cases = {"notes.db": b"hello", "export.xlsx": b"PK\x03\x04 a workbook", "empty.db": b""}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(DatabaseError) as caught:
            Database(path)
        message = str(caught.value)
        assert name in message and "sqlalche" not in message and "Traceback" not in message
        assert path.read_bytes() == content  # not even a page written into it
    with pytest.raises(DatabaseError, match="is a folder"):
        Database(tmp_path)
    with pytest.raises(DatabaseError, match=r"cannot be opened as an audit database \(.*refused") as caught:
        Database("postgresql+psycopg2://someone:secret@127.0.0.1:1/nothing")
    assert "secret" not in str(caught.value)
