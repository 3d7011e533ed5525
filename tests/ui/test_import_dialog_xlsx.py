"""The import dialog's progress and cancel on a workbook read by python-calamine (issue 15: the compiled xlsx
reader, spreadsheets.xlsx_fast, asked for with CDI_XLSX_READER=calamine): the real dialog, the real importer and
reader, a sheet of six chunks. As for the CSV path (test_import_dialog_arrow, whose steps these share), a gate in
the progress callback holds the import part-way so that Cancel is clicked while it runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdi_workbench.importing.reader import CHUNK

from .test_import_dialog_arrow import ROWS, _cancelled, _finished, _import_held, _incidents

pytest.importorskip("python_calamine")


def _workbook(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()  # (not write-only: that writes no <dimension>, and the total is then not known)
    ws = wb.active
    ws.title = "Incidents"
    ws.append(["incident_ref", "received_at", "opening_code", "narrative"])
    for n in range(ROWS):
        ws.append([f"BIG-{n:06d}", f"{n % 28 + 1:02d}/02/2014 {n % 24:02d}:{n % 60:02d}", "Domestic Incident",
                   f"Caller reports shouting next door ({n})"])
    wb.save(path)
    return path


def test_progress_advances_on_a_workbook_read_by_calamine(qtbot, small_db, settings, tmp_path: Path,  # noqa: ANN001
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CDI_IMPORT_PATH", raising=False)
    monkeypatch.setenv("CDI_XLSX_READER", "calamine")  # (opt-in: spreadsheets.xlsx_fast.OPT_IN)
    spy, w, d, go, before = _import_held(qtbot, small_db, settings, monkeypatch, _workbook(tmp_path / "big.xlsx"),
                                         3 * CHUNK)
    # part-way: the rows imported so far of the sheet's rows (a workbook's total is known from the start)
    qtbot.waitUntil(lambda: f"Importing: {3 * CHUNK:,} of about {ROWS:,} rows" in d.progress_dialog.labelText(),
                    timeout=10000)
    assert 0 < d.progress_dialog.value() < d.progress_dialog.maximum()
    _finished(qtbot, w, d, go)
    assert spy.paths == ["calamine", "calamine"]  # the check, then the import: both read by calamine
    assert [n for n, _ in spy.steps] == [0, *range(CHUNK, ROWS, CHUNK), ROWS]  # after every chunk, to every row
    assert all(t == ROWS for _, t in spy.steps[1:])
    w.close()
    assert _incidents(small_db) == (before + ROWS, ROWS)


def test_cancel_part_way_rolls_back_a_workbook_read_by_calamine(qtbot, small_db, settings,  # noqa: ANN001
                                                                tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CDI_IMPORT_PATH", raising=False)
    monkeypatch.setenv("CDI_XLSX_READER", "calamine")  # (opt-in: spreadsheets.xlsx_fast.OPT_IN)
    spy, w, d, clicked, before = _import_held(qtbot, small_db, settings, monkeypatch,
                                              _workbook(tmp_path / "big.xlsx"), 2 * CHUNK)
    _cancelled(qtbot, w, d, clicked, 2 * CHUNK)
    assert spy.paths == ["calamine"]  # the check (the import raised ImportCancelled: no result)
    assert [n for n, _ in spy.steps] == [0, CHUNK, 2 * CHUNK]  # cancelled at the first check after Cancel
    w.close()
    assert _incidents(small_db) == (before, 0)  # rolled back: nothing written
