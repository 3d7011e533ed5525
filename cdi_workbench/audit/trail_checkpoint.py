"""The check on opening an audit: the verdict history verified from the last row found intact (a checkpoint kept
in audit_setting), and the full verification that moves the checkpoint on. The hash chain itself and the full
verification's rules are audit.trail's."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..storage.models import AuditSetting, VerdictChange
from .trail import GENESIS, Finding, Stopped, chain_link, digest, verify

if TYPE_CHECKING:
    from ..storage.database import Database

# ---- the check on opening: from the last row verified ----------------------------------------------------------
# A full verification reads and hashes the whole history (seconds on a large audit). Opening an audit checks only
# what was added since the last verification, from a checkpoint kept in audit_setting: the last history row found
# intact, its digest and how many rows led up to it. The checkpoint is in the same database as the history, so it
# is not trusted: the check first confirms that the row it names still holds the digest recorded, still follows
# the row before it, still hashes to its own digest, and that the rows up to it are as many as when it was
# verified. A row changed after the checkpoint breaks the chain there; a row changed before it (without the whole
# chain rewritten after it) changes no digest the quick check reads, which is why the window also verifies in
# full in the background, and `cdi verify` always does. (A chain rewritten in full, with the checkpoint edited to
# match, verifies: a hash chain kept beside the data cannot show that; only a digest kept elsewhere can: the head
# a report or a package carries, audit.anchor.)
CHECKPOINT_KEY = "trail:checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    """The last history row a verification found intact: its id, its digest, and the rows up to it (inclusive)."""

    row: int
    hash: str
    rows: int

    def to_text(self) -> str:
        return json.dumps({"row": self.row, "hash": self.hash, "rows": self.rows}, sort_keys=True)

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        """Parse a stored checkpoint; ValueError if it is not one (edited by hand, or damaged)."""
        try:
            value = json.loads(text)
            row, hash_, rows = value["row"], value["hash"], value["rows"]
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"not a checkpoint: {text[:80]!r}") from exc
        if (not isinstance(row, int) or not isinstance(rows, int) or not isinstance(hash_, str) or row < 1
                or rows < 1 or len(hash_) != 64):
            raise ValueError(f"not a checkpoint: {text[:80]!r}")
        return cls(row, hash_, rows)


@dataclass(frozen=True)
class QuickCheck:
    """What the check on opening found."""

    problems: list[Finding]
    checkpoint: Checkpoint | None  # how far the history is now verified (None: the check did not hold)
    checked: int  # history rows hashed (those after the checkpoint)
    full_needed: bool  # no checkpoint to start from, or it did not hold: only a full verification can say more


def read_checkpoint(s: Session) -> Checkpoint | None:
    """The stored checkpoint (None if there is none yet); ValueError if what is stored is not one."""
    row = s.get(AuditSetting, CHECKPOINT_KEY)
    return None if row is None else Checkpoint.from_text(row.value)


def write_checkpoint(s: Session, checkpoint: Checkpoint, replace: bool = False) -> None:
    """Keep `checkpoint`: if it is further on than the one stored (another window may have gone further
    meanwhile), or always when `replace` (a full verification, which owes nothing to the one stored)."""
    row = s.get(AuditSetting, CHECKPOINT_KEY)
    if row is None:
        s.add(AuditSetting(key=CHECKPOINT_KEY, value=checkpoint.to_text()))
        return
    if not replace:
        try:
            if Checkpoint.from_text(row.value).row >= checkpoint.row:
                return
        except ValueError:
            pass
    row.value = checkpoint.to_text()


def _tip(s: Session) -> Checkpoint | None:
    """The newest history row as a checkpoint (None: no history yet)."""
    last = s.execute(select(VerdictChange.id, VerdictChange.hash).order_by(VerdictChange.id.desc()).limit(1)).first()
    if last is None or last.hash is None:
        return None
    n = s.scalar(select(func.count()).select_from(VerdictChange).where(VerdictChange.id <= last.id)) or 0
    return Checkpoint(last.id, last.hash, n)


def verify_since(s: Session, stop: Callable[[], bool] | None = None) -> QuickCheck:
    """The history from the stored checkpoint on (see above); the checkpoint itself is checked against the rows."""
    try:
        cp = read_checkpoint(s)
    except ValueError:
        return QuickCheck([Finding("checkpoint", 0, "the record of the last verified history row is not valid "
                                                    "(edited outside the application)")], None, 0, True)
    if cp is None:
        return QuickCheck([], None, 0, True)
    out: list[Finding] = []
    at = s.get(VerdictChange, cp.row)
    if at is None:
        out.append(Finding("history", cp.row, "the row last verified is gone (removed outside the application), "
                                              "or the record of the last verified row was edited"))
        return QuickCheck(out, None, 0, True)
    before = s.scalar(select(VerdictChange.hash).where(VerdictChange.id < cp.row)
                      .order_by(VerdictChange.id.desc()).limit(1))
    rows = s.scalar(select(func.count()).select_from(VerdictChange).where(VerdictChange.id <= cp.row)) or 0
    if at.hash != cp.hash:
        out.append(Finding("history", cp.row, "its digest is not the one recorded when it was last verified: the "
                                              "history up to it, or the record of the last verified row, was "
                                              "changed outside the application"))
    if at.prev_hash != (before or GENESIS):
        out.append(Finding("history", cp.row, "does not follow the row before it (a row was removed, inserted or "
                                              "changed before it)"))
    elif at.hash != digest(at.prev_hash, at.item_id, at.role, at.at, at.who, at.action, at.old_body, at.new_body,
                           at.reason):
        out.append(Finding("history", cp.row, "its content was changed after it was written"))
    if rows != cp.rows:
        out.append(Finding("history", cp.row, f"{rows:,} rows lead up to it where {cp.rows:,} did when it was "
                                              "verified: rows before it were removed or inserted"))
    prev, last, checked = cp.hash, cp, 0
    for ch in s.scalars(select(VerdictChange).where(VerdictChange.id > cp.row).order_by(VerdictChange.id)
                        .execution_options(yield_per=1000)):
        if stop is not None and stop():
            raise Stopped
        prev = chain_link(prev, ch, out)
        checked += 1
        last = Checkpoint(ch.id, prev, last.rows + 1)
    return QuickCheck(out, None if out else last, checked, bool(out))


def _keep(db: Database, checkpoint: Checkpoint, replace: bool) -> None:
    """Store the checkpoint in a unit of work of its own; a database that cannot take it (read-only, busy) only
    means the next check starts further back."""
    try:
        with db.session() as s:
            write_checkpoint(s, checkpoint, replace)
    except Exception:  # noqa: BLE001 (the checkpoint is an optimisation: never a reason to fail a check)
        pass


def check_on_open(db: Database, stop: Callable[[], bool] | None = None) -> QuickCheck:
    """The quick check when an audit is opened: the rows added since the last verification, from the stored
    checkpoint (checked first); when it holds, the checkpoint moves on to the newest row."""
    with db.snapshot() as s:
        result = verify_since(s, stop)
    if result.checkpoint is not None and result.checked:
        _keep(db, result.checkpoint, replace=False)
    return result


def verify_in_full(db: Database, stop: Callable[[], bool] | None = None, records: bool = False) -> list[Finding]:
    """verify() over the whole history; when it is intact, the checkpoint is set to the newest row it covered
    (read before the verification, so no row appended meanwhile is taken as verified). The window runs it in the
    background without `records` (reading every record of a large audit would slow the window for seconds):
    `cdi verify` checks them too."""
    with db.snapshot() as s:  # one consistent state: a verdict saved meanwhile is not 'a verdict with no history'
        tip = _tip(s)
        problems = verify(s, stop, records)
    if not problems and tip is not None:
        _keep(db, tip, replace=True)
    return problems
