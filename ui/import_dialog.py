"""Importing a force extract: choose the file and kind, map its headers (with a preview of the first rows),
check it, then import everything valid or nothing, with progress and cancel, off the main thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cdi_workbench.audit.operations import AuditHandle
from cdi_workbench.importing import (
    KINDS,
    FilePreview,
    ImportResult,
    Profile,
    list_profiles,
    preview_file,
    save_profile,
)

from .operations import Runner
from .widgets import named

if TYPE_CHECKING:
    from cdi_workbench.importing.importer import Cancelled, Progress

EXTRA, DROP = "(keep in extra)", "(leave out)"


class _Progress(QObject):
    """Carries progress from the worker thread to the dialog (a queued signal crosses threads safely)."""

    step = Signal(int, int)  # rows read, rows in all (about; 0 while unknown)


class ImportDialog(QDialog):
    imported = Signal(object)  # ImportResult

    def __init__(self, db: AuditHandle, runner: Runner, user: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import a force extract")
        self.db, self.runner, self.user = db, runner, user
        self.preview: FilePreview | None = None
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.path = named(QLineEdit(), "path")
        browse = QPushButton("&Browse…")
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.kind = named(QComboBox(), "kind")
        for name, k in KINDS.items():
            self.kind.addItem(k.label or name, name)
        self.system = named(QComboBox(editable=True), "system")
        self.system.addItems(["Guardian", "PO1", "DO1"])
        self.profile = named(QComboBox(), "profile")
        form.addRow("&File:", row)
        form.addRow("&Records:", self.kind)
        form.addRow("S&ystem (referrals):", self.system)
        form.addRow("&Mapping profile:", self.profile)
        lay.addLayout(form)
        lay.addWidget(QLabel("<b>Columns</b>: what each of the file's headers fills"))
        self.mapping = named(QTableWidget(0, 2), "mapping")
        self.mapping.setHorizontalHeaderLabels(["Header in the file", "Fills"])
        self.mapping.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.mapping.verticalHeader().hide()
        lay.addWidget(self.mapping, 2)
        lay.addWidget(QLabel("<b>Preview</b>: the first rows as they would be stored"))
        self.rows = named(QTableWidget(0, 0), "preview")
        self.rows.verticalHeader().hide()
        lay.addWidget(self.rows, 3)
        self.message = named(QLabel(wordWrap=True), "message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.message)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("&Save mapping as a profile…")
        self.check_button = QPushButton("C&heck the file")
        self.import_button = QPushButton("&Import")
        close = QPushButton("Close")
        for b in (browse, self.save_button, self.import_button, close):
            b.setAutoDefault(False)  # Enter in the file box checks the file; it must not open Browse
        self.check_button.setDefault(True)
        for b in (self.save_button, self.check_button, self.import_button, close):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.resize(900, 720)

        browse.clicked.connect(self._browse)
        self.path.editingFinished.connect(self.refresh)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.system.currentTextChanged.connect(lambda _t: self.refresh())
        self.profile.currentIndexChanged.connect(lambda _i: self.refresh())
        self.save_button.clicked.connect(self.save_mapping)
        self.check_button.clicked.connect(self.check)
        self.import_button.clicked.connect(self.start_import)
        close.clicked.connect(self.reject)
        self._kind_changed()

    # ---- choosing ----------------------------------------------------------------------------------------
    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Force extract", "", "Extracts (*.csv *.xlsx);;All files (*)")
        if path:
            self.path.setText(path)
            self.refresh()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.system.setEnabled(kind == "referrals")
        self.profile.blockSignals(True)
        self.profile.clear()
        self.profile.addItem("(none: headers as documented)", None)
        for p in list_profiles(kind=kind):
            self.profile.addItem(p.name, p.name)
        self.profile.blockSignals(False)
        self.refresh()

    def _options(self) -> dict:
        kind = self.kind.currentData()
        system = (self.system.currentText().strip() or None) if kind == "referrals" else None
        return {"kind": kind, "system": system}

    def current_profile(self) -> Profile | str | None:
        """The mapping as the table now shows it, on top of the chosen profile."""
        if self.preview is None:
            return self.profile.currentData()
        base = self.preview.proposal.profile
        columns = {}
        for r in range(self.mapping.rowCount()):
            header_item, box = self.mapping.item(r, 0), self.mapping.cellWidget(r, 1)
            assert header_item is not None and isinstance(box, QComboBox)  # _show_preview fills both on every row
            header, target = header_item.text(), box.currentText()
            columns[header] = "" if target == DROP else None if target == EXTRA else target
        return Profile(**{**base.__dict__, "columns": {h: t for h, t in columns.items() if t is not None}})

    # ---- preview -----------------------------------------------------------------------------------------
    def refresh(self, profile: Profile | str | None = None) -> None:
        path = self.path.text().strip()
        if not path:
            return
        opts = self._options()
        prof = profile if profile is not None else self.profile.currentData()
        self.runner.run(partial(preview_file, path, opts["kind"], prof, opts["system"]), self._show_preview,
                        lambda msg: self.message.setText(f"Cannot read {Path(path).name}: {msg}"))

    def _show_preview(self, p: FilePreview) -> None:
        self.preview = p
        k = KINDS[p.kind]
        targets = [EXTRA, DROP, *k.field_names]
        self.mapping.setRowCount(len(p.headers))
        for r, header in enumerate(p.headers):
            self.mapping.setItem(r, 0, QTableWidgetItem(header))
            box = QComboBox()
            box.addItems(targets)
            target = p.proposal.profile.columns.get(header)
            box.setCurrentText(DROP if target == "" else target or EXTRA)
            box.activated.connect(lambda _i: self.refresh(self.current_profile()))
            self.mapping.setCellWidget(r, 1, box)
        cols = k.field_names
        self.rows.setColumnCount(len(cols) + 2)
        self.rows.setHorizontalHeaderLabels(["Row", *cols, "Problems"])
        self.rows.setRowCount(len(p.rows))
        for r, row in enumerate(p.rows):
            self.rows.setItem(r, 0, QTableWidgetItem(str(row.row)))
            for c, name in enumerate(cols, 1):
                self.rows.setItem(r, c, QTableWidgetItem(row.values.get(name, "")))
            problems = "; ".join(pr.problem for pr in row.problems) or row.skipped
            self.rows.setItem(r, len(cols) + 1, QTableWidgetItem(problems))
        parts = [f"{p.format.upper()}" + (f", {p.encoding}" if p.encoding else "") + f", {len(p.headers)} columns."]
        if p.proposal.missing:
            parts.append(f"Nothing fills the required column(s): {', '.join(p.proposal.missing)}.")
        if p.mapping_error:
            parts.append(p.mapping_error)
        if p.proposal.suggestions and not self.profile.currentData():
            parts.append(f"Profiles that fit these headers: {', '.join(p.proposal.suggestions)}.")
        self.message.setText(" ".join(parts))
        self.import_button.setEnabled(not p.mapping_error and not p.proposal.missing)

    def save_mapping(self) -> None:
        prof = self.current_profile()
        if not isinstance(prof, Profile):
            return
        name, ok = QInputDialog.getText(self, "Save mapping", "Name this profile:")
        if ok and name.strip():
            saved = Profile(**{**prof.__dict__, "name": name.strip(), "kind": self.kind.currentData()})
            path = save_profile(saved)
            self.message.setText(f"Saved profile '{saved.name}' ({path}); choose it next time, or use "
                                 f"--profile \"{saved.name}\" on the command line.")
            self._kind_changed()
            self.profile.setCurrentIndex(max(0, self.profile.findData(saved.name)))

    # ---- check and import ----------------------------------------------------------------------------------
    def _with_progress(self, title: str, fn: Callable[[Progress, Cancelled], ImportResult],
                       done: Callable[[ImportResult], None]) -> None:
        cancel = threading.Event()
        dialog = QProgressDialog(title, "Cancel", 0, 0, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        relay = _Progress(self)
        def show(n: int, total: int) -> None:
            if total:  # a bar once the size is known (exact for a workbook, from the bytes read for CSV)
                dialog.setRange(0, total)
                dialog.setValue(min(n, total - 1) if n < total else total - 1)
                dialog.setLabelText(f"{title}: {n:,} of about {total:,} rows")
            else:
                dialog.setLabelText(f"{title}: {n:,} rows")

        relay.step.connect(show)
        # a lambda, not cancel.set: PySide holds a bound method of a plain object by a weak reference and, when the
        # object goes, disconnects from whichever thread dropped it last; the worker dropping the event while the
        # window connects the next dialog's signals deadlocked Qt's connection lock against the GIL (seen in a test)
        dialog.canceled.connect(lambda: cancel.set())

        def step(n: int, total: int | None = None) -> None:  # on the worker thread: the signal crosses to the dialog
            relay.step.emit(n, total or 0)

        def work() -> ImportResult:
            return fn(step, cancel.is_set)

        def finish(result: ImportResult) -> None:
            dialog.reset()
            done(result)

        def fail(msg: str) -> None:
            dialog.reset()
            self.message.setText(msg)

        self.runner.run(work, finish, fail)
        self.progress_dialog = dialog

    def check(self) -> None:
        from cdi_workbench.importing import check_file

        path, opts, prof = self.path.text().strip(), self._options(), self.current_profile()
        self._with_progress("Checking", lambda progress, cancelled: check_file(
            path, opts["kind"], profile=prof, system=opts["system"], progress=progress, cancelled=cancelled),
            self._checked)

    def _checked(self, r: ImportResult) -> None:
        self.message.setText(self._report(r, checked=True))

    @staticmethod
    def _report(r: ImportResult, checked: bool = False) -> str:
        head = (f"{r.rows:,} rows read: {r.valid:,} fit to import, {r.rejected:,} with problems"
                if checked else f"{r.rows:,} rows read: {r.summary()}")
        lines = [head + (f", {r.skipped:,} skipped" if r.skipped else "") + "."]
        audited = r.audited_message()  # records already audited that the import changed: said first
        if audited:
            lines.insert(0, f"Look again: {audited}.")
        lines += [n for n in r.notes if n != audited]
        lines += [str(p) for p in r.problems[:15]]
        if r.problem_count > 15:
            lines.append(f"... and {r.problem_count - 15:,} more problems.")
        return "\n".join(lines)

    def start_import(self) -> None:
        from cdi_workbench.importing import check_file, import_file

        path, opts, prof = self.path.text().strip(), self._options(), self.current_profile()

        def decide(check: ImportResult) -> None:
            rejects = None
            if check.rejected:
                box = QMessageBox(QMessageBox.Icon.Warning, "Problems in the file",
                                  self._report(check, checked=True), parent=self)
                valid = box.addButton("Import the valid rows, save the rest…", QMessageBox.ButtonRole.AcceptRole)
                box.addButton("Import nothing", QMessageBox.ButtonRole.RejectRole)
                box.exec()
                if box.clickedButton() is not valid:
                    self.message.setText("Nothing imported.")
                    return
                rejects, _ = QFileDialog.getSaveFileName(self, "Save the rejected rows",
                                                         str(Path(path).with_suffix(".rejected.csv")), "CSV (*.csv)")
                if not rejects:
                    self.message.setText("Nothing imported.")
                    return
            self._with_progress("Importing", lambda progress, cancelled: import_file(
                self.db, path, opts["kind"], profile=prof, system=opts["system"], rejects=rejects, user=self.user,
                progress=progress, cancelled=cancelled), self._done)

        self._with_progress("Checking", lambda progress, cancelled: check_file(
            path, opts["kind"], profile=prof, system=opts["system"], progress=progress, cancelled=cancelled), decide)

    def _done(self, r: ImportResult) -> None:
        """The import finished (a cancelled one raises ImportCancelled, which goes to the runner's on_error)."""
        self.message.setText(self._report(r))
        self.imported.emit(r)
