"""`cdi challenges export|import|status`: the failures sent to the force, its responses, where they stand."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..storage.database import Database


def cmd_challenges(a: argparse.Namespace) -> int:
    from ..audit.programme import ProgrammeError

    if a.action in ("export", "import") and not a.file:
        print(f"cdi challenges {a.action}: give the workbook's file name", file=sys.stderr)
        return 2
    db = Database(a.db)
    try:
        return _challenges(db, a)
    except ProgrammeError as exc:  # an unknown audit: the message lists those there are
        print(f"cdi challenges {a.action}: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()


def _challenges(db: Database, a: argparse.Namespace) -> int:
    from ..challenges import ResponseError, export_for_force, import_responses, resolution

    if a.action == "export":
        n = export_for_force(db, a.file, a.user or "", audit=a.audit)
        print(f"Wrote {n} failures to {a.file} for the force's responses")
    elif a.action == "import":
        try:
            counts = import_responses(db, a.file, a.user or "", audit=a.audit)
        except ResponseError as exc:
            for p in exc.problems[:20]:
                print(p, file=sys.stderr)
            print("Nothing stored.", file=sys.stderr)
            return 1
        print(f"Stored the force's responses: {counts['agree']} agreed, {counts['challenge']} challenged"
              + (f"; {counts['unchanged']} unchanged since the last import" if counts["unchanged"] else ""))
    else:
        figures = resolution(db, audit=a.audit)  # an unknown audit is refused before anything is printed
        cols = ["before", "agreed", "challenged", "upheld", "rejected", "pending", "after"]
        print(f"{'failure':32}" + "".join(f"{c:>11}" for c in cols))
        for failure, row in sorted(figures.items()):
            print(f"{failure:32}" + "".join(f"{row[c]:>11}" for c in cols))
    return 0


def add_challenges(sub: Any) -> None:
    sp = sub.add_parser("challenges", help="the force's challenges: export failures, import responses, status")
    sp.add_argument("action", choices=["export", "import", "status"])
    sp.add_argument("db")
    sp.add_argument("file", nargs="?", help="the workbook (export and import)")
    sp.add_argument("--audit", metavar="NAME",
                    help="which audit of the programme: its failures are exported, answered and counted (default: "
                         "the latest); importing, a response to a failure of another audit is refused by its row")
    sp.set_defaults(func=cmd_challenges)


COMMANDS = {"challenges": add_challenges}


def register(subparsers: Any) -> None:
    """Add challenges to the `cdi` command's subparsers."""
    add_challenges(subparsers)
