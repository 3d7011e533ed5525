"""A database opened puts its programme's extra checks in force, for every reader and whatever opens it (the
command line's reports build no AuditService); closed, they are taken out again (local_config, issue 14)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cdi_workbench import local_config
from cdi_workbench.audit.check_table import checks_of
from cdi_workbench.cli import main
from cdi_workbench.findings import compute
from cdi_workbench.storage.database import Database
from tests.builders import small_audit


@pytest.fixture(autouse=True)
def _no_checks_left_behind() -> Iterator[None]:
    yield
    local_config.deactivate()


def test_opening_a_database_puts_its_checks_in_force(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = small_audit(path)
    local_config.add_check(db, "disposal", "interpreter_used", "Interpreter used", "Interpreter used?")
    db.close()
    assert "interpreter_used" not in [c.key for c in checks_of("disposal")]
    db = Database(path)
    try:
        assert [c.key for c in checks_of("disposal")][-1] == "interpreter_used"
        assert compute(db).table("disposals").columns[-1] == "Interpreter used"
    finally:
        db.close()
    assert "interpreter_used" not in [c.key for c in checks_of("disposal")]
    assert main(["report", str(path), "--json", str(tmp_path / "f.json")]) == 0
    figures = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))["figures"]
    assert figures["disposals"]["total"]["interpreter_used"] == 0
