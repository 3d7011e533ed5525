"""Programme > Local configuration… (Ctrl+Shift+L): the force's own configuration, without code (issue 14), in three
tabs: its sub-codes mapped to Home Office codes, its names for the national disposal types, and its own extra yes/no
checks of a record kind. Each tab is a table the lead adds rows to, edits in place and removes rows from; Save
(Ctrl+S) keeps the whole configuration at once, all or nothing; Esc closes.

The dialog holds no rule: what it shows, whether the person may change it (and why not), and every check of what is
saved are the core's (cdi_workbench.local_config.editing and save, the checks the `cdi config` commands make), run on
the window's worker. A refusal is shown in the dialog in the core's words, on the tab and row it names, and nothing
is kept. After saving, the window reloads the record open (its verdict panel asks the extra checks as they now are)
and works the findings out again (their columns follow the checks)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cdi_workbench import local_config
from cdi_workbench.audit.operations import AuditHandle

from .operations import Runner
from .widgets import named

if TYPE_CHECKING:
    from .main_window import MainWindow

PARTS = ("codes", "disposal types", "checks")  # the core's names of the parts (ConfigError.part), tab by tab
Index = QModelIndex | QPersistentModelIndex


class ChoiceDelegate(QStyledItemDelegate):
    """A column whose cells are chosen from a list (the national disposal types, the record kinds)."""

    def __init__(self, choices: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = list(choices)

    def createEditor(self, parent: QWidget, _option: QStyleOptionViewItem, _index: Index) -> QWidget:  # noqa: N802
        box = QComboBox(parent)
        box.addItems(self.choices)
        return box

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802 (Qt's name)
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findText(str(index.data() or "")), 0))

    def setModelData(self, editor: QWidget, model, index: Index) -> None:  # noqa: ANN001, N802 (Qt's name)
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText())


class ConfigTable(QWidget):
    """One tab: a table of rows the lead adds, edits and removes, with the buttons that do so."""

    def __init__(self, name: str, headers: list[str], defaults: list[str], add_text: str, fixed: tuple[int, ...] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.defaults, self.fixed = defaults, fixed  # fixed: columns the lead does not type in (the offence's)
        lay = QVBoxLayout(self)
        self.table = named(QTableWidget(0, len(headers)), f"{name}_table")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setAccessibleName(name.replace("_", " ").capitalize())
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)  # one row removed at a time
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the buttons; the arrows move in it
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_button = named(QPushButton(add_text), f"{name}_add")
        self.remove_button = named(QPushButton("&Remove the row"), f"{name}_remove")
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_row)
        self.table.currentCellChanged.connect(lambda *_a: self._update())
        self.table.itemChanged.connect(lambda item: self.table.resizeRowToContents(item.row()))  # a question wraps
        self.read_only = False
        self._update()

    def set_rows(self, rows: list[list[str]]) -> None:
        self.table.setRowCount(0)
        for values in rows:
            self._append(values)
        self.table.resizeRowsToContents()
        self._update()

    def _append(self, values: list[str]) -> int:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if c in self.fixed or self.read_only:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(r, c, item)
        return r

    def rows(self) -> list[list[str]]:
        """Every row's cells as typed."""
        out = []
        for r in range(self.table.rowCount()):
            out.append([(it.text() if (it := self.table.item(r, c)) is not None else "")
                        for c in range(self.table.columnCount())])
        return out

    def add_row(self) -> None:
        if self.read_only:
            return
        r = self._append(list(self.defaults))
        self.table.resizeRowToContents(r)
        self.table.setCurrentCell(r, 0)
        self.table.setFocus()
        first = self.table.item(r, 0)
        if first is not None:
            self.table.editItem(first)
        self._update()

    def remove_row(self) -> None:
        r = self.table.currentRow()
        if self.read_only or r < 0:
            return
        self.table.removeRow(r)
        if self.table.rowCount():
            self.table.setCurrentCell(min(r, self.table.rowCount() - 1), 0)
        self._update()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if read_only else
                                   QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self._update()

    def _update(self) -> None:
        self.add_button.setEnabled(not self.read_only)
        self.remove_button.setEnabled(not self.read_only and self.table.currentRow() >= 0)

    def commit(self) -> None:
        """What is typed in a cell still being edited, into the table (Ctrl+S pressed while typing)."""
        if self.table.state() == QAbstractItemView.State.EditingState:
            editor = self.table.indexWidget(self.table.currentIndex())
            if editor is not None:
                self.table.commitData(editor)
                self.table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def show_row(self, row: int) -> None:
        if 0 <= row < self.table.rowCount():
            self.table.setCurrentCell(row, 0)
            self.table.selectRow(row)
            self.table.scrollTo(self.table.model().index(row, 0))
        self.table.setFocus()


