"""The programme's month in the real window (issue 14, "Done means"): the lead creates the next month's audit from
the template (Programme > New audit…), draws its samples from the shipped design (Programme > Draw the month's
samples from a design…; a second draw for the same audit is refused with the core's words), audits its records in
the verdict panel, and the Trends tab shows one more point and a changed latest-change sentence; the Team tab lists
who audited what; the 15-second watch notices an audit created and one closed by someone else."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate

from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.programme import close_audit, create
from cdi_workbench.programme_figures import set_targets
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import CrimeRecord, RecordLink, ReportRecord
from cdi_workbench.timeutil import uk_local
from sample_data.series import monthly_series
from sample_data.series_db import write_year
from ui.audit_dialogs import NewAuditDialog, SwitchAuditDialog
from ui.design_dialog import DesignDrawDialog
from ui.main_window import MainWindow

from .conftest import settle

SHOTS = os.environ.get("CDI_SCREENSHOTS")  # a folder to keep screenshots in, when set
LEAD, AUDITOR = "Lena Lead", "Alan Auditor"
JUNE, JULY = "2016-06", "2016-07"
JULY_RECORDS = 8
ALL = "recording_rates.all"


def _shot(widget, name: str) -> None:  # noqa: ANN001
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


@pytest.fixture
def year_db(tmp_path: Path) -> Path:
    """Three monthly audits (April to June 2016, 2015 rules) of 20 crimes each from the series generator, audited by
    its auditor; a lead and an auditor registered; and July's incidents (each with a crime recorded within 2 hours)
    for the next month's audit."""
    path = tmp_path / "year.db"
    db = write_year(path, monthly_series(months=3, crimes=20, start=date(2016, 4, 1)))
    add_person(db, LEAD, LEAD, "lead")
    add_person(db, LEAD, AUDITOR, "auditor")
    set_targets(db, {ALL: 90}, LEAD)
    with db.session() as s:
        for i in range(JULY_RECORDS):
            received = uk_local(2016, 7, 4 + i, 10, 0)
            report = ReportRecord(kind="incident", system="Incident", ref=f"INC-JUL-{i + 1:02d}", received_at=received,
                                  opening_code="Assault", closing_code="Crime", caller_type="Victim",
                                  narrative=f"{4 + i:02d}/07/2016 10:00 [PC 7] Caller assaulted, cut to the lip.",
                                  crime_refs=f"CR-JUL-{i + 1:02d}")
            crime = CrimeRecord(ref=f"CR-JUL-{i + 1:02d}", ho_code="8N", offence="Assault with injury",
                                reported_at=received, recorded_at=received + timedelta(hours=2), source_ref=report.ref)
            s.add_all([report, crime])
            s.flush()
            s.add(RecordLink(report_id=report.id, crime_id=crime.id))
    db.close()
    return path


def _open(qtbot, path: Path, settings, user: str = LEAD) -> MainWindow:  # noqa: ANN001
    w = MainWindow(user=user, settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.open_database(str(path))
    qtbot.waitUntil(lambda: w.info is not None and w.person is not None, timeout=10000)
    settle(qtbot, w)
    return w


def _switched(qtbot, w: MainWindow, name: str) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: w.info is not None and w.info.name == name and w.person is not None, timeout=10000)
    settle(qtbot, w)
    qtbot.waitUntil(lambda: not w.reader.busy, timeout=20000)
    settle(qtbot, w)


def _dialog(qtbot, w: MainWindow, kind: type):  # noqa: ANN001, ANN202
    qtbot.waitUntil(lambda: isinstance(w.audit_dialog, kind) and w.audit_dialog.isVisible(), timeout=5000)
    return w.audit_dialog


