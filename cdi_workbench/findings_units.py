"""Findings by owning unit (issue 14, 'Units'): every findings table and recording rate, counted for the records
of one district, local policing area or team at a time (the `unit` an extract gave each record, schema 0015).

Each completed verdict counts in the unit of the record it audits (records with no unit under 'Unit not
recorded'), through the same pass and the same tables as findings.compute, so the units' counts add up to the
whole audit's. The recording rates carry intervals by the chosen method. For the published-style normal
approximation the finite population correction needs each unit's part of the sample frame: the records of the
frame (its kind, system and filters) in the unit, counted now. That is the unit's frame only while the frame is
as it was drawn (the counts over every unit equal the frame's population, stratum by stratum); otherwise no
finite population correction and no design-weighted figure is given for any unit, and the tables say why.
findings.compute is not changed by any of this: the breakdown is computed only when asked for.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .audit.programme import resolve
from .classification import NO_CRIME
from .findings import Findings, count_tables
from .findings_load import SampleInfo, Verdicts, completed_verdicts
from .findings_pass import REPORT_KINDS, Pass
from .findings_rates import RATE_COLUMNS, RATE_GROUPS, DesignPlan, plan
from .findings_rows import paused_gc
from .findings_tables import Cell, Row, Table
from .kinds import RecordKind
from .rules import rule_set
from .statistics import METHODS
from .storage.database import Database
from .storage.models import N100, AuditItem, Cancellation, CrimeRecord, Disposal, ReportRecord
from .timeutil import display, now_utc

NOT_RECORDED = "Unit not recorded"
SUMMARY_KEY, RATES_KEY = "by_unit", "by_unit_rates"
_MODELS: tuple[tuple[tuple[str, ...], Any], ...] = (
    (tuple(RecordKind.REPORTS), ReportRecord), ((RecordKind.DISPOSAL,), Disposal),
    ((RecordKind.CANCELLATION,), Cancellation), ((RecordKind.N100,), N100), ((RecordKind.CRIME,), CrimeRecord))


def unit_name(value: str | None) -> str:
    """A stored unit as the findings name it: blank or missing is 'Unit not recorded'."""
    text = (value or "").strip()
    return text or NOT_RECORDED


@dataclass
class ByUnit:
    """The findings of each unit (a Findings each: tables, rates, design-weighted rates, headlines, warnings), in
    order (names, 'Unit not recorded' last), and the two summary tables the reports print."""

    method: str
    units: dict[str, Findings] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)  # SUMMARY_KEY, then RATES_KEY
    notes: list[str] = field(default_factory=list)
    fpc_refused: str = ""  # why no unit's rate has the finite population correction ('' when each frame is known)


def findings_by_unit(db: Database, method: str = "normal", audit: str | None = None) -> ByUnit:
    """Every unit's findings, from one state of the database (as findings.compute reads it)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    with paused_gc(), db.snapshot() as s:
        return _by_unit(s, method, audit)


def item_units(s: Session) -> dict[int, str]:
    """Audit item id -> the unit of the record it audits (an item whose record is missing is left out)."""
    out: dict[int, str] = {}
    for kinds, model in _MODELS:
        q = (select(AuditItem.id, model.unit).join(model, model.id == AuditItem.record_id)
             .where(AuditItem.kind.in_(kinds)))
        out.update({i: unit_name(u) for i, u in s.execute(q).tuples()})
    return out


def _frame_key(smp: SampleInfo) -> str:
    return json.dumps([smp.kind, smp.system or "", smp.frame.get("filters") or {}], sort_keys=True)


def _frames(samples: list[SampleInfo]) -> dict[str, list[SampleInfo]]:
    """The main samples grouped as findings_rates.plan groups them: by frame (kind, system, filters)."""
    out: dict[str, list[SampleInfo]] = defaultdict(list)
    for smp in samples:
        out[_frame_key(smp)].append(smp)
    return out


def frame_counts(s: Session, latest: SampleInfo) -> dict[str, dict[str, int]]:
    """unit -> stratum -> records of the sample's frame (its kind, system and filters) in the unit, as stored now."""
    # the frame's conditions as the draw applied them
    from .sample_population import Filters, source, where, within_period

    src = source(latest.kind)
    f = Filters.from_json(latest.frame.get("filters"))
    if period := latest.frame.get("period"):  # drawn for an audit of a programme: the records of its period
        f = within_period(f, date.fromisoformat(period[0]), date.fromisoformat(period[1]))
    q = where(select(ReportRecord.unit, src.stratum, func.count()), src, latest.kind, latest.system,
              f).group_by(ReportRecord.unit, src.stratum)
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for unit, stratum, n in s.execute(q).tuples():
        out[unit_name(unit)][stratum or NO_CRIME] += n
    return {u: dict(st) for u, st in out.items()}


def _known(group: list[SampleInfo], counts: dict[str, dict[str, int]]) -> str:
    """'' when the frame's records counted now are its population as drawn (stratum by stratum where stratified),
    else why each unit's part of it is not known."""
    latest = group[-1].frame
    population = {h: int(n) for h, n in (latest.get("population") or {}).items() if n}
    now: dict[str, int] = defaultdict(int)
    for strata in counts.values():
        for h, n in strata.items():
            now[h] += n
    stratified = all(smp.frame.get("stratified") for smp in group)
    same = (population == {h: n for h, n in now.items() if n} if stratified
            else sum(population.values()) == sum(now.values()))
    if same:
        return ""
    names = " + ".join(f"'{smp.name}'" for smp in group)
    return (f"the records of sample {names}'s frame have changed since it was drawn ({sum(population.values()):,} "
            f"then, {sum(now.values()):,} now), so each unit's part of the frame is not known")


