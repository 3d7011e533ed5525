"""The verdicts file: its columns, what reading one finds (problems, planned verdicts, results) and how a cell
reads as a value. Free text that starts like a formula (RISKY_START) is handled by cdi_workbench.spreadsheets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..audit import check_table
from ..audit.verdicts import VerdictBody
from ..spreadsheets import RISKY_START, cell_text  # noqa: F401  (RISKY_START: a name verdict_io always gave)

# ---- the format ----------------------------------------------------------------------------------------------
# The answer columns are the checks table's (audit.check_table): each crime's and every record-level check's, the
# agreed first columns, then those added later (domestic abuse, safeguarding and investigation of crimes not
# recorded; the N100 checks, and the code of the rape an N100 should have been recorded as), without which a round
# trip would lose figures, written after COLUMNS.
COLUMNS = ["kind", "record_ref", "crime_no", *check_table.exchange_answers(check_table.FIRST), "auditor", "rationale"]
EXTRA_COLUMNS = check_table.exchange_answers(check_table.ADDED)
ALL_COLUMNS = COLUMNS + EXTRA_COLUMNS
REQUIRED_COLUMNS = ("kind", "record_ref", "crime_no")

CRIME_COLUMNS = check_table.crime_exchange_columns()
CHECK_KIND: dict[str, str] = dict(check_table.check_kinds())
YES_NO_COLUMNS = check_table.yes_no_columns()


@dataclass(frozen=True)
class Columns:
    """The exchange's columns as the checks table holds them now: the names above are as it stood when this module
    loaded; a programme's own extra checks (local_config, set when its database is used) come later, so the export
    and the import read exchange_columns()."""

    all: list[str]
    check_kind: dict[str, str]
    yes_no: frozenset[str]


_columns: tuple[tuple[object, ...], Columns] | None = None


def exchange_columns() -> Columns:
    """The columns now (worked out again only when the checks table has changed)."""
    global _columns
    state = tuple(check_table.kind_checks(k) for k in check_table.RECORD_CHECKS)
    if (_columns is None or len(_columns[0]) != len(state)
            or any(a is not b for a, b in zip(_columns[0], state, strict=True))):
        first = ["kind", "record_ref", "crime_no", *check_table.exchange_answers(check_table.FIRST), "auditor",
                 "rationale"]
        _columns = (state, Columns(first + check_table.exchange_answers(check_table.ADDED),
                                   dict(check_table.check_kinds()), check_table.yes_no_columns()))
    return _columns[1]
# Longest text kept, in characters (the database's column sizes; a workbook cell holds 32,767).
MAX_LENGTH = {"record_ref": 80, "expected_code": 20, "rape_code": 20, "recorded_ref": 80, "reason_not_recorded": 200,
              "auditor": 100, "rationale": 32000}

YES = frozenset({"y", "yes", "true"})
NO = frozenset({"n", "no", "false"})
SHOWN_PROBLEMS = 20
MAX_PROBLEMS_KEPT = 1000



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


# ---- cells as values ------------------------------------------------------------------------------------------
def _shown(value: Any) -> str:
    """A cell as text, the way the record importer reads cells (one rule for both)."""
    return cell_text(value)


def _header_key(name: Any) -> str:
    return "_".join(_shown(name).strip().lower().replace("-", " ").split())


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


def _kind_words(kind: str) -> str:
    return {"n100": "an N100", "incident": "an incident"}.get(kind, f"a {kind}")
