"""Verdicts in and out as CSV and .xlsx: round trips, validation that writes nothing, formula safety, overrides."""

from __future__ import annotations

import argparse
import csv
import shutil
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from cdi_workbench import sampling
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.cli_verdicts import register
from cdi_workbench.findings import compute
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import CrimeRecord, ReportRecord, Verdict, VerdictChange
from cdi_workbench.verdict_io import (
    ALL_COLUMNS,
    COLUMNS,
    VerdictFileError,
    VerdictImportError,
    export_verdicts,
    import_verdicts,
    read_verdicts,
)
from tests.builders import small_audit
from tests.conftest import _pg_database

FORMULA = '=HYPERLINK("http://evil.example","click")'


# ---- building audits ---------------------------------------------------------------------------------------------
def _items(db: Database) -> dict[str, int]:
    svc = AuditService(db)
    return {r.ref: r.item_id for smp in svc.samples() for r in svc.queue(smp.id)}


def _crime_ids(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {c.ref: c.id for c in s.scalars(select(CrimeRecord))}


def audited(target: str | Path) -> Database:
    """small_audit with a complete verdict on every sampled record: recorded, late, wrongly classified and
    unrecorded crimes, an override, zero status, every kind's checks, formula-looking rationales and a lead's final
    verdict that counts over the auditor's."""
    db = small_audit(target)
    items, crimes = _items(db), _crime_ids(db)
    svc = AuditService(db, "Alice Auditor")
    svc.save_verdict(items["INC-0001"], VerdictBody(crimes=[
        CrimeFinding(expected_code="8N", crime_id=crimes["CR-1"], crime_ref="CR-1", domestic_abuse=True),
        CrimeFinding(expected_code="58A", crime_id=crimes["CR-2"], crime_ref="CR-2", domestic_abuse=True,
                     timely_override=True, override_reason="the crime system clock was four days out"),
    ], rationale=FORMULA, complete=True))
    svc.save_verdict(items["INC-0002"], VerdictBody(crimes=[
        CrimeFinding(expected_code="8L", not_recorded_reason="Treated as crime-related incident",
                     safeguarding=True, investigation=False, domestic_abuse=True),
    ], rationale="Threat to kill disclosed;\nclosed as non-crime.", complete=True))
    svc.save_verdict(items["INC-0003"], VerdictBody(crimes=[CrimeFinding(expected_code="49")], complete=True,
                                                    rationale="Theft of the wallet?"))
    AuditService(db, "Lead Inspector").save_verdict(
        items["INC-0003"], VerdictBody(zero_status=True, rationale="Lost property: no crime.", complete=True),
        role="final")
    svc.save_verdict(items["GRD-0001"], VerdictBody(crimes=[
        CrimeFinding(expected_code="8N", crime_id=crimes["CR-3"], crime_ref="CR-3"),
    ], rationale="+ recorded as common assault", complete=True))
    svc.save_verdict(items["OOCD-1"], VerdictBody(checks={
        "offender_suitable": True, "offender_made_aware": False, "victim_to_consult": True,
        "victim_views_considered": True, "outcome_appropriate": False}, rationale="@victim: apology only",
        complete=True))
    svc.save_verdict(items["CR-3"], VerdictBody(checks={
        "decision_correct": True, "authorised_decision_maker": True, "victim_informed": False},
        rationale="-AVI: CCTV", complete=True))
    svc.save_verdict(items["N100-1"], VerdictBody(checks={"n100_needed": True, "should_have_been_rape": False},
                                                  rationale="café note: £5 in Windows-1252", complete=True))
    return db


@pytest.fixture
def fresh_target(db_target: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty place for a copy of the same audit, on the same engine as db_target."""
    if "://" not in db_target:
        yield str(tmp_path / "fresh.db")
        return
    yield from _pg_database()


def _history(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(VerdictChange)  # exports and samples are recorded too
                        .where(VerdictChange.action.not_in(("export", "sample", "audit")))) or 0


def _bodies(db: Database) -> dict[tuple[int, str], Any]:
    with db.session() as s:
        return {(v.item_id, v.role): (v.body, v.auditor) for v in s.scalars(select(Verdict))}


def _figures(db: Database) -> tuple[Any, ...]:
    f = compute(db)
    return [asdict(t) for t in f.tables], f.audit["auditors"], {k: asdict(r) for k, r in f.rates.items()}


def _xlsx_cells(path: Path) -> list[list[tuple[Any, str]]]:
    wb = openpyxl.load_workbook(path)
    try:
        ws = wb["Verdicts"]
        return [[(c.value, c.data_type) for c in row] for row in ws.iter_rows()]
    finally:
        wb.close()


def _read_csv(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with open(path, newline="", encoding=encoding) as fh:
        return list(csv.DictReader(fh))


def _write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None,
               encoding: str = "utf-8") -> Path:
    columns = columns or ALL_COLUMNS
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for r in rows:
            w.writerow([r.get(c, "") for c in columns])
    return path


# ---- round trips -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip(db_target: str, fresh_target: str, tmp_path: Path, suffix: str) -> None:
    source = audited(db_target)
    fresh = small_audit(fresh_target)
    try:
        first = tmp_path / f"first{suffix}"
        assert export_verdicts(source, first) == 8  # two crimes in INC-0001, one row for each other record
        result = import_verdicts(fresh, first, "Bob Reviewer")
        assert (result.records, result.written, result.unchanged, result.replaced) == (7, 7, 0, 0)
        second = tmp_path / f"second{suffix}"
        assert export_verdicts(fresh, second) == 8
        if suffix == ".csv":
            assert second.read_bytes() == first.read_bytes()
        else:
            assert _xlsx_cells(second) == _xlsx_cells(first)
        assert _figures(fresh) == _figures(source)
        # the auditor in the file is kept; the history names who imported, and why
        with fresh.session() as s:
            auditors = {v.auditor for v in s.scalars(select(Verdict))}
            changes = list(s.scalars(select(VerdictChange).where(VerdictChange.action.not_in(("sample", "audit")))))
        assert auditors == {"Alice Auditor", "Lead Inspector"}
        assert {(c.who, c.action, c.reason) for c in changes} == {
            ("Bob Reviewer", "import", f"imported from {first.name}"),
            ("(no name given)", "export", f"exported verdicts to {second.name}")}  # single-user mode, unnamed
        # importing the same file again changes nothing
        again = import_verdicts(fresh, first, "Bob Reviewer")
        assert (again.written, again.unchanged) == (0, 7)
        assert _history(fresh) == 7
    finally:
        source.close()
        fresh.close()


def _key_verdicts(db: Database, key: dict[str, Any]) -> None:
    """Every sampled record of the generated sample audit given the verdict its answer key holds."""
    svc = AuditService(db, "Key Auditor")
    crime_ids = _crime_ids(db)
    for smp in svc.samples():
        answers = key["samples"][smp.name]["items"]
        for row in svc.queue(smp.id):
            entry = answers[row.ref]
            if "crimes" in entry:
                crimes = [CrimeFinding(**{k: v for k, v in c.items() if k in KEY_FINDING_FIELDS},
                                       crime_ref=c["crime_ref"] or "",
                                       crime_id=crime_ids[c["crime_ref"]] if c["crime_ref"] else None)
                          for c in entry["crimes"]]
                body = VerdictBody(crimes=crimes, zero_status=not crimes, rationale=entry["rationale"],
                                   complete=True)
            else:
                body = VerdictBody(checks=dict(entry["checks"]), complete=True)
            svc.save_verdict(row.item_id, body)


KEY_FINDING_FIELDS = {"expected_code", "not_recorded_reason", "domestic_abuse", "safeguarding", "investigation"}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_of_the_generated_sample_audit(tmp_path: Path, suffix: str) -> None:
    """The bundled sample audit (hundreds of records of every kind) audited as its answer key says."""
    from sample_data import generate

    key = generate.build(tmp_path / "a.db", generate.DEFAULT_SEED)
    shutil.copy(tmp_path / "a.db", tmp_path / "fresh.db")
    source, fresh = Database(tmp_path / "a.db"), Database(tmp_path / "fresh.db")
    try:
        _key_verdicts(source, key)
        first, second = tmp_path / f"first{suffix}", tmp_path / f"second{suffix}"
        n = export_verdicts(source, first)
        result = import_verdicts(fresh, first, "Bob")
        assert n > 250 and result.written == result.records > 250
        assert export_verdicts(fresh, second) == n
        if suffix == ".csv":
            assert second.read_bytes() == first.read_bytes()
        else:
            assert _xlsx_cells(second) == _xlsx_cells(first)
        assert _figures(fresh) == _figures(source)
    finally:
        source.close()
        fresh.close()


def test_export_columns_and_rows(tmp_path: Path) -> None:
    db = audited(tmp_path / "a.db")
    try:
        path = tmp_path / "v.csv"
        export_verdicts(db, path)
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads it as UTF-8
        with open(path, newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh))
        assert header[:len(COLUMNS)] == COLUMNS and header == ALL_COLUMNS
        rows = _read_csv(path)
        by = {(r["record_ref"], r["crime_no"]): r for r in rows}
        got = [(r["kind"], r["record_ref"], r["crime_no"]) for r in rows]
        incidents = [x for x in got if x[0] == "incident"]  # in the sample's draw order, crimes in turn
        assert sorted(incidents) == [("incident", "INC-0001", "1"), ("incident", "INC-0001", "2"),
                                     ("incident", "INC-0002", "1"), ("incident", "INC-0003", "0")]
        assert got[:4] == incidents and got[4:] == [
            ("referral", "GRD-0001", "1"), ("disposal", "OOCD-1", "0"), ("cancellation", "CR-3", "0"),
            ("n100", "N100-1", "0")]
        assert got.index(("incident", "INC-0001", "2")) == got.index(("incident", "INC-0001", "1")) + 1
        # the lead's final verdict is the one exported
        assert by[("INC-0003", "0")]["auditor"] == "Lead Inspector"
        assert by[("INC-0003", "0")]["expected_code"] == ""
        # worked out: on time and right code; the override shows as the result it gives
        assert (by[("INC-0001", "1")]["classified_correctly"], by[("INC-0001", "1")]["timely"]) == ("Y", "Y")
        assert (by[("INC-0001", "2")]["recorded_ref"], by[("INC-0001", "2")]["timely"]) == ("CR-2", "Y")
        assert (by[("GRD-0001", "1")]["classified_correctly"], by[("GRD-0001", "1")]["timely"]) == ("N", "N")
        missed = by[("INC-0002", "1")]
        assert (missed["recorded_ref"], missed["classified_correctly"], missed["reason_not_recorded"],
                missed["safeguarding"], missed["investigation"], missed["domestic_abuse"]) == (
            "", "", "Treated as crime-related incident", "Y", "N", "Y")
        assert missed["rationale"] == "Threat to kill disclosed;\nclosed as non-crime."
        assert by[("OOCD-1", "0")]["victim_views_considered"] == "Y"
        assert by[("N100-1", "0")]["n100_needed"] == "Y"
    finally:
        db.close()


def test_unfinished_verdicts_are_not_exported(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        items = _items(db)
        AuditService(db, "Alice").save_verdict(items["INC-0001"], VerdictBody(crimes=[CrimeFinding("8N")]))
        path = tmp_path / "v.csv"
        assert export_verdicts(db, path) == 0
        assert _read_csv(path) == []
        assert read_verdicts(db, path).verdicts == []
    finally:
        db.close()


# ---- formula safety ----------------------------------------------------------------------------------------------
def test_formula_looking_text_stays_text_in_csv(tmp_path: Path) -> None:
    source, fresh = audited(tmp_path / "a.db"), small_audit(tmp_path / "b.db")
    try:
        path = tmp_path / "v.csv"
        export_verdicts(source, path)
        rationales = {r["record_ref"]: r["rationale"] for r in _read_csv(path)}
        assert rationales["INC-0001"] == "'" + FORMULA
        assert rationales["GRD-0001"] == "'+ recorded as common assault"
        assert rationales["OOCD-1"] == "'@victim: apology only"
        assert rationales["CR-3"] == "'-AVI: CCTV"
        assert rationales["N100-1"] == "café note: £5 in Windows-1252"  # no guard where none is needed
        import_verdicts(fresh, path, "Bob")
        items = _items(fresh)
        svc = AuditService(fresh)
        assert svc.verdict(items["INC-0001"]).rationale == FORMULA  # exactly one apostrophe taken off
        assert svc.verdict(items["CR-3"]).rationale == "-AVI: CCTV"
    finally:
        source.close()
        fresh.close()


def test_apostrophes_typed_before_a_formula_round_trip(tmp_path: Path) -> None:
    db, fresh = small_audit(tmp_path / "a.db"), small_audit(tmp_path / "b.db")
    try:
        items = _items(db)
        svc = AuditService(db, "Alice")
        svc.save_verdict(items["INC-0003"], VerdictBody(zero_status=True, rationale="'=1+1", complete=True))
        svc.save_verdict(items["INC-0002"], VerdictBody(zero_status=True, rationale="'quoted", complete=True))
        path = tmp_path / "v.csv"
        export_verdicts(db, path)
        assert {r["record_ref"]: r["rationale"] for r in _read_csv(path)} == {"INC-0003": "''=1+1",
                                                                             "INC-0002": "'quoted"}
        import_verdicts(fresh, path, "Bob")
        got = AuditService(fresh)
        assert got.verdict(items["INC-0003"]).rationale == "'=1+1"
        assert got.verdict(items["INC-0002"]).rationale == "'quoted"
    finally:
        db.close()
        fresh.close()


def test_formula_looking_text_stays_text_in_xlsx(tmp_path: Path) -> None:
    source, fresh = audited(tmp_path / "a.db"), small_audit(tmp_path / "b.db")
    try:
        path = tmp_path / "v.xlsx"
        export_verdicts(source, path)
        wb = openpyxl.load_workbook(path)
        ws = wb["Verdicts"]
        header = [c.value for c in ws[1]]
        col = header.index("rationale") + 1
        cells = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1)}
        for ref, text in (("INC-0001", FORMULA), ("GRD-0001", "+ recorded as common assault"),
                          ("OOCD-1", "@victim: apology only"), ("CR-3", "-AVI: CCTV")):
            assert cells[ref].value == text
            assert cells[ref].data_type == "s"
            assert cells[ref].quotePrefix
        zero = cells["INC-0003"].row  # the zero-status incident: crime number 0
        assert ws.cell(row=zero, column=header.index("crime_no") + 1).value == 0  # a number, not text
        assert "OFFICIAL-SENSITIVE" in ws.oddHeader.center.text
        wb.close()
        import_verdicts(fresh, path, "Bob")
        assert AuditService(fresh).verdict(_items(fresh)["INC-0001"]).rationale == FORMULA
    finally:
        source.close()
        fresh.close()


# ---- what the import works out -----------------------------------------------------------------------------------
def _base_rows() -> list[dict[str, Any]]:
    """A valid file for small_audit, one record of each kind."""
    return [
        {"kind": "incident", "record_ref": "INC-0001", "crime_no": 1, "expected_code": "8N", "recorded_ref": "CR-1",
         "auditor": "Carol"},
        {"kind": "incident", "record_ref": "INC-0001", "crime_no": 2, "expected_code": "58A",
         "recorded_ref": "CR-2"},
        {"kind": "incident", "record_ref": "INC-0002", "crime_no": 1, "expected_code": "8L",
         "reason_not_recorded": "No discernible reason"},
        {"kind": "incident", "record_ref": "INC-0003", "crime_no": 0, "rationale": "No crime."},
        {"kind": "referral", "record_ref": "GRD-0001", "crime_no": 0},
        {"kind": "disposal", "record_ref": "OOCD-1", "crime_no": 0, "offender_suitable": "Y",
         "offender_made_aware": "Y", "victim_to_consult": "Y", "victim_views_considered": "N",
         "outcome_appropriate": "Y"},
        {"kind": "cancellation", "record_ref": "CR-3", "crime_no": 0, "decision_correct": "Y",
         "authorised_decision_maker": "Y", "victim_informed": "Y"},
        {"kind": "n100", "record_ref": "N100-1", "crime_no": 0, "n100_needed": "N"},
    ]


def test_a_stated_result_that_contradicts_the_records_becomes_an_override(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        rows = _base_rows()
        rows[1]["timely"] = "Y"  # CR-2 was recorded more than 72 hours after the report
        rows[0]["timely"] = "Y"  # as worked out: no override
        rows[0]["classified_correctly"] = "y"
        path = _write_csv(tmp_path / "peer review.csv", rows)
        result = import_verdicts(db, path, "Bob")
        assert result.overrides == 1
        body = AuditService(db).verdict(_items(db)["INC-0001"])
        first, second = body.crimes
        assert (first.classified_override, first.timely_override, first.override_reason) == (None, None, "")
        assert second.timely_override is True and second.classified_override is None
        assert second.override_reason == "stated in the imported file peer review.csv"
        assert body.complete
        f = compute(db)
        assert f.value("incidents", "Incident records", "Outside 72 hours") == 0
        assert f.value("incidents", "Incident records", "Crimes recorded") == 2
        # without the stated answer the worked-out result counts
        rows[1]["timely"] = ""
        import_verdicts(db, _write_csv(tmp_path / "again.csv", rows), "Bob")
        assert AuditService(db).verdict(_items(db)["INC-0001"]).crimes[1].timely_override is None
        assert compute(db).value("incidents", "Incident records", "Outside 72 hours") == 1
    finally:
        db.close()


def test_a_record_with_no_crime_round_trips_as_zero_status(tmp_path: Path) -> None:
    db, fresh = small_audit(tmp_path / "a.db"), small_audit(tmp_path / "b.db")
    try:
        path = _write_csv(tmp_path / "v.csv", _base_rows())
        import_verdicts(db, path, "Bob")
        items = _items(db)
        body = AuditService(db).verdict(items["INC-0003"])
        assert (body.zero_status, body.crimes, body.complete, body.rationale) == (True, [], True, "No crime.")
        assert AuditService(db).verdict(items["GRD-0001"]).zero_status
        out = tmp_path / "out.xlsx"
        export_verdicts(db, out)
        import_verdicts(fresh, out, "Bob")
        assert AuditService(fresh).verdict(items["INC-0003"]) == body
        rows = {(r["record_ref"], r["crime_no"]) for r in compute(fresh).verdicts}
        assert ("INC-0003", 0) in rows and ("GRD-0001", 0) in rows
        f = compute(fresh)
        assert f.value("incidents", "Incident records", "Records reviewed") == 3
        assert f.value("incidents", "Incident records", "Crimes identified") == 3
        assert f.value("other_systems", "Guardian", "Records reviewed") == 1
        assert f.value("other_systems", "Guardian", "Crimes identified") == 0
    finally:
        db.close()
        fresh.close()


def test_references_in_another_case(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        rows = _base_rows()
        rows[0].update(record_ref="inc-0001", recorded_ref="cr-1")
        rows[1].update(record_ref="Inc-0001", recorded_ref="CR-2 ")
        import_verdicts(db, _write_csv(tmp_path / "v.csv", rows), "Bob")
        crimes = AuditService(db).verdict(_items(db)["INC-0001"]).crimes
        assert [(c.crime_ref, c.crime_id) for c in crimes] == [("CR-1", _crime_ids(db)["CR-1"]),
                                                               ("CR-2", _crime_ids(db)["CR-2"])]
    finally:
        db.close()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        rows = _base_rows()
        rows[3]["rationale"] = "Café owner’s wallet, £20 – no crime"
        import_verdicts(db, _write_csv(tmp_path / "v.csv", rows, encoding=encoding), "Bob")
        assert AuditService(db).verdict(_items(db)["INC-0003"]).rationale == "Café owner’s wallet, £20 – no crime"
    finally:
        db.close()


def test_only_the_key_columns_are_required(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        rows = [{"Kind": "Incident", "Record Ref": "INC-0003", "Crime No": "0"}]
        path = _write_csv(tmp_path / "v.csv", rows, columns=["Kind", "Record Ref", "Crime No"])
        assert import_verdicts(db, path, "Bob").written == 1
        v = AuditService(db).verdict(_items(db)["INC-0003"])
        assert v.zero_status and v.complete
        with db.session() as s:
            assert s.scalar(select(Verdict.auditor)) == "Bob"  # no auditor column: the person importing
    finally:
        db.close()


def test_a_record_in_two_samples_is_counted_once_after_an_import(tmp_path: Path) -> None:
    """Issue 11: the imported verdict of a record drawn into two samples went to both, and counted twice."""
    db = small_audit(tmp_path / "a.db")
    try:
        with db.session() as s:
            sampling.draw(s, "All incidents again", "incident", 3, seed=8)
        svc = AuditService(db, "Alice Auditor")
        first, again = ({r.ref: r.item_id for r in svc.queue(smp.id)} for smp in svc.samples()
                        if smp.kind == "incident")
        # INC-0002 audited in the second sample only; INC-0001 in both (two audits of one record, kept as they are)
        svc.save_verdict(again["INC-0002"], VerdictBody(crimes=[CrimeFinding(expected_code="8N")], complete=True))
        for item in (first["INC-0001"], again["INC-0001"]):
            svc.save_verdict(item, VerdictBody(zero_status=True, complete=True))
        reviewed = compute(db).value("incidents", "Incident records", "Records reviewed")
        assert reviewed == 3
        out = tmp_path / "out.csv"
        export_verdicts(db, out)
        rows = _read_csv(out)
        for r in rows:
            if r["kind"] == "incident":
                r["rationale"] = "checked again"
        rows.append({**{k: "" for k in rows[0]}, "kind": "incident", "record_ref": "INC-0003", "crime_no": "0"})
        result = import_verdicts(db, _write_csv(tmp_path / "v.csv", rows), "Bob")
        assert compute(db).value("incidents", "Incident records", "Records reviewed") == reviewed + 1  # not 6
        bodies = _bodies(db)
        assert (first["INC-0002"], "primary") not in bodies  # where it was audited, not in the first sample too
        assert bodies[(again["INC-0002"], "primary")][0]["rationale"] == "checked again"
        assert all(bodies[(i, "primary")][0]["rationale"] == "checked again"
                   for i in (first["INC-0001"], again["INC-0001"]))
        assert any("so that it counts once" in n for n in result.notes)
        # a record audited nowhere yet gets the verdict in its first sample only
        assert (first["INC-0003"], "primary") in bodies and (again["INC-0003"], "primary") not in bodies
    finally:
        db.close()


def test_records_in_two_samples_and_references_shared_by_two_systems(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        with db.session() as s:
            s.add(ReportRecord(kind="referral", system="PO1", ref="GRD-0001", narrative="same reference, PO1"))
            s.flush()
            sampling.draw(s, "All incidents again", "incident", 3, seed=8)
            sampling.draw(s, "PO1", "referral", 1, seed=7, system="PO1")
        rows = [r for r in _base_rows() if r["record_ref"] != "GRD-0001"]
        result = import_verdicts(db, _write_csv(tmp_path / "v.csv", rows), "Bob")
        # three incidents are in both incident samples: each verdict goes to the first sample only, once
        assert (result.records, result.written) == (6, 6)
        assert any("more than one sample" in n for n in result.notes)
        assert compute(db).value("incidents", "Incident records", "Records reviewed") == 3
        out = tmp_path / "out.csv"
        assert export_verdicts(db, out) == 7  # each record once: six records, two crimes in INC-0001
        bad = _base_rows()
        with pytest.raises(VerdictImportError) as err:
            import_verdicts(db, _write_csv(tmp_path / "bad.csv", bad), "Bob")
        assert [str(p) for p in err.value.problems] == [
            "bad.csv row 6, column record_ref: value 'GRD-0001': more than one sampled referral record has this "
            "reference (GRD-0001 (Guardian), GRD-0001 (PO1)): the file cannot say which"]
    finally:
        db.close()


# ---- validation: a clear message, nothing written ----------------------------------------------------------------
def _edit(rows: list[dict[str, Any]], index: int, **changes: Any) -> list[dict[str, Any]]:
    rows[index].update(changes)
    return rows


CASES = {
    "unknown kind": (lambda r: _edit(r, 3, kind="incidnet"),
                     "row 5, column kind: value 'incidnet': unknown kind"),
    "record not sampled": (lambda r: _edit(r, 3, record_ref="INC-9999"),
                           "row 5, column record_ref: value 'INC-9999': not in any sample of this audit"),
    "record of another kind": (lambda r: _edit(r, 4, kind="incident"),
                               "row 6, column record_ref: value 'GRD-0001': not in any sample of this audit"),
    "crime_no gap": (lambda r: _edit(r, 1, crime_no=3),
                     "row 2, column crime_no: value '1, 3': the crimes of incident INC-0001 must be numbered 1, 2, "
                     "3, ... without gaps: 2 missing"),
    "crime_no twice": (lambda r: _edit(r, 1, crime_no=1),
                       "row 3, column crime_no: value '1': crime 1 of incident INC-0001 is given twice (also row 2)"),
    "crime_no 0 beside crimes": (lambda r: r + [{"kind": "incident", "record_ref": "INC-0002", "crime_no": 0}],
                                 "row 10, column crime_no: value '0': crime_no 0 says incident INC-0002 holds no "
                                 "crime, but row(s) 4 give crimes for it"),
    "crime_no not a number": (lambda r: _edit(r, 0, crime_no="one"),
                              "row 2, column crime_no: value 'one': not a whole number"),
    "crime_no missing": (lambda r: _edit(r, 0, crime_no=""), "row 2, column crime_no: value '': missing"),
    "crime_no on a disposal": (lambda r: _edit(r, 5, crime_no=1), "row 7, column crime_no: value '1': must be 0"),
    "bad Y/N": (lambda r: _edit(r, 0, timely="maybe"), "row 2, column timely: value 'maybe': not Y or N"),
    "bad Y/N in a check": (lambda r: _edit(r, 6, victim_informed="X"),
                           "row 8, column victim_informed: value 'X': not Y or N"),
    "unknown code": (lambda r: _edit(r, 0, expected_code="99Z"),
                     "row 2, column expected_code: value '99Z': unknown Home Office offence code"),
    "not a crime record": (lambda r: _edit(r, 0, recorded_ref="CR-404"),
                           "row 2, column recorded_ref: value 'CR-404': not a crime record of this audit"),
    "check of another kind": (lambda r: _edit(r, 0, offender_suitable="Y"),
                              "row 2, column offender_suitable: value 'Y': does not apply to an incident record"),
    "crime answer on a cancellation": (lambda r: _edit(r, 6, expected_code="8N"),
                                       "row 8, column expected_code: value '8N': does not apply to a cancellation "
                                       "record"),
    "crime answer on zero status": (lambda r: _edit(r, 3, domestic_abuse="Y"),
                                    "row 5, column domestic_abuse: value 'Y': does not apply to crime_no 0"),
    "classified but not recorded": (lambda r: _edit(r, 2, classified_correctly="N"),
                                    "row 4, column classified_correctly: value 'N': applies only to a recorded crime"),
    "reason but recorded": (lambda r: _edit(r, 0, reason_not_recorded="No discernible reason"),
                            "row 2, column reason_not_recorded: value 'No discernible reason': applies only to a "
                            "crime not recorded"),
    "views without a victim": (lambda r: _edit(r, 5, victim_to_consult="N"),
                               "row 7, column victim_views_considered: value 'N': applies only when "
                               "victim_to_consult is Y"),
    "N100 check on a disposal": (lambda r: _edit(r, 5, should_have_been_rape="N"),
                                 "row 7, column should_have_been_rape: value 'N': does not apply to a disposal "
                                 "record: it is a check of n100 records"),
    "rationale too long": (lambda r: _edit(r, 3, rationale="x" * 32001),
                           "row 5, column rationale: value '" + "x" * 57 + "...': too long: 32,001 characters, at "
                           "most 32,000"),
    "reason too long": (lambda r: _edit(r, 2, reason_not_recorded="y" * 201), "too long: 201 characters"),
    "two rationales": (lambda r: _edit(_edit(r, 0, rationale="Some words"), 1, rationale="Other words"),
                       "row 3, column rationale: value 'Other words': differs from row 2 for the same record"),
    "two auditors": (lambda r: _edit(r, 1, auditor="Dave"),
                     "row 3, column auditor: value 'Dave': differs from row 2 for the same record"),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_every_problem_is_reported_and_nothing_written(tmp_path: Path, case: str, suffix: str) -> None:
    db = audited(tmp_path / "a.db")
    try:
        edit, message = CASES[case]
        rows = edit(_base_rows())
        path = tmp_path / f"verdicts{suffix}"
        if suffix == ".csv":
            _write_csv(path, rows)
        else:
            _write_xlsx(path, rows)
        before, bodies = _history(db), _bodies(db)
        with pytest.raises(VerdictImportError) as err:
            import_verdicts(db, path, "Bob")
        shown = [str(p) for p in err.value.problems]
        assert any(line.startswith(f"{path.name} ") and message in line for line in shown), shown
        assert len(shown) == 1, shown
        assert message in str(err.value)
        assert _history(db) == before and _bodies(db) == bodies
    finally:
        db.close()


def _write_xlsx(path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None) -> Path:
    columns = columns or ALL_COLUMNS
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(columns)
    for r in rows:
        ws.append([(r.get(c) if r.get(c) != "" else None) for c in columns])
    wb.save(path)
    return path


def test_header_problems(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        path = _write_csv(tmp_path / "v.csv", [{"kind": "incident"}], columns=["kind", "record", "timely", "Timely"])
        plan = read_verdicts(db, path)
        lines = [str(p) for p in plan.problems]
        assert lines[0].startswith("v.csv row 1, column record: value 'record': unknown column: the columns are "
                                   "kind, record_ref, crime_no")
        assert lines[1] == "v.csv row 1, column Timely: value 'Timely': the column is named twice"
        assert lines[2:] == ["v.csv row 1, column record_ref: value '': missing column: every verdicts file needs "
                             "kind, record_ref and crime_no",
                             "v.csv row 1, column crime_no: value '': missing column: every verdicts file needs "
                             "kind, record_ref and crime_no"]
        assert not plan.ok and plan.verdicts == []
    finally:
        db.close()


def test_unreadable_files(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        with pytest.raises(VerdictFileError, match="no such file"):
            read_verdicts(db, tmp_path / "missing.csv")
        (tmp_path / "empty.csv").write_bytes(b"")
        with pytest.raises(VerdictFileError, match="empty"):
            read_verdicts(db, tmp_path / "empty.csv")
        (tmp_path / "open.csv").write_text('kind,record_ref,crime_no,rationale\nincident,INC-0003,0,"never closed\n')
        with pytest.raises(VerdictFileError, match=r"open\.csv row 2: cannot be read as CSV"):
            read_verdicts(db, tmp_path / "open.csv")
        (tmp_path / "fake.xlsx").write_text("kind,record_ref,crime_no\n")
        with pytest.raises(VerdictFileError, match="not an Excel workbook"):
            read_verdicts(db, tmp_path / "fake.xlsx")
        with pytest.raises(ValueError, match=r"\.csv or \.xlsx"):
            export_verdicts(db, tmp_path / "v.txt")
        with pytest.raises(VerdictImportError, match="who is importing"):
            import_verdicts(db, tmp_path / "missing.csv", " ")
    finally:
        db.close()


def test_a_failing_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The import is one transaction: an error on the last verdict undoes the first."""
    db = small_audit(tmp_path / "a.db")
    try:
        path = _write_csv(tmp_path / "v.csv", _base_rows())
        original = AuditService._write_in
        calls = []

        def failing(self: AuditService, s: Any, item_id: int, *args: Any, **kw: Any) -> Any:
            calls.append(item_id)
            if len(calls) == 7:
                raise RuntimeError("disk full")
            return original(self, s, item_id, *args, **kw)

        monkeypatch.setattr(AuditService, "_write_in", failing)
        with pytest.raises(RuntimeError):
            import_verdicts(db, path, "Bob")
        assert _history(db) == 0 and _bodies(db) == {}
    finally:
        db.close()


# ---- the command line --------------------------------------------------------------------------------------------
def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="cdi")
    parser.add_argument("--user")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_command_line_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audited(tmp_path / "a.db").close()
    small_audit(tmp_path / "b.db").close()
    out = tmp_path / "v.xlsx"
    assert _cli(["verdicts", "export", str(tmp_path / "a.db"), str(out)]) == 0
    assert "Wrote 8 rows" in capsys.readouterr().out
    assert _cli(["verdicts", "import", str(tmp_path / "b.db"), str(out), "--user", "Bob"]) == 0
    assert "7 verdicts written" in capsys.readouterr().out
    assert _cli(["--user", "Carol", "verdicts", "import", str(tmp_path / "b.db"), str(out)]) == 0
    assert "7 unchanged" in capsys.readouterr().out
    assert _cli(["verdicts", "import", str(tmp_path / "b.db"), str(out)]) == 2
    assert "--user NAME" in capsys.readouterr().err


def test_command_line_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = audited(tmp_path / "a.db")
    before, bodies = _history(db), _bodies(db)
    db.close()
    rows = _base_rows() + [{"kind": "incident", "record_ref": f"INC-X{n}", "crime_no": 0} for n in range(24)]
    rows[0]["timely"] = "perhaps"
    path = _write_csv(tmp_path / "review.csv", rows)
    assert _cli(["verdicts", "import", str(tmp_path / "a.db"), str(path), "--user", "Bob"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "review.csv row 2, column timely: value 'perhaps': not Y or N (leave it blank when not answered)"
    assert err[1] == "review.csv row 10, column record_ref: value 'INC-X0': not in any sample of this audit: no " \
                     "sampled incident record has this reference"
    assert len(err) == 22
    assert err[20] == "... and 5 more problems"
    assert err[21] == f"25 problems in {path}; nothing was imported"
    db = Database(tmp_path / "a.db")
    try:
        assert _history(db) == before and _bodies(db) == bodies
    finally:
        db.close()
    assert _cli(["verdicts", "import", str(tmp_path / "nowhere.db"), str(path), "--user", "Bob"]) == 1
    assert "no such file" in capsys.readouterr().err
