"""Untrusted files are inert (issue 12): a SQLite file carrying SQL of its own is refused before a byte is written.

A crafted audit database or package could hold a trigger that deletes history rows whenever a verdict is saved
(while every save is acknowledged). The workbench compares each file's schema with what its migrations make at
the file's schema version and refuses anything else by name; every connection runs with trusted_schema OFF; a
package is read from a private temporary copy, never where it lies.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.packages import PackageError, apply_merge, export_package, plan_import
from cdi_workbench.storage.database import (
    Database,
    DatabaseError,
    UntrustedFile,
    _alembic_config,
    head_revision,
    make_engine,
)
from cdi_workbench.storage.schema_check import MANIFEST, build_manifest, render_manifest
from tests.builders import small_audit

ROOT = Path(__file__).resolve().parents[2]

# the trigger of the issue: each verdict saved silently takes the history with it
DROP_HISTORY = ("CREATE TRIGGER drop_history AFTER INSERT ON verdict BEGIN "
                "DELETE FROM verdict_change; END")


def _sql(path: Path, *statements: str) -> None:
    """Change a file behind the workbench's back, as someone crafting it would."""
    with closing(sqlite3.connect(path)) as conn:
        for statement in statements:
            conn.execute(statement)
        conn.commit()


def _downgrade(path: Path, revision: str) -> None:
    """The file as a workbench of an older schema left it (by the migrations' own downgrades)."""
    engine = make_engine(path)
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), revision)
    engine.dispose()


