"""The findings as a documented, stable JSON document (see docs/findings-json.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cdi_workbench.findings import Findings
from cdi_workbench.findings_figures import figures
from cdi_workbench.findings_units import ByUnit
from cdi_workbench.timeutil import display

from .common import (
    AGREEMENT_METHOD,
    MARKING,
    RESOLUTION_KEYS,
    ReviewFigures,
    agreement_label,
    agreement_method,
    kappa_band,
    resolution_method,
    write_atomically,
)

FORMAT = "cdi-workbench-findings"
VERSION = 1

AUDIT_KEYS = ("force", "period_start", "period_end", "rule_set", "rule_set_title", "limit_hours", "auditors",
              "generated_at")
SAMPLE_KEYS = ("name", "kind", "system", "method", "seed", "drawn_at", "drawn_by", "frame")


_NATIVE = frozenset({type(None), bool, int, float, str})  # what _plain() returns as it is (the verdicts' values)


def _plain(value: Any) -> Any:
    """JSON-native values only: anything else (a date, a Decimal) becomes its string form."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def _round(value: float | None, places: int = 6) -> float | None:
    return None if value is None else round(value, places)


def _agreement(review: ReviewFigures) -> dict[str, Any]:
    from cdi_workbench.agreement import KAPPA_INTERVAL, MIN_BAND_PAIRS, PABAK_SOURCE

    return {
        "method": AGREEMENT_METHOD,
        "kappa_interval": KAPPA_INTERVAL,
        "pabak": PABAK_SOURCE,
        "percent_method": review.percent_method,
        "bands": "Landis and Koch (1977)",
        "band_min_pairs": MIN_BAND_PAIRS,
        "notes": agreement_method(review.percent_method),
        "rows": [{"check": a.check, "label": agreement_label(a), "group": a.group, "auditor": a.auditor,
                  "pairs": a.pairs, "agreed": a.agree,
                  "percent": _round(a.percent, 4), "percent_low": _round(a.percent_low, 4),
                  "percent_high": _round(a.percent_high, 4), "percent_method": a.percent_method,
                  "kappa": _round(a.kappa), "kappa_low": _round(a.kappa_low), "kappa_high": _round(a.kappa_high),
                  "kappa_se": _round(a.kappa_se), "kappa_method": a.kappa_method,
                  "pabak": _round(a.pabak), "prevalence_index": _round(a.prevalence_index),
                  "bias_index": _round(a.bias_index), "prevalence_extreme": a.prevalence_extreme,
                  "band": a.band, "band_text": kappa_band(a), "kappa_text": a.kappa_text,
                  "items": sorted(a.items), "disagreements": sorted(a.disagreements),
                  "undecided": a.undecided, "undecided_items": sorted(a.undecided_items)}
                 for a in review.agreement],
        # the lead's decisions and each auditor's agreement with the final verdict (review_outcomes), as tables
        "tables": [_table(t) for t in review.tables],
    }


def _challenges(review: ReviewFigures) -> dict[str, Any]:
    return {
        "method": resolution_method(),
        "columns": list(RESOLUTION_KEYS),
        "rows": [{"failure": failure, "values": {k: len(row[k]) for k in RESOLUTION_KEYS},
                  "items": {k: sorted(row[k]) for k in RESOLUTION_KEYS}} for failure, row in review.resolution()],
        "responses": [{"item_id": r.failure.item_id, "record_ref": r.failure.reference, "crime_no": r.failure.crime_no,
                       "failure": r.failure.failure, "response": r.response, "force_rationale": r.force_rationale,
                       "responded_at": display(r.responded_at), "decision": r.decision,
                       "decision_reason": r.decision_reason, "decided_by": r.decided_by,
                       "decided_at": display(r.decided_at), "counted_after": r.counted_after}
                      for r in review.challenges],
    }


def _table(t: Any) -> dict[str, Any]:  # noqa: ANN401 (a findings_tables.Table)
    return {
        "key": t.key,
        "title": t.title,
        "columns": list(t.columns),
        "rows": [{"label": r.label, "values": [c.value for c in r.cells],
                  "texts": [c.text for c in r.cells],
                  "items": [sorted(c.items) for c in r.cells]} for r in t.rows],
        "note": t.note,
    }


def findings_document(findings: Findings, review: ReviewFigures | None = None, by_unit: ByUnit | None = None
                      ) -> dict[str, Any]:
    """The version-1 document: fixed keys first, in a fixed order, so files diff cleanly.

    With `review` (common.review_figures(db)) it adds "peer_review_agreement" and, once the force has
    answered any failure, "challenges" (the before/after table and every response behind it). With `by_unit`
    (findings_units.findings_by_unit(db)) the tables "by_unit" and "by_unit_rates" follow the others and
    "figures" gains "by_unit": each unit's figures, named as the whole audit's."""
    audit = {k: _plain(findings.audit.get(k)) for k in AUDIT_KEYS}
    audit.update({k: _plain(v) for k, v in findings.audit.items() if k not in audit})
    samples = []
    for smp in findings.samples:
        out = {k: _plain(smp.get(k)) for k in SAMPLE_KEYS}
        out.update({k: _plain(v) for k, v in smp.items() if k not in out})
        if out["frame"] is None:
            out["frame"] = {}
        samples.append(out)
    tables = [_table(t) for t in findings.tables]
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "marking": MARKING,
        "audit": audit,
        "samples": samples,
        "tables": tables,
        "figures": figures(findings),
        "warnings": list(findings.warnings),
        "verdicts": [{str(k): v if type(v) in _NATIVE else _plain(v) for k, v in v.items()}
                     for v in findings.verdicts],
    }
    if by_unit is not None:
        tables += [_table(t) for t in by_unit.tables]
        doc["figures"]["by_unit"] = {unit: figures(f) for unit, f in by_unit.units.items()}
    if review is not None:
        doc["peer_review_agreement"] = _agreement(review)
        if review.has_challenges:
            doc["challenges"] = _challenges(review)
    return doc


def write_json(findings: Findings, path: str | Path, review: ReviewFigures | None = None,
               by_unit: ByUnit | None = None) -> Path:
    """Write the findings document as UTF-8 JSON (2-space indent); the file appears complete or not at all."""
    text = json.dumps(findings_document(findings, review, by_unit), ensure_ascii=False, indent=2) + "\n"
    return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
