"""`cdi config codes|disposal-types|checks`: the force's local configuration without code (local_config; issue 14):
its sub-codes mapped to Home Office codes, its disposal types mapped to the national ones, its own extra checks."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import local_config
from ..classification import lookup
from ..storage.database import Database


def _pairs(items: list[str], form: str) -> dict[str, str | None]:
    """NAME=VALUE arguments -> {name: value} (an empty value: None, remove)."""
    out: dict[str, str | None] = {}
    for item in items:
        if "=" not in item:
            raise local_config.ConfigError(f"{item!r}: write {form} (nothing after '=' removes it)")
        name, value = item.split("=", 1)
        out[name.strip()] = value.strip() or None
    return out


def _codes(db: Database, a: argparse.Namespace) -> None:
    config = (local_config.set_codes(db, _pairs(a.pairs, "SUBCODE=HOCODE, e.g. 8N/01=8N"), who=a.user or "")
              if a.pairs else local_config.load(db))
    if a.pairs:
        print(f"Sub-codes kept: {len(config.codes)}")
    if not config.codes:
        print("No sub-codes mapped.")
    for sub, ho in sorted(config.codes.items()):
        found = lookup(ho)
        print(f"{sub} = {found.display if found else ho}")


def _types(db: Database, a: argparse.Namespace) -> None:
    config = (local_config.set_disposal_types(db, _pairs(a.pairs, "LOCAL=NATIONAL, e.g. 'Adult caution=Caution'"),
                                              who=a.user or "")
              if a.pairs else local_config.load(db))
    if a.pairs:
        print(f"Disposal types kept: {len(config.disposal_types)}")
    if not config.disposal_types:
        print("No disposal types mapped (the national types: "
              f"{', '.join(local_config.NATIONAL_DISPOSAL_TYPES)}).")
    for local, national in sorted(config.disposal_types.items(), key=lambda kv: kv[0].lower()):
        print(f"{local} = {national}")


def _checks(db: Database, a: argparse.Namespace) -> None:
    if a.action == "add":
        c = local_config.add_check(db, a.kind, a.key, a.label, a.question, who=a.user or "")
        print(f"Added the check {c.key} to {c.kind} records: '{c.question}' (column '{c.label}')")
        return
    if a.action == "remove":
        local_config.remove_check(db, a.kind, a.key, who=a.user or "")
        print(f"Removed the check {a.key} of {a.kind} records (answers already given are kept, no longer reported)")
        return
    checks = local_config.load(db).checks
    if not checks:
        print("No extra checks.")
    for c in checks:
        print(f"{c.kind}  {c.key}  {c.label}: {c.question}")


def cmd_config(a: argparse.Namespace) -> int:
    db = Database(a.db)
    try:
        {"codes": _codes, "disposal-types": _types, "checks": _checks}[a.what](db, a)
        return 0
    except local_config.ConfigError as exc:
        print(f"cdi config: {exc}", file=sys.stderr)
        return 2
    finally:
        db.close()


def add_config(sub: Any) -> None:
    sp = sub.add_parser("config", help="the force's local configuration: sub-codes, disposal types, extra checks")
    what = sp.add_subparsers(dest="what", required=True)
    codes = what.add_parser("codes", help="the force's sub-codes mapped to Home Office codes (no pairs: list them)")
    codes.add_argument("db")
    codes.add_argument("pairs", nargs="*", metavar="SUBCODE=HOCODE",
                       help="e.g. 8N/01=8N; SUBCODE= removes it (the lead's)")
    types = what.add_parser("disposal-types",
                            help="the force's disposal types mapped to the national ones (no pairs: list them)")
    types.add_argument("db")
    types.add_argument("pairs", nargs="*", metavar="LOCAL=NATIONAL",
                       help="NATIONAL one of: " + ", ".join(local_config.NATIONAL_DISPOSAL_TYPES)
                            + "; LOCAL= removes it (the lead's)")
    checks = what.add_parser("checks", help="the force's own yes/no checks of a record kind: list, add, remove")
    checks.add_argument("db")
    act = checks.add_subparsers(dest="action", required=True)
    act.add_parser("list", help="the extra checks, kind by kind")
    add = act.add_parser("add", help="add a yes/no check (passes on yes) to a kind (the lead's)")
    add.add_argument("kind", choices=local_config.CHECK_KINDS)
    add.add_argument("key", help="snake_case, e.g. interpreter_used: its column in verdict files and JSON figures")
    add.add_argument("--label", required=True, help="the report's column, e.g. 'Interpreter used'")
    add.add_argument("--question", required=True, help="what the auditor is asked, answered yes or no")
    rm = act.add_parser("remove", help="remove an extra check (the lead's)")
    rm.add_argument("kind", choices=local_config.CHECK_KINDS)
    rm.add_argument("key")
    sp.set_defaults(func=cmd_config)


COMMANDS = {"config": add_config}


def register(sub: Any) -> None:
    for add in COMMANDS.values():
        add(sub)


def main(argv: list[str], user: str = "") -> int:
    """`cdi [--user USER] config ...` on its own (tests; `cdi` itself adds the command through COMMANDS)."""
    from ..audit.roles import NotAllowed

    p = argparse.ArgumentParser(prog="cdi")
    p.add_argument("--user", help="who is acting")
    sub = p.add_subparsers(dest="command", required=True)
    register(sub)
    a = p.parse_args([*(["--user", user] if user else []), "config", *argv])
    try:
        return int(a.func(a))
    except NotAllowed as exc:
        print(f"cdi: not allowed: {exc}", file=sys.stderr)
        return 4
