"""Sealed blind reviews: which reviews are sealed, and which records' first verdicts a peer reviewer may not see yet.

A blind review is sealed the moment it is complete (a 'seal' row in the hash-chained history); from then on the
first verdict is shown to the reviewer and the review is refused any change until the lead reopens it (a 'reopen'
row). AuditService guards reads with these; packages use withheld_items to keep a blind share blind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..kinds import PersonRole, VerdictRole
from ..storage.models import ReviewAssignment, Verdict, VerdictChange
from ..timeutil import display
from .roles import Person
from .trail import REOPEN, SEAL


@dataclass(frozen=True)
class Seal:
    """A blind review sealed when it was completed: from then on its first verdict is shown to the reviewer, and the
    review is refused any change until the audit lead reopens it (audit.review.reopen)."""

    item_id: int
    who: str  # who completed it
    at: datetime | None  # when (None: completed before reviews were sealed: sealed as it stands)
    body: dict | None  # the review as sealed: what the agreement figures use

    @property
    def text(self) -> str:
        when = f" on {display(self.at)}" if self.at is not None else ""
        return (f"This blind review was sealed when {self.who or 'the reviewer'} completed it{when}: the auditor's "
                "verdict has been shown since, so the review can no longer be changed. Only the audit lead can "
                "reopen it, with a reason (Review > Reopen a sealed review…, or cdi review reopen).")


def sealed_review(s: Session, item_id: int) -> Seal | None:
    """The record's review as sealed, if it is sealed now (sealed_reviews)."""
    return sealed_reviews(s, [item_id]).get(item_id)


def seal_rows(s: Session, item_ids: list[int] | None = None) -> dict[int, VerdictChange]:
    """Each audit item's last history row that seals its review, reopens it, or removes it with its sample (a
    'delete' row: an item id used again by a later sample starts unsealed); all items' when item_ids is None."""
    last: dict[int, VerdictChange] = {}
    marks = ((VerdictChange.action.in_((SEAL, REOPEN)))
             | ((VerdictChange.action == "delete") & (VerdictChange.role == VerdictRole.REVIEW)))
    chunks = [None] if item_ids is None else [item_ids[n:n + 500] for n in range(0, len(item_ids), 500)]
    for chunk in chunks:
        q = select(VerdictChange).where(marks).order_by(VerdictChange.id)
        if chunk is not None:
            q = q.where(VerdictChange.item_id.in_(chunk))
        for ch in s.scalars(q):
            last[ch.item_id] = ch
    return last


def sealed_reviews(s: Session, item_ids: list[int]) -> dict[int, Seal]:
    """The reviews sealed now among these audit items: each one's last 'seal' history row not followed by a
    'reopen'; a blind review completed before reviews were sealed (no such row) counts as sealed as it stands."""
    last = seal_rows(s, item_ids)
    out = {i: Seal(i, ch.who, ch.at, ch.new_body) for i, ch in last.items() if ch.action == SEAL}
    rest = [i for i in item_ids if i not in last or last[i].action not in (SEAL, REOPEN)]
    for start in range(0, len(rest), 500):
        chunk = rest[start:start + 500]
        for v in s.scalars(select(Verdict).join(ReviewAssignment, ReviewAssignment.item_id == Verdict.item_id)
                           .where(Verdict.item_id.in_(chunk), Verdict.role == VerdictRole.REVIEW,
                                  Verdict.complete.is_(True), ReviewAssignment.mode == "blind")):
            out[v.item_id] = Seal(v.item_id, v.auditor, None, dict(v.body))
    return out


def _revealed(s: Session, item_id: int) -> bool:
    """Has the first verdict of a blind review been shown to its reviewer: the review complete, or sealed (now, or
    before the lead reopened it)?"""
    return item_id not in withheld_items(s, None, [item_id])


def withheld_items(s: Session, person: Person | None, item_ids: list[int] | None = None) -> set[int]:
    """The audit items whose first verdict (its answers, counts, history, flag and note) the person may not see yet:
    for a peer reviewer (person None: whoever), the records assigned blind whose review is neither complete nor
    sealed before; nothing for anyone else."""
    if person is not None and person.role != PersonRole.REVIEWER:
        return set()
    q = select(ReviewAssignment.item_id).where(ReviewAssignment.mode == "blind")
    if item_ids is not None:
        q = q.where(ReviewAssignment.item_id.in_(item_ids))
    blind = sorted(s.scalars(q))
    if not blind:
        return set()
    shown = {i for i, ch in seal_rows(s, blind).items() if ch.action in (SEAL, REOPEN)}
    for start in range(0, len(blind), 500):
        shown.update(s.scalars(select(Verdict.item_id).where(Verdict.role == VerdictRole.REVIEW,
                                                             Verdict.complete.is_(True),
                                                             Verdict.item_id.in_(blind[start:start + 500]))))
    return set(blind) - shown
