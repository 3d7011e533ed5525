"""Findings at the edges of the sample design, through the core and `cdi report` (regressions: each failed before
the figures were put in line with published practice, commits a96ae85 and 74fc876):
- the margin of a rate near 100% is the formula's with the finite population correction, not half the cut interval;
- an impossible sample frame (a stratum of population 0, or smaller than the records drawn from it, or a record
  whose stratum the frame lacks) is refused with its reason in Findings.warnings and every export, and the rates
  are given without design weights or finite population correction;
- a stratum with nothing completed is named in Findings.warnings and the exports.
"""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import insert, select

from cdi_workbench import sampling
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.findings import compute
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import AuditItem, CrimeRecord, RecordLink, ReportRecord, Sample
from cdi_workbench.timeutil import uk_local

Z = 1.959963984540054
START = uk_local(2016, 3, 1, 9, 0)


def build(path: Path, strata: dict[str, tuple[int, str | None]], draw: dict[str, Any],
          verdicts: dict[str, list[bool | None]]) -> Database:
    """Incidents per stratum (population, code of the crime linked to each); one sample drawn with `draw`;
    per stratum, in draw order, a verdict of one crime of the stratum's code: True recorded, False not recorded,
    None no verdict; an item beyond the list gets an incomplete verdict."""
    db = init_audit(path, "Edgeshire Police", date(2016, 1, 1), date(2016, 12, 31), "2015", "builder")
    n = 0
    with db.session() as s:
        reports, crimes = [], []
        for stratum, (pop, code) in strata.items():
            for i in range(pop):
                n += 1
                ref = f"INC-{stratum[:3]}-{i:04d}"
                reports.append({"kind": "incident", "system": "Incident", "ref": ref, "narrative": "",
                                "received_at": START + timedelta(hours=n), "crime_refs": ""})
                if code:
                    crimes.append({"ref": f"CR-{ref}", "ho_code": code, "status": "recorded", "source_ref": ref,
                                   "recorded_at": START + timedelta(hours=n + 2)})
        s.execute(insert(ReportRecord), reports)
        if crimes:
            s.execute(insert(CrimeRecord), crimes)
            rep = dict(s.execute(select(ReportRecord.ref, ReportRecord.id)).all())
            s.execute(insert(RecordLink), [{"report_id": rep[c["source_ref"]], "crime_id": cid}
                                           for c, cid in zip(crimes, s.scalars(select(CrimeRecord.id).order_by(
                                               CrimeRecord.id)), strict=True)])
        sampling.draw(s, "Incidents", "incident", seed=11, who="Inspector", **draw)
    with db.session() as s:
        items = list(s.execute(select(AuditItem.id, AuditItem.stratum, ReportRecord.ref)
                               .join(ReportRecord, ReportRecord.id == AuditItem.record_id)
                               .order_by(AuditItem.position)))
        crime_of = dict(s.execute(select(CrimeRecord.source_ref, CrimeRecord.id)).all())
    svc = AuditService(db, "Inspector")
    seen: dict[str, int] = {}
    for item_id, stratum, ref in items:
        i = seen[stratum] = seen.get(stratum, -1) + 1
        plan = verdicts.get(stratum, [])
        code = strata[stratum][1] or "8N"
        if i >= len(plan):
            svc.save_verdict(item_id, VerdictBody(crimes=[CrimeFinding(expected_code=code)], complete=False))
            continue
        if plan[i] is None:
            continue
        cid = crime_of[ref] if plan[i] else None
        svc.save_verdict(item_id, VerdictBody(crimes=[CrimeFinding(
            expected_code=code, crime_id=cid, crime_ref=ref if cid else "",
            not_recorded_reason="" if cid else "No discernible reason")], complete=True))
    return db


def report(path: Path, out: Path) -> dict[str, Any]:
    paths = {k: out / f"f.{k}" for k in ("json", "xlsx", "pdf")}
    assert main(["report", str(path), "--json", str(paths["json"]), "--xlsx", str(paths["xlsx"]), "--pdf",
                 str(paths["pdf"])]) == 0
    wb = openpyxl.load_workbook(paths["xlsx"])
    return {"doc": json.loads(paths["json"].read_text(encoding="utf-8")),
            "summary": " ".join(str(c) for row in wb["Summary"].iter_rows(values_only=True) for c in row if c),
            "pdf": " ".join(" ".join(p.extract_text() or "" for p in PdfReader(paths["pdf"]).pages).split())}


