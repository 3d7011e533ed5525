"""Review > Disagreements: records where the peer reviewer's verdict differs from the auditor's (or where the reviewer
could not decide a check), side by side per check with both rationales, the reviewer's comments and note to the
auditor; the lead takes one of them as the final verdict, or writes their own, always with a reason.

The record being decided is named (sample, position, reference); the reason is the one question asked (no 'are
you sure?': a decision can be undone). Decided records stay in a list of their own to go back to, where the lead
can undo a decision, with a reason written to the trail (audit.decisions.undo_decision).
"""

from __future__ import annotations

from functools import partial
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cdi_workbench.audit import review_operations as rops
from cdi_workbench.audit.decisions import Decision
from cdi_workbench.audit.review import Comparison
from cdi_workbench.audit.service import AuditService
from cdi_workbench.timeutil import display

from .operations import Runner
from .widgets import named

KINDS = {"incident": "Incident", "referral": "Referral", "disposal": "Disposal", "cancellation": "Cancellation",
         "n100": "N100"}
UNDECIDED = "could not decide"
MARK = QBrush(QColor("#fde2c8"))  # a check the reviewer could not decide, as the lead sees it


def _label(text: str = "", name: str = "") -> QLabel:
    label = named(QLabel(text), name) if name else QLabel(text)
    label.setWordWrap(True)
    return label


def _tree(name: str, heads: list[str]) -> QTreeWidget:
    tree = named(QTreeWidget(), name)
    tree.setHeaderLabels(heads)
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    return tree


