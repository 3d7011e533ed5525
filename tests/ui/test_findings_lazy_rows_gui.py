"""The dashboard shows the findings' tables, charts and drill-downs without the verdict rows being built
(Findings.verdicts is built when first read: issue 10, 'At scale', second pass); the export builds them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl

from cdi_workbench import findings_rows
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.reports.json_export import write_json
from cdi_workbench.storage.database import Database

from .conftest import open_window, settle


def test_the_dashboard_does_not_build_the_verdict_rows(qtbot, small_db, settings, tmp_path: Path,  # noqa: ANN001
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    build = findings_rows.VerdictRows.build

    def counted(self: findings_rows.VerdictRows) -> list[dict[str, Any]]:
        rows = build(self)
        built.append(len(rows))
        return rows

    monkeypatch.setattr(findings_rows.VerdictRows, "build", counted)
    db = Database(small_db)
    svc = AuditService(db, "Inspector A")
    guardian = next(s.id for s in svc.samples() if s.name == "Guardian")
    svc.save_verdict(svc.queue(guardian)[0].item_id, VerdictBody(
        crimes=[CrimeFinding(expected_code="8N", not_recorded_reason="No discernible reason")], complete=True))
    db.close()

    w = open_window(qtbot, small_db, settings)
    view = w.findings_view
    qtbot.waitUntil(lambda: view.findings is not None, timeout=5000)
    other = next(i for i, t in enumerate(view.findings.tables) if t.key == "other_systems")
    col = view.findings.tables[other].columns.index("Crimes identified")
    view.browser.anchorClicked.emit(QUrl(f"drill:{other}:0:{col}"))
    qtbot.waitUntil(lambda: getattr(w, "drill_dialog", None) is not None and w.drill_dialog.isVisible(), timeout=5000)
    assert w.drill_dialog.tree.topLevelItemCount() == 1
    settle(qtbot, w)
    assert built == []  # figures, charts and the drill-down shown, no verdict row built
    write_json(view.findings, tmp_path / "findings.json")
    assert built == [1]  # the export reads them: one crime identified, one row
    w.close()
