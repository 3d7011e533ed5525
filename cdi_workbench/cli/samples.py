"""`cdi sample` (draw, extend, export, rename or delete a sample) and `cdi sample-size`."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from ..storage.database import Database

# crimes: a dip-sample of recorded crime (classification and timeliness), stratified by offence group
KINDS = {"incidents": "incident", "referrals": "referral", "disposals": "disposal", "cancellations": "cancellation",
         "n100": "n100", "crimes": "crime", "incident": "incident", "referral": "referral", "disposal": "disposal",
         "cancellation": "cancellation", "crime": "crime"}


def cmd_sample(a: argparse.Namespace) -> int:
    from .. import sampling

    if a.reason and not a.delete:
        print("cdi sample: --reason goes with --delete NAME", file=sys.stderr)
        return 2
    db = Database(a.db)
    try:
        if a.rename:
            old, new = a.rename
            stored = sampling.SampleOps(db).rename(old, new, a.user or "")
            print(f"Renamed '{old}' to '{stored}'")
            return 0
        if a.delete:
            gone = sampling.SampleOps(db).delete(a.delete, a.user or "", a.reason or "")
            from ..sample_admin import describe

            print(f"Deleted {describe(gone.holdings)}"
                  + (f"; {gone.trail_rows} history rows record what went (cdi verify)" if gone.trail_rows else ""))
            return 0
        if a.export:
            name, path = a.export
            n = sampling.SampleOps(db).export(name, path, a.user or "")
            print(f"Wrote {n} records of '{name}' in draw order to {path}")
            return 0
        if a.size is None and a.per_stratum is not None and not a.extend:
            a.size = 0  # a dip-sample of N per stratum needs no overall size
        if a.size is None:
            print("cdi sample: give --size N", file=sys.stderr)
            return 2
        if a.extend:
            with db.session() as s:
                added = sampling.extend(s, a.extend, a.size, who=a.user or "")
            print(f"Extended '{a.extend}' by {added} records (the next in its random order)")
            return 0
        if not a.kind:
            print("cdi sample: give --kind KIND (or --extend NAME / --export NAME FILE / --rename OLD NEW / "
                  "--delete NAME)", file=sys.stderr)
            return 2
        kind = KINDS[a.kind]
        seed = a.seed if a.seed is not None else int.from_bytes(__import__("os").urandom(4), "big")
        name = a.name or f"{a.kind} {datetime.now():%Y-%m-%d %H%M}"
        with db.session() as s:
            smp = sampling.draw(s, name, kind, a.size, seed, system=a.system,
                                stratify=a.stratify == "offence-group", per_stratum=a.per_stratum,
                                allocation=a.allocation, who=a.user or "", special=a.special, audit=a.audit)
            n = len(sampling.draw_order(s, name))
            frame = dict(smp.frame or {})
        print(f"Drew '{name}': {n} {kind} records, seed {seed}")
        for stratum, size in frame["population"].items():
            print(f"  {stratum}: {frame['allocated'].get(stratum, 0)} of {size}")
        return 0
    finally:
        db.close()


def cmd_sample_size(a: argparse.Namespace) -> int:
    from ..sampling import required_size

    n = required_size(a.margin / 100, a.rate / 100, a.population)
    fpc = f" from a population of {a.population:,}" if a.population else ""
    print(f"{n} records for +/- {a.margin} percent at 95% confidence, expecting {a.rate} percent{fpc}")
    return 0


# ---- the parsers -----------------------------------------------------------------------------------------------
def add_sample(sub: Any) -> None:
    sp = sub.add_parser("sample", help="draw, extend, export, rename or delete a sample")
    sp.add_argument("db")
    sp.add_argument("--kind", choices=sorted(KINDS), help="crimes: recorded crime, checked for classification and "
                                                          "timeliness (stratify by offence group, or --per-stratum)")
    sp.add_argument("--system", help="referral system (Guardian, PO1, DO1, ...)")
    sp.add_argument("--size", type=int, help="records to draw (not needed with --per-stratum)")
    sp.add_argument("--stratify", choices=["offence-group"],
                    help="by offence group: the linked crimes' for incidents and referrals, the code's for crimes")
    sp.add_argument("--allocation", choices=["proportional", "equal"], default="proportional")
    sp.add_argument("--per-stratum", type=int, help="a fixed-size dip-sample of N from each stratum")
    sp.add_argument("--special", choices=["modern-slavery-crimes", "modern-slavery-referrals", "vulnerable-adults",
                                          "vulnerable-children"],
                    help="a special sample inspections request, reported in a table of its own")
    sp.add_argument("--audit", metavar="NAME", help="the audit of the programme drawn for (default: the latest); "
                                                    "only records of its period are drawn")
    sp.add_argument("--seed", type=int)
    sp.add_argument("--name")
    sp.add_argument("--extend", metavar="NAME")
    sp.add_argument("--export", nargs=2, metavar=("NAME", "FILE"))
    sp.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"), help="give a sample a new name")
    sp.add_argument("--delete", metavar="NAME",
                    help="delete a sample (one holding verdicts: the audit lead, with --reason; it goes in the trail)")
    sp.add_argument("--reason", help="why the sample is deleted (needed when it holds verdicts)")
    sp.set_defaults(func=cmd_sample)


def add_sample_size(sub: Any) -> None:
    sp = sub.add_parser("sample-size", help="records needed for a target margin of error")
    sp.add_argument("--margin", type=float, required=True, help="margin of error in percent, e.g. 3")
    sp.add_argument("--rate", type=float, required=True, help="expected recording rate in percent, e.g. 85")
    sp.add_argument("--population", type=int)
    sp.set_defaults(func=cmd_sample_size)


COMMANDS = {"sample": add_sample, "sample-size": add_sample_size}


def register(subparsers: Any) -> None:
    """Add sample and sample-size to the `cdi` command's subparsers."""
    for add in COMMANDS.values():
        add(subparsers)
