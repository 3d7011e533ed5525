"""The stored facts the figures and the queue's filters use, compared with what the hash-chained history says.

trail.verify checks the history's own chain and that each verdict's answers are the last ones its history records.
The figures and filters read more than the answers: the verdict's auditor (by-auditor figures), its complete flag
and the counts kept beside it for the queue's filters (Failed, Late, Not recorded: worked out from the answers on
save), the samples (which record sits at which position, its stratum, the population and design in the sample's
frame) and the records themselves. This module checks each of them:

- a verdict's auditor is the person who wrote its last history row, or the one that row credits (AUDITOR: an
  import of verdicts, a merge, a package's copy); its complete flag and counts are those its answers give, worked
  out again now (as AuditService saves them);
- a sample is as its last 'sample' history row records it: written when it is drawn, extended, renamed or deleted,
  with its facts and every item (id, position, kind, record, stratum);
- each record's content is what its stored digest says (storage.content), and each record table is as the last
  import's 'records' history row, or the last purge's 'purge' row (retention: the records it deleted or blanked,
  and each table's digest after it), records it (its records' ids and digests), so a record edited with its digest
  worked out again shows too; and a purge was written by someone who was then an active audit lead (or while
  nobody was registered).

Rows written before this (schema 0012 wrote a 'sample' row for every sample and a 'records' row for every table as
they were then) are read as they stand: a verdict imported or merged before the history named the auditor
credited is not checked for its auditor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..kinds import RecordKind
from ..storage.content import (
    CONTENT_COLUMNS,
    RECORD_TABLES,
    TABLE_LABELS,
    canonical,
    changed_records,
    fill,
    table_state,
)
from ..storage.models import Audit, AuditItem, CrimeRecord, ReportRecord, Sample, Verdict, VerdictChange
from ..timeutil import now_utc
from .trail import AUDITOR, NOT_VERDICTS, PERSON, PURGE, RECORDS, REMOVED, SAMPLE, Finding, seal

# verdict rows that may credit someone other than their writer; written before the history named who (schema 0012)
# they leave the auditor unchecked
CREDITING = frozenset({"import", "merge", "package"})
COUNTERS = ("n_crimes", "n_recorded", "n_misclassified", "n_late", "n_failed_checks")
MAX_NAMED = 20  # records named one by one per table; the rest counted


def without_auditor(body: Any) -> Any:
    """A verdict row's new value as the verdict's answers (the AUDITOR key left out)."""
    if isinstance(body, dict) and AUDITOR in body:
        return {k: v for k, v in body.items() if k != AUDITOR}
    return body


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


# ---- writing: what the history records of samples and record tables -----------------------------------------
def _time(value: Any) -> str | None:
    return None if value is None else canonical(value)


def sample_state(smp: Sample, items: Iterable[AuditItem]) -> dict[str, Any]:
    """What a 'sample' history row records of a sample: its facts (the frame as a digest) and every item."""
    frame = hashlib.sha256(_canon(smp.frame or {}).encode()).hexdigest()
    state = {"sample": smp.id, "name": smp.name, "kind": smp.kind, "system": smp.system, "method": smp.method,
             "seed": smp.seed, "drawn_at": _time(smp.drawn_at), "drawn_by": smp.drawn_by, "frame": frame,
             "items": [[i.id, i.position, i.kind, i.record_id, i.stratum]
                       for i in sorted(items, key=lambda i: i.position)]}
    audit_id = getattr(smp, "audit_id", None)  # (migration 0012's stand-in rows, before schema 0016, have none)
    if (smp.frame or {}).get("audit") and audit_id is not None:  # drawn for an audit of a programme: anchored
        state["audit"] = audit_id
    return state


def note_sample(s: Session, smp: Sample, who: str, reason: str) -> None:
    """Append a 'sample' row recording the sample as it now is (call after flushing its items)."""
    s.flush()
    items = list(s.scalars(select(AuditItem).where(AuditItem.sample_id == smp.id)))
    _append(s, who, SAMPLE, sample_state(smp, items), reason)


def note_sample_removed(s: Session, smp: Sample, who: str, reason: str) -> None:
    """Append a 'sample' row recording the sample deleted (sample_admin.delete_sample)."""
    _append(s, who, SAMPLE, {"sample": smp.id, "name": smp.name, REMOVED: reason}, reason)


def note_tables(s: Session, who: str, tables: Iterable[str], reason: str) -> int:
    """Append a 'records' row for each record table whose digests are not what the history last records of it
    (digests missing are worked out first); returns the rows written."""
    conn = s.connection()
    last = _last_tables(s)
    written = 0
    for table in tables:
        fill(conn, table)
        state = table_state(conn, table)
        recorded = last.get(table)
        if recorded is not None and (recorded[1].get("rows"), recorded[1].get("digest")) == (state["rows"],
                                                                                            state["digest"]):
            continue
        if recorded is None and not state["rows"]:
            continue
        _append(s, who, RECORDS, state, reason)
        written += 1
    return written


def refresh_counts(s: Session, who: str) -> int:
    """Work the stored counts of every verdict out again from its answers and today's records (after an import
    changed the crime records or reports they read: the queue's filters read the counts), for the verdicts `who`
    may write (on PostgreSQL the server holds an auditor to primary verdicts); returns how many changed."""
    from .roles import VERDICT_ACTION, NotAllowed, identify

    q = select(Verdict).order_by(Verdict.id)
    if s.get_bind().dialect.name != "sqlite":
        try:
            person = identify(s, who)
        except NotAllowed:
            return 0
        q = q.where(Verdict.role.in_([r for r, action in VERDICT_ACTION.items() if person.may(action)]))
    verdicts = list(s.scalars(q))
    worked = _counts(s, verdicts)
    changed = 0
    for v in verdicts:
        expected = worked[v.id]
        if any(getattr(v, k) != expected[k] for k in COUNTERS):
            for k in COUNTERS:
                setattr(v, k, expected[k])
            changed += 1
    s.flush()
    return changed


def _append(s: Session, who: str, action: str, body: dict[str, Any], reason: str) -> None:
    change = VerdictChange(item_id=0, role=action, at=now_utc(), who=who, action=action, old_body=None,
                           new_body=body, reason=reason)
    seal(s, change)
    s.add(change)
    s.flush()


def _last_tables(s: Session) -> dict[str, tuple[int, dict[str, Any]]]:
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    for rid, action, body in s.execute(select(VerdictChange.id, VerdictChange.action, VerdictChange.new_body)
                                       .where(VerdictChange.action.in_([RECORDS, PURGE]))
                                       .order_by(VerdictChange.id)).tuples():
        for state in (purged_tables(body) if action == PURGE else [body]):
            if isinstance(state, dict) and isinstance(state.get("table"), str):
                out[state["table"]] = (rid, state)
    return out


def purged_tables(body: Any) -> list[dict[str, Any]]:
    """The record tables' states a 'purge' row records (as a 'records' row records one: table, rows, digest)."""
    tables = body.get("tables") if isinstance(body, dict) else None
    if not isinstance(tables, dict):
        return []
    return [{"table": t, "rows": e.get("rows"), "digest": e.get("digest")} for t, e in tables.items()
            if isinstance(e, dict)]


