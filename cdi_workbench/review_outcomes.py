"""What the peer review came to, beside the agreement per check (agreement.py): the lead's decisions and the
auditors' agreement with the final verdict, as tables every export and the window show.

- The lead's decisions, per check: of the records where the auditor and the reviewer differ on the check (or the
  reviewer could not decide it), how many the lead has decided and whose answer the final verdict kept: the
  auditor's, the reviewer's, or neither; how many await a decision; how many the reviewer could not decide.
- The lead's decisions, per auditor: the same for whole records (the auditor upheld: the final verdict is the
  auditor's on every answer; the reviewer: the reviewer's on every answer; neither: the lead's own answers, or
  some answers from each).
- Agreement with the final verdict: each auditor's answers against those the audit settled on once the lead
  decided (the final verdict; the first verdict where the review agreed with it on everything). Records whose
  disagreement awaits a decision are left out until it is decided.

Who may see them: those who may see the findings (the lead and auditors, audit.roles "report"): the figures
tell a blind reviewer's answers and the first verdicts. figures_for() checks the role in the core.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .agreement import (
    _ABSENT,
    RECORD_PASSES,
    Agreement,
    Reviewed,
    _order,
    agreement_of,
    label,
    measure,
    passes,
    reviewed,
)
from .findings_tables import Cell, Row, Table
from .storage.database import Database

DECISION_COLUMNS = ["Disputed", "Decided", "Auditor upheld", "Reviewer upheld", "Neither upheld", "Awaiting decision",
                    "Reviewer could not decide"]
AUDITOR_COLUMNS = ["Records reviewed", *DECISION_COLUMNS]
FINAL_COLUMNS = ["Records", "Same as the final verdict", "% agreement", "Kappa"]
DECISIONS_BY_CHECK = "review_decisions_by_check"
DECISIONS_BY_AUDITOR = "review_decisions_by_auditor"
FINAL_AGREEMENT = "review_final_agreement"
TITLES = {DECISIONS_BY_CHECK: "The lead's decisions, per check",
          DECISIONS_BY_AUDITOR: "The lead's decisions, per auditor",
          FINAL_AGREEMENT: "Each auditor's agreement with the final verdict"}
NOTES = {
    DECISIONS_BY_CHECK: (
        "Disputed: records where the auditor and the peer reviewer gave different answers to the check, or the "
        "reviewer could not decide it. Once the lead decided, the final verdict kept the auditor's answer, the "
        "reviewer's, or neither. 'Whole record' is whether the record passes every check."),
    DECISIONS_BY_AUDITOR: (
        "Per record: the auditor upheld where the final verdict is the auditor's on every answer, the reviewer where "
        "it is the reviewer's, neither where the lead gave answers of their own (or took some from each). Reviewer "
        "could not decide: records with a check the reviewer could not decide."),
    FINAL_AGREEMENT: (
        "Each auditor's answers against the verdict the audit settled on: the lead's final verdict, or the first "
        "verdict where the peer reviewer agreed with it on every answer. Records awaiting the lead's decision are "
        "left out. Kappa as in the agreement table."),
}


@dataclass
class ReviewOutcomes:
    """The agreement per check and what the review came to, from one reading of the reviewed records."""

    agreement: list[Agreement] = field(default_factory=list)
    final_agreement: list[Agreement] = field(default_factory=list)  # each auditor with the final verdict
    tables: list[Table] = field(default_factory=list)


def compute(db: Database, method: str = "normal", audit: str | None = None) -> ReviewOutcomes:
    """Everything from one reading of one audit of the programme (None: the latest); no role check: the callers
    check it, see figures_for."""
    return outcomes_of(reviewed(db, audit), method)


def figures_for(db: Database, user: str, method: str = "normal", audit: str | None = None) -> ReviewOutcomes:
    """The agreement and the lead's decisions for a person who may see them (the lead or an auditor: the findings'
    roles; roles.NotAllowed for anyone else, a peer reviewer, the force's liaison or an unregistered name)."""
    from .audit.roles import require

    require(db, user, "report")
    return compute(db, method, audit)


def outcomes_of(rows: list[Reviewed], method: str = "normal") -> ReviewOutcomes:
    final = final_agreement(rows, method)
    tables = [decisions_by_check(rows), decisions_by_auditor(rows), final_table(final)]
    return ReviewOutcomes(agreement_of(rows, method), final, [t for t in tables if t.rows])


def _with_pass(kind: str, answers: dict[str, object], undecided: frozenset[str] = frozenset()) -> dict[str, object]:
    out = dict(answers)
    verdict = passes(kind, answers, undecided)
    if verdict is not None:
        out[RECORD_PASSES] = verdict
    return out


def check_outcome(r: Reviewed, check: str) -> str:
    """On one check of a reviewed record: '' (not disputed), 'awaiting', or who the final verdict upheld."""
    first = _with_pass(r.kind, r.first)
    second = _with_pass(r.kind, r.second, r.undecided)
    a, b = first.get(check, _ABSENT), second.get(check, _ABSENT)
    undecided = check in r.undecided or (check == RECORD_PASSES and b is _ABSENT and a is not _ABSENT)
    if not undecided and a == b:
        return ""
    if r.final is None:
        return "awaiting"
    f = _with_pass(r.kind, r.final).get(check, _ABSENT)
    if f == a:
        return "auditor"
    if not undecided and f == b:
        return "reviewer"
    return "neither"


