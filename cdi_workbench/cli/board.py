"""`cdi board-pack` (the board's PDF and workbook: reports.board_pack), `cdi targets` (the force's target per
figure), `cdi actions list|add|update` (the board's actions log) and `cdi trends` (each figure's series with
intervals, the p-chart and the test of change, in words); issue 14. The role checks are the core's: the lead sets
targets and actions (programme_figures), reading any of it needs 'report' (the lead or an auditor)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..statistics import METHODS
from ..storage.database import Database
from .audit import _date

METHOD_CHOICES = list(METHODS)


def _require_report(db: Database, who: str) -> None:
    from ..audit.roles import require

    require(db, who, "report")


# ---- board-pack ---------------------------------------------------------------------------------------------------
def cmd_board_pack(a: argparse.Namespace) -> int:
    from ..audit.exports import exported
    from ..reports.board_pack import board_pack
    from ..reports.protect import ExportPasswordNeeded, export_password

    if not (a.pdf or a.xlsx):
        print("cdi board-pack: say what to write: --pdf FILE and/or --xlsx FILE", file=sys.stderr)
        return 2
    for path, suffix in ((a.pdf, ".pdf"), (a.xlsx, ".xlsx")):
        if path and Path(path).suffix.lower() != suffix:
            print(f"cdi board-pack: name the {suffix.lstrip('.').upper()} file {suffix} ({path})", file=sys.stderr)
            return 2
    password = None
    if a.protect:  # from CDI_EXPORT_PASSWORD or the prompt, never from argv
        try:
            password = export_password()
        except ExportPasswordNeeded as exc:
            print(f"cdi board-pack: {exc}", file=sys.stderr)
            return 2
    db = Database(a.db)
    try:
        who = a.user or ""
        pack = board_pack(db, audit=a.audit, method=a.method, who=who)
        done = " (password-protected)" if password else ""
        if a.pdf:
            from ..reports.board_pack_pdf import write_board_pdf

            exported(db, who, "report", "the board pack", a.pdf, lambda _p: write_board_pdf(pack, a.pdf, password))
            print(f"Wrote {a.pdf}{done}")
        if a.xlsx:
            from ..reports.board_pack_excel import write_board_xlsx

            exported(db, who, "report", "the board pack", a.xlsx,
                     lambda _p: write_board_xlsx(pack, a.xlsx, password))
            print(f"Wrote {a.xlsx}{done}")
    finally:
        db.close()
    if pack.provisional:
        print(f"Note: {pack.provisional_text}", file=sys.stderr)
    return 0


def add_board_pack(sub: Any) -> None:
    sp = sub.add_parser("board-pack", help="the board pack: key rates against the force's targets (red/amber/green "
                                           "by the interval), trends, by unit, completion, actions (PDF and Excel)")
    sp.add_argument("db")
    sp.add_argument("--pdf", help="write the PDF here")
    sp.add_argument("--xlsx", help="write the workbook here")
    sp.add_argument("--audit", metavar="NAME", help="the audit the pack is for (default: the latest)")
    sp.add_argument("--method", choices=METHOD_CHOICES, default="normal",
                    help="interval beside each rate (default: normal, as inspections publish)")
    sp.add_argument("--protect", action="store_true",
                    help="protect the files with a password, taken from CDI_EXPORT_PASSWORD or else asked for twice "
                         "(never given on the command line)")
    sp.set_defaults(func=cmd_board_pack)


# ---- targets ------------------------------------------------------------------------------------------------------
def parse_targets(items: list[str]) -> dict[str, float | None]:
    """FIGURE=PCT (FIGURE= clears) as set_targets takes them; ValueError naming what is wrong."""
    from ..trends import FIGURES

    out: dict[str, float | None] = {}
    for item in items:
        figure, eq, pct = item.partition("=")
        figure = figure.strip()
        if not eq or figure not in FIGURES:
            raise ValueError(f"{item!r}: give FIGURE=PERCENT (FIGURE= clears it), a figure one of: "
                             f"{', '.join(FIGURES)}")
        text = pct.strip().rstrip("%").strip()
        if not text:
            out[figure] = None
            continue
        try:
            out[figure] = float(text)
        except ValueError:
            raise ValueError(f"{item!r}: the target is a percentage, e.g. {figure}=90") from None
    return out


def cmd_targets(a: argparse.Namespace) -> int:
    from ..programme_figures import set_targets, targets
    from ..trends import figure_label

    db = Database(a.db)
    try:
        if a.figures:
            try:
                wanted = parse_targets(a.figures)
            except ValueError as exc:
                print(f"cdi targets: {exc}", file=sys.stderr)
                return 2
            set_targets(db, wanted, who=a.user or "")
            for figure, pct in wanted.items():
                print(f"{figure}: " + ("target cleared" if pct is None else f"target {pct:g}%"))
            return 0
        _require_report(db, a.user or "")
        kept = targets(db)
    finally:
        db.close()
    if not kept:
        print("No targets set. Set one with: cdi targets DB recording_rates.all=90")
    for figure, pct in sorted(kept.items()):
        print(f"{figure}  {pct:g}%  ({figure_label(figure)})")
    return 0


def add_targets(sub: Any) -> None:
    sp = sub.add_parser("targets", help="the force's target per figure (the board pack's red/amber/green): list, "
                                        "set or clear (the lead)")
    sp.add_argument("db")
    sp.add_argument("figures", nargs="*", metavar="FIGURE=PCT",
                    help="e.g. recording_rates.all=90 timeliness.all=85 (FIGURE= clears it); none: list the targets")
    sp.set_defaults(func=cmd_targets)


# ---- actions ------------------------------------------------------------------------------------------------------
def _action_line(act: Any) -> str:  # noqa: ANN401 (a programme_figures.Action)
    from datetime import date

    due = f"{date.fromisoformat(act.due):%d/%m/%Y}"
    flag = "  OVERDUE" if act.overdue else ""
    return (f"{act.number:>3}  {act.status:<11}  due {due}{flag}  owner {act.owner}  (raised in {act.raised_in})\n"
            f"     {act.recommendation}")


def cmd_actions(a: argparse.Namespace) -> int:
    from ..programme_figures import actions, add_action, update_action

    db = Database(a.db)
    try:
        who = a.user or ""
        if a.action == "add":
            made = add_action(db, a.recommendation, a.owner, a.due, who=who, audit=a.audit)
            print(f"Added action {made.number}:\n{_action_line(made)}")
            return 0
        if a.action == "update":
            if a.status is None and a.owner is None and a.due is None:
                print("cdi actions update: say what changes: --status, --owner and/or --due", file=sys.stderr)
                return 2
            changed = update_action(db, a.number, who=who, status=a.status, owner=a.owner, due=a.due)
            print(f"Updated action {changed.number}:\n{_action_line(changed)}")
            return 0
        _require_report(db, who)
        log = actions(db)
    finally:
        db.close()
    if a.json:
        print(json.dumps({"actions": [{**vars(x), "overdue": x.overdue} for x in log]}, indent=2))
        return 0
    if not log:
        print("No actions logged.")
    for x in log:
        print(_action_line(x))
    return 0


def add_actions(sub: Any) -> None:
    from ..programme_figures import STATUSES

    sp = sub.add_parser("actions", help="the board's actions log, carried from month to month: list, add, update")
    act = sp.add_subparsers(dest="action", required=True)
    lst = act.add_parser("list", help="every action, overdue ones marked")
    lst.add_argument("db")
    lst.add_argument("--json", action="store_true", help="as JSON: {\"actions\": [...]}")
    add = act.add_parser("add", help="log a recommendation (the lead)")
    add.add_argument("db")
    add.add_argument("--recommendation", required=True)
    add.add_argument("--owner", required=True)
    add.add_argument("--due", type=_date, required=True, help="YYYY-MM-DD or dd/mm/yyyy")
    add.add_argument("--audit", metavar="NAME", help="the audit it was raised in (default: the latest)")
    upd = act.add_parser("update", help="change an action's status, owner or due date (the lead)")
    upd.add_argument("db")
    upd.add_argument("number", type=int)
    upd.add_argument("--status", choices=list(STATUSES))
    upd.add_argument("--owner")
    upd.add_argument("--due", type=_date, help="YYYY-MM-DD or dd/mm/yyyy")
    sp.set_defaults(func=cmd_actions)


# ---- trends -------------------------------------------------------------------------------------------------------
def trend_document(db: Database, figures: list[str], window: str, method: str,
                   audit: str | None = None) -> dict[str, Any]:
    """Each figure's series (one row per audit with plain numbers), breaks, p-chart and change test, as data: the
    window seen from the audit called `audit` (None: the latest), its latest change that of the last audit shown."""
    from ..audit.programme import resolve
    from ..reports.board_pack import window_figures
    from ..trends import figure_label, window_of, window_trend

    with db.session() as ses:
        name = resolve(ses, audit).name
    figs = window_figures(db, method, name, window)  # the window's audits and the one before
    chosen, context = window_of([f.point for f in figs], window, name)
    unfinished = {f.name: f"{f.completion.audited:,} of {f.completion.drawn:,} records audited" for f in figs
                  if not f.completion.finished}
    out = []
    for figure in figures:
        s, last, scan, chart = window_trend(chosen, context, figure, method, window)
        out.append({"figure": figure, "label": figure_label(figure), "window": window, "method": s.method_text,
                    "points": [{**r, "provisional": r["audit"] in unfinished} for r in s.rows()],
                    "provisional": {n: t for n, t in unfinished.items() if n in {p.name for p in s.points}},
                    "breaks": [b.text for b in s.breaks], "series_text": s.text,
                    "p_chart": chart.text, "signals": [p.name for p in chart.signals], "changes": scan.text,
                    "flagged": [f"{c.before} to {c.after}" for c in scan.flagged],
                    "latest_change": last.describe() if last is not None else "fewer than two audits"})
    return {"window": window, "method": method, "figures": out}


def cmd_trends(a: argparse.Namespace) -> int:
    from ..programme_figures import KEY_FIGURES
    from ..trends import FIGURES

    figures = a.figure or list(KEY_FIGURES)
    unknown = [f for f in figures if f not in FIGURES]
    if unknown:
        print(f"cdi trends: no figure {', '.join(map(repr, unknown))}: one of {', '.join(FIGURES)}", file=sys.stderr)
        return 2
    db = Database(a.db)
    try:
        _require_report(db, a.user or "")
        doc = trend_document(db, figures, a.window, a.method, a.audit)
    finally:
        db.close()
    if a.json:
        from ..spreadsheets import write_atomically

        write_atomically(a.json, lambda tmp: tmp.write_text(json.dumps(doc, indent=2), encoding="utf-8"))
        print(f"Wrote {a.json}")
    for f in doc["figures"]:
        print(f"{f['label']} ({f['figure']}), {f['method']}:")
        seg = 0
        breaks = iter(f["breaks"])
        for p in f["points"]:
            if p["segment"] != seg:
                seg = p["segment"]
                print(f"  -- {next(breaks, 'the series breaks')}")
            k, n = p["k"], p["n"]
            mark = f"  PROVISIONAL: {f['provisional'][p['audit']]}" if p["provisional"] else ""
            print(f"  {p['audit']:<12} {p['period_start']} to {p['period_end']}  {k:>6,} of {n:<6,}  {p['text']}{mark}")
        if not f["points"]:
            print("  no audits")
        print(f"  Latest change: {f['latest_change']}")
        print(f"  {f['p_chart']}")
        print(f"  {f['changes']}")
        print()
    return 0


def add_trends(sub: Any) -> None:
    from ..trends import WINDOWS

    sp = sub.add_parser("trends", help="each figure across the programme's audits with intervals, the p-chart and "
                                       "the test of change in words")
    sp.add_argument("db")
    sp.add_argument("--figure", action="append", metavar="F",
                    help="a figure as the findings JSON names it, e.g. recording_rates.all (repeat for more; "
                         "default: the board pack's key figures)")
    sp.add_argument("--window", choices=list(WINDOWS), default="last_12_months",
                    help="which audits (default: last_12_months)")
    sp.add_argument("--method", choices=METHOD_CHOICES, default="normal", help="the interval (default: normal)")
    sp.add_argument("--audit", metavar="NAME", help="the trend as seen from this audit: the window ends with it "
                                                    "(default: the latest)")
    sp.add_argument("--json", metavar="F", help="also write the series as JSON (plain numbers) to F")
    sp.set_defaults(func=cmd_trends)


COMMANDS = {"board-pack": add_board_pack, "targets": add_targets, "actions": add_actions, "trends": add_trends}


def register(subparsers: Any) -> None:
    for add in COMMANDS.values():
        add(subparsers)
