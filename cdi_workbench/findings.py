"""Findings: the 2014-style 'findings in numbers' tables, every figure carrying the audit items behind it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .audit.evaluate import CrimeFacts, evaluate
from .audit.verdicts import CHECKS, VerdictBody
from .classification import GROUP_LABELS, group_of
from .rules import rule_set
from .statistics import METHODS, SMALL, Rate, Stratum, rate, stratified_rate, unrecorded_estimate
from .storage.database import Database
from .storage.models import N100, Audit, AuditItem, Cancellation, CrimeRecord, Disposal, ReportRecord, Sample, Verdict
from .timeutil import display, now_utc


@dataclass
class Cell:
    value: int | float
    items: list[int] = field(default_factory=list)  # audit item ids behind the figure
    text: str = ""  # how to print it where a bare number would mislead (rates, intervals)


@dataclass
class Row:
    label: str
    cells: list[Cell]


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[Row]
    note: str = ""


@dataclass
class Findings:
    audit: dict[str, Any]
    samples: list[dict[str, Any]]
    tables: list[Table]
    verdicts: list[dict[str, Any]]
    rates: dict[str, Rate] = field(default_factory=dict)  # recording rate per offence group, for charts
    item_labels: dict[int, str] = field(default_factory=dict)  # audit item id -> "Sample #position reference"

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
        return self.cell(key, row, column).value

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class _Counter:
    """Counts per (row, column) with the items behind each count, rows kept in first-seen order."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self.cells: dict[str, dict[str, Cell]] = {}

    def row(self, label: str) -> dict[str, Cell]:
        return self.cells.setdefault(label, {c: Cell(0) for c in self.columns})

    def add(self, label: str, column: str, item_id: int, n: int = 1) -> None:
        cell = self.row(label)[column]
        cell.value += n
        if item_id not in cell.items:
            cell.items.append(item_id)

    def rows(self, order: list[str] | None = None, total: str | None = None) -> list[Row]:
        labels = order if order is not None else list(self.cells)
        out = [Row(lab, [self.row(lab)[c] for c in self.columns]) for lab in labels]
        if total:
            sums = []
            for c in self.columns:
                items = sorted({i for lab in labels for i in self.row(lab)[c].items})
                sums.append(Cell(sum(self.row(lab)[c].value for lab in labels), items))
            out.append(Row(total, sums))
        return out


def compute(db: Database, method: str = "normal") -> Findings:
    """All findings tables; `method` chooses the interval printed beside each rate (statistics.METHODS)."""
    with db.session() as s:
        return _compute(s, method)


def _effective_verdicts(s: Session) -> dict[int, Verdict]:
    """The final verdict where the lead has given one, else the auditor's (primary) verdict."""
    out: dict[int, Verdict] = {}
    for v in s.scalars(select(Verdict).where(Verdict.role.in_(("primary", "final")))):
        if v.role == "final" or v.item_id not in out:
            out[v.item_id] = v
    return out


