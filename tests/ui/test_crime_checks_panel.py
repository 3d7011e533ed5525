"""The verdict panel on a crime record sampled itself (issue 14): the checks table's two questions, the timeliness
worked out from the record offered under the second as a suggestion (never as the answer), the answers given the
verdict body, and the sample dialog offering crime records with their offence groups."""

from __future__ import annotations

from datetime import UTC, datetime

from cdi_workbench.audit.check_table import TIMELINESS_WORKED_OUT, checks_of
from cdi_workbench.audit.records import RecordDetail
from cdi_workbench.audit.verdicts import VerdictBody
from ui.verdict_panel import VerdictPanel

WORKED = "recorded 30 h 0 min (1 day 6 h) after the report: outside 24 hours"


def _detail(fields: list[tuple[str, str]]) -> RecordDetail:
    return RecordDetail(7, "crime", "8N", "CR-9", datetime(2015, 6, 2, 10, tzinfo=UTC), fields=fields)


def test_the_panel_asks_the_crime_checks_with_the_worked_out_timeliness(qtbot) -> None:  # noqa: ANN001
    panel = VerdictPanel()
    qtbot.addWidget(panel)
    panel.show()
    changes: list[tuple[VerdictBody, str]] = []
    panel.changed.connect(lambda body, label: changes.append((body, label)))
    panel.load(_detail([("Home Office code", "8N"), (TIMELINESS_WORKED_OUT, WORKED)]), VerdictBody(), [])
    form = panel.checks
    assert panel.stack.currentWidget() is form
    assert list(form.boxes) == ["code_correct", "recorded_in_time"] == [c.key for c in checks_of("crime")]
    assert list(form.hints) == ["recorded_in_time"]
    hint = form.hints["recorded_in_time"]
    assert hint.isVisible() and WORKED in hint.text() and "suggestion" in hint.text()
    assert form.boxes["recorded_in_time"].value() is None  # a suggestion, not an answer given for the auditor
    assert panel.problem() == "Answer: code correct, recorded in time."
    form.boxes["code_correct"].set_value(True)
    form.boxes["recorded_in_time"].set_value(False)
    form._changed("recorded_in_time")
    assert changes and changes[-1][0].checks == {"code_correct": True, "recorded_in_time": False}
    panel.done()
    assert changes[-1][0].complete and changes[-1][1] == "Complete verdict"


def test_no_worked_out_time_no_suggestion(qtbot) -> None:  # noqa: ANN001
    panel = VerdictPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.load(_detail([("Home Office code", "8N")]), VerdictBody(), [])
    assert panel.checks.hints == {}
    panel.load(RecordDetail(8, "cancellation", "vap", "CR-1", None, fields=[(TIMELINESS_WORKED_OUT, WORKED)]),
               VerdictBody(), [])
    assert panel.checks.hints == {}  # only a check that names the field shows it


def test_the_sample_dialog_offers_crime_records(qtbot) -> None:  # noqa: ANN001
    from ui.sample_dialog import KINDS

    assert ("Crime records", "crime") in KINDS
