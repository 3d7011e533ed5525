"""What a decision holds still: while the audit lead's final verdict (a decision) stands on a record, its first
verdict and its review may not change, by any way of writing them (the panel, undo and redo, a verdict import, a
package merge), or the decision would silently stand on verdicts it never saw. AuditService._write_in asks here.

When a record may be decided at all (a complete first verdict and a complete, for blind sealed, review that
disagree) is audit.review.awaiting_problem, the rule the Disagreements list, the decide commands and the window's
final verdict share.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..kinds import VerdictRole
from ..storage.models import Verdict
from ..timeutil import display

HELD = (VerdictRole.PRIMARY, VerdictRole.REVIEW)  # the verdicts a decision is made on
HOLDING_ACTIONS = ("set", "undo", "redo", "import", "merge")  # the ways a verdict is written


def decided_text(s: Session, item_id: int) -> str:
    """Why the record's first verdict and review may not change now ('' when no decision stands on it)."""
    row = s.execute(select(Verdict.auditor, Verdict.updated_at)
                    .where(Verdict.item_id == item_id, Verdict.role == VerdictRole.FINAL)).first()
    if row is None:
        return ""
    who, at = row
    return (f"the audit lead has decided this record (final verdict by {who or 'the lead'} on {display(at)}): the "
            "lead must undo the decision first (Review > Disagreements, or cdi review undo-decision)")


def held_problem(s: Session, item_id: int, role: str, action: str) -> str:
    """'' when writing `role` by `action` leaves any decision on the record standing on what it saw; else why not."""
    if role not in HELD or action not in HOLDING_ACTIONS:
        return ""
    return decided_text(s, item_id)
