"""The audit lead's decisions on disagreements, after they are made: the decided records to go back to (who was
upheld, by whom, when, why), undoing a decision, the lead's own final verdict composed from answers (`cdi review
decide --own`), and the reviewer's note as the auditor sees it on their record.

Each operation checks the person's role in the core; every change goes into the hash-chained history through the
service, as the other review operations do (audit.review.adjudicate):

- undo_decision: the lead only, with a reason; the final verdict is removed by an 'undo decision' history row
  (old: the final verdict, new: none), so the findings use the first verdict again and the record is back among
  the disagreements awaiting a decision (it says where it goes: a final verdict written before decisions were held
  to disagreements may leave a record awaiting nothing). `cdi verify` checks it like any other verdict change.
- decided: the records whose disagreement the lead has decided, with who was upheld: the auditor (the final
  verdict is the auditor's on every check), the reviewer (the reviewer's on every check) or neither (the lead's
  own answers, or some checks from each).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..classification import lookup
from ..kinds import RecordKind, VerdictRole
from ..storage.models import Verdict, VerdictChange
from .checks import differences
from .review import IGNORED, Comparison, adjudicate, awaiting_problem, disagreements
from .service import AuditError, AuditService
from .verdicts import CrimeFinding, VerdictBody, applicable_checks

UNDO_DECISION = "undo decision"  # the history row's action: the lead took back a final verdict
AUDITOR, REVIEWER, NEITHER = "auditor", "reviewer", "neither"
UPHELD_TEXT = {AUDITOR: "the auditor's verdict", REVIEWER: "the reviewer's verdict",
               NEITHER: "neither (the lead's own verdict)"}


@dataclass(frozen=True)
class Decision:
    """A disagreement the lead has decided, to go back to (and undo, with a reason)."""

    comparison: Comparison  # the record, the two verdicts' differences and the reviewer's own answers
    upheld: str  # AUDITOR, REVIEWER or NEITHER
    decided_by: str
    decided_at: datetime | None
    reason: str  # as the history records it ('adjudicated: the reviewer's verdict. ...')

    @property
    def item_id(self) -> int:
        return self.comparison.item_id

    @property
    def upheld_text(self) -> str:
        return UPHELD_TEXT[self.upheld]


def upheld(kind: str, final: dict | None, first: dict | None, review: dict | None) -> str:
    """Whose verdict the final one is: the auditor's or the reviewer's (the same answers on every check), else
    neither."""
    def same(a: dict | None, b: dict | None) -> bool:
        return not [d for d in differences(kind, a, b) if d.check not in IGNORED]

    if same(final, first):
        return AUDITOR
    if same(final, review):
        return REVIEWER
    return NEITHER


def decided(svc: AuditService, sample_id: int | None = None, audit: str | None = None) -> list[Decision]:
    """The disagreements the lead has decided (the lead only), in sample order: the sample's, else the audit's named,
    else the latest audit's (as review.disagreements)."""
    rows = [c for c in disagreements(svc, sample_id, decided=True, audit=audit) if c.final]
    if not rows:
        return []
    ids = [c.item_id for c in rows]
    with svc.unit() as s:
        bodies: dict[tuple[int, str], Verdict] = {
            (v.item_id, v.role): v for v in s.scalars(select(Verdict).where(Verdict.item_id.in_(ids)))}
        last: dict[int, VerdictChange] = {}
        for row in s.scalars(select(VerdictChange).where(VerdictChange.item_id.in_(ids),
                                                         VerdictChange.role == VerdictRole.FINAL)
                             .order_by(VerdictChange.id)):
            last[row.item_id] = row
        out = []
        for c in rows:
            final = bodies[(c.item_id, VerdictRole.FINAL)]
            first, review = bodies.get((c.item_id, VerdictRole.PRIMARY)), bodies.get((c.item_id, VerdictRole.REVIEW))
            ch = last.get(c.item_id)
            out.append(Decision(c, upheld(c.kind, final.body, first.body if first else None,
                                          review.body if review else None),
                                final.auditor, final.updated_at, ch.reason if ch is not None else ""))
        return out


def undo_decision(svc: AuditService, item_id: int, reason: str) -> str:
    """The lead takes back a decision: the final verdict goes, with the reason, in the hash-chained history, and the
    findings use the first verdict again. Returns where the record goes, in words: back among the disagreements
    awaiting a decision, or (a final verdict written before decisions were held to disagreements) why it is not."""
    if not reason.strip():
        raise AuditError("undoing a decision needs a reason (it goes in the history)")
    with svc.unit() as s:  # one transaction: the decision read is the one removed
        svc.require("adjudicate")
        v = s.scalar(select(Verdict).where(Verdict.item_id == item_id, Verdict.role == VerdictRole.FINAL))
        if v is None:
            raise AuditError("this record has no decision (final verdict) to undo")
        stored = dict(v.body)
        # expect: the decision as read, so a decision changed meanwhile (another window) is not thrown away
        svc.write(item_id, None, VerdictRole.FINAL, UNDO_DECISION, f"decision undone: {reason.strip()}",
                   expect=stored)
        why = awaiting_problem(svc, item_id)
    if not why:
        return "it awaits your decision again among the disagreements; the findings use the first verdict meanwhile"
    return f"the findings use the first verdict again; {why}"


