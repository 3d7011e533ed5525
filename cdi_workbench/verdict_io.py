"""Verdicts in and out as CSV or Excel (.xlsx): one row per crime identified (docs/verdicts.md).

Forces keep years of dip-samples in spreadsheets and peer reviewers like to work in them. `export_verdicts` writes
the effective verdict of every sampled record (the lead's final verdict where there is one, else the auditor's),
`read_verdicts` reads a file and checks every row against the audit, and `import_verdicts` writes the verdicts of a
file with no problems in one transaction (AuditService.save_many): all of them or none.

Free text never becomes a formula: in a workbook every text cell is written as a string (reports.excel.put, with
Excel's quote prefix where it starts like a formula); in CSV such text gets one leading apostrophe, removed again
on import.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, null, select
from sqlalchemy.orm import Session

from .audit.evaluate import CrimeFacts, evaluate
from .audit.service import AuditService
from .audit.verdicts import (
    CHECKS,
    RAPE_CHECK,
    RECORD_KINDS,
    REPORT_KINDS,
    CrimeFinding,
    VerdictBody,
    applicable_checks,
    is_rape_code,
)
from .classification import lookup
from .findings import _effective_verdicts
from .importing.values import cell_text
from .rules import RuleSet, rule_set
from .storage.database import Database
from .storage.models import N100, Audit, AuditItem, Cancellation, CrimeRecord, Disposal, ReportRecord, Verdict

# ---- the format ----------------------------------------------------------------------------------------------
COLUMNS = [
    "kind", "record_ref", "crime_no", "expected_code", "recorded_ref", "classified_correctly", "timely",
    "reason_not_recorded", "offender_suitable", "offender_made_aware", "victim_to_consult",
    "victim_views_considered", "outcome_appropriate", "decision_correct", "authorised_decision_maker",
    "victim_informed", "auditor", "rationale",
]
# Answers the verdict panel also gives, without which a round trip would lose figures (domestic abuse,
# safeguarding and investigation of crimes not recorded; the N100 checks, and the code of the rape an N100 should
# have been recorded as). Written after COLUMNS.
EXTRA_COLUMNS = ["domestic_abuse", "safeguarding", "investigation", "n100_needed", "should_have_been_rape",
                 "rape_code"]
ALL_COLUMNS = COLUMNS + EXTRA_COLUMNS
REQUIRED_COLUMNS = ("kind", "record_ref", "crime_no")

CRIME_COLUMNS = ("expected_code", "recorded_ref", "classified_correctly", "timely", "reason_not_recorded",
                 "domestic_abuse", "safeguarding", "investigation")
CHECK_KIND = {key: kind for kind, checks in CHECKS.items() for key, _ in checks}
YES_NO_COLUMNS = frozenset({"classified_correctly", "timely", "domestic_abuse", "safeguarding", "investigation",
                            *CHECK_KIND})
# Longest text kept, in characters (the database's column sizes; a workbook cell holds 32,767).
MAX_LENGTH = {"record_ref": 80, "expected_code": 20, "rape_code": 20, "recorded_ref": 80, "reason_not_recorded": 200,
              "auditor": 100, "rationale": 32000}

# Text a spreadsheet could take for a formula or a command (as reports.excel: the CSV rule mirrors it).
RISKY_START = ("=", "+", "-", "@", "\t", "\r")
YES = frozenset({"y", "yes", "true"})
NO = frozenset({"n", "no", "false"})
SHOWN_PROBLEMS = 20
MAX_PROBLEMS_KEPT = 1000
_ZIP = b"PK\x03\x04"
_CHUNK = 500  # values per SQL IN (...)


# ---- results ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One thing wrong with a cell (or a row) of the file."""

    file: str
    row: int  # as a spreadsheet shows it: the header is row 1
    column: str  # '' for the row as a whole
    value: str
    problem: str

    def __str__(self) -> str:
        if not self.column:
            return f"{self.file} row {self.row}: {self.problem}"
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        shown = shown.replace("\r", " ").replace("\n", " ")
        return f"{self.file} row {self.row}, column {self.column}: value '{shown}': {self.problem}"


