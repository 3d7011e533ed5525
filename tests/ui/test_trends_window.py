"""The Trends tab's window of audits (issue 14): this month, last month, the last 6 or 12 months (to start with) or
all audits, chosen beside the figure and worked out by the core for that window; the choice stays while the window
is open, through another opening of the programme, and one made while the tab is hidden is worked out when it is
next shown. The tabs worked out while shown (By unit, Trends, Team) say a failure as before: By unit in a message
box, Trends and Team on their tab."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from cdi_workbench.audit import programme_operations as pops
from cdi_workbench.trends_points import WINDOWS
from sample_data.series import monthly_series
from sample_data.series_db import write_year
from ui.main_window import MainWindow
from ui.trends_view import WINDOW_CHOICES

from .conftest import settle

SHOTS = os.environ.get("CDI_SCREENSHOTS")  # a folder to keep screenshots in, when set
MONTHS = [f"{y}-{m:02d}" for y, m in [(2015, m) for m in range(4, 13)] + [(2016, m) for m in range(1, 6)]]
ALL = "recording_rates.all"


def _shot(widget, name: str) -> None:  # noqa: ANN001
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


@pytest.fixture
def fourteen_months(tmp_path: Path) -> Path:
    """Fourteen monthly audits, April 2015 to May 2016 (2015 rules), of eight crimes each."""
    path = tmp_path / "series.db"
    write_year(path, monthly_series(months=14, crimes=8, start=date(2015, 4, 1))).close()
    return path


def _open(qtbot, w: MainWindow, path: Path) -> None:  # noqa: ANN001
    w.open_database(str(path))
    qtbot.waitUntil(lambda: w.info is not None and w.info.name == MONTHS[-1] and w.person is not None,
                    timeout=10000)
    settle(qtbot, w)
    qtbot.waitUntil(lambda: not w.reader.busy, timeout=20000)


def _shown(qtbot, w: MainWindow, window: str) -> list[str]:  # noqa: ANN001
    """The audits of the figure 'all crimes' once the Trends tab shows the trends of `window`."""
    view = w.findings_view.trends_view
    qtbot.waitUntil(lambda: view.trends is not None and view.trends.window == window and not w.reader.busy,
                    timeout=30000)
    view.choose(ALL)
    figure = view.figure()
    assert figure is not None
    return [p.name for p in figure.series.points]


def test_the_trends_window_is_chosen_kept_and_worked_out_by_the_core(qtbot, fourteen_months, settings, monkeypatch
                                                                    ) -> None:  # noqa: ANN001
    w = MainWindow(user="Lena Lead", settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    _open(qtbot, w, fourteen_months)
    view = w.findings_view.trends_view
    box = view.window_box
    assert [box.itemText(i) for i in range(box.count())] == ["This month", "Last month", "Last 6 months",
                                                              "Last 12 months", "All audits"]
    assert {key for key, _text in WINDOW_CHOICES} == set(WINDOWS)  # the core's windows, every one
    assert box.currentText() == "Last 12 months"  # as before, to start with

    asked: list[str] = []
    trends = pops.trends
    monkeypatch.setattr(pops, "trends", lambda svc, method="normal", window="last_12_months":
                        (asked.append(window), trends(svc, method, window))[1])
    w.findings_view.setCurrentWidget(view)
    assert _shown(qtbot, w, "last_12_months") == MONTHS[2:]
    box.setCurrentIndex(box.findText("All audits"))
    assert _shown(qtbot, w, "all") == MONTHS
    assert view.summary.text() == "All 14 audits of the programme"
    assert "2015-04" in view.words.toPlainText()
    w.findings_dock.setMinimumHeight(380)
    qtbot.wait(50)
    _shot(view, "h2_trends_all")
    _shot(w, "h2_trends_all_window")
    box.setCurrentIndex(box.findText("This month"))
    assert _shown(qtbot, w, "this_month") == MONTHS[-1:]
    assert view.summary.text() == "1 audit of the programme: this month"
    box.setCurrentIndex(box.findText("Last month"))
    assert _shown(qtbot, w, "last_month") == MONTHS[-2:-1]
    assert asked == ["last_12_months", "all", "this_month", "last_month"]  # the core asked for each window chosen

    # chosen while the tab is hidden: worked out once it is shown again, not before
    w.findings_view.setCurrentWidget(w.findings_view.browser)
    box.setCurrentIndex(box.findText("Last 6 months"))
    settle(qtbot, w)
    qtbot.waitUntil(lambda: not w.reader.busy, timeout=20000)
    assert asked[-1] == "last_month" and view.trends is None
    w.findings_view.setCurrentWidget(view)
    assert _shown(qtbot, w, "last_6_months") == MONTHS[-6:]

    # kept through another opening of the programme (the window's session)
    box.setCurrentIndex(box.findText("All audits"))
    assert _shown(qtbot, w, "all") == MONTHS
    _open(qtbot, w, fourteen_months)
    assert box.currentText() == "All audits"
    assert _shown(qtbot, w, "all") == MONTHS
    assert asked[-1] == "all"

    # a failure said as before: the Trends and Team tabs on the tab, By unit in a message box
    def fails(*_a: object, **_k: object) -> None:
        raise RuntimeError("the figures could not be read")

    errors: list[tuple[str, str]] = []
    monkeypatch.setattr(w, "_show_error", lambda title, details="": errors.append((title, details)))
    monkeypatch.setattr(pops, "trends", fails)
    monkeypatch.setattr(pops, "team", fails)
    monkeypatch.setattr(pops, "findings_by_unit", fails)
    box.setCurrentIndex(box.findText("Last 12 months"))
    qtbot.waitUntil(lambda: view.summary.text().startswith("The trends could not be worked out"), timeout=10000)
    assert view.summary.text() == "The trends could not be worked out: the figures could not be read"
    assert w.findings_view.trends_stale and view.trends is None
    w.findings_view.setCurrentWidget(w.findings_view.team_browser)
    qtbot.waitUntil(lambda: "The team could not be shown" in w.findings_view.team_browser.toPlainText(),
                    timeout=10000)
    assert w.findings_view.team_stale
    w.findings_view.setCurrentWidget(w.findings_view.units_browser)
    qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    assert errors == [("The findings by unit could not be worked out", "the figures could not be read")]
    assert w.findings_view.units_stale
    settle(qtbot, w)
    w.close()
