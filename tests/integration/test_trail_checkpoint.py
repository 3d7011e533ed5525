"""The trail's check on opening (issue 11): from the last verified row, with the checkpoint itself not trusted.

A full verification records a checkpoint (the newest row, its digest, the rows up to it); the check on opening
hashes only the rows after it, and first confirms the row it names still holds that digest, still follows the row
before it and still hashes to it, and that as many rows lead up to it. Rows tampered with after the checkpoint, the
checkpoint row itself, rows removed before it and a checkpoint edited by hand are caught on opening; a row edited
before the checkpoint is left to the full verification (the window runs it in the background, `cdi verify` always).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.trail import Stopped, digest, verify
from cdi_workbench.audit.trail_checkpoint import (
    CHECKPOINT_KEY,
    Checkpoint,
    check_on_open,
    read_checkpoint,
    verify_in_full,
)
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.storage.database import Database
from tests.builders import small_audit


def _save(db: Database, n: int, start: int = 0) -> None:
    """n verdict changes over the first sample's records (each a history row)."""
    svc = AuditService(db, "Inspector A")
    items = [r.item_id for r in svc.queue(svc.samples()[0].id)]
    for i in range(start, start + n):
        svc.save_verdict(items[i % len(items)], VerdictBody(zero_status=True, complete=i % 2 == 0,
                                                            rationale=f"change {i}"))


