"""Bad input is reported by file, row, column, value and problem before anything is written."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cdi_workbench.importing import ImportFileError, MappingError, check_file, import_file
from tests.integration.test_import_support import (
    CRIME_HEADERS,
    INCIDENT_HEADERS,
    audit,
    counts,
    snapshot,
    write_csv,
    write_xlsx,
)

GOOD_CRIME = ["CR-1", "15/03/2014 08:00", "14/03/2014 21:14", "8N", "Assault", "recorded", "", "INC-1", "Y", "34",
              "F"]


def crime(**changes: str) -> list[str]:
    row = dict(zip(CRIME_HEADERS, GOOD_CRIME, strict=True))
    row.update(changes)
    return list(row.values())


BAD_CRIMES = [  # (row values, column, value, words in the problem)
    (crime(crime_ref="CR-2", recorded_at="31/02/2014 10:00"), "recorded_at", "31/02/2014 10:00", "not a date"),
    (crime(crime_ref="CR-3", reported_at="yesterday"), "reported_at", "yesterday", "not a date"),
    (crime(crime_ref="CR-4", ho_code="99Z"), "ho_code", "99Z", "unknown Home Office code"),
    (crime(crime_ref=""), "crime_ref", "", "missing reference"),
    (crime(crime_ref="CR-1", offence="Robbery"), "crime_ref", "CR-1", "duplicate reference: also in row 2"),
    (crime(crime_ref="CR-5", offence="x" * 201), "offence", "x" * 201, "too long (201 characters, at most 200)"),
    (crime(crime_ref="CR-6", victim_age="thirty"), "victim_age", "thirty", "not a whole number"),
    (crime(crime_ref="CR-7", victim_age="34.5"), "victim_age", "34.5", "not a whole number"),
    (crime(crime_ref="CR-8", domestic_abuse="maybe"), "domestic_abuse", "maybe", "not yes/no"),
    (crime(crime_ref="CR-9", status="filed"), "status", "filed", "unknown status"),
    (crime(crime_ref="CR-10", source_ref="S" * 61), "source_ref", "S" * 61, "too long"),
    (crime(crime_ref="CR-11", recorded_at="01/01/1800"), "recorded_at", "01/01/1800", "date out of range"),
    (crime(crime_ref="CR-12", victim_sex="unknown gender"), "victim_sex", "unknown gender", "too long"),
]


def test_each_bad_crime_is_reported_and_nothing_is_written(db_target: str, tmp_path: Path) -> None:
    db = audit(db_target)
    before = snapshot(db)
    path = write_csv(tmp_path / "crimes.csv", CRIME_HEADERS, [GOOD_CRIME] + [row for row, *_ in BAD_CRIMES])
    result = import_file(db, path, "crimes")
    assert not result.committed and result.rejected == len(BAD_CRIMES)
    assert (result.added, result.changed, result.unchanged) == (0, 0, 0)
    assert snapshot(db) == before
    assert "nothing was imported" in " ".join(result.notes)
    for n, (_, column, value, words) in enumerate(BAD_CRIMES, start=3):
        found = [p for p in result.problems if p.row == n]
        assert len(found) == 1, (n, found)
        p = found[0]
        assert (p.file, p.column, p.value) == ("crimes.csv", column, value[:200]), p  # values kept are cut at 200
        assert words in p.problem, p
        assert f"crimes.csv, row {n}, column {column!r}: {words}" in str(p)
    db.close()


def test_rejects_file_holds_the_bad_rows_and_the_good_ones_are_imported(db_target: str, tmp_path: Path) -> None:
    db = audit(db_target)
    rows = [GOOD_CRIME] + [row for row, *_ in BAD_CRIMES]
    path = write_csv(tmp_path / "crimes.csv", CRIME_HEADERS, rows)
    result = import_file(db, path, "crimes", rejects=tmp_path / "rejected.csv")
    assert result.committed and (result.added, result.rejected) == (1, len(BAD_CRIMES))
    assert result.rejects_path == tmp_path / "rejected.csv"
    assert result.summary() == f"added 1, changed 0, unchanged 0, rejected {len(BAD_CRIMES)} (written to " \
                               f"{tmp_path / 'rejected.csv'})"
    with open(tmp_path / "rejected.csv", newline="", encoding="utf-8-sig") as fh:
        saved = list(csv.reader(fh))
    assert saved[0] == CRIME_HEADERS + ["row", "problems"]
    assert [r[:-2] for r in saved[1:]] == [row for row, *_ in BAD_CRIMES]
    assert [int(r[-2]) for r in saved[1:]] == list(range(3, 3 + len(BAD_CRIMES)))
    assert saved[1][-1].startswith("recorded_at: not a date")
    assert counts(db)["crime_record"] == 1
    assert not list(tmp_path.glob("*.part"))
    # the rejects file, once fixed, imports again (its 'row' and 'problems' columns are left out)
    fixed = [[r[0], "15/03/2014 08:00", "", "8N", "Assault", "recorded", "", "", "", "", "", *r[-2:]]
             for r in saved[1:] if r[0] not in ("", "CR-1")]
    write_csv(tmp_path / "fixed.csv", saved[0], fixed)
    again = import_file(db, tmp_path / "fixed.csv", "crimes")
    assert again.committed and again.problems == [] and again.added == len(fixed), again.problems
    db.close()


def test_other_kinds_report_their_own_problems(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "referrals.csv", ["referral_ref", "system", "received_at", "crime_refs"],
                     [["R-1", "", "01/01/2014", ""], ["R-2", "Guardian", "01/01/2014", "C" * 81]])
    result = check_file(path, "referrals")
    assert [(p.row, p.column, p.problem[:14]) for p in result.problems] == [
        (2, "system", "missing system"), (3, "crime_refs", "crime referenc")]
    assert check_file(path, "referrals", system="Guardian").rejected == 1  # --system fills the blank system
    path = write_csv(tmp_path / "disposals.csv", ["disposal_ref", "disposal_type"], [["D-1", ""]])
    assert [(p.column, p.problem) for p in check_file(path, "disposals").problems] == [
        ("disposal_type", "missing value")]
    path = write_csv(tmp_path / "cancellations.csv", ["crime_ref", "offence_group"], [["CR-1", "shoplifting"]])
    assert check_file(path, "cancellations").problems[0].problem.startswith("unknown offence group")
    path = write_csv(tmp_path / "wide.csv", ["incident_ref", "narrative"], [["INC-1", "a", "surplus"], ["INC-2"]])
    result = check_file(path, "incidents")
    assert [(p.row, p.problem) for p in result.problems] == [(2, "the row has 3 cells but the header has 2")]
    assert result.valid == 1  # a short row is padded


def test_problems_in_an_xlsx_name_the_sheet_row(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "inc.xlsx", INCIDENT_HEADERS, [["INC-1", "bad date"], ["INC-1", "01/01/2014"]])
    result = check_file(path, "incidents")
    assert [(p.file, p.row, p.column) for p in result.problems] == [("inc.xlsx", 2, "received_at"),
                                                                     ("inc.xlsx", 3, "incident_ref")]


def test_file_level_errors_are_clear(db_target: str, tmp_path: Path) -> None:
    db = audit(db_target)
    before = snapshot(db)
    with pytest.raises(MappingError, match="no column for crime_ref"):
        import_file(db, write_csv(tmp_path / "c.csv", ["ref", "offence"], [["1", "x"]]), "crimes")
    with pytest.raises(MappingError, match="both map to crime_ref"):
        import_file(db, write_csv(tmp_path / "c.csv", ["crime_ref", "Crime Ref"], [["1", "2"]]), "crimes")
    with pytest.raises(ImportFileError, match="the file is empty"):
        (tmp_path / "empty.csv").write_text("")
        import_file(db, tmp_path / "empty.csv", "crimes")
    with pytest.raises(ImportFileError, match="no such file"):
        import_file(db, tmp_path / "missing.csv", "crimes")
    (tmp_path / "open.csv").write_text('crime_ref,offence\nCR-1,"never closed\nCR-2,x\n')
    with pytest.raises(ImportFileError, match=r"open.csv, row 2: a quoted cell is not closed"):
        import_file(db, tmp_path / "open.csv", "crimes")
    (tmp_path / "fake.xlsx").write_text("crime_ref\nCR-1\n")
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        import_file(db, tmp_path / "fake.xlsx", "crimes")
    (tmp_path / "bin.csv").write_bytes(bytes([0x81, 0x8D, 0xFF, 0x00]) * 100)
    with pytest.raises(ImportFileError, match="not a text file"):
        import_file(db, tmp_path / "bin.csv", "crimes")
    with pytest.raises(MappingError, match="'street' profile fits"):
        import_file(db, "/work/shared/data/2013-06-cheshire-street.csv", "crimes")
    assert snapshot(db) == before
    db.close()
