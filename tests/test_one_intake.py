"""One intake (issue 25): every door resolves the same learner, the same file (as bytes) and the
same refusal for the same submission. Before, the CLI's sandbox read picked one file of a folder
and the lstat rule of nbgrader, Gradescope and grade-all another (a FIFO or a folder named like
the notebook was refused by one and looked past by the other), and a pull request's tarball took
a module five times the size the grader then refused.

Each door is run from its own entry point with the sandbox replaced by a recorder: what the door
would hand the sandbox (the bytes read, or the refusal) is captured and nothing runs. The tests
use only entry points every version of the kit has, so the table runs on the code before the
change too (where it fails on the rows marked so).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest

import autograder.sandbox
from autograder.core import grade
from autograder.doors import batch, classroom, nbgrader_hooks, slots
from autograder.doors.commands import CannotGrade, gradescope
from autograder.doors.commands import grade as grade_command
from autograder.sandbox.errors import Refused
from autograder.sandbox.intake import MAX_MODULE_BYTES, Received, read_submission
from tests.mistakes import correct_source

KIT = Path(__file__).resolve().parents[1]
NOTEBOOK_BYTES = (KIT / "release" / "ch01" / "ch01.ipynb").read_bytes()
MODULE_BYTES = correct_source().encode()


class Sent(BaseException):
    """What a door handed the sandbox, carried out of the grading it stops (a BaseException, so
    no door's `except Exception` takes it for a grader error)."""

    def __init__(self, source):
        super().__init__("sent")
        self.source = source


@pytest.fixture
def recorder(monkeypatch):
    def open_submission(source, **options):
        raise Sent(source)

    def grade_submission(path, **options):
        return grade.open_graded(path)  # the opener every door's grading uses

    monkeypatch.setattr(autograder.sandbox, "open_submission", open_submission)
    monkeypatch.setattr(grade, "grade_submission", grade_submission)


# --- what each door resolves, said the same way for every door ---------------------------------


def _kind(refused: Exception) -> str:
    kind = getattr(refused, "kind", None)
    return kind or str(getattr(refused, "reason", "")).removeprefix("refused_").replace("_", "-")


def sent(source) -> tuple:
    """("graded", file name, bytes) or ("refused", kind): a path (the code before the change
    handed the sandbox a path) is read as the sandbox read it."""
    if isinstance(source, (str, os.PathLike)):
        try:
            source = read_submission(source, "nn_basics", ("ch01.ipynb", "nn_basics.py"))
        except Refused as refused:
            source = refused
        except FileNotFoundError:
            return ("missing",)
    if isinstance(source, Refused):
        return ("refused", _kind(source))
    assert isinstance(source, Received), source  # bytes, never a folder to scan
    return ("graded", source.name, source.data)


def said(text: str) -> tuple:
    """The refusal a door wrote in its own words (nbgrader's and Gradescope's reports)."""
    for words, kind in [
        ("symbolic link", "link"),
        ("not a regular file (a device, FIFO or folder)", "special"),
        ("not a regular file or folder", "special"),
        ("is too large", "too-large"),
        ("nothing to grade", "missing"),
    ]:
        if words in text:
            return ("refused", kind) if kind != "missing" else ("missing",)
    raise AssertionError(f"no refusal said in {text!r}")


def via_grade(tmp_path: Path, make) -> tuple:
    folder = tmp_path / "learner"
    make(folder)
    args = argparse.Namespace(submission=folder, format="json", lang="en", output=None)
    try:
        grade_command.run(args)
    except Sent as door:
        return sent(door.source)
    except CannotGrade:
        return ("missing",)
    raise AssertionError("graded without the sandbox")


def via_grade_all(tmp_path: Path, make) -> tuple:
    make(tmp_path / "class" / "learner")
    [found] = batch.find_submissions(tmp_path / "class")
    assert found.learner == "learner"
    if found.path is None:
        refused = getattr(found, "refused", None)
        if refused is not None:
            return ("refused", _kind(refused))
        return ("missing",) if found.problem == batch.NO_SUBMISSION else said(found.problem)
    try:
        slots.grade_in_slot(found.path, tmp_path / "learner.json", "en")
    except Sent as door:
        return sent(door.source)
    raise AssertionError("graded without the sandbox")


def via_nbgrader(tmp_path: Path, make) -> tuple:
    folder = tmp_path / "submitted" / "learner" / "ch01"
    make(folder)
    try:
        results = nbgrader_hooks._graded(folder)
    except Sent as door:
        return sent(door.source)
    return said(results.refused.en)


def via_gradescope(tmp_path: Path, make) -> tuple:
    root = tmp_path / "autograder"
    make(root / "submission")
    args = argparse.Namespace(root=root, config=None, visibility=None, lang="en")
    try:
        gradescope.run(args)
    except Sent as door:
        return sent(door.source)
    return said(json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))["output"])


