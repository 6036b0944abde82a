"""`grade-all` on a class: parallel, a progress bar, a CSV gradebook and one report per learner,
going on past submissions that hang, crash, do not parse or are missing."""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.core.submission import graded_file
from autograder.doors.batch import NO_SUBMISSION, entries, find_submissions, learner_names
from tests.cli_in_process import run_cli
from tests.mistakes import MISTAKES, reference_source, stub_source, with_bodies

ROOT = Path(__file__).resolve().parents[1]


def make_class(root: Path) -> dict[str, str]:
    """51 learners; returns {learner: what they submitted}."""
    root.mkdir()
    kinds = {}
    for i in range(8):
        (root / f"ref_{i:02d}").mkdir()
        (root / f"ref_{i:02d}" / "nn_basics.py").write_text(reference_source(), encoding="utf-8")
        kinds[f"ref_{i:02d}"] = "reference"
    for i in range(30):
        (root / f"stub_{i:02d}.py").write_text(stub_source(), encoding="utf-8")
        kinds[f"stub_{i:02d}"] = "stub"
    for mistake in MISTAKES[:: len(MISTAKES) // 8][:8]:
        (root / f"{mistake.name}.py").write_text(mistake.source(), encoding="utf-8")
        kinds[mistake.name] = mistake.seen_in or mistake.function
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(reference_source())]
    nbformat.write(nb, root / "notebook_learner.ipynb")
    kinds["notebook_learner"] = "reference"
    (root / "hangs_in_train.py").write_text(with_bodies({"train": "while True:\n    pass"}), encoding="utf-8")
    (root / "exits_at_load.py").write_text("import os\nos._exit(1)\n" + reference_source(), encoding="utf-8")
    (root / "syntax_error.py").write_text("def sigmoid(x:\n", encoding="utf-8")
    (root / "empty_folder").mkdir()
    kinds.update(hangs_in_train="hang", exits_at_load="broken", syntax_error="broken", empty_folder="broken")
    (root / ".DS_Store").write_text("")  # not a learner
    (root / "notes.txt").write_text("")  # not a submission
    return kinds


@pytest.mark.slow  # ~50 gradings on 2 workers: the class size, not reducible
def test_grade_all_grades_a_class_of_51_past_hanging_and_broken_submissions(tmp_path, capsys):
    kinds = make_class(tmp_path / "class")
    out = tmp_path / "reports"
    # --timeout 20: far above a normal grading (a few seconds, even loaded) and below the 30 s
    # the sandbox allows one train call, so the hang is stopped by grade-all itself.
    done = run_cli(
        capsys, "grade-all", tmp_path / "class", "--jobs", "2", "--output-dir", out, "--timeout", "20"
    )
    assert done.returncode == 0, done.stderr
    assert "51/51" in done.stderr  # tqdm's progress bar, on stderr
    with (out / "gradebook.csv").open(encoding="utf-8") as f:
        rows = {row["learner"]: row for row in csv.DictReader(f)}
    assert set(rows) == set(kinds)
    for learner, kind in kinds.items():
        row = rows[learner]
        report = json.loads((out / f"{learner}.json").read_text(encoding="utf-8"))
        assert float(row["score"]) == report["score"]
        if kind == "reference":
            assert float(row["score"]) == 100 and row["error"] == "", learner
        elif kind in ("stub", "broken", "hang"):
            assert float(row["score"]) == 0, learner
        else:  # a mistake: points lost in the column of the function it breaks
            assert float(row[kind]) < report["functions"][kind]["max_score"], learner
    assert "stopped after 20 s" in rows["hangs_in_train"]["error"]
    assert rows["empty_folder"]["error"] == "no submission"


def test_entries_are_learner_folders_and_submission_files_only(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice.py").write_text("")
    (tmp_path / "bob.ipynb").write_text("")
    (tmp_path / "readme.md").write_text("")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "__pycache__").mkdir()
    found = entries(tmp_path)
    assert [p.name for p in found] == ["alice", "alice.py", "bob.ipynb"]
    # alice/ and alice.py would both be "alice": the second keeps its full name
    assert sorted(learner_names(found).values()) == ["alice", "alice.py", "bob"]


