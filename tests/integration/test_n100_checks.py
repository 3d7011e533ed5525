"""N100 checks (issue 11): an N100 that was not needed is a failure; the rape an N100 should have been recorded as
is stored, validated in the core, compared, counted and exchanged."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select

from cdi_workbench.audit.checks import differences
from cdi_workbench.audit.evaluate import check_failed
from cdi_workbench.audit.service import AuditError, AuditService
from cdi_workbench.audit.verdicts import VerdictBody, rape_code_problem
from cdi_workbench.challenges import failures
from cdi_workbench.findings import compute
from cdi_workbench.storage.database import Database, _alembic_config
from cdi_workbench.storage.models import Verdict
from cdi_workbench.verdict_io import VerdictImportError, export_verdicts, import_verdicts
from tests.builders import small_audit


def _n100(svc: AuditService) -> int:
    sid = next(s.id for s in svc.samples() if s.kind == "n100")
    return svc.queue(sid)[0].item_id


def test_an_n100_not_needed_is_a_failed_check(db_target: str) -> None:
    db = small_audit(db_target)
    try:
        svc = AuditService(db, "Inspector A")
        item = _n100(svc)
        sid = svc.sample_of(item)
        svc.save_verdict(item, VerdictBody(checks={"n100_needed": True, "should_have_been_rape": False},
                                           complete=True))
        assert svc.queue_row(item).n_failed_checks == 0
        assert svc.queue(sid, "failed") == []
        svc.save_verdict(item, VerdictBody(checks={"n100_needed": False, "should_have_been_rape": False},
                                           complete=True))
        row = svc.queue_row(item)
        assert row.n_failed_checks == 1  # the window reads '1 check(s) failed', not 'all checks met'
        assert [r.item_id for r in svc.queue(sid, "failed")] == [item]
        assert check_failed("n100_needed", False) and not check_failed("n100_needed", True)
        assert check_failed("victim_to_consult", False) is False  # still a question of fact
        f = compute(db)
        assert f.value("n100", "N100 records", "Reviewed") == 1
        assert f.value("n100", "N100 records", "N100 needed") == 0  # the table: reviewed minus needed = wrongly used
        assert [fl.failure for fl in failures(f)] == ["N100 not needed (wrongly applied)"]
    finally:
        db.close()


def test_the_rape_an_n100_should_have_been(db_target: str) -> None:
    db = small_audit(db_target)
    try:
        svc = AuditService(db, "Inspector A")
        item = _n100(svc)
        body = VerdictBody(checks={"n100_needed": False, "should_have_been_rape": True}, rape_code="19C",
                           rationale="Victim's first account was of rape: a crime at once", complete=True)
        svc.save_verdict(item, body)
        stored = svc.verdict(item)
        assert stored.rape_code == "19C" and svc.queue_row(item).n_failed_checks == 2
        f = compute(db)
        assert f.value("n100", "N100 records", "Should have been rape") == 1
        row = next(v for v in f.verdicts if v["kind"] == "n100")
        assert row["rape_code"] == "19C"
        fails = {fl.failure: fl for fl in failures(f)}
        assert fails["should have been rape"].expected_code == "19C"  # the force sees which rape
        # refused in the core: not a rape code, no 'yes' to the check, another kind of record
        for bad, problem in ((VerdictBody(checks={"should_have_been_rape": True}, rape_code="8N"),
                              "not a Home Office code for rape"),
                             (VerdictBody(checks={"should_have_been_rape": True}, rape_code="XX9"),
                              "not a Home Office code for rape"),
                             (VerdictBody(checks={"should_have_been_rape": False}, rape_code="19C"),
                              "only when the N100 should have been recorded as a crime of rape"),
                             (VerdictBody(checks={}, rape_code="19D"), "only when")):
            with pytest.raises(AuditError, match=problem):
                svc.save_verdict(item, bad)
        incident = next(r.item_id for r in svc.queue(next(s.id for s in svc.samples() if s.kind == "incident")))
        with pytest.raises(AuditError, match="belongs to an N100 verdict"):
            svc.save_verdict(incident, VerdictBody(zero_status=True, rape_code="19C"))
        assert svc.verdict(item).rape_code == "19C"  # nothing refused was written
        assert rape_code_problem("n100", VerdictBody(checks={"should_have_been_rape": True}, rape_code="19h")) == ""
        # other verdicts keep the form they always had: no empty rape code in their JSON
        assert "rape_code" not in VerdictBody(zero_status=True).to_json()
        # a reviewer who names another rape disagrees on it
        diffs = {d.check: (d.ours, d.theirs) for d in differences(
            "n100", body.to_json(), VerdictBody(checks=body.checks, rape_code="19D", complete=True).to_json())}
        assert diffs == {"rape_code": ("19C", "19D")}
        diffs = {d.check for d in differences("n100", body.to_json(), VerdictBody(
            checks={"n100_needed": True, "should_have_been_rape": False}, complete=True).to_json())}
        assert diffs == {"n100_needed", "should_have_been_rape", "rape_code"}
    finally:
        db.close()


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def test_the_rape_code_in_and_out_of_a_verdicts_file(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        svc = AuditService(db, "Inspector A")
        item = _n100(svc)
        svc.save_verdict(item, VerdictBody(checks={"n100_needed": False, "should_have_been_rape": True},
                                           rape_code="19E", complete=True))
        out = tmp_path / "v.csv"
        export_verdicts(db, out)
        (row,) = [r for r in _rows(out) if r["kind"] == "n100"]
        assert (row["n100_needed"], row["should_have_been_rape"], row["rape_code"]) == ("N", "Y", "19E")
        fresh = small_audit(tmp_path / "b.db")
        try:
            assert import_verdicts(fresh, out, "Bob").written == 1
            assert AuditService(fresh).verdict(_n100(AuditService(fresh))).rape_code == "19E"
            for value, change, problem in (
                    ("8N", {}, "not a Home Office code for rape (19C-19H): 8N is"),
                    ("19C", {"should_have_been_rape": "N"}, "applies only when should_have_been_rape is Y"),
                    ("19c", {"kind": "incident", "record_ref": "INC-0003", "crime_no": "0", "n100_needed": "",
                             "should_have_been_rape": ""}, "does not apply to an incident record")):
                bad = _write(tmp_path / "bad.csv", [{**row, "rape_code": value, **change}])
                with pytest.raises(VerdictImportError) as err:
                    import_verdicts(fresh, bad, "Bob")
                assert problem in str(err.value), str(err.value)
            # a code typed in lower case is stored as the list gives it
            import_verdicts(fresh, _write(tmp_path / "lower.csv", [{**row, "rape_code": "19f"}]), "Bob")
            assert AuditService(fresh).verdict(_n100(AuditService(fresh))).rape_code == "19F"
        finally:
            fresh.close()
    finally:
        db.close()


def test_upgrading_recounts_the_n100s_answered_not_needed(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = small_audit(path)
    svc = AuditService(db, "Inspector A")
    svc.save_verdict(_n100(svc), VerdictBody(checks={"n100_needed": False, "should_have_been_rape": False},
                                             complete=True))
    with db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0008")
    db.close()
    with sqlite3.connect(path) as conn:  # as a database of schema 0008 counted it
        conn.execute("UPDATE verdict SET n_failed_checks = 0")
    db = Database(path)
    try:
        assert db.backup is not None and db.backup.exists()
        with db.session() as s:
            assert s.scalar(select(Verdict.n_failed_checks)) == 1
        assert AuditService(db).verify_trail() == []
    finally:
        db.close()
