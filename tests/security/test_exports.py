"""Every export checks roles in the core and is in the trail (issue 12, item 9); a blind share travels blind.

`cdi verdicts export` had no role check at all: a blind reviewer, the liaison, an unregistered name or no --user
each exported every first verdict. A reviewer could export a non-blind package of a blind share (or of a whole
sample), and the auditor's flag note travelled in the blind package. Now each export (the verdicts, a record's
history, a draw list, a package) is allowed to the roles that may see what it holds, and leaves a history row of
kind 'export' (who, what, when, which file) that `cdi verify` checks with the rest of the chain. A record
assigned for blind review travels blind whoever exports it, whatever is asked: nothing of its first verdict.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from cdi_workbench.audit import review
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditError, AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.packages import export_package, merge_package
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import VerdictChange
from tests.builders import small_audit

LEAD, AUDITOR, REVIEWER, LIAISON = "Lena Lead", "Alan Auditor", "Rita Reviewer", "Liam Liaison"
RATIONALE = "Assault and damage, both recorded: the auditor's own words"
FLAG_NOTE = "Second opinion please: the victim may have withdrawn"
TWO = VerdictBody(crimes=[CrimeFinding("8N", 1, "CR-1"), CrimeFinding("58A", 2, "CR-2")], complete=True,
                  rationale=RATIONALE)
FINAL_REASON = "The lead's own reasoning on the log"
ZERO = VerdictBody(zero_status=True, complete=True, rationale="Reviewer: nothing disclosed.")


def _audit(path: Path) -> tuple[Database, dict[str, int]]:
    """A team; the auditor's verdicts on every incident, INC-0001 flagged with a note and with a final verdict;
    INC-0001 and INC-0002 assigned blind to the reviewer (every flagged record, then one by hand)."""
    db = small_audit(path)
    for name, role in ((LEAD, "lead"), (AUDITOR, "auditor"), (REVIEWER, "reviewer"), (LIAISON, "liaison")):
        add_person(db, LEAD, name, role)
    auditor, lead = AuditService(db, AUDITOR), AuditService(db, LEAD)
    sid = next(s.id for s in auditor.samples() if s.name == "Incidents")
    items = {r.ref: r.item_id for r in auditor.queue(sid)}
    for ref in ("INC-0001", "INC-0002", "INC-0003"):
        auditor.save_verdict(items[ref], TWO if ref == "INC-0001" else VerdictBody(zero_status=True, complete=True,
                                                                                  rationale=RATIONALE))
    auditor.set_flag(items["INC-0001"], True, FLAG_NOTE)
    lead.save_verdict(items["INC-0001"], TWO, role="final", reason=FINAL_REASON)
    review.assign(lead, sid, "flagged", REVIEWER, "blind")
    review.assign(lead, sid, "hand", REVIEWER, "blind", item_ids=[items["INC-0002"]])
    items["sample"] = sid
    return db, items


def _every_cell(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table of a SQLite file (a package), read with sqlite3 itself."""
    with closing(sqlite3.connect(path)) as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}


def _text(rows: dict[str, list[tuple]]) -> str:
    return json.dumps(rows, default=str, ensure_ascii=False)


def _exports(db: Database) -> list[VerdictChange]:
    with db.session() as s:
        from sqlalchemy import select

        return list(s.scalars(select(VerdictChange).where(VerdictChange.action == "export")
                              .order_by(VerdictChange.id)))


def _assert_blind(package: Path, blind_items: set[int]) -> None:
    rows = _every_cell(package)
    everything = _text(rows)
    for secret in (RATIONALE, FLAG_NOTE, FINAL_REASON):  # nothing of the first (or final) verdict, anywhere
        assert secret not in everything, secret
    with closing(sqlite3.connect(package)) as conn:
        roles = conn.execute("SELECT DISTINCT role FROM verdict").fetchall()
        assert set(roles) <= {("review",)}
        history = conn.execute("SELECT item_id, role, action FROM verdict_change").fetchall()
        assert not [h for h in history if h[1] in ("primary", "final")], history
        items = conn.execute("SELECT id, flagged, flag_note FROM audit_item").fetchall()
        assert {i for i, _, _ in items} == blind_items
        assert all(not flagged and note == "" for _, flagged, note in items)
        bases = conn.execute("SELECT basis FROM review_assignment").fetchall()
        assert bases and all(b not in ("flagged", "failed") for (b,) in bases)  # the basis tells the first verdict
        manifest = json.loads(conn.execute("SELECT value FROM audit_setting WHERE key = 'package:manifest'")
                              .fetchone()[0])
        assert all(set(m["base"]) <= {"review"} for m in manifest["items"])


def test_a_reviewer_exporting_a_non_blind_package_of_their_blind_share_gets_a_blind_one(tmp_path: Path) -> None:
    db, items = _audit(tmp_path / "a.db")
    mine = {items["INC-0001"], items["INC-0002"]}
    # asked for everything (no --blind), the whole sample: the reviewer gets their share, blind
    r = export_package(db, "Incidents", tmp_path / "rita.cdipkg", who=REVIEWER)
    _assert_blind(r.path, mine)
    assert (r.items, r.blind) == (2, 2)
    # a record not assigned to them is refused by name
    with pytest.raises(NotAllowed, match="only the records assigned to them"):
        export_package(db, "Incidents", tmp_path / "x.cdipkg", who=REVIEWER, positions=[1, 2, 3])
    assert not (tmp_path / "x.cdipkg").exists()
    # the lead's package of the same records, asked without --blind, is blind on those records all the same
    r = export_package(db, "Incidents", tmp_path / "lead.cdipkg", who=LEAD, item_ids=sorted(mine))
    _assert_blind(r.path, mine)
    assert r.blind == 2
    # both exports are in the trail, and it verifies
    exports = _exports(db)
    assert [(e.who, e.new_body["file"], e.new_body["blind"]) for e in exports] == [
        (REVIEWER, "rita.cdipkg", 2), (LEAD, "lead.cdipkg", 2)]
    assert AuditService(db, LEAD).verify_trail() == []
    db.close()


