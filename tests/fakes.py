"""Test helpers around the in-process stand-in for the sandbox's Submission, which lives in the
package (autograder/core/in_process.py: the grader re-runs a check on the reference with it) and is
imported from here by the tests, tools/mutants.py and bench/ as before."""

from __future__ import annotations

import contextlib

from autograder.core.in_process import InProcessSubmission  # noqa: F401  (re-exported)
from autograder.sandbox.errors import (
    CallTimeout,
    Missing,
    Refused,
    SubmissionError,
    WorkerCrashed,
)


def opener(submission: InProcessSubmission):
    """An `opener` for grade_submission that hands out `submission` whatever the path."""

    @contextlib.contextmanager
    def open_in_process(path):
        yield submission

    return open_in_process


def defined(sub, names) -> set[str]:
    """Which of `names` an open submission has as callables, seen through calls only: called
    without arguments, a function it has raises (a TypeError) or returns; one it lacks is
    Missing, and a submission that cannot load answers no call at all."""
    found = set()
    for name in names:
        try:
            sub.call(name)
        except (Missing, CallTimeout, WorkerCrashed, Refused):
            continue
        except SubmissionError:
            pass
        found.add(name)
    return found
