"""The published figures of the two seed documents (../shared/seeds) reproduced through `cdi report`.

- Staffordshire 2014 ('findings in numbers', counts only): the scenario of test_reports.py, read back from the
  JSON 'figures' mapping a script uses, and as a follow-up audit's previous figures kept as numbers.
- West Midlands 2017 board note (recording rates): the scenario of test_findings_rates.py: the rates (83.8% all,
  77.9% violence, 91.4% sexual offences, 150 of 167 rape), the timeliness counts (119/150 rape, 365/448 violent,
  149/180 sexual excluding rape, 422/453 other) and the margins with the finite population correction for the
  frame the note states (94,989 incident records), in the JSON figures, the workbook and the PDF; the
  design-weighted figures of one simple random sample worked out in closed form; the annual estimate.
- The annual estimate as published: 'a force recording 83.6% with about 59,000 recorded crimes a year fails to
  record over 11,600', through an audit of 1,000 records extended by 500, as the West Midlands audit was.
"""

from __future__ import annotations

import json
import math
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import insert, select

from cdi_workbench import sampling
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.storage.models import AuditItem, CrimeRecord, ReportRecord, Verdict
from cdi_workbench.timeutil import now_utc, uk_local
from tests.integration import test_findings_rates as west_midlands
from tests.integration import test_reports as staffordshire

Z = 1.959963984540054

# the module-scoped scenarios of the two seed tests, shared rather than rebuilt by hand
wm = west_midlands.wm
staffs = staffordshire.staffs

WM_RECORDS = sum(ident for ident, _rec, _t in west_midlands.WM.values())  # 1,469 records, one crime each
WM_GROUPS = {  # group: (identified, recorded, within 24 hours), from the board note
    "rape": (167, 150, 119), "vap": (575, 448, 365), "sexual": (194, 180, 149), "other": (533, 453, 422)}
WM_PUBLISHED = {"all": "83.8%", "vap": "77.9%", "sexual_all": "91.4%", "rape": "89.8%"}
LABELS = {"all": "All crimes (excluding fraud)", "vap": "Violence against the person",
          "sexual_all": "Sexual offences (including rape)", "sexual": "Sexual offences (excluding rape)",
          "rape": "Rape", "other": "All other offences (excluding fraud)"}


def _no_nan(token: str) -> None:
    raise AssertionError(f"JSON holds {token}")


def _report(db_path: Path, out: Path, *extra: str) -> dict[str, Any]:
    paths = {k: out / f"findings.{k}" for k in ("json", "xlsx", "pdf")}
    assert main(["report", str(db_path), "--json", str(paths["json"]), "--xlsx", str(paths["xlsx"]), "--pdf",
                 str(paths["pdf"]), *extra]) == 0
    return {"doc": json.loads(paths["json"].read_text(encoding="utf-8"), parse_constant=_no_nan),
            "wb": openpyxl.load_workbook(paths["xlsx"]),
            "pdf": " ".join(" ".join(p.extract_text() or "" for p in PdfReader(paths["pdf"]).pages).split())}


def _sheet(wb: openpyxl.Workbook, title: str) -> tuple[list[str], dict[str, list[Any]]]:
    ws = next(w for w in wb.worksheets if w["A2"].value == title)
    heads = [c.value for c in ws[4]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=5) if r[0].value}
    return heads, rows


def _wm_counts(group: str) -> tuple[int, int, int]:
    """(identified, recorded, within 24 hours) of a rate group from the note's counts."""
    parts = {"all": ["rape", "vap", "sexual", "other"], "sexual_all": ["rape", "sexual"]}.get(group, [group])
    return tuple(sum(WM_GROUPS[p][i] for p in parts) for i in range(3))  # type: ignore[return-value]


# ---- Staffordshire 2014 ------------------------------------------------------------------------------------
def _staffs_path(staffs) -> Path:  # noqa: ANN001 (a Database)
    return Path(staffs.target)


