"""The Gradescope door: `make gradescope`'s bundle, unpacked into a simulated /autograder tree,
grades a correct, a wrong, a blank and a missing submission into a results.json that holds to
Gradescope's autograder spec (its fields, not a stricter schema of ours)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.reporters.gradescope import to_dict
from autograder.results import CheckResult, Outcome, Results, Text
from tests.mistakes import MISTAKES, correct_source, stub_source
from tools.gradescope import bundle_entries, write_zip

ROOT = Path(__file__).resolve().parents[1]

# Gradescope's autograder spec, "Output format": every field it documents, and its enumerations.
SPEC_TOP_FIELDS = {
    "score",
    "execution_time",
    "output",
    "output_format",
    "test_output_format",
    "test_name_format",
    "visibility",
    "stdout_visibility",
    "extra_data",
    "tests",
    "leaderboard",
}
SPEC_TEST_FIELDS = {
    "score",
    "max_score",
    "status",
    "name",
    "name_format",
    "number",
    "output",
    "output_format",
    "tags",
    "visibility",
    "extra_data",
}
SPEC_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
SPEC_STATUS = {"passed", "failed"}
SPEC_FORMATS = {"text", "html", "simple_format", "md", "ansi"}
# SPEC "The grader's contract" adds max_score at the top level (Gradescope ignores what it does not know).
CONTRACT_TOP_FIELDS = {"max_score"}


def spec_errors(data) -> list[str]:
    """What in `data` Gradescope's spec does not allow."""
    if not isinstance(data, dict):
        return ["results is not a JSON object"]
    errors = [f"unknown top-level field {k!r}" for k in set(data) - SPEC_TOP_FIELDS - CONTRACT_TOP_FIELDS]
    tests = data.get("tests", [])
    if not isinstance(tests, list):
        return errors + ["tests is not a list"]
    if "score" not in data and not all(isinstance(t, dict) and "score" in t for t in tests):
        errors.append("score is required at the top level unless every test has one")
    errors += _not_of_type(data, "", ("score", "execution_time"), (int, float), "a number")
    errors += _not_among(data, "", ("visibility", "stdout_visibility"), SPEC_VISIBILITY, "a visibility")
    errors += _not_among(
        data, "", ("output_format", "test_output_format", "test_name_format"), SPEC_FORMATS, "a format"
    )
    errors += _not_of_type(data, "", ("output",), str, "a string")
    for i, test in enumerate(tests):
        errors += _test_errors(test, f"tests[{i}]")
    return errors


def _test_errors(test, where: str) -> list[str]:
    """What in one entry of `tests` the spec does not allow."""
    if not isinstance(test, dict):
        return [f"{where} is not an object"]
    errors = [f"{where}: unknown field {k!r}" for k in set(test) - SPEC_TEST_FIELDS]
    errors += _not_of_type(test, f"{where}.", ("score", "max_score"), (int, float), "a number")
    errors += _not_of_type(test, f"{where}.", ("name", "output", "number"), str, "a string")
    errors += _not_among(test, f"{where}.", ("status",), SPEC_STATUS, "a status")
    errors += _not_among(test, f"{where}.", ("visibility",), SPEC_VISIBILITY, "a visibility")
    errors += _not_among(test, f"{where}.", ("output_format", "name_format"), SPEC_FORMATS, "a format")
    if "tags" in test and not (
        isinstance(test["tags"], list) and all(isinstance(t, str) for t in test["tags"])
    ):
        errors.append(f"{where}.tags is not a list of strings")
    return errors


# The spec's two kinds of field rule, each for a few keys of one object (`prefix` says which).
def _not_of_type(obj: dict, prefix: str, keys: tuple[str, ...], kind, what: str) -> list[str]:
    return [f"{prefix}{key} is not {what}" for key in keys if key in obj and not isinstance(obj[key], kind)]


def _not_among(obj: dict, prefix: str, keys: tuple[str, ...], allowed: set[str], what: str) -> list[str]:
    return [
        f"{prefix}{key} {obj[key]!r} is not {what}" for key in keys if key in obj and obj[key] not in allowed
    ]


