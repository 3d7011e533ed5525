"""Checking a verdicts file row by row: its header, each cell as a value (kind, the record, crime_no, Y/N answers,
text lengths, codes), then the answers that do not apply to the record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..audit.verdicts import CHECKS, RAPE_CHECK, RECORD_KINDS, REPORT_KINDS, applicable_checks, is_rape_code
from ..classification import lookup
from ..storage.models import CrimeRecord
from .format import (
    CRIME_COLUMNS,
    MAX_LENGTH,
    REQUIRED_COLUMNS,
    ImportPlan,
    _crime_no,
    _header_key,
    _kind_words,
    _shown,
    _text,
    _yes_no,
    exchange_columns,
)
from .records import _Record


@dataclass
class _Row:
    number: int
    raw: dict[str, Any]  # column -> cell as read
    kind: str = ""
    record: _Record | None = None
    crime_no: int | None = None
    answers: dict[str, bool | None] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)
    crime: CrimeRecord | None = None
    ok: bool = True


def _check_header(plan: ImportPlan, header: list[Any]) -> dict[int, str] | None:
    """Column position -> name; None (with problems) when the header will not do."""
    names = [_header_key(h) for h in header]
    while names and not names[-1]:
        names.pop()
    columns: dict[int, str] = {}
    bad = False
    all_columns = exchange_columns().all
    for i, name in enumerate(names):
        shown = _shown(header[i]).strip()
        if not name:
            plan.add(1, f"column {i + 1}", "", "a column with no name: name it (one of the verdict columns) or "
                                               "delete it")
            bad = True
        elif name not in all_columns:
            plan.add(1, shown, shown, f"unknown column: the columns are {', '.join(all_columns)}")
            bad = True
        elif name in columns.values():
            plan.add(1, shown, shown, "the column is named twice")
            bad = True
        else:
            columns[i] = name
    for name in REQUIRED_COLUMNS:
        if name not in columns.values():
            plan.add(1, name, "", "missing column: every verdicts file needs kind, record_ref and crime_no")
            bad = True
    return None if bad else columns


def _parse_row(plan: ImportPlan, row: _Row, by_ref: dict[tuple[str, str], list[_Record]],
               folded: dict[tuple[str, str], list[_Record]]) -> None:
    """Values as such: kind, the record, crime_no, Y/N answers, text lengths, codes."""

    def problem(column: str, value: Any, text: str) -> None:
        plan.add(row.number, column, value, text)
        row.ok = False

    raw = row.raw
    yes_no_columns = exchange_columns().yes_no
    for name, value in raw.items():
        if name in yes_no_columns:
            try:
                row.answers[name] = _yes_no(value)
            except ValueError:
                problem(name, value, "not Y or N (leave it blank when not answered)")
        elif name not in ("kind", "crime_no"):
            text = _text(value)
            row.text[name] = text
            limit = MAX_LENGTH.get(name)
            if limit and len(text) > limit:
                problem(name, value, f"too long: {len(text):,} characters, at most {limit:,}")
    kind = _text(raw.get("kind")).lower()
    if not kind:
        problem("kind", raw.get("kind"), f"missing: say which kind of record ({', '.join(RECORD_KINDS)})")
    elif kind not in RECORD_KINDS:
        problem("kind", raw.get("kind"), f"unknown kind: use one of {', '.join(RECORD_KINDS)}")
    else:
        row.kind = kind
    ref = row.text.get("record_ref", "")
    if not ref:
        problem("record_ref", raw.get("record_ref"), "missing: give the reference of the record audited")
    elif row.kind and len(ref) <= MAX_LENGTH["record_ref"]:
        found = by_ref.get((row.kind, ref)) or folded.get((row.kind, ref.upper()), [])
        if not found:
            problem("record_ref", ref, f"not in any sample of this audit: no sampled {row.kind} record has this "
                                       "reference")
        elif len(found) > 1:
            which = ", ".join(sorted(f"{r.ref} ({r.system})" if r.system else r.ref for r in found))
            problem("record_ref", ref, f"more than one sampled {row.kind} record has this reference ({which}): "
                                       "the file cannot say which")
        else:
            row.record = found[0]
    value = raw.get("crime_no")
    try:
        row.crime_no = _crime_no(value)
    except ValueError:
        problem("crime_no", value, "not a whole number: 0 for a record with no crime, else 1, 2, 3, ...")
    else:
        if row.crime_no is None:
            if row.kind in REPORT_KINDS:
                problem("crime_no", value, "missing: 0 for a record with no crime, else 1, 2, 3, ... for each "
                                           "crime identified")
            else:
                row.crime_no = 0
        elif row.kind and row.kind not in REPORT_KINDS and row.crime_no != 0:
            problem("crime_no", value, f"must be 0: crimes are identified in incidents and referrals, not in "
                                       f"{_kind_words(row.kind)} record")
    code = row.text.get("expected_code", "")
    if code and len(code) <= MAX_LENGTH["expected_code"] and lookup(code) is None:
        problem("expected_code", code, "unknown Home Office offence code")
    rape = row.text.get("rape_code", "")
    if rape and len(rape) <= MAX_LENGTH["rape_code"] and not is_rape_code(rape):
        other = lookup(rape)
        what = f": {other.code} is {other.label}" if other else ""
        problem("rape_code", rape, f"not a Home Office code for rape (19C-19H){what}")


def _given(row: _Row, name: str) -> bool:
    return row.answers.get(name) is not None if name in exchange_columns().yes_no else bool(row.text.get(name))


def _check_row(plan: ImportPlan, row: _Row, crimes: dict[str, CrimeRecord]) -> None:
    """Answers that do not apply to the record (its kind, crime_no 0, recorded or not, the answers before)."""

    def problem(column: str, text: str) -> None:
        plan.add(row.number, column, row.raw.get(column), text)
        row.ok = False

    kind = row.kind
    ref = row.text.get("recorded_ref", "")
    if ref and len(ref) <= MAX_LENGTH["recorded_ref"]:
        row.crime = crimes.get(ref)
        if row.crime is None:
            problem("recorded_ref", "not a crime record of this audit: give the reference of the crime record "
                                    "that recorded the crime, or leave it blank if none did")
    if not kind:
        return
    for name in CRIME_COLUMNS:
        if not _given(row, name):
            continue
        if kind not in REPORT_KINDS:
            problem(name, f"does not apply to {_kind_words(kind)} record: crimes are identified in incidents and "
                          "referrals")
        elif row.crime_no == 0:
            problem(name, "does not apply to crime_no 0 (no crime in the record)")
        elif name in ("classified_correctly", "timely") and not ref:
            problem(name, "applies only to a recorded crime: give recorded_ref, or leave it blank")
        elif name in ("reason_not_recorded", "safeguarding", "investigation") and ref:
            problem(name, "applies only to a crime not recorded (this row gives recorded_ref)")
    if row.text.get("rape_code"):
        if kind != "n100":
            problem("rape_code", f"does not apply to {_kind_words(kind)} record: it is the rape an N100 should have "
                                 "been recorded as")
        elif row.answers.get(RAPE_CHECK) is not True:
            problem("rape_code", f"applies only when {RAPE_CHECK} is Y")
    check_kind = exchange_columns().check_kind
    given_checks = {k: v for k, v in row.answers.items() if k in check_kind and v is not None}
    for name in given_checks:
        owner = check_kind[name]
        if owner != kind:
            problem(name, f"does not apply to {_kind_words(kind)} record: it is a check of {owner} records")
    if kind in CHECKS and row.record is not None:
        applicable = applicable_checks(kind, given_checks, row.record.disposal_type)
        for name in given_checks:
            if check_kind[name] == kind and name not in applicable:
                if name == "victim_views_considered":
                    problem(name, "applies only when victim_to_consult is Y")
                else:
                    problem(name, f"applies only to community resolutions (this disposal is a "
                                  f"{row.record.disposal_type or 'disposal of no stated type'})")
