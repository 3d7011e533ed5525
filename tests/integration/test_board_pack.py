"""The board pack (issue 14; reports.board_pack, board_pack_pdf, board_pack_excel, cli.board): a programme of monthly
audits with known counts (tests.programme_builders) reported to a force's board: the status decided by the
interval, the change sentence as the trends say it, PROVISIONAL wherever a part-finished audit's figures appear,
every section in the PDF under the marking, the Excel trend figures as numbers equal to the trends, the actions log
carried from month to month, and the roles."""

from __future__ import annotations

import argparse
import json
import os
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.cli import board
from cdi_workbench.programme_figures import (
    KEY_FIGURES,
    RAG_CLUSTERING,
    RAG_METHOD,
    actions,
    add_action,
    points,
    set_method_style,
    set_targets,
    targets,
    update_action,
)
from cdi_workbench.reports.board_pack import board_pack, write_board_pack
from cdi_workbench.reports.common import MARKING
from cdi_workbench.storage.database import Database
from cdi_workbench.trends import latest_change, series
from cdi_workbench.trends_points import figure_label
from tests.programme_builders import MonthPlan, monthly_programme

# four months of 50 records drawn from 100 each: steady, then 92% in the last (above a 90% target, but its interval
# of about +/- 5 points straddles it)
RATES = [0.80, 0.84, 0.80, 0.92]
SECTIONS = ["1. Summary", "2. Trends", "3. Recording rate by unit", "4. Completion", "5. Actions log"]


def _copy(src: Path, tmp_path: Path) -> Database:
    path = tmp_path / "copy.db"
    shutil.copy(src, path)
    return Database(path)


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[MonthPlan]]:
    path = tmp_path_factory.mktemp("board") / "finished.db"
    db, plans = monthly_programme(path, RATES, records=50)
    db.close()
    return path, plans


@pytest.fixture(scope="module")
def part_finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[MonthPlan]]:
    path = tmp_path_factory.mktemp("board") / "part.db"
    db, plans = monthly_programme(path, [0.8, 0.85, 0.9], records=30, unfinished=6)
    db.close()
    return path, plans


def _pdf_pages(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(str(path)).pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="cdi")
    parser.add_argument("--user")
    board.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


# ---- the summary's figures ----------------------------------------------------------------------------------------
def test_the_key_rates_are_the_audits_counts_with_intervals(finished: tuple[Path, list[MonthPlan]],
                                                            tmp_path: Path) -> None:
    db = _copy(finished[0], tmp_path)
    last = finished[1][-1]
    pack = board_pack(db)
    assert pack.audit == "2016-04" and pack.period == "01/04/2016 to 30/04/2016"
    k = pack.key_rate("recording_rates.all")
    assert k.point is not None and (k.point.k, k.point.n) == (last.recorded, last.identified) == (46, 50)
    assert k.rate is not None and k.rate.rate == pytest.approx(46 / 50)
    assert "normal approximation" in k.method.lower()  # the method named beside the figure
    t = pack.key_rate("timeliness.all")
    assert t.point is not None and (t.point.k, t.point.n) == (last.recorded - last.late, last.recorded)
    assert pack.key_rate("cancellations.total.correct").value_text == "not defined"  # nothing counted: no raise
    assert [k.figure for k in pack.key_rates] == KEY_FIGURES
    db.close()


def test_status_is_decided_by_the_interval_not_the_point(finished: tuple[Path, list[MonthPlan]],
                                                         tmp_path: Path) -> None:
    db = _copy(finished[0], tmp_path)
    set_targets(db, {"recording_rates.all": 90, "timeliness.all": 50, "recording_rates.vap": 99.9})
    pack = board_pack(db)
    k = pack.key_rate("recording_rates.all")
    assert k.rate is not None and k.rate.rate is not None and k.rate.low is not None and k.rate.high is not None
    assert k.rate.rate > 0.90 and k.rate.low < 0.90 <= k.rate.high  # the point above the target, the interval across
    assert k.status == "amber"
    low = pack.key_rate("timeliness.all").rate
    assert low is not None and low.low is not None and low.low >= 0.5
    assert pack.key_rate("timeliness.all").status == "green"
    vap = pack.key_rate("recording_rates.vap").rate
    assert vap is not None and vap.high is not None and vap.high < 0.999
    assert pack.key_rate("recording_rates.vap").status == "red"
    assert pack.key_rate("recording_rates.rape").status == "not rated"  # no target
    assert pack.rag_method == RAG_METHOD
    db.close()


