"""Programme > Local configuration… in the real window (issue 14): the lead opens it with Ctrl+Shift+L (listed in
Help > Keyboard shortcuts), adds, edits and removes sub-codes, disposal types and extra checks in its three tables
and saves with Ctrl+S through the core (local_config.save, the checks `cdi config` makes): an unknown Home Office
code is refused by name, shown in the dialog on its row, and nothing is saved; once saved, the verdict panel on the
disposal open asks the new check and the findings show its column, without reopening the database. An auditor sees
the configuration read-only, with the core's reason, and the core refuses a save from them anyway. Esc closes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit

from cdi_workbench import local_config
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import VerdictBody
from tests.builders import small_audit
from ui.local_config_dialog import LocalConfigDialog
from ui.main_window import MainWindow

from .conftest import settle

SHOTS = os.environ.get("CDI_SCREENSHOTS")  # a folder to keep screenshots in, when set
LEAD, AUDITOR = "Lena Lead", "Alan Auditor"
KEY, LABEL = "interpreter_used", "Interpreter used"
QUESTION = "Was an interpreter used where the offender needed one?"
BUILT_IN = {"offender_suitable": True, "offender_made_aware": True, "victim_to_consult": False,
            "outcome_appropriate": True}


def _shot(widget, name: str) -> None:  # noqa: ANN001
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


@pytest.fixture(autouse=True)
def _no_checks_left_behind() -> Iterator[None]:
    yield
    local_config.deactivate()


@pytest.fixture
def programme_db(tmp_path: Path) -> Path:
    """The small audit with a lead and an auditor; the lead's verdict on the disposal, and the lead was last on its
    sample (the window opens on it); one sub-code mapped already."""
    path = tmp_path / "programme.db"
    db = small_audit(path)
    try:
        add_person(db, LEAD, LEAD, "lead")
        add_person(db, LEAD, AUDITOR, "auditor")
        svc = AuditService(db, LEAD)
        sid = next(s.id for s in svc.samples() if s.kind == "disposal")
        svc.save_verdict(svc.queue(sid)[0].item_id, VerdictBody(checks=BUILT_IN, complete=True))
        svc.remember("sample", str(sid))
        local_config.set_codes(db, {"105A/2": "105A"}, who=LEAD)
    finally:
        db.close()
    return path


def _open(qtbot, path: Path, settings, user: str) -> MainWindow:  # noqa: ANN001
    w = MainWindow(user=user, settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    w.open_database(str(path))
    qtbot.waitUntil(lambda: w.panel.detail is not None and w.person is not None, timeout=10000)
    settle(qtbot, w)
    return w


def _dialog(qtbot, w: MainWindow) -> LocalConfigDialog:  # noqa: ANN001
    """The dialog opened with its shortcut, once the core has said what is set."""
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=2000)
    qtbot.keyClick(w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: isinstance(w.audit_dialog, LocalConfigDialog) and w.audit_dialog.isVisible()
                    and w.audit_dialog.loaded is not None and not w.runner.busy, timeout=5000)
    d = w.audit_dialog
    assert isinstance(d, LocalConfigDialog)
    return d


def _set(table, row: int, *cells: str) -> None:  # noqa: ANN001
    for c, text in enumerate(cells):
        table.item(row, c).setText(text)


def _save(qtbot, w: MainWindow, d: LocalConfigDialog) -> None:  # noqa: ANN001
    d.activateWindow()
    d.save_button.setFocus()
    qtbot.keyClick(d.save_button, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: d.message.text() not in ("", "Saving…") and not w.runner.busy, timeout=5000)
    settle(qtbot, w)


def test_the_lead_adds_edits_removes_and_saves_and_the_window_asks_the_new_check(qtbot, programme_db, settings
                                                                                 ) -> None:  # noqa: ANN001
    w = _open(qtbot, programme_db, settings, LEAD)
    assert w.panel.detail is not None and w.panel.detail.kind == "disposal"
    assert KEY not in w.panel.checks.boxes
    d = _dialog(qtbot, w)
    assert [d.tabs.tabText(i) for i in range(d.tabs.count())] == ["Sub-&codes", "&Disposal types", "&Extra checks"]
    assert not d.why.isVisible() and d.save_button.isEnabled()
    assert d.codes.rows() == [["105A/2", "105A", "105A Assault without Injury"]]

    # sub-codes: one added, one with a code the Home Office list does not hold, its sub-code still being typed
    # when Ctrl+S is pressed
    d.tabs.setCurrentWidget(d.types)
    d.types.add_button.click()
    assert d.types.rows() == [["", "Caution"]]  # the first national type offered
    _set(d.types.table, 0, "Adult caution")
    d.tabs.setCurrentWidget(d.codes)
    d.codes.add_button.click()
    _set(d.codes.table, 1, "8N/01", "8n")
    d.codes.add_button.click()  # the new row's first cell is open for typing
    _set(d.codes.table, 2, "", "99Z")
    typing = QApplication.focusWidget()
    assert isinstance(typing, QLineEdit) and d.codes.table.isAncestorOf(typing)
    qtbot.keyClicks(typing, "8N/03")
    qtbot.keyClick(typing, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: d.message.text() not in ("", "Saving…") and not w.runner.busy, timeout=5000)
    assert d.message.text() == ("Nothing was saved: sub-code 8N/03: '99Z' is not a Home Office code in the "
                                "classification list.")
    assert d.tabs.currentWidget() is d.codes and d.codes.table.currentRow() == 2  # the row refused, shown
    assert [i.row() for i in d.codes.table.selectionModel().selectedRows()] == [2]
    assert local_config.load(w.db) == local_config.LocalConfig(codes={"105A/2": "105A"})  # nothing kept
    assert len(d.codes.rows()) == 3  # the edits are still there to correct
    _shot(d, "h2_local_config_refused")

    # corrected; a disposal type; an extra check of disposals; the first sub-code removed
    _set(d.codes.table, 2, "8N/03", "8N")
    d.codes.table.setCurrentCell(0, 0)
    d.codes.remove_button.click()
    d.tabs.setCurrentWidget(d.checks)
    d.checks.add_button.click()
    assert d.checks.rows() == [["disposal", "", "", ""]]
    _set(d.checks.table, 0, "disposal", KEY, LABEL, QUESTION)
    _shot(d.checks, "h2_local_config_checks_tab")
    _save(qtbot, w, d)
    assert d.message.text() == "Saved. The extra checks are asked and reported from now on."
    kept = local_config.load(w.db)
    assert kept.codes == {"8N/01": "8N", "8N/03": "8N"}
    assert kept.disposal_types == {"Adult caution": "Caution"}
    assert kept.checks == (local_config.LocalCheck("disposal", KEY, LABEL, QUESTION),)
    d.tabs.setCurrentWidget(d.codes)
    assert d.codes.rows() == [["8N/01", "8N", "8N Assault with injury"], ["8N/03", "8N", "8N Assault with injury"]]
    _shot(d, "h2_local_config")

    # the window picks the check up at once: the disposal open asks it, the findings have its column
    qtbot.waitUntil(lambda: KEY in w.panel.checks.boxes, timeout=5000)
    qtbot.waitUntil(lambda: LABEL in w.findings_view.browser.toPlainText() and not w.reader.busy, timeout=10000)

    # edited: the disposal type now a penalty notice (chosen from the national types), then Esc closes
    d.tabs.setCurrentWidget(d.types)
    delegate = d.types.table.itemDelegateForColumn(1)
    assert delegate is not None and delegate.choices == list(local_config.NATIONAL_DISPOSAL_TYPES)
    _set(d.types.table, 0, "Adult caution", "Penalty notice for disorder")
    _save(qtbot, w, d)
    assert d.message.text() == "Saved."
    _shot(d, "h2_local_config_types")
    assert local_config.load(w.db).disposal_types == {"Adult caution": "Penalty notice for disorder"}
    qtbot.keyClick(d, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not d.isVisible(), timeout=2000)

    # opened again: the check removed, saved; the panel no longer asks it
    d = _dialog(qtbot, w)
    assert d is not None and d.checks.rows() == [["disposal", KEY, LABEL, QUESTION]]
    d.tabs.setCurrentWidget(d.checks)
    d.checks.table.setCurrentCell(0, 1)
    d.checks.remove_button.click()
    _save(qtbot, w, d)
    assert d.message.text() == "Saved. The extra checks are asked and reported from now on."
    assert local_config.load(w.db).checks == ()
    qtbot.waitUntil(lambda: KEY not in w.panel.checks.boxes, timeout=5000)
    d.reject()
    settle(qtbot, w)
    w.close()


def test_an_auditor_sees_it_read_only_and_the_core_refuses_them(qtbot, programme_db, settings) -> None:  # noqa: ANN001
    w = _open(qtbot, programme_db, settings, AUDITOR)
    assert w.menus.local_config_action.isEnabled()  # anyone may read it
    d = _dialog(qtbot, w)
    assert d.why.isVisible()
    assert d.why.text() == ("Read only: Alan Auditor (auditor) may not change the local configuration: only the audit "
                            "lead may.")
    assert d.codes.rows() == [["105A/2", "105A", "105A Assault without Injury"]]
    for part in (d.codes, d.types, d.checks):
        assert part.table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
        assert not part.add_button.isEnabled() and not part.remove_button.isEnabled()
    assert not d.save_button.isEnabled()
    qtbot.keyClick(d, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # nothing to save
    settle(qtbot, w)
    assert d.message.text() == ""
    _shot(d, "h2_local_config_read_only")
    with pytest.raises(NotAllowed, match="only the audit lead may"):  # the role is checked in the core
        local_config.save(w.db, [("8N/01", "8N")], [], [], who=AUDITOR)
    assert local_config.load(w.db).codes == {"105A/2": "105A"}
    qtbot.keyClick(d, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not d.isVisible(), timeout=2000)
    w.close()


def test_the_dialog_has_its_shortcut_listed_in_help(qtbot, programme_db, settings) -> None:  # noqa: ANN001
    from ui.window_help import SHORTCUTS

    w = _open(qtbot, programme_db, settings, LEAD)
    keys = [a.shortcut().toString() for a in w.findChildren(type(w.menus.local_config_action))
            if not a.shortcut().isEmpty()]
    assert keys.count("Ctrl+Shift+L") == 1
    assert w.menus.local_config_action.text() == "&Local configuration…"
    assert any(k == "Ctrl+Shift+L" and "local configuration" in v for k, v in SHORTCUTS)
    w.show_shortcuts()
    qtbot.waitUntil(lambda: w.help_dialog is not None and w.help_dialog.isVisible(), timeout=2000)
    assert "Ctrl+Shift+L" in w.help_dialog.findChild(type(w.findings_view.browser), "help_text").toPlainText()
    w.help_dialog.reject()
    w.close()


def test_a_save_by_someone_else_meanwhile_is_not_overwritten(qtbot, programme_db, settings) -> None:  # noqa: ANN001
    w = _open(qtbot, programme_db, settings, LEAD)
    d = _dialog(qtbot, w)
    local_config.set_disposal_types(w.db, {"PND": "Penalty notice for disorder"}, who=LEAD)  # another lead, elsewhere
    d.codes.add_button.click()
    _set(d.codes.table, 1, "8N/01", "8N")
    _save(qtbot, w, d)
    assert d.message.text().startswith("Nothing was saved: someone else changed the local configuration")
    assert local_config.load(w.db) == local_config.LocalConfig(codes={"105A/2": "105A"},
                                                               disposal_types={"PND": "Penalty notice for disorder"})
    d.reject()
    w.close()
