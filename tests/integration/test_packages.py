"""Offline audit packages: part of a sample exported, worked on as another auditor, merged back.

Real components throughout: audit databases on disk (and on PostgreSQL when CDI_TEST_PG_URL is set), the
package a SQLite file opened with the same core the workbench uses, the `cdi` command itself.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.packages import (
    CONFLICT,
    KEPT,
    TAKE,
    UNCHANGED,
    PackageError,
    apply_merge,
    export_package,
    parse_positions,
    plan_import,
)
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import AuditSetting, CrimeRecord, ReportRecord, Verdict, VerdictChange
from tests.builders import small_audit


def _items(svc: AuditService, sample: str) -> dict[str, tuple[int, int]]:
    """reference -> (item id, position) in the named sample."""
    sid = next(s.id for s in svc.samples() if s.name == sample)
    return {r.ref: (r.item_id, r.position) for r in svc.queue(sid)}


def _crime(svc: AuditService, ref: str) -> int:
    found = svc.find_crime(ref)
    assert found is not None
    return found.id


def _changes(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(VerdictChange)) or 0


TWO_RECORDED = "two crimes, both recorded"


def _audited(target: str) -> tuple[Database, AuditService, dict[str, tuple[int, int]]]:
    db = small_audit(target)
    a = AuditService(db, "Inspector A")
    items = _items(a, "Incidents")
    a.save_verdict(items["INC-0001"][0], VerdictBody(
        crimes=[CrimeFinding("8N", _crime(a, "CR-1"), "CR-1"), CrimeFinding("58A", _crime(a, "CR-2"), "CR-2")],
        rationale=TWO_RECORDED, complete=True))
    a.save_verdict(items["INC-0003"][0], VerdictBody(zero_status=True, rationale="lost property", complete=True))
    return db, a, items


def _work_offline(package: Path, items: dict[str, tuple[int, int]]) -> None:
    """Auditor B, on another machine: the package opened with the same core the workbench uses."""
    pkg = Database(package)
    b = AuditService(pkg, "Auditor B")
    assert [smp.name for smp in b.samples()] == ["Incidents"]
    detail = b.record(items["INC-0002"][0])
    assert "threatened her with a knife" in " ".join(e.text for e in detail.narrative)
    # the missed crime: a threat to kill, not recorded
    b.save_verdict(items["INC-0002"][0], VerdictBody(
        crimes=[CrimeFinding("8L", not_recorded_reason="No discernible reason", domestic_abuse=True)],
        rationale="threat with a knife disclosed", complete=True))
    # the same record A audited: B thinks the second crime was recorded late
    mine = b.verdict(items["INC-0001"][0])
    mine.crimes[1].timely_override = False
    mine.crimes[1].override_reason = "recorded five days after the report"
    mine.rationale = "CR-2 late"
    b.save_verdict(items["INC-0001"][0], mine)
    assert b.verify_trail() == []
    pkg.close()


def test_export_holds_just_the_part_and_opens_as_an_audit(tmp_path: Path) -> None:
    db, a, items = _audited(str(tmp_path / "audit.db"))
    chosen = sorted(items[ref][1] for ref in ("INC-0001", "INC-0002"))
    result = export_package(db, "Incidents", tmp_path / "part", who="Lead L", positions=chosen)
    assert result.path == tmp_path / "part.cdipkg" and result.items == 2 and result.verdicts == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("part")) == ["part.cdipkg"]  # one file
    pkg = Database(result.path)
    with pkg.session() as s:
        refs = set(s.scalars(select(ReportRecord.ref)))
        crimes = set(s.scalars(select(CrimeRecord.ref)))
        manifest = json.loads(s.scalar(select(AuditSetting.value).where(AuditSetting.key == "package:manifest")))
    assert refs == {"INC-0001", "INC-0002"}  # not INC-0003, not the referral
    assert crimes == {"CR-1", "CR-2"}  # the linked crimes; not CR-3 (nothing to do with these records)
    assert manifest["exported_by"] == "Lead L" and manifest["sample"] == "Incidents"
    base = {m["ref"]: (m["position"], m["base"]) for m in manifest["items"]}
    assert base["INC-0002"] == (items["INC-0002"][1], {})  # no verdict yet
    assert base["INC-0001"][1]["primary"] is not None  # the digest of A's verdict: the base for merging back
    b = AuditService(pkg, "Auditor B")
    (smp,) = b.samples()
    assert (smp.name, smp.size, smp.done) == ("Incidents", 2, 1)
    assert b.verdict(items["INC-0001"][0]).rationale == TWO_RECORDED  # the verdict so far travels with it
    assert b.verify_trail() == []
    pkg.close()
    with pytest.raises(PackageError, match="already exists"):
        export_package(db, "Incidents", result.path, who="Lead L")
    with pytest.raises(PackageError, match="no position"):
        export_package(db, "Incidents", tmp_path / "x", who="Lead L", positions=[2, 9])
    with pytest.raises(PackageError, match="no sample called 'Nope'"):
        export_package(db, "Nope", tmp_path / "x", who="Lead L")
    db.close()


def test_merge_cycle_with_a_conflict(db_target: str, tmp_path: Path) -> None:
    db, a, items = _audited(db_target)
    package = tmp_path / "b.cdipkg"
    export_package(db, "Incidents", package, who="Lead L", issued_to="Auditor B")  # B's share, B's verdicts
    _work_offline(package, items)
    # meanwhile, in the main database, A changes the same check of the same record differently
    ours = a.verdict(items["INC-0001"][0])
    ours.crimes[1].timely_override = True
    ours.crimes[1].override_reason = "the delay was the force's system outage; report received late"
    ours.rationale = "CR-2 in time after all"
    a.save_verdict(items["INC-0001"][0], ours)
    before = _changes(db)

    plan = plan_import(db, package)
    by_ref = {e.ref: e for e in plan.entries if e.role == "primary"}
    assert by_ref["INC-0002"].status == TAKE
    assert by_ref["INC-0003"].status == UNCHANGED
    conflict = by_ref["INC-0001"]
    assert conflict.status == CONFLICT and plan.conflicts == [conflict]
    labels = {c.label: (c.ours, c.theirs) for c in conflict.checks}
    assert labels["Crime 2: timeliness"] == ("in time (override)", "late (override)")
    assert "Crime 1: Home Office code" not in labels  # only the checks that differ
    assert (conflict.ours.rationale, conflict.theirs.rationale) == ("CR-2 in time after all", "CR-2 late")
    assert conflict.theirs.who == "Auditor B" and conflict.ours.who == "Inspector A"

    # without a resolution nothing is written, not even the verdict that merges cleanly
    with pytest.raises(PackageError, match="need a resolution"):
        apply_merge(db, plan, None, "Lead L")
    assert _changes(db) == before and a.verdict(items["INC-0002"][0]).crimes == []

    result = apply_merge(db, plan, {conflict.key: "theirs"}, "Lead L")
    assert (result.taken, result.theirs, result.ours) == (1, 1, 0)
    took = a.verdict(items["INC-0001"][0])
    assert took.crimes[1].timely_override is False and took.rationale == "CR-2 late"
    merged = a.verdict(items["INC-0002"][0])
    assert [c.expected_code for c in merged.crimes] == ["8L"] and merged.complete
    last = a.history(items["INC-0002"][0])[-1]
    assert (last.who, last.action) == ("Auditor B", "merge")
    assert "merged from package b.cdipkg" in last.reason and "imported by Lead L" in last.reason
    resolved = a.history(items["INC-0001"][0])[-1]
    assert resolved.who == "Auditor B" and "conflict resolved by Lead L: took the package's verdict" in resolved.reason
    with db.session() as s:
        assert s.scalar(select(Verdict.auditor).where(Verdict.item_id == items["INC-0002"][0])) == "Auditor B"
    assert a.verify_trail() == []

    # importing the same package again is harmless
    after = _changes(db)
    again = plan_import(db, package)
    assert again.auto == [] and again.conflicts == []
    assert apply_merge(db, again, None, "Lead L").written == 0
    assert _changes(db) == after
    db.close()
    if "://" not in db_target:
        assert main(["verify", db_target]) == 0


def test_keeping_ours_records_the_decision_and_stays_settled(tmp_path: Path) -> None:
    db, a, items = _audited(str(tmp_path / "audit.db"))
    package = tmp_path / "b.cdipkg"
    export_package(db, "Incidents", package, who="Lead L")
    _work_offline(package, items)
    ours = a.verdict(items["INC-0001"][0])
    ours.crimes[0].classified_override = False
    ours.crimes[0].override_reason = "should have been 8L"
    a.save_verdict(items["INC-0001"][0], ours)
    kept_body = a.verdict(items["INC-0001"][0]).to_json()
    result = apply_merge(db, plan_import(db, package), "ours", "Lead L")
    assert (result.taken, result.theirs, result.ours) == (1, 0, 1)
    assert a.verdict(items["INC-0001"][0]).to_json() == kept_body
    decision = a.history(items["INC-0001"][0])[-1]
    assert decision.who == "Lead L" and "kept this database's verdict" in decision.reason
    assert "Crime 2: timeliness" in decision.reason and "Crime 1: classification" in decision.reason
    assert a.verify_trail() == []
    settled = plan_import(db, package)  # the package's side was dealt with: no conflict comes back
    assert settled.conflicts == [] and settled.auto == []
    assert {e.status for e in settled.entries if e.ref == "INC-0001"} == {KEPT}
    db.close()


def test_a_plan_is_refused_when_the_database_changed_since(tmp_path: Path) -> None:
    db, a, items = _audited(str(tmp_path / "audit.db"))
    package = tmp_path / "b.cdipkg"
    export_package(db, "Incidents", package, who="Lead L")
    _work_offline(package, items)
    plan = plan_import(db, package)
    a.save_verdict(items["INC-0002"][0], VerdictBody(zero_status=True, complete=True))
    before = _changes(db)
    with pytest.raises(PackageError, match="changed in this database since the merge was planned"):
        apply_merge(db, plan, "theirs", "Lead L")
    assert _changes(db) == before  # one transaction: the verdict merged before the stale one is rolled back too
    assert a.verdict(items["INC-0001"][0]).rationale == TWO_RECORDED
    db.close()


def test_a_foreign_or_tampered_package_is_refused(tmp_path: Path) -> None:
    db, _a, items = _audited(str(tmp_path / "audit.db"))
    other = small_audit(tmp_path / "other.db")
    foreign = export_package(other, "Incidents", tmp_path / "foreign", who="Someone").path
    other.close()
    with pytest.raises(PackageError, match="exported from another audit database"):
        plan_import(db, foreign)
    with pytest.raises(PackageError, match="not an audit package"):
        plan_import(db, tmp_path / "other.db")
    package = export_package(db, "Incidents", tmp_path / "b", who="Lead L").path
    _work_offline(package, items)
    with sqlite3.connect(package) as conn:  # B's verdict quietly edited in the file
        body = json.loads(conn.execute("SELECT body FROM verdict WHERE item_id = ?",
                                       (items["INC-0002"][0],)).fetchone()[0])
        body["crimes"] = []
        conn.execute("UPDATE verdict SET body = ? WHERE item_id = ?", (json.dumps(body), items["INC-0002"][0]))
    with pytest.raises(PackageError, match="does not verify"):
        plan_import(db, package)
    db.close()


def test_blind_package_carries_no_auditor_verdict_and_cannot_overwrite_one(tmp_path: Path) -> None:
    db, a, items = _audited(str(tmp_path / "audit.db"))
    package = export_package(db, "Incidents", tmp_path / "review", who="Lead L", roles=["review"],
                             issued_to="Peer R").path
    pkg = Database(package)
    r = AuditService(pkg, "Peer R")
    assert r.verdict(items["INC-0001"][0]).crimes == []  # blind: the auditor's verdict is not there
    r.save_verdict(items["INC-0001"][0], VerdictBody(zero_status=True, complete=True), role="review")
    r.save_verdict(items["INC-0003"][0], VerdictBody(zero_status=True, complete=True))  # wrong role, by mistake
    pkg.close()
    before = _changes(db)
    # issued for review verdicts only: a first verdict in it is refused, and with it the whole package
    with pytest.raises(PackageError, match=r"issued to Peer R for review verdicts.*INC-0003.*auditor's verdict"):
        plan_import(db, package)
    assert _changes(db) == before and a.verdict(items["INC-0001"][0], role="review").crimes == []
    assert a.verdict(items["INC-0003"][0]).rationale == "lost property"
    pkg = Database(package)  # the mistake undone in the package: only the review comes back
    with pkg.session() as s:
        s.execute(Verdict.__table__.delete().where(Verdict.item_id == items["INC-0003"][0]))
    pkg.close()
    with sqlite3.connect(package) as conn:  # and its history row with it, so the package's trail verifies
        conn.execute("DELETE FROM verdict_change WHERE id = (SELECT MAX(id) FROM verdict_change)")
    plan = plan_import(db, package)
    status = {(e.ref, e.role): e.status for e in plan.entries}
    assert status[("INC-0001", "review")] == TAKE
    assert status[("INC-0001", "primary")] == KEPT  # A's verdict, which the package never held
    apply_merge(db, plan, "ours", "Lead L")
    merged = [h for h in a.history(items["INC-0001"][0]) if h.role == "review"][-1]
    assert (merged.who, merged.action) == ("Peer R", "merge")  # the person it was issued to
    assert a.verdict(items["INC-0001"][0], role="review").zero_status
    assert a.verdict(items["INC-0003"][0]).rationale == "lost property"
    db.close()


def test_record_level_checks_of_a_cancellation(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "audit.db")
    a = AuditService(db, "Inspector A")
    (item_id, _pos), = _items(a, "Cancellations").values()
    a.save_verdict(item_id, VerdictBody(checks={"decision_correct": True, "authorised_decision_maker": True},
                                        rationale="CCTV is AVI"))
    package = export_package(db, "Cancellations", tmp_path / "c", who="Lead L").path
    pkg = Database(package)
    with pkg.session() as s:
        assert s.scalar(select(CrimeRecord.ref)) == "CR-3"  # the cancelled crime travels with its cancellation
    b = AuditService(pkg, "Auditor B")
    b.save_verdict(item_id, VerdictBody(checks={"decision_correct": True, "authorised_decision_maker": True,
                                                "victim_informed": False}, rationale="no letter on file"))
    pkg.close()
    a.save_verdict(item_id, VerdictBody(checks={"decision_correct": False, "authorised_decision_maker": True,
                                                "victim_informed": True}, rationale="CCTV unclear"))
    (entry,) = plan_import(db, package).entries
    assert entry.status == CONFLICT
    assert [(c.check, c.ours, c.theirs) for c in entry.checks] == [
        ("decision_correct", "no", "yes"), ("victim_informed", "yes", "no")]
    db.close()


def test_positions_parse() -> None:
    assert parse_positions("1-3, 7,5") == [1, 2, 3, 5, 7]
    for bad in ("", "a", "3-1", "0", "1-"):
        with pytest.raises(PackageError):
            parse_positions(bad)


def test_command_line_round_trip(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("CDI_PACKAGE_PASSPHRASE", "given separately")  # cdi encrypts its packages (issue 13)
    target = str(tmp_path / "audit.db")
    db, a, items = _audited(target)
    db.close()
    package = tmp_path / "pkg.cdipkg"
    positions = ",".join(str(items[r][1]) for r in ("INC-0001", "INC-0002"))
    assert main(["package", "export", target, "--sample", "Incidents", "--positions", positions,
                 "--to", str(package)]) == 2  # nobody named
    assert "--user" in capsys.readouterr().err
    assert main(["package", "export", target, "--sample", "Incidents", "--positions", positions,
                 "--to", str(package), "--user", "Lead L"]) == 0
    assert "2 record(s) of 'Incidents'" in capsys.readouterr().out
    _work_offline(package, items)
    db = Database(target)
    a = AuditService(db, "Inspector A")
    ours = a.verdict(items["INC-0001"][0])
    ours.rationale = "changed here too"
    a.save_verdict(items["INC-0001"][0], ours)
    db.close()
    before = sqlite3.connect(target).execute("SELECT COUNT(*) FROM verdict_change").fetchone()[0]
    assert main(["package", "import", target, str(package), "--user", "Lead L"]) == 3
    captured = capsys.readouterr()
    assert "CONFLICT INC-0001" in captured.out and "Crime 2: timeliness" in captured.out
    assert "rationale: changed here too" in captured.out and "rationale: CR-2 late" in captured.out
    assert "nothing was written" in captured.err
    assert sqlite3.connect(target).execute("SELECT COUNT(*) FROM verdict_change").fetchone()[0] == before
    out = subprocess.run([sys.executable, "-m", "cdi_workbench.cli", "--user", "Lead L", "package", "import",
                          target, str(package), "--resolve", "theirs"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "1 verdict(s) taken from the package" in out.stdout and "1 resolved with the package's" in out.stdout
    assert main(["package", "import", target, str(package), "--user", "Lead L"]) == 0
    assert "Nothing to merge" in capsys.readouterr().out
    assert main(["verify", target]) == 0
    other = tmp_path / "other.db"
    small_audit(other).close()
    assert main(["package", "import", str(other), str(package), "--user", "Lead L"]) == 1
    assert "exported from another audit database" in capsys.readouterr().err


def test_a_reviewers_blind_share_opens_as_their_blind_review_and_comes_back_as_review_verdicts(
        tmp_path: Path) -> None:
    from cdi_workbench.audit import review
    from cdi_workbench.audit.people import add_person
    from cdi_workbench.audit.roles import NotAllowed

    db, _a, items = _audited(str(tmp_path / "audit.db"))
    add_person(db, "Lead L", "Lead L", "lead")
    add_person(db, "Lead L", "Inspector A", "auditor")
    add_person(db, "Lead L", "Peer R", "reviewer")
    lead = AuditService(db, "Lead L")
    sid = next(s.id for s in lead.samples() if s.name == "Incidents")
    review.assign(lead, sid, "hand", "Peer R", "blind", item_ids=[items["INC-0001"][0]])
    package = export_package(db, "Incidents", tmp_path / "rita", who="Lead L", roles=["review"],
                             positions=[items["INC-0001"][1]]).path
    pkg = Database(package)
    assert AuditService(pkg, "Peer R").verify_trail() == []
    r = AuditService(pkg, "Peer R")
    assert r.me().role == "reviewer"  # the team came with the package
    (mine,) = review.assignments(r)
    assert (mine.ref, mine.mode) == ("INC-0001", "blind")
    with pytest.raises(NotAllowed):
        r.save_verdict(items["INC-0001"][0], VerdictBody(zero_status=True, complete=True))  # not a first verdict
    with pytest.raises(NotAllowed, match="not registered"):
        AuditService(pkg, "Someone Else").queue(sid)
    r.save_verdict(items["INC-0001"][0], VerdictBody(zero_status=True, complete=True,
                                                     rationale="No crime: words only."), role="review")
    pkg.close()
    plan = plan_import(db, package, "Lead L")
    status = {(e.ref, e.role): e.status for e in plan.entries}
    assert status[("INC-0001", "review")] == TAKE
    apply_merge(db, plan, None, "Lead L")
    back = lead.verdict(items["INC-0001"][0], role="review")
    assert back.zero_status and back.rationale == "No crime: words only."
    assert [c.ref for c in review.disagreements(lead)] == ["INC-0001"]  # A found two crimes: the lead decides
    assert lead.verify_trail() == []
    db.close()
