"""The recorded-crime figures of the annual estimate belong to each audit of a programme (issue 14): figures set for
one audit are not in another's findings, estimate or trend figures; a database's figures from before programmes
are its first audit's (nothing existing changes); `cdi recorded-crime --audit NAME` sets the named audit's (default:
the latest) and refuses an unknown name cleanly; a peer reviewer still cannot set them."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from cdi_workbench.audit import operations as ops
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.programme import create, listing
from cdi_workbench.cli import main as cdi
from cdi_workbench.findings import Findings, compute
from cdi_workbench.storage.database import Database
from sample_data.generate import build as build_sample
from tests.builders import small_audit, taken_back

ROOT = Path(__file__).resolve().parents[2]
FIRST = "2014-01-01 to 2014-06-30"  # the small audit, named from its period
JULY = "2014-07"  # the programme's second audit: the latest
ALL, RAPE = "All crimes (excluding fraud)", "Rape"
LEAD, AUDITOR, REVIEWER = "Lena Lead", "Alan Auditor", "Rita Reviewer"


def _estimate(f: Findings) -> dict[str, int]:
    """The police-recorded crime in the findings' annual estimate, per row ({} with no estimate)."""
    table = next((t for t in f.tables if t.key == "unrecorded_estimate"), None)
    return {} if table is None else {r.label: int(r.cells[0].value) for r in table.rows}  # type: ignore[arg-type]


def _estimates(db: Database) -> tuple[dict[str, int], dict[str, int]]:
    return _estimate(compute(db, audit=FIRST)), _estimate(compute(db, audit=JULY))


def _settings(db: Database) -> dict[str, str]:
    with db.session() as s:
        return {k: v for k, v in s.execute(text("SELECT key, value FROM audit_setting WHERE key LIKE 'recorded%'"))}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """The small audit (January to June 2014, with verdict-less samples) and July 2014's audit after it."""
    p = tmp_path / "programme.db"
    db = small_audit(p)
    create(db, JULY, date(2014, 7, 1), date(2014, 7, 31), "2014")
    db.close()
    return p


def test_figures_set_for_one_audit_are_not_in_anothers(path: Path) -> None:
    assert cdi(["recorded-crime", str(path), "--audit", FIRST, "all=59000", "rape=1,200"]) == 0
    db = Database(path)
    try:
        assert _estimates(db) == ({ALL: 59000, RAPE: 1200}, {})
        assert ops.recorded_crime(db, FIRST) == {"all": 59000, "rape": 1200}
        assert ops.recorded_crime(db, JULY) == {} == ops.recorded_crime(db)  # the latest: July
        # the latest audit's own, through the operation the window calls
        assert ops.set_recorded_crime(db, {"all": 61000}, "").settings
        assert _estimates(db) == ({ALL: 59000, RAPE: 1200}, {ALL: 61000})
        # a group cleared in one audit stays in the other
        assert cdi(["recorded-crime", str(path), "--audit", FIRST, "rape="]) == 0
        assert _estimates(db) == ({ALL: 59000}, {ALL: 61000})
        # the figures the trends and the board pack read are each audit's own
        from cdi_workbench.programme_figures import audits_figures

        assert {a.name: _estimate(a.findings) for a in audits_figures(db)} == {FIRST: {ALL: 59000}, JULY: {ALL: 61000}}
    finally:
        db.close()


