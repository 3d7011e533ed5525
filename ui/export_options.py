"""The save dialog of an export that carries free text (the findings), with what goes with it: the "Pseudonymise
names, addresses and other identifiers" check box (docs/pseudonymisation.md), the "Protect with a password (PDF and
Excel)" check box (cdi_workbench/reports/protect.py), and what the file holds and its marking.

Qt's own save dialog, not the desktop's: a native dialog takes no widgets of ours. `save_file_name` is called as
QFileDialog.getSaveFileName is, and returns the box's answer besides.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QFileDialog, QGridLayout, QLabel, QLineEdit, QWidget

from cdi_workbench.reports.common import MARKING
from cdi_workbench.reports.protect import PROTECTABLE

from .widgets import named

PSEUDONYMISE = "&Pseudonymise names, addresses and other identifiers"
PSEUDONYMISE_TIP = ("Names, dates of birth, addresses, postcodes, phone numbers, vehicle registrations and other "
                    "identifiers in the rationales and reasons are replaced by placeholders such as [Person 1], the "
                    "same one each time; a report of what was replaced goes beside the file. References, times and "
                    "collar numbers stay. Found by patterns, so not anonymised: the file is still OFFICIAL-SENSITIVE.")
HOLDS = (f"Contains the findings, every verdict and its rationale, and the records' references. Marking: {MARKING}. "
         "Pseudonymised, it says so, and NAME.pseudonymisation.txt beside it says how many of each kind were replaced "
         "and where.")
PROTECT = "P&rotect with a password (PDF and Excel)"
PROTECT_TIP = ("The PDF or Excel file opens only with the password you give next (asked twice; it is not kept). "
               "A JSON or CSV file cannot be protected with a password.")
PLAIN = "A {kind} file cannot be protected with a password: it will be written plain."


def plain_kind(name: str, chosen: str = "") -> str:
    """'JSON' or 'CSV' when the file named (else the type chosen) cannot be protected, else ''."""
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name.rsplit("/", 1)[-1] else ""
    if not suffix:  # no type typed: the one chosen in the list
        suffix = "json" if "*.json" in chosen else "csv" if "*.csv" in chosen else ""
    return suffix.upper() if suffix and f".{suffix}" not in PROTECTABLE else ""


class ExportFileDialog(QFileDialog):
    """Qt's save dialog with the pseudonymise and protect check boxes under it."""

    def __init__(self, parent: QWidget | None, title: str, start: str, filters: str) -> None:
        super().__init__(parent, title, start, filters)
        self.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        self.pseudonymise = named(QCheckBox(PSEUDONYMISE), "pseudonymise")
        self.pseudonymise.setToolTip(PSEUDONYMISE_TIP)
        self.protect = named(QCheckBox(PROTECT), "protect")
        self.protect.setToolTip(PROTECT_TIP)
        self.plain_note = named(QLabel("", wordWrap=True), "protect_note")  # said when the file cannot be protected
        self.plain_note.hide()
        holds = named(QLabel(HOLDS, wordWrap=True), "holds")
        layout = self.layout()
        if isinstance(layout, QGridLayout):  # Qt's dialog is a grid: the boxes and the notes go in rows of their own
            row = layout.rowCount()
            for i, widget in enumerate((self.pseudonymise, self.protect, self.plain_note, holds)):
                layout.addWidget(widget, row + i, 0, 1, layout.columnCount())
        self.protect.toggled.connect(self.say_if_plain)
        self.filterSelected.connect(self.say_if_plain)
        name = self.findChild(QLineEdit, "fileNameEdit")
        if name is not None:
            name.textChanged.connect(self.say_if_plain)

    def say_if_plain(self, *_args: object) -> None:
        """With the protect box ticked, say so when the file named (or the type chosen) cannot be protected."""
        name = self.findChild(QLineEdit, "fileNameEdit")
        kind = plain_kind(name.text() if name is not None else "", self.selectedNameFilter())
        self.plain_note.setText(PLAIN.format(kind=kind) if kind else "")
        self.plain_note.setVisible(bool(kind) and self.protect.isChecked())


def save_file_name(parent: QWidget | None, title: str, start: str, filters: str) -> tuple[str, str, bool, bool]:
    """(the file chosen, the type chosen, pseudonymise?, protect?) as the person left the dialog; ('', '', False,
    False) if they cancelled it."""
    dialog = ExportFileDialog(parent, title, start, filters)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return "", "", False, False
    return (dialog.selectedFiles()[0], dialog.selectedNameFilter(), dialog.pseudonymise.isChecked(),
            dialog.protect.isChecked())
