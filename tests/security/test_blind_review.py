"""Blind review that stays blind (issue 12, item 4): a completed blind review is sealed in the core.

Once the reviewer completes a blind review the auditor's verdict is shown to them; the review is sealed at that
moment, and any change to it (a save, an undo, an import, a merge) is refused until the audit lead reopens it
with a reason, written to the hash-chained trail. The agreement figures use the review as sealed, never as it
was edited afterwards. Before the reveal the reviewer sees nothing of the first verdict: not its answers, not its
state in the queue, not the flag or its note.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from cdi_workbench.agreement import agreement
from cdi_workbench.audit import operations as ops
from cdi_workbench.audit import review
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditError, AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.storage.database import Database
from tests.builders import small_audit

LEAD, AUDITOR, REVIEWER, LIAISON = "Lena Lead", "Alan Auditor", "Rita Reviewer", "Liam Liaison"
TWO = VerdictBody(crimes=[CrimeFinding("8N", 1, "CR-1"), CrimeFinding("58A", 2, "CR-2")], complete=True,
                  rationale="Assault and damage, both recorded.")
ZERO = VerdictBody(zero_status=True, complete=True, rationale="Nothing disclosed: no crime.")
FLAG_NOTE = "Unsure: the victim may have withdrawn; please look hard at the log"


def _blind_round(path: Path) -> tuple[Database, int, int]:
    """A team; the auditor's verdict TWO on INC-0001, flagged with a note; INC-0001 assigned blind to the
    reviewer. Returns the database, the sample and the item."""
    db = small_audit(path)
    for name, role in ((LEAD, "lead"), (AUDITOR, "auditor"), (REVIEWER, "reviewer"), (LIAISON, "liaison")):
        add_person(db, LEAD, name, role)
    auditor = AuditService(db, AUDITOR)
    sid = next(s.id for s in auditor.samples() if s.name == "Incidents")
    item = {r.ref: r.item_id for r in auditor.queue(sid)}["INC-0001"]
    auditor.save_verdict(item, TWO)
    auditor.set_flag(item, True, FLAG_NOTE)
    review.assign(AuditService(db, LEAD), sid, "flagged", REVIEWER, "blind")
    return db, sid, item


def _actions(db: Database, item_id: int) -> list[tuple[str, str]]:
    return [(c.action, c.who) for c in AuditService(db, LEAD).history(item_id)]


def test_a_sealed_blind_review_cannot_be_rewritten_until_the_lead_reopens_it(tmp_path: Path) -> None:
    db, _sid, item = _blind_round(tmp_path / "a.db")
    rita = AuditService(db, REVIEWER)
    rita.save_verdict(item, ZERO, role="review")  # complete: sealed, and the auditor's verdict is shown
    assert review.first_verdict(rita, item).body == TWO
    assert [c.diffs != () for c in review.disagreements(AuditService(db, LEAD))] == [True]

    # having seen the auditor's verdict, the reviewer changes their mind: refused, by every way in
    for attempt in (lambda: rita.save_verdict(item, TWO, role="review"),
                    lambda: rita.save_verdict(item, VerdictBody(zero_status=True), role="review"),
                    lambda: rita.undo(),
                    lambda: ops.save_verdict(rita, item, TWO, ops.Mode.REVIEW)):
        with pytest.raises(AuditError, match="sealed"):
            attempt()
    assert AuditService(db, LEAD).verdict(item, "review") == ZERO
    assert len(review.disagreements(AuditService(db, LEAD))) == 1  # still in the lead's queue
    sealed = review.sealed(rita, item)
    assert sealed is not None and sealed.who == REVIEWER and sealed.body == ZERO.to_json()
    assert ("seal", REVIEWER) in _actions(db, item)
    opened = ops.open_record(rita, item, ops.Mode.REVIEW)
    assert opened.sealed is not None and "sealed" in opened.sealed.text and "lead" in opened.sealed.text
    ok, why = ops.may(rita.me(), "edit", ops.WindowState(ops.Mode.REVIEW, True, False, True, opened.sealed.text))
    assert not ok and "sealed" in why  # the window's panel is read-only, and says why

    # only the lead reopens it, and only with a reason; the reopening is in the trail
    for who in (REVIEWER, AUDITOR, LIAISON):
        with pytest.raises(NotAllowed, match="may not reopen a sealed blind review"):
            review.reopen(AuditService(db, who), item, "let me fix it")
    with pytest.raises(AuditError, match="needs a reason"):
        review.reopen(AuditService(db, LEAD), item, "  ")
    review.reopen(AuditService(db, LEAD), item, "Rita ticked zero status by mistake; she meant to record both")
    reopened = AuditService(db, LEAD).history(item)[-1]
    assert (reopened.action, reopened.who) == ("reopen", LEAD) and "by mistake" in reopened.reason
    assert review.sealed(rita, item) is None
    with pytest.raises(AuditError, match="not sealed"):
        review.reopen(AuditService(db, LEAD), item, "again")

    # reopened: the reviewer may change it; completed again, it is sealed again
    rita.save_verdict(item, TWO, role="review")
    assert AuditService(db, LEAD).verdict(item, "review") == TWO
    assert review.sealed(rita, item) is not None
    with pytest.raises(AuditError, match="sealed"):
        rita.save_verdict(item, ZERO, role="review")
    assert [a for a, _ in _actions(db, item)][-4:] == ["seal", "reopen", "set", "seal"]
    assert AuditService(db, LEAD).verify_trail() == []
    db.close()


def test_the_lead_reopens_a_sealed_review_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "a.db"
    db, _sid, item = _blind_round(path)
    AuditService(db, REVIEWER).save_verdict(item, ZERO, role="review")
    position = AuditService(db, LEAD).queue_row(item).position
    db.close()
    args = ["review", "reopen", str(path), "--sample", "Incidents", "--position", str(position), "--reason", "slip"]
    assert main(["--user", REVIEWER, *args]) == 4
    assert "may not reopen a sealed blind review" in capsys.readouterr().err
    assert main(["--user", LEAD, *args]) == 0
    assert main(["verify", str(path)]) == 0


def test_agreement_uses_the_review_as_it_was_sealed(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db, _sid, item = _blind_round(path)
    AuditService(db, REVIEWER).save_verdict(item, ZERO, role="review")  # sealed: 0 crimes against the auditor's 2

    def crimes_identified() -> tuple[int, int]:
        row = next(a for a in agreement(db) if a.check == "crimes_identified" and a.auditor == "")
        return row.pairs, row.agree

    assert crimes_identified() == (1, 0)
    # the review rewritten to match the auditor outside the application: the figures keep the sealed answers
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE verdict SET body = (SELECT body FROM verdict WHERE item_id = ? AND role = 'primary') "
                     "WHERE item_id = ? AND role = 'review'", (item, item))
    assert AuditService(db, LEAD).verdict(item, "review") == TWO
    assert crimes_identified() == (1, 0)
    assert AuditService(db, LEAD).verify_trail() != []  # and the edit shows in the trail check
    db.close()


def test_a_reopened_review_counts_as_sealed_until_it_is_sealed_again(tmp_path: Path) -> None:
    db, _sid, item = _blind_round(tmp_path / "a.db")
    rita = AuditService(db, REVIEWER)
    rita.save_verdict(item, ZERO, role="review")
    review.reopen(AuditService(db, LEAD), item, "a second look at the log")
    rita.save_verdict(item, VerdictBody(crimes=TWO.crimes, rationale="changing my mind"), role="review")  # not done
    row = next(a for a in agreement(db) if a.check == "crimes_identified" and a.auditor == "")
    assert (row.pairs, row.agree) == (1, 0)  # the sealed answers (zero status), not the half-made new ones
    rita.save_verdict(item, TWO, role="review")  # complete: sealed again, as the lead allowed
    row = next(a for a in agreement(db) if a.check == "crimes_identified" and a.auditor == "")
    assert (row.pairs, row.agree) == (1, 1)
    db.close()


def test_before_the_seal_the_reviewer_sees_nothing_of_the_first_verdict(tmp_path: Path) -> None:
    db, sid, item = _blind_round(tmp_path / "a.db")
    rita = AuditService(db, REVIEWER)
    detail = rita.record(item)
    assert not detail.flagged and detail.flag_note == ""  # the auditor's flag and note are the first verdict's
    row = next(r for r in rita.queue(sid) if r.item_id == item)
    assert (row.status, row.flagged, row.n_crimes, row.n_recorded) == ("to do", False, 0, 0)
    for filter_ in ("done", "flagged", "failed", "not recorded"):  # no filter tells the first verdict either
        assert item not in {r.item_id for r in rita.queue(sid, filter_)}, filter_
    assert item in {r.item_id for r in rita.queue(sid, "to do")}
    with pytest.raises(NotAllowed, match="blind review"):
        rita.history(item)
    assert AuditService(db, LEAD).record(item).flag_note == FLAG_NOTE  # the lead sees it all along
    rita.save_verdict(item, ZERO, role="review")
    assert rita.record(item).flag_note == FLAG_NOTE  # sealed: shown
    db.close()


def test_on_postgresql_the_server_holds_a_sealed_review_too(db_target: str) -> None:
    """On a shared server the seal is the server's as well: the reviewer's own login can complete (and so seal) a
    blind review, but cannot change it afterwards, not even with plain SQL; an auditor's export is in the trail."""
    if not db_target.startswith("postgresql"):
        pytest.skip("database logins exist on PostgreSQL only")
    import uuid

    import psycopg2
    from sqlalchemy import create_engine

    from cdi_workbench.audit.people import create_login

    db = small_audit(db_target)
    rita, alan = f"cdi_rita_{uuid.uuid4().hex[:8]}", f"cdi_alan_{uuid.uuid4().hex[:8]}"
    try:
        add_person(db, LEAD, LEAD, "lead")  # the lead keeps the administrator's login (the tables' owner)
        for login, name, role in ((rita, REVIEWER, "reviewer"), (alan, AUDITOR, "auditor")):
            create_login(db, login)
            add_person(db, LEAD, name, role, login)
        lead = AuditService(db, LEAD)
        sid = next(s.id for s in lead.samples() if s.name == "Incidents")
        item = {r.ref: r.item_id for r in lead.queue(sid)}["INC-0001"]
        lead.save_verdict(item, TWO)
        review.assign(lead, sid, "hand", REVIEWER, "blind", item_ids=[item])
        as_rita = Database(db_target.replace("postgres@", f"{rita}@", 1))
        as_alan = Database(db_target.replace("postgres@", f"{alan}@", 1))
        try:
            AuditService(as_rita, REVIEWER).save_verdict(item, ZERO, role="review")  # sealed, under her login
            with pytest.raises(AuditError, match="sealed"):
                AuditService(as_rita, REVIEWER).save_verdict(item, TWO, role="review")
            conn = psycopg2.connect(db_target.replace("postgresql+psycopg2://", "postgresql://")
                                    .replace("postgres@", f"{rita}@", 1))
            try:
                with pytest.raises(psycopg2.Error, match="permission denied") as refused, conn.cursor() as cur:
                    cur.execute("UPDATE verdict SET body = (SELECT body FROM verdict WHERE item_id = %s AND "
                                "role = 'primary') WHERE item_id = %s AND role = 'review'", (item, item))
                assert refused.value.pgcode == "42501"
            finally:
                conn.close()
            review.reopen(lead, item, "a slip: she meant to record both crimes")
            AuditService(as_rita, REVIEWER).save_verdict(item, TWO, role="review")  # reopened: allowed
            out = Path(f"/tmp/{alan}.csv")
            try:
                from cdi_workbench.verdict_io import export_verdicts

                assert export_verdicts(as_alan, out, AUDITOR) > 0  # the 'export' row, in the auditor's name
            finally:
                out.unlink(missing_ok=True)
        finally:
            as_rita.close()
            as_alan.close()
        actions = [(c.action, c.who) for c in lead.history(item)]
        assert actions[-3:] == [("reopen", LEAD), ("set", REVIEWER), ("seal", REVIEWER)]
        assert lead.verify_trail() == []
    finally:
        db.close()
        admin = create_engine(db_target, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in (rita, alan):
                if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": name}).first():
                    conn.exec_driver_sql(f'DROP OWNED BY "{name}"')
                    conn.exec_driver_sql(f'DROP ROLE "{name}"')
        admin.dispose()
