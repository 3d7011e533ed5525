"""The trail's anchor (issue 12): a history rewritten, cut or wiped, and every stored fact a figure or a filter reads
edited outside the application, are caught by `cdi verify` (against the head an issued report carries, where only
that can show it).

An audit is built through the workbench (extracts imported, a sample drawn, verdicts saved), a findings JSON
report written (the anchor), and more verdicts saved after it. Then, in a copy of the database (a SQLite file; a
fresh PostgreSQL database when CDI_TEST_PG_URL is set, tampered with as the tables' owner, who may switch the
history's append-only trigger off), an insider changes something. `cdi verify DB --against REPORT.json` must exit
non-zero naming what; where the change is visible without the anchor, plain `cdi verify DB` must too.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Connection, select
from sqlalchemy import text as sql_text

from cdi_workbench import sampling
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.audit.trail import seal_unsealed, trail_head
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.findings import compute
from cdi_workbench.importing import import_file
from cdi_workbench.storage.content import fill
from cdi_workbench.storage.database import Database, make_engine
from cdi_workbench.storage.models import AuditItem, CrimeRecord, ReportRecord, Verdict
from tests.conftest import PG_URL, _pg_database

AUDITOR = "Alice Auditor"
LATE = "Lena Late"

INCIDENTS = """incident_ref,received_at,narrative,crime_refs
I-01,01/03/2014 10:00,Caller says her partner hit her,C-01
I-02,02/03/2014 10:00,Neighbour heard threats to kill,
I-03,03/03/2014 10:00,Lost wallet,
I-04,04/03/2014 10:00,Shed broken into,C-04
I-05,05/03/2014 10:00,Car window smashed,C-05
I-06,06/03/2014 10:00,Noise complaint,
I-07,07/03/2014 10:00,Bike stolen from garden,C-07
I-08,08/03/2014 10:00,Youths shouting,
"""
CRIMES = """crime_ref,recorded_at,reported_at,ho_code,offence,source_ref
C-01,04/03/2014 10:00,01/03/2014 10:00,8N,Assault with injury,I-01
C-04,04/03/2014 12:00,04/03/2014 10:00,30B,Burglary,I-04
C-05,05/03/2014 12:00,05/03/2014 10:00,58C,Criminal damage to a vehicle,I-05
C-07,07/03/2014 12:00,07/03/2014 10:00,45,Theft of a pedal cycle,I-07
"""


def _build(target: str, folder: Path) -> Path:
    """The audit, its report (returned) and the verdicts saved after the report."""
    db = init_audit(target, "Testshire Police", date(2014, 1, 1), date(2014, 12, 31), "2015", "builder")
    try:
        (folder / "incidents.csv").write_text(INCIDENTS, encoding="utf-8")
        (folder / "crimes.csv").write_text(CRIMES, encoding="utf-8")
        for name, kind in (("incidents.csv", "incidents"), ("crimes.csv", "crimes")):
            assert import_file(db, folder / name, kind, user=AUDITOR).committed
        with db.session() as s:
            sampling.draw(s, "Incidents", "incident", 8, seed=7, who=AUDITOR)
        svc = AuditService(db, AUDITOR)
        with db.session() as s:
            items = {r: i for i, r in s.execute(select(AuditItem.id, ReportRecord.ref).join(
                ReportRecord, ReportRecord.id == AuditItem.record_id))}
            crimes = dict(s.execute(select(CrimeRecord.ref, CrimeRecord.id)).tuples().all())
        late = VerdictBody(crimes=[CrimeFinding(expected_code="8N", crime_id=crimes["C-01"], crime_ref="C-01")],
                           complete=True)  # recorded three days after the report: late
        missed = VerdictBody(crimes=[CrimeFinding(expected_code="8L", not_recorded_reason="Crime not identified")],
                             complete=True)
        on_time = VerdictBody(crimes=[CrimeFinding(expected_code="30B", crime_id=crimes["C-04"], crime_ref="C-04")],
                              complete=True)
        svc.save_verdict(items["I-01"], late)
        svc.save_verdict(items["I-02"], missed)
        svc.save_verdict(items["I-03"], VerdictBody(zero_status=True, complete=True))
        svc.save_verdict(items["I-04"], on_time)
        svc.save_verdict(items["I-06"], VerdictBody(zero_status=True, rationale="half done"))
        report = folder / "findings.json"
        from cdi_workbench.reports import write_json

        write_json(compute(db), report)
        AuditService(db, LATE).save_verdict(items["I-07"], VerdictBody(zero_status=True, complete=True))
        AuditService(db, LATE).save_verdict(items["I-08"], VerdictBody(zero_status=True, complete=True))
    finally:
        db.close()
    return report


@dataclass
class Built:
    target: str  # the database tampered with: a SQLite file (a copy) or a PostgreSQL URL
    report: Path  # the findings JSON written before the last two verdicts

    def tamper(self, *sql: str, rechain: bool = False, after: Callable[[Connection], None] | None = None) -> None:
        """Run SQL on the database as its owner would (outside the workbench): on PostgreSQL the history's
        append-only trigger switched off first; `after` then runs on the same connection, and with `rechain` every
        history digest is worked out again with the workbench's own function (a rewrite leaving the chain whole)."""
        engine = make_engine(self.target)
        try:
            with engine.begin() as conn:
                pg = conn.dialect.name == "postgresql"
                if pg:
                    conn.exec_driver_sql("ALTER TABLE verdict_change DISABLE TRIGGER USER")
                for statement in sql:
                    conn.exec_driver_sql(statement)
                if after is not None:
                    after(conn)
                if rechain:
                    conn.exec_driver_sql("UPDATE verdict_change SET prev_hash = NULL, hash = NULL")
                    seal_unsealed(conn)
                if pg:
                    conn.exec_driver_sql("ALTER TABLE verdict_change ENABLE TRIGGER USER")
        finally:
            engine.dispose()

    def verify(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
        code = main(["verify", self.target, *args])
        out = capsys.readouterr()
        return code, out.out + out.err

    def against(self, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
        return self.verify(capsys, "--against", str(self.report))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("anchored")
    report = _build(str(folder / "audit.db"), folder)
    return folder / "audit.db", report


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def built(request: pytest.FixtureRequest, template: tuple[Path, Path], tmp_path: Path) -> Iterator[Built]:
    if request.param == "sqlite":
        copy = tmp_path / "audit.db"
        shutil.copyfile(template[0], copy)
        yield Built(str(copy), template[1])
        return
    if not PG_URL:
        pytest.skip("no PostgreSQL server: set CDI_TEST_PG_URL to run the server tests")
    for url in _pg_database():
        yield Built(url, _build(url, tmp_path))


def _first_verdict_item(b: Built, ref: str) -> int:
    db = Database(b.target)
    try:
        with db.session() as s:
            return s.scalar(select(AuditItem.id).join(ReportRecord, ReportRecord.id == AuditItem.record_id)
                            .where(ReportRecord.ref == ref)) or 0
    finally:
        db.close()


# ---- intact -----------------------------------------------------------------------------------------------------
def test_an_untouched_audit_verifies_against_its_report(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = built.verify(capsys)
    assert code == 0, text
    assert "the audit trail is intact" in text
    db = Database(built.target)
    rows, head = trail_head(db)
    db.close()
    assert f"trail head {rows:,} rows, head {head}" in text  # verify prints the head
    anchor = json.loads(built.report.read_text(encoding="utf-8"))["audit"]["trail"]
    assert anchor["rows"] < rows  # the report is older than the last two verdicts
    code, text = built.against(capsys)
    assert code == 0, text
    assert "the history issued then is intact" in text and f"{rows - anchor['rows']:,} added since" in text
    code, text = built.verify(capsys, "--against", f"{anchor['head']}:{anchor['rows']}")
    assert code == 0 and "intact" in text, text


def test_a_head_that_was_never_issued_fails(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    anchor = json.loads(built.report.read_text(encoding="utf-8"))["audit"]["trail"]
    code, text = built.verify(capsys, "--against", f"{'ab' * 32}:{anchor['rows']}")
    assert code == 1 and "rewritten" in text, text
    code, text = built.verify(capsys, "--against", "not-a-head")
    assert code == 2 and "HASH:COUNT" in text, text


# ---- the history rewritten, cut or wiped: only the anchor shows it -----------------------------------------------
def test_the_whole_chain_rewritten_with_the_projects_digest(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    """The late crime credited to another auditor, in the verdict and in its history, every digest worked out
    again: the chain is whole and every fact agrees with it, but the history issued is not the one there now."""
    item = _first_verdict_item(built, "I-01")
    built.tamper(f"UPDATE verdict SET auditor = 'Someone Else' WHERE item_id = {item}",
                 f"UPDATE verdict_change SET who = 'Someone Else' WHERE item_id = {item}", rechain=True)
    assert built.verify(capsys)[0] == 0  # a consistent rewrite: nothing kept beside the data can show it
    code, text = built.against(capsys)
    assert code == 1
    assert "no longer chain to the head issued" in text and "rewritten" in text, text


def test_the_last_rows_cut_with_their_verdicts(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    """The last five history rows gone, and the verdicts they were the only record of: the chain up to the cut is
    whole and each verdict left agrees with it, so only the anchor shows what went."""
    def cut(conn: Connection) -> None:
        ids = [r for (r,) in conn.exec_driver_sql("SELECT id FROM verdict_change ORDER BY id DESC LIMIT 5")]
        items = [i for (i,) in conn.exec_driver_sql(
            f"SELECT DISTINCT item_id FROM verdict_change WHERE id IN ({', '.join(map(str, ids))})")]
        conn.exec_driver_sql(f"DELETE FROM verdict_change WHERE id IN ({', '.join(map(str, ids))})")
        conn.exec_driver_sql(f"DELETE FROM verdict WHERE item_id IN ({', '.join(map(str, items))})")
        for item in items:  # a verdict with history left before the cut is put back as the history last has it
            conn.exec_driver_sql(f"DELETE FROM verdict_change WHERE item_id = {item}")
    built.tamper(after=cut, rechain=True)
    assert built.verify(capsys)[0] == 0
    code, text = built.against(capsys)
    assert code == 1 and "rows were cut" in text, text


def test_every_verdict_and_the_whole_trail_wiped(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    built.tamper("DELETE FROM verdict", "DELETE FROM verdict_change")
    code, text = built.verify(capsys)  # the samples are there with no history of being drawn
    assert code == 1 and "sample 'Incidents'" in text and "not in the history" in text, text
    code, text = built.against(capsys)
    assert code == 1 and "the whole history was wiped" in text, text


def test_everything_but_the_records_wiped(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    """Samples, verdicts and history all gone: the audit row left behind has no history of being made (its creation
    is in the trail since schema 0019), so plain verify faults it; against a report, the wipe is named."""
    built.tamper("DELETE FROM verdict", "DELETE FROM audit_item", "DELETE FROM sample", "DELETE FROM verdict_change")
    code, text = built.verify(capsys)
    assert code == 1 and "is not in the history" in text, text
    code, text = built.against(capsys)
    assert code == 1 and "wiped" in text, text


# ---- stored facts edited: plain `cdi verify` names them ----------------------------------------------------------
def _caught(b: Built, capsys: pytest.CaptureFixture[str], *says: str) -> None:
    for args in ((), ("--against", str(b.report))):
        code, text = b.verify(capsys, *args)
        assert code == 1, text
        for words in says:
            assert words in text, text


def test_an_audit_item_cascade_deleted(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    item = _first_verdict_item(built, "I-02")  # its verdict goes with it (ON DELETE CASCADE)
    built.tamper(f"DELETE FROM audit_item WHERE id = {item}")
    _caught(built, capsys, f"(item {item}, incident record", "is gone")


def test_an_unaudited_audit_item_deleted(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    item = _first_verdict_item(built, "I-05")  # no verdict: nothing but the sample says it was drawn
    built.tamper(f"DELETE FROM audit_item WHERE id = {item}")
    _caught(built, capsys, "sample 'Incidents' position", f"(item {item},", "removed outside the application")


def test_a_sample_item_pointed_at_another_record(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    item = _first_verdict_item(built, "I-02")
    db = Database(built.target)
    with db.session() as s:
        other = s.scalar(select(ReportRecord.id).where(ReportRecord.ref == "I-05"))
        was = s.scalar(select(AuditItem.record_id).where(AuditItem.id == item))
        position = s.scalar(select(AuditItem.position).where(AuditItem.id == item))
    db.close()
    built.tamper(f"UPDATE audit_item SET record_id = -1 WHERE id = {item}",  # the two items swap records
                 f"UPDATE audit_item SET record_id = {was} WHERE record_id = {other}",
                 f"UPDATE audit_item SET record_id = {other} WHERE id = {item}")
    _caught(built, capsys, f"position {position}: points at incident record {other} where incident record {was} "
                           "was drawn")


def test_a_narrative_edited(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    built.tamper("UPDATE report_record SET narrative = 'Nothing of note' WHERE ref = 'I-02'")
    _caught(built, capsys, "(I-02) does not hold what its content digest says")


def test_a_narrative_edited_with_its_digest_worked_out_again(built: Built,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The record's own digest recomputed with the project's function: the table no longer matches the digest
    the last import wrote to the history."""
    built.tamper("UPDATE report_record SET narrative = 'Nothing of note', content_hash = NULL WHERE ref = 'I-02'",
                 after=lambda conn: fill(conn, "report_record"))
    _caught(built, capsys, "the incident and referral records are not those the history last records")


def test_a_narrative_edited_and_the_history_rewritten_to_match(built: Built,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Digests, the import's 'records' row and the whole chain worked out again: only the anchor shows it."""
    def rewrite(conn: Connection) -> None:
        from cdi_workbench.storage.content import table_state

        fill(conn, "report_record")
        body = json.dumps(table_state(conn, "report_record"))
        if conn.dialect.name == "postgresql":
            conn.execute(sql_text("UPDATE verdict_change SET new_body = CAST(:b AS json) WHERE action = 'records' "
                              "AND CAST(new_body AS text) LIKE '%report_record%'"), {"b": body})
        else:
            conn.execute(sql_text("UPDATE verdict_change SET new_body = :b WHERE action = 'records' "
                              "AND new_body LIKE '%report_record%'"), {"b": body})
    built.tamper("UPDATE report_record SET narrative = 'Nothing of note', content_hash = NULL WHERE ref = 'I-02'",
                 after=rewrite, rechain=True)
    assert built.verify(capsys)[0] == 0
    code, text = built.against(capsys)
    assert code == 1 and "rewritten" in text, text


def test_a_crime_records_code_edited(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    """A linked crime recoded so that the late crime reads as misclassified too: its record is caught, and so are
    the stored counts, which no longer agree with the answers worked out on today's record."""
    built.tamper("UPDATE crime_record SET ho_code = '105A' WHERE ref = 'C-01'")
    _caught(built, capsys, "crime record", "(C-01) does not hold what its content digest says")


@pytest.mark.parametrize("column, value, says", [
    ("auditor", "'Someone Else'", "is credited to 'Someone Else' where its history"),
    ("complete", "FALSE", "is marked not complete where its answers say otherwise"),
    ("n_failed_checks", "3", "n_failed_checks 3 (its answers give 0)"),
    ("n_late", "0", "n_late 0 (its answers give 1)"),
])
def test_a_verdicts_stored_facts_edited(built: Built, capsys: pytest.CaptureFixture[str], column: str, value: str,
                                        says: str) -> None:
    """What the by-auditor figures and the queue's filters read: the Failed filter counts n_* > 0."""
    item = _first_verdict_item(built, "I-01")
    built.tamper(f"UPDATE verdict SET {column} = {value} WHERE item_id = {item}")
    _caught(built, capsys, f"verdict on item {item}", says)


def test_the_failed_filter_emptied(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    """Every stored count zeroed: the Failed filter shows nothing; verify names each verdict."""
    db = Database(built.target)
    with db.session() as s:
        failing = s.scalars(select(Verdict.item_id).where(
            (Verdict.n_late > 0) | (Verdict.n_recorded < Verdict.n_crimes))).all()
    db.close()
    assert len(failing) == 2
    built.tamper("UPDATE verdict SET n_crimes = 0, n_recorded = 0, n_late = 0, n_misclassified = 0, "
                 "n_failed_checks = 0")
    code, text = built.verify(capsys)
    assert code == 1
    assert all(f"verdict on item {i}" in text for i in failing), text


def test_a_crime_reimported_legitimately_is_no_false_alarm(built: Built, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The force's corrected extract records C-04 three days late: the import works out the counts of the verdict
    that reads it again (the Failed filter now holds it) and records the crime table's new digest: verify holds."""
    item = _first_verdict_item(built, "I-04")
    extract = tmp_path / "crimes-corrected.csv"
    extract.write_text(CRIMES.replace("C-04,04/03/2014 12:00", "C-04,07/03/2014 12:00"), encoding="utf-8")
    db = Database(built.target)
    try:
        result = import_file(db, extract, "crimes", user=AUDITOR)
        assert result.committed and result.changed == 1
        with db.session() as s:
            assert s.scalar(select(Verdict.n_late).where(Verdict.item_id == item)) == 1
    finally:
        db.close()
    code, text = built.verify(capsys)
    assert code == 0, text
    code, text = built.against(capsys)
    assert code == 0 and "the history issued then is intact" in text, text


def test_imported_digests_agree_with_what_verify_works_out(db_target: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Each record's digest as the importer works it out from the values it inserts (or once it has updated a row,
    `extra` merged key by key) is what verify works out from the stored row, whatever the types: dates, flags,
    ages, extra columns, on either engine."""
    db = init_audit(db_target, "Testshire Police", date(2014, 1, 1), date(2014, 12, 31), "2015", "builder")
    try:
        first = tmp_path / "c1.csv"
        first.write_text("crime_ref,recorded_at,ho_code,domestic_abuse,victim_age,Officer\n"
                         "X-1,01/03/2014 10:00,8N,yes,34,PC 1\nX-2,02/03/2014 11:30,30B,,,\n"
                         "X-3,03/07/2014 23:59,58C,no,7,PC \u00e9\n", encoding="utf-8")
        second = tmp_path / "c2.csv"  # X-1 changed, a new column for new
        second.write_text("crime_ref,recorded_at,ho_code,Squad\nX-1,01/03/2014 10:05,8N,A\n"
                          "X-2,02/03/2014 11:30,30B,B\nX-4,04/03/2014 09:00,45,\n", encoding="utf-8")
        for path in (first, second):
            assert import_file(db, path, "crimes", user=AUDITOR).committed
        with db.session() as s:
            assert all(len(d or "") == 32 for d in s.scalars(select(CrimeRecord.content_hash)))
    finally:
        db.close()
    code = main(["verify", db_target])
    out = capsys.readouterr()
    assert code == 0, out.err


# ---- reports and packages carry the head --------------------------------------------------------------------------
def test_every_report_and_a_package_carry_the_head(tmp_path: Path, template: tuple[Path, Path],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl
    from pypdf import PdfReader

    from cdi_workbench.packages.export import export_package
    from cdi_workbench.reports import write_pdf, write_xlsx

    path = tmp_path / "audit.db"
    shutil.copyfile(template[0], path)
    db = Database(path)
    try:
        findings = compute(db)
        rows, head = trail_head(db)
        assert findings.audit["trail"] == {"rows": rows, "head": head}
        wanted = f"{head}:{rows}"
        wb = openpyxl.load_workbook(write_xlsx(findings, tmp_path / "f.xlsx"))
        cells = [c.value for row in wb["Summary"].iter_rows() for c in row if isinstance(c.value, str)]
        assert any(wanted in c for c in cells)
        text = "".join((p.extract_text() or "") for p in PdfReader(write_pdf(findings, tmp_path / "f.pdf")).pages[:1])
        assert wanted in text.replace("\n", "").replace(" ", "") or head in text.replace("\n", "")
        package = export_package(db, "Incidents", tmp_path / "p.cdipkg", who=AUDITOR).path
    finally:
        db.close()
    code = main(["verify", str(path), "--against", str(package)])
    out = capsys.readouterr()
    assert code == 0 and "intact" in out.out, out
    assert main(["verify", str(package)]) == 0, capsys.readouterr()  # the package's own history holds too
    capsys.readouterr()
    engine = make_engine(path)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM verdict_change WHERE id = (SELECT MAX(id) FROM verdict_change "
                             "WHERE action = 'set')")
    engine.dispose()
    assert main(["verify", str(path), "--against", str(package)]) == 1
