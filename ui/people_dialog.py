"""Review > People: who works on this audit and in which role; the lead registers people, changes their roles
and deactivates them, each change with a reason that goes into the audit trail.

While nobody is registered the audit is in single-user mode; the first person registered must be the lead."""

from __future__ import annotations

from functools import partial
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cdi_workbench.audit.operations import AuditHandle
from cdi_workbench.audit.people import PersonRow, add_person, people, set_active, set_role
from cdi_workbench.audit.roles import ROLES

from .operations import Runner
from .widgets import named


class PeopleDialog(QDialog):
    changed = Signal()  # someone was added, deactivated or activated

    def __init__(self, db: AuditHandle, runner: Runner, user: str, parent: QWidget | None = None,
                 me: str = "") -> None:
        """`user` is the name typed at opening (who acts); `me` the name the audit knows them by."""
        super().__init__(parent)
        self.setWindowTitle("People on this audit")
        self.db, self.runner, self.user, self.me = db, runner, user, me or user
        self.rows: list[PersonRow] = []
        lay = QVBoxLayout(self)
        self.intro = named(QLabel(wordWrap=True), "intro")
        lay.addWidget(self.intro)
        self.tree = named(QTreeWidget(), "people")
        self.tree.setHeaderLabels(["Name", "Role", "Database login", "Active"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        lay.addWidget(self.tree, 1)
        toggle_row = QHBoxLayout()
        self.reason = named(QLineEdit(placeholderText="Why (it goes in the audit trail)"), "reason")
        reason_label = QLabel("Rea&son:")
        reason_label.setBuddy(self.reason)
        self.new_role = named(QComboBox(), "new_role")
        for key, title in ROLES.items():
            self.new_role.addItem(title, key)
        self.change_role = named(QPushButton("Change &role"), "change_role")
        self.toggle = named(QPushButton("&Deactivate"), "toggle")
        toggle_row.addWidget(reason_label)
        toggle_row.addWidget(self.reason, 1)
        toggle_row.addWidget(self.new_role)
        toggle_row.addWidget(self.change_role)
        toggle_row.addWidget(self.toggle)
        lay.addLayout(toggle_row)

        add = QHBoxLayout()
        self.name = named(QLineEdit(placeholderText="Full name, as they will type it"), "name")
        name_label = QLabel("&Name:")
        name_label.setBuddy(self.name)
        self.role = named(QComboBox(), "role")
        role_label = QLabel("R&ole:")
        role_label.setBuddy(self.role)
        self.add_button = named(QPushButton("&Add"), "add_button")
        add.addWidget(name_label)
        add.addWidget(self.name, 1)
        add.addWidget(role_label)
        add.addWidget(self.role)
        add.addWidget(self.add_button)
        lay.addLayout(add)
        self.message = named(QLabel(wordWrap=True), "message")
        lay.addWidget(self.message)
        close_row = QHBoxLayout()
        close_row.addStretch(1)
        close = QPushButton("Close")
        close_row.addWidget(close)
        lay.addLayout(close_row)
        self.resize(640, 440)

        self.tree.currentItemChanged.connect(lambda _c, _p: self._update())
        self.name.textChanged.connect(lambda _t: self._update())
        self.reason.textChanged.connect(lambda _t: self._update())
        self.new_role.currentIndexChanged.connect(lambda _i: self._update())
        self.change_role.clicked.connect(self.give_role)
        self.name.returnPressed.connect(self.add)
        self.add_button.clicked.connect(self.add)
        self.toggle.clicked.connect(self.toggle_active)
        close.clicked.connect(self.reject)
        self._fill([])
        self.reload()

    def reload(self) -> None:
        db = self.db
        self.runner.run(partial(people, db), self._fill,
                        lambda msg: self._say(f"The people could not be listed: {escape(msg)}"))

    def _fill(self, rows: list[PersonRow]) -> None:
        self.rows = rows
        self.tree.clear()
        for i, p in enumerate(rows):
            item = QTreeWidgetItem([p.name, ROLES.get(p.role, p.role), p.login, "yes" if p.active else "no"])
            item.setData(0, Qt.ItemDataRole.UserRole, i)
            if not p.active:
                for c in range(4):
                    item.setForeground(c, self.palette().placeholderText())
            self.tree.addTopLevelItem(item)
        for c in range(4):
            self.tree.header().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.tree.setColumnHidden(2, not any(p.login for p in rows))  # logins exist on PostgreSQL only
        self.role.clear()
        if rows:
            self.intro.setText("The people who work on this audit. Only they may open it, each as their role "
                               "allows; only the audit lead registers people. A person who leaves is deactivated, "
                               "never deleted: their name stays on what they did.")
            for key, title in ROLES.items():
                self.role.addItem(title, key)
            self.role.setCurrentIndex(self.role.findData("auditor"))
            if self.name.text().strip().lower() == self.user.strip().lower():
                self.name.clear()  # the lead's own name was offered for the first registration only
        else:
            self.intro.setText(
                "<b>Nobody is registered: this audit is in single-user mode</b>, and whoever opens it may do "
                "everything. Register the audit lead first (yourself, if you lead this audit); from then on only "
                "registered people may open it, each with what their role allows.")
            self.role.addItem(ROLES["lead"], "lead")
            if not self.name.text():
                self.name.setText(self.user)
        first = self.tree.topLevelItem(0)  # None on an empty list
        if first is not None:
            self.tree.setCurrentItem(first)
        self._update()

    def current(self) -> PersonRow | None:
        item = self.tree.currentItem()
        return self.rows[int(item.data(0, Qt.ItemDataRole.UserRole))] if item is not None else None

    def _is_me(self, p: PersonRow) -> bool:
        return p.name.lower() == self.me.strip().lower()

    def _update(self) -> None:
        self.add_button.setEnabled(bool(self.name.text().strip()))
        p = self.current()
        reason = bool(self.reason.text().strip())
        self.toggle.setText("&Activate" if p is not None and not p.active else "&Deactivate")
        self.toggle.setEnabled(p is not None and not self._is_me(p) and reason)
        self.change_role.setEnabled(p is not None and not self._is_me(p) and reason
                                    and self.new_role.currentData() != p.role)
        tip = ("You cannot deactivate yourself or change your own role" if p is not None and self._is_me(p)
               else "" if reason else "Say why first: the reason goes in the audit trail")
        self.toggle.setToolTip(tip)
        self.change_role.setToolTip(tip)

    def add(self) -> None:
        name, role = " ".join(self.name.text().split()), self.role.currentData()
        if not name or not role:
            return
        db, who = self.db, self.user
        first = not self.rows

        def done(_r: object) -> None:
            note = (" This audit is no longer in single-user mode: only registered people may open it."
                    if first else "")
            self._say(f"Added {escape(name)} as {ROLES[role].lower()}.{note}")
            self.name.clear()
            self.changed.emit()
            self.reload()

        self.runner.run(partial(add_person, db, who, name, role), done,
                        lambda msg: self._say(f"Not added: {escape(msg)}"))

    def toggle_active(self) -> None:
        p = self.current()
        if p is None or self._is_me(p):
            return
        db, who, active = self.db, self.user, not p.active

        def done(_r: object) -> None:
            self._say(f"{escape(p.name)} {'may work on this audit again' if active else 'is deactivated'}.")
            self.reason.clear()
            self.changed.emit()
            self.reload()

        self.runner.run(partial(set_active, db, who, p.name, active, self.reason.text()), done,
                        lambda msg: self._say(f"Not changed: {escape(msg)}"))

    def give_role(self) -> None:
        p, role = self.current(), self.new_role.currentData()
        if p is None or self._is_me(p) or not role:
            return
        db, who = self.db, self.user

        def done(_r: object) -> None:
            self._say(f"{escape(p.name)} is now {escape(ROLES[role].lower())}.")
            self.reason.clear()
            self.changed.emit()
            self.reload()

        self.runner.run(partial(set_role, db, who, p.name, role, self.reason.text()), done,
                        lambda msg: self._say(f"Not changed: {escape(msg)}"))

    def _say(self, text: str) -> None:
        self.message.setText(text)
