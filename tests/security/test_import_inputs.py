"""Imports lose nothing silently, and records that change under a verdict are said to have changed (issue 12).

- a workbook formula saved without its value (a file a program wrote and nobody opened in Excel) is not read as a
  blank: the extract import, the verdict import and the force's workbook refuse it naming its row and column;
- a NUL character, which the database would cut text short at, is refused with its row and column, in a CSV and
  in a workbook (whose XML cannot hold one: the cell where it breaks is named);
- UTF-16 text (with a byte-order mark, or without one) reads as the same values as UTF-8;
- re-importing an extract that changes a record already audited flags its audit item, says so (how many, which)
  and writes a hash-chained history row with the record's import digests before and after; `cdi verify` passes.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from cdi_workbench import sampling
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.challenges import HEADERS, ResponseError, export_for_force, import_responses
from cdi_workbench.cli import main
from cdi_workbench.importing import ImportFileError, check_file, import_file, preview_file
from cdi_workbench.storage.models import AuditItem, Challenge, ReportRecord, VerdictChange
from cdi_workbench.verdict_io import export_verdicts, read_verdicts
from tests.builders import small_audit
from tests.integration.test_import_support import INCIDENT_HEADERS, audit, snapshot, write_csv, write_xlsx

UNSAVED = "a formula with no saved value: open the file in Excel and save it, or paste values"


def incident(ref: str, narrative: str = "text", when: str = "01/03/2014 10:00") -> list[str]:
    return [ref, when, "ASB", "Advice", "Victim", "Somewhere", narrative, ""]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _rewrite(path: Path, change: dict[str, bytes]) -> None:
    parts = {**_parts(path), **change}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _set_dimension(path: Path, ref: str) -> None:
    parts = _parts(path)
    _rewrite(path, {n: re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), d)
                    for n, d in parts.items() if n.startswith("xl/worksheets/sheet")})


# ---- a formula with no saved value -------------------------------------------------------------------------------
def _saved(path: Path, cell: str, formula: str, value: str) -> None:
    """Give a formula cell the value Excel saves with it (t="str" for a text result; '' an empty text)."""
    sheet = _parts(path)["xl/worksheets/sheet1.xml"]
    sheet, n = re.subn(rf'<c r="{cell}"([^>]*)><f>{re.escape(formula)}</f><v\s*/></c>'.encode(),
                       rf'<c r="{cell}"\1 t="str"><f>{formula}</f><v>{value}</v></c>'.encode(), sheet)
    assert n == 1
    _rewrite(path, {"xl/worksheets/sheet1.xml": sheet})


def test_an_extract_formula_without_its_value_is_refused_by_row_and_column(tmp_path: Path) -> None:
    db = audit(tmp_path / "a.db")
    path = write_xlsx(tmp_path / "storm.xlsx", INCIDENT_HEADERS,
                      [incident("INC-1", narrative="=A1"), incident("INC-2", narrative='=CONCAT("Caller ", "reports")'),
                       incident("INC-3", narrative="=B1")])
    assert b"<f>" in _parts(path)["xl/worksheets/sheet1.xml"]  # openpyxl saves the formula and no value
    _saved(path, "G2", "A1", "saved text")  # what Excel saves: the value is read
    _saved(path, "G4", "B1", "")  # an empty text result is a value too (blank)
    before = snapshot(db)
    r = import_file(db, path, "incidents")
    assert not r.committed and r.rejected == 1 and r.problem_count == 1
    p = r.problems[0]
    assert (p.file, p.row, p.column, p.value, p.problem) == ("storm.xlsx", 3, "narrative",
                                                              '=CONCAT("Caller ", "reports")', UNSAVED)
    assert snapshot(db) == before  # nothing stored
    assert check_file(path, "incidents").problems == r.problems
    assert preview_file(path, "incidents").rows[1].problems[0].problem == UNSAVED
    # with a rejects file the other rows go in; the formula row is kept, formula and all, in the rejects
    rejects = tmp_path / "rejected.csv"
    r = import_file(db, path, "incidents", rejects=rejects)
    assert r.committed and (r.added, r.rejected) == (2, 1)
    assert "=CONCAT" in rejects.read_text(encoding="utf-8-sig")
    with db.session() as s:
        assert s.execute(select(ReportRecord.ref, ReportRecord.narrative).order_by(ReportRecord.ref)).all() == [
            ("INC-1", "saved text"), ("INC-3", "")]
    db.close()


def test_a_formula_in_a_reference_or_date_column_is_one_problem(tmp_path: Path) -> None:
    db = audit(tmp_path / "a.db")
    path = write_xlsx(tmp_path / "storm.xlsx", INCIDENT_HEADERS, [["=A1", "=TODAY()", "", "", "", "", "x", ""]])
    r = import_file(db, path, "incidents")
    assert [(p.row, p.column, p.value, p.problem) for p in r.problems] == [
        (2, "incident_ref", "=A1", UNSAVED), (2, "received_at", "=TODAY()", UNSAVED)]  # not 'missing reference'
    db.close()


def test_a_formula_header_is_refused(tmp_path: Path) -> None:
    db = audit(tmp_path / "a.db")
    path = write_xlsx(tmp_path / "storm.xlsx", [*INCIDENT_HEADERS[:-1], '="crime"&"_refs"'], [incident("INC-1")])
    with pytest.raises(ImportFileError, match=r"storm\.xlsx, row 1, column H: a formula with no saved value"):
        import_file(db, path, "incidents")
    db.close()


def _audited(path: Path):  # noqa: ANN202
    db = small_audit(path)
    svc = AuditService(db, "Inspector A")
    rows = {r.ref: r.item_id for r in svc.queue(1)}
    svc.save_verdict(rows["INC-0001"], VerdictBody(crimes=[CrimeFinding(expected_code="8N", crime_id=1, crime_ref="CR-1"),
                                                           CrimeFinding(expected_code="58A", crime_id=2, crime_ref="CR-2")],
                                                   complete=True))
    svc.save_verdict(rows["INC-0002"], VerdictBody(crimes=[CrimeFinding(
        expected_code="8L", not_recorded_reason="Victim not believed")], rationale="Threat to kill ignored",
        complete=True))
    return db


def test_a_verdicts_workbook_formula_without_its_value_is_refused(tmp_path: Path) -> None:
    """And the rows past a wrong <dimension> are read (the formula sits beyond what 'A1:A1' claims)."""
    db = _audited(tmp_path / "a.db")
    path = tmp_path / "verdicts.xlsx"
    export_verdicts(db, path, "Inspector A")
    wb = openpyxl.load_workbook(path)
    ws = wb["Verdicts"]
    column = [c.value for c in ws[1]].index("rationale") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, column).value == "Threat to kill ignored")
    ws.cell(row, column).value = '=UPPER("threat to kill ignored")'
    wb.save(path)
    _set_dimension(path, "A1:A1")
    plan = read_verdicts(db, path)
    assert not plan.ok
    found = [p for p in plan.problems if p.problem == UNSAVED]
    assert [(p.row, p.column, p.value) for p in found] == [(row, "rationale", '=UPPER("threat to kill ignored")')]
    db.close()


def test_a_force_workbook_formula_without_its_value_is_refused(tmp_path: Path) -> None:
    db = _audited(tmp_path / "a.db")
    out = tmp_path / "for force.xlsx"
    export_for_force(db, out)
    wb = openpyxl.load_workbook(out)
    ws = wb["Failed records"]
    rows = {ws.cell(r, 8).value: r for r in range(3, ws.max_row + 1)}
    ws.cell(rows["recorded outside 72 hours"], 9).value = "agree"
    ws.cell(rows["not recorded"], 9).value = '=IF(TRUE,"challenge","agree")'  # no value saved: no answer at all
    ws.cell(rows["not recorded"], 10).value = "The caller withdrew"
    wb.save(out)
    with pytest.raises(ResponseError) as err:
        import_responses(db, out)
    assert err.value.problems == [f"for force.xlsx row {rows['not recorded']}, column '{HEADERS[8]}': value "
                                  f"'=IF(TRUE,\"challenge\",\"agree\")': {UNSAVED}"]
    with db.session() as s:
        assert s.query(Challenge).count() == 0
    db.close()


# ---- NUL characters --------------------------------------------------------------------------------------------
NUL_PROBLEM = "a NUL character (byte 0)"


def test_a_nul_in_a_csv_narrative_is_refused_by_row_and_column(tmp_path: Path) -> None:
    db = audit(tmp_path / "a.db")
    path = write_csv(tmp_path / "storm.csv", INCIDENT_HEADERS,
                     [incident("INC-1"), incident("INC-2", narrative="Caller\x00 reports a theft"), incident("INC-3")])
    assert b"\x00" in path.read_bytes()
    before = snapshot(db)
    r = import_file(db, path, "incidents")
    assert not r.committed and r.problem_count == 1
    p = r.problems[0]
    assert (p.row, p.column, p.value) == (3, "narrative", "Caller\x00 reports a theft")
    assert p.problem.startswith(NUL_PROBLEM)
    assert snapshot(db) == before
    db.close()


def test_a_nul_in_a_csv_verdicts_file_is_refused(tmp_path: Path) -> None:
    db = _audited(tmp_path / "a.db")
    path = tmp_path / "verdicts.csv"
    export_verdicts(db, path, "Inspector A")
    text = path.read_text(encoding="utf-8-sig").replace("Threat to kill ignored", "Threat to\x00kill ignored")
    path.write_text(text, encoding="utf-8-sig")
    plan = read_verdicts(db, path)
    found = [p for p in plan.problems if p.problem.startswith(NUL_PROBLEM)]
    assert not plan.ok and [(p.column, p.row > 1) for p in found] == [("rationale", True)]
    db.close()


def _shared_strings(path: Path) -> None:
    """Turn the sheet's inline strings into shared strings, as Excel writes them."""
    parts = _parts(path)
    strings: list[bytes] = []

    def shared(m: re.Match[bytes]) -> bytes:
        strings.append(m.group(2))
        return m.group(1) + b' t="s"><v>' + str(len(strings) - 1).encode() + b"</v></c>"

    sheet = re.sub(rb'(<c r="[A-Z]+\d+"[^>]*?) t="inlineStr"><is><t>(.*?)</t></is></c>', shared,
                   parts["xl/worksheets/sheet1.xml"])
    sst = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
           b'2006/main">' + b"".join(b"<si><t>" + s + b"</t></si>" for s in strings) + b"</sst>")
    types = parts["[Content_Types].xml"].replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
                                                 b'ContentType="application/vnd.openxmlformats-officedocument.'
                                                 b'spreadsheetml.sharedStrings+xml"/></Types>')
    rels = parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", b'<Relationship Id="rIdSST" '
                                                       b'Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                                                       b'relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                                       b"</Relationships>")
    _rewrite(path, {"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": sst, "[Content_Types].xml": types,
                    "xl/_rels/workbook.xml.rels": rels})


