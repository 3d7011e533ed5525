"""The team view of one audit of the programme (issue 14): who has audited what, the records left in each sample,
and the work assigned to each person: records given to an auditor to audit (assign_work: the lead's), and peer
reviews assigned by the lead, each with how many are done and left.

Reading is for those who may see the findings ('report'): it names who audited which share of the records. The
audit work given out is kept in its own table (work_assignment, schema 0019: on PostgreSQL written only by the
lead's login), each giving recorded in the hash-chained history too (action 'work', which `cdi verify` compares
the table with); a record is given to one person at a time (giving it again moves it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from .audit.audit_scope import audit_name, check_sample
from .audit.programme import of_audit, resolve
from .audit.roles import PERMISSIONS, ROLES, identify
from .audit.trail import WORK, seal
from .kinds import VerdictRole
from .storage.database import Database, serialise_writes
from .storage.models import AppUser, AuditItem, ReviewAssignment, Sample, Verdict, VerdictChange, WorkAssignment
from .timeutil import now_utc


@dataclass
class Member:
    name: str
    audited: int = 0  # first verdicts complete
    started: int = 0  # first verdicts saved but not complete
    reviews_assigned: int = 0
    reviews_done: int = 0  # of those assigned, a complete review verdict
    decided: int = 0  # final verdicts (the lead's decisions)
    work_assigned: int = 0  # records given to them to audit (assign_work)
    work_done: int = 0  # of those, with a complete first (or final) verdict, whoever gave it

    @property
    def reviews_left(self) -> int:
        return self.reviews_assigned - self.reviews_done

    @property
    def work_left(self) -> int:
        return self.work_assigned - self.work_done

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "audited": self.audited, "started": self.started,
                "reviews_assigned": self.reviews_assigned, "reviews_done": self.reviews_done,
                "reviews_left": self.reviews_left, "decided": self.decided, "work_assigned": self.work_assigned,
                "work_done": self.work_done, "work_left": self.work_left}


@dataclass
class SampleLeft:
    name: str
    drawn: int
    audited: int

    @property
    def left(self) -> int:
        return self.drawn - self.audited


@dataclass
class Team:
    audit: str
    members: list[Member] = field(default_factory=list)
    samples: list[SampleLeft] = field(default_factory=list)

    @property
    def left(self) -> int:
        return sum(x.left for x in self.samples)

    def to_json(self) -> dict[str, object]:
        return {"audit": self.audit, "members": [m.to_json() for m in self.members],
                "samples": [{"name": x.name, "drawn": x.drawn, "audited": x.audited, "left": x.left}
                            for x in self.samples], "records_left": self.left}

    @property
    def text(self) -> str:
        lines = [f"Audit '{self.audit}': {self.left:,} record{'s' if self.left != 1 else ''} left to audit"]
        lines += [f"  {x.name}: {x.audited:,} of {x.drawn:,} audited, {x.left:,} left" for x in self.samples]
        lines.append("Team:")
        if not self.members:
            lines.append("  nobody has audited or been assigned a record yet")
        lines += [f"  {m.name}: {m.audited:,} audited" + (f", {m.started:,} started" if m.started else "")
                  + (f", given {m.work_assigned:,} to audit ({m.work_left:,} left)" if m.work_assigned else "")
                  + (f", reviews {m.reviews_done:,} of {m.reviews_assigned:,} done ({m.reviews_left:,} left)"
                     if m.reviews_assigned else "")
                  + (f", {m.decided:,} decided" if m.decided else "") for m in self.members]
        return "\n".join(lines)


def team(db: Database, audit: str | None = None, who: str = "") -> Team:
    with db.session() as s:
        identify(s, who).require("report")
        a = resolve(s, audit)
        items = select(AuditItem.id).join(Sample, Sample.id == AuditItem.sample_id).where(of_audit(s, a.id))
        members: dict[str, Member] = {}

        def member(name: str) -> Member:
            return members.setdefault(name, Member(name))

        for name, role, complete, n in s.execute(
                select(Verdict.auditor, Verdict.role, Verdict.complete, func.count())
                .where(Verdict.item_id.in_(items)).group_by(Verdict.auditor, Verdict.role, Verdict.complete)):
            m = member(name)
            if role == VerdictRole.PRIMARY:
                if complete:
                    m.audited += n
                else:
                    m.started += n
            elif role == VerdictRole.FINAL:
                m.decided += n
        done_review = (select(Verdict.item_id).where(Verdict.role == VerdictRole.REVIEW,
                                                     Verdict.complete.is_(True)))
        for name, n, done in s.execute(
                select(ReviewAssignment.reviewer, func.count(),
                       func.sum(case((ReviewAssignment.item_id.in_(done_review), 1), else_=0)))
                .where(ReviewAssignment.item_id.in_(items)).group_by(ReviewAssignment.reviewer)):
            m = member(name)
            m.reviews_assigned, m.reviews_done = int(n), int(done or 0)
        audited = (select(AuditItem.sample_id, func.count(func.distinct(AuditItem.id)).label("n"))
                   .join(Verdict, Verdict.item_id == AuditItem.id)
                   .where(Verdict.role.in_(VerdictRole.EFFECTIVE), Verdict.complete.is_(True))
                   .group_by(AuditItem.sample_id).subquery())
        drawn = select(AuditItem.sample_id, func.count().label("n")).group_by(AuditItem.sample_id).subquery()
        given = _work(s, a.id)
        if given:
            done = set(s.scalars(select(Verdict.item_id).where(
                Verdict.item_id.in_(select(WorkAssignment.item_id).where(WorkAssignment.audit_id == a.id)),
                Verdict.role.in_(VerdictRole.EFFECTIVE), Verdict.complete.is_(True))))
            for item, person in given.items():
                m = member(person)
                m.work_assigned += 1
                m.work_done += item in done
        samples = [SampleLeft(name, int(d or 0), int(n or 0)) for name, d, n in s.execute(
            select(Sample.name, drawn.c.n, audited.c.n).outerjoin(drawn, drawn.c.sample_id == Sample.id)
            .outerjoin(audited, audited.c.sample_id == Sample.id).where(of_audit(s, a.id)).order_by(Sample.id))]
    return Team(a.name or "", sorted(members.values(), key=lambda m: m.name.casefold()), samples)


def _work(s: Session, audit_id: int) -> dict[int, str]:
    """The audit's records given out: item id -> the person given it."""
    return dict(s.execute(select(WorkAssignment.item_id, WorkAssignment.person)
                          .where(WorkAssignment.audit_id == audit_id)).tuples().all())


