"""The programme of audits in the real window (issue 14): the next month's audit created from the Audit menu, the
window switched to it (nothing of the previous audit left on screen), its sample drawn through the sample dialog, a
verdict entered and the findings dock (and its By unit tab) showing the new audit's figures; switching back shows
the first audit as it was; the audit chosen is remembered per database; an auditor cannot plan audits (the menu
says so and the core refuses when asked anyway); the lead closes and reopens an audit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QUrl
from PySide6.QtWidgets import QMessageBox

from cdi_workbench.audit import programme_operations as pops
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.storage.models import ReportRecord
from cdi_workbench.timeutil import uk_local
from tests.builders import small_audit
from ui.audit_dialogs import NewAuditDialog, SwitchAuditDialog
from ui.main_window import MainWindow
from ui.paths import chosen_audit, remember_audit

from .conftest import open_window, settle

SHOTS = os.environ.get("CDI_SCREENSHOTS")  # a folder to keep screenshots in, when set
LEAD, AUDITOR = "Lena Lead", "Alan Auditor"
FIRST = "2014-01-01 to 2014-06-30"  # the small audit's name, from its period
JULY = "2014-07"


def _shot(widget, name: str) -> None:  # noqa: ANN001
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


@pytest.fixture
def programme_db(tmp_path: Path) -> Path:
    """The small audit (January to June 2014) with a lead and an auditor, the auditor's verdict on one incident,
    and three incidents received in July 2014 in two units (for the next month's audit)."""
    path = tmp_path / "programme.db"
    db = small_audit(path)
    add_person(db, LEAD, LEAD, "lead")
    add_person(db, LEAD, AUDITOR, "auditor")
    svc = AuditService(db, AUDITOR)
    sid = next(s.id for s in svc.samples() if s.kind == "incident")
    item = next(r.item_id for r in svc.queue(sid) if r.ref == "INC-0003")
    svc.save_verdict(item, VerdictBody(zero_status=True, complete=True, rationale="Lost property: no crime."))
    with db.session() as s:
        for day, ref, unit in ((3, "INC-0701", "North LPA"), (9, "INC-0702", "North LPA"),
                               (21, "INC-0703", "South LPA")):
            s.add(ReportRecord(kind="incident", system="Incident", ref=ref, received_at=uk_local(2014, 7, day, 10, 0),
                               opening_code="Lost Property", closing_code="Advice", caller_type="Victim",
                               location="On or near Market Street", unit=unit,
                               narrative=f"{day:02d}/07/2014 10:00 [PC 12] Caller lost a wallet; no crime alleged."))
    db.close()
    return path


def _dialog(qtbot, w: MainWindow, kind: type):  # noqa: ANN001, ANN202
    qtbot.waitUntil(lambda: isinstance(w.audit_dialog, kind) and w.audit_dialog.isVisible(), timeout=5000)
    return w.audit_dialog


def _switched(qtbot, w: MainWindow, name: str) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: w.info is not None and w.info.name == name and w.person is not None, timeout=10000)
    settle(qtbot, w)
    qtbot.waitUntil(lambda: not w.reader.busy, timeout=10000)
    settle(qtbot, w)


