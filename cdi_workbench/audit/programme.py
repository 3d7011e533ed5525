"""A programme of audits (issue 14): one database holds many audits, each with its own name, period, rule set,
samples and verdicts (schema 0016); people, reasons, mapping profiles and the imported records belong to the
programme, so a record imported once serves every audit whose period covers it.

Every command that works on one audit takes its name (`--audit NAME`); without one it is the latest audit (the
one whose period ends last, the newest created among equals). An audit's rule set must fit its period: the
72-hour limit (2014 rules) for periods before 1 April 2015, the 24-hour limit (2015 rules) from then; a period
that spans the change is refused with the reason (create two audits).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from ..rules import rule_set
from ..storage.database import Database
from ..storage.models import Audit, AuditItem, Sample, Verdict
from ..timeutil import now_utc
from .roles import identify

CHANGE = date(2015, 4, 1)  # HOCR: the 24-hour limit from April 2015 (72 hours before)


class ProgrammeError(ValueError):
    """A request about the programme's audits that cannot be met, with a message fit to show."""


@dataclass(frozen=True)
class AuditSummary:
    id: int
    name: str
    force: str
    period_start: date
    period_end: date
    rule_set: str
    created_at: datetime | None
    created_by: str
    closed_at: datetime | None
    samples: int
    items: int
    verdicts: int
    warning: str = ""  # on an audit just added: the audits whose periods it overlaps (overlap_warning)

    @property
    def open(self) -> bool:
        return self.closed_at is None

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "force": self.force, "period_start": self.period_start.isoformat(),
                "period_end": self.period_end.isoformat(), "rule_set": self.rule_set,
                "created_at": self.created_at.isoformat() if self.created_at else None,
                "created_by": self.created_by, "closed_at": self.closed_at.isoformat() if self.closed_at else None,
                "samples": self.samples, "records_drawn": self.items, "verdicts": self.verdicts}


def default_name(start: date, end: date) -> str:
    """'2015-06' for a calendar month, else '2015-01-01 to 2015-12-31' (the same rule names the audit a database
    held before it became a programme: migration 0016)."""
    if start.day == 1 and (end.year, end.month) == (start.year, start.month) \
            and end.day == calendar.monthrange(start.year, start.month)[1]:
        return f"{start:%Y-%m}"
    return f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"


def check_rules(start: date, end: date, rules: str) -> None:
    """Refuse a rule set that does not fit the period, or a period across 1 April 2015 (ProgrammeError)."""
    rs = rule_set(rules)
    if end < start:
        raise ProgrammeError(f"the audit period ends ({end:%d/%m/%Y}) before it starts ({start:%d/%m/%Y})")
    if start < CHANGE <= end:
        raise ProgrammeError(
            f"the period {start:%d/%m/%Y} to {end:%d/%m/%Y} spans 01/04/2015, when the time limit changed from 72 "
            "to 24 hours: create two audits, one ending 31/03/2015 (2014 rules) and one from 01/04/2015 "
            "(2015 rules)")
    wanted = "2014" if end < CHANGE else "2015"
    if rs.key != wanted:
        raise ProgrammeError(
            f"the {rs.key} rules ({rs.limit_hours}-hour limit) do not apply to {start:%d/%m/%Y} to {end:%d/%m/%Y}: "
            f"periods {'before' if wanted == '2014' else 'from'} 01/04/2015 are audited under the {wanted} rules")


def resolve(s: Session, name: str | None = None) -> Audit:
    """The audit called `name`, or (None) the latest; ProgrammeError naming those there are when none is."""
    if name is None:
        a = s.scalar(select(Audit).order_by(Audit.period_end.desc(), Audit.id.desc()).limit(1))
        if a is None:
            raise ProgrammeError("this database holds no audit")
        return a
    a = s.scalar(select(Audit).where(Audit.name == name.strip()))
    if a is None:
        names = [n for (n,) in s.execute(select(Audit.name).order_by(Audit.period_start, Audit.id))]
        raise ProgrammeError(f"there is no audit called {name!r}: the programme holds "
                             + (", ".join(repr(n) for n in names) if names else "none"))
    return a


def of_audit(s: Session, audit_id: int) -> ColumnElement[bool]:
    """The condition on Sample that holds for the samples of an audit: drawn for it (schema 0016); for the
    programme's first audit also a sample with no audit, or one naming an audit the database does not hold (a row
    written by a script or a tool that predates programmes): such a sample belongs to the audit a database held
    before it became a programme."""
    first = s.scalar(select(func.min(Audit.id)))
    if audit_id != first:
        return Sample.audit_id == audit_id
    return or_(Sample.audit_id == audit_id, Sample.audit_id.is_(None), Sample.audit_id.not_in(select(Audit.id)))


def sample_ids(s: Session, audit: Audit) -> list[int]:
    """The samples drawn for the audit."""
    return list(s.scalars(select(Sample.id).where(of_audit(s, audit.id)).order_by(Sample.id)))


def rules_key(s: Session, item_id: int | None = None) -> str:
    """The rule set deciding an item's time limit: its sample's audit's (else, and without an item, the latest
    audit's; '2015' in a database with none)."""
    if item_id is not None:
        sid = s.scalar(select(AuditItem.sample_id).where(AuditItem.id == item_id))
        aid = s.scalar(select(Sample.audit_id).where(Sample.id == sid)) if sid is not None else None
        key = s.scalar(select(Audit.rule_set).where(Audit.id == aid)) if aid is not None else None
        if key:
            return key
    key = s.scalar(select(Audit.rule_set).order_by(Audit.period_end.desc(), Audit.id.desc()).limit(1))
    return key or "2015"


