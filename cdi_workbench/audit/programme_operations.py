"""The window's named operations on the programme of audits (beside audit.operations): the audits listed for the
Switch audit dialog, a new audit, closing and reopening one, the window switched to another audit, the by-unit
figures of one audit, sampling bound to one audit, the month's samples drawn from a sample design, the key figures'
trends across the programme, the team view, and the 15-second look with the programme's audits. Qt-free; the core
checks the person's role (audit.programme requires 'plan audits' to add, close or reopen an audit) and decides the
rules (the rule set that fits a period, an audit's default name and the month after the latest), so the window only
shows what these return.
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
from .operations import Changes, Look, Mode, OpenedAudit, Seen
from .operations import look as look_changes
from .programme import CHANGE, AuditSummary, ProgrammeError, check_rules, default_name, resolve
from .roles import ACTION_TEXT, who_may
from .service import AuditError, AuditInfo, AuditService, SampleInfo

if TYPE_CHECKING:
    from ..findings_units import ByUnit
    from ..sample_designs import DesignRun, SampleSpec
    from ..team_view import Team
    from ..trends import Change, ChangeScan, PChart, Series

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
    warning: str = ""  # its period overlaps others' (audit.programme.audit_warning): said, not refused


def new_audit(svc: AuditService, name: str, start: date, end: date, rules: str) -> Created:
    """Add an audit to the programme (the lead's; audit.programme.new_audit refuses a name in use, a rule set that
    does not fit the period and a period across 01/04/2015, in words). The new audit carries on the audit method of
    the audit before it (programme_figures.method_style), so next month's audit continues the series rather than
    breaking it; the lead names another method where the method changes."""
    from ..programme_figures import DEFAULT_STYLE, STYLE_PREFIX, method_style
    from ..storage.models import AuditSetting
    from .programme import audit_warning
    from .programme import new_audit as add

    with svc.unit() as s:
        earlier = [a for a in svc.audits() if a.period_end < start] or svc.audits()
        template = max(earlier, key=lambda a: (a.period_end, a.id)).name if earlier else None
        made = add(s, name.strip() or None, start, end, rules, svc.user)
        made_name = made.name
        warning = audit_warning(s, made)
        style = method_style(s, template) if template else DEFAULT_STYLE
        if style != DEFAULT_STYLE and made_name:
            s.add(AuditSetting(key=f"{STYLE_PREFIX}{made_name}"[:80], value=style))
    listed = programme(svc)
    return Created(next(r for r in listed.audits if r.name == made_name), listed, warning)


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


# ---- the month's samples from a design -------------------------------------------------------------------------
KIND_WORDS = {"incident": "incidents", "referral": "referrals", "disposal": "out-of-court disposals",
              "cancellation": "cancelled crimes", "n100": "N100 records", "crime": "recorded crimes"}


@dataclass(frozen=True)
class DesignOption:
    """A sample design as the Draw from a design dialog lists it: its samples in words."""

    name: str
    description: str
    shipped: bool  # the design shipped with the workbench (else one saved in the programme)
    samples: list[str]


@dataclass
class DesignChoices:
    """What the Draw from a design dialog offers: the designs, the programme's audits (the open one marked), the
    audits already drawn to a design (audit -> design), and whether the person may draw samples (why not, if not)."""

    designs: list[DesignOption]
    audits: list[AuditRow]
    current: str
    drawn: dict[str, str]
    may_draw: bool
    why_not: str


def spec_text(spec: SampleSpec) -> str:
    """A design's sample in words: 'Incidents: 100 incidents, stratified by offence group (proportional)'."""
    what = KIND_WORDS.get(spec.kind, f"{spec.kind} records")
    if isinstance(spec.per_stratum, dict):
        size = ", ".join(f"{n} {k}" for k, n in spec.per_stratum.items()) + f" ({what})"
    elif spec.per_stratum is not None:
        size = f"{spec.per_stratum} {what} per offence group"
    else:
        size = f"{spec.size:,} {what}" + (f", stratified by offence group ({spec.allocation})" if spec.stratify
                                          else "")
    if spec.system:
        size += " from each referral system" if spec.system == "*" else f" from {spec.system}"
    if spec.special:
        size += f", special sample: {spec.special}"
    return f"{spec.name}: {size}"


def design_choices(svc: AuditService) -> DesignChoices:
    """The sample designs (shipped and saved) and the programme's audits, for the Draw from a design dialog."""
    import json

    from sqlalchemy import select as sql_select

    from ..sample_designs import RUN_PREFIX, builtin, designs
    from ..storage.models import AuditSetting

    with svc.unit() as s:
        person = svc.me()
        current = svc.info().name
        rows = _rows(svc, current)
        shipped = builtin().name
        options = [DesignOption(d.name, d.description, d.name == shipped, [spec_text(x) for x in d.samples])
                   for d in designs(s)]
        drawn = {}
        for key, value in s.execute(sql_select(AuditSetting.key, AuditSetting.value)
                                    .where(AuditSetting.key.like(f"{RUN_PREFIX}%"))):
            drawn[key[len(RUN_PREFIX):]] = str(json.loads(value).get("design", ""))
    may = person.may("draw samples")
    why = "" if may else f"Only {who_may('draw samples')} may {ACTION_TEXT['draw samples']}"
    return DesignChoices(options, rows, current, drawn, may, why)


