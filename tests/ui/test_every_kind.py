"""One record of every kind audited with the keyboard only; undo/redo; the window reopens where it was."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cdi_workbench.audit.service import AuditService
from cdi_workbench.storage.database import Database

from .conftest import open_window, settle
from .test_audit_flow import pick, type_code

CTRL = Qt.KeyboardModifier.ControlModifier


def choose_sample(qtbot, w, name: str) -> None:  # noqa: ANN001
    w.sample_box.setFocus()
    idx = next(i for i in range(w.sample_box.count()) if w.sample_box.itemText(i).startswith(name))
    while w.sample_box.currentIndex() != idx:
        qtbot.keyClick(w.sample_box, Qt.Key.Key_Down if w.sample_box.currentIndex() < idx else Qt.Key.Key_Up)
    settle(qtbot, w)
    qtbot.waitUntil(lambda: w.panel.detail is not None and w.panel.detail.item_id == w.queue_model.rows[0].item_id,
                    timeout=5000)
    settle(qtbot, w)


def answer_checks(qtbot, w, answers: list[str]) -> None:  # noqa: ANN001
    """Type Y or N into each question in turn, Enter moving on, as a keyboard user would."""
    w.panel.focus_first()
    for a in answers:
        box = QApplication.focusWidget()
        assert box is not None and box.objectName() in w.panel.checks.boxes, box
        qtbot.wait(QApplication.keyboardInputInterval() + 50)
        qtbot.keyClicks(box, a)
        settle(qtbot, w)
        qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, CTRL)
    settle(qtbot, w)


def stored(path, sample: str):  # noqa: ANN001, ANN201
    db = Database(path)
    svc = AuditService(db)
    sid = next(s.id for s in svc.samples() if s.name == sample)
    item = svc.queue(sid)[0]
    body = svc.verdict(item.item_id)
    history = svc.history(item.item_id)
    db.close()
    return item, body, history


def test_every_kind_by_keyboard(qtbot, small_db, settings) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings)

    choose_sample(qtbot, w, "Guardian")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, CTRL)
    type_code(qtbot, w, "8N")  # hit by her stepfather, bruised: assault with injury, never recorded
    pick(qtbot, w.panel.editor.recorded, "Not")
    settle(qtbot, w)
    qtbot.keyClick(w.panel.editor.recorded, Qt.Key.Key_Return)  # Enter moves on to the reason
    assert w.panel.editor.reason.hasFocus()
    pick(qtbot, w.panel.editor.reason, "1")
    settle(qtbot, w)
    qtbot.keyClick(w.panel.editor.reason, Qt.Key.Key_Return)
    assert w.panel.editor.safeguarding.hasFocus()
    pick(qtbot, w.panel.editor.safeguarding, "Y")
    settle(qtbot, w)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, CTRL)
    settle(qtbot, w)

    choose_sample(qtbot, w, "Disposals")  # a community resolution with a victim
    answer_checks(qtbot, w, ["Y", "N", "Y", "Y", "Y"])
    choose_sample(qtbot, w, "Cancellations")
    answer_checks(qtbot, w, ["Y", "Y", "N"])
    choose_sample(qtbot, w, "N100s")
    answer_checks(qtbot, w, ["Y", "N"])
    w.close()

    item, body, _ = stored(small_db, "Guardian")
    assert item.status == "done"
    c = body.crimes[0]
    assert (c.expected_code, c.crime_id, c.not_recorded_reason, c.safeguarding) == (
        "8N", None, "No discernible reason", True)
    item, body, history = stored(small_db, "Disposals")
    assert item.status == "done" and item.n_failed_checks == 1
    assert body.checks == {"offender_suitable": True, "offender_made_aware": False, "victim_to_consult": True,
                           "victim_views_considered": True, "outcome_appropriate": True}
    assert {h.who for h in history} == {"Inspector Test"}
    _, body, _ = stored(small_db, "Cancellations")
    assert body.checks == {"decision_correct": True, "authorised_decision_maker": True, "victim_informed": False}
    _, body, _ = stored(small_db, "N100s")
    assert body.checks == {"n100_needed": True, "should_have_been_rape": False}


def test_victims_views_asked_only_when_there_is_a_victim(qtbot, small_db, settings) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings)
    choose_sample(qtbot, w, "Disposals")
    answer_checks(qtbot, w, ["Y", "Y", "N", "Y"])  # no victim: the views question is skipped
    w.close()
    _, body, _ = stored(small_db, "Disposals")
    assert "victim_views_considered" not in body.checks
    assert body.checks["outcome_appropriate"] is True


def test_undo_redo_and_reopen_at_the_same_record(qtbot, small_db, settings) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageDown, CTRL)
    settle(qtbot, w)
    second = w.current_item
    assert second == w.queue_model.rows[1].item_id
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_0, CTRL)  # zero status, moves on
    settle(qtbot, w)
    assert w.queue_model.rows[1].status == "done"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, CTRL)
    settle(qtbot, w)
    assert w.queue_model.rows[1].status == "to do"
    assert w.current_item == second  # undo takes you to the record it changed
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, w)
    assert w.queue_model.rows[1].status == "done"
    assert w.panel.body.zero_status
    w.close()

    w2 = open_window(qtbot, small_db, settings)
    assert w2.current_item == second
    w2.filter_box.setCurrentIndex(w2.filter_box.findText("Done"))
    settle(qtbot, w2)
    assert [r.item_id for r in w2.queue_model.rows] == [second]
    w2.filter_box.setCurrentIndex(0)
    settle(qtbot, w2)
    assert len(w2.queue_model.rows) == 3
    qtbot.keyClick(w2, Qt.Key.Key_F, CTRL)
    assert w2.search.hasFocus()
    qtbot.keyClicks(w2.search, "wallet")
    qtbot.waitUntil(lambda: [r.ref for r in w2.queue_model.rows] == ["INC-0003"], timeout=5000)
    w2.close()


def test_enter_after_the_last_check_stays_in_the_panel(qtbot, small_db, settings) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings)
    choose_sample(qtbot, w, "Cancellations")
    w.panel.focus_first()
    for _ in range(3):
        box = QApplication.focusWidget()
        qtbot.wait(QApplication.keyboardInputInterval() + 50)
        qtbot.keyClicks(box, "Y")
        settle(qtbot, w)
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is w.panel.rationale
    qtbot.keyClicks(w.panel.rationale, "AVI: CCTV")
    qtbot.keyClick(w.panel.rationale, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is w.panel.done_button
    sample_before = w.sample_box.currentText()
    qtbot.keyClick(w.panel.done_button, Qt.Key.Key_Return)  # Enter on Done completes the verdict
    settle(qtbot, w)
    assert w.sample_box.currentText() == sample_before
    w.close()
    _, body, _ = stored(small_db, "Cancellations")
    assert body.complete and body.rationale == "AVI: CCTV"


def test_an_override_is_not_saved_without_its_reason(qtbot, small_db, settings) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings)
    row = next(i for i, r in enumerate(w.queue_model.rows) if r.ref == "INC-0001")
    w.queue.selectRow(row)
    qtbot.waitUntil(lambda: w.panel.detail is not None and w.panel.detail.ref == "INC-0001", timeout=5000)
    settle(qtbot, w)
    w.panel.add_crime()
    ed = w.panel.editor
    ed._filter_codes("residential damage")  # words in any order
    shown = [ed._proxy.index(i, 0).data() for i in range(ed._proxy.rowCount())]
    assert shown and all("residential" in s.lower() and "damage" in s.lower() for s in shown)
    assert any(s.startswith("58A ") for s in shown)
    ed.code.setText("58A")
    ed._code_done()
    ed.recorded.setCurrentIndex(ed.recorded.findData(next(c.id for c in ed.crimes if c.ref == "CR-2")))
    ed._recorded_chosen()
    settle(qtbot, w)
    assert "outside 72 hours" in ed.timely.text()
    ed.timely_override.setFocus()
    pick(qtbot, ed.timely_override, "I")  # 'In time (override)'
    settle(qtbot, w)
    assert ed.timely_override.hasFocus()  # focus is not moved for the auditor
    assert "needs a reason" in w.panel.status.text()
    db = Database(small_db)
    assert AuditService(db).verdict(w.current_item).crimes[0].timely_override is None
    db.close()
    ed.override_reason.setText("Report received by another force first")
    ed._reason_done()
    settle(qtbot, w)
    assert w.panel.status.text() == ""
    db = Database(small_db)
    saved = AuditService(db).verdict(w.current_item).crimes[0]
    db.close()
    assert (saved.timely_override, saved.override_reason) == (True, "Report received by another force first")
    assert "overridden" in ed.timely.text()
    w.close()
