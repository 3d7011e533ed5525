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
    if db_path:
        window.open_database(db_path)
    return app.exec()
