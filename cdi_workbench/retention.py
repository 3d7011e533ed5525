"""Retention: once the findings are issued, the records no longer needed go, and the audit still verifies.

`cdi purge DB --before DATE` (the audit lead, with a reason; docs/retention.md) looks at every record dated before
DATE (an incident or referral by its received time, a crime record by its recorded time, a disposal by its issue,
a cancellation by its date, an N100 by its recorded time; a record with no date is kept as it is):

- a record nothing in the audit needs is deleted: a report, disposal, cancellation or N100 never sampled (but an
  incident a kept N100 names); a crime record no verdict links, not linked to a kept report, not the crime of a
  kept disposal or cancellation;
- a record the audit needs is kept with what the figures and the drill-down read (its reference, kind, system,
  times, codes, status, links, stratum), and its narrative and personal free-text fields are blanked (BLANKED): a
  narrative, notes or an offender's history reads "purged on dd/mm/yyyy by NAME"; a location, a victim, their age
  and sex, the columns an extract carried beyond the known ones are emptied.

Verdicts, samples, people and the history stay as they are, so the findings are the same figures after a purge as
before. It is one transaction: a 'purge' history row (hash-chained like every row) records the date, the ids
deleted and blanked per table and each table's digest after the purge, against which `cdi verify` then checks the
record tables (audit.facts). The purge refuses while the trail does not verify (working the digests of the edited
records out again would hide the edit) and while a sampled record it would blank is still being worked on. On
SQLite the file is then compacted (the log checkpointed and emptied, VACUUM, the log emptied again) so the text
removed does not stay in free pages or the write-ahead log.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, null, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .audit.roles import NotAllowed, identify
from .audit.trail import PURGE, seal, verify
from .kinds import RecordKind, VerdictRole
from .storage.content import RECORD_TABLES, TABLE_LABELS, fill, table_state
from .storage.database import Database, is_url, serialise_writes
from .storage.models import (
    N100,
    AuditItem,
    Cancellation,
    Challenge,
    CrimeRecord,
    Disposal,
    RecordLink,
    ReportRecord,
    ReviewAssignment,
    Sample,
    Verdict,
    VerdictChange,
)
from .storage.record_models import table_dates
from .timeutil import display_date, now_utc, uk_local

MARK = "purged on {day} by {name}"
MARKED = re.compile(r"purged on \d\d/\d\d/\d{4} by .+")
TEXT = object()  # in BLANKED: the column takes the marker (a narrative or notes), else it is emptied
# what a kept record loses, per table: nothing a figure, a filter, a verdict's counts or the drill-down reads
BLANKED: dict[str, dict[str, Any]] = {
    "report_record": {"narrative": TEXT, "location": None, "extra": None},
    "crime_record": {"location": None, "victim_age": None, "victim_sex": None, "extra": None},
    "disposal": {"notes": TEXT, "offender_history": TEXT, "victim": None, "extra": None},
    "cancellation": {"notes": TEXT, "extra": None},
    "n100": {"narrative": TEXT, "extra": None},
}
ORDER = ("report_record", "crime_record", "disposal", "cancellation", "n100")  # as TABLE_LABELS lists them
SAMPLED = {"report_record": RecordKind.REPORTS, "disposal": (RecordKind.DISPOSAL,),
           "cancellation": (RecordKind.CANCELLATION,), "n100": (RecordKind.N100,),
           "crime_record": (RecordKind.CRIME,)}
CHUNK = 5000  # ids per IN (...): SQLite takes at most 32,766 parameters
NAMED = 5  # unfinished records named in a refusal
COMPACT_WAIT_MS = 2000  # how long compacting waits for another connection to let go of the file


class PurgeRefused(ValueError):
    """The purge cannot go ahead (the trail does not verify, work is unfinished, no reason given)."""


@dataclass
class TablePurge:
    deleted: list[int] = field(default_factory=list)
    blanked: list[int] = field(default_factory=list)


@dataclass
class Purge:
    """What a purge removes (a dry run: would remove), table by table."""

    before: date
    who: str
    reason: str
    dry_run: bool
    tables: dict[str, TablePurge] = field(default_factory=dict)
    links: int = 0  # links between reports and crime records removed with them
    history_row: int | None = None  # the 'purge' row written (None: a dry run, or nothing to purge)
    compacted: bool | None = None  # SQLite: the file compacted and its log emptied (None: not tried)
    copies: list[Path] = field(default_factory=list)  # upgrade backups beside the file: they still hold it all

    @property
    def nothing(self) -> bool:
        return not any(t.deleted or t.blanked for t in self.tables.values())

    def lines(self) -> list[str]:
        """Counts per table, in words."""
        out = []
        for table in ORDER:
            t = self.tables.get(table, TablePurge())
            out.append(f"{TABLE_LABELS[table]}: {len(t.deleted):,} deleted, {len(t.blanked):,} kept with their "
                       "narrative and personal details blanked")
        out.append(f"links between reports and crime records: {self.links:,} removed with them")
        return out


def purge(db: Database, who: str, before: date, reason: str = "", dry_run: bool = False) -> Purge:
    """Delete the records dated before `before` that nothing in the audit needs, and blank the narratives and
    personal details of those it does (the module docstring); `dry_run` works it out and changes nothing."""
    reason = " ".join(reason.split())
    if dry_run:
        with db.snapshot() as s:  # nothing written in it is kept
            result = _plan(s, who, before, reason, dry_run=True)
    else:
        with db.session() as s:  # one transaction: all or nothing
            serialise_writes(s)  # the trail's next link, and no verdict saved meanwhile on what is purged
            result = _plan(s, who, before, reason, dry_run=False)
            if not result.nothing:
                _apply(s, result)
        if not is_url(db.target):
            result.compacted = compact(db)
    if not is_url(db.target):
        result.copies = backups(Path(db.target))
    return result


def _plan(s: Session, who: str, before: date, reason: str, dry_run: bool) -> Purge:
    person = identify(s, who)
    person.require("purge records")
    if not person.name:
        raise NotAllowed("say who is purging (their name goes on every record blanked): --user NAME")
    if not reason and not dry_run:
        raise PurgeRefused("say why the records are purged (the reason goes in the audit trail)")
    problems = verify(s)
    if problems:
        raise PurgeRefused(f"the audit trail does not verify ({len(problems):,} problem"
                           f"{'s' if len(problems) != 1 else ''}; the first: {problems[0]}): run cdi verify. A purge "
                           "now would work the digests of records edited outside the application out again and "
                           "hide the edit; nothing was purged")
    cutoff = uk_local(before.year, before.month, before.day)
    dates = table_dates()
    old = {t: _ids(s, select(RECORD_TABLES[t].id).where(getattr(RECORD_TABLES[t], dates[t]) < cutoff))
           for t in ORDER}
    sampled = {t: _ids(s, select(AuditItem.record_id).where(AuditItem.kind.in_(list(kinds))))
               for t, kinds in SAMPLED.items()}
    _refuse_unfinished(s, old, before)
    plan = Purge(before, person.name, reason, dry_run)
    for t in ("disposal", "cancellation", "n100"):
        plan.tables[t] = _split(old[t], sampled[t])
    # an incident an N100 left by the purge names (the record view shows it beside the N100)
    plan.tables["report_record"] = _split(old["report_record"], sampled["report_record"] | _by_ref(
        s, ReportRecord.id, ReportRecord.ref, _left(s, N100.id, N100.incident_ref, plan.tables["n100"].deleted)))
    gone_reports = set(plan.tables["report_record"].deleted)
    needed = _verdict_crimes(s)  # a verdict's linked crime, a kept report's links, a kept disposal's or cancellation's
    needed |= {cid for rid, cid in s.execute(select(RecordLink.report_id, RecordLink.crime_id)).tuples()
               if rid not in gone_reports}
    refs = (_left(s, Disposal.id, Disposal.crime_ref, plan.tables["disposal"].deleted)
            | _left(s, Cancellation.id, Cancellation.crime_ref, plan.tables["cancellation"].deleted))
    needed |= _by_ref(s, CrimeRecord.id, CrimeRecord.ref, refs)
    needed |= sampled["crime_record"]  # a crime record sampled itself (a crime-record dip-sample) is kept
    plan.tables["crime_record"] = _split(old["crime_record"], needed)
    for t in ORDER:
        plan.tables[t].blanked = _to_blank(s, t, plan.tables[t].blanked)
    plan.links = _links(s, gone_reports, set(plan.tables["crime_record"].deleted))
    return plan


def _ids(s: Session, q: Any) -> set[int]:  # noqa: ANN401 (a select of one integer column)
    return set(s.execute(q).scalars())


def _split(old: set[int], needed: set[int]) -> TablePurge:
    """The records dated before the purge's date: deleted unless needed; the needed ones to be blanked."""
    return TablePurge(sorted(old - needed), sorted(old & needed))