def _compute(s: Session, method: str = "normal") -> Findings:
    audit = s.scalar(select(Audit).limit(1))
    if audit is None:
        raise ValueError("this database holds no audit")
    rules = rule_set(audit.rule_set)
    limit_col = f"Outside {rules.limit_hours} hours"
    verdicts = _effective_verdicts(s)
    items = {i.id: i for i in s.scalars(select(AuditItem).where(AuditItem.id.in_(list(verdicts))))}
    reports = {r.id: r for r in s.scalars(select(ReportRecord).where(ReportRecord.id.in_(
        [i.record_id for i in items.values() if i.kind in ("incident", "referral")])))}
    crime_ids = {c.crime_id for v in verdicts.values() for c in VerdictBody.from_json(v.body).crimes if c.crime_id}
    crimes = {c.id: c for c in s.scalars(select(CrimeRecord).where(CrimeRecord.id.in_(crime_ids)))}

    rep_cols = ["Records reviewed", "Crimes identified", "Crimes recorded", "Wrongly classified", limit_col]
    rep = _Counter(rep_cols)
    canc_cols = ["Reviewed", "Decision correct", "Authorised decision maker", "Victim informed"]
    canc = _Counter(canc_cols)
    disp_cols = ["Sampled", "Offender suitable", "Made aware", "With a victim", "Victim's views considered",
                 "Outcome appropriate"]
    disp = _Counter(disp_cols)
    n100_cols = ["Reviewed", "N100 needed", "Should have been rape"]
    n100 = _Counter(n100_cols)
    verdict_rows: list[dict[str, Any]] = []
    groups = _GroupCounter(rules.limit_hours)
    sample_names = dict(s.execute(select(Sample.id, Sample.name)).all())

    for item_id in sorted(items, key=lambda i: (items[i].sample_id, items[i].position)):
        item, v = items[item_id], verdicts[item_id]
        body = VerdictBody.from_json(v.body)
        if not body.complete:
            continue
        base = {"item_id": item_id, "sample": sample_names.get(item.sample_id, ""), "position": item.position,
                "kind": item.kind, "auditor": v.auditor, "rationale": body.rationale,
                "updated_at": display(v.updated_at), "zero_status": body.zero_status if item.kind in (
                    "incident", "referral") else None}
        if item.kind in ("incident", "referral"):
            r = reports[item.record_id]
            row = "Incident records" if r.kind == "incident" else r.system
            rep.add(row, "Records reviewed", item_id)
            counted = [0, 0]  # recorded, identified (excluding fraud), for the stratum-weighted estimate
            if not body.crimes:
                verdict_rows.append({**base, "system": r.system, "record_ref": r.ref, "crime_no": 0})
            for no, c in enumerate(body.crimes, 1):
                crime = crimes.get(c.crime_id) if c.crime_id else None
                facts = CrimeFacts(crime.ho_code, crime.recorded_at) if crime else None
                res = evaluate(c, facts, r.received_at, rules)
                rep.add(row, "Crimes identified", item_id)
                groups.add(item_id, item.stratum, c, res)
                if res.recorded:
                    rep.add(row, "Crimes recorded", item_id)
                if res.classified is False:
                    rep.add(row, "Wrongly classified", item_id)
                if res.timely is False:
                    rep.add(row, limit_col, item_id)
                if group_of(c.expected_code) != "fraud":
                    counted[0] += int(res.recorded)
                    counted[1] += 1
                verdict_rows.append({**base, "system": r.system, "record_ref": r.ref, "crime_no": no,
                                     "expected_code": c.expected_code, "recorded_ref": crime.ref if crime else "",
                                     "recorded_code": crime.ho_code if crime else "",
                                     "classified_correctly": res.classified, "classification": res.classified_text,
                                     "timely": res.timely, "timeliness": res.timely_text,
                                     "reason_not_recorded": c.not_recorded_reason,
                                     "safeguarding": c.safeguarding, "investigation": c.investigation,
                                     "domestic_abuse": c.domestic_abuse})
            groups.note_item(item.sample_id, item.stratum or "all", *counted)
            continue
        checks = body.checks
        if item.kind == "cancellation":
            cr = s.get_one(Cancellation, item.record_id)
            group = GROUP_LABELS.get(cr.offence_group or "other", cr.offence_group or "Other")
            canc.add(group, "Reviewed", item_id)
            for col, key in zip(canc_cols[1:], ("decision_correct", "authorised_decision_maker",
                                                "victim_informed"), strict=True):
                if checks.get(key) is True:
                    canc.add(group, col, item_id)
            verdict_rows.append({**base, "system": "Cancellation", "record_ref": cr.crime_ref, "crime_no": 0,
                                 **{k: checks.get(k) for k, _ in CHECKS["cancellation"]}})
        elif item.kind == "disposal":
            d = s.get_one(Disposal, item.record_id)
            disp.add(d.disposal_type, "Sampled", item_id)
            for col, key in zip(disp_cols[1:], ("offender_suitable", "offender_made_aware", "victim_to_consult",
                                                "victim_views_considered", "outcome_appropriate"), strict=True):
                if checks.get(key) is True:
                    disp.add(d.disposal_type, col, item_id)
            verdict_rows.append({**base, "system": d.disposal_type, "record_ref": d.ref, "crime_no": 0,
                                 **{k: checks.get(k) for k, _ in CHECKS["disposal"]}})
        elif item.kind == "n100":
            n = s.get_one(N100, item.record_id)
            n100.add("N100 records", "Reviewed", item_id)
            if checks.get("n100_needed") is True:
                n100.add("N100 records", "N100 needed", item_id)
            if checks.get("should_have_been_rape") is True:
                n100.add("N100 records", "Should have been rape", item_id)
            verdict_rows.append({**base, "system": "N100", "record_ref": n.ref, "crime_no": 0,
                                 **{k: checks.get(k) for k, _ in CHECKS["n100"]}})

    other = [k for k in rep.cells if k != "Incident records"]
    rep.row("Incident records")
    tables = [
        Table("incidents", "Incident records", rep_cols, rep.rows(["Incident records"]),
              f"Crimes recorded within {rules.limit_hours} hours of the report under {rules.title}."),
        Table("other_systems", "Reports held on other systems", rep_cols,
              rep.rows(sorted(other), total="Total (other systems)"),
              "Third-party referrals, specialist-unit and other records audited for crimes not recorded."),
        Table("cancellations", "Cancelled crimes (no-crimes)", canc_cols,
              canc.rows([GROUP_LABELS[g] for g in ("rape", "sexual", "vap", "other")
                         if GROUP_LABELS[g] in canc.cells] + [k for k in canc.cells if k not in
                         {GROUP_LABELS[g] for g in ("rape", "sexual", "vap", "other")}], total="Total")),
        Table("disposals", "Out-of-court disposals", disp_cols, disp.rows(sorted(disp.cells), total="Total"),
              "'Victim's views considered' counts disposals with a victim to consult; 'Outcome appropriate' "
              "applies to community resolutions only."),
        Table("n100", "N100 records", n100_cols, n100.rows(["N100 records"])),
    ]
    tables += groups.tables(method, _frames(s))
    estimate = _estimate_table(groups.rates, recorded_crime(s))
    if estimate is not None:
        tables.append(estimate)
    samples = [{"name": smp.name, "kind": smp.kind, "system": smp.system or "", "method": smp.method,
                "seed": smp.seed, "drawn_at": display(smp.drawn_at), "drawn_by": smp.drawn_by,
                "frame": smp.frame or {}} for smp in s.scalars(select(Sample).order_by(Sample.id))]
    auditors = sorted({v.auditor for v in verdicts.values() if v.complete})
    info = {"force": audit.force, "period_start": audit.period_start.strftime("%d/%m/%Y"),
            "period_end": audit.period_end.strftime("%d/%m/%Y"), "rule_set": rules.key,
            "rule_set_title": rules.title, "limit_hours": rules.limit_hours, "auditors": auditors,
            "generated_at": display(now_utc())}
    info["interval_method"] = METHODS[method]
    labels = {v["item_id"]: f"{v['sample']} #{v['position']} {v['record_ref']}" for v in verdict_rows}
    return Findings(info, samples, tables, verdict_rows, groups.rates, labels)



