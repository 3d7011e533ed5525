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
    assert suitable["kappa"] == pytest.approx(2 / 3) and suitable["band"] == ""  # fewer than 30 pairs
    assert suitable["band_text"] == "too few pairs for a band (n < 30)"
    assert suitable["kappa_method"] == "Cohen's kappa"
    # the figures beside kappa, each from the hand-computed table No/No 2, Yes/No 1, Yes/Yes 3
    assert suitable["pabak"] == pytest.approx(2 * 5 / 6 - 1, abs=1e-6)  # JSON figures: 6 decimals
    assert suitable["prevalence_index"] == pytest.approx(abs(2 - 3) / 6, abs=1e-6)
    assert suitable["bias_index"] == pytest.approx(1 / 6, abs=1e-6) and suitable["prevalence_extreme"] is False
    assert suitable["kappa_se"] > 0 and suitable["kappa_high"] == pytest.approx(1.0)  # cut at 1
    assert suitable["kappa_low"] == pytest.approx(2 / 3 - 1.959964 * suitable["kappa_se"], abs=1e-5)
    p, z = 5 / 6, 1.959964  # the normal (Wald) interval, the report's default method
    assert suitable["percent_low"] == pytest.approx(100 * (p - z * (p * (1 - p) / 6) ** 0.5), abs=1e-3)
    assert suitable["percent_high"] == 100.0
    assert suitable["percent_method"].startswith("normal approximation")
    assert agreement["percent_method"] == suitable["percent_method"]
    ident = rows[("crimes_identified", "")]
    assert ident["kappa_method"] == "weighted kappa (linear weights)" and ident["kappa"] == pytest.approx(0.6)
    assert ident["pabak"] == pytest.approx((4 * 3 / 4 - 1) / 3, abs=1e-6) and ident["prevalence_index"] is None
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
    assert "Kappa" in heads and "Landis and Koch (1977) band" in heads and "Kappa method" in heads
    assert "Kappa: standard error" in heads and "PABAK (Byrt, Bishop and Carlin 1993)" in heads
    head_row = heads["Kappa"].row
    col = {ws.cell(head_row, c).value: c for c in range(1, ws.max_column + 1)}
    assert ws.cell(head_row, col["% agreement"] + 1).value == "% agreement: 95% CI from"
    assert ws.cell(head_row, col["Kappa: 95% CI from"] + 1).value == "to"
    row = next(c.row for c in cells if c.value == "Offender suitable given previous history?")  # all auditors first
    pairs, agreed, pct, kap = (ws.cell(row, col[h]) for h in ("Pairs", "Agreed", "% agreement", "Kappa"))
    assert (pairs.value, agreed.value) == (6, 5) and pairs.number_format == "#,##0"
    assert pct.value == pytest.approx(5 / 6) and pct.number_format == "0.0%"
    assert kap.value == pytest.approx(2 / 3) and kap.number_format == "0.00"
    json_rows = {(r["check"], r["auditor"]): r for r in json.loads(Path(exported["json"]).read_text(
        encoding="utf-8"))["peer_review_agreement"]["rows"]}
    suitable = json_rows[("offender_suitable", "")]
    low, high = ws.cell(row, col["% agreement: 95% CI from"]), ws.cell(row, col["% agreement: 95% CI from"] + 1)
    assert low.value == pytest.approx(suitable["percent_low"] / 100) and low.number_format == "0.0%"
    assert high.value == pytest.approx(1.0)
    assert ws.cell(row, col["Kappa: standard error"]).value == pytest.approx(suitable["kappa_se"], abs=1e-6)
    assert ws.cell(row, col["Kappa: 95% CI from"]).value == pytest.approx(suitable["kappa_low"], abs=1e-6)
    assert ws.cell(row, col["Kappa: 95% CI from"] + 1).value == pytest.approx(1.0)
    assert ws.cell(row, col["Kappa method"]).value == "Cohen's kappa"
    assert ws.cell(row, col["PABAK (Byrt, Bishop and Carlin 1993)"]).value == pytest.approx(2 / 3)
    assert ws.cell(row, col["Prevalence index"]).value == pytest.approx(1 / 6)
    assert ws.cell(row, col["Bias index"]).value == pytest.approx(1 / 6)
    assert ws.cell(row, col["Landis and Koch (1977) band"]).value == "too few pairs for a band (n < 30)"
    assert "OOCD-4" in ws.cell(row, col["Landis and Koch (1977) band"] + 1).value  # where the answers differ
    ident = next(c.row for c in cells if c.value == "Crimes identified (number: 0, 1, 2, 3 or more)")
    assert ws.cell(ident, col["Kappa method"]).value == "weighted kappa (linear weights)"
    assert ws.cell(ident, col["Kappa"]).value == pytest.approx(0.6)
    notes = " ".join(str(c.value) for c in cells if isinstance(c.value, str))
    assert "Byrt, Bishop and Carlin (1993)" in notes and "Fleiss, Cohen and Everitt 1969" in notes
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
    assert "0.67" in text and "83.3%" in text and "too few pairs for a band (n < 30)" in text
    review = exported["review"]
    suitable = next(a for a in review.agreement if a.check == "offender_suitable" and a.auditor == "")
    assert f"0.67 ({suitable.kappa_low:.2f} to 1.00)" in text  # kappa with its interval
    assert f"({suitable.percent_low:.1f}% to 100.0%)" in text  # % agreement with its interval
    assert "weighted kappa (linear weights)" in text and "PABAK" in text and "Byrt, Bishop and Carlin" in text
    assert "Fleiss, Cohen and Everitt 1969" in text
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
    assert "too few pairs for a band (n < 30)" in out and "Landis and Koch (1977)" in out
    assert "[weighted, linear]" in out and "PABAK" in out


