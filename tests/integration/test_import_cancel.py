"""A cancelled or failed import leaves the database exactly as it was; progress is reported as rows go."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdi_workbench.importing import ImportCancelled, ImportFileError, import_file
from tests.integration.test_import_support import CRIME_HEADERS, INCIDENT_HEADERS, audit, snapshot, write_csv

ROWS = 12_000  # more than two chunks


def _incidents(path: Path, start: int = 0, crime_refs: bool = True) -> Path:
    return write_csv(path, INCIDENT_HEADERS, [
        [f"INC-{n}", "01/03/2014 10:00", "ASB", "Advice", "Victim", "", f"log of {n}", f"CR-{n}" if crime_refs else ""]
        for n in range(start, start + ROWS)])


def test_cancelled_import_changes_nothing(db_target: str, tmp_path: Path) -> None:
    db = audit(db_target)
    import_file(db, write_csv(tmp_path / "crimes.csv", CRIME_HEADERS,
                              [[f"CR-{n}", "", "", "", "", "", "", "", "", "", ""] for n in range(0, 50)]), "crimes")
    import_file(db, _incidents(tmp_path / "first.csv", 0), "incidents")
    before = snapshot(db)
    seen: list[tuple[int, int | None]] = []

    def progress(done: int, total: int | None) -> None:
        seen.append((done, total))

    # half of the file is already written, inside the transaction, when the cancel comes
    with pytest.raises(ImportCancelled):
        import_file(db, _incidents(tmp_path / "second.csv", ROWS // 2), "incidents",
                    progress=progress, cancelled=lambda: len(seen) >= 3, rejects=tmp_path / "rej.csv")
    assert snapshot(db) == before
    assert not (tmp_path / "rej.csv").exists() and not list(tmp_path.glob("*.part"))
    assert [d for d, _ in seen] == [0, 5000, 10000]
    # cancelled at the very end (after every row, while linking)
    calls = []
    with pytest.raises(ImportCancelled):
        import_file(db, _incidents(tmp_path / "third.csv", ROWS), "incidents",
                    cancelled=lambda: calls.append(1) or len(calls) > 3)
    assert snapshot(db) == before
    db.close()


def test_an_error_late_in_the_file_changes_nothing(db_target: str, tmp_path: Path) -> None:
    db = audit(db_target)
    import_file(db, _incidents(tmp_path / "first.csv"), "incidents")
    before = snapshot(db)
    path = _incidents(tmp_path / "broken.csv", ROWS)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('INC-X,01/03/2014,"an unclosed quote\n')
    with pytest.raises(ImportFileError, match=f"row {ROWS + 2}: a quoted cell is not closed"):
        import_file(db, path, "incidents")
    assert snapshot(db) == before
    db.close()


def test_dry_run_counts_but_writes_nothing(db_target: str, tmp_path: Path) -> None:
    db = audit(db_target)
    before = snapshot(db)
    result = import_file(db, _incidents(tmp_path / "a.csv"), "incidents", dry_run=True)
    assert result.added == ROWS and not result.committed and result.dry_run
    assert snapshot(db) == before
    db.close()


def test_csv_progress_estimates_the_rows_in_all(tmp_path: Path) -> None:
    """CSV gives no row count: the total is estimated from the share of the file read, and converges."""
    from cdi_workbench.importing import check_file

    path = tmp_path / "inc.csv"
    rows = 23_456
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("incident_ref,received_at,narrative\n")
        for i in range(rows):
            fh.write(f"P-{i:06d},01/03/2014 10:00,\"{'words ' * (i % 40)}\"\n")
    seen: list[tuple[int, int | None]] = []
    check_file(path, "incidents", progress=lambda done, total: seen.append((done, total)))
    estimates = [(d, t) for d, t in seen if d]
    assert estimates and all(t is not None for _, t in estimates)
    first_done, first_total = estimates[0]
    assert abs(first_total - rows) / rows < 0.15  # after the first chunk: within 15 %
    assert estimates[-1] == (rows, rows)  # at the end: exact
