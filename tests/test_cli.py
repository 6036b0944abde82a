"""`python -m autograder grade` as an instructor runs it: the SPEC's exit statuses, formats,
--output and --lang, on the reference, the stub, a folder and a notebook."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.cli import COMMANDS, build_parser
from tests.mistakes import REFERENCE, reference_source, stub_source, write

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")


def autograder(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_reference_through_the_cli_scores_100_and_exits_0():
    done = autograder("grade", REFERENCE, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["score"], data["max_score"]) == (100, 100)


def test_stub_through_the_cli_scores_0_and_still_exits_0(tmp_path):
    done = autograder("grade", write(tmp_path, "stub", stub_source()), "--format", "gradescope")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["score"] == 0 and data["max_score"] == 100
    assert all(t["status"] == "failed" and "未实现" in t["output"] for t in data["tests"])


def test_missing_submission_exits_non_zero_with_a_message(tmp_path):
    done = autograder("grade", tmp_path / "nope.py")
    assert done.returncode == 2 and "no such file" in done.stderr and done.stdout == ""


def test_folder_without_nn_basics_exits_non_zero(tmp_path):
    done = autograder("grade", tmp_path)
    assert done.returncode == 2 and done.stdout == ""


@pytest.mark.parametrize("args", [["grade"], ["grade", "x.py", "--format", "pdf"], ["grade", "x.py", "--lang", "fr"], ["frobnicate"]])
def test_bad_arguments_exit_non_zero(args):
    assert autograder(*args).returncode == 2


def test_output_file_gets_the_report_and_stdout_stays_empty(tmp_path):
    folder = tmp_path / "learner"
    folder.mkdir()
    (folder / "nn_basics.py").write_text(reference_source(), encoding="utf-8")
    out = tmp_path / "reports" / "learner.xml"
    done = autograder("grade", folder, "--format", "junit", "--output", out)
    assert done.returncode == 0 and done.stdout == ""
    assert 'failures="0"' in out.read_text(encoding="utf-8")


def test_lang_en_gives_english_feedback_and_zh_is_the_default(tmp_path):
    stub = write(tmp_path, "stub", stub_source())
    zh, en = autograder("grade", stub), autograder("grade", stub, "--lang", "en")
    assert "未实现" in zh.stdout
    assert "not implemented" in en.stdout and not CJK.search(en.stdout.replace(str(stub), ""))


def test_notebook_submission_is_graded_from_its_code_cells(tmp_path):
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