def _left(s: Session, id_col: Any, ref_col: Any, deleted: list[int]) -> set[str]:  # noqa: ANN401 (columns)
    """The references (`ref_col`) the records left after the purge hold."""
    gone = set(deleted)
    return {ref for rid, ref in s.execute(select(id_col, ref_col).where(ref_col.is_not(None))).tuples()
            if rid not in gone and ref}


def _by_ref(s: Session, id_col: Any, ref_col: Any, refs: set[str]) -> set[int]:  # noqa: ANN401 (columns)
    """The ids of the records holding these references."""
    wanted = sorted(refs)
    return {rid for n in range(0, len(wanted), CHUNK)
            for rid in s.execute(select(id_col).where(ref_col.in_(wanted[n:n + CHUNK]))).scalars()}


def _verdict_crimes(s: Session) -> set[int]:
    """Every crime record a verdict of any role links (its counts and the findings read them)."""
    out: set[int] = set()
    for body in s.execute(select(Verdict.body).execution_options(yield_per=1000)).scalars():
        for c in (body or {}).get("crimes") or ():
            if isinstance(c, dict) and isinstance(c.get("crime_id"), int):
                out.add(c["crime_id"])
    return out


def _to_blank(s: Session, table: str, ids: list[int]) -> list[int]:
    """Of `ids`, the records that still hold something a purge blanks (one purged before is left as it is)."""
    model = RECORD_TABLES[table]
    columns = [getattr(model, c) for c in BLANKED[table]]
    out = []
    for chunk in _chunks(ids):
        for row in s.execute(select(model.id, *columns).where(model.id.in_(chunk))).tuples():
            if any(not _blank(v, BLANKED[table][c]) for c, v in zip(BLANKED[table], row[1:], strict=True)):
                out.append(row[0])
    return sorted(out)


