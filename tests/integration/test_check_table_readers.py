"""Each check defined once (issue 11): a check added to the checks table reaches the queue's failed-check count,
the findings table, the figures, the reports' verdict columns, the failures sent to the force and the verdict
exchange; the importer checks the period by each kind's date column as kinds.DATE_COLUMN names it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from cdi_workbench import kinds
from cdi_workbench.audit import check_table as table
from cdi_workbench.audit.check_table import Check
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.challenges import failures
from cdi_workbench.findings import compute
from cdi_workbench.findings_figures import figures
from cdi_workbench.importing import import_file
from cdi_workbench.kinds import RecordKind
from cdi_workbench.reports.common import column_label, verdict_columns
from tests.builders import small_audit

ROOT = Path(__file__).resolve().parents[2]
NEW = Check("crime_reinstated", "Crime reinstated", "Was the crime reinstated when the AVI fell away?",
            "decision_correct", "Crime reinstated", "crime_reinstated", passes=False, exchange=table.ADDED)


def test_a_check_added_to_the_table_is_counted_reported_and_sent_to_the_force(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = table.RECORD_CHECKS[RecordKind.CANCELLATION]
    monkeypatch.setitem(table.RECORD_CHECKS, RecordKind.CANCELLATION, replace(spec, checks=(*spec.checks, NEW)))
    db = small_audit(tmp_path / "a.db")
    try:
        svc = AuditService(db, "Inspector A")
        sid = next(s.id for s in svc.samples() if s.kind == "cancellation")
        item = svc.queue(sid)[0].item_id
        svc.save_verdict(item, VerdictBody(checks={"decision_correct": True, "authorised_decision_maker": True,
                                                   "victim_informed": True, "crime_reinstated": True},
                                           complete=True))
        assert svc.queue_row(item).n_failed_checks == 1  # 'yes' is this check's failure
        f = compute(db)
        t = f.table("cancellations")
        assert t.columns == ["Reviewed", "Decision correct", "Authorised decision maker", "Victim informed",
                             "Crime reinstated"]
        assert f.value("cancellations", "Total", "Crime reinstated") == 1
        assert figures(f)["cancellations"]["total"]["crime_reinstated"] == 1
        row = next(v for v in f.verdicts if v["kind"] == "cancellation")
        assert row["crime_reinstated"] is True
        columns = verdict_columns(f.verdicts)
        assert columns.index("victim_informed") < columns.index("crime_reinstated") < columns.index("auditor")
        assert column_label("crime_reinstated") == "Crime reinstated"
        assert [fl.failure for fl in failures(f)] == ["crime reinstated"]
    finally:
        db.close()


def test_the_verdict_exchange_takes_its_columns_from_the_table() -> None:
    """A check in the table when the exchange loads is one of its columns (checked in a fresh interpreter, so
    the exchange reads the table with the check already in it)."""
    from cdi_workbench import verdict_io

    assert verdict_io.COLUMNS == ["kind", "record_ref", "crime_no", *table.exchange_answers(table.FIRST), "auditor",
                                  "rationale"]
    assert verdict_io.EXTRA_COLUMNS == table.exchange_answers(table.ADDED)
    assert tuple(verdict_io.CRIME_COLUMNS) == table.crime_exchange_columns()
    assert verdict_io.YES_NO_COLUMNS == table.yes_no_columns()
    assert verdict_io.CHECK_KIND == table.check_kinds()
    code = (
        "from dataclasses import replace\n"
        "from cdi_workbench.audit import check_table as t\n"
        "from cdi_workbench.kinds import RecordKind\n"
        "spec = t.RECORD_CHECKS[RecordKind.CANCELLATION]\n"
        "new = t.Check('crime_reinstated', 'Crime reinstated', 'Reinstated?', 'decision_correct', 'Crime reinstated',"
        " 'crime_reinstated', exchange=t.ADDED)\n"
        "t.RECORD_CHECKS[RecordKind.CANCELLATION] = replace(spec, checks=(*spec.checks, new))\n"
        "from cdi_workbench import verdict_io\n"
        "print(verdict_io.ALL_COLUMNS.index('crime_reinstated') - verdict_io.ALL_COLUMNS.index('investigation'),"
        " verdict_io.CHECK_KIND['crime_reinstated'], 'crime_reinstated' in verdict_io.YES_NO_COLUMNS)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "cancellation", "True"]


def test_the_importer_checks_the_period_by_the_kinds_date_column(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    db = small_audit(tmp_path / "a.db")  # audit period 01/01/2014 to 30/06/2014
    try:
        path = tmp_path / "oocd.csv"
        path.write_text("disposal_ref,disposal_type,issued_at\nD-1,Simple caution,01/03/2014 10:00\n"
                        "D-2,Simple caution,01/03/2013 10:00\n", encoding="utf-8")
        r = import_file(db, path, "disposals")
        assert "1 row dated outside the audit period (01/01/2014 to 30/06/2014)" in " ".join(r.notes)
        # named another column (one the file does not give), the importer no longer reads issued_at
        monkeypatch.setitem(kinds.DATE_COLUMN, RecordKind.DISPOSAL, "imported_at")
        r = import_file(db, path, "disposals")
        assert not any("outside the audit period" in n for n in r.notes)
    finally:
        db.close()
