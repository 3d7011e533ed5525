"""The force's challenges: the failed records go back to the force as a workbook with a response column,
its responses come back (validated as any import), and the lead decides each challenge.

The workbook carries no more than the force needs to find and answer each failure: references, codes and
the failure; no narratives, victims or rationales.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from .audit.evaluate import check_failed, failure_name
from .audit.roles import require
from .audit.trail import decision_body, seal
from .findings import Findings, compute
from .kinds import RecordKind, VerdictRole
from .spreadsheets import (
    TableError,
    cell_problems,
    mark_pages,
    mark_workbook,
    marking_row,
    open_table,
    put,
    write_atomically,
)
from .storage.database import Database, serialise_writes
from .storage.models import Challenge, VerdictChange
from .timeutil import display, now_utc

HEADERS = ["Failure ID", "Reference", "Record type", "System", "Crime no", "Expected code", "Recorded as",
           "Failure", "Response (agree / challenge)", "Force rationale"]
RESPONSES = ("agree", "challenge")


@dataclass(frozen=True)
class Failure:
    item_id: int
    crime_no: int
    failure: str
    reference: str
    kind: str
    system: str
    expected_code: str
    recorded_as: str

    @property
    def key(self) -> str:
        return f"{self.item_id}:{self.crime_no}:{self.failure}"


def failures(f: Findings) -> list[Failure]:
    """Every failure in the effective verdicts: crimes not recorded, wrongly classified, late; failed checks."""
    hours = f.audit.get("limit_hours")
    out = []
    for v in f.verdicts:
        base = (v["item_id"], v.get("crime_no", 0))
        info = (v.get("record_ref", ""), v["kind"], v.get("system", ""),
                v.get("expected_code", "") or v.get("rape_code", "") or "",  # an N100's: the rape it should have been
                " ".join(x for x in (v.get("recorded_ref", ""), v.get("recorded_code", "")) if x))
        if v["kind"] in RecordKind.REPORTS:
            if v.get("crime_no", 0) == 0:
                continue
            if not v.get("recorded_ref"):
                out.append(Failure(*base, "not recorded", *info))
            if v.get("classified_correctly") is False:
                out.append(Failure(*base, "wrongly classified", *info))
            if v.get("timely") is False:
                out.append(Failure(*base, f"recorded outside {hours} hours", *info))
            continue
        for key, answer in v.items():
            if isinstance(answer, bool) and check_failed(key, answer):
                out.append(Failure(*base, failure_name(key), *info))
    return out


def export_for_force(db: Database, path: str | Path, who: str = "", audit: str | None = None) -> int:
    """The failed records of one audit of the programme (`audit`: its name; None: the latest) as a workbook for the
    force, one row per failure; returns the number of rows. The export goes in the trail (audit.exports)."""
    from .audit.exports import exported

    n, _name = exported(db, who, "exchange with the force", "the failed records for the force", path,
                        lambda _person: _write_for_force(db, path, audit),
                        lambda done: {"rows": done[0], "audit": done[1]})
    return n


def _write_for_force(db: Database, path: str | Path, audit: str | None) -> tuple[int, str]:
    """Write the workbook; the rows written and the audit's name."""
    findings = compute(db, audit=audit)  # an unknown audit's name: ProgrammeError, naming those there are
    rows = failures(findings)

    def write(tmp: Path) -> None:
        import openpyxl  # openpyxl loads with the first workbook, not with the window
        from openpyxl.styles import Font
        from openpyxl.worksheet.datavalidation import DataValidation

        bold = Font(bold=True)
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Failed records"
        marking_row(ws, bold)
        for col, h in enumerate(HEADERS, 1):
            put(ws, 2, col, h).font = bold
        for r, fl in enumerate(rows, 3):
            for col, value in enumerate([fl.key, fl.reference, fl.kind, fl.system, fl.crime_no, fl.expected_code,
                                         fl.recorded_as, fl.failure, "", ""], 1):
                put(ws, r, col, value)
        check = DataValidation(type="list", formula1='"agree,challenge"', allow_blank=True)
        ws.add_data_validation(check)
        check.add(f"I3:I{max(3, len(rows) + 2)}")
        ws.freeze_panes = "B3"
        mark_pages(ws)
        mark_workbook(wb, "Crime data integrity audit: failures for the force's response")
        for letter, w in zip("ABCDEFGHIJ", (14, 20, 12, 12, 9, 13, 22, 28, 26, 60), strict=True):
            ws.column_dimensions[letter].width = w
        wb.save(tmp)

    write_atomically(path, write)
    return len(rows), str(findings.audit.get("audit", ""))


