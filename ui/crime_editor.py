"""Editing one identified crime: expected code, the crime record that recorded it, and what follows."""

from __future__ import annotations

import re

from PySide6.QtCore import QRegularExpression, QSortFilterProxyModel, QStringListModel, Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QFormLayout, QLabel, QLineEdit, QWidget

from cdi_workbench.audit.evaluate import CrimeResult
from cdi_workbench.audit.records import CrimeInfo
from cdi_workbench.audit.verdicts import CrimeFinding
from cdi_workbench.classification import Classification, lookup
from cdi_workbench.rules import REASONS_NOT_RECORDED

from .widgets import TriState, named

NOT_RECORDED = -1
ANOTHER = -2
# Each option starts with a different letter, so typing picks exactly one.
CLASSIFIED_OPTIONS = [("Worked out", None), ("Correct (override)", True), ("Incorrect (override)", False)]
TIMELY_OPTIONS = [("Worked out", None), ("In time (override)", True), ("Late (override)", False)]
# a fact the auditor must not miss (a crime record no longer 'recorded', times that contradict each other):
# bold, marked and tinted, so it reads in black and white too
WARNING_STYLE = "QLabel { background: #fde2c8; border: 1px solid #b35c00; padding: 3px; font-weight: bold; }"


def status_warning(crime: CrimeInfo) -> str:
    """'' for a crime record whose status is 'recorded'; else what the auditor must know before relying on it."""
    if crime.status == "recorded":
        return ""
    state = "has been cancelled" if crime.status == "cancelled" else f"has the status '{crime.status or 'none'}'"
    return f"⚠ Crime record {crime.ref} {state}: the verdict counts this crime as recorded."


