"""The programme's own facts under the hash-chained trail (issue 14; schema 0019): an audit's name, period and rule
set (recorded when it is created, closed or reopened, or its method named) and the audit work the lead gives out (team_view.assign_work,
kept in a table of its own, written only by the lead's login on PostgreSQL). A change made by SQL behind the
workbench's back is reported by `cdi verify`; a database whose work was kept in the settings keeps it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from cdi_workbench.audit.people import add_person, create_login
from cdi_workbench.audit.programme import close_audit, create
from cdi_workbench.audit.service import AuditService
from cdi_workbench.cli import main as cdi
from cdi_workbench.storage.database import Database, _alembic_config
from cdi_workbench.team_view import assign_work, team
from tests.builders import small_audit

LEAD, AMY, CARL = "Lena Lead", "Amy Auditor", "Carl Auditor"


def _programme(target: str) -> Database:
    """The small audit (01/01/2014 to 30/06/2014) and a second audit, March 2014."""
    db = small_audit(target)
    create(db, None, date(2014, 3, 1), date(2014, 3, 31), "2014", who="builder")
    return db


def _problems(db: Database) -> list[str]:
    return [str(f) for f in AuditService(db).verify_trail()]


def _sql(db: Database, sql: str, **params: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


@pytest.mark.parametrize(("column", "value"), [("period_end", "2014-04-30"), ("rule_set", "2015"),
                                               ("period_start", "2014-02-01"), ("name", "2014-03 (b)")])
def test_an_audit_row_changed_by_sql_is_reported(db_target: str, column: str, value: str) -> None:
    db = _programme(db_target)
    try:
        assert _problems(db) == []
        _sql(db, f"UPDATE audit SET {column} = :v WHERE name = '2014-03'", v=value)
        found = _problems(db)
        assert found, f"an UPDATE of audit.{column} went unnoticed"
        assert any(column in f and "outside the application" in f for f in found), found
    finally:
        db.close()


def test_an_audit_inserted_or_deleted_by_sql_is_reported(db_target: str) -> None:
    db = _programme(db_target)
    try:
        _sql(db, "INSERT INTO audit (name, force, period_start, period_end, rule_set, created_at, created_by) "
                 "VALUES ('2014-04', 'Testshire Police', '2014-04-01', '2014-04-30', '2014', "
                 "'2014-05-01 00:00:00', 'x')")
        found = _problems(db)
        assert any("'2014-04'" in f and "added outside the application" in f for f in found), found
        _sql(db, "DELETE FROM audit WHERE name IN ('2014-04', '2014-03')")
        found = _problems(db)
        assert any("'2014-03'" in f and "removed outside the application" in f for f in found), found
    finally:
        db.close()


def test_closing_and_reopening_are_in_the_trail_and_a_close_by_sql_is_not(db_target: str) -> None:
    db = _programme(db_target)
    try:
        with db.session() as s:
            close_audit(s, "2014-03", who="builder")
        with db.session() as s:
            close_audit(s, "2014-03", who="builder", reopen=True)
        with db.session() as s:
            close_audit(s, "2014-03", who="builder")
        assert _problems(db) == []
        with db.session() as s:
            rows = s.execute(text("SELECT new_body FROM verdict_change WHERE action = 'audit' ORDER BY id")).scalars()
            bodies = [b if isinstance(b, dict) else json.loads(b) for b in rows]
        march = [b for b in bodies if b["name"] == "2014-03"]
        assert [b["closed_at"] is not None for b in march] == [False, True, False, True]
        assert march[0]["period_start"] == "2014-03-01" and march[0]["rule_set"] == "2014"
        _sql(db, "UPDATE audit SET closed_at = NULL WHERE name = '2014-03'")  # reopened behind the lead's back
        assert any("closed_at" in f for f in _problems(db))
    finally:
        db.close()


def test_a_change_by_sql_is_not_laundered_by_closing_the_audit_afterwards(db_target: str) -> None:
    """The period moved by SQL, then the audit closed in the workbench (which records the audit as it then is):
    the closing row says what the audit held before it, which is not what the history had recorded."""
    db = _programme(db_target)
    try:
        _sql(db, "UPDATE audit SET period_end = '2014-04-30' WHERE name = '2014-03'")
        with db.session() as s:
            close_audit(s, "2014-03", who="builder")
        found = _problems(db)
        assert any("period_end '2014-04-30'" in f and "before then" in f for f in found), found
    finally:
        db.close()


def test_the_method_an_audit_is_audited_under_is_in_the_trail(db_target: str) -> None:
    """An audit's method (a setting the trends read: audits under different methods are not compared) named by the
    lead is recorded; named, or changed, by SQL it is reported."""
    from cdi_workbench.programme_figures import set_method_style

    db = _programme(db_target)
    try:
        set_method_style(db, "2014-03", "HMIC 2014 inspection", who="builder")
        assert _problems(db) == []
        with db.session() as s:
            last = s.execute(text("SELECT new_body FROM verdict_change WHERE action = 'audit' ORDER BY id DESC")
                             ).scalars().first()
        assert (last if isinstance(last, dict) else json.loads(last))["method_style"] == "HMIC 2014 inspection"
        _sql(db, "UPDATE audit_setting SET value = 'standard' WHERE key = 'method-style:2014-03'")
        assert any("method_style" in f and "outside the application" in f for f in _problems(db))
        _sql(db, "UPDATE audit_setting SET value = 'HMIC 2014 inspection' WHERE key = 'method-style:2014-03'")
        assert _problems(db) == []
        _sql(db, "INSERT INTO audit_setting (key, value) VALUES ('method-style:2014-01-01 to 2014-06-30', 'x')")
        assert any("method_style" in f and "2014-01-01 to 2014-06-30" in f for f in _problems(db))
    finally:
        db.close()


def _team_of_three(db: Database) -> None:
    add_person(db, LEAD, LEAD, "lead")
    add_person(db, LEAD, AMY, "auditor")
    add_person(db, LEAD, CARL, "auditor")


def test_an_assignment_written_by_sql_is_reported(db_target: str) -> None:
    db = small_audit(db_target)
    try:
        _team_of_three(db)
        assert assign_work(db, AMY, "Incidents", [1, 2], who=LEAD) == 2
        assert assign_work(db, CARL, "Incidents", [2], who=LEAD) == 1  # moved to Carl
        assert _problems(db) == []
        with db.session() as s:
            audit_id = s.execute(text("SELECT min(id) FROM audit")).scalar_one()
            third = s.execute(text("SELECT i.id FROM audit_item i JOIN sample s ON s.id = i.sample_id "
                                   "WHERE s.name = 'Incidents' AND i.position = 3")).scalar_one()
        _sql(db, "INSERT INTO work_assignment (audit_id, item_id, person, assigned_by, assigned_at) "
                 "VALUES (:a, :i, :p, :p, '2014-07-01 00:00:00')", a=audit_id, i=third, p=AMY)
        found = _problems(db)
        assert any(f"item {third}" in f and "outside the application" in f for f in found), found
        _sql(db, "DELETE FROM work_assignment WHERE item_id = :i", i=third)
        assert _problems(db) == []
        _sql(db, "UPDATE work_assignment SET person = :p WHERE person = :c", p=AMY, c=CARL)  # Carl's record to Amy
        found = _problems(db)
        assert any(AMY in f and CARL in f for f in found), found
        _sql(db, "DELETE FROM work_assignment")
        assert any("removed outside the application" in f for f in _problems(db))
    finally:
        db.close()


@contextmanager
def _two_logins(db_target: str) -> Iterator[tuple[Database, str, str]]:
    """The small audit on the server with the team of three, and two logins of their own: an auditor's ('Amy Two')
    and a lead's ('Lee Two'), dropped afterwards."""
    db = small_audit(db_target)
    login, lead_login = f"cdi_amy_{uuid.uuid4().hex[:8]}", f"cdi_lee_{uuid.uuid4().hex[:8]}"
    try:
        _team_of_three(db)
        create_login(db, login)
        add_person(db, LEAD, "Amy Two", "auditor", login)
        create_login(db, lead_login)
        add_person(db, LEAD, "Lee Two", "lead", lead_login)
        yield db, login, lead_login
    finally:
        db.close()
        admin = create_engine(db_target, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in (login, lead_login):
                if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": name}).first():
                    conn.exec_driver_sql(f'DROP OWNED BY "{name}"')
                    conn.exec_driver_sql(f'DROP ROLE "{name}"')
        admin.dispose()


def _each_refused(db_target: str, login: str, refusal: str, statements: tuple[str, ...],
                  params: dict[str, object] | None = None) -> None:
    """Each statement, run by the login in a transaction of its own, refused by the server (`refusal`: a pattern
    of the error's words)."""
    engine = create_engine(db_target.replace("postgres@", f"{login}@", 1))
    try:
        for sql in statements:
            with pytest.raises(DBAPIError, match=refusal):
                with engine.begin() as conn:
                    conn.execute(text(sql), params or {})
    finally:
        engine.dispose()


def test_on_postgresql_only_the_lead_gives_out_audit_work(db_target: str) -> None:
    if not db_target.startswith("postgresql"):
        pytest.skip("database logins exist on PostgreSQL only")
    with _two_logins(db_target) as (db, login, lead_login):
        assert assign_work(db, AMY, "Incidents", [1], who=LEAD) == 1  # the lead (the owner's login) may
        with db.session() as s:
            audit_id = s.execute(text("SELECT min(id) FROM audit")).scalar_one()
            item = s.execute(text("SELECT item_id FROM work_assignment")).scalar_one()
        _each_refused(db_target, login, "permission denied", (
            "INSERT INTO work_assignment (audit_id, item_id, person, assigned_by, assigned_at) "
            "VALUES (:a, :i + 1, 'Amy Two', 'Amy Two', now())",
            "UPDATE work_assignment SET person = 'Amy Two' WHERE item_id = :i",
            "DELETE FROM work_assignment WHERE item_id = :i"), {"a": audit_id, "i": item})
        with db.session() as s:
            assert s.execute(text("SELECT person FROM work_assignment")).scalars().all() == [AMY]
        as_lee = Database(db_target.replace("postgres@", f"{lead_login}@", 1))
        try:  # a lead's own login (not the tables' owner) gives out work, recorded in the trail in their name
            assert assign_work(as_lee, CARL, "Incidents", [1, 2], who="anyone") == 2
        finally:
            as_lee.close()
        with db.session() as s:
            assert s.execute(text("SELECT person FROM work_assignment ORDER BY item_id")).scalars().all() == [CARL] * 2
            assert s.execute(text("SELECT who FROM verdict_change WHERE action = 'work' ORDER BY id DESC")
                             ).scalars().first() == "Lee Two"
        assert _problems(db) == []


def test_work_kept_in_the_settings_is_moved_by_the_upgrade(db_target: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A database from schema 0018, its audit work kept as JSON in the settings ('work:AUDIT ID'), opens with the
    same work in the team view, held in the table and the trail (it verifies), and the setting gone; a file is
    backed up first."""
    db = _programme(db_target)
    _team_of_three(db)
    with db.session() as s:
        audit_id = s.execute(text("SELECT min(id) FROM audit")).scalar_one()
        items = dict(s.execute(text("SELECT i.position, i.id FROM audit_item i JOIN sample s ON s.id = i.sample_id "
                                    "WHERE s.name = 'Incidents'")).tuples().all())
    with db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0018")
    given = {str(items[1]): AMY, str(items[2]): AMY, str(items[3]): CARL, "999999": CARL}  # an item long gone
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0018"
        conn.execute(text("INSERT INTO audit_setting (key, value) VALUES (:k, :v)"),
                     {"k": f"work:{audit_id}", "v": json.dumps(given, sort_keys=True)})
    db.close()
    db = Database(db_target)
    try:
        if not db_target.startswith("postgresql"):
            assert db.backup is not None and db.backup.exists()
        by = {m.name: m for m in team(db, who=LEAD).members}
        assert (by[AMY].work_assigned, by[CARL].work_assigned) == (2, 1)
        with db.session() as s:
            assert s.execute(text("SELECT count(*) FROM audit_setting WHERE key LIKE 'work:%'")).scalar_one() == 0
            held = dict(s.execute(text("SELECT item_id, person FROM work_assignment")).tuples().all())
        assert held == {items[1]: AMY, items[2]: AMY, items[3]: CARL}
        assert _problems(db) == []
        assert assign_work(db, AMY, "Incidents", [3], who=LEAD) == 1  # and work goes on being given out
        assert {m.name: m.work_assigned for m in team(db, who=LEAD).members}[AMY] == 3
        assert _problems(db) == []
    finally:
        db.close()
    assert cdi(["--user", LEAD, "verify", db_target]) == 0
    assert "the audit trail is intact" in capsys.readouterr().out


def test_on_postgresql_the_leads_own_login_runs_the_programme(db_target: str) -> None:
    """A team's lead, logged in as themselves (not the tables' owner), adds next month's audit and closes it; an
    auditor's login cannot add, change or remove an audit by SQL (cdi_guard_audit)."""
    if not db_target.startswith("postgresql"):
        pytest.skip("database logins exist on PostgreSQL only")
    with _two_logins(db_target) as (db, login, lead_login):
        as_lee = Database(db_target.replace("postgres@", f"{lead_login}@", 1))
        try:
            create(as_lee, "2014-07", date(2014, 7, 1), date(2014, 7, 31), "2014", who="anyone")
            with as_lee.session() as s:
                close_audit(s, "2014-07", who="anyone")
        finally:
            as_lee.close()
        with db.session() as s:
            assert s.execute(text("SELECT closed_at IS NOT NULL FROM audit WHERE name = '2014-07'")).scalar_one()
        _each_refused(db_target, login, "permission denied|not allowed|may not", (
            "INSERT INTO audit (name, force, period_start, period_end, rule_set, created_at, created_by) "
            "VALUES ('2014-08', 'F', '2014-08-01', '2014-08-31', '2014', now(), 'Amy Two')",
            "UPDATE audit SET closed_at = NULL WHERE name = '2014-07'",
            "DELETE FROM audit WHERE name = '2014-07'"))
        assert _problems(db) == []


def test_on_postgresql_an_auditors_login_cannot_change_the_leads_settings(db_target: str) -> None:
    """Targets, the actions log, audit methods, saved designs and local configuration are the lead's: an auditor's
    login was refused them only by the workbench, while the settings table let it write any row."""
    if not db_target.startswith("postgresql"):
        pytest.skip("database logins exist on PostgreSQL only")
    from cdi_workbench.programme_figures import add_action, set_targets, targets

    with _two_logins(db_target) as (db, login, lead_login):
        as_lee = Database(db_target.replace("postgres@", f"{lead_login}@", 1))
        try:  # the lead's own login sets them through the workbench
            set_targets(as_lee, {"recording_rates.all": 90}, who="anyone")
            add_action(as_lee, "Retrain the control room", "Ch Insp A", date(2014, 9, 1), who="anyone")
        finally:
            as_lee.close()
        _each_refused(db_target, login, "not allowed|may not|permission denied", (
            "UPDATE audit_setting SET value = '10' WHERE key = 'target:recording_rates.all'",
            "DELETE FROM audit_setting WHERE key = 'board-actions'",
            "INSERT INTO audit_setting (key, value) VALUES ('design:Mine', '{}')",
            "INSERT INTO audit_setting (key, value) VALUES ('local:codes', '{}')",
            "UPDATE audit_setting SET key = 'x' WHERE key = 'target:recording_rates.all'"))
        as_amy = create_engine(db_target.replace("postgres@", f"{login}@", 1))
        try:
            with as_amy.begin() as conn:  # what an auditor may set stays theirs to write
                conn.execute(text("INSERT INTO audit_setting (key, value) VALUES ('recorded_crime:1:all', '5')"))
        finally:
            as_amy.dispose()
        assert targets(db) == {"recording_rates.all": 90.0}
