"""Cancelled crimes by the offence groups inspections use: imported by the names forces write, grouped by the
crime's Home Office code where the crime is known, and dip-sampled per group."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from cdi_workbench import sampling
from cdi_workbench.classification import CANCELLATION_GROUPS
from cdi_workbench.cli import main
from cdi_workbench.importing import import_file
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import AuditItem, Cancellation, CrimeRecord, Sample
from tests.integration.test_import_support import CRIME_HEADERS, audit, snapshot, write_csv

CANCEL_HEADERS = ["crime_ref", "cancelled_at", "reason", "decided_by_role", "offence_group", "notes"]
# per group: the codes of its crimes, and the names a force writes for it in its cancellations extract
MIX = {"rape": (["19C", "19D", "19F"], ["Rape", "RAPE", "rape"]),
       "sexual": (["20A", "17A", "22B"], ["Sexual offences", "Sexual Offences (excluding rape)", "sexual"]),
       "vap": (["8N", "105A", "8L"], ["Violence", "VAP", "Violence against the person"]),
       "robbery": (["34B", "34A"], ["Robbery", "ROBBERY"]),
       "burglary": (["28E", "30C", "28F"], ["Burglary", "burglary"]),
       "other": (["58A", "49", "46"], ["Other", "other offences", ""])}


def _crime(ref: str, code: str) -> list[str]:
    return [ref, "15/03/2014 08:00", "14/03/2014 21:14", code, "", "cancelled", "", "", "", "", ""]


def _cancel(ref: str, group: str) -> list[str]:
    return [ref, "20/03/2014 10:00", "Additional verifiable information", "DDM", group, ""]


def _groups(db: Database) -> dict[str, str | None]:
    with db.session() as s:
        return dict(s.execute(select(Cancellation.crime_ref, Cancellation.offence_group)).tuples().all())


def _mixed(db: Database, tmp_path: Path, per_group: int = 25) -> None:
    """per_group cancelled crimes of each group: crimes with their codes, cancellations with forces' names."""
    crimes, cancels = [], []
    for group, (codes, names) in MIX.items():
        for i in range(per_group):
            ref = f"CR-{group}-{i:03d}"
            crimes.append(_crime(ref, codes[i % len(codes)]))
            cancels.append(_cancel(ref, names[i % len(names)]))
    assert import_file(db, write_csv(tmp_path / "crimes.csv", CRIME_HEADERS, crimes), "crimes").committed
    result = import_file(db, write_csv(tmp_path / "cancellations.csv", CANCEL_HEADERS, cancels), "cancellations")
    assert result.committed and result.problems == [], result.problems


def test_forces_names_are_stored_as_keys(db_target: str, tmp_path: Path) -> None:
    db = audit(db_target)
    rows = [_cancel(f"NC-{i}", name) for i, name in enumerate(
        ["Violence", "VAP", "violence against the person", "Robbery", "sexual offences", "Sexual offences "
         "excluding rape", "BURGLARY", "Other", "rape", "vap", ""])]
    result = import_file(db, write_csv(tmp_path / "c.csv", CANCEL_HEADERS, rows), "cancellations")
    assert result.committed and result.problems == []
    # no crime records: the group written, and 'other' where none was written
    assert list(_groups(db).values()) == ["vap", "vap", "vap", "robbery", "sexual", "sexual", "burglary", "other",
                                          "rape", "vap", "other"]
    db.close()


def test_an_unknown_group_is_refused_with_row_and_value_and_nothing_stored(db_target: str, tmp_path: Path) -> None:
    db = audit(db_target)
    before = snapshot(db)
    rows = [_cancel("NC-1", "Robbery"), _cancel("NC-2", "Shoplifting"), _cancel("NC-3", "violence")]
    path = write_csv(tmp_path / "cancellations.csv", CANCEL_HEADERS, rows)
    result = import_file(db, path, "cancellations")
    assert not result.committed and result.rejected == 1 and result.added == 0
    assert snapshot(db) == before
    [p] = result.problems
    assert (p.file, p.row, p.column, p.value) == ("cancellations.csv", 3, "offence_group", "Shoplifting")
    assert p.problem.startswith("unknown offence group (accepted: rape; ")
    assert "robbery" in p.problem and "VAP" in p.problem and "burglary" in p.problem
    assert str(p).startswith("cancellations.csv, row 3, column 'offence_group': unknown offence group")
    assert "nothing was imported" in " ".join(result.notes)
    db.close()


