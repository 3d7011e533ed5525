"""`cdi audit new|list|close|reopen`: the programme's audits (audit.programme; issue 14)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..audit.programme import close_audit, create, listing
from ..storage.database import Database
from .audit import _date


def cmd_audit(a: argparse.Namespace) -> int:
    db = Database(a.db)
    try:
        if a.action == "new":
            made = create(db, a.name, a.period_start, a.period_end, a.rules, who=a.user or "", force=a.force)
            print(f"Added the audit '{made.name}' to {a.db}: {made.force}, {made.period_start:%d/%m/%Y} to "
                  f"{made.period_end:%d/%m/%Y}, {made.rule_set} rules")
            return 0
        if a.action in ("close", "reopen"):
            with db.session() as s:
                done = close_audit(s, a.name, who=a.user or "", reopen=a.action == "reopen")
                name = done.name
            print(f"{'Reopened' if a.action == 'reopen' else 'Closed'} the audit '{name}'")
            return 0
        audits = listing(db)
        if a.json:
            print(json.dumps({"audits": [x.to_json() for x in audits]}, indent=2))
            return 0
        if not audits:
            print("No audits.")
            return 0
        width = max(len(x.name) for x in audits)
        latest = max(audits, key=lambda x: (x.period_end, x.id))
        for x in audits:
            state = "open" if x.open else "closed"
            mark = "  (latest: the default --audit)" if x is latest else ""
            print(f"{x.name:<{width}}  {x.period_start:%d/%m/%Y} to {x.period_end:%d/%m/%Y}  {x.rule_set} rules  "
                  f"{state:<6}  {x.samples} samples, {x.items:,} records drawn, {x.verdicts:,} with verdicts{mark}")
        return 0
    finally:
        db.close()


def add_audit(sub: Any) -> None:
    sp = sub.add_parser("audit", help="the programme's audits: new, list, close, reopen")
    act = sp.add_subparsers(dest="action", required=True)
    new = act.add_parser("new", help="add an audit (a month, a quarter, a follow-up visit) to the programme")
    new.add_argument("db")
    new.add_argument("--name", help="how commands name it with --audit (default: '2015-06' for a calendar month, "
                                    "else 'START to END')")
    new.add_argument("--period-start", type=_date, required=True)
    new.add_argument("--period-end", type=_date, required=True)
    new.add_argument("--rules", choices=["2014", "2015"], required=True,
                     help="2014: 72-hour limit (periods before 01/04/2015); 2015: 24-hour limit (from 01/04/2015)")
    new.add_argument("--force", help="the force audited (default: the programme's)")
    lst = act.add_parser("list", help="the programme's audits, oldest first")
    lst.add_argument("db")
    lst.add_argument("--json", action="store_true", help="as JSON: {\"audits\": [...]}")
    for verb, text in (("close", "close an audit: no more samples are drawn for it"),
                       ("reopen", "reopen a closed audit")):
        c = act.add_parser(verb, help=text)
        c.add_argument("db")
        c.add_argument("name")
    sp.set_defaults(func=cmd_audit)


COMMANDS = {"audit": add_audit}


def register(subparsers: Any) -> None:
    for add in COMMANDS.values():
        add(subparsers)
