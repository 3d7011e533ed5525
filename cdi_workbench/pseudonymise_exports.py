"""Pseudonymised exports (`--pseudonymise` on `cdi report`, `cdi verdicts export` and `cdi history`, and the check
box in the window's export dialogs): copies of what the writers write, the free text pseudonymised, so that the
writers themselves are unchanged (docs/pseudonymisation.md).

Each export has one Pseudonymiser, fed first with the records' own fields (the records behind the rows: location,
the extract's columns, the caller or victim, then what the patterns find in their narratives and notes), then with
every location in the extract (the force area's streets), then with the export's own free text; only then is the
text replaced, so a name learnt in the last row is replaced in the first too. References, codes, answers, times,
auditors' names and non-text values are kept. Beside the file a report, NAME.pseudonymisation.txt, says how many of
each kind were replaced and where (never an original); the export's row in the trail notes the same counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from .pseudonymise import Pseudonymiser
from .storage.models import (
    N100,
    AuditItem,
    Cancellation,
    CrimeRecord,
    Disposal,
    ReportRecord,
    Verdict,
    VerdictChange,
)
from .timeutil import display, now_utc

if TYPE_CHECKING:
    from .audit.service import AuditService
    from .findings import Findings
    from .reports.common import ReviewFigures
    from .storage.database import Database

REPORT_SUFFIX = ".pseudonymisation.txt"
CHUNK = 500  # ids per IN (...) query
# Columns of the findings' verdict rows kept as they are: references, codes, the sample, who, when. Every other text
# (the rationale, the reason not recorded, the classification and timeliness workings with any override's reason,
# a column added later) is pseudonymised.
KEEP_FINDINGS = frozenset({"item_id", "sample", "position", "kind", "system", "record_ref", "crime_no", "auditor",
                           "updated_at", "expected_code", "recorded_ref", "recorded_code", "recorded_status",
                           "rape_code", "zero_status"})
# Columns of the verdicts file kept as they are (docs/verdicts.md): the rest is free text.
KEEP_VERDICTS = frozenset({"kind", "record_ref", "crime_no", "auditor", "expected_code", "recorded_ref",
                           "rape_code"})
# Keys of a history row's old and new values kept as they are: references, codes, answers, people of the audit.
KEEP_HISTORY = frozenset({"expected_code", "crime_id", "crime_ref", "rape_code", "zero_status", "complete", "checks",
                          "undecided", "safeguarding", "investigation", "domestic_abuse", "classified_override",
                          "timely_override", "what", "file", "rows", "sample", "positions", "reviewer", "mode", "basis",
                          "challenge", "crime_no", "failure", "decision", "response", "record", "kind", "record_id",
                          "ref", "import_hash", "flagged", "auditor", "role", "name", "active", "pseudonymised"})


def report_path(path: str | Path) -> Path:
    """Where the report of an export goes: beside it, `NAME.pseudonymisation.txt` ('f.xlsx.pseudonymisation.txt')."""
    path = Path(path)
    return path.with_name(path.name + REPORT_SUFFIX)


# ---- what the records themselves say ----------------------------------------------------------------------------
@dataclass
class RecordFields:
    """A record's fields that may hold identifiers."""

    ref: str
    location: str | None = None
    people: list[str] = field(default_factory=list)  # fields that may name a person (caller, victim)
    texts: list[str] = field(default_factory=list)  # narratives, notes, histories
    extra: dict[str, Any] | None = None  # the extract's own columns


def _chunks(ids: Iterable[Any]) -> Iterable[list[Any]]:
    ids = sorted(set(ids), key=str)
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _report_fields(r: ReportRecord) -> RecordFields:
    return RecordFields(r.ref, r.location, [r.caller_type or "", r.agency or ""], [r.narrative or ""], r.extra)


