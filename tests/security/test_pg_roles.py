"""Roles on PostgreSQL are enforced by the server itself (schema 0011), not only by the workbench.

A team shares one database; each person connects with their own login (`cdi users add --create-login`). Here
every role does its ordinary work through the core under its own login, and then a peer reviewer, connected
with plain psycopg2 and no workbench in the way, tries what her role may not do: each statement is refused by
the server (SQLSTATE 42501, insufficient_privilege). The lead's role changes go through the core, with a reason,
into the hash-chained trail; on SQLite, where whoever holds the file can write it, a role changed by hand is
found by `cdi verify`.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine, func, select

from cdi_workbench import sampling
from cdi_workbench.audit import review
from cdi_workbench.audit.people import add_person, create_login, people, set_active, set_role
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.trail import verify
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.challenges import HEADERS, challenge_rows, decide, export_for_force, import_responses
from cdi_workbench.cli import main
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import AppUser, AuditItem, Challenge, Verdict, VerdictChange
from tests.builders import small_audit
from tests.conftest import PG_URL, _pg_database

psycopg2 = pytest.importorskip("psycopg2")

LEAD, LARA, AUDITOR, REVIEWER, LIAISON = "Lena Lead", "Lara Lead", "Alan Auditor", "Rita Reviewer", "Liam Liaison"
TWO = VerdictBody(crimes=[CrimeFinding("8N", 1, "CR-1"), CrimeFinding("58A", 2, "CR-2")], complete=True,
                  rationale="Assault and damage, both recorded.")
MISSED = VerdictBody(crimes=[CrimeFinding(expected_code="8L", not_recorded_reason="No discernible reason")],
                     complete=True, rationale="Threat to kill with a knife: harassment not recorded.")
ZERO = VerdictBody(zero_status=True, complete=True, rationale="Lost wallet: no crime.")
DENIED = "42501"  # insufficient_privilege: GRANT's refusals and the guards' alike


@dataclass
class Team:
    target: str
    logins: dict[str, str]  # person -> their login (the lead who set up keeps the administrator's)
    items: dict[str, int]  # reference -> audit item of the Incidents sample
    dbs: dict[str, Database] = field(default_factory=dict)

    def db(self, person: str) -> Database:
        """The database as `person` connects to it: with their own login."""
        if person not in self.dbs:
            login = self.logins[person]
            self.dbs[person] = Database(self.target.replace("postgres@", f"{login}@", 1))
        return self.dbs[person]

    def svc(self, person: str) -> AuditService:
        return AuditService(self.db(person), person)

    def raw(self, person: str):  # noqa: ANN201 (a psycopg2 connection)
        """A plain psycopg2 connection with `person`'s login: no workbench, no ORM, just the server."""
        url = self.target.replace("postgres@", f"{self.logins[person]}@", 1)
        return psycopg2.connect(url.replace("postgresql+psycopg2://", "postgresql://", 1))


def _drop_roles(names: list[str]) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": name}).first():
                conn.exec_driver_sql(f'DROP ROLE "{name}"')
    admin.dispose()


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    """An audit on the server where each role has done its ordinary work through the core, each person under
    their own login: the auditor draws a sample, audits and flags; the second lead (not the tables' owner, so
    held by every guard) assigns and adjudicates; the reviewer reviews, flags and keeps her place; the liaison
    brings back the force's responses."""
    if not PG_URL:
        pytest.skip("no PostgreSQL server: set CDI_TEST_PG_URL to run the server tests")
    tag = uuid.uuid4().hex[:8]
    logins = {LEAD: "postgres", LARA: f"cdi_lara_{tag}", AUDITOR: f"cdi_alan_{tag}",
              REVIEWER: f"cdi_rita_{tag}", LIAISON: f"cdi_liam_{tag}"}
    databases = _pg_database()
    target = next(databases)
    t = None
    try:
        db = small_audit(target)
        add_person(db, LEAD, LEAD, "lead")  # keeps the administrator's login, who owns the tables
        for person, role in ((LARA, "lead"), (AUDITOR, "auditor"), (REVIEWER, "reviewer"), (LIAISON, "liaison")):
            create_login(db, logins[person])
            add_person(db, LEAD, person, role, logins[person])
        sid = next(s.id for s in AuditService(db, LEAD).samples() if s.kind == "incident")
        items = {r.ref: r.item_id for r in AuditService(db, LEAD).queue(sid)}
        db.close()
        t = Team(target, logins, items)
        alan = t.svc(AUDITOR)
        with t.db(AUDITOR).session() as s:  # sample and audit_item rows, draw keys and strata: the auditor's
            sampling.draw(s, "Alan's draw", "incident", 2, seed=3, who=AUDITOR)
        alan.save_verdict(items["INC-0001"], TWO)
        alan.save_verdict(items["INC-0002"], MISSED)
        alan.save_verdict(items["INC-0003"], ZERO)
        alan.set_flag(items["INC-0003"], True, "check the caller's account")
        alan.remember("queue", "INC-0003")
        lara = t.svc(LARA)
        review.assign(lara, sid, "hand", REVIEWER, "blind", item_ids=[items["INC-0001"], items["INC-0002"]])
        rita = t.svc(REVIEWER)
        rita.save_verdict(items["INC-0001"], replace(TWO, complete=False), role="review")  # under way
        rita.save_verdict(items["INC-0002"], ZERO, role="review")  # complete (sealed), and disagrees
        rita.set_flag(items["INC-0002"], True, "ask the lead")
        rita.remember("queue", "INC-0002")
        review.adjudicate(lara, items["INC-0002"], "primary", "The log discloses a threat to kill.")
        _force_challenges(t, tmp_path_factory.mktemp("force") / "force.xlsx")
        yield t
    finally:
        if t is not None:
            for d in t.dbs.values():
                d.close()
        databases.close()  # drops the database, and with it every privilege granted on it
        _drop_roles([n for n in logins.values() if n != "postgres"])


