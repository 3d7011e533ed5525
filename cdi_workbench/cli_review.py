"""`cdi users ...` (people and roles) and `cdi review ...` (assigning peer reviews, disagreements, decisions).

cdi_workbench.cli adds them with `register(subparsers)`. Who is acting comes from the global --user (on
PostgreSQL, from the database login).
"""

from __future__ import annotations

import argparse
from typing import Any

from .audit import review
from .audit.people import add_person, create_login, people, set_active
from .audit.roles import ROLES
from .audit.service import AuditService
from .storage.database import Database
from .timeutil import display


def _positions(svc: AuditService, sample: str, positions: str) -> tuple[int, list[int]]:
    from .packages import parse_positions

    sid = _sample_id(svc, sample)
    wanted = set(parse_positions(positions)) if positions else set()
    rows = svc.queue(sid)
    return sid, [r.item_id for r in rows if r.position in wanted]


def _sample_id(svc: AuditService, name: str) -> int:
    for smp in svc.samples():
        if smp.name == name:
            return smp.id
    raise ValueError(f"no sample called {name!r}")


def cmd_users(a: argparse.Namespace) -> int:
    db = Database(a.db)
    try:
        if a.users_command == "add":
            if a.create_login:
                create_login(db, a.login or a.name, a.password)
            add_person(db, a.user or "", a.name, a.role, a.login)
            print(f"Registered {a.name} as {ROLES[a.role].lower()}" + (f" (login {a.login})" if a.login else ""))
        elif a.users_command in ("deactivate", "activate"):
            set_active(db, a.user or "", a.name, a.users_command == "activate")
            print(f"{a.name}: {'active' if a.users_command == 'activate' else 'no longer works on this audit'}")
        else:
            rows = people(db)
            if not rows:
                print("Nobody is registered: single-user mode (whoever opens the database may do everything).")
            print(f"{'Name':30} {'Role':15} {'Database login':15} State")
            for p in rows:
                print(f"{p.name:30} {ROLES[p.role]:15} {p.login or '(none)':15} "
                      f"{'active' if p.active else 'inactive'}")
        return 0
    finally:
        db.close()


def cmd_review(a: argparse.Namespace) -> int:
    db = Database(a.db)
    svc = AuditService(db, a.user or "")
    try:
        if a.review_command == "assign":
            sid, picked = _positions(svc, a.sample, a.positions or "")
            done = review.assign(svc, sid, a.basis, a.reviewer, a.mode, share=a.share, seed=a.seed,
                                 item_ids=picked)
            print(f"Assigned {len(done)} record(s) of '{a.sample}' to {a.reviewer} for {a.mode} review "
                  f"({review.BASES[a.basis]})")
        elif a.review_command == "status":
            only = _sample_id(svc, a.sample) if a.sample else None
            for r in review.assignments(svc, only):
                print(f"{r.position:>5} {r.ref:24} {r.reviewer:20} {r.mode:6} {r.basis:8} {r.state:14} "
                      f"assigned {display(r.assigned_at)} by {r.assigned_by}")
        elif a.review_command == "disagreements":
            rows = review.disagreements(svc)
            if not rows:
                print("No undecided disagreements.")
            for c in rows:
                _print_comparison(c)
        else:  # decide
            sid, picked = _positions(svc, a.sample, str(a.position))
            if not picked:
                raise ValueError(f"no record at position {a.position} of '{a.sample}'")
            review.adjudicate(svc, picked[0], a.take, a.reason)
            print(f"Final verdict on position {a.position} of '{a.sample}': "
                  f"{'the auditor' if a.take == 'primary' else 'the reviewer'}'s, with your reason")
        return 0
    finally:
        db.close()


def _print_comparison(c: review.Comparison, out: Any = None) -> None:
    print(f"{c.kind} {c.ref} (item {c.item_id}): auditor {c.auditor}, reviewer {c.reviewer}", file=out)
    for d in c.diffs:
        print(f"    {d.label:44} auditor: {d.ours:24} reviewer: {d.theirs}", file=out)
    print(f"    auditor's rationale:  {c.auditor_rationale or '(none)'}", file=out)
    print(f"    reviewer's rationale: {c.reviewer_rationale or '(none)'}", file=out)


