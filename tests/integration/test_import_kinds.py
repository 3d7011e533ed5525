"""Every kind of extract in its canonical columns, from CSV and from .xlsx, lands in the right model columns."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cdi_workbench.importing import check_file, import_file
from cdi_workbench.storage.models import N100, Cancellation, CrimeRecord, Disposal, RecordLink, ReportRecord
from cdi_workbench.timeutil import uk_local
from tests.integration.test_import_support import audit, write_csv, write_xlsx

NARRATIVE = ("14/03/2014 21:14 [Call taker] Caller states her partner punched her in the face, \"again\".\n"
             "14/03/2014 22:05 [PC 2231] Victim has bruising to left eye; partner left the scene.")

EXTRACTS: dict[str, tuple[list[str], list[list[Any]]]] = {
    "incidents": (["incident_ref", "received_at", "opening_code", "closing_code", "caller_type", "location",
                   "narrative", "crime_refs", "Beat"],
                  [["INC-1", "14/03/2014 21:14", "Domestic", "Crime Recorded", "Victim", "1 High St", NARRATIVE,
                    "CR-1; CR-2", "4B"],
                   ["INC-2", "2014-07-02T10:02:00+01:00", "ASB", "Advice", "Third Party", "", "Shouting", "", ""]]),
    "referrals": (["referral_ref", "system", "received_at", "agency", "category", "narrative", "crime_refs"],
                  [["GRD-1", "Guardian", "01/02/2014 09:00", "School", "Child concern", "Bruises seen", "CR-3"],
                   ["PO1-1", "PO1", "02/02/2014", "Health", "Vulnerable adult", "Disclosure", ""]]),
    "crimes": (["crime_ref", "recorded_at", "reported_at", "ho_code", "offence", "status", "outcome", "source_ref",
                "domestic_abuse", "victim_age", "victim_sex"],
               [["CR-1", "15/03/2014 08:00", "14/03/2014 21:14", "8N", "Assault with injury", "Recorded",
                 "Charged", "INC-1", "Y", "34", "F"],
                ["CR-3", "03/02/2014 12:00:30", "", "105a", "Assault without injury", "no crime", "", "GRD-1",
                 "no", "", ""]]),
    "disposals": (["disposal_ref", "crime_ref", "disposal_type", "issued_at", "offender_history", "victim", "notes"],
                  [["OOCD-1", "CR-1", "Caution", "20/03/2014 15:00", "None known", "Yes", "Admitted"]]),
    "cancellations": (["crime_ref", "cancelled_at", "reason", "decided_by_role", "offence_group", "notes"],
                      [["CR-3", "05/02/2014 10:00", "AVI: CCTV shows no offence", "DDM", "Violence against the "
                        "person", "Victim told"]]),
    "n100": (["n100_ref", "incident_ref", "recorded_at", "reason_code", "narrative"],
             [["N100-1", "INC-9", "06/06/2015 14:00", "N100", "Third-party report of rape, victim not traced"]]),
}


def _write(tmp_path: Path, kind: str, fmt: str) -> Path:
    headers, rows = EXTRACTS[kind]
    if fmt == "csv":
        return write_csv(tmp_path / f"{kind}.csv", headers, rows)
    return write_xlsx(tmp_path / f"{kind}.xlsx", headers, rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_kind_imports(db_target: str, tmp_path: Path, fmt: str) -> None:
    db = audit(db_target)
    for kind in EXTRACTS:
        path = _write(tmp_path, kind, fmt)
        assert check_file(path, kind).valid == len(EXTRACTS[kind][1])
        result = import_file(db, path, kind, user="Insp A")
        assert result.committed and result.problems == [], (kind, result.problems)
        assert result.added == len(EXTRACTS[kind][1])
    with db.session() as s:
        inc1 = s.scalars(select(ReportRecord).where(ReportRecord.ref == "INC-1")).one()
        assert (inc1.kind, inc1.system, inc1.opening_code, inc1.caller_type) == ("incident", "Incident", "Domestic",
                                                                                  "Victim")
        assert inc1.received_at == uk_local(2014, 3, 14, 21, 14)
        assert inc1.narrative == NARRATIVE and inc1.crime_refs == "CR-1;CR-2"
        assert inc1.extra == {"Beat": "4B"} and inc1.imported_by == "Insp A"
        inc2 = s.scalars(select(ReportRecord).where(ReportRecord.ref == "INC-2")).one()
        assert inc2.received_at == datetime(2014, 7, 2, 9, 2, tzinfo=UTC) and inc2.location is None
        assert inc2.extra is None and inc2.crime_refs == ""
        grd = s.scalars(select(ReportRecord).where(ReportRecord.ref == "GRD-1")).one()
        assert (grd.kind, grd.system, grd.agency, grd.category) == ("referral", "Guardian", "School",
                                                                     "Child concern")
        po1 = s.scalars(select(ReportRecord).where(ReportRecord.ref == "PO1-1")).one()
        assert po1.system == "PO1" and po1.received_at == uk_local(2014, 2, 2)
        cr1 = s.scalars(select(CrimeRecord).where(CrimeRecord.ref == "CR-1")).one()
        assert (cr1.ho_code, cr1.status, cr1.domestic_abuse, cr1.victim_age, cr1.victim_sex) == ("8N", "recorded",
                                                                                                 True, 34, "F")
        assert cr1.recorded_at == uk_local(2014, 3, 15, 8, 0) and cr1.source_ref == "INC-1"
        cr3 = s.scalars(select(CrimeRecord).where(CrimeRecord.ref == "CR-3")).one()
        assert (cr3.ho_code, cr3.status, cr3.domestic_abuse, cr3.reported_at) == ("105A", "cancelled", False, None)
        assert cr3.recorded_at == datetime(2014, 2, 3, 12, 0, 30, tzinfo=UTC)
        d = s.scalars(select(Disposal)).one()
        assert (d.ref, d.crime_ref, d.disposal_type, d.victim) == ("OOCD-1", "CR-1", "Caution", "Yes")
        c = s.scalars(select(Cancellation)).one()
        assert (c.crime_ref, c.offence_group, c.decided_by_role) == ("CR-3", "vap", "DDM")
        n = s.scalars(select(N100)).one()
        assert (n.ref, n.incident_ref, n.reason_code) == ("N100-1", "INC-9", "N100")
        assert n.recorded_at == uk_local(2015, 6, 6, 14, 0)
        links = {(r, c) for r, c in s.execute(select(ReportRecord.ref, CrimeRecord.ref)
                                              .join(RecordLink, RecordLink.report_id == ReportRecord.id)
                                              .join(CrimeRecord, CrimeRecord.id == RecordLink.crime_id))}
    # CR-1 is named by INC-1's crime_refs and names INC-1 as its source; CR-3 names GRD-1 and is named by it;
    # CR-2 was never imported
    assert links == {("INC-1", "CR-1"), ("GRD-1", "CR-3")}
    db.close()


def test_excel_dates_serials_and_numbers(tmp_path: Path, db_target: str) -> None:
    """Real datetime cells, serial numbers in number cells and in text, and numeric references."""
    db = audit(db_target)
    path = write_xlsx(tmp_path / "crimes.xlsx", ["crime_ref", "recorded_at", "reported_at", "victim_age"],
                      [[1001, datetime(2014, 7, 1, 12, 30), 41821.5, 34.0],
                       ["CR-2", "41821.75", 41640, None]])
    result = import_file(db, path, "crimes")
    assert result.committed and result.problems == [], result.problems
    with db.session() as s:
        c1 = s.scalars(select(CrimeRecord).where(CrimeRecord.ref == "1001")).one()
        c2 = s.scalars(select(CrimeRecord).where(CrimeRecord.ref == "CR-2")).one()
    assert c1.recorded_at == uk_local(2014, 7, 1, 12, 30)  # BST: 11:30 UTC
    assert c1.reported_at == uk_local(2014, 7, 1, 12, 0)  # serial 41821.5 = 1 July 2014 noon
    assert c1.victim_age == 34
    assert c2.recorded_at == uk_local(2014, 7, 1, 18, 0) and c2.reported_at == uk_local(2014, 1, 1)
    csv_path = write_csv(tmp_path / "serials.csv", ["crime_ref", "recorded_at"], [["CR-3", "41821.5"]])
    assert import_file(db, csv_path, "crimes").added == 1
    with db.session() as s:
        assert s.scalars(select(CrimeRecord.recorded_at).where(CrimeRecord.ref == "CR-3")).one() == \
            uk_local(2014, 7, 1, 12, 0)
    db.close()
