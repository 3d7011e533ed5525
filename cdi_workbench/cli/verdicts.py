"""`cdi verdicts import DB FILE` and `cdi verdicts export DB FILE`: verdicts as CSV or .xlsx (docs/verdicts.md).

cdi_workbench.cli adds them with `register(subparsers)`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..storage.database import Database, DatabaseError
from ..verdict_io import SHOWN_PROBLEMS, VerdictImportError, export_verdicts, import_verdicts


def _open(db: str, command: str) -> Database | None:
    try:
        return Database(db)
    except DatabaseError as exc:
        print(f"cdi verdicts {command}: {exc}", file=sys.stderr)
        return None


def cmd_import(a: argparse.Namespace) -> int:
    user = (a.verdicts_user or getattr(a, "user", None) or "").strip()
    if not user:
        print("cdi verdicts import: say who is importing with --user NAME (it goes in the history of every "
              "verdict)", file=sys.stderr)
        return 2
    db = _open(a.db, "import")
    if db is None:
        return 1
    try:
        result = import_verdicts(db, a.file, user)
    except VerdictImportError as exc:
        if not exc.problems:
            print(f"cdi verdicts import: {exc}", file=sys.stderr)
            return 1
        for problem in exc.problems[:SHOWN_PROBLEMS]:
            print(problem, file=sys.stderr)
        more = exc.problem_count - min(len(exc.problems), SHOWN_PROBLEMS)
        if more > 0:
            print(f"... and {more:,} more problem{'s' if more != 1 else ''}", file=sys.stderr)
        print(f"{exc.problem_count:,} problem{'s' if exc.problem_count != 1 else ''} in {a.file}; nothing was "
              "imported", file=sys.stderr)
        return 1
    except ValueError as exc:  # the database holds no audit, ...
        print(f"cdi verdicts import: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"Imported {result.summary()}")
    for note in result.notes:
        print(f"  {note}")
    return 0


def cmd_export(a: argparse.Namespace) -> int:
    user = (a.verdicts_user or getattr(a, "user", None) or "").strip()
    db = _open(a.db, "export")
    if db is None:
        return 1
    report = None
    try:
        if str(a.file).lower().endswith(".csv") and not a.pseudonymise:  # free text that no password protects
            from ..audit.exports import allowed
            from ..reports.protect import confirm_plain, csv_free_text_warning

            allowed(db, user, "export verdicts")  # the role first: no question for one who may not export
            confirm_plain(csv_free_text_warning(a.file, "the verdicts' rationales and reasons"), a.yes,
                          "cdi verdicts export")
        if a.pseudonymise:  # the free text pseudonymised, the report beside the file
            from ..pseudonymise_exports import export_verdicts as export_pseudonymised

            n, report = export_pseudonymised(db, a.file, user, audit=a.audit)
        else:
            n = export_verdicts(db, a.file, user, audit=a.audit)  # the lead or an auditor (NotAllowed: exit code 4)
    except (ValueError, OSError) as exc:
        print(f"cdi verdicts export: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"Wrote {n:,} rows to {a.file} (one per crime identified; crime_no 0 for a record with none)"
          + (f", pseudonymised; what was replaced, and where: {report}" if report else ""))
    return 0


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `verdicts import` and `verdicts export` to the `cdi` command's subparsers."""
    sp = subparsers.add_parser(
        "verdicts", help="import or export verdicts as CSV or .xlsx",
        description="Verdicts as a spreadsheet: one row per crime identified (crime_no 0 for a record with none). "
                    "See docs/verdicts.md for the columns.")
    sub = sp.add_subparsers(dest="verdicts_command", required=True, metavar="{import,export}")
    imp = sub.add_parser(
        "import", help="store the verdicts of a CSV or .xlsx file",
        description="Check every row of the file against the audit; with any problem nothing is imported. "
                    "Otherwise every verdict is stored, complete, in one transaction.")
    imp.add_argument("db", help="the audit database (SQLite file or database URL)")
    imp.add_argument("file", help="the verdicts: .csv (UTF-8 or Windows-1252) or .xlsx")
    imp.add_argument("--user", dest="verdicts_user", metavar="NAME",
                     help="who is importing (stamped on the history of every verdict)")
    imp.set_defaults(func=cmd_import)
    exp = sub.add_parser(
        "export", help="write the verdicts to a CSV or .xlsx file",
        description="Write the effective verdict (the lead's final one where given, else the auditor's) of every "
                    "sampled record with a complete verdict. The format follows the file name: .csv or .xlsx. Only the "
                    "audit lead and auditors may (once people are registered, say who with --user); the export "
                    "goes in the trail.")
    exp.add_argument("db", help="the audit database (SQLite file or database URL)")
    exp.add_argument("file", help="where to write: NAME.csv or NAME.xlsx")
    exp.add_argument("--user", dest="verdicts_user", metavar="NAME",
                     help="who is exporting (the audit lead or an auditor; recorded in the trail)")
    exp.add_argument("--audit", metavar="NAME",
                     help="only this audit of the programme's verdicts (default: every audit's)")
    exp.add_argument("--pseudonymise", action="store_true",
                     help="replace names, dates of birth, addresses, phone numbers, vehicle registrations and other "
                          "identifiers in the rationales and reasons by placeholders ([Person 1]); the report of "
                          "what was replaced goes beside the file as NAME.pseudonymisation.txt. Do not import such a "
                          "file back: its rationales would replace the originals (docs/pseudonymisation.md)")
    exp.add_argument("--yes", action="store_true",
                     help="a CSV file cannot be protected with a password: it holds the rationales and reasons in "
                          "plain text, so the export asks first (and refuses with no terminal to ask at); --yes "
                          "writes it without asking. An .xlsx file is written without asking")
    exp.set_defaults(func=cmd_export)
    return sp


COMMANDS = {"verdicts": register}
