"""The Sample menu: draw a sample, extend it, export its draw list, rename it, delete it.

A part of the main window (ui/main_window.py), not a mixin: it reads and changes the window's AuditState, calls
the window's operations by their names on the window (so one replaced there is the one called) and the other
parts' helpers through the window's parts; every database call goes through the runner to the core's operations.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog

from cdi_workbench.audit import operations as ops

from .state import AuditState
from .window_layout import Views

if TYPE_CHECKING:
    from .main_window import MainWindow


class SampleActions:
    """Sample-menu actions of the main window."""

    def __init__(self, window: MainWindow, state: AuditState, views: Views) -> None:
        self.window, self.state, self.views = window, state, views

    def draw_sample(self) -> None:
        w, svc, info = self.window, self.state.svc, self.state.info
        if svc is None:
            return
        from cdi_workbench.audit.programme_operations import sampling

        from .sample_dialog import SampleDialog

        # the audit open in the window: its period's records counted and drawn, the sample drawn for it
        dialog = SampleDialog(sampling(svc), w.runner, self.state.user, w)
        if info is not None:
            dialog.setWindowTitle(f"Draw a sample for the audit {info.name}")
        dialog.drawn.connect(self._sample_drawn)
        dialog.open()
        w.sample_dialog = dialog

    def _sample_drawn(self, sample_id: int) -> None:
        svc = self.state.svc
        assert svc is not None
        self.window.runner.run(svc.samples, partial(self.window.queue_flow.set_samples, select=sample_id))

    def extend_sample(self) -> None:
        w, s = self.window, self.state
        if s.db is None or s.sample_id is None:
            return
        name = w.queue_flow.current_sample_name()
        n, ok = QInputDialog.getInt(w, "Extend the sample",
                                    f"Add how many records to '{name}'? They are the next in its random order.",
                                    50, 1, 1_000_000)
        if not ok:
            return
        svc = s.svc
        assert svc is not None

        def done(result: ops.Extended) -> None:
            w.statusBar().showMessage(f"Added {result.added} records to '{name}'.", 8000)
            w.queue_flow.set_samples(result.samples)
            if result.changes.findings:
                w.findings_actions.soon()

        w.runner.run(partial(ops.extend_sample, svc, name, n), done,
                     lambda msg: w.show_error("The sample was not extended", msg))

    def export_draw_list(self) -> None:
        w, s = self.window, self.state
        if s.db is None or s.sample_id is None:
            return
        name = w.queue_flow.current_sample_name()
        path, _ = QFileDialog.getSaveFileName(w, "Export the draw list", f"{name}.csv", "CSV (*.csv)")
        if path:
            assert s.svc is not None
            w.runner.run(partial(ops.export_draw_list, s.svc, name, path),
                         lambda n: w.statusBar().showMessage(f"Wrote {n} records in draw order to {path}", 8000),
                         lambda msg: w.show_error("The list was not written", msg))

    def rename_sample(self) -> None:
        """Sample > Rename this sample…: a new name, unique in the audit (core: sample_admin.rename_sample)."""
        w, s = self.window, self.state
        if s.db is None or s.sample_id is None:
            return
        name = w.queue_flow.current_sample_name()
        new, ok = QInputDialog.getText(w, "Rename the sample", f"New name for '{name}':", text=name)
        if not ok or not new.strip() or new.strip() == name:
            return
        svc = s.svc
        assert svc is not None

        def done(result: ops.SamplesChanged) -> None:
            w.statusBar().showMessage(f"Renamed '{name}' to '{result.name}'.", 8000)
            w.queue_flow.set_samples(result.samples)

        w.runner.run(partial(ops.rename_sample, svc, name, new), done,
                     lambda msg: w.show_error("The sample was not renamed", msg))

    def delete_sample(self) -> None:
        """Sample > Delete this sample…: what it holds first; one holding verdicts needs the lead and a reason,
        which go in the audit trail (core: sample_admin.delete_sample, which decides)."""
        w, s = self.window, self.state
        if s.db is None or s.sample_id is None:
            return
        from PySide6.QtWidgets import QMessageBox

        from cdi_workbench.sample_admin import describe

        name = w.queue_flow.current_sample_name()
        svc = s.svc
        assert svc is not None

        def ask(held) -> None:  # noqa: ANN001 (a sample_admin.Holdings)
            what = describe(held)
            if held.audited:
                reason, ok = QInputDialog.getText(
                    w, "Delete the sample", f"Delete {what}?\n\nIts verdicts go with it: only the audit lead may "
                    "do this, and the history keeps what was removed. Why is it deleted?")
                if not ok or not reason.strip():
                    return
            else:
                reason = ""
                if QMessageBox.question(w, "Delete the sample", f"Delete {what}? The records stay in the "
                                        "extracts; only the sample goes.") != QMessageBox.StandardButton.Yes:
                    return

            def done(result: ops.SamplesChanged) -> None:
                gone, samples = result.deleted, result.samples
                w.statusBar().showMessage(f"Deleted {describe(gone.holdings)}.", 8000)
                w.refresh_findings()
                if samples:
                    w.queue_flow.set_samples(samples)
                    return
                w.queue_flow.fill_samples([])
                s.sample_id = None
                self.views.queue_model.set_rows([])
                w.record_flow.clear()

            w.runner.run(partial(ops.delete_sample, svc, name, reason), done,
                         lambda msg: w.show_error("The sample was not deleted", msg))

        w.runner.run(partial(ops.sample_holdings, svc, name), ask,
                     lambda msg: w.show_error("The sample was not deleted", msg))
