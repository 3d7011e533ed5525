"""`cdi purge`: once the findings are issued, the records no longer needed deleted and the narratives of those
kept blanked, the verdicts, figures and trail left verifiable (retention.py, docs/retention.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..storage.database import Database
from ..timeutil import display_date
from .audit import _date


def cmd_purge(a: argparse.Namespace) -> int:
    from ..retention import purge

    if not a.dry_run and not (a.reason or "").strip():
        print("cdi purge: say why with --reason TEXT (it goes in the audit trail), or look first with --dry-run",
              file=sys.stderr)
        return 2
    db = Database(a.db)
    try:
        done = purge(db, a.user or "", a.before, a.reason or "", dry_run=a.dry_run)
    finally:
        db.close()
    when = display_date(done.before)
    if done.dry_run:
        print(f"Dry run (nothing was changed): a purge of the records dated before {when} would do this:")
    elif done.nothing:
        print(f"Nothing to purge: no record dated before {when} is left that the audit does not need, and those it "
              "needs are already blanked")
    else:
        print(f"Purged the records dated before {when} (history row {done.history_row}, by {done.who}):")
    if done.dry_run or not done.nothing:
        for line in done.lines():
            print(f"  {line}")
    if done.compacted is True:
        print(f"Compacted {a.db}: the text removed no longer lingers in its free pages or its write-ahead log")
    elif done.compacted is False:
        print(f"Not compacted: {a.db} is open elsewhere. The purge stands; close the audit everywhere and run this "
              "command again to clear the text removed from the file's free pages", file=sys.stderr)
    for copy in done.copies:
        print(f"Still holding the records as they were: {copy} (an upgrade backup): delete it if it is no longer "
              "needed", file=sys.stderr)
    return 0


def add_purge(sub: Any) -> None:
    sp = sub.add_parser("purge", help="after the findings are issued: delete the records no longer needed and "
                                      "blank the narratives of those kept (the audit lead, with a reason)")
    sp.add_argument("db")
    sp.add_argument("--before", type=_date, required=True, metavar="DATE",
                    help="the records dated before this day (YYYY-MM-DD or dd/mm/yyyy, UK time)")
    sp.add_argument("--reason", help="why the records are purged (it goes in the audit trail)")
    sp.add_argument("--dry-run", action="store_true", help="say what would go, and change nothing")
    sp.set_defaults(func=cmd_purge)


COMMANDS = {"purge": add_purge}


def register(subparsers: Any) -> None:
    """Add purge to the `cdi` command's subparsers."""
    for add in COMMANDS.values():
        add(subparsers)
