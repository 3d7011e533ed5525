"""Retention, adversarially (issue 13): only the audit lead purges; a purge cannot be faked by deleting or editing
records by hand, nor by writing a 'purge' row into the history outside the workbench; a record edited after a
purge is still found by `cdi verify`. On SQLite and, with CDI_TEST_PG_URL, PostgreSQL, where each person connects
with their own login and the server itself refuses a 'purge' history row from anyone but the lead.

Tampering is done as the tables' owner would (outside the workbench): on PostgreSQL with the history's
append-only trigger switched off first.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.trail import PURGE, digest, last_hash, seal_unsealed, trail_head, verify
from cdi_workbench.cli import main
from cdi_workbench.retention import purge
from cdi_workbench.storage.content import fill, table_state
from cdi_workbench.storage.database import make_engine
from cdi_workbench.storage.models import ReportRecord, VerdictChange
from tests.conftest import PG_URL, _pg_database
from tests.purge_builders import AUDITOR, BEFORE, LARA, LEAD, REVIEWER, Audit, build

DENIED = "42501"  # insufficient_privilege


@dataclass
class Case:
    audit: Audit
    pg: bool

    @property
    def target(self) -> str:
        return self.audit.target

    def url(self, person: str) -> str:
        """How `person` reaches the database from the command line: their own login on PostgreSQL."""
        login = self.audit.logins.get(person)
        return self.target.replace("postgres@", f"{login}@", 1) if login else self.target

    def tamper(self, *sql: str, after: Callable[[Connection], None] | None = None, rechain: bool = False) -> None:
        """SQL run as the tables' owner would run it, outside the workbench; `after` on the same connection;
        with `rechain`, every history digest worked out again with the workbench's own function."""
        self.audit.close()
        engine = make_engine(self.target)
        try:
            with engine.begin() as conn:
                if self.pg:
                    conn.exec_driver_sql("ALTER TABLE verdict_change DISABLE TRIGGER USER")
                for statement in sql:
                    conn.exec_driver_sql(statement)
                if after is not None:
                    after(conn)
                if rechain:
                    conn.exec_driver_sql("UPDATE verdict_change SET prev_hash = NULL, hash = NULL")
                    seal_unsealed(conn)
                if self.pg:
                    conn.exec_driver_sql("ALTER TABLE verdict_change ENABLE TRIGGER USER")
        finally:
            engine.dispose()

    def problems(self) -> list[str]:
        with self.audit.db().session() as s:
            return [str(p) for p in verify(s)]

    def purge(self) -> int:
        done = purge(self.audit.db(), LEAD, BEFORE, "Findings published")
        assert done.history_row is not None and not self.problems()
        return done.history_row


def _drop_roles(names: list[str]) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": name}).first():
                conn.exec_driver_sql(f'DROP ROLE "{name}"')
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Case]:
    """The audit; on PostgreSQL (a fresh database) the second lead, the auditor and the reviewer each with a login
    of their own, dropped after the database."""
    if request.param == "sqlite":
        audit = build(str(tmp_path / "audit.db"), tmp_path)
        try:
            yield Case(audit, False)
        finally:
            audit.close()
        return
    if not PG_URL:
        pytest.skip("no PostgreSQL server: set CDI_TEST_PG_URL to run the server tests")
    tag = uuid.uuid4().hex[:8]
    logins = {LARA: f"cdi_lara_{tag}", AUDITOR: f"cdi_alan_{tag}", REVIEWER: f"cdi_rita_{tag}"}
    databases = _pg_database()
    pg_audit = None
    try:
        pg_audit = build(next(databases), tmp_path, logins)
        yield Case(pg_audit, True)
    finally:
        if pg_audit is not None:
            pg_audit.close()
        databases.close()  # the database, and with it every privilege granted on it; then the logins
        _drop_roles(list(logins.values()))


def _records(case: Case) -> list[tuple[Any, ...]]:
    with case.audit.db().session() as s:
        return [tuple(r) for r in s.execute(select(ReportRecord.ref, ReportRecord.narrative)
                                            .order_by(ReportRecord.id)).all()]