class DisagreementsDialog(QDialog):
    open_item = Signal(int)
    decided = Signal()
    write_final = Signal(int, str)  # item id, the lead's reason: the lead writes the final verdict themselves

    def __init__(self, svc: AuditService, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Disagreements between auditor and reviewer")
        self.svc, self.runner = svc, runner
        self.rows: list[Comparison] = []
        self.decisions: list[Decision] = []
        lay = QVBoxLayout(self)
        self.heading = _label(name="heading")
        lay.addWidget(self.heading)

        split = QSplitter(Qt.Orientation.Vertical)
        self.lists = named(QTabWidget(), "lists")
        self.tree = _tree("disagreements", ["Record", "Kind", "Auditor", "Reviewer", "Checks that differ"])
        self.decided_tree = _tree("decided", ["Record", "Kind", "Upheld", "Decided by", "When", "Reason"])
        self.lists.addTab(self.tree, "Awaiting decision")
        self.lists.addTab(self.decided_tree, "Decided")
        split.addWidget(self.lists)

        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        self.record_label = _label(name="record_label")
        self.record_label.setTextFormat(Qt.TextFormat.RichText)
        ll.addWidget(self.record_label)
        self.table = named(QTableWidget(0, 3), "side_by_side")
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
        self.auditor_rationale = _label(name="auditor_rationale")
        self.reviewer_rationale = _label(name="reviewer_rationale")
        # could not decide, comments, the note to the auditor: as long as they are (scrolling, never cut)
        self.reviewer_notes = named(QTextBrowser(), "reviewer_notes")
        self.reviewer_notes.setFrameShape(QFrame.Shape.NoFrame)
        self.reviewer_notes.viewport().setAutoFillBackground(False)
        for box, label in ((self.auditor_box, self.auditor_rationale), (self.reviewer_box, self.reviewer_rationale)):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            bl = QVBoxLayout(box)
            bl.addWidget(label)
            if box is self.reviewer_box:
                bl.addWidget(self.reviewer_notes, 1)
            else:
                bl.addStretch(1)
            sides.addWidget(box, 1)
        ll.addLayout(sides, 1)  # the rationales, comments and note as tall as the table
        row = QHBoxLayout()
        self.reason = named(QLineEdit(), "reason")
        self.reason.setPlaceholderText("The reason for your decision (required)")
        reason_label = QLabel("&Reason:")
        reason_label.setBuddy(self.reason)
        self.take_auditor = named(QPushButton("Take the &auditor's verdict"), "take_auditor")
        self.take_reviewer = named(QPushButton("Take the re&viewer's verdict"), "take_reviewer")
        self.write_own = named(QPushButton("&Write my own…"), "write_own")
        self.undo_button = named(QPushButton("&Undo this decision"), "undo_decision")
        row.addWidget(reason_label)
        row.addWidget(self.reason, 1)
        for b in (self.take_auditor, self.take_reviewer, self.write_own, self.undo_button):
            row.addWidget(b)
        ll.addLayout(row)
        split.addWidget(lower)
        split.setSizes([170, 430])
        self.split = split
        lay.addWidget(split, 1)
        self.message = _label(name="message")
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(1000, 700)

        self.tree.currentItemChanged.connect(lambda _c, _p: self._selected())
        self.decided_tree.currentItemChanged.connect(lambda _c, _p: self._selected())
        self.tree.itemActivated.connect(lambda it, _c: self._open(it))
        self.decided_tree.itemActivated.connect(lambda it, _c: self._open(it))
        self.lists.currentChanged.connect(lambda _i: self._selected())
        self.reason.textChanged.connect(lambda _t: self._update_buttons())
        self.take_auditor.clicked.connect(lambda: self.decide("primary"))
        self.take_reviewer.clicked.connect(lambda: self.decide("review"))
        self.write_own.clicked.connect(self._write_own)
        self.undo_button.clicked.connect(self.undo)
        self._selected()
        self.reload()

    # ---- loading -------------------------------------------------------------------------------------------
    def reload(self) -> None:
        self.runner.run(partial(rops.disagreement_lists, self.svc), self._loaded,
                        lambda msg: self._say(f"The disagreements could not be loaded: {escape(msg)}"))

    def _loaded(self, lists: rops.DisagreementLists) -> None:
        keep = self.current()
        self.rows, self.decisions = lists.awaiting, lists.decided
        for tree in (self.tree, self.decided_tree):
            tree.blockSignals(True)  # clearing would ask for the current row of the old list in the new one
            tree.clear()
        chosen = None
        for i, c in enumerate(self.rows):
            labels = [d.label for d in c.diffs] + [f"{u}: {UNDECIDED}" for u in c.undecided]
            shown = "; ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
            mark = "⚑ " if c.undecided else ""
            item = QTreeWidgetItem([c.ref, KINDS.get(c.kind, c.kind), c.auditor, c.reviewer,
                                    f"{mark}{len(labels)}: {shown}"])
            item.setToolTip(4, "\n".join(labels))
            if c.undecided:
                item.setBackground(4, MARK)
            item.setData(0, Qt.ItemDataRole.UserRole, i)
            self.tree.addTopLevelItem(item)
            if keep is not None and c.item_id == keep.item_id:
                chosen = item
        for i, d in enumerate(self.decisions):
            c = d.comparison
            item = QTreeWidgetItem([c.ref, KINDS.get(c.kind, c.kind), d.upheld_text, d.decided_by,
                                    display(d.decided_at), d.reason])
            item.setToolTip(5, d.reason)
            item.setData(0, Qt.ItemDataRole.UserRole, i)
            self.decided_tree.addTopLevelItem(item)
        for tree, n in ((self.tree, 4), (self.decided_tree, 5)):
            header = tree.header()
            for col in range(n):
                header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
            header.setStretchLastSection(True)
        self.lists.setTabText(0, f"Awaiting decision ({len(self.rows)})")
        self.lists.setTabText(1, f"Decided ({len(self.decisions)})")
        if self.rows:
            self.heading.setText(f"<b>{len(self.rows)} record{'s' if len(self.rows) != 1 else ''}</b> where the peer "
                                 "reviewer disagrees with the auditor (or could not decide, marked ⚑) await your "
                                 "decision. Your decision becomes the final verdict (the findings use it); the history "
                                 "keeps all three, and a decision can be undone from the Decided list. Enter or "
                                 "double-click opens the record.")
            first = chosen or self.tree.topLevelItem(0)
            if first is not None:
                self.tree.setCurrentItem(first)
        else:
            self.heading.setText("<b>No disagreements await a decision.</b> Records appear here once a peer "
                                 "reviewer completes a review that differs from the auditor's verdict on some check."
                                 + (f" {len(self.decisions)} decided: see the Decided list." if self.decisions else ""))
        top = self.decided_tree.topLevelItem(0)
        if top is not None:
            self.decided_tree.setCurrentItem(top)
        for tree in (self.tree, self.decided_tree):
            tree.blockSignals(False)
        self._selected()

    # ---- one record ------------------------------------------------------------------------------------------
    @property
    def on_decided(self) -> bool:
        return self.lists.currentIndex() == 1

    def current_decision(self) -> Decision | None:
        item = self.decided_tree.currentItem()
        if not self.on_decided or item is None:
            return None
        return self.decisions[int(item.data(0, Qt.ItemDataRole.UserRole))]

    def current(self) -> Comparison | None:
        if self.on_decided:
            d = self.current_decision()
            return d.comparison if d is not None else None
        item = self.tree.currentItem()
        return self.rows[int(item.data(0, Qt.ItemDataRole.UserRole))] if item is not None else None

    def _selected(self) -> None:
        c, d = self.current(), self.current_decision()
        self.split.setVisible(bool(self.decisions if self.on_decided else self.rows))
        for b in (self.take_auditor, self.take_reviewer, self.write_own):
            b.setVisible(not self.on_decided)
        self.undo_button.setVisible(self.on_decided)
        self.reason.setPlaceholderText("Why you undo this decision (required; it goes in the history)"
                                       if self.on_decided else "The reason for your decision (required)")
        self.table.setRowCount(0)
        if c is None:
            for label in (self.record_label, self.auditor_rationale, self.reviewer_rationale):
                label.setText("")
            self.reviewer_notes.clear()
            self.auditor_box.setTitle("Auditor's rationale")
            self.reviewer_box.setTitle("Reviewer's rationale")
            self.table.setHorizontalHeaderLabels(["Check", "Auditor's answer", "Reviewer's answer"])
            self._update_buttons()
            return
        differ = f"{len(c.diffs)} answer{'s' if len(c.diffs) != 1 else ''} differ"
        undecided = f"; the reviewer could not decide: {escape('; '.join(c.undecided))}" if c.undecided else ""
        if d is not None:
            self.record_label.setText(f"Decided: <b>{escape(c.name)}</b>: {escape(d.upheld_text)} upheld, by "
                                      f"{escape(d.decided_by)} on {display(d.decided_at)}. {differ}{undecided}.")
        else:
            self.record_label.setText(f"Deciding: <b>{escape(c.name)}</b>: {differ}{undecided}.")
        self.table.setHorizontalHeaderLabels(["Check", f"Auditor's answer ({c.auditor})",
                                              f"Reviewer's answer ({c.reviewer})"])
        rows = [(x.label, x.ours, x.theirs, False) for x in c.diffs] + [(u, "(answered)", UNDECIDED, True)
                                                                       for u in c.undecided]
        self.table.setRowCount(len(rows))
        for r, (check, ours, theirs, marked) in enumerate(rows):
            for col, text in enumerate((check, ours, theirs)):
                cell = QTableWidgetItem(text)
                if marked:
                    cell.setBackground(MARK)
                self.table.setItem(r, col, cell)
        self.table.resizeRowsToContents()
        self.auditor_box.setTitle(f"Auditor's rationale: {c.auditor}")
        self.reviewer_box.setTitle(f"Reviewer's rationale: {c.reviewer}")
        self.auditor_rationale.setText(escape(c.auditor_rationale) or "<i>none given</i>")
        self.reviewer_rationale.setText(escape(c.reviewer_rationale) or "<i>none given</i>")
        notes = [f"<b>⚑ Could not decide:</b> {escape('; '.join(c.undecided))}"] if c.undecided else []
        notes += [f"<b>On {escape(check)}:</b> {escape(text)}" for check, text in c.comments]
        if c.note_to_auditor:
            notes.append(f"<b>Note to the auditor:</b> {escape(c.note_to_auditor)}")
        self.reviewer_notes.setHtml("<br>".join(notes))
        self._update_buttons()

    def _update_buttons(self) -> None:
        c = self.current()
        ok = c is not None and bool(self.reason.text().strip())
        for b in (self.take_auditor, self.take_reviewer, self.write_own, self.undo_button):
            b.setEnabled(ok)
            b.setToolTip("" if ok else "Give a reason first")
        if not ok or c is None:
            return
        self.take_auditor.setToolTip(f"Make the auditor's verdict the final verdict on {c.name}")
        self.take_reviewer.setToolTip(f"Make the reviewer's verdict the final verdict on {c.name}")
        if c.undecided:  # the core refuses it: say so before the lead tries
            self.take_reviewer.setEnabled(False)
            self.take_reviewer.setToolTip("The reviewer could not decide every check: take the auditor's verdict, "
                                          "or write your own")
        self.write_own.setToolTip(f"Open {c.name} and write the final verdict yourself, starting from the "
                                  "reviewer's answers")
        self.undo_button.setToolTip(f"Take back the decision on {c.name}: it awaits your decision again")

    def decide(self, take: str) -> None:
        c, reason = self.current(), self.reason.text().strip()
        if c is None or self.on_decided:
            return
        if not reason:
            self._say("A decision needs a reason.")
            self.reason.setFocus()
            return
        whose = {"primary": "auditor's", "review": "reviewer's"}[take]

        def done(_changes: object) -> None:
            self._say(f"{escape(c.name)}: the {whose} verdict is now the final verdict (undo it from the Decided "
                      "list).")
            self.reason.clear()
            self.decided.emit()
            self.reload()

        self.runner.run(partial(rops.decide, self.svc, c.item_id, take, reason), done,
                        lambda msg: self._say(f"{escape(c.name)} was not decided: {escape(msg)}"))

    def undo(self) -> None:
        d, reason = self.current_decision(), self.reason.text().strip()
        if d is None or not reason:
            self._say("Undoing a decision needs a reason.")
            return
        name = d.comparison.name

        def done(_changes: object) -> None:
            self._say(f"{escape(name)}: the decision is undone; it awaits your decision again.")
            self.reason.clear()
            self.decided.emit()
            self.lists.setCurrentIndex(0)
            self.reload()

        self.runner.run(partial(rops.undo_decision, self.svc, d.item_id, reason), done,
                        lambda msg: self._say(f"The decision on {escape(name)} was not undone: {escape(msg)}"))

    def _write_own(self) -> None:
        c, reason = self.current(), self.reason.text().strip()
        if c is None or not reason:
            self._say("A decision needs a reason.")
            return
        self.write_final.emit(c.item_id, reason)
        self.reason.clear()
        self.accept()

    def _open(self, item: QTreeWidgetItem) -> None:
        index = int(item.data(0, Qt.ItemDataRole.UserRole))
        row = self.decisions[index].comparison if self.on_decided else self.rows[index]
        self.open_item.emit(row.item_id)

    def _say(self, text: str) -> None:
        self.message.setText(text)
