"""Working out each identified crime's results (classification, timeliness) with overrides applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..rules import RuleSet, Worked, classification, timeliness
from .check_table import all_checks, find
from .verdicts import CrimeFinding, VerdictBody


@dataclass(frozen=True)
class CrimeResult:
    recorded: bool
    classified: bool | None
    classified_text: str
    timely: bool | None
    timely_text: str


@dataclass(frozen=True)
class CrimeFacts:
    """What the linked crime record says, as needed to evaluate a finding."""

    ho_code: str | None
    recorded_at: datetime | None


def _apply(worked: Worked, override: bool | None, reason: str) -> tuple[bool | None, str]:
    if override is None:
        return worked.ok, worked.explanation
    word = "yes" if override else "no"
    return override, f"overridden to '{word}' ({reason}); worked out: {worked.explanation}"


def classified(expected_code: str | None, ho_code: str | None, override: bool | None,
               reason: str) -> tuple[bool | None, str]:
    """A recorded crime's classification result and its text, the auditor's override applied."""
    return _apply(classification(expected_code, ho_code), override, reason)


def timely(received_at: datetime | None, recorded_at: datetime | None, override: bool | None, reason: str,
           rules: RuleSet) -> tuple[bool | None, str]:
    """A recorded crime's timeliness result and its text, the auditor's override applied."""
    return _apply(timeliness(received_at, recorded_at, rules), override, reason)


def evaluate(f: CrimeFinding, facts: CrimeFacts | None, received_at: datetime | None,
             rules: RuleSet) -> CrimeResult:
    if not f.recorded or facts is None:
        return CrimeResult(False, None, "not recorded", None, "not recorded")
    cls, cls_text = classified(f.expected_code, facts.ho_code, f.classified_override, f.override_reason)
    tim, tim_text = timely(received_at, facts.recorded_at, f.timely_override, f.override_reason, rules)
    return CrimeResult(True, cls, cls_text, tim, tim_text)


@dataclass(frozen=True)
class Summary:
    n_crimes: int
    n_recorded: int
    n_misclassified: int
    n_late: int
    n_failed_checks: int


def summarise(body: VerdictBody, results: list[CrimeResult]) -> Summary:
    failed = sum(1 for k, v in body.checks.items() if check_failed(k, v))
    return Summary(len(body.crimes), sum(r.recorded for r in results),
                   sum(r.classified is False for r in results), sum(r.timely is False for r in results),
                   failed)


# Which answer passes each record-level check is the checks table's (check_table.Check.passes): 'yes' is the failure
# of an N100 record that should have been a crime of rape; either answer passes a question of fact (was there a
# victim to consult?). "Should an N100 have been applied?" is not one: the record audited is an N100, so 'no' means
# the N100 was used where none was due, a failure (DOMAIN.md, N100; HOCR N100 since April 2015). These sets are
# what the table says, for reading; check_failed reads the table itself.
NEGATIVE_CHECKS = frozenset(c.key for _, c in all_checks() if c.passes is False)
FACT_CHECKS = frozenset(c.key for _, c in all_checks() if c.passes is None)


def failure_name(key: str) -> str:
    """A failed check as the force's workbook and the failures list name it (Check.failure), else the key with
    spaces (names already stored with the force's responses, e.g. 'should have been rape', must not change)."""
    c = find(key)
    return c.failure_name if c is not None else key.replace("_", " ")


def check_failed(key: str, answer: bool | None) -> bool:
    """Is this answer a failure? A check the table does not hold fails on 'no'."""
    c = find(key)
    if c is None:
        return answer is False
    return c.failed(answer)
