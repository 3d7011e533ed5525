"""Defects a reviewer found trying the programme as a new registrar team (issue 14): `cdi audit assign` on a sample
of an audit other than the latest, records moved from one person to another without a word, positions that are
not positions, design files that cannot be read, `cdi info` mixing one audit's heading with the programme's
progress, overlapping audit periods accepted without a word, plurals, and closing an audit already closed."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from cdi_workbench import sample_designs
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.programme import create
from cdi_workbench.cli import main as cdi
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import AuditSetting
from cdi_workbench.team_view import assign_work, team
from tests.builders import small_audit

FIRST = "2014-01-01 to 2014-06-30"  # the small audit: its samples are 'Incidents' (3 records), 'Guardian', ...
LEAD = "Lena Lead"


@pytest.fixture
def db(db_target: str) -> Database:
    """The small audit (01/01 to 30/06/2014, its samples drawn) and an audit of July 2014, the latest: none drawn
    (SQLite, and PostgreSQL when CDI_TEST_PG_URL names a server)."""
    d = small_audit(db_target)
    add_person(d, LEAD, LEAD, "lead")
    add_person(d, LEAD, "Amy A", "auditor")
    create(d, None, date(2014, 7, 1), date(2014, 7, 31), "2014", who=LEAD)
    return d


@pytest.fixture
def path(db: Database, db_target: str) -> str:
    db.close()
    return db_target


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cdi(["--user", LEAD, *argv])
    got = capsys.readouterr()
    return code, got.out, got.err


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# ---- 1. a sample is worked on under its own audit ------------------------------------------------------------
def test_assign_without_audit_uses_the_samples_own_audit(path: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "audit", "assign", path, "--sample", "Incidents", "--to", "Amy A",
                          "--positions", "1-2")
    assert code == 0, err
    assert "Gave 2 records of 'Incidents' to Amy A" in out
    db = Database(path)
    try:
        by = {m.name: m for m in team(db, FIRST, who=LEAD).members}
        assert by["Amy A"].work_assigned == 2
    finally:
        db.close()


def test_assign_with_another_audit_is_refused_naming_the_samples_audit(
        path: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "audit", "assign", path, "--sample", "Incidents", "--to", "Amy A",
                        "--audit", "2014-07")
    assert code != 0
    line = _one_line(err)
    assert f"belongs to the audit '{FIRST}'" in line and "'2014-07'" in line
    code, _, err = _run(capsys, "audit", "assign", path, "--sample", "Incidents", "--to", "Amy A", "--audit", FIRST)
    assert code == 0, err
    code, _, err = _run(capsys, "audit", "assign", path, "--sample", "Nothing", "--to", "Amy A")
    assert code != 0 and "no sample called 'Nothing'" in _one_line(err)


# ---- 2. records moved from someone else are said ------------------------------------------------------------
def test_reassigning_says_whose_records_were_taken(db: Database, db_target: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    add_person(db, LEAD, "Carl C", "auditor")
    assert assign_work(db, "Amy A", "Incidents", [1, 2], who=LEAD) == 2
    given = assign_work(db, "Carl C", "Incidents", [2, 3], who=LEAD)
    assert given == 2
    assert given.taken == {"Amy A": 1}
    again = assign_work(db, "Carl C", "Incidents", [2, 3], who=LEAD)  # already his: nothing taken from anyone
    assert again == 2 and again.taken == {}
    path = db_target
    db.close()
    code, out, err = _run(capsys, "audit", "assign", path, "--sample", "Incidents", "--to", LEAD,
                          "--positions", "1-3")
    assert code == 0, err
    assert "Gave 3 records of 'Incidents' to Lena Lead (3 of them taken from Amy A and Carl C)" in out \
        or "Gave 3 records of 'Incidents' to Lena Lead (3 of them taken from Carl C and Amy A)" in out, out
    code, out, err = _run(capsys, "audit", "assign", path, "--sample", "Incidents", "--to", "Amy A",
                          "--positions", "1")
    assert "Gave 1 record of 'Incidents' to Amy A (1 of them taken from Lena Lead)" in out, out


# ---- 3. positions that are not positions ----------------------------------------------------------------------
@pytest.mark.parametrize("positions", ["abc", "5-1"])
def test_bad_positions_are_one_line(path: str, positions: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "audit", "assign", path, "--sample", "Incidents", "--to", "Amy A",
                        "--positions", positions)
    assert code != 0
    assert repr(positions) in _one_line(err)


# ---- 4. design files ------------------------------------------------------------------------------------------
def test_design_files_that_cannot_be_read_are_one_line_naming_the_file(
        path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.json"
    code, _, err = _run(capsys, "design", "save", path, "D", "--file", str(missing))
    assert code == 2 and str(missing) in _one_line(err)
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")
    code, _, err = _run(capsys, "design", "save", path, "D", "--file", str(listed))
    assert code == 2 and str(listed) in _one_line(err)
    broken = tmp_path / "broken.json"
    broken.write_text('{"samples": [\n  {"name": "x",}\n]}', encoding="utf-8")
    code, _, err = _run(capsys, "design", "save", path, "D", "--file", str(broken))
    line = _one_line(err)
    assert code == 2 and str(broken) in line and "line 2" in line and "column" in line


def test_design_save_from_audit_and_file_together_is_refused(
        path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"samples": [{"name": "Incidents", "kind": "incident", "size": 5}]}),
                    encoding="utf-8")
    code, _, err = _run(capsys, "design", "save", path, "D", "--from-audit", FIRST, "--file", str(good))
    assert code == 2 and "--from-audit" in _one_line(err)
    code, out, err = _run(capsys, "design", "save", path, "D", "--file", str(good))
    assert code == 0, err
    assert "Saved the design 'D': 1 sample" in out and "1 samples" not in out
    code, _, err = _run(capsys, "design", "save", path, "D", "--file", str(good))  # a design of that name
    line = _one_line(err)
    assert code != 0 and "already a design called 'D'" in line and "--replace" in line
    code, out, err = _run(capsys, "design", "save", path, "D", "--file", str(good), "--replace")
    assert code == 0, err
    assert "Replaced the design 'D': 1 sample" in out


def test_design_list_names_broken_designs(db: Database, db_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    with db.session() as s:
        s.add(AuditSetting(key=f"{sample_designs.PREFIX}Old one", value='{"name": "Old one", "samples": []}'))
    path = db_target
    db.close()
    code, out, _ = _run(capsys, "design", "list", path)
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("Monthly dip-sample: 5 samples")
    assert lines[-1].startswith("Old one: not usable: ") and "lists no samples" in lines[-1]


# ---- 5. cdi info of one audit ---------------------------------------------------------------------------------
def test_info_shows_one_audit_and_says_how_many_there_are(path: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "info", path)
    assert code == 0, err
    assert "2014-07" in out and "one of 2 audits in this programme: cdi audit list" in out
    assert "Sample 'Incidents'" not in out  # the first audit's samples
    assert "Progress: 0 of 0 records audited" in out
    code, out, err = _run(capsys, "info", path, "--audit", FIRST)
    assert code == 0, err
    assert "Sample 'Incidents'" in out and "Progress: 0 of 7 records audited" in out
    code, out, _ = _run(capsys, "info", path, "--json", "--audit", "2014-07")
    data = json.loads(out)
    assert data["audit"] == "2014-07" and data["audits"] == 2 and data["samples"] == []
    assert data["progress"] == {"items": 0, "done": 0}
    code, _, err = _run(capsys, "info", path, "--audit", "nope")
    assert code != 0 and "no audit called 'nope'" in _one_line(err)


# ---- 6. overlapping periods ----------------------------------------------------------------------------------
def test_an_overlapping_audit_is_added_with_a_warning(path: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "audit", "new", path, "--period-start", "2014-06-15", "--period-end",
                          "2014-07-15", "--rules", "2014")
    assert code == 0, err
    warned = out + err
    assert f"overlaps that of the audits '{FIRST}' and '2014-07'" in warned
    assert "trends will not treat them as independent samples" in warned
    code, out, err = _run(capsys, "audit", "new", path, "--period-start", "2014-08-01", "--period-end",
                          "2014-08-31", "--rules", "2014")
    assert code == 0 and "Note:" not in out and "independent" not in out + err
    db = Database(path)
    try:
        made = create(db, "theme", date(2014, 8, 10), date(2014, 8, 20), "2014", who=LEAD)
        assert "'2014-08'" in made.warning and "independent" in made.warning
        assert create(db, None, date(2014, 9, 1), date(2014, 9, 30), "2014", who=LEAD).warning == ""
    finally:
        db.close()


# ---- 7. plurals ------------------------------------------------------------------------------------------------
def test_audit_list_says_one_sample(path: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = Database(path)
    create(db, None, date(2014, 3, 1), date(2014, 3, 31), "2014", who=LEAD)  # one incident in March
    db.close()
    code, _, err = _run(capsys, "sample", path, "--audit", "2014-03", "--kind", "incident", "--name", "March",
                        "--size", "1", "--seed", "1")
    assert code == 0, err
    code, out, err = _run(capsys, "audit", "list", path)
    assert code == 0, err
    march = next(line for line in out.splitlines() if line.startswith("2014-03"))
    assert "1 sample, 1 record drawn" in march, march
    assert "1 samples" not in out and "1 records" not in out


# ---- 8. closing what is closed ---------------------------------------------------------------------------------
def test_closing_a_closed_audit_says_so(path: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "audit", "close", path, "2014-07")
    assert code == 0 and out.startswith("Closed the audit '2014-07'")
    code, out, _ = _run(capsys, "audit", "close", path, "2014-07")
    assert code == 0 and out.startswith("The audit '2014-07' was already closed"), out
    code, out, _ = _run(capsys, "audit", "reopen", path, "2014-07")
    assert code == 0 and out.startswith("Reopened the audit '2014-07'")
    code, out, _ = _run(capsys, "audit", "reopen", path, "2014-07")
    assert code == 0 and out.startswith("The audit '2014-07' is already open"), out
