"""The programme's figures across its audits (issue 14): each audit as a trend point, the force's targets with
a red/amber/green status decided by the interval, how far each audit has got, and the board's actions log.

- points(db): every audit's findings (findings.compute(audit=...)) as a trends.AuditPoint, with the audit's
  method (set_method_style: e.g. 'HMIC 2014 inspection' v '2016-17 inspection'; a series breaks where it changes,
  and where the rules change).
- Targets: per figure a percentage (e.g. recording_rates.all = 90), kept in the programme's settings.
  rag(rate, target): green when the interval's lower end reaches the target, red when its upper end is below it,
  amber when the interval straddles it (the point alone never decides), 'not rated' without a target or a rate.
- completion(db, audit): records audited of those drawn, per sample and in all; an audit not finished reads
  as provisional wherever its figures are shown.
- The actions log: recommendation, owner, due date, status; one log for the programme, carried month to month,
  each change dated and credited. Kept as JSON in the settings ('board-actions').
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .audit.programme import of_audit, resolve, summaries
from .audit.roles import identify
from .findings import Findings, compute
from .kinds import VerdictRole
from .statistics import Rate
from .statistics import rate as stat_rate
from .storage.database import Database
from .storage.models import AuditItem, AuditSetting, Sample, Verdict
from .storage.settings import get_setting, put_setting
from .timeutil import now_utc
from .trends import AuditPoint, point_from_findings

STYLE_PREFIX, TARGET_PREFIX, ACTIONS_KEY = "method-style:", "target:", "board-actions"
DEFAULT_STYLE = "standard"
KEY_FIGURES = ["recording_rates.all", "recording_rates.vap", "recording_rates.sexual_all", "recording_rates.rape",
               "timeliness.all", "cancellations.total.correct"]
STATUSES = ("open", "in progress", "done", "dropped")
RAG_METHOD = ("red/amber/green by the interval: green when its lower end reaches the target, red when its upper "
              "end is below it, amber when it straddles the target")
# said beside RAG_METHOD in the board pack (a statistician's check: the status and the change test differ in this)
RAG_CLUSTERING = ("The interval is the published-style one, which counts each crime as independent, as inspections "
                  "publish it; the change since the last audit allows for crimes clustered in records, so a status "
                  "can look surer than the change beside it")


# ---- each audit as a point ---------------------------------------------------------------------------------------
def method_style(s: Session, audit: str) -> str:
    return get_setting(s, f"{STYLE_PREFIX}{audit}") or DEFAULT_STYLE


def set_method_style(db: Database, audit: str, style: str, who: str = "") -> None:
    """Name an audit's method (the lead's): audits under different methods are never compared in a trend."""
    style = " ".join(style.split())
    if not style:
        raise ValueError("name the audit method")
    with db.session() as s:
        identify(s, who).require("plan audits")
        name = resolve(s, audit).name or audit
        put_setting(s, f"{STYLE_PREFIX}{name}"[:80], style)


@dataclass(frozen=True)
class AuditFigures:
    name: str
    findings: Findings
    point: AuditPoint
    completion: Completion


def audits_figures(db: Database, method: str = "normal", names: Iterable[str] | None = None) -> list[AuditFigures]:
    """Every audit of the programme (or those named) with its findings, its trend point and its completion, oldest
    period first."""
    wanted = None if names is None else set(names)
    with db.session() as s:
        listed = [(a.name, method_style(s, a.name)) for a in summaries(s) if wanted is None or a.name in wanted]
    out = []
    for name, style in listed:
        f = compute(db, method=method, audit=name)
        out.append(AuditFigures(name, f, point_from_findings(f, method_style=style, name=name),
                                completion(db, name)))
    return out


def points(db: Database, method: str = "normal") -> list[AuditPoint]:
    return [a.point for a in audits_figures(db, method)]


# ---- targets and status ------------------------------------------------------------------------------------------
def targets(db: Database) -> dict[str, float]:
    with db.session() as s:
        rows = s.execute(select(AuditSetting.key, AuditSetting.value)
                         .where(AuditSetting.key.like(f"{TARGET_PREFIX}%"))).all()
    return {k[len(TARGET_PREFIX):]: float(v) for k, v in rows if v.strip()}


def set_targets(db: Database, wanted: dict[str, float | None], who: str = "") -> None:
    """Keep (None: clear) the force's target per figure, in per cent (the lead's)."""
    for figure, pct in wanted.items():
        if pct is not None and not 0 <= pct <= 100:
            raise ValueError(f"a target is a percentage from 0 to 100, not {pct:g} ({figure})")
        if pct is not None and 0 < pct <= 1:  # a proportion typed for a percentage: almost any rate would be green
            raise ValueError(f"a target of {pct:g}% ({figure}) looks like a proportion: targets are percentages, so "
                             f"write {pct * 100:g} for {pct * 100:g}%")
    with db.session() as s:
        identify(s, who).require("plan audits")
        for figure, pct in wanted.items():
            key = f"{TARGET_PREFIX}{figure}"[:80]
            if pct is not None:
                put_setting(s, key, f"{pct:g}")
            elif (row := s.get(AuditSetting, key)) is not None:
                s.delete(row)


def rag(rate: Rate | None, target_pct: float | None) -> str:
    """'green', 'amber', 'red' or 'not rated' (RAG_METHOD). Where the rate's own interval is not defined (the
    normal approximation at 0% or 100%) the Wilson interval of the same counts decides."""
    if target_pct is None or rate is None or not rate.identified:
        return "not rated"
    if rate.census and rate.rate is not None:  # every record audited: no sampling error, the rate itself decides
        return "green" if rate.rate >= target_pct / 100 else "red"
    if not rate.defined or rate.low is None or rate.high is None:
        rate = stat_rate(rate.recorded, rate.identified, "wilson", rate.confidence)
    if rate.low is None or rate.high is None:
        return "not rated"
    t = target_pct / 100
    if rate.low >= t:
        return "green"
    if rate.high < t:
        return "red"
    return "amber"


# ---- completion ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Completion:
    drawn: int
    audited: int
    by_sample: list[tuple[str, int, int]]  # (sample, audited, drawn)

    @property
    def finished(self) -> bool:
        return self.drawn > 0 and self.audited >= self.drawn

    @property
    def text(self) -> str:
        if not self.drawn:
            return "no records drawn yet"
        pct = 100 * self.audited / self.drawn
        state = "complete" if self.finished else "PROVISIONAL: not every record drawn has been audited"
        return f"{self.audited:,} of {self.drawn:,} records audited ({pct:.0f}%): {state}"


def completion(db: Database, audit: str | None = None) -> Completion:
    """Records with a complete first (or final) verdict, of those drawn, per sample of the audit."""
    with db.session() as s:
        a = resolve(s, audit)
        done = (select(AuditItem.sample_id, func.count(func.distinct(AuditItem.id)).label("n"))
                .join(Verdict, Verdict.item_id == AuditItem.id)
                .where(Verdict.role.in_(VerdictRole.EFFECTIVE), Verdict.complete.is_(True))
                .group_by(AuditItem.sample_id).subquery())
        drawn = (select(AuditItem.sample_id, func.count().label("n")).group_by(AuditItem.sample_id)).subquery()
        rows = s.execute(select(Sample.name, done.c.n, drawn.c.n).outerjoin(done, done.c.sample_id == Sample.id)
                         .outerjoin(drawn, drawn.c.sample_id == Sample.id).where(of_audit(s, a.id))
                         .order_by(Sample.id)).all()
    by = [(name, int(d or 0), int(n or 0)) for name, d, n in rows]
    return Completion(sum(n for _, _, n in by), sum(d for _, d, _ in by), by)


# ---- the actions log -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Action:
    number: int
    recommendation: str
    owner: str
    due: str  # ISO date
    status: str
    raised_in: str  # the audit it came from
    updated_at: str
    updated_by: str

    @property
    def overdue(self) -> bool:
        return self.status in ("open", "in progress") and date.fromisoformat(self.due) < now_utc().date()


def actions(db: Database) -> list[Action]:
    with db.session() as s:
        return _load_actions(s)


def _load_actions(s: Session) -> list[Action]:
    text = get_setting(s, ACTIONS_KEY)
    return [Action(**a) for a in (json.loads(text) if text else [])]


def _save_actions(s: Session, items: Iterable[Action]) -> None:
    put_setting(s, ACTIONS_KEY, json.dumps([asdict(a) for a in items], sort_keys=True))


def add_action(db: Database, recommendation: str, owner: str, due: date, who: str = "",
               audit: str | None = None) -> Action:
    """Add a recommendation to the log (the lead's), raised in an audit (default: the latest)."""
    recommendation, owner = " ".join(recommendation.split()), " ".join(owner.split())
    if not recommendation or not owner:
        raise ValueError("an action needs a recommendation and an owner")
    with db.session() as s:
        person = identify(s, who)
        person.require("plan audits")
        items = _load_actions(s)
        made = Action(max((a.number for a in items), default=0) + 1, recommendation, owner, due.isoformat(), "open",
                      resolve(s, audit).name or "", now_utc().isoformat(timespec="seconds"), person.name)
        _save_actions(s, [*items, made])
    return made


def update_action(db: Database, number: int, who: str = "", status: str | None = None, owner: str | None = None,
                  due: date | None = None) -> Action:
    if status is not None and status not in STATUSES:
        raise ValueError(f"an action's status is one of {', '.join(STATUSES)}")
    with db.session() as s:
        person = identify(s, who)
        person.require("plan audits")
        items = _load_actions(s)
        found = [a for a in items if a.number == number]
        if not found:
            raise ValueError(f"there is no action {number}")
        old = found[0]
        new = Action(number, old.recommendation, " ".join(owner.split()) if owner else old.owner,
                     due.isoformat() if due else old.due, status or old.status, old.raised_in,
                     now_utc().isoformat(timespec="seconds"), person.name)
        _save_actions(s, [new if a.number == number else a for a in items])
    return new
