"""Drive the real main window with the keyboard through a small audit, then reopen and check."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cdi_workbench.audit.service import AuditService
from cdi_workbench.findings import compute
from cdi_workbench.storage.database import Database

from .conftest import open_window, settle


def pick(qtbot, combo, text: str) -> None:  # noqa: ANN001
    """Choose a combo item by typing the start of its text, as a person would."""
    qtbot.wait(QApplication.keyboardInputInterval() + 50)  # a new keyboard search, not the last one's tail
    qtbot.keyClicks(combo, text)


def go_to(qtbot, w, ref: str) -> None:  # noqa: ANN001
    row = next(i for i, r in enumerate(w.queue_model.rows) if r.ref == ref)
    for _ in range(len(w.queue_model.rows)):
        if w.queue.currentIndex().row() == row:
            break
        k = Qt.Key.Key_PageDown if w.queue.currentIndex().row() < row else Qt.Key.Key_PageUp
        qtbot.keyClick(w.focusWidget() or w, k, Qt.KeyboardModifier.ControlModifier)
        settle(qtbot, w)
    qtbot.waitUntil(lambda: w.panel.detail is not None and w.panel.detail.ref == ref, timeout=5000)
    settle(qtbot, w)


def type_code(qtbot, w, code: str) -> None:  # noqa: ANN001
    editor = w.panel.editor
    qtbot.waitUntil(lambda: editor.code.hasFocus(), timeout=3000)
    qtbot.keyClicks(editor.code, code)
    popup = editor.code.completer().popup()
    if popup.isVisible():
        qtbot.keyClick(popup, Qt.Key.Key_Escape)
    # the offscreen platform hands activation to the completer popup and not back: restore it as a
    # window manager would, so shortcuts reach the main window again
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=3000)
    qtbot.wait(50)  # let the platform's queued activation events land before moving on
    qtbot.keyClick(editor.code, Qt.Key.Key_Tab)
    settle(qtbot, w)


def test_keyboard_audit_of_incidents_survives_reopen(qtbot, small_db, settings) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings)
    ctrl = Qt.KeyboardModifier.ControlModifier

    # INC-0001: two crimes, both linked (assault 8N, criminal damage 58A)
    go_to(qtbot, w, "INC-0001")
    for code, ref in (("8N", "CR-1"), ("58A", "CR-2")):
        qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_N, ctrl)
        type_code(qtbot, w, code)
        assert w.panel.editor.recorded.hasFocus()
        pick(qtbot, w.panel.editor.recorded, ref)
        settle(qtbot, w)
        assert w.panel.editor.recorded.currentText().startswith(ref)
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_Return, ctrl)
    settle(qtbot, w)

    # it moved on by itself; INC-0002: a threat to kill never recorded
    go_to(qtbot, w, "INC-0002")
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_N, ctrl)
    type_code(qtbot, w, "8L")
    pick(qtbot, w.panel.editor.recorded, "Not")
    settle(qtbot, w)
    qtbot.keyClick(w.panel.editor.recorded, Qt.Key.Key_Tab)
    reason = w.panel.editor.reason
    qtbot.waitUntil(reason.hasFocus, timeout=3000)
    pick(qtbot, reason, "2")  # reasons are numbered: one key picks each
    settle(qtbot, w)
    assert reason.currentData() == "Victim not believed"
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_Return, ctrl)
    settle(qtbot, w)

    # INC-0003: zero status in one keystroke
    go_to(qtbot, w, "INC-0003")
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_0, ctrl)
    settle(qtbot, w)
    path = small_db
    w.close()

    db = Database(path)
    svc = AuditService(db, "checker")
    rows = {r.ref: r for r in svc.queue(svc.samples()[0].id)}
    assert {r: rows[r].status for r in rows} == {"INC-0001": "done", "INC-0002": "done", "INC-0003": "done"}
    one = svc.verdict(rows["INC-0001"].item_id)
    assert [(c.expected_code, c.crime_ref) for c in one.crimes] == [("8N", "CR-1"), ("58A", "CR-2")]
    two = svc.verdict(rows["INC-0002"].item_id)
    assert [(c.expected_code, c.crime_id, c.not_recorded_reason) for c in two.crimes] == [
        ("8L", None, "Victim not believed")]
    assert svc.verdict(rows["INC-0003"].item_id).zero_status
    f = compute(db)
    assert f.value("incidents", "Incident records", "Records reviewed") == 3
    assert f.value("incidents", "Incident records", "Crimes identified") == 3
    assert f.value("incidents", "Incident records", "Crimes recorded") == 2
    # CR-2 was recorded 4 days 14 h after the report: outside 72 hours
    assert f.value("incidents", "Incident records", "Outside 72 hours") == 1
    assert all(h.who == "Inspector Test" for h in svc.history(rows["INC-0001"].item_id))
    db.close()


def test_a_search_that_matches_nothing_clears_the_record_and_says_so(qtbot, small_db, settings) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings)
    qtbot.waitUntil(lambda: w.panel.detail is not None, timeout=5000)
    settle(qtbot, w)
    w.panel.add_crime()  # the record open has something in its panel
    settle(qtbot, w)
    assert w.panel.crime_list.count() == 1
    progress = w.progress_label.text()
    qtbot.keyClicks(w.search, "zzzzqq")
    qtbot.waitUntil(lambda: w.queue_model.rowCount() == 0, timeout=5000)
    settle(qtbot, w)
    assert w.panel.detail is None and w.panel.crime_list.count() == 0 and not w.panel.isEnabled()
    assert "matches “zzzzqq”" in w.record_view.toPlainText()
    assert w.progress_label.text().split(" · ")[0] == progress.split(" · ")[0]  # still says how far the audit is
    w.search.clear()
    qtbot.waitUntil(lambda: w.queue_model.rowCount() > 0 and w.panel.detail is not None, timeout=5000)
    w.close()


def test_the_empty_window_says_what_to_do_and_why_an_open_failed(qtbot, settings, tmp_path) -> None:  # noqa: ANN001
    from ui.main_window import MainWindow

    w = MainWindow(user="Inspector Test", settings=settings)
    qtbot.addWidget(w)
    w.show()
    assert "No audit database open" in w.record_view.toPlainText()
    bad = tmp_path / "notes.db"
    bad.write_text("not a database", encoding="utf-8")
    w._show_error = lambda *a: None  # the message box would wait for a click
    w.open_database(str(bad))
    qtbot.waitUntil(lambda: "Not opened" in w.record_view.toPlainText(), timeout=5000)
    assert "not an audit database" in w.record_view.toPlainText()
    w.close()


def test_a_window_never_overwrites_a_verdict_saved_elsewhere_since_it_loaded(qtbot, small_db, settings) -> None:  # noqa: ANN001
    from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody

    w = open_window(qtbot, small_db, settings)
    qtbot.waitUntil(lambda: w.panel.detail is not None, timeout=5000)
    settle(qtbot, w)
    item, ref = w.current_item, w.panel.detail.ref
    errors: list[str] = []
    w._show_error = lambda title, details="": errors.append(details)
    other = Database(small_db)  # a second window, on another machine, saves first
    theirs = VerdictBody(crimes=[CrimeFinding(expected_code="8L", not_recorded_reason="No discernible reason")],
                         complete=True, rationale="Theirs.")
    AuditService(other, "Someone Else").save_verdict(item, theirs)
    w.panel.zero_status()  # this window still shows the record as it was
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    settle(qtbot, w)
    assert "changed since by Someone Else" in errors[0]
    assert AuditService(other, "x").verdict(item) == theirs  # not overwritten
    qtbot.waitUntil(lambda: w.panel.detail is not None and w.panel.detail.ref == ref
                    and [c.expected_code for c in w.panel.body.crimes] == ["8L"], timeout=5000)
    w.panel.rationale.setText("Mine, on theirs.")  # now it builds on what is stored: saved
    w.panel.done()
    settle(qtbot, w)
    assert AuditService(other, "x").verdict(item).rationale == "Mine, on theirs."
    other.close()
    w.close()


def test_the_window_notices_what_others_save(qtbot, small_db, settings) -> None:  # noqa: ANN001
    from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody

    w = open_window(qtbot, small_db, settings)
    settle(qtbot, w)
    w.check_others()  # the first look: what there is now
    settle(qtbot, w)
    current = w.current_item
    other_row = next(r for r in w.queue_model.rows if r.item_id != current)
    other = Database(small_db)
    someone = AuditService(other, "Someone Else")
    someone.save_verdict(other_row.item_id, VerdictBody(zero_status=True, complete=True))
    w.check_others()
    qtbot.waitUntil(lambda: w.queue_model.rows[w.queue_model.row_of(other_row.item_id)].status == "done",
                    timeout=5000)
    assert w.current_item == current and "changed the verdict on this record" not in w.statusBar().currentMessage()
    theirs = VerdictBody(crimes=[CrimeFinding(expected_code="8L", not_recorded_reason="No discernible reason")],
                         complete=True, rationale="Theirs.")
    someone.save_verdict(current, theirs)
    w.check_others()
    qtbot.waitUntil(lambda: "changed the verdict on this record" in w.statusBar().currentMessage(), timeout=5000)
    w.reload_record()  # F5
    qtbot.waitUntil(lambda: [c.expected_code for c in w.panel.body.crimes] == ["8L"], timeout=5000)
    other.close()
    w.close()
