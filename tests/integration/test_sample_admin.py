"""Renaming and deleting samples (issue 11): roles checked in the core, a deletion of audited work needs the lead
and a reason and is written to the hash-chained trail (so `cdi verify` passes after it, and catches a deletion
made outside the application); ids of deleted items are never handed out again; packages of a renamed sample
still merge."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cdi_workbench import sampling
from cdi_workbench.audit import review
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.trail import verify
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.challenges import decide
from cdi_workbench.cli import main
from cdi_workbench.findings import compute
from cdi_workbench.packages import apply_merge, export_package, plan_import
from cdi_workbench.sample_admin import delete_sample, holdings, rename_sample
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import AuditItem, Challenge, ReportRecord, Sample, Verdict, VerdictChange
from tests.builders import small_audit

LEAD, AUDITOR, REVIEWER, LIAISON = "Lena Lead", "Alan Auditor", "Rita Reviewer", "Liam Liaison"
MISSED = VerdictBody(crimes=[CrimeFinding(expected_code="8L", not_recorded_reason="No discernible reason")],
                     complete=True, rationale="Threat to kill: not recorded.")


def _team(db: Database) -> None:
    for name, role in ((LEAD, "lead"), (AUDITOR, "auditor"), (REVIEWER, "reviewer"), (LIAISON, "liaison")):
        add_person(db, LEAD, name, role)


def _second_sample(db: Database, name: str = "Incidents again", who: str = LEAD) -> dict[str, int]:
    """The three incidents drawn again in a sample of their own: reference -> item id."""
    with db.session() as s:
        sampling.draw(s, name, "incident", 3, seed=8, who=who)
    svc = AuditService(db, who)
    sid = next(smp.id for smp in svc.samples() if smp.name == name)
    return {r.ref: r.item_id for r in svc.queue(sid)}


def _changes(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(VerdictChange)) or 0


def test_rename(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        _team(db)
        with db.session() as s:
            rename_sample(s, "Incidents", "  Main   incidents ", AUDITOR)
        with db.session() as s:
            smp = s.scalar(select(Sample).where(Sample.name == "Main incidents"))
            assert smp is not None
            (entry,) = smp.frame["renamed"]
            assert (entry["from"], entry["to"], entry["by"]) == ("Incidents", "Main incidents", AUDITOR)
        for new, problem in (("guardian", "already a sample called 'Guardian'"), ("  ", "needs a name"),
                             ("x" * 121, "120 characters")):
            with pytest.raises(ValueError, match=problem), db.session() as s:
                rename_sample(s, "Main incidents", new, LEAD)
        with pytest.raises(ValueError, match="no sample called 'Incidents'"), db.session() as s:
            rename_sample(s, "Incidents", "X", LEAD)
        for who in (REVIEWER, LIAISON):
            with pytest.raises(NotAllowed, match="may not draw samples"), db.session() as s:
                rename_sample(s, "Main incidents", "X", who)
    finally:
        db.close()


def test_a_mistaken_draw_goes_at_an_auditors_word(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        _team(db)
        _second_sample(db, "Mistake", AUDITOR)
        before = _changes(db)
        with pytest.raises(NotAllowed, match="may not draw samples"), db.session() as s:
            delete_sample(s, "Mistake", REVIEWER)
        with db.session() as s:
            gone = delete_sample(s, "Mistake", AUDITOR)  # nothing audited: no reason needed
        assert (gone.holdings.items, gone.holdings.verdicts, gone.trail_rows) == (3, 0, 0)
        assert _changes(db) == before + 1  # only the sample's own row: deleted (audit.facts)
        with db.session() as s:
            assert s.scalar(select(Sample).where(Sample.name == "Mistake")) is None
            assert s.scalar(select(func.count()).select_from(ReportRecord)) == 4  # the records stay
            assert verify(s) == []
    finally:
        db.close()


def test_deleting_audited_work_needs_the_lead_a_reason_and_goes_in_the_trail(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = small_audit(path)
    try:
        _team(db)
        items = _second_sample(db)
        auditor, lead = AuditService(db, AUDITOR), AuditService(db, LEAD)
        auditor.save_verdict(items["INC-0002"], MISSED)
        auditor.save_verdict(items["INC-0003"], VerdictBody(zero_status=True, complete=True))
        auditor.set_flag(items["INC-0003"], True, "second opinion")
        review.assign(lead, auditor.sample_of(items["INC-0002"]), "hand", REVIEWER, item_ids=[items["INC-0002"]])
        AuditService(db, REVIEWER).save_verdict(items["INC-0002"], MISSED, role="review")
        with db.session() as s:
            s.add(Challenge(item_id=items["INC-0002"], crime_no=1, failure="not recorded", response="challenge",
                            force_rationale="the caller withdrew"))
        with db.session() as s:
            cid = s.scalar(select(Challenge.id))
        decide(db, cid, False, "no withdrawal on the log", LEAD)
        kept = {r.ref: r.item_id for r in auditor.queue(1)}  # the first incident sample, untouched
        auditor.save_verdict(kept["INC-0002"], MISSED)
        with db.session() as s:
            assert holdings(s, "Incidents again").audited
        with pytest.raises(NotAllowed, match="may not delete a sample holding verdicts: only the audit lead"), \
                db.session() as s:
            delete_sample(s, "Incidents again", AUDITOR, "drawn by mistake")
        with pytest.raises(ValueError, match="holds 3 verdicts and 1 review assignment: say why"), db.session() as s:
            delete_sample(s, "Incidents again", LEAD, "   ")
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(AuditItem)
                            .where(AuditItem.id.in_(items.values()))) == 3  # refused: nothing deleted
        before = _changes(db)
        with db.session() as s:
            gone = delete_sample(s, "Incidents again", LEAD, "drawn from the wrong extract")
        assert gone.trail_rows == 5  # three verdicts, one assignment, one decision
        with db.session() as s:
            rows = list(s.scalars(select(VerdictChange).where(VerdictChange.id > 0).order_by(VerdictChange.id)))[
                before:]
            assert [(r.action, r.role, r.new_body is None) for r in rows] == [
                ("delete", "primary", True), ("delete", "review", True), ("unassign", "review", True),
                ("challenge", "final", False), ("delete", "primary", True),
                ("sample", "sample", False)]  # and the sample itself (audit.facts)
            assert {r.who for r in rows} == {LEAD}
            assert all(r.reason == "sample 'Incidents again' deleted: drawn from the wrong extract" for r in rows)
            assert rows[0].old_body == MISSED.to_json()
            for table in (Verdict, Challenge):
                assert s.scalar(select(func.count()).select_from(table)
                                .where(table.item_id.in_(items.values()))) == 0
            assert verify(s) == []  # the trail is whole: every removal is in it
        assert AuditService(db, LEAD).verify_trail() == []
        f = compute(db)
        assert f.value("incidents", "Incident records", "Records reviewed") == 1  # the kept sample's verdict
    finally:
        db.close()
    assert main(["verify", str(path)]) == 0


def test_the_trail_stays_whole_on_either_engine(db_target: str) -> None:
    """Single-user mode (on PostgreSQL the person is the login, so the roles are tested on SQLite above)."""
    db = small_audit(db_target)
    try:
        items = _second_sample(db, who="Inspector A")
        svc = AuditService(db, "Inspector A")
        svc.save_verdict(items["INC-0002"], MISSED)
        svc.save_verdict(items["INC-0002"], MISSED, role="final")
        review.assign(svc, svc.sample_of(items["INC-0002"]), "hand", "Rita Reviewer", item_ids=[items["INC-0002"]])
        with pytest.raises(ValueError, match="say why"), db.session() as s:
            delete_sample(s, "Incidents again", "Inspector A")
        with db.session() as s:
            gone = delete_sample(s, "Incidents again", "Inspector A", "a trial draw")
            assert gone.trail_rows == 3
            assert verify(s) == []
        again = _second_sample(db, "Drawn again", "Inspector A")
        assert items["INC-0002"] not in again.values()  # an id with a history is never handed out again
        assert all(svc.history(i) == [] for i in again.values())
        assert svc.verify_trail() == []
    finally:
        db.close()


def test_a_sample_deleted_outside_the_application_is_caught(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    db = small_audit(path)
    items = _second_sample(db, "Incidents again", "Inspector A")
    svc = AuditService(db, "Inspector A")
    svc.save_verdict(items["INC-0001"], MISSED)
    db.close()
    assert main(["verify", str(path)]) == 0
    capsys.readouterr()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")  # the cascade takes the items and their verdicts
        conn.execute("DELETE FROM sample WHERE name = 'Incidents again'")
    assert main(["verify", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"records a primary verdict on item {items['INC-0001']} that is no longer there" in err


def test_the_id_of_a_deleted_item_with_a_history_is_never_handed_out_again(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        items = _second_sample(db, "Last drawn", "Inspector A")  # the highest item ids
        AuditService(db, "Inspector A").save_verdict(items["INC-0001"], MISSED)
        with db.session() as s:
            s.add(Challenge(item_id=items["INC-0001"], crime_no=1, failure="not recorded", response="challenge"))
        with db.session() as s:
            deleted_challenge = s.scalar(select(Challenge.id))
        decide(db, deleted_challenge, True, "the force was right", "Inspector A")
        with db.session() as s:
            delete_sample(s, "Last drawn", "Inspector A", "wrong seed")
        again = _second_sample(db, "Drawn again", "Inspector A")
        assert min(again.values()) > items["INC-0001"]  # SQLite alone would have given it out again
        svc = AuditService(db, "Inspector A")
        assert all(svc.history(i) == [] for i in again.values())  # no history of the deleted items
        # a challenge taking the id of one deleted with its decision does not look tampered with
        svc.save_verdict(again["INC-0002"], MISSED)
        with db.session() as s:
            s.add(Challenge(item_id=again["INC-0002"], crime_no=1, failure="not recorded"))
        with db.session() as s:
            assert s.scalar(select(Challenge.id)) == deleted_challenge  # SQLite hands the id out again
        assert svc.verify_trail() == []
    finally:
        db.close()


def test_a_package_of_a_renamed_sample_still_merges(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        package = tmp_path / "b.cdipkg"
        export_package(db, "Incidents", package, who="Lead L")
        pkg = Database(package)
        b = AuditService(pkg, "Auditor B")
        item = b.queue(b.samples()[0].id)[1].item_id
        b.save_verdict(item, MISSED)
        pkg.close()
        with db.session() as s:
            rename_sample(s, "Incidents", "Main", "Lead L")
        result = apply_merge(db, plan_import(db, package), None, "Lead L")
        assert result.taken == 1
        assert AuditService(db).verdict(item).crimes[0].expected_code == "8L"
    finally:
        db.close()


def test_rename_and_delete_from_the_command_line(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    db = small_audit(path)
    _team(db)
    items = _second_sample(db)
    AuditService(db, AUDITOR).save_verdict(items["INC-0001"], MISSED)
    db.close()
    p = str(path)
    assert main(["--user", AUDITOR, "sample", p, "--rename", "Incidents again", "Second draw"]) == 0
    assert "Renamed 'Incidents again' to 'Second draw'" in capsys.readouterr().out
    assert main(["--user", AUDITOR, "sample", p, "--delete", "Second draw", "--reason", "mistake"]) == 4
    assert "only the audit lead may" in capsys.readouterr().err
    assert main(["--user", LEAD, "sample", p, "--delete", "Second draw"]) == 1
    assert "say why it is deleted" in capsys.readouterr().err
    assert main(["--user", LEAD, "sample", p, "--reason", "x"]) == 2
    capsys.readouterr()
    assert main(["--user", LEAD, "sample", p, "--delete", "Second draw", "--reason", "drawn twice by mistake"]) == 0
    out = capsys.readouterr().out
    assert "Deleted 'Second draw': 3 records drawn, 1 verdict" in out and "1 history rows" in out
    assert main(["verify", p]) == 0
    assert main(["--user", LEAD, "sample", p, "--delete", "Second draw", "--reason", "again"]) == 1
    assert "no sample called 'Second draw'" in capsys.readouterr().err
