"""Reference copy (tests/findings_reference, commit 6998aa6) of cdi_workbench/findings.py.

Findings: the 2014-style 'findings in numbers' tables and the recording rates, every figure carrying the audit
items behind it. Read set-wise (findings_load), counted in one pass over the effective verdicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cdi_workbench.audit.anchor import head_dict
from cdi_workbench.audit.check_table import findings_columns, kind_checks
from cdi_workbench.audit.evaluate import CrimeFacts, evaluate
from cdi_workbench.audit.trail import trail_head
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.classification import CANCELLATION_GROUPS, cancellation_group
from cdi_workbench.findings import repeated_note
from cdi_workbench.kinds import RecordKind
from cdi_workbench.rules import rule_set
from cdi_workbench.special_samples import SPECIAL_SAMPLES
from cdi_workbench.statistics import METHODS, Rate
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import Audit
from cdi_workbench.timeutil import display, now_utc
from tests.findings_reference.load import ItemVerdict, SampleInfo, effective_verdicts, n100s, reports
from tests.findings_reference.load import cancellations as load_cancellations
from tests.findings_reference.load import crimes as load_crimes
from tests.findings_reference.load import disposals as load_disposals
from tests.findings_reference.load import samples as load_samples
from tests.findings_reference.rates import (
    ESTIMATE_GROUPS,
    RATE_GROUPS,
    WEIGHTED_LABEL,
    GroupCounter,
    Unit,
    estimate_table,
    plan,
)
from tests.findings_reference.tables import Cell, Counter, Row, Table

__all__ = ["Cell", "Row", "Table", "Findings", "compute", "recorded_crime", "RATE_GROUPS", "WEIGHTED_LABEL",
           "ESTIMATE_GROUPS"]
REPORT_KINDS = RecordKind.REPORTS


@dataclass
class Findings:
    audit: dict[str, Any]
    samples: list[dict[str, Any]]
    tables: list[Table]
    verdicts: list[dict[str, Any]]
    rates: dict[str, Rate] = field(default_factory=dict)  # published-style recording rate per offence group
    item_labels: dict[int, str] = field(default_factory=dict)  # audit item id -> "Sample #position reference"
    design_rates: dict[str, Rate] = field(default_factory=dict)  # design-weighted rate per offence group
    headline: dict[str, str] = field(default_factory=dict)  # group -> 'published' | 'design'
    warnings: list[str] = field(default_factory=list)  # what the report must say (strata contributing nothing...)
    previous: Findings | None = None  # the previous audit's findings (follow-up audits), see with_previous

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(f"no findings table {key!r}")

    def cell(self, key: str, row: str, column: str) -> Cell:
        t = self.table(key)
        if column not in t.columns:
            raise KeyError(f"table {key!r} has no column {column!r}")
        for r in t.rows:
            if r.label == row:
                return r.cells[t.columns.index(column)]
        raise KeyError(f"table {key!r} has no row {row!r}")

    def value(self, key: str, row: str, column: str) -> int:
        return self.cell(key, row, column).value  # type: ignore[return-value]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def compute(db: Database, method: str = "normal") -> Findings:
    """All findings tables; `method` chooses the interval printed beside each published-style rate
    (statistics.METHODS)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    with db.snapshot() as s:  # every table from one state, whatever is saved meanwhile
        return _compute(s, method)


REPORT_COLUMNS = ["Records reviewed", "Crimes identified", "Crimes recorded", "Wrongly classified"]
SPECIAL_COLUMNS = ["Records reviewed", "Crimes identified", "Crimes recorded", "Correctly classified"]
# The cancellation, disposal and N100 tables' columns are the checks table's (audit.check_table.findings_columns):
# the records counted, then one column per check counting the records that answered yes.


