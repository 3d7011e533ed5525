"""`cdi import DB KIND FILE`: import a force extract from the command line (the core the GUI dialog uses).

cdi_workbench.cli adds it with `register(subparsers)`.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from ..importing import KINDS, ImportCancelled, ImportFailed, import_file
from ..storage.database import Database, DatabaseError

SHOWN_PROBLEMS = 20


class _Progress:
    """'\\rread 120,000 rows' on stderr, at most a few times a second."""

    def __init__(self, stream: Any) -> None:
        self.stream, self.last, self.done = stream, 0.0, 0

    def __call__(self, done: int, total: int | None) -> None:
        self.done = done
        now = time.monotonic()
        if now - self.last >= 0.2:
            self.last = now
            of = f" of about {total:,}" if total else ""
            self.stream.write(f"\rread {done:,}{of} rows")
            self.stream.flush()

    def end(self) -> None:
        self.stream.write(f"\rread {self.done:,} rows\n")
        self.stream.flush()


def cmd_import(a: argparse.Namespace) -> int:
    user = a.import_user or getattr(a, "user", None) or ""
    try:
        db = Database(a.db)
    except DatabaseError as exc:
        print(f"cdi import: {exc}", file=sys.stderr)
        return 1
    progress = _Progress(sys.stderr)
    try:
        result = import_file(db, a.file, a.kind, profile=a.profile, system=a.system, rejects=a.rejects, user=user,
                             dry_run=a.dry_run, progress=progress, user_dir=a.profiles_dir, sheet=a.sheet)
    except ImportFailed as exc:
        print(f"\ncdi import: {exc}", file=sys.stderr)
        return 1
    except (ImportCancelled, KeyboardInterrupt):
        print("\ncdi import: interrupted; nothing was imported", file=sys.stderr)
        return 130
    finally:
        db.close()
    progress.end()
    if result.rejected and a.rejects is None:
        for problem in result.problems[:SHOWN_PROBLEMS]:
            print(problem, file=sys.stderr)
        more = result.problem_count - min(len(result.problems), SHOWN_PROBLEMS)
        if more > 0:
            print(f"... and {more:,} more problems", file=sys.stderr)
        print(f"{result.rejected:,} of {result.rows:,} rows have problems; nothing was imported. Fix the file, or "
              "pass --rejects FILE to import the valid rows and save the others there.", file=sys.stderr)
        return 1
    print(("would have: " if result.dry_run else "") + result.summary())
    for note in result.notes:
        print(f"  {note}")
    return 0


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `import` to the `cdi` command's subparsers."""
    sp = subparsers.add_parser(
        "import", help="import a force extract (CSV or .xlsx) into an audit database",
        description="Import one extract (CSV or .xlsx) of one kind of record. Every row is checked first; "
                    "with any problem nothing is imported unless --rejects names a file for the rejected rows. "
                    "Re-importing an updated extract updates records by reference. See docs/import.md.")
    sp.add_argument("db", help="the audit database (SQLite file or database URL)")
    sp.add_argument("kind", choices=list(KINDS), help="what the file holds")
    sp.add_argument("file", help="the extract: .csv (UTF-8 or Windows-1252) or .xlsx")
    sp.add_argument("--system", help="the system referrals come from (Guardian, PO1, DO1, ...), when the file "
                                     "has no system column")
    sp.add_argument("--profile", help="a mapping profile name (storm, guardian, po1, do1, street, or one saved) "
                                      "or a profile .json file")
    sp.add_argument("--rejects", metavar="FILE", help="import the valid rows and save the rejected ones here (CSV "
                                                      "with 'row' and 'problems' columns)")
    sp.add_argument("--user", dest="import_user", metavar="NAME", help="who is importing (stamped on the records)")
    sp.add_argument("--sheet", help="the worksheet of an .xlsx file (default: the first)")
    sp.add_argument("--dry-run", action="store_true", help="check and count, then write nothing")
    sp.add_argument("--profiles-dir", metavar="DIR", help="where saved profiles live (default ~/.cdi_workbench/"
                                                          "profiles)")
    sp.set_defaults(func=cmd_import)
    return sp


COMMANDS = {"import": register}

