"""Re-importing updates by reference (added / changed / unchanged) and links resolve whatever the order."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from cdi_workbench.importing import import_file
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import CrimeRecord, RecordLink, ReportRecord
from tests.integration.test_import_support import CRIME_HEADERS, INCIDENT_HEADERS, audit, counts, write_csv


def incident(ref: str, narrative: str = "text", crime_refs: str = "", when: str = "01/03/2014 10:00") -> list[str]:
    return [ref, when, "ASB", "Advice", "Victim", "Somewhere", narrative, crime_refs]


def crime_row(ref: str, source: str = "", code: str = "8N") -> list[str]:
    return [ref, "02/03/2014 10:00", "01/03/2014 10:00", code, "Assault", "recorded", "", source, "", "", ""]


def links(db: Database) -> set[tuple[str, str]]:
    with db.session() as s:
        return {tuple(r) for r in s.execute(select(ReportRecord.ref, CrimeRecord.ref)
                                            .join(RecordLink, RecordLink.report_id == ReportRecord.id)
                                            .join(CrimeRecord, CrimeRecord.id == RecordLink.crime_id))}


def test_reimport_counts_added_changed_unchanged(db_target: str, tmp_path: Path) -> None:
    db = audit(db_target)
    first = write_csv(tmp_path / "v1.csv", INCIDENT_HEADERS, [incident(f"INC-{n}") for n in range(1, 11)])
    r1 = import_file(db, first, "incidents", user="A")
    assert (r1.added, r1.changed, r1.unchanged) == (10, 0, 0)
    rows = [incident(f"INC-{n}") for n in range(1, 11)]
    rows[2] = incident("INC-3", narrative="text, and more found later")
    rows[4] = incident("INC-5", when="01/03/2014 11:00")
    rows += [incident("INC-11"), incident("INC-12")]
    r2 = import_file(db, write_csv(tmp_path / "v2.csv", INCIDENT_HEADERS, rows), "incidents", user="B")
    assert (r2.added, r2.changed, r2.unchanged) == (2, 2, 8)
    assert r2.summary() == "added 2, changed 2, unchanged 8, rejected 0"
    assert counts(db)["report_record"] == 12
    with db.session() as s:
        by_ref = {r.ref: r for r in s.scalars(select(ReportRecord))}
    assert by_ref["INC-3"].narrative == "text, and more found later" and by_ref["INC-3"].imported_by == "B"
    assert by_ref["INC-1"].imported_by == "A"  # unchanged rows are not rewritten
    r3 = import_file(db, tmp_path / "v2.csv", "incidents")
    assert (r3.added, r3.changed, r3.unchanged) == (0, 0, 12)
    db.close()


def test_columns_a_file_lacks_are_kept_and_extra_is_merged(db_target: str, tmp_path: Path) -> None:
    db = audit(db_target)
    import_file(db, write_csv(tmp_path / "full.csv", [*INCIDENT_HEADERS, "Beat", "Team"],
                              [incident("INC-1", narrative="the log") + ["4B", "Blue"]]), "incidents")
    r = import_file(db, write_csv(tmp_path / "part.csv", ["incident_ref", "closing_code", "Team"],
                                  [["INC-1", "Crime Recorded", "Green"]]), "incidents")
    assert (r.added, r.changed) == (0, 1)
    with db.session() as s:
        rec = s.scalars(select(ReportRecord)).one()
    assert (rec.narrative, rec.closing_code, rec.opening_code) == ("the log", "Crime Recorded", "ASB")
    assert rec.extra == {"Beat": "4B", "Team": "Green"}
    db.close()


def test_links_resolve_in_either_order(db_target: str, tmp_path: Path) -> None:
    db = audit(db_target)
    for order, p in (("incidents first", "A"), ("crimes first", "B")):
        incidents = write_csv(tmp_path / f"inc-{p}.csv", INCIDENT_HEADERS,
                              [incident(f"{p}-INC-1", crime_refs=f"{p}-CR-1;{p}-CR-2"), incident(f"{p}-INC-2"),
                               incident(f"{p}-INC-3")])
        crimes = write_csv(tmp_path / f"crimes-{p}.csv", CRIME_HEADERS,
                           [crime_row(f"{p}-CR-1"), crime_row(f"{p}-CR-2"), crime_row(f"{p}-CR-3", source=f"{p}-INC-2"),
                            crime_row(f"{p}-CR-4")])
        if order == "incidents first":
            r = import_file(db, incidents, "incidents")
            assert any("2 crime references name crimes not in the database yet" in n for n in r.notes)
            r = import_file(db, crimes, "crimes")
        else:
            import_file(db, crimes, "crimes")
            r = import_file(db, incidents, "incidents")
        assert (r.links_added, r.links_removed) == (3, 0), order
        assert {x for x in links(db) if x[0].startswith(p)} == {
            (f"{p}-INC-1", f"{p}-CR-1"), (f"{p}-INC-1", f"{p}-CR-2"), (f"{p}-INC-2", f"{p}-CR-3")}, order
    # the same again changes nothing; an updated extract drops a link it no longer carries
    assert import_file(db, tmp_path / "inc-B.csv", "incidents").links_added == 0
    updated = write_csv(tmp_path / "inc2.csv", INCIDENT_HEADERS,
                        [incident("B-INC-1", crime_refs="B-CR-1"), incident("B-INC-2"),
                         incident("B-INC-3", crime_refs="B-CR-4")])
    r = import_file(db, updated, "incidents")
    assert (r.links_added, r.links_removed) == (1, 1)
    expected = {("B-INC-1", "B-CR-1"), ("B-INC-2", "B-CR-3"), ("B-INC-3", "B-CR-4")}
    assert {x for x in links(db) if x[0].startswith("B")} == expected
    # a crime whose source changes moves its link
    moved = write_csv(tmp_path / "crimes2.csv", CRIME_HEADERS, [crime_row("B-CR-3", source="B-INC-3")])
    r = import_file(db, moved, "crimes")
    assert (r.links_added, r.links_removed) == (1, 1)
    expected = {("B-INC-1", "B-CR-1"), ("B-INC-3", "B-CR-3"), ("B-INC-3", "B-CR-4")}
    assert {x for x in links(db) if x[0].startswith("B")} == expected
    assert len(links(db)) == 6  # the A records were not touched
    db.close()


def test_referral_links_and_systems(db_target: str, tmp_path: Path) -> None:
    db = audit(db_target)
    import_file(db, write_csv(tmp_path / "crimes.csv", CRIME_HEADERS,
                              [crime_row("CR-1"), crime_row("CR-2", source="G-2")]), "crimes")
    path = write_csv(tmp_path / "ref.csv", ["referral_ref", "received_at", "crime_refs"],
                     [["G-1", "01/03/2014", "CR-1"], ["G-2", "01/03/2014", ""]])
    r = import_file(db, path, "referrals", system="Guardian")
    assert r.added == 2 and r.links_added == 2
    # the same references from another system are other records
    r = import_file(db, path, "referrals", system="PO1")
    assert r.added == 2
    assert links(db) == {("G-1", "CR-1"), ("G-2", "CR-2")}
    with db.session() as s:
        systems = sorted(s.scalars(select(ReportRecord.system)))
    assert systems == ["Guardian", "Guardian", "PO1", "PO1"]
    db.close()
