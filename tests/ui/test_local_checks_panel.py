"""The verdict panel asks the force's own extra checks (local_config; issue 14): a check the lead added to
disposals is asked after the built-in ones for a disposal of the database in use, and its answer is in the verdict
the panel gives; a database without it does not ask it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from cdi_workbench import local_config
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import VerdictBody
from tests.builders import small_audit
from ui.check_form import CheckForm
from ui.verdict_panel import VerdictPanel

KEY, LABEL = "interpreter_used", "Interpreter used"
QUESTION = "Was an interpreter used where the offender needed one?"


@pytest.fixture(autouse=True)
def _no_checks_left_behind() -> Iterator[None]:
    yield
    local_config.deactivate()


def _questions(form: CheckForm) -> list[str]:
    out = []
    for row in range(form.form.rowCount()):
        item = form.form.itemAt(row, form.form.ItemRole.LabelRole)
        if item is not None and isinstance(item.widget(), QLabel):
            out.append(item.widget().text())
    return out


def _disposal(svc: AuditService) -> int:
    sid = next(s.id for s in svc.samples() if s.kind == "disposal")
    return svc.queue(sid)[0].item_id


def test_the_panel_asks_an_extra_check_of_the_database_in_use(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    db = small_audit(tmp_path / "a.db")
    other = small_audit(tmp_path / "b.db")
    try:
        local_config.add_check(db, "disposal", KEY, LABEL, QUESTION)
        svc = AuditService(db, "Inspector A")
        item = _disposal(svc)
        panel = VerdictPanel()
        qtbot.addWidget(panel)
        panel.show()
        changes: list[tuple[VerdictBody, str]] = []
        panel.changed.connect(lambda body, label: changes.append((body, label)))
        panel.load(svc.record(item), VerdictBody(), [])
        form = panel.checks
        assert panel.stack.currentWidget() is form
        assert list(form.boxes)[-1] == KEY
        assert _questions(form)[-1].endswith(QUESTION)
        assert KEY in form.missing()
        for key, value in {"offender_suitable": True, "offender_made_aware": True, "victim_to_consult": False,
                           "outcome_appropriate": True, KEY: True}.items():
            form.boxes[key].set_value(value)
        form._changed(KEY)
        assert changes and changes[-1][0].checks[KEY] is True
        assert form.missing() == []

        # another database, opened in the same process, without the check: not asked
        svc2 = AuditService(other, "Inspector A")
        panel.load(svc2.record(_disposal(svc2)), VerdictBody(), [])
        assert KEY not in panel.checks.boxes
        assert not any(q.endswith(QUESTION) for q in _questions(panel.checks))
    finally:
        db.close()
        other.close()
