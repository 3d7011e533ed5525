"""`cdi init`, `cdi info`, `cdi verify`, `cdi backup` (the audit database) and `cdi users` (people and roles)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ..audit.people import add_person, create_login, people, set_active, set_role
from ..audit.roles import ROLES
from ..audit.service import AuditService
from ..audit.setup import init_audit
from ..storage.database import Database
from ..storage.models import N100, Cancellation, CrimeRecord, Disposal, ReportRecord


def _date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD or dd/mm/yyyy)")


def cmd_init(a: argparse.Namespace) -> int:
    from .encryption import new_encrypted

    made = new_encrypted(a.db) if a.encrypt else None  # the empty encrypted file, its key kept for init_audit
    try:
        db = init_audit(a.db, a.force, a.period_start, a.period_end, a.rules, created_by=a.user or "")
    except BaseException:
        if made is not None:
            made.unlink(missing_ok=True)
        raise
    db.close()
    print(f"Created {a.db}: {a.force}, {a.period_start:%d/%m/%Y} to {a.period_end:%d/%m/%Y}, {a.rules} rules"
          + (" (encrypted: it opens only with its passphrase)" if made is not None else ""))
    return 0


def info_dict(db: Database, audit: str | None = None) -> dict:
    """What the database holds: one audit of the programme (`audit`; None: the latest) with its samples and their
    progress, how many audits the programme holds, and the records imported (the programme's: every audit whose
    period covers a record draws from it)."""
    from ..audit.programme import listing

    svc = AuditService(db, audit=audit)
    info = svc.info()
    samples = svc.samples()
    audits = len(listing(db))
    with db.session() as s:
        reports = {f"{k}:{sys_}": n for k, sys_, n in s.execute(
            select(ReportRecord.kind, ReportRecord.system, func.count()).group_by(ReportRecord.kind,
                                                                                 ReportRecord.system))}
        counts = {
            "crimes": s.scalar(select(func.count()).select_from(CrimeRecord)),
            "disposals": s.scalar(select(func.count()).select_from(Disposal)),
            "cancellations": s.scalar(select(func.count()).select_from(Cancellation)),
            "n100": s.scalar(select(func.count()).select_from(N100)),
        }
    return {
        "audit": info.name, "audits": audits, "closed": info.closed,
        "force": info.force, "period_start": info.period_start.isoformat(),
        "period_end": info.period_end.isoformat(), "rule_set": info.rules.key,
        "limit_hours": info.rules.limit_hours,
        "records": {"incidents": sum(n for k, n in reports.items() if k.startswith("incident:")),
                    "referrals": {k.split(":", 1)[1]: n for k, n in reports.items() if k.startswith("referral:")},
                    **counts},
        "samples": [{"name": smp.name, "kind": smp.kind, "system": smp.system, "size": smp.size,
                     "done": smp.done, "method": smp.method} for smp in samples],
        "progress": {"items": sum(smp.size for smp in samples), "done": sum(smp.done for smp in samples)},
    }


def cmd_info(a: argparse.Namespace) -> int:
    db = Database(a.db)
    try:
        data = info_dict(db, a.audit)
    finally:
        db.close()
    if a.json:
        print(json.dumps(data, indent=2))
        return 0
    start, end = (date.fromisoformat(data[k]).strftime("%d/%m/%Y") for k in ("period_start", "period_end"))
    n = data["audits"]
    print(f"Audit '{data['audit']}'" + (" (closed)" if data["closed"] else "") + ": "
          + ("the only audit in this programme" if n == 1 else f"one of {n} audits in this programme: cdi audit list"))
    print(f"{data['force']}: {start} to {end}, {data['rule_set']} rules "
          f"({data['limit_hours']}-hour limit)")
    rec = data["records"]
    print(f"Records imported (the programme's): incidents {rec['incidents']}, crimes {rec['crimes']}, "
          f"disposals {rec['disposals']}, cancellations {rec['cancellations']}, N100s {rec['n100']}")
    for system, n in sorted(rec["referrals"].items()):
        print(f"Referrals ({system}) {n}")
    for smp in data["samples"]:
        print(f"Sample '{smp['name']}': {smp['size']} {smp['kind']} record{'' if smp['size'] == 1 else 's'}, "
              f"{smp['done']} done ({smp['method']})")
    if not data["samples"]:
        print("No samples drawn for this audit yet")
    print(f"Progress: {data['progress']['done']} of {data['progress']['items']} records audited")
    return 0


def cmd_backup(a: argparse.Namespace) -> int:
    from ..backup import backup

    path = backup(a.db, a.file, a.user or "", overwrite=a.force)  # refusals are DatabaseErrors: status 1
    print(f"Saved a copy of {a.db} to {path} (every verdict, the log included; check it with: cdi verify {path})")
    return 0


def cmd_verify(a: argparse.Namespace) -> int:
    from ..audit.anchor import check, head_text, read_anchor
    from ..audit.trail import trail_head, verify

    public, signed = None, None
    try:
        anchor = read_anchor(a.against) if a.against else None
        if a.public_key:
            from ..audit.signing import load_public

            if anchor is None:
                print("cdi verify: --public-key checks the signature of a report: give it with --against REPORT.json",
                      file=sys.stderr)
                return 2
            public = load_public(Path(a.public_key))
    except ValueError as exc:  # AnchorError, SigningError
        print(f"cdi verify: {exc}", file=sys.stderr)
        return 2
    db = Database(a.db)
    try:
        with db.snapshot() as s:
            problems = verify(s)
            rows, head = trail_head(s)
            checked = check(s, anchor) if anchor is not None else None
            if public is not None and anchor is not None:
                from ..audit.signing import check_report

                signed = check_report(s, a.against, anchor, public)
    finally:
        db.close()
    print(f"{a.db}: trail head {head_text(rows, head)}")
    if not problems:
        print(f"{a.db}: the audit trail is intact (hash chain and verdicts agree; so do the verdicts' authors, "
              "completeness and counts, the samples and the records, the programme's audits and the work given out)")
    else:
        print(f"{a.db}: the audit trail has been tampered with outside the application:", file=sys.stderr)
        for p in problems[:50]:
            print(f"  {p}", file=sys.stderr)
        if len(problems) > 50:
            print(f"  ... and {len(problems) - 50} more", file=sys.stderr)
    if checked is not None:
        if checked.intact:
            print(f"{a.db}: against {a.against}: {checked.message}")
        else:
            print(f"{a.db}: against {a.against}: {checked.message}", file=sys.stderr)
    if signed is not None:
        print(f"{a.db}: {a.against}: {signed.message}", file=sys.stdout if signed.valid else sys.stderr)
    return 0 if not problems and (checked is None or checked.intact) and (signed is None or signed.valid) else 1


def cmd_users(a: argparse.Namespace) -> int:
    db = Database(a.db)
    try:
        if a.users_command == "add":
            if a.create_login:
                create_login(db, a.login or a.name, a.password)
            add_person(db, a.user or "", a.name, a.role, a.login)
            print(f"Registered {a.name} as {ROLES[a.role].lower()}" + (f" (login {a.login})" if a.login else ""))
        elif a.users_command in ("deactivate", "activate"):
            set_active(db, a.user or "", a.name, a.users_command == "activate", a.reason)
            print(f"{a.name}: {'active' if a.users_command == 'activate' else 'no longer works on this audit'}")
        elif a.users_command == "role":
            set_role(db, a.user or "", a.name, a.role, a.reason)
            print(f"{a.name}: now {ROLES[a.role].lower()} (in the audit trail, with the reason)")
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


# ---- the parsers -----------------------------------------------------------------------------------------------
def add_init(sub: Any) -> None:
    sp = sub.add_parser("init", help="create an audit database")
    sp.add_argument("db")
    sp.add_argument("--force", required=True, help="the force audited")
    sp.add_argument("--period-start", required=True, type=_date)
    sp.add_argument("--period-end", required=True, type=_date)
    sp.add_argument("--rules", required=True, choices=["2014", "2015"])
    sp.add_argument("--encrypt", action="store_true", help="encrypt it (SQLCipher) with a passphrase from "
                                                          "CDI_PASSPHRASE, else asked for twice (never on the command "
                                                          "line)")
    sp.set_defaults(func=cmd_init)


def add_info(sub: Any) -> None:
    sp = sub.add_parser("info", help="what the database holds: one audit of the programme, its samples and progress")
    sp.add_argument("db")
    sp.add_argument("--audit", metavar="NAME", help="which audit (default: the latest)")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_info)


def add_backup(sub: Any) -> None:
    sp = sub.add_parser("backup", help="save a consistent copy of an audit database (SQLite's backup API)")
    sp.add_argument("db")
    sp.add_argument("file", help="the copy to write")
    sp.add_argument("--force", action="store_true", help="replace FILE if it exists")
    sp.set_defaults(func=cmd_backup)


def add_verify(sub: Any) -> None:
    sp = sub.add_parser("verify", help="check the audit trail has not been changed outside the application")
    sp.add_argument("db")
    sp.add_argument("--against", metavar="REPORT.json|PACKAGE|HASH:COUNT",
                    help="also prove that the history a findings JSON report or a package issued (the trail head it "
                         "carries), or HASH:COUNT as a PDF or Excel report prints it, is still the first rows of the "
                         "history, unchanged (a rewrite, a cut or a wipe fails)")
    sp.add_argument("--public-key", metavar="PUB",
                    help="also check that the findings JSON report given with --against is signed (cdi sign) by "
                         "this public key (cdi keys new wrote it beside the private key) over its own head, figures "
                         "and this database: an altered head or report, another key or no signature fails")
    sp.set_defaults(func=cmd_verify)


def add_users(subparsers: Any) -> None:
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
        p = sub.add_parser(name, help=f"{name} a person (history keeps their work; the lead, with a reason)")
        p.add_argument("db")
        p.add_argument("name")
        p.add_argument("--reason", required=True, help="why (it goes in the audit trail)")
    p = sub.add_parser("role", help="give a person another role (the lead, with a reason, into the audit trail)")
    p.add_argument("db")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=list(ROLES))
    p.add_argument("--reason", required=True, help="why (it goes in the audit trail)")
    sp.set_defaults(func=cmd_users)


COMMANDS = {"init": add_init, "info": add_info, "backup": add_backup, "verify": add_verify, "users": add_users}


def register(subparsers: Any) -> None:
    """Add init, info, backup, verify and users to the `cdi` command's subparsers."""
    for add in COMMANDS.values():
        add(subparsers)
