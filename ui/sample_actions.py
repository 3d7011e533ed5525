"""The Sample menu (draw, extend, export the draw list) and the findings (refresh, drill down to the records,
compare with a previous audit, recorded-crime figures, export), as a part of the main window (mixed into
MainWindow, whose runner, database, service and views they use; every database call goes through the runner)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel

from cdi_workbench.audit import operations as ops
from cdi_workbench.findings import Findings

from .paths import export_start, remember_export

SAMPLE_NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # the sample chooser keeps each sample's name here


class SampleAndFindingsActions:
    """Sample-menu and findings actions of the main window."""

    # ---- samples -------------------------------------------------------------------------------------------
    def draw_sample(self) -> None:
        if self.db is None:
            return
        from cdi_workbench.sampling import SampleOps

        from .sample_dialog import SampleDialog

        dialog = SampleDialog(SampleOps(self.db), self.runner, self.user, self)
        dialog.drawn.connect(self._sample_drawn)
        dialog.open()
        self.sample_dialog = dialog

    def _sample_drawn(self, sample_id: int) -> None:
        svc = self.svc
        assert svc is not None
        self.runner.run(svc.samples, lambda samples: self._set_samples(samples, sample_id))

    def _fill_samples(self, samples) -> None:  # noqa: ANN001 (list of SampleInfo)
        """The sample chooser's entries, without signalling a choice."""
        self.sample_box.blockSignals(True)
        self.sample_box.clear()
        for smp in samples:
            size = f"{smp.size} assigned to you" if self.review_mode else str(smp.size)
            self.sample_box.addItem(f"{smp.name} ({size})", smp.id)
            self.sample_box.setItemData(self.sample_box.count() - 1, smp.name, SAMPLE_NAME_ROLE)
        self.sample_box.blockSignals(False)

    def _set_samples(self, samples, select: int | None = None) -> None:  # noqa: ANN001
        current = select if select is not None else self.sample_id
        self._fill_samples(samples)
        idx = self.sample_box.findData(current)
        self.sample_box.setCurrentIndex(max(idx, 0))
        self._sample_chosen(self.sample_box.currentIndex())

    def _current_sample_name(self) -> str:
        return str(self.sample_box.currentData(SAMPLE_NAME_ROLE) or "")

    def extend_sample(self) -> None:
        if self.db is None or self.sample_id is None:
            return
        name = self._current_sample_name()
        n, ok = QInputDialog.getInt(self, "Extend the sample",
                                    f"Add how many records to '{name}'? They are the next in its random order.",
                                    50, 1, 1_000_000)
        if not ok:
            return
        svc = self.svc
        assert svc is not None

        def done(result: ops.Extended) -> None:
            self.statusBar().showMessage(f"Added {result.added} records to '{name}'.", 8000)
            self._set_samples(result.samples)
            if result.changes.findings:
                self._findings_timer.start()

        self.runner.run(partial(ops.extend_sample, svc, name, n), done,
                        lambda msg: self._show_error("The sample was not extended", msg))

    def export_draw_list(self) -> None:
        if self.db is None or self.sample_id is None:
            return
        name = self._current_sample_name()
        path, _ = QFileDialog.getSaveFileName(self, "Export the draw list", f"{name}.csv", "CSV (*.csv)")
        if path:
            assert self.svc is not None
            self.runner.run(partial(ops.export_draw_list, self.svc, name, path),
                            lambda n: self.statusBar().showMessage(f"Wrote {n} records in draw order to {path}", 8000),
                            lambda msg: self._show_error("The list was not written", msg))

    def rename_sample(self) -> None:
        """Sample > Rename this sample…: a new name, unique in the audit (core: sample_admin.rename_sample)."""
        if self.db is None or self.sample_id is None:
            return
        name = self._current_sample_name()
        new, ok = QInputDialog.getText(self, "Rename the sample", f"New name for '{name}':", text=name)
        if not ok or not new.strip() or new.strip() == name:
            return
        svc = self.svc
        assert svc is not None

        def done(result: ops.SamplesChanged) -> None:
            self.statusBar().showMessage(f"Renamed '{name}' to '{result.name}'.", 8000)
            self._set_samples(result.samples)

        self.runner.run(partial(ops.rename_sample, svc, name, new), done,
                        lambda msg: self._show_error("The sample was not renamed", msg))

    def delete_sample(self) -> None:
        """Sample > Delete this sample…: what it holds first; one holding verdicts needs the lead and a reason,
        which go in the audit trail (core: sample_admin.delete_sample, which decides)."""
        if self.db is None or self.sample_id is None:
            return
        from PySide6.QtWidgets import QMessageBox

        from cdi_workbench.sample_admin import describe

        name = self._current_sample_name()
        svc = self.svc
        assert svc is not None

        def ask(held) -> None:  # noqa: ANN001 (a sample_admin.Holdings)
            what = describe(held)
            if held.audited:
                reason, ok = QInputDialog.getText(
                    self, "Delete the sample", f"Delete {what}?\n\nIts verdicts go with it: only the audit lead may "
                    "do this, and the history keeps what was removed. Why is it deleted?")
                if not ok or not reason.strip():
                    return
            else:
                reason = ""
                if QMessageBox.question(self, "Delete the sample", f"Delete {what}? The records stay in the "
                                        "extracts; only the sample goes.") != QMessageBox.StandardButton.Yes:
                    return

            def done(result: ops.SamplesChanged) -> None:
                gone, samples = result.deleted, result.samples
                self.statusBar().showMessage(f"Deleted {describe(gone.holdings)}.", 8000)
                self.refresh_findings()
                if samples:
                    self._set_samples(samples)
                    return
                self._fill_samples([])
                self.sample_id = None
                self.queue_model.set_rows([])
                self._clear_record_area()

            self.runner.run(partial(ops.delete_sample, svc, name, reason), done,
                            lambda msg: self._show_error("The sample was not deleted", msg))

        self.runner.run(partial(ops.sample_holdings, svc, name), ask,
                        lambda msg: self._show_error("The sample was not deleted", msg))

    # ---- findings and export -----------------------------------------------------------------------------
    def edit_recorded_crime(self) -> None:
        """The force's police-recorded crime (12 months to the end of the period) per group: 0 leaves it out."""
        if self.db is None:
            return
        from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QSpinBox

        from cdi_workbench.findings import RATE_GROUPS

        db = self.db

        def show(values: dict[str, int]) -> None:
            dialog = QDialog(self)
            dialog.setWindowTitle("Recorded crime for the annual estimate")
            form = QFormLayout(dialog)
            form.addRow(QLabel("Police-recorded crime for the 12 months to the end of the audit period, excluding "
                               "fraud (0 leaves a group out of the estimate):", wordWrap=True))
            boxes = {}
            for key, label in RATE_GROUPS:
                box = QSpinBox(maximum=50_000_000, value=values.get(key, 0), groupSeparatorShown=True)
                form.addRow(label + ":", box)
                boxes[key] = box
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
            form.addRow(buttons)
            buttons.rejected.connect(dialog.reject)

            def save() -> None:
                figures = {k: (b.value() or None) for k, b in boxes.items()}
                who = self.user
                self.runner.run(partial(ops.set_recorded_crime, db, figures, who), self.apply_changes,
                                lambda msg: self._show_error("Not saved", msg))
                dialog.accept()

            buttons.accepted.connect(save)
            dialog.open()
            self.recorded_dialog = dialog

        self.runner.run(partial(ops.recorded_crime, db), show)

    def choose_previous(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "The previous audit to compare with", "",
                                              "Audit databases (*.db);;All files (*)")
        self.previous_audit = path or None
        self.refresh_findings()
        if path:
            self.statusBar().showMessage(f"Figures now show the previous audit's in brackets: {path}", 8000)

    def _findings(self, db: ops.AuditHandle | None = None) -> Findings:
        """Compute the findings (in a worker) of `db` (the open database unless given), with a previous audit's
        figures in brackets if chosen."""
        db = db or self.db
        assert db is not None
        return ops.findings(db, getattr(self, "interval_method", "normal"), getattr(self, "previous_audit", None))

    def refresh_findings(self) -> None:
        """Work the findings out again, off the record's worker (self.reader): the next record never waits for
        them, and a refresh asked while one waits is the same refresh."""
        if self.db is None or not self._allowed("findings")[0]:
            return
        db = self.db

        def show(findings: Findings) -> None:
            if self.db is db:  # not the figures of a database closed meanwhile
                self.findings_view.show_findings(findings)

        def failed(msg: str) -> None:
            if self.db is db:
                self._show_error("The findings could not be worked out", msg)

        self.reader.request("findings", lambda: self._findings(db), show, failed)
        self.refresh_agreement()

    def drill_down(self, items: list[int], title: str) -> None:
        """Show the records behind a figure; opening one goes to it in its sample."""
        if self.svc is None:
            return
        svc = self.svc

        def show(rows) -> None:  # noqa: ANN001
            from .drill_dialog import DrillDialog

            dialog = DrillDialog(title, rows, self)
            dialog.open_item.connect(self.go_to_item)
            dialog.open()
            self.drill_dialog = dialog

        self.runner.run(partial(svc.rows_for_items, items), show)

    def go_to_item(self, item_id: int) -> None:
        """Open a record wherever it is: its sample, the whole queue, the record selected."""
        svc = self.svc
        if svc is None or self.person is None:
            return
        leave = self.review_mode and self.person.role != "reviewer"  # a lead goes back to the whole queue
        if leave:
            self.review_mode = False
            self.queue_model.set_review(False)
            self._set_filters()
            self._apply_role()
            self._update_status()

        def done(found: ops.Located) -> None:
            sample_id, samples = found.sample_id, found.samples
            if samples is not None:
                self._fill_samples(samples)
                self.sample_box.setCurrentIndex(-1)  # so choosing the record's sample below loads it
            self._restore_item = item_id
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.filter_box.blockSignals(True)
            self.filter_box.setCurrentIndex(0)
            self.filter_box.blockSignals(False)
            idx = self.sample_box.findData(sample_id)
            if idx == self.sample_box.currentIndex():
                self.load_queue()
            else:
                self.sample_box.setCurrentIndex(idx)

        self.runner.run(partial(ops.locate, svc, item_id, leave), done)

    def export_findings(self) -> None:
        if self.db is None:
            return
        path, chosen = QFileDialog.getSaveFileName(self, "Export findings", export_start(self.settings, self.db,
                                                                                          "findings.xlsx"),
                                                   "Excel workbook (*.xlsx);;PDF report (*.pdf);;JSON (*.json)")
        if path:
            remember_export(self.settings, path)
            target = Path(path)
            if target.suffix.lower() not in (".xlsx", ".pdf", ".json"):  # the type chosen, when none was typed
                ext = next((e for e in (".xlsx", ".pdf", ".json") if e in chosen), ".xlsx")
                target = target.with_name(target.name + ext)
            self.export_to(target)

    def export_to(self, path: Path) -> None:
        from cdi_workbench.reports.excel import write_xlsx
        from cdi_workbench.reports.json_export import write_json
        from cdi_workbench.reports.pdf import write_pdf

        writers = {".xlsx": write_xlsx, ".pdf": write_pdf, ".json": write_json}
        writer = writers.get(path.suffix.lower())
        if writer is None:
            self._show_error("Cannot export", f"{path.name}: choose a .xlsx, .pdf or .json file name")
            return
        if self.db is None:
            return
        from cdi_workbench.reports.common import review_figures

        db = self.db
        def export() -> Path:
            findings = self._findings()  # computed once: the review figures reuse it
            method = getattr(self, "interval_method", "normal")
            return writer(findings, path, review_figures(db, method=method, findings=findings))

        self.runner.run(export,
                        lambda _r: self.statusBar().showMessage(f"Exported the findings to {path}", 8000),
                        lambda msg: self._show_error("Export failed", msg))
