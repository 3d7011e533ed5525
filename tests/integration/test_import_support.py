"""Helpers for the import tests (no tests here): audit databases, extract files, database snapshots."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, select

from cdi_workbench.audit.setup import init_audit
from cdi_workbench.storage.database import Database

INCIDENT_HEADERS = ["incident_ref", "received_at", "opening_code", "closing_code", "caller_type", "location",
                    "narrative", "crime_refs"]
CRIME_HEADERS = ["crime_ref", "recorded_at", "reported_at", "ho_code", "offence", "status", "outcome", "source_ref",
                 "domestic_abuse", "victim_age", "victim_sex"]


def audit(target: str | Path) -> Database:
    return init_audit(target, "Testshire Police", date(2014, 1, 1), date(2014, 6, 30), "2014", "tester")


def write_csv(path: Path, headers: list[str], rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        out = csv.writer(fh)
        out.writerow(headers)
        out.writerows(rows)
    return path


def write_xlsx(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def snapshot(db: Database) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, as text, sorted: equal snapshots mean the database holds the same data."""
    meta = MetaData()
    meta.reflect(db.engine)
    out = {}
    with db.engine.connect() as conn:
        for name, table in sorted(meta.tables.items()):
            out[name] = sorted(tuple("" if v is None else str(v) for v in row) for row in conn.execute(select(table)))
    return out


def counts(db: Database) -> dict[str, int]:
    return {name: len(rows) for name, rows in snapshot(db).items()}