@dataclass
class DesignDrawn:
    """A design drawn for an audit: what was drawn (DesignRun.text says it), whether for the audit open in the
    window, that audit's samples now, and the change for the views."""

    run: DesignRun
    current: bool
    samples: list[SampleInfo]
    changes: Changes


def draw_design(svc: AuditService, design_name: str, audit: str | None = None,
                master_seed: int | None = None) -> DesignDrawn:
    """Draw every sample of a design for an audit (default: the one open), all or none (sample_designs.draw; the
    role is checked here and by sampling.draw, and an audit already drawn to a design is refused, in words)."""
    from ..sample_designs import draw

    # checked here first too: sampling.draw checks only when a sample is drawn, and a month whose kinds are all
    # empty would otherwise record a design run (and so refuse the next draw) for anyone
    svc.require("draw samples")
    open_now = svc.info().name
    run = draw(svc.db, design_name, audit or open_now, master_seed, svc.user)
    return DesignDrawn(run, run.audit == open_now, svc.samples(), Changes(samples=True))


# ---- trends across the programme and the team ------------------------------------------------------------------
@dataclass(frozen=True)
class FigureTrend:
    """One key figure across the programme's audits: the series (each audit's rate and interval, and its breaks),
    this month against last month, the changes across the series (Holm), the p-chart, and the force's target."""

    figure: str
    label: str
    series: Series
    latest: Change | None
    scan: ChangeScan
    chart: PChart
    target: float | None  # per cent, None without one
    status: str  # the latest audit against the target: 'green', 'amber', 'red' or 'not rated' (programme_figures.rag)

    @property
    def latest_text(self) -> str:
        """This month against last month, in words."""
        if self.latest is None:
            return ("One audit so far: nothing to compare yet." if self.series.points
                    else "No audits in the series yet.")
        return f"{self.latest.after} against {self.latest.before}: {self.latest.text}"


@dataclass
class ProgrammeTrends:
    window: str  # trends_points.WINDOWS
    method: str  # the interval method's key
    figures: list[FigureTrend]
    provisional: dict[str, str]  # audit -> its completion in words, for those not finished


def trends(svc: AuditService, method: str = "normal", window: str = "last_12_months") -> ProgrammeTrends:
    """Every key figure (programme_figures.KEY_FIGURES) across the programme's audits of `window`: for those who
    may see the findings ('report'). Works out the findings of the window's audits: run it off the record's
    worker."""
    from ..programme_figures import KEY_FIGURES, rag, targets
    from ..reports.board_pack import window_figures
    from ..trends import figure_label, window_of, window_trend

    svc.require("report")
    # seen from the audit open in the window: a past month's trend ends with it (trends.window_of); only the
    # findings of the audits the window shows, and the one before them, are worked out (as cdi trends does)
    name = svc.info().name or None
    every = window_figures(svc.db, method, name, window)
    chosen, context = window_of([a.point for a in every], window, name)
    names = {p.name for p in chosen}
    wanted = targets(svc.db)
    out = []
    for f in KEY_FIGURES:
        s, last, scan, chart = window_trend(chosen, context, f, method, window)
        latest = s.points[-1].rate if s.points else None
        out.append(FigureTrend(f, figure_label(f), s, last, scan, chart, wanted.get(f), rag(latest, wanted.get(f))))
    provisional = {a.name: a.completion.text for a in every if a.name in names and not a.completion.finished}
    return ProgrammeTrends(window, method, out, provisional)


def team(svc: AuditService) -> Team:
    """Who has audited what in the audit open, the records left per sample, and the reviews assigned per person
    (team_view.team; for those who may see the findings)."""
    from ..team_view import team as team_of

    return team_of(svc.db, svc.info().name, svc.user)


# ---- others' changes to the programme ----------------------------------------------------------------------------
@dataclass
class ProgrammeLook:
    """The window's 15-second look (operations.look) with the programme's audits: `audits` (name, closed) of each,
    `changed` when others created, closed or reopened an audit since the window last looked, and the open audit's
    details as they now are."""

    look: Look
    audits: tuple[tuple[str, bool], ...]
    changed: bool
    info: AuditInfo


def look(svc: AuditService, before: Seen | None, audits_before: tuple[tuple[str, bool], ...] | None,
         item_id: int | None = None, mode: Mode = Mode.AUDIT) -> ProgrammeLook:
    """What others changed since the window last looked: operations.look, and the programme's audits, in one
    unit of work."""
    from ..storage.models import Audit as AuditRowModel

    with svc.unit() as s:
        found = look_changes(svc, before, item_id, mode)
        audits = tuple((str(name or ""), closed is not None) for name, closed in s.execute(
            select(AuditRowModel.name, AuditRowModel.closed_at).order_by(AuditRowModel.id)).tuples())
        info = svc.info()
    return ProgrammeLook(found, audits, audits_before is not None and audits != audits_before, info)
