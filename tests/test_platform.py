"""The machines the kit runs on: every pin installs on the oldest supported Python (3.11.0, below
Debian 12's 3.11.2), `make` says plainly when a Python is too old, and nothing installs system
packages behind the user's back (the test suite never; Gradescope's setup.sh on a fresh image)."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]


def supported_pythons() -> SpecifierSet:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return SpecifierSet(project["requires-python"])


def makefile_oldest_python() -> str:
    found = re.search(r"^OLDEST_PYTHON := (\S+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert found, "the Makefile names no OLDEST_PYTHON"
    return found.group(1)


def locked_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"requirements.txt: {line!r} is not pinned"
            pins[name.strip()] = version.strip()
    return pins


def test_the_supported_pythons_are_stated_once():
    oldest = makefile_oldest_python()
    assert supported_pythons() == SpecifierSet(f">={oldest}")
    assert f"{oldest}.0" in supported_pythons()


def test_every_pin_installs_on_the_oldest_supported_python():
    """Read from the installed distributions' metadata: what pip itself checks before installing.
    soupsieve 4.1.3 (Requires-Python >=3.11.5) shut out Debian 12's python3, 3.11.2."""
    oldest = f"{makefile_oldest_python()}.0"
    stale, excluded = [], []
    for name, version in locked_pins().items():
        dist = metadata.distribution(name)
        if dist.version != version:
            stale.append(f"{name}: {dist.version} installed, {version} pinned")
        requires_python = dist.metadata.get("Requires-Python")
        if requires_python and oldest not in SpecifierSet(requires_python):
            excluded.append(f"{name}=={dist.version} (Requires-Python {requires_python})")
    assert not stale, f"this .venv is not the lock's (run make): {stale}"
    assert not excluded, f"pins that Python {oldest} cannot install (re-pin: make lock): {excluded}"


@pytest.fixture
def make_copy(tmp_path):
    """The Makefile and what its install step reads, without the venv."""
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    return tmp_path


def fake_python(folder: Path, version: str) -> Path:
    """An interpreter that reports `version` for everything the Makefile asks it."""
    script = folder / "python-fake"
    major, minor, _ = (int(part) for part in version.split("."))
    script.write_text(
        "#!/bin/sh\n"
        f'case "$*" in *platform*) echo "Python {version}";; '
        f"*version_info*) exit {int((major, minor) < (3, 11))};; "
        '*) echo "python-fake was asked: $*" >&2; exit 3;; esac\n'
    )
    script.chmod(0o755)
    return script


@pytest.mark.parametrize("version", ["3.10.12", "3.9.2"])
def test_make_says_when_the_python_is_too_old(make_copy, version):
    python = fake_python(make_copy, version)
    proc = subprocess.run(
        ["make", f"PYTHON={python}", "demo"], cwd=make_copy, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0
    assert f"is Python {version}; the kit needs Python 3.11 or newer" in proc.stderr
    assert "asked" not in proc.stderr and not (make_copy / ".venv").exists()


def test_make_says_when_the_python_is_missing(make_copy):
    proc = subprocess.run(
        ["make", "PYTHON=/nonexistent/python3", "demo"], cwd=make_copy, capture_output=True, text=True
    )
    assert proc.returncode != 0
    assert "/nonexistent/python3 is not found; the kit needs Python 3.11 or newer" in proc.stderr


def test_make_goes_on_with_a_supported_python_and_says_what_it_installs(make_copy):
    python = fake_python(make_copy, "3.11.0")
    proc = subprocess.run(
        ["make", f"PYTHON={python}", ".venv/.installed"], cwd=make_copy, capture_output=True, text=True
    )
    assert "python-fake was asked: -m venv .venv" in proc.stderr  # past the check, to the venv
    assert "needs Python" not in proc.stderr


def test_make_says_what_it_installs_and_how_long(make_copy):
    recipe = subprocess.run(
        ["make", "-n", "PYTHON=python3", ".venv/.installed"], cwd=make_copy, capture_output=True, text=True
    ).stdout
    announced = recipe.index("pinned packages (requirements.txt)")
    assert "minutes" in recipe[announced:] and announced < recipe.index("pip install")


def test_no_test_installs_system_packages():
    """The suite runs as whoever runs it, often root: installing is `make browser-deps`'s job
    (.ci/run), a test missing something skips and names it."""
    installers = re.compile(r"apt-get|browser-deps\"|\bapt\b.*install|dnf install|yum install")
    offenders = [
        f"{path.name}:{number}"
        for path in sorted((ROOT / "tests").glob("*.py"))
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if installers.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []


def test_gradescope_setup_updates_the_package_lists_before_installing(tmp_path):
    """A fresh Ubuntu image has no package lists: `apt-get install` alone finds nothing."""
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir()
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "apt-get $*" >> "{calls}"\n')
    (bin_dir / "python3").write_text("#!/bin/sh\nexit 1\n")  # stops setup.sh at its version check
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    setup = ROOT / "tools" / "gradescope_bundle" / "setup.sh"
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    subprocess.run(["bash", str(setup)], env=env, capture_output=True, text=True, timeout=60)
    commands = [line.split()[1] for line in calls.read_text().splitlines()]
    assert commands[:2] == ["update", "install"], commands
