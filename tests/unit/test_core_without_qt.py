"""The core must import and work without PySide6 installed (napari/Anki style boundary)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import cdi_workbench

ROOT = Path(__file__).resolve().parents[2]


def test_every_core_module_imports_with_qt_blocked() -> None:
    modules = [m.name for m in pkgutil.walk_packages(cdi_workbench.__path__, "cdi_workbench.")
               if ".migrations" not in m.name]
    assert "cdi_workbench.audit.service" in modules
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'shiboken6'):\n"
        "            raise ImportError('Qt is not allowed in the core: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"for m in {modules!r}:\n"
        "    __import__(m)\n"
        "print('ok', len(sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok")


def test_no_qt_import_in_core_sources() -> None:
    offenders = [str(p) for p in (ROOT / "cdi_workbench").rglob("*.py")
                 if any(w in p.read_text(encoding="utf-8") for w in ("import PySide6", "from PySide6"))]
    assert offenders == []
