"""The guided verdict panel: leads the auditor through the checks that apply to the record in view."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from cdi_workbench.audit.check_table import checks_of, follow_ups
from cdi_workbench.audit.decisions import ReviewNote
from cdi_workbench.audit.evaluate import CrimeResult
from cdi_workbench.audit.records import RecordDetail
from cdi_workbench.audit.review import FirstVerdict
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.classification import Classification
from cdi_workbench.kinds import RecordKind
from cdi_workbench.rules import RULE_FOR_ANSWER, RULE_TEXT
from cdi_workbench.timeutil import display

from .check_form import CheckForm
from .crime_editor import CrimeEditor
from .review_notes import ReviewNoteBox, ReviewNotes
from .widgets import named


def crime_summary(n: int, f: CrimeFinding, r: CrimeResult | None, status: str = "") -> str:
    """One line per crime identified; `status` is the linked crime record's status ('' when not known)."""
    text = f"{n}. {f.expected_code or '(code?)'}: "
    if f.crime_id is None:
        return text + (f"not recorded ({f.not_recorded_reason})" if f.not_recorded_reason else "recorded by?")
    text += f"recorded {f.crime_ref}"
    if status and status != "recorded":
        text += f" (⚠ crime record {status})"
    if r is not None:
        if r.classified is False:
            text += ", wrongly classified"
        if r.timely is False:
            text += ", late"
        elif r.recorded and r.timely is None:
            text += ", ⚠ time not known"
    return text


def first_verdict_html(kind: str, first: FirstVerdict) -> str:
    """The auditor's verdict as a reviewer may see it (read-only, above their own review)."""
    if first.hidden:
        return ("<i>Blind review: the auditor's verdict is hidden until your own review of this record is "
                "complete.</i>")
    if first.body is None:
        return "<i>Not audited yet: there is no first verdict to compare with.</i>"
    b = first.body
    state = "complete" if b.complete else "in progress"
    lines = [f"<b>{escape(first.auditor)}</b>, {display(first.updated_at)} ({state})"]
    if kind in RecordKind.REPORTS:
        if b.zero_status:
            lines.append("Zero status: no crime in this record")
        lines += [escape(crime_summary(n, f, None)) for n, f in enumerate(b.crimes, 1)]
        if not b.crimes and not b.zero_status:
            lines.append("No crime identified yet")
    else:
        answers = {True: "yes", False: "no", None: "not answered"}
        lines += [f"{escape(c.question)} <b>{answers[b.checks.get(c.key)]}</b>" for c in checks_of(kind)]
        for c, follow in follow_ups(kind):  # an N100's rape code
            if b.checks.get(c.key) is follow.when:
                lines.append(f"{escape(follow.question)} <b>{escape(getattr(b, follow.key)) or 'not given'}</b>")
    lines.append(f"<b>Rationale:</b> {escape(b.rationale) if b.rationale else '<i>none given</i>'}")
    return "<br>".join(lines)


