"""A peer reviewer's own answers beside the checks: "could not decide" per check, a comment per check and a note
back to the auditor (VerdictBody.undecided, .comments, .note_to_auditor), and what the core refuses of them.

They belong to a review verdict only. The checks are those the agreement figures compare (agreement.compared_checks:
crimes identified, recorded, classification and timeliness for incidents and referrals, the checks table's keys for
the other kinds). A record-level check the reviewer could not decide has no answer: it is one or the other.

"Could not decide" is not offered to the auditor: the findings count every first verdict, and an auditor who is
unsure flags the record for a second opinion (a flag and its note) instead.
"""

from __future__ import annotations

from ..kinds import RecordKind, VerdictRole
from .verdicts import VerdictBody


def check_names(kind: str) -> list[str]:
    from ..agreement import compared_checks

    return compared_checks(kind)


def check_label(check: str) -> str:
    from ..agreement import label

    return label(check)


def has_review_answers(body: VerdictBody) -> bool:
    return bool(body.undecided or any(t.strip() for t in body.comments.values()) or body.note_to_auditor.strip())


def review_fields_problem(kind: str, role: str, body: VerdictBody) -> str:
    """What is wrong with a verdict's reviewer's answers ('' when nothing)."""
    if not has_review_answers(body):
        return ""
    if role != VerdictRole.REVIEW:
        return ("'could not decide', comments per check and a note to the auditor are a peer reviewer's answers: "
                f"they belong to a review verdict, not to the {'final' if role == VerdictRole.FINAL else 'first'} "
                "verdict")
    names = check_names(kind)
    for key in [*body.undecided, *body.comments]:
        if key not in names:
            return (f"{key!r} is not a check of {kind} records (the checks are: {', '.join(names)})")
    if len(set(body.undecided)) != len(body.undecided):
        return "a check is said twice to be undecided"
    if kind not in RecordKind.REPORTS:
        both = [k for k in body.undecided if body.checks.get(k) is not None]
        if both:
            return (f"{check_label(both[0])}: answered and 'could not decide' at once: give one or the other")
    return ""
