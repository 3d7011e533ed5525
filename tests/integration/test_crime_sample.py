"""Crime records sampled (issue 14): classification and timeliness dip-samples of recorded crime, stratified by the
offence group of each record's Home Office code, drawn from the audit's period, audited through the checks table,
counted in a 'Crime records' table and its figures, exported and imported with the verdicts, and drawn by the CLI.

Every expected figure here is worked out in the test from the records and answers it made, not by the workbench."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from alembic import command
from pypdf import PdfReader
from sqlalchemy import select

from cdi_workbench import sampling
from cdi_workbench.audit import programme
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.challenges import failures
from cdi_workbench.cli import main
from cdi_workbench.draw_keys import draw_key, order_rank
from cdi_workbench.findings import compute
from cdi_workbench.findings_figures import figures
from cdi_workbench.reports import write_json, write_pdf, write_xlsx
from cdi_workbench.storage.database import Database, _alembic_config
from cdi_workbench.storage.models import AuditItem, CrimeRecord, Sample
from cdi_workbench.timeutil import uk_local
from cdi_workbench.verdict_io import export_verdicts, import_verdicts

# June 2015 (the audit): codes per offence group, as the force's system writes them ('008N' is 8N, violence)
JUNE = {"vap": (30, ("8N", "105A", "008N")), "other": (25, ("58A", "9A")), "sexual": (8, ("17A", "20A")),
        "rape": (5, ("19C", "19D"))}
LABELS = {"vap": "Violence against the person", "other": "All other offences (excluding fraud)",
          "sexual": "Sexual offences (excluding rape)", "rape": "Rape"}


def _crimes() -> list[CrimeRecord]:
    out = []
    n = 0
    for group, (count, codes) in JUNE.items():
        for i in range(count):
            n += 1
            day, hour = 1 + i % 28, 8 + i % 10
            late = i % 4 == 0  # a quarter recorded two days after the report
            reported = uk_local(2015, 6, day, hour)
            recorded = uk_local(2015, 6, min(day + (2 if late else 0), 30), hour + 3)
            out.append(CrimeRecord(ref=f"CR-{group}-{i:03d}", ho_code=codes[i % len(codes)], offence=f"{group} {i}",
                                   reported_at=reported, recorded_at=recorded, status="recorded"))
    # not in June's population: cancelled crimes (audited in cancellation dip-samples), May's and July's
    out += [CrimeRecord(ref=f"CR-cancelled-{i}", ho_code="8N", reported_at=uk_local(2015, 6, 3, 9),
                        recorded_at=uk_local(2015, 6, 3, 10), status="cancelled") for i in range(3)]
    out += [CrimeRecord(ref=f"CR-may-{i}", ho_code="19C", recorded_at=uk_local(2015, 5, 20 + i, 10)) for i in range(4)]
    out += [CrimeRecord(ref=f"CR-july-{i:02d}", ho_code="105A", reported_at=uk_local(2015, 7, 2 + i, 9),
                        recorded_at=uk_local(2015, 7, 2 + i, 10)) for i in range(10)]
    return out


def _audit(path: Path) -> Database:
    db = init_audit(path, "Testshire Police", date(2015, 6, 1), date(2015, 6, 30), "2015", "builder")
    with db.session() as s:
        s.add_all(_crimes())
    return db


def _group(code: str) -> str:
    """The offence group of the codes this test uses (written out here, not looked up)."""
    return {"8N": "vap", "105A": "vap", "008N": "vap", "58A": "other", "9A": "other", "17A": "sexual",
            "20A": "sexual", "19C": "rape", "19D": "rape"}[code]


def _drawn(db: Database, name: str) -> list[tuple[int, int, str, str, str, datetime | None, str]]:
    """(item id, record id, reference, code, stratum, recorded at, status) of a sample, in draw order."""
    with db.session() as s:
        sid = s.scalar(select(Sample.id).where(Sample.name == name))
        rows = s.execute(select(AuditItem.id, CrimeRecord.id, CrimeRecord.ref, CrimeRecord.ho_code, AuditItem.stratum,
                                CrimeRecord.recorded_at, CrimeRecord.status)
                         .join(CrimeRecord, CrimeRecord.id == AuditItem.record_id)
                         .where(AuditItem.sample_id == sid).order_by(AuditItem.position)).tuples().all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _june_refs_by_group() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for group, (count, _) in JUNE.items():
        out[group] = [f"CR-{group}-{i:03d}" for i in range(count)]
    return out


def test_a_dip_sample_of_20_per_offence_group_from_the_audit_period(tmp_path: Path) -> None:
    db = _audit(tmp_path / "a.db")
    try:
        with db.session() as s:
            assert sampling.population_counts(s, "crime", filters=sampling.within_period(
                sampling.Filters(), date(2015, 6, 1), date(2015, 6, 30))) == {
                "vap": 30, "sexual": 8, "rape": 5, "other": 25}
            smp = sampling.draw(s, "Crimes June", "crime", 0, seed=11, per_stratum=20)
            assert smp.kind == "crime"
            assert smp.frame["allocated"] == {"vap": 20, "sexual": 8, "rape": 5, "other": 20}
            assert smp.frame["population"] == {"vap": 30, "sexual": 8, "rape": 5, "other": 25}
            assert smp.method.startswith("fixed size per stratum")
        drawn = _drawn(db, "Crimes June")
        assert len(drawn) == 53
        assert Counter(r[4] for r in drawn) == {"vap": 20, "other": 20, "sexual": 8, "rape": 5}
        for _item, _rid, ref, code, stratum, recorded, status in drawn:
            assert stratum == _group(code)  # the stratum is the group of the record's own code
            assert recorded is not None and (recorded.year, recorded.month) == (2015, 6)  # the audit's period only
            assert status == "recorded" and not ref.startswith(("CR-may", "CR-july", "CR-cancelled"))
        # within each stratum, the records lowest in the seed's order (draw_keys, worked out here in Python)
        refs = _june_refs_by_group()
        for group in ("vap", "other"):
            expected = sorted(refs[group], key=lambda r: (*order_rank(11, r), r))[:20]
            assert {r[2] for r in drawn if r[4] == group} == set(expected)
        with db.session() as s:  # the same seed draws the same sample, in the same order
            sampling.draw(s, "Again", "crime", 0, seed=11, per_stratum=20)
            sampling.draw(s, "Other seed", "crime", 0, seed=12, per_stratum=20)
        assert [r[2] for r in _drawn(db, "Again")] == [r[2] for r in drawn]
        assert {r[2] for r in _drawn(db, "Other seed")} != {r[2] for r in drawn}
        with db.session() as s:  # extended: the next records of the same order, never one drawn, still June's
            assert sampling.extend(s, "Crimes June", 10) == 10
        extended = _drawn(db, "Crimes June")
        assert len({r[2] for r in extended}) == 63 and [r[2] for r in extended[:53]] == [r[2] for r in drawn]
        assert all(r[5] is not None and r[5].month == 6 and r[6] == "recorded" for r in extended)
        # only violence and other offences had records left (10 and 5): 10 shared in proportion, 7 and 3
        assert Counter(r[4] for r in extended[53:]) == {"vap": 7, "other": 3}
    finally:
        db.close()


def test_proportional_allocation_and_another_audit_of_the_programme(tmp_path: Path) -> None:
    db = _audit(tmp_path / "a.db")
    try:
        with db.session() as s:
            sampling.draw(s, "Proportional", "crime", 20, seed=3, stratify=True)
        # 68 records: 20 x 30/68 = 8.82, x 25/68 = 7.35, x 8/68 = 2.35, x 5/68 = 1.47: 8 7 2 1, and the two largest
        # remainders (violence .82, rape .47) take one more each
        assert Counter(r[4] for r in _drawn(db, "Proportional")) == {"vap": 9, "other": 7, "sexual": 2, "rape": 2}
        programme.create(db, "2015-07", date(2015, 7, 1), date(2015, 7, 31), "2015", "builder")
        with db.session() as s:
            smp = sampling.draw(s, "July", "crime", 0, seed=3, per_stratum=20, audit="2015-07")
            assert smp.frame["audit"] == "2015-07" and smp.frame["population"] == {"vap": 10}
            with pytest.raises(ValueError, match="no crime records"):
                sampling.draw(s, "Never", "crime", 5, seed=3, filters=sampling.Filters(ho_code="19C"),
                              audit="2015-07")
        assert sorted(r[2] for r in _drawn(db, "July")) == [f"CR-july-{i:02d}" for i in range(10)]
        with db.session() as s:  # a Home Office code filter: the records of that code only ('008N' is 8N)
            smp = sampling.draw(s, "8N only", "crime", 100, seed=3, filters=sampling.Filters(ho_code="8N"),
                                audit="2015-06")
        assert {r[3] for r in _drawn(db, "8N only")} == {"8N", "008N"}
        assert len(_drawn(db, "8N only")) == 20  # i % 3 in (0, 2) of 30
    finally:
        db.close()


ANSWERS = {  # by position in the draw: (code correct, recorded in time), a pattern the test counts itself
    0: (True, True), 1: (True, False), 2: (False, True), 3: (False, False), 4: (True, None)}


def _audited(tmp_path: Path) -> tuple[Database, list[tuple[int, int, str, str, str, datetime | None, str]]]:
    db = _audit(tmp_path / "a.db")
    with db.session() as s:
        sampling.draw(s, "Crimes June", "crime", 0, seed=11, per_stratum=6)
    drawn = _drawn(db, "Crimes June")
    svc = AuditService(db, "Inspector A")
    for n, (item, *_rest) in enumerate(drawn):
        code_ok, in_time = ANSWERS[n % 5]
        checks = {"code_correct": code_ok}
        if in_time is not None:
            checks["recorded_in_time"] = in_time
        # the last record is left in progress: not counted
        svc.save_verdict(item, VerdictBody(checks=checks, complete=in_time is not None and n != len(drawn) - 1,
                                           rationale=f"record {n}"))
    return db, drawn


def _expected(drawn: list[tuple[int, int, str, str, str, datetime | None, str]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for n, (_item, _rid, _ref, code, _stratum, _at, _st) in enumerate(drawn):
        code_ok, in_time = ANSWERS[n % 5]
        if in_time is None or n == len(drawn) - 1:
            continue
        row = out.setdefault(LABELS[_group(code)], [0, 0, 0])
        row[0] += 1
        row[1] += code_ok
        row[2] += in_time
    return out


def test_verdicts_count_into_the_crime_records_table_and_figures(tmp_path: Path) -> None:
    db, drawn = _audited(tmp_path)
    try:
        expected = _expected(drawn)
        f = compute(db)
        table = f.table("crime_records")
        assert table.title == "Crime records"
        assert table.columns == ["Reviewed", "Correctly classified", "In time"]
        got = {r.label: [c.value for c in r.cells] for r in table.rows}
        total = got.pop("Total")
        assert got == expected
        assert total == [sum(v[i] for v in expected.values()) for i in range(3)]
        order = ["Violence against the person", "Sexual offences (excluding rape)", "Rape",
                 "All other offences (excluding fraud)"]  # the reports' order of the groups
        assert list(got) == [lab for lab in order if lab in got]
        # a failed check is a failure the force can answer, named as the force's workbook names it
        names = Counter(fl.failure for fl in failures(f) if fl.kind == "crime")
        wrong = sum(v[0] - v[1] for v in expected.values())
        late = sum(v[0] - v[2] for v in expected.values())
        assert names == {"wrongly classified": wrong, "recorded outside the time limit": late}
        fig = figures(f)["crime_records"]
        assert fig["total"] == dict(zip(["reviewed", "correctly_classified", "in_time"], total, strict=True))
        keys = {v: k for k, v in LABELS.items()}
        assert fig["by_group"] == {keys[label]: dict(zip(["reviewed", "correctly_classified", "in_time"], v,
                                                         strict=True)) for label, v in expected.items()}
        rows = [r for r in f.verdicts if r["kind"] == "crime"]
        assert len(rows) == sum(v[0] for v in expected.values())
        assert {r["record_ref"] for r in rows} <= {d[2] for d in drawn}

        path = write_json(f, tmp_path / "f.json")
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        assert doc["figures"]["crime_records"]["total"]["reviewed"] == total[0]
        assert any(t["key"] == "crime_records" for t in doc["tables"])

        xlsx = write_xlsx(f, tmp_path / "f.xlsx")
        wb = openpyxl.load_workbook(xlsx)
        found = []
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells = [c for c in row if c is not None]
                if cells and cells[0] == "Total" and found and found[-1] == "title":
                    found.append(cells)
                if "Crime records" in cells:
                    found.append("title")
        assert "title" in found
        # the table's numbers as numbers: the group rows and the total in the sheet that names the table
        values = [[c for c in row if c is not None] for ws in wb.worksheets for row in ws.iter_rows(values_only=True)]
        for label, counts in expected.items():
            assert [label, *counts] in values
        assert ["Total", *total] in values

        pdf = write_pdf(f, tmp_path / "f.pdf")
        text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
        assert "Crime records" in text and "Correctly classified" in text and "In time" in text
        vap = expected["Violence against the person"]
        assert f"Violence against the person {vap[0]} {vap[1]} {vap[2]}" in " ".join(text.split())
    finally:
        db.close()


def test_no_crime_sample_no_table_and_zero_figures(tmp_path: Path) -> None:
    db = _audit(tmp_path / "a.db")
    try:
        f = compute(db)
        assert "crime_records" not in {t.key for t in f.tables}
        assert figures(f)["crime_records"] == {"total": {"reviewed": 0, "correctly_classified": 0, "in_time": 0},
                                               "by_group": {}}
    finally:
        db.close()


def test_a_crime_verdict_goes_out_and_comes_back_in(tmp_path: Path) -> None:
    db, drawn = _audited(tmp_path)
    try:
        out = tmp_path / "verdicts.csv"
        export_verdicts(db, out, "Inspector A")
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        first = next(r for r in rows if r["kind"] == "crime" and r["record_ref"] == drawn[0][2])
        assert (first["code_correct"], first["recorded_in_time"], first["crime_no"]) == ("Y", "Y", "0")
        assert first["rationale"] == "record 0"
        # the reviewer's spreadsheet changes one answer; importing it stores it
        first["code_correct"] = "N"
        changed = tmp_path / "changed.csv"
        with changed.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        result = import_verdicts(db, changed, "Inspector B")
        assert result is not None
        body = AuditService(db, "Inspector A").verdict(drawn[0][0])
        assert body.checks == {"code_correct": False, "recorded_in_time": True} and body.complete
        again = tmp_path / "again.csv"
        export_verdicts(db, again, "Inspector A")
        back = {r["record_ref"]: r for r in csv.DictReader(io.StringIO(again.read_text(encoding="utf-8-sig")))
                if r["kind"] == "crime"}
        assert back[drawn[0][2]]["code_correct"] == "N"
        assert back[drawn[1][2]]["recorded_in_time"] == "N"
        # a crime record's check on a disposal's row, or a disposal's check on a crime record's row, is refused
        bad = tmp_path / "bad.csv"
        rows[0]["offender_suitable"] = "Y" if "offender_suitable" in rows[0] else ""
        with bad.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        from cdi_workbench.verdict_io import VerdictImportError

        with pytest.raises(VerdictImportError, match="offender_suitable"):
            import_verdicts(db, bad, "Inspector B")
    finally:
        db.close()


def test_cli_draws_a_crime_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.db"
    _audit(path).close()
    assert main(["sample", str(path), "--kind", "crimes", "--per-stratum", "20", "--seed", "5", "--name", "Dip"]) == 0
    out = capsys.readouterr().out
    assert "Drew 'Dip': 53 crime records, seed 5" in out
    assert "  vap: 20 of 30" in out and "  rape: 5 of 5" in out
    assert main(["sample", str(path), "--kind", "crimes", "--size", "20", "--stratify", "offence-group",
                 "--seed", "3", "--name", "Prop"]) == 0
    out = capsys.readouterr().out
    assert "Drew 'Prop': 20 crime records" in out and "  vap: 9 of 30" in out and "  rape: 2 of 5" in out
    db = Database(path)
    try:
        assert Counter(r[4] for r in _drawn(db, "Dip")) == {"vap": 20, "other": 20, "sexual": 8, "rape": 5}
    finally:
        db.close()


def test_upgrading_to_0017_gives_every_crime_record_its_draw_key(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = _audit(path)
    with db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0016")
    db.close()
    with sqlite3.connect(path) as conn:
        assert "draw_key" not in {r[1] for r in conn.execute("PRAGMA table_info(crime_record)")}
    db = Database(path)
    try:
        with db.session() as s:
            keys = s.execute(select(CrimeRecord.ref, CrimeRecord.draw_key)).tuples().all()
        assert keys and all(k == draw_key(ref) for ref, k in keys)
        with db.session() as s:  # and the records draw as they did before
            assert len(sampling.draw(s, "After", "crime", 0, seed=1, per_stratum=2).frame["allocated"]) == 4
    finally:
        db.close()


def test_a_sample_design_draws_crime_records_each_month(tmp_path: Path) -> None:
    """A template ('20 crime records of each offence group') draws the month's crime records like any other kind."""
    from cdi_workbench.sample_designs import Design, SampleSpec, draw_design, save_design

    db = _audit(tmp_path / "a.db")
    try:
        programme.create(db, "2015-07", date(2015, 7, 1), date(2015, 7, 31), "2015", "builder")
        with db.session() as s:
            save_design(s, Design("Crime dip", [SampleSpec("Crime records", "crime", per_stratum=20)]))
        with db.session() as s:
            june = draw_design(s, "Crime dip", "2015-06", master_seed=9)
            july = draw_design(s, "Crime dip", "2015-07", master_seed=9)
        assert [(d.sample, d.kind, d.records) for d in june.drawn] == [("Crime records 2015-06", "crime", 53)]
        assert [(d.sample, d.records) for d in july.drawn] == [("Crime records 2015-07", 10)]
        assert sorted(r[2] for r in _drawn(db, "Crime records 2015-07")) == [f"CR-july-{i:02d}" for i in range(10)]
    finally:
        db.close()