def test_cdi_report_passes_its_interval_method_to_the_agreement(tmp_path: Path) -> None:
    from cdi_workbench.cli import main

    reviewed_audit(tmp_path / "a.db").close()
    assert main(["report", str(tmp_path / "a.db"), "--method", "wilson", "--json", str(tmp_path / "f.json")]) == 0
    doc = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))["peer_review_agreement"]
    suitable = next(r for r in doc["rows"] if r["check"] == "offender_suitable" and r["auditor"] == "")
    p, n, z = 5 / 6, 6, 1.959964  # Wilson (1927), by hand
    centre, half = p + z * z / (2 * n), z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    assert suitable["percent_method"] == "Wilson score interval" == doc["percent_method"]
    assert suitable["percent_low"] == pytest.approx(100 * (centre - half) / (1 + z * z / n), abs=1e-3)
    assert suitable["percent_high"] == pytest.approx(100 * (centre + half) / (1 + z * z / n), abs=1e-3)
    assert any("Wilson score interval" in note for note in doc["notes"])


def test_review_figures_reuse_the_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cdi_workbench import challenges

    db = reviewed_audit(tmp_path / "a.db")
    findings = compute(db)
    plain = review_figures(db)  # without findings: computed inside, as before

    def no_second_compute(*_a: object, **_k: object) -> None:
        raise AssertionError("the findings were computed again")

    monkeypatch.setattr(challenges, "compute", no_second_compute)
    given = review_figures(db, method="clopper-pearson", findings=findings)
    db.close()
    assert [r.failure for r in given.challenges] == [r.failure for r in plain.challenges] != []
    assert given.percent_method == "Clopper-Pearson exact interval"
    assert plain.percent_method.startswith("normal approximation")


def test_extreme_prevalence_is_flagged_in_every_export(tmp_path: Path) -> None:
    """88% agreement with kappa 0: every export says prevalence is extreme and gives PABAK beside kappa."""
    from cdi_workbench.agreement import measure
    from cdi_workbench.reports.common import ReviewFigures

    pairs = [(i, True, True) for i in range(88)] + [(88 + i, True, False) for i in range(12)]
    review = ReviewFigures([measure("victim_informed", "", pairs)])
    db = small_audit(tmp_path / "a.db")
    findings = compute(db)
    db.close()
    flag = "prevalence extreme: 88% agreement; PABAK 0.76"
    write_json(findings, tmp_path / "f.json", review)
    (row,) = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))["peer_review_agreement"]["rows"]
    assert row["prevalence_extreme"] is True and row["pabak"] == pytest.approx(0.76, abs=1e-6)
    assert row["prevalence_index"] == pytest.approx(0.88, abs=1e-6) and row["band"] == "slight"
    assert row["kappa_text"] == f"0.00 ({flag})" and row["band_text"] == f"slight ({flag})"
    write_xlsx(findings, tmp_path / "f.xlsx", review)
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx")["Peer review agreement"]
    assert f"slight ({flag})" in [c.value for r in ws.iter_rows() for c in r]
    write_pdf(findings, tmp_path / "f.pdf", review)
    assert flag in _pdf_text(tmp_path / "f.pdf")
