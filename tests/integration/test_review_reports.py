"""Peer review agreement and the force's challenges in the exports: JSON, Excel (read back with openpyxl) and
PDF (text read back with pypdf, pages rendered with pdftoppm)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from cdi_workbench.challenges import decide
from cdi_workbench.findings import compute
from cdi_workbench.reports import review_figures, write_json, write_pdf, write_xlsx
from cdi_workbench.reports.common import RESOLUTION_KEYS
from cdi_workbench.storage.models import Challenge
from tests.builders import small_audit
from tests.review_builders import challenge_round, reviewed_audit


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    d = tmp_path_factory.mktemp("review")
    db = reviewed_audit(d / "a.db")
    challenge_round(db, d / "force.xlsx")
    with db.session() as s:
        ids = sorted(c.id for c in s.query(Challenge).filter_by(response="challenge"))
    decide(db, ids[0], True, "Recorded later as CR-99, evidenced on the crime system", "Lead C")
    decide(db, ids[1], False, "No record of the offender's history was kept", "Lead C")
    findings, review = compute(db), review_figures(db)
    out = {"json": d / "f.json", "xlsx": d / "f.xlsx", "pdf": d / "f.pdf"}
    write_json(findings, out["json"], review)
    write_xlsx(findings, out["xlsx"], review)
    write_pdf(findings, out["pdf"], review)
    db.close()
    return {**out, "findings": findings, "review": review, "dir": d}


def test_json_carries_agreement_and_the_challenges(exported: dict) -> None:  # type: ignore[type-arg]
    doc = json.loads(Path(exported["json"]).read_text(encoding="utf-8"))
    agreement = doc["peer_review_agreement"]
    assert agreement["method"] == "Cohen's kappa (statsmodels)"
    rows = {(r["check"], r["auditor"]): r for r in agreement["rows"]}
    suitable = rows[("offender_suitable", "")]
    assert (suitable["pairs"], suitable["agreed"]) == (6, 5)
    assert suitable["kappa"] == pytest.approx(2 / 3) and suitable["band"] == "substantial"
    assert suitable["kappa_method"] == "Cohen's kappa (statsmodels)"
    assert len(suitable["disagreements"]) == 1 and suitable["disagreements"][0] in suitable["items"]
    assert {"crimes_identified", "all_recorded", "classification", "timeliness", "decision_correct",
            "authorised_decision_maker", "victim_informed"} <= {c for c, _ in rows}
    ch = doc["challenges"]
    by_failure = {r["failure"]: r for r in ch["rows"]}
    assert by_failure["not recorded"]["values"] == {"before": 1, "agreed": 0, "challenged": 1, "no_response": 0,
                                                    "upheld": 1, "rejected": 0, "pending": 0, "after": 0}
    assert by_failure["offender suitable"]["values"] == {"before": 2, "agreed": 0, "challenged": 2,
                                                         "no_response": 0, "upheld": 0, "rejected": 1,
                                                         "pending": 1, "after": 2}
    assert by_failure["victim informed"]["values"]["no_response"] == 1
    total = by_failure["Total"]["values"]
    for key in RESOLUTION_KEYS:  # the total adds up the rows
        assert total[key] == sum(r["values"][key] for r in ch["rows"] if r["failure"] != "Total")
    assert total["after"] == total["before"] - total["upheld"]
    # traceable: the record whose failure was withdrawn is named, and it is the one behind 'upheld'
    upheld = [r for r in ch["responses"] if r["decision"] == "upheld"]
    assert [r["record_ref"] for r in upheld] == ["INC-0002"] and upheld[0]["counted_after"] is False
    assert by_failure["not recorded"]["items"]["upheld"] == [upheld[0]["item_id"]]
    assert len(upheld[0]["decided_at"]) == 16 and upheld[0]["decided_at"][2] == "/"  # dd/mm/yyyy HH:MM


def test_excel_sheets_with_number_formats(exported: dict) -> None:  # type: ignore[type-arg]
    wb = openpyxl.load_workbook(exported["xlsx"])
    assert "Peer review agreement" in wb.sheetnames and "Before and after challenges" in wb.sheetnames
    ws = wb["Peer review agreement"]
    assert ws["A1"].value == "OFFICIAL-SENSITIVE"
    cells = [c for row in ws.iter_rows() for c in row]
    heads = {c.value: c for c in cells if isinstance(c.value, str)}
    assert "Kappa: Cohen's kappa (statsmodels)" in heads and "Landis and Koch (1977) band" in heads
    row = next(c.row for c in cells if c.value == "Offender suitable given previous history?")  # all auditors first
    pairs, agreed, pct, kap, band = (ws.cell(row, col) for col in range(2, 7))
    assert (pairs.value, agreed.value) == (6, 5) and pairs.number_format == "#,##0"
    assert pct.value == pytest.approx(5 / 6) and pct.number_format == "0.0%"
    assert kap.value == pytest.approx(2 / 3) and kap.number_format == "0.00"
    assert band.value == "substantial"
    assert "OOCD-4" in ws.cell(row, 7).value  # the record where the two answers differ
    assert any(c.value == "Auditor: Inspector D" for c in cells)
    summary = [c.value for row in wb["Summary"].iter_rows() for c in row]
    assert "Peer review agreement" in summary and "Before and after challenges" in summary

    ws = wb["Before and after challenges"]
    rows = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 10)] for r in range(6, 12)}
    assert rows["not recorded"] == [1, 0, 1, 0, 1, 0, 0, 0]
    assert rows["Total"][0] - rows["Total"][4] == rows["Total"][7]
    assert ws.cell(6, 2).number_format == "#,##0"
    listing = {ws.cell(r, 3).value + ":" + str(ws.cell(r, 1).value): r for r in range(12, ws.max_row + 1)
               if ws.cell(r, 3).value and ws.cell(r, 4).value in ("agree", "challenge", "no response")}
    withdrawn = next(r for k, r in listing.items() if k.startswith("not recorded") and "INC-0002" in k)
    assert ws.cell(withdrawn, 6).value == "challenge upheld" and ws.cell(withdrawn, 10).value == "No"
    assert ws.cell(withdrawn, 8).number_format == "dd/mm/yyyy hh:mm"


def _pdf_text(path: Path) -> str:
    """The text of every page with line breaks (where cells wrap) read as spaces."""
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_pdf_sections(exported: dict) -> None:  # type: ignore[type-arg]
    text = _pdf_text(Path(exported["pdf"]))
    assert "4. Peer review agreement" in text and "5. Before and after the force's challenges" in text
    assert "Cohen's kappa (statsmodels)" in text and "Landis and Koch" in text
    assert "0.67" in text and "substantial" in text and "83.3%" in text
    assert "challenge upheld by Lead C" in text and "challenge rejected by Lead C" in text
    assert "awaiting decision" in text and "OOCD-4" in text


def test_pdf_pages_render(exported: dict) -> None:  # type: ignore[type-arg]
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    out = Path(exported["dir"]) / "page"
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", str(exported["pdf"]), str(out)], check=True,
                   capture_output=True, timeout=120)
    pages = sorted(Path(exported["dir"]).glob("page*.png"))
    assert len(pages) == len(PdfReader(exported["pdf"]).pages) and all(p.stat().st_size > 2000 for p in pages)


def test_nothing_reviewed_and_no_challenges(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    findings, review = compute(db), review_figures(db)
    db.close()
    write_json(findings, tmp_path / "f.json", review)
    write_xlsx(findings, tmp_path / "f.xlsx", review)
    write_pdf(findings, tmp_path / "f.pdf", review)
    doc = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert doc["peer_review_agreement"]["rows"] == [] and "challenges" not in doc
    wb = openpyxl.load_workbook(tmp_path / "f.xlsx")
    assert "Before and after challenges" not in wb.sheetnames
    texts = [c.value for row in wb["Peer review agreement"].iter_rows() for c in row if c.value]
    assert any(str(t).startswith("Nothing has been peer reviewed yet") for t in texts)
    text = _pdf_text(tmp_path / "f.pdf")
    assert "Nothing has been peer reviewed yet" in text and "force's challenges" not in text
    # without review figures the exports are as before
    write_json(findings, tmp_path / "plain.json")
    assert "peer_review_agreement" not in json.loads((tmp_path / "plain.json").read_text(encoding="utf-8"))


def test_cdi_report_and_agreement_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cdi_workbench.cli import main

    reviewed_audit(tmp_path / "a.db").close()
    assert main(["report", str(tmp_path / "a.db"), "--json", str(tmp_path / "f.json")]) == 0
    doc = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert any(r["check"] == "decision_correct" for r in doc["peer_review_agreement"]["rows"])
    assert "challenges" not in doc  # nothing sent to the force yet
    assert main(["agreement", str(tmp_path / "a.db")]) == 0
    out = capsys.readouterr().out
    assert "substantial" in out and "Landis and Koch (1977)" in out