def test_spec_check_catches_what_the_spec_forbids():
    assert spec_errors({"score": 1, "tests": []}) == []
    assert spec_errors({"tests": [{"name": "a"}]})  # no score anywhere
    assert spec_errors({"score": 1, "tests": [{"score": 1, "status": "ok"}]})
    assert spec_errors({"score": 1, "tests": [{"score": 1, "visibility": "later"}]})
    assert spec_errors({"score": 1, "tests": [{"score": 1, "mark": 3}]})
    assert spec_errors({"score": "100", "tests": []})
    # every rule, each fed one value it forbids
    assert spec_errors([]) and spec_errors({"score": 1, "tests": {}})
    for top in (
        {"execution_time": "1s"},
        {"output": 3},
        {"visibility": "soon"},
        {"stdout_visibility": "x"},
        {"output_format": "pdf"},
        {"test_output_format": "pdf"},
        {"test_name_format": "pdf"},
    ):
        assert spec_errors({"score": 1, "tests": [], **top}), top
    for test in (
        "a",
        {"max_score": None},
        {"name": 1},
        {"output": []},
        {"number": 1.1},
        {"output_format": "pdf"},
        {"name_format": "pdf"},
        {"tags": "a"},
        {"tags": [1]},
    ):
        assert spec_errors({"score": 1, "tests": [test]}), test


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    write_zip(bundle_entries(ROOT, "after_published", "zh"), out)
    return out


def test_bundle_holds_what_gradescope_runs(bundle):
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        requirements = zf.read("requirements.txt").decode()
        config = json.loads(zf.read("gradescope.json"))
    assert {
        "setup.sh",
        "run_autograder",
        "requirements.txt",
        "autograder/core/rubric.toml",
        "solutions/nn_basics.py",
        "autograder/__main__.py",
    } <= names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert not any("__pycache__" in n or n.startswith(("release/", "tests/", "source/")) for n in names)
    assert "numpy==" in requirements and all("==" in ln for ln in requirements.splitlines()[1:])
    assert config == {"visibility": "after_published", "lang": "zh"}
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(ROOT / "tools" / "gradescope_bundle" / script)], check=True)


def test_bundle_is_reproducible(bundle, tmp_path):
    again = tmp_path / "again.zip"
    write_zip(bundle_entries(ROOT, "after_published", "zh"), again)
    assert again.read_bytes() == bundle.read_bytes()


def autograder_tree(tmp_path: Path, bundle: Path) -> Path:
    """/autograder as Gradescope lays it out: source/ unpacked, run_autograder copied beside it."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    return root


def run_autograder(root: Path, python: str = sys.executable) -> tuple[subprocess.CompletedProcess, dict]:
    env = {**os.environ, "NN_GRADESCOPE_ROOT": str(root), "NN_GRADESCOPE_PYTHON": python}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    results = root / "results" / "results.json"
    assert results.is_file(), f"no results.json; stderr:\n{proc.stderr}"
    data = json.loads(results.read_text(encoding="utf-8"))
    assert spec_errors(data) == []
    return proc, data


def checks(data) -> list[dict]:
    return [t for t in data["tests"] if t["max_score"] > 0]


def notebook_with_answers() -> dict:
    """The source notebook (every answer cell holds the reference) as a learner would submit it."""
    return json.loads((ROOT / "source" / "ch01" / "ch01.ipynb").read_text(encoding="utf-8"))


SUBMISSIONS = {
    # name: ({file in submission/: text}, expected score)
    "correct_module": ({"nn_basics.py": correct_source()}, 100),
    "correct_notebook_in_a_folder": ({"ch01/ch01.ipynb": json.dumps(notebook_with_answers())}, 100),
    "wrong": (
        {"nn_basics.py": next(m for m in MISTAKES if m.name == "elu_chapter_alpha_0_01").source()},
        None,
    ),
    "blank": ({"nn_basics.py": stub_source()}, 0),
    "missing": ({"notes.txt": "I forgot the file"}, 0),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", SUBMISSIONS)
def test_run_autograder_writes_spec_results(name, bundle, tmp_path):
    root = autograder_tree(tmp_path, bundle)
    files, expected = SUBMISSIONS[name]
    for rel, text in files.items():
        (root / "submission" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / rel).write_text(text, encoding="utf-8")
    proc, data = run_autograder(root)
    assert proc.returncode == 0, proc.stderr
    assert data["max_score"] == 100 and data["score"] == sum(t["score"] for t in checks(data))
    if expected is not None:
        assert data["score"] == expected
    else:  # the chapter's ELU alpha: elu checks lose points, the rest score
        assert 0 < data["score"] < 100
        lost = {t["tags"][0] for t in checks(data) if t["status"] == "failed"}
        assert "elu" in lost
    summary, *rest = data["tests"]
    assert summary["visibility"] == "visible" and summary["max_score"] == 0
    assert f"{data['score']} / 100" in summary["output"]
    assert rest and all(t["visibility"] == "after_published" for t in rest)
    if name == "missing":
        assert "ch01.ipynb" in data["output"] and "nn_basics.py" in data["output"]


@pytest.mark.slow
def test_notebook_is_graded_before_the_module(bundle, tmp_path):
    """The kit's rule: ch01.ipynb when present, else nn_basics.py."""
    root = autograder_tree(tmp_path, bundle)
    (root / "submission" / "nn_basics.py").write_text(correct_source(), encoding="utf-8")
    shutil.copy(ROOT / "release" / "ch01" / "ch01.ipynb", root / "submission" / "ch01.ipynb")
    proc, data = run_autograder(root)
    assert "grading ch01.ipynb" in proc.stdout
    assert data["score"] == 0


