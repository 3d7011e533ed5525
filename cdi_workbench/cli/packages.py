"""`cdi package export` and `cdi package import`: offline audit packages (docs/packages.md).

cdi_workbench.cli adds them with `register(subparsers)`.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from typing import Any

from ..audit.programme import ProgrammeError
from ..packages import MARKING, MergePlan, PackageError, apply_merge, export_package, parse_positions, plan_import
from ..storage.database import Database, DatabaseError
from ..storage.encryption import plain_packages
from ..timeutil import display

CONFLICTS_WAIT = 3  # exit code: conflicts listed, nothing written


def _user(a: argparse.Namespace) -> str:
    return (a.package_user or getattr(a, "user", None) or "").strip()


def _open(db: str, command: str) -> Database | None:
    try:
        return Database(db)
    except DatabaseError as exc:
        print(f"cdi package {command}: {exc}", file=sys.stderr)
        return None


def cmd_export(a: argparse.Namespace) -> int:
    who = _user(a)
    if not who:
        print("cdi package export: say who is exporting with --user NAME", file=sys.stderr)
        return 2
    try:
        positions = parse_positions(a.positions) if a.positions else None
    except PackageError as exc:
        print(f"cdi package export: {exc}", file=sys.stderr)
        return 2
    if a.mine and (positions or a.issued_to or a.blind):
        print("cdi package export: --mine exports the records assigned to you (blind where the assignment is): "
              "no --positions, --for or --blind with it", file=sys.stderr)
        return 2
    if not a.mine and not a.sample:
        print("cdi package export: say which sample (--sample NAME), or --mine for the records assigned to you",
              file=sys.stderr)
        return 2
    db = _open(a.db, "export")
    if db is None:
        return 1
    try:
        with plain_packages() if a.plain else nullcontext():  # else encrypted: CDI_PACKAGE_PASSPHRASE or asked
            if a.mine:
                from ..audit.assignment_export import export_my_assignment

                sample = a.sample
                if a.audit is not None:  # the one sample of that audit holding the records assigned to you
                    from ..audit.audit_scope import assigned_sample

                    sample = assigned_sample(db, who, a.sample, a.audit)
                r = export_my_assignment(db, who, a.to, sample, a.overwrite)
            else:
                r = export_package(db, a.sample, a.to, who=who, positions=positions,
                                   roles=["review"] if a.blind else None, overwrite=a.overwrite,
                                   issued_to=a.issued_to, audit=a.audit)
    except (PackageError, ProgrammeError, OSError) as exc:
        print(f"cdi package export: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"Wrote {r.path}: {r.items} record(s) of '{r.sample}' (positions {r.positions}), {r.verdicts} verdict(s), "
          f"{r.records} source record(s)"
          + (f"; {r.blind} blind (assigned for blind review: nothing of the auditor's verdict)" if r.blind else ""))
    if r.encrypted:
        print(f"{MARKING}: it holds records about victims of crime. It is encrypted: give its passphrase to its "
              "recipient separately, never with the file.")
    else:
        print(f"{MARKING}: it holds records about victims of crime and is NOT encrypted (--plain): carry it only on "
              "an encrypted, approved device.")
    print(f"Package {r.package_id}. Open it with the workbench on the other machine; bring it back with "
          f"'cdi package import {a.db} {r.path.name}'.")
    return 0


def print_conflicts(plan: MergePlan, out: Any = None) -> None:
    out = out or sys.stdout
    for e in plan.conflicts:
        print(f"CONFLICT {e.label}", file=out)
        print(f"  {'check':44} {'this database':28} package", file=out)
        for c in e.checks:
            print(f"  {c.label[:44]:44} {c.ours[:28]:28} {c.theirs}", file=out)
        print(f"  here:    {e.ours.attribution()}; rationale: {e.ours.rationale or '(none)'}", file=out)
        print(f"  package: {e.theirs.attribution()}; rationale: {e.theirs.rationale or '(none)'}", file=out)


def cmd_import(a: argparse.Namespace) -> int:
    who = _user(a)
    if not who:
        print("cdi package import: say who is merging with --user NAME (it goes in the history of every verdict "
              "merged)", file=sys.stderr)
        return 2
    db = _open(a.db, "import")
    if db is None:
        return 1
    try:
        plan = plan_import(db, a.file, _user(a), audit=a.audit)
        print(f"Package of '{plan.sample}' exported {display(plan.exported_at)} by {plan.exported_by} "
              f"from {plan.source}, issued to {plan.issued_to} ({', '.join(plan.roles)} verdicts only)")
        print(plan.summary())
        for e in plan.auto:
            print(f"  take {e.label}: changed in the package by {e.theirs.attribution()}")
        if plan.conflicts and a.resolve is None:
            print_conflicts(plan)
            print(f"{len(plan.conflicts)} conflict(s): nothing was written. Choose with --resolve ours (keep this "
                  "database's verdicts) or --resolve theirs (take the package's), or resolve each in the workbench "
                  "(File > Import audit package).", file=sys.stderr)
            return CONFLICTS_WAIT
        result = apply_merge(db, plan, a.resolve, who)
    except (PackageError, ProgrammeError) as exc:
        print(f"cdi package import: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(result.summary())
    return 0


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `package export` and `package import` to the `cdi` command's subparsers."""
    sp = subparsers.add_parser(
        "package", help="export part of a sample to work on offline, and merge it back",
        description="Offline audit packages: a .cdipkg file is a small audit database the workbench opens like "
                    "any other. See docs/packages.md.")
    sub = sp.add_subparsers(dest="package_command", required=True, metavar="{export,import}")
    exp = sub.add_parser("export", help="write part of a sample to a package file",
                         description="Write the records of a sample (all, or the positions given), the records they "
                                     "need and their verdicts to one .cdipkg file, encrypted with a passphrase of "
                                     "its own (CDI_PACKAGE_PASSPHRASE, else asked for twice; --plain: unencrypted).")
    exp.add_argument("db", help="the audit database (SQLite file or database URL)")
    exp.add_argument("--sample", help="the sample's name (with --mine: only needed when your records are in several)")
    exp.add_argument("--mine", action="store_true",
                     help="the records assigned to you for review, without naming positions (blind where the "
                          "assignment is blind)")
    exp.add_argument("--positions", help="positions in the sample, e.g. 1-20,25 (default: all)")
    exp.add_argument("--to", metavar="FILE", help="the package file (default: beside the database, dated)")
    exp.add_argument("--blind", action="store_true",
                     help="carry only reviewers' verdicts for every record, not the auditor's or the lead's (a record "
                          "assigned for blind review always travels blind, with or without this)")
    exp.add_argument("--for", dest="issued_to", metavar="NAME",
                     help="the person the package is issued to (default: who exports it); only their verdicts, in "
                          "the roles they may enter, are merged back, credited to them")
    exp.add_argument("--audit", metavar="NAME",
                     help="the audit of the programme the sample belongs to (default: the sample's own); a sample of "
                          "another audit is refused, naming its audit. With --mine: the records assigned to you in "
                          "that audit (default: in any audit)")
    exp.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    exp.add_argument("--plain", action="store_true",
                     help="write the package unencrypted (by default it is encrypted with a passphrase of its own, "
                          "from CDI_PACKAGE_PASSPHRASE or asked for twice, to give its recipient separately)")
    exp.add_argument("--user", dest="package_user", metavar="NAME", help="who is exporting")
    exp.set_defaults(func=cmd_export)
    imp = sub.add_parser("import", help="merge a package's verdicts back",
                         description="Take what changed only in the package, keep what changed only here; a record "
                                     "changed differently on both sides is a conflict: listed check by check, and "
                                     "nothing is written unless --resolve says which side wins. One transaction; "
                                     f"importing the same package again changes nothing. Exit code "
                                     f"{CONFLICTS_WAIT}: conflicts wait.")
    imp.add_argument("db", help="the audit database the package was exported from")
    imp.add_argument("file", help="the .cdipkg file (encrypted: its passphrase from CDI_PACKAGE_PASSPHRASE or asked)")
    imp.add_argument("--resolve", choices=["ours", "theirs"],
                     help="resolve every conflict: keep this database's verdict (ours) or take the package's (theirs)")
    imp.add_argument("--audit", metavar="NAME",
                     help="the audit of the programme the package's sample must belong to (default: the sample's "
                          "own); a package of another audit's sample is refused, naming its audit")
    imp.add_argument("--user", dest="package_user", metavar="NAME", help="who is merging")
    imp.set_defaults(func=cmd_import)
    return sp


COMMANDS = {"package": register}
