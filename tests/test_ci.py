"""`python -m autograder ci`: what it takes from GitHub and what it hands back.

The end-to-end tests simulate a pull_request_target run locally: an event payload, empty
GITHUB_STEP_SUMMARY and GITHUB_OUTPUT files, and a checkout of the learner's repository, then
run the command as the workflow does (a subprocess) and read what the runner would read.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import ci
from tests.mistakes import correct_source, stub_source

ROOT = Path(__file__).resolve().parent.parent
HEAD_SHA = "0123456789abcdef0123456789abcdef01234567"


# --- pieces ---------------------------------------------------------------------------------

@pytest.mark.parametrize("score, max_score, pass_mark, expected", [
    (60, 100, 60, True),            # reaching the mark exactly passes
    (59.5, 100, 60, False),
    (59.99999999, 100, 60, True),   # a float sum of partial credit that is 60
    (30, 50, 60, True),             # percent of the maximum, not points
    (29, 50, 60, False),
    (0, 100, 0, True),
    (100, 100, 100, True),
    (99.9, 100, 100, False),
    (0, 0, 60, False),              # nothing graded is never a pass
])
def test_pass_mark_is_a_percentage_of_the_maximum(score, max_score, pass_mark, expected):
    assert ci.reaches_pass_mark(score, max_score, pass_mark) is expected


@pytest.mark.parametrize("bad", ["-1", "100.5", "sixty"])
def test_pass_mark_out_of_range_is_an_argument_error(bad, capsys):
    parser = argparse.ArgumentParser()
    ci.add_parser(parser.add_subparsers())
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args(["ci", "--pass-mark", bad])
    assert exit_.value.code == 2
    assert "pass-mark" in capsys.readouterr().err


def test_outputs_round_trip_through_the_runners_format():
    # A value holding a line that looks like a delimiter, and an `=` inside values.
    outputs = {"score": "87.5", "passed": "true", "url": "a=b",
               "comment": "line 1\nEOF\nghadelimiter_x\n| a | b |"}
    text = ci.format_outputs(outputs)
    assert ci.parse_outputs(text) == outputs
    [header] = [line for line in text.splitlines() if line.startswith("comment<<")]
    delimiter = header.split("<<", 1)[1]
    assert delimiter not in outputs["comment"]
    assert text.splitlines().count(delimiter) == 1


def pull_request_event(number=7, sha=HEAD_SHA, base="teacher/ch01-alice",
                       head="alice/ch01-alice") -> dict:
    """The parts of a real pull_request_target payload that matter, nested as GitHub does."""
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "title": "100/100 passed",
            "head": {"sha": sha, "ref": "feature", "repo": {"full_name": head}},
            "base": {"sha": "f" * 40, "ref": "main", "repo": {"full_name": base}},
        },
        "repository": {"full_name": base},
    }


def test_reads_the_pull_request_from_the_event(tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps(pull_request_event()), encoding="utf-8")
    assert ci.read_pull_request(str(event)) == ci.PullRequest(7, HEAD_SHA, "teacher/ch01-alice")
    # A push or a local run has no pull request: grading still works, without PR fields.
    event.write_text(json.dumps({"ref": "refs/heads/main", "repository": {"full_name": "t/r"}}))
    assert ci.read_pull_request(str(event)) == ci.PullRequest(None, None, "t/r")
    assert ci.read_pull_request(None) == ci.PullRequest()


def test_file_command_variables_are_taken_out_of_the_environment(monkeypatch, tmp_path):
    """Learner code, started after this, inherits nothing it could forge outputs through."""
    for name in ci._FILE_COMMAND_VARIABLES:
        monkeypatch.setenv(name, str(tmp_path / name))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "event.json"))
    github = ci._take_github_files()
    for name in ci._FILE_COMMAND_VARIABLES:
        assert name not in os.environ
        assert github[name] == str(tmp_path / name)
    assert github["GITHUB_EVENT_PATH"] == str(tmp_path / "event.json")


@pytest.mark.parametrize("lang, verdict, title", [("zh", "通过", "自动评分"), ("en", "passed", "Autograder")])
def test_comment_body_has_marker_verdict_commit_and_report(lang, verdict, title):
    pr = ci.PullRequest(7, HEAD_SHA, "t/r")
    body = ci.comment_body("**87.5 / 100**\n\n| `f` | 1 | 2 | ❌ |", True, 60, pr, lang)
    assert body.startswith(ci.COMMENT_MARKER + "\n")
    assert title in body and verdict in body and "✅" in body
    assert "60%" in body
    assert HEAD_SHA[:12] in body
    assert "| `f` | 1 | 2 | ❌ |" in body
    failing = ci.comment_body("", False, 60, pr, lang)
    assert "❌" in failing and "✅" not in failing
    # Outside a pull request there is no commit to name.
    assert "`" + HEAD_SHA[:12] not in ci.comment_body("", True, 60, ci.PullRequest(), lang)


def test_a_huge_report_is_cut_to_fit_a_comment():
    body = ci.COMMENT_MARKER + "\n" + "| row |\n" * 20_000
    fitted = ci._fit_comment(body, "en")
    assert len(fitted) <= ci.COMMENT_LIMIT + 200
    assert fitted.startswith(ci.COMMENT_MARKER) and "job summary" in fitted


# --- end to end: a simulated pull_request_target run ----------------------------------------

def wrong_source() -> str:
    """Everything right except sigmoid, which computes sigmoid(-x)."""
    source = correct_source()
    right = "return np.where(x >= 0, 1 / (1 + e), e / (1 + e))"
    assert source.count(right) == 1, "the reference's sigmoid changed; update this mistake"
    return source.replace(right, "return np.where(x >= 0, e / (1 + e), 1 / (1 + e))")


CHEAT = '''

# --- what a learner might add to fake a score -------------------------------------------
import json as _json, os as _os
print("100/100 passed")
print("score=100")
for _target in ("results.json", _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "results.json")):
    try:
        with open(_target, "w") as _f:
            _json.dump({"score": 100, "max_score": 100, "tests": []}, _f)
    except OSError:
        pass
for _name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV"):
    try:
        with open(_os.environ[_name], "a") as _f:
            _f.write("score=100\\nmax_score=100\\npassed=true\\n")
    except (KeyError, OSError):
        pass
'''

FORGED_TESTS = "def test_everything():\n    assert True  # 100/100 passed\n"
FORGED_WORKFLOW = """on: pull_request
jobs:
  grade:
    runs-on: ubuntu-latest
    steps:
      - run: echo "score=100" >> "$GITHUB_OUTPUT"; echo "100/100 passed"
