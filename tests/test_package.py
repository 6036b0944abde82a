"""The kit is an installed package: its commands work from any folder, and the trusted reference
is found beside the package, never in the folder the grader happens to run in."""

import json
import subprocess
import sys
from pathlib import Path

from tests.mistakes import correct_source

BIN = Path(sys.executable).parent


def test_python_m_autograder_grades_from_any_folder_with_the_kit_reference(tmp_path):
    # a learner's folder holding its own solutions/ package: importing it as the reference would
    # let the learner choose the right answers (here it would stop the grader outright)
    decoy = tmp_path / "solutions"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("")
    (decoy / "nn_basics.py").write_text("raise SystemExit('the decoy reference was imported')\n")
    (tmp_path / "nn_basics.py").write_text(correct_source(), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", "nn_basics.py", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == 100


def test_the_nn_grade_command_is_installed(tmp_path):
    done = subprocess.run(
        [BIN / "nn-grade", "grade-all", "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "ch01-<login>" in done.stdout


def test_make_lint_is_clean():
    """README: `make lint` runs ruff with pyproject.toml's configuration; on the kit it passes."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_kit_is_formatted_as_ruff_format_would():
    """`make lint` runs `ruff format --check` too: no file needs reformatting."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_make_tests_xdist_groups_keep_a_module_on_one_worker(tmp_path):
    """`make test` runs `-n 2 --dist loadgroup` so that one worker builds each module-scoped
    course (nbgrader, README clone, browser). pytest 9.2 silently drops the groups
    (pytest-xdist#1386): both workers then build every course, a minute more per run."""
    (tmp_path / "test_grouped.py").write_text(
        "import os\nimport pytest\n\npytestmark = pytest.mark.xdist_group('one')\n\n\n"
        "@pytest.mark.parametrize('i', range(6))\ndef test_record(i):\n"
        "    with open('workers.txt', 'a') as f:\n        f.write(os.environ['PYTEST_XDIST_WORKER'] + '\\n')\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    workers = (tmp_path / "workers.txt").read_text().split()
    assert len(workers) == 6 and len(set(workers)) == 1, workers
