"""The verdict panel asks the checks table's questions (issue 11, each check defined once): a check added to the
table is asked, in its place, when it applies; a follow-up (an N100's rape code) once its check is answered."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtWidgets import QLabel

from cdi_workbench.audit import check_table as table
from cdi_workbench.audit.check_table import Check
from cdi_workbench.kinds import RecordKind
from ui.check_form import RAPE_CODE, CheckForm

NEW = Check("offender_consented", "Offender consented", "Did the offender consent to the disposal?",
            "offender_made_aware", "Offender consented", "offender_consented", after=("victim_to_consult", False))


def _questions(form: CheckForm) -> list[str]:
    out = []
    for row in range(form.form.rowCount()):
        item = form.form.itemAt(row, form.form.ItemRole.LabelRole)
        if item is not None and isinstance(item.widget(), QLabel):
            out.append(item.widget().text())
    return out


def test_the_panel_asks_a_check_added_to_the_table(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    spec = table.RECORD_CHECKS[RecordKind.DISPOSAL]
    monkeypatch.setitem(table.RECORD_CHECKS, RecordKind.DISPOSAL, replace(spec, checks=(*spec.checks, NEW)))
    form = CheckForm()
    qtbot.addWidget(form)
    form.load("disposal", {"victim_to_consult": False}, "Simple caution")
    assert list(form.boxes) == [c.key for c in spec.checks] + ["offender_consented"]
    assert _questions(form)[-1] == "&6. Did the offender consent to the disposal?"
    assert form.missing() == ["offender_suitable", "offender_made_aware", "offender_consented"]
    form.load("disposal", {"victim_to_consult": True}, "Simple caution")
    assert "offender_consented" not in form.missing()  # asked only when there was no victim to consult


def test_the_n100_follow_up_is_asked_once_its_check_is_answered(qtbot) -> None:  # noqa: ANN001
    form = CheckForm()
    qtbot.addWidget(form)
    form.load("n100", {"n100_needed": False, "should_have_been_rape": False})
    assert form.rape_box is not None and form.missing() == []
    assert _questions(form) == ["&1. Should an N100 have been applied?",
                                "&2. Should this have been recorded as a crime of rape?",
                                "&3. Recorded as which crime of rape? (Home Office code, 19C-19H)"]
    form.load("n100", {"n100_needed": False, "should_have_been_rape": True})
    assert form.missing() == [RAPE_CODE]
    form.load("cancellation", {})
    assert form.rape_box is None and list(form.boxes) == ["decision_correct", "authorised_decision_maker",
                                                          "victim_informed"]