class ResponseError(Exception):
    """The force's workbook has problems; nothing was stored. `problems` name the row and column."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(problems[:5]))
        self.problems = problems


def import_responses(db: Database, path: str | Path, who: str = "", audit: str | None = None) -> Counter[str]:
    """Store the force's responses to the failures of one audit of the programme (`audit`: its name; None: the
    latest) in one transaction; every row is checked first (a failure of another audit is refused by its row).
    Returns counts."""
    require(db, who, "exchange with the force")
    path = Path(path)
    name = path.name
    findings = compute(db, audit=audit)  # an unknown audit's name: ProgrammeError, naming those there are
    known = {fl.key: fl for fl in failures(findings)}
    this = f"the audit '{findings.audit.get('audit', '')}'"
    try:  # the first sheet, whatever its <dimension> says (spreadsheets.reading)
        with open_table(path, xlsx_only=True) as table:
            rows = [(table.header_row, table.header_cells), *table.rows()]
    except TableError as exc:  # an unreadable file is the user's problem to fix, said plainly
        raise ResponseError([str(exc)]) from None
    header_at = next((n for n, (_, r) in enumerate(rows) if r and r[0] == HEADERS[0]), None)
    if header_at is None:
        raise ResponseError([f"{name}: no '{HEADERS[0]}' heading: is this the workbook exported for the force?"])
    problems, answers = [], {}
    for i, r in rows[header_at + 1:]:
        unread = cell_problems(r)  # a formula with no saved value (or a NUL) is no answer, nor a blank
        for j, value, problem in unread:
            column = HEADERS[j] if j < len(HEADERS) else f"column {j + 1}"
            problems.append(f"{name} row {i}, column '{column}': value {value[:60]!r}: {problem}")
        if unread:
            continue
        key = str(r[0] or "").strip() if r else ""  # a blank row may come back with no cells at all
        response = str(r[8] or "").strip().lower() if len(r) > 8 else ""
        rationale = str(r[9] or "").strip() if len(r) > 9 else ""
        if not key and not response:
            continue
        if key not in known:
            problems.append(f"{name} row {i}, column '{HEADERS[0]}': value '{key}': not a failure of {this}")
        elif response and response not in RESPONSES:
            problems.append(f"{name} row {i}, column '{HEADERS[8]}': value '{response}': answer agree or challenge")
        elif response == "challenge" and not rationale:
            problems.append(f"{name} row {i}, column '{HEADERS[9]}': a challenge needs the force's rationale")
        elif key in answers:
            problems.append(f"{name} row {i}, column '{HEADERS[0]}': value '{key}': answered twice")
        elif response:
            answers[key] = (response, rationale, i)
    if problems:
        raise ResponseError(problems)
    counts: Counter[str] = Counter()
    with db.session() as s:
        serialise_writes(s)
        stored = {}
        for key, (response, rationale, row) in answers.items():
            fl = known[key]
            ch = s.scalar(select(Challenge).where(Challenge.item_id == fl.item_id, Challenge.crime_no == fl.crime_no,
                                                  Challenge.failure == fl.failure))
            if ch is not None and (ch.response, ch.force_rationale) == (response, rationale):
                counts["unchanged"] += 1
                continue
            if ch is not None and ch.decision:  # the lead decided on what the force said before
                problems.append(f"{name} row {row}, column '{HEADERS[8]}': the audit lead has already decided this "
                                f"challenge ({ch.decision} on {display(ch.decided_at)}); a changed answer cannot "
                                "replace a decision: ask the lead")
                continue
            stored[key] = (ch, fl, response, rationale)
        if problems:  # nothing is stored (the session rolls back)
            raise ResponseError(problems)
        for ch, fl, response, rationale in stored.values():
            if ch is None:
                ch = Challenge(item_id=fl.item_id, crime_no=fl.crime_no, failure=fl.failure)
                s.add(ch)
            ch.response, ch.force_rationale, ch.responded_at = response, rationale, now_utc()
            counts[response] += 1
    return counts


def decide(db: Database, challenge_id: int, upheld: bool, reason: str, who: str) -> None:
    """The lead's decision on a challenge, with a reason; upheld means the force was right."""
    if not who.strip():
        raise ValueError("say who is deciding")
    if not reason.strip():
        raise ValueError("a decision needs a reason")
    lead = require(db, who, "decide challenges")
    with db.session() as s:
        serialise_writes(s)
        ch = s.get(Challenge, challenge_id)
        if ch is None or ch.response != "challenge":
            raise ValueError(f"no challenge {challenge_id} to decide")
        old = decision_body(ch) if ch.decision else None
        ch.decision, ch.decision_reason = ("upheld" if upheld else "rejected"), reason.strip()
        ch.decided_by, ch.decided_at = lead.name, now_utc()
        change = VerdictChange(item_id=ch.item_id, role=VerdictRole.FINAL, at=ch.decided_at, who=lead.name,
                               action="challenge", old_body=old, new_body=decision_body(ch), reason=reason.strip())
        seal(s, change)  # in the hash-chained history beside the verdicts
        s.add(change)