def via_ci(tmp_path: Path, make) -> tuple:
    """A pull request's repository, fetched as GitHub's tarball: what the door writes for
    grade-all is what grade-all then reads."""
    repo = tmp_path / "repo"
    make(repo)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(repo, arcname="course-ch01-learner-abc1234")  # links and FIFOs kept as they are
    github = SimpleNamespace(tarball=lambda repo, sha, max_bytes: buffer.getvalue())
    pull = classroom.Pull("learner", "learner", "course/ch01-learner", 1, "a" * 40)
    out = tmp_path / "ci"
    classroom._take(github, pull, out, "")
    if pull.refused:
        return ("missing",) if pull.refused == "missing" else ("refused", pull.refused)
    [written] = (out / classroom.SUBMISSIONS / "learner").iterdir()
    return ("graded", written.name, written.read_bytes())


DOORS = {
    "grade": via_grade,
    "grade-all": via_grade_all,
    "nbgrader": via_nbgrader,
    "gradescope": via_gradescope,
    "ci": via_ci,
}


# --- the submissions: one learner's folder each -------------------------------------------------


def files(**contents: bytes):
    def make(folder: Path) -> None:
        folder.mkdir(parents=True)
        for name, data in contents.items():
            (folder / name.replace("__", ".")).write_bytes(data)

    return make


def with_entry(make, name: str, how):
    def made(folder: Path) -> None:
        make(folder)
        how(folder / name)

    return made


def link_to_reference(path: Path) -> None:
    path.symlink_to(KIT / "solutions" / "nn_basics.py")


def oversized(path: Path) -> None:
    with path.open("wb") as f:
        f.truncate(MAX_MODULE_BYTES + 1)


GRADED_NOTEBOOK = ("graded", "ch01.ipynb", NOTEBOOK_BYTES)
GRADED_MODULE = ("graded", "nn_basics.py", MODULE_BYTES)
SUBMISSIONS = {
    "folder with both files": (
        files(ch01__ipynb=NOTEBOOK_BYTES, nn_basics__py=MODULE_BYTES),
        GRADED_NOTEBOOK,
    ),
    "module only": (files(nn_basics__py=MODULE_BYTES, helper__py=b"X = 1\n"), GRADED_MODULE),
    "empty module": (files(nn_basics__py=b""), ("graded", "nn_basics.py", b"")),
    "nothing to grade": (files(README__md=b"hello"), ("missing",)),
    "link": (with_entry(files(), "nn_basics.py", link_to_reference), ("refused", "link")),
    "linked notebook beside the module": (
        with_entry(files(nn_basics__py=MODULE_BYTES), "ch01.ipynb", link_to_reference),
        ("refused", "link"),  # never graded from the module behind the learner's back
    ),
    "FIFO": (with_entry(files(), "nn_basics.py", os.mkfifo), ("refused", "special")),
    # before: nbgrader, Gradescope and grade-all graded the module, the CLI refused the FIFO
    "FIFO named like the notebook beside the module": (
        with_entry(files(nn_basics__py=MODULE_BYTES), "ch01.ipynb", os.mkfifo),
        ("refused", "special"),
    ),
    # before: the CLI refused "a folder", the other doors graded the module
    "folder named like the notebook beside the module": (
        with_entry(files(nn_basics__py=MODULE_BYTES), "ch01.ipynb", Path.mkdir),
        GRADED_MODULE,
    ),
    # before: CI took a module of up to 5 MB, which every other door refused
    "oversized module": (with_entry(files(), "nn_basics.py", oversized), ("refused", "too-large")),
}