def test_the_change_sentence_is_the_trends(finished: tuple[Path, list[MonthPlan]], tmp_path: Path) -> None:
    db = _copy(finished[0], tmp_path)
    pack = board_pack(db)
    pts = points(db)
    for figure in KEY_FIGURES:
        want = latest_change(pts, figure)
        assert want is not None
        assert pack.key_rate(figure).change_text == want.text
    change = pack.key_rate("recording_rates.all").change
    assert change is not None and change.counts == (40, 50, 46, 50)  # 2016-03 then 2016-04, from the plan
    assert change.text.startswith("Up 12.0 points")
    # a pack for a past month compares that month with the one before it
    march = board_pack(db, audit="2016-03")
    assert march.key_rate("recording_rates.all").change_text == latest_change(pts[:3], "recording_rates.all").text
    assert [p.name for p in march.trend("recording_rates.all").series.points] == ["2016-01", "2016-02", "2016-03"]
    db.close()


def test_a_step_change_is_flagged_and_a_steady_month_is_not(tmp_path: Path) -> None:
    db, _ = monthly_programme(tmp_path / "step.db", [0.6, 0.62, 0.6, 0.95], records=60)
    pack = board_pack(db)
    change = pack.key_rate("recording_rates.all").change
    assert change is not None and change.significant and ": more than sampling noise" in change.text
    steady = board_pack(db, audit="2016-03")
    assert "within sampling noise" in steady.key_rate("recording_rates.all").change_text
    trend = pack.trend("recording_rates.all")
    assert [c.after for c in trend.scan.flagged] == ["2016-04"]
    assert any("more than sampling noise" in w for w in trend.words)
    db.close()


# ---- PROVISIONAL --------------------------------------------------------------------------------------------------
def test_a_part_finished_audit_is_provisional_on_every_page_with_its_figures(
        part_finished: tuple[Path, list[MonthPlan]], tmp_path: Path) -> None:
    db = _copy(part_finished[0], tmp_path)
    last = part_finished[1][-1]
    pack = board_pack(db)
    assert pack.provisional and pack.provisional_audits == ("2016-03",)
    assert (pack.completion.completion.audited, pack.completion.completion.drawn) == (last.audited, last.drawn) \
        == (24, 30)
    assert all(k.provisional for k in pack.key_rates)
    write_board_pack(pack, tmp_path / "b.pdf", tmp_path / "b.xlsx")
    pages = _pdf_pages(tmp_path / "b.pdf")
    banner = "PROVISIONAL: figures of a part-finished audit (2016-03: 24 of 30 records audited)"
    assert banner in _flat(pages[0])
    figure_pages = [i for i, p in enumerate(pages) if any(figure_label(f) in _flat(p) for f in KEY_FIGURES)
                    or "Recording rate by unit" in p]
    assert figure_pages and all(banner in _flat(pages[i]) for i in figure_pages)
    wb = load_workbook(tmp_path / "b.xlsx")
    for sheet in ("Summary", "Trends", "By unit", "Completion"):
        assert "PROVISIONAL" in str(wb[sheet]["A3"].value)
    assert wb["Summary"].cell(row=5, column=16).value == "Yes"
    db.close()


def test_a_finished_programme_says_provisional_nowhere(finished: tuple[Path, list[MonthPlan]],
                                                       tmp_path: Path) -> None:
    db = _copy(finished[0], tmp_path)
    pack = board_pack(db)
    assert not pack.provisional and not pack.provisional_audits
    write_board_pack(pack, tmp_path / "b.pdf")
    assert not any("PROVISIONAL" in p for p in _pdf_pages(tmp_path / "b.pdf"))
    db.close()


