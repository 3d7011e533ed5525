"""The `cdi` command line: the same core the GUI uses."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select

from .audit.roles import NotAllowed
from .audit.service import AuditError, AuditService
from .audit.setup import init_audit
from .storage.database import Database, DatabaseError
from .storage.models import N100, AuditItem, Cancellation, CrimeRecord, Disposal, ReportRecord, Verdict


def _date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD or dd/mm/yyyy)")


def cmd_init(a: argparse.Namespace) -> int:
    db = init_audit(a.db, a.force, a.period_start, a.period_end, a.rules, created_by=a.user or "")
    db.close()
    print(f"Created {a.db}: {a.force}, {a.period_start:%d/%m/%Y} to {a.period_end:%d/%m/%Y}, {a.rules} rules")
    return 0


def info_dict(db: Database) -> dict:
    svc = AuditService(db)
    info = svc.info()
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
        items = s.scalar(select(func.count()).select_from(AuditItem))
        done = s.scalar(select(func.count()).select_from(Verdict).where(Verdict.role == "primary",
                                                                        Verdict.complete.is_(True)))
    return {
        "force": info.force, "period_start": info.period_start.isoformat(),
        "period_end": info.period_end.isoformat(), "rule_set": info.rules.key,
        "limit_hours": info.rules.limit_hours,
        "records": {"incidents": sum(n for k, n in reports.items() if k.startswith("incident:")),
                    "referrals": {k.split(":", 1)[1]: n for k, n in reports.items() if k.startswith("referral:")},
                    **counts},
        "samples": [{"name": smp.name, "kind": smp.kind, "system": smp.system, "size": smp.size,
                     "done": smp.done, "method": smp.method} for smp in svc.samples()],
        "progress": {"items": items, "done": done},
    }


def cmd_info(a: argparse.Namespace) -> int:
    db = Database(a.db)
    try:
        data = info_dict(db)
    finally:
        db.close()
    if a.json:
        print(json.dumps(data, indent=2))
        return 0
    start, end = (date.fromisoformat(data[k]).strftime("%d/%m/%Y") for k in ("period_start", "period_end"))
    print(f"{data['force']}: {start} to {end}, {data['rule_set']} rules "
          f"({data['limit_hours']}-hour limit)")
    rec = data["records"]
    print(f"Incidents {rec['incidents']}, crimes {rec['crimes']}, disposals {rec['disposals']}, "
          f"cancellations {rec['cancellations']}, N100s {rec['n100']}")
    for system, n in sorted(rec["referrals"].items()):
        print(f"Referrals ({system}) {n}")
    for smp in data["samples"]:
        print(f"Sample '{smp['name']}': {smp['size']} {smp['kind']} records, {smp['done']} done ({smp['method']})")
    print(f"Progress: {data['progress']['done']} of {data['progress']['items']} records audited")
    return 0


def cmd_report(a: argparse.Namespace) -> int:
    from .findings import compute
    from .reports.excel import write_xlsx
    from .reports.json_export import write_json
    from .reports.pdf import write_pdf

    if not (a.xlsx or a.pdf or a.json):
        print("cdi report: say what to write: --xlsx FILE, --pdf FILE and/or --json FILE", file=sys.stderr)
        return 2
    from .reports.common import review_figures

    db = Database(a.db)
    try:
        from .audit.roles import require

        require(db, a.user or "", "report")
        findings = compute(db, method=a.method)
        review = review_figures(db, method=a.method, findings=findings)  # agreement and the force's challenges
    finally:
        db.close()
    if a.previous:
        from .findings import with_previous

        old = Database(a.previous)
        try:
            findings = with_previous(findings, compute(old, method=a.method), source=str(a.previous))
        finally:
            old.close()
    for path, writer in ((a.json, write_json), (a.xlsx, write_xlsx), (a.pdf, write_pdf)):
        if path:
            writer(findings, Path(path), review)
            print(f"Wrote {path}")
    for warning in findings.warnings:
        print(f"Note: {warning}", file=sys.stderr)
    return 0


KINDS = {"incidents": "incident", "referrals": "referral", "disposals": "disposal", "cancellations": "cancellation",
         "n100": "n100", "incident": "incident", "referral": "referral", "disposal": "disposal",
         "cancellation": "cancellation"}


def cmd_sample(a: argparse.Namespace) -> int:
    from . import sampling

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
            from .sample_admin import describe

            print(f"Deleted {describe(gone.holdings)}"
                  + (f"; {gone.trail_rows} history rows record what went (cdi verify)" if gone.trail_rows else ""))
            return 0
        if a.export:
            name, path = a.export
            n = sampling.SampleOps(db).export(name, path)
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
                                allocation=a.allocation, who=a.user or "", special=a.special)
            n = len(sampling.draw_order(s, name))
            frame = dict(smp.frame or {})
        print(f"Drew '{name}': {n} {kind} records, seed {seed}")
        for stratum, size in frame["population"].items():
            print(f"  {stratum}: {frame['allocated'].get(stratum, 0)} of {size}")
        return 0
    finally:
        db.close()


def cmd_sample_size(a: argparse.Namespace) -> int:
    from .sampling import required_size

    n = required_size(a.margin / 100, a.rate / 100, a.population)
    fpc = f" from a population of {a.population:,}" if a.population else ""
    print(f"{n} records for +/- {a.margin} percent at 95% confidence, expecting {a.rate} percent{fpc}")
    return 0


def cmd_recorded_crime(a: argparse.Namespace) -> int:
    from .findings import RATE_GROUPS, set_recorded_crime

    figures: dict[str, int | None] = {}
    for item in a.figures:
        group, _, n = item.partition("=")
        if not n.strip().replace(",", "").isdigit() and n.strip() != "":
            print(f"cdi recorded-crime: {item!r}: give GROUP=NUMBER (groups: "
                  f"{', '.join(k for k, _ in RATE_GROUPS)})", file=sys.stderr)
            return 2
        figures[group.strip()] = int(n.replace(",", "")) if n.strip() else None
    db = Database(a.db)
    try:
        set_recorded_crime(db, figures, a.user or "")
    finally:
        db.close()
    print(f"Stored recorded crime for {', '.join(figures)}; 'cdi report' now estimates crimes not recorded")
    return 0


def cmd_agreement(a: argparse.Namespace) -> int:
    from .agreement import WEIGHTED_KAPPA, agreement, label

    db = Database(a.db)
    try:
        rows = agreement(db)
    finally:
        db.close()
    if not rows:
        print("No record has both an auditor's and a reviewer's completed verdict yet.")
        return 0
    print(f"{'check':48} {'auditor':18} {'pairs':>5} {'agree':>7} {'kappa':>6} {'95% CI':>14} {'PABAK':>6}  band")
    for r in rows:
        k = "n/a" if r.kappa is None else f"{r.kappa:.2f}"
        pabak = "" if r.pabak is None else f"{r.pabak:.2f}"
        note = f" ({r.prevalence_note})" if r.prevalence_note else ""
        weighted = " [weighted, linear]" if r.kappa_method == WEIGHTED_KAPPA else ""
        print(f"{label(r.check)[:48]:48} {(r.auditor or 'all')[:18]:18} {r.pairs:5} {r.percent:6.1f}% {k:>6} "
              f"{r.interval_text:>14} {pabak:>6}  {r.band_text}{note}{weighted}")
    print("Agreement: share of records where both gave the same answer; Cohen's kappa (statsmodels), the "
          "weighted kappa with linear weights for crimes identified, 95% interval from the asymptotic standard "
          "error; PABAK: Byrt, Bishop and Carlin (1993); bands: Landis and Koch (1977), from 30 pairs.")
    return 0


def cmd_challenges(a: argparse.Namespace) -> int:
    from .challenges import ResponseError, export_for_force, import_responses, resolution

    if a.action in ("export", "import") and not a.file:
        print(f"cdi challenges {a.action}: give the workbook's file name", file=sys.stderr)
        return 2
    db = Database(a.db)
    try:
        if a.action == "export":
            n = export_for_force(db, a.file, a.user or "")
            print(f"Wrote {n} failures to {a.file} for the force's responses")
        elif a.action == "import":
            try:
                counts = import_responses(db, a.file, a.user or "")
            except ResponseError as exc:
                for p in exc.problems[:20]:
                    print(p, file=sys.stderr)
                print("Nothing stored.", file=sys.stderr)
                return 1
            print(f"Stored the force's responses: {counts['agree']} agreed, {counts['challenge']} challenged"
                  + (f"; {counts['unchanged']} unchanged since the last import" if counts["unchanged"] else ""))
        else:
            cols = ["before", "agreed", "challenged", "upheld", "rejected", "pending", "after"]
            print(f"{'failure':32}" + "".join(f"{c:>11}" for c in cols))
            for failure, row in sorted(resolution(db).items()):
                print(f"{failure:32}" + "".join(f"{row[c]:>11}" for c in cols))
        return 0
    finally:
        db.close()


def cmd_backup(a: argparse.Namespace) -> int:
    from .backup import backup

    path = backup(a.db, a.file, a.user or "", overwrite=a.force)  # refusals are DatabaseErrors: status 1
    print(f"Saved a copy of {a.db} to {path} (every verdict, the log included; check it with: cdi verify {path})")
    return 0


def cmd_verify(a: argparse.Namespace) -> int:
    from .audit.trail import verify

    db = Database(a.db)
    try:
        with db.session() as s:
            problems = verify(s)
    finally:
        db.close()
    if not problems:
        print(f"{a.db}: the audit trail is intact (hash chain and verdicts agree)")
        return 0
    print(f"{a.db}: the audit trail has been tampered with outside the application:", file=sys.stderr)
    for p in problems[:50]:
        print(f"  {p}", file=sys.stderr)
    if len(problems) > 50:
        print(f"  ... and {len(problems) - 50} more", file=sys.stderr)
    return 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cdi", description="Crime data integrity audit workbench")
    p.add_argument("--user", help="who is acting (stamped on what is done)")
    sub = p.add_subparsers(dest="command", required=True)
    sp = sub.add_parser("init", help="create an audit database")
    sp.add_argument("db")
    sp.add_argument("--force", required=True, help="the force audited")
    sp.add_argument("--period-start", required=True, type=_date)
    sp.add_argument("--period-end", required=True, type=_date)
    sp.add_argument("--rules", required=True, choices=["2014", "2015"])
    sp.set_defaults(func=cmd_init)
    sp = sub.add_parser("info", help="what the database holds")
    sp.add_argument("db")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_info)
    sp = sub.add_parser("report", help="export the findings")
    sp.add_argument("db")
    sp.add_argument("--xlsx")
    sp.add_argument("--pdf")
    sp.add_argument("--json")
    sp.add_argument("--method", choices=["normal", "wilson", "clopper-pearson"], default="normal",
                    help="interval printed beside each rate (default: normal, as inspections publish)")
    sp.add_argument("--previous", metavar="DB", help="a previous audit: its figures follow in brackets")
    sp.set_defaults(func=cmd_report)
    sp = sub.add_parser("sample", help="draw, extend, export, rename or delete a sample")
    sp.add_argument("db")
    sp.add_argument("--kind", choices=sorted(KINDS))
    sp.add_argument("--system", help="referral system (Guardian, PO1, DO1, ...)")
    sp.add_argument("--size", type=int, help="records to draw (not needed with --per-stratum)")
    sp.add_argument("--stratify", choices=["offence-group"])
    sp.add_argument("--allocation", choices=["proportional", "equal"], default="proportional")
    sp.add_argument("--per-stratum", type=int, help="a fixed-size dip-sample of N from each stratum")
    sp.add_argument("--special", choices=["modern-slavery-crimes", "modern-slavery-referrals", "vulnerable-adults",
                                          "vulnerable-children"],
                    help="a special sample inspections request, reported in a table of its own")
    sp.add_argument("--seed", type=int)
    sp.add_argument("--name")
    sp.add_argument("--extend", metavar="NAME")
    sp.add_argument("--export", nargs=2, metavar=("NAME", "FILE"))
    sp.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"), help="give a sample a new name")
    sp.add_argument("--delete", metavar="NAME",
                    help="delete a sample (one holding verdicts: the audit lead, with --reason; it goes in the trail)")
    sp.add_argument("--reason", help="why the sample is deleted (needed when it holds verdicts)")
    sp.set_defaults(func=cmd_sample)
    sp = sub.add_parser("recorded-crime", help="the force's recorded crime (12 months) per offence group")
    sp.add_argument("db")
    sp.add_argument("figures", nargs="+", metavar="GROUP=N", help="e.g. all=59000 vap=21000 (GROUP= clears)")
    sp.set_defaults(func=cmd_recorded_crime)
    sp = sub.add_parser("agreement", help="auditor and peer reviewer agreement per check (Cohen's kappa)")
    sp.add_argument("db")
    sp.set_defaults(func=cmd_agreement)
    sp = sub.add_parser("challenges", help="the force's challenges: export failures, import responses, status")
    sp.add_argument("action", choices=["export", "import", "status"])
    sp.add_argument("db")
    sp.add_argument("file", nargs="?", help="the workbook (export and import)")
    sp.set_defaults(func=cmd_challenges)
    sp = sub.add_parser("backup", help="save a consistent copy of an audit database (SQLite's backup API)")
    sp.add_argument("db")
    sp.add_argument("file", help="the copy to write")
    sp.add_argument("--force", action="store_true", help="replace FILE if it exists")
    sp.set_defaults(func=cmd_backup)
    sp = sub.add_parser("verify", help="check the audit trail has not been changed outside the application")
    sp.add_argument("db")
    sp.set_defaults(func=cmd_verify)
    sp = sub.add_parser("sample-size", help="records needed for a target margin of error")
    sp.add_argument("--margin", type=float, required=True, help="margin of error in percent, e.g. 3")
    sp.add_argument("--rate", type=float, required=True, help="expected recording rate in percent, e.g. 85")
    sp.add_argument("--population", type=int)
    sp.set_defaults(func=cmd_sample_size)
    from .cli_verdicts import register as register_verdicts

    register_verdicts(sub)
    from .cli_packages import register as register_packages

    register_packages(sub)
    from .cli_review import register as register_review

    register_review(sub)
    try:
        from .cli_import import register
    except ImportError:  # the import command is optional until its module lands
        pass
    else:
        register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (DatabaseError, ValueError, AuditError) as exc:
        print(f"cdi: {exc}", file=sys.stderr)
        return 1
    except NotAllowed as exc:
        print(f"cdi: not allowed: {exc}", file=sys.stderr)
        return 4


if __name__ == "__main__":
    sys.exit(main())
