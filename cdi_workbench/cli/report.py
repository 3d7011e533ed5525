"""`cdi report` (the findings as JSON, .xlsx and PDF), `cdi recorded-crime` and `cdi agreement`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..storage.database import Database


def cmd_report(a: argparse.Namespace) -> int:
    from ..findings import compute
    from ..reports import export_findings

    if not (a.xlsx or a.pdf or a.json):
        print("cdi report: say what to write: --xlsx FILE, --pdf FILE and/or --json FILE", file=sys.stderr)
        return 2
    if getattr(a, "by_unit", False) and a.pseudonymise:
        print("cdi report: --by-unit is not yet written into pseudonymised files: leave out one of --by-unit and "
              "--pseudonymise", file=sys.stderr)
        return 2
    from ..reports.common import review_figures
    from ..reports.protect import ExportPasswordNeeded, PlainRefused, confirm_plain, export_password, protected

    password = None
    if getattr(a, "protect", False):  # the password from CDI_EXPORT_PASSWORD or the prompt, never from argv
        if not (a.xlsx or a.pdf):
            print("cdi report: --protect protects the --pdf and --xlsx files: name one", file=sys.stderr)
            return 2
        try:
            if a.json:
                confirm_plain(f"{Path(a.json).name} stays plain: a JSON file cannot be protected with a password",
                              a.yes, "cdi report")
            password = export_password()
        except (ExportPasswordNeeded, PlainRefused) as exc:
            print(f"cdi report: {exc}", file=sys.stderr)
            return 2
    db = Database(a.db)
    try:
        from ..audit.roles import require

        require(db, a.user or "", "report")
        findings = compute(db, method=a.method, audit=a.audit)
        review = review_figures(db, method=a.method, findings=findings)  # agreement and the force's challenges
        if a.previous_audit:  # another audit of the same programme
            from ..findings import with_previous

            findings = with_previous(findings, compute(db, method=a.method, audit=a.previous_audit),
                                     source=str(a.db))  # the same file; the audit is named in "previous"
        elif a.previous:
            from ..findings import with_previous

            old = Database(a.previous)
            try:
                findings = with_previous(findings, compute(old, method=a.method), source=str(a.previous))
            finally:
                old.close()
        by_unit = None
        if getattr(a, "by_unit", False):  # every table and rate per owning unit (findings_units)
            from ..findings_units import findings_by_unit

            by_unit = findings_by_unit(db, method=a.method, audit=a.audit)
        prepared = None
        if a.pseudonymise:  # one pseudonymiser for every file: [Person 1] is the same in each
            from ..pseudonymise_exports import export_findings as export_pseudonymised
            from ..pseudonymise_exports import pseudonymise_findings

            prepared = pseudonymise_findings(db, findings, review)
        for path, suffix in ((a.json, ".json"), (a.xlsx, ".xlsx"), (a.pdf, ".pdf")):
            lock = password if suffix != ".json" else None
            done = " (password-protected)" if lock else ""
            with protected(lock):  # reports/protect.py: the PDF and the workbook only
                if path and prepared is not None:
                    report = export_pseudonymised(db, a.user or "", prepared, Path(path), suffix)
                    print(f"Wrote {path}{done} (pseudonymised; what was replaced, and where: {report})")
                elif path:  # each export checked and recorded in the trail
                    export_findings(db, a.user or "", findings, Path(path), review, suffix, by_unit=by_unit)
                    print(f"Wrote {path}{done}")
    finally:
        db.close()
    for warning in findings.warnings:
        print(f"Note: {warning}", file=sys.stderr)
    return 0


def cmd_recorded_crime(a: argparse.Namespace) -> int:
    from ..findings import RATE_GROUPS, set_recorded_crime

    if [f.strip().lower() for f in a.figures] == ["list"]:  # the audit's figures as kept
        return _show_recorded_crime(a)
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
        name = set_recorded_crime(db, figures, a.user or "", a.audit)
    finally:
        db.close()
    print(f"Stored recorded crime for {', '.join(figures)} of the audit {name!r} (each audit has its own); its "
          "'cdi report' estimates crimes not recorded")
    return 0


def _show_recorded_crime(a: argparse.Namespace) -> int:
    from ..audit.programme import resolve
    from ..findings import RATE_GROUPS, recorded_crime

    db = Database(a.db)
    try:
        with db.session() as s:
            audit = resolve(s, a.audit)
            kept = recorded_crime(s, audit.id)
            name = audit.name
    finally:
        db.close()
    print(f"Recorded crime (12 months) for the audit {name!r}:" if kept else
          f"No recorded-crime figures for the audit {name!r}: set them with GROUP=NUMBER, e.g. all=59000")
    for key, label in RATE_GROUPS:
        if key in kept:
            print(f"  {key:<11} {kept[key]:>9,}  {label}")
    return 0


def cmd_agreement(a: argparse.Namespace) -> int:
    """Agreement per check (the whole record's pass or fail first), the reviewer's 'could not decide' counted apart,
    then the lead's decisions and each auditor's agreement with the final verdict. Only for those who may see the
    findings (checked in the core: review_outcomes.figures_for)."""
    from ..agreement import WEIGHTED_KAPPA, label
    from ..review_outcomes import figures_for, table_lines

    db = Database(a.db)
    try:
        outcomes = figures_for(db, a.user or "", a.method, a.audit)
    finally:
        db.close()
    rows = outcomes.agreement
    if not rows:
        print("No record has both an auditor's and a reviewer's completed verdict yet.")
        return 0
    print(f"{'check':48} {'auditor':18} {'pairs':>5} {'agree':>7} {'agree 95% CI':>15} {'kappa':>6} {'95% CI':>14} "
          f"{'PABAK':>6} {'undecided':>9}  band")
    for r in rows:
        k = "n/a" if r.kappa is None else f"{r.kappa:.2f}"
        pabak = "" if r.pabak is None else f"{r.pabak:.2f}"
        pct = "" if r.percent is None else f"{r.percent:6.1f}%"
        note = f" ({r.prevalence_note})" if r.prevalence_note else ""
        weighted = " [weighted, linear]" if r.kappa_method == WEIGHTED_KAPPA else ""
        pct_ci = ("" if r.percent_low is None or r.percent_high is None
                  else f"{r.percent_low:.1f} to {r.percent_high:.1f}")
        print(f"{label(r.check)[:48]:48} {(r.auditor or 'all')[:18]:18} {r.pairs:5} {pct:>7} {pct_ci:>15} {k:>6} "
              f"{r.interval_text:>14} {pabak:>6} {r.undecided:9}  {r.band_text}{note}{weighted}")
    method = next((r.percent_method for r in rows if r.percent_method), a.method)
    print(f"Agreement: share of records where both gave the same answer, its 95% interval by {method}; "
          "Cohen's kappa (statsmodels), the "
          "weighted kappa with linear weights for crimes identified, 95% interval from the asymptotic standard "
          "error; PABAK: Byrt, Bishop and Carlin (1993); bands: Landis and Koch (1977), from 30 pairs. "
          "Undecided: records where the reviewer could not decide the check (not a pair: counted apart).")
    for table in outcomes.tables:
        print()
        for line in table_lines(table):
            print(line)
    return 0


# ---- the parsers -----------------------------------------------------------------------------------------------
def add_report(sub: Any) -> None:
    sp = sub.add_parser("report", help="export the findings")
    sp.add_argument("db")
    sp.add_argument("--xlsx")
    sp.add_argument("--pdf")
    sp.add_argument("--json")
    sp.add_argument("--method", choices=["normal", "wilson", "clopper-pearson"], default="normal",
                    help="interval printed beside each rate (default: normal, as inspections publish)")
    sp.add_argument("--audit", metavar="NAME", help="which audit of the programme (default: the latest)")
    sp.add_argument("--previous", metavar="DB", help="a previous audit: its figures follow in brackets")
    sp.add_argument("--previous-audit", metavar="NAME",
                    help="another audit of the same programme: its figures follow in brackets")
    sp.add_argument("--by-unit", action="store_true",
                    help="add every table and recording rate broken down by the records' owning unit (district, "
                         "local policing area, team: the extracts' unit column), with intervals")
    sp.add_argument("--pseudonymise", action="store_true",
                    help="replace names, dates of birth, addresses, postcodes, phone numbers, vehicle registrations "
                         "and other identifiers in the free text by placeholders ([Person 1]); a report of what was "
                         "replaced goes beside each file as NAME.pseudonymisation.txt (docs/pseudonymisation.md)")
    sp.add_argument("--protect", action="store_true",
                    help="protect the --pdf and --xlsx files with a password, taken from CDI_EXPORT_PASSWORD or else "
                         "asked for twice (never given on the command line). A JSON file cannot be protected: with "
                         "--json it is written plain only after a question, or with --yes (docs/security.md)")
    sp.add_argument("--yes", action="store_true",
                    help="with --protect and --json: write the JSON plain without asking (for scripts)")
    sp.set_defaults(func=cmd_report)


def add_recorded_crime(sub: Any) -> None:
    sp = sub.add_parser("recorded-crime", help="the force's recorded crime (12 months) per offence group, for one "
                                               "audit's annual estimate")
    sp.add_argument("db")
    sp.add_argument("--audit", metavar="NAME", help="which audit of the programme (default: the latest); each audit "
                                                    "has its own figures")
    sp.add_argument("figures", nargs="+", metavar="GROUP=N", help="e.g. all=59000 vap=21000 (GROUP= clears); or the "
                                                                   "word list: show the audit's figures")
    sp.set_defaults(func=cmd_recorded_crime)


def add_agreement(sub: Any) -> None:
    sp = sub.add_parser("agreement", help="auditor and peer reviewer agreement per check (Cohen's kappa), the lead's "
                                          "decisions and agreement with the final verdict (the lead or an auditor)")
    sp.add_argument("db")
    sp.add_argument("--method", choices=["normal", "wilson", "clopper-pearson"], default="normal",
                    help="the interval of the %% agreement (default: normal, as the report)")
    sp.add_argument("--audit", metavar="NAME", help="which audit of the programme (default: the latest)")
    sp.set_defaults(func=cmd_agreement)


COMMANDS = {"report": add_report, "recorded-crime": add_recorded_crime, "agreement": add_agreement}


def register(subparsers: Any) -> None:
    """Add report, recorded-crime and agreement to the `cdi` command's subparsers."""
    for add in COMMANDS.values():
        add(subparsers)
