"""The findings as a documented, stable JSON document (see docs/findings-json.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cdi_workbench.findings import Findings

from .common import MARKING, write_atomically

FORMAT = "cdi-workbench-findings"
VERSION = 1

AUDIT_KEYS = ("force", "period_start", "period_end", "rule_set", "rule_set_title", "limit_hours", "auditors",
              "generated_at")
SAMPLE_KEYS = ("name", "kind", "system", "method", "seed", "drawn_at", "drawn_by", "frame")


def _plain(value: Any) -> Any:
    """JSON-native values only: anything else (a date, a Decimal) becomes its string form."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def findings_document(findings: Findings) -> dict[str, Any]:
    """The version-1 document: fixed keys first, in a fixed order, so files diff cleanly."""
    audit = {k: _plain(findings.audit.get(k)) for k in AUDIT_KEYS}
    audit.update({k: _plain(v) for k, v in findings.audit.items() if k not in audit})
    samples = []
    for smp in findings.samples:
        out = {k: _plain(smp.get(k)) for k in SAMPLE_KEYS}
        out.update({k: _plain(v) for k, v in smp.items() if k not in out})
        if out["frame"] is None:
            out["frame"] = {}
        samples.append(out)
    tables = [{
        "key": t.key,
        "title": t.title,
        "columns": list(t.columns),
        "rows": [{"label": r.label, "values": [c.value for c in r.cells],
                  "texts": [c.text for c in r.cells],
                  "items": [sorted(c.items) for c in r.cells]} for r in t.rows],
        "note": t.note,
    } for t in findings.tables]
    return {
        "format": FORMAT,
        "version": VERSION,
        "marking": MARKING,
        "audit": audit,
        "samples": samples,
        "tables": tables,
        "verdicts": [{str(k): _plain(v) for k, v in v.items()} for v in findings.verdicts],
    }


def write_json(findings: Findings, path: str | Path) -> Path:
    """Write the findings document as UTF-8 JSON (2-space indent); the file appears complete or not at all."""
    text = json.dumps(findings_document(findings), ensure_ascii=False, indent=2) + "\n"
    return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