def decide(svc: AuditService, item_id: int, take: str | VerdictBody, reason: str) -> VerdictBody:
    """The lead's decision (audit.review.adjudicate), named here beside its undoing."""
    return adjudicate(svc, item_id, take, reason)


def own_verdict(svc: AuditService, item_id: int, answers: dict[str, bool] | None = None,
                crimes: list[tuple[str, str]] | None = None, zero_status: bool = False,
                not_recorded_reason: str = "", rape_code: str = "", rationale: str = "") -> VerdictBody:
    """The lead's own final verdict, neither the auditor's nor the reviewer's, composed from answers (the command
    line's `cdi review decide --own`): for an incident or referral each crime identified as (Home Office code,
    crime reference; '' for one not recorded, with not_recorded_reason) or zero status; for the other kinds the
    yes/no answer to every check that arises (and an N100's rape code). Refused unless complete."""
    svc.require("adjudicate")
    detail = svc.record(item_id)
    kind, crimes, answers = detail.kind, list(crimes or []), dict(answers or {})
    if kind in RecordKind.REPORTS:
        if answers:
            raise AuditError(f"{', '.join(answers)}: an {kind} verdict is the crimes identified (--crime CODE=REF, "
                             "or CODE alone for one not recorded), or zero status")
        if zero_status and crimes:
            raise AuditError("zero status means no crime: give crimes or zero status, not both")
        if not zero_status and not crimes:
            raise AuditError("give each crime identified (--crime CODE=REF, or CODE alone for a crime not recorded, "
                             "with --not-recorded-reason) or --zero-status")
        findings = []
        for code, ref in crimes:
            if lookup(code) is None:
                raise AuditError(f"{code!r} is not a Home Office crime code")
            if ref.strip():
                found = svc.find_crime(ref)
                if found is None:
                    raise AuditError(f"no crime record {ref!r}")
                findings.append(CrimeFinding(expected_code=code.strip(), crime_id=found.id, crime_ref=found.ref))
            elif not not_recorded_reason.strip():
                raise AuditError(f"crime {code}: not recorded: say why with --not-recorded-reason")
            else:
                findings.append(CrimeFinding(expected_code=code.strip(),
                                             not_recorded_reason=not_recorded_reason.strip()))
        return VerdictBody(crimes=findings, zero_status=zero_status, rationale=rationale.strip(), complete=True)
    if crimes or zero_status:
        raise AuditError(f"a {kind} verdict answers its checks (--answer CHECK=yes|no), it has no crimes")
    arise = applicable_checks(kind, answers, detail.disposal_type)
    unknown = [k for k in answers if k not in arise]
    if unknown:
        raise AuditError(f"{', '.join(unknown)}: not a check that arises on this {kind} record (it asks: "
                         f"{', '.join(arise)})")
    missing = [k for k in arise if k not in answers]
    if missing:
        raise AuditError(f"answer every check that arises: {', '.join(missing)} (--answer CHECK=yes|no)")
    checks: dict[str, bool | None] = dict(answers)
    return VerdictBody(checks=checks, rape_code=rape_code.strip(), rationale=rationale.strip(), complete=True)


@dataclass(frozen=True)
class ReviewNote:
    """What the reviewer said back to the auditor on a record, as the auditor sees it once the review is complete."""

    reviewer: str
    at: datetime | None
    note: str
    comments: tuple[tuple[str, str], ...]  # (check, comment)
    undecided: tuple[str, ...]  # the checks the reviewer could not decide

    @property
    def empty(self) -> bool:
        return not (self.note.strip() or self.comments or self.undecided)


def review_note(svc: AuditService, item_id: int) -> ReviewNote | None:
    """The reviewer's note back to the auditor, comments per check and checks they could not decide, once the
    review is complete (None before, or when the review says nothing of the kind). Whoever may read records, a
    blind reviewer included only once their review is complete (it is their own)."""
    from .review_answers import check_label

    with svc.unit() as s:
        svc.require("read records")
        v = s.scalar(select(Verdict).where(Verdict.item_id == item_id, Verdict.role == VerdictRole.REVIEW,
                                           Verdict.complete.is_(True)))
        if v is None:
            return None
        body = VerdictBody.from_json(v.body)
    note = ReviewNote(v.auditor, v.updated_at, body.note_to_auditor.strip(),
                      tuple((check_label(c), t.strip()) for c, t in body.comments.items() if t.strip()),
                      tuple(check_label(c) for c in body.undecided))
    return None if note.empty else note
