"""Offline audit packages in the workbench: export part of a sample to a .cdipkg file, and merge one back.

The merge dialog shows the plan the core made (cdi_workbench.packages): verdicts taken automatically, and each
conflict side by side, check by check, with both rationales and who changed it when; the user keeps this
database's verdict or takes the package's for every conflict before anything is written. All database work
runs on the background worker (ui/operations.py).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cdi_workbench.audit.operations import AuditHandle
from cdi_workbench.packages import (
    MARKING,
    SUFFIX,
    ExportResult,
    ItemMerge,
    MergePlan,
    MergeResult,
    PackageError,
    apply_merge,
    default_path,
    export_package,
    parse_positions,
    plan_import,
)
from cdi_workbench.timeutil import display

from .history_dialog import describe
from .operations import Runner
from .widgets import named

if TYPE_CHECKING:
    from .main_window import MainWindow

FILTER = f"Audit packages (*{SUFFIX});;All files (*)"


class ExportPackageDialog(QDialog):
    """Choose the sample, the records (all or by position) and the file; then write the package."""

    exported = Signal(object)  # ExportResult

    def __init__(self, db: AuditHandle, runner: Runner, user: str, samples: list, current: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export an audit package")
        self.db, self.runner, self.user = db, runner, user
        lay = QVBoxLayout(self)
        intro = ("Write part of a sample, the records it needs and its verdicts to one file, to audit offline with "
                 "the workbench on another machine. Import the file back here afterwards (File > Import audit "
                 f"package).<br><b>{MARKING}</b>: the file holds records about victims of crime; carry it only on an "
                 "encrypted, approved device.")
        lay.addWidget(QLabel(intro, wordWrap=True))
        form = QFormLayout()
        self.sample = named(QComboBox(), "sample")
        for smp in samples:
            self.sample.addItem(f"{smp.name} ({smp.size} records)", smp.name)
        self.sample.setCurrentIndex(max(0, self.sample.findData(current)))
        self.positions = named(QLineEdit(placeholderText="all records; or e.g. 1-20, 25"), "positions")
        self.blind = named(QCheckBox("&Blind: leave out the auditor's and the lead's verdicts on every record"),
                           "blind")
        self.blind.setToolTip("A record assigned for blind review always travels blind (nothing of the auditor's "
                              "verdict, flag or note), whether or not this is ticked.")
        self.issued_to = named(QLineEdit(placeholderText=f"{user} (you)"), "issued_to")
        self.issued_to.setToolTip("The person who will work on the package. Only their verdicts come back, in the "
                                  "roles they may enter here (review for a peer reviewer, first verdicts for an "
                                  "auditor), credited to them whatever name is typed in the package.")
        self.path = named(QLineEdit(), "path")
        browse = QPushButton("&Browse…")
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow("&Sample:", self.sample)
        form.addRow("&Positions:", self.positions)
        form.addRow("", self.blind)
        form.addRow("&Issued to:", self.issued_to)
        file_label = QLabel("&File:")
        file_label.setBuddy(self.path)
        form.addRow(file_label, row)
        lay.addLayout(form)
        self.message = named(QLabel(wordWrap=True), "message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.export_button = named(QPushButton("&Export"), "export_button")
        self.export_button.setDefault(True)
        close = QPushButton("Close")
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        lay.addLayout(buttons)
        self.resize(620, 260)
        browse.clicked.connect(self._browse)
        self.sample.currentIndexChanged.connect(lambda _i: self._default_path())
        self.export_button.clicked.connect(self.export)
        close.clicked.connect(self.reject)
        self._default_path()

    def _default_path(self) -> None:
        name = self.sample.currentData()
        if name:
            self.path.setText(str(default_path(self.db, name)))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export an audit package", self.path.text(), FILTER)
        if path:
            self.path.setText(path)

    def export(self) -> None:
        name, path = self.sample.currentData(), self.path.text().strip()
        try:
            positions = parse_positions(self.positions.text()) if self.positions.text().strip() else None
        except PackageError as exc:
            self.message.setText(f"Positions: {exc}.")
            return
        if not name or not path:
            self.message.setText("Choose a sample and a file.")
            return
        db, user, roles = self.db, self.user, ["review"] if self.blind.isChecked() else None
        target = Path(path)
        if not target.parent.is_dir():
            self.message.setText(f"Not exported: there is no folder {target.parent}.")
            return
        if target.exists() and QMessageBox.question(
                self, "Replace the package?", f"{target.name} already exists. Replace it? Verdicts entered in it "
                "and not yet imported back would be lost.") != QMessageBox.StandardButton.Yes:
            return
        self.export_button.setEnabled(False)
        self.message.setText("Writing the package…")
        self.runner.run(partial(export_package, db, name, path, who=user, positions=positions, roles=roles,
                                overwrite=True, issued_to=self.issued_to.text().strip() or None),
                        self._done, self._failed)

    def _done(self, r: ExportResult) -> None:
        self.export_button.setEnabled(True)
        self.message.setText(f"Wrote {r.path.name}: {r.items} record(s) of '{r.sample}' (positions {r.positions}), "
                             f"{r.verdicts} verdict(s)"
                             + (f"; {r.blind} blind (assigned for blind review)" if r.blind else "")
                             + ". Copy it to the other machine and open it with the workbench.")
        self.exported.emit(r)

    def _failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self.message.setText(f"Not exported: {message}")


def _cell(text: str, bold: bool = False, name: str = "") -> QLabel:
    label = named(QLabel(text, wordWrap=True), name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


class ConflictBox(QGroupBox):
    """One conflict: the checks that differ, side by side, both rationales, who and when; ours or theirs."""

    chosen = Signal()

    def __init__(self, entry: ItemMerge, parent: QWidget | None = None) -> None:
        super().__init__(entry.label, parent)
        self.entry = entry
        self.setObjectName(f"conflict_{entry.key}")
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(16)
        grid.setColumnMinimumWidth(0, 240)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        for c, text in enumerate(("Check", "This database", "The package")):
            grid.addWidget(_cell(text, bold=True), 0, c)
        rows = [("Last changed by", entry.ours.attribution(), entry.theirs.attribution())]
        rows += [(d.label, d.ours, d.theirs) for d in entry.checks]
        rows.append(("Rationale", entry.ours.rationale or "(none)", entry.theirs.rationale or "(none)"))
        for r, (label, ours, theirs) in enumerate(rows, 1):
            grid.addWidget(_cell(label), r, 0)
            grid.addWidget(_cell(ours), r, 1)
            grid.addWidget(_cell(theirs), r, 2)
        line = QFrame(frameShape=QFrame.Shape.HLine)
        grid.addWidget(line, len(rows) + 1, 0, 1, 3)
        self.ours = named(QRadioButton("Keep this database's verdict"), "ours")
        self.theirs = named(QRadioButton("Take the package's verdict"), "theirs")
        self.group = QButtonGroup(self)
        for b in (self.ours, self.theirs):
            self.group.addButton(b)
            b.toggled.connect(lambda _on: self.chosen.emit())
        grid.addWidget(self.ours, len(rows) + 2, 1, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(self.theirs, len(rows) + 2, 2, Qt.AlignmentFlag.AlignLeft)

    def resolution(self) -> str | None:
        return "ours" if self.ours.isChecked() else "theirs" if self.theirs.isChecked() else None

    def choose(self, side: str) -> None:
        (self.ours if side == "ours" else self.theirs).setChecked(True)


class MergeDialog(QDialog):
    """The merge plan for one package; applies it once every conflict has a resolution."""

    merged = Signal(object)  # MergeResult

    def __init__(self, db: AuditHandle, runner: Runner, user: str, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import audit package {Path(path).name}")
        self.db, self.runner, self.user, self.path = db, runner, user, path
        self.plan: MergePlan | None = None
        self.boxes: list[ConflictBox] = []
        lay = QVBoxLayout(self)
        self.heading = named(QLabel("Reading the package…", wordWrap=True), "heading")
        lay.addWidget(self.heading)
        lay.addWidget(_cell("To be taken from the package (changed only there)", bold=True))
        self.auto = named(QTreeWidget(), "auto")
        self.auto.setHeaderLabels(["Record", "Changed in the package by", "The package's verdict"])
        self.auto.setRootIsDecorated(False)
        self.auto.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.auto, 1)
        self.conflict_title = _cell("Conflicts", bold=True)
        lay.addWidget(self.conflict_title)
        self.conflict_scroll = named(QScrollArea(), "conflicts")
        self.conflict_scroll.setWidgetResizable(True)
        self.conflict_area = QWidget()
        self.conflict_layout = QVBoxLayout(self.conflict_area)
        self.conflict_layout.addStretch(1)
        self.conflict_scroll.setWidget(self.conflict_area)
        lay.addWidget(self.conflict_scroll, 3)
        self.message = named(QLabel(wordWrap=True), "message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.message)
        buttons = QHBoxLayout()
        self.all_ours = named(QPushButton("Keep &ours for all"), "all_ours")
        self.all_theirs = named(QPushButton("Take &theirs for all"), "all_theirs")
        self.apply_button = named(QPushButton("&Apply the merge"), "apply_button")
        self.apply_button.setEnabled(False)
        close = QPushButton("Close")
        for b in (self.all_ours, self.all_theirs):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(close)
        lay.addLayout(buttons)
        self.resize(980, 720)
        self.all_ours.clicked.connect(lambda: self._choose_all("ours"))
        self.all_theirs.clicked.connect(lambda: self._choose_all("theirs"))
        self.apply_button.clicked.connect(self.apply)
        close.clicked.connect(self.reject)
        db_ = db
        user_ = self.user
        self.runner.run(partial(plan_import, db_, path, user_), self.show_plan, self._refused)

    # ---- the plan ----------------------------------------------------------------------------------------
    def show_plan(self, plan: MergePlan) -> None:
        self.plan = plan
        self.heading.setText(f"<b>{Path(plan.package).name}</b>: {plan.records} record(s) of '{plan.sample}', "
                             f"exported {display(plan.exported_at)} by {plan.exported_by} from {plan.source}.<br>"
                             f"{plan.summary()}.")
        self.auto.clear()
        for e in plan.auto:
            item = QTreeWidgetItem([e.label, e.theirs.attribution(), describe(e.theirs.body)])
            item.setToolTip(2, "\n".join(f"{d.label}: {d.ours} → {d.theirs}" for d in e.checks))
            self.auto.addTopLevelItem(item)
        if not plan.auto:
            self.auto.addTopLevelItem(QTreeWidgetItem(["Nothing changed only in the package", "", ""]))
        for c in range(2):
            self.auto.resizeColumnToContents(c)
        for e in plan.conflicts:
            box = ConflictBox(e)
            box.chosen.connect(self._update)
            self.conflict_layout.insertWidget(self.conflict_layout.count() - 1, box)
            self.boxes.append(box)
        self.conflict_title.setText(f"Conflicts: changed differently here and in the package ({len(self.boxes)})"
                                    if self.boxes else "Conflicts: none")
        self.conflict_scroll.setVisible(bool(self.boxes))
        self.all_ours.setVisible(bool(self.boxes))
        self.all_theirs.setVisible(bool(self.boxes))
        self._update()

    def _refused(self, message: str) -> None:
        self.heading.setText(f"<b>This package cannot be merged.</b> {message}")
        self.apply_button.setEnabled(False)

    def _choose_all(self, side: str) -> None:
        for box in self.boxes:
            box.choose(side)

    def resolutions(self) -> dict[str, str]:
        return {b.entry.key: r for b in self.boxes if (r := b.resolution()) is not None}

    def _update(self) -> None:
        if self.plan is None:
            return
        waiting = len(self.boxes) - len(self.resolutions())
        todo = len(self.plan.auto) + len(self.boxes)
        self.apply_button.setEnabled(todo > 0 and waiting == 0)
        if not todo:
            self.message.setText("Nothing to merge: this database already has everything the package holds.")
        elif waiting:
            self.message.setText(f"Choose for {waiting} conflict(s) which verdict stands before applying; "
                                 "nothing is written until then.")
        else:
            self.message.setText(f"Ready: {todo} verdict(s) to merge in one go.")

    # ---- applying ----------------------------------------------------------------------------------------
    def apply(self) -> None:
        plan, chosen, db, user = self.plan, self.resolutions(), self.db, self.user
        if plan is None:
            return
        self.apply_button.setEnabled(False)
        self.message.setText("Merging…")
        self.runner.run(partial(apply_merge, db, plan, chosen, user), self._applied, self._failed)

    def _applied(self, result: MergeResult) -> None:
        self.message.setText(result.summary())
        for box in self.boxes:
            box.setEnabled(False)
        self.all_ours.setEnabled(False)
        self.all_theirs.setEnabled(False)
        self.merged.emit(result)

    def _failed(self, message: str) -> None:
        self._update()  # the Apply button as the choices stand, then the refusal, which must stay in view
        self.message.setText(f"Nothing was merged: {message}")


def open_export(window: MainWindow) -> ExportPackageDialog | None:
    """File > Export audit package…: the dialog, once the samples are known."""
    if window.db is None or window.svc is None:
        return None
    svc = window.svc

    def show(samples: list) -> None:
        dialog = ExportPackageDialog(window.db, window.runner, window.user, samples,
                                     window._current_sample_name(), window)  # noqa: SLF001
        dialog.open()
        window.package_dialog = dialog

    window.runner.run(svc.samples, show)
    return None


def open_import(window: MainWindow, path: str | None = None) -> MergeDialog | None:
    """File > Import audit package…: choose the file, then the merge dialog; the queue reloads after."""
    if window.db is None:
        return None
    if not path:
        path, _ = QFileDialog.getOpenFileName(window, "Import an audit package", "", FILTER)
    if not path:
        return None
    dialog = MergeDialog(window.db, window.runner, window.user, path, window)
    dialog.merged.connect(lambda _r: (window.load_queue(), window.refresh_findings()))
    dialog.open()
    window.package_dialog = dialog
    return dialog