# ---- the PDF --------------------------------------------------------------------------------------------------------
def test_the_pdf_holds_the_marking_and_every_section(finished: tuple[Path, list[MonthPlan]], tmp_path: Path) -> None:
    db = _copy(finished[0], tmp_path)
    set_targets(db, {"recording_rates.all": 90})
    add_action(db, "Retrain call takers on third-party reports", "DCI Smith", date(2016, 5, 1), audit="2016-03")
    pack = board_pack(db)
    write_board_pack(pack, tmp_path / "board.pdf")
    if os.environ.get("CDI_KEEP_PDF"):  # to look at it: the path given
        shutil.copy(tmp_path / "board.pdf", os.environ["CDI_KEEP_PDF"])
    pages = _pdf_pages(tmp_path / "board.pdf")
    assert len(pages) >= 3
    for i, page in enumerate(pages, 1):
        assert page.count(MARKING) >= 2, f"page {i} lacks the marking at the top and bottom"
        assert f"Page {i} of {len(pages)}" in page
    whole = _flat("\n".join(pages))
    for section in SECTIONS:
        assert section in whole
    first = _flat(pages[0])
    for figure in KEY_FIGURES:
        assert figure_label(figure).split(":")[0] in first
    assert "AMBER" in first and "90%" in first  # the status cell and the target on the one-page summary
    assert _flat(RAG_METHOD)[:60] in first  # the method stated on the page
    assert _flat(RAG_CLUSTERING)[:80] in _flat(whole)  # the status's interval ignores clustering, and says so
    assert pack.key_rate("recording_rates.all").change_text[:40] in first
    assert "Retrain call takers" in whole and "OVERDUE" in whole  # due 01/05/2016, still open
    for label, _ in zip(("North LPA", "South LPA", "Central LPA"), range(3), strict=True):
        assert label in whole
    db.close()


def test_a_series_that_breaks_says_why(finished: tuple[Path, list[MonthPlan]], tmp_path: Path) -> None:
    db = _copy(finished[0], tmp_path)
    for month in ("2016-01", "2016-02"):
        set_method_style(db, month, "HMIC 2014 inspection")
    pack = board_pack(db)
    trend = pack.trend("recording_rates.all")
    assert [b.before + ">" + b.after for b in trend.series.breaks] == ["2016-02>2016-03"]
    assert pack.key_rate("recording_rates.all").change_text.startswith("Up 12.0 points")  # 2016-03 to 04: one method
    refused = board_pack(db, audit="2016-03").key_rate("recording_rates.all").change_text
    assert refused.startswith("Not compared: the audit method changed")  # 2016-02 to 2016-03: never compared
    assert any("Series breaks between 2016-02 and 2016-03" in w for w in trend.words)
    write_board_pack(pack, tmp_path / "b.pdf", tmp_path / "b.xlsx")
    whole = _flat("\n".join(_pdf_pages(tmp_path / "b.pdf")))
    assert "series breaks here: method changed" in whole
    assert "Series breaks between 2016-02 and 2016-03: the audit method changed" in whole
    ws = load_workbook(tmp_path / "b.xlsx")["Trends"]
    heads = [c.value for c in ws[4]]
    col = heads.index("Series breaks before this audit") + 1
    marked = {ws.cell(row=r, column=3).value for r in range(5, ws.max_row + 1)
              if str(ws.cell(row=r, column=col).value or "").startswith("Series breaks")}
    assert marked == {"2016-03"}
    db.close()