def _trends(qtbot, w: MainWindow, audits: int, last_n: int | None = None):  # noqa: ANN001, ANN202
    """The Trends tab's figure 'all crimes' once it shows `audits` audits (the latest with `last_n` crimes)."""
    view = w.findings_view.trends_view

    def ready() -> bool:
        t = view.trends
        if t is None or w.reader.busy:
            return False
        points = next(f for f in t.figures if f.figure == ALL).series.points
        return len(points) == audits and (last_n is None or points[-1].n == last_n)

    qtbot.waitUntil(ready, timeout=30000)
    view.choose(ALL)
    figure = view.figure()
    assert figure is not None and figure.figure == ALL
    return figure


def _audit_every_record(qtbot, w: MainWindow) -> None:  # noqa: ANN001
    """Each record of the sample in the verdict panel: one crime identified (assault with injury, 8N), recorded by
    its crime record; Done moves on to the next."""
    for _ in range(len(w.queue_model.rows)):
        qtbot.waitUntil(lambda: w.panel.detail is not None and w.current_item == w.panel.detail.item_id,
                        timeout=5000)
        settle(qtbot, w)
        detail = w.panel.detail
        w.panel.add_crime()
        ed = w.panel.editor
        ed.code.setText("8N")
        ed._code_done()
        crime = next(c for c in ed.crimes if c.ref == detail.ref.replace("INC", "CR"))
        ed.recorded.setCurrentIndex(ed.recorded.findData(crime.id))
        ed._recorded_chosen()
        settle(qtbot, w)
        w.panel.done()
        qtbot.waitUntil(lambda d=detail: next(r for r in w.queue_model.rows if r.item_id == d.item_id).status
                        == "done", timeout=5000)
    settle(qtbot, w)