@dataclass
class PlannedVerdict:
    """The verdict one record of the file gives, ready to store on the audit item(s) it goes to.

    A record drawn into more than one sample is one record audited once: its verdict goes to the items that
    already hold one (as the export took it), else to its first item only (in sample and draw order), never to
    every item, which would count the record again in each sample (_one_count)."""

    kind: str
    record_ref: str
    row: int  # its first row in the file
    item_ids: list[int]
    body: VerdictBody
    auditor: str  # '' = the person importing
    overrides: int = 0  # worked-out results the file contradicts (stored as overrides)
    left: int = 0  # other items of the record (in other samples) left as they were


@dataclass
class ImportPlan:
    """A file read and checked against the audit: the verdicts it would store, or what stops it."""

    path: Path
    format: str  # csv | xlsx
    rows: int = 0  # data rows read (blank rows aside)
    verdicts: list[PlannedVerdict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the first MAX_PROBLEMS_KEPT
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, row: int, column: str, value: Any, problem: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(Problem(self.path.name, row, column, _shown(value), problem))

    def problem_lines(self, limit: int = SHOWN_PROBLEMS) -> list[str]:
        """The first `limit` problems, one a line, then how many more there are."""
        lines = [str(p) for p in self.problems[:limit]]
        more = self.problem_count - len(lines)
        if more > 0:
            lines.append(f"... and {more:,} more problem{'s' if more != 1 else ''}")
        return lines


@dataclass
class ImportResult:
    path: Path
    rows: int
    records: int  # records of the file
    written: int  # audit items given a new or changed verdict
    unchanged: int  # audit items whose verdict was already exactly the file's
    replaced: int  # of those written, items that had another verdict before (kept in the history)
    overrides: int  # worked-out results the file contradicted, stored as overrides
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.records:,} records from {self.rows:,} rows of {self.path.name}: {self.written:,} verdicts "
                f"written ({self.replaced:,} replacing another), {self.unchanged:,} unchanged, "
                f"{self.overrides:,} overrides")


class VerdictImportError(ValueError):
    """An import that cannot go ahead; nothing was written. `problems` lists what is wrong, row by row."""

    def __init__(self, message: str, problems: list[Problem] | None = None, problem_count: int = 0) -> None:
        super().__init__(message)
        self.problems = problems or []
        self.problem_count = problem_count or len(self.problems)

    @classmethod
    def from_plan(cls, plan: ImportPlan) -> VerdictImportError:
        n = plan.problem_count
        head = f"{plan.path.name}: {n:,} problem{'s' if n != 1 else ''}; nothing was imported"
        return cls("\n".join([head, *plan.problem_lines()]), list(plan.problems), n)


class VerdictFileError(VerdictImportError):
    """The file cannot be read as a table at all (missing, empty, not CSV text, not a workbook)."""


# ---- what the audit holds --------------------------------------------------------------------------------------
@dataclass
class _Record:
    """A sampled record, once however many samples hold it, with the audit items that sample it."""

    kind: str
    record_id: int
    ref: str
    system: str
    item_ids: list[int] = field(default_factory=list)
    received_at: datetime | None = None
    disposal_type: str = ""
    order: tuple[int, int] = (0, 0)  # (sample, position) of its first item


