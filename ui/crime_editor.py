"""Editing one identified crime: expected code, the crime record that recorded it, and what follows."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from cdi_workbench.audit.evaluate import CrimeResult
from cdi_workbench.audit.records import CrimeInfo
from cdi_workbench.audit.verdicts import CrimeFinding
from cdi_workbench.classification import Classification, lookup
from cdi_workbench.rules import REASONS_NOT_RECORDED

from .widgets import TriState

NOT_RECORDED = -1
OVERRIDES = [("Worked out", None), ("Override: yes", True), ("Override: no", False)]


class CrimeEditor(QWidget):
    changed = Signal(str)
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.form = form
        self.code = QLineEdit(objectName="expected_code", placeholderText="Type a code or words, e.g. 8N or assault")
        self.code.setAccessibleName("Expected Home Office code")
        self.code_label = QLabel("")
        self.code_label.setWordWrap(True)
        self.recorded = QComboBox(objectName="recorded_by")
        self.recorded.setAccessibleName("Recorded by crime record")
        self.classified = QLabel(objectName="classified_result")
        self.timely = QLabel(objectName="timely_result")
        for lab in (self.classified, self.timely):
            lab.setWordWrap(True)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.classified_override = QComboBox(objectName="classified_override")
        self.timely_override = QComboBox(objectName="timely_override")
        for box in (self.classified_override, self.timely_override):
            box.addItems([t for t, _ in OVERRIDES])
        self.override_reason = QLineEdit(objectName="override_reason", placeholderText="Why the override")
        self.reason = QComboBox(objectName="reason_not_recorded")
        self.set_reasons(REASONS_NOT_RECORDED)
        self.safeguarding = TriState("safeguarding")
        self.investigation = TriState("investigation")
        self.domestic = TriState("domestic_abuse")

        def row(text: str, w: QWidget) -> None:
            label = QLabel(text)
            label.setBuddy(w)
            form.addRow(label, w)

        row("Expected &code:", self.code)
        form.addRow("", self.code_label)
        row("&Recorded by:", self.recorded)
        form.addRow("Classification:", self.classified)
        form.addRow("Timeliness:", self.timely)
        row("Classification o&verride:", self.classified_override)
        row("Timeliness overr&ide:", self.timely_override)
        row("Override reas&on:", self.override_reason)
        row("Reason &not recorded:", self.reason)
        row("&Safeguarding considered:", self.safeguarding)
        row("In&vestigation carried out:", self.investigation)
        row("&Domestic abuse:", self.domestic)

        self.finding = CrimeFinding()
        self.crimes: list[CrimeInfo] = []
        self._loading = False
        self.code.editingFinished.connect(self._code_done)
        self.recorded.activated.connect(lambda _i: self._emit("Set recorded by"))
        self.classified_override.activated.connect(lambda _i: self._emit("Override classification"))
        self.timely_override.activated.connect(lambda _i: self._emit("Override timeliness"))
        self.override_reason.editingFinished.connect(lambda: self._emit("Override reason"))
        self.reason.activated.connect(lambda _i: self._emit("Reason not recorded"))
        for box in (self.safeguarding, self.investigation, self.domestic):
            box.activated.connect(lambda _i, b=box: self._emit(f"Answer '{b.objectName().replace('_', ' ')}'"))

    def set_reasons(self, reasons: list[str]) -> None:
        self.reason.clear()
        self.reason.addItems(["—", *reasons])

    def set_codes(self, codes: list[Classification]) -> None:
        completer = QCompleter([c.display for c in codes], self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        self.code.setCompleter(completer)

    def load(self, finding: CrimeFinding, crimes: list[CrimeInfo], result: CrimeResult | None) -> None:
        self._loading = True
        self.finding, self.crimes = finding, crimes
        self.code.setText(finding.expected_code)
        self._describe_code()
        self.recorded.clear()
        self.recorded.addItem("— choose —", None)
        self.recorded.addItem("Not recorded", NOT_RECORDED)
        for c in crimes:
            tag = f"candidate: {c.why}" if c.why else "linked"
            self.recorded.addItem(f"{c.ref}  {c.ho_code} {c.offence}  ({tag})", c.id)
        if finding.crime_id is not None:
            self.recorded.setCurrentIndex(max(0, self.recorded.findData(finding.crime_id)))
        elif finding.not_recorded_reason:
            self.recorded.setCurrentIndex(1)
        self.classified_override.setCurrentIndex([v for _, v in OVERRIDES].index(finding.classified_override))
        self.timely_override.setCurrentIndex([v for _, v in OVERRIDES].index(finding.timely_override))
        self.override_reason.setText(finding.override_reason)
        idx = self.reason.findText(finding.not_recorded_reason)
        self.reason.setCurrentIndex(idx if idx > 0 else 0)
        self.safeguarding.set_value(finding.safeguarding)
        self.investigation.set_value(finding.investigation)
        self.domestic.set_value(finding.domestic_abuse)
        self.show_result(result)
        self._loading = False

    def show_result(self, result: CrimeResult | None) -> None:
        self.classified.setText(result.classified_text if result else "")
        self.timely.setText(result.timely_text if result else "")
        self._apply_visibility()

    def current(self) -> CrimeFinding:
        data = self.recorded.currentData()
        crime = next((c for c in self.crimes if c.id == data), None)
        reason = self.reason.currentText() if self.reason.currentIndex() > 0 else ""
        recorded = crime is not None
        return CrimeFinding(
            expected_code=self.finding.expected_code,
            crime_id=crime.id if crime else None, crime_ref=crime.ref if crime else "",
            not_recorded_reason="" if recorded else (reason or ("No discernible reason"
                                                                if data == NOT_RECORDED else "")),
            safeguarding=None if recorded else self.safeguarding.value(),
            investigation=None if recorded else self.investigation.value(),
            domestic_abuse=self.domestic.value(),
            classified_override=OVERRIDES[self.classified_override.currentIndex()][1] if recorded else None,
            timely_override=OVERRIDES[self.timely_override.currentIndex()][1] if recorded else None,
            override_reason=self.override_reason.text().strip() if recorded else "",
        )

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

    def _apply_visibility(self) -> None:
        data = self.recorded.currentData()
        recorded = data not in (None, NOT_RECORDED)
        not_recorded = data == NOT_RECORDED
        for w, show in ((self.classified, recorded), (self.timely, recorded),
                        (self.classified_override, recorded), (self.timely_override, recorded),
                        (self.override_reason, recorded and (self.classified_override.currentIndex() > 0
                                                             or self.timely_override.currentIndex() > 0)),
                        (self.reason, not_recorded), (self.safeguarding, not_recorded),
                        (self.investigation, not_recorded)):
            self.form.setRowVisible(w, show)

    def _emit(self, label: str) -> None:
        self._apply_visibility()
        if not self._loading:
            self.finding = self.current()
            self.changed.emit(label)
