"""The verdict rows (Findings.verdicts) are built when first read, not by findings.compute (issue 10, 'At scale',
second pass): the dashboard shows the tables and never reads them; the exports, the challenges and the JSON do.

Built later, they are still the rows of the state compute read (not of the database as it is by then, nor
needing it open), built once, from any thread; and a Findings reads as it always did: asdict, ==, repr, deepcopy
and with_previous all see the list.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from cdi_workbench import findings_rows
from cdi_workbench.findings import Findings, compute, with_previous
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import CrimeRecord, Verdict
from tests.bulk_builders import bulk_audit
from tests.findings_reference import reference_compute


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The thread of every build of verdict rows."""
    done: list[str] = []
    build = findings_rows.VerdictRows.build

    def counted(self: findings_rows.VerdictRows) -> list[dict[str, Any]]:
        done.append(threading.current_thread().name)
        return build(self)

    monkeypatch.setattr(findings_rows.VerdictRows, "build", counted)
    yield done


@pytest.fixture
def audit(tmp_path: Path) -> Iterator[Database]:
    bulk_audit(tmp_path / "bulk.db", 300)
    db = Database(tmp_path / "bulk.db")
    yield db
    db.close()


def test_compute_leaves_the_rows_to_the_first_reader(audit: Database, builds: list[str]) -> None:
    f = compute(audit)
    assert builds == []
    rows = f.verdicts
    assert builds == ["MainThread"] and f.verdicts is rows  # built once, then kept
    assert rows == asdict(reference_compute(audit))["verdicts"]


def test_rows_built_later_are_those_of_the_state_read(tmp_path: Path, builds: list[str]) -> None:
    """Verdicts and crime records changed, and the database closed, before the rows are read: they are still the
    rows of what compute read, built on another thread as the window's worker would."""
    bulk_audit(tmp_path / "bulk.db", 300)
    db = Database(tmp_path / "bulk.db")
    before = compute(db).verdicts  # built at once
    lazy = compute(db)
    with db.session() as s:
        v = Verdict.__table__.c
        s.execute(update(Verdict.__table__).where(v.role == "primary").values(body={"zero_status": True,
                                                                                      "rationale": "changed"}))
        s.execute(update(CrimeRecord.__table__).values(recorded_at=None, ho_code="ZZZ", status="cancelled"))
    assert compute(db).verdicts != before  # the change shows in findings computed now
    db.close()
    out: list[list[dict[str, Any]]] = []
    worker = threading.Thread(target=lambda: out.append(lazy.verdicts), name="findings worker")
    worker.start()
    worker.join()
    assert out == [before]
    assert builds[-1] == "findings worker"


def test_findings_read_as_they_always_did(audit: Database, builds: list[str]) -> None:
    f, g = compute(audit), compute(audit)
    both = f == g  # dataclass equality compares the rows too
    assert both and builds == ["MainThread", "MainThread"]
    h = compute(audit)
    assert asdict(h)["verdicts"] == f.verdicts and "'crime_no'" in repr(compute(audit))
    k = copy.deepcopy(compute(audit))
    assert k.verdicts == f.verdicts
    plain = Findings(f.audit, f.samples, f.tables, [{"item_id": 1}])  # a list given as it always could be
    assert plain.verdicts == [{"item_id": 1}]


def test_with_previous_passes_the_rows_on_unbuilt(audit: Database, builds: list[str]) -> None:
    current, previous = compute(audit), compute(audit)
    joined = with_previous(current, previous, source="old.db")
    assert builds == []
    assert joined.verdicts == compute(audit).verdicts and len(builds) == 2
    assert asdict(joined)["previous"]["verdicts"] == joined.verdicts  # the previous audit's, read when asked
