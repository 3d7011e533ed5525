"""File > Export verdicts… (issue 13: the window had no verdicts export): the save dialog with the pseudonymise
box and what the file holds, a plain CSV of the rationales only after a question answered yes, and the file
written through the same core as `cdi verdicts export` (its trail row)."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QFileDialog, QLabel, QLineEdit, QMessageBox

from cdi_workbench.reports.common import MARKING

from .conftest import open_window
from .test_pseudonymise_gui import ORIGINALS, _with_rationale


def _save_as(out: Path, tick: bool, seen: list[str]) -> None:
    """As a person would: the name typed, the box ticked or not, Save."""
    dialog = next((d for d in QApplication.topLevelWidgets() if isinstance(d, QFileDialog) and d.isVisible()), None)
    if dialog is None:
        QTimer.singleShot(50, lambda: _save_as(out, tick, seen))
        return
    try:
        holds = dialog.findChild(QLabel, "holds")
        seen.append(holds.text() if holds is not None else "")
        box = dialog.findChild(QCheckBox, "pseudonymise")
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        assert box is not None and name is not None and not box.isChecked()
        box.setChecked(tick)
        name.setText(str(out))
    finally:
        dialog.accept()


def _action(w, text: str):  # noqa: ANN001, ANN202
    return next(a for a in w.menuBar().actions()[0].menu().actions() if a.text() == text)


def test_the_verdicts_export_pseudonymised(qtbot, small_db, settings, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    _with_rationale(small_db)
    w = open_window(qtbot, small_db, settings)
    out = tmp_path / "verdicts.csv"
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    seen: list[str] = []
    QTimer.singleShot(50, lambda: _save_as(out, True, seen))
    action = _action(w, "Export &verdicts…")
    assert action.isEnabled()
    action.trigger()
    qtbot.waitUntil(lambda: out.exists() and not w.runner.busy, timeout=15000)
    assert not asked  # pseudonymised: no plain free text to ask about
    assert MARKING in seen[0]
    text = out.read_text(encoding="utf-8-sig")
    assert not [o for o in ORIGINALS if o in text] and "[Person 1]" in text
    assert (tmp_path / "verdicts.csv.pseudonymisation.txt").exists()
    w.close()


def test_a_plain_csv_is_written_only_after_yes(qtbot, small_db, settings, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    _with_rationale(small_db)
    w = open_window(qtbot, small_db, settings)
    out = tmp_path / "plain.csv"
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or answers.pop(0))
    action = _action(w, "Export &verdicts…")
    for _ in range(2):
        QTimer.singleShot(50, lambda: _save_as(out, False, []))
        action.trigger()
        qtbot.waitUntil(lambda: not w.runner.busy, timeout=15000)
        if not out.exists():
            assert "cannot be protected with a password" in asked[-1]
    qtbot.waitUntil(lambda: out.exists(), timeout=15000)
    assert len(asked) == 2
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert any("Thistlewood" in (r.get("rationale") or "") for r in rows)
    w.close()