@dataclass(frozen=True)
class ChallengeRow:
    """One failure of the effective verdicts with the force's response to it and the lead's decision, if any."""

    failure: Failure
    challenge_id: int | None = None
    response: str = ""  # '' (no response) | agree | challenge
    force_rationale: str = ""
    responded_at: datetime | None = None
    decision: str = ""  # '' | upheld | rejected
    decision_reason: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None

    @property
    def state(self) -> str:
        if self.response == "agree":
            return "agreed by the force"
        if self.response == "challenge":
            return {"upheld": "challenge upheld", "rejected": "challenge rejected"}.get(
                self.decision, "challenged: awaiting decision")
        return "no response"

    @property
    def pending(self) -> bool:
        return self.response == "challenge" and not self.decision

    @property
    def counted_after(self) -> bool:
        """Still a failure after the challenges: only an upheld challenge removes it."""
        return self.decision != "upheld"


def challenge_rows(db: Database, findings: Findings | None = None, audit: str | None = None) -> list[ChallengeRow]:
    """Every current failure of one audit of the programme (`audit`: its name; None: the latest) with its response
    and decision (a failure the force has not answered too).

    findings: the findings already computed from db (compute(db, audit=...)), to save computing them again."""
    current = failures(findings if findings is not None else compute(db, audit=audit))
    with db.session() as s:
        stored = {(c.item_id, c.crime_no, c.failure): c for c in s.scalars(select(Challenge))}
        out = []
        for fl in current:
            ch = stored.get((fl.item_id, fl.crime_no, fl.failure))
            if ch is None:
                out.append(ChallengeRow(fl))
            else:
                out.append(ChallengeRow(fl, ch.id, ch.response, ch.force_rationale, ch.responded_at, ch.decision,
                                        ch.decision_reason, ch.decided_by, ch.decided_at))
    return out


RESOLUTION_KEYS = ("before", "agreed", "challenged", "upheld", "rejected", "pending", "after")


def resolution_items(rows: list[ChallengeRow]) -> dict[str, dict[str, list[int]]]:
    """Per kind of failure, the audit items behind each figure of the before/after table (RESOLUTION_KEYS);
    an item appears once per failure it holds, so len() of each list is the figure."""
    out: dict[str, dict[str, list[int]]] = {}
    for r in rows:
        row = out.setdefault(r.failure.failure, {k: [] for k in RESOLUTION_KEYS})
        keys = ["before"]
        if r.response == "agree":
            keys.append("agreed")
        elif r.response == "challenge":
            keys += ["challenged", r.decision or "pending"]
        if r.counted_after:
            keys.append("after")
        for k in keys:
            row[k].append(r.failure.item_id)
    return out


def resolution(db: Database, audit: str | None = None) -> dict[str, dict[str, int]]:
    """Failures of one audit of the programme (`audit`: its name; None: the latest) before and after the force's
    challenges, per kind of failure."""
    return {failure: {k: len(items) for k, items in row.items()}
            for failure, row in resolution_items(challenge_rows(db, audit=audit)).items()}