def test_a_crafted_group_is_overridden_by_the_crimes_code(db_target: str, tmp_path: Path) -> None:
    """A file writing 'rape' for a crime whose code is burglary ends up grouped by the code, whichever extract
    comes first; a crime not in the database keeps the group written."""
    db = audit(db_target)
    crimes = write_csv(tmp_path / "crimes.csv", CRIME_HEADERS, [_crime("CR-1", "28E"), _crime("CR-2", "34B")])
    assert import_file(db, crimes, "crimes").committed
    cancels = write_csv(tmp_path / "cancellations.csv", CANCEL_HEADERS,
                        [_cancel("CR-1", "rape"), _cancel("CR-2", "Violence"), _cancel("CR-9", "rape"),
                         _cancel("CR-3", "Sexual offences")])
    result = import_file(db, cancels, "cancellations")
    assert result.committed
    assert _groups(db) == {"CR-1": "burglary", "CR-2": "robbery", "CR-9": "rape", "CR-3": "sexual"}
    note = next(n for n in result.notes if "Home Office code" in n)
    assert note.startswith("2 cancelled crimes grouped by the Home Office code of the crime record, not the "
                           "offence group the file gives")
    assert "CR-1: Rape written, 28E is Burglary" in note
    # the crimes extract second: CR-3 arrives as a rape (19C) and takes its group from the code
    more = write_csv(tmp_path / "crimes2.csv", CRIME_HEADERS, [_crime("CR-1", "28E"), _crime("CR-2", "34B"),
                                                              _crime("CR-3", "19C")])
    result = import_file(db, more, "crimes")
    assert result.committed
    assert _groups(db)["CR-3"] == "rape"
    assert any("1 cancelled crime grouped by" in n and "CR-3: Sexual offences (excluding rape) written, 19C is Rape"
               in n for n in result.notes), result.notes
    # a sample draws it by the code
    with db.session() as s:
        counts = sampling.population_counts(s, "cancellation")
    assert counts == {"rape": 2, "robbery": 1, "burglary": 1}
    assert list(counts) == ["rape", "robbery", "burglary"]  # in the order reports list the groups
    db.close()


def test_rows_written_by_hand_are_grouped_by_the_code_before_a_draw(tmp_path: Path) -> None:
    db = audit(tmp_path / "a.db")
    with db.session() as s:
        s.add_all([CrimeRecord(ref="CR-1", ho_code="28E", status="cancelled"),
                   CrimeRecord(ref="CR-2", ho_code="34A", status="cancelled")])
        s.add_all([Cancellation(crime_ref="CR-1", offence_group="rape"),
                   Cancellation(crime_ref="CR-2", offence_group="Violence"),
                   Cancellation(crime_ref="CR-3", offence_group="VAP"), Cancellation(crime_ref="CR-4")])
        s.flush()
        smp = sampling.draw(s, "Cancellations", "cancellation", 0, seed=1, per_stratum=5)
        assert smp.frame["population"] == {"vap": 1, "robbery": 1, "burglary": 1, "other": 1}
        strata = {s.get(Cancellation, i.record_id).crime_ref: i.stratum
                  for i in s.scalars(select(AuditItem).where(AuditItem.sample_id == smp.id))}
    assert strata == {"CR-1": "burglary", "CR-2": "robbery", "CR-3": "vap", "CR-4": "other"}
    assert _groups(db) == strata  # stored, as the import stores them
    db.close()


def test_twenty_per_offence_group(db_target: str, tmp_path: Path) -> None:
    db = audit(db_target)
    _mixed(db, tmp_path)
    groups = _groups(db)
    for group in MIX:
        assert sum(1 for g in groups.values() if g == group) == 25, group
    with db.session() as s:
        smp = sampling.draw(s, "Dip", "cancellation", 0, seed=4, per_stratum=20)
        assert smp.frame["population"] == {g: 25 for g in CANCELLATION_GROUPS}
        assert smp.frame["allocated"] == {g: 20 for g in CANCELLATION_GROUPS}
        items = list(s.scalars(select(AuditItem).where(AuditItem.sample_id == smp.id)))
        drawn = {i.record_id: i.stratum for i in items}
        stored = dict(s.execute(select(Cancellation.id, Cancellation.offence_group)
                                .where(Cancellation.id.in_(list(drawn)))).tuples().all())
    assert len(items) == 120 and drawn == stored
    for group in CANCELLATION_GROUPS:
        assert sum(1 for st in drawn.values() if st == group) == 20, group
    db.close()


def test_cli_dip_sample_per_offence_group(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    db = audit(path)
    _mixed(db, tmp_path)
    db.close()
    assert main(["sample", str(path), "--kind", "cancellations", "--per-stratum", "20", "--seed", "9",
                 "--name", "Cancellations"]) == 0
    out = capsys.readouterr().out
    assert "Drew 'Cancellations': 120 cancellation records, seed 9" in out
    for group in CANCELLATION_GROUPS:
        assert f"  {group}: 20 of 25" in out
    listing = tmp_path / "list.csv"
    assert main(["sample", str(path), "--export", "Cancellations", str(listing)]) == 0
    with open(listing, newline="", encoding="utf-8") as fh:
        strata = [r["stratum"] for r in csv.DictReader(fh)]
    assert sorted(set(strata)) == sorted(CANCELLATION_GROUPS) and len(strata) == 120
    db = Database(path)
    with db.session() as s:
        assert s.scalar(select(Sample.method).where(Sample.name == "Cancellations")).startswith(
            "fixed size per stratum")
    db.close()
