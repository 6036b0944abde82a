"""Attacks a hostile learner made on the merged kit that its builders had not tried, each fed to
the door it came through and failing without its fix (red-team pass; see tests/adversarial/ for
the sandbox's own corpus)."""

from __future__ import annotations

import csv
import json

from autograder.core.grade import grade_submission
from autograder.doors.batch import find_submissions
from autograder.doors.gradebook import Row, write_gradebook
from autograder.doors.shard import Shard, merge, write_marker
from tests.cli_in_process import run_cli
from tests.fakes import InProcessSubmission, opener
from tests.mistakes import reference_source, stub_source


def test_a_classroom_clone_cannot_take_a_classmates_name(tmp_path):
    """ch01-victim/ would be named victim, beside the real victim/: one report file for two
    learners, the later written over the earlier. A name an entry holds as it is stays its own."""
    for name in ("ch01-victim", "victim", "ch01-ch01-zed", "ch01-zed", "zed"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "nn_basics.py").write_text("x = 1\n", encoding="utf-8")
    names = {found.entry.name: found.learner for found in find_submissions(tmp_path)}
    assert names["victim"] == "victim" and names["zed"] == "zed"
    assert len(set(names.values())) == len(names), names


def test_a_classroom_clone_alone_is_still_named_by_login(tmp_path):
    (tmp_path / "ch01-alice").mkdir()
    (tmp_path / "ch01-alice" / "nn_basics.py").write_text("x = 1\n", encoding="utf-8")
    assert [found.learner for found in find_submissions(tmp_path)] == ["alice"]


FORMULAS = ['=HYPERLINK("evil.example","grade")', "+1+1", "-2+3", "@SUM(1)", "'=quoted"]


def test_gradebook_shows_formula_like_names_as_text_and_merge_reads_them_back(tmp_path):
    """A learner who names their file =HYPERLINK(...).py gets a gradebook cell a spreadsheet
    would run as a formula; it is written with a leading apostrophe, and merge still finds the
    learner's report and sorts as grade-all does."""
    from autograder.results import CheckResult, Outcome, Results

    passed = [CheckResult("sigmoid_matches_reference", "sigmoid", 1.0, outcome=Outcome.PASSED)]
    graded = {name: Results(f"{name}.py", passed, functions=["sigmoid"]) for name in ["bob", *FORMULAS]}
    rows = [Row.of(name, graded[name]) for name in sorted(graded)]
    part = tmp_path / "part"
    part.mkdir()
    write_gradebook(part / "gradebook.csv", rows, ["sigmoid"])
    for row in rows:  # merge reads each learner's lossless results from their report
        report = {"results": graded[row.learner].to_dict()}
        (part / f"{row.learner}.json").write_text(json.dumps(report), encoding="utf-8")
    write_marker(part, Shard(1, 1), [row.learner for row in rows])
    with (part / "gradebook.csv").open(encoding="utf-8") as f:
        cells = [line[0] for line in csv.reader(f)][1:]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), cells
    merged = tmp_path / "merged"
    merge([part], merged)
    assert (merged / "gradebook.csv").read_text(encoding="utf-8") == (part / "gradebook.csv").read_text(
        encoding="utf-8"
    )
    assert {p.stem for p in merged.glob("*.json")} >= {row.learner for row in rows}


def test_grade_all_gradebook_through_the_cli(tmp_path, capsys):
    submissions = tmp_path / "class"
    submissions.mkdir()
    (submissions / "=1+1.py").write_text(stub_source(), encoding="utf-8")
    out = tmp_path / "reports"
    done = run_cli(capsys, "grade-all", submissions, "--output-dir", out)
    assert done.returncode == 0, done.stderr
    with (out / "gradebook.csv").open(encoding="utf-8") as f:
        assert next(iter(csv.DictReader(f)))["learner"] == "'=1+1"
    assert json.loads((out / "=1+1.json").read_text(encoding="utf-8"))["score"] == 0


def test_an_int_too_large_for_a_float_in_costs_is_the_learners_miss_not_a_grader_error():
    """costs[0] = 10 ** 400 crosses the sandbox as a JSON int; float() of it raised in the check,
    which the grader reported as its own error (grade-all exit 3, 'not your mistake')."""
    source = reference_source().replace(
        "    return params, costs", "    costs[0] = 10 ** 400\n    return params, costs"
    )
    results = grade_submission("x.py", opener=opener(InProcessSubmission(source)))
    assert not results.grader_errors, [t.feedback.en for t in results.grader_errors]
    failed = {t.name for t in results.failed()}
    assert failed == {"train_records_cost_before_each_step", "train_uses_contract_defaults"}


def test_gradescope_shows_learner_text_as_plain_text_at_every_visibility():
    """Without output_format, Gradescope renders `output` as simple_format, which lets some HTML
    through: a learner's exception message `<a href=...>` or `<img>` became a live link in their
    (and, when visible, the instructor's) results page. Only the hidden-by-default door set it."""
    from autograder.reporters.gradescope import VISIBILITIES, to_dict
    from autograder.results import CheckResult, Outcome, Results, Text

    payload = '<a href="https://evil.example">查看成绩</a><img src=x>'
    results = Results(
        "x.py",
        [
            CheckResult(
                "sigmoid_matches_reference",
                "sigmoid",
                1.0,
                outcome=Outcome.FAILED,
                feedback=Text(payload, payload),
            )
        ],
        load_error=payload,
        functions=["sigmoid"],
    )
    for visibility in VISIBILITIES:  # the door always passes one
        data = to_dict(results, "en", visibility)
        assert data["output_format"] == "text" and data["output"]
        assert all(test["output_format"] == "text" for test in data["tests"]), visibility


