"""File > Recorded crime for the annual estimate… sets the open audit's figures (issue 14: each audit of a programme
has its own): entered with the first audit open they are its estimate's and not the next audit's; with the next
audit open the editor starts from that audit's (none) and saves them to it, the first audit's left as they were."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QSpinBox

from cdi_workbench.audit.programme import create
from cdi_workbench.findings import compute
from cdi_workbench.storage.database import Database
from tests.builders import small_audit
from ui.main_window import MainWindow
from ui.paths import remember_audit

from .conftest import settle

FIRST, JULY = "2014-01-01 to 2014-06-30", "2014-07"
ALL = "All crimes (excluding fraud)"


@pytest.fixture
def programme_db(tmp_path: Path) -> Path:
    path = tmp_path / "programme.db"
    db = small_audit(path)
    create(db, JULY, date(2014, 7, 1), date(2014, 7, 31), "2014")
    db.close()
    return path


def _estimates(path: Path) -> tuple[dict[str, int], dict[str, int]]:
    db = Database(path)
    try:
        out = []
        for name in (FIRST, JULY):
            t = next((t for t in compute(db, audit=name).tables if t.key == "unrecorded_estimate"), None)
            out.append({} if t is None else {r.label: int(r.cells[0].value) for r in t.rows})  # type: ignore[arg-type]
        return out[0], out[1]
    finally:
        db.close()


def _open(qtbot, w: MainWindow, name: str) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: w.info is not None and w.info.name == name and w.person is not None, timeout=10000)
    settle(qtbot, w)
    qtbot.waitUntil(lambda: not w.reader.busy, timeout=10000)
    settle(qtbot, w)


def _enter(qtbot, w: MainWindow, all_crimes: int) -> int:  # noqa: ANN001
    """Open the editor from the File menu, type the figure for all crimes and save; what the box first showed."""
    w.recorded_dialog = None
    file_menu = w.menuBar().actions()[0].menu()
    action = next(a for a in file_menu.actions() if a.text() == "Recorded crime for the annual &estimate…")
    assert action.isEnabled()
    action.trigger()
    qtbot.waitUntil(lambda: w.recorded_dialog is not None and w.recorded_dialog.isVisible(), timeout=10000)
    dialog = w.recorded_dialog
    assert dialog is not None
    box = dialog.findChildren(QSpinBox)[0]  # the first group: all crimes (excluding fraud)
    shown = box.value()
    box.setValue(all_crimes)
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    settle(qtbot, w)
    return shown


def test_the_editor_sets_the_open_audits_figures(qtbot, programme_db: Path, settings) -> None:  # noqa: ANN001
    remember_audit(settings, str(programme_db.resolve()), FIRST)  # the window opens on the first audit
    w = MainWindow(user="Inspector Test", settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.open_database(str(programme_db))
    _open(qtbot, w, FIRST)

    assert _enter(qtbot, w, 59000) == 0
    assert _estimates(programme_db) == ({ALL: 59000}, {})
    # the findings dock shows the open audit's estimate
    qtbot.waitUntil(lambda: w.findings_view.findings is not None and any(
        t.key == "unrecorded_estimate" for t in w.findings_view.findings.tables), timeout=10000)

    w.open_audit(JULY)
    _open(qtbot, w, JULY)
    assert _enter(qtbot, w, 40000) == 0  # July's own figures: none yet, not the first audit's
    assert _estimates(programme_db) == ({ALL: 59000}, {ALL: 40000})

    w.open_audit(FIRST)
    _open(qtbot, w, FIRST)
    assert _enter(qtbot, w, 61000) == 59000  # the editor shows the open audit's figures
    assert _estimates(programme_db) == ({ALL: 61000}, {ALL: 40000})
    w.close()


def test_the_challenges_dialog_lists_the_open_audits(qtbot, programme_db: Path, settings,  # noqa: ANN001
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The force's challenges are those of the audit open in the window, not the programme's latest (July)."""
    import ui.challenges_dialog as dialog_module

    asked: list[str | None] = []

    def rows(db, findings=None, audit=None):  # noqa: ANN001, ANN202
        asked.append(audit)
        return []

    monkeypatch.setattr(dialog_module, "challenge_rows", rows)
    remember_audit(settings, str(programme_db.resolve()), FIRST)
    w = MainWindow(user="Inspector Test", settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.open_database(str(programme_db))
    _open(qtbot, w, FIRST)
    w.review_actions.show_challenges()
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert asked == [FIRST]
    w.close()