def test_the_next_month_created_drawn_from_the_design_audited_and_the_trend_moves(qtbot, year_db, settings
                                                                                  ) -> None:  # noqa: ANN001
    w = _open(qtbot, year_db, settings)
    _switched(qtbot, w, JUNE)  # the latest audit
    assert w.panel.detail is not None

    # the Trends tab: the three months so far, June against May
    w.findings_view.setCurrentWidget(w.findings_view.trends_view)
    before = _trends(qtbot, w, 3)
    assert [p.name for p in before.series.points] == ["2016-04", "2016-05", JUNE]
    assert before.latest_text.startswith(f"{JUNE} against 2016-05: ")
    view = w.findings_view.trends_view
    words_before = view.words.toPlainText()
    assert before.latest_text in words_before and "p-chart" in words_before
    assert [view.figure_box.itemText(i) for i in range(view.figure_box.count())][0] == before.label

    # Programme > New audit…: July, from the template (the month after the latest), and the window switches to it
    w.menus.new_audit_action.trigger()
    d = _dialog(qtbot, w, NewAuditDialog)
    assert d.period() == (QDate(2016, 7, 1).toPython(), QDate(2016, 7, 31).toPython())
    assert d.name.text() == JULY and d.rules.currentData() == "2015"
    d.create_button.click()
    _switched(qtbot, w, JULY)
    assert f"No sample drawn yet for the audit {JULY}" in w.record_view.toPlainText()
    empty = _trends(qtbot, w, 4, 0)  # July is a point already, with nothing counted
    assert empty.series.points[-1].n == 0 and "not defined" in empty.latest_text

    # Programme > Draw the month's samples from a design…: the shipped design, for the audit open
    w.menus.draw_design_action.trigger()
    dd = _dialog(qtbot, w, DesignDrawDialog)
    assert dd.design.currentData() == "Monthly dip-sample" and dd.audit.currentData() == JULY
    listed = [dd.samples.item(i).text() for i in range(dd.samples.count())]
    assert listed[0] == "Incidents: 100 incidents, stratified by offence group (proportional)" and len(listed) == 5
    assert dd.draw_button.isEnabled() and dd.message.text() == ""
    dd.seed.setText("2016")
    _shot(dd, "design_dialog")
    dd.draw_button.click()
    assert dd.progress.isVisible() or dd.message.text().startswith("Drew")  # busy while the core draws
    qtbot.waitUntil(lambda: dd.message.text().startswith("Drew the design"), timeout=10000)
    assert "master seed 2016" in dd.message.text() and f"Incidents {JULY}: 8 incident records" in dd.message.text()
    assert "not drawn (no disposal records in the period)" in dd.message.text()
    assert not dd.draw_button.isEnabled() and not dd.progress.isVisible()
    _shot(dd, "design_dialog_drawn")
    qtbot.waitUntil(lambda: w.sample_box.currentText() == f"Incidents {JULY} ({JULY_RECORDS})", timeout=5000)
    settle(qtbot, w)
    qtbot.waitUntil(lambda: w.panel.detail is not None, timeout=5000)
    assert {r.ref for r in w.queue_model.rows} == {f"INC-JUL-{i + 1:02d}" for i in range(JULY_RECORDS)}
    dd.reject()

    # drawn once: a second draw for the same audit is refused, in the core's words
    w.draw_design()
    again = _dialog(qtbot, w, DesignDrawDialog)
    assert again is not dd and "has already been drawn to the design 'Monthly dip-sample'" in again.message.text()
    again.draw_button.click()
    qtbot.waitUntil(lambda: again.message.text().startswith("Not drawn:"), timeout=5000)
    assert f"the audit '{JULY}' has already been drawn to a design" in again.message.text()
    again.reject()
    settle(qtbot, w)

    # the month audited in the verdict panel
    _audit_every_record(qtbot, w)
    assert f"{JULY_RECORDS} of {JULY_RECORDS} records audited" in w.progress_label.text()

    # the trend moves: July is a point with its eight crimes, and the latest change is July against June
    after = _trends(qtbot, w, 4, JULY_RECORDS)
    july = after.series.points[-1]
    assert (july.name, july.k, july.n) == (JULY, JULY_RECORDS, JULY_RECORDS)
    assert after.series.points[:3] == before.series.points
    assert after.latest_text.startswith(f"{JULY} against {JUNE}: Up ")
    assert after.latest_text != before.latest_text
    assert after.latest_text in view.words.toPlainText() and "provisional" not in view.words.toPlainText()
    assert after.target == 90 and "Target 90%: latest audit" in view.words.toPlainText()

    # another interval method: the trends follow it (Wilson's interval is defined at 100%)
    w.set_interval_method("wilson")
    qtbot.waitUntil(lambda: view.trends is not None and view.trends.method == "wilson" and not w.reader.busy,
                    timeout=30000)
    wilson = view.figure()
    assert wilson is not None and wilson.series.points[-1].rate.defined and "Wilson" in wilson.series.method_text
    w.findings_dock.setMinimumHeight(380)
    qtbot.wait(50)
    _shot(w, "trends_tab")
    w.close()