def _by_unit(s: Session, method: str, audit_name: str | None = None) -> ByUnit:
    audit = resolve(s, audit_name)
    rules = rule_set(audit.rule_set)
    verdicts = completed_verdicts(s, audit.id)
    units = item_units(s)
    rows: dict[str, list[Any]] = defaultdict(list)
    for v in verdicts.rows:
        rows[units.get(v.item_id, NOT_RECORDED)].append(v)
    order = sorted(u for u in rows if u != NOT_RECORDED) + ([NOT_RECORDED] if NOT_RECORDED in rows else [])
    # the main samples' frames, each split by unit as stored now (checked against the frame as drawn)
    probe = Pass(s, rules, audit.id)
    main = [smp for smp in probe.samples if smp.kind in REPORT_KINDS and not smp.frame.get("special")]
    frames = _frames(main)
    counts = {key: frame_counts(s, group[-1]) for key, group in frames.items()}
    refused = next((why for key, group in frames.items() if (why := _known(group, counts[key]))), "")
    out = ByUnit(method, fpc_refused=refused)
    for unit in order:
        p = Pass(s, rules, audit.id)
        p.run(Verdicts(rows[unit], verdicts.parse))
        tables = count_tables(p, rules)
        design = DesignPlan(refused=refused) if refused else plan(p.units, _unit_samples(unit, frames, counts))
        tables += p.groups.tables(method, design)
        warnings = list(p.groups.notes)
        if design.refused:
            warnings.append(f"No design-weighted figures and no finite population correction: {design.refused}.")
        info = {"force": audit.force, "unit": unit, "period_start": audit.period_start.strftime("%d/%m/%Y"),
                "period_end": audit.period_end.strftime("%d/%m/%Y"), "rule_set": rules.key,
                "rule_set_title": rules.title, "limit_hours": rules.limit_hours, "auditors": sorted(p.auditors),
                "generated_at": display(now_utc()), "interval_method": METHODS[method], "method_key": method}
        out.units[unit] = Findings(info, [], tables, p.verdict_rows, p.groups.rates, p.labels, p.groups.design,
                                   p.groups.headline, warnings)
    out.notes = _notes(method, refused)
    out.tables = [summary_table(out, rules.limit_hours), rates_table(out)]
    return out


def _unit_samples(unit: str, frames: dict[str, list[SampleInfo]], counts: dict[str, dict[str, dict[str, int]]]
                  ) -> list[SampleInfo]:
    """The main samples with each frame's population replaced by the unit's part of it (frames holding none of
    the unit's records left out: none of its items can be in them)."""
    out = []
    for key, group in frames.items():
        population = {h: n for h, n in counts[key].get(unit, {}).items() if n}
        if population:
            out += [replace(smp, frame={**smp.frame, "population": population}) for smp in group]
    return out


def _notes(method: str, refused: str) -> list[str]:
    text = (f"Each record counts in its owning unit as the extract gave it (records with none under "
            f"'{NOT_RECORDED}'), so the units' counts add up to the whole audit's. Recording rates per unit: crimes "
            f"recorded / crimes identified in the unit's records, with a 95% interval by {METHODS[method]}")
    if method != "normal":
        text += " (no finite population correction: the method has no standard form for it)"
    elif refused:
        text += f"; finite population correction not applied: {refused}"
    else:
        text += (", with the finite population correction (N = the estimated crimes of the group in the unit's "
                 "part of each sample frame)")
    return [text + ". Units with few crimes identified give wide intervals: read them with the caution each row "
                   "states."]


def _row_value(f: Findings, key: str, label: str, column: str) -> Cell:
    try:
        return f.cell(key, label, column)
    except KeyError:
        return Cell(0)


def summary_table(by: ByUnit, hours: int) -> Table:
    """One row per unit: records reviewed, crimes identified and recorded (all crimes, fraud excluded), the
    classification and timeliness failures of incidents and referrals, then the recording rate with its
    interval."""
    columns = ["Incident records reviewed", "Other records reviewed", "Crimes identified", "Crimes recorded",
               "Wrongly classified", f"Outside {hours} hours", "Time not known", "Recording rate", "95% interval",
               "Interval method"]
    all_label = RATE_GROUPS[0][1]
    rows = []
    for unit, f in by.units.items():
        rate = f.table("recording_rates")
        cells = [_row_value(f, "incidents", "Incident records", "Records reviewed"),
                 _row_value(f, "other_systems", "Total (other systems)", "Records reviewed"),
                 *[_row_value(f, "recording_rates", all_label, c) for c in rate.columns[:2]]]
        for column in ("Wrongly classified", f"Outside {hours} hours", "Time not known"):
            a = _row_value(f, "incidents", "Incident records", column)
            b = _row_value(f, "other_systems", "Total (other systems)", column)
            cells.append(Cell(int(a.value) + int(b.value), sorted({*a.items, *b.items})))
        cells += [_row_value(f, "recording_rates", all_label, c) for c in rate.columns[2:5]]
        rows.append(Row(unit, cells))
    return Table(SUMMARY_KEY, "Findings by unit", columns, rows,
                 " ".join(by.notes) + f" 'Crimes identified', 'Crimes recorded' and the rate: {all_label.lower()}, "
                 f"main samples only; the failures: incidents and referrals.")


def rates_table(by: ByUnit) -> Table:
    """Each unit's recording rate per offence group (groups with crimes identified), as the recording rates
    table prints them, published-style and design-weighted."""
    rows = []
    for unit, f in by.units.items():
        for r in f.table("recording_rates").rows:
            if r.label in dict(RATE_GROUPS).values() and r.cells[0].value:
                rows.append(Row(f"{unit}: {r.label}", r.cells))
    return Table(RATES_KEY, "Recording rates by unit", list(RATE_COLUMNS), rows, " ".join(by.notes))
