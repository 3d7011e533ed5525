from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from tests.builders import small_audit
from ui.main_window import MainWindow


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    path = tmp_path / "audit.db"
    small_audit(path).close()
    return path


def open_window(qtbot, path: Path, settings: QSettings, user: str = "Inspector Test") -> MainWindow:  # noqa: ANN001
    w = MainWindow(user=user, settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    w.open_database(str(path))
    qtbot.waitUntil(lambda: w.panel.detail is not None and not w.runner.busy, timeout=10000)
    return w


def settle(qtbot, w: MainWindow) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: not w.runner.busy, timeout=10000)
    qtbot.wait(20)
    qtbot.waitUntil(lambda: not w.runner.busy, timeout=10000)
