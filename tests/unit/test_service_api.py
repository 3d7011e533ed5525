"""Issue 11: AuditService, the review functions, packages and challenges sit behind one API; nothing outside the
service calls its private methods (review.py called _require/_blind_guard/_item, merge.py _write_in)."""

from __future__ import annotations

import ast
from pathlib import Path

from cdi_workbench.audit.service import AuditService

ROOT = Path(__file__).resolve().parents[2]
PRIVATE = {name for name in vars(AuditService) if name.startswith("_") and not name.startswith("__")}


def _private_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Attribute) and node.attr in PRIVATE
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_service_has_private_methods_to_protect() -> None:
    assert {"_require", "_write_in", "_blind_guard", "_item"} <= PRIVATE


def test_nothing_outside_the_service_calls_its_private_methods() -> None:
    service = ROOT / "cdi_workbench" / "audit" / "service.py"
    files = [p for folder in ("cdi_workbench", "ui") for p in (ROOT / folder).rglob("*.py") if p != service]
    found = [hit for p in files for hit in _private_calls(p)]
    assert found == []


def test_the_check_finds_a_private_call(tmp_path: Path) -> None:
    """The scan itself can fail: a module calling svc._require is caught."""
    bad = tmp_path / "probe.py"
    bad.write_text("def f(svc, s):\n    return svc._require(s, 'audit')\n", encoding="utf-8")
    assert _private_calls(bad) == ["probe.py:2: svc._require"]