def _open(qtbot, path: Path, settings, user: str = LEAD) -> MainWindow:  # noqa: ANN001
    """The window on `path`, whichever audit it opens on (one with no sample shows no record)."""
    w = MainWindow(user=user, settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.open_database(str(path))
    qtbot.waitUntil(lambda: w.info is not None and w.person is not None, timeout=10000)
    settle(qtbot, w)
    return w


def _reviewed(w: MainWindow) -> int:
    f = w.findings_view.findings
    assert f is not None
    return int(f.cell("incidents", "Incident records", "Records reviewed").value)


def test_the_next_months_audit_from_the_menu_drawn_audited_and_switched_back(qtbot, programme_db, settings
                                                                             ) -> None:  # noqa: ANN001
    w = open_window(qtbot, programme_db, settings, user=LEAD)
    _switched(qtbot, w, FIRST)
    assert FIRST in w.windowTitle()
    assert w.menus.new_audit_action.isEnabled()
    first_samples = [w.sample_box.itemText(i) for i in range(w.sample_box.count())]
    assert len(first_samples) == 5
    assert _reviewed(w) == 1
    assert w.panel.detail is not None  # a record of the first audit on screen

    # Programme > New audit…: the month after the latest audit, its name and rule set proposed by the core
    menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Programme")
    assert [a.text() for a in menu.actions() if a.isVisible() and not a.isSeparator()] == [
        "&Switch audit…", "&New audit…", "&Draw the month's samples from a design…", "&Close this audit…",
        "&Local configuration…"]
    if SHOTS:
        menu.popup(w.mapToGlobal(w.rect().topLeft()))
        qtbot.wait(50)
        _shot(menu, "programme_menu")
        menu.hide()
    w.menus.new_audit_action.trigger()
    d = _dialog(qtbot, w, NewAuditDialog)
    assert d.period() == (QDate(2014, 7, 1).toPython(), QDate(2014, 7, 31).toPython())
    assert d.name.text() == JULY and d.rules.currentData() == "2014" and d.create_button.isEnabled()
    _shot(d, "new_audit_dialog")
    d.end.setDate(QDate(2015, 4, 30))  # across the change of rules: said at once
    assert "spans 01/04/2015" in d.message.text() and d.name.text() == "2014-07-01 to 2015-04-30"
    d.end.setDate(QDate(2014, 7, 31))
    assert d.name.text() == JULY and d.message.text() == ""
    d.rules.setCurrentIndex(d.rules.findData("2015"))  # the wrong rule set: the core refuses, in words
    d.create_button.click()
    qtbot.waitUntil(lambda: d.message.text().startswith("Not created:"), timeout=5000)
    assert "do not apply to 01/07/2014 to 31/07/2014" in d.message.text()
    assert d.isVisible() and [a.name for a in pops.programme(w.svc).audits] == [FIRST]
    _shot(d, "new_audit_refused")
    d.rules.setCurrentIndex(d.rules.findData("2014"))
    d.create_button.click()  # created, and the window switches to it
    _switched(qtbot, w, JULY)
    assert not d.isVisible()

    # nothing of the first audit stays on screen: no sample, queue, record, figures of it
    assert JULY in w.windowTitle() and FIRST not in w.windowTitle()
    assert "Audit: 2014-07 · 01/07/2014 to 31/07/2014" in w.views.audit_label.text().replace("<b>", "").replace(
        "</b>", "")
    assert w.sample_box.count() == 0 and w.queue_model.rows == [] and w.panel.detail is None
    assert "No sample drawn yet" in w.record_view.toPlainText()
    assert "INC-000" not in w.record_view.toPlainText()
    qtbot.waitUntil(lambda: w.findings_view.findings is not None, timeout=10000)
    assert w.findings_view.findings.audit["audit"] == JULY
    assert "No completed verdicts yet" in w.findings_view.browser.toPlainText()
    assert chosen_audit(settings, str(programme_db.resolve())) == JULY
    _shot(w, "window_after_switch")

    # Sample > Draw a sample…: for this audit, from July's records only
    w.draw_sample()
    qtbot.waitUntil(lambda: w.sample_dialog is not None and w.sample_dialog.isVisible(), timeout=5000)
    sd = w.sample_dialog
    assert JULY in sd.windowTitle()
    qtbot.waitUntil(lambda: sd.total.text().startswith("3 records"), timeout=5000)
    sd.method.setCurrentIndex(sd.method.findData("simple"))
    sd.size_box.setValue(3)
    sd.name.setText("July incidents")
    sd.draw_button.click()
    qtbot.waitUntil(lambda: w.sample_box.currentText() == "July incidents (3)", timeout=5000)
    settle(qtbot, w)
    qtbot.waitUntil(lambda: w.panel.detail is not None, timeout=5000)
    assert {r.ref for r in w.queue_model.rows} == {"INC-0701", "INC-0702", "INC-0703"}
    assert [s.name for s in w.svc.samples()] == ["July incidents"]

    # a verdict: zero status on the first record; the findings dock follows with July's figures
    ref = w.panel.detail.ref
    w.panel.zero_status()
    qtbot.waitUntil(lambda: w.queue_model.rows[0].status == "done", timeout=5000)
    settle(qtbot, w)
    qtbot.waitUntil(lambda: w.findings_view.findings is not None and _reviewed(w) == 1 and not w.reader.busy,
                    timeout=10000)
    assert w.findings_view.findings.audit["audit"] == JULY
    assert "1 of 3 records audited" in w.progress_label.text()
    assert w.undo_action.text() == "&Undo zero status"

    # the By unit tab: this audit's figures per owning unit
    w.findings_view.setCurrentWidget(w.findings_view.units_browser)
    qtbot.waitUntil(lambda: w.findings_view.by_unit is not None, timeout=10000)
    by = w.findings_view.by_unit
    unit = "South LPA" if ref == "INC-0703" else "North LPA"
    assert list(by.units) == [unit]
    summary = by.tables[0]
    assert [r.label for r in summary.rows] == [unit]
    assert summary.rows[0].cells[summary.columns.index("Incident records reviewed")].value == 1
    assert unit in w.findings_view.units_browser.toPlainText()
    _shot(w, "window_by_unit")
    w.findings_view.units_browser.anchorClicked.emit(QUrl("unit:0:0:0"))  # the records behind a unit's figure
    qtbot.waitUntil(lambda: w.drill_dialog is not None and w.drill_dialog.isVisible(), timeout=5000)
    assert w.drill_dialog.tree.topLevelItemCount() == 1 and ref in [w.drill_dialog.tree.topLevelItem(0).text(c) for c in range(4)]
    w.drill_dialog.reject()

    # Switch audit… (the link above the queue, as Programme > Switch audit…): back to the first audit, as it was
    w.views.audit_label.linkActivated.emit("switch")
    sw = _dialog(qtbot, w, SwitchAuditDialog)
    rows = {sw.table.item(r, 0).text(): [sw.table.item(r, c).text() for c in range(5)]
            for r in range(sw.table.rowCount())}
    assert rows[f"{JULY}  (open now)"][1:] == ["01/07/2014 to 31/07/2014", "2014 rules, 72-hour limit", "Open",
                                               "1 of 3 records audited (33%), 1 sample"]
    assert rows[FIRST][3:] == ["Open", "1 of 7 records audited (14%), 5 samples"]
    assert not sw.switch_button.isEnabled()  # the audit open now is selected
    _shot(sw, "switch_audit_dialog")
    sw.select(FIRST)
    assert sw.switch_button.isEnabled()
    sw.switch_button.click()
    _switched(qtbot, w, FIRST)
    qtbot.waitUntil(lambda: w.panel.detail is not None, timeout=5000)
    assert [w.sample_box.itemText(i) for i in range(w.sample_box.count())] == first_samples
    assert w.undo_action.text() == "&Undo"  # July's verdict is not undone from the first audit
    assert w.panel.detail.ref.startswith(("INC-000", "GRD", "OOCD", "N100", "CR-"))
    qtbot.waitUntil(lambda: w.findings_view.findings is not None
                    and w.findings_view.findings.audit["audit"] == FIRST, timeout=10000)
    assert _reviewed(w) == 1
    qtbot.waitUntil(lambda: w.findings_view.by_unit is not None, timeout=10000)  # the By unit tab still shown
    assert "North LPA" not in w.findings_view.units_browser.toPlainText()
    assert chosen_audit(settings, str(programme_db.resolve())) == FIRST
    w.close()

    # the audit chosen is remembered for this database: the next window opens on it
    w2 = open_window(qtbot, programme_db, settings, user=LEAD)
    _switched(qtbot, w2, FIRST)
    w2.switch_audit()
    sw2 = _dialog(qtbot, w2, SwitchAuditDialog)
    sw2.select(JULY)
    sw2.switch()
    _switched(qtbot, w2, JULY)
    w2.close()
    w3 = open_window(qtbot, programme_db, settings, user=LEAD)
    _switched(qtbot, w3, JULY)
    assert [w3.sample_box.itemText(i) for i in range(w3.sample_box.count())] == ["July incidents (3)"]
    w3.close()


def test_an_auditor_may_not_plan_audits_and_the_core_refuses_anyway(qtbot, programme_db, settings) -> None:  # noqa: ANN001
    w = open_window(qtbot, programme_db, settings, user=AUDITOR)
    _switched(qtbot, w, FIRST)
    m = w.menus
    for action in (m.new_audit_action, m.close_audit_action, m.reopen_audit_action):
        assert not action.isEnabled()
        assert "Only the audit lead may plan the programme" in action.toolTip()
    w.new_audit()  # called anyway: the dialog says why, and the core refuses what it is asked
    d = _dialog(qtbot, w, NewAuditDialog)
    assert not d.create_button.isEnabled() and "Only the audit lead" in d.message.text()
    d.create_button.setEnabled(True)
    d.create_button.click()
    qtbot.waitUntil(lambda: d.message.text().startswith("Not created:"), timeout=5000)
    assert "plan audits" in d.message.text() or "only the audit lead" in d.message.text().lower()
    d.reject()
    with pytest.raises(NotAllowed):
        pops.new_audit(w.svc, JULY, QDate(2014, 7, 1).toPython(), QDate(2014, 7, 31).toPython(), "2014")
    with pytest.raises(NotAllowed):
        pops.close_audit(w.svc, FIRST)
    assert [a.name for a in pops.programme(w.svc).audits] == [FIRST]
    # switching is for everyone: the auditor sees the programme's audits
    w.switch_audit()
    sw = _dialog(qtbot, w, SwitchAuditDialog)
    assert sw.table.rowCount() == 1
    sw.reject()
    settle(qtbot, w)
    w.close()


def test_the_lead_closes_and_reopens_the_audit(qtbot, programme_db, settings, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *_a, **_k: QMessageBox.StandardButton.Yes))
    w = open_window(qtbot, programme_db, settings, user=LEAD)
    _switched(qtbot, w, FIRST)
    assert w.menus.close_audit_action.isVisible() and not w.menus.reopen_audit_action.isVisible()
    w.close_audit()
    qtbot.waitUntil(lambda: w.info.closed, timeout=5000)
    assert "(closed)" in w.windowTitle()
    # its verdicts read as final: the panel is read-only and says why (the core refuses a save anyway)
    qtbot.waitUntil(lambda: not w.views.panel.isEnabled(), timeout=5000)
    ok, why = w.menus.allowed("edit")
    assert not ok and "is closed: its verdicts read as final" in why
    assert w.menus.reopen_audit_action.isVisible() and not w.menus.close_audit_action.isVisible()
    qtbot.waitUntil(lambda: w.findings_view.findings is not None
                    and w.findings_view.findings.audit.get("audit_closed") is True, timeout=10000)
    w.draw_sample()  # a closed audit draws no more samples: the core says so in the dialog
    qtbot.waitUntil(lambda: w.sample_dialog is not None and w.sample_dialog.isVisible(), timeout=5000)
    sd = w.sample_dialog
    qtbot.waitUntil(lambda: sd.total.text().endswith("records in all"), timeout=5000)
    sd.name.setText("Too late")
    sd.draw_button.click()
    qtbot.waitUntil(lambda: sd.message.text().startswith("Not drawn:"), timeout=5000)
    assert "is closed: reopen it" in sd.message.text()
    sd.reject()
    w.reopen_audit()
    qtbot.waitUntil(lambda: not w.info.closed, timeout=5000)
    assert "(closed)" not in w.windowTitle()
    qtbot.waitUntil(lambda: w.views.panel.isEnabled(), timeout=5000)
    settle(qtbot, w)
    w.close()


