"""The force's challenges: every failure sent back to the force with its response, the lead's decision on each
challenge (uphold or reject, always with a reason), and the failures before and after."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
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

from cdi_workbench.audit.operations import AuditHandle
from cdi_workbench.challenges import ChallengeRow, challenge_rows, decide
from cdi_workbench.reports.common import RESOLUTION_COLUMNS, RESOLUTION_KEYS, ReviewFigures
from cdi_workbench.timeutil import display

from .operations import Runner
from .widgets import named

FILTERS = [("All failures", lambda r: True),
           ("Challenges", lambda r: r.response == "challenge"),
           ("Awaiting a decision", lambda r: r.pending),
           ("Not answered by the force", lambda r: not r.response)]
COLUMNS = ["Record", "Crime", "Failure", "Force's response", "Force's rationale", "Decision", "Decided by",
           "Decided", "Reason"]


class ChallengesDialog(QDialog):
    """Lists the challenge rows (loaded and decided through the runner, never on the main thread)."""

    open_item = Signal(int)
    decided = Signal()

    def __init__(self, db: AuditHandle, runner: Runner, user: str, parent: QWidget | None = None,
                 audit: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("The force's challenges" + (f": {audit}" if audit else ""))
        self.db, self.runner, self.user, self.audit = db, runner, user, audit  # the audit open (None: the latest)
        self.rows: list[ChallengeRow] = []
        lay = QVBoxLayout(self)
        self.heading = named(QLabel(wordWrap=True), "heading")
        lay.addWidget(self.heading)
        top = QHBoxLayout()
        self.filter = named(QComboBox(), "filter")
        self.filter.addItems([name for name, _ in FILTERS])
        show = QLabel("&Show:")
        show.setBuddy(self.filter)
        top.addWidget(show)
        top.addWidget(self.filter)
        top.addStretch(1)
        lay.addLayout(top)

        split = QSplitter(Qt.Orientation.Vertical)
        self.tree = named(QTreeWidget(), "challenges")
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        split.addWidget(self.tree)
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        self.detail = named(QLabel(wordWrap=True), "detail")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ll.addWidget(self.detail)
        row = QHBoxLayout()
        self.reason = named(QLineEdit(placeholderText="The reason for your decision (required)"), "reason")
        reason_label = QLabel("&Reason:")
        reason_label.setBuddy(self.reason)
        self.uphold = named(QPushButton("&Uphold: the force is right"), "uphold")
        self.reject_button = named(QPushButton("Re&ject: the failure stands"), "reject")
        row.addWidget(reason_label)
        row.addWidget(self.reason, 1)
        row.addWidget(self.uphold)
        row.addWidget(self.reject_button)
        ll.addLayout(row)
        self.message = named(QLabel(wordWrap=True), "message")
        ll.addWidget(self.message)
        ll.addWidget(QLabel("<b>Failures before and after the force's challenges</b>"))
        self.summary = named(QTableWidget(0, len(RESOLUTION_COLUMNS) + 1), "summary")
        self.summary.setHorizontalHeaderLabels(["Failure", *RESOLUTION_COLUMNS])
        self.summary.verticalHeader().hide()
        self.summary.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.summary.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.summary.horizontalHeader().setStretchLastSection(True)
        self.summary.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.summary.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        ll.addWidget(self.summary)
        ll.addStretch(1)
        split.addWidget(lower)
        split.setSizes([300, 380])
        lay.addWidget(split, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(1100, 700)

        self.filter.currentIndexChanged.connect(lambda _i: self._fill())
        self.tree.currentItemChanged.connect(lambda _c, _p: self._selected())
        self.tree.itemActivated.connect(lambda it, _c: self._open(it))
        self.reason.textChanged.connect(lambda _t: self._selected())
        self.uphold.clicked.connect(lambda: self.decide(True))
        self.reject_button.clicked.connect(lambda: self.decide(False))
        self._selected()
        self.reload()

    # ---- loading ---------------------------------------------------------------------------------------
    def reload(self, advance: bool = False) -> None:
        """Load the rows again; `advance` moves to the first challenge awaiting a decision."""
        db = self.db
        self.runner.run(partial(challenge_rows, db, None, self.audit), lambda rows: self._loaded(rows, advance),
                        lambda msg: self._say(f"The challenges could not be loaded: {msg}"))

    def _loaded(self, rows: list[ChallengeRow], advance: bool) -> None:
        self.rows = rows
        answered = sum(bool(r.response) for r in rows)
        pending = sum(r.pending for r in rows)
        if not rows:
            self.heading.setText("<b>No failures</b>: the findings hold nothing to send to the force.")
        elif not answered:
            self.heading.setText(f"<b>{len(rows)} failure(s)</b>; the force has not answered any yet "
                                 f"(Review &gt; Import the force's responses…).")
        else:
            self.heading.setText(f"<b>{len(rows)} failure(s)</b>; the force answered {answered}; "
                                 f"<b>{pending} challenge(s) await your decision</b>. Select one, give a reason, "
                                 f"then uphold or reject it. Enter or double-click opens the record.")
        self._fill(advance)
        self._fill_summary()

    def _fill(self, advance: bool = False) -> None:
        keep = None if advance else self._current_key()
        self.tree.clear()
        test = FILTERS[self.filter.currentIndex()][1]
        chosen = pending = None
        for i, r in enumerate(self.rows):
            if not test(r):
                continue
            fl = r.failure
            item = QTreeWidgetItem([fl.reference, str(fl.crime_no) if fl.crime_no else "", fl.failure,
                                    r.response or "no response", r.force_rationale,
                                    r.state if r.response else "", r.decided_by, display(r.decided_at),
                                    r.decision_reason])
            item.setData(0, Qt.ItemDataRole.UserRole, i)
            item.setToolTip(4, r.force_rationale)
            item.setToolTip(8, r.decision_reason)
            if r.decided_by:
                item.setToolTip(5, f"{r.state}: by {r.decided_by} on {display(r.decided_at)}")
            if r.pending:
                for c in (3, 5):
                    font = item.font(c)
                    font.setBold(True)
                    item.setFont(c, font)
            self.tree.addTopLevelItem(item)
            if keep is not None and r.failure.key == keep:
                chosen = item
            if pending is None and r.pending:
                pending = item
        header = self.tree.header()
        for c in (6, 7):  # who decided and when: in the decision's tooltip, so the rationale and reason have room
            self.tree.setColumnHidden(c, True)
        for c in range(len(COLUMNS)):  # the two free-text columns share what the others leave
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch if c in (4, 8)
                                        else QHeaderView.ResizeMode.ResizeToContents)
        # the row that was current, else the first challenge awaiting a decision, else the first row (if any)
        current = chosen or pending or self.tree.topLevelItem(0)
        if current is not None:
            self.tree.setCurrentItem(current)
        self._selected()

    def _fill_summary(self) -> None:
        table = ReviewFigures(challenges=self.rows).resolution()
        self.summary.setRowCount(len(table))
        for r, (failure, figures) in enumerate(table):
            cells = [failure] + [str(len(figures[k])) for k in RESOLUTION_KEYS]
            for c, value in enumerate(cells):
                cell = QTableWidgetItem(value)
                if c:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    cell.setToolTip("Records: " + ", ".join(
                        next(x.failure.reference for x in self.rows if x.failure.item_id == i)
                        for i in figures[RESOLUTION_KEYS[c - 1]]) if figures[RESOLUTION_KEYS[c - 1]] else "")
                if failure == "Total":
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                self.summary.setItem(r, c, cell)
        self.summary.resizeRowsToContents()
        rows_h = sum(self.summary.rowHeight(r) for r in range(self.summary.rowCount()))
        self.summary.setFixedHeight(rows_h + self.summary.horizontalHeader().height() + 4)

    # ---- choosing and deciding -----------------------------------------------------------------------------
    def current(self) -> ChallengeRow | None:
        item = self.tree.currentItem()
        return self.rows[int(item.data(0, Qt.ItemDataRole.UserRole))] if item is not None else None

    def _current_key(self) -> str | None:
        r = self.current()
        return r.failure.key if r is not None else None

    def _selected(self) -> None:
        r = self.current()
        can = r is not None and r.response == "challenge"
        has_reason = bool(self.reason.text().strip())
        for b in (self.uphold, self.reject_button):
            b.setEnabled(can and has_reason)
        if r is None:
            self.detail.setText("")
            return
        fl = r.failure
        where = f"{fl.reference}" + (f", crime {fl.crime_no}" if fl.crime_no else "")
        text = (f"<b>{where}</b>: {fl.failure} (expected {fl.expected_code or '-'}; recorded as "
                f"{fl.recorded_as or 'nothing'}).<br><b>The force:</b> {r.response or 'no response'}"
                + (f": {_esc(r.force_rationale)}" if r.force_rationale else ""))
        if r.decision:
            text += (f"<br><b>Decision:</b> {r.state} by {_esc(r.decided_by)}, {display(r.decided_at)}: "
                     f"{_esc(r.decision_reason)}")
        if r.response != "challenge":
            text += "<br><i>Only a challenge can be upheld or rejected.</i>"
        elif not has_reason:
            text += "<br><i>Give a reason to uphold or reject this challenge.</i>"
        self.detail.setText(text)

    def decide(self, upheld: bool) -> None:
        r = self.current()
        reason = self.reason.text().strip()
        if r is None or r.challenge_id is None or r.response != "challenge":
            self._say("Choose a challenge first: only a failure the force challenged can be decided.")
            return
        if not reason:
            self._say("A decision needs a reason.")
            self.reason.setFocus()
            return
        db, cid, who = self.db, r.challenge_id, self.user  # the runner works on these, not on the widgets

        def done(_result: object) -> None:
            word = "upheld" if upheld else "rejected"
            self._say(f"Challenge on {r.failure.reference} ({r.failure.failure}) {word}.")
            self.reason.clear()
            self.decided.emit()
            self.reload(advance=True)

        self.runner.run(partial(decide, db, cid, upheld, reason, who), done,
                        lambda msg: self._say(f"Not decided: {msg}"))

    def _open(self, item: QTreeWidgetItem) -> None:
        r = self.rows[int(item.data(0, Qt.ItemDataRole.UserRole))]
        self.open_item.emit(r.failure.item_id)

    def _say(self, text: str) -> None:
        self.message.setText(text)


def _esc(value: str) -> str:
    from html import escape

    return escape(value)
