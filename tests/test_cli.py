"""`python -m autograder grade` as an instructor runs it: the SPEC's exit statuses, formats,
--output and --lang, on the reference, the stub, a folder and a notebook; `cli.main` maps a
command's CannotGrade to exit status 2, in one place. In-process (tests/cli_in_process.py), but
for one run of the real process: its exit status and streams as the shell sees them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.core.grade import load_rubric
from autograder.doors.cli import COMMANDS, build_parser, main
from autograder.doors.commands import EXIT_CANNOT_GRADE, CannotGrade
from tests.cli_in_process import run_cli
from tests.mistakes import REFERENCE, reference_source, stub_source, write

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def autograder(capsys):
    return lambda *args: run_cli(capsys, *args)


def test_reference_through_the_cli_scores_100_and_exits_0(autograder):
    done = autograder("grade", REFERENCE, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["score"], data["max_score"]) == (100, 100)


def test_stub_through_the_cli_scores_0_and_still_exits_0(tmp_path, autograder):
    done = autograder("grade", write(tmp_path, "stub", stub_source()), "--format", "gradescope")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["score"] == 0 and data["max_score"] == 100
    # each function's first check says it, the others point to it (grade.collapse_causes)
    assert all(
        t["status"] == "failed" and ("未实现" in t["output"] or "原因相同" in t["output"])
        for t in data["tests"]
    )
    assert sum("未实现" in t["output"] for t in data["tests"]) == len(load_rubric())


def test_missing_submission_exits_non_zero_with_a_message(tmp_path):
    """The one real process: the status reaches the shell, the message goes to stderr only."""
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(tmp_path / "nope.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2 and "no such file" in done.stderr and done.stdout == ""


def test_folder_without_nn_basics_exits_non_zero(tmp_path, autograder):
    done = autograder("grade", tmp_path)
    assert done.returncode == 2 and done.stdout == ""


@pytest.mark.parametrize(
    "args",
    [["grade"], ["grade", "x.py", "--format", "pdf"], ["grade", "x.py", "--lang", "fr"], ["frobnicate"]],
)
def test_bad_arguments_exit_non_zero(args, autograder):
    assert autograder(*args).returncode == 2


def test_output_file_gets_the_report_and_stdout_stays_empty(tmp_path, autograder):
    folder = tmp_path / "learner"
    folder.mkdir()
    (folder / "nn_basics.py").write_text(reference_source(), encoding="utf-8")
    out = tmp_path / "reports" / "learner.xml"
    done = autograder("grade", folder, "--format", "junit", "--output", out)
    assert done.returncode == 0 and done.stdout == ""
    assert 'failures="0"' in out.read_text(encoding="utf-8")


def test_lang_en_gives_english_feedback_and_zh_is_the_default(tmp_path, autograder):
    stub = write(tmp_path, "stub", stub_source())
    zh, en = autograder("grade", stub), autograder("grade", stub, "--lang", "en")
    assert "未实现" in zh.stdout
    assert "not implemented" in en.stdout and not CJK.search(en.stdout.replace(str(stub), ""))


def test_notebook_submission_is_graded_from_its_code_cells(tmp_path, autograder):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 第 1 章"), nbformat.v4.new_code_cell(reference_source())]
    path = tmp_path / "ch01.ipynb"
    nbformat.write(nb, path)
    done = autograder("grade", path, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == 100


def test_subcommands_come_from_modules_with_add_parser_and_run():
    """Another subcommand (e.g. `gradescope`) is one more module in COMMANDS, nothing else."""
    parser = build_parser()
    for module in COMMANDS:
        assert module.startswith("autograder.")
    args = parser.parse_args(["grade", "x.py", "--format", "markdown", "--lang", "en"])
    assert callable(args.func) and args.format == "markdown" and args.lang == "en"


def test_a_command_that_cannot_grade_exits_2_with_its_message_through_main_alone(monkeypatch, capsys):
    """CannotGrade, wherever a command raises it, becomes one line on stderr and status 2 in cli.main."""
    from autograder.doors.commands import grade

    def cannot(args):
        raise CannotGrade("the reason")

    monkeypatch.setattr(grade, "run", cannot)
    assert main(["grade", "x.py"]) == EXIT_CANNOT_GRADE == 2
    assert capsys.readouterr() == ("", "autograder grade: the reason\n")


@pytest.mark.parametrize(
    "args, reason",
    [
        (["grade-all", "{tmp}/nope"], "not a folder"),
        (["grade-all", "{tmp}", "--jobs", "0"], "--jobs must be at least 1"),
        (["merge", "{tmp}/part"], "no finished shard"),
        (["gradescope", "--root", "{tmp}", "--config", "{tmp}/bad.json"], "not allowed"),
    ],
)
def test_each_command_that_cannot_run_exits_2_and_says_why(tmp_path, autograder, args, reason):
    (tmp_path / "bad.json").write_text('{"lang": "fr"}', encoding="utf-8")
    done = autograder(*(arg.format(tmp=tmp_path) for arg in args))
    assert (
        done.returncode == 2 and done.stderr.startswith(f"autograder {args[0]}: ") and reason in done.stderr
    )
