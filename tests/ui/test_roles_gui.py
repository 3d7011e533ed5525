"""Roles and peer review in the real window: what each role is offered, the reviewer's queue and panel, the
lead's assignment, adjudication and people dialogs; every outcome checked through the core."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QInputDialog
from sqlalchemy import select

from cdi_workbench.audit import review
from cdi_workbench.audit.people import add_person, people
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.trail import verify
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import VerdictChange
from tests.builders import small_audit
from ui.main_window import MainWindow

from .conftest import open_window, settle

SHOTS = os.environ.get("CDI_SCREENSHOTS")  # a folder to keep screenshots in, when set
LEAD, AUDITOR, REVIEWER, LIAISON = "Lena Lead", "Alan Auditor", "Rita Reviewer", "Liam Liaison"
MISSED = VerdictBody(crimes=[CrimeFinding(expected_code="8L", not_recorded_reason="No discernible reason")],
                     complete=True, rationale="Threat to kill with a knife: harassment not recorded.")
ZERO = VerdictBody(zero_status=True, complete=True, rationale="Lost wallet: no crime.")
THEFT = VerdictBody(crimes=[CrimeFinding(expected_code="49", not_recorded_reason="No discernible reason")],
                    complete=True, rationale="Wallet taken from a bag: theft from the person.")


def _shot(widget, name: str) -> None:  # noqa: ANN001
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def _team_audit(path: Path) -> dict[str, int]:
    """The small audit with a registered team; the auditor's verdicts on INC-0002 (missed) and INC-0003 (zero)."""
    db = small_audit(path)
    for name, role in ((LEAD, "lead"), (AUDITOR, "auditor"), (REVIEWER, "reviewer"), (LIAISON, "liaison")):
        add_person(db, LEAD, name, role)
    auditor = AuditService(db, AUDITOR)
    sid = next(s.id for s in auditor.samples() if s.kind == "incident")
    items = {r.ref: r.item_id for r in auditor.queue(sid)}
    auditor.save_verdict(items["INC-0002"], MISSED)
    auditor.save_verdict(items["INC-0003"], ZERO)
    items["sample"] = sid
    db.close()
    return items


def _core(path: Path, who: str = LEAD) -> tuple[Database, AuditService]:
    db = Database(path)
    return db, AuditService(db, who)


def _actions(w: MainWindow) -> dict[str, object]:
    out = {}
    for menu_action in w.menuBar().actions():
        for a in menu_action.menu().actions():
            if a.text():
                out[a.text()] = a
    return out