def write(path: Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_every_layout_an_instructor_has_is_read_and_every_learner_listed(tmp_path):
    write(tmp_path / "alice" / "ch01" / "ch01.ipynb", "{}")  # nbgrader's submitted/<student>/ch01/
    write(tmp_path / "alice" / "ch01" / "timestamp.txt")
    write(tmp_path / "bob" / "ch01" / "nn_basics.py")  # the same, a module
    write(tmp_path / "carol" / "nn_basics.py")  # a folder of learner folders
    write(tmp_path / "dave" / "nn_basics.py")
    write(tmp_path / "dave" / "ch01.ipynb", "{}")  # the rule: the notebook wins
    write(tmp_path / "erin.py")  # flat files
    write(tmp_path / "frank.ipynb", "{}")
    write(tmp_path / "ch01-gina" / "nn_basics.py")  # a Classroom clone
    write(tmp_path / "ch01-gina" / ".git" / "HEAD")
    write(tmp_path / "ch01-hank" / "README.md")  # a clone with nothing handed in
    (tmp_path / "ivan").mkdir()  # an empty folder
    (tmp_path / "judy" / "ch01").mkdir(parents=True)  # nbgrader's layout, empty
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    write(outside / "nn_basics.py")
    (tmp_path / "mallory").symlink_to(outside)  # links: refused, not followed
    write(tmp_path / "oscar" / "nn_basics.py")
    (tmp_path / "oscar" / "ch01.ipynb").symlink_to("/etc/passwd")
    (tmp_path / "trent.py").symlink_to(outside / "nn_basics.py")
    os.mkfifo(tmp_path / "peggy.py")  # a FIFO: listed, never opened
    found = {f.learner: f for f in find_submissions(tmp_path)}
    graded = {name: str(graded_file(f.path).relative_to(tmp_path)) for name, f in found.items() if f.path}
    assert graded == {
        "alice": "alice/ch01/ch01.ipynb",
        "bob": "bob/ch01/nn_basics.py",
        "carol": "carol/nn_basics.py",
        "dave": "dave/ch01.ipynb",
        "erin": "erin.py",
        "frank": "frank.ipynb",
        "gina": "ch01-gina/nn_basics.py",
    }
    problems = {name: f.problem for name, f in found.items() if not f.path}
    assert set(problems) == {"hank", "ivan", "judy", "mallory", "oscar", "trent", "peggy"}
    assert all(problems[name] == NO_SUBMISSION for name in ("hank", "ivan", "judy"))
    assert all("symbolic link" in problems[name] for name in ("mallory", "oscar", "trent"))
    assert "not a regular file" in problems["peggy"]


def test_a_learner_without_a_submission_is_in_the_gradebook_with_zero(tmp_path, capsys, monkeypatch):
    (tmp_path / "class" / "ivan").mkdir(parents=True)
    (tmp_path / "class" / "linked").symlink_to(ROOT / "solutions")
    out = tmp_path / "reports"
    monkeypatch.chdir(tmp_path)
    done = run_cli(capsys, "grade-all", tmp_path / "class", "--output-dir", out)
    assert done.returncode == 0, done.stderr
    with (out / "gradebook.csv").open(encoding="utf-8") as f:
        rows = {row["learner"]: row for row in csv.DictReader(f)}
    assert rows["ivan"]["score"] == "0" and rows["ivan"]["error"] == "no submission"
    assert rows["linked"]["score"] == "0" and "refused, not followed" in rows["linked"]["error"]
    assert json.loads((out / "ivan.json").read_text(encoding="utf-8"))["score"] == 0


def test_grade_all_refuses_a_missing_folder(tmp_path, capsys):
    done = run_cli(capsys, "grade-all", tmp_path / "nope")
    assert done.returncode == 2 and "not a folder" in done.stderr


def test_a_slot_that_dies_fails_its_learner_only_and_the_next_gets_a_fresh_one(tmp_path):
    """A grader fault that takes a whole grading process down (here: the first slot exits as it
    starts) is that learner's error row; the next learner is graded by a fresh slot."""
    from autograder.doors.slots import SLOT_COMMAND, Slots

    (tmp_path / "reports").mkdir()
    for name in ("alice", "bob"):
        (tmp_path / f"{name}.py").write_text(reference_source(), encoding="utf-8")
    flag = tmp_path / "died-once"
    dies_once = [
        sys.executable,
        "-P",
        "-c",
        f"import os, sys, pathlib\nflag = pathlib.Path({str(flag)!r})\n"
        "if not flag.exists():\n    flag.touch()\n"
        "    print('boom: the grader broke', file=sys.stderr); os._exit(5)\n"
        "from autograder.doors.slots import serve_slot; serve_slot()",
    ]
    slots = Slots(tmp_path / "reports", dies_once)
    try:
        first = slots.grade_one(tmp_path / "alice.py", tmp_path / "reports" / "alice.json", "en", 120)
        second = slots.grade_one(tmp_path / "bob.py", tmp_path / "reports" / "bob.json", "en", 120)
    finally:
        slots.close()
    assert (first.score, first.error) == (0, "grader exited with 5: boom: the grader broke")
    assert json.loads((tmp_path / "reports" / "alice.json").read_text())["score"] == 0
    assert (second.score, second.error) == (100, "")
    assert SLOT_COMMAND[-1].endswith("serve_slot()")


def test_a_grader_fault_on_one_learner_is_that_learners_grader_error(tmp_path, monkeypatch):
    from autograder.core import grade
    from autograder.doors.slots import grade_in_slot

    def broken(path, lang="zh"):
        raise RuntimeError("a bug in the grader")

    monkeypatch.setattr(grade, "grade_submission", broken)
    (tmp_path / "alice.py").write_text(reference_source(), encoding="utf-8")
    results = grade_in_slot(tmp_path / "alice.py", tmp_path / "alice.json", "en")
    error = results.not_graded
    assert error == "grader failed: RuntimeError: a bug in the grader"
    assert results.score == 0 and json.loads((tmp_path / "alice.json").read_text())["load_error"] == error
