"""How much of a grading run is spent inside learner functions, and where the rest goes.

Method (the "overhead" figure of bench/grading.py): grade the same trusted submission twice
with the same checks, the same arguments and the same order (`grade_submission` takes the
opener of the submission as a parameter):
- `InProcessSubmission` (autograder/core/in_process.py, the in-process double): the submission's functions run
  in this process, each call timed alone with perf_counter around the bare function call.
  Arguments and return values still go through the sandbox's codec (untimed), so the checks
  see exactly the values they would see from the worker. The sum of those times is the time spent inside learner functions.
- `Timed` sandbox: the real worker, with the time to start it (spawn, imports, confinement,
  load) and each call's round trip recorded, to show where the overhead goes.
Overhead per submission = end-to-end CLI wall time - time inside learner functions: Python
start-up and imports, worker start, codec and pipe round trips, the checks' own reference
computations, rendering.

Only trusted code (the reference) is ever run in-process.
"""

import contextlib
import time

from autograder.core.in_process import InProcessSubmission, opener
from autograder.core.intake import open_graded


class Timed:
    """The real sandbox, recording the worker's start-up and every call's round trip."""

    def __init__(self):
        self.open_seconds, self.call_seconds, self.calls = 0.0, 0.0, 0

    @contextlib.contextmanager
    def __call__(self, path):
        started = time.perf_counter()
        with open_graded(path) as sub:
            self.open_seconds += time.perf_counter() - started
            real_call, real_full = sub.call, sub.call_full

            def timed(method):
                def call(*args, **kwargs):
                    t0 = time.perf_counter()
                    try:
                        return method(*args, **kwargs)
                    finally:
                        self.call_seconds += time.perf_counter() - t0
                        self.calls += 1

                return call

            sub.call, sub.call_full = timed(real_call), timed(real_full)
            yield sub


def learner_seconds(path, cpu=False):
    """(seconds inside learner functions, number of calls, score) for trusted code at path;
    for a notebook, its answer and set-up cells are run here as the worker would run them.
    cpu: CPU seconds instead of wall seconds."""
    from autograder.core.grade import grade_submission

    submission = InProcessSubmission.from_path(path)
    results = grade_submission(path, opener=opener(submission))
    return (submission.cpu_seconds if cpu else submission.seconds), len(submission.calls), results.score


def sandbox_breakdown(path):
    """{worker start, call round trips, grading total} in seconds, through the real sandbox."""
    from autograder.core.grade import grade_submission

    timed = Timed()
    started = time.perf_counter()
    results = grade_submission(path, opener=timed)
    return {
        "total": time.perf_counter() - started,
        "worker_start": timed.open_seconds,
        "round_trips": timed.call_seconds,
        "calls": timed.calls,
        "score": results.score,
    }
