"""Peer review: the lead assigns records, reviewers re-check them (blind or open), disagreements go to the lead.

- assign: a random share of a sample (reproducible from a seed), every failed record, every flagged record,
  or records picked by hand, to one reviewer, blind or open. Each assignment (and its removal) is written to
  the hash-chained history.
- A reviewer's verdict is stored in the 'review' role; in blind mode the core will not show them the first
  verdict (its answers, its history, the flag and its note) until their review is complete
  (AuditService._blind_guard). A blind review is sealed the moment it is complete (a 'seal' row in the history
  holds it as it was): the first verdict is shown from then on, and any change to the review is refused until the
  lead reopens it with a reason (reopen: a 'reopen' row); completed again, it is sealed again. The agreement
  figures use the review as last sealed. In open mode the review starts from the first verdict and the reviewer
  agrees or changes each check.
- disagreements: records whose complete first and review verdicts differ on any check, or whose reviewer could not
  decide a check (marked, with the reviewer's comments and note to the auditor: audit.review_answers), and that
  have no final verdict yet, side by side per check with both rationales, each named (sample #position
  reference); the lead's decision becomes the final verdict (role 'final', which the findings use), and the
  history keeps all three. Undoing a decision, the decided records and the lead's own verdict from answers:
  audit.decisions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..kinds import PersonRole, VerdictRole
from ..storage.database import serialise_writes
from ..storage.models import AppUser, AuditItem, ReviewAssignment, Sample, Verdict, VerdictChange
from ..timeutil import display, now_utc
from .audit_scope import items_of, sample_named
from .checks import CheckDiff, differences
from .programme import resolve
from .roles import NotAllowed
from .seals import Seal, sealed_review, sealed_reviews
from .service import AuditError, AuditService, _named, _record_columns
from .trail import REOPEN, assignment_body, seal
from .verdicts import VerdictBody

BASES = {"random": "a random share", "failed": "every failed record", "flagged": "every flagged record",
         "hand": "picked by hand"}
MODES = {"blind": "blind (first verdict hidden)", "open": "open (first verdict shown)"}
IGNORED = {"verdict", "complete"}  # both verdicts exist and are complete whenever two are compared


@dataclass(frozen=True)
class Assignment:
    item_id: int
    sample_id: int
    position: int
    kind: str
    ref: str
    reviewer: str
    mode: str
    basis: str
    assigned_by: str
    assigned_at: datetime
    state: str  # 'to review' | 'in progress' | 'agrees' | 'disagrees' | 'decided'
    sealed: bool = False  # a blind review sealed when completed: changed only once the lead reopens it


@dataclass(frozen=True)
class Comparison:
    """A first verdict and a review of the same record, check by check."""

    item_id: int
    kind: str
    ref: str
    auditor: str
    reviewer: str
    auditor_rationale: str
    reviewer_rationale: str
    diffs: tuple[CheckDiff, ...]  # ours = the auditor's answer, theirs = the reviewer's
    final: bool  # the lead has decided
    # the record named as the lead decides it: its sample and position ('Main #12 INC-0001')
    sample: str = ""
    position: int = 0
    # the reviewer's own answers (audit.review_answers): the checks they could not decide (labels), their comment
    # per check (label, comment) and their note back to the auditor
    undecided: tuple[str, ...] = ()
    comments: tuple[tuple[str, str], ...] = ()
    note_to_auditor: str = ""

    @property
    def name(self) -> str:
        """'Main #12 INC-0001 (incident)': the record being decided."""
        where = f"{self.sample} #{self.position} " if self.sample else ""
        return f"{where}{self.ref} ({self.kind})"


def assign(svc: AuditService, sample_id: int, basis: str, reviewer: str, mode: str = "blind", *,
           share: float | None = None, seed: int = 0, item_ids: list[int] | None = None) -> list[int]:
    """Give records of a sample to a reviewer; returns the audit items assigned.

    A random share is drawn from the records with a complete first verdict (a review re-checks a verdict).
    Records already assigned keep their assignment (reviewer and blind/open), except those picked by hand,
    which the lead means to reassign: the history says so."""
    if basis not in BASES:
        raise AuditError(f"unknown basis {basis!r}: {', '.join(BASES)}")
    if mode not in MODES:
        raise AuditError(f"unknown review mode {mode!r}: blind or open")
    with svc.unit() as s:
        serialise_writes(s)
        lead = svc.require("assign reviews")
        _check_reviewer(s, reviewer, lead.registered)
        items = list(s.scalars(select(AuditItem.id).where(AuditItem.sample_id == sample_id)
                               .order_by(AuditItem.position)))
        if not items:
            raise AuditError(f"sample {sample_id} has no records")
        if basis != "hand":
            taken = set(s.scalars(select(ReviewAssignment.item_id).where(ReviewAssignment.item_id.in_(items))))
            items = [i for i in items if i not in taken]
        chosen = _choose(s, items, basis, share, seed, item_ids)
        now = now_utc()
        for item_id in chosen:
            a = s.scalar(select(ReviewAssignment).where(ReviewAssignment.item_id == item_id))
            old = assignment_body(a) if a is not None else None
            if a is None:
                a = ReviewAssignment(item_id=item_id, reviewer=reviewer, mode=mode, basis=basis,
                                     assigned_by=lead.name, assigned_at=now)
                s.add(a)
            a.reviewer, a.mode, a.basis, a.assigned_by, a.assigned_at = reviewer, mode, basis, lead.name, now
            _history(s, item_id, lead.name, "assign", old, assignment_body(a),
                     f"assigned for {mode} review ({BASES[basis]})")
        return chosen


def sample_id(svc: AuditService, name: str, audit: str | None = None) -> int:
    """The sample called `name` in the programme (sample names are unique in it): worked on under its own audit; with
    `audit` named, refused (ProgrammeError, naming the audit it belongs to) when it is another audit's."""
    with svc.unit() as s:
        smp = sample_named(s, name, audit)
        if smp is None:
            resolve(s, audit)  # an unknown audit's name is said first
            raise AuditError(f"no sample called {name!r}")
        return smp.id