@pytest.mark.parametrize("door", list(DOORS))
@pytest.mark.parametrize("submission", list(SUBMISSIONS))
def test_every_door_resolves_the_same_file_or_refusal(submission, door, tmp_path, recorder):
    make, expected = SUBMISSIONS[submission]
    assert DOORS[door](tmp_path, make) == expected


def test_the_sandbox_gets_bytes_never_a_path(tmp_path, recorder):
    files(nn_basics__py=MODULE_BYTES, helper__py=b"X = 1\n")(tmp_path / "alice")
    with pytest.raises(Sent) as door:
        grade.grade_submission(tmp_path / "alice")
    assert isinstance(door.value.source, Received)
    assert door.value.source.siblings == {"helper.py": b"X = 1\n"}  # a learner folder's own modules


# --- the flat layout: a file named directly is read alone --------------------------------------


def test_each_bad_entry_of_a_flat_class_refuses_only_itself_at_discovery(tmp_path, recorder):
    """grade-all's flat layout: a link, a FIFO and an oversized entry are each refused by name,
    never opened, and the notebook beside them is read alone (no classmate's module)."""
    klass = tmp_path / "class"
    klass.mkdir()
    (klass / "alice.py").write_bytes(MODULE_BYTES)
    (klass / "mallory.ipynb").write_bytes(NOTEBOOK_BYTES)
    link_to_reference(klass / "eve_link.py")
    os.mkfifo(klass / "eve_fifo.py")
    oversized(klass / "eve_big.py")
    found = {f.learner: f for f in batch.find_submissions(klass)}
    assert found["eve_link"].path is None and found["eve_fifo"].path is None
    outcomes = {}
    for learner, entry in found.items():
        if entry.path is None:
            outcomes[learner] = ("refused", _kind(entry.refused))
            continue
        with pytest.raises(Sent) as door:
            slots.grade_in_slot(entry.path, tmp_path / f"{learner}.json", "en")
        outcomes[learner] = sent(door.value.source)
        assert getattr(door.value.source, "siblings", {}) == {}, learner
    assert outcomes == {
        "alice": ("graded", "alice.py", MODULE_BYTES),
        "mallory": ("graded", "mallory.ipynb", NOTEBOOK_BYTES),
        "eve_link": ("refused", "link"),
        "eve_fifo": ("refused", "special"),
        "eve_big": ("refused", "too-large"),
    }


# --- one settings object -----------------------------------------------------------------------


def test_one_call_time_limit_for_the_sandbox_and_the_checks():
    import inspect

    from autograder.checks import common
    from autograder.settings import SETTINGS

    default = inspect.signature(autograder.sandbox.Submission).parameters["call_timeout"].default
    assert default == common.CALL_TIMEOUT == SETTINGS.call_timeout
    assert batch.DEFAULT_TIMEOUT == SETTINGS.grade_all_timeout
    assert classroom.DEFAULT_PASS_MARK == SETTINGS.pass_mark


def test_every_command_takes_the_same_languages():
    from autograder.doors.cli import build_parser
    from autograder.settings import LANGUAGES

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    langs = {
        name: action.choices
        for name, sub in commands.items()
        for action in sub._actions
        if "--lang" in action.option_strings
    }
    assert len(langs) >= 6 and all(tuple(choices) == LANGUAGES for choices in langs.values()), langs


def test_a_copied_learner_folder_reads_the_same(tmp_path):
    """The intake reads what is there, wherever it is: a copy of a folder gives the same bytes."""
    files(ch01__ipynb=NOTEBOOK_BYTES, nn_basics__py=MODULE_BYTES)(tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    a = read_submission(tmp_path / "a", "nn_basics", ("ch01.ipynb", "nn_basics.py"))
    b = read_submission(tmp_path / "b", "nn_basics", ("ch01.ipynb", "nn_basics.py"))
    assert (a.name, a.data, a.siblings) == (b.name, b.data, b.siblings)
