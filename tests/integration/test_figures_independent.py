"""Every figure of `cdi report` recomputed independently of cdi_workbench.findings.

An audit is built through the core (source records, seeded samples, verdicts saved through the audit service)
with what the 2016-17 methodology has to get right: an incident sample stratified by offence group with fixed
sizes per stratum (weights from 1.7 to 25), a second sample of the same frame drawn with the same seed (records
drawn twice), referral samples drawn 1 in 25 and 1 in 2, a record disclosing three crimes, a group recorded at 0%
and one at 100%, a crime whose recording time is missing and one recorded before its report, a crime linked to a
crime record since cancelled, a final verdict over the auditor's, an incomplete verdict, a special sample, disposals,
cancellations of every offence group and N100s.

The expected figures are worked out here from the raw rows (verdict bodies, audit items, sample frames, source
records; read with sqlalchemy selects, nothing from cdi_workbench.findings*) by the published formulas:
- published-style rate = recorded / identified; normal margin 1.96 sqrt(p (1 - p) / n) sqrt((N - n) / (N - 1))
  with N = sum over the frame strata of N_h / n_h x crimes identified in the stratum's completed records;
- design-weighted rate: the combined ratio estimate R = Y^ / X^ over records, weights N_h / n_h per (frame,
  stratum), a record drawn twice from one frame counted once, variance (1 / X^2) sum N_h^2 (1 - f_h) s2_dh / n_h,
  d = y - R x (Cochran 1977, eq. 6.50);
- Wilson and Clopper-Pearson from statsmodels, without the finite population correction;
- timeliness: a crime recorded with a time missing or before its report is 'time not known', out of the
  'X out of Y' denominator;
- annual estimate = recorded x (1 - p) / p, its ends from the rate's high and low ends, with the design-weighted
  rate where the weights of the strata holding the group's crimes differ by more than 5%.
They are compared with the JSON ('figures' and 'tables'), the Excel cells and the PDF text.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import insert, select
from statsmodels.stats.proportion import proportion_confint

from cdi_workbench import sampling
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import (
    N100,
    AuditItem,
    AuditSetting,
    Cancellation,
    CrimeRecord,
    Disposal,
    RecordLink,
    ReportRecord,
    Sample,
    Verdict,
)
from cdi_workbench.timeutil import uk_local

Z = 1.959963984540054  # the 97.5% point of the standard normal
LIMIT_HOURS = 24  # the 2015 rule set
FORCE = "Independentshire Police"
SEED = 424242
START = uk_local(2016, 3, 1, 9, 0)

# The offence group of each Home Office code used (Home Office counting rules; fraud is out of the samples).
GROUP = {"19C": "rape", "19D": "rape", "17A": "sexual", "8N": "vap", "105A": "vap", "8L": "vap",
         "58A": "other", "28E": "other", "34B": "other", "39": "other", "NFIB9": "fraud"}
RATE_KEYS = ["all", "vap", "sexual_all", "sexual", "rape", "other"]
RATE_LABELS = {"all": "All crimes (excluding fraud)", "vap": "Violence against the person",
               "sexual_all": "Sexual offences (including rape)", "sexual": "Sexual offences (excluding rape)",
               "rape": "Rape", "other": "All other offences (excluding fraud)"}
# the cancelled crimes' offence groups as inspections report them (rape; sexual; violence; robbery; burglary;
# other): robbery is Home Office class 34, burglary classes 28-31
CANCELLED = {  # crime ref: (Home Office code or None when the crime record is not in the extract, group written)
    **{f"NC-R{i}": ("19C", "rape") for i in range(4)},
    **{f"NC-S{i}": ("17A", "sexual") for i in range(2)},
    **{f"NC-V{i}": ("8N", "vap") for i in range(4)},
    "NC-V9": (None, "Violence"),
    **{f"NC-B{i}": ("28E", "other") for i in range(3)},  # written 'other': the code says burglary
    **{f"NC-Y{i}": ("34B", "vap") for i in range(3)},  # written 'vap': the code says robbery
    **{f"NC-O{i}": ("58A", "other") for i in range(3)},
}
CANCELLED_GROUP = {"19C": "rape", "17A": "sexual", "8N": "vap", None: "vap", "28E": "burglary", "34B": "robbery",
                   "58A": "other"}
CANCELLATION_LABELS = {"rape": "Rape", "sexual": "Sexual offences (excluding rape)",
                       "vap": "Violence against the person", "robbery": "Robbery", "burglary": "Burglary",
                       "other": "Other offences"}
RECORDED_CRIME = {"all": 59_000, "vap": 21_000, "sexual": 1_500, "rape": 800, "other": 30_000}


# ---- the scenario ------------------------------------------------------------------------------------------
@dataclass
class C:
    """A crime the auditor identifies, and the crime record that recorded it (if any)."""

    code: str
    delay: float | None = 2.0  # hours from the report to the recording; None: recording time missing
    recorded: bool = True
    recorded_code: str = ""  # '' = the expected code
    status: str = "recorded"
    da: bool | None = None
    safeguarding: bool | None = None
    investigation: bool | None = None
    timely_override: bool | None = None


def unrec(code: str, **kw: Any) -> C:
    return C(code, None, False, **kw)


@dataclass
class V:
    """A verdict: crimes (none = zero status), complete or not, and an optional different final verdict."""

    crimes: list[C] = field(default_factory=list)
    complete: bool = True
    final: list[C] | None = None


# Incident strata: population and how many are drawn (fixed size per stratum, so the weights differ).
INCIDENT_STRATA = {"rape": (20, 10, "19C"), "sexual": (30, 6, "17A"), "vap": (100, 10, "8N"),
                   "other": (150, 10, "58A"), "no crime linked": (200, 8, None)}
PLANS: dict[str, list[V]] = {
    "rape": [
        V([C("19C", 3)]), V([C("19C", 1, recorded_code="17A")]),  # a rape recorded as a sexual assault
        V([C("19C", 30)]),  # outside 24 hours
        V([C("19C", -2)]),  # recorded two hours before the report was received: time not known
        V([C("19C", None)]),  # recording time missing: time not known
        V([C("19C", 5), C("19D", 6)]), V([C("19C", 2, da=True)]), V([C("19C", 4)]), V([C("19C", 23.5)]),
        V([C("19C", 24.5)]),
    ],
    "sexual": [V([unrec("17A", da=True, safeguarding=True, investigation=False)]), V([unrec("17A")]),
               V([unrec("17A")]), V([unrec("17A", da=True, safeguarding=False, investigation=False)]), V(),
               V([unrec("17A")], complete=False)],  # incomplete: left out of every figure
    "vap": [
        V([C("8N", 2), unrec("105A", da=True, safeguarding=True, investigation=False), C("58A", 3)]),  # 3 crimes
        V([C("8N", 50)]), V([unrec("8N")]),
        V([C("105A", 1, status="cancelled")]),  # linked to a crime record since cancelled
        V([C("8L", 40, timely_override=True)]),  # the auditor overrides: within the limit
        V([C("8N", 1, da=True)]), V(),
        V([unrec("105A")], final=[C("105A", 2)]),  # the lead's final verdict counts
        V([C("8N", 10), C("NFIB9", 1)]),  # fraud: counted in the incident table, not in the rates
        V([unrec("105A", da=True, safeguarding=True, investigation=True)]),
    ],
    "other": [V([C("58A", 2)]), V([C("28E", 6)]), V([C("34B", 30)]), V([unrec("39")]), V([C("39", 1)]),
              V([C("58A", 12), unrec("8N")]), V([C("28E", 3)]), V([unrec("58A")]), V([C("34B", 22)]),
              V([C("58A", 0.5, recorded_code="058A")])],  # leading zero: correctly classified
    "no crime linked": [V(), V([unrec("8N", da=True, safeguarding=False, investigation=True)]), V(),
                        V([unrec("58A")]), V(), V([C("34B", 4)]), V(), V()],
}
TOPUP_NEW = [V([C("19C", 3)]), V([C("19C", 6)])]  # the two rape records only the second sample drew
GUARDIAN = (250, [V([C("8N", 2)]), V([unrec("8N")]), V([unrec("17A")]), V([C("58A", 30)]),
                  V([C("105A", 1), unrec("8L")]), V(), V(), V(), V(), V()])
PO1 = (8, [V([C("8N", 2)]), V([unrec("58A")]), V(), V()])
SPECIAL = [V([C("8N", 2)]), V([unrec("19C")]), V([C("58A", 48)])]
DISPOSAL_POP = {"Caution": 12, "Community resolution": 10}
DISPOSAL_ANSWERS = {  # per drawn disposal: suitable, made aware, victim, views considered, outcome appropriate
    "Caution": [(True, True, True, False, None), (True, False, False, None, None), (False, True, True, True, None),
                (True, True, False, None, None), (True, True, True, True, None)],
    "Community resolution": [(True, True, True, True, True), (True, True, True, False, False),
                             (False, True, False, None, True), (True, False, True, True, True),
                             (True, True, True, True, False)],
}


def _finding(c: C, crime_ids: dict[int, int], key: int) -> CrimeFinding:
    cid = crime_ids.get(key) if c.recorded else None
    return CrimeFinding(expected_code=c.code, crime_id=cid, crime_ref=f"VCR-{key}" if cid else "",
                        not_recorded_reason="" if c.recorded else "No discernible reason", domestic_abuse=c.da,
                        safeguarding=c.safeguarding, investigation=c.investigation,
                        timely_override=c.timely_override,
                        override_reason="report first received by another force" if c.timely_override is not None
                        else "")


def build(path: Path) -> Database:
    db = init_audit(path, FORCE, date(2016, 1, 1), date(2016, 12, 31), "2015", "builder")
    n = 0
    with db.session() as s:
        reports, crimes, links = [], [], []
        for stratum, (pop, _k, code) in INCIDENT_STRATA.items():
            for i in range(pop):
                n += 1
                ref = f"INC-{stratum[:2].upper()}-{i:04d}"
                reports.append({"kind": "incident", "system": "Incident", "ref": ref, "narrative": "",
                                "received_at": START + timedelta(hours=n), "crime_refs": ""})
                if code:
                    crimes.append({"ref": f"CR-{ref}", "ho_code": code, "status": "recorded",
                                   "recorded_at": START + timedelta(hours=n + 1), "source_ref": ref})
                    links.append((ref, f"CR-{ref}"))
        for system, (pop, _plans) in (("Guardian", GUARDIAN), ("PO1", PO1)):
            for i in range(pop):
                n += 1
                reports.append({"kind": "referral", "system": system, "ref": f"{system}-{i:04d}", "narrative": "",
                                "received_at": START + timedelta(hours=n), "crime_refs": ""})
        s.execute(insert(ReportRecord), reports)
        s.execute(insert(CrimeRecord), crimes)
        rep = dict(s.execute(select(ReportRecord.ref, ReportRecord.id)).all())
        cri = dict(s.execute(select(CrimeRecord.ref, CrimeRecord.id)).all())
        s.execute(insert(RecordLink), [{"report_id": rep[a], "crime_id": cri[b]} for a, b in links])
        s.execute(insert(CrimeRecord), [{"ref": ref, "ho_code": code, "status": "cancelled",
                                         "recorded_at": START} for ref, (code, _g) in CANCELLED.items() if code])
        s.execute(insert(Cancellation), [{"crime_ref": ref, "offence_group": written, "reason": "AVI",
                                          "decided_by_role": "DDM", "cancelled_at": START + timedelta(days=2)}
                                         for ref, (_c, written) in CANCELLED.items()])
        s.execute(insert(Disposal), [{"ref": f"D-{t[:3]}-{i:02d}", "disposal_type": t, "crime_ref": "",
                                      "issued_at": START, "offender_history": ""}
                                     for t, pop in DISPOSAL_POP.items() for i in range(pop)])
        s.execute(insert(N100), [{"ref": f"N100-{i}", "recorded_at": START, "narrative": ""} for i in range(3)])
    with db.session() as s:
        sizes = {k: v[1] for k, v in INCIDENT_STRATA.items()}
        sampling.draw(s, "Incidents", "incident", 0, SEED, per_stratum=sizes, who="Inspector A")
        # the same frame and seed again: the ten rape records drawn already and the next two
        sampling.draw(s, "Incidents (rape top-up)", "incident", 0, SEED, per_stratum={"rape": 12},
                      who="Inspector A")
        sampling.draw(s, "Guardian", "referral", len(GUARDIAN[1]), 7, system="Guardian", who="Inspector A")
        sampling.draw(s, "PO1", "referral", len(PO1[1]), 8, system="PO1", who="Inspector A")
        sampling.draw(s, "Vulnerable children", "referral", len(SPECIAL), 9, system="Guardian",
                      special="vulnerable_children", who="Inspector A")
        sampling.draw(s, "Disposals", "disposal", 0, 10, per_stratum=5, who="Inspector A")
        sampling.draw(s, "Cancellations", "cancellation", 0, 11, per_stratum=3, who="Inspector A")
        sampling.draw(s, "N100s", "n100", 3, 12, who="Inspector A")

    with db.session() as s:
        items = list(s.execute(select(AuditItem.id, Sample.name, AuditItem.stratum, AuditItem.record_id,
                                      AuditItem.kind).join(Sample, Sample.id == AuditItem.sample_id)
                               .order_by(AuditItem.sample_id, AuditItem.position)))
        received = dict(s.execute(select(ReportRecord.id, ReportRecord.received_at)).all())
        dtype = dict(s.execute(select(Disposal.id, Disposal.disposal_type)).all())
    # which verdict each report item gets
    plan_of: dict[int, V] = {}
    seen_stratum: dict[str, int] = defaultdict(int)
    first_rape: dict[int, V] = {}
    plain = {"Guardian": iter(GUARDIAN[1]), "PO1": iter(PO1[1]), "Vulnerable children": iter(SPECIAL)}
    new_topup = iter(TOPUP_NEW)
    duplicates_given = 0
    for item_id, name, stratum, record_id, _kind in items:
        if name == "Incidents":
            v = PLANS[stratum][seen_stratum[stratum]]
            seen_stratum[stratum] += 1
            if stratum == "rape":
                first_rape[record_id] = v
        elif name == "Incidents (rape top-up)":
            if record_id in first_rape:
                if duplicates_given == 3:
                    continue  # drawn twice, reviewed once
                duplicates_given += 1
                v = first_rape[record_id]  # the same record: the same verdict
            else:
                v = next(new_topup)
        elif name in plain:
            v = next(plain[name])
        else:
            continue
        plan_of[item_id] = v
    assert duplicates_given == 3 and next(new_topup, None) is None
    # the crime records the verdicts link (one per recorded crime, times relative to the report)
    rows, key = [], 0
    keys: dict[tuple[int, int, bool], int] = {}
    rec_of = {item_id: record_id for item_id, _n, _s, record_id, _k in items}
    for item_id, v in plan_of.items():
        for final in (False, True):
            for no, c in enumerate((v.final if final else v.crimes) or []):
                if c.recorded:
                    key += 1
                    keys[(item_id, no, final)] = key
                    got = received[rec_of[item_id]]
                    rows.append({"ref": f"VCR-{key}", "ho_code": c.recorded_code or c.code, "status": c.status,
                                 "recorded_at": None if c.delay is None else got + timedelta(hours=c.delay)})
    with db.session() as s:
        s.execute(insert(CrimeRecord), rows)
        ids = dict(s.execute(select(CrimeRecord.ref, CrimeRecord.id)).all())
    crime_ids = {k: ids[f"VCR-{k}"] for k in keys.values()}

    auditor, lead = AuditService(db, "Inspector A"), AuditService(db, "Lead Inspector")
    for item_id, v in plan_of.items():
        crimes = [_finding(c, crime_ids, keys.get((item_id, no, False), 0)) for no, c in enumerate(v.crimes)]
        auditor.save_verdict(item_id, VerdictBody(crimes=crimes, zero_status=not crimes, complete=v.complete,
                                                  rationale="audited"))
        if v.final is not None:
            crimes = [_finding(c, crime_ids, keys.get((item_id, no, True), 0)) for no, c in enumerate(v.final)]
            lead.save_verdict(item_id, VerdictBody(crimes=crimes, complete=True, rationale="final"), role="final")
    seen: dict[str, int] = defaultdict(int)
    for n_item, (item_id, _name, _stratum, record_id, kind) in enumerate(items):
        if kind == "disposal":
            t = dtype[record_id]
            suitable, aware, victim, views, outcome = DISPOSAL_ANSWERS[t][seen[t]]
            seen[t] += 1
            checks = {"offender_suitable": suitable, "offender_made_aware": aware, "victim_to_consult": victim,
                      "victim_views_considered": views, "outcome_appropriate": outcome}
        elif kind == "cancellation":
            checks = {"decision_correct": n_item % 4 != 0, "authorised_decision_maker": n_item % 3 != 0,
                      "victim_informed": n_item % 5 != 1}
        elif kind == "n100":
            checks = {"n100_needed": n_item % 2 == 0, "should_have_been_rape": n_item % 3 == 0}
        else:
            continue
        auditor.save_verdict(item_id, VerdictBody(checks=checks, complete=True, rationale="checked"))
    return db


# ---- the independent computation ---------------------------------------------------------------------------
def norm_code(code: str | None) -> str:
    text = (code or "").strip().upper().replace(" ", "")
    return text.lstrip("0") or text


def rate_keys(code: str) -> list[str]:
    g = GROUP[code]
    if g == "fraud":
        return []
    return ["all", g] + (["sexual_all"] if g in ("sexual", "rape") else [])


@dataclass
class Expected:
    reports: dict[str, dict[str, int]] = field(default_factory=dict)  # row -> figure -> count
    special: dict[str, int] = field(default_factory=dict)
    groups: dict[str, dict[str, int]] = field(default_factory=dict)  # rate group -> figure -> count
    units: dict[str, list[tuple[int, list[tuple[int, int]]]]] = field(default_factory=dict)  # group -> strata
    stratified_units: dict[str, list[tuple[int, list[tuple[int, int]]]]] = field(default_factory=dict)
    da: dict[str, int] = field(default_factory=dict)
    cancellations: dict[str, dict[str, int]] = field(default_factory=dict)
    disposals: dict[str, dict[str, int]] = field(default_factory=dict)
    n100: dict[str, int] = field(default_factory=dict)
    cancelled_linked: dict[int, str] = field(default_factory=dict)  # item -> the record's reference
    recorded_crime: dict[str, int] = field(default_factory=dict)


def expected_figures(db: Database) -> Expected:
    """Every count from the raw rows: the effective (final, else primary) complete verdicts."""
    with db.session() as s:
        verdicts: dict[int, tuple[str, dict[str, Any], bool]] = {}
        for item_id, role, body, complete in s.execute(
                select(Verdict.item_id, Verdict.role, Verdict.body, Verdict.complete)):
            if role == "final" or (role == "primary" and item_id not in verdicts):
                verdicts[item_id] = (role, body, bool(complete))
        items = list(s.execute(select(AuditItem.id, AuditItem.sample_id, AuditItem.kind, AuditItem.record_id,
                                      AuditItem.stratum).order_by(AuditItem.sample_id, AuditItem.position)))
        samples = {i: (k, sy or "", fr) for i, k, sy, fr in s.execute(
            select(Sample.id, Sample.kind, Sample.system, Sample.frame).order_by(Sample.id))}
        reports = {i: (k, sy, at, ref) for i, k, sy, at, ref in s.execute(
            select(ReportRecord.id, ReportRecord.kind, ReportRecord.system, ReportRecord.received_at,
                   ReportRecord.ref))}
        crimes = {i: (c, at, st) for i, c, at, st in s.execute(
            select(CrimeRecord.id, CrimeRecord.ho_code, CrimeRecord.recorded_at, CrimeRecord.status))}
        disposals = dict(s.execute(select(Disposal.id, Disposal.disposal_type)).all())
        cancellations = dict(s.execute(select(Cancellation.id, Cancellation.crime_ref)).all())
        settings = dict(s.execute(select(AuditSetting.key, AuditSetting.value)).all())
    e = Expected()
    # the audit's own figures (a setting per audit and group: 'recorded_crime:AUDIT ID:GROUP'), else the database's
    # from before programmes ('recorded_crime_12m:GROUP')
    own = {k.rsplit(":", 1)[1]: int(v) for k, v in settings.items() if k.startswith("recorded_crime:")}
    e.recorded_crime = own or {k.split(":", 1)[1]: int(v) for k, v in settings.items()
                               if k.startswith("recorded_crime_12m:")}
    zero = {"reviewed": 0, "identified": 0, "recorded": 0, "wrong": 0, "late": 0, "unknown": 0, "within": 0,
            "right": 0}
    groups = {g: {"identified": 0, "recorded": 0, "within": 0, "late": 0, "unknown": 0} for g in RATE_KEYS}
    da = {"identified": 0, "recorded": 0, "not_recorded": 0, "safeguarding": 0, "investigation": 0}
    # units per frame: frame key -> {stratum: [(record_id, counts per group)]}, each record once
    frames: dict[str, dict[str, Any]] = {}
    for sid, (kind, system, frame) in samples.items():
        if kind in ("incident", "referral") and not frame.get("special"):
            key = json.dumps([kind, system, frame.get("filters") or {}], sort_keys=True)
            f = frames.setdefault(key, {"samples": [], "seen": set(), "members": defaultdict(list)})
            f["samples"].append(sid)
            f["population"] = frame["population"]  # the latest draw's
            f["stratified"] = f.get("stratified", True) and bool(frame.get("stratified"))
    frame_of = {sid: f for f in frames.values() for sid in f["samples"]}
    for item_id, sid, kind, record_id, stratum in items:
        if item_id not in verdicts or not verdicts[item_id][2]:
            continue
        body = verdicts[item_id][1]
        kind_s, system, frame = samples[sid]
        if kind in ("incident", "referral"):
            special = frame.get("special")
            row = "special" if special else ("Incident records" if kind == "incident" else system)
            counts = e.special if special else e.reports.setdefault(row, dict(zero))
            counts.setdefault("reviewed", 0)
            counts["reviewed"] += 1
            per_group: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            received = reports[record_id][2]
            for c in body["crimes"]:
                for k in ("identified", "recorded", "wrong", "late", "unknown", "within", "right"):
                    counts.setdefault(k, 0)
                counts["identified"] += 1
                recorded = c["crime_id"] is not None
                timely = classified = None
                if recorded:
                    code, at, status = crimes[c["crime_id"]]
                    if status == "cancelled" and not special:
                        e.cancelled_linked[item_id] = reports[record_id][3]
                    if c["classified_override"] is not None:
                        classified = c["classified_override"]
                    elif norm_code(code) and norm_code(c["expected_code"]):
                        classified = norm_code(code) == norm_code(c["expected_code"])
                    if c["timely_override"] is not None:
                        timely = c["timely_override"]
                    elif at is not None and received is not None and at >= received:
                        timely = (at - received).total_seconds() <= LIMIT_HOURS * 3600
                    counts["recorded"] += 1
                    key = {None: "unknown", True: "within", False: "late"}[timely]
                    counts[key] += 1
                counts["wrong"] += classified is False
                counts["right"] += classified is True
                if special:
                    continue
                for g in rate_keys(c["expected_code"]):
                    groups[g]["identified"] += 1
                    per_group[g][1] += 1
                    if recorded:
                        groups[g]["recorded"] += 1
                        per_group[g][0] += 1
                        groups[g][{None: "unknown", True: "within", False: "late"}[timely]] += 1
                if c["domestic_abuse"]:
                    da["identified"] += 1
                    if recorded:
                        da["recorded"] += 1
                    else:
                        da["not_recorded"] += 1
                        da["safeguarding"] += bool(c["safeguarding"])
                        da["investigation"] += bool(c["investigation"])
            if not special:
                f = frame_of[sid]
                if record_id not in f["seen"]:
                    f["seen"].add(record_id)
                    f["members"][stratum if f["stratified"] else "all"].append(
                        {g: tuple(v) for g, v in per_group.items()})
        elif kind == "disposal":
            t = disposals[record_id]
            d = e.disposals.setdefault(t, dict.fromkeys(
                ["sampled", "suitable", "aware", "victim", "views", "outcome"], 0))
            ch = body["checks"]
            d["sampled"] += 1
            for k, name in (("offender_suitable", "suitable"), ("offender_made_aware", "aware"),
                            ("victim_to_consult", "victim"), ("victim_views_considered", "views"),
                            ("outcome_appropriate", "outcome")):
                d[name] += ch.get(k) is True
        elif kind == "cancellation":
            code, _written = CANCELLED[cancellations[record_id]]
            g = CANCELLED_GROUP[code]
            d = e.cancellations.setdefault(g, dict.fromkeys(["reviewed", "correct", "authorised", "informed"], 0))
            ch = body["checks"]
            d["reviewed"] += 1
            d["correct"] += ch.get("decision_correct") is True
            d["authorised"] += ch.get("authorised_decision_maker") is True
            d["informed"] += ch.get("victim_informed") is True
        elif kind == "n100":
            ch = body["checks"]
            e.n100["reviewed"] = e.n100.get("reviewed", 0) + 1
            e.n100["needed"] = e.n100.get("needed", 0) + (ch.get("n100_needed") is True)
            e.n100["rape"] = e.n100.get("rape", 0) + (ch.get("should_have_been_rape") is True)
    e.groups, e.da = groups, da
    strata = []
    for f in frames.values():
        pop = f["population"] if f["stratified"] else {"all": sum(f["population"].values())}
        for h, big_n in pop.items():
            strata.append((big_n, f["members"].get(h, []), f["stratified"]))
    e.units = {g: [(big_n, [m.get(g, (0, 0)) for m in members]) for big_n, members, _st in strata]
               for g in RATE_KEYS}
    e.stratified_units = {g: [(big_n, [m.get(g, (0, 0)) for m in members]) for big_n, members, st in strata if st]
                          for g in RATE_KEYS}
    return e


@dataclass
class Hand:
    """A rate worked out by hand."""

    k: int
    n: int
    rate: float | None
    low: float | None  # None: not defined
    high: float | None
    margin: float | None
    population: float | None = None


def design(units: list[tuple[int, list[tuple[int, int]]]]) -> tuple[Hand, float]:
    """Combined ratio estimate over records, Cochran 1977 eq. 6.50; returns the rate and X^."""
    used = [(big_n, recs) for big_n, recs in units if recs]
    y_hat = sum(big_n / len(recs) * sum(y for y, _ in recs) for big_n, recs in used)
    x_hat = sum(big_n / len(recs) * sum(x for _, x in recs) for big_n, recs in used)
    k = sum(y for _, recs in used for y, _ in recs)
    n = sum(x for _, recs in used for _, x in recs)
    r = y_hat / x_hat
    var = 0.0
    for big_n, recs in used:
        n_h = len(recs)
        d = [y - r * x for y, x in recs]
        if n_h < 2:  # a single record (of more): about the overall rate, as R survey's lonely.psu = "adjust"
            var += big_n ** 2 * (1 - 1 / big_n) * d[0] ** 2
            continue
        mean = sum(d) / n_h
        s2 = sum((v - mean) ** 2 for v in d) / (n_h - 1)
        var += big_n ** 2 * (1 - n_h / big_n) * s2 / n_h
    half = Z * math.sqrt(var) / x_hat
    defined = half > 0 or r not in (0.0, 1.0)
    return Hand(k, n, r, max(0.0, r - half) if defined else None, min(1.0, r + half) if defined else None,
                half if defined else None, x_hat), x_hat


def weights_differ(units: list[tuple[int, list[tuple[int, int]]]]) -> bool:
    w = [big_n / len(recs) for big_n, recs in units if recs and any(x for _, x in recs)]
    return max(w) > 1.05 * min(w)


def published(k: int, n: int, big_n: float | None) -> Hand:
    p = k / n
    if p in (0.0, 1.0):
        return Hand(k, n, p, None, None, None, big_n)
    half = Z * math.sqrt(p * (1 - p) / n)
    if big_n is not None:
        half *= math.sqrt((big_n - n) / (big_n - 1))
    return Hand(k, n, p, max(0.0, p - half), min(1.0, p + half), half, big_n)


def hand_rates(e: Expected) -> tuple[dict[str, Hand], dict[str, Hand], dict[str, bool]]:
    pub, des, headline = {}, {}, {}
    for g in RATE_KEYS:
        d, x_hat = design(e.units[g])
        des[g] = d
        k, n = e.groups[g]["recorded"], e.groups[g]["identified"]
        pub[g] = published(k, n, x_hat if x_hat >= n else None)
        headline[g] = weights_differ(e.units[g])
    return pub, des, headline


def estimate(recorded: int, r: Hand) -> tuple[float | None, float | None, float | None]:
    def f(p: float | None) -> float | None:
        return None if p is None or p <= 0 else recorded * (1 - p) / p
    if not r.rate:
        return None, None, None
    if r.low is None:
        return f(r.rate), None, None
    return f(r.rate), f(r.high), f(r.low)


# ---- fixtures ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("independent") / "audit.db"
    build(path).close()
    figures = [f"{k}={v:,}" for k, v in RECORDED_CRIME.items()]
    assert main(["recorded-crime", str(path), *figures]) == 0
    return path


@pytest.fixture(scope="module")
def expected(audit: Path) -> Expected:
    db = Database(audit)
    try:
        return expected_figures(db)
    finally:
        db.close()


def _report(audit: Path, out: Path, method: str = "normal") -> dict[str, Path]:
    paths = {"json": out / f"{method}.json", "xlsx": out / f"{method}.xlsx", "pdf": out / f"{method}.pdf"}
    assert main(["report", str(audit), "--json", str(paths["json"]), "--xlsx", str(paths["xlsx"]), "--pdf",
                 str(paths["pdf"]), "--method", method]) == 0
    return paths


def _no_nan(token: str) -> None:
    raise AssertionError(f"JSON holds {token}")


@pytest.fixture(scope="module")
def normal(audit: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    paths = _report(audit, tmp_path_factory.mktemp("normal"))
    doc = json.loads(paths["json"].read_text(encoding="utf-8"), parse_constant=_no_nan)
    text = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(paths["pdf"]).pages).split())
    return {"doc": doc, "wb": openpyxl.load_workbook(paths["xlsx"]), "pdf": text}


def _sheet(wb: openpyxl.Workbook, title: str) -> dict[str, dict[str, Any]]:
    """{row label: {column heading: value}} of the sheet whose title (A2) is `title` (headings on row 4)."""
    ws = next(w for w in wb.worksheets if w["A2"].value == title)
    heads = [c.value for c in ws[4]]
    out = {}
    for row in ws.iter_rows(min_row=5, values_only=True):
        if row[0] and any(v is not None for v in row[1:]):
            out[row[0]] = {h: v for h, v in zip(heads[1:], row[1:], strict=False) if h}
    return out


def _table(doc: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    t = next(t for t in doc["tables"] if t["key"] == key)
    return {r["label"]: {"values": dict(zip(t["columns"], r["values"], strict=True)),
                         "texts": dict(zip(t["columns"], r["texts"], strict=True))} for r in t["rows"]}


def pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def margin_text(h: Hand) -> str:
    if h.margin is None:
        return "not defined at 0% or 100%"
    cuts = [w for w, c in (("lower bound cut at 0%", h.rate - h.margin < 0),
                           ("upper bound cut at 100%", h.rate + h.margin > 1)) if c]
    return f"+/- {h.margin * 100:.2f}%" + (f" ({'; '.join(cuts)})" if cuts else "")


def approx(x: float | None) -> Any:
    return None if x is None else pytest.approx(x, rel=1e-9, abs=1e-9)


# ---- the scenario is what it claims to be ------------------------------------------------------------------
def test_the_scenario_has_what_the_methods_must_handle(expected: Expected) -> None:
    units = expected.units["all"]
    weights = sorted(big_n / len(recs) for big_n, recs in units if recs)
    assert weights[0] < 2 and weights[-1] == 25  # records drawn at rates from about 1 in 2 to 1 in 25
    assert any(x == 3 for _, recs in units for _, x in recs)  # a record disclosing three crimes
    assert expected.groups["sexual"]["recorded"] == 0 and expected.groups["sexual"]["identified"] > 0
    assert expected.groups["rape"]["recorded"] == expected.groups["rape"]["identified"] > 0
    assert expected.reports["Incident records"]["unknown"] == 2
    assert len(expected.cancelled_linked) == 1
    # the ten rape records drawn twice are counted once in the weighted estimate, 20 records for 12 drawn
    rape = next(recs for big_n, recs in expected.units["rape"] if big_n == 20)
    assert len(rape) == 12
    assert weights_differ(expected.units["all"]) and not weights_differ(expected.units["rape"])


# ---- counts ------------------------------------------------------------------------------------------------
def test_counts_of_every_table(normal: dict[str, Any], expected: Expected) -> None:
    doc, wb, pdf = normal["doc"], normal["wb"], normal["pdf"]
    fig = doc["figures"]
    names = [("reviewed", "reviewed", "Records reviewed"), ("crimes_identified", "identified", "Crimes identified"),
             ("crimes_recorded", "recorded", "Crimes recorded"), ("wrongly_classified", "wrong", "Wrongly classified"),
             ("outside_time_limit", "late", "Outside 24 hours"), ("time_not_known", "unknown", "Time not known")]
    inc = expected.reports["Incident records"]
    assert {k: fig["incidents"][k] for k, _, _ in names} == {k: inc[mine] for k, mine, _ in names}
    systems = {k: v for k, v in expected.reports.items() if k != "Incident records"}
    assert set(fig["other_systems"]["by_system"]) == set(systems) == {"Guardian", "PO1"}
    for system, counts in systems.items():
        assert {k: fig["other_systems"]["by_system"][system][k] for k, _, _ in names} == {
            k: counts[mine] for k, mine, _ in names}, system
    total = {k: sum(c[mine] for c in systems.values()) for k, mine, _ in names}
    assert {k: fig["other_systems"]["total"][k] for k, _, _ in names} == total
    # the same in the JSON tables, the workbook and the PDF
    tables = _table(doc, "incidents")["Incident records"]["values"]
    sheet = _sheet(wb, "Incident records")["Incident records"]
    assert [tables[col] for _, _, col in names] == [sheet[col] for _, _, col in names] == [
        inc[mine] for _, mine, _ in names]
    assert "Incident records " + " ".join(str(inc[mine]) for _, mine, _ in names) in pdf
    other = _sheet(wb, "Reports held on other systems")
    for system, counts in systems.items():
        assert [other[system][col] for _, _, col in names] == [counts[mine] for _, mine, _ in names]
        assert f"{system} " + " ".join(str(counts[mine]) for _, mine, _ in names) in pdf
    assert "Total (other systems) " + " ".join(str(v) for v in total.values()) in pdf

    sp = fig["special_samples"]["vulnerable_children"]
    e = expected.special
    assert (sp["reviewed"], sp["crimes_identified"], sp["crimes_recorded"], sp["correctly_classified"],
            sp["within_limit"], sp["outside_limit"], sp["time_not_known"]) == (
        e["reviewed"], e["identified"], e["recorded"], e["right"], e["within"], e["late"], e["unknown"])

    canc = fig["cancellations"]
    assert set(canc["by_group"]) == set(expected.cancellations) == set(CANCELLATION_LABELS)
    sheet = _sheet(wb, "Cancelled crimes (no-crimes)")
    for g, c in expected.cancellations.items():
        mine = [c["reviewed"], c["correct"], c["authorised"], c["informed"]]
        got = canc["by_group"][g]
        assert [got["reviewed"], got["correct"], got["authorised_decision_maker"], got["victim_informed"]] == mine, g
        assert list(sheet[CANCELLATION_LABELS[g]].values()) == mine, g
        assert f"{CANCELLATION_LABELS[g]} " + " ".join(map(str, mine)) in pdf, g
    tot = [sum(c[k] for c in expected.cancellations.values()) for k in ("reviewed", "correct", "authorised",
                                                                       "informed")]
    assert [canc["total"][k] for k in ("reviewed", "correct", "authorised_decision_maker", "victim_informed")] == tot

    sheet = _sheet(wb, "Out-of-court disposals")
    for t, d in expected.disposals.items():
        got = fig["disposals"][t.lower().replace(" ", "_")]
        mine = [d["sampled"], d["suitable"], d["aware"], d["victim"], d["views"], d["outcome"]]
        assert [got[k] for k in ("sampled", "offender_suitable", "made_aware", "with_a_victim",
                                 "victims_views_considered", "outcome_appropriate")] == mine, t
        shown = list(sheet[t].values())
        assert shown[:5] == mine[:5] and shown[5] == ("n/a" if t == "Caution" else mine[5]), t
        assert f"{t} " + " ".join(map(str, mine[:5])) + (" n/a" if t == "Caution" else f" {mine[5]}") in pdf, t
    assert fig["n100"] == {"reviewed": expected.n100["reviewed"], "n100_needed": expected.n100["needed"],
                           "should_have_been_rape": expected.n100["rape"]}
    da = expected.da
    mine = [da["identified"], da["recorded"], da["not_recorded"], da["safeguarding"], da["investigation"]]
    assert list(fig["domestic_abuse"].values()) == mine
    assert list(_sheet(wb, "Domestic abuse")["Domestic abuse crimes"].values()) == mine
    assert "Domestic abuse crimes " + " ".join(map(str, mine)) in pdf
    # the crime linked to a crime record since cancelled is counted as recorded and said
    said = [w for w in doc["warnings"] if "linked to a crime record that has since been cancelled" in w]
    assert len(said) == 1 and said[0].startswith("1 crime counted as recorded"), doc["warnings"]
    assert all(ref in said[0] for ref in expected.cancelled_linked.values())  # the record is named


def test_timeliness_leaves_time_not_known_out_of_the_denominator(normal: dict[str, Any], expected: Expected) -> None:
    doc, wb, pdf = normal["doc"], normal["wb"], normal["pdf"]
    sheet = _sheet(wb, "Timeliness of recording")
    for g in RATE_KEYS:
        e = expected.groups[g]
        mine = [e["recorded"], e["within"], e["late"], e["unknown"]]
        assert list(doc["figures"]["timeliness"][g].values()) == mine, g
        assert list(sheet[RATE_LABELS[g]].values()) == mine, g
        assert f"{RATE_LABELS[g]} " + " ".join(map(str, mine)) in pdf, g
    e = expected.groups["all"]
    assert e["unknown"] == 2
    sentence = f"{e['within']} out of {e['recorded'] - e['unknown']} crimes recorded within 24 hours"
    assert sentence in pdf
    assert next(t for t in doc["tables"] if t["key"] == "timeliness")["note"].startswith(sentence)


# ---- rates -------------------------------------------------------------------------------------------------
def test_published_style_rates_and_margins_with_the_fpc(normal: dict[str, Any], expected: Expected) -> None:
    doc, wb, pdf = normal["doc"], normal["wb"], normal["pdf"]
    pub, _des, _headline = hand_rates(expected)
    sheet = _sheet(wb, "Recording rates")
    rows = _table(doc, "recording_rates")
    for g in RATE_KEYS:
        h, got = pub[g], doc["figures"]["recording_rates"][g]
        assert (got["crimes_recorded"], got["crimes_identified"]) == (h.k, h.n), g
        assert got["rate"] == approx(h.rate), g
        assert got["fpc_population"] == approx(h.population), g
        assert (got["lower"], got["upper"], got["margin"]) == (approx(h.low), approx(h.high), approx(h.margin)), g
        if h.margin is not None:
            assert (got["lower_cut"], got["upper_cut"]) == (h.rate - h.margin < 0, h.rate + h.margin > 1), g
        assert rows[RATE_LABELS[g]]["values"]["Recording rate"] == approx(h.rate)
        assert rows[RATE_LABELS[g]]["texts"]["95% interval"] == margin_text(h), g
        xl = sheet[RATE_LABELS[g]]
        assert (xl["Crimes identified"], xl["Crimes recorded"]) == (h.n, h.k)
        assert xl["Recording rate"] == approx(h.rate) and xl["95% interval"] == margin_text(h), g
        printed = f"{RATE_LABELS[g]} {h.n} {h.k} {pct(h.rate)} {margin_text(h)} Normal approximation, FPC (N = "
        assert printed + f"{h.population:,.0f})" in pdf, printed
    # the figures a reader would quote
    assert pub["all"].margin is not None and pub["all"].population is not None
    plain = Z * math.sqrt(pub["all"].rate * (1 - pub["all"].rate) / pub["all"].n)
    assert pub["all"].margin < plain  # the finite population correction narrows it
    assert "Sexual offences (excluding rape) 5 0 0.0% not defined at 0% or 100%" in pdf
    assert f"Rape {pub['rape'].n} {pub['rape'].n} 100.0% not defined at 0% or 100%" in pdf


def test_design_weighted_rates_by_cochran(normal: dict[str, Any], expected: Expected) -> None:
    doc, wb, pdf = normal["doc"], normal["wb"], normal["pdf"]
    _pub, des, headline = hand_rates(expected)
    sheet = _sheet(wb, "Recording rates")
    for g in RATE_KEYS:
        h, got = des[g], doc["figures"]["recording_rates"][g]
        dw = got["design_weighted"]
        assert dw is not None, g
        assert (dw["crimes_recorded"], dw["crimes_identified"]) == (h.k, h.n), g
        assert dw["rate"] == approx(h.rate), g
        assert dw["fpc_population"] == approx(h.population), g
        assert (dw["lower"], dw["upper"], dw["margin"]) == (approx(h.low), approx(h.high), approx(h.margin)), g
        assert got["headline"] == ("design" if headline[g] else "published"), g
        xl = sheet[RATE_LABELS[g]]
        assert xl["Design-weighted rate"] == approx(h.rate) and xl["Design-weighted 95% interval"] == margin_text(h)
        assert f"{RATE_LABELS[g]} {pct(h.rate)} {margin_text(h)} Design-weighted ratio estimate, FPC" in pdf, g
    # the stratified row: the stratified (incident) frame alone
    h, _x = design(expected.stratified_units["all"])
    got = doc["figures"]["recording_rates"]["stratified_weighted"]
    assert (got["crimes_recorded"], got["crimes_identified"]) == (h.k, h.n)
    assert (got["rate"], got["margin"], got["fpc_population"]) == (approx(h.rate), approx(h.margin),
                                                                   approx(h.population))
    assert (f"Stratified samples (weighted estimate) {h.n} {h.k} {pct(h.rate)} {margin_text(h)} "
            f"Design-weighted ratio estimate, FPC") in pdf
    # oversampled rape records no longer pull the rate of sexual offences (including rape) up
    assert des["sexual_all"].rate < doc["figures"]["recording_rates"]["sexual_all"]["rate"]


def test_annual_estimate_from_the_headline_rate(normal: dict[str, Any], expected: Expected) -> None:
    doc, wb, pdf = normal["doc"], normal["wb"], normal["pdf"]
    assert expected.recorded_crime == RECORDED_CRIME
    pub, des, headline = hand_rates(expected)
    est = doc["figures"]["unrecorded_estimate"]
    assert set(est) == set(RECORDED_CRIME)
    sheet = _sheet(wb, "Estimated crimes not recorded in a year")
    for g, recorded in RECORDED_CRIME.items():
        r = des[g] if headline[g] else pub[g]
        value, low, high = estimate(recorded, r)
        got = est[g]
        assert got["rate_used"] == ("design_weighted" if headline[g] else "published"), g
        assert got["recorded_crime_12m"] == recorded and got["rate"] == approx(r.rate), g
        assert (got["estimate"], got["lower"], got["upper"]) == (approx(value), approx(low), approx(high)), g
        xl = sheet[RATE_LABELS[g]]
        assert xl["Police-recorded crime (12 months)"] == recorded  # the rate cell: test_excel_rates_are_numbers
        if value is None:
            interval = "not defined"
            assert xl["Estimated not recorded"] == "not defined (nothing recorded: rate 0%)"
        elif low is None:
            interval = "not defined (the rate's interval is not defined)"
            assert xl["Estimated not recorded"] == round(value)
        else:
            interval = f"{round(low):,} to {round(high):,}"
            assert xl["Estimated not recorded"] == round(value)
        assert xl["95% interval"] == interval, g
        shown = "not defined (nothing recorded: rate 0%)" if value is None else f"{round(value):,}"
        assert f"{RATE_LABELS[g]} {recorded:,} {pct(r.rate)} {shown} {interval}" in pdf, g
    # nothing recorded: no estimate; recorded at 100%: 0 a year and no interval, never '0 to 0'
    assert est["sexual"]["estimate"] is None and est["sexual"]["lower"] is None and est["sexual"]["upper"] is None
    assert est["rape"]["estimate"] == 0 and est["rape"]["lower"] is None and est["rape"]["upper"] is None
    assert "0 to 0" not in sheet["Rape"]["95% interval"]
    assert "Rape 800 100.0% 0 not defined (the rate's interval is not defined)" in pdf


def test_excel_rates_are_numbers(normal: dict[str, Any], expected: Expected) -> None:
    """Every rate in the workbook is a number shown as a percentage (sortable, usable in a formula), 0% included."""
    ws = next(w for w in normal["wb"].worksheets if w["A2"].value == "Estimated crimes not recorded in a year")
    pub, des, headline = hand_rates(expected)
    heads = [c.value for c in ws[4]]
    col = heads.index("Recording rate")
    for row in ws.iter_rows(min_row=5):
        label = row[0].value
        g = next((k for k, v in RATE_LABELS.items() if v == label), None)
        if g is None:
            continue
        r = des[g] if headline[g] else pub[g]
        cell = row[col]
        assert cell.data_type == "n" and cell.number_format == "0.0%", (label, cell.value)
        assert cell.value == approx(r.rate), label
    rates = next(w for w in normal["wb"].worksheets if w["A2"].value == "Recording rates")
    heads = [c.value for c in rates[4]]
    for row in rates.iter_rows(min_row=5):
        if row[0].value in RATE_LABELS.values():
            for name in ("Recording rate", "Design-weighted rate"):
                cell = row[heads.index(name)]
                assert cell.data_type == "n" and cell.number_format == "0.0%", (row[0].value, name, cell.value)


@pytest.mark.parametrize("method, sm", [("wilson", "wilson"), ("clopper-pearson", "beta")])
def test_wilson_and_clopper_pearson_against_statsmodels(audit: Path, expected: Expected, method: str, sm: str,
                                                        tmp_path: Path) -> None:
    paths = _report(audit, tmp_path, method)
    doc = json.loads(paths["json"].read_text(encoding="utf-8"), parse_constant=_no_nan)
    pdf = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(paths["pdf"]).pages).split())
    sheet = _sheet(openpyxl.load_workbook(paths["xlsx"]), "Recording rates")
    pub, des, headline = hand_rates(expected)
    assert doc["audit"]["method_key"] == method
    for g in RATE_KEYS:
        k, n = expected.groups[g]["recorded"], expected.groups[g]["identified"]
        low, high = (float(v) for v in proportion_confint(k, n, alpha=0.05, method=sm))
        got = doc["figures"]["recording_rates"][g]
        assert got["rate"] == approx(k / n), g
        assert (got["lower"], got["upper"]) == (approx(max(0.0, low)), approx(min(1.0, high))), g
        assert got["margin"] is None and got["fpc_population"] is None, g  # no finite population correction
        text = f"{max(0.0, low) * 100:.1f}% to {min(1.0, high) * 100:.1f}%"
        assert sheet[RATE_LABELS[g]]["95% interval"] == text, g
        assert f"{RATE_LABELS[g]} {n} {k} {pct(k / n)} {text}" in pdf, g
        # the design-weighted figures do not depend on --method
        assert got["design_weighted"]["rate"] == approx(des[g].rate)
        assert got["design_weighted"]["margin"] == approx(des[g].margin)
    # the estimate carries the chosen interval where the published-style rate is the headline (rape here)
    assert not headline["rape"]
    k = n = expected.groups["rape"]["identified"]
    low, _high = proportion_confint(k, n, alpha=0.05, method=sm)
    got = doc["figures"]["unrecorded_estimate"]["rape"]
    assert got["estimate"] == 0 and got["lower"] == 0
    assert got["upper"] == approx(800 * (1 - low) / low)
    assert f"Rape 800 100.0% 0 0 to {round(800 * (1 - low) / low):,}" in pdf