# ---- the workbook -------------------------------------------------------------------------------------------------
def test_the_excel_trend_cells_are_numbers_equal_to_the_trends(finished: tuple[Path, list[MonthPlan]],
                                                               tmp_path: Path) -> None:
    db = _copy(finished[0], tmp_path)
    set_targets(db, {"recording_rates.all": 90})
    pack = board_pack(db)
    write_board_pack(pack, xlsx=tmp_path / "board.xlsx")
    wb = load_workbook(tmp_path / "board.xlsx")
    assert wb.sheetnames == ["Summary", "Trends", "By unit", "Completion", "Actions"]
    for ws in wb:
        assert ws["A1"].value == MARKING
    ws = wb["Trends"]
    heads = [c.value for c in ws[4]]
    col = {h: heads.index(h) + 1 for h in ("Figure", "Audit", "Period", "k", "n", "Rate", "Lower", "Upper",
                                           "Interval method", "Target")}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for r in range(5, ws.max_row + 1):
        figure = ws.cell(row=r, column=col["Figure"]).value
        if figure not in KEY_FIGURES:
            break  # the notes below the table
        rows[(figure, ws.cell(row=r, column=col["Audit"]).value)] = {h: ws.cell(row=r, column=c) for h, c in
                                                                     col.items()}
    pts = points(db)
    plans = {p.name: p for p in finished[1]}
    assert len(rows) == len(KEY_FIGURES) * 4
    for figure in KEY_FIGURES:
        want = series(pts, figure, method="normal", window="last_12_months")
        for p in want.points:
            cells = rows[(figure, p.name)]
            assert cells["k"].data_type == "n" and cells["n"].data_type == "n"
            assert (cells["k"].value, cells["n"].value) == (p.k, p.n)
            if p.rate.rate is None:
                assert cells["Rate"].value is None
                continue
            for head, value in (("Rate", p.rate.rate), ("Lower", p.rate.low), ("Upper", p.rate.high)):
                assert isinstance(cells[head].value, float | int), (figure, p.name, head)
                assert cells[head].value == pytest.approx(value)
                assert cells[head].number_format == "0.0%"
            assert cells["Period"].value == f"{p.period_start} to {p.period_end}"
            assert "normal approximation" in str(cells["Interval method"].value).lower()
    # and against the plan (what was written), not only the code under test
    for name, plan in plans.items():
        cells = rows[("recording_rates.all", name)]
        assert (cells["k"].value, cells["n"].value) == (plan.recorded, plan.identified)
        assert cells["Target"].value == pytest.approx(0.9)
    summary = wb["Summary"]
    assert summary.cell(row=5, column=2).value == "recording_rates.all"
    for c in (3, 4, 5, 6, 7, 9, 11, 12, 13, 14):
        assert summary.cell(row=5, column=c).data_type == "n", c
    assert summary.cell(row=5, column=10).value == "Amber"
    assert summary.cell(row=5, column=15).value == pack.key_rate("recording_rates.all").change_text
    units = wb["By unit"]
    got = {units.cell(row=r, column=1).value: (units.cell(row=r, column=3).value, units.cell(row=r, column=2).value)
           for r in range(5, 5 + len(pack.units))}
    assert got == plans["2016-04"].by_unit
    comp = wb["Completion"]
    assert [comp.cell(row=r, column=c).value for r in (5, 8) for c in (1, 3, 4)] == \
        ["2016-01", 50, 50, "2016-04", 50, 50]
    db.close()


def test_the_units_are_the_audits_records_by_unit(finished: tuple[Path, list[MonthPlan]], tmp_path: Path) -> None:
    db = _copy(finished[0], tmp_path)
    pack = board_pack(db, audit="2016-02")
    want = finished[1][1].by_unit
    assert {u.unit: (u.rate.recorded, u.rate.identified) for u in pack.units} == want
    assert all(u.rate.low is not None and u.rate.high is not None for u in pack.units)  # each with its interval
    db.close()


# ---- the actions log ------------------------------------------------------------------------------------------------
def test_actions_are_carried_from_month_to_month(finished: tuple[Path, list[MonthPlan]], tmp_path: Path) -> None:
    db = _copy(finished[0], tmp_path)
    first = add_action(db, "Audit the third-party reports again", "Force crime registrar", date(2016, 4, 15),
                       audit="2016-02")
    second = add_action(db, "Publish the targets", "DCC", date.today() + timedelta(days=30), audit="2016-03")
    march, april = board_pack(db, audit="2016-03"), board_pack(db)
    for pack in (march, april):
        assert [(a.number, a.raised_in) for a in pack.actions] == [(1, "2016-02"), (2, "2016-03")]
    assert [a.number for a in april.overdue] == [first.number]  # due in 2016 and still open
    update_action(db, first.number, status="done")
    update_action(db, second.number, owner="Deputy Chief Constable")
    later = board_pack(db)
    assert [(a.status, a.owner) for a in later.actions] == [("done", "Force crime registrar"),
                                                            ("open", "Deputy Chief Constable")]
    assert later.overdue == []
    with pytest.raises(ValueError, match="status is one of"):
        update_action(db, 1, status="finished")
    db.close()


