"""`cdi import` on the command line: outcome, progress, problems and exit codes."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from cdi_workbench.cli import main  # the real `cdi` entry point
from cdi_workbench.cli_import import register
from tests.integration.test_import_support import CRIME_HEADERS, INCIDENT_HEADERS, audit, counts, write_csv

ROOT = Path(__file__).resolve().parents[2]


def _db(tmp_path: Path) -> Path:
    path = tmp_path / "audit.db"
    audit(path).close()
    return path


def test_register_adds_import_to_a_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _db(tmp_path)
    parser = argparse.ArgumentParser(prog="cdi")
    parser.add_argument("--user")
    register(parser.add_subparsers(dest="command", required=True))
    path = write_csv(tmp_path / "inc.csv", INCIDENT_HEADERS, [["INC-1", "01/03/2014 10:00", "", "", "", "", "x", ""]])
    args = parser.parse_args(["--user", "Insp A", "import", str(db), "incidents", str(path)])
    assert args.func(args) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "added 1, changed 0, unchanged 0, rejected 0"
    assert "read 1 rows" in err
    args = parser.parse_args(["import", str(db), "incidents", str(path), "--user", "Insp B"])
    assert args.func(args) == 0
    assert capsys.readouterr().out.startswith("added 0, changed 0, unchanged 1, rejected 0")


def test_problems_stop_the_import_unless_rejects_are_wanted(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    db = _db(tmp_path)
    rows = [[f"CR-{n}", "bad date" if n % 2 else "01/03/2014", "", "", "", "", "", "", "", "", ""]
            for n in range(50)]
    path = write_csv(tmp_path / "crimes.csv", CRIME_HEADERS, rows)
    assert main(["import", str(db), "crimes", str(path)]) == 1
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if "crimes.csv, row" in ln]
    assert len(lines) == 20
    assert lines[0].startswith("crimes.csv, row 3, column 'recorded_at': not a date")
    assert "... and 5 more problems" in err
    assert "25 of 50 rows have problems; nothing was imported" in err
    assert counts(audit_db := _open(db))["crime_record"] == 0
    audit_db.close()
    rejects = tmp_path / "rejected.csv"
    assert main(["import", str(db), "crimes", str(path), "--rejects", str(rejects)]) == 0
    assert capsys.readouterr().out.startswith(f"added 25, changed 0, unchanged 0, rejected 25 (written to {rejects})")
    assert len(rejects.read_text(encoding="utf-8-sig").splitlines()) == 26


def _open(path: Path):  # noqa: ANN202
    from cdi_workbench.storage.database import Database
    return Database(path)


def test_errors_profiles_and_systems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _db(tmp_path)
    assert main(["import", str(tmp_path / "none.db"), "crimes", "x.csv"]) == 1
    assert "no such file" in capsys.readouterr().err
    street = "/work/shared/data/2013-06-staffordshire-street.csv"
    assert main(["import", str(db), "crimes", street]) == 1
    assert "--profile street" in capsys.readouterr().err
    assert main(["import", str(db), "crimes", street, "--profile", "storm"]) == 1
    assert "profile 'storm' reads incidents, not crimes" in capsys.readouterr().err
    assert main(["import", str(db), "crimes", street, "--profile", "nosuch"]) == 1
    assert "no profile named 'nosuch'" in capsys.readouterr().err
    assert main(["import", str(db), "crimes", street, "--profile", "street"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("added 4,581, changed 0, unchanged 0, rejected 0")
    assert "2,934 rows skipped, not errors" in out
    path = write_csv(tmp_path / "ref.csv", ["referral_ref", "received_at"], [["R-1", "01/01/2014"]])
    assert main(["import", str(db), "referrals", str(path)]) == 1
    assert "--system" in capsys.readouterr().err
    assert main(["import", str(db), "referrals", str(path), "--system", "DO1", "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("would have: added 1")
    assert main(["import", str(db), "incidents", str(path), "--system", "DO1"]) == 1
    assert "for referrals only" in capsys.readouterr().err


def test_runs_as_a_program(tmp_path: Path) -> None:
    db = _db(tmp_path)
    path = write_csv(tmp_path / "inc.csv", INCIDENT_HEADERS, [["INC-1", "01/03/2014 10:00", "", "", "", "", "x", ""]])
    out = subprocess.run([sys.executable, "-m", "cdi_workbench.cli", "import", str(db), "incidents",
                          str(path)], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("added 1,")
