"""No path between classmates (issue 18, attacks 1 and 8, and the class discovery around them):
a file named directly is graded alone, so a notebook of a flat class folder can neither import a
classmate's module nor be refused for a classmate's link, FIFO or hard link; whatever one entry
of a class is or holds changes that entry's grade only."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import nbformat
import pytest

from autograder.core.submission import GRADED_NAMES, MODULE_NAME
from autograder.doors.batch import find_submissions, learner_names
from autograder.sandbox import intake
from tests.cli_in_process import run_cli
from tests.mistakes import correct_source, reference_source

KIT = Path(__file__).resolve().parent.parent


def notebook(path: Path, *sources: str) -> Path:
    """A plain notebook (no nbgrader metadata: every code cell runs) holding `sources`."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, str(path))
    return path


def read(path: Path) -> intake.Received:
    return intake.read_submission(path, MODULE_NAME, GRADED_NAMES)


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(encoding="utf-8") as f:
        return {row["learner"]: row for row in csv.DictReader(f)}


def report(out: Path, learner: str) -> dict:
    return json.loads((out / f"{learner}.json").read_text(encoding="utf-8"))


# --- attack 1: a notebook named directly took its classmates' modules as siblings ---------------


def test_a_notebook_named_directly_is_read_alone(tmp_path):
    (tmp_path / "alice.py").write_text(reference_source(), encoding="utf-8")
    (tmp_path / "public_checks.py").write_text("OFFSET = 0.25\n", encoding="utf-8")
    received = read(notebook(tmp_path / "mallory.ipynb", "from alice import *"))
    assert received.kind == "ipynb" and received.siblings == {}


def test_a_learner_folder_keeps_its_own_modules(tmp_path):
    """A folder is one learner's: its helper modules are that learner's and come along."""
    (tmp_path / "helper.py").write_text("OFFSET = 0.25\n", encoding="utf-8")
    notebook(tmp_path / "ch01.ipynb", "from helper import *")
    assert read(tmp_path).siblings == {"helper.py": b"OFFSET = 0.25\n"}


def test_mallory_importing_alice_in_a_flat_class_scores_0(tmp_path, capsys):
    """grade-all's flat layout: mallory.ipynb holds no code of its own, only `from alice import *`;
    it scored 100/100 with alice.py copied beside it. Through grade-all and `grade` alike."""
    submissions = tmp_path / "class"
    submissions.mkdir()
    (submissions / "alice.py").write_text(correct_source(), encoding="utf-8")
    mallory = notebook(submissions / "mallory.ipynb", "from alice import *")
    out = tmp_path / "reports"
    done = run_cli(capsys, "grade-all", submissions, "--output-dir", out)
    assert done.returncode == 0, done.stderr
    rows = gradebook(out)
    assert float(rows["alice"]["score"]) == 100
    assert float(rows["mallory"]["score"]) == 0
    assert "alice" in report(out, "mallory")["load_error"]  # No module named 'alice'
    done = run_cli(capsys, "grade", mallory, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == 0


@pytest.mark.parametrize(
    "path, score",
    [("release/ch01/ch01.ipynb", 0), ("source/ch01/ch01.ipynb", 100)],
    ids=["stub", "reference"],
)
def test_the_kits_notebooks_named_directly_grade_as_before(path, score, capsys):
    """The graded cells (setup and answers) import no kit helper: public_checks and figures are
    imported by a plot cell the grader never runs, so nothing beside the notebook is needed."""
    assert read(KIT / path).siblings == {}
    done = run_cli(capsys, "grade", KIT / path, "--format", "json")
    assert done.returncode == 0, done.stderr
    graded = json.loads(done.stdout)
    assert graded["score"] == score and graded["grader_errors"] == [] and graded["load_error"] is None


# --- attack 8: one entry's link, FIFO, hard link or size refused its notebook classmates -------


def _bad_entry(kind: str, folder: Path, outside: Path) -> Path:
    """One entry of `kind` named eve.py in `folder` (what it points at lies in `outside`)."""
    eve = folder / "eve.py"
    if kind == "link":
        eve.symlink_to(folder / "alice.py")
    elif kind == "fifo":
        os.mkfifo(eve)
    elif kind == "hard link":
        (outside / "reference.py").write_text(reference_source(), encoding="utf-8")
        os.link(outside / "reference.py", eve)
    else:  # oversized, sparse: its size is refused before a byte is read
        eve.touch()
        os.truncate(eve, intake.MAX_MODULE_BYTES + 1)
    return eve


BAD_KINDS = ["link", "fifo", "hard link", "oversized"]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_a_classmates_bad_entry_is_not_read_with_a_notebook(kind, tmp_path):
    """On main every notebook of the folder was refused 'eve.py is a link' (or a FIFO, ...)."""
    (tmp_path / "class").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "class" / "alice.py").write_text(correct_source(), encoding="utf-8")
    _bad_entry(kind, tmp_path / "class", tmp_path / "outside")
    received = read(notebook(tmp_path / "class" / "bob.ipynb", correct_source()))
    assert received.kind == "ipynb" and received.siblings == {}