class _Pass:
    """One pass over the effective verdicts, counting into every table."""

    def __init__(self, s: Session, limit_hours: int, rules_key: str) -> None:
        self.rules = rule_set(rules_key)
        h = limit_hours
        self.limit_col, self.within_col = f"Outside {h} hours", f"Within {h} hours"
        self.rep = Counter([*REPORT_COLUMNS, self.limit_col, "Time not known"])
        self.special = Counter([*SPECIAL_COLUMNS, self.within_col, self.limit_col, "Time not known"])
        self.canc = Counter(findings_columns(RecordKind.CANCELLATION))
        self.disp = Counter(findings_columns(RecordKind.DISPOSAL))
        self.n100 = Counter(findings_columns(RecordKind.N100))
        self.groups = GroupCounter(h)
        self.units: list[Unit] = []
        self.verdict_rows: list[dict[str, Any]] = []
        self.cancelled_links: list[int] = []
        self.samples = load_samples(s)
        self.sample_of = {smp.id: smp for smp in self.samples}
        self.reports = reports(s)
        self.s = s

    def run(self, verdicts: list[ItemVerdict]) -> None:
        complete = [(v, VerdictBody.from_json(v.body)) for v in verdicts if v.complete]
        crimes = load_crimes(self.s, (c.crime_id for _, b in complete for c in b.crimes if c.crime_id))
        disposals = load_disposals(self.s) if any(v.kind == RecordKind.DISPOSAL for v, _ in complete) else {}
        cancellations = (load_cancellations(self.s) if any(v.kind == RecordKind.CANCELLATION for v, _ in complete)
                         else {})
        n100 = n100s(self.s) if any(v.kind == RecordKind.N100 for v, _ in complete) else {}
        for v, body in complete:
            smp = self.sample_of.get(v.sample_id)
            base = {"item_id": v.item_id, "sample": smp.name if smp else "", "position": v.position,
                    "kind": v.kind, "auditor": v.auditor, "rationale": body.rationale,
                    "updated_at": display(v.updated_at),
                    "zero_status": body.zero_status if v.kind in REPORT_KINDS else None}
            if v.kind in REPORT_KINDS:
                self._report(v, body, base, smp, crimes)
                continue
            # the record-level checks: the row each record counts in, then the checks table's columns
            if v.kind == RecordKind.CANCELLATION:
                ref, written, code = cancellations[v.record_id]
                counter, row = self.canc, CANCELLATION_GROUPS[cancellation_group(code, written)]
                system = row
            elif v.kind == RecordKind.DISPOSAL:
                ref, row = disposals[v.record_id]
                counter, system = self.disp, row
            elif v.kind == RecordKind.N100:
                # 'N100 needed' counts the N100s rightly applied: the rest of those reviewed were wrongly used (a
                # failed check); 'Should have been rape' with the rape each should have been recorded as
                counter, row, system, ref = self.n100, "N100 records", "N100", n100[v.record_id]
            else:
                continue
            spec = kind_checks(v.kind)
            if spec is None:
                continue
            counter.add(row, spec.counted, v.item_id)
            for c in spec.checks:
                if body.checks.get(c.key) is True:
                    counter.add(row, c.column, v.item_id)
            self.verdict_rows.append({**base, "system": system, "record_ref": ref, "crime_no": 0,
                                      **{c.key: body.checks.get(c.key) for c in spec.checks},
                                      **{c.follow_up.key: getattr(body, c.follow_up.key) for c in spec.checks
                                         if c.follow_up is not None}})

    def _report(self, v: ItemVerdict, body: VerdictBody, base: dict[str, Any], smp: SampleInfo | None,
                crimes: dict[int, Any]) -> None:
        r = self.reports[v.record_id]
        special = (smp.frame.get("special") if smp else None) or None
        if special:
            counter, row = self.special, SPECIAL_SAMPLES[special].label if special in SPECIAL_SAMPLES else special
            unit = None
        else:
            counter, row = self.rep, "Incident records" if r.kind == RecordKind.INCIDENT else r.system
            unit = Unit(v.item_id, v.sample_id, v.record_id, v.stratum or "")
            self.units.append(unit)
        counter.add(row, "Records reviewed", v.item_id)
        if not body.crimes:
            self.verdict_rows.append({**base, "system": r.system, "record_ref": r.ref, "crime_no": 0})
        for no, c in enumerate(body.crimes, 1):
            crime = crimes.get(c.crime_id) if c.crime_id else None
            facts = CrimeFacts(crime.ho_code, crime.recorded_at) if crime else None
            res = evaluate(c, facts, r.received_at, self.rules)
            counter.add(row, "Crimes identified", v.item_id)
            if not special:
                self.groups.add(v.item_id, c, res, unit)
            if res.recorded:
                counter.add(row, "Crimes recorded", v.item_id)
                if res.timely is None:
                    counter.add(row, "Time not known", v.item_id)
                elif res.timely is False:
                    counter.add(row, self.limit_col, v.item_id)
                elif special:
                    counter.add(row, self.within_col, v.item_id)
                if crime is not None and crime.status == "cancelled":
                    self.cancelled_links.append(v.item_id)
            if res.classified is False and not special:
                counter.add(row, "Wrongly classified", v.item_id)
            if res.classified is True and special:
                counter.add(row, "Correctly classified", v.item_id)
            self.verdict_rows.append({**base, "system": r.system, "record_ref": r.ref, "crime_no": no,
                                      "expected_code": c.expected_code, "recorded_ref": crime.ref if crime else "",
                                      "recorded_code": crime.ho_code if crime else "",
                                      "recorded_status": crime.status if crime else "",
                                      "classified_correctly": res.classified, "classification": res.classified_text,
                                      "timely": res.timely, "timeliness": res.timely_text,
                                      "reason_not_recorded": c.not_recorded_reason,
                                      "safeguarding": c.safeguarding, "investigation": c.investigation,
                                      "domestic_abuse": c.domestic_abuse})


