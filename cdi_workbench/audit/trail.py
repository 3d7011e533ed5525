"""The audit trail: a SHA-256 hash chain over the verdict history, and its verification.

Each history row's digest covers its content and the digest of the row before it. The application only
appends; a row edited, removed or inserted outside it breaks the chain, and a verdict whose stored answers
differ from the last answers its history records shows a verdict edited in place, and a verdict (or review
assignment, or decision on a challenge) the history says exists but that is gone shows one removed outside the
application (a sample deleted by hand, say: sample_admin.delete_sample writes what it removes to the history
first). The people registered on the audit, their roles and whether they are active are in the same history
(audit.people), so a role given or a person added outside the application shows too. So are the samples (every
item, as drawn) and the digests of the imported records, and every stored fact a figure or a filter reads is
compared with the history (audit.facts: a verdict's auditor, complete flag and counts, the samples, the records).
A purge of old records (retention) is in the history too, with each record table's digest after it. So are the
programme's audits (each audit's name, force, period, rule set and when it was closed, as created, closed and
reopened: an audit row changed, added or removed by hand shows) and the audit work the lead gives out (team_view:
the work_assignment table is compared with it). `cdi verify DB` checks all of these.

Whoever holds a SQLite file can still rewrite it all consistently, the chain included. The head of the chain
(trail_head: its rows and the last digest, which covers every row before it) is printed in every report and kept
in every package; `cdi verify DB --against REPORT|PACKAGE|HASH:COUNT` proves the history issued then is still the
first rows of today's, unchanged (audit.anchor).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, inspect, select
from sqlalchemy.orm import Session

from ..storage.database import serialise_writes
from ..storage.models import (
    AppUser,
    Audit,
    AuditItem,
    AuditSetting,
    Challenge,
    ReviewAssignment,
    Verdict,
    VerdictChange,
    WorkAssignment,
)
from ..timeutil import to_utc

if TYPE_CHECKING:
    from ..storage.database import Database

GENESIS = "0" * 64
# a person registered on the audit, their role changed, deactivated or reactivated (audit.people); such rows are
# about no audit item (item 0) and no verdict (their role column says 'people')
PERSON = "person"
PEOPLE = "people"
# a blind review sealed when completed (its new_body: the review as sealed, which the agreement figures use) and
# the lead reopening one (audit.review); both about the item's review
SEAL = "seal"
REOPEN = "reopen"
# an export: who wrote what to which file (audit.exports); about no audit item (item 0, role 'export') unless it is
# one record's history
EXPORT = "export"
# a sample drawn, extended, renamed or deleted: its facts and every item (sample, position, kind, record) as they
# then are (audit.facts); about no audit item (item 0, role 'sample')
SAMPLE = "sample"
# an import: the digest of each record table it changed (storage.content), item 0, role 'records'
RECORDS = "records"
# the key of a verdict row's new value naming the auditor credited with it when that is not the person writing the
# row (an import of verdicts, a merge, a package's copy): audit.facts compares it with the verdict's auditor
AUDITOR = "auditor"
# a record already audited that an import changed: its item flagged for a second look, the record's import digest
# before and after (importing.audited); about the item, role 'record'
RECORD_CHANGED = "record changed"
RECORD_ROLE = "record"
# records deleted or blanked by the lead's purge (retention): the date, the ids per table and each table's digest
# after it, which audit.facts then compares the record tables with (as with a 'records' row); item 0, role 'purge'
PURGE = "purge"
# an audit of the programme created, closed, reopened or otherwise changed through the workbench: its fields as
# they now are (audit_body; old_body: as they were before, None when it was created); item 0, role 'audit'. Schema
# 0019 wrote one for every audit a database already held. Written by the sessions' flush (note_audits), whatever
# part of the workbench changed the audit (cdi init, a package, `cdi audit new|close|reopen`, the window)
AUDIT = "audit"
AUDIT_FIELDS = ("name", "force", "period_start", "period_end", "rule_set", "closed_at")
# the setting naming an audit's method, and the key of the method in an 'audit' row (programme_figures.STYLE_PREFIX)
STYLE_PREFIX = "method-style:"
RECORDED = (*AUDIT_FIELDS, "method_style")
# audit work given out by the lead (team_view.assign_work): the audit, the person and the items given them (each
# moved from whoever held it: old_body, item -> person); item 0, role 'work'
WORK = "work"
# history rows that record something other than a verdict's answers (their new_body is not a verdict)
NOT_VERDICTS = frozenset({"flag", "assign", "unassign", "challenge", PERSON, SEAL, REOPEN, EXPORT, SAMPLE, RECORDS,
                          RECORD_CHANGED, PURGE, AUDIT, WORK})
# who changes an audit, and why, when it is not the person who created it (Session.info; audit.programme sets them)
TRAIL_WHO, TRAIL_WHY = "cdi_trail_who", "cdi_trail_why"
# the key of a 'challenge' row's new value that marks the decision removed with its sample (sample_admin)
REMOVED = "removed"


def digest(prev: str, item_id: int, role: str, at: datetime, who: str, action: str, old: Any, new: Any,
           reason: str) -> str:
    payload = json.dumps([prev, item_id, role, to_utc(at).strftime("%Y-%m-%dT%H:%M:%S.%f"), who, action, old, new,
                          reason], sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def last_hash(s: Session) -> str:
    return s.scalar(select(VerdictChange.hash).where(VerdictChange.hash.is_not(None))
                    .order_by(VerdictChange.id.desc()).limit(1)) or GENESIS


def seal(s: Session, change: VerdictChange) -> None:
    """Chain a new history row to the last one (call before flushing it).

    Writers take turns (storage.database.serialise_writes: an advisory lock on PostgreSQL, the write lock on
    SQLite), so two never chain to the same row; the last hash is read after the turn is taken."""
    serialise_writes(s)
    change.prev_hash = last_hash(s)
    change.hash = digest(change.prev_hash, change.item_id, change.role, change.at, change.who, change.action,
                         change.old_body, change.new_body, change.reason)


def seal_unsealed(conn: Any) -> None:
    """Seal history rows that have no digest yet (rows from before the chain existed), in order."""
    with Session(bind=conn) as s:
        prev = GENESIS
        for ch in s.scalars(select(VerdictChange).order_by(VerdictChange.id)):
            if ch.hash is None:
                ch.prev_hash = prev
                ch.hash = digest(prev, ch.item_id, ch.role, ch.at, ch.who, ch.action, ch.old_body, ch.new_body,
                                 ch.reason)
            prev = ch.hash
        s.flush()


@dataclass(frozen=True)
class Finding:
    what: str  # 'history' | 'verdict'
    row: int
    problem: str

    def __str__(self) -> str:
        return f"{self.what} row {self.row}: {self.problem}"



def chain_link(prev: str, ch: VerdictChange, out: list[Finding]) -> str:
    """Check one history row against the digest of the row before it (noting what is wrong in `out`); returns
    the digest the next row must follow."""
    expected = digest(prev, ch.item_id, ch.role, ch.at, ch.who, ch.action, ch.old_body, ch.new_body, ch.reason)
    if ch.prev_hash != prev:
        out.append(Finding("history", ch.id, "does not follow the row before it (a row was removed, "
                                             "inserted or reordered)"))
    elif ch.hash != expected:
        out.append(Finding("history", ch.id, "its content was changed after it was written"))
    return ch.hash or expected


def verify(s: Session, stop: Callable[[], bool] | None = None, records: bool = True) -> list[Finding]:
    """Every break in the chain and every verdict that does not match its history; [] when intact. `stop`, asked
    at every history row, gives the verification up (raising Stopped: a window closing). It also compares every
    stored fact a figure or a filter reads with what the history says (audit.facts: each verdict's auditor,
    complete flag and counts, every sample and its items, and with `records` each record's content digest and
    each record table's digest)."""
    from .facts import Expected, without_auditor

    facts = Expected()
    out: list[Finding] = []
    prev = GENESIS
    last: dict[tuple[int, str], Any] = {}
    last_row: dict[tuple[int, str], int] = {}
    assigned: dict[int, Any] = {}
    decided: dict[Any, Any] = {}
    registered: dict[Any, tuple[int, Any]] = {}  # person's name -> (history row, what it last records)
    audits: dict[Any, tuple[int, dict[str, Any]]] = {}  # audit id -> (history row, what it last records)
    work: dict[Any, tuple[int, Any, Any]] = {}  # item id -> (history row, audit id, person given it)
    # streamed a thousand rows at a time (a long history is never all in memory, and `stop` is heard at once)
    for ch in s.scalars(select(VerdictChange).order_by(VerdictChange.id).execution_options(yield_per=1000)):
        if stop is not None and stop():
            raise Stopped
        prev = chain_link(prev, ch, out)
        facts.see(ch)
        if ch.action in ("assign", "unassign"):
            assigned[ch.item_id] = ch.new_body
        elif ch.action == "challenge" and isinstance(ch.new_body, dict):
            decided[ch.new_body.get("challenge")] = None if REMOVED in ch.new_body else ch.new_body
        elif ch.action == PERSON:
            body = ch.new_body if isinstance(ch.new_body, dict) else ch.old_body
            if isinstance(body, dict):
                registered[body.get("name")] = (ch.id, ch.new_body)
        elif ch.action == AUDIT and isinstance(ch.new_body, dict):
            _see_audit(ch, audits, out)
        elif ch.action == WORK and isinstance(ch.new_body, dict):
            for item in ch.new_body.get("items") or []:
                work[item] = (ch.id, ch.new_body.get("audit"), ch.new_body.get("person"))
        elif ch.action not in NOT_VERDICTS:
            last[(ch.item_id, ch.role)] = without_auditor(ch.new_body)
            last_row[(ch.item_id, ch.role)] = ch.id
    present = set()
    for v in s.scalars(select(Verdict).order_by(Verdict.id)):
        present.add((v.item_id, v.role))
        recorded = last.get((v.item_id, v.role))
        if recorded is None:
            out.append(Finding("verdict", v.id, f"the verdict on item {v.item_id} has no history"))
        elif _canon(recorded) != _canon(v.body):
            out.append(Finding("verdict", v.id, f"the verdict on item {v.item_id} differs from the last change "
                                                "its history records (edited outside the application)"))
    for (item_id, role), body in last.items():
        if body is not None and (item_id, role) not in present:
            out.append(Finding("history", last_row[(item_id, role)],
                               f"records a {role} verdict on item {item_id} that is no longer there: removed outside "
                               "the application (a sample or record deleted by hand?)"))
    held = set()
    for a in s.scalars(select(ReviewAssignment).order_by(ReviewAssignment.id)):
        held.add(a.item_id)
        if _canon(assigned.get(a.item_id)) != _canon(assignment_body(a)):
            out.append(Finding("assignment", a.id, f"the review assignment of item {a.item_id} differs from the "
                                                   "last change its history records (edited outside the application)"))
    for item_id, body in assigned.items():
        if body is not None and item_id not in held:
            out.append(Finding("assignment", item_id, f"the review assignment of item {item_id} was removed "
                                                      "outside the application"))
    kept = set()
    for c in s.scalars(select(Challenge).order_by(Challenge.id)):
        kept.add(c.id)
        recorded = decided.get(c.id)
        if c.decision and _canon(recorded) != _canon(decision_body(c)):
            out.append(Finding("decision", c.id, f"the decision on challenge {c.id} differs from the last decision "
                                                 "its history records (edited outside the application)"))
        elif not c.decision and recorded is not None:
            out.append(Finding("decision", c.id, f"the decision on challenge {c.id} was removed outside the "
                                                 "application"))
    for cid, body in decided.items():
        if body is not None and cid not in kept:
            out.append(Finding("decision", cid, f"challenge {cid}, decided, was removed outside the application"))
    out += _check_people(s, registered)
    out += _check_audits(s, audits)
    out += _check_work(s, work)
    out += facts.check(s, stop, records)
    return out


def trail_head(source: Database | Session) -> tuple[int, str]:
    """The trail's head: (how many history rows there are, the digest of the last one; GENESIS when none).

    Each row's digest covers the one before it, so the digest of row N stands for rows 1 to N: printed in a report
    or kept in a package, the head lets `cdi verify DB --against` prove later that those rows are still the first
    N rows of the history, unchanged (audit.anchor)."""
    if isinstance(source, Session):
        return _head(source)
    with source.session() as s:
        return _head(s)


def _head(s: Session) -> tuple[int, str]:
    rows = s.scalar(select(func.count()).select_from(VerdictChange)) or 0
    last = s.scalar(select(VerdictChange.hash).order_by(VerdictChange.id.desc()).limit(1))
    return rows, last or GENESIS


def prefix_head(s: Session, rows: int, stop: Callable[[], bool] | None = None) -> tuple[int, str]:
    """The first `rows` history rows chained again from their content alone (the digests stored are not read):
    (how many there are, up to `rows`; the digest the last of them gets)."""
    prev, n = GENESIS, 0
    if rows <= 0:
        return 0, prev
    for ch in s.scalars(select(VerdictChange).order_by(VerdictChange.id).limit(rows)
                        .execution_options(yield_per=1000)):
        if stop is not None and stop():
            raise Stopped
        prev = digest(prev, ch.item_id, ch.role, ch.at, ch.who, ch.action, ch.old_body, ch.new_body, ch.reason)
        n += 1
    return n, prev


def _check_people(s: Session, registered: dict[Any, tuple[int, Any]]) -> list[Finding]:
    """Every registered person as the history last records them (role, login, active), and nobody else."""
    out: list[Finding] = []
    present = set()
    for u in s.scalars(select(AppUser).order_by(AppUser.id)):
        present.add(u.name)
        row, recorded = registered.get(u.name, (0, None))
        if recorded is None:
            out.append(Finding("person", u.id, f"{u.name} ({u.role}) is registered but the history records no "
                                               "registration: added outside the application"))
        elif _canon(recorded) != _canon(person_body(u)):
            out.append(Finding("person", u.id, f"{u.name} is registered as {_state(person_body(u))} where the "
                                               f"history last records {_state(recorded)} (history row {row}): "
                                               "changed outside the application"))
    for name, (row, body) in registered.items():
        if body is not None and name not in present:
            out.append(Finding("history", row, f"records {name} as registered, but they are no longer: removed "
                                               "outside the application"))
    return out


# ---- the programme's audits and the audit work given out --------------------------------------------------------
def _day(value: Any) -> str | None:
    return None if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)[:10]