@pytest.mark.parametrize("nul", [b"\x00", b"&#0;", b"&#x0;"])
@pytest.mark.parametrize("strings", ["inline", "shared"])
def test_a_nul_in_a_workbook_narrative_is_refused_by_row_and_column(tmp_path: Path, nul: bytes,
                                                                     strings: str) -> None:
    db = audit(tmp_path / "a.db")
    path = write_xlsx(tmp_path / "storm.xlsx", INCIDENT_HEADERS,
                      [incident("INC-1"), incident("INC-2"), incident("INC-3", narrative="Caller NULHERE reports")])
    if strings == "shared":
        _shared_strings(path)
    part = "xl/sharedStrings.xml" if strings == "shared" else "xl/worksheets/sheet1.xml"
    _rewrite(path, {part: _parts(path)[part].replace(b"NULHERE", nul)})
    before = snapshot(db)
    with pytest.raises(ImportFileError) as err:
        import_file(db, path, "incidents")
    where = "column 'narrative'" if strings == "inline" else "column G"  # shared strings break before the header
    assert f"storm.xlsx, row 4, {where}: {NUL_PROBLEM}" in str(err.value)
    assert snapshot(db) == before
    db.close()


# ---- UTF-16 ------------------------------------------------------------------------------------------------------
ROWS = [incident("INC-1", narrative="Caller says “get out” – café, £20\nsecond line"),
        incident("INC-2", narrative="Ünïcödé ✓ 𝄞"), incident("INC-3")]