def records(s: Session, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], RecordFields]:
    """The fields of the records with these (kind, record id) keys (as audit items name them)."""
    by_kind: dict[str, set[int]] = {}
    for kind, rid in keys:
        by_kind.setdefault("report" if kind in ("incident", "referral") else kind, set()).add(rid)
    out: dict[tuple[str, int], RecordFields] = {}
    for ids in _chunks(by_kind.get("report", ())):
        for r in s.scalars(select(ReportRecord).where(ReportRecord.id.in_(ids))):
            out[(r.kind, r.id)] = _report_fields(r)
    for ids in _chunks(by_kind.get("disposal", ())):
        for d in s.scalars(select(Disposal).where(Disposal.id.in_(ids))):
            out[("disposal", d.id)] = RecordFields(d.ref, None, [d.victim or ""], [d.offender_history or "",
                                                                                  d.notes or ""], d.extra)
    for ids in _chunks(by_kind.get("cancellation", ())):
        for c in s.scalars(select(Cancellation).where(Cancellation.id.in_(ids))):
            out[("cancellation", c.id)] = RecordFields(c.crime_ref, None, [], [c.reason or "", c.notes or ""],
                                                       c.extra)
    for ids in _chunks(by_kind.get("n100", ())):
        for n in s.scalars(select(N100).where(N100.id.in_(ids))):
            out[("n100", n.id)] = RecordFields(n.ref, None, [], [n.narrative or ""], n.extra)
    for ids in _chunks(by_kind.get("crime", ())):  # a crime record sampled itself
        for cr in s.scalars(select(CrimeRecord).where(CrimeRecord.id.in_(ids))):
            out[("crime", cr.id)] = RecordFields(cr.ref, cr.location, [], [cr.offence or "", cr.outcome or ""],
                                                 cr.extra)
    return out


def item_records(s: Session, item_ids: Iterable[int]) -> dict[int, tuple[str, int]]:
    """Audit item id -> (kind, record id)."""
    out = {}
    for ids in _chunks(item_ids):
        for item_id, kind, rid in s.execute(select(AuditItem.id, AuditItem.kind, AuditItem.record_id)
                                            .where(AuditItem.id.in_(ids))):
            out[item_id] = (kind, rid)
    return out


def records_by_ref(s: Session, refs: Iterable[tuple[str, str]]) -> list[RecordFields]:
    """The fields of the records a verdicts file names by kind and reference."""
    by_kind: dict[str, set[str]] = {}
    for kind, ref in refs:
        by_kind.setdefault(kind, set()).add(ref)
    out: list[RecordFields] = []
    for kind in ("incident", "referral"):
        for ids in _chunks(by_kind.get(kind, ())):
            out += [_report_fields(r) for r in s.scalars(select(ReportRecord).where(
                ReportRecord.kind == kind, ReportRecord.ref.in_(ids)))]
    keys: list[tuple[str, int]] = []
    for kind, model, column in (("disposal", Disposal, Disposal.ref), ("cancellation", Cancellation,
                                                                        Cancellation.crime_ref),
                                ("n100", N100, N100.ref), ("crime", CrimeRecord, CrimeRecord.ref)):
        for ids in _chunks(by_kind.get(kind, ())):
            keys += [(kind, rid) for rid in s.scalars(select(model.id).where(column.in_(ids)))]
    return out + list(records(s, keys).values())


def locations(s: Session) -> set[str]:
    """Every location in the extract (incidents, referrals and crime records): the force area's streets."""
    found: set[str] = set()
    for column in (ReportRecord.location, CrimeRecord.location):
        found.update(v for v in s.scalars(select(column).distinct()) if v)
    return found


def seed(p: Pseudonymiser, s: Session, fields: Iterable[RecordFields]) -> None:
    """Teach the pseudonymiser the records' identifiers: structured fields first, then the whole extract's streets,
    then what the patterns find in the records' narratives and notes."""
    fields = list(fields)
    for f in fields:
        p.learn_fields(f.extra)
        p.learn_location(f.location)
        for person in f.people:
            p.learn_person(person)
    p.learn_streets(locations(s))
    for f in fields:
        for text in f.texts:
            p.learn_text(text)


def _texts(p: Pseudonymiser, row: dict[str, Any], keep: frozenset[str], label: str) -> dict[str, Any]:
    return {k: p.pseudonymise(v, f"{label}: {k}") if isinstance(v, str) and k not in keep and v else v
            for k, v in row.items()}


def _label(row: dict[str, Any]) -> str:
    no = row.get("crime_no")
    return f"{row.get('record_ref') or row.get('kind') or 'record'}" + (f", crime {no}" if no else "")


def _learn_rows(p: Pseudonymiser, rows: Iterable[dict[str, Any]], keep: frozenset[str]) -> None:
    seen: set[str] = set()
    for row in rows:
        for k, v in row.items():
            if isinstance(v, str) and k not in keep and v and v not in seen:
                seen.add(v)
                p.learn_text(v, remember=True)