def unassign(svc: AuditService, item_id: int, reason: str = "") -> None:
    with svc.unit() as s:
        serialise_writes(s)
        lead = svc.require("assign reviews")
        a = s.scalar(select(ReviewAssignment).where(ReviewAssignment.item_id == item_id))
        if a is None:
            raise AuditError(f"item {item_id} is not assigned for review")
        _history(s, item_id, lead.name, "unassign", assignment_body(a), None, reason or "assignment withdrawn")
        s.delete(a)


def assignments(svc: AuditService, sample_id: int | None = None, reviewer: str | None = None,
                audit: str | None = None) -> list[Assignment]:
    """Assignments with their state; a reviewer sees only their own. Those of the sample given (refused,
    ProgrammeError, when `audit` names another audit than the sample's), else of the audit named, else of the
    latest audit (audit_scope.items_of)."""
    with svc.unit() as s:
        person = svc.require("read records")
        if person.role == PersonRole.REVIEWER:
            reviewer = person.name
        q = (select(ReviewAssignment, AuditItem).join(AuditItem, AuditItem.id == ReviewAssignment.item_id)
             .where(items_of(s, sample_id, audit)).order_by(AuditItem.sample_id, AuditItem.position))
        if reviewer is not None:
            q = q.where(ReviewAssignment.reviewer == reviewer)
        rows = s.execute(q).all()
        verdicts = _verdicts(s, [a.item_id for a, _ in rows])
        sealed = sealed_reviews(s, [a.item_id for a, _ in rows])
        out = []
        for a, item in rows:
            v = verdicts.get(item.id, {})
            out.append(Assignment(item.id, item.sample_id, item.position, item.kind, _ref(s, item), a.reviewer,
                                  a.mode, a.basis, a.assigned_by, a.assigned_at, _state(item.kind, v),
                                  item.id in sealed))
        return out


def sealed(svc: AuditService, item_id: int) -> Seal | None:
    """The record's review if it is sealed (a blind review completed and not reopened since), else None."""
    with svc.unit() as s:
        svc.require("read records")
        return sealed_review(s, item_id)


def reopen(svc: AuditService, item_id: int, reason: str) -> None:
    """The lead reopens a sealed blind review so that its reviewer may change it (say a slip of the hand), with a
    reason, in the hash-chained history. Completed again, the review is sealed again, and the agreement figures use
    it as then sealed; the reviewer has seen the first verdict by then, which the reopening records."""
    if not reason.strip():
        raise AuditError("reopening a sealed review needs a reason (it goes in the history)")
    with svc.unit() as s:
        serialise_writes(s)
        lead = svc.require("reopen reviews")
        found = sealed_review(s, item_id)
        if found is None:
            raise AuditError("this record's review is not sealed: only a completed blind review is sealed")
        _history(s, item_id, _named(lead), REOPEN, {"sealed": True, "by": found.who}, {"sealed": False},
                 f"sealed review reopened: {reason.strip()}")