def audit_body(a: Any, style: str | None = None) -> dict[str, Any]:
    """What the history records of an audit of the programme (and what verify compares the audit table with): its
    id, name, force, period, rule set, when it was closed (None while open) and the method it was audited under
    when one is named (the programme's setting STYLE_PREFIX + name: programme_figures.method_style; None: the
    default). `a` is an Audit, or any object with the same attributes (a migration's row)."""
    from ..storage.content import canonical

    return {"audit": a.id, "name": a.name, "force": a.force, "period_start": _day(a.period_start),
            "period_end": _day(a.period_end), "rule_set": a.rule_set, "closed_at": canonical(a.closed_at),
            "method_style": style}


def style_key(name: str | None) -> str:
    """The setting naming an audit's method (as programme_figures writes it)."""
    return f"{STYLE_PREFIX}{name}"[:80]


def audit_styles(s: Session) -> dict[str, str]:
    """The method-style settings: key -> the method named."""
    return dict(s.execute(select(AuditSetting.key, AuditSetting.value)
                          .where(AuditSetting.key.like(f"{STYLE_PREFIX}%"))).tuples().all())


_UNKNOWN = object()


def note_audits(s: Session) -> None:
    """Append an 'audit' row for every audit this flush adds, or whose recorded fields (or method setting) it
    changes (called after the flush by every workbench session: storage.database registers it). Who: the
    session's TRAIL_WHO, else the person who created the audit; old_body: the audit as the database held it before
    the change (None when that is not known here)."""
    created: set[int] = set()
    before: dict[int, dict[str, Any] | None] = {}  # audit id -> its fields before the flush (None: not known)
    styles_before: dict[str, Any] = {}  # setting key -> its value before the flush (None: no setting)
    for o in s.new:
        if isinstance(o, Audit):
            created.add(o.id)
        elif isinstance(o, AuditSetting) and o.key.startswith(STYLE_PREFIX):
            styles_before[o.key] = None
    for o in s.dirty:
        if isinstance(o, Audit):
            moved, fields = _before(o, AUDIT_FIELDS)
            if moved:
                before[o.id] = fields
        elif isinstance(o, AuditSetting) and o.key.startswith(STYLE_PREFIX):
            moved, was = _before(o, ("value",))
            if moved:
                styles_before[o.key] = _UNKNOWN if was is None else was["value"]
    if not created and not before and not styles_before:
        return
    styles = audit_styles(s)
    touched = [a for a in s.scalars(select(Audit).order_by(Audit.id))
               if a.id in created or a.id in before or style_key(a.name) in styles_before]
    if not touched:
        return
    who, why = s.info.pop(TRAIL_WHO, None), s.info.pop(TRAIL_WHY, None)
    serialise_writes(s)
    conn = s.connection()
    prev = last_hash(s)
    for a in touched:
        key = style_key(a.name)
        new = audit_body(a, styles.get(key))
        old: dict[str, Any] | None = None
        if a.id not in created:
            fields = before[a.id] if a.id in before else {f: getattr(a, f) for f in AUDIT_FIELDS}
            style = styles_before.get(key, styles.get(key))
            if fields is not None and style is not _UNKNOWN:
                old = audit_body(_As(id=a.id, **fields), style)
                if _canon(old) == _canon(new):
                    continue
        if a.id in created:
            reason = f"audit '{a.name}' created"
        elif old is not None and new["closed_at"] != old["closed_at"]:
            reason = f"audit '{a.name}' {'closed' if new['closed_at'] else 'reopened'}"
        elif old is not None and new["method_style"] != old["method_style"]:
            reason = f"audit '{a.name}': its method named {new['method_style']!r}"
        else:
            reason = f"audit '{a.name}' changed"
        by = who or a.created_by or ""
        at = _now()
        h = digest(prev, 0, AUDIT, at, by, AUDIT, old, new, why or reason)
        conn.execute(insert(VerdictChange).values(
            item_id=0, role=AUDIT, at=at, who=by, action=AUDIT, old_body=old, new_body=new, reason=why or reason,
            prev_hash=prev, hash=h))
        prev = h


