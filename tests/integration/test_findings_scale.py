"""Findings at the scale of a large audit, on a SQLite file written with bulk SQL (tests/bulk_builders.py).

SQLite refuses a statement with more than 32,766 parameters (its default limit: the SQLite in Python's Windows
and macOS installers; Debian's allows 250,000), so findings that put every verdict's id into one SQL IN (...)
fail on an audit of about 32,000 verdicts or more ('too many SQL variables'). The database is opened with that
default limit whatever the SQLite here allows. The figures are checked against what the builder wrote, not
against the code under test.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import event

from cdi_workbench.findings import Findings, compute
from cdi_workbench.storage.database import Database
from tests.bulk_builders import LIMIT_HOURS, Plan, bulk_audit

SQLITE_DEFAULT_MAX_VARIABLES = 32_766


def _open(path: Path) -> Database:
    """The audit database, every connection limited to SQLite's default number of parameters."""
    db = Database(path)

    @event.listens_for(db.engine, "connect")
    def _limit(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, SQLITE_DEFAULT_MAX_VARIABLES)

    db.engine.dispose()  # connections opened before the limit was set
    return db


def _assert_figures(f: Findings, plan: Plan) -> None:
    late = f"Outside {LIMIT_HOURS} hours"
    for key, row in (("incidents", "Incident records"), ("other_systems", "Guardian"), ("other_systems", "PO1")):
        got = [f.value(key, row, c) for c in ("Records reviewed", "Crimes identified", "Crimes recorded",
                                              "Wrongly classified", late)]
        assert got == [plan.reviewed[row], plan.identified[row], plan.recorded[row], plan.misclassified[row],
                       plan.late[row]], row
    assert f.value("cancellations", "Total", "Reviewed") == plan.cancellations
    assert f.value("disposals", "Total", "Sampled") == plan.disposals
    assert f.value("n100", "N100 records", "Reviewed") == plan.n100s
    assert sum(plan.reviewed.values()) + plan.cancellations + plan.disposals + plan.n100s == plan.verdicts
    assert len(f.verdicts) == plan.verdict_rows  # a row per crime identified, or per record where none was
    assert len({v["item_id"] for v in f.verdicts}) == plan.verdicts


def test_bulk_audit_gives_the_planned_figures(tmp_path: Path) -> None:
    """The builder itself, at a size any findings code handles."""
    plan = bulk_audit(tmp_path / "small.db", 600)
    db = _open(tmp_path / "small.db")
    try:
        _assert_figures(compute(db), plan)
    finally:
        db.close()


def test_findings_over_33000_verdicts(tmp_path: Path) -> None:
    """Past SQLite's 32,766 parameters: every completed verdict counted, none refused."""
    plan = bulk_audit(tmp_path / "big.db", 33_000)
    db = _open(tmp_path / "big.db")
    try:
        with db.engine.connect() as conn:
            limit = conn.connection.dbapi_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
        assert limit == SQLITE_DEFAULT_MAX_VARIABLES
        _assert_figures(compute(db), plan)
    finally:
        db.close()
