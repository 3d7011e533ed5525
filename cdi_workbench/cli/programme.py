"""`cdi audit new|list|close|reopen|draw` (the programme's audits: audit.programme) and `cdi design
list|show|save` (sample designs as templates: sample_designs); issue 14."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..audit.programme import close_audit, create, listing
from ..storage.database import Database
from .audit import _date


def cmd_audit(a: argparse.Namespace) -> int:
    db = Database(a.db)
    try:
        if a.action == "new":
            made = create(db, a.name, a.period_start, a.period_end, a.rules, who=a.user or "", force=a.force)
            if a.method_style:
                from ..programme_figures import set_method_style

                set_method_style(db, made.name, a.method_style, who=a.user or "")
            print(f"Added the audit '{made.name}' to {a.db}: {made.force}, {made.period_start:%d/%m/%Y} to "
                  f"{made.period_end:%d/%m/%Y}, {made.rule_set} rules")
            return 0
        if a.action == "team":
            from ..team_view import team

            t = team(db, a.audit, who=a.user or "")
            print(json.dumps(t.to_json(), indent=2) if a.json else t.text)
            return 0
        if a.action == "assign":
            from ..packages.common import parse_positions
            from ..team_view import assign_work

            n = assign_work(db, a.to, a.sample, parse_positions(a.positions) if a.positions else None,
                            who=a.user or "", audit=a.audit)
            print(f"Gave {n:,} record{'s' if n != 1 else ''} of '{a.sample}' to {a.to} to audit")
            return 0
        if a.action == "draw":
            from .. import sample_designs

            run = sample_designs.draw(db, a.design, a.audit, a.seed, who=a.user or "")
            print(run.text)
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
    new.add_argument("--method-style", metavar="TEXT",
                     help="the audit method (e.g. '2016-17 inspection'): a trend breaks where it changes, and says why "
                          "(default: 'standard')")
    lst = act.add_parser("list", help="the programme's audits, oldest first")
    lst.add_argument("db")
    lst.add_argument("--json", action="store_true", help="as JSON: {\"audits\": [...]}")
    for verb, text in (("close", "close an audit: no more samples are drawn for it"),
                       ("reopen", "reopen a closed audit")):
        c = act.add_parser(verb, help=text)
        c.add_argument("db")
        c.add_argument("name")
    tm = act.add_parser("team", help="who has audited what, records left, reviews assigned by person")
    tm.add_argument("db")
    tm.add_argument("--audit", metavar="NAME", help="which audit (default: the latest)")
    tm.add_argument("--json", action="store_true")
    asg = act.add_parser("assign", help="give records of a sample to an auditor to audit (the lead's)")
    asg.add_argument("db")
    asg.add_argument("--sample", required=True)
    asg.add_argument("--to", required=True, metavar="PERSON")
    asg.add_argument("--positions", help="e.g. 1-20,25 (default: every record not yet given to anyone)")
    asg.add_argument("--audit", metavar="NAME", help="which audit (default: the latest)")
    drw = act.add_parser("draw", help="draw every sample of a design for an audit, in one action")
    drw.add_argument("db")
    drw.add_argument("--design", default="Monthly dip-sample",
                     help="a sample design (cdi design list; default: the shipped 'Monthly dip-sample')")
    drw.add_argument("--audit", metavar="NAME", help="the audit drawn for (default: the latest)")
    drw.add_argument("--seed", type=int, help="the master seed each sample's seed is derived from (default: random; "
                                              "it is recorded)")
    sp.set_defaults(func=cmd_audit)


def cmd_design(a: argparse.Namespace) -> int:
    from .. import sample_designs

    db = Database(a.db)
    try:
        with db.session() as s:
            if a.action == "list":
                for d in sample_designs.designs(s):
                    print(f"{d.name}: {len(d.samples)} samples" + (f" ({d.description})" if d.description else ""))
                return 0
            if a.action == "show":
                print(json.dumps(sample_designs.design(s, a.name).to_json(), indent=2))
                return 0
            if a.from_audit is not None:
                d = sample_designs.design_of_audit(s, a.from_audit or None, a.name)
            elif a.file:
                with open(a.file, encoding="utf-8") as fh:
                    d = sample_designs.Design.from_json({**json.load(fh), "name": a.name}, a.file)
            else:
                print("cdi design save: give --from-audit NAME or --file DESIGN.json", file=sys.stderr)
                return 2
            sample_designs.save_design(s, d, who=a.user or "")
            print(f"Saved the design '{d.name}': {len(d.samples)} samples")
            return 0
    finally:
        db.close()


def add_design(sub: Any) -> None:
    sp = sub.add_parser("design", help="sample designs (templates of an audit's samples): list, show, save")
    act = sp.add_subparsers(dest="action", required=True)
    lst = act.add_parser("list", help="the shipped design and the programme's saved ones")
    lst.add_argument("db")
    show = act.add_parser("show", help="a design as JSON")
    show.add_argument("db")
    show.add_argument("name")
    save = act.add_parser("save", help="keep a design in the programme (the lead's)")
    save.add_argument("db")
    save.add_argument("name")
    save.add_argument("--from-audit", metavar="AUDIT", nargs="?", const="",
                      help="the samples of this audit (no name: the latest) as the design")
    save.add_argument("--file", help="a design as JSON (the shape `cdi design show` prints)")
    sp.set_defaults(func=cmd_design)


COMMANDS = {"audit": add_audit, "design": add_design}


def register(subparsers: Any) -> None:
    for add in COMMANDS.values():
        add(subparsers)
