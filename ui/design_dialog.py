"""Programme > Draw the month's samples from a design…: a sample design chosen (the shipped one and the programme's
saved ones, each with its samples listed), the audit to draw for (the one open, to start with) and an optional
master seed; the core draws every sample of the design for the audit, all or none, and says what it drew (each
sample's seed) or why it did not (an audit already drawn to a design, a closed audit, a role that may not draw).

The dialog holds no rule: what it lists comes from programme_operations.design_choices, and the draw is the core's
programme_operations.draw_design, run on the window's worker.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cdi_workbench.audit import programme_operations as pops
from cdi_workbench.audit.service import AuditService

from .operations import Runner
from .widgets import named


class DesignDrawDialog(QDialog):
    """`drawn(result)` (a programme_operations.DesignDrawn) once the core has drawn the design's samples."""

    drawn = Signal(object)

    def __init__(self, svc: AuditService, runner: Runner, choices: pops.DesignChoices,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Draw the month's samples from a design")
        self.svc, self.runner, self.choices = svc, runner, choices
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Every sample of the design is drawn for the audit, from the records of its period, in "
                             "one step: all of them or none. Each sample's seed is derived from the master seed and "
                             "recorded, so the month's draw can be repeated.", wordWrap=True))
        form = QFormLayout()
        self.design = named(QComboBox(), "design")
        for d in choices.designs:
            self.design.addItem(d.name + (" (shipped)" if d.shipped else ""), d.name)
        self.description = named(QLabel(wordWrap=True), "description")
        self.description.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.description.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.description.setMinimumWidth(460)  # its height is worked out at the width it is shown at
        self.samples = named(QListWidget(), "design_samples")
        self.samples.setAccessibleName("The design's samples")
        self.samples.setMinimumHeight(110)
        self.samples.setWordWrap(True)  # a dip-sample of four disposal types is read whole, not scrolled to
        self.samples.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.audit = named(QComboBox(), "audit")
        for a in choices.audits:
            note = " (open in the window)" if a.current else (" (closed)" if a.closed else "")
            self.audit.addItem(f"{a.name}: {a.period}{note}", a.name)
        self.audit.setCurrentIndex(max(self.audit.findData(choices.current), 0))
        self.seed = named(QLineEdit(), "master_seed")
        self.seed.setValidator(QIntValidator(0, 2_147_483_647, self.seed))
        self.seed.setPlaceholderText("chosen at random and recorded")
        form.addRow("&Design:", self.design)
        form.addRow("", self.description)
        form.addRow("Its samples:", self.samples)
        form.addRow("&Audit:", self.audit)
        form.addRow("Master &seed (optional):", self.seed)
        lay.addLayout(form)
        self.progress = named(QProgressBar(), "progress")
        self.progress.setRange(0, 0)  # busy: the draw is one unit of work, with no steps to count
        self.progress.setTextVisible(False)
        self.progress.hide()
        lay.addWidget(self.progress)
        self.message = named(QLabel(wordWrap=True), "message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.message)
        lay.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.draw_button: QPushButton = self.buttons.addButton("&Draw the samples",
                                                               QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.draw)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.design.currentIndexChanged.connect(lambda _i: self._design_chosen())
        self.audit.currentIndexChanged.connect(lambda _i: self._say_drawn())
        self._design_chosen()
        if not choices.may_draw:  # the core refuses anyway; this says so before the person tries
            self.draw_button.setEnabled(False)
            self.message.setText(f"{choices.why_not}.")
        self.resize(680, 460)

    def chosen(self) -> pops.DesignOption | None:
        i = self.design.currentIndex()
        return self.choices.designs[i] if 0 <= i < len(self.choices.designs) else None

    def _design_chosen(self) -> None:
        d = self.chosen()
        self.samples.clear()
        self.description.setText(d.description if d is not None else "")
        if d is not None:
            self.samples.addItems(d.samples)
        self._say_drawn()

    def _say_drawn(self) -> None:
        """Says before the draw that the audit chosen was drawn to a design already (the core will refuse)."""
        if not self.choices.may_draw or not self.draw_button.isEnabled():
            return
        name = str(self.audit.currentData() or "")
        before = self.choices.drawn.get(name)
        self.message.setText(f"The audit {name} has already been drawn to the design '{before}': extend or delete "
                             "its samples instead." if before else "")

    def draw(self) -> None:
        d = self.chosen()
        audit = str(self.audit.currentData() or "")
        if d is None or not audit:
            return
        text = self.seed.text().strip()
        seed = int(text) if text else None
        self._busy(True)
        self.message.setText(f"Drawing the samples of '{d.name}' for the audit {audit}…")
        self.runner.run(partial(pops.draw_design, self.svc, d.name, audit, seed), self._drawn, self._failed)

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for w in (self.draw_button, self.design, self.audit, self.seed):
            w.setEnabled(not busy)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        if cancel is not None:
            cancel.setEnabled(not busy)

    def _drawn(self, result: pops.DesignDrawn) -> None:
        self._busy(False)
        self.draw_button.setEnabled(False)  # drawn: the audit is drawn to a design now
        self.message.setText(result.run.text)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        if cancel is not None:
            cancel.setText("&Close")
        self.drawn.emit(result)

    def _failed(self, message: str) -> None:
        self._busy(False)
        self.message.setText(f"Not drawn: {message}")
