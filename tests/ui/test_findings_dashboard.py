from __future__ import annotations

from PySide6.QtCore import QUrl

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.storage.database import Database

from .conftest import open_window, settle


def test_figures_update_and_drill_down_to_the_record(qtbot, small_db, settings) -> None:  # noqa: ANN001
    db = Database(small_db)
    svc = AuditService(db, "Inspector A")
    guardian = next(s.id for s in svc.samples() if s.name == "Guardian")
    item = svc.queue(guardian)[0].item_id
    svc.save_verdict(item, VerdictBody(crimes=[CrimeFinding(expected_code="8N", not_recorded_reason="No discernible reason")],
                                       complete=True))
    db.close()

    w = open_window(qtbot, small_db, settings)
    view = w.findings_view
    qtbot.waitUntil(lambda: view.findings is not None, timeout=5000)
    html = view.browser.toHtml()
    assert "Reports held on other systems" in html and "drill:" in html
    assert view.rate_chart.rows[0][1] == 0.0  # 0 of 1 recorded, charted
    other = next(i for i, t in enumerate(view.findings.tables) if t.key == "other_systems")
    col = view.findings.tables[other].columns.index("Crimes identified")
    view.browser.anchorClicked.emit(QUrl(f"drill:{other}:0:{col}"))
    qtbot.waitUntil(lambda: getattr(w, "drill_dialog", None) is not None and w.drill_dialog.isVisible(), timeout=5000)
    tree = w.drill_dialog.tree
    assert tree.topLevelItemCount() == 1 and tree.topLevelItem(0).text(1) == "GRD-0001"
    tree.itemActivated.emit(tree.topLevelItem(0), 0)
    qtbot.waitUntil(lambda: w.panel.detail is not None and w.panel.detail.ref == "GRD-0001", timeout=5000)
    settle(qtbot, w)
    assert w.sample_box.currentText().startswith("Guardian")

    # a new verdict in the window updates the figures
    reader = Database(small_db)
    zero = next(r.item_id for r in AuditService(reader).queue(1) if r.ref == "INC-0003")
    reader.close()
    w.go_to_item(zero)
    qtbot.waitUntil(lambda: w.panel.detail is not None and w.panel.detail.ref == "INC-0003", timeout=5000)
    w.panel.zero_status()
    qtbot.waitUntil(lambda: view.findings.value("incidents", "Incident records", "Records reviewed") == 1,
                    timeout=5000)
    w.close()


def test_opening_a_tampered_file_warns(qtbot, small_db, settings) -> None:  # noqa: ANN001
    import sqlite3

    db = Database(small_db)
    svc = AuditService(db, "Inspector A")
    svc.save_verdict(svc.queue(1)[0].item_id, VerdictBody(zero_status=True, complete=True))
    db.close()
    with sqlite3.connect(small_db) as conn:
        conn.execute("UPDATE verdict_change SET who = 'Nobody'")
    w = open_window(qtbot, small_db, settings)
    qtbot.waitUntil(lambda: getattr(w, "trail_warning", None) is not None, timeout=5000)
    assert "changed outside CDI Workbench" in w.trail_warning.text()
    w.trail_warning.close()
    w.close()


def test_history_of_a_record_is_shown_and_exported(qtbot, small_db, settings, tmp_path) -> None:  # noqa: ANN001
    import csv

    from PySide6.QtCore import Qt

    w = open_window(qtbot, small_db, settings)
    w.panel.zero_status()
    settle(qtbot, w)
    w.previous_record()
    settle(qtbot, w)
    qtbot.keyClick(w, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(w, "history_dialog", None) is not None, timeout=5000)
    tree = w.history_dialog.tree
    assert tree.topLevelItemCount() == 1
    assert tree.topLevelItem(0).text(1) == "Inspector Test"
    assert (tree.topLevelItem(0).text(2), tree.topLevelItem(0).text(3)) == ("Auditor's verdict", "changed")
    assert "zero status" in tree.topLevelItem(0).text(4)
    out = tmp_path / "h.csv"
    w.history_dialog.export(str(out))  # through the core, on the runner: the role checked, the export recorded
    settle(qtbot, w)
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["who"] == "Inspector Test" and len(rows[0]["hash"]) == 64
    db = Database(small_db)
    trail = AuditService(db, "Inspector Test").history(w.state.current_item)
    db.close()
    assert trail[-1].action == "export" and trail[-1].new_body["file"] == "h.csv"
    w.history_dialog.close()
    w.close()


def test_the_interval_method_chosen_reaches_the_dashboard_the_agreement_and_the_export(
        qtbot, small_db, settings, tmp_path) -> None:  # noqa: ANN001
    """Issue 10: the figures follow the chosen method everywhere; the window had no choice (always normal)."""
    import json

    db = Database(small_db)
    svc = AuditService(db, "Inspector A")
    item = next(r.item_id for r in svc.queue(1) if r.ref == "INC-0001")
    svc.save_verdict(item, VerdictBody(crimes=[CrimeFinding(expected_code="8N", crime_id=1, crime_ref="CR-1"),
                                               CrimeFinding(expected_code="58A",
                                                            not_recorded_reason="No discernible reason")],
                                       complete=True))
    db.close()
    w = open_window(qtbot, small_db, settings)
    view = w.findings_view
    qtbot.waitUntil(lambda: view.findings is not None, timeout=5000)
    assert view.findings.audit["method_key"] == "normal"
    w.interval_actions["wilson"].trigger()
    qtbot.waitUntil(lambda: view.findings.audit["method_key"] == "wilson", timeout=5000)
    assert "Wilson" in view.browser.toHtml()
    assert w.interval_actions["wilson"].isChecked() and not w.interval_actions["normal"].isChecked()
    out = tmp_path / "f.json"
    w.export_to(out)
    qtbot.waitUntil(out.exists, timeout=10000)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["audit"]["method_key"] == "wilson"
    assert doc["figures"]["recording_rates"]["all"]["method"].startswith("Wilson score interval")
    w.close()
