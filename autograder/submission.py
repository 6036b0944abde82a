"""Which file of a submission is graded: the one rule every door follows.

A submission folder is graded from `ch01.ipynb` when it holds one, else from `nn_basics.py`.
The CLI, `grade-all`, CI and Gradescope call `graded_file`; nbgrader grades only the notebook,
which is the same choice for every folder that holds one. A file named directly (a `.py` or an
`.ipynb`) is graded as it is, alone: the folder beside it may be a class (grade-all's flat
layout), so none of its other files comes along. A submission folder is one learner's: its other
modules come with the graded file (sandbox/intake.py).

A submission is data: only regular files count, and a symbolic link is refused, never followed
(checked with lstat, so not even its target's existence is looked at).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

ASSIGNMENT = "ch01"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
MODULE_NAME = "nn_basics"  # what the learner's code runs as in the sandbox
MODULE = f"{MODULE_NAME}.py"
GRADED_NAMES = (NOTEBOOK, MODULE)  # in order of preference
SUFFIXES = (".ipynb", ".py")


class NoSubmission(FileNotFoundError):
    """Nothing gradable at the path: the grader cannot run, the learner scores 0. `filename`
    names what was looked for (for messages such as CI's "... is not in this pull request")."""

    def __init__(self, message, filename=None):
        super().__init__(message)
        self.filename = filename

    def __str__(self):
        return self.args[0]


class LinkRefused(NoSubmission):
    """The path, or the file the rule picks, is a symbolic link: refused, not followed."""


class NotRegular(NoSubmission):
    """The path is a FIFO, socket or device: refused, never opened (a FIFO would block)."""


def _lstat(path: Path):
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def open_graded(path, **options):
    """The submission at `path` open in the sandbox (a context manager; options as
    sandbox.Submission takes them): run as the chapter's module, a folder read by the rule
    above, the file picked again as data, no link followed (sandbox/intake.py)."""
    from .sandbox import open_submission  # imported when grading: the other doors need none of it

    return open_submission(path, module=MODULE_NAME, folder_files=GRADED_NAMES, **options)


def graded_file(path) -> Path:
    """The file graded for `path` (a folder, a .py or an .ipynb); NoSubmission if there is none."""
    path = Path(path)
    st = _lstat(path)
    if st is None:
        raise NoSubmission(f"no submission at {path}")
    if stat.S_ISLNK(st.st_mode):
        raise LinkRefused(f"{path} is a symbolic link: refused, not followed", path)
    if stat.S_ISREG(st.st_mode):
        return path
    if not stat.S_ISDIR(st.st_mode):
        raise NotRegular(f"{path} is not a regular file or folder: refused, not opened", path)
    for name in GRADED_NAMES:
        candidate = path / name
        st = _lstat(candidate)
        if st is None:
            continue
        if stat.S_ISLNK(st.st_mode):
            raise LinkRefused(f"{candidate} is a symbolic link: refused, not followed", candidate)
        if stat.S_ISREG(st.st_mode):
            return candidate
    raise NoSubmission(f"no submission in {path}: neither {NOTEBOOK} nor {MODULE}", f"{NOTEBOOK} / {MODULE}")
