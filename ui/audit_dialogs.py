"""The Programme menu's dialogs: Switch audit (the programme's audits, the one to work on chosen) and New audit (name,
period and rule set; the core proposes the name and the rule set that fits the period, and refuses in words).

The dialogs hold no audit rule: what they list and propose comes from the core's programme operations
(cdi_workbench.audit.programme_operations), and a new audit is created by the core on the window's worker.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cdi_workbench.audit import programme_operations as pops
from cdi_workbench.audit.service import AuditService

from .operations import Runner
from .widgets import named

COLUMNS = ("Audit", "Period", "Rule set", "Status", "Progress")


class SwitchAuditDialog(QDialog):
    """The programme's audits, oldest period first, with the one open in the window marked; `chosen(name)` when the
    person switches to another."""

    chosen = Signal(str)

    def __init__(self, programme: pops.Programme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Switch audit")
        self.programme = programme
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("The audits of this programme, oldest first. The window shows one audit at a time: its "
                             "samples, records, verdicts and findings.", wordWrap=True))
        self.table = named(QTableWidget(len(programme.audits), len(COLUMNS)), "audits")
        self.table.setAccessibleName("Audits of the programme")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        current = self._fill()
        lay.addWidget(self.table, 1)
        self.message = named(QLabel(wordWrap=True), "message")
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.switch_button = buttons.addButton("&Switch to this audit", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.switch)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.itemDoubleClicked.connect(lambda _item: self.switch())
        self.table.selectRow(current)
        self._selected()
        self.resize(940, 360)

    def _fill(self) -> int:
        """The programme's audits in the table; the row of the one open in the window."""
        bold = QFont()
        bold.setBold(True)
        current = 0
        self.table.setRowCount(len(self.programme.audits))
        for row, a in enumerate(self.programme.audits):
            name = f"{a.name}  (open now)" if a.current else a.name
            for col, text in enumerate((name, a.period, a.rules, a.status, a.progress)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, a.name)
                item.setToolTip(pops.RULES.get(a.rule_set, text) if col == 2 else text)
                if a.current:
                    item.setFont(bold)
                if a.closed:
                    item.setForeground(Qt.GlobalColor.darkGray)
                self.table.setItem(row, col, item)
            if a.current:
                current = row
        return current

    def set_programme(self, programme: pops.Programme) -> None:
        """The audits as they now are (others created or closed some): the one selected stays selected."""
        chosen = self.selected()
        self.programme = programme
        current = self._fill()
        names = [a.name for a in programme.audits]
        self.table.selectRow(names.index(chosen.name) if chosen is not None and chosen.name in names else current)
        self._selected()

    def selected(self) -> pops.AuditRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.programme.audits[rows[0].row()] if rows else None

    def select(self, name: str) -> None:
        """Select the audit called `name` (as a click would)."""
        row = next(i for i, a in enumerate(self.programme.audits) if a.name == name)
        self.table.selectRow(row)

    def _selected(self) -> None:
        a = self.selected()
        self.switch_button.setEnabled(a is not None and not a.current)
        if a is None:
            self.message.setText("")
        elif a.current:
            self.message.setText(f"The audit {a.name} is the one open in the window.")
        else:
            self.message.setText(f"Switch to the audit {a.name} ({a.period}"
                                 + (", closed: no more samples can be drawn for it" if a.closed else "") + ").")

    def switch(self) -> None:
        a = self.selected()
        if a is None or a.current:
            return
        self.chosen.emit(a.name)
        self.accept()


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


class NewAuditDialog(QDialog):
    """A new audit of the programme: its period (the month after the latest audit, to start with), the name and the
    rule set the core proposes for the period (both may be changed), created by the core, which refuses in words
    (shown here) a name in use, a rule set that does not fit the period, or a period across 01/04/2015.
    `created(result, switch)` once made; `switch`: the person asked to work on it now."""

    created = Signal(object, bool)  # (programme_operations.Created, switch to it)

    def __init__(self, svc: AuditService, runner: Runner, programme: pops.Programme,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New audit")
        self.svc, self.runner = svc, runner
        plan = programme.plan
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("A new audit of this programme: its own period, rule set, samples and verdicts. The "
                             "people, reasons and imported records are the programme's, shared by every audit.",
                             wordWrap=True))
        form = QFormLayout()
        self.start = named(QDateEdit(_qdate(plan.start)), "period_start")
        self.end = named(QDateEdit(_qdate(plan.end)), "period_end")
        for edit in (self.start, self.end):
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setCalendarPopup(True)
        self.name = named(QLineEdit(plan.proposal.name), "name")
        self.name.setMaxLength(120)
        self.rules = named(QComboBox(), "rules")
        for key, title in pops.RULES.items():
            self.rules.addItem(f"{key}: {title}", key)
        self.rules.setCurrentIndex(max(self.rules.findData(plan.proposal.rules), 0))
        self.switch_to = named(QCheckBox("&Work on the new audit once it is created"), "switch_to")
        self.switch_to.setChecked(True)
        form.addRow("Period &start:", self.start)
        form.addRow("Period &end:", self.end)
        form.addRow("&Name:", self.name)
        form.addRow("&Rule set:", self.rules)
        form.addRow("", self.switch_to)
        lay.addLayout(form)
        self.message = named(QLabel(wordWrap=True), "message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button: QPushButton = buttons.addButton("&Create the audit", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.create_audit)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._proposed = plan.proposal.name  # the name follows the period until the person types their own
        self.start.dateChanged.connect(lambda _d: self._period_changed())
        self.end.dateChanged.connect(lambda _d: self._period_changed())
        self.why_not = "" if programme.may_plan else f"{programme.why_not}."
        if self.why_not:  # the core refuses anyway; this says so before the person tries
            self.create_button.setEnabled(False)
            self._say(self.why_not)
        self.resize(560, 300)

    def period(self) -> tuple[date, date]:
        return self.start.date().toPython(), self.end.date().toPython()  # type: ignore[return-value]

    def _period_changed(self) -> None:
        """The core's proposal for the period: its default name (unless the person typed one) and the rule set that
        fits it; why the period cannot be one audit, if it cannot."""
        proposal = pops.propose(*self.period())
        if self.name.text().strip() in ("", self._proposed):
            self.name.setText(proposal.name)
        self._proposed = proposal.name
        self.rules.setCurrentIndex(max(self.rules.findData(proposal.rules), 0))
        self._say(proposal.problem or self.why_not)

    def create_audit(self) -> None:
        start, end = self.period()
        self.create_button.setEnabled(False)
        self._say("Creating the audit…", problem=False)
        self.runner.run(partial(pops.new_audit, self.svc, self.name.text(), start, end, self.rules.currentData()),
                        self._created, self._failed)

    def _created(self, result: pops.Created) -> None:
        self.created.emit(result, self.switch_to.isChecked())
        self.accept()

    def _failed(self, message: str) -> None:
        self.create_button.setEnabled(True)
        self._say(f"Not created: {message[:1].upper()}{message[1:]}")

    def _say(self, text: str, problem: bool = True) -> None:
        """A refusal or a problem with the period in dark red; progress in the ordinary colour."""
        self.message.setStyleSheet("color: #a00000" if problem else "")
        self.message.setText(text)
