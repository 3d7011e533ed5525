"""Small widgets shared by the panels."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget


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
