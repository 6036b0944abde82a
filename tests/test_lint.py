"""The kit type-checks and lints: mypy, as configured in pyproject.toml ([tool.mypy]: the whole
package, strict at the sandbox's boundary, the intake, the settings and the results model), reports
nothing and would report a misuse; ruff sorts imports and upgrades old syntax."""

import subprocess
import sys
import tomllib
from pathlib import Path

KIT = Path(__file__).resolve().parent.parent


def mypy(*args):
    return subprocess.run(
        [sys.executable, "-m", "mypy", *args], cwd=KIT, capture_output=True, text=True, timeout=600
    )


def test_mypy_is_clean_on_the_whole_package():
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


def _pyproject() -> dict:
    return tomllib.loads((KIT / "pyproject.toml").read_text(encoding="utf-8"))


def test_mypy_covers_the_package_and_is_strict_at_the_boundary():
    config = _pyproject()["tool"]["mypy"]
    assert config["files"] == ["autograder"]
    strict = {
        module
        for override in config["overrides"]
        if override.get("disallow_untyped_defs") and override.get("disallow_incomplete_defs")
        for module in override["module"]
    }
    boundary = {"autograder.sandbox", "autograder.core.intake", "autograder.settings", "autograder.results"}
    assert boundary <= strict


def test_mypy_reports_an_untyped_def_at_the_boundary_only(tmp_path):
    """The per-module strictness is real: the same untyped function is an error in a boundary
    module's name and none in another's."""
    untyped = "def f(x):\n    return x\n"
    (tmp_path / "autograder").mkdir()
    for name in ("__init__", "results", "grade"):
        (tmp_path / "autograder" / f"{name}.py").write_text(untyped if name != "__init__" else "")
    # a cache of its own: these modules are not the kit's, whose cache another test reads meanwhile
    cache = str(tmp_path / "mypy_cache")
    done = mypy(
        "--config-file", str(KIT / "pyproject.toml"), "--cache-dir", cache, str(tmp_path / "autograder")
    )
    assert "results.py:1: error: Function is missing a type annotation" in done.stdout
    assert "grade.py" not in done.stdout


def test_ruff_sorts_imports_and_upgrades_old_syntax():
    assert {"I", "UP"} <= set(_pyproject()["tool"]["ruff"]["lint"]["select"])
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--stdin-filename", "autograder/probe.py", "-"],
        input='import sys\nimport os\n\nprint("%s" % os.sep, sys.argv)\n',
        cwd=KIT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "I001" in done.stdout
    assert "UP031" in done.stdout


def test_mypy_holds_a_submission_double_to_the_checks_protocol(tmp_path):
    """The checks' Context takes what satisfies sandbox/interface.py's OpenSubmission: a double
    without call_full is refused (the package's own double and Submission are checked by the
    assignments at the end of autograder/core/in_process.py, in the clean run above)."""
    half = tmp_path / "half.py"
    half.write_text(
        "from autograder.checks.common import Context\n"
        "class Half:\n"
        "    load_error = None\n"
        "    load_failure = None\n"
        "    output = ''\n"
        "    module_code: list[str] = []\n"
        "    cells: list[dict] = []\n"
        "    sibling_code: list[str] = []\n"
        "    def call(self, name: str, *args: object, timeout: float | None = None, **kwargs: object) -> object:\n"
        "        return None\n"
        "Context(Half(), None)\n"
    )
    done = mypy(str(half))
    assert done.returncode == 1
    assert 'Argument 1 to "Context" has incompatible type "Half"; expected "OpenSubmission"' in done.stdout
