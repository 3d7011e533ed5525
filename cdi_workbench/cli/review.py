"""`cdi review ...` (assigning peer reviews, disagreements, the lead's decisions) and `cdi history` (one record's
history as CSV). Who is acting comes from the global --user (on PostgreSQL, from the database login).

Every subcommand takes --audit NAME (issue 14): one naming a sample works on the sample's own audit, and refuses a
sample of another audit than the one named; the listings (status, disagreements) show the audit named, else the
latest audit's records (with --sample, that sample's)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..audit import decisions, review
from ..audit.programme import ProgrammeError
from ..audit.service import AuditService
from ..storage.database import Database
from ..timeutil import display


def _positions(svc: AuditService, sample: str, positions: str, audit: str | None) -> tuple[int, list[int]]:
    from ..packages import parse_positions

    sid = review.sample_id(svc, sample, audit)  # the sample's own audit; refused if --audit names another
    wanted = set(parse_positions(positions)) if positions else set()
    rows = svc.queue(sid)
    return sid, [r.item_id for r in rows if r.position in wanted]


def cmd_review(a: argparse.Namespace) -> int:
    db = Database(a.db)
    svc = AuditService(db, a.user or "", audit=a.audit)
    try:
        return _review(svc, a)
    except ProgrammeError as exc:  # an unknown audit, or a sample of another audit than the one named
        print(f"cdi review {a.review_command}: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()


def _review(svc: AuditService, a: argparse.Namespace) -> int:
    if a.review_command == "assign":
        sid, picked = _positions(svc, a.sample, a.positions or "", a.audit)
        done = review.assign(svc, sid, a.basis, a.reviewer, a.mode, share=a.share, seed=a.seed,
                             item_ids=picked)
        print(f"Assigned {len(done)} record(s) of '{a.sample}' to {a.reviewer} for {a.mode} review "
              f"({review.BASES[a.basis]})")
    elif a.review_command == "status":
        only = review.sample_id(svc, a.sample, a.audit) if a.sample else None
        for r in review.assignments(svc, only, audit=a.audit):
            print(f"{r.position:>5} {r.ref:24} {r.reviewer:20} {r.mode:6} {r.basis:8} {r.state:14} "
                  f"assigned {display(r.assigned_at)} by {r.assigned_by}" + (" (sealed)" if r.sealed else ""))
    elif a.review_command == "disagreements":
        only = review.sample_id(svc, a.sample, a.audit) if a.sample else None
        rows = review.disagreements(svc, only, audit=a.audit)
        if not rows:
            print("No undecided disagreements" + (f" in '{a.sample}'." if a.sample else
                                                  f" in the audit '{a.audit}'." if a.audit else
                                                  " in the latest audit."))
        for c in rows:
            _print_comparison(c)
        if a.decided:
            _print_decided(decisions.decided(svc, only, audit=a.audit))
    elif a.review_command == "undo-decision":
        sid, picked = _positions(svc, a.sample, str(a.position), a.audit)
        if not picked:
            raise ValueError(f"no record at position {a.position} of '{a.sample}'")
        where = decisions.undo_decision(svc, picked[0], a.reason)
        print(f"Undid the decision on position {a.position} of '{a.sample}': {where}")
    elif a.review_command == "reopen":
        sid, picked = _positions(svc, a.sample, str(a.position), a.audit)
        if not picked:
            raise ValueError(f"no record at position {a.position} of '{a.sample}'")
        review.reopen(svc, picked[0], a.reason)
        print(f"Reopened the sealed review of position {a.position} of '{a.sample}': its reviewer may change "
              "it; completed again, it is sealed again")
    else:  # decide
        sid, picked = _positions(svc, a.sample, str(a.position), a.audit)
        if not picked:
            raise ValueError(f"no record at position {a.position} of '{a.sample}'")
        if a.own:
            own = decisions.own_verdict(svc, picked[0], _answers(a.answer or []), _crimes(a.crime or []),
                                        a.zero_status, a.not_recorded_reason or "", a.rape_code or "",
                                        a.rationale or "")
            decisions.decide(svc, picked[0], own, a.reason)
            print(f"Final verdict on position {a.position} of '{a.sample}': your own, with your reason")
        else:
            decisions.decide(svc, picked[0], a.take, a.reason)
            print(f"Final verdict on position {a.position} of '{a.sample}': "
                  f"{'the auditor' if a.take == 'primary' else 'the reviewer'}'s, with your reason")
    return 0


def _print_comparison(c: review.Comparison, out: Any = None) -> None:
    print(f"{c.name} (item {c.item_id}): auditor {c.auditor}, reviewer {c.reviewer}", file=out)
    for d in c.diffs:
        print(f"    {d.label:44} auditor: {d.ours:24} reviewer: {d.theirs}", file=out)
    for check in c.undecided:
        print(f"    {check:44} reviewer: COULD NOT DECIDE", file=out)
    for check, comment in c.comments:
        print(f"    reviewer's comment on {check}: {comment}", file=out)
    print(f"    auditor's rationale:  {c.auditor_rationale or '(none)'}", file=out)
    print(f"    reviewer's rationale: {c.reviewer_rationale or '(none)'}", file=out)
    if c.note_to_auditor:
        print(f"    reviewer's note to the auditor: {c.note_to_auditor}", file=out)


def _print_decided(rows: list[decisions.Decision], out: Any = None) -> None:
    print(f"Decided: {len(rows)} record(s)", file=out)
    for d in rows:
        print(f"  {d.comparison.name}: {d.upheld_text} upheld, by {d.decided_by} on {display(d.decided_at)}; "
              f"{d.reason}", file=out)


def _answers(given: list[str]) -> dict[str, bool]:
    """--answer CHECK=yes|no, as many as the record's checks."""
    out = {}
    for item in given:
        key, _, value = item.partition("=")
        if value.strip().lower() not in ("yes", "no", "y", "n"):
            raise ValueError(f"--answer {item!r}: give CHECK=yes or CHECK=no")
        out[key.strip()] = value.strip().lower().startswith("y")
    return out