WEIGHTED_LABEL = "Stratified samples (weighted estimate)"
RATE_GROUPS = [("all", "All crimes (excluding fraud)"), ("vap", "Violence against the person"),
               ("sexual_all", "Sexual offences (including rape)"), ("sexual", "Sexual offences (excluding rape)"),
               ("rape", "Rape"),
               ("other", "All other offences (excluding fraud)")]


def _frames(s: Session) -> dict[int, dict[str, Any]]:
    return {smp.id: smp.frame or {} for smp in s.scalars(select(Sample))}


class _GroupCounter:
    """Crimes identified per offence group (of the expected code): recorded, timely, domestic abuse."""

    def __init__(self, limit_hours: int) -> None:
        self.limit = limit_hours
        self.by: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        # (sample, stratum) -> per record with a completed verdict: (crimes recorded, crimes identified)
        self.strata: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
        self.rates: dict[str, Rate] = {}

    def add(self, item_id: int, stratum: str | None, c: Any, res: Any) -> None:
        group = group_of(c.expected_code)
        if group == "fraud":
            return
        keys = ["all", group] + (["sexual_all"] if group in ("sexual", "rape") else [])
        for g in keys:
            d = self.by[g]
            d["identified"].append(item_id)
            if res.recorded:
                d["recorded"].append(item_id)
                (d["timely"] if res.timely is not False else d["late"]).append(item_id)
        if c.domestic_abuse:
            d = self.by["da"]
            d["identified"].append(item_id)
            if res.recorded:
                d["recorded"].append(item_id)
            else:
                d["not_recorded"].append(item_id)
                if c.safeguarding:
                    d["safeguarding"].append(item_id)
                if c.investigation:
                    d["investigation"].append(item_id)

    def note_item(self, sample_id: int, stratum: str, recorded: int, identified: int) -> None:
        self.strata[(sample_id, stratum)].append((recorded, identified))

    def _stratified(self, frames: dict[int, dict[str, Any]]) -> list[Stratum] | None:
        """Strata of stratified samples with their frame populations; None when no sample was stratified."""
        out = []
        for (sid, st), records in self.strata.items():
            frame = frames.get(sid, {})
            if not frame.get("stratified"):
                continue
            pop = frame.get("population", {}).get(st)
            if pop:
                out.append(Stratum(pop, tuple(records)))
        return out or None

    @staticmethod
    def _cell(items: list[int]) -> Cell:
        return Cell(len(items), sorted(set(items)))

    def tables(self, method: str, frames: dict[int, dict[str, Any]]) -> list[Table]:
        rows, warnings = [], []
        cautions: dict[str, list[str]] = {}
        for key, label in RATE_GROUPS:
            d = self.by.get(key, {})
            ident, rec = d.get("identified", []), d.get("recorded", [])
            r = rate(len(rec), len(ident), method)
            self.rates[key] = r
            rows.append(Row(label, [self._cell(ident), self._cell(rec),
                                    Cell(r.rate if r.rate is not None else 0, sorted(set(ident)),
                                         f"{r.rate * 100:.1f}%" if r.rate is not None else "no rate"),
                                    Cell(r.margin or 0, [], _interval_text(r))]))
            for part in (r.warning.split("; ") if r.warning and ident else []):
                key_text = (f"fewer than {SMALL} crimes identified, treat the rate with caution"
                            if part.startswith("only ") else part)
                cautions.setdefault(key_text, []).append(label)
        for caution, labels in cautions.items():
            warnings.append(f"{'; '.join(labels)}: {caution}.")
        strat = self._stratified(frames)
        if strat is not None:
            r = stratified_rate(strat)
            self.rates["all_weighted"] = r
            rows.insert(1, Row(WEIGHTED_LABEL,
                               [Cell(r.identified), Cell(r.recorded),
                                Cell(r.rate or 0, [], f"{r.rate * 100:.1f}%" if r.rate is not None else "no rate"),
                                Cell(r.margin or 0, [], _interval_text(r))]))
            warnings.append("The stratified estimate weights each sampled record by its stratum's population "
                            "in the sample frame (a combined ratio estimate, Cochran 1977 s. 6.11), with the "
                            "finite population correction.")
        h = self.limit
        timely = [Row(label, [self._cell(self.by.get(k, {}).get("recorded", [])),
                              self._cell(self.by.get(k, {}).get("timely", [])),
                              self._cell(self.by.get(k, {}).get("late", []))]) for k, label in RATE_GROUPS]
        da = self.by.get("da", {})
        da_row = Row("Domestic abuse crimes", [self._cell(da.get(k, [])) for k in
                                               ("identified", "recorded", "not_recorded", "safeguarding",
                                                "investigation")])
        return [
            Table("recording_rates", "Recording rates", ["Crimes identified", "Crimes recorded", "Recording rate",
                                                          "95% interval"], rows,
                  f"Recording rate = crimes recorded / crimes identified, per offence group of the crime the "
                  f"auditor identified (fraud excluded). Interval: {METHODS[method]}, 95% confidence. "
                  + " ".join(warnings)),
            Table("timeliness", "Timeliness of recording", ["Crimes recorded", f"Within {h} hours",
                                                            f"Outside {h} hours"], timely,
                  _timeliness_sentence(timely[0], h)),
            Table("domestic_abuse", "Domestic abuse", ["Crimes identified", "Recorded", "Not recorded",
                                                       "Not recorded: safeguarding considered",
                                                       "Not recorded: investigation carried out"], [da_row]),
        ]