def start_body(svc: AuditService, item_id: int) -> VerdictBody:
    """What the reviewer's panel starts from: their review so far; in open mode, else the first verdict."""
    with svc.unit() as s:
        svc.require("review")
        v = _verdicts(s, [item_id]).get(item_id, {})
        mode = s.scalar(select(ReviewAssignment.mode).where(ReviewAssignment.item_id == item_id))
    if VerdictRole.REVIEW in v:
        return VerdictBody.from_json(v[VerdictRole.REVIEW].body)
    if mode == "open" and VerdictRole.PRIMARY in v:
        return replace(VerdictBody.from_json(v[VerdictRole.PRIMARY].body), rationale="", complete=False)
    return VerdictBody()


@dataclass(frozen=True)
class FirstVerdict:
    """The first (primary) verdict as the person asking may see it, for showing beside a review."""

    body: VerdictBody | None  # None: not audited yet, or hidden
    auditor: str
    updated_at: datetime | None
    hidden: bool  # a blind review not yet complete: the first verdict is not shown


def first_verdict(svc: AuditService, item_id: int) -> FirstVerdict:
    """The first verdict of a record with who gave it and when; hidden (no answers, no name) from a reviewer
    whose blind review of the record is not complete."""
    with svc.unit() as s:
        person = svc.require("read records")
        try:
            svc.blind_guard(person, item_id)
        except NotAllowed:
            return FirstVerdict(None, "", None, True)
        v = s.scalar(select(Verdict).where(Verdict.item_id == item_id, Verdict.role == VerdictRole.PRIMARY))
        if v is None:
            return FirstVerdict(None, "", None, False)
        return FirstVerdict(VerdictBody.from_json(v.body), v.auditor, v.updated_at, False)


def compare(svc: AuditService, item_id: int) -> Comparison:
    with svc.unit() as s:
        person = svc.require("read records")
        svc.blind_guard(person, item_id)
        item = svc.item(item_id)
        v = _verdicts(s, [item_id]).get(item_id, {})
        if VerdictRole.PRIMARY not in v or VerdictRole.REVIEW not in v:
            raise AuditError("this record has not been both audited and reviewed")
        return _comparison(s, item, v)


def disagreements(svc: AuditService, sample_id: int | None = None, decided: bool = False,
                  audit: str | None = None) -> list[Comparison]:
    """Records awaiting the lead's decision (awaiting_problem): a complete first verdict and a complete review (a
    blind one sealed) that differ on some check or where the reviewer could not decide one; with decided, those the
    lead has decided too. Those of the sample given (refused, ProgrammeError, when `audit` names another audit than
    the sample's), else of the audit named, else of the latest audit (audit_scope.items_of)."""
    with svc.unit() as s:
        svc.require("adjudicate")
        q = (select(AuditItem).join(Verdict, Verdict.item_id == AuditItem.id)
             .where(Verdict.role == VerdictRole.REVIEW, Verdict.complete.is_(True), items_of(s, sample_id, audit))
             .order_by(AuditItem.sample_id, AuditItem.position))
        items = list(s.scalars(q))
        ids = [i.id for i in items]
        verdicts, held = _verdicts(s, ids), _held_still(s, ids)
        out = []
        for item in items:
            v = verdicts.get(item.id, {})
            final = VerdictRole.FINAL in v
            if (decided or not final) and not _why_not(s, item, v, final or item.id in held):
                out.append(_comparison(s, item, v))
        return out


def awaiting_problem(svc: AuditService, item_id: int, decided: bool = False) -> str:
    """'' when the record awaits the lead's decision, exactly as disagreements lists it (with decided: or has been
    decided on such a disagreement, the lead changing their own final verdict); else why not, in words naming the
    record: every way of deciding (adjudicate, the window's final verdict) asks this first."""
    with svc.unit() as s:
        item = svc.item(item_id)
        v = _verdicts(s, [item_id]).get(item_id, {})
        final = VerdictRole.FINAL in v
        why = _why_not(s, item, v, final or item_id in _held_still(s, [item_id]))
        if not why and final and not decided:
            f = v[VerdictRole.FINAL]
            why = (f"it is decided already (final verdict by {f.auditor} on {display(f.updated_at)}): undo the "
                   "decision first to decide it again")
        if not why:
            return ""
        sample = s.scalar(select(Sample.name).where(Sample.id == item.sample_id)) or ""
        return f"position {item.position} of '{sample}' is not awaiting a decision: {why}"