def _force_challenges(t: Team, out: Path) -> None:
    """The liaison exports the failed records for the force and brings back its answer: a challenge to each."""
    n = export_for_force(t.db(LIAISON), out, LIAISON)
    assert n >= 1
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    header = [c.value for c in ws[2]]  # row 1: the security marking
    resp = header.index(HEADERS[8]) + 1
    for r in range(3, ws.max_row + 1):
        ws.cell(r, resp).value = "challenge"
        ws.cell(r, resp + 1).value = "The caller withdrew the allegation."
    wb.save(out)
    assert import_responses(t.db(LIAISON), out, LIAISON)["challenge"] == n


def _refused(conn, sql: str, params: dict | None = None) -> psycopg2.Error:  # noqa: ANN001
    """Run `sql` and commit; the server must refuse it (at the statement or at commit), and nothing stays."""
    with pytest.raises(psycopg2.Error) as caught:
        with conn.cursor() as cur:
            cur.execute(sql, params)
        conn.commit()
    conn.rollback()
    assert caught.value.pgcode == DENIED, caught.value.pgerror
    return caught.value


VERDICT_COLUMNS = ("item_id, role, auditor, updated_at, body, complete, n_crimes, n_recorded, n_misclassified, "
                   "n_late, n_failed_checks")
FORBIDDEN = {
    # people and roles: the lead's, through the workbench
    "make herself lead": "UPDATE app_user SET role = 'lead' WHERE login = current_user",
    "register a lead": "INSERT INTO app_user (name, role, login, active, added_at, added_by) "
                       "VALUES ('Mallory', 'lead', NULL, true, now(), 'Rita Reviewer')",
    "deactivate the lead": "UPDATE app_user SET active = false WHERE name = 'Lena Lead'",
    "remove a person": "DELETE FROM app_user WHERE name = 'Alan Auditor'",
    # the history: append-only, in one's own name, of what one's role may do
    "delete the history": "DELETE FROM verdict_change",
    "edit the history": "UPDATE verdict_change SET reason = 'nothing to see'",
    "forge the lead's history row": "INSERT INTO verdict_change (item_id, role, at, who, action, reason) "
                                    "VALUES (%(inc3)s, 'review', now(), 'Lena Lead', 'assign', 'assigned')",
    "append an assignment in her own name": "INSERT INTO verdict_change (item_id, role, at, who, action, reason) "
                                            "VALUES (%(inc3)s, 'review', now(), 'Rita Reviewer', 'assign', '')",
    # verdicts: only the roles hers allows, only on her assigned records
    "insert a first verdict": f"INSERT INTO verdict ({VERDICT_COLUMNS}) VALUES "
                              "(%(grd)s, 'primary', 'Rita Reviewer', now(), '{}', true, 0, 0, 0, 0, 0)",
    "insert a final verdict": f"INSERT INTO verdict ({VERDICT_COLUMNS}) VALUES "
                              "(%(inc1)s, 'final', 'Rita Reviewer', now(), '{}', true, 0, 0, 0, 0, 0)",
    "review a record not assigned to her": f"INSERT INTO verdict ({VERDICT_COLUMNS}) VALUES "
                                           "(%(inc3)s, 'review', 'Rita Reviewer', now(), '{}', true, 0, 0, 0, 0, 0)",
    "update another's verdict": "UPDATE verdict SET complete = false WHERE role = 'primary' AND item_id = %(inc1)s",
    "turn another's verdict into hers": "UPDATE verdict SET role = 'review' WHERE role = 'final'",
    "delete another's verdict": "DELETE FROM verdict WHERE role = 'primary'",
    # assignments: the lead's
    "assign herself a record": "INSERT INTO review_assignment (item_id, reviewer, mode, basis, assigned_by, "
                               "assigned_at) VALUES (%(inc3)s, 'Rita Reviewer', 'open', 'hand', 'Lena Lead', now())",
    "open her blind review": "UPDATE review_assignment SET mode = 'open'",
    "withdraw an assignment": "DELETE FROM review_assignment",
    # samples, challenges, others' state
    "delete a sample's items": "DELETE FROM audit_item WHERE id = %(grd)s",
    "move an item to another record": "UPDATE audit_item SET record_id = record_id + 1 WHERE id = %(inc1)s",
    "rename a sample": "UPDATE sample SET name = 'Mine'",
    "decide a challenge": "UPDATE challenge SET decision = 'upheld', decided_by = 'Rita Reviewer'",
    "answer for the force": "UPDATE challenge SET response = 'agree'",
    "write another's state": "INSERT INTO user_state (who, key, value) VALUES ('Alan Auditor', 'queue', 'x')",
    "grant herself the workbench's privileges again": "SELECT cdi_grant_app_login(current_user)",
    # the extract's records under the verdicts, the reasons and the settings (schema 0014)
    "rewrite a narrative": "UPDATE report_record SET narrative = 'Nothing happened.'",
    "move a recorded crime's time": "UPDATE crime_record SET recorded_at = reported_at",
    "unlink a crime": "DELETE FROM record_link",
    "delete a cancellation": "DELETE FROM cancellation",
    "insert an incident": "INSERT INTO report_record (kind, system, ref, received_at, narrative) "
                          "VALUES ('incident', 'Incident', 'INC-9999', now(), 'forged')",
    "add a reason": "INSERT INTO reason_option (text, added_by) VALUES ('Because', 'Rita Reviewer')",
    "change the recorded crime figures": "INSERT INTO audit_setting (key, value) VALUES ('recorded_crime_12m:all', '1')",
}