def _blank(value: Any, blanked: Any) -> bool:  # noqa: ANN401 (a stored value; TEXT or None)
    if value is None or value == "" or value == {}:
        return True
    return blanked is TEXT and isinstance(value, str) and MARKED.fullmatch(value) is not None


def _links(s: Session, reports: set[int], crimes: set[int]) -> int:
    if not reports and not crimes:
        return 0
    return sum(1 for rid, cid in s.execute(select(RecordLink.report_id, RecordLink.crime_id)).tuples()
               if rid in reports or cid in crimes)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    return (ids[n:n + CHUNK] for n in range(0, len(ids), CHUNK))


# ---- unfinished work ---------------------------------------------------------------------------------------------
def _refuse_unfinished(s: Session, old: dict[str, set[int]], before: date) -> None:
    """A sampled record dated before the purge's date must be finished: a complete effective verdict, no verdict
    under way, no review awaited, no disagreement or challenge waiting for the lead."""
    from .audit.checks import differences
    from .audit.review import IGNORED
    from .audit.verdicts import VerdictBody

    items = [i for i in s.scalars(select(AuditItem).order_by(AuditItem.sample_id, AuditItem.position))
             if i.record_id in old[_table_of(i.kind)]]
    if not items:
        return
    ids = [i.id for i in items]
    verdicts: dict[int, dict[str, Verdict]] = {}
    assigned: set[int] = set()
    challenged: set[int] = set()
    for chunk in _chunks(ids):
        for row in s.scalars(select(Verdict).where(Verdict.item_id.in_(chunk))):
            verdicts.setdefault(row.item_id, {})[row.role] = row
        assigned |= set(s.scalars(select(ReviewAssignment.item_id).where(ReviewAssignment.item_id.in_(chunk))))
        challenged |= set(s.scalars(select(Challenge.item_id).where(
            Challenge.item_id.in_(chunk), Challenge.response == "challenge",
            or_(Challenge.decision == "", Challenge.decision.is_(None)))))
    waiting: list[tuple[AuditItem, str]] = []
    for item in items:
        v = verdicts.get(item.id, {})
        effective = v.get(VerdictRole.FINAL) or v.get(VerdictRole.PRIMARY)
        primary, review = v.get(VerdictRole.PRIMARY), v.get(VerdictRole.REVIEW)
        why = ""
        if effective is None or not effective.complete:
            why = "not audited" if effective is None else "its verdict is not complete"
        elif any(not x.complete for x in v.values()):
            why = "a verdict on it is under way"
        elif item.id in assigned and (review is None or not review.complete):
            why = "its peer review is awaited"
        elif (review is not None and primary is not None and VerdictRole.FINAL not in v
              and (VerdictBody.from_json(review.body).undecided
                   or any(d.check not in IGNORED for d in differences(item.kind, primary.body, review.body)))):
            why = "its reviewer disagrees and the lead has not decided"
        elif item.id in challenged:
            why = "the force's challenge awaits the lead's decision"
        if why:
            waiting.append((item, why))
    if waiting:
        named = "; ".join(f"{_label(s, item)}: {why}" for item, why in waiting[:NAMED])
        more = f"; and {len(waiting) - NAMED:,} more" if len(waiting) > NAMED else ""
        raise PurgeRefused(f"{len(waiting):,} sampled record{'s' if len(waiting) != 1 else ''} dated before "
                           f"{display_date(before)} {'are' if len(waiting) != 1 else 'is'} still being worked on "
                           f"({named}{more}): finish {'them' if len(waiting) != 1 else 'it'}, or delete the "
                           "sample, first; nothing was purged")