def _timeliness_sentence(row: Row, hours: int) -> str:
    recorded, within = int(row.cells[0].value), int(row.cells[1].value)
    if not recorded:
        return ""
    return f"{within:,} out of {recorded:,} crimes recorded within {hours} hours of receipt of the report."


def _interval_text(r: Rate) -> str:
    if r.rate is None or r.low is None or r.high is None:
        return "n/a"  # no crimes identified: no rate, so no interval (never a 0 that reads as a figure)
    if (r.method.startswith("normal") or r.method.startswith("stratified")) and r.rate in (0.0, 1.0):
        return "not defined at 0% or 100%"
    if r.method.startswith("normal") or r.method.startswith("stratified"):
        return f"+/- {r.margin * 100:.2f}%"  # type: ignore[operator]
    return f"{r.low * 100:.1f}% to {r.high * 100:.1f}%"


def with_previous(current: Findings, previous: Findings) -> Findings:
    """Follow-up audits: each figure followed by the previous audit's in brackets, as inspections print it
    ('113 (98)'); figures the previous audit lacks are left as they are."""
    before = {(t.key, r.label, col): c for t in previous.tables for r in t.rows
              for col, c in zip(t.columns, r.cells, strict=True)}
    tables = []
    for t in current.tables:
        rows = []
        for r in t.rows:
            cells = []
            for col, c in zip(t.columns, r.cells, strict=True):
                old = before.get((t.key, r.label, _previous_column(col, previous)))
                if old is None:
                    cells.append(c)
                    continue
                now = c.text or f"{c.value:,}"
                was = old.text or f"{old.value:,}"
                cells.append(Cell(c.value, c.items, f"{now} ({was})"))
            rows.append(Row(r.label, cells))
        tables.append(Table(t.key, t.title, t.columns, rows, t.note))
    audit = {**current.audit, "previous": {k: previous.audit.get(k) for k in ("force", "period_start", "period_end",
                                                                              "rule_set")}}
    return Findings(audit, current.samples, tables, current.verdicts, current.rates, current.item_labels)