def _rows(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id, hash FROM verdict_change ORDER BY id").fetchall()


def _at(path: Path, n: int) -> int:
    """The id of the n-th history row the test's own saves wrote (drawing the samples wrote the rows before them)."""
    with sqlite3.connect(path) as conn:
        return n + conn.execute("SELECT COUNT(*) FROM verdict_change WHERE action IN ('sample', 'audit')").fetchone()[0]


def _stored_checkpoint(path: Path) -> str | None:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT value FROM audit_setting WHERE key = ?", (CHECKPOINT_KEY,)).fetchone()
    return row[0] if row else None


def _set_checkpoint(path: Path, value: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE audit_setting SET value = ? WHERE key = ?", (value, CHECKPOINT_KEY))


@pytest.fixture
def verified(tmp_path: Path) -> Path:
    """An audit with 5 history rows, verified in full (so checkpointed at row 5), then 3 more rows saved."""
    path = tmp_path / "a.db"
    db = small_audit(path)
    _save(db, 5)
    assert verify_in_full(db) == []
    _save(db, 3, start=5)
    db.close()
    return path


def test_a_full_verification_records_the_checkpoint_and_opening_checks_only_what_came_after(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = small_audit(path)
    _save(db, 4)
    first = check_on_open(db)  # never verified: nothing to start from, the full verification is needed
    assert first.problems == [] and first.full_needed and first.checkpoint is None and first.checked == 0
    assert _stored_checkpoint(path) is None
    assert verify_in_full(db) == []
    rows = _rows(path)
    assert json.loads(_stored_checkpoint(path) or "") == {"row": rows[-1][0], "hash": rows[-1][1],
                                                           "rows": _at(path, 4)}
    _save(db, 3, start=4)
    quick = check_on_open(db)
    assert quick.problems == [] and not quick.full_needed
    assert quick.checked == 3  # the three rows added since, not the whole history
    rows = _rows(path)
    assert quick.checkpoint == Checkpoint(rows[-1][0], rows[-1][1], _at(path, 7))
    with db.session() as s:
        assert read_checkpoint(s) == quick.checkpoint  # moved on: the next opening starts from there
    assert check_on_open(db).checked == 0
    db.close()


def test_a_row_tampered_with_after_the_checkpoint_is_caught_on_opening(verified: Path) -> None:
    before = _stored_checkpoint(verified)
    with sqlite3.connect(verified) as conn:
        conn.execute("UPDATE verdict_change SET who = 'Someone else' WHERE id = ?", (_at(verified, 7),))
    db = Database(verified)
    quick = check_on_open(db)
    assert [(p.what, p.row) for p in quick.problems] == [("history", _at(verified, 7))]
    assert "changed after it was written" in quick.problems[0].problem
    assert quick.checkpoint is None and quick.full_needed
    assert _stored_checkpoint(verified) == before  # not moved past a break
    assert verify_in_full(db) != []  # the full verification agrees, and records nothing
    assert _stored_checkpoint(verified) == before
    db.close()


def test_a_row_removed_after_the_checkpoint_is_caught_on_opening(verified: Path) -> None:
    with sqlite3.connect(verified) as conn:
        conn.execute("DELETE FROM verdict_change WHERE id = ?", (_at(verified, 7),))
    db = Database(verified)
    quick = check_on_open(db)
    assert [(p.row, "does not follow" in p.problem) for p in quick.problems] == [(_at(verified, 8), True)]
    db.close()


def test_the_checkpoint_row_itself_rewritten_is_caught(verified: Path) -> None:
    """Content edited and its digest recomputed so the row looks intact by itself: it no longer holds the digest
    verified (the row after it still follows that digest: the full verification finds it no longer follows the
    row)."""
    with sqlite3.connect(verified) as conn:
        conn.row_factory = sqlite3.Row
        r = conn.execute("SELECT * FROM verdict_change WHERE id = ?", (_at(verified, 5),)).fetchone()
        at = datetime.strptime(r["at"], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
        new = digest(r["prev_hash"], r["item_id"], r["role"], at, "Someone else", r["action"],
                     json.loads(r["old_body"]) if r["old_body"] else None, json.loads(r["new_body"]), r["reason"])
        conn.execute("UPDATE verdict_change SET who = 'Someone else', hash = ? WHERE id = ?",
                     (new, _at(verified, 5)))
    db = Database(verified)
    problems = check_on_open(db).problems
    assert [(p.row, "not the one recorded" in p.problem) for p in problems] == [(_at(verified, 5), True)]
    assert [(p.row, "does not follow" in p.problem) for p in verify_in_full(db)] == [(_at(verified, 6), True)]
    db.close()


def test_the_checkpoint_row_edited_without_its_digest_is_caught(verified: Path) -> None:
    with sqlite3.connect(verified) as conn:
        conn.execute("UPDATE verdict_change SET reason = 'nothing to see' WHERE id = ?", (_at(verified, 5),))
    db = Database(verified)
    problems = check_on_open(db).problems
    assert [(p.row, "changed after it was written" in p.problem) for p in problems] == [(_at(verified, 5), True)]
    db.close()


def test_rows_removed_before_the_checkpoint_are_caught(verified: Path) -> None:
    with sqlite3.connect(verified) as conn:
        conn.execute("DELETE FROM verdict_change WHERE id = ?", (_at(verified, 2),))
    db = Database(verified)
    problems = check_on_open(db).problems
    assert any(p.row == _at(verified, 5) and "rows before it were removed or inserted" in p.problem for p in problems)
    db.close()


def test_a_row_edited_before_the_checkpoint_is_left_to_the_full_verification(verified: Path) -> None:
    """The quick check reads no digest of the rows before the checkpoint row: that is what the full
    verification (in the background, and `cdi verify`) is for."""
    with sqlite3.connect(verified) as conn:
        conn.execute("UPDATE verdict_change SET who = 'Someone else' WHERE id = ?", (_at(verified, 2),))
    db = Database(verified)
    assert check_on_open(db).problems == []
    assert [(p.what, p.row) for p in verify_in_full(db)] == [("history", _at(verified, 2))]
    db.close()
    assert main(["verify", str(verified)]) == 1


@pytest.mark.parametrize("value, says", [
    ("not json at all", "not valid"),
    ('{"row": 5}', "not valid"),
    ('{"row": 5, "hash": "' + "0" * 64 + '", "rows": 5}', "not the one recorded"),
    ('{"row": 99, "hash": "' + "0" * 64 + '", "rows": 99}', "gone"),
    ('{"row": 3, "hash": "HASH3", "rows": 2}', "rows before it were removed or inserted"),
])
def test_a_checkpoint_edited_by_hand_is_caught(verified: Path, value: str, says: str) -> None:
    rows = dict(_rows(verified))
    _set_checkpoint(verified, value.replace("HASH3", rows[3]))
    db = Database(verified)
    quick = check_on_open(db)
    assert quick.full_needed and quick.checkpoint is None
    assert any(says in p.problem for p in quick.problems), quick.problems
    # the history itself is intact: the full verification says so and puts a true checkpoint back
    assert verify_in_full(db) == []
    assert json.loads(_stored_checkpoint(verified) or "")["row"] == max(rows)
    assert check_on_open(db).problems == []
    db.close()


def test_a_checkpoint_moved_back_only_makes_the_check_longer(verified: Path) -> None:
    rows = dict(_rows(verified))
    _set_checkpoint(verified, Checkpoint(2, rows[2], 2).to_text())
    db = Database(verified)
    quick = check_on_open(db)
    assert quick.problems == [] and quick.checked == len(rows) - 2
    db.close()


def test_a_verification_can_be_stopped_part_way(verified: Path) -> None:
    db = Database(verified)
    with db.session() as s, pytest.raises(Stopped):
        verify(s, stop=lambda: True)
    with pytest.raises(Stopped):
        verify_in_full(db, stop=lambda: True)
    db.close()
