"""Reading a verdicts file: the table (through the workbench's one reader, cdi_workbench.spreadsheets), every
row checked against the audit (checking.py), then grouped per record into the verdicts it gives: an ImportPlan,
with nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit.evaluate import CrimeFacts, evaluate
from ..audit.verdicts import CHECKS, REPORT_KINDS, CrimeFinding, VerdictBody
from ..classification import lookup
from ..pseudonymise_patterns import PLACEHOLDER
from ..rules import RuleSet
from ..spreadsheets import TableError, cell_problems, csv_unsafe, read_all
from ..storage.database import Database
from ..storage.models import Verdict
from .checking import _check_header, _check_row, _parse_row, _Row
from .format import ImportPlan, PlannedVerdict, VerdictFileError, _text
from .records import _crimes_by_ref, _in_chunks, _item_rules, _Record, _rules, _sampled_records

SHEET = "Verdicts"  # the sheet read from a workbook that has one (else the first)


def _read_table(path: Path) -> tuple[str, list[Any], list[tuple[int, list[Any]]], list[tuple[int, int, str, str]]]:
    """(format, header cells, [(row number, cells)], cells that are no values) of a CSV (UTF-8, UTF-8 with BOM,
    UTF-16 or Windows-1252) or .xlsx file, told apart by content; text cells come back stripped, CSV cells with
    the formula guard removed. A formula with no saved value or a NUL character (spreadsheets.cell_problems) is
    listed as (row, position, the cell as text, the problem) and read as blank."""
    try:
        table, rows = read_all(path, prefer_sheet=SHEET)
    except TableError as exc:
        raise _file_error(exc) from None
    bad: list[tuple[int, int, str, str]] = []
    for number, row in rows:
        for i, value, problem in cell_problems(row):
            bad.append((number, i, value, problem))
            row[i] = ""
    if table.format == "xlsx" and table.header_row != 1:
        raise VerdictFileError(f"{path.name}: row 1 of sheet {table.sheet!r} should hold the column names "
                               f"(kind, record_ref, crime_no, ...)")
    if table.format == "csv":
        cells = [[csv_unsafe(c.strip()) for c in row] for row in [table.header_cells, *(r for _, r in rows)]]
    else:
        cells = [[c.strip() if isinstance(c, str) else c for c in row]
                 for row in [table.header_cells, *(r for _, r in rows)]]
    return table.format, cells[0], [(number, c) for (number, _), c in zip(rows, cells[1:], strict=True)], bad


def _file_error(exc: TableError) -> VerdictFileError:
    """The reader's message worded as every problem of a verdicts file is ('FILE row N: ...')."""
    if not exc.where:
        return VerdictFileError(str(exc))
    problem = exc.problem if exc.problem.startswith("cannot be read") else f"cannot be read as CSV ({exc.problem})"
    return VerdictFileError(f"{exc.file} {exc.where}: {problem}")


def read_verdicts(db: Database, path: str | Path) -> ImportPlan:
    """Read a verdicts file and check every row against the audit; the plan lists the verdicts the file gives
    and every problem found (row numbers as a spreadsheet shows them: the header is row 1). Writes nothing.

    Raises VerdictFileError when the file cannot be read as a table at all."""
    path = Path(path)
    fmt, header, data, bad = _read_table(path)
    plan = ImportPlan(path, fmt)
    columns = _check_header(plan, header)
    if columns is None:
        return plan
    for number, i, value, problem in bad:  # nothing is imported while the plan has a problem
        plan.add(number, columns.get(i, f"column {i + 1}"), value, problem)
    rows: list[_Row] = []
    for number, cells in data:
        if all(_text(c) == "" for c in cells):
            continue
        raw = {name: (cells[i] if i < len(cells) else None) for i, name in columns.items()}
        extra = [i for i in range(len(cells)) if i not in columns and _text(cells[i])]
        for i in extra:
            plan.add(number, f"column {i + 1}", cells[i], "a value outside the named columns")
        for column, cell in raw.items():  # a pseudonymised export's free text read back (issue 13)
            mark = PLACEHOLDER.search(cell) if isinstance(cell, str) else None
            if mark is not None:
                plan.add(number, column, cell, f"holds a pseudonymisation placeholder ({mark.group()}): the file "
                         "was exported pseudonymised, and importing it would put the placeholders in place of the "
                         "real rationales and reasons; import a verdicts file exported without --pseudonymise")
        rows.append(_Row(number, raw))
    plan.rows = len(rows)
    with db.session() as s:
        rules, of_item = _rules(s), _item_rules(s)
        records = _sampled_records(s)
        by_ref: dict[tuple[str, str], list[_Record]] = {}
        folded: dict[tuple[str, str], list[_Record]] = {}  # a reference typed in another case
        for rec in records:
            by_ref.setdefault((rec.kind, rec.ref), []).append(rec)
            folded.setdefault((rec.kind, rec.ref.upper()), []).append(rec)
        for row in rows:
            _parse_row(plan, row, by_ref, folded)
        crimes = _crimes_by_ref(s, [r.text["recorded_ref"] for r in rows if r.text.get("recorded_ref")])
        for row in rows:
            _check_row(plan, row, crimes)
        _build(plan, rows, rules, of_item)
        _one_count(s, plan)
    return plan


