"""The findings as a mapping of snake_case names to numbers ("figures" in the JSON export, docs/findings-json.md).

Every figure is a plain number, or null where it is not defined (no rate, an interval not defined at 0% or 100%,
an estimate's end at a rate of 0%): never NaN or infinity, which JSON cannot hold.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .audit.check_table import figure_names
from .classification import CANCELLATION_GROUPS, GROUP_LABELS
from .findings_rates import RATE_GROUPS
from .kinds import RecordKind
from .special_samples import SPECIAL_SAMPLES
from .statistics import Rate

if TYPE_CHECKING:
    from .findings import Findings
    from .findings_tables import Table

_REPORT_NAMES = ["reviewed", "crimes_identified", "crimes_recorded", "wrongly_classified", "outside_time_limit",
                 "time_not_known"]
_SPECIAL_NAMES = ["reviewed", "crimes_identified", "crimes_recorded", "correctly_classified", "within_limit",
                  "outside_limit", "time_not_known"]
# the cancellation, disposal and N100 figures are named by the checks table (check_table.figure_names)
_TIMELINESS_NAMES = ["recorded", "within_limit", "outside_limit", "time_not_known"]
_DA_NAMES = ["crimes_identified", "recorded", "not_recorded", "not_recorded_safeguarding_considered",
             "not_recorded_investigation_carried_out"]


def snake(text: str) -> str:
    """'Community resolution' -> 'community_resolution'; 'Penalty Notice (PND)' -> 'penalty_notice_pnd'."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "blank"


def _values(table: Table, names: list[str]) -> dict[str, dict[str, int | float]]:
    return {r.label: {n: c.value for n, c in zip(names, r.cells, strict=False)} for r in table.rows}


def _num(x: float | None) -> float | None:
    return None if x is None else round(float(x), 10)


def rate_figures(r: Rate | None) -> dict[str, Any]:
    """A rate's figures: the interval's ends only where defined; the margin (symmetric methods) the formula's."""
    if r is None:
        return {"crimes_identified": 0, "crimes_recorded": 0, "rate": None, "lower": None, "upper": None,
                "margin": None, "method": ""}
    defined = r.defined
    return {"crimes_identified": r.identified, "crimes_recorded": r.recorded, "rate": _num(r.rate),
            "lower": _num(r.low) if defined else None, "upper": _num(r.high) if defined else None,
            "margin": _num(r.margin) if defined and r.symmetric else None,
            "lower_cut": r.low_cut, "upper_cut": r.high_cut,
            "fpc_population": _num(r.population), "method": r.method}


def figures(findings: Findings) -> dict[str, Any]:
    """The figures mapping of one audit's findings (see docs/findings-json.md)."""
    by_key = {t.key: t for t in findings.tables}
    out: dict[str, Any] = {}
    inc = _values(by_key["incidents"], _REPORT_NAMES)
    out["incidents"] = inc.get("Incident records", dict.fromkeys(_REPORT_NAMES, 0))
    other = _values(by_key["other_systems"], _REPORT_NAMES)
    out["other_systems"] = {"total": other.pop("Total (other systems)", dict.fromkeys(_REPORT_NAMES, 0)),
                            "by_system": other}
    canc_names = figure_names(RecordKind.CANCELLATION)
    canc = _values(by_key["cancellations"], canc_names)
    key_of = {label: key for key, label in CANCELLATION_GROUPS.items()}
    out["cancellations"] = {"total": canc.pop("Total", dict.fromkeys(canc_names, 0)),
                            "by_group": {key_of.get(label, snake(label)): v for label, v in canc.items()}}
    disp_names = figure_names(RecordKind.DISPOSAL)
    disp = _values(by_key["disposals"], disp_names)
    total = disp.pop("Total", dict.fromkeys(disp_names, 0))
    out["disposals"] = {**{snake(label): v for label, v in disp.items()}, "total": total}
    out["n100"] = _values(by_key["n100"], figure_names(RecordKind.N100)).get(
        "N100 records", {})
    crime_names = figure_names(RecordKind.CRIME)  # none drawn: the table is left out, the figures are zeros
    crime = _values(by_key["crime_records"], crime_names) if "crime_records" in by_key else {}
    group_key = {label: key for key, label in GROUP_LABELS.items()}
    out["crime_records"] = {"total": crime.pop("Total", dict.fromkeys(crime_names, 0)),
                            "by_group": {group_key.get(label, snake(label)): v for label, v in crime.items()}}
    out["special_samples"] = {
        sp.key: next(iter(_values(by_key[f"special_{sp.key}"], _SPECIAL_NAMES).values()))
        for sp in SPECIAL_SAMPLES.values() if f"special_{sp.key}" in by_key}
    labels = dict(RATE_GROUPS)
    rates: dict[str, Any] = {}
    for key in labels:
        fig = rate_figures(findings.rates.get(key))
        design = findings.design_rates.get(key)
        fig["design_weighted"] = rate_figures(design) if design is not None else None
        fig["headline"] = findings.headline.get(key, "published")
        rates[key] = fig
    if "all_weighted" in findings.rates:
        rates["stratified_weighted"] = rate_figures(findings.rates["all_weighted"])
    out["recording_rates"] = rates
    tim = _values(by_key["timeliness"], _TIMELINESS_NAMES)
    out["timeliness"] = {key: tim.get(label, dict.fromkeys(_TIMELINESS_NAMES, 0)) for key, label in RATE_GROUPS}
    out["domestic_abuse"] = next(iter(_values(by_key["domestic_abuse"], _DA_NAMES).values()), {})
    if "unrecorded_estimate" in by_key:
        out["unrecorded_estimate"] = _estimates(findings)
    previous = getattr(findings, "previous", None)
    if previous is not None:
        out["previous"] = figures(previous)
    return out


def _estimates(findings: Findings) -> dict[str, Any]:
    from .statistics import unrecorded_estimate

    keys = {label: key for key, label in RATE_GROUPS}
    out: dict[str, Any] = {}
    for row in findings.table("unrecorded_estimate").rows:
        key = keys[row.label]
        recorded = int(row.cells[0].value)
        design = findings.headline.get(key) == "design" and key in findings.design_rates
        r = findings.design_rates[key] if design else findings.rates.get(key)
        est = unrecorded_estimate(recorded, r) if r is not None else None
        out[key] = {"recorded_crime_12m": recorded, "rate_used": "design_weighted" if design else "published",
                    "rate": _num(r.rate) if r is not None else None,
                    "estimate": _num(est.value) if est else None,
                    "lower": _num(est.low) if est else None, "upper": _num(est.high) if est else None,
                    "method": r.method if r is not None else ""}
    return out