def test_each_bad_entry_of_a_flat_class_refuses_only_itself(tmp_path, capsys):
    """A flat folder with correct learners (alice.py, bob.ipynb) and one entry of every bad kind:
    each bad entry is 0 with its own reason, and alice and bob score 100."""
    submissions, outside = tmp_path / "class", tmp_path / "outside"
    submissions.mkdir()
    outside.mkdir()
    (submissions / "alice.py").write_text(correct_source(), encoding="utf-8")
    notebook(submissions / "bob.ipynb", correct_source())
    reasons = {}
    for kind, why in zip(
        BAD_KINDS, ["link", "not a regular file", "hard link", "over the limit"], strict=True
    ):
        learner = "eve_" + kind.replace(" ", "_")
        _bad_entry(kind, submissions, outside).rename(submissions / f"{learner}.py")
        reasons[learner] = why
    big_notebook = submissions / "eve_big.ipynb"  # over the notebook's own limit
    big_notebook.touch()
    os.truncate(big_notebook, intake.MAX_NOTEBOOK_BYTES + 1)
    reasons["eve_big"] = "over the limit"
    out = tmp_path / "reports"
    done = run_cli(capsys, "grade-all", submissions, "--output-dir", out, "--lang", "en")
    assert done.returncode == 0, done.stderr
    rows = gradebook(out)
    assert set(rows) == {"alice", "bob", *reasons}
    assert float(rows["alice"]["score"]) == 100 and rows["alice"]["error"] == ""
    assert float(rows["bob"]["score"]) == 100 and rows["bob"]["error"] == "", rows["bob"]
    for learner, why in reasons.items():
        assert float(rows[learner]["score"]) == 0, learner
        assert why in rows[learner]["error"] + report(out, learner)["load_error"], learner


# --- class discovery: what one entry is or holds changes no one else's grade ------------------


def gbk(folder: Path, name: str) -> Path:
    """folder/name with name's bytes in GBK, as a Windows zip of Chinese file names unpacks."""
    return folder / os.fsdecode(name.encode("gbk"))


