"""Local configuration without code (issue 14): the force's sub-codes mapped to Home Office codes, its disposal
types mapped to the national ones, and its own extra yes/no checks added to a kind, asked, counted, exported,
imported and reported like the built-in ones; kept per programme, the lead's to change."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cdi_workbench import local_config
from cdi_workbench.audit import check_table
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CHECKS, VerdictBody
from cdi_workbench.challenges import failures
from cdi_workbench.cli import config as cli_config
from cdi_workbench.findings import compute
from cdi_workbench.findings_figures import figures
from cdi_workbench.local_config import ConfigError, map_code, map_disposal_type
from cdi_workbench.reports import write_json, write_pdf, write_xlsx
from cdi_workbench.reports.common import column_label, verdict_columns
from cdi_workbench.storage.models import AuditSetting, Verdict
from cdi_workbench.verdict_io import export_verdicts, import_verdicts
from tests.builders import small_audit

KEY, LABEL = "interpreter_used", "Interpreter used"
QUESTION = "Was an interpreter used where the offender needed one?"
BUILT_IN = ["offender_suitable", "offender_made_aware", "victim_to_consult", "victim_views_considered",
            "outcome_appropriate"]


@pytest.fixture(autouse=True)
def _no_checks_left_behind() -> Iterator[None]:
    yield
    local_config.deactivate()  # the checks table is the process's: leave it as the table alone holds it


def _answers(extra: bool | None = True) -> dict[str, bool | None]:
    """A full verdict of the small audit's disposal (a community resolution, no victim to consult)."""
    out: dict[str, bool | None] = {"offender_suitable": True, "offender_made_aware": False,
                                   "victim_to_consult": False, "outcome_appropriate": True}
    if extra is not None:
        out[KEY] = extra
    return out


def _disposal_item(svc: AuditService) -> int:
    sid = next(s.id for s in svc.samples() if s.kind == "disposal")
    return svc.queue(sid)[0].item_id


# ---- mappings ----------------------------------------------------------------------------------------------------
def test_map_code_variants() -> None:
    mapping = {"8N/01": "8N", "105A/2": "105A"}
    assert map_code("8N/01", mapping) == "8N"
    assert map_code(" 8n/01 ", mapping) == "8N"
    assert map_code("8N / 01", mapping) == "8N"
    assert map_code("105a/2", mapping) == "105A"
    assert map_code("8N/02", mapping) == "8N/02"  # not mapped: as it was
    assert map_code("58A", {}) == "58A"
    assert map_disposal_type("  adult   CAUTION ", {"Adult caution": "Caution"}) == "Caution"
    assert map_disposal_type("Youth caution", {"Adult caution": "Caution"}) == "Youth caution"