def test_the_command_line_package_of_a_blind_share_is_blind(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "a.db"
    db, items = _audit(path)
    db.close()
    out = tmp_path / "share.cdipkg"
    assert main(["package", "export", str(path), "--sample", "Incidents", "--to", str(out), "--user", REVIEWER,
                 "--plain"]) == 0  # plain: read below with sqlite3
    assert "2 blind" in capsys.readouterr().out
    _assert_blind(out, {items["INC-0001"], items["INC-0002"]})
    assert main(["package", "export", str(path), "--sample", "Incidents", "--to", str(tmp_path / "l.cdipkg"),
                 "--user", LIAISON]) == 4
    assert "may not carry records offline" in capsys.readouterr().err
    assert main(["verify", str(path)]) == 0


def test_a_blind_review_done_offline_comes_back_sealed(tmp_path: Path) -> None:
    db, items = _audit(tmp_path / "a.db")
    r = export_package(db, "Incidents", tmp_path / "rita.cdipkg", who=REVIEWER)
    pkg = Database(r.path)
    AuditService(pkg, REVIEWER).save_verdict(items["INC-0002"], ZERO, role="review")
    pkg.close()
    plan, result = merge_package(db, r.path, REVIEWER)
    assert result is not None and result.taken == 1
    with pytest.raises(AuditError, match="sealed"):  # merged complete: sealed here too
        AuditService(db, REVIEWER).save_verdict(items["INC-0002"], TWO, role="review")
    assert AuditService(db, LEAD).verify_trail() == []
    db.close()


@pytest.mark.parametrize("who, why", [
    (REVIEWER, "may not export the verdicts"), (LIAISON, "may not export the verdicts"),
    ("Somebody Else", "not registered"), ("", "say who you are")])
def test_verdicts_export_is_refused_to_all_but_the_lead_and_auditors(
        tmp_path: Path, capsys: pytest.CaptureFixture, who: str, why: str) -> None:
    path = tmp_path / "a.db"
    _audit(path)[0].close()
    out = tmp_path / "v.csv"
    assert main((["--user", who] if who else []) + ["verdicts", "export", str(path), str(out)]) == 4
    err = capsys.readouterr().err
    assert "not allowed" in err and why in err
    assert not out.exists()
    db = Database(path)
    assert _exports(db) == []
    db.close()


def test_verdicts_export_by_the_lead_and_an_auditor_is_in_the_trail(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    _audit(path)[0].close()
    assert main(["--user", LEAD, "verdicts", "export", str(path), str(tmp_path / "lead.csv"), "--yes"]) == 0
    assert main(["--user", AUDITOR, "verdicts", "export", str(path), str(tmp_path / "mine.xlsx")]) == 0
    assert (tmp_path / "lead.csv").exists() and (tmp_path / "mine.xlsx").exists()
    db = Database(path)
    exports = _exports(db)
    assert [(e.who, e.new_body["what"], e.new_body["file"], e.new_body["rows"]) for e in exports] == [
        (LEAD, "verdicts", "lead.csv", 4), (AUDITOR, "verdicts", "mine.xlsx", 4)]
    assert all(e.at is not None and e.item_id == 0 for e in exports)
    db.close()
    assert main(["verify", str(path)]) == 0


def test_history_and_draw_list_exports_check_roles_and_are_recorded(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "a.db"
    db, items = _audit(path)
    blind = items["INC-0002"]
    position = AuditService(db, LEAD).queue_row(blind).position
    draw = ["sample", str(path), "--export", "Incidents", str(tmp_path / "draw.csv")]
    for who in (REVIEWER, LIAISON, "Somebody Else"):  # a draw list: for those who draw samples
        assert main(["--user", who, *draw]) == 4, who
        assert "not allowed" in capsys.readouterr().err
    assert not (tmp_path / "draw.csv").exists()
    assert main(["--user", LEAD, *draw]) == 0
    history = ["history", str(path), "--sample", "Incidents", "--position", str(position), "--csv",
               str(tmp_path / "h.csv"), "--yes"]
    assert main(["--user", REVIEWER, *history]) == 4  # the first verdict's history, before the seal
    assert main(["--user", LIAISON, *history]) == 4
    assert not (tmp_path / "h.csv").exists()
    assert main(["--user", AUDITOR, *history]) == 0
    assert (tmp_path / "h.csv").exists()
    exports = _exports(db)
    assert [(e.who, e.item_id, e.new_body["file"]) for e in exports] == [
        (LEAD, 0, "draw.csv"), (AUDITOR, blind, "h.csv")]
    assert AuditService(db, LEAD).history(blind)[-1].action == "export"  # in the record's own history
    assert AuditService(db, LEAD).verify_trail() == []
    db.close()
