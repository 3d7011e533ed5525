"""Sample designs as templates (issue 14): a programme's month after month, drawn in one action.

A design lists the samples of an audit (kind, referral system, size, stratification and allocation, a fixed-size
dip-sample per stratum such as 20 of each disposal type or 20 cancelled crimes per offence group, a special sample).
Designs belong to the programme (kept as JSON in its settings, key 'design:NAME'); one is shipped
(resources/design_monthly_dip_sample.json, "Monthly dip-sample"). Drawing a design for an audit draws each of its
samples for that audit (sampling.draw with audit=..., so from the records of the audit's period), named
'SAMPLE AUDIT' (a sample's name is unique across the programme), each with its own seed derived from one master
seed, the audit's name and the sample's name (derive_seed: SHA-256, so a month's draw is reproducible from the
master seed alone and two months never share a seed). What was drawn, with the master seed, is kept in the
settings ('design-run:AUDIT'); each sample's seed is also in its frame, as for any draw.

A sample of a design whose kind has no records in the period (no N100s this month) is not drawn and is named in
the result, so one empty kind does not stop the month's other samples; any other refusal stops the whole draw
(one unit of work: all the month's samples or none).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import sampling
from .audit.programme import resolve
from .audit.roles import identify
from .kinds import RecordKind
from .storage.database import Database
from .storage.models import AuditSetting, ReportRecord, Sample
from .storage.settings import put_setting

PREFIX, RUN_PREFIX = "design:", "design-run:"
BUILTIN = "design_monthly_dip_sample.json"
ALL_SYSTEMS = "*"  # a referral sample drawn once for each referral system the period's records hold


@dataclass(frozen=True)
class SampleSpec:
    name: str
    kind: str  # a RecordKind value: incident, referral, disposal, cancellation, n100
    size: int = 0
    system: str | None = None  # referrals: a system, or '*' for each system there is
    stratify: bool = False
    allocation: str = "proportional"
    per_stratum: int | dict[str, int] | None = None
    special: str | None = None

    def check(self, where: str) -> None:
        kinds = [k.value for k in RecordKind]
        if self.kind not in kinds:
            raise ValueError(f"{where}: unknown kind {self.kind!r}: one of {', '.join(kinds)}")
        _check_types(self, where)
        if self.size < 0:
            raise ValueError(f"{where}: a sample size cannot be negative")
        if not self.size and self.per_stratum is None:
            raise ValueError(f"{where}: give a size or a dip-sample per stratum")
        if self.allocation not in ("proportional", "equal"):
            raise ValueError(f"{where}: allocation is 'proportional' or 'equal'")
        if self.system and self.kind != RecordKind.REFERRAL:
            raise ValueError(f"{where}: only referrals come from a system")
        if isinstance(self.per_stratum, dict):
            known = strata_of(self.kind)
            unknown = sorted(k for k in self.per_stratum if k not in known)
            if unknown:
                raise ValueError(f"{where}: {', '.join(repr(k) for k in unknown)} "
                                 f"{'is not a stratum' if len(unknown) == 1 else 'are not strata'} of {self.kind} "
                                 f"records: {', '.join(repr(k) for k in known)}")
            if any(n < 0 for n in self.per_stratum.values()):
                raise ValueError(f"{where}: a dip-sample cannot be negative")


_TYPES: dict[str, tuple[type, ...]] = {"name": (str,), "kind": (str,), "size": (int,), "system": (str, type(None)),
                                       "stratify": (bool,), "allocation": (str,),
                                       "per_stratum": (int, dict, type(None)), "special": (str, type(None))}


def _check_types(spec: SampleSpec, where: str) -> None:
    """Each field of the type it must be (a design file may hold "size": "lots"): refused by name."""
    for name, types in _TYPES.items():
        value = getattr(spec, name)
        wrong = not isinstance(value, types) or (isinstance(value, bool) and bool not in types)
        if isinstance(value, dict):
            wrong = wrong or not all(isinstance(k, str) and isinstance(n, int) and not isinstance(n, bool)
                                     for k, n in value.items())
        if wrong:
            want = {"size": "a whole number", "stratify": "true or false",
                    "per_stratum": "a whole number, or stratum names with whole numbers"}.get(name, "text")
            raise ValueError(f"{where}: {name} must be {want}, not {json.dumps(value)}")


def strata_of(kind: str) -> list[str]:
    """The strata a kind's records are drawn in (the keys a design's per_stratum may name)."""
    from .classification import CANCELLATION_GROUPS, GROUP_LABELS, NO_CRIME
    from .local_config import NATIONAL_DISPOSAL_TYPES

    if kind == RecordKind.DISPOSAL:
        return list(NATIONAL_DISPOSAL_TYPES)
    if kind == RecordKind.CANCELLATION:
        return list(CANCELLATION_GROUPS)
    if kind == RecordKind.CRIME:
        return list(GROUP_LABELS)
    if kind in RecordKind.REPORTS:
        return [*GROUP_LABELS, NO_CRIME]
    return ["all"]


@dataclass(frozen=True)
class Design:
    name: str
    samples: list[SampleSpec] = field(default_factory=list)
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "samples": [{k: v for k, v in asdict(x).items() if v not in (None, False, "")} for x in self.samples]}

    @classmethod
    def from_json(cls, data: dict[str, Any], source: str = "the design") -> Design:
        if not isinstance(data, dict) or not str(data.get("name", "")).strip():
            raise ValueError(f"{source}: a design needs a name and a list of samples")
        specs = []
        for i, raw in enumerate(data.get("samples") or [], 1):
            where = f"{source}, sample {i}"
            if not isinstance(raw, dict) or not raw.get("name") or not raw.get("kind"):
                raise ValueError(f"{where}: each sample needs a name and a kind")
            unknown = set(raw) - {f for f in SampleSpec.__dataclass_fields__}
            if unknown:
                raise ValueError(f"{where}: unknown field {', '.join(sorted(unknown))}")
            spec = SampleSpec(**raw)
            spec.check(where)
            specs.append(spec)
        if not specs:
            raise ValueError(f"{source}: the design lists no samples")
        names = [x.name for x in specs]
        if len(set(names)) != len(names):
            raise ValueError(f"{source}: two samples share a name")
        return cls(str(data["name"]).strip(), specs, str(data.get("description", "")))


@dataclass(frozen=True)
class Drawn:
    sample: str  # as named in the programme
    kind: str
    seed: int
    records: int
    skipped: str = ""  # why it was not drawn ('' when drawn)
    note: str = ""  # strata of the design the period has no records of


@dataclass(frozen=True)
class DesignRun:
    design: str
    audit: str
    master_seed: int
    drawn: list[Drawn]

    @property
    def text(self) -> str:
        made = [d for d in self.drawn if not d.skipped]
        lines = [f"Drew the design '{self.design}' for the audit '{self.audit}' (master seed {self.master_seed}): "
                 f"{len(made)} sample{'s' if len(made) != 1 else ''}, {_records(sum(d.records for d in made))}"]
        lines += [f"  {d.sample}: {_records(d.records, d.kind)}, seed {d.seed}" + (f" ({d.note})" if d.note else "")
                  for d in made]
        lines += [f"  {d.sample}: not drawn ({d.skipped})" for d in self.drawn if d.skipped]
        return "\n".join(lines)


def _records(n: int, kind: str = "") -> str:
    return f"{n:,} {kind + ' ' if kind else ''}record{'s' if n != 1 else ''}"


def derive_seed(master: int, audit: str, sample: str) -> int:
    """A sample's seed from the master seed, the audit's and the sample's names: the first 4 bytes of SHA-256 of
    'master|audit|sample' (UTF-8), as an unsigned integer."""
    digest = hashlib.sha256(f"{master}|{audit}|{sample}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def builtin() -> Design:
    text = resources.files("cdi_workbench.resources").joinpath(BUILTIN).read_text(encoding="utf-8")
    return Design.from_json(json.loads(text), BUILTIN)


def _saved(s: Session) -> tuple[dict[str, Design], dict[str, str]]:
    """The programme's saved designs by name, and those that cannot be read (name -> why): a design that was saved
    before a check existed, or edited in the database, is named, never allowed to stop the others."""
    saved, broken = {}, {}
    for key, value in s.execute(select(AuditSetting.key, AuditSetting.value)
                                .where(AuditSetting.key.like(f"{PREFIX}%"))):
        name = key[len(PREFIX):]
        try:
            d = Design.from_json(json.loads(value), f"the saved design {name!r}")
        except (ValueError, TypeError) as exc:
            broken[name] = str(exc)
            continue
        saved[d.name] = d
    return saved, broken


def designs(s: Session) -> list[Design]:
    """The shipped design, then the programme's saved ones that can be read (a saved design of the same name as
    the shipped one replaces it, once saved with replace=True); broken_designs names the others."""
    saved, _ = _saved(s)
    base = builtin()
    return ([] if base.name in saved else [base]) + [saved[k] for k in sorted(saved)]


def broken_designs(s: Session) -> dict[str, str]:
    """Saved designs that cannot be read: name -> why."""
    return _saved(s)[1]


def design(s: Session, name: str) -> Design:
    for d in designs(s):
        if d.name.casefold() == name.strip().casefold():
            return d
    broken = {k.casefold(): why for k, why in broken_designs(s).items()}
    if name.strip().casefold() in broken:
        raise ValueError(broken[name.strip().casefold()])
    raise ValueError(f"there is no sample design called {name!r}: there are "
                     + ", ".join(repr(d.name) for d in designs(s)))


def save_design(s: Session, d: Design, who: str = "", replace: bool = False) -> None:
    """Keep a design in the programme (the lead's: 'plan audits'), checked as a design file is. A design of the same
    name (the shipped one included) is replaced only with replace=True; else refused, naming it."""
    identify(s, who).require("plan audits")
    d = Design.from_json(d.to_json(), f"the design {d.name!r}")  # the checks a design file gets, whatever made it
    key = f"{PREFIX}{d.name}"
    if len(key) > 80:
        raise ValueError("a design's name is at most 73 characters")
    existing = {x.name.casefold(): x.name for x in designs(s)}
    existing.update({k.casefold(): k for k in broken_designs(s)})
    same = existing.get(d.name.casefold())
    if same is not None and not replace:
        shipped = " (the shipped design)" if same == builtin().name else ""
        raise ValueError(f"there is already a design called {same!r}{shipped}: save under another name, or "
                         f"replace it")
    if same is not None and same != d.name:  # replaced under the name it has ('monthly dip-sample' replaces
        d = Design(same, d.samples, d.description)  # 'Monthly dip-sample'), so one design of that name is listed
        key = f"{PREFIX}{d.name}"
    for row in s.scalars(select(AuditSetting).where(AuditSetting.key.like(f"{PREFIX}%"))):
        if row.key != key and row.key[len(PREFIX):].casefold() == d.name.casefold():
            s.delete(row)
    put_setting(s, key, json.dumps(d.to_json(), sort_keys=True))


def design_of_audit(s: Session, audit: str | None, name: str) -> Design:
    """The design an audit's samples were drawn to (kind, system, sizes, stratification), to draw again next
    month: each sample's size as it was asked for (its first draw's and its extensions'), not what a small month
    gave; a sample drawn before the frame kept what was asked (sampling.draw) counts what it holds."""
    a = resolve(s, audit)
    specs = []
    taken: set[str] = set()
    for smp in s.scalars(select(Sample).where(Sample.audit_id == a.id).order_by(Sample.id)):
        frame = dict(smp.frame or {})
        allocated = dict(frame.get("allocated") or {})
        asked = frame.get("requested_per_stratum")  # an int (every stratum) or a dict, as drawn; else as held
        per_stratum: int | dict[str, int] = (asked if isinstance(asked, int) and not isinstance(asked, bool) else
                                             {str(k): int(n) for k, n in asked.items()} if isinstance(asked, dict)
                                             else allocated)
        first = frame.get("requested")
        size = first if isinstance(first, int) and first > 0 else sum(allocated.values())
        size += sum(int(e.get("requested", e.get("added", 0))) for e in frame.get("extensions", []))
        fixed = "fixed size per stratum" in smp.method
        base = smp.name.removesuffix(f" {a.name}")
        if base in taken:  # the audit holds both 'Incidents' and 'Incidents AUDIT': each keeps its own name
            base = smp.name
        taken.add(base)
        specs.append(SampleSpec(name=base, kind=smp.kind, size=0 if fixed else size, system=smp.system,
                                stratify=bool(frame.get("stratified")) and not fixed,
                                allocation=frame.get("allocation") or "proportional",
                                per_stratum=per_stratum if fixed else None, special=frame.get("special")))
    if not specs:
        raise ValueError(f"the audit {a.name!r} has no samples to make a design of")
    return Design.from_json(Design(name, specs, f"the samples of the audit '{a.name}'").to_json(),
                            f"the samples of the audit {a.name!r}")


def _systems(s: Session) -> list[str]:
    return list(s.scalars(select(ReportRecord.system).where(ReportRecord.kind == RecordKind.REFERRAL).distinct()
                          .order_by(ReportRecord.system)))


def draw_design(s: Session, design_name: str, audit: str | None = None, master_seed: int | None = None,
                who: str = "") -> DesignRun:
    """Draw every sample of a design for an audit, in this unit of work (sampling.draw checks the role)."""
    identify(s, who).require("draw samples")  # before anything is recorded, even when every kind is empty
    d = design(s, design_name)
    a = resolve(s, audit)
    name = a.name or ""
    if s.get(AuditSetting, f"{RUN_PREFIX}{name}") is not None:
        raise ValueError(f"the audit {name!r} has already been drawn to a design: extend or delete its samples "
                         "instead")
    master = master_seed if master_seed is not None else secrets.randbits(31)
    out: list[Drawn] = []
    for spec in d.samples:
        systems = _systems(s) if spec.system == ALL_SYSTEMS else [spec.system]
        for system in systems:
            label = spec.name if spec.system != ALL_SYSTEMS else f"{spec.name} ({system})"
            sample_name = f"{label} {name}"
            seed = derive_seed(master, name, label)
            # counted first (not tried and caught: any refusal of a draw undoes the whole unit of work)
            here = sampling.population_counts(s, spec.kind, system,
                                              sampling.within_period(sampling.Filters(), a.period_start,
                                                                     a.period_end))
            if not here:  # one empty kind is skipped and said; the month's other samples are drawn
                out.append(Drawn(sample_name, spec.kind, seed, 0, f"no {spec.kind} records in the period"))
                continue
            per_stratum, note = spec.per_stratum, ""
            if isinstance(per_stratum, dict):  # a stratum the month has no records of: none drawn, and said
                missing = sorted(k for k in per_stratum if k not in here)
                per_stratum = {k: n for k, n in per_stratum.items() if k in here}
                note = f"none in the period: {', '.join(missing)}" if missing else ""
            smp = sampling.draw(s, sample_name, spec.kind, spec.size, seed, system=system, stratify=spec.stratify,
                                per_stratum=per_stratum, allocation=spec.allocation, who=who, special=spec.special,
                                audit=name, asked_per_stratum=spec.per_stratum)
            out.append(Drawn(sample_name, spec.kind, seed, sum(dict((smp.frame or {}).get("allocated") or {}).values()),
                             note=note))
    if not any(x.records for x in out):  # nothing drawn: not recorded as the month's run, so it can be drawn later
        raise ValueError(f"nothing to draw for the audit {name!r} ({a.period_start:%d/%m/%Y} to "
                         f"{a.period_end:%d/%m/%Y}): the programme holds no records of the period for any sample of "
                         f"the design {d.name!r}; import the period's extracts first")
    run = DesignRun(d.name, name, master, out)
    s.add(AuditSetting(key=f"{RUN_PREFIX}{name}"[:80], value=json.dumps(
        {"design": d.name, "master_seed": master, "samples": [asdict(x) for x in out]}, sort_keys=True)))
    return run


def draw(db: Database, design_name: str, audit: str | None = None, master_seed: int | None = None,
         who: str = "") -> DesignRun:
    """draw_design as one unit of work: all the month's samples, or none."""
    with db.session() as s:
        return draw_design(s, design_name, audit, master_seed, who)