"""


class Run:
    """One simulated workflow run: its files, and what the runner would read afterwards."""

    def __init__(self, tmp_path: Path, submission_source: str, *, edits_tests=False):
        self.repo = tmp_path / "submission"  # the workflow's data-only checkout
        (self.repo / "tests").mkdir(parents=True)
        (self.repo / ".github/workflows").mkdir(parents=True)
        (self.repo / "nn_basics.py").write_text(submission_source, encoding="utf-8")
        (self.repo / "tests/test_nn_basics.py").write_text(
            FORGED_TESTS if edits_tests else "from nn_basics import sigmoid\n", encoding="utf-8")
        (self.repo / ".github/workflows/grade.yml").write_text(
            FORGED_WORKFLOW if edits_tests else (ROOT / "templates/learner-repo/.github/workflows/grade.yml").read_text(),
            encoding="utf-8")
        if edits_tests:
            (self.repo / "results.json").write_text('{"score": 100, "max_score": 100}')
        self.event = tmp_path / "event.json"
        self.event.write_text(json.dumps(pull_request_event()), encoding="utf-8")
        self.summary = tmp_path / "step_summary.md"
        self.output = tmp_path / "output.txt"
        self.summary.write_text("")
        self.output.write_text("")
        self.runner_temp = tmp_path / "runner_temp"
        self.runner_temp.mkdir()
        self.workdir = tmp_path / "kit-cwd"
        self.workdir.mkdir()

    def ci(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        environment = {k: v for k, v in os.environ.items()
                       if not k.startswith(("GITHUB_", "RUNNER_", "AUTOGRADER_"))}
        environment.update(
            GITHUB_ACTIONS="true", GITHUB_EVENT_NAME="pull_request_target",
            GITHUB_EVENT_PATH=str(self.event), GITHUB_STEP_SUMMARY=str(self.summary),
            GITHUB_OUTPUT=str(self.output), RUNNER_TEMP=str(self.runner_temp), **env)
        return subprocess.run(
            [*CI_COMMAND, str(self.repo / "nn_basics.py"), *args],
            cwd=self.workdir, env=environment, capture_output=True, text=True, timeout=600)

    @property
    def outputs(self) -> dict[str, str]:
        return ci.parse_outputs(self.output.read_text(encoding="utf-8"))

    @property
    def comment(self) -> str:
        return Path(self.outputs["comment_path"]).read_text(encoding="utf-8")


# `python -m autograder ci`, exactly as the workflow runs it.
CI_COMMAND = [sys.executable, "-m", "autograder", "ci"]


def graded(path: Path, lang="zh"):
    """The grader's own verdict on a file, computed in-process: what ci must report."""
    from autograder.grade import grade_submission

    return grade_submission(str(path), lang=lang)


