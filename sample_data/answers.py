"""The answer key: what an expert auditor should find for each sampled record, in the terms of
cdi_workbench.audit.verdicts, and the findings totals that follow from it (the tables of
cdi_workbench.findings, by table key, row label and column label)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cdi_workbench.audit.verdicts import applicable_checks
from cdi_workbench.classification import CANCELLATION_GROUPS, lookup
from cdi_workbench.rules import normalise_code, rule_set
from cdi_workbench.timeutil import to_utc

from .model import Case, CrimeTruth

REPORT_COLUMNS = ["Records reviewed", "Crimes identified", "Crimes recorded", "Wrongly classified"]
CANCEL_COLUMNS = {"decision_correct": "Decision correct", "authorised_decision_maker": "Authorised decision "
                                                                                       "maker",
                  "victim_informed": "Victim informed"}
DISPOSAL_COLUMNS = {"offender_suitable": "Offender suitable", "offender_made_aware": "Made aware",
                    "victim_to_consult": "With a victim", "victim_views_considered": "Victim's views "
                                                                                     "considered",
                    "outcome_appropriate": "Outcome appropriate"}


def outside_limit(received_at: datetime, recorded_at: datetime, rules: str) -> bool:
    """Recorded after the limit, counted in UTC as the workbench does."""
    return (to_utc(recorded_at) - to_utc(received_at)).total_seconds() > rule_set(rules).limit_hours * 3600


def _label(code: str) -> str:
    c = lookup(code)
    return f"{code} {c.label}" if c else code


def crime_answer(c: CrimeTruth, received_at: datetime, recorded_at: datetime | None,
                 rules: str) -> dict[str, Any]:
    late = bool(recorded_at and outside_limit(received_at, recorded_at, rules))
    return {"expected_code": c.code, "crime_ref": c.ref if c.recorded else None,
            "not_recorded_reason": "" if c.recorded else c.reason, "domestic_abuse": c.domestic,
            "safeguarding": None if c.recorded else c.safeguarding,
            "investigation": None if c.recorded else c.investigation,
            # what follows is for tests and for people reading the key; the verdict does not hold it
            "recorded_code": c.recorded_code if c.recorded else None,
            "wrongly_classified": c.recorded and normalise_code(c.recorded_code) != normalise_code(c.code),
            "outside_limit": late, "linked": c.linked if c.recorded else None,
            "disclosed_later": c.role == "later",
            "hours_to_record": round(c.delay_h, 2) if c.recorded else None}


def rationale(case: Case, answers: list[dict[str, Any]], limit: int) -> str:
    if not answers:
        return "Zero status: no notifiable crime disclosed."
    parts = []
    for a in answers:
        head = _label(a["expected_code"]) + (" (disclosed later in the log)" if a["disclosed_later"] else "")
        if a["crime_ref"]:
            bits = [f"recorded as {a['crime_ref']}"]
            if a["wrongly_classified"]:
                bits.append(f"under {_label(a['recorded_code'])}: wrongly classified")
            if a["outside_limit"]:
                bits.append(f"{a['hours_to_record']:.0f} h after the report: outside {limit} hours")
            elif "clock_change" in case.tags:
                bits.append("71 h 30 min after the report (72 h 30 min on the wall clock, across the change "
                            "to "
                            f"summer time): within {limit} hours")
            if not a["linked"]:
                bits.append("not linked to the log (found by its source reference)")
            parts.append(f"{head}: " + ", ".join(bits))
        else:
            parts.append(f"{head}: not recorded ({a['not_recorded_reason']})")
    return "; ".join(parts) + "."


def report_item(case: Case, received_at: datetime, recorded: dict[int, datetime],
                rules: str) -> dict[str, Any]:
    """Key entry for a sampled incident or referral; recorded maps id(crime truth) -> recorded_at."""
    answers = [crime_answer(c, received_at, recorded.get(id(c)), rules) for c in case.crimes]
    return {"crimes": answers, "zero_status": not answers, "hard_cases": sorted(case.tags),
            "rationale": rationale(case, answers, rule_set(rules).limit_hours)}


def checks_item(kind: str, checks: dict[str, bool], disposal_type: str = "") -> dict[str, bool]:
    keys = applicable_checks(kind, dict(checks), disposal_type)
    return {k: checks[k] for k in keys}


def _zero(cols: list[str]) -> dict[str, int]:
    return dict.fromkeys(cols, 0)


def expected_totals(samples: dict[str, Any], rules: str) -> dict[str, dict[str, dict[str, int]]]:
    """Findings tables the key implies: {table key: {row label: {column label: value}}}."""
    limit_col = f"Outside {rule_set(rules).limit_hours} hours"
    rep_cols = [*REPORT_COLUMNS, limit_col]
    incidents: dict[str, dict[str, int]] = {"Incident records": _zero(rep_cols)}
    others: dict[str, dict[str, int]] = {}
    canc: dict[str, dict[str, int]] = {}
    disp: dict[str, dict[str, int]] = {}
    n100 = {"N100 records": _zero(["Reviewed", "N100 needed", "Should have been rape"])}
    for smp in samples.values():
        for item in smp["items"].values():
            if smp["kind"] in ("incident", "referral"):
                row = incidents["Incident records"] if smp["kind"] == "incident" else others.setdefault(
                    smp["system"], _zero(rep_cols))
                row["Records reviewed"] += 1
                for c in item["crimes"]:
                    row["Crimes identified"] += 1
                    if c["crime_ref"]:
                        row["Crimes recorded"] += 1
                        row["Wrongly classified"] += c["wrongly_classified"]
                        row[limit_col] += c["outside_limit"]
            elif smp["kind"] == "cancellation":
                row = canc.setdefault(CANCELLATION_GROUPS[item["offence_group"]],
                                      _zero(["Reviewed", *CANCEL_COLUMNS.values()]))
                row["Reviewed"] += 1
                for key, col in CANCEL_COLUMNS.items():
                    row[col] += item["checks"].get(key) is True
            elif smp["kind"] == "disposal":
                row = disp.setdefault(item["disposal_type"], _zero(["Sampled", *DISPOSAL_COLUMNS.values()]))
                row["Sampled"] += 1
                for key, col in DISPOSAL_COLUMNS.items():
                    row[col] += item["checks"].get(key) is True
            elif smp["kind"] == "n100":
                row = n100["N100 records"]
                row["Reviewed"] += 1
                row["N100 needed"] += item["checks"].get("n100_needed") is True
                row["Should have been rape"] += item["checks"].get("should_have_been_rape") is True
    for table in (others, canc, disp):
        if table:
            total_label = "Total (other systems)" if table is others else "Total"
            cols = next(iter(table.values())).keys()
            table[total_label] = {c: sum(r[c] for r in list(table.values())) for c in cols}
    return {"incidents": incidents, "other_systems": others, "cancellations": canc, "disposals": disp,
            "n100": n100}
