"""What an import or a check reports: counts, notes, and the problems found row by row."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MAX_PROBLEMS_KEPT = 1000  # the rest are counted (and all are in the rejects file when one is written)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or row) of the file."""

    file: str
    row: int  # as a spreadsheet shows it: the header is row 1
    column: str  # the file's header ('' for the row as a whole)
    value: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" + (f", column {self.column!r}" if self.column else "")
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return f"{where}: {self.problem}" + (f" (value {shown!r})" if self.value else "")


@dataclass(frozen=True)
class AuditedChange:
    """A record already audited (in an audit item with a verdict) that the import changed: the item is flagged
    for a second look and the history records the record's import digests before and after."""

    item_id: int
    sample: str
    position: int
    ref: str  # the record's reference ('Guardian G-1' for a referral whose system varies by row)
    old_digest: str | None  # import_hash before (None: the record was not written by an import)
    new_digest: str

    def __str__(self) -> str:
        return f"{self.sample} #{self.position} {self.ref}"


@dataclass
class ImportResult:
    path: Path
    kind: str
    rows: int = 0  # data rows read (blank rows aside)
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    valid: int = 0  # rows fit to import (what a check reports; an import splits them into the three above)
    rejected: int = 0  # rows with problems
    skipped: int = 0  # rows left out without being errors (see notes)
    duplicates: int = 0  # rows repeating an earlier row exactly (imported once)
    problems: list[Problem] = field(default_factory=list)  # the first MAX_PROBLEMS_KEPT
    problem_count: int = 0
    notes: list[str] = field(default_factory=list)
    links_added: int = 0
    links_removed: int = 0
    rejects_path: Path | None = None
    committed: bool = False  # the rows were written (and the transaction committed)
    dry_run: bool = False
    seconds: float = 0.0
    audited: list[AuditedChange] = field(default_factory=list)  # audited records the import changed
    read_path: str = "python"  # how the file was read: 'compiled' (arrow_path) or 'python' (the reference)

    def audited_message(self, limit: int = 20) -> str:
        """What the import did to records already audited ('' when it changed none): how many, and which."""
        if not self.audited:
            return ""
        records = len({(c.ref, c.old_digest) for c in self.audited})
        which = ", ".join(map(str, self.audited[:limit])) + (
            f" and {len(self.audited) - limit:,} more" if len(self.audited) > limit else "")
        if self.dry_run:
            return (f"{records:,} record{'s' if records != 1 else ''} already audited would change: "
                    f"{which}; an import would flag {'them' if records != 1 else 'it'} for a second look")
        return (f"{records:,} record{'s' if records != 1 else ''} already audited changed: {which}; "
                f"flagged for a second look (the history records each change)")

    def summary(self) -> str:
        """'added 3, changed 1, unchanged 10, rejected 2 (written to FILE)'."""
        text = f"added {self.added:,}, changed {self.changed:,}, unchanged {self.unchanged:,}, " \
               f"rejected {self.rejected:,}"
        if self.rejected and self.rejects_path is not None:
            text += f" (written to {self.rejects_path})"
        return text
