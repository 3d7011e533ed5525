"""What the rest of `mypy ui` found (issue 11, type checking): the verdict panel's answers kept under `self.scroll`,
hiding QWidget.scroll(dx, dy); a review's check rows shown and hidden through a widget that might be None; the
assignment dialog's refusal handled by a lambda building a tuple; widgets named through `objectName=`, which
PySide6's stubs do not take (the names the tests find them by are kept)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QRadioButton, QScrollArea, QSpinBox, QTreeWidget

from cdi_workbench.audit import review
from cdi_workbench.audit.people import add_person
from tests.builders import small_audit
from ui.assign_dialog import AssignDialog
from ui.check_form import CheckForm

from .conftest import open_window, settle

LEAD, REVIEWER = "Lena Lead", "Rita Reviewer"


def test_the_verdict_panel_keeps_qwidget_scroll(qtbot, small_db, settings) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings)
    panel = w.panel
    panel.scroll(0, 0)  # QWidget's own method, callable again (it was the answers' scroll area)
    assert panel.findChild(QScrollArea, "verdict_scroll") is panel.answers_scroll
    assert panel.answers_scroll.widget() is panel.stack
    w.close()


def test_a_review_hides_the_whole_row_of_a_check_that_does_not_arise(qtbot) -> None:  # noqa: ANN001
    """In a review each check's row holds its answer and a comment: both go when the check does not arise."""
    form = CheckForm()
    qtbot.addWidget(form)
    form.load("disposal", {"victim_to_consult": False}, "Simple caution", reviewing=True)
    views, views_comment = form.boxes["victim_views_considered"], form.comment_edits["victim_views_considered"]
    assert not views.isVisibleTo(form) and not views_comment.isVisibleTo(form)
    assert form.comment_edits["victim_to_consult"].isVisibleTo(form)  # a check that arises keeps its comment
    consult = form.boxes["victim_to_consult"]
    consult.set_value(True)
    consult.activated.emit(consult.currentIndex())  # as choosing Yes does
    assert views.isVisibleTo(form) and views_comment.isVisibleTo(form)
    consult.set_value(False)
    consult.activated.emit(consult.currentIndex())
    assert not views.isVisibleTo(form) and not views_comment.isVisibleTo(form)


def test_a_refused_assignment_is_reported_and_assign_offered_again(qtbot, tmp_path, settings,  # noqa: ANN001
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.db"
    db = small_audit(path)
    for name, role in ((LEAD, "lead"), (REVIEWER, "reviewer")):
        add_person(db, LEAD, name, role)
    db.close()
    w = open_window(qtbot, path, settings, user=LEAD)
    w.assign_reviews()  # Review > Assign records for review…
    qtbot.waitUntil(lambda: isinstance(w.assign_dialog, AssignDialog), timeout=5000)
    d = w.assign_dialog
    assert isinstance(d, AssignDialog)
    qtbot.waitUntil(lambda: d.reviewer.count() > 0, timeout=5000)
    settle(qtbot, w)
    names = {QComboBox: ("sample", "unit", "reviewer"), QSpinBox: ("share", "seed"),
             QRadioButton: ("random", "failed", "flagged", "hand", "blind", "open"),
             QPushButton: ("assign_button", "withdraw_button"), QLabel: ("message", "table_heading"),
             QTreeWidget: ("assignments",)}
    for kind, found_by in names.items():
        for name in found_by:
            assert d.findChild(kind, name) is not None, name

    def refuse(*_args: object, **_kw: object) -> list[int]:
        raise ValueError("Rita Reviewer may not review this sample")

    monkeypatch.setattr(review, "assign", refuse)
    d.reviewer.setCurrentText(REVIEWER)
    qtbot.mouseClick(d.assign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.message.text().startswith("Not assigned"), timeout=5000)
    settle(qtbot, w)
    assert d.message.text() == "Not assigned: Rita Reviewer may not review this sample"
    assert d.assign_button.isEnabled()  # the lead may try again
    d.close()
    w.close()
