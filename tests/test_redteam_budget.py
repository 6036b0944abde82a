"""Issue 18, attacks 11 and 12: a submission cannot launder the time budget through the CPU-wait
accounting, nor make the grader process spend unbounded time on a notebook's IPython syntax."""

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder.core.grade import grade_submission
from autograder.core.submission import open_graded
from autograder.sandbox import cpuwait, notebook
from autograder.sandbox.errors import CallTimeout, SubmissionError
from tools.demo import answers, submission

RELEASE_NOTEBOOK = Path(__file__).resolve().parents[1] / "release" / "ch01" / "ch01.ipynb"

# Three spinners pinned with the learner process to one CPU: the learner's tree "waits for a
# CPU" three times faster than time passes. The kit counted that wait in its children too, so
# every deadline stretched 4x, a call that returned within it cost the budget nothing, and the
# budget never ran out (one `grade` took 232 s).
LAUNDERING = """import os
import time

CPU = min(os.sched_getaffinity(0))


def _pin():
    try:
        os.sched_setaffinity(0, {CPU})
    except OSError:
        pass


_pin()
for _ in range(3):
    try:
        if os.fork() == 0:
            _pin()
            while True:
                pass
    except OSError:
        break


def sigmoid(x):
    # busy for 1.2 s of wall time: the tree's wait stretches the 0.5 s limit to 2 s, and the
    # budget is charged the call's time less that wait: nothing
    end = time.monotonic() + 1.2
    while time.monotonic() < end:
        pass
    return 1.0
"""

SCHEDULING = """import errno
import os


def _errno(call):
    try:
        call()
    except OSError as exc:
        return exc.errno
    return 0


def _renice_session():
    with open("/proc/self/autogroup", "w") as f:
        f.write("19")


def sigmoid(x):
    cpu = min(os.sched_getaffinity(0))
    return {
        "sched_setaffinity": _errno(lambda: os.sched_setaffinity(0, {cpu})),
        "setpriority": _errno(lambda: os.setpriority(os.PRIO_PROCESS, 0, 19)),
        "nice": _errno(lambda: os.nice(1)),
        "sched_setscheduler": _errno(lambda: os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))),
        "sched_setparam": _errno(lambda: os.sched_setparam(0, os.sched_param(0))),
        "autogroup": _errno(_renice_session),
    }
"""


def test_laundered_cpu_wait_ends_within_twice_the_budget(tmp_path):
    """A budget of 3 s ends within 2x that in wall time (plus a wide margin for worker starts),
    however many calls the grader makes. Before: 20 calls took 22 s, most of them returning
    within their stretched limit at no cost to the budget."""
    (tmp_path / "nn_basics.py").write_text(LAUNDERING)
    budget = 3.0
    started = time.monotonic()
    with open_graded(tmp_path, call_timeout=0.5, load_timeout=2.0, budget=budget) as sub:
        for _ in range(20):
            try:
                sub.call("sigmoid", 0.0)
            except SubmissionError:  # a timeout, or (before) the worker's lifetime: a new worker
                pass
        with pytest.raises(CallTimeout, match="budget"):
            sub.call("sigmoid", 0.0)
    assert time.monotonic() - started < budget * cpuwait.MAX_STRETCH + 3.0


def test_learner_code_cannot_move_cpu_time(tmp_path):
    """Pinning, renicing (either way) and rescheduling fail with EPERM in the learner process;
    renicing its session's autogroup is a write outside its folder (Landlock refuses it)."""
    (tmp_path / "nn_basics.py").write_text(SCHEDULING)
    with open_graded(tmp_path) as sub:
        refused = sub.call("sigmoid", 0.0)
        assert refused.pop("autogroup") in (errno.EACCES, errno.EPERM)
        assert refused == {
            "sched_setaffinity": errno.EPERM,
            "setpriority": errno.EPERM,
            "nice": errno.EPERM,
            "sched_setscheduler": errno.EPERM,
            "sched_setparam": errno.EPERM,
        }


def test_only_the_learner_process_main_thread_wait_is_credited():
    """The supervisor's first child is the learner process; orphans of the learner's that came
    back to the (sub)reaper later are not, nor are the learner's own children."""
    supervisor = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import ctypes, os, time\n"
            "ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # a subreaper, as the supervisor is\n"
            "learner = os.fork()\n"
            "if learner == 0:\n"
            "    time.sleep(0.1)\n"
            "    if os.fork() == 0:  # a child of its own\n"
            "        time.sleep(30)\n"
            "        os._exit(0)\n"
            "    if os.fork() == 0:\n"
            "        if os.fork() == 0:  # an orphan handed to the supervisor\n"
            "            time.sleep(30)\n"
            "        os._exit(0)\n"
            "    time.sleep(30)\n"
            "    os._exit(0)\n"
            "print(learner, flush=True)\n"
            "time.sleep(30)\n",
        ],
        stdout=subprocess.PIPE,
        start_new_session=True,  # its group is all of it, to kill below
    )
    try:
        learner = int(supervisor.stdout.readline())
        deadline = time.monotonic() + 10
        while len(cpuwait._children(supervisor.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(cpuwait._children(supervisor.pid)) == 2  # the orphan came back
        assert cpuwait.learner_process(supervisor.pid) == learner
        waits = cpuwait.CpuWait(supervisor.pid)
        assert waits.seconds() >= 0 and waits._learner == learner
    finally:
        os.killpg(supervisor.pid, signal.SIGKILL)
        supervisor.wait()


def shell_lines_cell(long_line: str) -> nbformat.NotebookNode:
    """95 `x = !ls` lines and one long line, in a cell the sandbox runs (a setup cell)."""
    body = "\n".join(f"x{i} = !ls" for i in range(95)) + "\n" + long_line
    return nbformat.v4.new_code_cell(body, metadata={"tags": ["setup"]})


@pytest.mark.parametrize(
    "long_line",
    [
        # the attack: 120 KB of tokens, IPython re-read them for each of the 95 transforms, in the
        # grader process (117 s for the notebook); now left for the worker's compile to refuse
        "y = [" + "1," * 60_000 + "]",
        # as long as the first cell may be and still be transformed (the others are not): IPython
        # runs, in the worker
        "y = [" + "1," * ((notebook.MAX_IPYTHON_WORK // 96 - 95 * 10) // 2 - 4) + "]",
    ],
    ids=["attack", "at_the_caps"],
)
def test_ipython_syntax_cells_cost_seconds_and_the_answers_still_score(tmp_path, long_line):
    """Four such cells beside the reference's answers: graded within 30 s, all 100 points."""
    nb = submission(json.loads(RELEASE_NOTEBOOK.read_text(encoding="utf-8")), answers())
    nb.cells[1:1] = [shell_lines_cell(long_line) for _ in range(4)]
    path = tmp_path / "ch01.ipynb"
    nbformat.write(nb, str(path))
    started = time.monotonic()
    results = grade_submission(path)
    assert time.monotonic() - started < 30
    assert results.score == 100