class WorkGiven(int):
    """The records given (an int, as assign_work always returned) and those of them taken from others: `taken`,
    person -> how many (empty when none was anyone else's)."""

    taken: dict[str, int]

    def __new__(cls, given: int, taken: dict[str, int] | None = None) -> WorkGiven:
        made = super().__new__(cls, given)
        made.taken = dict(taken or {})
        return made

    @property
    def taken_text(self) -> str:
        """'11 of them taken from Amy A' ('' when none was taken), the people most taken from first."""
        if not self.taken:
            return ""
        names = [p for p, _ in sorted(self.taken.items(), key=lambda x: (-x[1], x[0].casefold()))]
        who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"{sum(self.taken.values()):,} of them taken from {who}"


def assign_work(db: Database, person: str, sample: str, positions: list[int] | None = None, who: str = "",
                audit: str | None = None) -> WorkGiven:
    """Give records of a sample (those at `positions`; None: every record not yet given to anyone) to `person` to
    audit; the lead's ('plan audits'). A registered person must be one who may enter first verdicts. Sample names
    are unique in the programme: without `audit` the sample's own audit is meant; with it, a sample of another
    audit is refused, naming its audit (audit_scope.check_sample). A record given to someone else moves (the lead
    may move work), and the result says from whom: the records given, with `taken` (person -> how many)."""
    person = " ".join(person.split())
    if not person:
        raise ValueError("say who the records are given to")
    with db.session() as s:
        serialise_writes(s)  # the trail's next link, and no other lead giving out the same records meanwhile
        lead = identify(s, who)
        lead.require("plan audits")
        if s.scalar(select(func.count()).select_from(AppUser)):  # people registered: one who may audit
            user = s.scalar(select(AppUser).where(func.lower(AppUser.name) == person.lower()))
            if user is None or not user.active:
                raise ValueError(f"{person} is not registered for this audit (cdi users list)")
            if user.role not in PERMISSIONS["audit"]:
                raise ValueError(f"{user.name} may not enter first verdicts (their role: {ROLES[user.role]})")
            person = user.name
        smp = s.scalar(select(Sample).where(Sample.name == sample))
        if smp is None:
            if audit is None:
                raise ValueError(f"the programme has no sample called {sample!r}")
            raise ValueError(f"the audit {audit_name(resolve(s, audit))!r} has no sample called {sample!r}")
        a = check_sample(s, smp, audit)
        items = dict(s.execute(select(AuditItem.position, AuditItem.id).where(AuditItem.sample_id == smp.id))
                     .tuples().all())
        held = {w.item_id: w for w in s.scalars(select(WorkAssignment).where(WorkAssignment.item_id.in_(
            select(AuditItem.id).where(AuditItem.sample_id == smp.id))))}
        if positions is None:
            chosen = [i for p, i in sorted(items.items()) if i not in held]
        else:
            missing = [p for p in positions if p not in items]
            if missing:
                raise ValueError(f"sample {sample!r} has no position {missing[0]} (it holds 1 to {len(items)})")
            chosen = list(dict.fromkeys(items[p] for p in positions))
        if not chosen:
            return WorkGiven(0)
        at = now_utc()
        moved = {str(i): held[i].person for i in chosen if i in held and held[i].person != person}
        for i in chosen:
            w = held.get(i)
            if w is None:
                s.add(WorkAssignment(audit_id=a.id, item_id=i, person=person, assigned_by=lead.name, assigned_at=at))
            else:
                w.audit_id, w.person, w.assigned_by, w.assigned_at = a.id, person, lead.name, at
        change = VerdictChange(item_id=0, role=WORK, at=at, who=lead.name, action=WORK, old_body=moved or None,
                               new_body={"audit": a.id, "person": person, "items": sorted(chosen)},
                               reason=f"{len(chosen):,} record{'s' if len(chosen) != 1 else ''} of '{smp.name}' "
                                      f"given to {person} to audit")
        seal(s, change)
        s.add(change)
    taken: dict[str, int] = {}
    for name in moved.values():
        taken[name] = taken.get(name, 0) + 1
    return WorkGiven(len(chosen), taken)