def _crimes(given: list[str]) -> list[tuple[str, str]]:
    """--crime CODE=REF (recorded by that crime record) or CODE (not recorded)."""
    return [(code.strip(), ref.strip()) for code, _, ref in (c.partition("=") for c in given)]


def cmd_history(a: argparse.Namespace) -> int:
    """Every change to one record's verdicts, assignment and decisions, oldest first (CSV to a file or stdout).
    Checked and recorded in the core like every export (AuditService.export_history)."""
    if a.csv and not a.pseudonymise:  # a CSV file cannot be protected: the reasons and rationales go plain
        from ..reports.protect import PlainRefused, confirm_plain, csv_free_text_warning

        try:
            confirm_plain(csv_free_text_warning(a.csv, "the record's reasons and rationales"), a.yes, "cdi history")
        except PlainRefused as exc:
            print(f"cdi history: {exc}", file=sys.stderr)
            return 2
    db = Database(a.db)
    try:
        svc = AuditService(db, a.user or "", audit=a.audit)
        try:
            sid = review.sample_id(svc, a.sample, a.audit)  # the sample's own audit; refused if --audit names another
        except ProgrammeError as exc:
            print(f"cdi history: {exc}", file=sys.stderr)
            return 1
        row = next((r for r in svc.queue(sid) if r.position == a.position), None)
        if row is None:
            raise ValueError(f"no record at position {a.position} of '{a.sample}'")
        if a.pseudonymise:  # the free text pseudonymised (docs/pseudonymisation.md), the report beside the file
            from ..pseudonymise_exports import export_history

            export_history(svc, row.item_id, a.csv or None)
        else:
            svc.export_history(row.item_id, a.csv or None)
    finally:
        db.close()
    return 0


# ---- the parsers -----------------------------------------------------------------------------------------------
AUDIT_OF_SAMPLE = ("the audit of the programme the sample belongs to (default: the sample's own); a sample of "
                   "another audit is refused, naming its audit")
AUDIT_OF_LISTING = ("only the records of this audit of the programme (default: the latest audit's; with --sample, "
                    "the sample's own audit, and a sample of another audit than the one named is refused)")


