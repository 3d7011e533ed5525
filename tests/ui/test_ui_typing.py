"""What `mypy ui` found in the window's code (issue 11, type checking): widgets kept under names that hid Qt's own
methods (a dialog's `size` and `scroll`), dialogs set on the window without being declared on it, and the helper
that names a widget for the tests (PySide6's stubs take no `objectName=` keyword)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSpinBox

from ui.main_window import MainWindow
from ui.package_dialog import MergeDialog
from ui.sample_dialog import SampleDialog
from ui.widgets import named

from .conftest import open_window, settle

DIALOGS = ("sample_dialog", "import_dialog", "package_dialog", "history_dialog", "drill_dialog", "recorded_dialog",
           "help_dialog", "assign_dialog", "disagreements_dialog", "people_dialog", "challenges_dialog")


def test_named_gives_the_widget_its_name_and_returns_it(qtbot) -> None:  # noqa: ANN001
    label = QLabel("text")
    qtbot.addWidget(label)
    assert named(label, "heading") is label and label.objectName() == "heading"


def test_the_sample_dialog_keeps_qwidget_size(qtbot, small_db, settings) -> None:  # noqa: ANN001
    """The size box was `self.size`, hiding QWidget.size(): anything asking the dialog its size got a spin box."""
    w = open_window(qtbot, small_db, settings)
    qtbot.keyClick(w, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: isinstance(w.sample_dialog, SampleDialog) and w.sample_dialog.isVisible())
    d = w.sample_dialog
    assert isinstance(d, SampleDialog)
    assert isinstance(d.size(), QSize) and d.size() == d.geometry().size()
    assert d.findChild(QSpinBox, "size") is d.size_box  # the object name the tests find it by is kept
    d.reject()
    settle(qtbot, w)
    w.close()


def test_the_merge_dialog_keeps_qwidget_scroll(qtbot, small_db, settings, tmp_path: Path) -> None:  # noqa: ANN001
    """The conflicts' scroll area was `self.scroll`, hiding QWidget.scroll(dx, dy)."""
    w = open_window(qtbot, small_db, settings, user="Lead L")
    w.import_package(str(tmp_path / "missing.cdipkg"))  # refused (no such file): the dialog is built all the same
    d = w.package_dialog
    assert isinstance(d, MergeDialog)
    settle(qtbot, w)
    d.scroll(0, 0)  # QWidget's own method, callable again
    assert d.conflict_scroll.objectName() == "conflicts" and d.conflict_scroll.widget() is d.conflict_area
    d.reject()
    w.close()


def test_the_window_declares_the_dialogs_its_parts_open(qtbot, settings) -> None:  # noqa: ANN001
    """Each dialog a part keeps on the window is declared there (None until opened), as is the trail warning."""
    w = MainWindow(user="Inspector Test", settings=settings)
    qtbot.addWidget(w)
    assert {name: getattr(w, name) for name in (*DIALOGS, "trail_warning")} == dict.fromkeys(
        (*DIALOGS, "trail_warning"))
    w.close()
