"""A learner with only release/ch01/: its requirements name what it needs at the kit's pins, its
README (Chinese) gives the two commands, and `pytest` there ends with a labelled points estimate
that is 0 for the stub and full for the reference, for the file the grader would grade."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mistakes import MISTAKES
from tools.release import RELEASE, RUBRIC, rubric_points

ROOT = Path(__file__).resolve().parents[1]
LEARNER_PACKAGES = {"numpy", "matplotlib", "pylopdf-fonts-zh-cn", "pytest", "pytest-timeout", "jupyterlab"}


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"{path}: {line!r} is not pinned"
            found[name.lower()] = version
    return found


def test_requirements_are_the_kits_pins():
    """What the learner needs and everything it pulls in (tests/test_doors.py checks the set),
    each at the kit's pin."""
    learner, kit = pins(ROOT / RELEASE / "requirements.txt"), pins(ROOT / "requirements.txt")
    assert LEARNER_PACKAGES <= set(learner)
    assert {name: kit[name] for name in learner} == learner


def test_readme_is_chinese_and_gives_the_two_commands():
    readme = (ROOT / RELEASE / "README.md").read_text(encoding="utf-8")
    assert "pip install -r requirements.txt" in readme
    assert "jupyter lab" in readme and "\npytest" in readme
    assert "估计得分" in readme and "ch01.ipynb" in readme
    assert len(re.findall(r"[\u4e00-\u9fff]", readme)) > 200


def test_points_are_the_rubrics():
    points = json.loads((ROOT / RELEASE / "points.json").read_text(encoding="utf-8"))
    assert points == rubric_points(ROOT / RUBRIC)
    assert sum(points.values()) == 100


def learner_folder(tmp_path: Path) -> Path:
    """Only release/ch01/, copied where nothing of the kit is around it."""
    folder = tmp_path / "ch01"
    shutil.copytree(ROOT / RELEASE, folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return folder


def learner_pytest(folder: Path) -> str:
    """`pytest` as the learner runs it: in the folder, no kit on the path (-P, no PYTHONPATH)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST"))}
    proc = subprocess.run(
        [sys.executable, "-P", "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # 1: some public check failed
    return proc.stdout


def estimate(output: str) -> float:
    found = re.findall(r"估计得分 \(estimate\)：(\S+) / 100", output)
    assert len(found) == 1, output
    return float(found[0])


def reference_notebook() -> str:
    return (ROOT / "source" / "ch01" / "ch01.ipynb").read_text(encoding="utf-8")


@pytest.mark.slow
def test_stub_estimates_zero(tmp_path):
    output = learner_pytest(learner_folder(tmp_path))
    assert estimate(output) == 0
    assert "检查的文件（checked）：ch01.ipynb" in output


@pytest.mark.slow
def test_reference_notebook_estimates_full_marks(tmp_path):
    folder = learner_folder(tmp_path)
    (folder / "ch01.ipynb").write_text(reference_notebook(), encoding="utf-8")
    output = learner_pytest(folder)
    assert estimate(output) == 100
    assert "sigmoid" in output and "4 / 4" in output


@pytest.mark.slow
def test_without_a_notebook_the_module_is_checked_and_a_wrong_function_loses_its_points(tmp_path):
    """The chapter's softmax (over axis 0) fails its public check: exactly softmax's points go."""
    mistake = next(m for m in MISTAKES if m.name == "softmax_chapter_axis_0")
    folder = learner_folder(tmp_path)
    (folder / "ch01.ipynb").unlink()
    (folder / "nn_basics.py").write_text(mistake.source(), encoding="utf-8")
    output = learner_pytest(folder)
    points = json.loads((folder / "points.json").read_text(encoding="utf-8"))
    assert "检查的文件（checked）：nn_basics.py" in output
    assert re.search(r"✗ softmax\s+0 / 5", output)
    listed = re.findall(r"^  [✓✗·] (\w+)", output, re.M)
    assert listed == list(points)  # the chapter's order, a failure in its place (not passed first)
    assert estimate(output) == 100 - points["softmax"]