def test_staffordshire_findings_in_numbers_as_figures(staffs, tmp_path: Path) -> None:  # noqa: ANN001
    """'We examined 131 incident records and found that 117 crimes should have been recorded ... 113 were recorded.
    Of the 113, one was wrongly classified and 15 were recorded outside the 72-hour limit'; Guardian 55, 43, 29,
    none wrongly classified, one late; no-crimes; out-of-court disposals, by the names a script reads."""
    fig = _report(_staffs_path(staffs), tmp_path)["doc"]["figures"]
    inc = fig["incidents"]
    assert (inc["reviewed"], inc["crimes_identified"], inc["crimes_recorded"], inc["wrongly_classified"],
            inc["outside_time_limit"]) == (131, 117, 113, 1, 15)
    g = fig["other_systems"]["by_system"]["Guardian"]
    assert (g["reviewed"], g["crimes_identified"], g["crimes_recorded"], g["wrongly_classified"],
            g["outside_time_limit"]) == (55, 43, 29, 0, 1)
    assert fig["other_systems"]["total"] == g
    # 'no-crime decisions for rape, robbery and violence' dip-sampled: all 88 correct (the scenario's count)
    assert (fig["cancellations"]["total"]["reviewed"], fig["cancellations"]["total"]["correct"]) == (88, 88)
    d = fig["disposals"]
    # 'Out of the 20 cautions ... 19 ... suitable ... In 18 cases ... made aware ... Out of the 13 cases where
    # there was a victim to consult, 2 showed that the victims' views had been considered.'
    assert [d["caution"][k] for k in ("sampled", "offender_suitable", "made_aware", "with_a_victim",
                                      "victims_views_considered")] == [20, 19, 18, 13, 2]
    # 'We dip-sampled 20 PND and found that in 19 cases, the offender was suitable ... and in all cases that they
    # had been made aware ... Out of the six cases where there was a victim to consult, all ...'
    assert [d["penalty_notice_for_disorder"][k] for k in ("sampled", "offender_suitable", "made_aware",
                                                          "with_a_victim", "victims_views_considered")] == [
        20, 19, 20, 6, 6]
    # 'We dip-sampled 20 cannabis warnings and found that the offender was suitable ... in 19 cases. In 14 cases
    # the offender had been warned fully'
    assert [d["cannabis_warning"][k] for k in ("sampled", "offender_suitable", "made_aware")] == [20, 19, 14]
    # 'We dip-sampled 20 community resolutions and found that in 18 cases ...'
    assert [d["community_resolution"][k] for k in ("sampled", "offender_suitable")] == [20, 18]
    assert d["total"]["sampled"] == 80


def test_staffordshire_as_the_previous_audit_of_a_follow_up(staffs, tmp_path: Path) -> None:  # noqa: ANN001
    """A follow-up prints the previous audit's figure in brackets and keeps it as a number of its own."""
    previous = tmp_path / "previous.db"
    shutil.copy(_staffs_path(staffs), previous)
    out = _report(_staffs_path(staffs), tmp_path, "--previous", str(previous))
    fig = out["doc"]["figures"]
    assert fig["previous"]["incidents"] == fig["incidents"]
    assert fig["previous"]["other_systems"]["by_system"]["Guardian"]["crimes_recorded"] == 29
    assert out["doc"]["audit"]["previous"]["force"] == staffordshire.FORCE
    assert out["doc"]["audit"]["previous"]["warnings"] == []  # same force, same rule set
    heads, rows = _sheet(out["wb"], "Incident records")
    row = rows["Incident records"]
    for col, value in zip(["Records reviewed", "Crimes identified", "Crimes recorded", "Wrongly classified",
                           "Outside 72 hours"], [131, 117, 113, 1, 15], strict=True):
        assert row[heads.index(col)].value == value
        prev = row[heads.index(f"{col} (previous audit)")]
        assert prev.value == value and prev.data_type == "n", col
    assert "Incident records 131 (131) 117 (117) 113 (113) 1 (1) 15 (15)" in out["pdf"]


# ---- West Midlands 2017 ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def wm_report(wm, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:  # noqa: ANN001
    _db, path = wm
    return _report(path, tmp_path_factory.mktemp("wm-report"))


def test_west_midlands_rates_with_the_fpc_of_the_stated_frame(wm_report: dict[str, Any]) -> None:
    """'83.8% recording rate ... 77.9% for violent crime ... 91.4% for sexual offences ... 167 rape on 150
    recorded', each with the margin 1.96 sqrt(p q / n) sqrt((N - n) / (N - 1)), N the crimes estimated in the
    94,989 incident records the sample was drawn from."""
    doc, pdf = wm_report["doc"], wm_report["pdf"]
    heads, rows = _sheet(wm_report["wb"], "Recording rates")
    for g, label in LABELS.items():
        ident, rec, _t = _wm_counts(g)
        got = doc["figures"]["recording_rates"][g]
        assert (got["crimes_identified"], got["crimes_recorded"]) == (ident, rec), g
        assert got["rate"] == pytest.approx(rec / ident, abs=1e-9)
        if g in WM_PUBLISHED:
            assert f"{got['rate'] * 100:.1f}%" == WM_PUBLISHED[g], g
        big_n = west_midlands.WM_FRAME * ident / WM_RECORDS
        assert got["fpc_population"] == pytest.approx(big_n, rel=1e-9, abs=1e-9), g
        margin = west_midlands.hand_margin(rec, ident, WM_RECORDS)
        plain = Z * math.sqrt(rec / ident * (1 - rec / ident) / ident)
        assert margin < plain
        assert got["margin"] == pytest.approx(margin, rel=1e-9, abs=1e-9), g
        assert (got["lower"], got["upper"]) == (pytest.approx(rec / ident - margin, rel=1e-9, abs=1e-9),
                                                pytest.approx(rec / ident + margin, rel=1e-9, abs=1e-9))
        assert got["headline"] == "published", g  # one simple random sample: every record weighs the same
        text = f"+/- {margin * 100:.2f}%"
        assert rows[label][heads.index("95% interval")].value == text, g
        assert rows[label][heads.index("Recording rate")].value == pytest.approx(rec / ident)
        assert f"{label} {ident:,} {rec:,} {rec / ident * 100:.1f}% {text} Normal approximation, FPC (N = " \
               f"{big_n:,.0f})" in pdf, g
    # the figures as a reader quotes them
    assert "All crimes (excluding fraud) 1,469 1,231 83.8% +/- 1.87%" in pdf  # 1.88% without the FPC
    assert "Rape 167 150 89.8% +/- 4.55%" in pdf  # 4.59% without the FPC


