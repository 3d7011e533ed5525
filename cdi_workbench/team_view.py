"""The team view of one audit of the programme (issue 14): who has audited what, the records left in each sample,
and the work assigned to each person (peer reviews assigned by the lead, done and left).

Read-only; for those who may see the findings ('report'): it names who audited which share of the records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from .audit.programme import of_audit, resolve
from .audit.roles import identify
from .kinds import VerdictRole
from .storage.database import Database
from .storage.models import AuditItem, ReviewAssignment, Sample, Verdict


@dataclass
class Member:
    name: str
    audited: int = 0  # first verdicts complete
    started: int = 0  # first verdicts saved but not complete
    reviews_assigned: int = 0
    reviews_done: int = 0  # of those assigned, a complete review verdict
    decided: int = 0  # final verdicts (the lead's decisions)

    @property
    def reviews_left(self) -> int:
        return self.reviews_assigned - self.reviews_done

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "audited": self.audited, "started": self.started,
                "reviews_assigned": self.reviews_assigned, "reviews_done": self.reviews_done,
                "reviews_left": self.reviews_left, "decided": self.decided}


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
        samples = [SampleLeft(name, int(d or 0), int(n or 0)) for name, d, n in s.execute(
            select(Sample.name, drawn.c.n, audited.c.n).outerjoin(drawn, drawn.c.sample_id == Sample.id)
            .outerjoin(audited, audited.c.sample_id == Sample.id).where(of_audit(s, a.id)).order_by(Sample.id))]
    return Team(a.name or "", sorted(members.values(), key=lambda m: m.name.casefold()), samples)
