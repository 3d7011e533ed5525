"""Peer review agreement in the findings view and the force's challenge round, driven through the real window."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt, QUrl

from cdi_workbench.challenges import resolution
from cdi_workbench.storage.database import Database
from tests.review_builders import reviewed_audit

from .conftest import open_window, settle

SHOTS = os.environ.get("CDI_SCREENSHOTS")  # a folder to keep screenshots in, when set


def _shot(widget, name: str) -> None:  # noqa: ANN001
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def test_agreement_tab_shows_every_check_and_drills_to_the_records(qtbot, tmp_path, settings) -> None:  # noqa: ANN001
    path = tmp_path / "r.db"
    reviewed_audit(path).close()
    w = open_window(qtbot, path, settings)
    view = w.findings_view
    qtbot.waitUntil(lambda: view.review is not None, timeout=10000)
    tab = view.indexOf(view.agreement_browser)
    assert view.tabText(tab) == "Peer review agreement"
    view.setCurrentIndex(tab)
    w.findings_dock.setMinimumHeight(420)
    settle(qtbot, w)
    _shot(w, "agreement_tab")
    text = view.agreement_browser.toPlainText()
    for shown in ("Kappa: Cohen's kappa (statsmodels)", "Landis and Koch (1977) band", "Crimes identified",
                  "Every crime identified recorded", "No recorded crime wrongly classified",
                  "No recorded crime outside the time limit", "Offender suitable given previous history?",
                  "Decision correct", "Auditor: Inspector A", "Auditor: Inspector D"):
        assert shown in text, shown
    suitable = next(i for i, a in enumerate(view.review.agreement)
                    if a.check == "offender_suitable" and a.auditor == "")
    lines = [ln.strip() for ln in text.splitlines()]
    at = lines.index("Offender suitable given previous history?")  # the all-auditors table comes first
    a = view.review.agreement[suitable]
    assert lines[at + 1: at + 11] == ["6", "5", "1", "83.3%", f"{a.percent_low:.1f}% to 100.0%", "0.67",
                                      f"{a.kappa_low:.2f} to 1.00", "Cohen's kappa", "0.67",
                                      "too few pairs for a band (n < 30)"]  # pairs .. band
    for shown in ("PABAK", "Kappa 95% CI", "weighted kappa (linear weights)", "Byrt, Bishop and Carlin (1993)"):
        assert shown in text, shown
    view.agreement_browser.anchorClicked.emit(QUrl(f"agree:{suitable}:differ"))
    qtbot.waitUntil(lambda: getattr(w, "drill_dialog", None) is not None and w.drill_dialog.isVisible(),
                    timeout=5000)
    tree = w.drill_dialog.tree
    assert [tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())] == ["OOCD-4"]
    tree.itemActivated.emit(tree.topLevelItem(0), 0)
    qtbot.waitUntil(lambda: w.panel.detail is not None and w.panel.detail.ref == "OOCD-4", timeout=5000)
    w.close()


def test_agreement_tab_when_nothing_was_reviewed(qtbot, small_db, settings) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings)
    view = w.findings_view
    settle(qtbot, w)
    assert "Nothing has been peer reviewed yet" in view.agreement_browser.toPlainText()
    assert "Kappa" not in view.agreement_browser.toPlainText()
    w.close()


def _answer(workbook: Path) -> None:
    """The force challenges every failure but the late recordings, which it agrees."""
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Failed records"]
    for r in range(3, ws.max_row + 1):
        if str(ws.cell(r, 8).value).startswith("recorded outside"):
            ws.cell(r, 9).value = "agree"
        else:
            ws.cell(r, 9).value, ws.cell(r, 10).value = "challenge", f"Evidence for {ws.cell(r, 2).value}"
    wb.save(workbook)


def test_a_challenge_round_through_the_review_menu(qtbot, tmp_path, settings) -> None:  # noqa: ANN001
    path = tmp_path / "r.db"
    reviewed_audit(path).close()
    w = open_window(qtbot, path, settings, user="Lead C")
    errors: list[tuple[str, str]] = []
    w._show_error = lambda title, details="": errors.append((title, details))  # no modal box in a test
    actions = {a.text(): a for a in w.review_menu.actions()}
    assert {"E&xport failed records for the force…", "&Import the force's responses…",
            "The force's &challenges…"} <= set(actions)

    out = tmp_path / "for the force.xlsx"
    w.export_for_force(str(out))
    settle(qtbot, w)
    assert out.exists() and not errors
    # a workbook with a problem: nothing stored, every problem said
    wb = openpyxl.load_workbook(out)
    wb["Failed records"].cell(3, 9).value = "maybe"
    wb.save(out)
    w.import_force_responses(str(out))
    settle(qtbot, w)
    assert errors and "Nothing was imported" in errors[0][0] and "answer agree or challenge" in errors[0][1]
    errors.clear()

    _answer(out)
    w.import_force_responses(str(out))
    qtbot.waitUntil(lambda: getattr(w, "challenges_dialog", None) is not None, timeout=5000)
    dialog = w.challenges_dialog
    qtbot.waitUntil(lambda: bool(dialog.rows), timeout=5000)
    settle(qtbot, w)
    assert not errors
    dialog.resize(1100, 700)
    _shot(dialog, "challenges_dialog")
    tree = dialog.tree
    assert tree.topLevelItemCount() == len(dialog.rows) >= 3
    current = dialog.current()
    assert current is not None and current.pending  # opens on the first challenge awaiting a decision
    # the buttons ask for a reason first
    assert not dialog.uphold.isEnabled() and not dialog.reject_button.isEnabled()
    assert "Give a reason" in dialog.detail.text()
    qtbot.keyClicks(dialog.reason, "Recorded later, evidenced on the crime system")
    assert dialog.uphold.isEnabled() and dialog.reject_button.isEnabled()
    upheld_ref, upheld_failure = current.failure.reference, current.failure.failure
    qtbot.mouseClick(dialog.uphold, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(r.decision == "upheld" for r in dialog.rows), timeout=5000)
    settle(qtbot, w)
    decided = next(r for r in dialog.rows if r.decision == "upheld")
    assert (decided.failure.reference, decided.failure.failure) == (upheld_ref, upheld_failure)
    assert decided.decided_by == "Lead C" and dialog.reason.text() == ""
    row = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
               if tree.topLevelItem(i).text(5) == "challenge upheld")
    assert row.text(0) == upheld_ref and row.text(6) == "Lead C" and row.text(7)[2] == "/"  # dd/mm/yyyy HH:MM
    # the next challenge is rejected
    nxt = dialog.current()
    assert nxt is not None and nxt.pending
    qtbot.keyClicks(dialog.reason, "No evidence offered")
    qtbot.mouseClick(dialog.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(r.decision == "rejected" for r in dialog.rows), timeout=5000)
    settle(qtbot, w)
    # the before/after summary agrees with the core, row by row
    db = Database(path)
    core = resolution(db)
    db.close()
    summary = dialog.summary
    shown = {summary.item(r, 0).text(): [int(summary.item(r, c).text()) for c in range(1, summary.columnCount())]
             for r in range(summary.rowCount())}
    for failure, figures in core.items():
        assert shown[failure][0] == figures["before"] and shown[failure][-1] == figures["after"]
        assert shown[failure][4] == figures["upheld"] and shown[failure][5] == figures["rejected"]
    assert shown["Total"][-1] == shown["Total"][0] - 1  # one failure withdrawn
    # an agreed failure cannot be decided
    dialog.filter.setCurrentIndex(0)
    agreed = next(i for i in range(tree.topLevelItemCount()) if tree.topLevelItem(i).text(3) == "agree")
    tree.setCurrentItem(tree.topLevelItem(agreed))
    qtbot.keyClicks(dialog.reason, "Anything")
    assert not dialog.uphold.isEnabled() and "Only a challenge" in dialog.detail.text()
    _shot(dialog, "challenges_dialog_decided")
    # the awaiting-decision filter hides the decided ones
    dialog.filter.setCurrentIndex(2)
    assert all(tree.topLevelItem(i).text(5) == "challenged: awaiting decision"
               for i in range(tree.topLevelItemCount()))
    dialog.close()

    # the exports now carry the before/after table
    w.export_to(tmp_path / "findings.xlsx")
    settle(qtbot, w)
    wb = openpyxl.load_workbook(tmp_path / "findings.xlsx")
    assert "Before and after challenges" in wb.sheetnames and "Peer review agreement" in wb.sheetnames
    assert not errors
    w.close()
