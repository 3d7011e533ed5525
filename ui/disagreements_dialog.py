"""Review > Disagreements: records where the peer reviewer's verdict differs from the auditor's, side by side per
check with both rationales; the lead takes one of them as the final verdict, always with a reason."""

from __future__ import annotations

from functools import partial
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cdi_workbench.audit import review
from cdi_workbench.audit.service import AuditService

from .operations import Runner

KINDS = {"incident": "Incident", "referral": "Referral", "disposal": "Disposal", "cancellation": "Cancellation",
         "n100": "N100"}


class DisagreementsDialog(QDialog):
    open_item = Signal(int)
    decided = Signal()
    write_final = Signal(int, str)  # item id, the lead's reason: the lead writes the final verdict themselves

    def __init__(self, svc: AuditService, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Disagreements between auditor and reviewer")
        self.svc, self.runner = svc, runner
        self.rows: list[review.Comparison] = []
        lay = QVBoxLayout(self)
        self.heading = QLabel(objectName="heading", wordWrap=True)
        lay.addWidget(self.heading)

        split = QSplitter(Qt.Orientation.Vertical)
        self.tree = QTreeWidget(objectName="disagreements")
        self.tree.setHeaderLabels(["Record", "Kind", "Auditor", "Reviewer", "Checks that differ"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        split.addWidget(self.tree)

        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        self.record_label = QLabel(objectName="record_label", wordWrap=True)
        ll.addWidget(self.record_label)
        self.table = QTableWidget(0, 3, objectName="side_by_side")
        self.table.setHorizontalHeaderLabels(["Check", "Auditor's answer", "Reviewer's answer"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        ll.addWidget(self.table, 1)
        sides = QHBoxLayout()
        self.auditor_box = QGroupBox("Auditor's rationale")
        self.reviewer_box = QGroupBox("Reviewer's rationale")
        self.auditor_rationale = QLabel(objectName="auditor_rationale", wordWrap=True)
        self.reviewer_rationale = QLabel(objectName="reviewer_rationale", wordWrap=True)
        for box, label in ((self.auditor_box, self.auditor_rationale), (self.reviewer_box, self.reviewer_rationale)):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            bl = QVBoxLayout(box)
            bl.addWidget(label)
            sides.addWidget(box, 1)
        ll.addLayout(sides)
        row = QHBoxLayout()
        self.reason = QLineEdit(objectName="reason", placeholderText="The reason for your decision (required)")
        reason_label = QLabel("&Reason:")
        reason_label.setBuddy(self.reason)
        self.take_auditor = QPushButton("Take the &auditor's verdict", objectName="take_auditor")
        self.take_reviewer = QPushButton("Take the re&viewer's verdict", objectName="take_reviewer")
        self.write_own = QPushButton("&Write my own…", objectName="write_own")
        row.addWidget(reason_label)
        row.addWidget(self.reason, 1)
        row.addWidget(self.take_auditor)
        row.addWidget(self.take_reviewer)
        row.addWidget(self.write_own)
        ll.addLayout(row)
        split.addWidget(lower)
        split.setSizes([150, 450])
        self.split = split
        lay.addWidget(split, 1)
        self.message = QLabel(objectName="message", wordWrap=True)
        lay.addWidget(self.message)
        lay.addStretch(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(1000, 680)

        self.tree.currentItemChanged.connect(lambda _c, _p: self._selected())
        self.tree.itemActivated.connect(lambda it, _c: self._open(it))
        self.reason.textChanged.connect(lambda _t: self._update_buttons())
        self.take_auditor.clicked.connect(lambda: self.decide("primary"))
        self.take_reviewer.clicked.connect(lambda: self.decide("review"))
        self.write_own.clicked.connect(self._write_own)
        self._selected()
        self.reload()

    # ---- loading -------------------------------------------------------------------------------------------
    def reload(self) -> None:
        svc = self.svc
        self.runner.run(partial(review.disagreements, svc), self._loaded,
                        lambda msg: self._say(f"The disagreements could not be loaded: {escape(msg)}"))

    def _loaded(self, rows: list[review.Comparison]) -> None:
        keep = self.current()
        self.tree.blockSignals(True)  # clearing would ask for the current row of the old list in the new one
        self.tree.clear()
        self.rows = rows
        chosen = None
        for i, c in enumerate(rows):
            labels = [d.label for d in c.diffs]
            shown = "; ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
            item = QTreeWidgetItem([c.ref, KINDS.get(c.kind, c.kind), c.auditor, c.reviewer,
                                    f"{len(labels)}: {shown}"])
            item.setToolTip(4, "\n".join(labels))
            item.setData(0, Qt.ItemDataRole.UserRole, i)
            self.tree.addTopLevelItem(item)
            if keep is not None and c.item_id == keep.item_id:
                chosen = item
        header = self.tree.header()
        for col in range(4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        if rows:
            self.heading.setText(f"<b>{len(rows)} record{'s' if len(rows) != 1 else ''}</b> where the peer "
                                 "reviewer disagrees with the auditor await your decision. Your decision becomes "
                                 "the final verdict (the findings use it); the history keeps all three. Enter or "
                                 "double-click opens the record.")
            self.tree.setCurrentItem(chosen or self.tree.topLevelItem(0))
        self.tree.blockSignals(False)
        self.split.setVisible(bool(rows))  # nothing to compare: the heading says so, no empty tables
        if not rows:
            self.heading.setText("<b>No disagreements await a decision.</b> Records appear here once a peer "
                                 "reviewer completes a review that differs from the auditor's verdict on some check.")
        self._selected()

    # ---- one record ------------------------------------------------------------------------------------------
    def current(self) -> review.Comparison | None:
        item = self.tree.currentItem()
        return self.rows[int(item.data(0, Qt.ItemDataRole.UserRole))] if item is not None else None

    def _selected(self) -> None:
        c = self.current()
        self.table.setRowCount(0)
        if c is None:
            self.record_label.setText("")
            self.auditor_rationale.setText("")
            self.reviewer_rationale.setText("")
            self.auditor_box.setTitle("Auditor's rationale")
            self.reviewer_box.setTitle("Reviewer's rationale")
            self.table.setHorizontalHeaderLabels(["Check", "Auditor's answer", "Reviewer's answer"])
            self._update_buttons()
            return
        self.record_label.setText(f"<b>{escape(c.ref)}</b> ({KINDS.get(c.kind, c.kind).lower()}): "
                                  f"{len(c.diffs)} check{'s' if len(c.diffs) != 1 else ''} differ.")
        self.table.setHorizontalHeaderLabels(["Check", f"Auditor's answer ({c.auditor})",
                                              f"Reviewer's answer ({c.reviewer})"])
        self.table.setRowCount(len(c.diffs))
        for r, d in enumerate(c.diffs):
            for col, text in enumerate((d.label, d.ours, d.theirs)):
                self.table.setItem(r, col, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        self.auditor_box.setTitle(f"Auditor's rationale: {c.auditor}")
        self.reviewer_box.setTitle(f"Reviewer's rationale: {c.reviewer}")
        self.auditor_rationale.setText(escape(c.auditor_rationale) or "<i>none given</i>")
        self.reviewer_rationale.setText(escape(c.reviewer_rationale) or "<i>none given</i>")
        self._update_buttons()

    def _update_buttons(self) -> None:
        ok = self.current() is not None and bool(self.reason.text().strip())
        for b in (self.take_auditor, self.take_reviewer, self.write_own):
            b.setEnabled(ok)
            b.setToolTip("" if ok else "Give a reason for your decision first")
        if ok:
            self.write_own.setToolTip("Open the record and write the final verdict yourself, starting from the "
                                      "reviewer's answers")

    def decide(self, take: str) -> None:
        c, reason = self.current(), self.reason.text().strip()
        if c is None:
            return
        if not reason:
            self._say("A decision needs a reason.")
            self.reason.setFocus()
            return
        svc, item_id = self.svc, c.item_id
        whose = {"primary": "auditor's", "review": "reviewer's"}[take]

        def done(_body: object) -> None:
            self._say(f"{escape(c.ref)}: the {whose} verdict is now the final verdict.")
            self.reason.clear()
            self.decided.emit()
            self.reload()

        self.runner.run(partial(review.adjudicate, svc, item_id, take, reason), done,
                        lambda msg: self._say(f"Not decided: {escape(msg)}"))

    def _write_own(self) -> None:
        c, reason = self.current(), self.reason.text().strip()
        if c is None or not reason:
            self._say("A decision needs a reason.")
            return
        self.write_final.emit(c.item_id, reason)
        self.reason.clear()
        self.accept()

    def _open(self, item: QTreeWidgetItem) -> None:
        self.open_item.emit(self.rows[int(item.data(0, Qt.ItemDataRole.UserRole))].item_id)

    def _say(self, text: str) -> None:
        self.message.setText(text)
