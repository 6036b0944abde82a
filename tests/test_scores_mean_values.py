"""Every point is earned by a right value, through the CLI as an instructor runs it: hollow
submissions (every function `pass`, `return 0.0`, zeros of the right shape, or its first
argument), as modules and as notebooks, graded by `grade-all` (long-lived graders, in the
real sandbox) score exactly 0, and a grader error shows in grade-all's
summary and exit status."""

from __future__ import annotations

import csv
import json

import nbformat

from autograder.doors.gradebook import Row
from autograder.results import CheckResult, Outcome, Results
from tests.cli_in_process import run_cli
from tests.mistakes import HOLLOW, hollow_source


def test_hollow_modules_and_notebooks_score_zero_through_grade_all(tmp_path, capsys):
    submissions = tmp_path / "class"
    submissions.mkdir()
    for name in HOLLOW:
        (submissions / f"{name}.py").write_text(hollow_source(name), encoding="utf-8")
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_markdown_cell("# 第 1 章"),
            nbformat.v4.new_code_cell(hollow_source(name)),
        ]
        nbformat.write(nb, submissions / f"{name}_nb.ipynb")
    out = tmp_path / "reports"
    done = run_cli(capsys, "grade-all", submissions, "--jobs", "2", "--output-dir", out, "--lang", "en")
    assert done.returncode == 0, done.stderr
    with (out / "gradebook.csv").open(encoding="utf-8") as f:
        rows = {row["learner"]: row for row in csv.DictReader(f)}
    assert set(rows) == {*HOLLOW, *(f"{name}_nb" for name in HOLLOW)}
    assert {name: (row["score"], row["max_score"], row["error"]) for name, row in rows.items()} == {
        name: ("0", "100", "") for name in rows
    }
    for name in rows:
        report = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        assert report["grader_errors"] == [] and all(t["status"] == "failed" for t in report["tests"])


def test_grader_errors_in_the_results_reach_the_gradebook_row():
    results = Results(
        "alice.py",
        [
            CheckResult("sigmoid_values", "sigmoid", 2, outcome=Outcome.PASSED),
            CheckResult("sigmoid_matches_reference", "sigmoid", 2, outcome=Outcome.ERROR),
            CheckResult("relu_values", "relu", 96, outcome=Outcome.PASSED),
        ],
        functions=["sigmoid", "relu"],
    )
    row = Row.of("alice", results)
    assert row == Row(
        "alice",
        98,
        100,
        {"sigmoid": 2, "relu": 96},
        "grader error in 1 checks: sigmoid_matches_reference",
        grader_errors=1,
    )


def test_grade_all_exits_3_when_the_grader_failed_on_some_checks(tmp_path, monkeypatch, capsys):
    """README: grade-all exits 3 on grader errors (0 when grading ran cleanly), and says so."""
    from autograder.doors import cli
    from autograder.doors.commands import grade_all

    rows = [
        Row("alice", 98, 100, {}, "grader error in 1 checks: x", grader_errors=1),
        Row("bob", 100, 100, {}, ""),
    ]
    monkeypatch.setattr(grade_all, "grade_all", lambda *args, **kwargs: rows)
    assert cli.main(["grade-all", str(tmp_path)]) == 3
    assert "1 grader errors" in capsys.readouterr().err
    rows[0] = Row("alice", 100, 100, {}, "")
    assert cli.main(["grade-all", str(tmp_path)]) == 0