def _july(path: Path) -> None:
    """The next month's audit, created by the lead through the core."""
    from cdi_workbench.storage.database import Database

    db = Database(path)
    try:
        pops.new_audit(AuditService(db, LEAD), JULY, QDate(2014, 7, 1).toPython(), QDate(2014, 7, 31).toPython(),
                       "2014")
    finally:
        db.close()


def test_a_sample_drawn_in_an_earlier_audit_is_that_audits(qtbot, programme_db, settings) -> None:  # noqa: ANN001
    _july(programme_db)
    remember_audit(settings, str(programme_db.resolve()), "no longer there")  # a name since gone
    w = _open(qtbot, programme_db, settings)
    _switched(qtbot, w, JULY)  # the latest, when the audit remembered is not in the programme
    w.open_audit(FIRST)
    _switched(qtbot, w, FIRST)
    w.draw_sample()
    qtbot.waitUntil(lambda: w.sample_dialog is not None and w.sample_dialog.isVisible(), timeout=5000)
    sd = w.sample_dialog
    qtbot.waitUntil(lambda: sd.total.text().startswith("3 records"), timeout=5000)  # January to June's incidents
    sd.method.setCurrentIndex(sd.method.findData("simple"))
    sd.size_box.setValue(2)
    sd.name.setText("Second look")
    sd.draw_button.click()
    qtbot.waitUntil(lambda: w.sample_box.currentText() == "Second look (2)", timeout=5000)
    settle(qtbot, w)
    assert {r.ref for r in w.queue_model.rows} <= {"INC-0001", "INC-0002", "INC-0003"}
    assert "Second look" in [s.name for s in w.svc.samples()]
    july = AuditService(w.svc.db, LEAD, audit=JULY)
    assert july.samples() == []
    w.close()


