from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cdi_workbench.cli import main
from tests.builders import small_audit


def test_init_info_and_errors(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    db = tmp_path / "a.db"
    assert main(["init", str(db), "--force", "Midshire Police", "--period-start", "01/01/2015",
                 "--period-end", "2015-06-30", "--rules", "2015"]) == 0
    assert main(["info", str(db), "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out[out.index("{"):])
    assert data["force"] == "Midshire Police" and data["limit_hours"] == 24
    assert main(["init", str(db), "--force", "X", "--period-start", "2015-01-01", "--period-end", "2015-06-30",
                 "--rules", "2015"]) == 1
    assert "already holds an audit" in capsys.readouterr().err
    assert main(["info", str(tmp_path / "nope.db")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_report_via_the_installed_command(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    small_audit(db).close()
    out = subprocess.run([sys.executable, "-m", "cdi_workbench.cli", "report", str(db), "--json",
                          str(tmp_path / "f.json"), "--xlsx", str(tmp_path / "f.xlsx")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads((tmp_path / "f.json").read_text())["audit"]["force"] == "Testshire Police"
    assert (tmp_path / "f.xlsx").stat().st_size > 0