def _set_population(db: Database, population: dict[str, int]) -> None:
    """The frame as stated elsewhere (e.g. the force's count of its records), written over the drawn one."""
    with db.session() as s:
        smp = s.scalar(select(Sample).where(Sample.name == "Incidents"))
        smp.frame = {**(smp.frame or {}), "population": population}


def test_29_of_30_prints_the_formulas_margin_with_the_fpc(tmp_path: Path) -> None:
    """'29 of 30 prints +/- 4.88%, the formula gives 6.42%': 30 records drawn from 300, each one crime."""
    db = build(tmp_path / "a.db", {"vap": (300, "8N")}, {"size": 30}, {"vap": [True] * 29 + [False]})
    db.close()
    out = report(tmp_path / "a.db", tmp_path)
    r = out["doc"]["figures"]["recording_rates"]["vap"]
    p = 29 / 30
    big_n = 300 / 30 * 30
    half = Z * math.sqrt(p * (1 - p) / 30) * math.sqrt((big_n - 30) / (big_n - 1))
    assert r["margin"] == pytest.approx(half) and r["fpc_population"] == pytest.approx(300)
    assert (r["upper"], r["upper_cut"], r["lower_cut"]) == (1.0, True, False)
    assert f"{half * 100:.2f}" == "6.10"  # 6.42% without the correction; half the cut interval is 4.73%
    assert "Violence against the person 30 29 96.7% +/- 6.10% (upper bound cut at 100%)" in out["pdf"]


@pytest.mark.parametrize("population, reason", [
    ({"all": 5}, "the sample frame gives a population of 5, smaller than the 10 records sampled from it"),
    ({"all": 0}, "the sample frame gives a population of 0, so the 10 records sampled from it cannot be weighted"),
])
def test_an_impossible_frame_is_refused_and_said(tmp_path: Path, population: dict[str, int], reason: str) -> None:
    db = build(tmp_path / "a.db", {"vap": (40, "8N")}, {"size": 10}, {"vap": [True] * 7 + [False] * 3})
    _set_population(db, population)
    try:
        f = compute(db)
    finally:
        db.close()
    refused = [w for w in f.warnings if w.startswith("No design-weighted figures")]
    assert len(refused) == 1 and reason in refused[0] and "'Incidents'" in refused[0]
    assert f.design_rates == {}
    # the rate is still given: without design weights and without the finite population correction
    r = f.rates["vap"]
    assert r.population is None and r.margin == pytest.approx(Z * math.sqrt(0.7 * 0.3 / 10))
    out = report(tmp_path / "a.db", tmp_path)
    fig = out["doc"]["figures"]["recording_rates"]["vap"]
    assert fig["design_weighted"] is None and fig["fpc_population"] is None and fig["headline"] == "published"
    assert any(reason in w for w in out["doc"]["warnings"])
    assert reason in out["summary"]
    assert reason in out["pdf"]


def test_a_record_in_a_stratum_the_frame_lacks_is_refused(tmp_path: Path) -> None:
    db = build(tmp_path / "a.db", {"rape": (10, "19C"), "vap": (20, "8N")}, {"size": 0, "per_stratum": 4},
               {"rape": [True] * 4, "vap": [True, False, True, True]})
    _set_population(db, {"vap": 20})
    try:
        f = compute(db)
    finally:
        db.close()
    assert any("a record's stratum 'Rape' is not in the sample frame" in w for w in f.warnings)
    assert f.design_rates == {}


def test_a_stratum_with_nothing_completed_is_warned_about(tmp_path: Path) -> None:
    """Rape drawn 3 of 10: one verdict incomplete, two not started: the weighted estimate has nothing from it."""
    db = build(tmp_path / "a.db", {"rape": (10, "19C"), "vap": (20, "8N"), "other": (30, "58A")},
               {"size": 0, "per_stratum": 3},
               {"rape": [None, None], "vap": [True, False, True], "other": [True, True, False]})
    try:
        f = compute(db)
    finally:
        db.close()
    note = ("Sample 'Incidents': the stratum 'Rape' (population 10) has no completed records, so it contributes "
            "nothing to the weighted estimates.")
    assert note in f.warnings
    assert not any("Violence" in w and "no completed records" in w for w in f.warnings)
    # the weighted estimate from the strata that have completed records: 20/3 and 30/3 per record
    y = 20 / 3 * 2 + 30 / 3 * 2
    x = 20 / 3 * 3 + 30 / 3 * 3
    assert f.design_rates["all"].rate == pytest.approx(y / x)
    assert f.rates["rape"].identified == 0
    out = report(tmp_path / "a.db", tmp_path)
    assert note in out["doc"]["warnings"]
    assert note in out["summary"] and note in out["pdf"]
