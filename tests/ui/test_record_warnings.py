"""Issue 10: a crime linked to a cancelled crime record, or times that contradict each other, are shown on the record
and in the dashboard, never silently; the dashboard's recompute never holds up the next record; special samples are
drawn from the window."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import CrimeRecord, ReportRecord, Sample

from .conftest import open_window, settle


def _cancelled_and_contradicting(path: Path) -> int:
    """CR-1 cancelled since; CR-2 recorded three hours before INC-0001 was received; INC-0001's verdict counts
    both as recorded. Returns INC-0001's audit item."""
    db = Database(path)
    with db.session() as s:
        s.scalar(select(CrimeRecord).where(CrimeRecord.ref == "CR-1")).status = "cancelled"
        received = s.scalar(select(ReportRecord.received_at).where(ReportRecord.ref == "INC-0001"))
        s.scalar(select(CrimeRecord).where(CrimeRecord.ref == "CR-2")).recorded_at = received - timedelta(hours=3)
    svc = AuditService(db, "Inspector A")
    item = next(r.item_id for r in svc.queue(1) if r.ref == "INC-0001")
    cr1, cr2 = svc.find_crime("CR-1"), svc.find_crime("CR-2")
    assert cr1 is not None and cr2 is not None
    svc.save_verdict(item, VerdictBody(crimes=[CrimeFinding(expected_code="8N", crime_id=cr1.id, crime_ref="CR-1"),
                                               CrimeFinding(expected_code="58A", crime_id=cr2.id, crime_ref="CR-2")],
                                       complete=True))
    db.close()
    return item


def test_cancelled_crime_record_and_time_not_known_are_said_on_the_record(qtbot, small_db, settings) -> None:  # noqa: ANN001
    item = _cancelled_and_contradicting(small_db)
    w = open_window(qtbot, small_db, settings)
    w.go_to_item(item)
    qtbot.waitUntil(lambda: w.panel.detail is not None and w.panel.detail.ref == "INC-0001", timeout=5000)
    settle(qtbot, w)
    # the record: the cancelled crime record said above the linked crimes, not only as a word in a cell
    assert "⚠ Crime record CR-1 has been cancelled." in w.record_view.toPlainText()
    assert "Crime record CR-2 has" not in w.record_view.toPlainText()
    # the list of crimes identified
    lines = [w.panel.crime_list.item(i).text() for i in range(w.panel.crime_list.count())]
    assert "crime record cancelled" in lines[0] and "time not known" not in lines[0]
    assert "time not known" in lines[1] and "cancelled" not in lines[1]
    # the crime editor: the warning beside 'Recorded by', and the timeliness worked out as not known, not 'within'
    editor = w.panel.editor
    w.panel.crime_list.setCurrentRow(0)
    assert editor.recorded.currentText().startswith("CR-1")
    assert not editor.status_note.isHidden()
    assert editor.status_note.text() == ("⚠ Crime record CR-1 has been cancelled: the verdict counts this crime as "
                                         "recorded.")
    w.panel.crime_list.setCurrentRow(1)
    assert editor.recorded.currentText().startswith("CR-2")
    assert editor.status_note.isHidden()  # CR-2 is recorded
    assert editor.timely.text().startswith("⚠ Time not known: the crime is recorded 3 h 0 min before the report")
    assert "within" not in editor.timely.text() and editor.timely.styleSheet()
    w.close()


def test_a_crime_record_chosen_by_reference_is_still_chosen_when_the_record_opens_again(qtbot, small_db,  # noqa: ANN001
                                                                                        settings) -> None:
    db = Database(small_db)
    svc = AuditService(db, "Inspector A")
    item = next(r.item_id for r in svc.queue(1) if r.ref == "INC-0002")
    cr3 = svc.find_crime("CR-3")  # neither linked to INC-0002 nor offered as a candidate
    assert cr3 is not None
    svc.save_verdict(item, VerdictBody(crimes=[CrimeFinding(expected_code="105A", crime_id=cr3.id, crime_ref="CR-3")]))
    db.close()
    w = open_window(qtbot, small_db, settings)
    w.go_to_item(item)
    qtbot.waitUntil(lambda: w.panel.detail is not None and w.panel.detail.ref == "INC-0002", timeout=5000)
    settle(qtbot, w)
    assert w.panel.editor.recorded.currentText().startswith("CR-3")
    assert w.panel.editor.current().crime_id == cr3.id  # the next change keeps the link
    w.close()