def _sampled_records(s: Session) -> list[_Record]:
    """Every sampled record in sample and draw order."""
    none = null()
    # per kind: the record table, its id and reference, what tells records apart in messages, received at,
    # disposal type
    sources = [
        (ReportRecord, ReportRecord.id, ReportRecord.ref, ReportRecord.system, ReportRecord.received_at, none,
         AuditItem.kind.in_(REPORT_KINDS)),
        (Disposal, Disposal.id, Disposal.ref, Disposal.disposal_type, none, Disposal.disposal_type,
         AuditItem.kind == "disposal"),
        (Cancellation, Cancellation.id, Cancellation.crime_ref, Cancellation.offence_group, none, none,
         AuditItem.kind == "cancellation"),
        (N100, N100.id, N100.ref, none, none, none, AuditItem.kind == "n100"),
    ]
    queries = [select(AuditItem.id, AuditItem.kind, AuditItem.record_id, AuditItem.sample_id, AuditItem.position,
                      ref, system, received, dtype).join(table, record_id == AuditItem.record_id).where(where)
               for table, record_id, ref, system, received, dtype, where in sources]
    found: dict[tuple[str, int], _Record] = {}
    order: dict[int, tuple[int, int]] = {}
    for q in queries:
        for item_id, kind, record_id, sample_id, position, ref, system, when, extra in s.execute(q):
            order[item_id] = (sample_id, position)
            rec = found.get((kind, record_id))
            if rec is None:
                rec = found[(kind, record_id)] = _Record(kind, record_id, ref, system or "", order=order[item_id])
                if kind in REPORT_KINDS:
                    rec.received_at = when
                elif kind == "disposal":
                    rec.disposal_type = extra or ""
            rec.item_ids.append(item_id)
            rec.order = min(rec.order, order[item_id])
    for rec in found.values():
        rec.item_ids.sort(key=order.__getitem__)
    return sorted(found.values(), key=lambda r: r.order)


def _rules(s: Session) -> RuleSet:
    key = s.scalar(select(Audit.rule_set).limit(1))
    if key is None:
        raise ValueError("this database holds no audit")
    return rule_set(key)


def _in_chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    values = list(values)
    for i in range(0, len(values), _CHUNK):
        yield values[i:i + _CHUNK]


def _crimes_by_id(s: Session, ids: Iterable[int]) -> dict[int, CrimeRecord]:
    out: dict[int, CrimeRecord] = {}
    for chunk in _in_chunks(set(ids)):
        out.update({c.id: c for c in s.scalars(select(CrimeRecord).where(CrimeRecord.id.in_(chunk)))})
    return out


def _crimes_by_ref(s: Session, refs: Iterable[str]) -> dict[str, CrimeRecord]:
    """Crime records by reference as given: exactly, else ignoring case where that finds just one."""
    wanted = set(refs)
    out: dict[str, CrimeRecord] = {}
    for chunk in _in_chunks(wanted):
        out.update({c.ref: c for c in s.scalars(select(CrimeRecord).where(CrimeRecord.ref.in_(chunk)))})
    rest = {r.upper(): r for r in wanted - set(out)}
    found: dict[str, list[CrimeRecord]] = {}
    for chunk in _in_chunks(rest):
        for c in s.scalars(select(CrimeRecord).where(func.upper(CrimeRecord.ref).in_(chunk))):
            found.setdefault(c.ref.upper(), []).append(c)
    out.update({rest[key]: crimes[0] for key, crimes in found.items() if len(crimes) == 1 and key in rest})
    return out


# ---- export ----------------------------------------------------------------------------------------------------
def _yn(value: bool | None) -> str:
    return "" if value is None else ("Y" if value else "N")


def verdict_rows(db: Database) -> list[dict[str, Any]]:
    """The rows an export writes: one per crime identified (crime_no 0 for a record with none), in sample and
    draw order, for every sampled record whose effective verdict is complete."""
    rows: list[dict[str, Any]] = []
    with db.session() as s:
        rules = _rules(s)
        records = _sampled_records(s)
        effective = _effective_verdicts(s)
        chosen: list[tuple[_Record, Verdict, VerdictBody]] = []
        for rec in records:
            # a record sampled more than once: the verdict of its first sample that has a complete one
            for item_id in rec.item_ids:
                v = effective.get(item_id)
                if v is not None and v.complete:
                    chosen.append((rec, v, VerdictBody.from_json(v.body)))
                    break
        crimes = _crimes_by_id(s, [c.crime_id for _, _, b in chosen for c in b.crimes if c.crime_id is not None])
        for rec, v, body in chosen:
            base: dict[str, Any] = {c: "" for c in ALL_COLUMNS}
            base.update(kind=rec.kind, record_ref=rec.ref, crime_no=0, auditor=v.auditor or "",
                        rationale=body.rationale or "")
            if rec.kind not in REPORT_KINDS:
                applicable = applicable_checks(rec.kind, body.checks, rec.disposal_type)
                for key in applicable:
                    base[key] = _yn(body.checks.get(key))
                if rec.kind == "n100" and body.checks.get(RAPE_CHECK) is True:
                    base["rape_code"] = body.rape_code
                rows.append(base)
                continue
            if not body.crimes:
                rows.append(base)
                continue
            for no, c in enumerate(body.crimes, 1):
                crime = crimes.get(c.crime_id) if c.crime_id is not None else None
                res = evaluate(c, CrimeFacts(crime.ho_code, crime.recorded_at) if crime else None, rec.received_at,
                               rules)
                row = dict(base, crime_no=no, expected_code=c.expected_code or "",
                           domestic_abuse=_yn(c.domestic_abuse))
                if res.recorded and crime is not None:
                    row.update(recorded_ref=crime.ref, classified_correctly=_yn(res.classified),
                               timely=_yn(res.timely))
                else:
                    row.update(reason_not_recorded=c.not_recorded_reason or "", safeguarding=_yn(c.safeguarding),
                               investigation=_yn(c.investigation))
                rows.append(row)
    return rows


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise ValueError(f"{path.name}: name the file .csv or .xlsx to say which format to write")