def assert_reported(run: Run, results, passed: bool):
    out = run.outputs
    assert out["score"] == ci._fmt(results.score)
    assert out["max_score"] == ci._fmt(results.max_score)
    assert out["passed"] == ("true" if passed else "false")
    assert out["pr_number"] == "7" and out["head_sha"] == HEAD_SHA
    assert out["repository"] == "teacher/ch01-alice"
    assert out["comment_marker"] == ci.COMMENT_MARKER
    # The comment file is where the output says, under RUNNER_TEMP, and the same text as the
    # multi-line `comment` output the workflow posts.
    assert Path(out["comment_path"]).parent == run.runner_temp
    assert out["comment"] == run.comment.rstrip("\n")
    assert run.comment.startswith(ci.COMMENT_MARKER)
    assert f"{ci._fmt(results.score)} / {ci._fmt(results.max_score)}" in run.comment
    summary = run.summary.read_text(encoding="utf-8")
    assert f"{ci._fmt(results.score)} / {ci._fmt(results.max_score)}" in summary
    assert ci.COMMENT_MARKER not in summary  # a marker is for finding the comment only
    for text in (run.comment, summary):
        # The grader's own table: one row per contract function with its score and maximum.
        for function, (score, max_score) in results.by_function().items():
            rows = [line for line in text.splitlines()
                    if line.startswith(f"| `{function}` |")]
            assert len(rows) == 1, f"no single table row for {function}"
            assert rows[0].startswith(
                f"| `{function}` | {ci._fmt(score)} | {ci._fmt(max_score)} |"), rows[0]


def test_correct_submission_passes(tmp_path):
    run = Run(tmp_path, correct_source())
    proc = run.ci()
    assert proc.returncode == 0, proc.stderr
    results = graded(run.repo / "nn_basics.py")
    assert results.score == results.max_score == 100
    assert_reported(run, results, passed=True)
    assert "通过" in run.comment and "❌" not in run.comment


def test_wrong_sigmoid_loses_its_points_and_fails_a_pass_mark_above_its_score(tmp_path):
    run = Run(tmp_path, wrong_source())
    proc = run.ci("--pass-mark", "100")
    assert proc.returncode == 1, proc.stderr
    results = graded(run.repo / "nn_basics.py")
    assert results.score < results.max_score
    sigmoid_score, sigmoid_max = results.by_function()["sigmoid"]
    assert sigmoid_score < sigmoid_max
    assert_reported(run, results, passed=False)
    assert "❌" in run.comment and "100" in run.comment


def test_pass_mark_and_language_come_from_the_environment(tmp_path):
    """The workflow sets AUTOGRADER_PASS_MARK and AUTOGRADER_LANG; the same wrong submission
    passes a mark at its score and fails one just above it."""
    results = None
    for mark, code in (("0", 0), ("100", 1)):
        run = Run(tmp_path / mark, wrong_source())
        proc = run.ci(AUTOGRADER_PASS_MARK=mark, AUTOGRADER_LANG="en")
        assert proc.returncode == code, proc.stderr
        results = results or graded(run.repo / "nn_basics.py", lang="en")
        assert_reported(run, results, passed=code == 0)
        assert run.outputs["pass_mark"] == mark
        assert "Autograder" in run.comment and "自动评分" not in run.comment


def test_edited_tests_workflow_and_forged_output_change_nothing(tmp_path):
    """The PR edits its tests and workflow, prints "100/100 passed", writes results.json and
    tries GitHub's output files: the score is the grader's alone (0 for an unattempted stub)."""
    run = Run(tmp_path, stub_source() + CHEAT, edits_tests=True)
    proc = run.ci()  # default pass mark, 60
    assert proc.returncode == 1, proc.stderr
    results = graded(Run(tmp_path / "plain", stub_source()).repo / "nn_basics.py")
    assert results.score == 0
    assert_reported(run, results, passed=False)
    # Each output written once, by the grader: no forged line, even one the runner would
    # read before ours.
    lines = run.output.read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.startswith(("score=", "passed="))] == \
        ["score=0", "passed=false"]
    assert "passed=true" not in run.summary.read_text(encoding="utf-8")


def test_a_missing_submission_fails_the_check_and_says_why(tmp_path):
    run = Run(tmp_path, correct_source())
    (run.repo / "nn_basics.py").unlink()
    proc = run.ci()
    assert proc.returncode == 2
    assert run.outputs["passed"] == "false" and "score" not in run.outputs
    assert run.comment.startswith(ci.COMMENT_MARKER)
    assert "nn_basics.py" in run.comment and "nn_basics.py" in run.summary.read_text()


def test_an_unreadable_event_is_a_grader_failure_not_a_grade(tmp_path):
    run = Run(tmp_path, correct_source())
    run.event.write_text("not json", encoding="utf-8")
    proc = run.ci()
    assert proc.returncode == 2
    assert "event payload" in proc.stderr
    assert run.output.read_text() == ""  # nothing for the verdict job to mistake for a score
