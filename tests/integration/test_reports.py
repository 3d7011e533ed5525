"""Findings exports (JSON, Excel, PDF) from a real audit database that reproduces the published figures of
HMIC's 2014 crime data integrity inspection of Staffordshire Police (seeds/staffordshire-2014-cdi-report.txt).

The database is built through the core: source records, seeded samples, then verdicts entered through the
audit service exactly as an auditor would. Which records a seed draws is known in advance (the draw order
is a keyed hash of seed and reference), so each sampled record is given the source data its verdict needs.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.draw_keys import order_rank
from cdi_workbench.findings import Findings, compute
from cdi_workbench.reports import MARKING, write_json, write_pdf, write_xlsx
from cdi_workbench.reports.excel import RISKY_START
from cdi_workbench.sampling import draw
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import (
    AuditItem,
    Cancellation,
    CrimeRecord,
    Disposal,
    RecordLink,
    ReportRecord,
    Sample,
)
from cdi_workbench.timeutil import uk_local

FORCE = "Staffordshire Police"
SEED_INCIDENTS, SEED_GUARDIAN, SEED_CANCELLED, SEED_DISPOSALS = 20140101, 20140202, 20140303, 20140404

# Free text an export must keep as text, never as a formula.
RISKY_RATIONALES = [
    '=HYPERLINK("http://example.invalid","click")',
    "+44 7700 900123 called back, no crime disclosed",
    "-victim declined to support, rationale recorded",
    "@Sgt 1234 agreed the crime-related incident decision",
    "\tcopied from the incident log",
    "=1+1",
]
CONTROL_RATIONALE = "Log says \x07 (a bell character pasted from STORM)"
LEAD_RATIONALE = "Final: words were abusive but no course of conduct; no notifiable offence."

# (label in the findings table, published figures) for the Excel/PDF checks
INCIDENT_ROW = ("Incident records", [131, 117, 113, 1, 15, 1])  # the last: time not known
GUARDIAN_ROW = ("Guardian", [55, 43, 29, 0, 1, 0])
CANCELLED_TOTAL = ("Total", [88, 88])
CAUTION_ROW = ("Caution", [20, 19, 18, 13, 2])


# ---- the scenario ------------------------------------------------------------------------------------------
@dataclass
class CrimePlan:
    """One crime an auditor identifies in a report, and what the crime system holds for it."""

    expected: str
    recorded_code: str | None = None  # None: never recorded
    delay_hours: float = 2.0  # recorded this long after the report was received (real elapsed time)
    reason: str = ""
    domestic_abuse: bool | None = None
    safeguarding: bool | None = None
    investigation: bool | None = None
    timely_override: bool | None = None
    override_reason: str = ""
    received: datetime | None = None  # a fixed receipt time (e.g. across a clock change)
    recorded_at: datetime | None = None


@dataclass
class ReportPlan:
    crimes: list[CrimePlan] = field(default_factory=list)
    rationale: str = ""


CODES = ["8N", "105A", "28E", "58A", "34B", "8L", "39", "58C", "105A", "8N"]
NOT_RECORDED_REASONS = ["No discernible reason", "Victim not believed", "One crime recorded for several",
                        "Treated as crime-related incident", "Further offence disclosed later not recorded"]


def _incident_plans() -> list[ReportPlan]:
    """131 reviewed incidents: 117 crimes identified, 113 recorded, 1 wrongly classified, 15 outside 72 h."""
    crimes: list[CrimePlan] = []
    for i in range(4):  # not recorded
        crimes.append(CrimePlan(CODES[i], None, reason=NOT_RECORDED_REASONS[i], domestic_abuse=i % 2 == 0,
                                safeguarding=True, investigation=i != 1))
    crimes.append(CrimePlan("19C", "17A", 5))  # a rape recorded as a sexual assault: wrongly classified
    for i in range(15):  # recorded, but outside 72 hours
        crimes.append(CrimePlan(CODES[i % len(CODES)], CODES[i % len(CODES)], 72.25 + 13 * i))
    # on the boundary, crime recorded before the report arrived, leading zeros, and an override
    crimes.append(CrimePlan("8N", "8N", 72.0))
    crimes.append(CrimePlan("58A", "58A", -3))
    crimes.append(CrimePlan("8N", "008N", 4))
    crimes.append(CrimePlan("28E", "28E", 80, timely_override=True,
                            override_reason="report first received by another force; clock starts on "
                                            "transfer"))
    # 72.5 hours by the wall clock, 71.5 real hours: the clocks went forward on 31/03/2013
    crimes.append(CrimePlan("39", "39", received=uk_local(2013, 3, 29, 10, 0),
                            recorded_at=uk_local(2013, 4, 1, 10, 30)))
    while len(crimes) < 117:
        i = len(crimes)
        crimes.append(CrimePlan(CODES[i % len(CODES)], CODES[i % len(CODES)], 0.5 + (i * 7) % 48))
    plans = [ReportPlan() for _ in range(20)]  # zero status
    it = iter(crimes)
    for n in range(111):  # six incidents disclose two crimes each
        plans.append(ReportPlan([next(it)] + ([next(it)] if n % 18 == 0 and n < 108 else [])))
    assert next(it, None) is None and len(plans) == 131
    for plan, text in zip(plans[:7], RISKY_RATIONALES + [CONTROL_RATIONALE], strict=False):
        plan.rationale = text
    return plans


def _guardian_plans() -> list[ReportPlan]:
    """55 Guardian referrals: 43 crimes identified, 29 recorded, none wrongly classified, 1 outside 72 h."""
    crimes = [CrimePlan(CODES[i % 10], None, reason=NOT_RECORDED_REASONS[i % 5], domestic_abuse=i % 3 == 0,
                        safeguarding=i % 4 != 0, investigation=i % 2 == 0) for i in range(14)]
    crimes.append(CrimePlan("8L", "8L", 150))
    crimes += [CrimePlan(CODES[i % 10], CODES[i % 10], 1 + i) for i in range(28)]
    plans = [ReportPlan() for _ in range(15)]
    it = iter(crimes)
    for n in range(40):  # three referrals disclose two crimes each
        plans.append(ReportPlan([next(it)] + ([next(it)] if n in (3, 17, 30) else [])))
    assert next(it, None) is None and len(plans) == 55
    return plans


# Out-of-court disposals:
# (sampled, suitable, made aware, with a victim, views considered, outcome appropriate)
DISPOSAL_FIGURES = {
    "Caution": (20, 19, 18, 13, 2, None),
    "Penalty Notice for Disorder": (20, 19, 20, 6, 6, None),
    "Cannabis warning": (20, 19, 14, 0, 0, None),
    "Community resolution": (20, 18, 20, 20, 13, 15),
}


def _drawn_refs(refs: list[str], seed: int, n: int) -> list[str]:
    """The refs a simple random draw of n will pick, in draw order (sampling ranks by keyed hash)."""
    return sorted(refs, key=lambda r: (order_rank(seed, r), r))[:n]


def _received(i: int) -> datetime:
    day = date(2013, 1, 1) + timedelta(days=(i * 37) % 360)
    return uk_local(day.year, day.month, day.day, (i * 5) % 24, (i * 13) % 60)


def _add_reports(s, kind: str, system: str, prefix: str, total: int, seed: int, plans: list[ReportPlan],
                 extra_drawn: int = 0) -> dict[str, ReportPlan | None]:
    """Insert `total` reports; the ones the seed will draw get the plans (in draw order) and their crimes."""
    refs = [f"{prefix}-{i:05d}" for i in range(1, total + 1)]
    drawn = _drawn_refs(refs, seed, len(plans) + extra_drawn)
    planned: dict[str, ReportPlan | None] = dict(zip(drawn, plans, strict=False))
    crime_no = 0
    for i, ref in enumerate(refs):
        plan = planned.get(ref)
        received = _received(i)
        fixed = next((c.received for c in plan.crimes if c.received), None) if plan else None
        received = fixed or received
        rep = ReportRecord(kind=kind, system=system, ref=ref, received_at=received,
                           opening_code="Domestic Incident" if i % 3 == 0 else "Assault",
                           agency="Children's services" if kind == "referral" else None,
                           narrative=f"{received:%d/%m/%Y %H:%M} [Operator] Report {ref}.")
        s.add(rep)
        s.flush()
        crimes = plan.crimes if plan else ([CrimePlan("58A", "58A", 3)] if i % 2 else [])
        for c in crimes:
            if c.recorded_code is None:
                continue
            crime_no += 1
            recorded_at = c.recorded_at or received + timedelta(hours=c.delay_hours)
            cr = CrimeRecord(ref=f"CR-{prefix}-{crime_no:05d}", recorded_at=recorded_at, reported_at=received,
                             ho_code=c.recorded_code, offence="", source_ref=ref,
                             domestic_abuse=c.domestic_abuse)
            s.add(cr)
            s.flush()
            s.add(RecordLink(report_id=rep.id, crime_id=cr.id))
    return planned


def build_staffordshire(path: str | Path) -> Database:
    """An audit database whose completed verdicts give the Staffordshire 2014 'findings in numbers'."""
    db = init_audit(path, FORCE, date(2013, 1, 1), date(2013, 12, 31), "2014", "Inspector A")
    incident_plans, guardian_plans = _incident_plans(), _guardian_plans()
    with db.session() as s:
        # two more incidents are drawn than reviewed: one never opened, one verdict left incomplete
        inc = _add_reports(s, "incident", "Incident", "INC", 400, SEED_INCIDENTS, incident_plans,
                           extra_drawn=2)
        grd = _add_reports(s, "referral", "Guardian", "GRD", 90, SEED_GUARDIAN, guardian_plans)
        _add_reports(s, "referral", "PO1", "PO1", 12, 1, [])  # another system, not sampled
        for group, n in (("rape", 28), ("vap", 70), ("other", 40)):
            for i in range(n):
                s.add(Cancellation(crime_ref=f"NC-{group}-{i:03d}", cancelled_at=_received(i),
                                   reason="Additional verifiable information", decided_by_role="DDM",
                                   offence_group=group))
        for dtype in DISPOSAL_FIGURES:
            for i in range(30):
                s.add(Disposal(ref=f"{dtype[:3].upper()}-{i:03d}", crime_ref=f"CR-OOCD-{dtype[:3]}-{i:03d}",
                               disposal_type=dtype, issued_at=_received(i), offender_history="none"))
    with db.session() as s:
        draw(s, "Incidents 2013", "incident", 133, SEED_INCIDENTS, who="Inspector A")
        draw(s, "Guardian referrals", "referral", 55, SEED_GUARDIAN, system="Guardian", who="Inspector A")
        draw(s, "No-crimes: rape, robbery and violence", "cancellation", 0, SEED_CANCELLED, per_stratum=30,
             who="Inspector A")
        draw(s, "Out-of-court disposals", "disposal", 0, SEED_DISPOSALS, per_stratum=20, who="Inspector A")

    svc = AuditService(db, "Inspector A")
    with db.session() as s:
        items = {name: [(it.id, it.record_id) for it in s.scalars(
            select(AuditItem).join(Sample).where(Sample.name == name).order_by(AuditItem.position))]
            for name in s.scalars(select(Sample.name))}
        reports = {r.id: r.ref for r in s.scalars(select(ReportRecord))}
        links: dict[str, list[CrimeRecord]] = {}
        for rep_ref, cr in s.execute(select(ReportRecord.ref, CrimeRecord).join(
                RecordLink, RecordLink.report_id == ReportRecord.id).join(
                CrimeRecord, CrimeRecord.id == RecordLink.crime_id).order_by(CrimeRecord.id)):
            links.setdefault(rep_ref, []).append(cr)
        cancellations = {c.id: c for c in s.scalars(select(Cancellation))}
        disposals = {d.id: d for d in s.scalars(select(Disposal))}

    def report_verdicts(sample: str, planned: dict[str, ReportPlan | None]) -> None:
        for item_id, record_id in items[sample]:
            ref = reports[record_id]
            plan = planned.get(ref)
            if plan is None:
                continue
            recorded = iter(links.get(ref, []))
            crimes = []
            for c in plan.crimes:
                cr = next(recorded) if c.recorded_code is not None else None
                crimes.append(CrimeFinding(
                    expected_code=c.expected, crime_id=cr.id if cr else None, crime_ref=cr.ref if cr else "",
                    not_recorded_reason=c.reason, domestic_abuse=c.domestic_abuse,
                    safeguarding=c.safeguarding, investigation=c.investigation,
                    timely_override=c.timely_override,
                    override_reason=c.override_reason))
            svc.save_verdict(item_id, VerdictBody(crimes=crimes, zero_status=not crimes, complete=True,
                                                  rationale=plan.rationale or ("No crime disclosed."
                                                                                if not crimes else "")))

    report_verdicts("Incidents 2013", inc)
    report_verdicts("Guardian referrals", grd)
    # peer review: the auditor's verdict on one zero-status incident claimed a crime; the lead's final
    # verdict (which is the one that counts) restores zero status
    reviewed_item = items["Incidents 2013"][7][0]
    assert inc[reports[items["Incidents 2013"][7][1]]] is incident_plans[7] and not incident_plans[7].crimes
    svc.save_verdict(reviewed_item, VerdictBody(crimes=[CrimeFinding(expected_code="8L")], complete=True,
                                                rationale="Harassment disclosed, not recorded."))
    AuditService(db, "Lead Inspector").save_verdict(
        reviewed_item, VerdictBody(zero_status=True, complete=True, rationale=LEAD_RATIONALE), role="final")
    # of the two extra incidents drawn, one is left untouched and one has an incomplete verdict
    spare = [item_id for item_id, record_id in items["Incidents 2013"] if inc.get(reports[record_id]) is None]
    assert len(spare) == 2
    svc.save_verdict(spare[0], VerdictBody(crimes=[CrimeFinding(expected_code="8N")], complete=False,
                                           rationale="=started, to finish tomorrow"))

    for n, (item_id, record_id) in enumerate(items["No-crimes: rape, robbery and violence"]):
        assert cancellations[record_id].offence_group in ("rape", "vap", "other")
        answers = {"decision_correct": True, "authorised_decision_maker": True,
                  "victim_informed": n not in (5, 40)}
        svc.save_verdict(item_id, VerdictBody(checks=answers, complete=True,
                                              rationale="AVI on file: CCTV shows no offence took place."))

    seen: dict[str, int] = {}
    for item_id, record_id in items["Out-of-court disposals"]:
        dtype = disposals[record_id].disposal_type
        i = seen[dtype] = seen.get(dtype, -1) + 1
        _, suitable, aware, victim, views, outcome = DISPOSAL_FIGURES[dtype]
        has_victim = i < victim
        checks: dict[str, bool | None] = {
            "offender_suitable": i >= 20 - suitable,  # the failures come first...
            "offender_made_aware": i < aware,  # ...and here last, so they fall on different records
            "victim_to_consult": has_victim,
            "victim_views_considered": (i < views) if has_victim else None,
            "outcome_appropriate": (i < outcome) if outcome is not None else None,
        }
        svc.save_verdict(item_id, VerdictBody(checks=checks, complete=True))
    assert seen == {d: 19 for d in DISPOSAL_FIGURES}
    return db


# ---- fixtures ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def staffs(tmp_path_factory: pytest.TempPathFactory) -> Database:
    db = build_staffordshire(tmp_path_factory.mktemp("staffs") / "staffordshire.db")
    yield db
    db.close()


@pytest.fixture(scope="module")
def findings(staffs: Database) -> Findings:
    return compute(staffs)


@pytest.fixture(scope="module")
def exports(findings: Findings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("exports")
    return {"json": write_json(findings, out / "findings.json"),
            "xlsx": write_xlsx(findings, out / "findings.xlsx"),
            "pdf": write_pdf(findings, out / "findings.pdf")}


# ---- the findings ------------------------------------------------------------------------------------------
def test_findings_reproduce_the_published_figures(findings: Findings) -> None:
    inc = findings.table("incidents")
    assert [c.value for c in inc.rows[0].cells] == INCIDENT_ROW[1]
    assert inc.columns[-2:] == ["Outside 72 hours", "Time not known"]
    other = findings.table("other_systems")
    assert [r.label for r in other.rows] == ["Guardian", "Total (other systems)"]
    for row in other.rows:
        assert [c.value for c in row.cells] == GUARDIAN_ROW[1]
    canc = findings.table("cancellations")
    assert [r.label for r in canc.rows] == ["Rape", "Violence against the person", "Other offences", "Total"]
    assert [c.value for c in canc.rows[-1].cells] == [88, 88, 88, 86]
    assert [r.cells[0].value for r in canc.rows[:3]] == [28, 30, 30]
    disp = findings.table("disposals")
    for dtype, figures in DISPOSAL_FIGURES.items():
        row = next(r for r in disp.rows if r.label == dtype)
        assert [c.value for c in row.cells] == [f or 0 for f in figures], dtype
    assert findings.value("disposals", "Total", "Sampled") == 80
    assert findings.audit["force"] == FORCE
    assert (findings.audit["period_start"], findings.audit["period_end"]) == ("01/01/2013", "31/12/2013")
    assert findings.audit["auditors"] == ["Inspector A", "Lead Inspector"]
    lead = [v for v in findings.verdicts if v["auditor"] == "Lead Inspector"]
    assert [(v["crime_no"], v["rationale"]) for v in lead] == [(0, LEAD_RATIONALE)]


def test_every_figure_carries_its_items(findings: Findings) -> None:
    inc = findings.table("incidents").rows[0]
    reviewed, identified, recorded, wrong, late, unknown = inc.cells
    # the crime recorded 3 hours before its report: neither within nor outside the limit (issue 10)
    assert len(unknown.items) == 1 and set(unknown.items) <= set(recorded.items)
    assert len(reviewed.items) == 131
    assert len(wrong.items) == 1 and len(late.items) == 15
    assert set(late.items) <= set(recorded.items) <= set(identified.items) <= set(reviewed.items)
    wrong_rows = [v for v in findings.verdicts if v["item_id"] == wrong.items[0] and v["crime_no"]]
    assert [(v["expected_code"], v["recorded_code"]) for v in wrong_rows] == [("19C", "17A")]
    # one row per crime identified plus one per zero-status record; incomplete verdicts are left out
    incident_rows = [v for v in findings.verdicts if v["kind"] == "incident"]
    assert len(incident_rows) == 117 + 20
    assert sum(1 for v in incident_rows if v.get("timely") is False) == 15
    assert not any(v["rationale"].startswith("=started") for v in findings.verdicts)


# ---- JSON --------------------------------------------------------------------------------------------------
def test_json_export(findings: Findings, exports: dict[str, Path]) -> None:
    doc = json.loads(exports["json"].read_text(encoding="utf-8"))
    assert list(doc)[:2] == ["format", "version"]
    assert (doc["format"], doc["version"], doc["marking"]) == ("cdi-workbench-findings", 1, MARKING)
    assert doc["audit"]["force"] == FORCE and doc["audit"]["limit_hours"] == 72
    assert doc["audit"]["rule_set"] == "2014"
    tables = {t["key"]: t for t in doc["tables"]}
    assert list(tables) == ["incidents", "other_systems", "cancellations", "disposals", "n100",
                            "special_modern_slavery_crimes", "special_modern_slavery_referrals",
                            "special_vulnerable_adults", "special_vulnerable_children",
                            "recording_rates", "timeliness", "domestic_abuse"]
    for t in doc["tables"]:
        assert set(t) == {"key", "title", "columns", "rows", "note"}
        for r in t["rows"]:
            assert set(r) == {"label", "values", "texts", "items"}
            assert len(r["values"]) == len(r["items"]) == len(t["columns"])
    rows = {r["label"]: r for r in tables["incidents"]["rows"]}
    assert rows["Incident records"]["values"] == INCIDENT_ROW[1]
    assert [len(i) for i in rows["Incident records"]["items"]] == [131, 111, 108, 1, 15, 1]
    guardian = {r["label"]: r for r in tables["other_systems"]["rows"]}["Guardian"]
    assert guardian["values"] == GUARDIAN_ROW[1]
    assert {r["label"]: r for r in tables["cancellations"]["rows"]}["Total"]["values"][:2] == [88, 88]
    caution = {r["label"]: r for r in tables["disposals"]["rows"]}["Caution"]
    assert caution["values"] == [20, 19, 18, 13, 2, 0]
    assert len(doc["verdicts"]) == len(findings.verdicts)
    assert any(v["rationale"] == RISKY_RATIONALES[0] for v in doc["verdicts"])
    assert [s["name"] for s in doc["samples"]][0] == "Incidents 2013"
    assert doc["samples"][0]["frame"]["population"] == {"all": 400}


# ---- Excel -------------------------------------------------------------------------------------------------
def _table_cells(ws) -> dict[str, dict[str, openpyxl.cell.Cell]]:  # type: ignore[no-untyped-def]
    """{row label: {column heading: cell}} for a findings table sheet (headings on row 4)."""
    heads = [c.value for c in ws[4]]
    out = {}
    for row in ws.iter_rows(min_row=5):
        if row[0].value and any(c.value is not None for c in row[1:]):
            out[row[0].value] = {h: c for h, c in zip(heads[1:], row[1:], strict=False) if h}
    return out


def test_excel_export(findings: Findings, exports: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(exports["xlsx"])
    assert wb.sheetnames == ["Summary", "Incident records", "Reports held on other systems",
                             "Cancelled crimes (no-crimes)", "Out-of-court disposals", "N100 records",
                             "Modern slavery crimes", "Modern slavery referrals", "Vulnerable adult records",
                             "Vulnerable child records", "Recording rates", "Timeliness of recording", "Domestic abuse",
                             "Figure sources", "Verdicts"]
    summary = wb["Summary"]
    assert summary["A1"].value == MARKING
    labels = {summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(4, 11)}
    assert labels["Force"] == FORCE
    assert labels["Audit period"] == "01/01/2013 to 31/12/2013"
    assert labels["Audited by"] == "Inspector A, Lead Inspector"
    assert "72-hour" in labels["Rule set"]
    for ws in wb.worksheets:
        assert len(ws.title) <= 31
        assert ws["A1"].value == MARKING, ws.title
        assert ws.oddHeader.center.text == MARKING, ws.title
        assert ws.oddFooter.center.text == MARKING, ws.title

    expected = {
        "Incident records": [INCIDENT_ROW],
        "Reports held on other systems": [GUARDIAN_ROW, ("Total (other systems)", GUARDIAN_ROW[1])],
        "Cancelled crimes (no-crimes)": [CANCELLED_TOTAL],
        "Out-of-court disposals": [CAUTION_ROW],
    }
    for sheet, rows in expected.items():
        ws = wb[sheet]
        assert ws.freeze_panes == "B5"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A4:")
        assert ws["A4"].font.b and ws["B4"].font.b and ws["B4"].fill.fgColor.rgb.endswith("D9D9D9")
        cells = _table_cells(ws)
        for label, values in rows:
            got = cells[label]
            heads = list(got)
            for head, value in zip(heads, values, strict=False):
                cell = got[head]
                assert cell.value == value and cell.data_type == "n", (sheet, label, head)
                assert cell.number_format == "#,##0"
    inc = _table_cells(wb["Incident records"])["Incident records"]
    assert inc["Records reviewed"].coordinate == "B5" and inc["Outside 72 hours"].coordinate == "F5"
    heads = ("Crimes identified", "Crimes recorded", "Wrongly classified")
    assert [inc[h].value for h in heads] == [117, 113, 1]
    caution = _table_cells(wb["Out-of-court disposals"])["Caution"]
    assert caution["With a victim"].value == 13 and caution["Victim's views considered"].value == 2
    # a check that does not apply to the row reads 'n/a', not a 0 that looks like a failure
    assert caution["Outcome appropriate"].value == "n/a"
    resolutions = _table_cells(wb["Out-of-court disposals"])["Community resolution"]
    assert resolutions["Outcome appropriate"].value == 15
    # the total stays out of the filter range so sorting never moves it
    assert wb["Cancelled crimes (no-crimes)"].auto_filter.ref == "A4:E7"

    ws = wb["Verdicts"]
    heads = [c.value for c in ws[2]]
    assert heads[:9] == ["Audit item", "Kind", "System / type", "Record reference", "Crime no.",
                         "Expected code", "Crime record", "Recorded code", "Classified correctly"]
    assert heads[-3:] == ["Auditor", "Rationale", "Verdict updated"]
    assert ws.max_row == 2 + len(findings.verdicts)
    col = {h: i for i, h in enumerate(heads)}
    rows = list(ws.iter_rows(min_row=3))
    rationales = [r[col["Rationale"]] for r in rows]
    for text in RISKY_RATIONALES:
        hit = [c for c in rationales if c.value == text]
        assert hit, text
        for c in hit:
            assert c.data_type == "s" and c.quotePrefix, text
    assert any(c.value == CONTROL_RATIONALE.replace("\x07", "\ufffd") for c in rationales)
    assert {r[col["Classified correctly"]].value for r in rows} <= {"Yes", "No", None}
    # 15 late incidents + 1 late Guardian referral
    assert sum(1 for r in rows if r[col["Within time limit"]].value == "No") == 16
    assert isinstance(rows[0][col["Verdict updated"]].value, datetime)
    # no formula anywhere in the file
    with zipfile.ZipFile(exports["xlsx"]) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(name).decode("utf-8") and "<f " not in z.read(name).decode("utf-8")
    assert all(t.startswith(RISKY_START) for t in RISKY_RATIONALES)

    sources = wb["Figure sources"]
    late = next(r for r in sources.iter_rows(min_row=3, values_only=True)
                if r[0] == "Incident records" and r[2] == "Outside 72 hours")
    # the records behind a figure are named by sample, position and reference, not internal ids
    behind = late[4].split("; ")
    assert late[3] == 15 and len(behind) == 15
    assert all(b.startswith("Incidents 2013 #") and " INC-" in b for b in behind)


# ---- PDF ---------------------------------------------------------------------------------------------------
def _pdf_text(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(path).pages]


def test_pdf_export(findings: Findings, exports: dict[str, Path]) -> None:
    pages = _pdf_text(exports["pdf"])
    n = len(pages)
    assert n >= 3
    for i, page in enumerate(pages, 1):
        assert page.count(MARKING) >= 2, f"page {i}"
        assert f"Page {i} of {n}" in page
    assert "Page 1 of" in pages[0]
    first = pages[0]
    assert "Crime data integrity audit: findings" in first
    assert FORCE in first and "01/01/2013 to 31/12/2013" in first
    assert "Inspector A, Lead Inspector" in first
    text = "\n".join(pages)
    flat = re.sub(r"\s+", " ", text)
    for label, values in (INCIDENT_ROW, GUARDIAN_ROW, ("Total (other systems)", GUARDIAN_ROW[1]),
                          CAUTION_ROW):
        assert re.search(re.escape(label) + r" " + r" ".join(str(v) for v in values), flat), label
    assert re.search(r"Total 88 88 88 86", flat)
    assert "Caution 20 19 18 13 2 n/a" in flat and "Community resolution 20 18 20 20 13 15" in flat
    assert "Outside 72 hours" in flat and "Samples and method" in flat
    assert "Incidents 2013" in flat and "seed" in flat.lower() and "400" in flat
    assert "per crime, not per record" in flat


def test_pdf_renders(exports: dict[str, Path], tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(exports["pdf"]), str(tmp_path / "page")], check=True,
                   capture_output=True, timeout=120)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == len(PdfReader(exports["pdf"]).pages)
    assert all(p.stat().st_size > 1000 for p in pngs)


# ---- robustness --------------------------------------------------------------------------------------------
def test_exports_of_an_empty_audit(tmp_path: Path) -> None:
    """A new audit with no samples or verdicts still exports (zero tables, no verdict rows)."""
    db = init_audit(tmp_path / "empty.db", "Testshire Police & Partners <MASH>", date(2015, 4, 1),
                    date(2016, 3, 31), "2015")
    try:
        f = compute(db)
    finally:
        db.close()
    write_json(f, tmp_path / "e.json")
    write_xlsx(f, tmp_path / "e.xlsx")
    write_pdf(f, tmp_path / "e.pdf")
    assert json.loads((tmp_path / "e.json").read_text())["verdicts"] == []
    wb = openpyxl.load_workbook(tmp_path / "e.xlsx")
    assert wb["Incident records"]["F4"].value == "Outside 24 hours"
    pages = _pdf_text(tmp_path / "e.pdf")
    assert all(p.count(MARKING) >= 2 for p in pages)
    assert "Testshire Police & Partners <MASH>" in pages[0]


def test_failed_export_leaves_no_partial_file(findings: Findings, tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"previous export")
    broken = Findings({**findings.audit}, findings.samples, findings.tables, [{"kind": object()}])
    write_xlsx(broken, target)  # unknown values are written as their text, not an error
    assert openpyxl.load_workbook(target)["Verdicts"]["A3"].value.startswith("<object")
    bad = Findings({**findings.audit}, [{"name": "x", "frame": {"population": {"a": "not a number"}}}],
                   findings.tables, [])
    with pytest.raises((TypeError, ValueError)):
        write_pdf(bad, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def _headings(story: list) -> list[str]:  # type: ignore[type-arg]
    """The text of every h1-h3 heading in a report's story (inside blocks kept together too)."""
    from reportlab.platypus import KeepTogether, Paragraph

    out: list[str] = []
    for f in story:
        if isinstance(f, KeepTogether):
            out += _headings(f._content)
        elif isinstance(f, Paragraph) and f.style.name in ("H1", "H2", "H3"):
            out.append(re.sub(r"\s+", " ", f.getPlainText()).strip())
    return out