@pytest.mark.slow
@pytest.mark.parametrize("target", ["source/solutions/nn_basics.py", "source/ch01-notebook"])
def test_a_link_is_refused_not_followed(target, bundle, tmp_path):
    root = autograder_tree(tmp_path, bundle)
    if target.endswith("notebook"):  # a notebook linked to one full of answers
        (root / "answers.ipynb").write_text(json.dumps(notebook_with_answers()), encoding="utf-8")
        (root / "submission" / "ch01.ipynb").symlink_to(root / "answers.ipynb")
    else:  # the bundle's own reference, by a relative path
        (root / "submission" / "nn_basics.py").symlink_to(Path("..") / target)
    proc, data = run_autograder(root)
    assert proc.returncode == 0 and data["score"] == 0
    assert "符号链接" in data["output"]


def test_a_grader_that_cannot_start_still_leaves_results(bundle, tmp_path):
    root = autograder_tree(tmp_path, bundle)
    (root / "submission" / "nn_basics.py").write_text(correct_source(), encoding="utf-8")
    proc, data = run_autograder(root, python="/bin/false")
    assert proc.returncode != 0
    assert data["score"] == 0 and "grader error" in data["output"]


def test_bundle_grades_with_its_own_grader(bundle, tmp_path):
    """run_autograder's PYTHONPATH puts the bundle before whatever the interpreter has installed."""
    root = autograder_tree(tmp_path, bundle)
    env = {**os.environ, "PYTHONPATH": str(root / "source")}
    out = subprocess.run(
        [
            sys.executable,
            "-P",
            "-c",
            "import autograder, solutions; print(autograder.__file__); print(solutions.__file__)",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert all(line.startswith(str(root / "source")) for line in out.splitlines())


def small_results(passed: bool) -> Results:
    return Results(
        "sub",
        [
            CheckResult(
                "sigmoid_matches_reference",
                "sigmoid",
                2.0,
                outcome=Outcome.PASSED if passed else Outcome.FAILED,
                feedback=Text("错", "wrong"),
            ),
            CheckResult("relu_matches_reference", "relu", 1.0, outcome=Outcome.PASSED),
        ],
        functions=["sigmoid", "relu"],
    )


@pytest.mark.parametrize("visibility", ["hidden", "after_due_date", "after_published"])
def test_visibility_hides_names_and_feedback_not_the_summary(visibility):
    data = to_dict(small_results(False), "zh", visibility)
    assert spec_errors(data) == []
    summary, *hidden = data["tests"]
    assert [t["visibility"] for t in hidden] == [visibility, visibility]
    assert summary["visibility"] == "visible"
    assert "sigmoid_matches_reference" not in summary["output"] and "错" not in summary["output"]
    assert "✗ sigmoid" in summary["output"] and "✓ relu" in summary["output"]
    assert "1 / 3" in summary["output"] and data["score"] == 1


def test_visible_keeps_the_cli_report_unchanged():
    visible = to_dict(small_results(True), "en", "visible")
    for test in visible["tests"]:  # but plain text, as at every visibility (tests/test_redteam.py)
        assert test.pop("output_format") == "text"
    assert visible == to_dict(small_results(True), "en")
    assert all("visibility" not in t for t in to_dict(small_results(True), "en")["tests"])