def summaries(s: Session) -> list[AuditSummary]:
    """Every audit of the programme, oldest period first, with its samples, records drawn and verdicts."""
    first = s.scalar(select(func.min(Audit.id)))
    # a sample with no audit (or an unknown one) counts in the first audit's, as of_audit says
    owner = case((Sample.audit_id.in_(select(Audit.id)), Sample.audit_id), else_=first).label("audit_id")
    smp = (select(owner, func.count().label("n")).group_by(owner)).subquery()
    items = (select(owner, func.count().label("n")).join(AuditItem, AuditItem.sample_id == Sample.id)
             .group_by(owner)).subquery()
    verdicts = (select(owner, func.count(func.distinct(Verdict.item_id)).label("n"))
                .join(AuditItem, AuditItem.sample_id == Sample.id).join(Verdict, Verdict.item_id == AuditItem.id)
                .group_by(owner)).subquery()
    q = (select(Audit, smp.c.n, items.c.n, verdicts.c.n)
         .outerjoin(smp, smp.c.audit_id == Audit.id).outerjoin(items, items.c.audit_id == Audit.id)
         .outerjoin(verdicts, verdicts.c.audit_id == Audit.id).order_by(Audit.period_start, Audit.id))
    return [AuditSummary(a.id, a.name or default_name(a.period_start, a.period_end), a.force, a.period_start,
                         a.period_end, a.rule_set, a.created_at, a.created_by, a.closed_at, n or 0, i or 0, v or 0)
            for a, n, i, v in s.execute(q)]


def overlapping(s: Session, period_start: date, period_end: date, besides: int | None = None) -> list[str]:
    """The names of the programme's audits (but the one with id `besides`) whose periods overlap the period,
    oldest first."""
    q = (select(Audit).where(Audit.period_start <= period_end, Audit.period_end >= period_start)
         .order_by(Audit.period_start, Audit.id))
    return [a.name or default_name(a.period_start, a.period_end) for a in s.scalars(q) if a.id != besides]


def overlap_warning(names: list[str]) -> str:
    """Words for an audit whose period overlaps others' ('' when none): allowed (a thematic audit may overlap the
    monthly ones), but the same records may be in both, so a trend does not treat them as independent samples."""
    if not names:
        return ""
    listed = repr(names[0]) if len(names) == 1 else ", ".join(repr(n) for n in names[:-1]) + f" and {names[-1]!r}"
    return (f"its period overlaps that of the audit{'s' if len(names) != 1 else ''} {listed}: the same records may "
            f"be drawn in both, so trends will not treat them as independent samples")


def audit_warning(s: Session, a: Audit) -> str:
    """overlap_warning for an audit of the programme."""
    return overlap_warning(overlapping(s, a.period_start, a.period_end, besides=a.id))


def new_audit(s: Session, name: str | None, period_start: date, period_end: date, rules: str, who: str = "",
              force: str | None = None) -> Audit:
    """Add an audit to the programme (the lead's: 'plan audits'); the force is the programme's unless given.
    Refuses a name in use and a rule set that does not fit the period. A period overlapping other audits' is
    allowed (a thematic audit may overlap the monthly ones): audit_warning says which, for the lead to be told."""
    person = identify(s, who)
    person.require("plan audits")
    check_rules(period_start, period_end, rules)
    name = (name or default_name(period_start, period_end)).strip()
    if not name:
        raise ProgrammeError("name the audit")
    if len(name) > 120:
        raise ProgrammeError("an audit's name is at most 120 characters")
    if s.scalar(select(Audit.id).where(Audit.name == name)) is not None:
        raise ProgrammeError(f"there is already an audit called {name!r}")
    if force is None:
        first = s.scalar(select(Audit.force).order_by(Audit.id).limit(1))
        if first is None:
            raise ProgrammeError("this database holds no audit yet: create it with cdi init")
        force = first
    a = Audit(name=name, force=force.strip(), period_start=period_start, period_end=period_end, rule_set=rules,
              created_at=now_utc(), created_by=person.name)
    s.add(a)
    s.flush()  # recorded in the hash-chained history, in its creator's name (trail.note_audits)
    return a


def close_audit(s: Session, name: str, who: str = "", reopen: bool = False) -> Audit:
    """Close an audit (no more samples drawn for it; its findings read as final), or reopen it: the lead's. The
    change is recorded in the hash-chained history in the lead's name when it is flushed (trail.note_audits).
    Closing an audit already closed (or reopening an open one) changes nothing: it keeps when it was closed, and
    the caller may tell from `closed_at` before the call that it already was."""
    from .trail import TRAIL_WHO

    person = identify(s, who)
    person.require("plan audits")
    a = resolve(s, name)
    if (a.closed_at is None) == reopen:  # already as asked
        return a
    s.info[TRAIL_WHO] = person.name
    a.closed_at = None if reopen else now_utc()
    return a


def create(db: Database, name: str | None, period_start: date, period_end: date, rules: str, who: str = "",
           force: str | None = None) -> AuditSummary:
    """new_audit as a unit of work; the new audit's summary, with its warning (audit_warning) when its period
    overlaps others'."""
    with db.session() as s:
        a = new_audit(s, name, period_start, period_end, rules, who, force)
        aid = a.id
        warning = audit_warning(s, a)
    with db.session() as s:
        return replace(next(x for x in summaries(s) if x.id == aid), warning=warning)


def listing(db: Database) -> list[AuditSummary]:
    with db.session() as s:
        return summaries(s)
