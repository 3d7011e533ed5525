"""The audit trail: a SHA-256 hash chain over the verdict history, and its verification.

Each history row's digest covers its content and the digest of the row before it. The application only
appends; a row edited, removed or inserted outside it breaks the chain, and a verdict whose stored answers
differ from the last answers its history records shows a verdict edited in place. `cdi verify DB` checks both.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..storage.database import serialise_writes
from ..storage.models import Challenge, ReviewAssignment, Verdict, VerdictChange
from ..timeutil import to_utc

GENESIS = "0" * 64
# history rows that record something other than a verdict's answers (their new_body is not a verdict)
NOT_VERDICTS = frozenset({"flag", "assign", "unassign", "challenge"})


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


def verify(s: Session) -> list[Finding]:
    """Every break in the chain and every verdict that does not match its history; [] when intact."""
    out: list[Finding] = []
    prev = GENESIS
    last: dict[tuple[int, str], Any] = {}
    assigned: dict[int, Any] = {}
    decided: dict[Any, Any] = {}
    for ch in s.scalars(select(VerdictChange).order_by(VerdictChange.id)):
        expected = digest(prev, ch.item_id, ch.role, ch.at, ch.who, ch.action, ch.old_body, ch.new_body, ch.reason)
        if ch.prev_hash != prev:
            out.append(Finding("history", ch.id, "does not follow the row before it (a row was removed, "
                                                 "inserted or reordered)"))
        elif ch.hash != expected:
            out.append(Finding("history", ch.id, "its content was changed after it was written"))
        prev = ch.hash or expected
        if ch.action in ("assign", "unassign"):
            assigned[ch.item_id] = ch.new_body
        elif ch.action == "challenge" and isinstance(ch.new_body, dict):
            decided[ch.new_body.get("challenge")] = ch.new_body
        elif ch.action not in NOT_VERDICTS:
            last[(ch.item_id, ch.role)] = ch.new_body
    for v in s.scalars(select(Verdict).order_by(Verdict.id)):
        recorded = last.get((v.item_id, v.role))
        if recorded is None:
            out.append(Finding("verdict", v.id, f"the verdict on item {v.item_id} has no history"))
        elif _canon(recorded) != _canon(v.body):
            out.append(Finding("verdict", v.id, f"the verdict on item {v.item_id} differs from the last change "
                                                "its history records (edited outside the application)"))
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
    for c in s.scalars(select(Challenge).order_by(Challenge.id)):
        recorded = decided.get(c.id)
        if c.decision and _canon(recorded) != _canon(decision_body(c)):
            out.append(Finding("decision", c.id, f"the decision on challenge {c.id} differs from the last decision "
                                                 "its history records (edited outside the application)"))
        elif not c.decision and recorded is not None:
            out.append(Finding("decision", c.id, f"the decision on challenge {c.id} was removed outside the "
                                                 "application"))
    return out


def decision_body(c: Challenge) -> dict[str, object]:
    """What the history records of the lead's decision on a challenge (and what verify compares it with)."""
    return {"challenge": c.id, "crime_no": c.crime_no, "failure": c.failure, "decision": c.decision,
            "reason": c.decision_reason}


def assignment_body(a: ReviewAssignment) -> dict[str, str]:
    """What the history records of an assignment (and what verify compares it with)."""
    return {"reviewer": a.reviewer, "mode": a.mode, "basis": a.basis}


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)