def test_west_midlands_design_weighted_in_closed_form(wm_report: dict[str, Any]) -> None:
    """One simple random sample of records holding one crime each: the ratio estimate is the plain rate, and
    Cochran's variance reduces to (1 - f) p q m / ((m - 1) k) for a group of k crimes among m records, f = m / N."""
    f = WM_RECORDS / west_midlands.WM_FRAME
    for g in LABELS:
        ident, rec, _t = _wm_counts(g)
        p = rec / ident
        dw = wm_report["doc"]["figures"]["recording_rates"][g]["design_weighted"]
        assert dw["rate"] == pytest.approx(p, rel=1e-9, abs=1e-9), g
        assert dw["fpc_population"] == pytest.approx(west_midlands.WM_FRAME * ident / WM_RECORDS, rel=1e-9, abs=1e-9)
        half = Z * math.sqrt((1 - f) * p * (1 - p) * WM_RECORDS / ((WM_RECORDS - 1) * ident))
        assert dw["margin"] == pytest.approx(half, rel=1e-9, abs=1e-9), g


def test_west_midlands_timeliness_and_domestic_abuse(wm_report: dict[str, Any]) -> None:
    """'only 119/150 rape, 365/448 violent crime, 149/180 sexual offences (excluding rape) and 422/453 other
    offences had been recorded within 24 hours'; 'Of 429 DA crimes only 313 recorded'."""
    doc, pdf = wm_report["doc"], wm_report["pdf"]
    heads, rows = _sheet(wm_report["wb"], "Timeliness of recording")
    for g in ("rape", "vap", "sexual", "other", "all", "sexual_all"):
        _ident, rec, within = _wm_counts(g)
        got = doc["figures"]["timeliness"][g]
        assert (got["recorded"], got["within_limit"], got["outside_limit"], got["time_not_known"]) == (
            rec, within, rec - within, 0), g
        assert [rows[LABELS[g]][heads.index(c)].value for c in ("Crimes recorded", "Within 24 hours")] == [
            rec, within]
        assert f"{LABELS[g]} {rec:,} {within:,} {rec - within:,} 0" in pdf, g
    assert doc["figures"]["domestic_abuse"]["crimes_identified"] == 429
    assert doc["figures"]["domestic_abuse"]["recorded"] == 313
    assert doc["figures"]["domestic_abuse"]["not_recorded"] == 116


def test_west_midlands_annual_estimate(wm) -> None:  # noqa: ANN001
    """'83.8% recording rate - estimate that force fails to record over 38,8000 [sic: 38,800] reported crime per
    year': at 1,231 of 1,469 that needs about 200,700 recorded crimes a year; with 201,000 the estimate is over
    38,800 and its interval comes from the rate's (with the FPC)."""
    db, path = wm
    p = 1231 / 1469
    needed = 38_800 * p / (1 - p)
    assert 200_000 < needed < 201_000
    assert main(["recorded-crime", str(path), "all=201,000"]) == 0
    try:
        out = _report(path, path.parent)
    finally:
        assert main(["recorded-crime", str(path), "all="]) == 0
    est = out["doc"]["figures"]["unrecorded_estimate"]["all"]
    assert est["rate_used"] == "published"
    assert est["estimate"] == pytest.approx(201_000 * (1 - p) / p) and est["estimate"] > 38_800
    margin = west_midlands.hand_margin(1231, 1469, 1469)
    assert est["lower"] == pytest.approx(201_000 * (1 - (p + margin)) / (p + margin))
    assert est["upper"] == pytest.approx(201_000 * (1 - (p - margin)) / (p - margin))
    low, high = round(est["lower"]), round(est["upper"])
    assert (f"All crimes (excluding fraud) 201,000 83.8% {round(201_000 * (1 - p) / p):,} {low:,} to {high:,}"
            in out["pdf"])


