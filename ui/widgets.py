"""Small widgets shared by the panels."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget

Named = TypeVar("Named", bound=QObject)


def named(widget: Named, name: str) -> Named:
    """The widget with its object name set (the name tests and style sheets find it by). PySide6 accepts
    `objectName=` as a constructor keyword at run time, but its type stubs list no property keywords."""
    widget.setObjectName(name)
    return widget


class TriState(QComboBox):
    """Yes / No / not answered, chosen from the keyboard by typing Y or N."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItems(["—", "Yes", "No"])
        self.setAccessibleName(name)
        self.setObjectName(name)

    def value(self) -> bool | None:
        return {0: None, 1: True, 2: False}[self.currentIndex()]

    def set_value(self, value: bool | None) -> None:
        self.setCurrentIndex({None: 0, True: 1, False: 2}[value])


def yes_no(value: bool | None) -> str:
    return {None: "not answered", True: "yes", False: "no"}[value]


class DropDownKeys(QObject):
    """Installed on a window: Alt+Down in a drop-down list opens it, as everywhere else, before the window
    shortcut on the same keys (Record > Next record) can take them (issue 11). (Alt+Up is left to Previous
    record: in a closed drop-down it would only change the answer to the one above.)"""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Down and event.modifiers() == Qt.KeyboardModifier.AltModifier):
            focus = QApplication.focusWidget()
            combo = focus if isinstance(focus, QComboBox) else focus.parent() if focus is not None else None
            if isinstance(combo, QComboBox) and combo.isEnabled():
                event.accept()  # the key goes to the drop-down, not to the shortcut
                return True
        return super().eventFilter(watched, event)


class SearchField(QLineEdit):
    """A search box: Esc clears what was typed (issue 11); on an empty box Esc goes on to the window as usual."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Escape and not event.modifiers() and self.text():
            self.clear()
            event.accept()
            return
        super().keyPressEvent(event)