def export_verdicts(db: Database, path: str | Path) -> int:
    """Write the effective verdicts as CSV or .xlsx (by the file's suffix); returns the rows written.

    The file appears complete or not at all."""
    from .reports.common import write_atomically

    path = Path(path)
    fmt = _format(path)
    rows = verdict_rows(db)
    writer = _write_csv if fmt == "csv" else _write_xlsx
    write_atomically(path, lambda tmp: writer(rows, tmp))
    return len(rows)


def csv_safe(text: str) -> str:
    """Text as a CSV cell no spreadsheet runs: one more leading apostrophe when, after any apostrophes it starts
    with, it starts like a formula ('=1+1' -> \"'=1+1\"). `csv_unsafe` undoes it exactly."""
    return "'" + text if text.lstrip("'").startswith(RISKY_START) else text


def csv_unsafe(text: str) -> str:
    """A CSV cell as the text it stands for: one leading apostrophe removed where csv_safe would have added it."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(RISKY_START) else text


def _write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    # UTF-8 with a byte order mark, so that Excel opens it as UTF-8
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(ALL_COLUMNS)
        for r in rows:
            w.writerow([csv_safe(v) if isinstance(v, str) else v for v in (r[c] for c in ALL_COLUMNS)])


def _write_xlsx(rows: list[dict[str, Any]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from .reports.common import MARKING
    from .reports.excel import put

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Verdicts"
    for col, name in enumerate(ALL_COLUMNS, 1):
        put(ws, 1, col, name).font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for n, r in enumerate(rows, 2):
        for col, name in enumerate(ALL_COLUMNS, 1):
            value = r[name]
            cell = put(ws, n, col, value if value != "" else None, "0")
            if name in ("rationale", "reason_not_recorded"):
                cell.alignment = wrap
    widths = {"kind": 12, "record_ref": 16, "crime_no": 9, "expected_code": 14, "recorded_ref": 16,
              "reason_not_recorded": 30, "auditor": 16, "rationale": 60}
    for col, name in enumerate(ALL_COLUMNS, 1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(name, max(10, min(len(name) + 2, 26)))
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(ALL_COLUMNS))}{max(2, len(rows) + 1)}"
    for part in (ws.oddHeader.center, ws.evenHeader.center, ws.firstHeader.center,
                 ws.oddFooter.center, ws.evenFooter.center, ws.firstFooter.center):
        part.text = MARKING
    ws.page_setup.orientation = "landscape"
    props = wb.properties
    props.title = "Crime data integrity audit: verdicts"
    props.keywords = props.category = MARKING
    props.creator = "CDI Workbench"
    wb.save(path)


# ---- reading a file --------------------------------------------------------------------------------------------
def _shown(value: Any) -> str:
    """A cell as text, the way the record importer reads cells (one rule for both)."""
    return cell_text(value)


def _header_key(name: Any) -> str:
    return "_".join(_shown(name).strip().lower().replace("-", " ").split())


def _read_table(path: Path) -> tuple[str, list[str], list[tuple[int, list[Any]]]]:
    """(format, header cells, [(row number, cells)]) of a CSV (UTF-8, UTF-8 with BOM or Windows-1252) or .xlsx
    file, told apart by content; CSV cells come back as text with the formula guard removed."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise VerdictFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise VerdictFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if data.startswith(_ZIP):
        return ("xlsx", *_read_xlsx(path))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise VerdictFileError(f"{path.name}: not an Excel workbook (.xlsx) although it is named like one")
    return ("csv", *_read_csv(path, data))


