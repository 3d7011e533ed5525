"""The window's code stays in parts a person can read (issue 11): main_window.py under 500 lines, no module of ui/
over 600, and the window composed of parts that are not mixins (no class of ui/ inherits from more than one
class), which share no state through the window (they hold the one AuditState, ui/state.py; what they leave on
the window is the dialog they opened, kept alive and reachable as w.<name>_dialog).

Read from the sources (ast): no Qt needed."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"
MODULES = sorted(UI.glob("*.py"))
KEPT_ON_THE_WINDOW = ("trail_warning",)  # besides the dialogs (*_dialog)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _base_name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def test_the_modules_are_where_the_window_expects_them() -> None:
    names = {p.name for p in MODULES}
    assert {"main_window.py", "state.py", "window_layout.py", "window_menus.py", "session_flow.py",
            "queue_flow.py", "record_flow.py", "sample_actions.py", "review_actions.py"} <= names


def test_main_window_is_under_500_lines() -> None:
    assert _lines(UI / "main_window.py") < 500


def test_no_module_of_the_window_is_over_600_lines() -> None:
    over = {p.name: _lines(p) for p in MODULES if _lines(p) > 600}
    assert over == {}


def test_no_module_of_the_core_is_over_600_lines() -> None:
    """Issue 11's 'no module over 600 lines' holds for the core (cdi_workbench/) too."""
    core = UI.parent / "cdi_workbench"
    over = {str(p.relative_to(core)): _lines(p) for p in sorted(core.rglob("*.py")) if _lines(p) > 600}
    assert over == {}


def test_no_class_of_the_window_is_a_mixin() -> None:
    """Every class of ui/ has one base at most: a Qt class, or one of ui/'s own; never one of ui/'s own beside
    another, or beside a Qt class (the window's parts are given to it, not mixed into it)."""
    classes = [(p.name, node) for p in MODULES for node in ast.walk(_tree(p)) if isinstance(node, ast.ClassDef)]
    mixed = {f"{name}:{node.name}": [_base_name(b) for b in node.bases] for name, node in classes
             if len(node.bases) > 1}
    assert mixed == {}, "a class of ui/ inherits from more than one class: give it its parts instead"
    window = next(node for name, node in classes if node.name == "MainWindow")
    assert [_base_name(b) for b in window.bases] == ["QMainWindow"]


def test_the_parts_leave_no_state_on_the_window() -> None:
    """A part of the window (or a dialog given it) sets nothing on the window but the dialog it opened: what the
    window has in hand of the audit is the AuditState the parts are given."""
    def on_the_window(target: ast.expr) -> str | None:
        if not isinstance(target, ast.Attribute):
            return None
        owner = target.value
        if isinstance(owner, ast.Name) and owner.id in ("w", "window"):
            return target.attr
        if isinstance(owner, ast.Attribute) and owner.attr == "window" and isinstance(owner.value, ast.Name):
            return target.attr
        return None

    set_on_window: dict[str, list[str]] = {}
    for path in MODULES:
        if path.name == "main_window.py":
            continue
        for node in ast.walk(_tree(path)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, ast.AugAssign | ast.AnnAssign) else []
            for t in targets:
                for leaf in (t.elts if isinstance(t, ast.Tuple) else [t]):
                    name = on_the_window(leaf)
                    if name and not (name.endswith("_dialog") or name in KEPT_ON_THE_WINDOW):
                        set_on_window.setdefault(path.name, []).append(name)
    assert set_on_window == {}


def test_the_window_keeps_its_state_in_one_object() -> None:
    """MainWindow's own methods set no audit state on the window: that is the AuditState's (ui/state.py)."""
    tree = _tree(UI / "main_window.py")
    window = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "MainWindow")
    held = {t.id for n in window.body if isinstance(n, ast.Assign) for t in n.targets
            if isinstance(t, ast.Name) and isinstance(n.value, ast.Call) and _base_name(n.value.func) == "_Held"}
    state = _tree(UI / "state.py")
    fields = {n.target.id for c in ast.walk(state) if isinstance(c, ast.ClassDef) and c.name == "AuditState"
              for n in c.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
    assert held <= fields  # w.db, w.person, ... are the state's
    set_in_methods = {leaf.attr for f in ast.walk(window) if isinstance(f, ast.FunctionDef)
                      for n in ast.walk(f) if isinstance(n, ast.Assign) for t in n.targets
                      for leaf in (t.elts if isinstance(t, ast.Tuple) else [t])
                      if isinstance(leaf, ast.Attribute) and isinstance(leaf.value, ast.Name) and leaf.value.id == "self"}
    assert not set_in_methods & fields, "the window sets the state's fields on itself"