def _open_as(qtbot, path: Path, settings, user: str) -> MainWindow:  # noqa: ANN001
    """A window for someone who may see no record (open_window waits for one)."""
    w = MainWindow(user=user, settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.open_database(str(path))
    qtbot.waitUntil(lambda: w.person is not None, timeout=10000)
    settle(qtbot, w)
    return w


def test_a_liaison_sees_no_records_and_only_the_force_exchange(qtbot, tmp_path, settings) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    _team_audit(path)
    w = _open_as(qtbot, path, settings, LIAISON)
    assert w.person.role == "liaison"
    assert "Liam Liaison · Force liaison" in w.who_label.text()
    # no queue, no verdict panel, no findings; an explanation instead of the record
    assert not w.left.isVisible() and not w.panel.isVisible() and not w.findings_dock.isVisible()
    assert w.queue_model.rows == [] and w.panel.detail is None
    text = w.record_view.toPlainText()
    assert "Force liaison" in text and "Export failed records for the force" in text
    assert "punched" not in text and "INC-0001" not in text
    acts = _actions(w)
    for offered in ("E&xport failed records for the force…", "&Import the force's responses…",
                    "&Open audit database…", "&Keyboard shortcuts"):
        assert acts[offered].isEnabled(), offered
    for refused in ("&Done, next record", "&Add crime identified", "&Zero status", "&Next record",
                    "&History of this record…", "&Draw a sample…", "&Import a force extract…", "&Export findings…",
                    "The force's &challenges…", "&Assign records for review…", "&Disagreements…", "&People…",
                    "&Review my assigned records", "E&xport audit package…"):
        assert not acts[refused].isEnabled(), refused
    assert ("Only the audit lead or an auditor may enter first verdicts; you are the force liaison"
            in acts["&Done, next record"].toolTip())
    assert "Only the audit lead may assign records for review" in acts["&Assign records for review…"].toolTip()
    _shot(w, "liaison_window")
    # what the liaison may do works through the window (their name goes to the core)
    errors: list[tuple[str, str]] = []
    w._show_error = lambda title, details="": errors.append((title, details))
    out = tmp_path / "force.xlsx"
    w.export_for_force(str(out))
    settle(qtbot, w)
    assert not errors and out.exists()
    w.close()


def test_a_reviewer_works_on_their_assigned_records_only(qtbot, tmp_path, settings) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    items = _team_audit(path)
    db, lead = _core(path)
    review.assign(lead, items["sample"], "hand", REVIEWER, "blind", item_ids=[items["INC-0002"]])
    review.assign(lead, items["sample"], "hand", REVIEWER, "open", item_ids=[items["INC-0003"]])
    db.close()

    w = open_window(qtbot, path, settings, user=REVIEWER)
    settle(qtbot, w)
    assert "Rita Reviewer · Peer reviewer" in w.who_label.text()
    assert w.review_mode and w.queue_model.review
    assert [r.ref for r in w.queue_model.rows] == ["INC-0002", "INC-0003"]  # not INC-0001, not assigned
    assert [w.queue_model.headerData(c, Qt.Orientation.Horizontal) for c in (2, 4)] == ["Review", "State"]
    assert [w.queue_model.index(i, 4).data() for i in range(2)] == ["to review", "to review"]
    assert not w.findings_dock.isVisible()
    acts = _actions(w)
    assert acts["&Review my assigned records"].isChecked() and not acts["&Review my assigned records"].isEnabled()
    assert not acts["&Assign records for review…"].isEnabled() and not acts["&Draw a sample…"].isEnabled()
    assert acts["&Done, next record"].isEnabled() and acts["&Zero status"].isEnabled()

    # the blind record: no first verdict anywhere, the review starts empty, the history is not offered
    qtbot.waitUntil(lambda: w.panel.detail.ref == "INC-0002", timeout=5000)
    settle(qtbot, w)
    assert w.panel.first_box.isVisible()
    first = w.panel.first_text.toPlainText()
    assert "Blind review" in first and AUDITOR not in first and MISSED.rationale not in first and "8L" not in first
    assert w.panel.body == VerdictBody() and "Your review" in w.panel.heading.text()
    assert not acts["&History of this record…"].isEnabled()
    _shot(w, "reviewer_window_blind")

    # the reviewer decides zero status with the keyboard: stored as the review, the first verdict untouched
    qtbot.keyClick(w.panel.rationale, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.panel.detail.ref == "INC-0003", timeout=5000)  # done, and on to the next
    settle(qtbot, w)
    db, lead = _core(path)
    assert lead.verdict(items["INC-0002"], "review").zero_status
    assert lead.verdict(items["INC-0002"], "review").complete
    assert lead.verdict(items["INC-0002"]) == MISSED
    assert lead.history(items["INC-0002"])[-1].who == REVIEWER
    db.close()
    assert w.queue_model.index(0, 4).data() == "disagrees"
    assert w.progress_label.text().startswith("1 of 2 assigned records reviewed")

    # the open record: the auditor's verdict shown read-only above the panel; the review starts from it
    first = w.panel.first_text.toPlainText()
    assert "Alan Auditor" in first and ZERO.rationale in first and "Zero status" in first
    assert w.panel.body.zero_status and not w.panel.body.complete and w.panel.body.rationale == ""
    assert "begins from the auditor's answers" in w.panel.heading.text()
    assert acts["&History of this record…"].isEnabled()
    _shot(w, "reviewer_window_open")
    qtbot.keyClicks(w.panel.rationale, "Agree: nothing disclosed.")
    qtbot.keyClick(w.panel.rationale, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, w)
    db, lead = _core(path)
    mine = lead.verdict(items["INC-0003"], "review")
    assert mine.zero_status and mine.complete and mine.rationale == "Agree: nothing disclosed."
    assert {a.ref: a.state for a in review.assignments(lead)} == {"INC-0002": "disagrees", "INC-0003": "agrees"}
    db.close()

    # back on the blind record, now reviewed: the first verdict is shown
    qtbot.keyClick(w.panel.rationale, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.panel.detail.ref == "INC-0002", timeout=5000)
    settle(qtbot, w)
    assert MISSED.rationale in w.panel.first_text.toPlainText()
    assert w.selected_items() == [items["INC-0002"]]  # Ctrl+PgUp moved: it did not add to a selection
    w.close()


def test_the_lead_assigns_through_the_dialog_and_adjudicates(qtbot, tmp_path, settings) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    items = _team_audit(path)
    w = open_window(qtbot, path, settings, user=LEAD)
    assert "Lena Lead · Audit lead" in w.who_label.text()
    assert not w.review_mode and w.panel.isEnabled()
    # two records picked by hand in the queue
    rows = {r.ref: i for i, r in enumerate(w.queue_model.rows)}
    w._select_row(rows["INC-0002"])
    w.queue.selectionModel().select(w.queue_model.index(rows["INC-0003"], 0),  # as Ctrl+click does
                                    QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    assert sorted(w.selected_items()) == sorted([items["INC-0002"], items["INC-0003"]])
    _actions(w)["&Assign records for review…"].trigger()
    qtbot.waitUntil(lambda: getattr(w, "assign_dialog", None) is not None, timeout=5000)
    d = w.assign_dialog
    qtbot.waitUntil(lambda: d.reviewer.count() > 0, timeout=5000)
    settle(qtbot, w)
    assert [d.reviewer.itemText(i) for i in range(d.reviewer.count())] == [LEAD, REVIEWER]
    assert d.hand.isEnabled() and "the 2 records selected" in d.hand.text()
    assert "none yet" in d.table_heading.text()
    d.hand.setChecked(True)
    d.reviewer.setCurrentText(REVIEWER)
    d.open_mode.setChecked(True)
    qtbot.mouseClick(d.assign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.tree.topLevelItemCount() == 2, timeout=5000)
    settle(qtbot, w)
    assert "Assigned 2 records" in d.message.text() and "Rita Reviewer" in d.message.text()
    assert [d.tree.topLevelItem(i).text(7) for i in range(2)] == ["to review", "to review"]
    # a random share by number, seeded, blind: drawn from audited records not yet assigned; first none, then
    # INC-0001 once the auditor has finished it
    d.random.setChecked(True)
    d.unit.setCurrentIndex(d.unit.findData("records"))
    d.share.setValue(1)
    d.blind.setChecked(True)
    qtbot.mouseClick(d.assign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "nothing was assigned" in d.message.text(), timeout=5000)
    settle(qtbot, w)
    assert "audited records" in d.message.text()
    db, _auditor = _core(path, AUDITOR)
    _auditor.save_verdict(items["INC-0001"], ZERO)
    db.close()
    d.unit.setCurrentIndex(d.unit.findData("records"))
    d.share.setValue(1)
    d.seed.setValue(3)
    d.blind.setChecked(True)
    qtbot.mouseClick(d.assign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Assigned 1 record " in d.message.text(), timeout=5000)
    settle(qtbot, w)
    d.resize(880, 600)
    _shot(d, "assign_dialog")
    db, lead = _core(path)
    got = {a.ref: (a.reviewer, a.mode, a.basis) for a in review.assignments(lead)}
    db.close()
    assert got == {"INC-0001": (REVIEWER, "blind", "random"), "INC-0002": (REVIEWER, "open", "hand"),
                   "INC-0003": (REVIEWER, "open", "hand")}
    target = "INC-0001"  # withdrawn again
    row = next(i for i in range(d.tree.topLevelItemCount()) if d.tree.topLevelItem(i).text(1) == target)
    assert not d.withdraw_button.isEnabled()
    d.tree.setCurrentItem(d.tree.topLevelItem(row))
    assert d.withdraw_button.isEnabled()
    qtbot.mouseClick(d.withdraw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Withdrew 1 assignment" in d.message.text(), timeout=5000)
    settle(qtbot, w)
    db, lead = _core(path)
    assert target not in {a.ref for a in review.assignments(lead)}
    db.close()
    d.close()

    # the reviewer disagrees on INC-0003 (open), through the core
    db, lead = _core(path)
    review.assign(lead, items["sample"], "hand", REVIEWER, "open", item_ids=[items["INC-0003"]])
    AuditService(db, REVIEWER).save_verdict(items["INC-0003"], THEFT, role="review")
    db.close()
    _actions(w)["&Disagreements…"].trigger()
    qtbot.waitUntil(lambda: getattr(w, "disagreements_dialog", None) is not None, timeout=5000)
    dd = w.disagreements_dialog
    qtbot.waitUntil(lambda: dd.tree.topLevelItemCount() == 1, timeout=5000)
    settle(qtbot, w)
    assert dd.tree.topLevelItem(0).text(0) == "INC-0003"
    assert (dd.tree.topLevelItem(0).text(2), dd.tree.topLevelItem(0).text(3)) == (AUDITOR, REVIEWER)
    side = {dd.table.item(r, 0).text(): (dd.table.item(r, 1).text(), dd.table.item(r, 2).text())
            for r in range(dd.table.rowCount())}
    assert side["Crimes identified"] == ("0", "1") and side["Zero status (no crime)"] == ("yes", "no")
    assert side["Crime 1: Home Office code"][1] == "49"
    assert dd.table.horizontalHeaderItem(1).text() == f"Auditor's answer ({AUDITOR})"
    assert dd.table.horizontalHeaderItem(2).text() == f"Reviewer's answer ({REVIEWER})"
    assert dd.auditor_rationale.text() == ZERO.rationale and dd.reviewer_rationale.text() == THEFT.rationale
    assert AUDITOR in dd.auditor_box.title() and REVIEWER in dd.reviewer_box.title()
    assert not dd.take_auditor.isEnabled() and not dd.take_reviewer.isEnabled()  # a reason first
    dd.resize(1000, 680)
    _shot(dd, "disagreements_dialog")
    # double-click (Enter) opens the record in the main window
    dd.tree.itemActivated.emit(dd.tree.topLevelItem(0), 0)
    qtbot.waitUntil(lambda: w.panel.detail is not None and w.panel.detail.ref == "INC-0003", timeout=5000)
    qtbot.keyClicks(dd.reason, "The narrative discloses a theft from the person.")
    assert dd.take_auditor.isEnabled() and dd.take_reviewer.isEnabled()
    with qtbot.waitSignal(dd.decided, timeout=5000):
        qtbot.mouseClick(dd.take_reviewer, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dd.tree.topLevelItemCount() == 0, timeout=5000)
    settle(qtbot, w)
    assert "No disagreements await a decision" in dd.heading.text() and not dd.split.isVisible()
    assert "the reviewer's verdict is now the final verdict" in dd.message.text()
    _shot(dd, "disagreements_dialog_empty")
    db, lead = _core(path)
    final = lead.verdict(items["INC-0003"], "final")
    assert final.crimes[0].expected_code == "49" and final.complete
    last = lead.history(items["INC-0003"])[-1]
    assert last.role == "final" and last.who == LEAD and "theft from the person" in last.reason
    assert review.disagreements(lead) == []
    db.close()

    # the lead's own assigned records: none yet, and the window says so; then back to the whole queue
    dd.close()
    review_action = _actions(w)["&Review my assigned records"]
    assert review_action.isEnabled() and not review_action.isChecked()
    review_action.trigger()
    settle(qtbot, w)
    assert w.review_mode and review_action.isChecked() and "reviewing assigned records" in w.who_label.text()
    assert w.queue_model.rows == [] and "No records are assigned to you" in w.record_view.toPlainText()
    assert not _actions(w)["&Done, next record"].isEnabled() and w.panel.detail is None
    review_action.trigger()
    qtbot.waitUntil(lambda: w.panel.detail is not None, timeout=5000)
    settle(qtbot, w)
    assert not w.review_mode and len(w.queue_model.rows) == 3 and not w.panel.first_box.isVisible()
    w.close()


def test_people_dialog_registers_the_lead_then_a_reviewer(qtbot, small_db, settings) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings, user=LEAD)
    assert "Lena Lead · single-user mode" in w.who_label.text()
    acts = _actions(w)
    assert acts["&People…"].isEnabled() and acts["&Assign records for review…"].isEnabled()
    acts["&People…"].trigger()
    qtbot.waitUntil(lambda: getattr(w, "people_dialog", None) is not None, timeout=5000)
    d = w.people_dialog
    settle(qtbot, w)
    assert "single-user mode" in d.intro.text()
    assert [d.role.itemData(i) for i in range(d.role.count())] == ["lead"]  # the first must be the lead
    assert d.name.text() == LEAD
    qtbot.mouseClick(d.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.tree.topLevelItemCount() == 1, timeout=5000)
    settle(qtbot, w)
    assert "no longer in single-user mode" in d.message.text()
    qtbot.waitUntil(lambda: "Lena Lead · Audit lead" in w.who_label.text(), timeout=5000)
    assert not d.toggle.isEnabled()  # the lead cannot deactivate themselves
    qtbot.keyClicks(d.name, REVIEWER)
    d.role.setCurrentIndex(d.role.findData("reviewer"))
    qtbot.mouseClick(d.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.tree.topLevelItemCount() == 2, timeout=5000)
    settle(qtbot, w)
    _shot(d, "people_dialog")
    db = Database(small_db)
    assert [(p.name, p.role, p.active) for p in people(db)] == [(LEAD, "lead", True), (REVIEWER, "reviewer", True)]
    db.close()
    rita = next(i for i in range(2) if d.tree.topLevelItem(i).text(0) == REVIEWER)
    d.tree.setCurrentItem(d.tree.topLevelItem(rita))
    assert not d.toggle.isEnabled() and "Say why" in d.toggle.toolTip()  # a reason first: it goes in the trail
    qtbot.keyClicks(d.reason, "Left the inspection team")
    assert d.toggle.isEnabled() and d.toggle.text() == "&Deactivate"
    qtbot.mouseClick(d.toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "is deactivated" in d.message.text(), timeout=5000)
    settle(qtbot, w)
    db = Database(small_db)
    assert {p.name: p.active for p in people(db)} == {LEAD: True, REVIEWER: False}
    with db.session() as s:
        assert verify(s) == []
        last = s.scalars(select(VerdictChange).order_by(VerdictChange.id.desc()).limit(1)).one()
    assert (last.action, last.who, last.new_body["active"]) == ("person", LEAD, False)
    assert "Left the inspection team" in last.reason
    db.close()
    w.close()


def test_an_unregistered_name_is_refused_and_asked_again(qtbot, tmp_path, settings, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    _team_audit(path)
    asked: list[tuple[str, str]] = []

    def answer(_parent, title, prompt, **_kw):  # noqa: ANN001, ANN202
        asked.append((title, prompt))
        return AUDITOR, True

    monkeypatch.setattr(QInputDialog, "getText", answer)
    w = _open_as(qtbot, path, settings, "Somebody Else")
    assert asked and asked[0][0] == "Not registered for this audit"
    assert "“Somebody Else” is not registered for this audit" in asked[0][1]
    qtbot.waitUntil(lambda: w.panel.detail is not None, timeout=10000)
    settle(qtbot, w)
    assert w.person.name == AUDITOR and "Alan Auditor · Auditor" in w.who_label.text()
    acts = _actions(w)
    # an auditor audits; review, assignment and adjudication are for others
    assert acts["&Done, next record"].isEnabled() and not w.review_mode
    for refused in ("&Review my assigned records", "&Assign records for review…", "&Disagreements…", "&People…",
                    "E&xport failed records for the force…"):
        assert not acts[refused].isEnabled(), refused
    assert "Only the audit lead or a peer reviewer may enter review verdicts" in acts["&Review my assigned records"].toolTip()
    w.close()


def test_the_lead_writes_their_own_final_verdict(qtbot, tmp_path, settings) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    items = _team_audit(path)
    db, lead = _core(path)
    review.assign(lead, items["sample"], "hand", REVIEWER, "open", item_ids=[items["INC-0003"]])
    AuditService(db, REVIEWER).save_verdict(items["INC-0003"], THEFT, role="review")
    db.close()
    w = open_window(qtbot, path, settings, user=LEAD)
    _actions(w)["&Disagreements…"].trigger()
    qtbot.waitUntil(lambda: getattr(w, "disagreements_dialog", None) is not None, timeout=5000)
    dd = w.disagreements_dialog
    qtbot.waitUntil(lambda: dd.tree.topLevelItemCount() == 1, timeout=5000)
    settle(qtbot, w)
    assert not dd.write_own.isEnabled()  # a reason first
    qtbot.keyClicks(dd.reason, "Theft, but the bag was snatched: robbery.")
    assert dd.write_own.isEnabled()
    qtbot.mouseClick(dd.write_own, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel.detail is not None and w.panel.detail.ref == "INC-0003", timeout=5000)
    settle(qtbot, w)
    assert w.panel.role == "final" and "Final verdict" in w.panel.heading.text()
    assert [c.expected_code for c in w.panel.body.crimes] == ["49"]  # starts from the reviewer's answers
    assert w.panel.first_box.isVisible()  # the auditor's verdict shown beside
    w.panel.rationale.setText("Bag snatched from her arm: robbery of personal property.")
    w.panel.editor.code.setFocus()
    w.panel.editor.code.selectAll()
    qtbot.keyClicks(w.panel.editor.code, "34B")
    w.panel.editor._code_done()
    settle(qtbot, w)
    qtbot.keyClick(w.panel.rationale, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, w)
    db, lead = _core(path)
    final = lead.verdict(items["INC-0003"], "final")
    assert final.complete and final.crimes[0].expected_code == "34B"
    assert final.rationale.startswith("Bag snatched")
    assert lead.verdict(items["INC-0003"]) == ZERO  # the auditor's verdict untouched
    finals = [h for h in lead.history(items["INC-0003"]) if h.role == "final"]
    assert finals and finals[0].who == LEAD and "robbery" in finals[0].reason and "lead's own" in finals[0].reason
    assert review.disagreements(lead) == []
    db.close()
    w.close()


def test_on_postgresql_the_window_knows_the_reviewer_by_their_login(qtbot, db_target, settings) -> None:  # noqa: ANN001
    """A shared server: the window opened with Rita's own login is Rita's, whatever name it was given."""
    if not db_target.startswith("postgresql"):
        import pytest

        pytest.skip("database logins exist on PostgreSQL only")
    import uuid

    from sqlalchemy import create_engine

    from cdi_workbench.audit.people import create_login

    db = small_audit(db_target)
    login = f"cdi_rita_{uuid.uuid4().hex[:8]}"
    try:
        add_person(db, LEAD, LEAD, "lead")  # keeps the administrator's login
        create_login(db, login)
        add_person(db, LEAD, REVIEWER, "reviewer", login)
        lead = AuditService(db, LEAD)
        sid = next(s.id for s in lead.samples() if s.kind == "incident")
        items = {r.ref: r.item_id for r in lead.queue(sid)}
        lead.save_verdict(items["INC-0003"], ZERO)
        review.assign(lead, sid, "hand", REVIEWER, "blind", item_ids=[items["INC-0003"]])
        w = MainWindow(user="Lena Lead", settings=settings)  # the name typed is not who the server says
        qtbot.addWidget(w)
        w.show()
        w.open_database(db_target.replace("postgres@", f"{login}@", 1))
        qtbot.waitUntil(lambda: w.panel.detail is not None and not w.runner.busy, timeout=10000)
        settle(qtbot, w)
        assert "Rita Reviewer · Peer reviewer" in w.who_label.text() and w.review_mode
        assert [r.ref for r in w.queue_model.rows] == ["INC-0003"]
        assert not w.panel.first_box.isHidden() and "hidden" in w.panel.first_text.toPlainText()
        w.close()
        w.runner.wait()
    finally:
        db.close()
        admin = create_engine(db_target, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": login}).first():
                conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{login}'")
                conn.exec_driver_sql(f'DROP OWNED BY "{login}"')
                conn.exec_driver_sql(f'DROP ROLE "{login}"')
        admin.dispose()