def _read_csv(path: Path, data: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise VerdictFileError(f"{path.name}: not a text file in UTF-8 or Windows-1252; save it as CSV (UTF-8) "
                                   "or .xlsx") from None
    if not text.strip():
        raise VerdictFileError(f"{path.name}: the file is empty")
    first = text.splitlines()[0]
    delimiter = ","
    if first.count(",") == 0:
        delimiter = max((";", "\t", "|"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        for cells in reader:
            rows.append([csv_unsafe(c.strip()) for c in cells])
    except csv.Error as exc:
        raise VerdictFileError(f"{path.name} row {len(rows) + 1}: cannot be read as CSV ({exc}): is a quote left "
                               "open?") from None
    if not rows:
        raise VerdictFileError(f"{path.name}: the file is empty")
    return rows[0], list(enumerate(rows[1:], start=2))


def _read_xlsx(path: Path) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise VerdictFileError(f"{path.name}: cannot be read as an Excel workbook ({type(exc).__name__}: "
                               f"{exc})") from None
    try:
        ws = wb["Verdicts"] if "Verdicts" in wb.sheetnames else wb.worksheets[0]
        values = [list(r) for r in ws.iter_rows(values_only=True)]
    except Exception as exc:  # a damaged sheet
        raise VerdictFileError(f"{path.name}: cannot be read ({type(exc).__name__}: {exc})") from None
    finally:
        wb.close()
    if not values or not any(c not in (None, "") for c in values[0]):
        raise VerdictFileError(f"{path.name}: row 1 of sheet {ws.title!r} should hold the column names "
                               f"({', '.join(REQUIRED_COLUMNS)}, ...)")
    cells = [[c.strip() if isinstance(c, str) else c for c in row] for row in values]
    return cells[0], list(enumerate(cells[1:], start=2))


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(" ")
    return _shown(value).strip()


def _yes_no(value: Any) -> bool | None:
    """Y/N (also Yes/No, TRUE/FALSE, an Excel tick box) as True/False, blank as None; raises ValueError."""
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(text)


def _crime_no(value: Any) -> int | None:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        n = int(value)
    else:
        text = _text(value)
        if not text:
            return None
        if not text.isdigit():
            raise ValueError
        n = int(text)
    if n < 0:
        raise ValueError
    return n


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


def _kind_words(kind: str) -> str:
    return {"n100": "an N100", "incident": "an incident"}.get(kind, f"a {kind}")


def read_verdicts(db: Database, path: str | Path) -> ImportPlan:
    """Read a verdicts file and check every row against the audit; the plan lists the verdicts the file gives
    and every problem found (row numbers as a spreadsheet shows them: the header is row 1). Writes nothing.

    Raises VerdictFileError when the file cannot be read as a table at all."""
    path = Path(path)
    fmt, header, data = _read_table(path)
    plan = ImportPlan(path, fmt)
    columns = _check_header(plan, header)
    if columns is None:
        return plan
    rows: list[_Row] = []
    for number, cells in data:
        if all(_text(c) == "" for c in cells):
            continue
        raw = {name: (cells[i] if i < len(cells) else None) for i, name in columns.items()}
        extra = [i for i in range(len(cells)) if i not in columns and _text(cells[i])]
        for i in extra:
            plan.add(number, f"column {i + 1}", cells[i], "a value outside the named columns")
        rows.append(_Row(number, raw))
    plan.rows = len(rows)
    with db.session() as s:
        rules = _rules(s)
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
        _build(plan, rows, rules)
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


def _check_header(plan: ImportPlan, header: list[Any]) -> dict[int, str] | None:
    """Column position -> name; None (with problems) when the header will not do."""
    names = [_header_key(h) for h in header]
    while names and not names[-1]:
        names.pop()
    columns: dict[int, str] = {}
    bad = False
    for i, name in enumerate(names):
        shown = _shown(header[i]).strip()
        if not name:
            plan.add(1, f"column {i + 1}", "", "a column with no name: name it (one of the verdict columns) or "
                                               "delete it")
            bad = True
        elif name not in ALL_COLUMNS:
            plan.add(1, shown, shown, f"unknown column: the columns are {', '.join(ALL_COLUMNS)}")
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
    for name, value in raw.items():
        if name in YES_NO_COLUMNS:
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
    return row.answers.get(name) is not None if name in YES_NO_COLUMNS else bool(row.text.get(name))


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
    given_checks = {k: v for k, v in row.answers.items() if k in CHECK_KIND and v is not None}
    for name in given_checks:
        owner = CHECK_KIND[name]
        if owner != kind:
            problem(name, f"does not apply to {_kind_words(kind)} record: it is a check of {owner} records")
    if kind in CHECKS and row.record is not None:
        applicable = applicable_checks(kind, given_checks, row.record.disposal_type)
        for name in given_checks:
            if CHECK_KIND[name] == kind and name not in applicable:
                if name == "victim_views_considered":
                    problem(name, "applies only when victim_to_consult is Y")
                else:
                    problem(name, f"applies only to community resolutions (this disposal is a "
                                  f"{row.record.disposal_type or 'disposal of no stated type'})")


def _build(plan: ImportPlan, rows: list[_Row], rules: RuleSet) -> None:
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
        plan.verdicts.append(_verdict(plan, sorted(rows_of, key=lambda r: r.crime_no or 0), rec, rules,
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


# ---- import ----------------------------------------------------------------------------------------------------
def import_verdicts(db: Database, path: str | Path, user: str) -> ImportResult:
    """Read, check and store the verdicts of a file in one transaction, as the primary (auditor's) verdicts,
    complete. Raises VerdictImportError listing the problems, having written nothing, when there are any."""
    path = Path(path)
    if not user.strip():
        raise VerdictImportError("say who is importing the verdicts: their name goes in the history")
    plan = read_verdicts(db, path)
    if not plan.ok:
        raise VerdictImportError.from_plan(plan)
    item_ids = [i for v in plan.verdicts for i in v.item_ids]
    existing: dict[int, Verdict] = {}
    finals: set[int] = set()
    with db.session() as s:
        for chunk in _in_chunks(item_ids):
            for v in s.scalars(select(Verdict).where(Verdict.item_id.in_(chunk))):
                if v.role == "primary":
                    existing[v.item_id] = v
                elif v.role == "final":
                    finals.add(v.item_id)
    to_write: list[tuple[int, VerdictBody, str]] = []
    unchanged = replaced = 0
    for pv in plan.verdicts:
        for item_id in pv.item_ids:
            old = existing.get(item_id)
            if old is not None and old.body == pv.body.to_json() and old.auditor == (pv.auditor or user.strip()):
                unchanged += 1
                continue
            replaced += old is not None
            to_write.append((item_id, pv.body, pv.auditor))
    AuditService(db, user).save_many(to_write, reason=f"imported from {path.name}")
    notes = []
    if replaced:
        notes.append(f"{replaced:,} records already had a verdict; it was replaced (the history keeps it)")
    if finals:
        notes.append(f"{len(finals):,} records have a lead's final verdict, which still counts over the imported "
                     "one")
    multi = sum(1 for v in plan.verdicts if v.left)
    if multi:
        notes.append(f"{multi:,} records are in more than one sample: each verdict went to the sample where the "
                     "record already had one, else to the first that holds it, so that it counts once")
    return ImportResult(path, plan.rows, len(plan.verdicts), len(to_write), unchanged, replaced,
                        sum(v.overrides for v in plan.verdicts), notes)