def _previous_column(column: str, previous: Findings) -> str:
    """The time-limit column is named for each audit's own limit ('Outside 72 hours' then 'Outside 24 hours')."""
    if column.startswith(("Outside ", "Within ")) and column.endswith(" hours"):
        return f"{column.split()[0]} {previous.audit.get('limit_hours')} hours"
    return column


ESTIMATE_GROUPS = [k for k, _ in RATE_GROUPS if k != "sexual_all"]


def recorded_crime(s: Session) -> dict[str, int]:
    """The force's police-recorded crime per offence group for the 12 months to the end of the audit period."""
    from .storage.models import AuditSetting

    out = {}
    for key, value in s.execute(select(AuditSetting.key, AuditSetting.value)
                                .where(AuditSetting.key.like("recorded_crime_12m:%"))):
        if value.strip().isdigit():
            out[key.split(":", 1)[1]] = int(value)
    return out


def set_recorded_crime(db: Database, figures: dict[str, int | None], who: str = "") -> None:
    """Store (or, with None, clear) the recorded-crime figures per offence group (keys of RATE_GROUPS)."""
    from .audit.roles import require

    require(db, who, "audit")
    from .storage.models import AuditSetting

    known = {k for k, _ in RATE_GROUPS}
    for group, n in figures.items():
        if group not in known:
            raise ValueError(f"unknown offence group {group!r}: one of {', '.join(sorted(known))}")
        if n is not None and n < 0:
            raise ValueError("recorded crime cannot be negative")
    with db.session() as s:
        for group, n in figures.items():
            row = s.get(AuditSetting, f"recorded_crime_12m:{group}")
            if n is None:
                if row is not None:
                    s.delete(row)
            elif row is None:
                s.add(AuditSetting(key=f"recorded_crime_12m:{group}", value=str(n)))
            else:
                row.value = str(n)


def _estimate_table(rates: dict[str, Rate], recorded: dict[str, int]) -> Table | None:
    """Annual unrecorded crimes: recorded x (1 - rate) / rate, with the rate's interval carried through."""
    if not recorded:
        return None
    labels = dict(RATE_GROUPS)
    rows = []
    for key in [k for k, _ in RATE_GROUPS if k in recorded]:
        r = rates.get(key)
        est = unrecorded_estimate(recorded[key], r) if r is not None else None
        if est is None:
            rows.append(Row(labels[key], [Cell(recorded[key]), Cell(0, [], "no rate"), Cell(0, [], ""),
                                          Cell(0, [], "")]))
            continue
        rows.append(Row(labels[key], [Cell(recorded[key]), Cell(r.rate or 0, [], f"{(r.rate or 0) * 100:.1f}%"),
                                      Cell(round(est.value)),
                                      Cell(0, [], f"{round(est.low):,} to {round(est.high):,}")]))
    return Table("unrecorded_estimate", "Estimated crimes not recorded in a year",
                 ["Police-recorded crime (12 months)", "Recording rate", "Estimated not recorded", "95% interval"],
                 rows, "Estimate = recorded crime x (1 - rate) / rate, for the 12 months to the end of the audit "
                       "period, excluding fraud; the interval comes from the rate's interval.")
