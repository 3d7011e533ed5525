"""What every findings export shares: the protective marking, wording, verdict columns and safe file writing.

Pure Python: no Qt, no openpyxl or reportlab here.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

from cdi_workbench.audit.verdicts import CHECKS, applicable_checks
from cdi_workbench.classification import GROUP_LABELS
from cdi_workbench.findings import Findings, Table

MARKING = "OFFICIAL-SENSITIVE"
REPORT_TITLE = "Crime data integrity audit: findings"

# Verdict columns in reading order; keys not listed here go between these and TRAILING_COLUMNS.
LEADING_COLUMNS = [
    "item_id", "kind", "system", "record_ref", "crime_no", "expected_code", "recorded_ref", "recorded_code",
    "classified_correctly", "classification", "timely", "timeliness", "reason_not_recorded",
    "domestic_abuse", "safeguarding", "investigation",
]
for _kind in ("disposal", "cancellation", "n100"):
    LEADING_COLUMNS += [k for k, _ in CHECKS[_kind] if k not in LEADING_COLUMNS]
TRAILING_COLUMNS = ["auditor", "rationale", "updated_at"]

COLUMN_LABELS = {
    "item_id": "Audit item",
    "kind": "Kind",
    "system": "System / type",
    "record_ref": "Record reference",
    "crime_no": "Crime no.",
    "expected_code": "Expected code",
    "recorded_ref": "Crime record",
    "recorded_code": "Recorded code",
    "classified_correctly": "Classified correctly",
    "classification": "Classification (worked out)",
    "timely": "Within time limit",
    "timeliness": "Timeliness (worked out)",
    "reason_not_recorded": "Reason not recorded",
    "domestic_abuse": "Domestic abuse",
    "safeguarding": "Safeguarding considered",
    "investigation": "Investigation took place",
    "offender_suitable": "Offender suitable",
    "offender_made_aware": "Offender made aware",
    "victim_to_consult": "Victim to consult",
    "victim_views_considered": "Victim's views considered",
    "outcome_appropriate": "Outcome appropriate",
    "decision_correct": "Decision correct",
    "authorised_decision_maker": "Authorised decision maker",
    "victim_informed": "Victim informed",
    "n100_needed": "N100 needed",
    "should_have_been_rape": "Should have been rape",
    "auditor": "Auditor",
    "rationale": "Rationale",
    "updated_at": "Verdict updated",
}

KIND_LABELS = {
    "incident": "Incident records",
    "referral": "Referrals (other systems)",
    "disposal": "Out-of-court disposals",
    "cancellation": "Cancelled crimes",
    "n100": "N100 records",
}


def verdict_columns(verdicts: Iterable[dict[str, Any]]) -> list[str]:
    """The union of the verdicts' keys in a fixed reading order (unknown keys kept in first-seen order)."""
    seen: list[str] = []
    for v in verdicts:
        seen += [k for k in v if k not in seen]
    lead = [k for k in LEADING_COLUMNS if k in seen]
    trail = [k for k in TRAILING_COLUMNS if k in seen]
    middle = [k for k in seen if k not in lead and k not in trail]
    return lead + middle + trail


def column_label(key: str) -> str:
    return COLUMN_LABELS.get(key, key.replace("_", " ").capitalize())


def yes_no(value: Any) -> Any:
    """Booleans as Yes/No, None as blank; anything else unchanged."""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if value is None:
        return ""
    return value


def period_text(findings: Findings) -> str:
    a = findings.audit
    return f"{a.get('period_start', '')} to {a.get('period_end', '')}"


def auditors_text(findings: Findings) -> str:
    names = findings.audit.get("auditors") or []
    return ", ".join(names) if names else "no completed verdicts"


def stratum_label(key: str) -> str:
    if key == "all":
        return "All records (not stratified)"
    return GROUP_LABELS.get(key, key)


def population_text(sample: dict[str, Any]) -> str:
    """'Violence against the person: 60 (30 drawn); Rape: 28 (28 drawn)' from a sample's frame."""
    frame = sample.get("frame") or {}
    pop = frame.get("population") or {}
    alloc = frame.get("allocated") or {}
    parts = []
    for key, n in pop.items():
        drawn = alloc.get(key)
        parts.append(f"{stratum_label(key)}: {n}" + (f" ({drawn} drawn)" if drawn is not None else ""))
    return "; ".join(parts)


def sample_size(sample: dict[str, Any]) -> int | None:
    alloc = (sample.get("frame") or {}).get("allocated")
    return sum(alloc.values()) if alloc else None


def table_is_empty(table: Table) -> bool:
    """True when nothing was reviewed for the table (every figure is zero)."""
    return all(c.value == 0 for r in table.rows for c in r.cells)


def is_total(label: str) -> bool:
    return label.startswith("Total")


# Table columns that answer a check which applies to some rows only (see audit.verdicts.applicable_checks).
_CONDITIONAL_COLUMNS = {("disposals", "Outcome appropriate"): ("disposal", "outcome_appropriate")}
NOT_APPLICABLE = "n/a"


def not_applicable(table_key: str, row_label: str, column: str) -> bool:
    """True for a figure whose check does not apply to the row (e.g. 'outcome appropriate' for a caution),
    so the reports print 'n/a' rather than a 0 that reads as a failure."""
    found = _CONDITIONAL_COLUMNS.get((table_key, column))
    if found is None or is_total(row_label):
        return False
    kind, key = found
    return key not in applicable_checks(kind, {"victim_to_consult": True}, row_label)


def methodology(findings: Findings) -> list[str]:
    """Plain-text paragraphs stating how the figures were counted (shared by the PDF and the workbook)."""
    a = findings.audit
    hours = a.get("limit_hours")
    rules = a.get("rule_set_title") or a.get("rule_set") or ""
    return [
        "Records reviewed counts the sampled records with a completed verdict: the lead's final verdict "
        "where one was given, otherwise the auditor's. Records still being worked on are not counted.",
        "Crimes are counted per crime, not per record: one incident or referral may disclose no crime "
        "('zero status'), one crime or several, and each crime identified is counted once in each column "
        "that applies to it.",
        f"'Wrongly classified' counts recorded crimes whose Home Office offence code differs from the code "
        f"the auditor found the circumstances called for (codes compared ignoring case, spaces and leading "
        f"zeros). 'Outside {hours} hours' counts recorded crimes recorded more than {hours} hours after the "
        f"report was received, the limit under {rules}; the interval is measured in UTC so clock changes do "
        f"not distort it. Where the auditor overrode a worked-out result, the override (with its reason) "
        f"is counted.",
        "Out-of-court disposal and cancelled-crime figures count the records where the answer to the check "
        "was 'yes'. The victim's views are asked only where there was a victim to consult.",
        "The 'findings in numbers' tables are counts from the samples. Recording rates (crimes recorded / "
        f"crimes identified) are printed with a 95% confidence interval: {a.get('interval_method', 'normal')}. "
        "The symmetric '+/-' margin is the normal approximation inspections publish; it is not defined at 0% "
        "or 100% and is unreliable with fewer than 5 recorded or unrecorded crimes, where the Wilson or "
        "Clopper-Pearson interval should be preferred. Rates from fewer than 30 crimes carry a caution. Where a "
        "sample was stratified, a weighted estimate uses the population of each stratum in the stored sample "
        "frame (a combined ratio estimate, Cochran 1977, with the finite population correction).",
        "Times are UK local time (dd/mm/yyyy HH:MM).",
    ]


def write_atomically(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call write(tmp) for a temporary file beside path, then move it into place: no half-written exports."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise
    return target