# ---- roles --------------------------------------------------------------------------------------------------------
def test_only_the_lead_sets_targets_and_actions_and_a_reviewer_cannot_read(
        finished: tuple[Path, list[MonthPlan]], tmp_path: Path) -> None:
    db = _copy(finished[0], tmp_path)
    add_person(db, "Lena Lead", "Lena Lead", "lead")
    add_person(db, "Lena Lead", "Amy Auditor", "auditor")
    add_person(db, "Lena Lead", "Rob Reviewer", "reviewer")
    with pytest.raises(NotAllowed, match="only the audit lead may"):
        set_targets(db, {"recording_rates.all": 90}, who="Amy Auditor")
    with pytest.raises(NotAllowed):
        add_action(db, "Something", "Someone", date(2030, 1, 1), who="Amy Auditor")
    assert targets(db) == {} and actions(db) == []
    set_targets(db, {"recording_rates.all": 90}, who="Lena Lead")
    add_action(db, "Something", "Someone", date(2030, 1, 1), who="Lena Lead")
    assert board_pack(db, who="Amy Auditor").key_rate("recording_rates.all").target == 90
    with pytest.raises(NotAllowed, match="may not see or export the findings"):
        board_pack(db, who="Rob Reviewer")
    db.close()
    path = str(tmp_path / "copy.db")
    with pytest.raises(NotAllowed):
        _cli(["--user", "Amy Auditor", "targets", path, "recording_rates.all=95"])
    with pytest.raises(NotAllowed):
        _cli(["--user", "Amy Auditor", "actions", "add", path, "--recommendation", "x", "--owner", "y",
              "--due", "2030-01-01"])
    with pytest.raises(NotAllowed):
        _cli(["--user", "Rob Reviewer", "trends", path])
    with pytest.raises(NotAllowed):
        _cli(["--user", "Rob Reviewer", "board-pack", path, "--pdf", str(tmp_path / "x.pdf")])
    assert not (tmp_path / "x.pdf").exists()


