"""The record open and its verdict: opening it in the record view and the panel, saving each change (in the
mode the panel edits: the audit's, a review, the lead's final verdict), undo and redo, the history, the flag for a
second opinion, finding a crime record by its reference, adding a reason not recorded.

A part of the main window (ui/main_window.py), not a mixin: it reads and changes the window's AuditState, calls
the window's operations by their names on the window (so one replaced there is the one called) and the other
parts' helpers through the window's parts; every database call goes through the runner to the core's operations.
"""

from __future__ import annotations

import copy
from functools import partial
from html import escape
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from cdi_workbench.audit import operations as ops
from cdi_workbench.audit.verdicts import VerdictBody

from .state import AuditState
from .window_layout import Views

if TYPE_CHECKING:
    from .main_window import MainWindow


class RecordFlow:
    """The record in the record view and the panel, and the verdict flow on it."""

    def __init__(self, window: MainWindow, state: AuditState, views: Views) -> None:
        self.window, self.state, self.views = window, state, views
        self.position_timer = QTimer(window, singleShot=True, interval=1500)  # see remember_position
        self.position_timer.timeout.connect(self.remember_position)

    # ---- opening the record --------------------------------------------------------------------------------
    def load_item(self, item_id: int) -> None:
        w, s, v = self.window, self.state, self.views
        svc, sid, reviewing = s.svc, s.sample_id, s.review_mode
        assert svc is not None
        if not (item_id == s.final_item and not reviewing):
            s.final_item = None
        mode = s.mode() if item_id == s.current_item else (ops.Mode.REVIEW if reviewing else ops.Mode.AUDIT)
        v.panel.role = mode.value

        def done(opened: ops.OpenedRecord) -> None:
            if item_id != s.current_item or reviewing != s.review_mode:
                return  # the user has moved on
            s.base = (item_id, opened.base)  # what this window's next save expects to find stored
            v.record_view.show_record(opened.detail)
            v.panel.load(opened.detail, opened.body, opened.results, opened.from_first)
            v.panel.show_first(opened.first)
            v.panel.show_review_note(opened.review_note)
            s.first_hidden = opened.first is not None and opened.first.hidden
            s.sealed = opened.sealed.text if opened.sealed is not None else ""
            v.panel.show_sealed(s.sealed)
            w.menus.gate()
            v.panel.setEnabled(w.menus.allowed("edit")[0])
            self.position_timer.start()  # remembered once the person pauses on a record
            typing = QApplication.focusWidget() in (v.search, v.filter_box, v.sample_box)
            if not typing:  # never take the cursor away from someone typing a search
                v.panel.focus_first()

        w.runner.run(partial(ops.open_record, svc, item_id, mode, sid), done)

    def remember_position(self) -> None:
        """The record to come back to in this sample: remembered once the person pauses on a record (1.5 s) and on
        closing, not on every record paged through."""
        s = self.state
        if s.svc is not None and s.sample_id is not None and s.current_item is not None:
            self.window.runner.run(partial(ops.remember_position, s.svc, s.sample_id, s.current_item),
                                   on_error=_not_remembered)

    def remember_pending_position(self) -> None:
        """On closing: the position waiting for its pause, remembered now."""
        if self.position_timer.isActive():
            self.position_timer.stop()
            self.remember_position()

    def reload_record(self) -> None:
        """Record > Reload this record (F5): the record and its verdict as stored now (after others' changes)."""
        if self.state.current_item is not None and self.state.svc is not None:
            self.load_item(self.state.current_item)
            self.window.load_queue()

    def clear(self) -> None:
        """No record open: the record view, the panel and the progress line empty."""
        self.state.current_item = None
        self.views.record_view.show_record(None)
        self.views.panel.clear()
        self.views.progress_label.setText("")
        self.window.menus.gate()

    # ---- verdicts ----------------------------------------------------------------------------------------
    def verdict_changed(self, body: VerdictBody, label: str) -> None:
        w, s, v = self.window, self.state, self.views
        if s.svc is None or s.current_item is None:
            return
        if not s.user and not w.ask_user():
            v.panel.say("Say who is auditing before entering verdicts (File > Change who is working…).")
            return
        svc, item_id, snapshot = s.svc, s.current_item, copy.deepcopy(body)
        sid, mode = s.sample_id, s.mode()
        final_reason = ""
        if mode == ops.Mode.FINAL:
            final_reason, s.final_reason = s.final_reason, ""  # the decision's reason goes with its first change
        expect: dict[str, Any] | None | Literal[False] = s.base[1] if s.base[0] == item_id else False  # False: no check
        s.base = (item_id, snapshot.to_json())  # the next change builds on this one

        def done(saved: ops.Saved) -> None:
            if (mode == ops.Mode.REVIEW) != v.queue_model.review:
                return  # the queue changed mode meanwhile
            v.queue_model.update_row(saved.row)
            w.queue_flow.show_progress(*saved.progress, len(v.queue_model.rows))
            if v.panel.detail and v.panel.detail.item_id == item_id:
                v.panel.set_results(saved.results)
                if saved.first is not None:
                    v.panel.show_first(saved.first)
                    if s.first_hidden != saved.first.hidden:
                        s.first_hidden = saved.first.hidden
                        w.menus.gate()
                sealed = saved.sealed.text if saved.sealed is not None else ""
                if sealed != s.sealed:  # a blind review just completed is sealed: read-only from now on
                    s.sealed = sealed
                    v.panel.show_sealed(sealed)
                    w.menus.gate()
                    v.panel.setEnabled(w.menus.allowed("edit")[0])
            self.update_undo()
            if saved.changes.findings:
                w.findings_actions.soon()

        def failed(msg: str) -> None:
            w.show_error("The verdict was not saved", escape(msg))
            if "changed since" in msg:  # back to that record, as stored now; the person redoes their change on it
                if s.current_item == item_id:
                    self.load_item(item_id)
                else:
                    w.go_to_item(item_id)

        w.runner.run(partial(ops.save_verdict, svc, item_id, snapshot, mode, expect, label, sid, final_reason),
                     done, failed)

    def undo(self) -> None:
        self._undo_redo(True)

    def redo(self) -> None:
        self._undo_redo(False)

    def _undo_redo(self, undo: bool) -> None:
        svc = self.state.svc
        if svc is None:
            return

        def failed(msg: str) -> None:
            self.update_undo()
            self.window.show_error("Not undone" if undo else "Not redone", escape(msg))

        self.window.runner.run(partial(ops.undo if undo else ops.redo, svc),
                               lambda r: self._after_undo(r.item_id, undo), failed)

    def _after_undo(self, item_id: int | None, undo: bool = True) -> None:
        w, s = self.window, self.state
        if item_id is None:
            w.statusBar().showMessage("Nothing to undo." if undo else "Nothing to redo.", 3000)
            return
        self.update_undo()
        w.findings_actions.soon()
        if self.views.queue_model.row_of(item_id) < 0:  # a record of another sample (or filtered out): go to it
            w.go_to_item(item_id)
            return
        s.current_item = item_id
        s.restore_item = item_id
        w.load_queue()
        self.load_item(item_id)

    def update_undo(self) -> None:
        """Edit > Undo and Redo say what they would undo or redo."""
        svc, menus = self.state.svc, self.window.menus
        if svc:
            u, r = svc.undo_stack.undo_label, svc.undo_stack.redo_label
            menus.undo_action.setText(f"&Undo {u[:1].lower() + u[1:]}" if u else "&Undo")  # 'Undo zero status'
            menus.redo_action.setText(f"&Redo {r[:1].lower() + r[1:]}" if r else "&Redo")

    # ---- about the record ------------------------------------------------------------------------------------
    def show_history(self) -> None:
        s, panel = self.state, self.views.panel
        if s.svc is None or s.current_item is None or panel.detail is None:
            return
        svc, item_id, ref = s.svc, s.current_item, panel.detail.ref

        def export(path: str, pseudonymise: bool = False) -> None:  # through the core: the role checked, the trail
            from cdi_workbench.pseudonymise_exports import export_history

            work = partial(export_history if pseudonymise else ops.export_history, svc, item_id, path)
            self.window.runner.run(work, None,
                                   lambda msg: self.window.show_error("The history was not exported", escape(msg)))

        def show(changes) -> None:  # noqa: ANN001
            from .history_dialog import HistoryDialog

            dialog = HistoryDialog(ref, changes, self.window, export)
            dialog.open()
            self.window.history_dialog = dialog

        self.window.runner.run(partial(svc.history, item_id), show)

    def find_crime(self) -> None:
        """Link a crime record that is neither linked nor offered as a candidate, by its reference."""
        panel = self.views.panel
        if self.state.svc is None:
            return
        ref, ok = QInputDialog.getText(self.window, "Another crime record", "The crime record's reference:")
        if not ok or not ref.strip():
            return
        svc = self.state.svc

        def done(crime) -> None:  # noqa: ANN001
            if crime is None:
                panel.say(f"No crime record '{ref.strip()}' in this audit.")
            else:
                panel.editor.add_crime_record(crime)

        self.window.runner.run(partial(svc.find_crime, ref), done)

    def add_reason(self) -> None:
        if self.state.svc is None:
            return
        text, ok = QInputDialog.getText(self.window, "Add a reason not recorded",
                                        "A reason auditors can choose when a crime was not recorded:")
        if ok and text.strip():
            svc = self.state.svc
            self.window.runner.run(partial(ops.add_reason, svc, text), self.views.panel.editor.set_reasons,
                                   lambda msg: self.window.show_error("The reason was not added", msg))

    def flag_record(self) -> None:
        """Flag for a second opinion with a note; on a flagged record, offer to clear the flag."""
        s, panel = self.state, self.views.panel
        if s.svc is None or s.current_item is None or panel.detail is None:
            return
        flagged = panel.detail.flagged
        if flagged:
            answer = QMessageBox.question(self.window, "Flagged record",
                                          f"Flag note: {panel.detail.flag_note or '(none)'}\n\nClear the flag?")
            if answer != QMessageBox.StandardButton.Yes:
                return
            note = ""
        else:
            note, ok = QInputDialog.getText(self.window, "Flag for a second opinion", "Note for the reviewer:")
            if not ok:
                return
        svc, item_id = s.svc, s.current_item

        def done(result: ops.Flagged) -> None:
            self.views.queue_model.update_row(result.row)
            self.load_item(item_id)

        self.window.runner.run(partial(ops.flag, svc, item_id, not flagged, note), done)


def _not_remembered(_msg: str) -> None:
    """A position not remembered costs nothing: the person starts the sample from its first record next time."""