@pytest.mark.postgres
@pytest.mark.parametrize("sql", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_the_server_refuses_the_reviewer(team: Team, sql: str) -> None:
    items = team.items
    with team.db(LEAD).session() as s:
        grd = s.scalar(select(AuditItem.id).where(AuditItem.kind == "referral"))
        before = {(v.item_id, v.role): (v.body, v.complete) for v in s.scalars(select(Verdict))}
        assert s.scalar(select(func.count()).select_from(Challenge)) >= 1  # a challenge to refuse deciding
    conn = team.raw(REVIEWER)
    try:
        _refused(conn, sql, {"inc1": items["INC-0001"], "inc3": items["INC-0003"], "grd": grd})
    finally:
        conn.close()
    with team.db(LEAD).session() as s:
        assert {(v.item_id, v.role): (v.body, v.complete) for v in s.scalars(select(Verdict))} == before
    assert {p.name: (p.role, p.active) for p in people(team.db(LEAD))}[REVIEWER] == ("reviewer", True)


@pytest.mark.postgres
def test_the_reviewers_own_review_still_saves_and_the_trail_holds(team: Team) -> None:
    """What her role allows goes through (the core, in her name); what it does not is refused; the trail of all
    of it verifies."""
    rita = team.svc(REVIEWER)
    inc1 = team.items["INC-0001"]
    conn = team.raw(REVIEWER)
    try:
        _refused(conn, "UPDATE verdict SET complete = false WHERE role = 'primary' AND item_id = %(i)s", {"i": inc1})
    finally:
        conn.close()
    changed = VerdictBody(crimes=TWO.crimes, complete=False, rationale="Looking again at the damage.")
    with team.db(REVIEWER).session() as s:
        assert s.scalar(select(AppUser.login).where(AppUser.name == REVIEWER)) == team.logins[REVIEWER]
    rita.save_verdict(inc1, changed, role="review")
    assert rita.verdict(inc1, "review") == changed
    last = team.svc(LARA).history(inc1)[-1]
    assert (last.who, last.role, last.action) == (REVIEWER, "review", "set")
    with team.db(LEAD).session() as s:
        assert verify(s) == []
    assert main(["verify", team.target]) == 0


@pytest.mark.postgres
def test_an_auditor_login_is_held_to_first_verdicts(team: Team) -> None:
    conn = team.raw(AUDITOR)
    try:
        _refused(conn, "UPDATE app_user SET role = 'lead' WHERE login = current_user")
        _refused(conn, f"INSERT INTO verdict ({VERDICT_COLUMNS}) VALUES "
                       "(%(i)s, 'review', 'Alan Auditor', now(), '{}', true, 0, 0, 0, 0, 0)", {"i": team.items["INC-0003"]})
        _refused(conn, "UPDATE verdict SET complete = false WHERE role = 'final'")
        _refused(conn, "DELETE FROM review_assignment")
        _refused(conn, "DELETE FROM verdict_change")
    finally:
        conn.close()


@pytest.mark.postgres
def test_role_changes_go_through_the_lead_with_a_reason_into_the_trail(team: Team) -> None:
    # an auditor is refused by the core, and by the server if they go round it
    with pytest.raises(NotAllowed, match="may not register people"):
        set_role(team.db(AUDITOR), AUDITOR, AUDITOR, "lead", "I'd like to decide")
    conn = team.raw(AUDITOR)
    try:
        _refused(conn, "UPDATE app_user SET role = 'lead' WHERE login = current_user")
    finally:
        conn.close()
    lara = team.db(LARA)  # a lead, but not the tables' owner: every guard holds her
    with pytest.raises(ValueError, match="say why"):
        set_role(lara, LARA, LIAISON, "auditor", "  ")
    set_role(lara, LARA, LIAISON, "auditor", "Liam joins the audit team for the second quarter")
    set_active(lara, LARA, LIAISON, False, "Liam's secondment ended")
    assert {p.name: (p.role, p.active) for p in people(lara)}[LIAISON] == ("auditor", False)
    conn = team.raw(LIAISON)  # deactivated: his login may write nothing the guards cover, not even his own state
    try:
        _refused(conn, "INSERT INTO user_state (who, key, value) VALUES ('Liam Liaison', 'queue', 'x')")
        _refused(conn, "UPDATE challenge SET response = 'agree'")
        _refused(conn, "UPDATE audit_item SET flagged = true")
    finally:
        conn.close()
    with lara.session() as s:
        rows = list(s.scalars(select(VerdictChange).where(VerdictChange.action == "person")
                              .order_by(VerdictChange.id)))
    mine = [r for r in rows if (r.new_body or {}).get("name") == LIAISON]
    assert [(r.who, r.old_body["role"], r.new_body["role"], r.new_body["active"]) for r in mine[-2:]] == [
        (LARA, "liaison", "auditor", True), (LARA, "auditor", "auditor", False)]
    assert "second quarter" in mine[-2].reason and "secondment ended" in mine[-1].reason
    assert main(["verify", team.target]) == 0
    # the lead going round the workbench (no reason, no trail) is refused by the server at commit
    conn = team.raw(LARA)
    try:
        error = _refused(conn, "UPDATE app_user SET role = 'lead' WHERE name = %(n)s", {"n": AUDITOR})
        assert "not in the history" in error.pgerror
    finally:
        conn.close()
    set_active(lara, LARA, LIAISON, True, "Back for the challenge round")
    set_role(lara, LARA, LIAISON, "liaison", "Back to the force liaison role")


@pytest.mark.postgres
def test_only_an_auditor_or_the_lead_writes_the_records(team: Team) -> None:
    """Schema 0014: the liaison is refused a record edit by the server; the auditor's own import still writes."""
    conn = team.raw(LIAISON)
    try:
        _refused(conn, "UPDATE report_record SET narrative = 'Withdrawn.'")
        _refused(conn, "INSERT INTO audit_setting (key, value) VALUES ('recorded_crime_12m:all', '1')")
    finally:
        conn.close()
    conn = team.raw(AUDITOR)
    try:
        with conn.cursor() as cur:
            cur.execute("INSERT INTO reason_option (text, added_by) VALUES ('Victim could not be traced', "
                        "'Alan Auditor')")
        conn.commit()
    finally:
        conn.close()
    assert "Victim could not be traced" in team.svc(AUDITOR).reasons()


@pytest.mark.postgres
def test_the_liaison_brings_the_force_responses_and_decides_nothing(team: Team) -> None:
    assert any(r.response == "challenge" for r in challenge_rows(team.db(LARA)))  # brought back by the liaison
    conn = team.raw(LIAISON)
    try:
        _refused(conn, "UPDATE challenge SET decision = 'upheld', decided_by = 'Liam Liaison'")
        _refused(conn, f"INSERT INTO verdict ({VERDICT_COLUMNS}) VALUES "
                       "(%(i)s, 'final', 'Liam Liaison', now(), '{}', true, 0, 0, 0, 0, 0)", {"i": team.items["INC-0003"]})
    finally:
        conn.close()
    pending = [r for r in challenge_rows(team.db(LARA)) if r.challenge_id is not None]
    decide(team.db(LARA), pending[0].challenge_id, True, "The force was right: the caller withdrew it.", LARA)
    assert main(["verify", team.target]) == 0


@pytest.mark.postgres
def test_the_history_is_append_only_for_its_owner_too(team: Team) -> None:
    conn = team.raw(LEAD)  # the administrator, who owns the tables (and could drop the trigger: the anchor's job)
    try:
        error = _refused(conn, "UPDATE verdict_change SET reason = 'tidied' WHERE id = 1")
        assert "append-only" in error.pgerror
        _refused(conn, "DELETE FROM verdict_change WHERE id = 1")
        _refused(conn, "TRUNCATE verdict_change")
    finally:
        conn.close()


@pytest.mark.postgres
def test_logins_made_before_the_guards_lose_their_extra_privileges(tmp_path: Path) -> None:
    """A login the old --create-login made (every write on every table) holds only an app login's privileges
    once the database is upgraded to schema 0011."""
    if not PG_URL:
        pytest.skip("no PostgreSQL server: set CDI_TEST_PG_URL to run the server tests")
    from alembic import command

    from cdi_workbench.storage.database import _alembic_config

    login = f"cdi_old_{uuid.uuid4().hex[:8]}"
    databases = _pg_database()
    target = next(databases)
    try:
        db = small_audit(target)
        add_person(db, LEAD, LEAD, "lead")
        with db.engine.begin() as conn:
            command.downgrade(_alembic_config(conn), "0010")
            conn.exec_driver_sql(f'CREATE ROLE "{login}" LOGIN')
            conn.exec_driver_sql(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{login}"')
            conn.exec_driver_sql(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{login}"')
            conn.exec_driver_sql("INSERT INTO app_user (name, role, login, active, added_at, added_by) "
                                 f"VALUES ('Old Reviewer', 'reviewer', '{login}', true, now(), 'Lena Lead')")
        db.close()
        db = Database(target)  # upgraded to the head: the guards, and the old login's privileges replaced
        with db.session() as s:
            assert verify(s) == []  # the people found registered are in the trail now, as they were
        db.close()
        url = target.replace("postgres@", f"{login}@", 1).replace("postgresql+psycopg2://", "postgresql://", 1)
        conn = psycopg2.connect(url)
        try:
            _refused(conn, "UPDATE app_user SET role = 'lead' WHERE login = current_user")
            _refused(conn, "DELETE FROM verdict_change")
            _refused(conn, "DELETE FROM app_user")
        finally:
            conn.close()
    finally:
        databases.close()
        _drop_roles([login])


# ---- SQLite: whoever holds the file can write it; the trail shows it -------------------------------------------
def test_on_sqlite_a_role_changed_by_hand_is_found_by_verify(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = small_audit(path)
    add_person(db, LEAD, LEAD, "lead")
    add_person(db, LEAD, REVIEWER, "reviewer")
    with pytest.raises(NotAllowed, match="may not register people"):
        set_role(db, REVIEWER, REVIEWER, "lead", "promote me")
    set_role(db, LEAD, REVIEWER, "auditor", "Rita audits the second sample")
    db.close()
    assert main(["verify", str(path)]) == 0
    with sqlite3.connect(path) as conn:  # the file's holder, going round the workbench
        conn.execute("UPDATE app_user SET role = 'lead' WHERE name = ?", (REVIEWER,))
        conn.execute("INSERT INTO app_user (name, role, login, active, added_at, added_by) "
                     "VALUES ('Mallory', 'lead', NULL, 1, '2014-01-01 00:00:00', 'Mallory')")
    db = Database(path)
    try:
        with db.session() as s:
            problems = [str(p) for p in verify(s)]
    finally:
        db.close()
    assert any(REVIEWER in p and "lead" in p and "outside the application" in p for p in problems), problems
    assert any("Mallory" in p and "no registration" in p for p in problems), problems
    assert main(["verify", str(path)]) == 1


def test_the_last_active_lead_cannot_be_removed(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    add_person(db, LEAD, LEAD, "lead")
    add_person(db, LEAD, AUDITOR, "auditor")
    with pytest.raises(NotAllowed, match="only active audit lead"):
        set_active(db, LEAD, LEAD, False, "leaving")
    with pytest.raises(NotAllowed, match="only active audit lead"):
        set_role(db, LEAD, LEAD, "auditor", "stepping down")
    db.close()