class LocalConfigDialog(QDialog):
    """`saved(result)` (a local_config.Saved) once the core has kept the configuration."""

    saved = Signal(object)

    def __init__(self, db: AuditHandle, runner: Runner, user: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Local configuration")
        self.db, self.runner, self.user = db, runner, user
        self.loaded: local_config.Editing | None = None
        lay = QVBoxLayout(self)
        intro = QLabel("The force's own sub-codes, names for the disposal types and extra checks, for every audit "
                       "of this programme. Sub-codes and disposal types apply to extracts imported from now on; "
                       "extra checks are asked in the verdict panel and reported as soon as they are saved.",
                       wordWrap=True)
        lay.addWidget(intro)
        self.hint = named(QLabel("Double-click a cell (or start typing in it) to change it; Save (Ctrl+S) keeps all "
                                 "three tabs at once, or nothing if a row is refused.", wordWrap=True), "hint")
        self.hint.hide()
        lay.addWidget(self.hint)
        self.why = named(QLabel(wordWrap=True), "read_only_reason")
        self.why.setTextFormat(Qt.TextFormat.PlainText)
        bold = self.why.font()
        bold.setBold(True)
        self.why.setFont(bold)
        self.why.hide()
        lay.addWidget(self.why)
        self.tabs = named(QTabWidget(), "tabs")
        self.codes = ConfigTable("codes", ["Force sub-code", "Home Office code", "Offence (Home Office list)"],
                                 ["", "", ""], "&Add a sub-code", fixed=(2,))
        self.types = ConfigTable("disposal_types", ["Force's name", "National disposal type"],
                                 ["", local_config.NATIONAL_DISPOSAL_TYPES[0]], "&Add a disposal type")
        self.checks = ConfigTable("checks", ["Kind of record", "Key", "Label (the report's column)",
                                             "Question (answered yes or no; yes passes)"],
                                  [local_config.CHECK_KINDS[0], "", "", ""], "&Add a check")
        self.tabs.addTab(self.codes, "Sub-&codes")
        self.tabs.addTab(self.types, "&Disposal types")
        self.tabs.addTab(self.checks, "&Extra checks")
        self.parts = dict(zip(PARTS, (self.codes, self.types, self.checks), strict=True))
        lay.addWidget(self.tabs, 1)
        self.message = named(QLabel(wordWrap=True), "message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        assert save is not None and close is not None
        self.save_button: QPushButton = named(save, "save")
        self.save_button.setToolTip("Keep the whole configuration (Ctrl+S)")
        close.setToolTip("Close without saving what is not saved (Esc)")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        self.save_shortcut.activated.connect(self.save)
        self._busy(True)
        self.message.setText("Reading the local configuration…")
        self.resize(860, 480)
        runner.run(partial(local_config.editing, db, user), self._fill,
                   lambda msg: self._say(f"The local configuration could not be read: {msg}"))

    # ---- showing -------------------------------------------------------------------------------------------
    def _fill(self, found: local_config.Editing, message: str = "") -> None:
        self.loaded = found
        read_only = not found.may_change
        for part in self.parts.values():
            part.set_read_only(read_only)
        config = found.config
        self.codes.set_rows([[sub, ho, found.offences.get(ho, "")] for sub, ho in config.codes.items()])
        self.types.set_rows([[local, national] for local, national in config.disposal_types.items()])
        self.checks.set_rows([[c.kind, c.key, c.label, c.question] for c in config.checks])
        self.types.table.setItemDelegateForColumn(1, ChoiceDelegate(found.national_types, self.types.table))
        self.checks.table.setItemDelegateForColumn(0, ChoiceDelegate(found.kinds, self.checks.table))
        self._widths()
        self.why.setVisible(read_only)
        self.hint.setVisible(not read_only)
        self.why.setText(f"Read only: {found.why_not}." if read_only else "")
        self._busy(False)
        self.save_button.setEnabled(not read_only)
        self.message.setText(message)

    def _widths(self) -> None:
        """Columns wide enough for their headings and contents; the last (offence, type, question) takes the rest."""
        for part, widths in ((self.codes, (150, 150)), (self.types, (260,)), (self.checks, (120, 170, 210))):
            header = part.table.horizontalHeader()
            part.table.resizeColumnsToContents()
            for c, least in enumerate(widths):
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(c, max(least, header.sectionSize(c)))
            part.table.resizeRowsToContents()

    def _busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy and self.loaded is not None and self.loaded.may_change)
        self.tabs.setEnabled(not busy)

    def _say(self, text: str) -> None:
        self._busy(False)
        self.message.setText(text)

    # ---- saving --------------------------------------------------------------------------------------------
    def save(self) -> None:
        """Keep the three tables, whole, through the core (which checks the role and every row)."""
        found = self.loaded
        if found is None or not found.may_change or not self.save_button.isEnabled():
            return
        for part in self.parts.values():
            part.commit()
        codes = [(r[0], r[1]) for r in self.codes.rows()]
        types = [(r[0], r[1]) for r in self.types.rows()]
        checks = [(r[0], r[1], r[2], r[3]) for r in self.checks.rows()]
        db, who, expected = self.db, self.user, found.config

        def work() -> local_config.Saved | local_config.ConfigError:
            try:
                return local_config.save(db, codes, types, checks, who, expected)
            except local_config.ConfigError as exc:  # shown on its tab and row, the edits kept
                return exc

        self._busy(True)
        self.message.setText("Saving…")
        self.runner.run(work, self._saved, lambda msg: self._say(f"Nothing was saved: {msg}."))

    def _saved(self, result: local_config.Saved | local_config.ConfigError) -> None:
        if isinstance(result, local_config.ConfigError):
            self._say(f"Nothing was saved: {result}.")
            part = self.parts.get(result.part)
            if part is not None:
                self.tabs.setCurrentWidget(part)
                part.show_row(result.row)
            return
        said = ("Saved." if result.changed else "Nothing had changed.")
        if result.checks_changed:
            said += " The extra checks are asked and reported from now on."
        self._fill(result.editing, said)
        self.saved.emit(result)


def open_local_config(window: MainWindow) -> None:
    """Programme > Local configuration…: the dialog on the programme open; a save reaches the window's verdict
    panel (the record open reloaded, asking the extra checks as saved) and its figures."""
    db = window.state.db
    if db is None:
        window.show_error("No audit database open", "File &gt; Open audit database… first.")
        return
    dialog = LocalConfigDialog(db, window.runner, window.state.user, window)

    def saved(result: local_config.Saved) -> None:
        if window.state.db is not db:
            return
        if result.checks_changed:
            window.reload_record()  # the check form is built from the checks table on each load
        if result.changed:
            window.findings_actions.soon()
            window.statusBar().showMessage("The local configuration is saved", 6000)

    dialog.saved.connect(saved)
    dialog.open()
    window.audit_dialog = dialog