# ---- who may purge ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("person", [AUDITOR, REVIEWER])
def test_only_the_lead_may_purge(case: Case, person: str, capsys: pytest.CaptureFixture[str]) -> None:
    head, records = trail_head(case.audit.db()), _records(case)
    with pytest.raises(NotAllowed, match="may not purge records no longer needed: only the audit lead may"):
        purge(case.audit.db(person), person, BEFORE, "tidying up")
    with pytest.raises(NotAllowed):
        purge(case.audit.db(person), person, BEFORE, "", dry_run=True)  # not even to look
    case.audit.close()
    assert main(["--user", person, "purge", case.url(person), "--before", "2014-07-01", "--reason", "tidy"]) == 4
    assert "not allowed" in capsys.readouterr().err
    assert trail_head(case.audit.db()) == head and _records(case) == records


def test_the_lead_purges_under_their_own_login(case: Case) -> None:
    """On PostgreSQL the second lead is not the tables' owner, so every guard of schema 0011 and 0014 holds her:
    the server takes her deletions, updates and 'purge' history row."""
    done = purge(case.audit.db(LARA), LARA, BEFORE, "Findings published")
    assert done.history_row is not None and done.who == LARA
    with case.audit.db().session() as s:
        assert s.get_one(VerdictChange, done.history_row).who == LARA
    assert case.problems() == []


def test_server_refuses_a_purge_row_from_an_auditor(case: Case) -> None:
    """An auditor may write the record tables (imports) but never a 'purge' row: records deleted under her login
    with plain SQL cannot be passed off as purged."""
    if not case.pg:
        pytest.skip("a SQLite file has no logins: the trail answers there (the tests below)")
    engine = make_engine(case.url(AUDITOR))
    try:
        with pytest.raises(DBAPIError) as refused, engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM report_record WHERE ref = 'I-10'")  # allowed: she imports
            with Session(bind=conn) as s:
                _append_purge(s, AUDITOR, conn)
        assert getattr(refused.value.orig, "pgcode", None) == DENIED
        assert "may not write a 'purge' row" in str(refused.value)
    finally:
        engine.dispose()
    assert case.problems() == []


# ---- faking a purge ---------------------------------------------------------------------------------------------
def _append_purge(s: Session, who: str, conn: Connection, hash_: str | None = None) -> None:
    """A 'purge' row written outside the workbench, recording report_record as it now is: chained to the last row
    with the workbench's own digest function (or given `hash_`)."""
    state = table_state(conn, "report_record")
    body = {"before": "2014-07-01", "tables": {"report_record": {"deleted": 1, "blanked": 0, "rows": state["rows"],
                                                                 "digest": state["digest"]}}, "links": 0}
    prev, at, reason = last_hash(s), datetime.now(UTC), "records dated before 01/07/2014 purged: tidy"
    s.add(VerdictChange(item_id=0, role=PURGE, at=at, who=who, action=PURGE, old_body=None, new_body=body,
                        reason=reason, prev_hash=prev,
                        hash=hash_ or digest(prev, 0, PURGE, at, who, PURGE, None, body, reason)))
    s.flush()


def test_records_deleted_by_hand_are_not_a_purge(case: Case) -> None:
    """Records deleted outside the workbench, with no purge: the table is not what the history last records."""
    case.tamper("DELETE FROM record_link WHERE report_id IN (SELECT id FROM report_record WHERE ref = 'I-05')",
                "DELETE FROM report_record WHERE ref = 'I-05'")
    found = case.problems()
    assert any("the incident and referral records are not those the history last records" in p
               and "1 fewer than then" in p for p in found), found


