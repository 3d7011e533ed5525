"""The import dialog's progress and cancel on the compiled read path (issue 15): the real dialog, the real
importer and pyarrow's reader, a CSV of several chunks. The only thing added is a gate in the importer's progress
callback, so that Cancel is clicked while the import is part-way, not after it has finished."""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import func, select

from cdi_workbench import importing
from cdi_workbench.importing import importer
from cdi_workbench.importing.reader import CHUNK
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import ReportRecord

from .conftest import open_window, settle

pytest.importorskip("pyarrow")

ROWS = 5 * CHUNK + 123  # six chunks: six progress steps after the first (0)


def _extract(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["incident_ref", "received_at", "opening_code", "narrative"])
        for n in range(ROWS):
            w.writerow([f"BIG-{n:06d}", f"{n % 28 + 1:02d}/02/2014 {n % 24:02d}:{n % 60:02d}", "Domestic Incident",
                        f"Caller reports shouting next door ({n})"])
    return path


class _Spy:
    """Which read path read each file (CompiledReader made, chunks it gave) and the progress the importer gave."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.readers: list[Any] = []
        self.chunks = 0
        self.steps: list[tuple[int, int | None]] = []
        self.paths: list[str] = []
        spy = self
        made = importer.CompiledReader

        class Reader(made):  # type: ignore[misc, valid-type]
            def __init__(self, *a: Any, **k: Any) -> None:
                super().__init__(*a, **k)
                spy.readers.append(self)

            def chunks(self) -> Any:
                for chunk in super().chunks():
                    spy.chunks += 1
                    yield chunk

        monkeypatch.setattr(importer, "CompiledReader", Reader)
        run = importer._Run._run

        def recorded(self: Any, *a: Any) -> Any:
            result = run(self, *a)
            spy.paths.append(result.read_path)
            return result

        monkeypatch.setattr(importer._Run, "_run", recorded)


def _open_dialog(qtbot, small_db: Path, settings, extract: Path):  # noqa: ANN001, ANN202
    w = open_window(qtbot, small_db, settings)
    qtbot.keyClick(w, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(w, "import_dialog", None) is not None and w.import_dialog.isVisible())
    d = w.import_dialog
    d.kind.setCurrentIndex(d.kind.findData("incidents"))
    d.path.setText(str(extract))
    d.refresh()
    settle(qtbot, w)
    qtbot.waitUntil(lambda: d.import_button.isEnabled(), timeout=10000)
    return w, d


def _incidents(path: Path) -> tuple[int, int]:
    db = Database(path)
    try:
        with db.session() as s:
            every = s.scalar(select(func.count()).select_from(ReportRecord).where(ReportRecord.kind == "incident"))
            big = s.scalar(select(func.count()).select_from(ReportRecord).where(ReportRecord.ref.like("BIG-%")))
    finally:
        db.close()
    return every, big


def _gated(monkeypatch: pytest.MonkeyPatch, spy: _Spy, at: int) -> tuple[threading.Event, threading.Event]:
    """import_file with its progress recorded, and held (on the worker thread) at the first step of `at` rows or
    more until the test lets it go: (reached, go)."""
    reached, go = threading.Event(), threading.Event()
    real = importing.import_file

    def import_file(*a: Any, progress: Any = None, **k: Any) -> Any:
        def step(done: int, total: int | None) -> None:
            spy.steps.append((done, total))
            progress(done, total)
            if done >= at and not reached.is_set():
                reached.set()
                assert go.wait(30), "the test did not let the import go on"

        return real(*a, progress=step, **k)

    monkeypatch.setattr(importing, "import_file", import_file)  # (the dialog imports it when Import is clicked)
    return reached, go


def _import_held(qtbot, small_db, settings, monkeypatch: pytest.MonkeyPatch, extract: Path,  # noqa: ANN001, ANN202
                 at: int):
    """The dialog opened on `extract`, Import clicked, and the import held part-way at `at` rows or more:
    (the spy, the window, the dialog, the event that lets the import go on, the incidents before)."""
    spy = _Spy(monkeypatch)
    before, _ = _incidents(small_db)
    w, d = _open_dialog(qtbot, small_db, settings, extract)
    reached, go = _gated(monkeypatch, spy, at)
    qtbot.mouseClick(d.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(reached.is_set, timeout=60000)
    return spy, w, d, go, before


def _finished(qtbot, w, d, go: threading.Event) -> None:  # noqa: ANN001
    """Let the held import go on, and wait for the dialog to say what was added."""
    go.set()
    qtbot.waitUntil(lambda: "added" in d.message.text(), timeout=60000)
    settle(qtbot, w)
    assert d.message.text().startswith(f"{ROWS:,} rows read: added {ROWS:,}"), d.message.text()


def _cancelled(qtbot, w, d, clicked: threading.Event, at: int) -> None:  # noqa: ANN001
    """Click Cancel on the progress dialog while the import is held at `at` rows, and wait for the roll-back."""
    dialog = d.progress_dialog
    qtbot.waitUntil(lambda: f"Importing: {at:,} of about " in dialog.labelText(), timeout=10000)
    qtbot.waitUntil(dialog.isVisible, timeout=10000)
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    clicked.set()
    qtbot.waitUntil(lambda: "cancelled" in d.message.text(), timeout=30000)
    settle(qtbot, w)
    assert "nothing was written" in d.message.text()


def test_progress_advances_on_the_compiled_path(qtbot, small_db, settings, tmp_path: Path,  # noqa: ANN001
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CDI_IMPORT_PATH", raising=False)
    spy, w, d, go, before = _import_held(qtbot, small_db, settings, monkeypatch, _extract(tmp_path / "big.csv"),
                                         3 * CHUNK)
    # part-way, the dialog shows the rows imported so far and an estimate of them all
    qtbot.waitUntil(lambda: f"Importing: {3 * CHUNK:,} of about " in d.progress_dialog.labelText(), timeout=10000)
    assert 0 < d.progress_dialog.value() < d.progress_dialog.maximum()
    _finished(qtbot, w, d, go)
    assert spy.paths == ["compiled", "compiled"]  # the check, then the import: both on the compiled path
    assert len(spy.readers) == 2 and spy.chunks == 2 * 6
    assert [n for n, _ in spy.steps] == [0, *range(CHUNK, ROWS, CHUNK), ROWS]  # after every chunk, to every row
    assert all(t for _, t in spy.steps[1:]) and spy.steps[-1][1] == ROWS  # an estimate, exact at the end
    w.close()
    assert _incidents(small_db) == (before + ROWS, ROWS)


def test_cancel_part_way_rolls_back_on_the_compiled_path(qtbot, small_db, settings, tmp_path: Path,  # noqa: ANN001
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CDI_IMPORT_PATH", raising=False)
    spy, w, d, clicked, before = _import_held(qtbot, small_db, settings, monkeypatch,
                                              _extract(tmp_path / "big.csv"), 2 * CHUNK)
    _cancelled(qtbot, w, d, clicked, 2 * CHUNK)
    assert spy.paths == ["compiled"]  # the check (the import raised ImportCancelled: no result)
    assert len(spy.readers) == 2  # the import read on the compiled path too
    done = [n for n, _ in spy.steps]
    assert done == [0, CHUNK, 2 * CHUNK]  # cancelled at the first check after Cancel: no chunk more
    assert spy.chunks == 6 + 2
    w.close()
    assert _incidents(small_db) == (before, 0)  # rolled back: nothing written