def adjudicate(svc: AuditService, item_id: int, take: str | VerdictBody, reason: str) -> VerdictBody:
    """The lead's decision, stored as the final verdict: 'primary' or 'review' takes that verdict as it is, or
    a VerdictBody the lead composed. A reason is required; the history keeps all three verdicts."""
    if not reason.strip():
        raise AuditError("a decision needs a reason")
    with svc.unit() as s:  # one transaction: the record checked is the one decided
        serialise_writes(s)
        svc.require("adjudicate")
        if problem := awaiting_problem(svc, item_id):
            raise AuditError(problem)
        return _adjudicate(svc, item_id, take, reason)


def _adjudicate(svc: AuditService, item_id: int, take: str | VerdictBody, reason: str) -> VerdictBody:
    if isinstance(take, str):
        if take not in (VerdictRole.PRIMARY, VerdictRole.REVIEW):
            raise AuditError("take the auditor's verdict ('primary'), the reviewer's ('review') or give one")
        with svc.unit() as s:
            body = s.scalar(select(Verdict.body).where(Verdict.item_id == item_id, Verdict.role == take))
        if body is None:
            raise AuditError(f"there is no {take} verdict on this record")
        chosen = VerdictBody.from_json(body)
        if take == VerdictRole.REVIEW and chosen.undecided:
            from .review_answers import check_label

            raise AuditError("the reviewer could not decide " + ", ".join(check_label(c) for c in chosen.undecided)
                             + ": take the auditor's verdict, or give your own (cdi review decide --own, or Write "
                               "my own… in the window)")
        sources: dict[str, str] = {VerdictRole.PRIMARY: "the auditor's verdict",
                                   VerdictRole.REVIEW: "the reviewer's verdict"}
        source = sources[take]
    else:
        chosen, source = take, "the lead's own verdict"
    # the reviewer's own answers (could not decide, comments, the note to the auditor) stay with the review
    chosen = replace(chosen, complete=True, undecided=[], comments={}, note_to_auditor="")
    svc.save_verdict(item_id, chosen, reason=f"adjudicated: {source}. {reason.strip()}", role=VerdictRole.FINAL,
                     label="Adjudicate")
    return chosen


def reviewers(svc: AuditService) -> list[str]:
    """People who may review (registered reviewers and leads); empty in single-user mode."""
    with svc.unit() as s:
        return list(s.scalars(select(AppUser.name).where(AppUser.active.is_(True),
                                                         AppUser.role.in_((PersonRole.REVIEWER, PersonRole.LEAD)))
                              .order_by(AppUser.name)))


# ---- internals ---------------------------------------------------------------------------------------------
def _check_reviewer(s: Session, reviewer: str, registered_mode: bool) -> None:
    if not reviewer.strip():
        raise AuditError("name the reviewer")
    if not registered_mode:
        return  # single-user mode: any name will do
    role = s.scalar(select(AppUser.role).where(AppUser.name == reviewer, AppUser.active.is_(True)))
    if role not in (PersonRole.REVIEWER, PersonRole.LEAD):
        raise AuditError(f"{reviewer} is not registered as a peer reviewer or audit lead")


def _choose(s: Session, items: list[int], basis: str, share: float | None, seed: int,
            item_ids: list[int] | None) -> list[int]:
    if basis == "hand":
        wanted = set(item_ids or [])
        if not wanted:
            raise AuditError("pick the records to assign")
        unknown = wanted - set(items)
        if unknown:
            raise AuditError(f"not in this sample: items {', '.join(map(str, sorted(unknown)))}")
        return [i for i in items if i in wanted]
    if basis == "random":
        if share is None or share <= 0:
            raise AuditError("give the share to review (a proportion, e.g. 0.1, or a number of records)")
        done = set(s.scalars(select(Verdict.item_id).where(Verdict.item_id.in_(items),
                                                              Verdict.role == VerdictRole.PRIMARY,
                                                              Verdict.complete.is_(True))))
        items = [i for i in items if i in done]
        if not items:
            return []
        n = int(share) if share >= 1 else max(1, round(share * len(items)))
        return sorted(random.Random(seed).sample(items, min(n, len(items))))
    if basis == "flagged":
        return list(s.scalars(select(AuditItem.id).where(AuditItem.id.in_(items), AuditItem.flagged.is_(True))
                              .order_by(AuditItem.position)))
    effective = _verdicts(s, items)
    out = []
    for i in items:  # failed: the verdict that counts (final, else primary) fails a check
        v = effective.get(i, {})
        e = v.get(VerdictRole.FINAL) or v.get(VerdictRole.PRIMARY)
        if e is not None and (e.n_recorded < e.n_crimes or e.n_late or e.n_misclassified or e.n_failed_checks):
            out.append(i)
    return out


