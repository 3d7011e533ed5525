"""The verdict history is hash-chained: editing the database file directly is detected by `cdi verify`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.cli import main
from tests.builders import small_audit


def _audited(path: Path) -> None:
    db = small_audit(path)
    svc = AuditService(db, "Inspector A")
    items = [r.item_id for r in svc.queue(svc.samples()[0].id)]
    svc.save_verdict(items[0], VerdictBody(crimes=[CrimeFinding(expected_code="8N", not_recorded_reason="x")],
                                           complete=True))
    svc.save_verdict(items[1], VerdictBody(zero_status=True, complete=True))
    svc.set_flag(items[1], True, "second opinion please")
    svc.undo()
    svc.redo()
    db.close()


def test_intact_trail_verifies(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    _audited(path)
    assert main(["verify", str(path)]) == 0
    assert "intact" in capsys.readouterr().out


def test_a_verdict_edited_in_the_file_is_detected(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    _audited(path)
    with sqlite3.connect(path) as conn:
        body = json.loads(conn.execute("SELECT body FROM verdict ORDER BY id LIMIT 1").fetchone()[0])
        body["crimes"][0]["crime_id"] = 1  # quietly turn a missed crime into a recorded one
        conn.execute("UPDATE verdict SET body = ? WHERE id = (SELECT MIN(id) FROM verdict)", (json.dumps(body),))
    assert main(["verify", str(path)]) == 1
    assert "edited outside the application" in capsys.readouterr().err


def test_history_rewritten_or_deleted_is_detected(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    _audited(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE verdict_change SET who = 'Someone else' WHERE id = 1")
    assert main(["verify", str(path)]) == 1
    assert "changed after it was written" in capsys.readouterr().err
    _audited(tmp_path / "b.db")
    with sqlite3.connect(tmp_path / "b.db") as conn:
        conn.execute("DELETE FROM verdict_change WHERE id = 2")
    assert main(["verify", str(tmp_path / "b.db")]) == 1
    assert "does not follow the row before it" in capsys.readouterr().err


def test_concurrent_writers_never_fork_the_chain(db_target: str) -> None:
    """Several people saving at once (threads, each its own connection): every append follows the last."""
    import threading

    from cdi_workbench.audit.verdicts import VerdictBody as Body

    db = small_audit(db_target)
    svc = AuditService(db, "setup")
    items = [r.item_id for smp in svc.samples() for r in svc.queue(smp.id)]
    errors: list[BaseException] = []

    def work(n: int) -> None:
        me = AuditService(db, f"Auditor {n}")
        try:
            for k in range(15):
                me.save_verdict(items[(n + k) % len(items)], Body(rationale=f"{n}-{k}"))
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []  # writers took turns: nobody's save was lost or refused
    assert svc.verify_trail() == []
    db.close()


def test_undo_never_throws_away_someone_elses_later_change(tmp_path: Path) -> None:
    """Two windows on one record: A saves, B saves over it, A's undo is refused (it would wipe B's verdict)."""
    import pytest

    from cdi_workbench.audit.service import AuditError

    db = small_audit(tmp_path / "a.db")
    a, b = AuditService(db, "Lena"), AuditService(db, "Alex")
    item = next(r.item_id for smp in a.samples() for r in a.queue(smp.id) if r.ref == "INC-0003")
    a.save_verdict(item, VerdictBody(zero_status=True, complete=True))
    alex = VerdictBody(crimes=[CrimeFinding(expected_code="8L")], complete=True, rationale="Harassment.")
    b.save_verdict(item, alex)
    with pytest.raises(AuditError, match="changed since by Alex"):
        a.undo()
    assert a.verdict(item) == alex and a.undo_stack.undo_label == ""  # kept; nothing left to undo
    b.undo()  # Alex's own undo goes back to Lena's verdict, as it found it
    assert b.verdict(item).zero_status
    b.redo()
    assert b.verdict(item) == alex
    db.close()
