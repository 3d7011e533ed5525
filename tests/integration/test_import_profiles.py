"""Mapping profiles (shipped and saved), the proposed mapping and the preview the import dialog shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from cdi_workbench.importing import (
    Profile,
    ProfileError,
    import_file,
    list_profiles,
    load_profile,
    preview_file,
    propose_mapping,
    save_profile,
)
from cdi_workbench.storage.models import ReportRecord
from cdi_workbench.timeutil import uk_local
from tests.integration.test_import_support import audit, write_csv, write_xlsx


def test_shipped_profiles_and_saved_ones(tmp_path: Path) -> None:
    shipped = {p.name: p for p in list_profiles(tmp_path)}
    assert {"storm", "guardian", "po1", "do1", "street"} <= set(shipped)
    assert shipped["street"].kind == "crimes" and shipped["street"].builtin
    assert load_profile("guardian", tmp_path).fixed == {"system": "Guardian"}
    mine = Profile(name="Midshire STORM", kind="incidents", columns={"Ref No": "incident_ref", "Rec'd": "received_at"},
                   date_formats=["%Y%m%d %H%M"], description="ours")
    path = save_profile(mine, tmp_path)
    assert path == tmp_path / "midshire storm.json"
    assert load_profile("midshire storm", tmp_path) == mine
    assert [p.name for p in list_profiles(tmp_path, kind="incidents")] == ["midshire storm", "storm"]
    assert load_profile(str(path)) == mine  # a path works too
    shadow = Profile(name="storm", kind="incidents", columns={"Ref": "incident_ref"})
    save_profile(shadow, tmp_path)
    assert load_profile("storm", tmp_path) == shadow
    assert not next(p for p in list_profiles(tmp_path) if p.name == "storm").builtin
    with pytest.raises(ProfileError, match="cannot name a profile"):
        save_profile(Profile(name="../evil", kind="crimes"), tmp_path)
    with pytest.raises(ProfileError, match="not a column of crimes"):
        save_profile(Profile(name="bad", kind="crimes", columns={"X": "narrative"}), tmp_path)
    (tmp_path / "broken.json").write_text("{not json")
    assert "broken" not in {p.name for p in list_profiles(tmp_path)}
    with pytest.raises(ProfileError, match="broken.json"):
        load_profile("broken", tmp_path)


def test_propose_mapping_matches_canonical_names_and_suggests_profiles(tmp_path: Path) -> None:
    proposal = propose_mapping(["Incident Ref", "RECEIVED_AT", "Narrative", "Beat"], "incidents", user_dir=tmp_path)
    assert proposal.profile.columns == {"Incident Ref": "incident_ref", "RECEIVED_AT": "received_at",
                                        "Narrative": "narrative"}
    assert proposal.extra == ["Beat"] and proposal.missing == []
    street = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code",
              "LSOA name", "Crime type", "Last outcome category", "Context"]
    proposal = propose_mapping(street, "crimes", user_dir=tmp_path)
    assert proposal.missing == ["crime_ref"] and proposal.suggestions == ["street"]
    proposal = propose_mapping(street, "crimes", load_profile("street"), user_dir=tmp_path)
    assert proposal.missing == [] and proposal.profile.columns["Crime ID"] == "crime_ref"
    assert "LSOA code" in proposal.extra


def test_preview_shows_converted_values_and_problems(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "storm.xlsx",
                      ["Incident Number", "Date/Time Received", "Opening Category", "Log", "Crime Numbers", "Beat"],
                      [["STM-1", "01/07/2014 09:05", "Domestic", "A log", "CR-1, CR-2", "4B"],
                       ["STM-2", "32/07/2014", "ASB", "", "", ""]])
    preview = preview_file(path, "incidents", "storm", rows=5)
    assert preview.format == "xlsx" and preview.mapping_error == ""
    first, second = preview.rows
    assert first.values == {"incident_ref": "STM-1", "received_at": "01/07/2014 09:05", "opening_code": "Domestic",
                            "narrative": "A log", "crime_refs": "CR-1;CR-2"}
    assert first.extra == {"Beat": "4B"} and first.problems == []
    assert [(p.row, p.column) for p in second.problems] == [(3, "Date/Time Received")]
    bare = preview_file(path, "incidents")
    assert bare.mapping_error.startswith("the file has no column for incident_ref")
    assert bare.proposal.suggestions == ["storm"] and len(bare.rows) == 2


SAMPLES = {
    "storm": ("incidents", ["Incident Number", "Date/Time Received", "Opening Category", "Closing Category",
                            "Caller Type", "Location", "Log", "Crime Numbers"],
              ["STM-1", "01/07/2014 09:05:30", "Domestic", "Crime", "Victim", "1 High St", "log", "CR-1,CR-2"],
              "Incident"),
    "guardian": ("referrals", ["Referral ID", "Date Received", "Referring Agency", "Referral Type", "Details",
                               "Linked Crimes"], ["G-1", "01/07/2014 09:05:30", "School", "CSE", "log", ""],
                 "Guardian"),
    "po1": ("referrals", ["PO1 Reference", "Created", "Source Agency", "Category", "Summary", "Crime Reference(s)"],
            ["P-1", "01/07/2014 09:05:30", "Health", "Child abuse", "log", "CR-1"], "PO1"),
    "do1": ("referrals", ["DO1 Number", "Date/Time Reported", "Reported By", "Risk Level", "Circumstances",
                          "Crime Number", "Address"], ["D-1", "01/07/2014 09:05:30", "Victim", "Medium", "log", "",
                                                       "2 Low St"], "DO1"),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_shipped_profiles_import_their_layouts(db_target: str, tmp_path: Path, name: str) -> None:
    kind, headers, row, system = SAMPLES[name]
    db = audit(db_target)
    result = import_file(db, write_csv(tmp_path / f"{name}.csv", headers, [row]), kind, profile=name)
    assert result.added == 1 and result.problems == []
    with db.session() as s:
        rec = s.scalars(select(ReportRecord)).one()
    assert (rec.ref, rec.system, rec.narrative) == (row[0], system, "log")
    assert rec.received_at == uk_local(2014, 7, 1, 9, 5).replace(second=30)
    assert rec.extra is None
    db.close()


def test_profile_date_formats_and_fixed_values(tmp_path: Path, db_target: str) -> None:
    prof = Profile(name="us", kind="referrals", columns={"Ref": "referral_ref", "When": "received_at"},
                   fixed={"system": "CATS", "agency": "Police"}, date_formats=["%m/%d/%Y %I:%M %p"])
    db = audit(db_target)
    path = write_csv(tmp_path / "us.csv", ["Ref", "When"], [["C-1", "07/01/2014 09:05 PM"]])
    assert import_file(db, path, "referrals", profile=prof).added == 1
    with db.session() as s:
        rec = s.scalars(select(ReportRecord)).one()
    assert (rec.system, rec.agency, rec.received_at) == ("CATS", "Police", uk_local(2014, 7, 1, 21, 5))
    db.close()
