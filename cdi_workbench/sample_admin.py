"""Renaming and deleting samples: a mistaken draw need not stay for ever, and nothing audited goes unrecorded.

- rename_sample: any person who may draw samples; the old name is kept in the sample's frame ("renamed"), so a
  package exported under it still merges (packages.merge) and the findings can say what it was called.
- delete_sample: a sample nobody has worked on (no verdict of any role, no review assignment) goes at the word of
  anyone who may draw samples. One holding verdicts or assignments goes only on the audit lead's word, with a
  reason, and every verdict, assignment and challenge decision it removes is written to the hash-chained history
  (audit.trail) first: a 'delete' row per verdict (new answers: none), an 'unassign' row per assignment, a
  'challenge' row marking each decided challenge removed. So `cdi verify` still finds the trail whole after a
  deletion, and finds a sample deleted outside the application (its verdicts gone with no history saying so).

The history rows outlive the audit items they are about (schema 0009: verdict_change.item_id references
nothing), and on SQLite a new item never takes the id of a deleted one (sampling.next_item_id).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .audit.facts import note_sample, note_sample_removed
from .audit.roles import identify
from .audit.trail import REMOVED, assignment_body, decision_body, seal
from .kinds import VerdictRole
from .storage.database import serialise_writes
from .storage.models import AuditItem, Challenge, ReviewAssignment, Sample, Verdict, VerdictChange
from .timeutil import now_utc

MAX_NAME = 120  # Sample.name


@dataclass(frozen=True)
class Holdings:
    """What deleting a sample would remove with it."""

    name: str
    items: int  # records drawn
    verdicts: int  # verdicts of any role (auditor's, review, final), complete or not
    assignments: int  # records assigned for peer review
    challenges: int  # the force's responses and the lead's decisions on the sample's failures

    @property
    def audited(self) -> bool:
        """Has anyone worked on it? Then only the lead may delete it, with a reason, and the trail records it."""
        return bool(self.verdicts or self.assignments)


@dataclass(frozen=True)
class Deleted:
    holdings: Holdings
    trail_rows: int  # history rows written


def _sample(s: Session, name: str) -> Sample:
    smp = s.scalar(select(Sample).where(Sample.name == name))
    if smp is None:
        raise ValueError(f"no sample called {name!r}")
    return smp


def _items(smp_id: int):  # type: ignore[no-untyped-def]  # noqa: ANN202
    return select(AuditItem.id).where(AuditItem.sample_id == smp_id)


def holdings(s: Session, name: str) -> Holdings:
    smp = _sample(s, name)
    count = func.count()
    return Holdings(
        smp.name,
        s.scalar(select(count).select_from(AuditItem).where(AuditItem.sample_id == smp.id)) or 0,
        s.scalar(select(count).select_from(Verdict).where(Verdict.item_id.in_(_items(smp.id)))) or 0,
        s.scalar(select(count).select_from(ReviewAssignment)
                 .where(ReviewAssignment.item_id.in_(_items(smp.id)))) or 0,
        s.scalar(select(count).select_from(Challenge).where(Challenge.item_id.in_(_items(smp.id)))) or 0)


def former_names(frame: dict | None) -> set[str]:
    """The names a sample had before it was renamed."""
    return {r.get("from", "") for r in (frame or {}).get("renamed", []) if isinstance(r, dict)} - {""}


def require_open(s: Session, smp: Sample, doing: str) -> None:
    """Refuse to change a sample of a closed audit (its figures read as final): reopen the audit first. The
    sample's audit is audit_scope.owner's (one with no audit, drawn before programmes, is the first audit's)."""
    from .audit.audit_scope import owner
    from .audit.programme import ProgrammeError

    try:
        audit = owner(s, smp)
    except ProgrammeError:  # a database holding no audit: nothing is closed
        return
    if audit.closed_at is not None:
        raise ValueError(f"the audit {audit.name!r} is closed: reopen it to {doing} '{smp.name}'")


def rename_sample(s: Session, old: str, new: str, who: str = "") -> Sample:
    """Give a sample a new name (unique in the audit); the frame keeps the old one, who renamed it and when."""
    who = identify(s, who).require_name("draw samples")
    new = " ".join(new.split())
    if not new:
        raise ValueError("a sample needs a name")
    if len(new) > MAX_NAME:
        raise ValueError(f"keep a sample's name to {MAX_NAME} characters")
    smp = _sample(s, old)
    if new == smp.name:
        return smp
    require_open(s, smp, "rename")
    clash = s.scalar(select(Sample.name).where(func.lower(Sample.name) == new.lower(), Sample.id != smp.id))
    if clash is not None:
        raise ValueError(f"there is already a sample called {clash!r}")
    frame = dict(smp.frame or {})
    frame["renamed"] = [*frame.get("renamed", []), {"from": smp.name, "to": new, "at": now_utc().isoformat(),
                                                     "by": who}]
    old_name = smp.name
    smp.name, smp.frame = new, frame
    s.flush()
    note_sample(s, smp, who, f"sample '{old_name}' renamed '{new}'")
    return smp


def delete_sample(s: Session, name: str, who: str = "", reason: str = "") -> Deleted:
    """Delete a sample and its records' place in the audit (the records themselves stay in the extracts).

    A sample holding verdicts or review assignments needs the audit lead and a reason; what it removes is written
    to the hash-chained history first, in this same transaction."""
    serialise_writes(s)  # the trail's next link, and nobody saving a verdict on these items meanwhile
    person = identify(s, who)
    person.require("draw samples")
    held = holdings(s, name)
    reason = " ".join(reason.split())
    if held.audited:
        person.require("delete audited samples")
        if not reason:
            raise ValueError(f"'{held.name}' holds {_what(held)}: say why it is deleted (the reason goes in the "
                             "audit trail)")
    smp = _sample(s, name)
    require_open(s, smp, "delete")
    why = f"sample '{smp.name}' deleted" + (f": {reason}" if reason else "")
    now = now_utc()
    rows = 0
    items = list(s.scalars(select(AuditItem.id).where(AuditItem.sample_id == smp.id).order_by(AuditItem.position)))
    verdicts: dict[int, list[Verdict]] = {}
    for v in s.scalars(select(Verdict).where(Verdict.item_id.in_(_items(smp.id))).order_by(Verdict.id)):
        verdicts.setdefault(v.item_id, []).append(v)
    assigned = {a.item_id: a for a in s.scalars(select(ReviewAssignment)
                                                  .where(ReviewAssignment.item_id.in_(_items(smp.id))))}
    decided: dict[int, list[Challenge]] = {}
    for c in s.scalars(select(Challenge).where(Challenge.item_id.in_(_items(smp.id)), Challenge.decision != "")
                       .order_by(Challenge.id)):
        decided.setdefault(c.item_id, []).append(c)
    for item_id in items:
        written: list[VerdictChange] = []
        for v in verdicts.get(item_id, []):
            written.append(VerdictChange(item_id=item_id, role=v.role, at=now, who=person.name, action="delete",
                                         old_body=dict(v.body), new_body=None, reason=why))
        a = assigned.get(item_id)
        if a is not None:
            written.append(VerdictChange(item_id=item_id, role=VerdictRole.REVIEW, at=now, who=person.name,
                                         action="unassign", old_body=assignment_body(a), new_body=None, reason=why))
        for c in decided.get(item_id, []):
            written.append(VerdictChange(item_id=item_id, role=VerdictRole.FINAL, at=now, who=person.name,
                                         action="challenge", old_body=decision_body(c),
                                         new_body={"challenge": c.id, REMOVED: why}, reason=why))
        for change in written:
            seal(s, change)
            s.add(change)
            s.flush()  # each row chains to the one before
        rows += len(written)
    note_sample_removed(s, smp, person.name, why)  # the sample itself (not counted in trail_rows)
    # the sample's items, their verdicts, assignments and challenges (the history rows stay)
    s.execute(delete(Verdict).where(Verdict.item_id.in_(_items(smp.id))))
    s.execute(delete(ReviewAssignment).where(ReviewAssignment.item_id.in_(_items(smp.id))))
    s.execute(delete(Challenge).where(Challenge.item_id.in_(_items(smp.id))))
    s.execute(delete(AuditItem).where(AuditItem.sample_id == smp.id))
    s.delete(smp)
    s.flush()
    return Deleted(held, rows)


def _what(h: Holdings) -> str:
    parts = [f"{h.verdicts:,} verdict{'s' if h.verdicts != 1 else ''}" if h.verdicts else "",
             f"{h.assignments:,} review assignment{'s' if h.assignments != 1 else ''}" if h.assignments else ""]
    return " and ".join(p for p in parts if p)


def describe(h: Holdings) -> str:
    """What deleting the sample removes, in words (for a confirmation)."""
    text = f"'{h.name}': {h.items:,} record{'s' if h.items != 1 else ''} drawn"
    if h.audited:
        text += f", {_what(h)}"
    if h.challenges:
        text += f", {h.challenges:,} of the force's responses"
    return text
