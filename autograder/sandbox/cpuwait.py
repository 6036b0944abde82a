"""Time a worker spent waiting for a CPU, so wall-clock limits measure the learner's code and not
the machine's load.

A limit is wall-clock time (a learner's `time.sleep(10_000)` must time out too), but on a loaded
machine a process that is ready to run can wait seconds for a core: grading the same submission
must not turn a pass into a timeout because a classmate's job ran beside it. The kernel counts
that wait per task (`run_delay`, the second field of /proc/PID/schedstat); a deadline is moved
by what the worker's processes waited, up to a cap, so a hang is still a hang.
"""

import os

# A deadline moves at most this many times its own length: beyond that, the grading run is
# too starved to say anything, and a learner's busy loop must not hold a slot for ever.
MAX_STRETCH = 4.0


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids.extend(int(k) for k in f.read().split())
    except (OSError, ValueError):
        pass
    return kids


def _run_delay_ns(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None


def waited(root: int) -> dict[int, int]:
    """run_delay (ns) of `root` and each of its descendants, by pid."""
    seen: dict[int, int] = {}
    todo = [root]
    while todo and len(seen) < 64:  # a worker has a handful; a fork bomb does not make us walk
        pid = todo.pop()
        if pid in seen:
            continue
        delay = _run_delay_ns(pid)
        if delay is not None:
            seen[pid] = delay
            todo.extend(_children(pid))
    return seen


class CpuWait:
    """Seconds the process tree under `root` waited for a CPU since `mark()`."""

    def __init__(self, root: int):
        self.root = root
        self._start: dict[int, int] = {}

    def mark(self) -> None:
        self._start = waited(self.root)

    def seconds(self) -> float:
        now = waited(self.root)
        # a process that ended takes its wait with it: an underestimate, so a limit never grows
        # by more than was really waited
        return sum(max(0, ns - self._start.get(pid, 0)) for pid, ns in now.items()) / 1e9


def stretched(deadline: float, started: float, waited_s: float) -> float:
    """The deadline moved by the time waited for a CPU, at most MAX_STRETCH times its length."""
    return min(deadline + waited_s, started + (deadline - started) * MAX_STRETCH)
