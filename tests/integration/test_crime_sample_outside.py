"""A crime-record sample (issue 14) where the rest of the workbench meets it: the queue, the record view, an offline
package and its merge, the purge (a sampled crime record is kept) and the findings by unit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from cdi_workbench import sampling
from cdi_workbench.audit.check_table import TIMELINESS_WORKED_OUT
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.findings_units import findings_by_unit
from cdi_workbench.packages import CONFLICT, export_package, plan_import
from cdi_workbench.retention import purge
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import CrimeRecord, RecordLink, ReportRecord
from cdi_workbench.timeutil import uk_local


def _audit(path: Path) -> Database:
    db = init_audit(path, "Testshire Police", date(2015, 6, 1), date(2015, 6, 30), "2015", "builder")
    with db.session() as s:
        inc = ReportRecord(kind="incident", system="Incident", ref="INC-1", received_at=uk_local(2015, 6, 1, 9),
                           narrative="01/06/2015 09:00 [Call taker] Caller says a man punched him outside the pub.")
        crimes = [CrimeRecord(ref="CR-A", ho_code="8N", offence="Assault with injury", unit="North",
                              reported_at=uk_local(2015, 6, 1, 9), recorded_at=uk_local(2015, 6, 1, 20)),
                  CrimeRecord(ref="CR-B", ho_code="19C", offence="Rape of a female aged 16 and over", unit="South",
                              reported_at=uk_local(2015, 6, 2, 9), recorded_at=uk_local(2015, 6, 4, 9),
                              location="12 Acacia Avenue"),
                  CrimeRecord(ref="CR-C", ho_code="58A", offence="Criminal damage", unit="North",
                              recorded_at=uk_local(2015, 6, 5, 9))]
        s.add_all([inc, *crimes])
        s.flush()
        s.add(RecordLink(report_id=inc.id, crime_id=crimes[0].id))
        sampling.draw(s, "Crime records", "crime", 0, seed=2, per_stratum={"vap": 1, "rape": 1})
    return db


def _items(svc: AuditService) -> dict[str, int]:
    sid = next(s.id for s in svc.samples() if s.name == "Crime records")
    return {r.ref: r.item_id for r in svc.queue(sid)}


def test_the_queue_and_the_record_view(tmp_path: Path) -> None:
    db = _audit(tmp_path / "a.db")
    try:
        svc = AuditService(db, "Inspector A")
        items = _items(svc)
        assert sorted(items) == ["CR-A", "CR-B"]  # other offences: none drawn
        row = svc.queue_row(items["CR-A"])
        assert (row.kind, row.system) == ("crime", "8N")
        assert [r.ref for r in svc.queue(svc.sample_of(items["CR-A"]), search="Rape")] == ["CR-B"]
        d = svc.record(items["CR-A"])
        fields = dict(d.fields)
        assert fields["Offence group"] == "Violence against the person"
        assert fields[TIMELINESS_WORKED_OUT] == "recorded 11 h 0 min after the report: within 24 hours"
        assert d.related_title.startswith("Incident log INC-1") and "punched" in d.related[0].text
        assert [c.ref for c in d.linked] == ["CR-A"]
        b = dict(svc.record(items["CR-B"]).fields)
        assert b[TIMELINESS_WORKED_OUT].endswith("outside 24 hours")
    finally:
        db.close()


def test_a_package_of_crime_records_goes_out_and_comes_back(tmp_path: Path) -> None:
    db = _audit(tmp_path / "a.db")
    try:
        a = AuditService(db, "Inspector A")
        item = _items(a)["CR-B"]
        a.save_verdict(item, VerdictBody(checks={"code_correct": True}, rationale="first look"))
        package = export_package(db, "Crime records", tmp_path / "p", who="Lead L").path
        pkg = Database(package)
        with pkg.session() as s:
            assert set(s.scalars(select(CrimeRecord.ref))) >= {"CR-A", "CR-B"}
        b = AuditService(pkg, "Auditor B")
        b.save_verdict(item, VerdictBody(checks={"code_correct": True, "recorded_in_time": False}, complete=True))
        pkg.close()
        a.save_verdict(item, VerdictBody(checks={"code_correct": False, "recorded_in_time": False}, complete=True))
        (entry,) = plan_import(db, package).entries
        assert entry.status == CONFLICT
        assert [(c.check, c.ours, c.theirs) for c in entry.checks] == [("code_correct", "no", "yes")]
    finally:
        db.close()


def test_a_purge_keeps_the_crime_records_sampled(tmp_path: Path) -> None:
    db = _audit(tmp_path / "a.db")
    try:
        svc = AuditService(db, "Inspector A")
        for item in _items(svc).values():
            svc.save_verdict(item, VerdictBody(checks={"code_correct": True, "recorded_in_time": True},
                                               complete=True))
        done = purge(db, "Inspector A", date(2015, 8, 1), "published")
        with db.session() as s:
            left = set(s.scalars(select(CrimeRecord.ref)))
        assert {"CR-A", "CR-B"} <= left and "CR-C" not in left, done
        assert AuditService(db).verify_trail() == []
    finally:
        db.close()


def test_each_unit_counts_its_crime_records(tmp_path: Path) -> None:
    db = _audit(tmp_path / "a.db")
    try:
        svc = AuditService(db, "Inspector A")
        for item in _items(svc).values():
            svc.save_verdict(item, VerdictBody(checks={"code_correct": True, "recorded_in_time": True},
                                               complete=True))
        by = findings_by_unit(db)
        assert sorted(by.units) == ["North", "South"]
        assert by.units["North"].value("crime_records", "Violence against the person", "Reviewed") == 1
        assert by.units["South"].value("crime_records", "Rape", "Reviewed") == 1
    finally:
        db.close()


def test_a_sampled_crime_records_text_is_gathered_for_pseudonymising(tmp_path: Path) -> None:
    from cdi_workbench.pseudonymise_exports import records, records_by_ref

    db = _audit(tmp_path / "a.db")
    try:
        with db.session() as s:
            cid = s.scalar(select(CrimeRecord.id).where(CrimeRecord.ref == "CR-B"))
            (fields,) = records(s, [("crime", cid)]).values()
            assert (fields.ref, fields.location) == ("CR-B", "12 Acacia Avenue")
            assert [f.ref for f in records_by_ref(s, [("crime", "CR-B")])] == ["CR-B"]
    finally:
        db.close()