def _stored(db) -> list[tuple]:  # noqa: ANN001
    with db.session() as s:
        return [(r.ref, r.received_at, r.opening_code, r.location, r.narrative)
                for r in s.scalars(select(ReportRecord).order_by(ReportRecord.ref))]


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                           ("utf-16-be", b""), ("utf-16-le", b"")])
def test_a_utf16_extract_imports_as_utf8_does(tmp_path: Path, encoding: str, bom: bytes) -> None:
    utf8 = audit(tmp_path / "utf8.db")
    r8 = import_file(utf8, write_csv(tmp_path / "utf8.csv", INCIDENT_HEADERS, ROWS), "incidents")
    text = (tmp_path / "utf8.csv").read_text(encoding="utf-8")
    path = tmp_path / "utf16.csv"
    path.write_bytes(bom + text.encode(encoding))
    db = audit(tmp_path / "utf16.db")
    r = import_file(db, path, "incidents")
    assert r.committed and (r.added, r.rejected) == (r8.added, 0) == (3, 0), r.problems
    assert _stored(db) == _stored(utf8)
    assert _stored(db)[0][4] == "Caller says “get out” – café, £20\nsecond line"
    assert preview_file(path, "incidents").encoding.startswith("utf-16")
    db.close()
    utf8.close()