def test_the_team_tab_lists_who_audited_what(qtbot, year_db, settings) -> None:  # noqa: ANN001
    from cdi_workbench.audit import programme_operations as pops
    from cdi_workbench.audit.service import AuditService
    from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody

    db = Database(year_db)  # July created and drawn by the lead; the auditor audits three of its records elsewhere
    try:
        lead = AuditService(db, LEAD)
        pops.new_audit(lead, JULY, date(2016, 7, 1), date(2016, 7, 31), "2015")
        pops.draw_design(AuditService(db, LEAD, audit=JULY), "Monthly dip-sample", JULY, 7)
        alan = AuditService(db, AUDITOR, audit=JULY)
        rows = alan.queue(alan.samples()[0].id)
        for r in rows[:3]:
            alan.save_verdict(r.item_id, VerdictBody(crimes=[CrimeFinding(expected_code="8N", not_recorded_reason=
                                                                          "No discernible reason")], complete=True))
    finally:
        db.close()
    w = _open(qtbot, year_db, settings)
    _switched(qtbot, w, JULY)
    w.findings_view.setCurrentWidget(w.findings_view.team_browser)
    qtbot.waitUntil(lambda: w.findings_view.team is not None, timeout=10000)
    team = w.findings_view.team
    assert team.audit == JULY and [(m.name, m.audited) for m in team.members] == [(AUDITOR, 3)]
    text = w.findings_view.team_browser.toPlainText()
    assert f"Audit {JULY}: 5 records left to audit" in text and AUDITOR in text and f"Incidents {JULY}" in text

    # the lead audits two records in the window: the tab follows (who audited what, what is left)
    qtbot.waitUntil(lambda: w.panel.detail is not None, timeout=5000)
    for _ in range(2):
        w.queue.selectRow(next(i for i, r in enumerate(w.queue_model.rows) if r.status != "done"))
        qtbot.waitUntil(lambda: w.panel.detail is not None and w.current_item == w.panel.detail.item_id,
                        timeout=5000)
        settle(qtbot, w)
        item = w.current_item
        w.panel.zero_status()
        qtbot.waitUntil(lambda i=item: next(r for r in w.queue_model.rows if r.item_id == i).status == "done",
                        timeout=5000)
        settle(qtbot, w)
    qtbot.waitUntil(lambda: w.findings_view.team is not None and not w.reader.busy
                    and any(m.name == LEAD for m in w.findings_view.team.members), timeout=15000)
    team = w.findings_view.team
    assert [(m.name, m.audited) for m in team.members] == [(AUDITOR, 3), (LEAD, 2)]
    assert [(x.name, x.drawn, x.audited, x.left) for x in team.samples] == [(f"Incidents {JULY}", 8, 5, 3)]
    assert f"Audit {JULY}: 3 records left to audit" in w.findings_view.team_browser.toPlainText()
    w.findings_dock.setMinimumHeight(320)
    qtbot.wait(50)
    _shot(w, "team_tab")
    w.close()


def test_the_watch_notices_audits_created_and_closed_by_others(qtbot, year_db, settings) -> None:  # noqa: ANN001
    w = _open(qtbot, year_db, settings, user=AUDITOR)
    _switched(qtbot, w, JUNE)
    w.check_others()  # the first look: what the window has seen
    qtbot.waitUntil(lambda: w.state.audits_seen is not None, timeout=5000)
    w.switch_audit()
    sw = _dialog(qtbot, w, SwitchAuditDialog)
    assert sw.table.rowCount() == 3

    db = Database(year_db)  # the lead, elsewhere: July created, June closed
    try:
        create(db, JULY, date(2016, 7, 1), date(2016, 7, 31), "2015", LEAD)
        with db.session() as s:
            close_audit(s, JUNE, LEAD)
    finally:
        db.close()
    w.check_others()
    qtbot.waitUntil(lambda: sw.table.rowCount() == 4, timeout=5000)
    assert sw.table.item(3, 0).text() == JULY
    assert sw.table.item(2, 3).text().startswith("Closed")
    assert "(closed)" in w.windowTitle() and w.info.closed
    assert "2016-07 added" in w.statusBar().currentMessage() and f"{JUNE} closed" in w.statusBar().currentMessage()
    sw.reject()
    settle(qtbot, w)
    w.close()


def test_switch_audit_has_its_shortcut_listed_in_help(qtbot, year_db, settings) -> None:  # noqa: ANN001
    from ui.window_help import SHORTCUTS

    w = _open(qtbot, year_db, settings)
    keys = [a.shortcut().toString() for a in w.findChildren(type(w.menus.switch_audit_action)) if not a.shortcut()
            .isEmpty()]
    assert keys.count("Ctrl+Shift+A") == 1
    assert w.menus.switch_audit_action.shortcut().toString() == "Ctrl+Shift+A"
    assert ("Ctrl+Shift+A", "Switch to another audit of the programme") in SHORTCUTS
    w.close()
