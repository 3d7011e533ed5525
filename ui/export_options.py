"""The save dialog of an export that carries free text (the findings), with what goes with it: the "Pseudonymise
names, addresses and other identifiers" check box (docs/pseudonymisation.md) and what the file holds.

Qt's own save dialog, not the desktop's: a native dialog takes no widgets of ours. `save_file_name` is called as
QFileDialog.getSaveFileName is, and returns the box's answer besides.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QFileDialog, QGridLayout, QLabel, QWidget

from .widgets import named

PSEUDONYMISE = "&Pseudonymise names, addresses and other identifiers"
PSEUDONYMISE_TIP = ("Names, dates of birth, addresses, postcodes, phone numbers, vehicle registrations and other "
                    "identifiers in the rationales and reasons are replaced by placeholders such as [Person 1], the "
                    "same one each time; a report of what was replaced goes beside the file. References, times and "
                    "collar numbers stay. Found by patterns, so not anonymised: the file is still OFFICIAL-SENSITIVE.")
HOLDS = ("The file holds the findings and every verdict's rationale, marked OFFICIAL-SENSITIVE. Pseudonymised, it "
         "says so, and NAME.pseudonymisation.txt beside it says how many of each kind were replaced and where.")


class ExportFileDialog(QFileDialog):
    """Qt's save dialog with the pseudonymise check box under it."""

    def __init__(self, parent: QWidget | None, title: str, start: str, filters: str) -> None:
        super().__init__(parent, title, start, filters)
        self.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        self.pseudonymise = named(QCheckBox(PSEUDONYMISE), "pseudonymise")
        self.pseudonymise.setToolTip(PSEUDONYMISE_TIP)
        holds = QLabel(HOLDS, wordWrap=True)
        layout = self.layout()
        if isinstance(layout, QGridLayout):  # Qt's dialog is a grid: the box and the note go in rows of their own
            row = layout.rowCount()
            layout.addWidget(self.pseudonymise, row, 0, 1, layout.columnCount())
            layout.addWidget(holds, row + 1, 0, 1, layout.columnCount())


def save_file_name(parent: QWidget | None, title: str, start: str, filters: str) -> tuple[str, str, bool]:
    """(the file chosen, the type chosen, pseudonymise?) as the person left the dialog; ('', '', False) if they
    cancelled it."""
    dialog = ExportFileDialog(parent, title, start, filters)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return "", "", False
    return dialog.selectedFiles()[0], dialog.selectedNameFilter(), dialog.pseudonymise.isChecked()
