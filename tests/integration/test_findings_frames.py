"""Main samples drawn from frames that may share records (issue 10, a statistician's check): a filtered incident
sample (Domestic Incident) beside the audit's whole incident sample. Adding the two frames' populations would count
the 220 domestic incidents twice, so the design-weighted figures (and the finite population correction, whose N
comes from them) are refused, naming both samples; frames that cannot share a record are weighted as before."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from cdi_workbench.findings import RATE_GROUPS, compute
from cdi_workbench.findings_load import SampleInfo
from cdi_workbench.findings_rates import _disjoint, plan
from cdi_workbench.sampling import Filters, SampleOps
from cdi_workbench.statistics import LONELY
from cdi_workbench.storage.database import Database
from tests.random_verdicts import fill

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sample_audit.db"
LEAD = "Lena Lead"


@pytest.fixture
def audit(tmp_path: Path) -> Database:
    if not SAMPLE.exists():
        pytest.skip("the bundled sample is built by `make sample`")
    path = tmp_path / "audit.db"
    shutil.copy(SAMPLE, path)
    db = Database(path)
    fill(db, 11)  # a primary verdict, random, on every record (most of them complete)
    yield db
    db.close()


def test_a_filtered_sample_beside_the_whole_frame_refuses_the_weighted_figures(audit: Database) -> None:
    before = compute(audit)
    assert before.design_rates, "the bundled sample has design-weighted rates to lose"
    SampleOps(audit).draw("Domestic incidents", "incident", 100, 9, filters=Filters(opening_code="Domestic Incident"),
                          who=LEAD)
    after = compute(audit)
    assert after.design_rates == {}
    refusal = next(w for w in after.warnings if "may overlap" in w)
    assert "'Incidents' (no filter)" in refusal and "'Domestic incidents' (opening code Domestic Incident)" in refusal
    # no finite population correction either: its N is the design's estimate of the crimes in the frames
    assert "finite population correction" not in after.rates["all"].method
    assert after.rates["all"].population is None


def test_the_same_records_drawn_as_a_special_sample_keep_the_weighted_figures(audit: Database) -> None:
    SampleOps(audit).draw("Domestic incidents", "incident", 50, 9, filters=Filters(opening_code="Domestic Incident"),
                          who=LEAD, special="vulnerable-adults")
    after = compute(audit)
    assert after.design_rates and not any("may overlap" in w for w in after.warnings)


def _info(i: int, name: str, kind: str, filters: dict[str, str], system: str | None = None) -> SampleInfo:
    return SampleInfo(i, name, kind, system, "simple random", 1, datetime(2016, 1, 1), LEAD,
                      {"population": {"all": 100}, "filters": filters})


@pytest.mark.parametrize(("kind", "a", "b", "disjoint"), [
    ("incident", {}, {"opening_code": "Domestic Incident"}, False),
    ("incident", {"opening_code": "Domestic Incident"}, {"opening_code": "Concern for Safety"}, True),
    ("incident", {"opening_code": "Domestic Incident"}, {"closing_code": "Crime"}, False),
    ("incident", {"date_from": "2014-01-01", "date_to": "2014-03-31"}, {"date_from": "2014-04-01"}, True),
    ("incident", {"date_from": "2014-01-01", "date_to": "2014-04-01"}, {"date_from": "2014-04-01"}, False),
    ("incident", {"date_to": "2014-03-31"}, {"date_from": "2014-04-01", "date_to": "2014-06-30"}, True),
    ("crime", {"ho_code": "8N"}, {"ho_code": "008n"}, False),  # one code, written two ways
    ("crime", {"ho_code": "8N"}, {"ho_code": "105A"}, True),
    ("incident", {"ho_code": "8N"}, {"ho_code": "105A"}, False),  # a report may link crimes of both codes
])
def test_which_frames_can_share_a_record(kind: str, a: dict[str, str], b: dict[str, str], disjoint: bool) -> None:
    assert _disjoint(kind, a, b) is disjoint and _disjoint(kind, b, a) is disjoint
    refused = plan([], [_info(1, "First", kind, a), _info(2, "Second", kind, b)]).refused
    assert ("may overlap" in refused) is not disjoint


def test_other_systems_and_kinds_never_overlap() -> None:
    samples = [_info(1, "Guardian", "referral", {}, "Guardian"), _info(2, "PO1", "referral", {}, "PO1"),
               _info(3, "Incidents", "incident", {}), _info(4, "Guardian again", "referral", {}, "Guardian")]
    assert plan([], samples).refused == ""  # the two Guardian samples are one frame: counted once, not refused


def _copy_verdicts(db: Database, again: str) -> list[tuple[int, int]]:
    """Give the records drawn again in sample `again` the verdicts their first sample gave them (by SQL: the figures
    read the stored verdicts); returns (first item, second item) of each record copied."""
    with db.session() as s:
        pairs = s.execute(text(
            "SELECT a.id, b.id FROM audit_item a JOIN audit_item b ON b.record_id = a.record_id AND b.kind = a.kind "
            "JOIN sample sa ON sa.id = a.sample_id JOIN sample sb ON sb.id = b.sample_id "
            "JOIN verdict v ON v.item_id = a.id AND v.role = 'primary' AND v.complete "
            "WHERE sa.name = 'Incidents' AND sb.name = :again ORDER BY a.id"), {"again": again}).all()
        for first, second in pairs:
            s.execute(text("INSERT INTO verdict (item_id, role, auditor, updated_at, body, complete, n_crimes, "
                           "n_recorded, n_misclassified, n_late, n_failed_checks) SELECT :second, role, auditor, "
                           "updated_at, body, complete, n_crimes, n_recorded, n_misclassified, n_late, n_failed_checks "
                           "FROM verdict WHERE item_id = :first AND role = 'primary'"),
                      {"first": first, "second": second})
    return [(a, b) for a, b in pairs]


def test_a_record_drawn_in_two_samples_of_one_frame_is_named_with_any_disagreement(audit: Database) -> None:
    SampleOps(audit).draw("Incidents again", "incident", 900, 5, who=LEAD)  # after the verdicts: none of its own
    pairs = _copy_verdicts(audit, "Incidents again")
    assert len(pairs) >= 3, "the second draw shares completed records with the first"
    same = compute(audit)
    note = next(w for w in same.warnings if "drawn in two samples of one frame" in w)
    assert note.startswith(f"{len(pairs)} records were drawn in two samples of one frame ('Incidents' + "
                           f"'Incidents again')") and "give different figures" not in note
    # the published counts take both verdicts; the design-weighted ones each record once
    assert same.rates["all"].identified > same.design_rates["all"].identified
    # one record's second verdict finds no crime where the first found some: named, with both items' labels
    with audit.session() as s:
        first, second = next((a, b) for a, b in pairs if s.scalar(text(
            "SELECT json_array_length(body, '$.crimes') FROM verdict WHERE item_id = :i"), {"i": a}))
        s.execute(text("UPDATE verdict SET body = json_set(body, '$.crimes', json('[]')) WHERE item_id = :i"),
                  {"i": second})
    differ = compute(audit)
    note = next(w for w in differ.warnings if "drawn in two samples of one frame" in w)
    assert (f"The two verdicts on 1 of them give different figures (crimes identified or recorded): "
            f"{differ.item_labels[first]} and {differ.item_labels[second]}.") in note


def test_a_stratum_of_one_record_is_said_in_the_rates_note(audit: Database) -> None:
    """The design-weighted rate estimates the variance of a stratum with a single completed record about the overall
    rate and says so: the saying reaches the recording-rates note (and so the JSON, Excel and PDF), naming the groups
    it concerns."""
    findings = compute(audit)
    single = [k for k, r in findings.design_rates.items() if "a stratum has a single record" in r.warning]
    assert single, "the bundled sample has a stratum of one completed record (rape)"
    note = findings.table("recording_rates").note
    assert "Design-weighted rate, " in note and f"{LONELY}." in note
    labels = dict(RATE_GROUPS)
    sentence = next(part for part in note.split("Design-weighted rate, ")[1:] if "single record" in part)
    assert all(labels[k] in sentence for k in single)