def test_a_forged_purge_row_does_not_verify(case: Case) -> None:
    """Records deleted by hand and a 'purge' row written by SQL to cover them, without the chain's digest: the
    history's chain breaks at the forged row."""
    def forge(conn: Connection) -> None:
        with Session(bind=conn) as s:
            _append_purge(s, LEAD, conn, hash_="f" * 64)

    case.tamper("DELETE FROM record_link WHERE report_id IN (SELECT id FROM report_record WHERE ref = 'I-05')",
                "DELETE FROM report_record WHERE ref = 'I-05'", after=forge)
    with case.audit.db().session() as s:
        last = s.scalar(select(VerdictChange.id).order_by(VerdictChange.id.desc()).limit(1))
    found = case.problems()
    assert f"history row {last}: its content was changed after it was written" in found, found


def test_a_chained_purge_row_by_someone_not_the_lead_does_not_verify(case: Case) -> None:
    """Even chained with the workbench's own digest function, a purge recorded in the name of someone who was not
    an active lead is named by `cdi verify` (on PostgreSQL the server refuses it from the auditor's own login:
    test_server_refuses_a_purge_row_from_an_auditor)."""
    def forge(conn: Connection) -> None:
        with Session(bind=conn) as s:
            _append_purge(s, AUDITOR, conn)

    case.tamper("DELETE FROM record_link WHERE report_id IN (SELECT id FROM report_record WHERE ref = 'I-05')",
                "DELETE FROM report_record WHERE ref = 'I-05'", after=forge)
    found = case.problems()
    assert any(f"records a purge of records by '{AUDITOR}', who was not then an active audit lead" in p
               for p in found), found
    assert not any("not those the history last records" in p for p in found)  # the forged row matches the table


def test_a_purge_row_rewritten_to_cover_more(case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    """After a real purge, one more record deleted by hand and the purge's row edited to record the table as it
    then is: the chain breaks; with the whole chain worked out again, only the head issued after the purge shows
    it (`cdi verify --against`)."""
    row = case.purge()
    rows, head = trail_head(case.audit.db())

    def widen(conn: Connection) -> None:
        with Session(bind=conn) as s:
            change = s.get_one(VerdictChange, row)
            body = dict(change.new_body or {})
            tables = dict(body["tables"])
            tables["report_record"] = {**tables["report_record"], **{
                k: v for k, v in table_state(conn, "report_record").items() if k in ("rows", "digest")}}
            change.new_body = {**body, "tables": tables}
            s.flush()

    case.tamper("DELETE FROM record_link WHERE report_id IN (SELECT id FROM report_record WHERE ref = 'I-10')",
                "DELETE FROM report_record WHERE ref = 'I-10'", after=widen)
    found = case.problems()
    assert f"history row {row}: its content was changed after it was written" in found, found
    case.tamper(rechain=True)
    assert case.problems() == []  # rewritten consistently: the file alone cannot show it
    case.audit.close()
    assert main(["verify", case.target, "--against", f"{head}:{rows}"]) == 1
    said = capsys.readouterr()
    assert "the history issued then was rewritten" in said.out + said.err


# ---- editing after a purge ----------------------------------------------------------------------------------------
def test_a_record_edited_after_the_purge_is_still_found(case: Case) -> None:
    """The purged record's new digest is expected; the narrative put back by hand is not, whether its digest is
    left as it was or worked out again."""
    row = case.purge()
    case.tamper("UPDATE report_record SET narrative = 'Quokka I-01 caller says her partner hit her' "
                "WHERE ref = 'I-01'")
    found = case.problems()
    assert any("(I-01) does not hold what its content digest says: edited outside the application" in p
               for p in found), found

    def digests(conn: Connection) -> None:
        conn.exec_driver_sql("UPDATE report_record SET content_hash = NULL WHERE ref = 'I-01'")
        fill(conn, "report_record")

    case.tamper(after=digests)
    found = case.problems()
    assert any(f"history row {row}: the incident and referral records are not those the history last records "
               f"(row {row}" in p for p in found), found
    assert not any("does not hold what its content digest says" in p for p in found)


def test_a_record_deleted_after_the_purge_is_found(case: Case) -> None:
    row = case.purge()
    case.tamper("DELETE FROM n100")
    found = case.problems()
    assert any(f"history row {row}: the N100 records are not those the history last records" in p
               for p in found), found