# ---- records that change under a verdict ------------------------------------------------------------------------
def _hashes(db) -> dict[str, str]:  # noqa: ANN001
    with db.session() as s:
        return dict(s.execute(select(ReportRecord.ref, ReportRecord.import_hash)).tuples().all())


def test_reimport_changing_an_audited_record_flags_it_says_so_and_writes_the_trail(
        db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = audit(db_target)
    rows = [incident(f"INC-{n}") for n in range(1, 11)]
    assert import_file(db, write_csv(tmp_path / "v1.csv", INCIDENT_HEADERS, rows), "incidents", user="A").added == 10
    with db.session() as s:
        smp = sampling.draw(s, "Incidents", "incident", 10, seed=7)
        sample_id = smp.id
    svc = AuditService(db, "Inspector A")
    items = {r.ref: r.item_id for r in svc.queue(sample_id)}
    svc.save_verdict(items["INC-3"], VerdictBody(zero_status=True, complete=True))
    with db.session() as s:
        position = s.get(AuditItem, items["INC-3"]).position
    old = _hashes(db)
    rows[2] = incident("INC-3", narrative="text, and a disclosure of assault added after the audit")
    rows[4] = incident("INC-5", narrative="changed too, but nobody has audited it")
    v2 = write_csv(tmp_path / "v2.csv", INCIDENT_HEADERS, rows)

    dry = import_file(db, v2, "incidents", user="B", dry_run=True)
    assert [str(c) for c in dry.audited] == [f"Incidents #{position} INC-3"]
    assert "would change" in dry.notes[0]
    with db.session() as s:
        assert not s.get(AuditItem, items["INC-3"]).flagged  # a dry run writes nothing

    r = import_file(db, v2, "incidents", user="B")
    new = _hashes(db)
    assert (r.changed, r.unchanged) == (2, 8)
    assert [(c.sample, c.position, c.ref, c.old_digest, c.new_digest) for c in r.audited] == [
        ("Incidents", position, "INC-3", old["INC-3"], new["INC-3"])]
    assert old["INC-3"] != new["INC-3"]
    assert r.notes[0].startswith("1 record already audited changed: ") and f"Incidents #{position} INC-3" in r.notes[0]
    with db.session() as s:
        flagged = {i.id: (i.flagged, i.flag_note) for i in s.scalars(select(AuditItem))}
        trail = list(s.scalars(select(VerdictChange).where(VerdictChange.action == "record changed")))
    assert flagged[items["INC-3"]][0] and "changed this record on" in flagged[items["INC-3"]][1]
    assert "after it was audited: look again" in flagged[items["INC-3"]][1]
    assert not flagged[items["INC-5"]][0]  # changed, but no verdict on it
    assert len(trail) == 1
    row = trail[0]
    assert row.item_id == items["INC-3"] and row.who == "B" and row.hash
    assert row.old_body["import_hash"] == old["INC-3"] and row.new_body["import_hash"] == new["INC-3"]
    assert row.new_body["record"]["ref"] == "INC-3" and row.new_body["flagged"] is True
    db.close()
    assert main(["verify", db_target]) == 0
    capsys.readouterr()

    # the command line says so too (a third version changes the record again)
    rows[2] = incident("INC-3", narrative="changed once more")
    assert main(["import", db_target, "incidents", str(write_csv(tmp_path / "v3.csv", INCIDENT_HEADERS, rows)),
                 "--user", "C"]) == 0
    out = capsys.readouterr().out
    assert "1 record already audited changed" in out and f"Incidents #{position} INC-3" in out
    assert main(["verify", db_target]) == 0
