"""The File menu's data in and out: a force extract imported, a copy of the audit saved, an audit package exported
(part of a sample to audit offline) or merged back (ui/package_dialog.py).

A part of the main window (ui/main_window.py), not a mixin: it reads the window's AuditState and calls the
window's operations by their names on the window; every database call goes through the runner.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox

from cdi_workbench.audit import operations as ops

from .session_flow import ask_passphrase
from .state import AuditState

if TYPE_CHECKING:
    from .main_window import MainWindow


class FileActions:
    """File-menu actions of the main window that bring data in or take it out."""

    def __init__(self, window: MainWindow, state: AuditState) -> None:
        self.window, self.state = window, state

    def import_extract(self) -> None:
        w, db = self.window, self.state.db
        if db is None:
            return
        from .import_dialog import ImportDialog

        dialog = ImportDialog(db, w.runner, self.state.user, w)
        dialog.imported.connect(self._imported)
        dialog.open()
        w.import_dialog = dialog

    def _imported(self, _report: object) -> None:
        self.window.load_queue()
        self.window.refresh_findings()

    def save_copy(self) -> None:
        """File > Save a copy…: the open audit with every verdict, the write-ahead log included (core:
        cdi_workbench.backup, SQLite's backup API); an existing file is replaced only when the person says so."""
        w, db = self.window, self.state.db
        if db is None:
            return
        from cdi_workbench.backup import why_not

        if why_not(db):
            w.show_error("No copy saved", why_not(db))
            return
        here = Path(db.target)
        path, _ = QFileDialog.getSaveFileName(w, "Save a copy of the audit", str(here.with_name(
            f"{here.stem} copy{here.suffix}")), "Audit databases (*.db);;All files (*)",
            options=QFileDialog.Option.DontConfirmOverwrite)
        if not path:
            return
        replace = Path(path).exists()
        if replace and QMessageBox.question(
                w, "Save a copy", f"{Path(path).name} already exists. Replace it with a copy of this "
                                  "audit?") != QMessageBox.StandardButton.Yes:
            return
        assert self.state.svc is not None
        w.runner.run(partial(ops.save_copy, self.state.svc, path, replace),
                     lambda p: w.statusBar().showMessage(f"Saved a copy of the audit to {p}", 8000),
                     lambda msg: w.show_error("No copy saved", msg))

    def export_verdicts(self) -> None:
        """File > Export verdicts… (ui/verdict_export.py)."""
        from .verdict_export import export_verdicts

        export_verdicts(self.window, self.state)

    def export_package(self) -> None:
        """Part of a sample to a .cdipkg file to audit offline (ui/package_dialog.py), encrypted with a passphrase
        asked for first, to give its recipient separately."""
        from .package_dialog import open_export

        if self.state.db is None:
            return
        passphrase = ask_passphrase(self.window, ops.PassphraseRequest(Path(), package=True, new=True))
        if passphrase is None:
            return
        if why := ops.weak_passphrase(passphrase):
            self.window.show_error("No package exported", why.capitalize())
            return
        ops.set_package_passphrase(self.state.db, passphrase)  # for packages of this audit, while it is open
        open_export(self.window)

    def import_package(self, path: str | None = None) -> None:
        """Merge a package back: the plan, conflicts resolved one by one, then one transaction (an encrypted
        package's passphrase asked for first, on this thread)."""
        from .package_dialog import FILTER, open_import

        if self.state.db is None:
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(self.window, "Import an audit package", "", FILTER)
        if not path or not ops.unlock(path, partial(ask_passphrase, self.window)):
            return
        open_import(self.window, path)