def _table_of(kind: str) -> str:
    return next(t for t, kinds in SAMPLED.items() if kind in kinds)


def _label(s: Session, item: AuditItem) -> str:
    """'Sample #position reference', as the findings name a record."""
    model = RECORD_TABLES[_table_of(item.kind)]
    ref = s.scalar(select(model.crime_ref if model is Cancellation else model.ref).where(model.id == item.record_id))
    name = s.scalar(select(Sample.name).where(Sample.id == item.sample_id)) or ""
    return f"{name} #{item.position} {ref or ''}".strip()


# ---- writing -----------------------------------------------------------------------------------------------------
def _apply(s: Session, plan: Purge) -> None:
    """Delete and blank as planned, work the blanked records' digests out again and record it all, with each
    table's digest after the purge, in one 'purge' history row."""
    at = now_utc()
    text = MARK.format(day=display_date(at), name=plan.who)
    reports, crimes = plan.tables["report_record"].deleted, plan.tables["crime_record"].deleted
    conn = s.connection()  # Core statements (their row counts) on the session's transaction
    removed = 0
    for chunk in _chunks(reports):
        removed += conn.execute(delete(RecordLink).where(RecordLink.report_id.in_(chunk))).rowcount or 0
    for chunk in _chunks(crimes):
        removed += conn.execute(delete(RecordLink).where(RecordLink.crime_id.in_(chunk))).rowcount or 0
    plan.links = removed
    body: dict[str, Any] = {"before": plan.before.isoformat(), "marker": text, "tables": {}, "links": removed}
    for table in ORDER:
        t = plan.tables[table]
        if not (t.deleted or t.blanked):
            continue
        model = RECORD_TABLES[table]
        for chunk in _chunks(t.deleted):
            conn.execute(delete(model).where(model.id.in_(chunk)))
        values = {c: (text if v is TEXT else null()) for c, v in BLANKED[table].items()}
        for chunk in _chunks(t.blanked):
            conn.execute(update(model).where(model.id.in_(chunk)).values(**values, content_hash=null()))
        fill(conn, table)  # the blanked records' digests (the trail verified first: no other record lacks one)
        state = table_state(conn, table)
        body["tables"][table] = {"deleted": len(t.deleted), "deleted_ids": ranges(t.deleted),
                                 "blanked": len(t.blanked), "blanked_ids": ranges(t.blanked),
                                 "rows": state["rows"], "digest": state["digest"]}
    change = VerdictChange(item_id=0, role=PURGE, at=at, who=plan.who, action=PURGE, old_body=None, new_body=body,
                           reason=f"records dated before {display_date(plan.before)} purged: {plan.reason}")
    seal(s, change)
    s.add(change)
    s.flush()
    plan.history_row = change.id


def ranges(ids: list[int]) -> list[list[int]]:
    """Sorted ids as runs [first, last] of consecutive ids (a purge deletes long runs: the history stays small)."""
    out: list[list[int]] = []
    for i in ids:
        if out and i == out[-1][1] + 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


# ---- after the transaction: SQLite ---------------------------------------------------------------------------------
def compact(db: Database) -> bool:
    """Leave no copy of the deleted text in the SQLite file: its write-ahead log checkpointed into the file and
    emptied, the file rebuilt (VACUUM: no free page keeps old rows), the log emptied again. False when another
    connection held the file meanwhile (the audit open in the window, say): the purge stands, the space is cleared
    by the next purge (or VACUUM) with the file closed elsewhere."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {COMPACT_WAIT_MS}")  # a reader elsewhere: say so soon
        try:
            first = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
            if first is None or first[0] != 0:
                return False
            conn.exec_driver_sql("VACUUM")
            last = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
            return last is not None and last[0] == 0
        except OperationalError:
            return False
        finally:
            conn.exec_driver_sql("PRAGMA busy_timeout = 30000")  # as storage.database sets every connection


def backups(path: Path) -> list[Path]:
    """The upgrade backups beside an audit database (NAME.backup-REV-TIME.db): copies made before the purge."""
    found = glob.glob(str(path.parent / f"{glob.escape(path.stem)}.backup-*{glob.escape(path.suffix)}"))
    return sorted(Path(f) for f in found if Path(f).is_file())


__all__ = ["BLANKED", "Purge", "PurgeRefused", "TablePurge", "backups", "compact", "purge", "ranges"]