# ---- the command line -------------------------------------------------------------------------------------------------
def test_the_command_line(finished: tuple[Path, list[MonthPlan]], tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    db = _copy(finished[0], tmp_path)
    db.close()
    path = str(tmp_path / "copy.db")
    assert _cli(["targets", path]) == 0
    assert "No targets set" in capsys.readouterr().out
    assert _cli(["targets", path, "recording_rates.all=90", "timeliness.all=85%"]) == 0
    assert _cli(["targets", path]) == 0
    out = capsys.readouterr().out
    assert "recording_rates.all  90%" in out and "timeliness.all  85%" in out
    assert _cli(["targets", path, "timeliness.all="]) == 0
    assert _cli(["targets", path, "nonsense=5"]) == 2
    assert "give FIGURE=PERCENT" in capsys.readouterr().err
    db = Database(path)
    assert targets(db) == {"recording_rates.all": 90.0}
    db.close()
    assert _cli(["actions", "add", path, "--recommendation", "Retrain call takers", "--owner", "DCI Smith",
                 "--due", "01/05/2016", "--audit", "2016-03"]) == 0
    assert _cli(["actions", "update", path, "1", "--status", "in progress"]) == 0
    assert _cli(["actions", "list", path]) == 0
    out = capsys.readouterr().out
    assert "in progress" in out and "OVERDUE" in out and "(raised in 2016-03)" in out
    assert _cli(["actions", "list", path, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["actions"]
    assert listed[0]["number"] == 1 and listed[0]["overdue"] is True
    assert _cli(["actions", "update", path, "1"]) == 2
    pdf, xlsx = tmp_path / "board.pdf", tmp_path / "board.xlsx"
    assert _cli(["board-pack", path, "--pdf", str(pdf), "--xlsx", str(xlsx), "--audit", "2016-03",
                 "--method", "wilson"]) == 0
    assert pdf.exists() and xlsx.exists()
    assert "Wilson" in _flat("\n".join(_pdf_pages(pdf)))
    assert load_workbook(xlsx)["Summary"]["A3"].value.startswith("Programmeshire Police: audit 2016-03")
    assert _cli(["board-pack", path]) == 2
    assert _cli(["board-pack", path, "--pdf", str(tmp_path / "board.xlsx")]) == 2
    capsys.readouterr()
    out_json = tmp_path / "trends.json"
    assert _cli(["trends", path, "--figure", "recording_rates.all", "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    assert "2016-04" in out and "92.0%" in out and "Latest change:" in out and "p-chart" in out
    doc = json.loads(out_json.read_text(encoding="utf-8"))
    (fig,) = doc["figures"]
    assert [(p["audit"], p["k"], p["n"]) for p in fig["points"]] == [(p.name, p.recorded, p.identified)
                                                                      for p in finished[1]]
    assert _cli(["trends", path, "--figure", "nope"]) == 2


def test_a_protected_pack_opens_only_with_its_password(finished: tuple[Path, list[MonthPlan]], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from cdi_workbench.reports.protect import PASSWORD_VARIABLE, decrypt_workbook

    db = _copy(finished[0], tmp_path)
    db.close()
    monkeypatch.setenv(PASSWORD_VARIABLE, "board-secret")
    pdf, xlsx = tmp_path / "p.pdf", tmp_path / "p.xlsx"
    assert _cli(["board-pack", str(tmp_path / "copy.db"), "--pdf", str(pdf), "--xlsx", str(xlsx), "--protect"]) == 0
    reader = PdfReader(str(pdf))
    assert reader.is_encrypted
    reader.decrypt("board-secret")
    assert MARKING in (reader.pages[0].extract_text() or "")
    assert load_workbook(decrypt_workbook(xlsx, "board-secret"))["Summary"]["A1"].value == MARKING


def test_the_pack_works_out_only_the_audits_of_its_trends(tmp_path: Path) -> None:
    """14 months: the pack's trends are the last 12 (and the change is against the month before), the same as
    from every audit's figures; the first month's findings are not worked out at all."""
    from cdi_workbench.programme_figures import audits_figures
    from cdi_workbench.reports.board_pack import window_figures

    rates = [0.7 + 0.01 * i for i in range(14)]
    db, plans = monthly_programme(tmp_path / "year.db", rates, records=12, units=("North LPA",))
    assert [f.name for f in window_figures(db)] == [p.name for p in plans[1:]]  # 12 of the window + the one before
    assert [f.name for f in window_figures(db, audit="2016-06")] == [p.name for p in plans[:6]]
    quick, full = board_pack(db), board_pack(db, figures=audits_figures(db))
    assert [p.name for p in quick.trend("recording_rates.all").series.points] == [p.name for p in plans[2:]]
    for figure in KEY_FIGURES:
        assert quick.key_rate(figure).change_text == full.key_rate(figure).change_text
        assert quick.trend(figure).series.rows() == full.trend(figure).series.rows()
        assert quick.trend(figure).chart.text == full.trend(figure).chart.text
    assert [c.name for c in quick.completions] == [p.name for p in plans[2:]]
    db.close()


def test_cdi_trends_marks_a_part_finished_audit(part_finished: tuple[Path, list[MonthPlan]], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    _copy(part_finished[0], tmp_path).close()
    assert _cli(["trends", str(tmp_path / "copy.db"), "--figure", "recording_rates.all", "--json",
                 str(tmp_path / "t.json")]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("2016-")]
    assert [("PROVISIONAL: 24 of 30 records audited" in line) for line in lines] == [False, False, True]
    doc = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert [p["provisional"] for p in doc["figures"][0]["points"]] == [False, False, True]


def test_each_units_rate_has_the_finite_population_correction(finished: tuple[Path, list[MonthPlan]],
                                                              tmp_path: Path) -> None:
    """Each unit's part of the frame is counted in the sample's own audit period (findings_units.frame_counts), so
    in a programme of several audits the normal interval per unit still has the finite population correction."""
    db = _copy(finished[0], tmp_path)
    pack = board_pack(db, audit="2016-02")
    assert pack.units and all(u.rate.population is not None for u in pack.units)
    assert not any("not applied" in n for n in pack.unit_notes)
    db.close()


def test_a_unit_audited_in_full_at_100_percent_reads_as_a_census_not_undefined() -> None:
    """(a statistician's check) A unit whose every record of the frame was audited, all recorded: the findings say
    'no sampling error'; the board pack's unit row said 'not defined at 0% or 100%' (it asked 'defined' before
    'census'), and its workbook left Lower and Upper empty."""
    from cdi_workbench.reports.board_pack import UnitRate
    from cdi_workbench.statistics import CENSUS, rate

    census = rate(3, 3, "normal", population=3)
    assert census.census and not census.defined
    assert UnitRate("Census LPA", census).interval_text == CENSUS
    sampled = rate(3, 3, "normal", population=30)  # 100% from a sample: no interval by the normal approximation
    assert UnitRate("North LPA", sampled).interval_text == "not defined at 0% or 100%"