# ---- checking -------------------------------------------------------------------------------------------------
@dataclass
class Expected:
    """What the history says, gathered row by row as trail.verify reads it."""

    credited: dict[tuple[int, str], tuple[int, str | None]] = field(default_factory=dict)  # -> (row, auditor)
    samples: dict[Any, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # sample id -> (row, state)
    tables: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # table -> (row, state)
    people: dict[Any, Any] = field(default_factory=dict)  # name -> what the history last records of them
    problems: list[Finding] = field(default_factory=list)  # found while reading the history

    def see(self, ch: VerdictChange) -> None:
        body = ch.new_body
        if ch.action == SAMPLE and isinstance(body, dict):
            self.samples[body.get("sample")] = (ch.id, body)
        elif ch.action == RECORDS and isinstance(body, dict) and isinstance(body.get("table"), str):
            self.tables[body["table"]] = (ch.id, body)
        elif ch.action == PURGE:
            for state in purged_tables(body):
                if isinstance(state.get("table"), str):
                    self.tables[state["table"]] = (ch.id, state)
            self._purger(ch)
        elif ch.action == PERSON:
            person = body if isinstance(body, dict) else ch.old_body
            if isinstance(person, dict):
                self.people[person.get("name")] = body
        elif ch.action not in NOT_VERDICTS:
            key = (ch.item_id, ch.role)
            if isinstance(body, dict) and isinstance(body.get(AUDITOR), str):
                self.credited[key] = (ch.id, body[AUDITOR])
            elif ch.action == "merge" and body is not None and _canon(ch.old_body) == _canon(body):
                pass  # a merge that kept this database's verdict: its auditor as it was
            elif ch.action in CREDITING:
                self.credited[key] = (ch.id, None)  # written before the history named the auditor credited
            else:
                self.credited[key] = (ch.id, ch.who)

    def _purger(self, ch: VerdictChange) -> None:
        """Only the audit lead purges (audit.roles 'purge records'); anyone while nobody is registered."""
        if not self.people:
            return
        person = self.people.get(ch.who)
        if not (isinstance(person, dict) and person.get("role") == "lead" and person.get("active")):
            self.problems.append(Finding("history", ch.id, f"records a purge of records by {ch.who!r}, who was not "
                                                           "then an active audit lead: written outside the "
                                                           "application"))

    def check(self, s: Session, stop: Callable[[], bool] | None = None, records: bool = True) -> list[Finding]:
        out = list(self.problems)
        out += self._verdicts(s)
        out += self._samples(s)
        if records:
            out += self._records(s, stop)
        return out

    # verdicts: auditor, complete, counts ------------------------------------------------------------------
    def _verdicts(self, s: Session) -> list[Finding]:
        out: list[Finding] = []
        verdicts = list(s.scalars(select(Verdict).order_by(Verdict.id)))
        worked = _counts(s, verdicts)
        for v in verdicts:
            row, auditor = self.credited.get((v.item_id, v.role), (0, None))
            if row and auditor is not None and v.auditor != auditor:
                out.append(Finding("verdict", v.id, f"the {v.role} verdict on item {v.item_id} is credited to "
                                                    f"{v.auditor!r} where its history (row {row}) records "
                                                    f"{auditor!r}: its auditor was changed outside the application"))
            body = v.body if isinstance(v.body, dict) else {}
            if bool(v.complete) != bool(body.get("complete")):
                out.append(Finding("verdict", v.id, f"the {v.role} verdict on item {v.item_id} is marked "
                                                    f"{'complete' if v.complete else 'not complete'} where its "
                                                    "answers say otherwise (edited outside the application)"))
            expected = worked.get(v.id)
            if expected is not None:
                stored = {k: getattr(v, k) for k in COUNTERS}
                wrong = [f"{k} {stored[k]} (its answers give {expected[k]})" for k in COUNTERS
                         if stored[k] != expected[k]]
                if wrong:
                    out.append(Finding("verdict", v.id, f"the {v.role} verdict on item {v.item_id} stores "
                                                        f"{', '.join(wrong)}: the counts the queue's filters read "
                                                        "were edited outside the application"))
        return out

    # samples ----------------------------------------------------------------------------------------------
    def _samples(self, s: Session) -> list[Finding]:
        out: list[Finding] = []
        items: dict[int, list[AuditItem]] = {}
        for i in s.scalars(select(AuditItem).order_by(AuditItem.sample_id, AuditItem.position)):
            items.setdefault(i.sample_id, []).append(i)
        present = set()
        for smp in s.scalars(select(Sample).order_by(Sample.id)):
            present.add(smp.id)
            row, recorded = self.samples.get(smp.id, (0, None))
            if recorded is None:
                out.append(Finding("sample", smp.id, f"sample '{smp.name}' ({len(items.get(smp.id, [])):,} "
                                                     "records) is not in the history: drawn outside the "
                                                     "application"))
                continue
            if REMOVED in recorded:
                out.append(Finding("sample", smp.id, f"sample '{smp.name}' is there, but the history (row {row}) "
                                                     "records it deleted"))
                continue
            out += _compare_sample(smp, items.get(smp.id, []), row, recorded)
        for sid, (row, recorded) in self.samples.items():
            if sid not in present and REMOVED not in recorded:
                n = len(recorded.get("items") or [])
                out.append(Finding("sample", sid if isinstance(sid, int) else 0,
                                   f"sample '{recorded.get('name')}' ({n:,} records, history row {row}) is gone: "
                                   "deleted outside the application"))
        return out

    # records ----------------------------------------------------------------------------------------------
    def _records(self, s: Session, stop: Callable[[], bool] | None) -> list[Finding]:
        out: list[Finding] = []
        conn = s.connection()
        for table in CONTENT_COLUMNS:
            label = TABLE_LABELS[table]
            ref = RECORD_TABLES[table].__table__.c["crime_ref" if table == "cancellation" else "ref"]
            changed = list(changed_records(conn, table, stop))
            refs = dict(conn.execute(select(RECORD_TABLES[table].__table__.c.id, ref).where(
                RECORD_TABLES[table].__table__.c.id.in_([c[0] for c in changed[:MAX_NAMED]])))
                .tuples().all()) if changed else {}
            for rid, stored, _now in changed[:MAX_NAMED]:
                what = ("has no content digest" if stored is None
                        else "does not hold what its content digest says")
                out.append(Finding("record", rid, f"{label[:-1] if label.endswith('s') else label} {rid} "
                                                  f"({refs.get(rid, '?')}) {what}: edited outside the "
                                                  "application"))
            if len(changed) > MAX_NAMED:
                out.append(Finding("record", 0, f"... and {len(changed) - MAX_NAMED:,} more {label} edited "
                                                "outside the application"))
            row, recorded = self.tables.get(table, (0, None))
            if recorded is None:
                continue
            state = table_state(conn, table)
            if (state["rows"], state["digest"]) != (recorded.get("rows"), recorded.get("digest")):
                diff = state["rows"] - int(recorded.get("rows") or 0)
                how = (f"{diff:,} more than" if diff > 0 else f"{-diff:,} fewer than" if diff < 0
                       else "as many as")
                out.append(Finding("history", row, f"the {label} are not those the history last records (row "
                                                   f"{row}: {recorded.get('rows'):,} records; now {state['rows']:,}, "
                                                   f"{how} then): records were added, removed or changed outside "
                                                   "the application (their digests worked out again)"))
        return out


def _compare_sample(smp: Sample, items: list[AuditItem], row: int, recorded: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    now = sample_state(smp, items)
    facts = [k for k in ("name", "kind", "system", "method", "seed", "drawn_at", "drawn_by", "frame")
             if now[k] != recorded.get(k)]
    if "audit" in recorded and now.get("audit") != recorded["audit"]:  # anchored when drawn for an audit
        facts.append("audit")
    if facts:
        named = ", ".join("frame (population, allocation, extensions)" if k == "frame"
                          else "audit of the programme" if k == "audit" else k for k in facts)
        out.append(Finding("sample", smp.id, f"sample '{smp.name}': its {named} differ from what the history "
                                             f"records (row {row}): changed outside the application"))
    then = {e[1]: e for e in recorded.get("items") or [] if isinstance(e, list) and len(e) == 5}
    have = {e[1]: e for e in now["items"]}
    for pos in sorted(then.keys() | have.keys()):
        was, is_ = then.get(pos), have.get(pos)
        if was == is_:
            continue
        where = f"sample '{smp.name}' position {pos}"
        if is_ is None:
            assert was is not None
            out.append(Finding("item", was[0], f"{where} (item {was[0]}, {was[2]} record {was[3]}) is gone: "
                                               "removed outside the application"))
        elif was is None:
            out.append(Finding("item", is_[0], f"{where} (item {is_[0]}, {is_[2]} record {is_[3]}) was never "
                                               "drawn: added outside the application"))
        else:
            parts = []
            if was[0] != is_[0]:
                parts.append(f"item {is_[0]} where item {was[0]} was drawn")
            if (was[2], was[3]) != (is_[2], is_[3]):
                parts.append(f"points at {is_[2]} record {is_[3]} where {was[2]} record {was[3]} was drawn")
            if was[4] != is_[4]:
                parts.append(f"stratum {is_[4]!r} where it was drawn in {was[4]!r}")
            out.append(Finding("item", is_[0], f"{where}: {'; '.join(parts)} (history row {row}): changed outside "
                                               "the application"))
    return out


def _counts(s: Session, verdicts: list[Verdict]) -> dict[int, dict[str, int]]:
    """Each verdict's counts as its answers give them now (AuditService._write_in works them out on save)."""
    from ..rules import rule_set
    from .evaluate import CrimeFacts, evaluate, summarise
    from .verdicts import VerdictBody

    if not verdicts:
        return {}
    # each item under its own audit's rule set (a programme holds audits under either; audit.programme.rules_key)
    first = s.scalar(select(Audit.rule_set).order_by(Audit.id).limit(1)) or "2015"
    audit_rules = dict(s.execute(select(Audit.id, Audit.rule_set)).tuples().all())
    sample_rules = {sid: rule_set(audit_rules.get(aid, first)) if aid in audit_rules else rule_set(first)
                    for sid, aid in s.execute(select(Sample.id, Sample.audit_id)).tuples()}
    item_sample = dict(s.execute(select(AuditItem.id, AuditItem.sample_id)).tuples().all())
    kinds = dict(s.execute(select(AuditItem.id, AuditItem.kind)).tuples().all())
    report_of = dict(s.execute(select(AuditItem.id, AuditItem.record_id)
                               .where(AuditItem.kind.in_(list(RecordKind.REPORTS)))).tuples().all())
    bodies = {v.id: VerdictBody.from_json(v.body if isinstance(v.body, dict) else None) for v in verdicts}
    crime_ids = sorted({c.crime_id for b in bodies.values() for c in b.crimes if c.crime_id is not None})
    facts: dict[int, CrimeFacts] = {}
    for start in range(0, len(crime_ids), 500):
        for c in s.scalars(select(CrimeRecord).where(CrimeRecord.id.in_(crime_ids[start:start + 500]))):
            facts[c.id] = CrimeFacts(c.ho_code, c.recorded_at)
    report_ids = sorted(set(report_of.values()))
    received: dict[int, Any] = {}
    for start in range(0, len(report_ids), 500):
        received.update(s.execute(select(ReportRecord.id, ReportRecord.received_at)
                                  .where(ReportRecord.id.in_(report_ids[start:start + 500]))).tuples().all())
    out: dict[int, dict[str, int]] = {}
    for v in verdicts:
        body = bodies[v.id]
        if kinds.get(v.item_id) in RecordKind.REPORTS:
            at = received.get(report_of.get(v.item_id, -1))
            rules = sample_rules.get(item_sample.get(v.item_id, -1)) or rule_set(first)
            results = [evaluate(c, facts.get(c.crime_id) if c.crime_id else None, at, rules) for c in body.crimes]
        else:
            results = []
        summary = summarise(body, results)
        out[v.id] = {k: getattr(summary, k) for k in COUNTERS}
    return out
