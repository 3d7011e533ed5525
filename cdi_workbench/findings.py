"""Findings: the 2014-style 'findings in numbers' tables and the recording rates, every figure carrying the audit
items behind it. Read set-wise as plain rows (findings_load), counted in one columnar pass over the completed
effective verdicts (findings_pass)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .audit.anchor import head_dict
from .audit.programme import default_name, resolve
from .audit.trail import trail_head
from .classification import CANCELLATION_GROUPS, GROUP_LABELS
from .findings_load import completed_verdicts  # the complete ones, each with its report
from .findings_pass import REPORT_KINDS, Pass
from .findings_rates import ESTIMATE_GROUPS, RATE_GROUPS, WEIGHTED_LABEL, Unit, estimate_table, plan
from .findings_rows import RowsField, paused_gc
from .findings_tables import Cell, Row, Table
from .kinds import RecordKind
from .rules import RuleSet, rule_set
from .special_samples import SPECIAL_SAMPLES
from .statistics import METHODS, Rate
from .storage.database import Database
from .timeutil import display, now_utc

__all__ = ["Cell", "Row", "Table", "Findings", "compute", "with_previous", "recorded_crime", "set_recorded_crime",
           "RATE_GROUPS", "WEIGHTED_LABEL", "ESTIMATE_GROUPS"]


@dataclass
class Findings:
    audit: dict[str, Any]
    samples: list[dict[str, Any]]
    tables: list[Table]
    # one row per crime identified, or per record where none was (a list; compute leaves a findings_rows.VerdictRows,
    # built into the list the first time it is read: the dashboard and its drill-downs never read it, the exports
    # and the force's challenges do)
    verdicts: RowsField = RowsField()
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


def compute(db: Database, method: str = "normal", audit: str | None = None) -> Findings:
    """All findings tables of one audit of the programme (`audit`: its name; None: the latest, as
    audit.programme.resolve); `method` chooses the interval printed beside each published-style rate
    (statistics.METHODS)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    # Python's cycle collector paused meanwhile: the pass makes some 100,000 dicts and lists for 20,000 verdicts (the
    # bodies, the items behind each figure), none in a cycle, and each full collection walked them all again
    with paused_gc(), db.snapshot() as s:  # every table from one state, whatever is saved meanwhile
        return _compute(s, method, audit)


def _compute(s: Session, method: str = "normal", audit_name: str | None = None) -> Findings:
    audit = resolve(s, audit_name)
    rules = rule_set(audit.rule_set)
    h = rules.limit_hours
    p = Pass(s, rules, audit.id)
    p.run(completed_verdicts(s, audit.id))
    tables = count_tables(p, rules)
    main = [smp for smp in p.samples if smp.kind in REPORT_KINDS and not smp.frame.get("special")]
    design = plan(p.units, main)
    tables += p.groups.tables(method, design)
    warnings = list(p.groups.notes)
    if design.refused:
        warnings.append(f"No design-weighted figures and no finite population correction: {design.refused}.")
    labels = p.labels
    if design.repeated:
        warnings.append(repeated_note(design.repeated, labels))
    if p.cancelled_links:
        n, named = len(p.cancelled_links), sorted(set(p.cancelled_links))
        warnings.append(f"{n} crime{'s' if n != 1 else ''} counted as recorded, as the verdict says, "
                        f"{'are' if n != 1 else 'is'} linked to a crime record that has since been cancelled: "
                        f"{'; '.join(labels.get(i, str(i)) for i in named[:20])}"
                        f"{'; ...' if len(named) > 20 else ''}.")
        tables[0].note += " " + warnings[-1]
    estimate = estimate_table(p.groups, recorded_crime(s, audit.id))  # the audit's own figures
    if estimate is not None:
        tables.append(estimate)
    samples = [{"name": smp.name, "kind": smp.kind, "system": smp.system or "", "method": smp.method,
                "seed": smp.seed, "drawn_at": display(smp.drawn_at), "drawn_by": smp.drawn_by,
                "frame": smp.frame} for smp in p.samples]
    auditors = sorted(p.auditors)
    info = {"audit": audit.name or default_name(audit.period_start, audit.period_end),
            "audit_closed": audit.closed_at is not None,
            "force": audit.force, "period_start": audit.period_start.strftime("%d/%m/%Y"),
            "period_end": audit.period_end.strftime("%d/%m/%Y"), "rule_set": rules.key,
            "rule_set_title": rules.title, "limit_hours": h, "auditors": auditors,
            "generated_at": display(now_utc()), "interval_method": METHODS[method], "method_key": method,
            # the history's head as these figures were read (audit.anchor: `cdi verify DB --against`)
            "trail": head_dict(*trail_head(s))}
    return Findings(info, samples, tables, p.verdict_rows, p.groups.rates, labels, p.groups.design,
                    p.groups.headline, warnings)


