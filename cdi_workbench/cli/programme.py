"""`cdi audit new|list|close|reopen|draw` (the programme's audits: audit.programme) and `cdi design
list|show|save` (sample designs as templates: sample_designs); issue 14."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..audit.audit_scope import audit_name
from ..audit.programme import close_audit, create, listing, resolve
from ..storage.database import Database
from ..timeutil import display
from .audit import _date


def _count(n: int, noun: str) -> str:
    """'1 sample', '3 samples', '1,200 records'."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


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
            if made.warning:
                print(f"Note: {made.warning}")
            return 0
        if a.action == "team":
            from ..team_view import team

            t = team(db, a.audit, who=a.user or "")
            print(json.dumps(t.to_json(), indent=2) if a.json else t.text)
            return 0
        if a.action == "assign":
            from ..packages.common import PackageError, parse_positions
            from ..team_view import assign_work

            try:
                positions = parse_positions(a.positions) if a.positions is not None else None
            except PackageError as exc:
                print(f"cdi audit assign: --positions {exc}", file=sys.stderr)
                return 2
            n = assign_work(db, a.to, a.sample, positions, who=a.user or "", audit=a.audit)
            print(f"Gave {_count(n, 'record')} of '{a.sample}' to {a.to}"
                  + (f" ({n.taken_text})" if n.taken else " to audit"))
            return 0
        if a.action == "draw":
            from .. import sample_designs

            run = sample_designs.draw(db, a.design, a.audit, a.seed, who=a.user or "")
            print(run.text)
            return 0
        if a.action in ("close", "reopen"):
            reopen = a.action == "reopen"
            with db.session() as s:
                was = resolve(s, a.name).closed_at
                done = close_audit(s, a.name, who=a.user or "", reopen=reopen)
                name = audit_name(done)
            if reopen and was is None:
                print(f"The audit '{name}' is already open: nothing changed")
            elif not reopen and was is not None:
                print(f"The audit '{name}' was already closed (on {display(was)}): nothing changed")
            else:
                print(f"{'Reopened' if reopen else 'Closed'} the audit '{name}'")
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
                  f"{state:<6}  {_count(x.samples, 'sample')}, {_count(x.items, 'record')} drawn, "
                  f"{x.verdicts:,} with verdicts{mark}")
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
    asg.add_argument("--audit", metavar="NAME",
                     help="the sample's audit, checked (default: the sample's own: sample names are unique)")
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
                    print(f"{d.name}: {_count(len(d.samples), 'sample')}"
                          + (f" ({d.description})" if d.description else ""))
                for name, why in sorted(sample_designs.broken_designs(s).items(), key=lambda x: x[0].casefold()):
                    print(f"{name}: not usable: {why}")
                return 0
            if a.action == "show":
                print(json.dumps(sample_designs.design(s, a.name).to_json(), indent=2))
                return 0
            if a.from_audit is not None and a.file:
                print("cdi design save: give --from-audit AUDIT or --file DESIGN.json, not both", file=sys.stderr)
                return 2
            if a.from_audit is not None:
                d = sample_designs.design_of_audit(s, a.from_audit or None, a.name)
            elif a.file:
                try:
                    d = sample_designs.Design.from_json({**_design_file(a.file), "name": a.name}, a.file)
                except _FileProblem as exc:
                    print(f"cdi design save: {exc}", file=sys.stderr)
                    return 2
            else:
                print("cdi design save: give --from-audit AUDIT or --file DESIGN.json", file=sys.stderr)
                return 2
            known = {x.name.casefold() for x in sample_designs.designs(s)}
            known |= {x.casefold() for x in sample_designs.broken_designs(s)}
            there = d.name.strip().casefold() in known
            try:
                sample_designs.save_design(s, d, who=a.user or "", replace=a.replace)
            except ValueError as exc:
                if there and not a.replace:  # the refusal of a name in use: say how to replace it
                    raise ValueError(f"{exc} (--replace)") from None
                raise
            print(f"{'Replaced' if there else 'Saved'} the design '{d.name}': {_count(len(d.samples), 'sample')}")
            return 0
    finally:
        db.close()


class _FileProblem(Exception):
    """A design file that cannot be read as a design, with a message naming it."""


def _design_file(path: str) -> dict[str, Any]:
    """The JSON object a design file holds; _FileProblem (naming the file, and the line and column of invalid
    JSON) when it cannot be read, is not JSON, or holds something other than an object."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise _FileProblem(f"{path}: no such file") from None
    except IsADirectoryError:
        raise _FileProblem(f"{path}: a folder, not a design file") from None
    except OSError as exc:
        raise _FileProblem(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise _FileProblem(f"{path}: not a text file (UTF-8 JSON expected)") from None
    except json.JSONDecodeError as exc:
        raise _FileProblem(f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})") from None
    if not isinstance(data, dict):
        raise _FileProblem(f"{path}: a design is a JSON object with a list of samples (the shape `cdi design show` "
                           f"prints), not a {type(data).__name__}")
    return data


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
    save.add_argument("--replace", action="store_true",
                      help="replace a design of the same name (the shipped one included); else it is refused")
    sp.set_defaults(func=cmd_design)


COMMANDS = {"audit": add_audit, "design": add_design}


def register(subparsers: Any) -> None:
    for add in COMMANDS.values():
        add(subparsers)
