"""Opening an audit (issue 11): the queue is loaded once, the first record comes before the findings and the trail
check, and the trail check (from the last verified row) still catches a row tampered with after it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cdi_workbench.audit import operations as ops
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.trail_checkpoint import verify_in_full
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.storage.database import Database
from ui.main_window import MainWindow

from .conftest import settle


def _open_counting(qtbot, monkeypatch, path: Path, settings) -> tuple[MainWindow, dict]:  # noqa: ANN001
    """The window opening `path`, noting when the queue loads, the findings and the trail check start, and
    whether a record was on screen then."""
    seen: dict = {"queues": 0, "queries": 0, "findings": [], "trail": []}
    load_queue, query = ops.load_queue, AuditService.queue

    def counted(*a, **k):  # noqa: ANN002, ANN003, ANN202
        seen["queues"] += 1
        return load_queue(*a, **k)

    def queried(*a, **k):  # noqa: ANN002, ANN003, ANN202
        seen["queries"] += 1
        return query(*a, **k)

    monkeypatch.setattr(ops, "load_queue", counted)
    monkeypatch.setattr(AuditService, "queue", queried)
    w = MainWindow(user="Inspector A", settings=settings)
    qtbot.addWidget(w)
    refresh, start = w.refresh_findings, w.trail_check.start
    w.refresh_findings = lambda: (seen["findings"].append(w.panel.detail is not None), refresh())[1]
    w.trail_check.start = lambda db, full=True: (seen["trail"].append(w.panel.detail is not None), start(db, full))[1]
    w.show()
    qtbot.waitExposed(w)
    w.open_database(str(path))
    qtbot.waitUntil(lambda: w.panel.detail is not None and not w.runner.busy, timeout=10000)
    qtbot.waitUntil(lambda: w.findings_view.findings is not None and not w.trail_check.busy, timeout=10000)
    return w, seen


def test_the_first_record_comes_first_and_the_queue_loads_once(qtbot, monkeypatch, small_db, settings) -> None:  # noqa: ANN001
    db = Database(small_db)
    svc = AuditService(db, "Inspector A")
    second = svc.samples()[1].id
    svc.remember("sample", str(second))  # the person was last on the second sample: the chooser moves to it
    db.close()
    w, seen = _open_counting(qtbot, monkeypatch, small_db, settings)
    assert w.sample_id == second
    assert seen["queues"] == 1 and seen["queries"] == 1  # one queue, read once (not again for the progress line)
    assert seen["findings"] == [True]  # asked for once, with the first record already shown
    assert seen["trail"] == [True]
    settle(qtbot, w)
    w.close()


def test_a_row_tampered_with_after_the_last_verified_one_is_caught_on_opening(qtbot, monkeypatch, small_db,
                                                                               settings) -> None:  # noqa: ANN001
    db = Database(small_db)
    svc = AuditService(db, "Inspector A")
    items = [r.item_id for r in svc.queue(svc.samples()[0].id)]
    svc.save_verdict(items[0], VerdictBody(zero_status=True, complete=True))
    assert verify_in_full(db) == []  # checkpointed here
    svc.save_verdict(items[1], VerdictBody(zero_status=True, complete=True))
    db.close()
    with sqlite3.connect(small_db) as conn:
        last = conn.execute("SELECT MAX(id) FROM verdict_change").fetchone()[0]
        conn.execute("UPDATE verdict_change SET who = 'Nobody' WHERE id = ?", (last,))
    w, _seen = _open_counting(qtbot, monkeypatch, small_db, settings)
    qtbot.waitUntil(lambda: getattr(w, "trail_warning", None) is not None, timeout=5000)
    assert w.trail_check.quick is not None and [p.row for p in w.trail_check.quick.problems] == [last]
    assert "changed outside CDI Workbench" in w.trail_warning.text()
    w.trail_warning.close()
    w.close()


def test_closing_stops_the_background_verification(qtbot, monkeypatch, small_db, settings) -> None:  # noqa: ANN001
    w, _seen = _open_counting(qtbot, monkeypatch, small_db, settings)
    assert w.trail_check.full == []  # no checkpoint yet: verified in full in the background, and intact
    w.close()
    w.trail_check.start(w.db)  # after closing, nothing more is started
    assert not w.trail_check.busy
