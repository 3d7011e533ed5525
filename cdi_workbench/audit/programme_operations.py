"""The window's named operations on the programme of audits (beside audit.operations): the audits listed for the
Switch audit dialog, a new audit, closing and reopening one, the window switched to another audit, the by-unit
figures of one audit, and sampling bound to one audit. Qt-free; the core checks the person's role (audit.programme
requires 'plan audits' to add, close or reopen an audit) and decides the rules (the rule set that fits a period,
an audit's default name and the month after the latest), so the window only shows what these return.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import case, func, select

from ..classification import codes_for_period
from ..kinds import VerdictRole
from ..rules import RULE_SETS
from ..sampling import Filters, SampleOps, population_counts, within_period
from ..storage.database import Database
from ..storage.models import Audit, AuditItem, Sample, Verdict
from ..timeutil import display, display_date
from .operations import Changes, OpenedAudit
from .programme import CHANGE, AuditSummary, ProgrammeError, check_rules, default_name, resolve
from .roles import ACTION_TEXT, who_may
from .service import AuditError, AuditInfo, AuditService

if TYPE_CHECKING:
    from ..findings_units import ByUnit

RULES = {key: rs.title for key, rs in RULE_SETS.items()}  # the rule sets an audit may be given, with their titles


# ---- what the window shows of the programme ----------------------------------------------------------------
@dataclass(frozen=True)
class AuditRow:
    """One audit of the programme as the Switch audit dialog lists it."""

    name: str
    period_start: date
    period_end: date
    rule_set: str
    closed_at: datetime | None
    samples: int
    drawn: int  # records drawn into its samples
    audited: int  # of those, with the auditor's completed verdict
    current: bool  # the audit open in the window

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def period(self) -> str:
        return f"{display_date(self.period_start)} to {display_date(self.period_end)}"

    @property
    def rules(self) -> str:
        """The rule set in short ('2014 rules, 72-hour limit'); RULES gives its title."""
        rs = RULE_SETS.get(self.rule_set)
        return f"{self.rule_set} rules, {rs.limit_hours}-hour limit" if rs else self.rule_set

    @property
    def status(self) -> str:
        return f"Closed {display(self.closed_at)}" if self.closed_at else "Open"

    @property
    def progress(self) -> str:
        if not self.samples:
            return "No sample drawn yet"
        pct = f" ({100 * self.audited / self.drawn:.0f}%)" if self.drawn else ""
        return (f"{self.audited:,} of {self.drawn:,} records audited{pct}, {self.samples} "
                f"sample{'s' if self.samples != 1 else ''}")


@dataclass(frozen=True)
class Proposal:
    """What the New audit dialog offers for a period: the default name, the rule set that fits it, and why the
    period cannot be audited as one ('' when it can)."""

    name: str
    rules: str
    problem: str = ""


@dataclass(frozen=True)
class NewAuditPlan:
    """What the New audit dialog starts from: the month after the latest audit, its name and rules."""

    start: date
    end: date
    proposal: Proposal


@dataclass
class Programme:
    audits: list[AuditRow]
    current: str  # the name of the audit the window has open
    may_plan: bool  # may the person add, close or reopen audits (the lead's 'plan audits')
    why_not: str  # else why not, in words
    plan: NewAuditPlan


def propose(start: date, end: date) -> Proposal:
    """The default name of an audit of the period and the rule set that fits it (2014 before 01/04/2015, 2015
    from then); `problem` says why the period cannot be one audit (it ends before it starts, or spans the change)."""
    rules = "2014" if end < CHANGE else "2015"
    try:
        check_rules(start, end, rules)
    except ProgrammeError as exc:
        return Proposal(default_name(start, end) if end >= start else "", rules, str(exc).capitalize())
    return Proposal(default_name(start, end), rules)


def next_period(after: date) -> tuple[date, date]:
    """The calendar month after a period ending on `after` (the rest of the month when `after` is mid-month)."""
    start = after + timedelta(days=1)
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def _audited(svc: AuditService) -> dict[int, int]:
    """Audit id -> its records with the auditor's completed verdict (a sample with no audit counts in the first
    audit's, as audit.programme.of_audit says)."""
    with svc.session() as s:
        first = s.scalar(select(func.min(Audit.id)))
        owner = case((Sample.audit_id.in_(select(Audit.id)), Sample.audit_id), else_=first)
        q = (select(owner, func.count(func.distinct(Verdict.item_id))).select_from(Sample)
             .join(AuditItem, AuditItem.sample_id == Sample.id).join(Verdict, Verdict.item_id == AuditItem.id)
             .where(Verdict.role == VerdictRole.PRIMARY, Verdict.complete.is_(True)).group_by(owner))
        return {int(a): int(n) for a, n in s.execute(q).tuples() if a is not None}


