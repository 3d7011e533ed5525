from __future__ import annotations

import json
from pathlib import Path

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.findings import compute, with_previous
from tests.builders import small_audit


def _audit(path: Path, recorded: bool):  # noqa: ANN202
    db = small_audit(path)
    svc = AuditService(db, "Inspector A")
    rows = {r.ref: r for r in svc.queue(svc.samples()[0].id)}
    crime = CrimeFinding(expected_code="8N", crime_id=1 if recorded else None, crime_ref="CR-1" if recorded else "",
                         not_recorded_reason="" if recorded else "No discernible reason")
    svc.save_verdict(rows["INC-0001"].item_id, VerdictBody(crimes=[crime], complete=True))
    svc.save_verdict(rows["INC-0003"].item_id, VerdictBody(zero_status=True, complete=True))
    return db


def test_previous_figures_follow_in_brackets(tmp_path: Path) -> None:
    now, before = _audit(tmp_path / "now.db", True), _audit(tmp_path / "before.db", False)
    f = with_previous(compute(now), compute(before))
    row = f.table("incidents").rows[0]
    texts = dict(zip(f.table("incidents").columns, (c.text for c in row.cells), strict=True))
    assert texts["Records reviewed"] == "2 (2)"
    assert texts["Crimes recorded"] == "1 (0)"
    rates = {r.label: r.cells[2].text for r in f.table("recording_rates").rows}
    assert rates["Violence against the person"] == "100.0% (0.0%)"
    assert f.value("incidents", "Incident records", "Crimes recorded") == 1  # the figure itself is unchanged
    now.close()
    before.close()
    assert main(["report", str(tmp_path / "now.db"), "--previous", str(tmp_path / "before.db"),
                 "--json", str(tmp_path / "f.json")]) == 0
    doc = json.loads((tmp_path / "f.json").read_text())
    assert doc["audit"]["previous"]["force"] == "Testshire Police"
    inc = next(t for t in doc["tables"] if t["key"] == "incidents")
    assert inc["rows"][0]["texts"][2] == "1 (0)"


def test_previous_figures_are_numbers_of_their_own_in_excel_and_json(tmp_path: Path) -> None:
    """Issue 10: '30 (6)' was a text cell. Excel now has a numeric column beside each figure, JSON has
    figures.previous, and both name the previous audit (force, period, file)."""
    import openpyxl
    from pypdf import PdfReader

    _audit(tmp_path / "now.db", True).close()
    _audit(tmp_path / "before.db", False).close()
    out = tmp_path / "f"
    assert main(["report", str(tmp_path / "now.db"), "--previous", str(tmp_path / "before.db"),
                 "--json", f"{out}.json", "--xlsx", f"{out}.xlsx", "--pdf", f"{out}.pdf"]) == 0
    wb = openpyxl.load_workbook(f"{out}.xlsx")
    ws = wb["Incident records"]
    heads = [ws.cell(4, c).value for c in range(1, ws.max_column + 1)]
    assert heads[1:5] == ["Records reviewed", "Records reviewed (previous audit)", "Crimes identified",
                          "Crimes identified (previous audit)"]
    values = {h: ws.cell(5, c).value for c, h in enumerate(heads, 1)}
    assert values["Crimes recorded"] == 1 and values["Crimes recorded (previous audit)"] == 0
    assert isinstance(values["Crimes recorded (previous audit)"], int)
    rates = wb["Recording rates"]
    heads = [rates.cell(4, c).value for c in range(1, rates.max_column + 1)]
    row = next(r for r in range(5, rates.max_row + 1) if rates.cell(r, 1).value == "Violence against the person")
    prev = rates.cell(row, heads.index("Recording rate (previous audit)") + 1)
    assert prev.value == 0 and prev.number_format == "0.0%"
    assert rates.cell(row, heads.index("Recording rate") + 1).value == 1.0
    summary = wb["Summary"]
    facts = {summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(4, 16)}
    named = facts["Previous audit (figures in brackets)"]
    assert "Testshire Police" in named and "01/01/2014 to 30/06/2014" in named and "before.db" in named
    doc = json.loads(Path(f"{out}.json").read_text())
    assert doc["figures"]["incidents"]["crimes_recorded"] == 1
    assert doc["figures"]["previous"]["incidents"]["crimes_recorded"] == 0
    assert doc["audit"]["previous"]["file"].endswith("before.db")
    assert doc["audit"]["previous"]["warnings"] == []  # same force, same rules
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(f"{out}.pdf").pages).split())
    assert "Previous audit (figures in brackets)" in text and "before.db" in text


def test_a_previous_audit_of_another_force_or_rule_set_is_warned_about(tmp_path: Path) -> None:
    from datetime import date

    from cdi_workbench.audit.setup import init_audit

    now = _audit(tmp_path / "now.db", True)
    other = init_audit(tmp_path / "other.db", "Otherton Constabulary", date(2016, 1, 1), date(2016, 6, 30), "2015")
    f = with_previous(compute(now), compute(other), source="other.db")
    said = " ".join(f.warnings)
    assert "another force (Otherton Constabulary)" in said
    assert "another rule set" in said
    assert f.audit["previous"]["warnings"] == f.warnings[-2:]
    now.close()
    other.close()


def test_the_method_section_gives_an_extended_sample_its_whole_size(tmp_path: Path) -> None:
    """Issue 10: the report printed the first draw's size after an extension."""
    from pypdf import PdfReader

    from cdi_workbench import sampling
    from cdi_workbench.reports import write_pdf
    from cdi_workbench.reports.common import sample_size
    from cdi_workbench.storage.models import ReportRecord
    from cdi_workbench.timeutil import uk_local

    db = small_audit(tmp_path / "a.db")
    with db.session() as s:
        s.add_all(ReportRecord(kind="incident", system="Incident", ref=f"INC-9{i:03d}",
                               received_at=uk_local(2014, 2, 1, 9, 0), narrative="") for i in range(30))
    with db.session() as s:
        sampling.draw(s, "Dip", "incident", 10, seed=7)
    with db.session() as s:
        assert sampling.extend(s, "Dip", 5) == 5
    f = compute(db)
    smp = next(x for x in f.samples if x["name"] == "Dip")
    assert sample_size(smp) == 15
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(write_pdf(f, tmp_path / "f.pdf")).pages).split())
    assert "10 drawn, extended by 5 (to 15)" in text
    db.close()
