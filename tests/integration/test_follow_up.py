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
