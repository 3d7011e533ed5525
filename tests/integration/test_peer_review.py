"""Roles and peer review through the core: who may do what, assignment, blind review, disagreement,
adjudication, the force's challenge round, before/after figures, and the trail over all of it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl
import pytest

from cdi_workbench.agreement import agreement
from cdi_workbench.audit import review
from cdi_workbench.audit.people import add_person, people
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.challenges import HEADERS, challenge_rows, decide, export_for_force, import_responses, resolution
from cdi_workbench.cli import main
from cdi_workbench.findings import compute
from cdi_workbench.storage.database import Database
from tests.builders import small_audit

LEAD, AUDITOR, REVIEWER, LIAISON = "Lena Lead", "Alan Auditor", "Rita Reviewer", "Liam Liaison"
TWO = VerdictBody(crimes=[CrimeFinding("8N", 1, "CR-1"), CrimeFinding("58A", 2, "CR-2")], complete=True,
                  rationale="Assault and damage, both recorded.")
MISSED = VerdictBody(crimes=[CrimeFinding(expected_code="8L", not_recorded_reason="No discernible reason")],
                     complete=True, rationale="Threat to kill with a knife: harassment not recorded.")
ZERO = VerdictBody(zero_status=True, complete=True, rationale="Lost wallet: no crime.")


def _team(db: Database) -> None:
    add_person(db, LEAD, LEAD, "lead")
    add_person(db, LEAD, AUDITOR, "auditor")
    add_person(db, LEAD, REVIEWER, "reviewer")
    add_person(db, LEAD, LIAISON, "liaison")


def _incidents(svc: AuditService) -> tuple[int, dict[str, int]]:
    sid = next(s.id for s in svc.samples() if s.kind == "incident")
    return sid, {r.ref: r.item_id for r in svc.queue(sid)}


def test_each_role_is_refused_what_it_may_not_do(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    with pytest.raises(NotAllowed, match="lead first"):
        add_person(db, AUDITOR, AUDITOR, "auditor")
    _team(db)
    assert [p.name for p in people(db)] == [AUDITOR, LEAD, LIAISON, REVIEWER]
    lead, auditor, reviewer, liaison = (AuditService(db, n) for n in (LEAD, AUDITOR, REVIEWER, LIAISON))
    sid, items = _incidents(lead)
    inc = items["INC-0001"]
    with pytest.raises(NotAllowed, match="not registered"):
        AuditService(db, "Somebody Else").save_verdict(inc, TWO)
    with pytest.raises(NotAllowed, match="may not register people"):
        add_person(db, AUDITOR, "Mallory", "lead")
    with pytest.raises(NotAllowed, match="may not enter review verdicts"):
        auditor.save_verdict(inc, TWO, role="review")
    with pytest.raises(NotAllowed, match="may not decide disagreements"):
        auditor.save_verdict(inc, TWO, role="final")
    with pytest.raises(NotAllowed, match="may not enter first verdicts"):
        reviewer.save_verdict(inc, TWO)
    with pytest.raises(NotAllowed, match="assigned to them"):
        reviewer.save_verdict(inc, TWO, role="review")  # not assigned yet
    with pytest.raises(NotAllowed, match="may not assign records for review"):
        review.assign(auditor, sid, "hand", REVIEWER, item_ids=[inc])
    for call in (lambda: liaison.queue(sid), lambda: liaison.record(inc), lambda: liaison.verdict(inc),
                 lambda: liaison.history(inc)):
        with pytest.raises(NotAllowed, match="may not see the records"):
            call()
    with pytest.raises(NotAllowed, match="may not exchange failed records with the force"):
        export_for_force(db, tmp_path / "f.xlsx", AUDITOR)
    from cdi_workbench import sampling
    from cdi_workbench.findings import set_recorded_crime
    from cdi_workbench.packages import export_package

    with pytest.raises(NotAllowed, match="may not draw samples"), db.session() as s:
        sampling.draw(s, "Mine", "incident", 2, seed=1, who=REVIEWER)
    with pytest.raises(NotAllowed, match="may not carry records offline"):
        export_package(db, "Incidents", tmp_path / "p.cdipkg", who=LIAISON)
    with pytest.raises(NotAllowed, match="may not enter the force's recorded-crime figures"):
        set_recorded_crime(db, {"all": 1000}, REVIEWER)
    auditor.save_verdict(inc, TWO)  # what each may do, they can
    assert lead.verdict(inc) == TWO
    with db.session() as s:
        assert sampling.draw(s, "Mine", "incident", 2, seed=1, who=AUDITOR).drawn_by == AUDITOR
    db.close()
    # a reviewer gets no findings report (it would show first verdicts); the refusal says why, exit code 4
    assert main(["--user", REVIEWER, "report", str(tmp_path / "a.db"), "--json", str(tmp_path / "f.json")]) == 4
    assert not (tmp_path / "f.json").exists()
    assert main(["--user", LEAD, "report", str(tmp_path / "a.db"), "--json", str(tmp_path / "f.json")]) == 0


def test_the_full_cycle(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    _team(db)
    lead, auditor, reviewer, liaison = (AuditService(db, n) for n in (LEAD, AUDITOR, REVIEWER, LIAISON))
    sid, items = _incidents(lead)
    auditor.save_verdict(items["INC-0001"], TWO)
    auditor.save_verdict(items["INC-0002"], MISSED)
    auditor.save_verdict(items["INC-0003"], ZERO)

    # the lead assigns: everything failed (INC-0001: CR-2 late; INC-0002: not recorded) blind, INC-0003 by hand
    failed = review.assign(lead, sid, "failed", REVIEWER, "blind")
    assert sorted(failed) == sorted([items["INC-0001"], items["INC-0002"]])
    assert review.assign(lead, sid, "hand", REVIEWER, "open", item_ids=[items["INC-0003"]]) == [items["INC-0003"]]
    # a random share now finds nothing left: every audited record is assigned, and keeps its blind/open mode
    assert review.assign(lead, sid, "random", REVIEWER, "blind", share=2, seed=7) == []
    mine = {a.ref: a for a in review.assignments(reviewer)}
    assert set(mine) >= {"INC-0002", "INC-0003"} and mine["INC-0003"].mode == "open"

    # blind: the reviewer cannot see the first verdict (nor its history) until their review is complete
    blind = next(a for a in mine.values() if a.mode == "blind")
    with pytest.raises(NotAllowed, match="blind review"):
        reviewer.verdict(blind.item_id)
    with pytest.raises(NotAllowed, match="blind review"):
        reviewer.history(blind.item_id)
    assert review.start_body(reviewer, items["INC-0002"]) == VerdictBody()
    # open: the review starts from the first verdict, rationale left for the reviewer to write
    start = review.start_body(reviewer, items["INC-0003"])
    assert start.zero_status and not start.complete and start.rationale == ""

    reviewer.save_verdict(items["INC-0002"], MISSED, role="review")  # agrees
    disagree = VerdictBody(crimes=[CrimeFinding(expected_code="49", not_recorded_reason="No discernible reason")],
                           complete=True, rationale="Wallet taken from a bag: theft from the person.")
    reviewer.save_verdict(items["INC-0003"], disagree, role="review")
    for a in review.assignments(reviewer):
        if a.ref not in ("INC-0002", "INC-0003"):
            reviewer.save_verdict(a.item_id, lead.verdict(a.item_id), role="review")
    assert reviewer.verdict(items["INC-0002"]) == MISSED  # blind review done: now shown
    states = {a.ref: a.state for a in review.assignments(lead)}
    assert states["INC-0002"] == "agrees" and states["INC-0003"] == "disagrees"

    # disagreements queue for the lead, per check with both rationales
    (c,) = review.disagreements(lead)
    assert c.ref == "INC-0003" and c.auditor == AUDITOR and c.reviewer == REVIEWER
    assert {d.check for d in c.diffs} >= {"crimes_identified", "zero_status"}
    crimes = next(d for d in c.diffs if d.check == "crimes_identified")
    assert (crimes.ours, crimes.theirs) == ("0", "1")
    assert c.auditor_rationale == ZERO.rationale and c.reviewer_rationale == disagree.rationale
    with pytest.raises(NotAllowed):
        review.disagreements(reviewer)
    with pytest.raises(NotAllowed, match="may not decide disagreements"):
        review.adjudicate(reviewer, items["INC-0003"], "review", "I am right")
    before_decision = compute(db).cell("incidents", "Incident records", "Crimes identified")
    review.adjudicate(lead, items["INC-0003"], "review", "Theft from the person disclosed.")
    assert review.disagreements(lead) == []
    assert lead.verdict(items["INC-0003"], "final").crimes[0].expected_code == "49"
    roles = [(h.role, h.action) for h in lead.history(items["INC-0003"])]
    assert ("primary", "set") in roles and ("review", "set") in roles and ("final", "set") in roles
    assert ("review", "assign") in roles

    # agreement: crimes identified, INC-0003 differs (0 vs 1); others agree
    rows = {(a.check, a.auditor): a for a in agreement(db)}
    ci = rows[("crimes_identified", "")]
    assert ci.pairs == len(review.assignments(lead)) and ci.agree == ci.pairs - 1

    # the findings count the lead's final verdict: INC-0003 now holds a crime (not recorded)
    after_decision = compute(db).cell("incidents", "Incident records", "Crimes identified")
    assert after_decision.value == before_decision.value + 1
    assert items["INC-0003"] in after_decision.items and items["INC-0003"] not in before_decision.items

    # the force's challenge round: only the liaison (or lead) exchanges; only the lead decides
    out = tmp_path / "force.xlsx"
    n = export_for_force(db, out, LIAISON)
    assert n >= 2
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    header = [c.value for c in ws[2]]  # row 1: the security marking
    resp = header.index(HEADERS[8]) + 1
    for r in range(3, ws.max_row + 1):
        ws.cell(r, resp).value = "challenge"
        ws.cell(r, resp + 1).value = "The caller withdrew the allegation."
    wb.save(out)
    with pytest.raises(NotAllowed):
        import_responses(db, out, REVIEWER)
    counts = import_responses(db, out, LIAISON)
    assert counts["challenge"] == n
    pending = [r for r in challenge_rows(db) if r.challenge_id is not None]
    with pytest.raises(NotAllowed, match="may not decide the force's challenges"):
        decide(db, pending[0].challenge_id, True, "Fair point", LIAISON)
    before = resolution(db)
    decide(db, pending[0].challenge_id, True, "The force was right: the caller withdrew it.", LEAD)
    after = resolution(db)
    assert sum(r["after"] for r in after.values()) == sum(r["before"] for r in before.values()) - 1
    assert sum(r["upheld"] for r in after.values()) == 1

    # every change above is in the chain, and it verifies; editing a row outside the application is caught
    assert lead.verify_trail() == []
    db.close()
    with sqlite3.connect(tmp_path / "a.db") as con:
        con.execute("UPDATE review_assignment SET mode = 'open' WHERE mode = 'blind'")
    assert main(["verify", str(tmp_path / "a.db")]) != 0
    with sqlite3.connect(tmp_path / "a.db") as con:
        con.execute("UPDATE review_assignment SET mode = 'blind' WHERE basis = 'failed'")
        con.execute("UPDATE verdict SET body = json_set(body, '$.rationale', 'rewritten') WHERE role = 'final'")
    assert main(["verify", str(tmp_path / "a.db")]) != 0
    with sqlite3.connect(tmp_path / "a.db") as con:  # put the verdict back: intact again
        body = con.execute("SELECT new_body FROM verdict_change WHERE role = 'final' AND action = 'set' "
                           "ORDER BY id DESC LIMIT 1").fetchone()[0]
        con.execute("UPDATE verdict SET body = ? WHERE role = 'final'", (body,))
    assert main(["verify", str(tmp_path / "a.db")]) == 0
    with sqlite3.connect(tmp_path / "a.db") as con:  # a challenge decision rewritten outside the application
        con.execute("UPDATE challenge SET decision = 'rejected' WHERE decision = 'upheld'")
    assert main(["verify", str(tmp_path / "a.db")]) != 0


def test_command_line_review_round(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    db = small_audit(path)
    _team(db)
    auditor = AuditService(db, AUDITOR)
    sid, items = _incidents(auditor)
    auditor.save_verdict(items["INC-0003"], ZERO)
    name = next(s.name for s in auditor.samples() if s.id == sid)
    pos = next(r.position for r in auditor.queue(sid) if r.ref == "INC-0003")
    db.close()
    assert main(["--user", AUDITOR, "review", "assign", str(path), "--sample", name, "--basis", "hand",
                 "--reviewer", REVIEWER, "--positions", str(pos)]) == 4  # not the lead: refused
    assert main(["--user", LEAD, "review", "assign", str(path), "--sample", name, "--basis", "hand",
                 "--reviewer", REVIEWER, "--positions", str(pos)]) == 0
    db = Database(path)
    AuditService(db, REVIEWER).save_verdict(items["INC-0003"], MISSED, role="review")
    db.close()
    capsys.readouterr()
    assert main(["--user", LEAD, "review", "disagreements", str(path)]) == 0
    out = capsys.readouterr().out
    assert "INC-0003" in out and "Crimes identified" in out and MISSED.rationale in out
    assert main(["--user", LEAD, "review", "decide", str(path), "--sample", name, "--position", str(pos),
                 "--take", "primary", "--reason", "No crime disclosed on the log."]) == 0
    capsys.readouterr()
    assert main(["--user", LEAD, "review", "status", str(path)]) == 0
    assert "decided" in capsys.readouterr().out
    assert main(["users", "list", str(path)]) == 0
    assert "Peer reviewer" in capsys.readouterr().out
    out_csv = tmp_path / "history.csv"
    assert main(["--user", LEAD, "history", str(path), "--sample", name, "--position", str(pos),
                 "--csv", str(out_csv), "--yes"]) == 0
    import csv

    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert [(r["who"], r["role"], r["action"]) for r in rows] == [
        (AUDITOR, "primary", "set"), (LEAD, "review", "assign"), (REVIEWER, "review", "set"),
        (REVIEWER, "review", "seal"), (LEAD, "final", "set")]
    assert "No crime disclosed on the log." in rows[-1]["reason"] and all(len(r["hash"]) == 64 for r in rows)
    assert main(["--user", REVIEWER, "history", str(path), "--sample", name, "--position", str(pos)]) == 0


def test_on_postgresql_each_person_is_their_own_login(db_target: str) -> None:
    if not db_target.startswith("postgresql"):
        pytest.skip("database logins exist on PostgreSQL only")
    import uuid

    from cdi_workbench.audit.people import create_login

    db = small_audit(db_target)
    login = f"cdi_rita_{uuid.uuid4().hex[:8]}"
    try:
        _team(db)  # the lead registered first keeps the connection's own login (here the administrator's)
        assert {p.name: p.login for p in people(db)}[LEAD] == "postgres"
        create_login(db, login)
        add_person(db, LEAD, "Rita Two", "reviewer", login)
        sid, items = _incidents(AuditService(db, LEAD))
        AuditService(db, AUDITOR).save_verdict(items["INC-0003"], ZERO)  # the server says: the lead
        assert AuditService(db, AUDITOR).me().name == LEAD
        review.assign(AuditService(db, LEAD), sid, "hand", "Rita Two", "blind", item_ids=[items["INC-0003"]])
        as_rita = Database(db_target.replace("postgres@", f"{login}@", 1))
        try:
            # whatever name is typed, the server says who is connected: Rita, a reviewer
            pretender = AuditService(as_rita, LEAD)
            assert pretender.me().name == "Rita Two" and pretender.me().role == "reviewer"
            with pytest.raises(NotAllowed, match="may not assign records for review"):
                review.assign(pretender, sid, "hand", "Rita Two", item_ids=[items["INC-0001"]])
            with pytest.raises(NotAllowed, match="blind review"):
                pretender.verdict(items["INC-0003"])
            pretender.save_verdict(items["INC-0003"], MISSED, role="review")
            assert AuditService(db, LEAD).history(items["INC-0003"])[-1].who == "Rita Two"
        finally:
            as_rita.close()
        # a login nobody registered is refused outright
        stranger = f"cdi_x_{uuid.uuid4().hex[:8]}"
        create_login(db, stranger)
        as_stranger = Database(db_target.replace("postgres@", f"{stranger}@", 1))
        try:
            with pytest.raises(NotAllowed, match="not registered"):
                AuditService(as_stranger, LEAD).queue(sid)
        finally:
            as_stranger.close()
    finally:
        db.close()
        from sqlalchemy import create_engine

        admin = create_engine(db_target, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in [n for n in (login, locals().get("stranger")) if n]:
                if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": name}).first():
                    conn.exec_driver_sql(f'DROP OWNED BY "{name}"')
                    conn.exec_driver_sql(f'DROP ROLE "{name}"')
        admin.dispose()


def test_only_auditors_and_the_lead_import_extracts(tmp_path: Path) -> None:
    from cdi_workbench.importing import import_file

    db = small_audit(tmp_path / "a.db")
    _team(db)
    extract = tmp_path / "inc.csv"
    extract.write_text("incident_ref,received_at,narrative\nNEW-1,01/03/2014 10:00,words\n", encoding="utf-8")
    for who in (REVIEWER, LIAISON):
        with pytest.raises(NotAllowed, match="may not import extracts"):
            import_file(db, extract, "incidents", user=who)
    result = import_file(db, extract, "incidents", user=AUDITOR)
    assert result.committed and result.added == 1
    db.close()


def test_a_random_share_is_drawn_from_audited_records_and_keeps_earlier_assignments(tmp_path: Path) -> None:
    picks = []
    for n in range(2):
        db = small_audit(tmp_path / f"r{n}.db")
        _team(db)
        lead, auditor = AuditService(db, LEAD), AuditService(db, AUDITOR)
        sid, items = _incidents(lead)
        auditor.save_verdict(items["INC-0001"], TWO)
        auditor.save_verdict(items["INC-0003"], ZERO)  # INC-0002 not audited: nothing to re-check
        review.assign(lead, sid, "hand", REVIEWER, "blind", item_ids=[items["INC-0001"]])
        got = review.assign(lead, sid, "random", REVIEWER, "open", share=1.0, seed=11)
        assert got == [items["INC-0003"]]
        modes = {a.ref: a.mode for a in review.assignments(lead)}
        assert modes == {"INC-0001": "blind", "INC-0003": "open"}  # the blind one was not turned open
        picks.append(got)
        db.close()
    assert picks[0] == picks[1]