def test_init_params_filled_with_the_seed_earns_nothing():
    """Weights np.full(shape, seed) with zero biases passed `shapes_and_zero_biases` (non-zero,
    finite) and `same_seed_same_params` (deterministic, seed-dependent): 2.5 points of hollow code."""
    from tests.mistakes import with_bodies

    hollow = with_bodies(
        {
            "init_params": """
        w = 1.0 if seed is None else float(seed)
        return {"Wxh": np.full((num_input, num_hidden), w), "bh": np.zeros((1, num_hidden)),
                "Why": np.full((num_hidden, num_output), w), "by": np.zeros((1, num_output))}
        """
        }
    )
    results = grade_submission("x.py", opener=opener(InProcessSubmission(hollow)))
    assert results.by_function()["init_params"][0] == 0


def test_ipython_syntax_cannot_stall_the_grader():
    """Notebook cells are turned into Python in the grader process (nbgrader's, the CI job's),
    outside the sandbox's time budget. Two ways a notebook held it for minutes to hours: a long
    line of spaces (the IPython-syntax regex backtracked quadratically: 20,000 spaces 1.6 s, a
    16 MB notebook allows far more) and a long cell of `x = !ls` lines (IPython's transformer:
    2000 lines took 110 s). Now the scan is linear and only answer-sized cells, within a
    budget per notebook, are handed to IPython, in the worker (tests/test_redteam_budget.py)."""
    import json
    import re

    from autograder.sandbox import notebook

    pattern = notebook._IPYTHON_SYNTAX.pattern
    assert not re.search(r"\^\[ \\t\]\*\[\\w", pattern), "overlapping classes backtrack quadratically"
    long_cell = "\n".join(f"x{i} = !ls" for i in range(300))
    assert notebook.to_python(long_cell) == long_cell + "\n"  # never transformed in the grader
    cells = [{"cell_type": "code", "metadata": {}, "source": source} for source in ("files = !ls", long_cell)]
    extracted = notebook.extract_cells(json.dumps({"cells": cells}).encode())
    assert [c["ipython"] for c in extracted] == [True, False]  # an answer's size still works
    cells = [
        {"cell_type": "code", "metadata": {}, "source": "\n".join(f"x{i} = !ls" for i in range(100))}
        for _ in range(10)
    ]
    extracted = notebook.extract_cells(json.dumps({"cells": cells}).encode())
    assert [c["ipython"] for c in extracted] == [True] * 4 + [False] * 6  # 100,000 characters each


def test_learners_named_shard_and_merge_keep_their_reports(tmp_path, capsys):
    """grade-all --shard wrote its marker as shard.json and merge its summary as merge.json,
    beside the reports <learner>.json: a learner (or Classroom login) named shard or merge lost
    their report to them, and merge then copied the marker as that learner's report."""
    submissions = tmp_path / "class"
    submissions.mkdir()
    for name in ("shard", "merge"):
        (submissions / f"{name}.py").write_text(stub_source(), encoding="utf-8")
    run = lambda *args: run_cli(capsys, *args)
    assert run("grade-all", submissions, "--shard", "1/1", "--output-dir", tmp_path / "part").returncode == 0
    assert run("merge", tmp_path / "part", "--output-dir", tmp_path / "merged").returncode == 0
    for name in ("shard", "merge"):
        assert (
            json.loads((tmp_path / "merged" / f"{name}.json").read_text(encoding="utf-8"))["max_score"] == 100
        )


def test_a_train_that_does_nothing_cannot_follow_a_start_descent_cannot_leave():
    """init_params right for every seed but train's (a call-pattern test would do as well), there
    weights x 1e6: every sigmoid saturates, every gradient is 0, so the reference's descent from
    that start never moves, and a train returning init_params(seed) with a constant cost list
    'followed' it: 5 of train's 12 points with no training, init_params keeping its 4."""
    from tests.mistakes import with_bodies

    lazy = with_bodies(
        {
            "init_params": """
            rng = np.random.default_rng(seed)
            scale = 1e6 if seed in (2718, 0) else 1.0
            return {"Wxh": scale * rng.standard_normal((num_input, num_hidden)), "bh": np.zeros((1, num_hidden)),
                    "Why": scale * rng.standard_normal((num_hidden, num_output)), "by": np.zeros((1, num_output))}
            """,
            "train": """
            params = init_params(X.shape[1], num_hidden, y.shape[1], seed=seed)
            return params, [cost_function(y, forward_prop(X, params)[3])] * num_iterations
            """,
        }
    )
    results = grade_submission("x.py", opener=opener(InProcessSubmission(lazy)))
    assert results.by_function()["train"][0] == 0