def test_codes_kept_checked_and_removed(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        local_config.set_codes(db, {"8N/01": "8n", "105A/2": "105A"})
        assert local_config.load(db).codes == {"8N/01": "8N", "105A/2": "105A"}
        with pytest.raises(ConfigError, match=r"8N/03: '99Z' is not a Home Office code"):
            local_config.set_codes(db, {"8N/03": "99Z", "8N/04": "8N"})
        assert local_config.load(db).codes == {"8N/01": "8N", "105A/2": "105A"}  # nothing of the refused change
        with pytest.raises(ConfigError, match="is itself a Home Office code"):
            local_config.set_codes(db, {"58A": "8N"})
        local_config.set_codes(db, {"8n/01": None})  # removed, whatever its case
        assert local_config.load(db).codes == {"105A/2": "105A"}
        with db.session() as s:
            assert json.loads(s.get(AuditSetting, local_config.CODES_KEY).value) == {"105A/2": "105A"}
    finally:
        db.close()


def test_disposal_types_map_to_national_types_only(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        local_config.set_disposal_types(db, {"Adult caution": "caution", "PND": "Penalty notice for disorder",
                                             "Khat warning": "Cannabis warning", "CR": "community RESOLUTION"})
        assert local_config.load(db).disposal_types == {
            "Adult caution": "Caution", "PND": "Penalty notice for disorder", "Khat warning": "Cannabis warning",
            "CR": "Community resolution"}
        with pytest.raises(ConfigError, match="'Conditional caution' is not a national disposal type: one of "
                                              "Caution, Penalty notice for disorder"):
            local_config.set_disposal_types(db, {"CC": "Conditional caution"})
        local_config.set_disposal_types(db, {"pnd": ""})
        assert "PND" not in local_config.load(db).disposal_types
    finally:
        db.close()


def test_extra_checks_are_validated(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        for args, message in [
            (("incident", KEY, LABEL, QUESTION), "unknown kind 'incident'"),
            (("disposal", "Interpreter Used", LABEL, QUESTION), "snake_case"),
            (("disposal", "offender_suitable", LABEL, QUESTION), "already a built-in check"),
            (("cancellation", "domestic_abuse", LABEL, QUESTION), "already a built-in check"),
            (("disposal", KEY, "", QUESTION), "give a label"),
            (("disposal", KEY, LABEL, "  "), "give the question"),
            (("disposal", KEY, "Made aware", QUESTION), "already a column of the disposals findings table"),
        ]:
            with pytest.raises(ConfigError, match=message):
                local_config.add_check(db, *args)
        local_config.add_check(db, "disposal", KEY, LABEL, QUESTION)
        with pytest.raises(ConfigError, match="already an extra check"):
            local_config.add_check(db, "cancellation", KEY, "Other", QUESTION)
        with pytest.raises(ConfigError, match="no extra check 'nothing'"):
            local_config.remove_check(db, "disposal", "nothing")
    finally:
        db.close()


def test_only_the_lead_changes_the_local_configuration(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        add_person(db, "Lena Lead", "Lena Lead", "lead")
        add_person(db, "Lena Lead", "Amy Auditor", "auditor")
        with pytest.raises(NotAllowed, match="only the audit lead may"):
            local_config.add_check(db, "disposal", KEY, LABEL, QUESTION, who="Amy Auditor")
        with pytest.raises(NotAllowed):
            local_config.set_codes(db, {"8N/01": "8N"}, who="Amy Auditor")
        with pytest.raises(NotAllowed):
            local_config.set_disposal_types(db, {"PND": "Penalty notice for disorder"}, who="Amy Auditor")
        assert local_config.load(db) == local_config.LocalConfig()
        local_config.add_check(db, "disposal", KEY, LABEL, QUESTION, who="Lena Lead")
        assert [c.key for c in local_config.load(db).checks] == [KEY]
    finally:
        db.close()


# ---- an extra check, end to end -------------------------------------------------------------------------------
def test_an_extra_check_is_asked_saved_counted_exported_imported_and_reported(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        svc = AuditService(db, "Inspector A")
        assert KEY not in [c.key for c in check_table.checks_of("disposal")]
        local_config.add_check(db, "disposal", KEY, LABEL, QUESTION)
        # every reader of the checks table: the panel's questions, the findings columns, the figures, the labels
        assert [c.key for c in check_table.checks_of("disposal")] == [*BUILT_IN, KEY]
        assert CHECKS["disposal"][-1] == (KEY, QUESTION)
        assert check_table.findings_columns(check_table.RecordKind.DISPOSAL)[-1] == LABEL
        assert check_table.figure_names(check_table.RecordKind.DISPOSAL)[-1] == KEY
        assert column_label(KEY) == LABEL and check_table.check_kinds()[KEY] == "disposal"
        assert check_table.applicable("disposal", {}, "Caution")[-1] == KEY

        item = _disposal_item(svc)
        svc.save_verdict(item, VerdictBody(checks=_answers(True), complete=True))
        assert svc.verdict(item).checks[KEY] is True
        assert svc.queue_row(item).n_failed_checks == 1  # offender_made_aware = no; the extra check passes on yes
        # the answer as stored, read without the workbench's findings
        with db.session() as s:
            stored = [json.loads(v.body) if isinstance(v.body, str) else v.body for v in s.query(Verdict).all()]
        assert sum(1 for b in stored if b.get("checks", {}).get(KEY) is True) == 1

        f = compute(db)
        t = f.table("disposals")
        assert t.columns[-1] == LABEL
        assert f.value("disposals", "Total", LABEL) == 1
        assert f.value("disposals", "Total", "Made aware") == 0
        assert figures(f)["disposals"]["total"][KEY] == 1
        row = next(v for v in f.verdicts if v["kind"] == "disposal")
        assert row[KEY] is True and KEY in verdict_columns(f.verdicts)

        # the verdict exchange: its column goes out and comes back in
        out = tmp_path / "verdicts.csv"
        export_verdicts(db, out, "Inspector A")
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        assert KEY in rows[0]
        disposal = next(r for r in rows if r["kind"] == "disposal")
        assert disposal[KEY] == "Y"
        disposal[KEY] = "N"
        changed = tmp_path / "changed.csv"
        with changed.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        import_verdicts(db, changed, "Inspector B")
        assert svc.verdict(item).checks[KEY] is False
        assert compute(db).value("disposals", "Total", LABEL) == 0
        svc.save_verdict(item, VerdictBody(checks=_answers(True), complete=True))

        # a 'no' is a failed check, sent to the force under the check's name
        svc.save_verdict(item, VerdictBody(checks=_answers(False), complete=True))
        assert "interpreter used" in [fl.failure for fl in failures(compute(db))]
        svc.save_verdict(item, VerdictBody(checks=_answers(True), complete=True))

        # the reports: the JSON figures, the workbook's disposals table and the PDF
        f = compute(db)
        pdf = write_pdf(f, tmp_path / "f.pdf")
        assert LABEL in " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(pdf)).pages)
        doc = json.loads(write_json(f, tmp_path / "f.json").read_text(encoding="utf-8"))
        assert doc["figures"]["disposals"]["total"][KEY] == 1
        wb = load_workbook(write_xlsx(f, tmp_path / "f.xlsx"), read_only=True)
        found = [(ws.title, r) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) if LABEL in r]
        assert found, "no column of the workbook is the extra check's label"
        header = next(r for _, r in found if "Sampled" in r)
        total = next(r for ws in wb.worksheets for r in ws.iter_rows(values_only=True)
                     if r and r[0] == "Total" and len(r) == len(header) and "Sampled" in header)
        assert total[header.index(LABEL)] == 1
        wb.close()
    finally:
        db.close()


def test_a_second_database_without_the_check_does_not_show_it(tmp_path: Path) -> None:
    first = small_audit(tmp_path / "a.db")
    second = small_audit(tmp_path / "b.db")
    try:
        local_config.add_check(first, "disposal", KEY, LABEL, QUESTION)
        AuditService(first, "Inspector A")
        assert KEY in [c.key for c in check_table.checks_of("disposal")]
        AuditService(second, "Inspector A")  # opened in the same process: its own checks replace the first's
        assert [c.key for c in check_table.checks_of("disposal")] == BUILT_IN
        assert LABEL not in compute(second).table("disposals").columns
        out = tmp_path / "b.csv"
        export_verdicts(second, out, "Inspector A")
        assert KEY not in out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
        # the first again: its check is back; taken out, the second's (none) are in force
        AuditService(first, "Inspector A")
        assert KEY in [c.key for c in check_table.checks_of("disposal")]
        local_config.deactivate(first)
        assert [c.key for c in check_table.checks_of("disposal")] == BUILT_IN
        # removing the check (the lead's) takes it out of the table for the database in use
        AuditService(first, "Inspector A")
        local_config.remove_check(first, "disposal", KEY)
        assert [c.key for c in check_table.checks_of("disposal")] == BUILT_IN
    finally:
        first.close()
        second.close()


# ---- the command line -----------------------------------------------------------------------------------------
def test_cli_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.db"
    small_audit(path).close()

    def run(*args: str) -> tuple[int, str]:
        code = cli_config.main(list(args))
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    assert run("codes", str(path)) == (0, "No sub-codes mapped.\n")
    assert run("codes", str(path), "8N/01=8N", "105A/2=105a")[0] == 0
    code, out = run("codes", str(path))
    assert code == 0 and "8N/01 = 8N Assault with injury" in out and "105A/2 = 105A" in out
    code, out = run("codes", str(path), "8N/03=99Z")
    assert code == 2 and "'99Z' is not a Home Office code" in out
    code, out = run("codes", str(path), "nonsense")
    assert code == 2 and "SUBCODE=HOCODE" in out
    assert run("codes", str(path), "8N/01=")[0] == 0
    assert "8N/01" not in run("codes", str(path))[1]

    assert run("disposal-types", str(path), "Adult caution=Caution")[0] == 0
    assert "Adult caution = Caution" in run("disposal-types", str(path))[1]
    code, out = run("disposal-types", str(path), "CC=Conditional caution")
    assert code == 2 and "not a national disposal type" in out

    assert run("checks", str(path), "list") == (0, "No extra checks.\n")
    code, out = run("checks", str(path), "add", "disposal", KEY, "--label", LABEL, "--question", QUESTION)
    assert code == 0 and KEY in out
    code, out = run("checks", str(path), "list")
    assert f"disposal  {KEY}  {LABEL}: {QUESTION}" in out
    code, out = run("checks", str(path), "add", "disposal", "offender_suitable", "--label", "X", "--question", "Y?")
    assert code == 2 and "already a built-in check" in out
    assert run("checks", str(path), "remove", "disposal", KEY)[0] == 0
    assert run("checks", str(path), "list") == (0, "No extra checks.\n")


def test_cli_config_refuses_an_auditor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.db"
    db = small_audit(path)
    add_person(db, "Lena Lead", "Lena Lead", "lead")
    add_person(db, "Lena Lead", "Amy Auditor", "auditor")
    db.close()
    args = ["checks", str(path), "add", "disposal", KEY, "--label", LABEL, "--question", QUESTION]
    assert cli_config.main(args, user="Amy Auditor") == 4
    assert "only the audit lead may" in capsys.readouterr().err
    assert cli_config.main(args, user="Lena Lead") == 0