class CrimeEditor(QWidget):
    changed = Signal(str)
    message = Signal(str)
    find_crime = Signal()  # the auditor wants a crime record that is not offered

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        # in a narrow pane a field goes under its label rather than running past the panel's edge
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form = form
        self.code = named(QLineEdit(placeholderText="Type a code or words, e.g. 8N or assault injury"), "expected_code")
        self.code.setAccessibleName("Expected Home Office code")
        self.code_label = QLabel("")
        self.code_label.setWordWrap(True)
        self.recorded = named(QComboBox(), "recorded_by")
        self.recorded.setAccessibleName("Recorded by crime record")
        self.classified = named(QLabel(), "classified_result")
        self.timely = named(QLabel(), "timely_result")
        self.status_note = named(QLabel(), "crime_status_warning")  # the chosen crime record is not 'recorded'
        self.status_note.setStyleSheet(WARNING_STYLE)
        for lab in (self.classified, self.timely, self.status_note):
            lab.setWordWrap(True)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.classified_override = named(QComboBox(), "classified_override")
        self.classified_override.addItems([t for t, _ in CLASSIFIED_OPTIONS])
        self.timely_override = named(QComboBox(), "timely_override")
        self.timely_override.addItems([t for t, _ in TIMELY_OPTIONS])
        self.override_reason = named(QLineEdit(placeholderText="Why the override (required)"), "override_reason")
        self.reason = named(QComboBox(), "reason_not_recorded")
        self.safeguarding = TriState("safeguarding")
        self.investigation = TriState("investigation")
        self.domestic = TriState("domestic_abuse")
        self.domestic_hint = named(QLabel(), "domestic_hint")
        self.domestic_hint.setWordWrap(True)  # a sentence: unwrapped, it widened the panel past its pane (issue 11)
        self.set_reasons(REASONS_NOT_RECORDED)
        for combo in (self.recorded, self.classified_override, self.timely_override, self.reason):
            # long entries (crime records, reasons) must not force the panel wide and squeeze the record view
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(18)

        def row(text: str, w: QWidget) -> None:
            label = QLabel(text)
            label.setBuddy(w)
            form.addRow(label, w)

        # mnemonics chosen not to clash with each other, the menus (F E R S H) or the panel's buttons
        row("Expected &code:", self.code)
        form.addRow("", self.code_label)
        row("Recorded b&y:", self.recorded)
        form.addRow("", self.status_note)
        form.addRow("Classification:", self.classified)
        form.addRow("Timeliness:", self.timely)
        row("Classification &override:", self.classified_override)
        row("Timeliness overr&ide:", self.timely_override)
        row("Reason for the o&verride:", self.override_reason)
        row("Reason &not recorded:", self.reason)
        row("Safe&guarding considered:", self.safeguarding)
        row("Investigation carried o&ut:", self.investigation)
        row("Domestic a&buse:", self.domestic)
        form.addRow("", self.domestic_hint)

        self.finding = CrimeFinding()
        self.crimes: list[CrimeInfo] = []
        self.domestic_default: tuple[bool, str] | None = None
        self._loading = False
        self.code.editingFinished.connect(self._code_done)
        self.code.textEdited.connect(self._filter_codes)
        self.recorded.activated.connect(self._recorded_chosen)
        self.classified_override.activated.connect(lambda _i: self._emit("Override classification"))
        self.timely_override.activated.connect(lambda _i: self._emit("Override timeliness"))
        self.override_reason.editingFinished.connect(self._reason_done)
        self.reason.activated.connect(lambda _i: self._emit("Reason not recorded"))
        for box in (self.safeguarding, self.investigation, self.domestic):
            box.activated.connect(lambda _i, b=box: self._emit(f"Answer '{b.objectName().replace('_', ' ')}'"))

    # ---- lists -----------------------------------------------------------------------------------------
    def set_reasons(self, reasons: list[str]) -> None:
        """Numbered, so a key picks each one (several reasons start with the same word)."""
        self.reason.clear()
        self.reason.addItem("—", "")
        for n, text in enumerate(reasons, 1):
            self.reason.addItem(f"{n}. {text}" if n < 10 else text, text)

    def set_codes(self, codes: list[Classification]) -> None:
        self._codes_model = QStringListModel([c.display for c in codes], self)
        self._proxy = QSortFilterProxyModel(self)
        self._proxy.setSourceModel(self._codes_model)
        self._proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer = QCompleter(self._proxy, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setMaxVisibleItems(12)
        self.code.setCompleter(completer)

    def _filter_codes(self, text: str) -> None:
        """Every word typed must appear, in any order: 'assault injury' finds '8N Assault with injury'."""
        words = [re.escape(w) for w in text.split()]
        pattern = "^" + "".join(f"(?=.*{w})" for w in words) if words else ""
        self._proxy.setFilterRegularExpression(
            QRegularExpression(pattern, QRegularExpression.PatternOption.CaseInsensitiveOption))

    # ---- one crime ---------------------------------------------------------------------------------------
    def load(self, finding: CrimeFinding, crimes: list[CrimeInfo], result: CrimeResult | None,
             domestic_default: tuple[bool, str] | None = None) -> None:
        self._loading = True
        self.finding, self.crimes, self.domestic_default = finding, list(crimes), domestic_default
        self.code.setText(finding.expected_code)
        self._describe_code()
        self._fill_recorded()
        if finding.crime_id is not None:
            self.recorded.setCurrentIndex(max(0, self.recorded.findData(finding.crime_id)))
        elif finding.not_recorded_reason:
            self.recorded.setCurrentIndex(self.recorded.findData(NOT_RECORDED))
        self.classified_override.setCurrentIndex([v for _, v in CLASSIFIED_OPTIONS].index(finding.classified_override))
        self.timely_override.setCurrentIndex([v for _, v in TIMELY_OPTIONS].index(finding.timely_override))
        self.override_reason.setText(finding.override_reason)
        idx = self.reason.findData(finding.not_recorded_reason) if finding.not_recorded_reason else 0
        self.reason.setCurrentIndex(max(idx, 0))
        self._show_reason(finding.not_recorded_reason)
        self.safeguarding.set_value(finding.safeguarding)
        self.investigation.set_value(finding.investigation)
        self.domestic.set_value(finding.domestic_abuse)
        self._domestic_note()
        self.show_result(result)
        self._loading = False

    def _fill_recorded(self) -> None:
        self.recorded.clear()
        self.recorded.addItem("— choose —", None)
        self.recorded.addItem("Not recorded", NOT_RECORDED)
        for c in self.crimes:
            tag = f"candidate: {c.why}" if c.why else "linked"
            self.recorded.addItem(f"{c.ref}  {c.ho_code} {c.offence}  ({tag})", c.id)
        self.recorded.addItem("Another crime record (type its reference)…", ANOTHER)

    def add_crime_record(self, crime: CrimeInfo) -> None:
        """A crime record found by reference: offer it and choose it."""
        if all(c.id != crime.id for c in self.crimes):
            self.crimes.append(crime)
        self._loading = True
        self._fill_recorded()
        self.recorded.setCurrentIndex(self.recorded.findData(crime.id))
        self._loading = False
        self._recorded_chosen()

    def show_result(self, result: CrimeResult | None) -> None:
        self.classified.setText(result.classified_text if result else "")
        self.timely.setText(result.timely_text if result else "")
        # the core could not work it out (a code missing; a time missing or recorded before the report): said
        # plainly and marked, never left to look like a pass
        for label, ok in ((self.classified, result.classified if result else True),
                          (self.timely, result.timely if result else True)):
            unknown = bool(result and result.recorded and ok is None)
            label.setStyleSheet(WARNING_STYLE if unknown else "")
            if unknown and not label.text().startswith("⚠"):
                label.setText("⚠ " + label.text()[:1].upper() + label.text()[1:])
        self._apply_visibility()

    def current(self) -> CrimeFinding:
        data = self.recorded.currentData()
        crime = next((c for c in self.crimes if c.id == data), None)
        reason = self.reason.currentData() or ""
        recorded = crime is not None
        cls = CLASSIFIED_OPTIONS[self.classified_override.currentIndex()][1] if recorded else None
        tim = TIMELY_OPTIONS[self.timely_override.currentIndex()][1] if recorded else None
        return CrimeFinding(
            expected_code=self.finding.expected_code,
            crime_id=crime.id if crime else None, crime_ref=crime.ref if crime else "",
            not_recorded_reason="" if recorded else (reason or ("No discernible reason"
                                                                if data == NOT_RECORDED else "")),
            safeguarding=None if recorded else self.safeguarding.value(),
            investigation=None if recorded else self.investigation.value(),
            domestic_abuse=self.domestic.value(),
            classified_override=cls, timely_override=tim,
            override_reason=self.override_reason.text().strip() if (cls is not None or tim is not None) else "",
        )

    # ---- reactions ---------------------------------------------------------------------------------------
    def _recorded_chosen(self, _index: int = 0) -> None:
        if self.recorded.currentData() == ANOTHER:
            self.recorded.setCurrentIndex(0)
            self.find_crime.emit()
            return
        crime = next((c for c in self.crimes if c.id == self.recorded.currentData()), None)
        if crime is not None and crime.domestic_abuse and self.domestic.value() is None:
            self.domestic.set_value(True)
            self.domestic_hint.setText(f"Domestic abuse: yes, as {crime.ref} records it (change if wrong).")
        self._emit("Set recorded by")

    def _reason_done(self) -> None:
        if self.override_reason.text().strip() != self.finding.override_reason:
            self._emit("Override reason")

    def _code_done(self) -> None:
        text = self.code.text().strip()
        code = text.split(" ", 1)[0] if text else ""
        found = lookup(code)
        if text and found is None:
            self.message.emit(f"'{text}' is not a Home Office code valid for this audit: pick one from the list.")
            return
        new = found.code if found else ""
        if found:
            self.code.setText(found.code)
        self._describe_code()
        if new != self.finding.expected_code:
            self.finding.expected_code = new
            self._emit("Set expected code")

    def _describe_code(self) -> None:
        found = lookup(self.code.text())
        self.code_label.setText(f"{found.label} ({found.sub_class or found.offence_class})" if found else "")

    def _domestic_note(self) -> None:
        new = not self.finding.expected_code and self.finding.crime_id is None and not self.finding.not_recorded_reason
        if new and self.domestic.value() is None and self.domestic_default is not None:
            value, why = self.domestic_default
            self.domestic.set_value(value)
            self.domestic_hint.setText(f"Domestic abuse: {'yes' if value else 'no'}, suggested because {why} "
                                       "(change if wrong).")
        elif not self.domestic_hint.text().startswith("Domestic abuse: yes, as"):
            self.domestic_hint.setText("")

    def _apply_visibility(self) -> None:
        data = self.recorded.currentData()
        recorded = data not in (None, NOT_RECORDED, ANOTHER)
        crime = next((c for c in self.crimes if c.id == data), None) if recorded else None
        self.status_note.setText(status_warning(crime) if crime else "")
        not_recorded = data == NOT_RECORDED
        overridden = self.classified_override.currentIndex() > 0 or self.timely_override.currentIndex() > 0
        for w, show in ((self.classified, recorded), (self.timely, recorded),
                        (self.status_note, bool(self.status_note.text())),
                        (self.classified_override, recorded), (self.timely_override, recorded),
                        (self.override_reason, recorded and overridden),
                        (self.reason, not_recorded), (self.safeguarding, not_recorded),
                        (self.investigation, not_recorded), (self.domestic_hint, bool(self.domestic_hint.text()))):
            self.form.setRowVisible(w, show)

    def _emit(self, label: str) -> None:
        self._apply_visibility()
        if not self._loading:
            self.finding = self.current()
            self._show_reason(self.finding.not_recorded_reason)
            self.changed.emit(label)

    def _show_reason(self, reason: str) -> None:
        """The reason combo says the reason the verdict holds: 'Not recorded' with none chosen is saved as 'No
        discernible reason', and the combo says so at once, not '—' until the record is reloaded (issue 11)."""
        if not reason or self.reason.currentData() == reason:
            return
        if self.reason.findData(reason) < 0:  # a reason not in this audit's list (kept, as stored)
            self.reason.addItem(reason, reason)
        self.reason.setCurrentIndex(self.reason.findData(reason))
