"""Record-level checks for disposals, cancellations and N100s, showing only the questions that apply."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from cdi_workbench.audit.verdicts import CHECKS, applicable_checks

from .widgets import TriState


class CheckForm(QWidget):
    changed = Signal(str)  # label of the change

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # the question above its answer, unclipped
        self.kind = ""
        self.disposal_type = ""
        self.boxes: dict[str, TriState] = {}
        self._loading = False

    def load(self, kind: str, answers: dict[str, bool | None], disposal_type: str = "") -> None:
        self._loading = True
        while self.form.rowCount():
            self.form.removeRow(0)
        self.boxes.clear()
        self.kind, self.disposal_type = kind, disposal_type
        for n, (key, question) in enumerate(CHECKS.get(kind, []), 1):
            box = TriState(key)
            box.set_value(answers.get(key))
            box.activated.connect(lambda _i, k=key: self._changed(k))
            label = QLabel(f"&{n}. {question}")
            label.setBuddy(box)
            label.setWordWrap(True)
            self.form.addRow(label, box)
            self.boxes[key] = box
        self._apply_visibility()
        self._loading = False

    def answers(self) -> dict[str, bool | None]:
        applicable = set(applicable_checks(self.kind, {k: b.value() for k, b in self.boxes.items()},
                                           self.disposal_type))
        return {k: b.value() for k, b in self.boxes.items() if k in applicable and b.value() is not None}

    def missing(self) -> list[str]:
        current = {k: b.value() for k, b in self.boxes.items()}
        return [k for k in applicable_checks(self.kind, current, self.disposal_type) if current.get(k) is None]

    def first_box(self) -> TriState | None:
        keys = applicable_checks(self.kind, {k: b.value() for k, b in self.boxes.items()}, self.disposal_type)
        return self.boxes[keys[0]] if keys else None

    def _changed(self, key: str) -> None:
        self._apply_visibility()
        if not self._loading:
            self.changed.emit(f"Answer '{key.replace('_', ' ')}'")

    def _apply_visibility(self) -> None:
        applicable = set(applicable_checks(self.kind, {k: b.value() for k, b in self.boxes.items()},
                                           self.disposal_type))
        for key, box in self.boxes.items():
            self.form.setRowVisible(box, key in applicable)
