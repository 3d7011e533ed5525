"""Record-level checks for disposals, cancellations and N100s, showing only the questions that apply.

The questions, their order, when each applies and their follow-ups are the checks table's
(cdi_workbench.audit.check_table). An N100 that should have been a crime of rape also asks which rape (the Home
Office code it should have been recorded as), once that check is answered yes: the check's follow-up."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from cdi_workbench.audit.check_table import Check, FollowUp, checks_of, follow_ups
from cdi_workbench.audit.verdicts import applicable_checks
from cdi_workbench.classification import Classification, all_classifications

from .widgets import TriState, named

RAPE_CODE = "rape_code"  # the answer's name (its widget's object name, and what missing() says): the follow-up's key
COULD_NOT_DECIDE = "Could not decide"


class ReviewTriState(TriState):
    """A reviewer's answer: yes, no, not answered, or 'could not decide' (typed C): no answer, counted apart in the
    agreement and marked for the lead (VerdictBody.undecided)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(name, parent)
        self.addItem(COULD_NOT_DECIDE)

    def value(self) -> bool | None:
        return None if self.undecided() else super().value()

    def undecided(self) -> bool:
        return self.currentIndex() == 3

    def set_undecided(self) -> None:
        self.setCurrentIndex(3)


class CheckForm(QWidget):
    changed = Signal(str)  # label of the change

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # the question above its answer, unclipped
        self.kind = ""
        self.disposal_type = ""
        self.boxes: dict[str, TriState] = {}
        self.rape_box: QComboBox | None = None
        self.follow_up: tuple[Check, FollowUp] | None = None  # the kind's follow-up question (an N100's rape code)
        self._rape_codes: list[Classification] = []  # the audit period's rape codes (set_rape_codes)
        self._loading = False
        self.reviewing = False  # a peer review: 'could not decide' and a comment per check (set by load)
        self.comment_edits: dict[str, QLineEdit] = {}
        self.fields: dict[str, QWidget] = {}  # each check's row: its box, or (a review) the box and its comment
        self.hints: dict[str, QLabel] = {}  # a check's suggestion worked out from the record (Check.suggested_by)

    def set_rape_codes(self, codes: list[Classification]) -> None:
        """The codes offered for the rape an N100 should have been: the rape codes of the audit's period."""
        self._rape_codes = [c for c in codes if c.group == "rape"]

    def load(self, kind: str, answers: dict[str, bool | None], disposal_type: str = "", rape_code: str = "",
             reviewing: bool = False, undecided: list[str] | None = None,
             comments: dict[str, str] | None = None, record_fields: dict[str, str] | None = None) -> None:
        """`reviewing`: a peer review, whose checks may be answered 'could not decide' (`undecided`) and carry a
        comment each (`comments`). `record_fields`: the record view's fields (RecordDetail.fields), of which a
        check's `suggested_by` is shown under it as a suggestion (a crime record's timeliness worked out)."""
        self._loading = True
        while self.form.rowCount():
            self.form.removeRow(0)
        self.boxes.clear()
        self.comment_edits.clear()
        self.fields.clear()
        self.hints.clear()
        self.rape_box = None
        self.kind, self.disposal_type, self.reviewing = kind, disposal_type, reviewing
        for n, check in enumerate(checks_of(kind), 1):
            key, question = check.key, check.question
            box = ReviewTriState(key) if reviewing else TriState(key)
            box.set_value(answers.get(key))
            if isinstance(box, ReviewTriState) and key in (undecided or []):
                box.set_undecided()
            box.activated.connect(lambda _i, k=key: self._changed(k))
            label = QLabel(f"&{n}. {question}")
            label.setBuddy(box)
            label.setWordWrap(True)
            field: QWidget = box
            if reviewing:  # the answer, then the reviewer's comment on it
                field = QWidget()
                row = QHBoxLayout(field)
                row.setContentsMargins(0, 0, 0, 0)
                comment = named(QLineEdit((comments or {}).get(key, "")), f"comment_{key}")
                comment.setPlaceholderText("Comment (optional)")
                comment.setAccessibleName(f"Comment on: {question}")
                comment.setProperty("saved", comment.text().strip())
                comment.editingFinished.connect(lambda k=key: self._comment_done(k))
                row.addWidget(box)
                row.addWidget(comment, 1)
                self.comment_edits[key] = comment
            self.form.addRow(label, field)
            self.boxes[key], self.fields[key] = box, field
            worked = (record_fields or {}).get(check.suggested_by) if check.suggested_by else None
            if worked:  # a suggestion only: the auditor answers from the records
                hint = named(QLabel(f"<i>Worked out from the record: {escape(worked)}. A suggestion: answer from "
                                    f"what the records show.</i>"), f"hint_{key}")
                hint.setWordWrap(True)
                hint.setAccessibleName(f"Suggestion for: {question}")
                self.form.addRow(hint)
                self.hints[key] = hint
        self.follow_up = next(iter(follow_ups(kind)), None)
        if self.follow_up is not None:
            self.rape_box = self._rape_box(rape_code)
            label = QLabel(f"&{len(self.boxes) + 1}. {self.follow_up[1].question}")
            label.setBuddy(self.rape_box)
            label.setWordWrap(True)
            self.form.addRow(label, self.rape_box)
        self._apply_visibility()
        self._loading = False

    def _rape_box(self, current: str) -> QComboBox:
        box = named(QComboBox(), RAPE_CODE)
        box.setAccessibleName(self.follow_up[1].label if self.follow_up is not None else "Rape code expected")
        box.addItem("—", "")
        codes = self._rape_codes or [c for c in all_classifications() if c.group == "rape"]
        for c in codes:
            box.addItem(c.display, c.code)
        if current and box.findData(current) < 0:  # a code of another period, as stored: kept, not lost
            box.addItem(current, current)
        box.setCurrentIndex(max(box.findData(current), 0))
        box.activated.connect(lambda _i: self._changed(RAPE_CODE))
        return box

    def undecided(self) -> list[str]:
        """The checks that arise and that the reviewer could not decide."""
        applicable = set(applicable_checks(self.kind, {k: b.value() for k, b in self.boxes.items()},
                                           self.disposal_type))
        return [k for k, b in self.boxes.items()
                if k in applicable and isinstance(b, ReviewTriState) and b.undecided()]

    def comments(self) -> dict[str, str]:
        return {k: e.text().strip() for k, e in self.comment_edits.items() if e.text().strip()}

    def _comment_done(self, key: str) -> None:
        edit = self.comment_edits.get(key)
        if self._loading or edit is None or edit.text().strip() == (edit.property("saved") or ""):
            return  # focus passing through: nothing changed
        edit.setProperty("saved", edit.text().strip())
        self.changed.emit(f"Comment on '{key.replace('_', ' ')}'")

    def answers(self) -> dict[str, bool | None]:
        applicable = set(applicable_checks(self.kind, {k: b.value() for k, b in self.boxes.items()},
                                           self.disposal_type))
        return {k: b.value() for k, b in self.boxes.items() if k in applicable and b.value() is not None}

    def rape_code(self) -> str:
        """The rape the N100 should have been recorded as; '' unless it should have been a crime of rape."""
        if self.rape_box is None or not self._asks_rape_code():
            return ""
        return str(self.rape_box.currentData() or "")

    def missing(self) -> list[str]:
        current = {k: b.value() for k, b in self.boxes.items()}
        undecided = set(self.undecided())
        out = [k for k in applicable_checks(self.kind, current, self.disposal_type)
               if current.get(k) is None and k not in undecided]
        if self._asks_rape_code() and not self.rape_code():
            out.append(RAPE_CODE)
        return out

    def first_box(self) -> TriState | None:
        keys = applicable_checks(self.kind, {k: b.value() for k, b in self.boxes.items()}, self.disposal_type)
        return self.boxes[keys[0]] if keys else None

    def _asks_rape_code(self) -> bool:
        if self.follow_up is None:
            return False
        check, follow = self.follow_up
        box = self.boxes.get(check.key)
        return self.rape_box is not None and box is not None and box.value() is follow.when

    def _changed(self, key: str) -> None:
        self._apply_visibility()
        if not self._loading:
            self.changed.emit(f"Answer '{key.replace('_', ' ')}'")

    def _apply_visibility(self) -> None:
        applicable = set(applicable_checks(self.kind, {k: b.value() for k, b in self.boxes.items()},
                                           self.disposal_type))
        for key, field in self.fields.items():
            self.form.setRowVisible(field, key in applicable)
        for key, hint in self.hints.items():
            self.form.setRowVisible(hint, key in applicable)
        if self.rape_box is not None:
            self.form.setRowVisible(self.rape_box, self._asks_rape_code())
