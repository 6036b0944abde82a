"""A loaded machine does not change a grade: time a worker's learner process spends waiting for
a CPU does not count against its limits, up to twice their length in wall time
(autograder/sandbox/cpuwait.py)."""

import os
import subprocess
import sys
import time

import pytest

from autograder.core.submission import open_graded
from autograder.sandbox import cpuwait
from autograder.sandbox.errors import CallTimeout
from autograder.sandbox.process import Zygote

BURN = '''import time


def sigmoid(x):
    """CPU_SECONDS of CPU: honest work, inside a one-second limit on an idle core, and on the
    starved one, 1.25 s of wall time: inside its wall-clock ceiling (2 s)."""
    end = time.process_time() + CPU_SECONDS
    while time.process_time() < end:
        pass
    return 1.0


def tanh(x):
    time.sleep(10_000)
'''
COMPETITORS = 1  # a busy process sharing the worker's one core: it gets about half of it
# what a process in a session of its own gets of the core now: the machine's other load counts
SHARE_PROBE = """import time
end, cpu = time.monotonic() + 0.5, time.process_time()
while time.monotonic() < end:
    pass
print((time.process_time() - cpu) / 0.5)
"""


def burn_for(wall_seconds):
    """BURN with the CPU seconds that take `wall_seconds` on the starved core, as loaded as it is."""
    probe = subprocess.run(
        [sys.executable, "-c", SHARE_PROBE],
        capture_output=True,
        text=True,
        check=True,
        start_new_session=True,
    )
    return BURN.replace("CPU_SECONDS", f"{float(probe.stdout) * wall_seconds:.3f}")


def _fresh_zygote():
    """Workers are forked by the grader's zygote and inherit its CPU affinity, not ours: the
    next submission starts a new one, with ours."""
    with Zygote._lock:
        if Zygote._current is not None:
            Zygote._current.stop()
            Zygote._current = None


@pytest.fixture
def one_busy_core():
    """This process (and the workers it starts) on one core, with a busy loop beside it."""
    before = os.sched_getaffinity(0)
    core = min(before)
    os.sched_setaffinity(0, {core})
    _fresh_zygote()
    # in a session of its own, as the worker is: with autogroup scheduling the kernel shares a
    # core between sessions first
    loops = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
        for _ in range(COMPETITORS)
    ]
    try:
        yield
    finally:
        for p in loops:
            p.kill()
            p.wait()
        os.sched_setaffinity(0, before)
        _fresh_zygote()


def test_honest_work_on_a_starved_core_is_not_a_timeout(tmp_path, one_busy_core):
    """Work that needs more than its limit in wall time only because it waited for the core is
    not a timeout. The share a worker gets beside the busy loop varies from one start to the next
    (by a third, seen in CI), so each try measures it anew; a try that was not slowed past the
    limit proves nothing and is tried again; a timeout is the failure this test is for."""
    contended = []
    for _ in range(4):
        (tmp_path / "nn_basics.py").write_text(burn_for(1.25))  # between the 1 s limit and 2x it
        with open_graded(tmp_path, call_timeout=1.0, load_timeout=15.0) as sub:
            started = time.monotonic()
            assert sub.call("sigmoid", 0.0) == 1.0  # CallTimeout: honest work charged for waiting
            took = time.monotonic() - started
        if took > 1.0:
            contended.append(took)
            break
    if not contended:
        pytest.skip("the core was never contended past the limit here: the test proves nothing")


def test_a_sleeping_function_still_times_out_on_time(tmp_path, one_busy_core):
    """Sleeping is not waiting for a CPU: the limit is not stretched for it."""
    (tmp_path / "nn_basics.py").write_text(burn_for(1.5))
    with open_graded(tmp_path, call_timeout=1.0) as sub:
        started = time.monotonic()
        with pytest.raises(CallTimeout):
            sub.call("tanh", 0.0)
        assert time.monotonic() - started < 1.0 * cpuwait.MAX_STRETCH


def test_stretch_is_capped():
    assert cpuwait.stretched(10.0, 0.0, 5.0) == 15.0
    assert cpuwait.stretched(10.0, 0.0, 100.0) == 10.0 * cpuwait.MAX_STRETCH


SUPERVISOR_OF_A_BUSY_LEARNER = """import os, time
if os.fork() == 0:
    while True:
        pass
time.sleep(30)
"""


def test_cpu_wait_is_measured_for_the_learner_process(one_busy_core):
    """The wait of the supervisor's first child (the learner process) is what is credited."""
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR_OF_A_BUSY_LEARNER],
        start_new_session=True,  # its group is all of it, to kill below
    )
    try:
        waits = cpuwait.CpuWait(supervisor.pid)
        deadline = time.monotonic() + 10
        while waits.seconds() < 0.1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waits.seconds() >= 0.1  # it shares the core with a busy loop
        assert waits.settle() >= 0.1 and waits.seconds() < 0.1
    finally:
        os.killpg(supervisor.pid, 9)
        supervisor.wait()