def repeated_note(repeated: list[tuple[str, Unit, Unit]], labels: dict[int, str]) -> str:
    """What the report says of records drawn in two samples of one frame: which count how, and which pairs of their
    verdicts disagree (for the lead to settle)."""
    n = len(repeated)
    frames = "; ".join(sorted({names for names, _, _ in repeated}))
    text = (f"{n} record{'s were' if n != 1 else ' was'} drawn in two samples of one frame ({frames}): the "
            f"published-style counts ('X out of Y') count the verdict given in each sample, the design-weighted "
            f"figures count each record once, with its verdict in the first sample.")
    differ = [(a.item_id, b.item_id) for _, a, b in repeated if a.counts != b.counts]
    if differ:
        pairs = "; ".join(f"{labels.get(a, str(a))} and {labels.get(b, str(b))}" for a, b in differ[:20])
        text += (f" The two verdicts on {len(differ)} of them give different figures (crimes identified or "
                 f"recorded): {pairs}{'; ...' if len(differ) > 20 else ''}.")
    return text


def count_tables(p: Pass, rules: RuleSet) -> list[Table]:
    """The counting tables of one pass (incidents, other systems, cancellations, disposals, N100s, crime records
    where the audit has a crime-record sample, the special samples), in the order the findings list them;
    findings_units counts each unit's with the same."""
    h = rules.limit_hours
    p.rep.row("Incident records")
    other = [k for k in p.rep.labels if k != "Incident records"]
    canc_order = [lab for lab in CANCELLATION_GROUPS.values() if lab in p.canc]
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
    if p.crime_records.labels or any(smp.kind == RecordKind.CRIME for smp in p.samples):
        groups = [lab for lab in GROUP_LABELS.values() if lab in p.crime_records]
        tables.append(Table(
            "crime_records", "Crime records", p.crime_records.columns, p.crime_records.rows(groups, total="Total"),
            f"Dip-samples of recorded crime, by the offence group each record was drawn in (that of its Home "
            f"Office code): 'Correctly classified' counts the records whose code is right for what the record "
            f"describes, 'In time' those recorded within {h} hours of the report under {rules.title}."))
    tables += [Table(f"special_{sp.key}", sp.label, p.special.columns, p.special.rows([sp.label]),
                     f"Special sample ({sp.requested} usually requested), reported apart from the main samples and "
                     f"the recording rates.") for sp in SPECIAL_SAMPLES.values()]
    return tables


def with_previous(current: Findings, previous: Findings, source: str = "") -> Findings:
    """Follow-up audits: each figure followed by the previous audit's in brackets, as inspections print it
    ('113 (98)'), and the previous figure kept as a number (Cell.previous) for its own column in Excel and JSON;
    figures the previous audit lacks are left as they are. `source` names the previous audit's file."""
    before = {(t.key, r.label, col): c for t in previous.tables for r in t.rows
              for col, c in zip(t.columns, r.cells, strict=True)}
    tables = []
    for t in current.tables:
        rows = []
        for r in t.rows:
            cells = []
            for col, c in zip(t.columns, r.cells, strict=True):
                old = before.get((t.key, r.label, _previous_column(col, previous)))
                if old is None or col in _WORDS_ONLY:
                    cells.append(c)
                    continue
                now = c.text or f"{c.value:,}"
                was = old.text or f"{old.value:,}"
                number = None if old.text and not _numeric_text(old.text) else old.value
                cells.append(Cell(c.value, c.items, f"{now} ({was})", number))
            rows.append(Row(r.label, cells))
        tables.append(Table(t.key, t.title, t.columns, rows, t.note))
    info = {k: previous.audit.get(k) for k in ("audit", "force", "period_start", "period_end", "rule_set",
                                                 "rule_set_title", "limit_hours")}
    info["file"] = source
    warnings = []
    if (previous.audit.get("force") or "").strip().lower() != (current.audit.get("force") or "").strip().lower():
        warnings.append(f"The previous audit is of another force ({previous.audit.get('force')}): its figures "
                        f"in brackets do not compare like with like.")
    if previous.audit.get("rule_set") != current.audit.get("rule_set"):
        warnings.append(f"The previous audit was under another rule set ({previous.audit.get('rule_set_title')}): "
                        f"timeliness is measured against a different limit.")
    info["warnings"] = warnings
    audit = {**current.audit, "previous": info}
    rows = vars(Findings)["verdicts"].source(current)  # as held: built only if and when read
    return Findings(audit, current.samples, tables, rows, current.rates, current.item_labels,
                    current.design_rates, current.headline, [*current.warnings, *warnings], previous)


