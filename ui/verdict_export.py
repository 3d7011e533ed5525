"""File > Export verdicts…: the effective verdicts as CSV or .xlsx (cdi_workbench.audit.export_operations), with
the "Pseudonymise" check box and what the file holds and its marking; a plain CSV of the rationales is written only
after a question (it cannot be protected with a password)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QDialog, QFileDialog, QGridLayout, QLabel, QMessageBox, QWidget

from cdi_workbench.audit import export_operations as ops
from cdi_workbench.reports.common import MARKING

from .export_options import PSEUDONYMISE, PSEUDONYMISE_TIP
from .paths import export_start, remember_export
from .widgets import named

if TYPE_CHECKING:
    from .main_window import MainWindow
    from .state import AuditState

HOLDS = (f"Contains the effective verdict of every audited record (the lead's final one where given): the answers, "
         f"the rationale and the reasons, one row per crime identified. Marking: {MARKING}. A CSV file cannot be "
         "protected with a password; .xlsx is the safer choice.")


def choose_file(parent: QWidget | None, start: str) -> tuple[str, bool]:
    """(the file chosen, pseudonymise?); ('', False) if cancelled. Qt's own dialog, with the check box under it."""
    dialog = QFileDialog(parent, "Export verdicts", start, "Excel workbook (*.xlsx);;CSV (*.csv)")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    box = named(QCheckBox(PSEUDONYMISE), "pseudonymise")
    box.setToolTip(PSEUDONYMISE_TIP)
    holds = named(QLabel(HOLDS, wordWrap=True), "holds")
    layout = dialog.layout()
    if isinstance(layout, QGridLayout):
        row = layout.rowCount()
        layout.addWidget(box, row, 0, 1, layout.columnCount())
        layout.addWidget(holds, row + 1, 0, 1, layout.columnCount())
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return "", False
    path = dialog.selectedFiles()[0]
    if not Path(path).suffix:
        path += ".csv" if "*.csv" in dialog.selectedNameFilter() else ".xlsx"
    return path, box.isChecked()


def confirm_plain(parent: QWidget | None, question: str) -> bool:
    answer = QMessageBox.question(parent, "Write a plain CSV?", f"{question}\n\nWrite it?",
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def export_verdicts(window: MainWindow, state: AuditState) -> None:
    w, svc = window, state.svc
    if svc is None:
        return
    path, pseudonymise = choose_file(w, export_start(w.settings, state.db, "verdicts.xlsx"))
    if not path:
        return
    question = ops.plain_text_question(path, pseudonymise)
    if question and not confirm_plain(w, question):
        w.statusBar().showMessage("Not exported: nothing was written.", 8000)
        return
    remember_export(w.settings, path)

    def done(result: ops.VerdictsExported) -> None:
        extra = f"; what was replaced: {result.report.name}" if result.report else ""
        w.statusBar().showMessage(f"Wrote {result.rows:,} rows of verdicts to {result.path}{extra}", 10000)

    w.runner.run(partial(ops.export_verdicts, svc, path, pseudonymise), done,
                 lambda msg: w.show_error("The verdicts were not exported", msg))
