"""Installable as a package: the wheel built from this checkout, installed into a fresh virtual environment.

The wheel is built from a copy of the checkout (a stale build/ folder cannot leak into it, and the checkout is left
untouched), installed with --no-deps into a new venv, and run from an empty directory, so nothing of the checkout
is importable. The third-party dependencies come from the environment running the tests, through a .pth line
naming its site-packages: such a line adds the folder to sys.path without running the .pth files inside it, so
this project's own editable install there stays inactive.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORE, GUI = "cdi_workbench", "cdi_workbench_gui"  # the window's folder ui/ installs as cdi_workbench_gui
BIN = "Scripts" if os.name == "nt" else "bin"
# not copied to build from: version control, environments, build output, caches, generated databases
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
                                    ".hypothesis", "*.db", "*.db-*", "screenshots")


@dataclass(frozen=True)
class Installed:
    src: Path  # the copy of the checkout the wheel was built from
    wheel: Path
    venv: Path
    work: Path  # an empty directory to run from: not the checkout
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        out = subprocess.run(list(args), cwd=self.work, env=self.env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, f"{args}\n{out.stdout}\n{out.stderr}"
        return out

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        return self.run(str(self.venv / BIN / "python"), "-c", code)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    src, dist, venv, work = root / "src", root / "dist", root / "venv", root / "work"
    shutil.copytree(REPO, src, ignore=NOT_COPIED)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--quiet", "-w", str(dist)],
                   check=True, capture_output=True, text=True, timeout=600)
    (wheel,) = dist.glob("cdi_workbench-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / BIN / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "--quiet", str(wheel)], check=True, capture_output=True, text=True, timeout=300)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    deps = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    assert str(REPO) not in deps
    (Path(site) / "test_deps.pth").write_text("".join(f"{p}\n" for p in deps), encoding="utf-8")
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    env |= {"QT_QPA_PLATFORM": "offscreen", "HOME": str(work), "PYTHONNOUSERSITE": "1"}
    return Installed(src, wheel, venv, work, env)


def test_wheel_holds_the_core_its_data_and_the_window_and_nothing_generic(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    top = {n.split("/", 1)[0] for n in names}
    assert top == {CORE, GUI, next(t for t in top if t.endswith(".dist-info"))}, top
    assert not any(n.startswith(("ui/", "sample_data/", "tests/", "tools/", "benchmarks/")) for n in names)
    for data in ("classifications.csv", "cancellation_groups.csv", "ho_notifiable_reported_incidents.csv",
                 "profiles/storm.json", "profiles/street.json"):
        assert f"{CORE}/resources/{data}" in names
    # every module and data file of the checkout is packaged (a subpackage missing from pyproject.toml fails here)
    src = installed.src
    expected = {f"{CORE}/{p.relative_to(src / CORE).as_posix()}" for p in (src / CORE).rglob("*")
                if p.suffix in (".py", ".csv", ".json")}
    expected |= {f"{GUI}/{p.relative_to(src / 'ui').as_posix()}" for p in (src / "ui").rglob("*.py")}
    assert expected - names == set()


def test_cdi_runs_from_the_installed_wheel(installed: Installed) -> None:
    cdi = str(installed.venv / BIN / "cdi")
    assert "init" in installed.run(cdi, "--help").stdout
    installed.run(cdi, "init", "audit.db", "--force", "Midshire Police", "--period-start", "2015-01-01",
                  "--period-end", "2015-06-30", "--rules", "2015")
    assert "Midshire Police" in installed.run(cdi, "info", "audit.db").stdout
    out = installed.python(
        "import importlib.util, pathlib, sys\n"
        "import cdi_workbench\n"
        "from cdi_workbench.classification import cancellation_group_of_code, lookup, reported_incident_reasons\n"
        "from cdi_workbench.importing import list_profiles\n"
        f"assert pathlib.Path(cdi_workbench.__file__).is_relative_to({str(installed.venv)!r}), cdi_workbench.__file__\n"
        "assert lookup('8N') is not None and lookup('8N').group == 'vap', lookup('8N')\n"
        "assert cancellation_group_of_code('34B') == 'robbery'\n"
        "assert reported_incident_reasons()\n"
        "shipped = {p.name for p in list_profiles('no-user-profiles') if p.builtin}\n"
        "assert {'storm', 'street'} <= shipped, shipped\n"
        "assert importlib.util.find_spec('ui') is None and importlib.util.find_spec('sample_data') is None\n"
        "print('ok')\n")
    assert out.stdout.strip() == "ok"


def test_window_imports_from_the_installed_wheel(installed: Installed) -> None:
    if importlib.util.find_spec("PySide6") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install the gui extra (PySide6)")
        pytest.skip("PySide6 is not installed (the gui extra)")
    # every module of the window and the core (an absolute `from ui...` import would fail here)
    out = installed.python(
        "import importlib, pathlib, pkgutil\n"
        "import cdi_workbench, cdi_workbench_gui\n"
        "for pkg in (cdi_workbench, cdi_workbench_gui):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if '.migrations' not in m.name:\n"
        "            importlib.import_module(m.name)\n"
        "import cdi_workbench_gui.app, cdi_workbench_gui.main_window\n"
        f"assert pathlib.Path(cdi_workbench_gui.__file__).is_relative_to({str(installed.venv)!r})\n"
        "assert callable(cdi_workbench_gui.app.main)\n"
        "print('ok')\n")
    assert out.stdout.strip() == "ok"
    assert (installed.venv / BIN / ("cdi-workbench.exe" if os.name == "nt" else "cdi-workbench")).exists()
