"""The window's protected exports (issue 13): the findings' save dialog has the "Protect with a password (PDF and
Excel)" check box and says what the file holds and its marking; ticked, the password is asked twice and the
workbook is written encrypted; an empty password or two that differ write nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QInputDialog, QLabel, QLineEdit

from cdi_workbench.reports.common import MARKING
from cdi_workbench.reports.protect import decrypt_workbook
from ui.export_options import PROTECT, ExportFileDialog

from .conftest import open_window

PASSWORD = "Larkspur-17"


def _save_through_dialog(out: Path, seen: list[str], json_note: list[str]) -> None:
    """As a person would: the box ticked, the name typed, Save (the dialog found once it is shown)."""
    dialog = next((d for d in QApplication.topLevelWidgets() if isinstance(d, ExportFileDialog) and d.isVisible()),
                  None)
    if dialog is None:
        QTimer.singleShot(50, lambda: _save_through_dialog(out, seen, json_note))
        return
    try:
        box = dialog.findChild(QCheckBox, "protect")
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        note = dialog.findChild(QLabel, "protect_note")
        seen.extend(label.text() for label in dialog.findChildren(QLabel) if label.text())
        assert box is not None and box.text() == PROTECT and not box.isChecked()  # clear unless ticked
        assert name is not None and note is not None
        box.setChecked(True)
        name.setText("findings.json")  # a JSON file: the dialog says it cannot be protected
        json_note.append(note.text() if note.isVisibleTo(dialog) else "")
        name.setText(str(out))
        assert not note.isVisibleTo(dialog)  # an .xlsx can be
    finally:
        dialog.accept()


def _answers(monkeypatch: pytest.MonkeyPatch, *given: str) -> list[tuple[str, object]]:
    """QInputDialog.getText answers `given` in turn; what was asked (the label and the echo mode) is returned."""
    asked: list[tuple[str, object]] = []
    left = list(given)

    def get_text(_parent, _title, label, echo=QLineEdit.EchoMode.Normal, *_a, **_k):  # noqa: ANN001, ANN002, ANN003, ANN202
        asked.append((label, echo))
        return left.pop(0), True

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    return asked


def test_a_protected_workbook_is_written_encrypted(qtbot, small_db, settings, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings)
    out = tmp_path / "findings.xlsx"
    asked = _answers(monkeypatch, PASSWORD, PASSWORD)
    seen: list[str] = []
    json_note: list[str] = []
    QTimer.singleShot(50, lambda: _save_through_dialog(out, seen, json_note))
    w.export_findings()  # the dialog runs until it is saved
    qtbot.waitUntil(lambda: out.exists() and not w.runner.busy, timeout=15000)
    assert any(f"Marking: {MARKING}" in t and "Contains the findings, every verdict and its rationale" in t
               for t in seen), seen
    assert "cannot be protected" in json_note[0] and "JSON" in json_note[0]
    assert len(asked) == 2 and all(echo == QLineEdit.EchoMode.Password for _label, echo in asked)
    assert not zipfile.is_zipfile(out)  # a plain workbook is a zip; an encrypted one is not
    with pytest.raises(Exception):  # noqa: B017, PT011 (openpyxl's own error for a file that is not a workbook)
        load_workbook(out)
    book = load_workbook(decrypt_workbook(out, PASSWORD))
    assert book.sheetnames
    w.close()


@pytest.mark.parametrize("answers", [(PASSWORD, "Larkspur-18"), ("",)], ids=["differ", "empty"])
def test_two_passwords_that_differ_or_none_write_nothing(qtbot, small_db, settings, tmp_path, monkeypatch,  # noqa: ANN001
                                                         answers) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings)
    out = tmp_path / "findings.xlsx"
    _answers(monkeypatch, *answers)
    errors: list[str] = []
    monkeypatch.setattr(w, "show_error", lambda title, details="": errors.append(f"{title}: {details}"))
    QTimer.singleShot(50, lambda: _save_through_dialog(out, [], []))
    w.export_findings()
    qtbot.wait(300)
    assert not w.runner.busy
    assert not out.exists() and not list(tmp_path.glob("findings*"))
    assert errors and "nothing was written" in errors[0]
    w.close()
