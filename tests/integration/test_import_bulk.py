"""Chunks written many rows a statement (SQLite): every row lands whole, whatever the chunk and group sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from cdi_workbench.draw_keys import draw_key
from cdi_workbench.importing import import_file, reader, writer
from cdi_workbench.storage.models import ReportRecord
from tests.integration.test_import_support import INCIDENT_HEADERS, audit, write_csv


def rows(n: int) -> list[list[str]]:
    return [[f"INC-{i:05d}", f"{1 + i % 28:02d}/0{1 + i % 6}/2014 {i % 24:02d}:{i % 60:02d}", "ASB", "Advice",
             "Victim", f"{i} High Street", f"log {i}, line one\nline two", f"CR-{i}" if i % 3 == 0 else ""]
            for i in range(n)]


@pytest.mark.parametrize(("chunk", "group"), [(5000, 250), (300, 250), (7, 3), (40, 1)])
def test_grouped_inserts_write_every_row(db_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         chunk: int, group: int) -> None:
    monkeypatch.setattr(reader, "CHUNK", chunk)
    monkeypatch.setattr(writer, "ROWS_PER_INSERT", group)
    data = rows(1234)
    db = audit(db_target)
    r = import_file(db, write_csv(tmp_path / "inc.csv", INCIDENT_HEADERS, data), "incidents")
    assert (r.added, r.changed, r.unchanged, r.rejected) == (1234, 0, 0, 0)
    with db.session() as s:
        got = {x.ref: x for x in s.scalars(select(ReportRecord))}
    assert len(got) == 1234
    for i in (0, 1, 2, 249, 250, 251, 299, 300, 1000, 1233):
        rec = got[f"INC-{i:05d}"]
        assert (rec.location, rec.narrative, rec.crime_refs) == (data[i][5], data[i][6], data[i][7])
        assert rec.draw_key == draw_key(rec.ref) and rec.kind == "incident" and rec.stratum == "no crime linked"
    again = import_file(db, tmp_path / "inc.csv", "incidents")
    assert (again.added, again.changed, again.unchanged) == (0, 0, 1234)
    db.close()