def _compute(s: Session, method: str = "normal") -> Findings:
    audit = s.scalar(select(Audit).limit(1))
    if audit is None:
        raise ValueError("this database holds no audit")
    rules = rule_set(audit.rule_set)
    h = rules.limit_hours
    p = _Pass(s, h, audit.rule_set)
    p.run(effective_verdicts(s))
    p.rep.row("Incident records")
    other = [k for k in p.rep.labels if k != "Incident records"]
    canc_order = [lab for lab in CANCELLATION_GROUPS.values() if lab in p.canc.counts]
    tables = [
        Table("incidents", "Incident records", p.rep.columns, p.rep.rows(["Incident records"]),
              f"Crimes recorded within {h} hours of the report under {rules.title}. 'Time not known' counts "
              f"recorded crimes whose report or recording time is missing, or recorded before the report: they "
              f"are neither within nor outside the limit."),
        Table("other_systems", "Reports held on other systems", p.rep.columns,
              p.rep.rows(sorted(other), total="Total (other systems)"),
              "Third-party referrals, specialist-unit and other records audited for crimes not recorded."),
        Table("cancellations", "Cancelled crimes (no-crimes)", p.canc.columns,
              p.canc.rows(canc_order, total="Total"),
              "Offence groups as inspections report them (rape; sexual offences excluding rape; violence against "
              "the person; robbery; burglary; other), worked out from the cancelled crime's Home Office code when "
              "the crime record is known, else as the force's list gives it."),
        Table("disposals", "Out-of-court disposals", p.disp.columns, p.disp.rows(sorted(p.disp.labels),
                                                                                 total="Total"),
              "'Victim's views considered' counts disposals with a victim to consult; 'Outcome appropriate' "
              "applies to community resolutions only."),
        Table("n100", "N100 records", p.n100.columns, p.n100.rows(["N100 records"])),
    ]
    tables += [Table(f"special_{sp.key}", sp.label, p.special.columns, p.special.rows([sp.label]),
                     f"Special sample ({sp.requested} usually requested), reported apart from the main samples and "
                     f"the recording rates.") for sp in SPECIAL_SAMPLES.values()]
    main = [smp for smp in p.samples if smp.kind in REPORT_KINDS and not smp.frame.get("special")]
    design = plan(p.units, main)
    tables += p.groups.tables(method, design)
    warnings = list(p.groups.notes)
    if design.refused:
        warnings.append(f"No design-weighted figures and no finite population correction: {design.refused}.")
    labels = {v["item_id"]: f"{v['sample']} #{v['position']} {v['record_ref']}" for v in p.verdict_rows}
    if design.repeated:  # issue 10's later finding: records drawn in two samples of one frame, named
        warnings.append(repeated_note(design.repeated, labels))
    if p.cancelled_links:
        n, named = len(p.cancelled_links), sorted(set(p.cancelled_links))
        warnings.append(f"{n} crime{'s' if n != 1 else ''} counted as recorded, as the verdict says, "
                        f"{'are' if n != 1 else 'is'} linked to a crime record that has since been cancelled: "
                        f"{'; '.join(labels.get(i, str(i)) for i in named[:20])}"
                        f"{'; ...' if len(named) > 20 else ''}.")
        tables[0].note += " " + warnings[-1]
    estimate = estimate_table(p.groups, recorded_crime(s))
    if estimate is not None:
        tables.append(estimate)
    samples = [{"name": smp.name, "kind": smp.kind, "system": smp.system or "", "method": smp.method,
                "seed": smp.seed, "drawn_at": display(smp.drawn_at), "drawn_by": smp.drawn_by,
                "frame": smp.frame} for smp in p.samples]
    auditors = sorted({r["auditor"] for r in p.verdict_rows})
    info = {"force": audit.force, "period_start": audit.period_start.strftime("%d/%m/%Y"),
            "period_end": audit.period_end.strftime("%d/%m/%Y"), "rule_set": rules.key,
            "rule_set_title": rules.title, "limit_hours": h, "auditors": auditors,
            "generated_at": display(now_utc()), "interval_method": METHODS[method], "method_key": method,
            # the history's head as these figures were read (audit.anchor: `cdi verify DB --against`)
            "trail": head_dict(*trail_head(s))}
    return Findings(info, samples, tables, p.verdict_rows, p.groups.rates, labels, p.groups.design,
                    p.groups.headline, warnings)


def recorded_crime(s: Session) -> dict[str, int]:
    """The force's police-recorded crime per offence group for the 12 months to the end of the audit period."""
    from cdi_workbench.storage.models import AuditSetting

    out = {}
    for key, value in s.execute(select(AuditSetting.key, AuditSetting.value)
                                .where(AuditSetting.key.like("recorded_crime_12m:%"))):
        if value.strip().isdigit():
            out[key.split(":", 1)[1]] = int(value)
    return out
