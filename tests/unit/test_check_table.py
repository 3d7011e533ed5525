"""Each check defined once (issue 11): the checks table is what the panel, the findings, the reports and the verdict
exchange read; kinds and roles are enums equal to the stored strings; each record kind's date column is named once.

The literal lists below are what the code used to spell out in four places: the table must still give them."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from cdi_workbench import kinds, sampling
from cdi_workbench.audit import check_table as table
from cdi_workbench.audit.check_table import Check
from cdi_workbench.audit.evaluate import FACT_CHECKS, NEGATIVE_CHECKS, check_failed, failure_name
from cdi_workbench.audit.operations import Mode
from cdi_workbench.audit.roles import ROLES, VERDICT_ACTION
from cdi_workbench.audit.service import _record_columns
from cdi_workbench.audit.verdicts import (
    CHECKS,
    RAPE_CHECK,
    RAPE_CODE_QUESTION,
    RECORD_KINDS,
    REPORT_KINDS,
    VerdictBody,
    applicable_checks,
)
from cdi_workbench.findings_figures import snake
from cdi_workbench.kinds import DATE_COLUMN, PersonRole, RecordKind, VerdictRole
from cdi_workbench.reports.common import column_label, leading_columns, not_applicable, verdict_columns
from cdi_workbench.rules import RULE_TEXT
from cdi_workbench.storage import record_models
from cdi_workbench.storage.models import N100, Cancellation, CrimeRecord, Disposal, ReportRecord

QUESTIONS = {
    "disposal": [
        ("offender_suitable", "Offender suitable given previous history?"),
        ("offender_made_aware", "Offender made aware of the nature and implications?"),
        ("victim_to_consult", "Was there a victim to consult?"),
        ("victim_views_considered", "Were the victim's views considered?"),
        ("outcome_appropriate", "Community resolution: outcome meaningful and appropriate?"),
    ],
    "cancellation": [
        ("decision_correct", "Decision correct (AVI, error or transfer evidenced)?"),
        ("authorised_decision_maker", "Made by an authorised decision maker?"),
        ("victim_informed", "Victim informed?"),
    ],
    "n100": [
        ("n100_needed", "Should an N100 have been applied?"),
        ("should_have_been_rape", "Should this have been recorded as a crime of rape?"),
    ],
    "crime": [
        ("code_correct", "Correctly classified (Home Office code right for what the record describes)?"),
        ("recorded_in_time", "Recorded within the time limit (24 hours from the report under 2015 rules, 72 under "
                             "2014)?"),
    ],
}
FINDINGS_COLUMNS = {
    RecordKind.CANCELLATION: ["Reviewed", "Decision correct", "Authorised decision maker", "Victim informed"],
    RecordKind.DISPOSAL: ["Sampled", "Offender suitable", "Made aware", "With a victim", "Victim's views considered",
                          "Outcome appropriate"],
    RecordKind.N100: ["Reviewed", "N100 needed", "Should have been rape"],
    RecordKind.CRIME: ["Reviewed", "Correctly classified", "In time"],
}
FIGURE_NAMES = {
    RecordKind.CANCELLATION: ["reviewed", "correct", "authorised_decision_maker", "victim_informed"],
    RecordKind.DISPOSAL: ["sampled", "offender_suitable", "made_aware", "with_a_victim", "victims_views_considered",
                          "outcome_appropriate"],
    RecordKind.N100: ["reviewed", "n100_needed", "should_have_been_rape"],
    RecordKind.CRIME: ["reviewed", "correctly_classified", "in_time"],
}
LEADING_COLUMNS = [
    "item_id", "kind", "system", "record_ref", "crime_no", "expected_code", "recorded_ref", "recorded_code",
    "classified_correctly", "classification", "timely", "timeliness", "reason_not_recorded",
    "domestic_abuse", "safeguarding", "investigation", "offender_suitable", "offender_made_aware",
    "victim_to_consult", "victim_views_considered", "outcome_appropriate", "decision_correct",
    "authorised_decision_maker", "victim_informed", "n100_needed", "should_have_been_rape", "code_correct",
    "recorded_in_time", "rape_code",
]
LABELS = {
    "expected_code": "Expected code", "recorded_ref": "Crime record", "recorded_code": "Recorded code",
    "classified_correctly": "Classified correctly", "classification": "Classification (worked out)",
    "timely": "Within time limit", "timeliness": "Timeliness (worked out)", "reason_not_recorded": "Reason not recorded",
    "domestic_abuse": "Domestic abuse", "safeguarding": "Safeguarding considered",
    "investigation": "Investigation took place", "offender_suitable": "Offender suitable",
    "offender_made_aware": "Offender made aware", "victim_to_consult": "Victim to consult",
    "victim_views_considered": "Victim's views considered", "outcome_appropriate": "Outcome appropriate",
    "decision_correct": "Decision correct", "authorised_decision_maker": "Authorised decision maker",
    "victim_informed": "Victim informed", "n100_needed": "N100 needed", "should_have_been_rape": "Should have been rape",
    "rape_code": "Rape code expected", "item_id": "Audit item", "auditor": "Auditor",
    "code_correct": "Correctly classified", "recorded_in_time": "Recorded in time",
}
EXCHANGE_FIRST = [
    "expected_code", "recorded_ref", "classified_correctly", "timely", "reason_not_recorded", "offender_suitable",
    "offender_made_aware", "victim_to_consult", "victim_views_considered", "outcome_appropriate", "decision_correct",
    "authorised_decision_maker", "victim_informed",
]
EXCHANGE_ADDED = ["domestic_abuse", "safeguarding", "investigation", "n100_needed", "should_have_been_rape",
                  "code_correct", "recorded_in_time", "rape_code"]


def test_the_table_gives_every_list_it_replaced() -> None:
    assert {k: list(v) for k, v in CHECKS.items()} == QUESTIONS
    assert CHECKS.get("incident", []) == [] and "referral" not in CHECKS
    for kind, columns in FINDINGS_COLUMNS.items():
        assert table.findings_columns(kind) == columns
        assert table.figure_names(kind) == FIGURE_NAMES[kind]
    assert leading_columns() == LEADING_COLUMNS
    assert {k: column_label(k) for k in LABELS} == LABELS
    assert table.exchange_answers(table.FIRST) == EXCHANGE_FIRST
    assert table.exchange_answers(table.ADDED) == EXCHANGE_ADDED
    assert table.crime_exchange_columns() == ("expected_code", "recorded_ref", "classified_correctly", "timely",
                                              "reason_not_recorded", "domestic_abuse", "safeguarding", "investigation")
    assert table.yes_no_columns() == {"classified_correctly", "timely", "domestic_abuse", "safeguarding",
                                      "investigation", *(k for v in QUESTIONS.values() for k, _ in v)}
    assert NEGATIVE_CHECKS == {"should_have_been_rape"} and FACT_CHECKS == {"victim_to_consult"}
    assert failure_name("n100_needed") == "N100 not needed (wrongly applied)"
    assert failure_name("should_have_been_rape") == "should have been rape"
    assert failure_name("not_in_the_table") == "not in the table"
    assert RAPE_CHECK == "should_have_been_rape"
    assert RAPE_CODE_QUESTION == "Recorded as which crime of rape? (Home Office code, 19C-19H)"
    assert table.conditional_columns() == {("disposals", "Outcome appropriate"): ("disposal", "outcome_appropriate")}


def test_which_answers_pass_and_when_each_check_applies() -> None:
    assert check_failed("decision_correct", False) and not check_failed("decision_correct", True)
    assert check_failed("should_have_been_rape", True) and not check_failed("should_have_been_rape", False)
    assert not check_failed("victim_to_consult", False) and not check_failed("victim_to_consult", True)
    assert check_failed("n100_needed", False) and not check_failed("n100_needed", None)
    assert check_failed("unknown_check", False) and not check_failed("unknown_check", True)
    every = [k for k, _ in QUESTIONS["disposal"]]
    assert applicable_checks("disposal", {"victim_to_consult": True}, "Community Resolution") == every
    assert applicable_checks("disposal", {"victim_to_consult": False}, "Simple caution") == every[:3]
    assert applicable_checks("disposal", {}, "community resolution") == [*every[:3], "outcome_appropriate"]
    assert applicable_checks("cancellation", {}, "") == [k for k, _ in QUESTIONS["cancellation"]]
    assert applicable_checks("incident", {}, "") == []
    assert not_applicable("disposals", "Simple caution", "Outcome appropriate")
    assert not not_applicable("disposals", "Community resolution", "Outcome appropriate")
    assert not not_applicable("disposals", "Total", "Outcome appropriate")
    assert not not_applicable("disposals", "Simple caution", "Made aware")


def test_the_table_is_whole() -> None:
    keys = [c.key for _, c in table.all_checks()]
    assert len(keys) == len(set(keys)), "a check key belongs to one kind"
    body_fields = {f.name for f in fields(VerdictBody)}
    for kind, spec in table.RECORD_CHECKS.items():
        assert spec.kind is kind and kind not in RecordKind.REPORTS
        assert len(set(table.findings_columns(kind))) == len(spec.checks) + 1
        for c in spec.checks:
            assert c.rule in RULE_TEXT, c.key
            assert c.answers == table.YES_NO
            assert c.label and c.question.endswith("?") and c.column and c.figure
            assert c.exchange in (table.FIRST, table.ADDED)
            if c.after is not None:
                assert c.after[0] in [x.key for x in spec.checks], "asked after a check of its own kind"
            if c.follow_up is not None:
                assert c.follow_up.key in body_fields and c.follow_up.rule in RULE_TEXT
        assert all(snake(col) for col in table.findings_columns(kind))
    for a in table.CRIME_ANSWERS:
        assert a.rule in RULE_TEXT, a.key


NEW = Check("crime_reinstated", "Crime reinstated", "Was the crime reinstated when the AVI fell away?",
            "decision_correct", "Crime reinstated", "crime_reinstated", passes=False, exchange=table.ADDED)


@pytest.fixture
def added_check(monkeypatch: pytest.MonkeyPatch) -> Check:
    """A check added to the cancellation checks, as a later version of the table would."""
    spec = table.RECORD_CHECKS[RecordKind.CANCELLATION]
    monkeypatch.setitem(table.RECORD_CHECKS, RecordKind.CANCELLATION, replace(spec, checks=(*spec.checks, NEW)))
    return NEW


def test_a_check_added_to_the_table_reaches_every_reader(added_check: Check) -> None:
    assert CHECKS["cancellation"][-1] == ("crime_reinstated", "Was the crime reinstated when the AVI fell away?")
    assert applicable_checks("cancellation", {}, "")[-1] == "crime_reinstated"
    assert table.findings_columns(RecordKind.CANCELLATION)[-1] == "Crime reinstated"
    assert table.figure_names(RecordKind.CANCELLATION)[-1] == "crime_reinstated"
    assert leading_columns() == [*LEADING_COLUMNS[:-5], "crime_reinstated", *LEADING_COLUMNS[-5:]]
    assert verdict_columns([{"item_id": 1, "auditor": "A", "crime_reinstated": True, "decision_correct": True}]) == [
        "item_id", "decision_correct", "crime_reinstated", "auditor"]
    assert column_label("crime_reinstated") == "Crime reinstated"
    # after the answers the exchange added before it, in the table's order of kinds (cancellations, then N100s)
    assert table.exchange_answers(table.ADDED) == [*EXCHANGE_ADDED[:3], "crime_reinstated", *EXCHANGE_ADDED[3:]]
    assert "crime_reinstated" in table.yes_no_columns()
    assert table.check_kinds()["crime_reinstated"] == RecordKind.CANCELLATION
    assert NEW.failed(True) and check_failed("crime_reinstated", True) and not check_failed("crime_reinstated", False)
    assert failure_name("crime_reinstated") == "crime reinstated"


# ---- kinds and roles ----------------------------------------------------------------------------------------
def test_the_enums_are_the_stored_strings() -> None:
    assert list(RecordKind) == ["incident", "referral", "disposal", "cancellation", "n100", "crime"]
    assert list(VerdictRole) == ["primary", "review", "final"]
    assert list(PersonRole) == ["auditor", "reviewer", "lead", "liaison"]
    for member in [*RecordKind, *VerdictRole, *PersonRole]:
        assert member == member.value and type(member.value) is str
        assert hash(member) == hash(member.value) and {member.value: 1}[member] == 1
        assert f"{member}" == str(member) == member.value and repr(member) == repr(member.value)
    assert RecordKind("n100") is RecordKind.N100
    assert RecordKind.REPORTS == ("incident", "referral") == REPORT_KINDS
    assert "referral" in RecordKind.REPORTS and "disposal" not in RecordKind.REPORTS
    assert RecordKind.INCIDENT.is_report and not RecordKind.N100.is_report
    assert RECORD_KINDS == tuple(RecordKind)
    assert VerdictRole.EFFECTIVE == ("primary", "final")
    assert list(ROLES) == list(PersonRole) and list(VERDICT_ACTION) == list(VerdictRole)
    assert [m.value for m in Mode] == list(VerdictRole)
    assert set(table.RECORD_CHECKS) | set(RecordKind.REPORTS) == set(RecordKind)


# ---- the date column of each kind ---------------------------------------------------------------------------
MODELS = {"incident": ReportRecord, "referral": ReportRecord, "disposal": Disposal, "cancellation": Cancellation,
          "n100": N100, "crime": CrimeRecord}


def test_each_kind_has_one_date_column_that_the_sampler_the_queue_and_the_importer_use() -> None:
    assert DATE_COLUMN == {"incident": "received_at", "referral": "received_at", "disposal": "issued_at",
                           "cancellation": "cancelled_at", "n100": "recorded_at", "crime": "recorded_at"}
    assert record_models.table_dates() == {"report_record": "received_at", "crime_record": "recorded_at",
                                           "disposal": "issued_at", "cancellation": "cancelled_at",
                                           "n100": "recorded_at"}
    for kind, model in MODELS.items():
        assert record_models.RECORD_MODELS[RecordKind(kind)] is model
        column = getattr(model, DATE_COLUMN[RecordKind(kind)])
        assert sampling.source(kind).time is column
        assert _record_columns(kind)[2] is column
        assert record_models.date_column(kind) is column
    # kinds sharing a table share its date column
    by_table: dict[str, set[str]] = {}
    for k in RecordKind:
        by_table.setdefault(record_models.RECORD_MODELS[k].__tablename__, set()).add(DATE_COLUMN[k])
    assert all(len(v) == 1 for v in by_table.values())


def test_a_date_column_changed_in_the_mapping_is_what_they_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(kinds.DATE_COLUMN, RecordKind.DISPOSAL, "imported_at")
    assert sampling.source("disposal").time is Disposal.imported_at
    assert _record_columns("disposal")[2] is Disposal.imported_at
    assert record_models.table_dates()["disposal"] == "imported_at"