def write_report(p: Pseudonymiser, path: Path, who: str = "") -> Path:
    """The report beside the exported file `path`; returns where it went."""
    from .spreadsheets import write_atomically

    target = report_path(path)
    text = p.report(path.name, by=who, at=display(now_utc()))
    return write_atomically(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


# ---- the findings -----------------------------------------------------------------------------------------------
@dataclass
class PseudonymisedFindings:
    """The findings and review figures with their free text pseudonymised, and the pseudonymiser that did it (one
    for every file written from them: 'Person 1' is the same person in the JSON, the workbook and the PDF)."""

    findings: Findings
    review: ReviewFigures | None
    pseudonymiser: Pseudonymiser

    def for_file(self, path: str | Path) -> Findings:
        """The findings as a file at `path` carries them: a note saying they are pseudonymised first among the
        notes every format prints, and the counts in the JSON's audit section ("pseudonymised")."""
        name = report_path(path).name
        f = self.findings
        return replace(f, audit={**f.audit, "pseudonymised": self.pseudonymiser.summary(name)},
                       warnings=[self.pseudonymiser.note(name), *f.warnings])


def pseudonymise_findings(db: Database, findings: Findings,
                          review: ReviewFigures | None = None) -> PseudonymisedFindings:
    """Copies of the findings' verdict rows and the force's challenges with their free text pseudonymised; the
    tables, figures and references are the same objects."""
    rows = findings.verdicts
    challenges = list(review.challenges) if review is not None else []
    p = Pseudonymiser()
    with db.session() as s:
        items = item_records(s, [r["item_id"] for r in rows if r.get("item_id") is not None]
                             + [c.failure.item_id for c in challenges])
        seed(p, s, records(s, items.values()).values())
    _learn_rows(p, rows, KEEP_FINDINGS)
    for c in challenges:
        p.learn_text(c.force_rationale)
        p.learn_text(c.decision_reason)
    out = [_texts(p, r, KEEP_FINDINGS, _label(r)) for r in rows]
    previous = findings.previous
    if previous is not None:  # its rows are not written today; pseudonymised all the same should a writer add them
        previous = replace(previous, verdicts=[_texts(p, r, KEEP_FINDINGS, "previous audit, " + _label(r))
                                               for r in previous.verdicts])
    new_review = review
    if review is not None:
        where = {c.failure.item_id: c.failure.reference for c in challenges}
        new_review = replace(review, challenges=[
            replace(c, force_rationale=p.pseudonymise(c.force_rationale, f"{where.get(c.failure.item_id)}, challenge: "
                                                                         "force's rationale"),
                    decision_reason=p.pseudonymise(c.decision_reason, f"{where.get(c.failure.item_id)}, challenge: "
                                                                      "decision reason"))
            for c in challenges])
    return PseudonymisedFindings(replace(findings, verdicts=out, previous=previous), new_review, p)


def export_findings(db: Database, who: str, prepared: PseudonymisedFindings, path: str | Path,
                    fmt: str | None = None) -> Path:
    """Write pseudonymised findings through the one findings export (reports.export_findings: the role checked, the
    export in the trail, its row noting the counts) and the report beside it; returns the report's path."""
    from .audit.exports import noting
    from .reports import export_findings as write

    path = Path(path)
    p = prepared.pseudonymiser
    with noting({"pseudonymised": p.summary(report_path(path).name)}):
        write(db, who, prepared.for_file(path), path, prepared.review, fmt)
    return write_report(p, path, who)


# ---- the verdicts file ------------------------------------------------------------------------------------------
def pseudonymise_verdict_rows(db: Database, rows: list[dict[str, Any]], p: Pseudonymiser) -> None:
    """The verdicts file's rows (verdict_io.verdict_rows), their free text pseudonymised in place."""
    with db.session() as s:
        seed(p, s, records_by_ref(s, {(r["kind"], r["record_ref"]) for r in rows}))
    _learn_rows(p, rows, KEEP_VERDICTS)
    for i, row in enumerate(rows):
        rows[i] = _texts(p, row, KEEP_VERDICTS, f"{row.get('kind')} {_label(row)}")


def export_verdicts(db: Database, path: str | Path, who: str = "", audit: str | None = None) -> tuple[int, Path]:
    """`cdi verdicts export --pseudonymise`: the verdicts file with its rationales and reasons pseudonymised, and
    the report beside it; returns (rows written, the report's path)."""
    from .audit.exports import noting
    from .verdict_io import export_verdicts as write

    path = Path(path)
    p = Pseudonymiser()
    noted: dict[str, Any] = {}

    def rewrite(rows: list[dict[str, Any]]) -> None:
        pseudonymise_verdict_rows(db, rows, p)
        noted["pseudonymised"] = p.summary(report_path(path).name)

    with noting(noted):
        n = write(db, path, who, rewrite=rewrite, audit=audit)
    return n, write_report(p, path, who)


# ---- a record's history -----------------------------------------------------------------------------------------
def _body(value: Any, p: Pseudonymiser, where: str, key: str = "") -> Any:  # noqa: ANN401 (JSON)
    if isinstance(value, dict):
        return {k: v if k in KEEP_HISTORY else _body(v, p, where, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_body(v, p, where, key) for v in value]
    if isinstance(value, str) and value:
        return p.pseudonymise(value, f"{where}: {key or 'value'}")
    return value


def pseudonymise_history(changes: list[VerdictChange], p: Pseudonymiser, label: str) -> list[VerdictChange]:
    """Copies of history rows (not added to any session) with their reasons and the free text of their old and new
    values pseudonymised. Their digests are left out: a row's hash is of the original text and, with the rows
    beside it, could be used to test a guess at what was replaced."""
    for ch in changes:
        p.learn_text(ch.reason)
        for body in (ch.old_body, ch.new_body):
            _learn_body(p, body)
    return [VerdictChange(item_id=ch.item_id, role=ch.role, at=ch.at, who=ch.who, action=ch.action,
                          old_body=_body(ch.old_body, p, f"{label}, history row {n}, old"),
                          new_body=_body(ch.new_body, p, f"{label}, history row {n}, new"),
                          reason=p.pseudonymise(ch.reason, f"{label}, history row {n}, reason"), hash=None)
            for n, ch in enumerate(changes, 1)]


def _learn_body(p: Pseudonymiser, value: Any) -> None:  # noqa: ANN401 (JSON)
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in KEEP_HISTORY:
                _learn_body(p, v)
    elif isinstance(value, list):
        for v in value:
            _learn_body(p, v)
    elif isinstance(value, str):
        p.learn_text(value)


def _history(svc: AuditService, item_id: int, p: Pseudonymiser) -> list[VerdictChange]:
    """One record's history, pseudonymised. Besides the record's own fields, every verdict of the audit is read for
    the names and places its text gives with a cue, so that a name a rationale names with a cue in one record is
    replaced where this record's history names it bare, as it would be in the findings or the verdicts file (only
    what is learnt is used: nothing of those verdicts goes into the file)."""
    changes = svc.history(item_id)  # the role and a blind review checked here
    with svc.db.session() as s:
        where = item_records(s, [item_id])
        fields = records(s, where.values())
        seed(p, s, fields.values())
        seen: set[str] = set()
        for body in s.scalars(select(Verdict.body)):
            text = json.dumps(body, ensure_ascii=False, sort_keys=True)
            if text not in seen:
                seen.add(text)
                _learn_body(p, body)
    label = next((f.ref for f in fields.values()), f"audit item {item_id}")
    return pseudonymise_history(changes, p, label)


def export_history(svc: AuditService, item_id: int, path: str | Path | None, out: TextIO | None = None) -> int:
    """`cdi history --pseudonymise` (and the History window's export with the box ticked): one record's history as
    CSV, pseudonymised, to the file `path` (checked and recorded in the trail as AuditService.export_history does,
    the row noting the counts, the report beside it) or, with path None, to the stream `out` (shown, not exported).
    Returns the rows written."""
    import sys

    from .audit.exports import exported
    from .audit.trail import write_history_csv

    p = Pseudonymiser()
    if path is None:
        rows = _history(svc, item_id, p)
        write_history_csv(rows, out if out is not None else sys.stdout)
        return len(rows)
    target = Path(path)

    def write(_person: object) -> int:
        rows = _history(svc, item_id, p)
        with open(target, "w", newline="", encoding="utf-8") as fh:
            write_history_csv(rows, fh)
        return len(rows)

    n = exported(svc.db, svc.user, "read records", "the history of a record", target, write,
                 lambda n: {"rows": n, "pseudonymised": p.summary(report_path(target).name)}, item_id=item_id)
    write_report(p, target, svc.user)
    return n