def _before(o: Any, fields: tuple[str, ...]) -> tuple[bool, dict[str, Any] | None]:
    """Whether this flush changes any of the fields of a row, and what they held before it (None when one was set
    without being read first: not known here)."""
    state = inspect(o)
    out: dict[str, Any] | None = {}
    moved = False
    for field in fields:
        history = state.attrs[field].history
        if history.has_changes():
            moved = True
            if not history.deleted:
                out = None
            elif out is not None:
                out[field] = history.deleted[0]
        elif out is not None:
            out[field] = getattr(o, field)
    return moved, out


class _As:
    """An audit's fields as they were (note_audits' old_body)."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


def _now() -> datetime:
    from ..timeutil import now_utc

    return now_utc()


def _see_audit(ch: VerdictChange, audits: dict[Any, tuple[int, dict[str, Any]]], out: list[Finding]) -> None:
    """An 'audit' row: what the audit now is; and, when the row says what it was before the change, that it was
    what the history last recorded (else it had been changed by hand before this change was made)."""
    body = ch.new_body if isinstance(ch.new_body, dict) else {}
    aid = body.get("audit")
    row, recorded = audits.get(aid, (0, {}))
    if isinstance(ch.old_body, dict) and recorded:
        fields = [k for k in RECORDED if ch.old_body.get(k) != recorded.get(k)]
        if fields:
            out.append(Finding("history", ch.id, f"the audit '{body.get('name')}' held {_fields(ch.old_body, fields)}"
                                                 f" when it was changed, where the history (row {row}) records "
                                                 f"{_fields(recorded, fields)}: changed outside the application "
                                                 "before then"))
    audits[aid] = (ch.id, body)


def _fields(body: dict[str, Any], fields: list[str]) -> str:
    return ", ".join(f"{k} {body.get(k)!r}" for k in fields)


def _check_audits(s: Session, audits: dict[Any, tuple[int, dict[str, Any]]]) -> list[Finding]:
    """Every audit of the programme as the history last records it, and no other."""
    out: list[Finding] = []
    present = set()
    styles = audit_styles(s)
    for a in s.scalars(select(Audit).order_by(Audit.id)):
        present.add(a.id)
        now = audit_body(a, styles.get(style_key(a.name)))
        if a.id not in audits:
            out.append(Finding("audit", a.id, f"the audit '{a.name}' ({now['period_start']} to {now['period_end']}, "
                                              f"{a.rule_set} rules) is not in the history: added outside the "
                                              "application"))
            continue
        row, recorded = audits[a.id]
        fields = [k for k in RECORDED if now[k] != recorded.get(k)]
        if fields:
            out.append(Finding("audit", a.id, f"the audit '{a.name}' holds {_fields(now, fields)} where the "
                                              f"history (row {row}) records {_fields(recorded, fields)}: changed "
                                              "outside the application"))
    for aid, (row, recorded) in audits.items():
        if aid not in present:
            out.append(Finding("audit", aid if isinstance(aid, int) else 0,
                               f"the audit '{recorded.get('name')}' (history row {row}) is gone: removed outside the "
                               "application"))
    return out


def _check_work(s: Session, work: dict[Any, tuple[int, Any, Any]]) -> list[Finding]:
    """Every record given out to audit as the history last records it (to whom, in which audit), and no other; a
    record given out whose item is gone (its sample deleted) is not looked for."""
    out: list[Finding] = []
    held = set()
    for w in s.scalars(select(WorkAssignment).order_by(WorkAssignment.id)):
        held.add(w.item_id)
        row, audit_id, person = work.get(w.item_id, (0, None, None))
        if person is None:
            out.append(Finding("work", w.id, f"item {w.item_id} is given to {w.person} to audit, but the history "
                                             "records no such giving: added outside the application"))
        elif (person, audit_id) != (w.person, w.audit_id):
            out.append(Finding("work", w.id, f"item {w.item_id} is given to {w.person} to audit (audit {w.audit_id}) "
                                             f"where the history (row {row}) records it given to {person} (audit "
                                             f"{audit_id}): changed outside the application"))
    missing = [i for i in work if i not in held]
    there: set[Any] = set()
    for start in range(0, len(missing), 500):
        there.update(s.scalars(select(AuditItem.id).where(AuditItem.id.in_(missing[start:start + 500]))))
    for item in missing:
        if item in there:
            row, _audit_id, person = work[item]
            out.append(Finding("work", item if isinstance(item, int) else 0,
                               f"item {item}, given to {person} to audit (history row {row}), is no longer given to "
                               "anyone: removed outside the application"))
    return out


def person_body(u: AppUser) -> dict[str, object]:
    """What the history records of a registered person (and what verify compares the people table with)."""
    return {"name": u.name, "role": str(u.role), "login": u.login or None, "active": bool(u.active)}


def _state(body: Any) -> str:
    if not isinstance(body, dict):
        return "not registered"
    return f"{body.get('role')}, {'active' if body.get('active') else 'inactive'}" + (
        f", login {body['login']}" if body.get("login") else "")


def decision_body(c: Challenge) -> dict[str, object]:
    """What the history records of the lead's decision on a challenge (and what verify compares it with)."""
    return {"challenge": c.id, "crime_no": c.crime_no, "failure": c.failure, "decision": c.decision,
            "reason": c.decision_reason}


def assignment_body(a: ReviewAssignment) -> dict[str, str]:
    """What the history records of an assignment (and what verify compares it with)."""
    return {"reviewer": a.reviewer, "mode": a.mode, "basis": a.basis}


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


class Stopped(Exception):
    """A verification given up part-way (`stop` said so)."""


HISTORY_COLUMNS = ["when", "who", "role", "action", "old", "new", "reason", "hash"]


def write_history_csv(changes: list[VerdictChange], fh: Any) -> None:
    """One record's history as CSV, oldest first (`cdi history`, the window's History > Export), through the one
    CSV writer: a reason or a name that starts like a formula gets its apostrophe (spreadsheets.csv_safe)."""
    from ..spreadsheets import csv_writer
    from ..timeutil import display

    out = csv_writer(fh)
    out.writerow(HISTORY_COLUMNS)
    for ch in changes:
        out.writerow([display(ch.at), ch.who, ch.role, ch.action, json.dumps(ch.old_body, ensure_ascii=False),
                      json.dumps(ch.new_body, ensure_ascii=False), ch.reason, ch.hash or ""])
