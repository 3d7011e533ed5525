"""A trend's window seen from an audit (issue 14 review): 'last month' showed February but gave March's change
against February, and a trend seen from a past audit (the window's open audit, `cdi trends --audit`) ran on to the
latest month."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cdi_workbench.cli import main as cdi
from cdi_workbench.cli.board import trend_document
from cdi_workbench.storage.database import Database
from sample_data.series import monthly_series
from sample_data.series_db import write_year

FIGURE = "recording_rates.all"


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trend") / "year.db"
    write_year(path, monthly_series(months=5, crimes=40, start=date(2016, 4, 1))).close()
    return path  # audits 2016-04 .. 2016-08


def _doc(path: Path, window: str, audit: str | None = None) -> dict:  # type: ignore[type-arg]
    db = Database(path)
    try:
        return trend_document(db, [FIGURE], window, "normal", audit)["figures"][0]
    finally:
        db.close()


def test_last_month_gives_its_own_change_not_the_latest(year: Path) -> None:
    f = _doc(year, "last_month")
    assert [p["audit"] for p in f["points"]] == ["2016-07"]
    assert "2016-06 to 2016-07" in f["latest_change"] and "2016-08" not in f["latest_change"]
    this = _doc(year, "this_month")
    assert [p["audit"] for p in this["points"]] == ["2016-08"] and "2016-07 to 2016-08" in this["latest_change"]


def test_a_trend_seen_from_a_past_audit_ends_with_it(year: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = _doc(year, "last_12_months", "2016-06")
    assert [p["audit"] for p in f["points"]] == ["2016-04", "2016-05", "2016-06"]
    assert "2016-05 to 2016-06" in f["latest_change"]
    assert [p["audit"] for p in _doc(year, "this_month", "2016-06")["points"]] == ["2016-06"]
    assert cdi(["trends", str(year), "--figure", FIGURE, "--audit", "2016-05", "--window", "all"]) == 0
    out = capsys.readouterr().out
    assert "2016-05" in out and "2016-06" not in out
    assert cdi(["trends", str(year), "--audit", "2015-13"]) != 0
    assert "no audit called '2015-13'" in capsys.readouterr().err


def test_a_pack_for_a_past_month_lists_no_later_action(year: Path) -> None:
    from cdi_workbench.programme_figures import add_action
    from cdi_workbench.reports.board_pack import board_pack

    db = Database(year)
    try:
        add_action(db, "Retrain the control room", "Ch Insp A", date(2016, 9, 1), audit="2016-05")
        add_action(db, "Audit the referral inbox", "DS B", date(2016, 12, 1), audit="2016-08")
        june = board_pack(db, "2016-06")
        assert [a.recommendation for a in june.actions] == ["Retrain the control room"]
        assert len(board_pack(db, "2016-08").actions) == 2
    finally:
        db.close()


@pytest.mark.parametrize("typed", [0.95, 1, 0.5])
def test_a_target_typed_as_a_proportion_is_refused(year: Path, typed: float) -> None:
    from cdi_workbench.programme_figures import set_targets, targets

    db = Database(year)
    try:
        with pytest.raises(ValueError, match=f"looks like a proportion: targets are percentages, so write "
                                             f"{typed * 100:g}"):
            set_targets(db, {FIGURE: typed})
        assert FIGURE not in targets(db)
    finally:
        db.close()


def test_the_windows_trends_are_seen_from_the_open_audit(year: Path) -> None:
    """The window's Trends tab showed the latest months whatever audit was open."""
    from cdi_workbench.audit import programme_operations as pops
    from cdi_workbench.audit.service import AuditService

    db = Database(year)
    try:
        found = pops.trends(AuditService(db, "Inspector A", audit="2016-06"), window="last_12_months")
        figure = next(f for f in found.figures if f.figure == FIGURE)
        assert [p.name for p in figure.series.points] == ["2016-04", "2016-05", "2016-06"]
        assert figure.latest is not None and (figure.latest.before, figure.latest.after) == ("2016-05", "2016-06")
        last = pops.trends(AuditService(db, "Inspector A", audit="2016-06"), window="last_month")
        f2 = next(f for f in last.figures if f.figure == FIGURE)
        assert [p.name for p in f2.series.points] == ["2016-05"] and f2.latest is not None and f2.latest.after == "2016-05"
    finally:
        db.close()