def _counts(columns: list[str]) -> dict[str, list[int]]:
    return {c: [] for c in columns}


def _add(counts: dict[str, list[int]], outcome: str, item: int, undecided: bool) -> None:
    if not outcome:
        return
    counts["Disputed"].append(item)
    if outcome == "awaiting":
        counts["Awaiting decision"].append(item)
    else:
        counts["Decided"].append(item)
        counts[f"{outcome.capitalize()} upheld"].append(item)
    if undecided:
        counts["Reviewer could not decide"].append(item)


def _row(label_: str, columns: list[str], counts: dict[str, list[int]]) -> Row:
    return Row(label_, [Cell(len(counts[c]), sorted(counts[c])) for c in columns])


def decisions_by_check(rows: list[Reviewed]) -> Table:
    per: dict[str, dict[str, list[int]]] = defaultdict(lambda: _counts(DECISION_COLUMNS))
    for r in rows:
        checks = dict.fromkeys([RECORD_PASSES, *r.first, *r.second, *r.undecided])
        for check in checks:
            undecided = check in r.undecided or (
                check == RECORD_PASSES and passes(r.kind, r.second, r.undecided) is None)
            _add(per[check], check_outcome(r, check), r.item_id, undecided)
    ordered = sorted(per, key=lambda c: (_order(c), c))
    return Table(DECISIONS_BY_CHECK, TITLES[DECISIONS_BY_CHECK], list(DECISION_COLUMNS),
                 [_row(label(c), DECISION_COLUMNS, per[c]) for c in ordered], NOTES[DECISIONS_BY_CHECK])


def decisions_by_auditor(rows: list[Reviewed]) -> Table:
    per: dict[str, dict[str, list[int]]] = defaultdict(lambda: _counts(AUDITOR_COLUMNS))
    for r in rows:
        for who in (r.auditor, ""):
            counts = per[who]
            counts["Records reviewed"].append(r.item_id)
            outcome = "" if not r.disputed else (r.upheld or "awaiting")
            _add(counts, outcome, r.item_id, bool(r.undecided))
    if not any(c["Disputed"] for c in per.values()):
        return Table(DECISIONS_BY_AUDITOR, TITLES[DECISIONS_BY_AUDITOR], list(AUDITOR_COLUMNS), [])
    names = sorted(w for w in per if w)
    out = [_row(w, AUDITOR_COLUMNS, per[w]) for w in names]
    if len(names) > 1:
        out.append(_row("Total", AUDITOR_COLUMNS, per[""]))
    return Table(DECISIONS_BY_AUDITOR, TITLES[DECISIONS_BY_AUDITOR], list(AUDITOR_COLUMNS), out,
                 NOTES[DECISIONS_BY_AUDITOR])


def final_agreement(rows: list[Reviewed], method: str = "normal") -> list[Agreement]:
    """Per check (the whole record first), everyone then each auditor: the auditor's answers against the final
    verdict's (Reviewed.final_answers); records awaiting a decision left out."""
    pairs: dict[tuple[str, str], list[tuple[int, object, object]]] = defaultdict(list)
    for r in rows:
        settled = r.final_answers
        if settled is None:
            continue
        first, final = _with_pass(r.kind, r.first), _with_pass(r.kind, settled)
        for check in first:
            if check in final:
                for who in ("", r.auditor):
                    pairs[(check, who)].append((r.item_id, first[check], final[check]))
    keys = sorted(pairs, key=lambda k: (k[1] != "", k[1], _order(k[0]), k[0]))
    return [measure(check, who, pairs[(check, who)], method) for check, who in keys]


def final_table(rows: list[Agreement]) -> Table:
    out = []
    for a in rows:
        pct = "" if a.percent is None else f"{a.percent:.1f}%"
        kappa = "n/a" if a.kappa is None else f"{a.kappa:.2f}"
        out.append(Row(f"{a.auditor or 'All auditors'}: {label(a.check)}", [
            Cell(a.pairs, list(a.items)), Cell(a.agree, sorted(set(a.items) - set(a.disagreements))),
            Cell(round(a.percent or 0.0, 1), [], pct), Cell(round(a.kappa or 0.0, 2), [], kappa)]))
    return Table(FINAL_AGREEMENT, TITLES[FINAL_AGREEMENT], list(FINAL_COLUMNS), out, NOTES[FINAL_AGREEMENT])


def table_lines(table: Table) -> list[str]:
    """A table as lines of text (the command line's `cdi agreement`)."""
    width = max([len(r.label) for r in table.rows] + [10])
    width = min(width, 60)
    rows = [[c.text or f"{c.value:,}" for c in r.cells] for r in table.rows]
    # each column as wide as its heading (never cut: 'Reviewer upheld', not 'Reviewer uphel') or its widest cell
    widths = [max([len(h)] + [len(cells[i]) for cells in rows]) for i, h in enumerate(table.columns)]
    out = [table.title, f"  {'':{width}} " + " ".join(f"{h:>{w}}" for h, w in zip(table.columns, widths, strict=True))]
    for r, cells in zip(table.rows, rows, strict=True):
        out.append(f"  {r.label[:width]:{width}} " + " ".join(f"{x:>{w}}" for x, w in zip(cells, widths, strict=True)))
    if table.note:
        out.append(f"  {table.note}")
    return out
