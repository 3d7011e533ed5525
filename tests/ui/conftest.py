from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from tests.builders import small_audit
from ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def _no_unexpected_message_box(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal message box nobody answers waits for ever (offscreen, in CI): one a test did not plan for (by
    replacing it, or the window's show_error) fails the test at once instead, saying what it would have shown."""

    def refused(kind: str):  # noqa: ANN202
        def box(*args: object, **kwargs: object) -> object:
            said = args[2] if len(args) > 2 else kwargs.get("text", "")
            raise AssertionError(f"an unexpected modal message box ({kind}) would have waited for a click: {said}")
        return staticmethod(box)

    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, refused(kind))


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