def register(subparsers: Any) -> None:
    sp = subparsers.add_parser("users", help="people who work on the audit and their roles")
    sub = sp.add_subparsers(dest="users_command", required=True)
    add = sub.add_parser("add", help="register a person (the first must be the audit lead)")
    add.add_argument("db")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=list(ROLES))
    add.add_argument("--login", help="their PostgreSQL login (shared server)")
    add.add_argument("--create-login", action="store_true", help="PostgreSQL: create the login role too")
    add.add_argument("--password", help="password for a login created with --create-login")
    for name in ("list",):
        p = sub.add_parser(name, help="who is registered")
        p.add_argument("db")
    for name in ("deactivate", "activate"):
        p = sub.add_parser(name, help=f"{name} a person (history keeps their work)")
        p.add_argument("db")
        p.add_argument("name")
    sp.set_defaults(func=cmd_users)

    sp = subparsers.add_parser("review", help="peer review: assign records, see disagreements, decide")
    sub = sp.add_subparsers(dest="review_command", required=True)
    p = sub.add_parser("assign", help="give records of a sample to a peer reviewer (the lead)")
    p.add_argument("db")
    p.add_argument("--sample", required=True)
    p.add_argument("--basis", required=True, choices=list(review.BASES))
    p.add_argument("--reviewer", required=True)
    p.add_argument("--mode", choices=list(review.MODES), default="blind")
    p.add_argument("--share", type=float, help="random: a proportion (0.1) or a number of records (20)")
    p.add_argument("--seed", type=int, default=0, help="random: the seed, so the choice can be repeated")
    p.add_argument("--positions", help="hand: positions in the sample, e.g. 1-5,9")
    p = sub.add_parser("status", help="assignments and where each review stands")
    p.add_argument("db")
    p.add_argument("--sample")
    p = sub.add_parser("disagreements", help="records where the review differs from the first verdict")
    p.add_argument("db")
    p = sub.add_parser("decide", help="the lead's decision on a disagreement: the final verdict")
    p.add_argument("db")
    p.add_argument("--sample", required=True)
    p.add_argument("--position", type=int, required=True)
    p.add_argument("--take", required=True, choices=["primary", "review"])
    p.add_argument("--reason", required=True)
    sp.set_defaults(func=cmd_review)
    register_history(subparsers)


def cmd_history(a: argparse.Namespace) -> int:
    """Every change to one record's verdicts, assignment and decisions, oldest first (CSV to a file or stdout)."""
    import csv
    import json
    import sys

    db = Database(a.db)
    try:
        svc = AuditService(db, a.user or "")
        sid = _sample_id(svc, a.sample)
        row = next((r for r in svc.queue(sid) if r.position == a.position), None)
        if row is None:
            raise ValueError(f"no record at position {a.position} of '{a.sample}'")
        changes = svc.history(row.item_id)
    finally:
        db.close()
    fh = open(a.csv, "w", newline="", encoding="utf-8") if a.csv else sys.stdout  # noqa: SIM115
    try:
        w = csv.writer(fh)
        w.writerow(["when", "who", "role", "action", "old", "new", "reason", "hash"])
        for ch in changes:
            w.writerow([display(ch.at), ch.who, ch.role, ch.action, json.dumps(ch.old_body, ensure_ascii=False),
                        json.dumps(ch.new_body, ensure_ascii=False), ch.reason, ch.hash or ""])
    finally:
        if a.csv:
            fh.close()
    return 0


def register_history(subparsers: Any) -> None:
    p = subparsers.add_parser("history", help="one record's history: every change, who, when, why (CSV)")
    p.add_argument("db")
    p.add_argument("--sample", required=True)
    p.add_argument("--position", type=int, required=True)
    p.add_argument("--csv", metavar="FILE", help="write to FILE instead of the screen")
    p.set_defaults(func=cmd_history)
