"""`--audit NAME` on the commands that work on one audit's samples (issue 14): `cdi review ...`, `cdi history`,
`cdi challenges ...` and `cdi package ...`, over a programme of two audits with samples and reviews in each.

A command naming a sample works on the sample's own audit, and refuses a sample of another audit than the one
named (saying which audit it belongs to); a listing shows the audit named, else the latest; an unknown audit's
name is refused with the audits there are, as `cdi <command>: ...`, exit code 1, no traceback."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from cdi_workbench import sampling
from cdi_workbench.audit import decisions, review
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.programme import ProgrammeError, create
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.challenges import HEADERS, export_for_force, resolution
from cdi_workbench.cli import main
from cdi_workbench.packages import PackageError, export_package
from cdi_workbench.storage.database import Database
from tests.builders import small_audit

LEAD, AUDITOR, REVIEWER, LIAISON = "Lena Lead", "Alan Auditor", "Rita Reviewer", "Liam Liaison"
HALF = "2014-01-01 to 2014-06-30"  # the small audit: the latest (its period ends last)
MARCH = "2014-03"  # the second audit, of March 2014: its sample 'Incidents 2014-03' holds INC-0001
TWO = VerdictBody(crimes=[CrimeFinding("8N", 1, "CR-1"), CrimeFinding("58A", 2, "CR-2")], complete=True,
                  rationale="Assault and damage, both recorded.")
MISSED = VerdictBody(crimes=[CrimeFinding(expected_code="8L", not_recorded_reason="No discernible reason")],
                     complete=True, rationale="Threat to kill with a knife: harassment not recorded.")
ZERO = VerdictBody(zero_status=True, complete=True, rationale="Lost wallet: no crime.")
UNKNOWN = "there is no audit called 'Nope': the programme holds '2014-01-01 to 2014-06-30', '2014-03'"


def _items(db: Database, audit: str, sample: str) -> dict[str, tuple[int, int]]:
    """ref -> (audit item, position) in the sample."""
    svc = AuditService(db, LEAD, audit=audit)
    sid = next(s.id for s in svc.samples() if s.name == sample)
    return {r.ref: (r.item_id, r.position) for r in svc.queue(sid)}


def _programme(target: str) -> tuple[Database, dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
    """Two audits, a team, and in each audit's incident sample a first verdict, a blind review disagreeing with it
    and a failure for the force: in the half year INC-0003 (reviewed) and INC-0002 (a crime not recorded); in
    March INC-0001 (reviewed; CR-2 recorded late)."""
    db = small_audit(target)
    create(db, None, date(2014, 3, 1), date(2014, 3, 31), "2014")
    with db.session() as s:
        sampling.draw(s, "Incidents 2014-03", "incident", 10, seed=3, audit=MARCH)
    for name, role in ((LEAD, "lead"), (AUDITOR, "auditor"), (REVIEWER, "reviewer"), (LIAISON, "liaison")):
        add_person(db, LEAD, name, role)
    half, march = _items(db, HALF, "Incidents"), _items(db, MARCH, "Incidents 2014-03")
    auditor, lead, reviewer = AuditService(db, AUDITOR), AuditService(db, LEAD), AuditService(db, REVIEWER)
    auditor.save_verdict(half["INC-0003"][0], ZERO)
    auditor.save_verdict(half["INC-0002"][0], MISSED)
    auditor.save_verdict(march["INC-0001"][0], TWO)
    for item in (half["INC-0003"][0], march["INC-0001"][0]):
        sid = lead.sample_of(item)
        review.assign(lead, sid, "hand", REVIEWER, "blind", item_ids=[item])
    reviewer.save_verdict(half["INC-0003"][0], MISSED, role="review")
    reviewer.save_verdict(march["INC-0001"][0], ZERO, role="review")
    return db, half, march


@pytest.fixture
def programme(tmp_path: Path) -> tuple[str, dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
    target = str(tmp_path / "programme.db")
    db, half, march = _programme(target)
    db.close()
    return target, half, march


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_review_status_lists_one_audit(programme, capsys) -> None:  # noqa: ANN001
    path, _, _ = programme
    code, out, _ = _run(capsys, "--user", LEAD, "review", "status", path)  # the latest audit: the half year
    assert code == 0 and "INC-0003" in out and "INC-0001" not in out
    code, out, _ = _run(capsys, "--user", LEAD, "review", "status", path, "--audit", MARCH)
    assert code == 0 and "INC-0001" in out and "INC-0003" not in out
    # a sample names its own audit: March's sample without --audit (the latest audit's samples only, before)
    code, out, _ = _run(capsys, "--user", LEAD, "review", "status", path, "--sample", "Incidents 2014-03")
    assert code == 0 and "INC-0001" in out and "INC-0003" not in out
    code, out, err = _run(capsys, "--user", LEAD, "review", "status", path, "--sample", "Incidents 2014-03",
                          "--audit", HALF)
    assert code == 1 and out == ""
    assert err == (f"cdi review status: the sample 'Incidents 2014-03' belongs to the audit '2014-03', not to "
                   f"'{HALF}': name its own audit, or none\n")
    code, out, err = _run(capsys, "--user", LEAD, "review", "status", path, "--audit", "Nope")
    assert code == 1 and err == f"cdi review status: {UNKNOWN}\n" and "Traceback" not in err


def test_review_disagreements_of_one_audit(programme, capsys) -> None:  # noqa: ANN001
    path, _, _ = programme
    code, out, _ = _run(capsys, "--user", LEAD, "review", "disagreements", path)
    assert code == 0 and "Incidents #" in out and "INC-0003" in out and "Incidents 2014-03" not in out
    code, out, _ = _run(capsys, "--user", LEAD, "review", "disagreements", path, "--audit", MARCH)
    assert code == 0 and "Incidents 2014-03 #1 INC-0001" in out and "INC-0003" not in out
    code, _, err = _run(capsys, "--user", LEAD, "review", "disagreements", path, "--sample", "Incidents",
                        "--audit", MARCH)
    assert code == 1 and "belongs to the audit '2014-01-01 to 2014-06-30', not to '2014-03'" in err
    code, _, err = _run(capsys, "--user", LEAD, "review", "disagreements", path, "--audit", "Nope", "--decided")
    assert code == 1 and err == f"cdi review disagreements: {UNKNOWN}\n"


def test_review_decide_undo_and_reopen_refuse_a_sample_of_another_audit(programme, capsys) -> None:  # noqa: ANN001
    path, half, march = programme
    pos = str(march["INC-0001"][1])
    base = ["--user", LEAD, "review"]
    decide = ["decide", path, "--sample", "Incidents 2014-03", "--position", pos, "--take", "primary",
              "--reason", "Both crimes on the log."]
    code, _, err = _run(capsys, *base, *decide, "--audit", HALF)
    assert code == 1 and "cdi review decide: the sample 'Incidents 2014-03' belongs to the audit '2014-03'" in err
    code, _, err = _run(capsys, *base, *decide, "--audit", "Nope")
    assert code == 1 and err == f"cdi review decide: {UNKNOWN}\n"
    db = Database(path)
    assert not AuditService(db, LEAD).verdict(march["INC-0001"][0], role="final").complete  # nothing decided
    db.close()
    assert _run(capsys, *base, *decide)[0] == 0  # without --audit: the sample's own (refused before: not the latest)
    code, out, _ = _run(capsys, *base, "disagreements", path, "--audit", MARCH, "--decided")
    assert code == 0 and "No undecided disagreements in the audit '2014-03'." in out
    assert "Decided: 1 record(s)" in out and "INC-0001" in out
    undo = ["undo-decision", path, "--sample", "Incidents 2014-03", "--position", pos, "--reason", "Too quick."]
    code, _, err = _run(capsys, *base, *undo, "--audit", HALF)
    assert code == 1 and "cdi review undo-decision: the sample 'Incidents 2014-03' belongs to" in err
    assert _run(capsys, *base, *undo, "--audit", MARCH)[0] == 0
    reopen = ["reopen", path, "--sample", "Incidents", "--position", str(half["INC-0003"][1]), "--reason", "A slip."]
    code, _, err = _run(capsys, *base, *reopen, "--audit", MARCH)
    assert code == 1 and "cdi review reopen: the sample 'Incidents' belongs to the audit '2014-01-01" in err
    db = Database(path)
    assert review.sealed(AuditService(db, LEAD), half["INC-0003"][0]) is not None  # still sealed
    db.close()
    assert _run(capsys, *base, *reopen, "--audit", HALF)[0] == 0


def test_review_assign_refuses_a_sample_of_another_audit(programme, capsys) -> None:  # noqa: ANN001
    path, half, march = programme
    assign = ["--user", LEAD, "review", "assign", path, "--sample", "Incidents 2014-03", "--basis", "hand",
              "--reviewer", REVIEWER, "--mode", "open", "--positions", str(march["INC-0001"][1])]
    code, _, err = _run(capsys, *assign, "--audit", HALF)
    assert code == 1 and "cdi review assign: the sample 'Incidents 2014-03' belongs to the audit '2014-03'" in err
    db = Database(path)
    (a,) = review.assignments(AuditService(db, LEAD), audit=MARCH)
    assert a.mode == "blind"  # unchanged
    db.close()
    assert _run(capsys, *assign, "--audit", MARCH)[0] == 0
    db = Database(path)
    assert [x.mode for x in review.assignments(AuditService(db, LEAD), audit=MARCH)] == ["open"]
    db.close()
    code, _, err = _run(capsys, *assign, "--audit", "Nope")
    assert code == 1 and err == f"cdi review assign: {UNKNOWN}\n"


def test_history_refuses_a_sample_of_another_audit(programme, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    path, _, march = programme
    out_csv = tmp_path / "history.csv"
    cmd = ["--user", LEAD, "history", path, "--sample", "Incidents 2014-03", "--position", str(march["INC-0001"][1]),
           "--csv", str(out_csv), "--yes"]
    code, _, err = _run(capsys, *cmd, "--audit", HALF)
    assert code == 1 and not out_csv.exists()
    assert err.splitlines()[-1] + "\n" == (f"cdi history: the sample 'Incidents 2014-03' belongs to the audit '2014-03', not to '{HALF}': "
                   "name its own audit, or none\n")
    code, _, err = _run(capsys, *cmd, "--audit", "Nope")
    assert code == 1 and err.endswith(f"\ncdi history: {UNKNOWN}\n")
    for extra in ([], ["--audit", MARCH]):  # without --audit: the sample's own audit (refused before)
        assert _run(capsys, *cmd, *extra)[0] == 0
        rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
        assert [(r["who"], r["role"], r["action"]) for r in rows][:3] == [
            (AUDITOR, "primary", "set"), (LEAD, "review", "assign"), (REVIEWER, "review", "set")]


def _failures(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path).active
    return [str(r[7]) for r in ws.iter_rows(min_row=3, values_only=True) if r[0]]


def test_challenges_of_one_audit(programme, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    path, _, _ = programme
    latest, march = tmp_path / "latest.xlsx", tmp_path / "march.xlsx"
    assert _run(capsys, "--user", LIAISON, "challenges", "export", path, str(latest))[0] == 0
    assert _failures(latest) == ["not recorded"]  # the latest audit: INC-0002's missed crime
    assert _run(capsys, "--user", LIAISON, "challenges", "export", path, str(march), "--audit", MARCH)[0] == 0
    assert _failures(march) == ["recorded outside 72 hours"]  # March: INC-0001's CR-2, recorded late
    code, out, _ = _run(capsys, "--user", LEAD, "challenges", "status", path, "--audit", MARCH)
    assert code == 0 and "recorded outside 72 hours" in out and "not recorded" not in out
    code, out, _ = _run(capsys, "--user", LEAD, "challenges", "status", path)
    assert code == 0 and "not recorded" in out and "recorded outside" not in out
    code, out, err = _run(capsys, "--user", LEAD, "challenges", "status", path, "--audit", "Nope")
    assert code == 1 and out == "" and err == f"cdi challenges status: {UNKNOWN}\n"
    code, _, err = _run(capsys, "--user", LIAISON, "challenges", "export", path, str(tmp_path / "x.xlsx"),
                        "--audit", "Nope")
    assert code == 1 and err == f"cdi challenges export: {UNKNOWN}\n" and not (tmp_path / "x.xlsx").exists()
    # the force answers March's failures: refused against the latest audit, stored against March
    wb = openpyxl.load_workbook(march)
    ws = wb.active
    assert ws.cell(2, 9).value == HEADERS[8]
    ws.cell(3, 9).value, ws.cell(3, 10).value = "challenge", "Recorded within the day on the paper log."
    wb.save(march)
    code, _, err = _run(capsys, "--user", LIAISON, "challenges", "import", path, str(march))
    assert code == 1 and f"not a failure of the audit '{HALF}'" in err and "Nothing stored." in err
    code, _, err = _run(capsys, "--user", LIAISON, "challenges", "import", path, str(march), "--audit", "Nope")
    assert code == 1 and err == f"cdi challenges import: {UNKNOWN}\n"
    code, out, _ = _run(capsys, "--user", LIAISON, "challenges", "import", path, str(march), "--audit", MARCH)
    assert code == 0 and "1 challenged" in out
    db = Database(path)
    assert resolution(db, audit=MARCH)["recorded outside 72 hours"]["pending"] == 1
    assert all(row["challenged"] == 0 for row in resolution(db).values())
    db.close()


def test_package_export_and_import_of_one_audit(programme, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    path, _, _ = programme
    pkg = tmp_path / "march.cdipkg"
    export = ["--user", LEAD, "package", "export", path, "--sample", "Incidents 2014-03", "--to", str(pkg), "--plain"]
    assert _run(capsys, *export)[0] == 0  # without --audit: the sample's own audit
    # the package holds the sample's own audit: March's period (it held the programme's first audit's before)
    opened = Database(str(pkg))
    info = AuditService(opened, LEAD).info()
    assert (info.period_start, info.period_end) == (date(2014, 3, 1), date(2014, 3, 31))
    assert [s.name for s in AuditService(opened, LEAD).samples()] == ["Incidents 2014-03"]
    opened.close()
    assert _run(capsys, "verify", str(pkg))[0] == 0  # its trail holds, with the sample's own audit
    pkg.unlink()
    code, _, err = _run(capsys, *export, "--audit", HALF)
    assert code == 1 and not pkg.exists()
    assert err == (f"cdi package export: the sample 'Incidents 2014-03' belongs to the audit '2014-03', not to "
                   f"'{HALF}': name its own audit, or none\n")
    code, _, err = _run(capsys, *export, "--audit", "Nope")
    assert code == 1 and err == f"cdi package export: {UNKNOWN}\n" and not pkg.exists()
    code, out, _ = _run(capsys, *export, "--audit", MARCH)
    assert code == 0 and "1 record(s) of 'Incidents 2014-03'" in out
    importing = ["--user", LEAD, "package", "import", path, str(pkg)]
    code, _, err = _run(capsys, *importing, "--audit", HALF)
    assert code == 1 and "cdi package import: the sample 'Incidents 2014-03' belongs to the audit '2014-03'" in err
    code, _, err = _run(capsys, *importing, "--audit", "Nope")
    assert code == 1 and err == f"cdi package import: {UNKNOWN}\n"
    for extra in (["--audit", MARCH], []):
        code, out, _ = _run(capsys, *importing, *extra)
        assert code == 0 and "Nothing to merge" in out
    assert _run(capsys, "verify", path)[0] == 0


def test_package_export_of_ones_assignment_in_one_audit(programme, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    path, _, _ = programme
    pkg = tmp_path / "mine.cdipkg"
    mine = ["--user", REVIEWER, "package", "export", path, "--mine", "--to", str(pkg), "--plain"]
    code, _, err = _run(capsys, *mine)  # records assigned in two samples, one in each audit: say which
    assert code == 1 and "in 2 samples" in err
    code, out, _ = _run(capsys, *mine, "--audit", MARCH)
    assert code == 0 and "1 record(s) of 'Incidents 2014-03'" in out
    code, _, err = _run(capsys, *mine, "--sample", "Incidents", "--audit", MARCH, "--overwrite")
    assert code == 1 and "the sample 'Incidents' belongs to the audit '2014-01-01 to 2014-06-30'" in err
    code, _, err = _run(capsys, *mine, "--audit", "Nope", "--overwrite")
    assert code == 1 and err == f"cdi package export: {UNKNOWN}\n"


def test_the_core_takes_the_audit_on_every_engine(db_target: str, tmp_path: Path) -> None:
    """The core functions behind the commands, on SQLite and PostgreSQL: the listings of one audit, and a sample
    of another audit refused."""
    db, half, march = _programme(db_target)
    try:
        lead = AuditService(db, LEAD)
        assert [a.ref for a in review.assignments(lead)] == ["INC-0003"]
        assert [a.ref for a in review.assignments(lead, audit=MARCH)] == ["INC-0001"]
        assert [c.ref for c in review.disagreements(lead, audit=MARCH)] == ["INC-0001"]
        assert decisions.decided(lead, audit=MARCH) == []
        assert review.sample_id(lead, "Incidents 2014-03") == lead.sample_of(march["INC-0001"][0])
        with pytest.raises(ProgrammeError, match="'Incidents 2014-03' belongs to the audit '2014-03'"):
            review.sample_id(lead, "Incidents 2014-03", HALF)
        with pytest.raises(ProgrammeError, match="no audit called 'Nope'"):
            review.assignments(lead, audit="Nope")
        march_sample = lead.sample_of(march["INC-0001"][0])
        with pytest.raises(ProgrammeError, match="belongs to the audit '2014-03'"):
            review.disagreements(lead, march_sample, audit=HALF)
        assert list(resolution(db, audit=MARCH)) == ["recorded outside 72 hours"]
        assert list(resolution(db)) == ["not recorded"]
        assert export_for_force(db, tmp_path / "m.xlsx", LIAISON, audit=MARCH) == 1
        with pytest.raises(ProgrammeError, match="belongs to the audit '2014-03'"):
            export_package(db, "Incidents 2014-03", tmp_path / "p.cdipkg", LEAD, audit=HALF, plain=True)
        with pytest.raises(PackageError, match="no sample called 'Nope'"):
            export_package(db, "Nope", tmp_path / "p.cdipkg", LEAD, audit=MARCH, plain=True)
    finally:
        db.close()