class AnswersScroll(QScrollArea):
    """The answers scroll up and down, never sideways: the pane is never made narrower than they can be, so
    nothing is cut at its right edge (issue 11: a long unwrapped hint ran past it)."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        w = self.widget()
        if w is None:
            return hint
        need = w.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return QSize(max(hint.width(), need), hint.height())


class VerdictPanel(QWidget):
    """Emits `changed(body, label)` for every answer (the window saves it at once) and `finished` on Done.

    `role` says which verdict it edits: 'primary' (the auditor's), or 'review' (a peer reviewer's, with the
    first verdict shown read-only above it when the reviewer may see it)."""

    changed = Signal(object, str)
    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: RecordDetail | None = None
        self.body = VerdictBody()
        self.results: list[CrimeResult] = []
        self._loading = False
        self.from_first = False
        self.role = "primary"
        self.sealed = ""  # a sealed review: why it is read-only (the core's words)
        outer = QVBoxLayout(self)
        self.first_box = named(QGroupBox("Auditor's verdict"), "first_box")
        fb = QVBoxLayout(self.first_box)
        fb.setContentsMargins(6, 4, 6, 4)
        self.first_text = named(QTextBrowser(), "first_verdict")
        self.first_text.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # read-only: Tab and Enter pass it by
        self.first_text.setAccessibleName("Auditor's verdict")
        fb.addWidget(self.first_text)
        self.first_box.hide()
        outer.addWidget(self.first_box)
        self.review_note_box = ReviewNoteBox()  # the auditor's own record: what the reviewer said back
        outer.addWidget(self.review_note_box)
        self.heading = named(QLabel(), "verdict_heading")
        self.heading.setWordWrap(True)
        outer.addWidget(self.heading)
        self.stack = QStackedWidget()
        # on a short window (a tall findings dock) the answers scroll rather than squash, so a wrapped warning or
        # worked-out result is never cut; the answer with the focus is kept in view
        self.answers_scroll = named(AnswersScroll(), "verdict_scroll")
        self.answers_scroll.setWidgetResizable(True)
        self.answers_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.answers_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.answers_scroll.setWidget(self.stack)
        outer.addWidget(self.answers_scroll, 1)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._keep_in_view)

        # incidents and referrals
        report = QWidget()
        rl = QVBoxLayout(report)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QLabel("Crimes identified (one per victim, per offence):"))
        self.crime_list = named(QListWidget(), "crime_list")
        self.crime_list.setAccessibleName("Crimes identified")
        self.crime_list.setMaximumHeight(96)
        rl.addWidget(self.crime_list)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add crime  (Ctrl+N)")
        self.remove_button = QPushButton("Remove crime")
        self.zero_button = QPushButton("&Zero status  (Ctrl+0)")
        for b in (self.add_button, self.remove_button, self.zero_button):
            buttons.addWidget(b)
        rl.addLayout(buttons)
        self.editor_box = QGroupBox("Crime")
        eb = QVBoxLayout(self.editor_box)
        self.editor = CrimeEditor()
        eb.addWidget(self.editor)
        rl.addWidget(self.editor_box)
        rl.addStretch(1)
        self.stack.addWidget(report)

        # record-level checks
        self.checks = CheckForm()
        self.stack.addWidget(self.checks)

        self.rationale = named(QLineEdit(placeholderText="Optional rationale"), "rationale")
        rat_label = QLabel("Ra&tionale:")  # (mnemonics avoid the menus' F E R S H and the crime editor's)
        rat_label.setBuddy(self.rationale)
        outer.addWidget(rat_label)
        outer.addWidget(self.rationale)
        self.review_notes = ReviewNotes()  # a review: could not decide, comments, the note to the auditor
        outer.addWidget(self.review_notes)
        self.status = named(QLabel(), "verdict_status")
        self.status.setWordWrap(True)
        outer.addWidget(self.status)
        self.done_button = QPushButton("&Done, next record  (Ctrl+Enter)")
        self.done_button.setDefault(True)
        outer.addWidget(self.done_button)

        self.add_button.clicked.connect(self.add_crime)
        self.remove_button.clicked.connect(self.remove_crime)
        self.zero_button.clicked.connect(self.zero_status)
        self.done_button.clicked.connect(self.done)
        self.crime_list.currentRowChanged.connect(self._select_crime)
        self.editor.changed.connect(self._crime_changed)
        self.editor.message.connect(self.say)
        self.checks.changed.connect(lambda label: self._emit(label))
        self.review_notes.changed.connect(lambda label: self._emit(label))
        self.rationale.editingFinished.connect(self._rationale_done)
        self.setEnabled(False)

    # ---- loading ---------------------------------------------------------------------------------------
    def set_codes(self, codes: list[Classification]) -> None:
        self.editor.set_codes(codes)
        self.checks.set_rape_codes(codes)

    def load(self, detail: RecordDetail, body: VerdictBody, results: list[CrimeResult],
             from_first: bool = False) -> None:
        """`from_first`: an open review not yet saved, its answers copied from the first verdict."""
        self._loading = True
        self.detail, self.body, self.results = detail, body, results
        self.from_first = from_first
        self.sealed = ""  # show_sealed says so when it is
        self.setEnabled(True)
        reporting = detail.kind in RecordKind.REPORTS
        self.stack.setCurrentIndex(0 if reporting else 1)
        reviewing = self.role == "review"
        if not reporting:
            self.checks.load(detail.kind, body.checks, detail.disposal_type, body.rape_code, reviewing,
                             body.undecided, body.comments, dict(detail.fields))
        self.review_notes.load(detail.kind, body, reviewing)
        self.rationale.setText(body.rationale)
        self._refresh_list(0 if body.crimes else -1)
        self._update_heading()
        self.say("")
        self._loading = False

    def clear(self) -> None:
        """No record open: nothing to edit."""
        self.detail, self.body, self.results = None, VerdictBody(), []
        self.from_first = False
        self.sealed = ""
        self.show_first(None)
        self.show_review_note(None)
        self.review_notes.hide()
        self.crime_list.blockSignals(True)
        self.crime_list.clear()  # nothing of the last record may linger, even greyed out
        self.crime_list.blockSignals(False)
        self.rationale.clear()
        self.heading.setText("")
        self.say("")
        self.setEnabled(False)

    def show_sealed(self, why: str) -> None:
        """A sealed review is shown read-only (the window disables the panel) with the reason; '' when not sealed."""
        self.sealed = why
        self._update_heading()
        self.say(why)

    def show_first(self, first: FirstVerdict | None) -> None:
        """Show the auditor's verdict above a review (None: no box, as when auditing)."""
        if first is None or self.detail is None:
            self.first_box.hide()
            self.first_text.clear()
            return
        self.first_text.setHtml(first_verdict_html(self.detail.kind, first))
        self.first_box.show()
        self._fit_first()

    def show_review_note(self, note: ReviewNote | None) -> None:
        """The reviewer's note back to the auditor on their own record (None: none, or not the auditor's view)."""
        self.review_note_box.show_note(note)

    def _fit_first(self) -> None:
        """As tall as the auditor's verdict needs (a one-line note stays one line), scrolling past 150 pixels."""
        if self.first_box.isHidden():
            return
        doc = self.first_text.document()
        doc.setTextWidth(max(self.first_text.viewport().width(), 100))
        frame = 2 * self.first_text.frameWidth()
        self.first_text.setFixedHeight(min(int(doc.size().height()) + frame + 2, 150))

    def resizeEvent(self, event) -> None:  # noqa: ANN001
        super().resizeEvent(event)
        self._fit_first()

    def set_results(self, results: list[CrimeResult]) -> None:
        """New worked-out results after a save: update the texts in place, leaving focus where it is."""
        self.results = results
        if len(results) != len(self.body.crimes):
            return  # the crimes changed again since; newer results are on their way
        for n, (f, r) in enumerate(zip(self.body.crimes, results, strict=True)):
            item = self.crime_list.item(n)
            if item is not None:
                item.setText(crime_summary(n + 1, f, r, self._status(f)))
        row = self.crime_list.currentRow()
        if 0 <= row < len(results):
            self.editor.show_result(results[row])

    def _keep_in_view(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.stack.isAncestorOf(new):
            self.answers_scroll.ensureWidgetVisible(new, 0, 8)

    def rule_keys(self, focus: QWidget | None) -> list[str]:
        """The recording rules (rules.RULE_TEXT keys) in the order Help > Recording rules (F1) gives them: the
        rule behind the answer in focus, else the first of the record's own checks (from a cancellation's
        rationale, the cancellation rules, not the incident ones: issue 11), then the record's other checks,
        then the rest."""
        name = focus.objectName() if focus is not None else ""
        kind = self.detail.kind if self.detail is not None else ""
        own = [c.rule for c in checks_of(kind)]  # the checks table's rule behind each of the record's checks
        first = RULE_FOR_ANSWER.get(name) or next((c.rule for c in checks_of(kind) if c.key == name),
                                                  name if name in RULE_TEXT else "")
        keys = [k for k in dict.fromkeys([first, *own]) if k in RULE_TEXT]
        return keys + [k for k in RULE_TEXT if k not in keys]

    def focus_first(self) -> None:
        if self.detail is None:
            return
        if self.detail.kind in RecordKind.REPORTS:
            (self.add_button if not self.body.crimes else self.crime_list).setFocus()
        elif (box := self.checks.first_box()) is not None:
            box.setFocus()

    # ---- actions ---------------------------------------------------------------------------------------
    def add_crime(self) -> None:
        if self.detail is None or self.detail.kind not in RecordKind.REPORTS:
            return
        self.body.crimes.append(CrimeFinding())
        self.body.zero_status = False
        self._refresh_list(len(self.body.crimes) - 1)
        self._emit("Add crime identified")
        self.editor.code.setFocus()

    def remove_crime(self) -> None:
        row = self.crime_list.currentRow()
        if 0 <= row < len(self.body.crimes):
            del self.body.crimes[row]
            self._refresh_list(min(row, len(self.body.crimes) - 1))
            self._emit("Remove crime identified")

    def zero_status(self) -> None:
        """One keystroke: no crime in this record; the verdict is complete and the queue moves on."""
        if self.detail is None or self.detail.kind not in RecordKind.REPORTS:
            return
        if self.body.crimes and QMessageBox.question(
                self, "Zero status", f"Discard the {len(self.body.crimes)} crime(s) entered and mark the record "
                                     "zero status?") != QMessageBox.StandardButton.Yes:
            return
        self.body = VerdictBody(zero_status=True, complete=True, rationale=self.rationale.text().strip())
        self._refresh_list(-1)
        self._emit("Zero status")
        self.finished.emit()

    def done(self) -> None:
        # a rationale still being typed (Ctrl+Enter in the field) belongs to this verdict, not to the next record
        self.body.rationale = self.rationale.text().strip()
        problem = self.problem()
        if problem:
            self.say(problem)
            return
        self.body.complete = True
        self._emit("Complete verdict")
        self.finished.emit()

    def problem(self) -> str:
        """What still needs an answer before the verdict can be complete ('' when none)."""
        if self.detail is None:
            return "No record open."
        if self.detail.kind in RecordKind.REPORTS:
            if not self.body.crimes and not self.body.zero_status and "crimes_identified" not in self.body.undecided:
                return "Add each crime identified (Ctrl+N), or mark the record zero status (Ctrl+0)."
            for n, c in enumerate(self.body.crimes, 1):
                if not c.expected_code:
                    return f"Crime {n}: give the expected Home Office code."
                if c.crime_id is None and not c.not_recorded_reason:
                    return f"Crime {n}: choose the crime record that recorded it, or 'Not recorded'."
            return ""
        missing = self.checks.missing()
        words = {"rape_code": "the rape it should have been recorded as (Home Office code)"}
        return f"Answer: {', '.join(words.get(m, m.replace('_', ' ')) for m in missing)}." if missing else ""

    def say(self, text: str) -> None:
        self.status.setText(text)

    def keyPressEvent(self, event) -> None:  # noqa: ANN001
        """Enter moves on to the next answer that applies; after the last, to the rationale and then Done.
        Delete removes the selected crime. Focus never leaves the panel this way."""
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.next_answer()
            event.accept()
            return
        if key == Qt.Key.Key_Delete and self.crime_list.hasFocus():
            self.remove_crime()
            event.accept()
            return
        super().keyPressEvent(event)

    def next_answer(self) -> None:
        focus = QApplication.focusWidget()
        if focus is self.done_button:
            self.done()
            return
        if focus is self.rationale:
            self.done_button.setFocus()
            return
        w = focus.nextInFocusChain() if focus is not None else None
        for _ in range(200):
            if w is None or w is focus:
                break
            if (self.isAncestorOf(w) and w.isVisible() and w.isEnabled()
                    and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w not in (self.rationale, self.done_button)
                    and not isinstance(w, QPushButton)):
                if self._after(focus, w):
                    w.setFocus(Qt.FocusReason.TabFocusReason)
                    return
            w = w.nextInFocusChain()
        self.rationale.setFocus(Qt.FocusReason.TabFocusReason)

    def _after(self, focus: QWidget | None, w: QWidget) -> bool:
        """True when w comes after focus in reading order within the panel (so Enter never wraps back)."""
        if focus is None or not self.isAncestorOf(focus):
            return True
        a = focus.mapTo(self, focus.rect().topLeft())
        b = w.mapTo(self, w.rect().topLeft())
        return (b.y(), b.x()) > (a.y(), a.x())

    # ---- internals -------------------------------------------------------------------------------------
    def _refresh_list(self, select: int) -> None:
        self.crime_list.blockSignals(True)
        self.crime_list.clear()
        for n, f in enumerate(self.body.crimes, 1):
            r = self.results[n - 1] if n - 1 < len(self.results) else None
            self.crime_list.addItem(crime_summary(n, f, r, self._status(f)))
        if self.body.zero_status:
            self.crime_list.addItem("Zero status: no crime in this record")
        elif not self.body.crimes:
            self.crime_list.addItem("None yet: Ctrl+N adds a crime; Ctrl+0 if the record holds none.")
        self.crime_list.setCurrentRow(select)
        self.crime_list.blockSignals(False)
        self._select_crime(select)

    def _select_crime(self, row: int) -> None:
        valid = 0 <= row < len(self.body.crimes)
        self.editor_box.setVisible(valid)
        self.remove_button.setEnabled(valid)
        if valid and self.detail is not None:
            self.editor_box.setTitle(f"Crime {row + 1}")
            crimes = list(self.detail.linked) + list(self.detail.candidates)
            result = self.results[row] if row < len(self.results) else None
            self.editor.load(self.body.crimes[row], crimes, result, self._domestic_default())

    def _status(self, f: CrimeFinding) -> str:
        """The status of the crime record a crime identified is linked to, as the crime system gives it."""
        if f.crime_id is None or self.detail is None:
            return ""
        known = [*self.detail.linked, *self.detail.candidates, *self.editor.crimes]
        return next((c.status for c in known if c.id == f.crime_id), "")

    def _domestic_default(self) -> tuple[bool, str] | None:
        """A suggestion only: DO1 holds domestic incidents; an opening code may say 'domestic'."""
        d = self.detail
        if d is None:
            return None
        if d.system.upper() == "DO1":
            return True, "the record is on DO1, the domestic incident system"
        opening = dict(d.fields).get("Opening code", "")
        if "domestic" in opening.lower():
            return True, f"the log was opened as '{opening}'"
        return None

    def _crime_changed(self, label: str) -> None:
        row = self.crime_list.currentRow()
        if not 0 <= row < len(self.body.crimes):
            return
        finding = self.editor.current()
        if (finding.classified_override is not None or finding.timely_override is not None) \
                and not finding.override_reason:
            self.say("An override needs a reason: type it in 'Reason for the override' (not saved until then).")
            return
        self.say("")
        self.body.crimes[row] = finding
        item = self.crime_list.item(row)
        if item is not None:
            item.setText(crime_summary(row + 1, finding, None, self._status(finding)))
        self._emit(label)

    def _rationale_done(self) -> None:
        text = self.rationale.text().strip()
        if text != self.body.rationale:
            self.body.rationale = text
            self._emit("Rationale")

    def _emit(self, label: str) -> None:
        if self._loading or self.detail is None:
            return
        if self.detail.kind not in RecordKind.REPORTS:
            self.body.checks = self.checks.answers()
            self.body.rape_code = self.checks.rape_code()
            if self.role == "review":
                self.body.undecided, self.body.comments = self.checks.undecided(), self.checks.comments()
        if self.role == "review":
            self.review_notes.fill(self.body, self.detail.kind)
        if self.body.complete and self.problem():
            self.body.complete = False
        self.from_first = False
        self._update_heading()
        self.changed.emit(self.body, label)

    def _update_heading(self) -> None:
        if self.detail is None:
            self.heading.setText("")
            return
        b = self.body
        started = b.crimes or b.zero_status or b.checks or b.rationale
        state = "complete" if b.complete else ("in progress" if started else "not started")
        if self.role == "final":
            self.heading.setText(f"<b>Final verdict</b> (the audit lead's decision) on {escape(self.detail.ref)}: "
                                 f"{state}")
        elif self.role != "review":
            self.heading.setText(f"<b>Verdict</b> on {escape(self.detail.ref)}: {state}")
        elif self.from_first:
            self.heading.setText(f"<b>Your review</b> of {escape(self.detail.ref)}: not started. It begins from "
                                 "the auditor's answers: agree or change each, then Done.")
        else:
            self.heading.setText(f"<b>Your review</b> of {escape(self.detail.ref)}: {state}"
                                 + (", <b>sealed</b> (read-only)" if self.sealed else ""))
        self.heading.setTextFormat(Qt.TextFormat.RichText)