def _one_count(s: Session, plan: ImportPlan) -> None:
    """A record in two samples gets the file's verdict where it already has one (primary or final: the sample it
    was audited in), else in its first sample only: giving it to every sample's item would count one audited
    record once per sample in the findings."""
    several = [pv for pv in plan.verdicts if len(pv.item_ids) > 1]
    if not several:
        return
    held: set[int] = set()
    for chunk in _in_chunks(i for pv in several for i in pv.item_ids):
        held.update(s.scalars(select(Verdict.item_id).where(Verdict.item_id.in_(chunk),
                                                            Verdict.role.in_(("primary", "final")))))
    for pv in several:
        chosen = [i for i in pv.item_ids if i in held] or pv.item_ids[:1]
        pv.left = len(pv.item_ids) - len(chosen)
        pv.item_ids = chosen


def _build(plan: ImportPlan, rows: list[_Row], rules: RuleSet, of_item: dict[int, RuleSet] | None = None) -> None:
    """Rows grouped per record: crime numbers 1, 2, 3 ... (or one 0), one auditor and rationale; the verdicts."""
    groups: dict[tuple[str, int], list[_Row]] = {}
    for row in rows:
        if row.record is not None:
            groups.setdefault((row.kind, row.record.record_id), []).append(row)
    for rows_of in groups.values():
        rec = rows_of[0].record
        assert rec is not None
        ok = all(r.ok for r in rows_of)
        if any(r.crime_no is None for r in rows_of):
            continue  # a crime_no already reported as missing or not a number: the numbering cannot be checked
        label = f"{rec.kind} {rec.ref}"
        seen: dict[int, int] = {}
        for r in rows_of:
            n = r.crime_no
            assert n is not None
            if n in seen:
                plan.add(r.number, "crime_no", r.raw.get("crime_no"),
                         f"crime {n} of {label} is given twice (also row {seen[n]})")
                ok = False
            else:
                seen[n] = r.number
        if 0 in seen and len(seen) > 1:
            others = ", ".join(str(seen[n]) for n in sorted(seen) if n)
            plan.add(seen[0], "crime_no", 0, f"crime_no 0 says {label} holds no crime, but row(s) {others} give "
                                             "crimes for it")
            ok = False
        numbers = sorted(n for n in seen if n)
        missing = sorted(set(range(1, (numbers[-1] if numbers else 0) + 1)) - set(numbers))
        if missing:
            first = min(r.number for r in rows_of)
            plan.add(first, "crime_no", ", ".join(map(str, numbers)),
                     f"the crimes of {label} must be numbered 1, 2, 3, ... without gaps: "
                     f"{', '.join(map(str, missing))} missing")
            ok = False
        shared: dict[str, str] = {}
        for name in ("auditor", "rationale"):
            first_row = 0
            for r in sorted(rows_of, key=lambda r: r.number):
                text = r.text.get(name, "")
                if not text:
                    continue
                if name not in shared:
                    shared[name], first_row = text, r.number
                elif text != shared[name]:
                    plan.add(r.number, name, r.raw.get(name),
                             f"differs from row {first_row} for the same record ({label}): give the record's "
                             f"{name} once, or the same on each of its rows")
                    ok = False
        if not ok:
            continue
        own = (of_item or {}).get(rec.item_ids[0], rules) if rec.item_ids else rules  # the record's audit's rules
        plan.verdicts.append(_verdict(plan, sorted(rows_of, key=lambda r: r.crime_no or 0), rec, own,
                                      shared.get("auditor", ""), shared.get("rationale", "")))
    plan.verdicts.sort(key=lambda v: v.row)


def _verdict(plan: ImportPlan, rows: list[_Row], rec: _Record, rules: RuleSet, auditor: str,
             rationale: str) -> PlannedVerdict:
    first = min(r.number for r in rows)
    if rec.kind not in REPORT_KINDS:
        answers = rows[0].answers
        checks = {k: answers[k] for k, _ in CHECKS[rec.kind] if answers.get(k) is not None}
        rape = lookup(rows[0].text.get("rape_code", ""))  # checked above: a rape code, on an N100 said to need one
        body = VerdictBody(checks=checks, rationale=rationale, complete=True, rape_code=rape.code if rape else "")
        return PlannedVerdict(rec.kind, rec.ref, first, list(rec.item_ids), body, auditor)
    if rows[0].crime_no == 0:
        body = VerdictBody(zero_status=True, rationale=rationale, complete=True)
        return PlannedVerdict(rec.kind, rec.ref, first, list(rec.item_ids), body, auditor)
    findings, overrides = [], 0
    for r in rows:
        found = lookup(r.text.get("expected_code", ""))
        crime = r.crime
        f = CrimeFinding(expected_code=found.code if found else "", domestic_abuse=r.answers.get("domestic_abuse"))
        if crime is not None:
            f.crime_id, f.crime_ref = crime.id, crime.ref
            worked = evaluate(f, CrimeFacts(crime.ho_code, crime.recorded_at), rec.received_at, rules)
            stated_cls, stated_tim = r.answers.get("classified_correctly"), r.answers.get("timely")
            if stated_cls is not None and stated_cls != worked.classified:
                f.classified_override = stated_cls
            if stated_tim is not None and stated_tim != worked.timely:
                f.timely_override = stated_tim
            n = (f.classified_override is not None) + (f.timely_override is not None)
            if n:
                f.override_reason = f"stated in the imported file {plan.path.name}"
                overrides += n
        else:
            f.not_recorded_reason = r.text.get("reason_not_recorded", "")
            f.safeguarding, f.investigation = r.answers.get("safeguarding"), r.answers.get("investigation")
        findings.append(f)
    body = VerdictBody(crimes=findings, rationale=rationale, complete=True)
    return PlannedVerdict(rec.kind, rec.ref, first, list(rec.item_ids), body, auditor, overrides)
