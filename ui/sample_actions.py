"""The Sample menu (draw, extend, export the draw list) and the findings (refresh, drill down to the records,
compare with a previous audit, recorded-crime figures, export), as a part of the main window (mixed into
MainWindow, whose runner, database, service and views they use; every database call goes through the runner)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel

from cdi_workbench.findings import Findings, compute, with_previous
from cdi_workbench.storage.database import Database

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
        from cdi_workbench.sampling import SampleOps

        name = self._current_sample_name()
        n, ok = QInputDialog.getInt(self, "Extend the sample",
                                    f"Add how many records to '{name}'? They are the next in its random order.",
                                    50, 1, 1_000_000)
        if not ok:
            return
        ops, svc, who = SampleOps(self.db), self.svc, self.user
        assert svc is not None
        self.runner.run(lambda: (ops.extend(name, n, who), svc.samples()),
                        lambda r: (self.statusBar().showMessage(f"Added {r[0]} records to '{name}'.", 8000),
                                   self._set_samples(r[1])),
                        lambda msg: self._show_error("The sample was not extended", msg))

    def export_draw_list(self) -> None:
        if self.db is None or self.sample_id is None:
            return
        from cdi_workbench.sampling import SampleOps

        name = self._current_sample_name()
        path, _ = QFileDialog.getSaveFileName(self, "Export the draw list", f"{name}.csv", "CSV (*.csv)")
        if path:
            ops = SampleOps(self.db)
            self.runner.run(lambda: ops.export(name, path),
                            lambda n: self.statusBar().showMessage(f"Wrote {n} records in draw order to {path}", 8000),
                            lambda msg: self._show_error("The list was not written", msg))

    # ---- findings and export -----------------------------------------------------------------------------
    def edit_recorded_crime(self) -> None:
        """The force's police-recorded crime (12 months to the end of the period) per group: 0 leaves it out."""
        if self.db is None:
            return
        from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QSpinBox

        from cdi_workbench.findings import RATE_GROUPS, recorded_crime, set_recorded_crime

        db = self.db

        def current() -> dict[str, int]:
            with db.session() as s:
                return recorded_crime(s)

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
                self.runner.run(lambda: set_recorded_crime(db, figures, who), lambda _r: self.refresh_findings(),
                                lambda msg: self._show_error("Not saved", msg))
                dialog.accept()

            buttons.accepted.connect(save)
            dialog.open()
            self.recorded_dialog = dialog

        self.runner.run(current, show)

    def choose_previous(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "The previous audit to compare with", "",
                                              "Audit databases (*.db);;All files (*)")
        self.previous_audit = path or None
        self.refresh_findings()
        if path:
            self.statusBar().showMessage(f"Figures now show the previous audit's in brackets: {path}", 8000)

    def _findings(self, db: Database | None = None) -> Findings:
        """Compute the findings (in a worker) of `db` (the open database unless given), with a previous audit's
        figures in brackets if chosen."""
        db = db or self.db
        assert db is not None
        method = getattr(self, "interval_method", "normal")
        current = compute(db, method=method)
        previous = getattr(self, "previous_audit", None)
        if not previous:
            return current
        old = Database(previous)
        try:
            return with_previous(current, compute(old, method=method), source=previous)
        finally:
            old.close()

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

        self.runner.run(lambda: svc.rows_for_items(items), show)

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

        def done(result) -> None:  # noqa: ANN001
            sample_id, samples = result
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

        self.runner.run(lambda: (svc.sample_of(item_id), svc.samples() if leave else None), done)

    def export_findings(self) -> None:
        if self.db is None:
            return
        path, chosen = QFileDialog.getSaveFileName(self, "Export findings", "findings.xlsx",
                                                   "Excel workbook (*.xlsx);;PDF report (*.pdf);;JSON (*.json)")
        if path:
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