def test_pdf_never_ends_a_page_with_a_heading(tmp_path: Path) -> None:
    """Issue 11: a heading (a section, a table's title, a group of the agreement table) is kept with what follows
    it. Reports of a reviewed and challenged audit, with a sample of many strata (its block is taller than what
    is left under '2. Samples and method') and the text shifted by the notes above the tables, so headings fall
    at every height of a page; the text of each page but the last must not end with one."""
    import copy
    from dataclasses import replace

    from cdi_workbench.reports import review_figures
    from cdi_workbench.reports.common import agreement_groups
    from cdi_workbench.reports.pdf import build_story
    from tests.review_builders import challenge_round, reviewed_audit

    db = reviewed_audit(tmp_path / "a.db")
    try:
        challenge_round(db, tmp_path / "force.xlsx")
        base, review = compute(db), review_figures(db)
    finally:
        db.close()
    assert review.has_challenges and review.agreement
    strata = copy.deepcopy(base.samples)
    strata[0].setdefault("frame", {})["population"] = {f"stratum {i}": 100 + i for i in range(12)}
    strata[0]["frame"]["allocated"] = {f"stratum {i}": 10 for i in range(12)}
    groups = {g for g, _ in agreement_groups(review.agreement_for(""))}
    checked = 0
    for samples in (base.samples, strata):
        for shift in range(0, 36, 6):
            f = replace(base, samples=samples, warnings=[f"Note {i}." for i in range(shift)])
            heads = set(_headings(build_story(f, review))) | groups
            assert "2. Samples and method" in heads and "Every failure and the force's response" in " ".join(heads)
            n_strata = len(samples[0].get("frame", {}).get("population", {}))
            pages = _pdf_text(write_pdf(f, tmp_path / f"r{n_strata}-{shift}.pdf", review))
            for n, page in enumerate(pages[:-1], 1):
                body = [line for line in page.splitlines() if line.strip() and MARKING not in line
                        and not re.fullmatch(r"\s*Page \d+ of \d+\s*", line)
                        and "crime data integrity audit findings" not in line]
                flat = re.sub(r"\s+", " ", " ".join(body)).strip()
                stranded = [h for h in heads if flat.endswith(h)]
                assert not stranded, f"{n_strata} strata, {shift} notes: page {n} of {len(pages)} ends with " \
                                     f"the heading {stranded}"
                checked += 1
    assert checked > 100
