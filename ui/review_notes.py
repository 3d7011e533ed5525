"""A peer reviewer's own answers beside the checks, in the verdict panel: 'could not decide' and a comment per check
(for incidents and referrals here; the other kinds' checks carry them in the check form), and a note back to the
auditor. And the same seen from the other side: the reviewer's note on the auditor's own record.

What the answers mean and what the core accepts of them: cdi_workbench.audit.review_answers.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from cdi_workbench.agreement import REPORT_CHECKS
from cdi_workbench.audit.decisions import ReviewNote
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.kinds import RecordKind
from cdi_workbench.timeutil import display

from .widgets import named

SHORT = {"crimes_identified": "Crimes identified", "all_recorded": "Every crime recorded",
         "classification": "Classification", "timeliness": "Timeliness"}


class ReviewNotes(QGroupBox):
    """Shown only while a peer review is edited. Emits changed(label) on every change (the panel saves it)."""

    changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Your review: could not decide, comments, note to the auditor", parent)
        self.setObjectName("review_notes")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        self.report_part = QWidget()
        grid = QGridLayout(self.report_part)
        grid.setContentsMargins(0, 0, 0, 0)
        self.undecided_boxes: dict[str, QCheckBox] = {}
        self.comment_edits: dict[str, QLineEdit] = {}
        grid.addWidget(QLabel("<i>Tick what you could not decide; comment on any check:</i>"), 0, 0, 1, 2)
        for row, key in enumerate(REPORT_CHECKS, 1):
            box = named(QCheckBox(SHORT[key]), f"undecided_{key}")
            box.setAccessibleName(f"Could not decide: {REPORT_CHECKS[key]}")
            box.setToolTip(f"Could not decide: {REPORT_CHECKS[key]}")
            box.toggled.connect(lambda _on, k=key: self._emit(f"Could not decide '{SHORT[k].lower()}'"))
            edit = named(QLineEdit(), f"comment_{key}")
            edit.setPlaceholderText(f"Comment on {SHORT[key].lower()}")
            edit.setAccessibleName(f"Comment on: {REPORT_CHECKS[key]}")
            edit.editingFinished.connect(lambda k=key: self._comment_done(k))
            grid.addWidget(box, row, 0)
            grid.addWidget(edit, row, 1)
            self.undecided_boxes[key], self.comment_edits[key] = box, edit
        grid.setColumnStretch(1, 1)
        lay.addWidget(self.report_part)
        self.note = named(QLineEdit(), "note_to_auditor")
        self.note.setPlaceholderText("A note back to the auditor (optional)")
        note_label = QLabel("&Note to the auditor:")
        note_label.setBuddy(self.note)
        self.note.editingFinished.connect(self._note_done)
        lay.addWidget(note_label)
        lay.addWidget(self.note)
        self._loading = False
        self._saved: dict[str, str] = {}
        self.hide()

    def load(self, kind: str, body: VerdictBody, reviewing: bool) -> None:
        self._loading = True
        self.setVisible(reviewing)
        self.report_part.setVisible(kind in RecordKind.REPORTS)
        for key, box in self.undecided_boxes.items():
            box.setChecked(key in body.undecided)
            self.comment_edits[key].setText(body.comments.get(key, ""))
            self._saved[key] = body.comments.get(key, "")
        self.note.setText(body.note_to_auditor)
        self._saved["note"] = body.note_to_auditor
        self._loading = False

    def fill(self, body: VerdictBody, kind: str) -> None:
        """Put the reviewer's own answers in the body (incidents and referrals: the checks here; the note always)."""
        if kind in RecordKind.REPORTS:
            body.undecided = [k for k, b in self.undecided_boxes.items() if b.isChecked()]
            body.comments = {k: e.text().strip() for k, e in self.comment_edits.items() if e.text().strip()}
        body.note_to_auditor = self.note.text().strip()

    def _comment_done(self, key: str) -> None:
        text = self.comment_edits[key].text().strip()
        if text != self._saved.get(key, ""):
            self._saved[key] = text
            self._emit(f"Comment on '{SHORT[key].lower()}'")

    def _note_done(self) -> None:
        text = self.note.text().strip()
        if text != self._saved.get("note", ""):
            self._saved["note"] = text
            self._emit("Note to the auditor")

    def _emit(self, label: str) -> None:
        if not self._loading:
            self.changed.emit(label)


def review_note_html(note: ReviewNote) -> str:
    """The reviewer's note on the auditor's own record: the note, the checks they could not decide, their comments."""
    lines = [f"<b>{escape(note.reviewer)}</b>, {display(note.at)}"]
    if note.note:
        lines.append(f"<b>Note to you:</b> {escape(note.note)}")
    if note.undecided:
        lines.append(f"<b>Could not decide:</b> {escape('; '.join(note.undecided))}")
    lines += [f"<b>On {escape(check)}:</b> {escape(text)}" for check, text in note.comments]
    return "<br>".join(lines)


class ReviewNoteBox(QGroupBox):
    """The peer reviewer's note back to the auditor, on the auditor's own record (hidden when there is none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("The peer reviewer's note to you", parent)
        self.setObjectName("review_note_box")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        self.text = named(QLabel(), "review_note")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.text)
        self.hide()

    def show_note(self, note: ReviewNote | None) -> None:
        self.setVisible(note is not None)
        self.text.setText(review_note_html(note) if note is not None else "")