def test_a_name_that_is_not_utf8_costs_no_one_their_grade(tmp_path, capsys):
    """张三.py in GBK: its name reached the gradebook and the shard's hash as lone surrogates;
    writing the gradebook raised after alice's row and `--shard` raised in every shard, so no
    learner of the class got a grade. A backslash in a name made merge refuse every part. Such
    names are now spelled out (%D5...), and the shards merge into the unsharded gradebook."""
    submissions = tmp_path / "class"
    submissions.mkdir()
    (submissions / "alice.py").write_text(correct_source(), encoding="utf-8")
    gbk(submissions, "张三.py").write_text("x = 1\n", encoding="utf-8")
    gbk(submissions, "李四.py").symlink_to("alice.py")  # its refusal quotes its path
    gbk(submissions, "王五").mkdir()
    (gbk(submissions, "王五") / "nn_basics.py").write_text("x = 1\n", encoding="utf-8")
    (submissions / "back\\slash.py").write_text("x = 1\n", encoding="utf-8")
    for shard in ("1/1", "1/2", "2/2"):
        out = tmp_path / shard.replace("/", "of")
        done = run_cli(capsys, "grade-all", submissions, "--output-dir", out, "--shard", shard)
        assert done.returncode == 0, done.stderr
    done = run_cli(capsys, "merge", tmp_path / "1of2", tmp_path / "2of2", "--output-dir", tmp_path / "merged")
    assert done.returncode == 0, done.stderr
    rows = gradebook(tmp_path / "merged")
    assert rows == gradebook(tmp_path / "1of1")
    assert float(rows["alice"]["score"]) == 100
    names = {"张三": "%D5%C5%C8%FD", "李四": "%C0%EE%CB%C4", "王五": "%CD%F5%CE%E5", "back": "back%5Cslash"}
    assert set(rows) == {"alice", *names.values()}
    for learner in names.values():
        assert float(rows[learner]["score"]) == 0
        assert report(tmp_path / "merged", learner)["max_score"] == 100
    assert "symbolic link" in rows[names["李四"]]["error"]