def _count(path: Path, table: str) -> int:
    with closing(sqlite3.connect(path)) as conn:  # (read-write: closing it leaves no -wal or -shm behind)
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def _state(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in the folder: its bytes and when it was last written."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def _audit_with_history(folder: Path) -> Path:
    """An audit database whose history holds a verdict, closed; in a folder of its own."""
    folder.mkdir()
    path = folder / "audit.db"
    db = small_audit(path)
    svc = AuditService(db, "Inspector A")
    sid = next(s.id for s in svc.samples() if s.name == "Incidents")
    item = svc.queue(sid)[0].item_id
    svc.save_verdict(item, VerdictBody(zero_status=True, rationale="no crime disclosed", complete=True))
    db.close()
    return path


def test_trusted_schema_is_off_on_every_connection(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "audit.db")
    with db.engine.connect() as one, db.engine.connect() as two:
        assert one.execute(text("PRAGMA trusted_schema")).scalar() == 0
        assert two.execute(text("PRAGMA trusted_schema")).scalar() == 0
    with db.session() as s:
        assert s.execute(text("PRAGMA trusted_schema")).scalar() == 0
    db.close()


def test_a_database_with_a_trigger_of_its_own_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = _audit_with_history(tmp_path / "crafted")
    _sql(path, DROP_HISTORY)
    history = _count(path, "verdict_change")
    before = _state(path.parent)
    with pytest.raises(UntrustedFile) as caught:
        Database(path)
    message = str(caught.value)
    assert "audit.db holds a trigger 'drop_history' that CDI Workbench did not make" in message
    assert "refused, nothing was changed" in message
    assert _state(path.parent) == before  # not a byte written, no -wal or -shm left beside it
    assert _count(path, "verdict_change") == history >= 1


def test_the_command_line_refuses_it_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _audit_with_history(tmp_path / "crafted")
    _sql(path, DROP_HISTORY)
    before = _state(path.parent)
    assert main(["info", str(path)]) != 0
    err = capsys.readouterr().err
    assert "trigger 'drop_history'" in err and "Traceback" not in err
    out = subprocess.run([sys.executable, "-m", "cdi_workbench.cli", "info", str(path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "trigger 'drop_history' that CDI Workbench did not make" in out.stderr
    assert "Traceback" not in out.stderr
    assert _state(path.parent) == before


CRAFTED = {
    "an extra view": (["CREATE VIEW everything AS SELECT * FROM verdict_change"], "a view 'everything'"),
    "an extra table": (["CREATE TABLE stash (x)"], "a table 'stash'"),
    "an extra index": (["CREATE INDEX ix_stash ON verdict (auditor)"], "an index 'ix_stash'"),
    "a trigger altered": (
        ["DROP TRIGGER cdi_link_added",
         "CREATE TRIGGER cdi_link_added AFTER INSERT ON record_link BEGIN DELETE FROM verdict_change; END"],
        "a trigger 'cdi_link_added' that is not the one CDI Workbench made"),
    "a trigger altered by quoting alone": (  # "NULL" is read as the text 'NULL' where no column has that name
        ["DROP TRIGGER cdi_link_added",
         'CREATE TRIGGER cdi_link_added AFTER INSERT ON record_link BEGIN UPDATE report_record SET stratum = "NULL" '
         "WHERE id = NEW.report_id AND stratum IS NOT NULL; END"],
        "a trigger 'cdi_link_added' that is not the one CDI Workbench made"),
    "a table altered": (["ALTER TABLE verdict ADD COLUMN note TEXT DEFAULT 'x'"],
                        "a table 'verdict' that is not the one CDI Workbench made"),
    "a trigger missing": (["DROP TRIGGER cdi_crime_changed"], "no trigger 'cdi_crime_changed'"),
    "the version table altered": (["ALTER TABLE alembic_version ADD COLUMN x"],
                                  "a table 'alembic_version' that is not the one"),
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_anything_the_migrations_did_not_make_is_refused_by_name(case: str, tmp_path: Path) -> None:
    statements, named = CRAFTED[case]
    (tmp_path / "f").mkdir()
    path = tmp_path / "f" / "audit.db"
    small_audit(path).close()
    _sql(path, *statements)
    before = _state(path.parent)
    with pytest.raises(UntrustedFile, match="refused, nothing was changed") as caught:
        Database(path)
    assert named in str(caught.value)
    assert _state(path.parent) == before


def test_layout_alone_is_not_a_change(tmp_path: Path) -> None:
    """The same trigger written with other spacing, line breaks, a comment and keywords in other case: accepted
    (SQL is compared normalised; what it does is the same)."""
    path = tmp_path / "audit.db"
    small_audit(path).close()
    _sql(path, "DROP TRIGGER cdi_link_added",
         "create trigger cdi_link_added after insert on record_link begin -- mark the report's stratum stale\n"
         "  update report_record set stratum = null where id = new.report_id and stratum is not null;\nend")
    Database(path).close()


def test_a_clean_database_opens_and_its_verdicts_save(tmp_path: Path) -> None:
    path = _audit_with_history(tmp_path / "clean")
    history = _count(path, "verdict_change")
    db = Database(path)
    svc = AuditService(db, "Inspector A")
    sid = next(s.id for s in svc.samples() if s.name == "Incidents")
    item = svc.queue(sid)[1].item_id
    svc.save_verdict(item, VerdictBody(zero_status=True, rationale="nothing", complete=True))
    assert svc.verify_trail() == []
    db.close()
    assert _count(path, "verdict_change") == history + 1


def test_an_older_database_with_a_trigger_is_refused_before_any_upgrade(tmp_path: Path) -> None:
    """Compared with what the migrations made at its own schema version, before the backup and the upgrade
    (the upgrade itself writes: a trigger would run)."""
    (tmp_path / "old").mkdir()
    path = tmp_path / "old" / "audit.db"
    engine = make_engine(path)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0009")
    engine.dispose()
    _sql(path, DROP_HISTORY)
    before = _state(path.parent)
    with pytest.raises(UntrustedFile, match="trigger 'drop_history'"):
        Database(path)
    assert _state(path.parent) == before  # no backup either: nothing was started
    _sql(path, "DROP TRIGGER drop_history")  # the same file without it: upgraded as before
    db = Database(path)
    assert db.backup is not None
    db.close()


def test_a_database_upgraded_from_the_first_schema_opens_again(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = make_engine(path)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
    engine.dispose()
    Database(path).close()  # upgraded
    db = Database(path)  # and then it is what the migrations make at the head
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    db.close()


def test_a_file_of_another_application_is_still_called_that(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    _sql(path, "CREATE TABLE customers (id INTEGER)", "CREATE TRIGGER t AFTER INSERT ON customers BEGIN "
               "DELETE FROM customers; END")
    with pytest.raises(DatabaseError, match="not a CDI Workbench audit database"):
        Database(path)


def test_the_manifest_is_what_the_migrations_make() -> None:
    """resources/schema_manifest.json is generated; after a new migration, regenerate it
    (python -m cdi_workbench.storage.schema_check --write)."""
    assert MANIFEST.read_text(encoding="utf-8") == render_manifest(build_manifest())


# ---- packages ---------------------------------------------------------------------------------------------
def _exported(tmp_path: Path) -> tuple[Path, Path, int]:
    """An audit database, a package of its Incidents in a folder of its own (the USB stick), and an item."""
    main_db = tmp_path / "audit.db"
    db = small_audit(main_db)
    svc = AuditService(db, "Inspector A")
    sid = next(s.id for s in svc.samples() if s.name == "Incidents")
    item = svc.queue(sid)[0].item_id
    (tmp_path / "stick").mkdir()
    package = export_package(db, "Incidents", tmp_path / "stick" / "b", who="Lead L").path
    db.close()
    pkg = Database(package)  # on the other machine: a verdict given in the package
    AuditService(pkg, "Auditor B").save_verdict(item, VerdictBody(zero_status=True, rationale="offline",
                                                                  complete=True))
    pkg.close()
    return main_db, package, item


def test_a_package_with_a_trigger_of_its_own_is_refused_and_left_untouched(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    main_db, package, _item = _exported(tmp_path)
    _sql(package, DROP_HISTORY)
    before, history = _state(package.parent), _count(main_db, "verdict_change")
    db = Database(main_db)
    with pytest.raises(PackageError) as caught:
        plan_import(db, package, "Lead L")
    db.close()
    assert "b.cdipkg holds a trigger 'drop_history' that CDI Workbench did not make" in str(caught.value)
    assert main(["package", "import", str(main_db), str(package), "--user", "Lead L"]) != 0
    err = capsys.readouterr().err
    assert "trigger 'drop_history'" in err and "Traceback" not in err
    assert _state(package.parent) == before
    assert _count(main_db, "verdict_change") == history


def test_a_clean_package_merges_and_is_only_read_where_it_lies(tmp_path: Path) -> None:
    main_db, package, item = _exported(tmp_path)
    before = _state(package.parent)
    db = Database(main_db)
    plan = plan_import(db, package, "Lead L")
    assert len(plan.auto) == 1
    assert apply_merge(db, plan, None, "Lead L").taken == 1
    assert AuditService(db, "Lead L").verdict(item).rationale == "offline"
    db.close()
    assert _state(package.parent) == before  # not opened there: no -wal, -shm or write


def test_a_package_from_an_older_workbench_is_upgraded_in_a_copy(tmp_path: Path) -> None:
    main_db, package, item = _exported(tmp_path)
    _downgrade(package, "0009")
    before = _state(package.parent)
    db = Database(main_db)
    assert apply_merge(db, plan_import(db, package, "Lead L"), None, "Lead L").taken == 1
    db.close()
    assert _state(package.parent) == before  # upgraded in the copy: no backup beside it, the file unchanged


# ---- PostgreSQL: no trigger the workbench did not make on its tables -----------------------------------------
@pytest.mark.postgres
def test_a_trigger_on_a_postgres_database_is_refused(db_target: str) -> None:
    if "://" not in db_target:
        pytest.skip("the server's check")
    db = small_audit(db_target)
    with db.engine.begin() as conn:
        conn.execute(text("CREATE FUNCTION drop_history() RETURNS trigger LANGUAGE plpgsql AS $$ "
                          "BEGIN DELETE FROM verdict_change; RETURN NULL; END $$"))
        conn.execute(text("CREATE TRIGGER drop_history AFTER INSERT ON verdict FOR EACH ROW "
                          "EXECUTE FUNCTION drop_history()"))
    db.close()
    with pytest.raises(UntrustedFile, match="trigger 'drop_history' on verdict"):
        Database(db_target)
    engine = make_engine(db_target)
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER drop_history ON verdict"))
    engine.dispose()
    Database(db_target).close()


def test_opening_stays_fast(tmp_path: Path) -> None:
    """The check is one read of sqlite_master against a precomputed manifest: no Alembic, no migration run."""
    path = tmp_path / "audit.db"
    small_audit(path).close()
    code = ("import sys, time\nfrom cdi_workbench.storage.database import Database\n"
            f"Database({str(path)!r}).close()\n"
            "print(','.join(m for m in ('alembic',) if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_a_database_taken_down_and_up_again_by_the_migrations_still_opens(tmp_path: Path) -> None:
    """A downgrade rebuilds tables (SQLite then writes their names quoted) and names a foreign key its upgrade left
    unnamed: neither changes what the SQL does, so neither is refused, at the older version or after the upgrade."""
    path = tmp_path / "audit.db"
    db = small_audit(path)
    with db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0006")
    db.close()
    db = Database(path)
    assert db.backup is not None
    db.close()
    Database(path).close()


def test_while_a_new_migration_is_written_the_schema_is_worked_out_from_the_migrations(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A revision the scripts have and the manifest has not yet: the expected schema comes from running the
    migrations (with a warning), so the check still holds, just slower."""
    from cdi_workbench.storage import database
    from cdi_workbench.storage.schema_manifest import SQLITE_SCHEMA

    path = tmp_path / "audit.db"
    small_audit(path).close()
    monkeypatch.delitem(SQLITE_SCHEMA, head_revision())
    database._manifest_from_migrations.cache_clear()
    try:
        with pytest.warns(UserWarning, match="regenerate"):
            Database(path).close()
        _sql(path, DROP_HISTORY)
        with pytest.raises(UntrustedFile, match="trigger 'drop_history'"):
            Database(path)
    finally:
        database._manifest_from_migrations.cache_clear()
