"""Review > Assign records for review: the lead gives records of a sample to a peer reviewer, blind or open, and
sees (and withdraws) the assignments made. All database work runs on the background worker."""

from __future__ import annotations

from functools import partial
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cdi_workbench.audit import review
from cdi_workbench.audit.service import AuditService
from cdi_workbench.timeutil import display

from .operations import Runner
from .widgets import named

COLUMNS = ["#", "Reference", "Reviewer", "Review", "Chosen as", "Assigned by", "Assigned", "State"]


class AssignDialog(QDialog):
    """`picked` are the audit items selected in the queue (of sample `current`), offered as 'picked by hand'."""

    assigned = Signal()  # assignments made or withdrawn

    def __init__(self, svc: AuditService, runner: Runner, samples: list, current: int | None,
                 picked: list[int], single_user: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Assign records for review")
        self.svc, self.runner, self.picked, self.picked_sample = svc, runner, picked, current
        self.rows: list[review.Assignment] = []
        self.sizes = {smp.id: smp.size for smp in samples}
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(
            "Give records of a sample to a peer reviewer to re-check. <b>Blind</b>: the reviewer does not see the "
            "first verdict until their own review of the record is complete. <b>Open</b>: the review starts from "
            "the first verdict and the reviewer agrees or changes each check. A record already assigned is "
            "reassigned.", wordWrap=True))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.sample = named(QComboBox(), "sample")
        for smp in samples:
            self.sample.addItem(f"{smp.name} ({smp.size} records)", smp.id)
        self.sample.setCurrentIndex(max(0, self.sample.findData(current)))
        form.addRow("&Sample:", self.sample)

        basis = QWidget()
        bl = QVBoxLayout(basis)
        bl.setContentsMargins(0, 0, 0, 0)
        self.basis = QButtonGroup(self)
        self.random = named(QRadioButton("A &random share:"), "random")
        self.share = named(QSpinBox(minimum=1, maximum=1_000_000, value=10), "share")
        self.unit = named(QComboBox(), "unit")
        self.unit.addItem("% of the sample", "percent")
        self.unit.addItem("records", "records")
        self.seed = named(QSpinBox(minimum=0, maximum=2_147_483_647, value=1), "seed")
        self.seed.setToolTip("The same seed draws the same records again")
        self.share.setMaximumWidth(100)
        self.seed.setMaximumWidth(130)
        rr = QHBoxLayout()
        rr.addWidget(self.random)
        rr.addWidget(self.share)
        rr.addWidget(self.unit)
        seed_label = QLabel("s&eed:")
        seed_label.setBuddy(self.seed)
        rr.addSpacing(12)
        rr.addWidget(seed_label)
        rr.addWidget(self.seed)
        rr.addStretch(1)
        bl.addLayout(rr)
        self.failed = named(QRadioButton("Every &failed record (by the verdicts so far)"), "failed")
        self.flagged = named(QRadioButton("Every f&lagged record"), "flagged")
        self.hand = named(QRadioButton(), "hand")
        for b, key in ((self.random, "random"), (self.failed, "failed"), (self.flagged, "flagged"),
                       (self.hand, "hand")):
            b.setProperty("basis", key)
            self.basis.addButton(b)
            if b is not self.random:
                bl.addWidget(b)
        self.random.setChecked(True)
        form.addRow("Records:", basis)

        self.reviewer = named(QComboBox(editable=single_user), "reviewer")
        self.reviewer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.reviewer.setMinimumWidth(260)
        if single_user:
            edit = self.reviewer.lineEdit()
            if edit is not None:  # an editable drop-down always has one
                edit.setPlaceholderText("the reviewer's name")
            self.reviewer.setToolTip("Nobody is registered (single-user mode): any name will do")
        form.addRow("Re&viewer:", self.reviewer)
        mode = QWidget()
        ml = QHBoxLayout(mode)
        ml.setContentsMargins(0, 0, 0, 0)
        self.blind = named(QRadioButton("&Blind (first verdict hidden)"), "blind")
        self.open_mode = named(QRadioButton("&Open (first verdict shown)"), "open")
        self.blind.setChecked(True)
        ml.addWidget(self.blind)
        ml.addWidget(self.open_mode)
        ml.addStretch(1)
        form.addRow("Review:", mode)
        lay.addLayout(form)

        row = QHBoxLayout()
        self.assign_button = named(QPushButton("&Assign"), "assign_button")
        self.assign_button.setDefault(True)
        row.addWidget(self.assign_button)
        self.message = named(QLabel(wordWrap=True), "message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.message, 1)
        lay.addLayout(row)

        self.table_heading = named(QLabel(), "table_heading")
        lay.addWidget(self.table_heading)
        self.tree = named(QTreeWidget(), "assignments")
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        lay.addWidget(self.tree, 1)
        bottom = QHBoxLayout()
        self.withdraw_button = named(QPushButton("&Withdraw the selected"), "withdraw_button")
        close = QPushButton("Close")
        bottom.addWidget(self.withdraw_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        lay.addLayout(bottom)
        self.resize(880, 600)

        self.sample.currentIndexChanged.connect(lambda _i: self._sample_changed())
        self.basis.buttonToggled.connect(lambda _b, _on: self._update())
        self.reviewer.currentTextChanged.connect(lambda _t: self._update())
        self.assign_button.clicked.connect(self.assign)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.tree.itemSelectionChanged.connect(self._update)
        close.clicked.connect(self.reject)
        self._sample_changed()
        self.runner.run(partial(review.reviewers, svc), self._reviewers_loaded,
                        lambda msg: self._say(f"The reviewers could not be listed: {msg}"))

    # ---- state ---------------------------------------------------------------------------------------------
    def _reviewers_loaded(self, names: list[str]) -> None:
        self.reviewer.clear()
        self.reviewer.addItems(names)
        if not names and not self.reviewer.isEditable():
            self._say("Nobody may review yet: register a peer reviewer under Review > People… first.")
        self._update()

    def _sample_changed(self) -> None:
        hand_here = bool(self.picked) and self.sample.currentData() == self.picked_sample
        n = len(self.picked) if hand_here else 0
        self.hand.setText(f"&Picked by hand: the {n} record{'s' if n != 1 else ''} selected in the queue"
                          if hand_here else "&Picked by hand: select records in the queue first (Ctrl/Shift+click)")
        self.hand.setEnabled(hand_here)
        if not hand_here and self.hand.isChecked():
            self.random.setChecked(True)
        self.reload()
        self._update()

    def basis_key(self) -> str:
        b = self.basis.checkedButton()
        return str(b.property("basis")) if b is not None else "random"

    def _update(self) -> None:
        is_random = self.basis_key() == "random"
        for w in (self.share, self.unit, self.seed):
            w.setEnabled(is_random)
        self.assign_button.setEnabled(bool(self.reviewer.currentText().strip()) and self.sample.currentData()
                                      is not None)
        self.withdraw_button.setEnabled(bool(self.tree.selectedItems()))

    def _share(self) -> float:
        """The core's share: a proportion below 1, else a number of records."""
        if self.unit.currentData() == "records":
            return float(self.share.value())
        pct = min(self.share.value(), 100)
        size = self.sizes.get(self.sample.currentData(), 0)
        return float(size) if pct >= 100 else pct / 100

    # ---- assigning and withdrawing -----------------------------------------------------------------------------
    def assign(self) -> None:
        sid, basis, reviewer = self.sample.currentData(), self.basis_key(), self.reviewer.currentText().strip()
        if sid is None or not reviewer:
            self._say("Choose a sample and a reviewer.")
            return
        mode = "open" if self.open_mode.isChecked() else "blind"
        share, seed = (self._share(), self.seed.value()) if basis == "random" else (None, 0)
        ids = list(self.picked) if basis == "hand" else None
        svc = self.svc
        self.assign_button.setEnabled(False)
        self._say("Assigning…")

        def done(chosen: list[int]) -> None:
            if chosen:
                self._say(f"Assigned {len(chosen)} record{'s' if len(chosen) != 1 else ''} to "
                          f"{escape(reviewer)} for {mode} review.")
            else:
                what = {"failed": "failed records", "flagged": "flagged records",
                        "random": "audited records (a random share is drawn from completed verdicts)"}.get(
                            basis, "matching records")
                self._say(f"No {what} left to assign in this sample (records already assigned keep their "
                          "reviewer and blind or open review): nothing was assigned.")
            self.assigned.emit()
            self.reload()

        def not_assigned(msg: str) -> None:
            self._say(f"Not assigned: {escape(msg)}")
            self._update()

        self.runner.run(partial(review.assign, svc, sid, basis, reviewer, mode, share=share, seed=seed,
                                item_ids=ids), done, not_assigned)

    def withdraw(self) -> None:
        chosen = [self.rows[int(it.data(0, Qt.ItemDataRole.UserRole))] for it in self.tree.selectedItems()]
        if not chosen:
            return
        svc = self.svc

        def work() -> int:
            for a in chosen:
                review.unassign(svc, a.item_id, "withdrawn by the lead")
            return len(chosen)

        def done(n: int) -> None:
            self._say(f"Withdrew {n} assignment{'s' if n != 1 else ''}.")
            self.assigned.emit()
            self.reload()

        self.runner.run(work, done, lambda msg: self._say(f"Not withdrawn: {escape(msg)}"))

    # ---- the assignments table -------------------------------------------------------------------------------
    def reload(self) -> None:
        sid, svc = self.sample.currentData(), self.svc
        if sid is None:
            self._fill([])
            return
        self.runner.run(partial(review.assignments, svc, sid), self._fill,
                        lambda msg: self._say(f"The assignments could not be loaded: {escape(msg)}"))

    def _fill(self, rows: list[review.Assignment]) -> None:
        self.rows = rows
        self.tree.clear()
        for i, a in enumerate(rows):
            item = QTreeWidgetItem([str(a.position), a.ref, a.reviewer, a.mode, review.BASES.get(a.basis, a.basis),
                                    a.assigned_by, display(a.assigned_at), a.state])
            item.setData(0, Qt.ItemDataRole.UserRole, i)
            item.setTextAlignment(0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
        header = self.tree.header()
        for c in range(len(COLUMNS)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        states: dict[str, int] = {}
        for a in rows:
            states[a.state] = states.get(a.state, 0) + 1
        counts = ", ".join(f"{n} {s}" for s, n in states.items())
        self.table_heading.setText(
            f"<b>Assigned in this sample: {len(rows)}</b>" + (f" ({counts})" if rows else
                                                               ": none yet."))
        self._update()

    def _say(self, text: str) -> None:
        self.message.setText(text)
