"""The answers a verdict holds, per record kind, as plain data (stored as JSON in Verdict.body)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..classification import lookup
from ..kinds import RecordKind
from .check_table import RECORD_CHECKS, applicable, follow_ups, kind_checks

REPORT_KINDS = RecordKind.REPORTS
RECORD_KINDS = tuple(RecordKind)


class _Questions(Mapping[str, list[tuple[str, str]]]):
    """Each kind's record-level checks as (key, question) in the order the panel asks them, read from the checks
    table (check_table.RECORD_CHECKS) whenever asked."""

    def __getitem__(self, kind: str) -> list[tuple[str, str]]:
        spec = kind_checks(kind)
        if spec is None:
            raise KeyError(kind)
        return [(c.key, c.question) for c in spec.checks]

    def __iter__(self) -> Iterator[str]:
        return iter(RECORD_CHECKS)

    def __len__(self) -> int:
        return len(RECORD_CHECKS)


# Record-level checks for the other kinds: kind -> [(key, question)], in the order the panel asks them.
CHECKS: Mapping[str, list[tuple[str, str]]] = _Questions()


# An N100 that should have been a crime of rape: the rape it should have been recorded as (VerdictBody.rape_code),
# asked once "Should this have been recorded as a crime of rape?" is answered yes (the check's follow-up).
_RAPE = follow_ups(RecordKind.N100)[0]
RAPE_CHECK = _RAPE[0].key
RAPE_CODE_QUESTION = _RAPE[1].question


def is_rape_code(code: str) -> bool:
    """A Home Office code of the rape offence group (19C-19H; 19J and 19K in the current list)."""
    found = lookup(code)
    return found is not None and found.group == "rape"


def rape_code_problem(kind: str, body: VerdictBody) -> str:
    """What is wrong with a verdict's expected rape code ('' when nothing): it belongs to an N100 that should have
    been recorded as a crime of rape, and must be a Home Office code for rape."""
    code = body.rape_code.strip()
    if not code:
        return ""
    if kind != RecordKind.N100:
        return f"an expected rape code ({code}) belongs to an N100 verdict, not to {kind} records"
    if body.checks.get(RAPE_CHECK) is not True:
        return (f"an expected rape code ({code}) is given only when the N100 should have been recorded as a crime "
                "of rape (answer that check yes first)")
    if not is_rape_code(code):
        return f"{code} is not a Home Office code for rape (19C-19H)"
    return ""


def applicable_checks(kind: str, answers: Mapping[str, bool | None], disposal_type: str = "") -> list[str]:
    """The checks that apply given the answers so far (e.g. victim's views only when there is a victim), as the
    checks table says (Check.after, Check.type_contains)."""
    return applicable(kind, answers, disposal_type)


@dataclass
class CrimeFinding:
    """One crime the auditor identified in an incident or referral."""

    expected_code: str = ""
    crime_id: int | None = None  # the crime record that recorded it, if any
    crime_ref: str = ""
    not_recorded_reason: str = ""
    safeguarding: bool | None = None
    investigation: bool | None = None
    domestic_abuse: bool | None = None
    classified_override: bool | None = None
    timely_override: bool | None = None
    override_reason: str = ""

    @property
    def recorded(self) -> bool:
        return self.crime_id is not None


@dataclass
class VerdictBody:
    crimes: list[CrimeFinding] = field(default_factory=list)
    zero_status: bool = False
    checks: dict[str, bool | None] = field(default_factory=dict)
    rationale: str = ""
    complete: bool = False
    # N100 only: the Home Office code of the crime of rape the N100 should have been recorded as (e.g. 19C), when
    # RAPE_CHECK is yes; see rape_code_problem
    rape_code: str = ""
    # A peer review's own answers beside the checks (audit.review): the checks the reviewer could not decide (check
    # names as the agreement figures name them: crimes_identified, all_recorded, classification, timeliness for
    # incidents and referrals, the checks table's keys for the other kinds), a comment per check, and a note back
    # to the auditor. Absent from the JSON unless given, like rape_code: every other verdict keeps its form (and
    # its digest).
    undecided: list[str] = field(default_factory=list)
    comments: dict[str, str] = field(default_factory=dict)
    note_to_auditor: str = ""

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in _ABSENT_UNLESS_GIVEN:  # verdicts without them keep the form they always had
            if not out[key]:
                del out[key]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> VerdictBody:
        if not data:
            return cls()
        crimes = [CrimeFinding(**{k: v for k, v in c.items() if k in _CRIME_FIELDS}) for c in data.get("crimes", [])]
        return cls(crimes=crimes, zero_status=bool(data.get("zero_status")),
                   checks=dict(data.get("checks", {})), rationale=data.get("rationale", ""),
                   complete=bool(data.get("complete")), rape_code=str(data.get("rape_code") or ""),
                   undecided=[str(k) for k in data.get("undecided") or []],
                   comments={str(k): str(v) for k, v in (data.get("comments") or {}).items()},
                   note_to_auditor=str(data.get("note_to_auditor") or ""))


_CRIME_FIELDS = frozenset(f.name for f in fields(CrimeFinding))
_ABSENT_UNLESS_GIVEN = ("rape_code", "undecided", "comments", "note_to_auditor")
# the answers only a peer review holds (audit.review.review_fields_problem)
REVIEW_ONLY = ("undecided", "comments", "note_to_auditor")