def test_figures_of_the_previous_audit_never_land_after_a_switch(qtbot, programme_db, settings, monkeypatch
                                                                ) -> None:  # noqa: ANN001
    """The first audit's findings still being worked out when the window switches: they are not shown."""
    import threading

    from cdi_workbench.audit import operations as ops

    _july(programme_db)
    remember_audit(settings, str(programme_db.resolve()), FIRST)
    w = _open(qtbot, programme_db, settings)
    _switched(qtbot, w, FIRST)
    release, started = threading.Event(), threading.Event()
    findings = ops.findings

    def slow(db, method="normal", previous=None, audit=None):  # noqa: ANN001, ANN202
        if audit == FIRST:
            started.set()
            release.wait(5)
        return findings(db, method, previous, audit)

    switch = pops.switch_audit

    def switching(svc, name):  # noqa: ANN001, ANN202
        threading.Timer(0.3, release.set).start()  # the first audit's figures come in as the window switches
        return switch(svc, name)

    monkeypatch.setattr(ops, "findings", slow)
    monkeypatch.setattr(pops, "switch_audit", switching)
    w.refresh_findings()
    qtbot.waitUntil(started.is_set, timeout=5000)
    shown: list[tuple[str, str]] = []  # (the audit open, the audit of the figures shown)
    show = w.findings_view.show_findings
    w.findings_view.show_findings = lambda f: (shown.append((w.info.name, f.audit["audit"])), show(f))[1]
    w.open_audit(JULY)
    _switched(qtbot, w, JULY)
    qtbot.waitUntil(lambda: w.findings_view.findings is not None, timeout=10000)
    qtbot.wait(100)
    settle(qtbot, w)
    assert release.is_set() and w.findings_view.findings.audit["audit"] == JULY
    assert shown == [(JULY, JULY)]  # the first audit's figures, in hand at the switch, never shown after it
    w.close()
