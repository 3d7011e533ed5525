"""The window's pseudonymised exports (issue 13): the findings' save dialog has the "Pseudonymise names, addresses
and other identifiers" check box, the History window has it beside Export, and each export ticked is written
pseudonymised, its report beside it and its row in the trail saying so."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.storage.database import Database
from ui.export_options import PSEUDONYMISE, ExportFileDialog

from .conftest import open_window, settle

RATIONALE = ("Spoke to Mr Thistlewood at 14 Larkspur Avenue, ST16 2AB, on 07700 900123 (DOB 12/03/1985). "
             "PC 4458 attended at 14:32; no crime.")
ORIGINALS = ("Thistlewood", "Larkspur", "ST16 2AB", "07700 900123", "12/03/1985")


def _with_rationale(path: Path) -> int:
    db = Database(path)
    try:
        svc = AuditService(db, "Inspector A")
        item = svc.queue(1)[0].item_id
        svc.save_verdict(item, VerdictBody(zero_status=True, complete=True, rationale=RATIONALE))
        return item
    finally:
        db.close()


def _export_rows(path: Path, item: int) -> list:
    db = Database(path)
    try:
        return [ch for ch in AuditService(db, "Inspector A").history(item) if ch.action == "export"] + [
            ch for ch in AuditService(db, "Inspector A").history(0) if ch.action == "export"]
    finally:
        db.close()


def test_the_findings_save_dialog_pseudonymises_when_ticked(qtbot, small_db, settings, tmp_path) -> None:  # noqa: ANN001
    item = _with_rationale(small_db)
    w = open_window(qtbot, small_db, settings)
    out = tmp_path / "findings.json"
    seen: list[ExportFileDialog] = []

    def fill_in() -> None:  # as a person would: the name typed, the box ticked, Save
        dialog = next((d for d in QApplication.topLevelWidgets() if isinstance(d, ExportFileDialog)
                       and d.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(50, fill_in)
            return
        seen.append(dialog)
        box = dialog.findChild(QCheckBox, "pseudonymise")
        name = dialog.findChild(QLineEdit, "fileNameEdit")  # Qt's own save dialog: the file name as typed
        try:
            assert box is not None and box.text() == PSEUDONYMISE and not box.isChecked()  # clear unless ticked
            assert name is not None and name.text() == "findings.xlsx"
            box.setChecked(True)
            name.setText(str(out))
            assert dialog.selectedFiles() == [str(out)]
        finally:
            dialog.accept()

    QTimer.singleShot(50, fill_in)
    w.export_findings()  # the dialog runs until fill_in saves
    qtbot.waitUntil(lambda: out.exists() and not w.runner.busy, timeout=15000)
    assert seen
    doc = json.loads(out.read_text(encoding="utf-8"))
    rationale = next(v["rationale"] for v in doc["verdicts"] if v["item_id"] == item)
    assert not [o for o in ORIGINALS if o in rationale], rationale
    assert rationale.startswith("Spoke to Mr [Person 1] at [Address 1], [Postcode 1], on [Phone 1] (DOB [Date of "
                                "birth 1]).") and "PC 4458 attended at 14:32" in rationale
    report = tmp_path / "findings.json.pseudonymisation.txt"
    assert report.exists() and "Thistlewood" not in report.read_text(encoding="utf-8")
    row = next(ch for ch in _export_rows(small_db, item) if ch.new_body.get("file") == "findings.json")
    assert row.new_body["pseudonymised"]["replacements"]["name"] == 1 and row.reason.endswith(", pseudonymised")
    w.close()


def test_the_findings_export_stays_as_it_was_without_the_box(qtbot, small_db, settings, tmp_path) -> None:  # noqa: ANN001
    item = _with_rationale(small_db)
    w = open_window(qtbot, small_db, settings)
    out = tmp_path / "plain.json"
    w.export_to(out)
    qtbot.waitUntil(lambda: out.exists() and not w.runner.busy, timeout=15000)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert next(v["rationale"] for v in doc["verdicts"] if v["item_id"] == item) == RATIONALE
    assert not (tmp_path / "plain.json.pseudonymisation.txt").exists() and "pseudonymised" not in doc["audit"]
    w.close()


def test_the_history_window_exports_pseudonymised_when_ticked(qtbot, small_db, settings, tmp_path) -> None:  # noqa: ANN001
    item = _with_rationale(small_db)
    w = open_window(qtbot, small_db, settings)
    w.go_to_item(item)
    qtbot.waitUntil(lambda: w.state.current_item == item and not w.runner.busy, timeout=5000)
    w.show_history()
    qtbot.waitUntil(lambda: getattr(w, "history_dialog", None) is not None, timeout=5000)
    box = w.history_dialog.pseudonymise
    assert box.text() == PSEUDONYMISE and not box.isChecked()
    box.setChecked(True)
    out = tmp_path / "h.csv"
    w.history_dialog.export(str(out))
    settle(qtbot, w)
    qtbot.waitUntil(out.exists, timeout=5000)
    text = out.read_text(encoding="utf-8")
    assert not [o for o in ORIGINALS if o in text] and "[Person 1]" in text and "PC 4458" in text
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and all(r["hash"] == "" for r in rows)
    assert (tmp_path / "h.csv.pseudonymisation.txt").exists()
    row = next(ch for ch in _export_rows(small_db, item) if ch.new_body.get("file") == "h.csv")
    assert row.new_body["pseudonymised"]["replacements"]["postcode"] == 1
    w.history_dialog.close()
    w.close()
