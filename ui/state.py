"""What the main window has in hand of the open audit, in one object.

The window (ui/main_window.py) owns one AuditState and passes it to each of its parts (ui/session_flow.py,
ui/queue_flow.py, ui/record_flow.py, the actions); they read and change it, and keep no audit state of their own.
What the state holds are plain values and the handles the core's operations take back (cdi_workbench.audit.
operations): it opens nothing and decides nothing but which way the panel edits the record (`mode`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cdi_workbench.audit import operations as ops
from cdi_workbench.audit.operations import AuditHandle
from cdi_workbench.audit.roles import Person
from cdi_workbench.audit.service import AuditInfo, AuditService


@dataclass
class AuditState:
    user: str = ""  # who is working, as typed: stamped on every verdict
    db: AuditHandle | None = None  # the audit open (None: none yet)
    svc: AuditService | None = None  # the core's service on it, for the user
    info: AuditInfo | None = None  # its force, period and rule set
    person: Person | None = None  # who is acting, once the open database has identified them
    sample_id: int | None = None  # the sample chosen
    current_item: int | None = None  # the record open
    restore_item: int | None = None  # the record to select when the queue next loads (drill-down, undo, memory)
    review_mode: bool = False  # the queue lists the person's assigned records; the panel edits their review
    final_item: int | None = None  # the record whose final verdict the lead is writing (Disagreements)
    final_reason: str = ""  # the lead's reason for that final verdict, saved with its first change
    # (item, the stored verdict its next save expects to find; None: none is stored)
    base: tuple[int | None, dict[str, Any] | None] = (None, None)
    first_hidden: bool = False  # the record in view is a blind review not yet complete
    sealed: str = ""  # the review in view is sealed: why it is read-only (the core's words); '' when it is not
    previous_audit: str | None = None  # a previous audit whose figures the findings show in brackets
    interval_method: str = "normal"  # the rates' interval (File > Interval method for rates)
    seen: ops.Seen | None = None  # what this window last saw of others' changes (ops.look)
    audits_seen: tuple[tuple[str, bool], ...] | None = None  # the programme's audits (name, closed) last seen

    def forget_audit(self) -> None:
        """Nothing of the audit open stays but its handles (db, svc, info: the next audit's replace them): who acts,
        record, samples, figures, review and final-verdict modes (who is working and the interval method stay)."""
        self.person = None
        self.sample_id = self.current_item = self.restore_item = self.final_item = None
        self.final_reason, self.first_hidden, self.base, self.seen = "", False, (None, None), None
        self.audits_seen = None
        self.sealed = ""
        self.review_mode = False
        self.previous_audit = None

    def mode(self) -> ops.Mode:
        """The verdict the panel edits on the record open: the lead's final one, a review, or the audit's."""
        if self.final_item is not None and self.current_item == self.final_item and not self.review_mode:
            return ops.Mode.FINAL
        return ops.Mode.REVIEW if self.review_mode else ops.Mode.AUDIT
