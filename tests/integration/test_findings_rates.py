"""Verdicts that reproduce the West Midlands 2017 published figures (../shared/seeds) through every output."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import insert, select

from cdi_workbench import sampling
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.findings import compute
from cdi_workbench.reports import write_json, write_pdf, write_xlsx
from cdi_workbench.storage.models import AuditItem, CrimeRecord, ReportRecord
from cdi_workbench.timeutil import uk_local

# group code: (identified, recorded, recorded within 24 hours, of which domestic abuse identified / recorded)
WM = {"19C": (167, 150, 119), "8N": (575, 448, 365), "17A": (194, 180, 149), "58A": (533, 453, 422)}
DA_IDENTIFIED, DA_RECORDED = 429, 313
WM_FRAME = 94_989  # incident records the sample was drawn from (the board note)


def hand_margin(recorded: int, identified: int, records: int) -> float:
    """The published margin by hand: 1.96 sqrt(p q / n) sqrt((N - n) / (N - 1)), N the estimated crimes in the
    sampled population = records in the frame x crimes identified per sampled record."""
    p = recorded / identified
    big_n = WM_FRAME * identified / records
    return 1.959963984540054 * math.sqrt(p * (1 - p) / identified) * math.sqrt((big_n - identified) / (big_n - 1))


@pytest.fixture(scope="module")
def wm(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    path = tmp_path_factory.mktemp("wm") / "wm.db"
    db = init_audit(path, "West Midlands Police", date(2016, 1, 1), date(2016, 12, 31), "2015")
    plan = []  # (ref, code, recorded?, timely?, domestic?)
    da_left, da_rec_left = DA_IDENTIFIED, DA_RECORDED
    for code, (ident, rec, timely) in WM.items():
        for i in range(ident):
            recorded, on_time = i < rec, i < timely
            domestic = code == "8N" and ((recorded and da_rec_left > 0) or (not recorded and da_left > da_rec_left))
            if domestic:
                da_left -= 1
                da_rec_left -= int(recorded)
            plan.append((f"{code}-{i:04d}", code, recorded, on_time, domestic))
    start = uk_local(2016, 3, 1, 9, 0)
    with db.session() as s:
        s.execute(insert(ReportRecord), [
            {"kind": "incident", "system": "Incident", "ref": f"INC-{ref}", "received_at": start + timedelta(hours=n),
             "narrative": "", "crime_refs": ""} for n, (ref, *_rest) in enumerate(plan)])
        s.execute(insert(CrimeRecord), [
            {"ref": f"CR-{ref}", "ho_code": code, "status": "recorded", "source_ref": f"INC-{ref}",
             "recorded_at": start + timedelta(hours=n + (3 if timely else 30))}
            for n, (ref, code, recorded, timely, _da) in enumerate(plan) if recorded])
        smp = sampling.draw(s, "Incidents", "incident", len(plan), seed=2017)
        # the frame as the board note states it: drawn at random from 94,989 incident records
        smp.frame = {**(smp.frame or {}), "population": {"all": WM_FRAME}}
    with db.session() as s:
        crime_ids = dict(s.execute(select(CrimeRecord.ref, CrimeRecord.id)).all())
        items = dict(s.execute(select(ReportRecord.ref, AuditItem.id).join(
            AuditItem, AuditItem.record_id == ReportRecord.id)).all())
    svc = AuditService(db, "HMICFRS auditor")
    for ref, code, recorded, _timely, domestic in plan:
        finding = CrimeFinding(expected_code=code, crime_id=crime_ids.get(f"CR-{ref}") if recorded else None,
                               crime_ref=f"CR-{ref}" if recorded else "", domestic_abuse=domestic,
                               not_recorded_reason="" if recorded else "No discernible reason",
                               safeguarding=None if recorded else ref.endswith(("0", "2", "4", "6", "8")),
                               investigation=None if recorded else False)
        svc.save_verdict(items[f"INC-{ref}"], VerdictBody(crimes=[finding], complete=True))
    yield db, path
    db.close()


def test_published_rates_and_timeliness(wm) -> None:  # noqa: ANN001
    db, _ = wm
    f = compute(db)
    rates = f.table("recording_rates")
    by = {r.label: r for r in rates.rows}
    assert by["All crimes (excluding fraud)"].cells[2].text == "83.8%"
    assert by["Violence against the person"].cells[2].text == "77.9%"
    assert by["Sexual offences (including rape)"].cells[2].text == "91.4%"
    assert by["Rape"].cells[2].text == "89.8%"
    assert f.value("recording_rates", "Rape", "Crimes identified") == 167
    assert f.value("recording_rates", "Rape", "Crimes recorded") == 150
    # the method is printed beside the figures
    assert "normal approximation" in rates.note and "95%" in rates.note
    assert by["All crimes (excluding fraud)"].cells[3].text.startswith("+/- ")
    # "only 119/150 rape, 365/448 violent crime, 149/180 sexual offences (excluding rape) and 422/453 other"
    for label, (rec, timely) in {"Rape": (150, 119), "Violence against the person": (448, 365),
                                 "Sexual offences (excluding rape)": (180, 149),
                                 "All other offences (excluding fraud)": (453, 422)}.items():
        assert f.value("timeliness", label, "Crimes recorded") == rec
        assert f.value("timeliness", label, "Within 24 hours") == timely
    # "Of 429 DA crimes only 313 recorded"
    assert f.value("domestic_abuse", "Domestic abuse crimes", "Crimes identified") == 429
    assert f.value("domestic_abuse", "Domestic abuse crimes", "Recorded") == 313
    assert f.value("domestic_abuse", "Domestic abuse crimes", "Not recorded") == 116


def test_wilson_method_changes_only_the_interval(wm) -> None:  # noqa: ANN001
    db, _ = wm
    f = compute(db, method="wilson")
    row = next(r for r in f.table("recording_rates").rows if r.label == "Rape")
    assert row.cells[2].text == "89.8%"
    assert " to " in row.cells[3].text
    assert "Wilson" in f.table("recording_rates").note


def test_every_export_shows_them(wm, tmp_path: Path) -> None:  # noqa: ANN001
    db, _ = wm
    f = compute(db)
    doc = json.loads(write_json(f, tmp_path / "f.json").read_text())
    rr = next(t for t in doc["tables"] if t["key"] == "recording_rates")
    assert rr["rows"][0]["texts"][2] == "83.8%"
    assert rr["rows"][0]["values"][2] == pytest.approx(1231 / 1469)
    wb = openpyxl.load_workbook(write_xlsx(f, tmp_path / "f.xlsx"))
    ws = wb["Timeliness of recording"]
    rows = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 5)] for r in range(5, ws.max_row + 1)}
    assert rows["Rape"] == [150, 119, 31]
    ws = wb["Recording rates"]
    cells = {ws.cell(r, 1).value: ws.cell(r, 4) for r in range(5, ws.max_row + 1)}
    assert cells["Violence against the person"].value == pytest.approx(448 / 575)
    assert cells["Violence against the person"].number_format == "0.0%"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(write_pdf(f, tmp_path / "f.pdf")).pages).split())
    margin = hand_margin(448, 575, 1469)
    assert f"{margin * 100:.2f}" == "3.36"  # the plain formula gives 3.39; the frame of 94,989 narrows it
    assert f"Violence against the person 575 448 77.9% +/- {margin * 100:.2f}%" in text
    assert "Rape 150 119 31" in text
    assert "normal approximation (Wald), as published by HMIC" in text
    # the charts are drawn with their values printed beside each bar
    assert "Figure: recording rate by offence group" in text and "77.9% (n=575)" in text
    assert "119 of 150 in time" in text
    assert "1,055 out of 1,231 crimes recorded within 24 hours" in text


def test_annual_unrecorded_estimate_carries_the_interval(wm, tmp_path: Path) -> None:  # noqa: ANN001
    from cdi_workbench.cli import main

    db, path = wm
    assert main(["recorded-crime", str(path), "all=200000", "rape=2,500"]) == 0
    f = compute(db)
    t = f.table("unrecorded_estimate")
    p = 1231 / 1469
    assert f.value("unrecorded_estimate", "All crimes (excluding fraud)", "Estimated not recorded") == round(
        200000 * (1 - p) / p)
    r = f.rates["all"]
    interval = next(r2 for r2 in t.rows if r2.label == "All crimes (excluding fraud)").cells[3].text
    assert interval == f"{round(200000 * (1 - r.high) / r.high):,} to {round(200000 * (1 - r.low) / r.low):,}"
    assert [row.label for row in t.rows] == ["All crimes (excluding fraud)", "Rape"]
    assert main(["recorded-crime", str(path), "all=", "rape="]) == 0
    assert all(t.key != "unrecorded_estimate" for t in compute(db).tables)
    assert main(["recorded-crime", str(path), "nonsense=5"]) == 1
