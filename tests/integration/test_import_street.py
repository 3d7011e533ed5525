"""The real street-level files (data.police.uk) import as crime records, counted per crime type."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cdi_workbench.importing import import_file
from cdi_workbench.storage.models import CrimeRecord
from tests.integration.test_import_support import audit

DATA = Path("/work/shared/data")
STREET_FILES = sorted(DATA.glob("*-street.csv"))


def expected(path: Path) -> tuple[Counter[str], int, int, int]:
    """Worked out independently of the importer: the first row of each Crime ID counts (repeats of an ID are
    the open-data service listing one crime twice); rows without an ID (anti-social behaviour) are not crimes."""
    first: dict[str, dict[str, str]] = {}
    blank = exact = other = 0
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            cid = row["Crime ID"].strip()
            if not cid:
                blank += 1
                assert row["Crime type"] == "Anti-social behaviour"
            elif cid in first:
                if first[cid] == row:
                    exact += 1
                else:
                    other += 1
            else:
                first[cid] = row
    return Counter(r["Crime type"] for r in first.values()), blank, exact, other


@pytest.mark.skipif(not STREET_FILES, reason="no street-level files in /work/shared/data")
@pytest.mark.parametrize("path", STREET_FILES, ids=lambda p: p.name)
def test_street_file_counts_per_crime_type(db_target: str, path: Path) -> None:
    by_type, blank, exact, other = expected(path)
    db = audit(db_target)
    result = import_file(db, path, "crimes", profile="street", user="tester")
    assert result.committed and result.rejected == 0 and result.problems == []
    assert result.added == sum(by_type.values())
    assert result.skipped == blank
    assert result.duplicates == exact
    assert result.rows == sum(by_type.values()) + blank + exact + other
    with db.session() as s:
        stored = Counter(dict(s.execute(select(CrimeRecord.offence, func.count()).group_by(CrimeRecord.offence)).all()))
        sample = s.scalars(select(CrimeRecord).order_by(CrimeRecord.ref).limit(1)).one()
    assert stored == by_type
    assert sample.month == path.name[:7] and sample.recorded_at is None
    assert sample.extra is not None and {"LSOA code", "Falls within"} <= set(sample.extra)
    assert sample.imported_by == "tester" and sample.imported_at is not None
    if blank:
        assert any(f"{blank:,} rows skipped" in n and "Anti-social behaviour" in n for n in result.notes)
    again = import_file(db, path, "crimes", profile="street")
    assert (again.added, again.changed, again.unchanged) == (0, 0, sum(by_type.values()))
    db.close()