def add_review(subparsers: Any) -> None:
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
    p.add_argument("--audit", metavar="NAME", help=AUDIT_OF_SAMPLE)
    p = sub.add_parser("status", help="assignments and where each review stands (one audit's: the latest unless "
                                      "--audit or --sample says)")
    p.add_argument("db")
    p.add_argument("--sample", help="only this sample's records")
    p.add_argument("--audit", metavar="NAME", help=AUDIT_OF_LISTING)
    p = sub.add_parser("disagreements", help="records where the review differs from the first verdict (or the "
                                             "reviewer could not decide a check; one audit's: the "
                                             "latest unless --audit or --sample says)")
    p.add_argument("db")
    p.add_argument("--sample", help="only this sample's records")
    p.add_argument("--decided", action="store_true", help="also list the records decided, and whose verdict was upheld")
    p.add_argument("--audit", metavar="NAME", help=AUDIT_OF_LISTING)
    p = sub.add_parser("reopen", help="reopen a sealed blind review so its reviewer may change it (the lead)")
    p.add_argument("db")
    p.add_argument("--sample", required=True)
    p.add_argument("--position", type=int, required=True)
    p.add_argument("--reason", required=True, help="why (it goes in the history)")
    p.add_argument("--audit", metavar="NAME", help=AUDIT_OF_SAMPLE)
    p = sub.add_parser("decide", help="the lead's decision on a disagreement: the final verdict")
    p.add_argument("db")
    p.add_argument("--sample", required=True)
    p.add_argument("--position", type=int, required=True)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--take", choices=["primary", "review"],
                       help="the auditor's (primary) or the reviewer's verdict")
    which.add_argument("--own", action="store_true",
                       help="your own final verdict, neither side's: --answer CHECK=yes|no for each check that "
                            "arises, or for an incident or referral --crime CODE=REF (CODE alone: not recorded, with "
                            "--not-recorded-reason) or --zero-status")
    p.add_argument("--reason", required=True)
    p.add_argument("--answer", action="append", metavar="CHECK=yes|no", help="--own: a check's answer (repeat)")
    p.add_argument("--crime", action="append", metavar="CODE[=REF]", help="--own: a crime identified (repeat)")
    p.add_argument("--zero-status", action="store_true", help="--own: no crime in this record")
    p.add_argument("--not-recorded-reason", metavar="TEXT", help="--own: why the crimes given without REF were not "
                                                                 "recorded")
    p.add_argument("--rape-code", metavar="CODE", help="--own, an N100: the rape it should have been recorded as")
    p.add_argument("--rationale", metavar="TEXT", help="--own: the final verdict's rationale")
    p.add_argument("--audit", metavar="NAME", help=AUDIT_OF_SAMPLE)
    p = sub.add_parser("undo-decision", help="take back a decision (the lead, with a reason in the history): the "
                                             "record awaits a decision again")
    p.add_argument("db")
    p.add_argument("--sample", required=True)
    p.add_argument("--position", type=int, required=True)
    p.add_argument("--reason", required=True, help="why (it goes in the history)")
    p.add_argument("--audit", metavar="NAME", help=AUDIT_OF_SAMPLE)
    sp.set_defaults(func=cmd_review)


def add_history(subparsers: Any) -> None:
    p = subparsers.add_parser("history", help="one record's history: every change, who, when, why (CSV)")
    p.add_argument("db")
    p.add_argument("--sample", required=True)
    p.add_argument("--position", type=int, required=True)
    p.add_argument("--csv", metavar="FILE", help="write to FILE instead of the screen")
    p.add_argument("--audit", metavar="NAME", help=AUDIT_OF_SAMPLE)
    p.add_argument("--pseudonymise", action="store_true",
                   help="replace names, addresses and other identifiers in the reasons and the verdicts' free text by "
                        "placeholders ([Person 1]); with --csv, the report goes beside it as NAME.pseudonymisation.txt")
    p.add_argument("--yes", action="store_true",
                   help="--csv: a CSV file cannot be protected with a password, so the command asks before writing "
                        "the reasons and rationales to it (and refuses with no terminal to ask at); --yes writes it "
                        "without asking")
    p.set_defaults(func=cmd_history)


COMMANDS = {"review": add_review, "history": add_history}


def register(subparsers: Any) -> None:
    """Add review and history to the `cdi` command's subparsers."""
    for add in COMMANDS.values():
        add(subparsers)
