"""The typed part of the kit type-checks: mypy, as configured in pyproject.toml ([tool.mypy]: the
sandbox's boundary and the results model), reports nothing, and would report a misuse."""

import subprocess
import sys
from pathlib import Path

KIT = Path(__file__).resolve().parent.parent


def mypy(*args):
    return subprocess.run(
        [sys.executable, "-m", "mypy", *args], cwd=KIT, capture_output=True, text=True, timeout=600
    )


def test_mypy_is_clean_on_the_sandbox_boundary_and_the_results_model():
    done = mypy()
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_catches_a_misuse_of_the_boundary(tmp_path):
    misuse = tmp_path / "misuse.py"
    misuse.write_text(
        "from autograder.sandbox import open_submission\n"
        "from autograder.results import CheckResult, Outcome\n"
        "open_submission('x.py')\n"  # no module: the sandbox knows no default
        "points: str = CheckResult('c', 'sigmoid', 1.0, outcome=Outcome.PASSED).score\n"
    )
    done = mypy(str(misuse))
    assert done.returncode == 1
    assert 'Missing named argument "module"' in done.stdout
    assert (
        'Incompatible types in assignment (expression has type "float", variable has type "str")'
        in done.stdout
    )
