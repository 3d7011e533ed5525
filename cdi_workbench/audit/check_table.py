"""Each check defined once: one table of checks per record kind, read by the verdict panel, the findings, the
verdict import/export and the reports (DOMAIN.md, "The checks, record by record").

- RECORD_CHECKS: the record-level checks of out-of-court disposals, cancelled crimes, N100 records and crime records
  (dip-samples of recorded crime), one Check each, in the order the panel asks them: its key (stored in
  VerdictBody.checks, the verdict rows' and the exchange's column), the report column's label, the panel's question,
  the answers, the recording rule behind it (rules.RULE_TEXT), the findings table column it counts into (the records
  answering yes), which answer passes, when it applies, any follow-up (the rape code an N100 should have been
  recorded as) and any suggestion worked out from the record (a crime record's timeliness).
- CRIME_ANSWERS: the crime-level answers of incidents and referrals, as far as they are columns: the verdict
  rows', the reports' and the exchange's. The findings count them crime by crime (findings_pass.Pass._report), not
  as yes answers, and the panel asks them in its own crime editor.

Everything here is read when used (the functions below), so a check added to the table reaches every reader.
Pure Python: no storage, no Qt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import cast

from ..kinds import RecordKind

YES_NO = ("yes", "no")
# Where a column goes in the verdict exchange (verdict_io): not at all (worked out, reports only), among its first
# columns, or among those added later and written after them (files written before lack them).
NOT_EXCHANGED, FIRST, ADDED = 0, 1, 2


@dataclass(frozen=True)
class FollowUp:
    """A further answer, asked once its check is answered `when` (the N100's rape code)."""

    key: str  # the VerdictBody field holding it, and its column in the verdict rows, reports and exchange
    label: str  # the report column
    question: str  # the panel's
    rule: str  # rules.RULE_TEXT key
    answers: str  # what may be given
    when: bool = True
    exchange: int = ADDED


@dataclass(frozen=True)
class Check:
    key: str  # VerdictBody.checks key; the column of the verdict rows, the reports and the exchange
    label: str  # the report column ('Offender suitable')
    question: str  # the panel's question
    rule: str  # rules.RULE_TEXT key
    column: str  # the findings table column counting the records that answered yes ('Made aware')
    figure: str  # that column's name among the findings JSON figures (docs/findings-json.md)
    passes: bool | None = True  # the answer that passes; False: 'yes' is the failure; None: a question of fact
    answers: tuple[str, ...] = YES_NO
    after: tuple[str, bool] | None = None  # asked only when that check was given that answer
    type_contains: str = ""  # asked only for records whose type (disposal type) contains this, any case
    follow_up: FollowUp | None = None
    failure: str = ""  # a failed check as the force's workbook names it ('' for the key with spaces)
    exchange: int = FIRST
    suggested_by: str = ""  # the record view's field (RecordDetail.fields) the panel shows beside it as a suggestion

    def applies(self, answers: Mapping[str, bool | None], record_type: str = "") -> bool:
        """Does the check arise, given the answers so far and the record's type?"""
        if self.after is not None and answers.get(self.after[0]) is not self.after[1]:
            return False
        return self.applies_to_type(record_type)

    def applies_to_type(self, record_type: str) -> bool:
        return not self.type_contains or self.type_contains in record_type.lower()

    def failed(self, answer: bool | None) -> bool:
        return answer is not None and self.passes is not None and answer is not self.passes

    @property
    def failure_name(self) -> str:
        return self.failure or self.key.replace("_", " ")


@dataclass(frozen=True)
class KindChecks:
    """One record kind's checks and the findings table they count into."""

    kind: RecordKind
    table: str  # the findings table's key
    counted: str  # its first column: the records with a complete verdict
    counted_figure: str  # that column's name among the JSON figures
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class CrimeAnswer:
    """A column of each crime identified in an incident or referral."""

    key: str  # the verdict rows', reports' and exchange's column
    label: str  # the report column
    rule: str  # rules.RULE_TEXT key
    answers: str  # what it holds
    exchange: int = FIRST


# The record view's field showing a sampled crime record's timeliness worked out from its report and recording times
# under the audit's rules (audit.records), which the panel offers beside 'recorded_in_time' as a suggestion.
TIMELINESS_WORKED_OUT = "Timeliness (worked out)"

RAPE_CODE = FollowUp("rape_code", "Rape code expected", "Recorded as which crime of rape? (Home Office code, 19C-19H)",
                     "should_have_been_rape", "a Home Office code for rape (19C-19H)")

RECORD_CHECKS: dict[RecordKind, KindChecks] = {
    RecordKind.DISPOSAL: KindChecks(RecordKind.DISPOSAL, "disposals", "Sampled", "sampled", (
        Check("offender_suitable", "Offender suitable", "Offender suitable given previous history?",
              "offender_suitable", "Offender suitable", "offender_suitable"),
        Check("offender_made_aware", "Offender made aware", "Offender made aware of the nature and implications?",
              "offender_made_aware", "Made aware", "made_aware"),
        Check("victim_to_consult", "Victim to consult", "Was there a victim to consult?",
              "victim_to_consult", "With a victim", "with_a_victim", passes=None),
        Check("victim_views_considered", "Victim's views considered", "Were the victim's views considered?",
              "victim_views_considered", "Victim's views considered", "victims_views_considered",
              after=("victim_to_consult", True)),
        Check("outcome_appropriate", "Outcome appropriate", "Community resolution: outcome meaningful and appropriate?",
              "outcome_appropriate", "Outcome appropriate", "outcome_appropriate", type_contains="community"),
    )),
    RecordKind.CANCELLATION: KindChecks(RecordKind.CANCELLATION, "cancellations", "Reviewed", "reviewed", (
        Check("decision_correct", "Decision correct", "Decision correct (AVI, error or transfer evidenced)?",
              "decision_correct", "Decision correct", "correct"),
        Check("authorised_decision_maker", "Authorised decision maker", "Made by an authorised decision maker?",
              "authorised_decision_maker", "Authorised decision maker", "authorised_decision_maker"),
        Check("victim_informed", "Victim informed", "Victim informed?",
              "victim_informed", "Victim informed", "victim_informed"),
    )),
    # 'Should an N100 have been applied?': the record audited is an N100, so 'no' means it was used where none was
    # due, a failure (HOCR N100 since April 2015); the findings count the N100s that were needed.
    RecordKind.N100: KindChecks(RecordKind.N100, "n100", "Reviewed", "reviewed", (
        Check("n100_needed", "N100 needed", "Should an N100 have been applied?",
              "n100_needed", "N100 needed", "n100_needed", failure="N100 not needed (wrongly applied)",
              exchange=ADDED),
        Check("should_have_been_rape", "Should have been rape", "Should this have been recorded as a crime of rape?",
              "should_have_been_rape", "Should have been rape", "should_have_been_rape", passes=False,
              follow_up=RAPE_CODE, exchange=ADDED),
    )),
    # A dip-sample of recorded crime (issue 14): the code and the time limit of each crime record sampled. The keys
    # are not the crime answers' (classified_correctly, timely: CRIME_ANSWERS), so a column names one thing. The
    # record view shows the timeliness worked out from the record's report and recording times under the audit's
    # rules (rules.timeliness) as a suggestion; the auditor answers, as the source records may say otherwise.
    RecordKind.CRIME: KindChecks(RecordKind.CRIME, "crime_records", "Reviewed", "reviewed", (
        Check("code_correct", "Correctly classified",
              "Correctly classified (Home Office code right for what the record describes)?",
              "classified", "Correctly classified", "correctly_classified", failure="wrongly classified",
              exchange=ADDED),
        Check("recorded_in_time", "Recorded in time",
              "Recorded within the time limit (24 hours from the report under 2015 rules, 72 under 2014)?",
              "timely", "In time", "in_time", failure="recorded outside the time limit", exchange=ADDED,
              suggested_by=TIMELINESS_WORKED_OUT),
    )),
}

CRIME_ANSWERS: tuple[CrimeAnswer, ...] = (
    CrimeAnswer("expected_code", "Expected code", "classified", "a Home Office code"),
    CrimeAnswer("recorded_ref", "Crime record", "recorded", "the crime record that recorded it (none: not recorded)"),
    CrimeAnswer("recorded_code", "Recorded code", "classified", "worked out", NOT_EXCHANGED),
    CrimeAnswer("classified_correctly", "Classified correctly", "classified", "yes/no (worked out or overridden)"),
    CrimeAnswer("classification", "Classification (worked out)", "classified", "worked out", NOT_EXCHANGED),
    CrimeAnswer("timely", "Within time limit", "timely", "yes/no (worked out or overridden)"),
    CrimeAnswer("timeliness", "Timeliness (worked out)", "timely", "worked out", NOT_EXCHANGED),
    CrimeAnswer("reason_not_recorded", "Reason not recorded", "not_recorded", "a reason"),
    CrimeAnswer("domestic_abuse", "Domestic abuse", "identified", "yes/no", ADDED),
    CrimeAnswer("safeguarding", "Safeguarding considered", "not_recorded", "yes/no", ADDED),
    CrimeAnswer("investigation", "Investigation took place", "not_recorded", "yes/no", ADDED),
)


# ---- the force's own checks (local_config) -------------------------------------------------------------
# A programme may add its own yes/no checks to a kind (cdi_workbench.local_config, kept in the programme's settings).
# They are set here when a database is used (local_config.activate) and read after the kind's checks by every
# reader below, as if they were in the table; set_local_checks replaces (never adds to) what was set before.
_LOCAL: dict[str, tuple[Check, ...]] = {}
_MERGED: dict[str, tuple[KindChecks, tuple[Check, ...], KindChecks]] = {}  # kind -> (table's, local, merged)


def set_local_checks(kind: str, checks: tuple[Check, ...] | list[Check]) -> None:
    """Set a kind's local checks (none: clear them), replacing those set before."""
    if kind not in RECORD_CHECKS:
        raise ValueError(f"no record-level checks for {kind!r} records")
    if checks:
        _LOCAL[kind] = tuple(checks)
    else:
        _LOCAL.pop(kind, None)
    _MERGED.pop(kind, None)


def clear_local_checks() -> None:
    _LOCAL.clear()
    _MERGED.clear()


def local_checks(kind: str) -> tuple[Check, ...]:
    return _LOCAL.get(kind, ())


# ---- reading the table ------------------------------------------------------------------------------------
def kind_checks(kind: str) -> KindChecks | None:
    """A kind's entry (a stored string finds its RecordKind: StrEnum members hash and compare as their values),
    with the force's own checks (set_local_checks) after the table's."""
    spec = cast(Mapping[str, KindChecks], RECORD_CHECKS).get(kind)
    if not _LOCAL:
        return spec
    local = _LOCAL.get(kind)
    if spec is None or not local:
        return spec
    cached = _MERGED.get(kind)
    if cached is None or cached[0] is not spec or cached[1] is not local:
        cached = (spec, local, replace(spec, checks=(*spec.checks, *local)))
        _MERGED[kind] = cached
    return cached[2]


def checks_of(kind: str) -> tuple[Check, ...]:
    """A kind's record-level checks in the panel's order (none for incidents and referrals)."""
    spec = kind_checks(kind)
    return spec.checks if spec is not None else ()


def _specs() -> list[KindChecks]:
    """Every kind's entry, the force's own checks included."""
    return [s for s in (kind_checks(kind) for kind in RECORD_CHECKS) if s is not None]


def all_checks() -> list[tuple[RecordKind, Check]]:
    return [(spec.kind, c) for spec in _specs() for c in spec.checks]


def find(key: str) -> Check | None:
    """The record-level check of that key, of whichever kind."""
    for spec in RECORD_CHECKS.values():
        for c in spec.checks:
            if c.key == key:
                return c
    for local in _LOCAL.values():  # the force's own (never a key of the table's: local_config)
        for c in local:
            if c.key == key:
                return c
    return None


def check_kinds() -> dict[str, RecordKind]:
    """check key -> the record kind it belongs to."""
    return {c.key: kind for kind, c in all_checks()}


def follow_ups(kind: str) -> list[tuple[Check, FollowUp]]:
    return [(c, c.follow_up) for c in checks_of(kind) if c.follow_up is not None]


def applicable(kind: str, answers: Mapping[str, bool | None], record_type: str = "") -> list[str]:
    """The keys of the checks that apply given the answers so far and the record's type."""
    return [c.key for c in checks_of(kind) if c.applies(answers, record_type)]


def findings_columns(kind: RecordKind) -> list[str]:
    """The columns of a kind's findings table: the records counted, then one per check."""
    spec = kind_checks(kind)
    assert spec is not None, kind
    return [spec.counted, *(c.column for c in spec.checks)]


def figure_names(kind: RecordKind) -> list[str]:
    """The JSON figure names of those columns, in the same order."""
    spec = kind_checks(kind)
    assert spec is not None, kind
    return [spec.counted_figure, *(c.figure for c in spec.checks)]


def conditional_columns() -> dict[tuple[str, str], tuple[RecordKind, str]]:
    """(findings table, column) -> (kind, check) for the checks that apply to some record types only."""
    return {(spec.table, c.column): (spec.kind, c.key) for spec in _specs() for c in spec.checks
            if c.type_contains}


def answer_columns() -> list[str]:
    """The verdict rows' answer columns in reading order: each crime's, then every kind's checks, then the
    follow-ups (reports.common.leading_columns)."""
    out = [a.key for a in CRIME_ANSWERS]
    out += [c.key for _, c in all_checks() if c.key not in out]
    out += [c.follow_up.key for _, c in all_checks() if c.follow_up is not None and c.follow_up.key not in out]
    return out


def labels() -> dict[str, str]:
    """column -> the report's label, for every answer column."""
    out = {a.key: a.label for a in CRIME_ANSWERS}
    for _, c in all_checks():
        out[c.key] = c.label
        if c.follow_up is not None:
            out[c.follow_up.key] = c.follow_up.label
    return out


def exchange_answers(part: int) -> list[str]:
    """The verdict exchange's answer columns among its FIRST columns or those ADDED after them: each crime's,
    then every kind's checks, then the follow-ups."""
    out = [a.key for a in CRIME_ANSWERS if a.exchange == part]
    out += [c.key for _, c in all_checks() if c.exchange == part]
    out += [c.follow_up.key for _, c in all_checks() if c.follow_up is not None and c.follow_up.exchange == part]
    return out


def crime_exchange_columns() -> tuple[str, ...]:
    """The exchange's columns of an identified crime (blank on a record-level row)."""
    return tuple(a.key for a in CRIME_ANSWERS if a.exchange)


def yes_no_columns() -> frozenset[str]:
    """The exchange's columns answered Y or N."""
    return frozenset({*(a.key for a in CRIME_ANSWERS if a.exchange and a.answers.startswith("yes/no")),
                      *check_kinds()})