def test_dashboard_shows_time_not_known_and_the_findings_warnings(qtbot, small_db, settings) -> None:  # noqa: ANN001
    _cancelled_and_contradicting(small_db)
    w = open_window(qtbot, small_db, settings)
    view = w.findings_view
    qtbot.waitUntil(lambda: view.findings is not None, timeout=5000)
    assert view.findings.value("incidents", "Incident records", "Time not known") == 1
    text = view.browser.toPlainText()
    assert "Time not known" in text
    assert "⚠ Read these figures with th" in text  # "this" or "these", as many notes as there are
    assert "linked to a crime record that has since been cancelled" in text
    # said once, above the tables, not again in the incident table's note
    assert text.count("linked to a crime record that has since been cancelled") == 1
    assert "Interval method" in text and "Design-weighted method" in text
    assert view.time_chart.unknown[0] == 1  # 'All crimes': 1 time not known, said beside the bar
    w.close()


def test_next_record_loads_while_the_findings_are_worked_out(qtbot, small_db, settings, monkeypatch) -> None:  # noqa: ANN001
    import cdi_workbench.findings as actions  # the findings operation looks compute up when it runs

    gate, calls = threading.Event(), []
    gate.set()
    real = actions.compute

    def slow(db, **options):  # noqa: ANN001, ANN003, ANN202
        calls.append(1)
        assert gate.wait(20), "the test never let the findings finish"
        return real(db, **options)

    monkeypatch.setattr(actions, "compute", slow)
    w = open_window(qtbot, small_db, settings)
    try:
        qtbot.waitUntil(lambda: w.findings_view.findings is not None and not w.reader.busy, timeout=5000)
        first = w.panel.detail.ref
        gate.clear()  # the findings now take as long as the test wants
        before = len(calls)
        w.refresh_findings()
        qtbot.waitUntil(lambda: len(calls) == before + 1, timeout=5000)  # in hand, blocked
        w.panel.zero_status()  # a save: its own refresh waits, coalesced
        settle(qtbot, w)  # the save is done although the findings are not
        for _ in range(3):
            w.refresh_findings()
        qtbot.waitUntil(lambda: w.panel.detail is not None and w.panel.detail.ref != first, timeout=5000)
        assert w.reader.busy and len(calls) == before + 1  # the next record loaded; the findings still in hand
        assert not w.runner.busy
    finally:
        gate.set()
    qtbot.waitUntil(lambda: not w.reader.busy, timeout=10000)
    assert len(calls) == before + 2  # the one in hand, then one for every request made meanwhile
    assert w.findings_view.findings.value("incidents", "Incident records", "Records reviewed") == 1
    w.close()


def test_draw_a_special_sample_from_the_window(qtbot, small_db, settings) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings)
    w.draw_sample()
    qtbot.waitUntil(lambda: getattr(w, "sample_dialog", None) is not None and w.sample_dialog.isVisible())
    d = w.sample_dialog
    qtbot.waitUntil(lambda: d.total.text().startswith("3 records"), timeout=5000)
    d.kind.setCurrentIndex(d.kind.findData("disposal"))
    assert not d.special.isEnabled()  # special samples are of incidents and referrals only
    d.kind.setCurrentIndex(d.kind.findData("incident"))
    assert d.special.isEnabled()
    i = d.special.findData("modern_slavery_crimes")
    assert "usually 20 requested" in d.special.itemText(i)
    d.special.setCurrentIndex(i)
    d.special.activated.emit(i)
    assert d.size_box.value() == 20 and d.name.text().startswith("Modern slavery crimes ")
    d.size_box.setValue(2)
    d.name.setText("Slavery")
    d.draw()
    qtbot.waitUntil(lambda: w.sample_box.currentText() == "Slavery (2)", timeout=5000)
    settle(qtbot, w)
    db = Database(small_db)
    with db.session() as s:
        smp = s.scalar(select(Sample).where(Sample.name == "Slavery"))
        assert smp is not None and smp.frame["special"] == "modern_slavery_crimes"
        assert smp.method.startswith("special sample: Modern slavery crimes")
        plain = s.scalar(select(Sample).where(Sample.name == "Incidents"))
        assert "special" not in plain.frame
    db.close()
    w.close()
