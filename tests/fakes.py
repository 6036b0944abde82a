"""Test helpers around the in-process stand-in for the sandbox's Submission, which lives in the
package (autograder/core/in_process.py, with its `opener`: the grader re-runs a check on the reference
with it; tools/ and bench/ import it from there)."""

from __future__ import annotations

from autograder.core.in_process import InProcessSubmission, opener  # noqa: F401  (re-exported)
from autograder.sandbox.errors import (
    CallTimeout,
    Missing,
    Refused,
    SubmissionError,
    WorkerCrashed,
)


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