# ---- 'a force recording 83.6% with about 59,000 recorded crimes a year fails to record over 11,600' --------
POPULATION, FIRST, ADDED, RECORDED = 5_000, 1_000, 500, 1_254  # 1,254 of 1,500 = 83.6%


@pytest.fixture(scope="module")
def kent_like(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 incident records drawn from 5,000 and the sample extended by 500 (as the West Midlands audit was),
    each record disclosing one crime, 1,254 of the 1,500 recorded."""
    path = tmp_path_factory.mktemp("kent") / "audit.db"
    db = init_audit(path, "Kentish Police", date(2016, 1, 1), date(2016, 12, 31), "2015", "builder")
    start = uk_local(2016, 2, 1, 8, 0)
    with db.session() as s:
        s.execute(insert(ReportRecord), [{"kind": "incident", "system": "Incident", "ref": f"INC-{i:05d}",
                                          "received_at": start + timedelta(hours=i), "narrative": "",
                                          "crime_refs": ""} for i in range(POPULATION)])
        sampling.draw(s, "Incidents", "incident", FIRST, 2017, who="Inspector")
    with db.session() as s:
        sampling.extend(s, "Incidents", ADDED, who="Inspector")
    with db.session() as s:
        items = list(s.execute(select(AuditItem.id, ReportRecord.received_at).join(
            ReportRecord, ReportRecord.id == AuditItem.record_id).order_by(AuditItem.position)))
        assert len(items) == FIRST + ADDED
        s.execute(insert(CrimeRecord), [{"ref": f"CR-{item_id}", "ho_code": "8N", "status": "recorded",
                                         "recorded_at": at + timedelta(hours=3)}
                                        for item_id, at in items[:RECORDED]])
        ids = dict(s.execute(select(CrimeRecord.ref, CrimeRecord.id)).all())
        rows = []
        for n, (item_id, _at) in enumerate(items):
            cid = ids.get(f"CR-{item_id}") if n < RECORDED else None
            body = VerdictBody(crimes=[CrimeFinding(expected_code="8N", crime_id=cid, crime_ref=f"CR-{item_id}"
                                                    if cid else "", not_recorded_reason="" if cid else
                                                    "No discernible reason")], complete=True)
            rows.append({"item_id": item_id, "role": "primary", "auditor": "Inspector", "updated_at": now_utc(),
                         "body": body.to_json(), "complete": True, "n_crimes": 1})
        s.execute(insert(Verdict), rows)
    db.close()
    assert main(["recorded-crime", str(path), "all=59,000"]) == 0
    return path


def test_published_estimate_through_the_report(kent_like: Path, tmp_path: Path) -> None:
    n = FIRST + ADDED
    p = RECORDED / n
    assert f"{p * 100:.1f}%" == "83.6%"
    # the statement is the formula: 'over 11,600' at 83.6% needs 59,000 to 59,500 recorded crimes ('about 59,000')
    assert 59_000 < 11_600 * 0.836 / (1 - 0.836) < 59_500
    out = _report(kent_like, tmp_path)
    doc, pdf = out["doc"], out["pdf"]
    smp = doc["samples"][0]
    assert smp["frame"]["extensions"][0]["added"] == ADDED and sum(smp["frame"]["allocated"].values()) == FIRST
    assert "1,000 drawn, extended by 500 (to 1,500)" in pdf
    heads, rows = _sheet(out["wb"], "Recording rates")
    rate = doc["figures"]["recording_rates"]["all"]
    big_n = POPULATION / n * n  # records in the frame x crimes per sampled record
    margin = Z * math.sqrt(p * (1 - p) / n) * math.sqrt((big_n - n) / (big_n - 1))
    assert rate["fpc_population"] == pytest.approx(big_n) and rate["margin"] == pytest.approx(margin)
    assert rate["headline"] == "published"  # one sample, extended in the same order: one weight
    assert rows[LABELS["all"]][heads.index("95% interval")].value == f"+/- {margin * 100:.2f}%"
    est = doc["figures"]["unrecorded_estimate"]["all"]
    value = 59_000 * (1 - p) / p
    assert est["estimate"] == pytest.approx(value)
    assert round(value) == 11_574  # 'over 11,600' from about 59,000: 59,000 exactly gives 11,574
    low, high = 59_000 * (1 - (p + margin)) / (p + margin), 59_000 * (1 - (p - margin)) / (p - margin)
    assert (est["lower"], est["upper"]) == (pytest.approx(low), pytest.approx(high))
    assert f"All crimes (excluding fraud) 59,000 83.6% 11,574 {round(low):,} to {round(high):,}" in pdf