def test_names_read_alike_once_spelled_out_stay_apart(tmp_path):
    """A learner who names their file after a classmate's undecodable name spelled out (the
    three characters %D5) still gets a report of their own, and so does the classmate."""
    (tmp_path / "%D5.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / os.fsdecode(b"\xd5.py")).write_text("x = 1\n", encoding="utf-8")
    (tmp_path / os.fsdecode(b"\xd5")).mkdir()
    names = learner_names(sorted(tmp_path.iterdir()))
    assert len(set(names.values())) == 3, names
    assert all(name.encode("utf-8") for name in names.values())


def test_a_learner_folder_reaches_no_classmate(tmp_path, capsys):
    """Learner folders beside correct classmates (alice/, nbgrader's bob/ch01/): a ch01 that is a
    link to alice's folder, a notebook linked to bob's, a helper module linked to alice's file,
    and a folder holding a module named after a classmate. Each is graded on its own files only
    (the links refused, with the reason); alice and bob keep 100 and their names."""
    submissions = tmp_path / "class"
    submissions.mkdir()
    (submissions / "alice").mkdir()
    (submissions / "alice" / "nn_basics.py").write_text(correct_source(), encoding="utf-8")
    (submissions / "bob" / "ch01").mkdir(parents=True)
    notebook(submissions / "bob" / "ch01" / "ch01.ipynb", correct_source())
    (submissions / "mallory").mkdir()
    (submissions / "mallory" / "ch01").symlink_to(submissions / "alice", target_is_directory=True)
    (submissions / "oscar").mkdir()
    (submissions / "oscar" / "ch01.ipynb").symlink_to(submissions / "bob" / "ch01" / "ch01.ipynb")
    (submissions / "trent").mkdir()
    (submissions / "trent" / "nn_basics.py").write_text("from helper import *\n", encoding="utf-8")
    (submissions / "trent" / "helper.py").symlink_to(submissions / "alice" / "nn_basics.py")
    (submissions / "zed").mkdir()
    (submissions / "zed" / "nn_basics.py").write_text("from alice import *\n", encoding="utf-8")
    (submissions / "zed" / "alice.py").write_text("x = 1\n", encoding="utf-8")  # zed's own
    found = {f.learner: f for f in find_submissions(submissions)}
    assert set(found) == {"alice", "bob", "mallory", "oscar", "trent", "zed"}
    out = tmp_path / "reports"
    done = run_cli(capsys, "grade-all", submissions, "--output-dir", out, "--lang", "en")
    assert done.returncode == 0, done.stderr
    rows = gradebook(out)
    assert float(rows["alice"]["score"]) == 100 and float(rows["bob"]["score"]) == 100
    for learner in ("mallory", "oscar", "trent", "zed"):
        assert float(rows[learner]["score"]) == 0, learner
    for learner in ("mallory", "oscar", "trent"):
        assert "symbolic link" in rows[learner]["error"] + report(out, learner)["load_error"], learner


def test_a_classroom_clone_named_like_the_shard_marker_keeps_its_report(tmp_path, capsys):
    """ch01-__shard/ was named __shard, and its report __shard.json was the shard's marker."""
    submissions = tmp_path / "class"
    for name in ("ch01-__shard", "ch01-__merge", "ch01-.hidden"):
        (submissions / name).mkdir(parents=True)
        (submissions / name / "nn_basics.py").write_text("x = 1\n", encoding="utf-8")
    part, merged = tmp_path / "part", tmp_path / "merged"
    assert run_cli(capsys, "grade-all", submissions, "--shard", "1/1", "--output-dir", part).returncode == 0
    assert run_cli(capsys, "merge", part, "--output-dir", merged).returncode == 0
    assert set(gradebook(merged)) == {"ch01-__shard", "ch01-__merge", "ch01-.hidden"}
    for learner in gradebook(merged):
        assert report(merged, learner)["max_score"] == 100


def test_a_name_too_long_for_its_report_costs_no_one_their_grade(tmp_path, capsys):
    """a...a.py with a 252-byte stem (or 84 Chinese characters): <stem>.json is over the 255
    bytes a file name may have, and writing that report raised in grade-all: no gradebook."""
    submissions = tmp_path / "class"
    submissions.mkdir()
    (submissions / "alice.py").write_text(correct_source(), encoding="utf-8")
    long_names = ["a" * 252, "a" * 251 + "b", "张" * 84]
    for name in long_names:
        (submissions / f"{name}.py").write_text("x = 1\n", encoding="utf-8")
    out = tmp_path / "reports"
    done = run_cli(capsys, "grade-all", submissions, "--output-dir", out)
    assert done.returncode == 0, done.stderr
    rows = gradebook(out)
    assert len(rows) == 4 and float(rows["alice"]["score"]) == 100
    for learner in set(rows) - {"alice"}:
        assert float(rows[learner]["score"]) == 0 and report(out, learner)["max_score"] == 100


def test_an_unreadable_learner_folder_is_that_learners_problem(tmp_path, monkeypatch):
    """A folder of mode 000 (unzip restores a learner's modes) made os.lstat of its files raise
    PermissionError in find_submissions: grade-all stopped before grading anyone. (The tests run
    as root, whom modes do not stop, so the error is raised as the kernel would for a user.)"""
    for name in ("alice", "mallory"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "nn_basics.py").write_text("x = 1\n", encoding="utf-8")
    real_lstat = os.lstat

    def lstat(path, *args, **kwargs):
        if Path(path).parent.name == "mallory":
            raise PermissionError(13, "Permission denied", str(path))
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", lstat)
    found = {f.learner: f for f in find_submissions(tmp_path)}
    assert found["alice"].path == tmp_path / "alice" and found["alice"].problem == ""
    assert found["mallory"].path is None and "Permission denied" in found["mallory"].problem


def test_gradescope_grades_the_notebook_alone(tmp_path, capsys):
    """Gradescope's door names the graded file (submission/ch01.ipynb): like every door, it is
    read alone, so a notebook whose code is a module beside it (here the reference) scores 0."""
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "helper.py").write_text(correct_source(), encoding="utf-8")
    notebook(tmp_path / "submission" / "ch01.ipynb", "from helper import *")
    done = run_cli(capsys, "gradescope", "--root", tmp_path)
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 0 and results["max_score"] == 100