_WORDS_ONLY = {"Interval method", "Design-weighted method", "Rate used"}  # no figure to compare in brackets


def _numeric_text(text: str) -> bool:
    """True for a printed figure that is the number itself ('83.8%'), not words ('no rate', '+/- 1.79%')."""
    return text.rstrip("%").replace(".", "", 1).replace(",", "").isdigit()


def _previous_column(column: str, previous: Findings) -> str:
    """The time-limit column is named for each audit's own limit ('Outside 72 hours' then 'Outside 24 hours')."""
    if column.startswith(("Outside ", "Within ")) and column.endswith(" hours"):
        return f"{column.split()[0]} {previous.audit.get('limit_hours')} hours"
    return column


# The recorded-crime figures belong to each audit of the programme (issue 14): one setting per audit and offence
# group, RECORDED_PREFIX + 'AUDIT ID:GROUP' (one row per figure, so two people setting different groups of an audit
# at once never overwrite each other's). A database from before then kept one set for the whole file
# (LEGACY_PREFIX + group): those are the figures of the audit it held, the programme's first.
RECORDED_PREFIX = "recorded_crime:"
LEGACY_PREFIX = "recorded_crime_12m:"


def _first_audit(s: Session) -> int | None:
    from sqlalchemy import func

    from .storage.models import Audit

    return s.scalar(select(func.min(Audit.id)))


def _settings(s: Session, prefix: str) -> dict[str, str]:
    """The settings whose keys start with prefix: the rest of the key -> text."""
    from .storage.models import AuditSetting

    rows = s.execute(select(AuditSetting.key, AuditSetting.value).where(AuditSetting.key.like(f"{prefix}%")))
    return {key[len(prefix):]: value for key, value in rows if key.startswith(prefix)}


def recorded_crime(s: Session, audit: int | str | None = None) -> dict[str, int]:
    """The force's police-recorded crime per offence group for the 12 months to the end of the audit's period
    (`audit`: its id, its name, or None for the latest): the audit's own, or for the programme's first audit, while
    it has none of its own, the figures the database kept before it became a programme."""
    audit_id = audit if isinstance(audit, int) else resolve(s, audit).id
    values = _settings(s, f"{RECORDED_PREFIX}{audit_id}:")
    if not values and audit_id == _first_audit(s):
        values = _settings(s, LEGACY_PREFIX)
    return {group: int(v) for group, v in values.items() if v.strip().isdigit()}


def set_recorded_crime(db: Database, figures: dict[str, int | None], who: str = "", audit: str | None = None) -> str:
    """Store (or, with None, clear) the recorded-crime figures per offence group (keys of RATE_GROUPS) of the audit
    called `audit` (None: the latest), the audit's other groups and the other audits' figures left as they are;
    the audit's name."""
    from .audit.roles import require

    require(db, who, "enter recorded crime")
    from .storage.models import AuditSetting
    from .storage.settings import put_setting

    known = {k for k, _ in RATE_GROUPS}
    for group, n in figures.items():
        if group not in known:
            raise ValueError(f"unknown offence group {group!r}: one of {', '.join(sorted(known))}")
        if n is not None and n < 0:
            raise ValueError("recorded crime cannot be negative")
    with db.session() as s:
        a = resolve(s, audit)
        prefix = f"{RECORDED_PREFIX}{a.id}:"
        if a.id == _first_audit(s):  # the database's figures from before programmes become the audit's own
            legacy = _settings(s, LEGACY_PREFIX)
            if legacy and not _settings(s, prefix):
                for group, value in legacy.items():
                    put_setting(s, f"{prefix}{group}", value)
            for group in legacy:
                s.delete(s.get(AuditSetting, f"{LEGACY_PREFIX}{group}"))
        for group, n in figures.items():
            if n is not None:
                put_setting(s, f"{prefix}{group}", str(n))
            elif (row := s.get(AuditSetting, f"{prefix}{group}")) is not None:
                s.delete(row)
        return a.name or default_name(a.period_start, a.period_end)