def _verdicts(s: Session, item_ids: list[int]) -> dict[int, dict[str, Verdict]]:
    out: dict[int, dict[str, Verdict]] = {}
    for start in range(0, len(item_ids), 500):
        for v in s.scalars(select(Verdict).where(Verdict.item_id.in_(item_ids[start:start + 500]))):
            out.setdefault(v.item_id, {})[v.role] = v
    return out


def _held_still(s: Session, item_ids: list[int]) -> set[int]:
    """Those of these records whose review is held still: an open review, or a blind one sealed (a blind review the
    lead has reopened may still change, so it is not decided on until completed and sealed again)."""
    blind = set(s.scalars(select(ReviewAssignment.item_id).where(ReviewAssignment.item_id.in_(item_ids),
                                                                 ReviewAssignment.mode == "blind")))
    return (set(item_ids) - blind) | set(sealed_reviews(s, sorted(blind)))


def _why_not(s: Session, item: AuditItem, v: dict[str, Verdict], held: bool) -> str:
    """Why the record is not a disagreement awaiting the lead ('' when it is), whatever its final verdict."""
    p, r = v.get(VerdictRole.PRIMARY), v.get(VerdictRole.REVIEW)
    if p is None:
        return "it has no first verdict"
    if not p.complete:
        return "the first verdict is not complete"
    if r is None or not r.complete:
        return "it has no completed review"
    if not held:
        return "its blind review was reopened and has not been completed and sealed again"
    c = _comparison(s, item, v)
    if not (c.diffs or c.undecided):
        return "the review agrees with the first verdict"
    return ""


def _state(kind: str, v: dict[str, Verdict]) -> str:
    if VerdictRole.FINAL in v and VerdictRole.REVIEW in v:
        return "decided"
    r = v.get(VerdictRole.REVIEW)
    if r is None:
        return "to review"
    if not r.complete:
        return "in progress"
    p = v.get(VerdictRole.PRIMARY)
    if p is None or not p.complete:
        return "reviewed (no first verdict yet)"
    diffs = [d for d in differences(kind, p.body, r.body) if d.check not in IGNORED]
    if not diffs and VerdictBody.from_json(r.body).undecided:
        return "could not decide"
    return "disagrees" if diffs else "agrees"


def _ref(s: Session, item: AuditItem) -> str:
    table, ref_col, *_ = _record_columns(item.kind)
    return s.scalar(select(ref_col).where(table.id == item.record_id)) or ""


def _comparison(s: Session, item: AuditItem, v: dict[str, Verdict]) -> Comparison:
    from .review_answers import check_label

    p, r = v[VerdictRole.PRIMARY], v[VerdictRole.REVIEW]
    review = VerdictBody.from_json(r.body)
    # a check the reviewer could not decide is listed as such (undecided), not again as a difference
    diffs = tuple(d for d in differences(item.kind, p.body, r.body)
                  if d.check not in IGNORED and d.check not in review.undecided)
    sample = s.scalar(select(Sample.name).where(Sample.id == item.sample_id)) or ""
    return Comparison(item.id, item.kind, _ref(s, item), p.auditor, r.auditor,
                      VerdictBody.from_json(p.body).rationale, review.rationale, diffs,
                      VerdictRole.FINAL in v, sample, item.position,
                      tuple(check_label(c) for c in review.undecided),
                      tuple((check_label(c), t) for c, t in review.comments.items() if t.strip()),
                      review.note_to_auditor)


def _history(s: Session, item_id: int, who: str, action: str, old: dict | None, new: dict | None,
             reason: str) -> None:
    change = VerdictChange(item_id=item_id, role=VerdictRole.REVIEW, at=now_utc(), who=who, action=action, old_body=old,
                           new_body=new, reason=reason)
    seal(s, change)
    s.add(change)
    s.flush()