def _rows(svc: AuditService, current: str) -> list[AuditRow]:
    audited = _audited(svc)
    return [AuditRow(a.name, a.period_start, a.period_end, a.rule_set, a.closed_at, a.samples, a.items,
                     audited.get(a.id, 0), a.name == current) for a in svc.audits()]


def programme(svc: AuditService) -> Programme:
    """The programme's audits (oldest period first) for the person, which one the window has open, whether the
    person may plan audits, and the New audit dialog's proposal (the month after the latest audit's period)."""
    with svc.unit():
        person = svc.me()  # the unregistered are refused (roles.NotAllowed)
        current = svc.info().name
        summaries: list[AuditSummary] = svc.audits()
        rows = _rows(svc, current)
    latest = max(summaries, key=lambda a: (a.period_end, a.id))
    start, end = next_period(latest.period_end)
    may_plan = person.may("plan audits")
    why = "" if may_plan else f"Only {who_may('plan audits')} may {ACTION_TEXT['plan audits']}"
    return Programme(rows, current, may_plan, why, NewAuditPlan(start, end, propose(start, end)))


# ---- changing the programme ----------------------------------------------------------------------------------
@dataclass
class Created:
    row: AuditRow
    programme: Programme


def new_audit(svc: AuditService, name: str, start: date, end: date, rules: str) -> Created:
    """Add an audit to the programme (the lead's; audit.programme.new_audit refuses a name in use, a rule set that
    does not fit the period and a period across 01/04/2015, in words)."""
    from .programme import new_audit as add

    with svc.unit() as s:
        made = add(s, name.strip() or None, start, end, rules, svc.user)
        made_name = made.name
    listed = programme(svc)
    return Created(next(r for r in listed.audits if r.name == made_name), listed)


@dataclass
class Closed:
    """An audit closed or reopened: the open audit's details as they now are, and the change for the views."""

    info: AuditInfo
    changes: Changes


def close_audit(svc: AuditService, name: str, reopen: bool = False) -> Closed:
    """Close an audit of the programme (no more samples drawn for it; its findings read as final), or reopen it:
    the lead's (audit.programme.close_audit checks)."""
    from .programme import close_audit as close

    with svc.unit() as s:
        close(s, name, svc.user, reopen)
    return Closed(svc.info(), Changes(settings=True, samples=True))


def switch_audit(svc: AuditService, name: str) -> OpenedAudit:
    """The window's audit replaced by another of the same programme: a service on the same database for the same
    person working on `name`, and everything the window shows before the first record (as operations.open_audit)."""
    other = AuditService(svc.db, svc.user, audit=name)
    try:
        info = other.info()
    except AuditError as exc:
        raise AuditError(str(exc).capitalize()) from None
    other.audit = info.name
    return OpenedAudit(svc.db, other, info, other.samples(), codes_for_period(info.period_start, info.period_end),
                       other.reasons())


# ---- figures and samples of one audit ----------------------------------------------------------------------
def findings_by_unit(db: Database, method: str = "normal", audit: str | None = None) -> ByUnit:
    """Every unit's findings of one audit (findings_units.findings_by_unit), with intervals by `method`."""
    from ..findings_units import findings_by_unit as by_unit

    return by_unit(db, method, audit=audit)


class AuditSampling(SampleOps):
    """Sampling for one audit of the programme: the population counted, and samples drawn, from the records of
    that audit's period (sampling.draw with audit=...), so the counts shown before a draw are those it draws from."""

    def __init__(self, db: Database, audit: str | None) -> None:
        super().__init__(db)
        self.audit = audit

    def counts(self, kind: str, system: str | None = None, filters: Filters | None = None) -> dict[str, int]:
        with self.db.session() as s:
            a = resolve(s, self.audit)
            return population_counts(s, kind, system, within_period(filters or Filters(), a.period_start,
                                                                    a.period_end))

    def draw(self, name: str, kind: str, size: int, seed: int, **options: object) -> int:
        return super().draw(name, kind, size, seed, **{**options, "audit": self.audit})


def sampling(svc: AuditService) -> AuditSampling:
    """The sampling operations of the audit the service works on."""
    return AuditSampling(svc.db, svc.audit)