def test_without_audit_the_command_sets_the_latest_audits(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cdi(["recorded-crime", str(path), "all=40000"]) == 0
    assert f"of the audit '{JULY}'" in capsys.readouterr().out
    db = Database(path)
    try:
        assert _estimates(db) == ({}, {ALL: 40000})
    finally:
        db.close()


def test_an_unknown_audit_is_refused_and_nothing_is_stored(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert cdi(["recorded-crime", str(path), "--audit", "2014-08", "all=40000"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("cdi: there is no audit called '2014-08'") and f"'{FIRST}', '{JULY}'" in err
    assert "Traceback" not in err
    db = Database(path)
    try:
        assert _estimates(db) == ({}, {}) and _settings(db) == {}
    finally:
        db.close()


def test_an_old_databases_figures_are_its_first_audits(path: Path) -> None:
    """Figures kept as before programmes (one setting per group for the whole file) read as the first audit's; once
    the first audit's are changed they are its own, and the old settings are not kept twice."""
    con = sqlite3.connect(path)
    with con:
        con.executemany("INSERT INTO audit_setting (key, value) VALUES (?, ?)",
                        [("recorded_crime_12m:all", "59000"), ("recorded_crime_12m:rape", "1200")])
    con.close()
    db = Database(path)
    try:
        assert _estimates(db) == ({ALL: 59000, RAPE: 1200}, {})
        assert cdi(["recorded-crime", str(path), "--audit", FIRST, "rape=1300"]) == 0
        assert _estimates(db) == ({ALL: 59000, RAPE: 1300}, {})
        assert not [k for k in _settings(db) if k.startswith("recorded_crime_12m:")]
        assert cdi(["recorded-crime", str(path), "--audit", FIRST, "all=", "rape="]) == 0
        assert _estimates(db) == ({}, {})  # cleared: the old figures do not come back
    finally:
        db.close()


def test_the_bundled_old_database_keeps_its_figures_when_a_second_audit_is_added(tmp_path: Path) -> None:
    """The bundled sample taken back to a schema before programmes (0015), with figures entered as the old version
    did: upgraded, they are its audit's, and the next audit starts with none."""
    path = tmp_path / "old.db"
    build_sample(path)  # as `make sample` builds it (at today's schema), then taken back to before programmes
    taken_back(path, "0015")
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] < "0016"
    with con:
        con.execute("INSERT INTO audit_setting (key, value) VALUES ('recorded_crime_12m:all', '59000')")
    con.close()
    db = Database(path)
    try:
        (first,) = [a.name for a in listing(db)]
        assert _estimate(compute(db)) == {ALL: 59000}
        create(db, "2014-07", date(2014, 7, 1), date(2014, 7, 31), "2014")
        assert _estimate(compute(db, audit=first)) == {ALL: 59000}
        assert _estimate(compute(db, audit="2014-07")) == {}
    finally:
        db.close()


def test_a_reviewer_still_cannot_set_them(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = Database(path)
    try:
        add_person(db, LEAD, LEAD, "lead")
        add_person(db, LEAD, AUDITOR, "auditor")
        add_person(db, LEAD, REVIEWER, "reviewer")
    finally:
        db.close()
    capsys.readouterr()
    assert cdi(["--user", REVIEWER, "recorded-crime", str(path), "--audit", JULY, "all=40000"]) == 4
    said = capsys.readouterr().err
    assert "not allowed" in said and "may not enter the force's recorded-crime figures" in said  # not 'first verdicts'
    assert cdi(["--user", AUDITOR, "recorded-crime", str(path), "--audit", JULY, "all=40000"]) == 0
    assert cdi(["--user", LEAD, "recorded-crime", str(path), "--audit", FIRST, "all=50000"]) == 0
    db = Database(path)
    try:
        assert _estimates(db) == ({ALL: 50000}, {ALL: 40000})
    finally:
        db.close()


def test_the_figures_kept_can_be_listed(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`cdi recorded-crime DB --audit NAME list` shows what is kept (there was no way to see it)."""
    assert cdi(["recorded-crime", str(path), "--audit", JULY, "all=40,000", "vap=12000"]) == 0
    capsys.readouterr()
    assert cdi(["recorded-crime", str(path), "--audit", JULY, "list"]) == 0
    out = capsys.readouterr().out
    assert f"for the audit '{JULY}'" in out and "40,000" in out and "12,000" in out
    assert cdi(["recorded-crime", str(path), "--audit", FIRST, "list"]) == 0
    assert "No recorded-crime figures for the audit" in capsys.readouterr().out
