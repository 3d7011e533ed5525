"""Starting the GUI."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from .main_window import MainWindow


def run(db_path: str | None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("CDI Workbench")
    app.setOrganizationName("CDI Workbench")
    window = MainWindow()
    window.show()
    if not window.user:
        window.ask_user()
    if not db_path:
        from .start_dialog import StartDialog

        dialog = StartDialog(window.recent(), window)
        if dialog.exec():
            db_path = dialog.chosen
    if db_path:
        window.open_database(db_path)
    rc = app.exec()
    # Tear the window and its worker down while Qt is still alive: letting the interpreter's final
    # garbage collection do it crashes PySide6 (objects carried by queued signals outlive their owner).
    window.runner.wait()
    window.deleteLater()
    del window
    import gc

    gc.collect()
    return rc


def main() -> int:
    """`cdi-workbench [AUDIT_DB]`, the command an installed package provides (in the checkout: main.py)."""
    return run(sys.argv[1] if len(sys.argv) > 1 else None)
