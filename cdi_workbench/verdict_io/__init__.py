"""Verdicts in and out as CSV or Excel (.xlsx): one row per crime identified (docs/verdicts.md).

Forces keep years of dip-samples in spreadsheets and peer reviewers like to work in them. `export_verdicts` writes
the effective verdict of every sampled record (the lead's final verdict where there is one, else the auditor's),
`read_verdicts` reads a file and checks every row against the audit, and `import_verdicts` writes the verdicts of a
file with no problems in one transaction (AuditService.save_many): all of them or none.

Free text never becomes a formula: in a workbook every text cell is written as a string (spreadsheets.put, with
Excel's quote prefix where it starts like a formula); in CSV such text gets one leading apostrophe, removed again
on import (spreadsheets.csv_safe / csv_unsafe).

- format.py: the columns, what reading finds (Problem, PlannedVerdict, ImportPlan, ImportResult, the errors) and
  how a cell reads as a value;
- records.py: what the audit holds that a file refers to (sampled records, crime records);
- writing.py: the export (verdict_rows, export_verdicts);
- checking.py: each row checked (header, values, answers that do not apply);
- reading.py: a file read and checked into an ImportPlan (read_verdicts);
- applying.py: the plan stored (import_verdicts).
"""

from ..spreadsheets import csv_safe, csv_unsafe
from .applying import import_verdicts
from .format import (
    ALL_COLUMNS,
    CHECK_KIND,
    COLUMNS,
    CRIME_COLUMNS,
    EXTRA_COLUMNS,
    MAX_LENGTH,
    MAX_PROBLEMS_KEPT,
    NO,
    REQUIRED_COLUMNS,
    RISKY_START,
    SHOWN_PROBLEMS,
    YES,
    YES_NO_COLUMNS,
    ImportPlan,
    ImportResult,
    PlannedVerdict,
    Problem,
    VerdictFileError,
    VerdictImportError,
)
from .reading import read_verdicts
from .writing import export_verdicts, verdict_rows

__all__ = [
    "ALL_COLUMNS", "CHECK_KIND", "COLUMNS", "CRIME_COLUMNS", "EXTRA_COLUMNS", "MAX_LENGTH", "MAX_PROBLEMS_KEPT", "NO",
    "REQUIRED_COLUMNS", "RISKY_START", "SHOWN_PROBLEMS", "YES", "YES_NO_COLUMNS", "ImportPlan", "ImportResult",
    "PlannedVerdict", "Problem", "VerdictFileError", "VerdictImportError", "csv_safe", "csv_unsafe",
    "export_verdicts", "import_verdicts", "read_verdicts", "verdict_rows",
]
