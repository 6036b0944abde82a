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


def _read(path: str) -> bytes:
    """A small /proc file, without a text layer: read on every exchange with the worker."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 4096)
    finally:
        os.close(fd)


def _children(pid: int) -> list[int]:
    """The children its main thread forked: those of other threads are missed, an underestimate
    (never more stretch than waited) that saves a directory listing per process and call."""
    try:
        return [int(k) for k in _read(f"/proc/{pid}/task/{pid}/children").split()]
    except (OSError, ValueError):
        return []


def _run_delay_ns(pid: int) -> int | None:
    try:
        return int(_read(f"/proc/{pid}/schedstat").split()[1])
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
    """Seconds the process tree under `root` waited for a CPU since the last `settle()` (the
    first: since it started). One per worker, settled at the end of each exchange: between
    exchanges the worker is blocked on a read and waits for no CPU, so the end of one exchange
    is the start of the next, and each costs one walk of /proc, not two."""

    def __init__(self, root: int):
        self.root = root
        self._base: dict[int, int] = {}

    def _since_base(self, now: dict[int, int]) -> float:
        # a process that ended takes its wait with it: an underestimate, so a limit never grows
        # by more than was really waited
        return sum(max(0, ns - self._base.get(pid, 0)) for pid, ns in now.items()) / 1e9

    def seconds(self) -> float:
        return self._since_base(waited(self.root))

    def settle(self) -> float:
        """seconds(), and count from now on."""
        now = waited(self.root)
        waited_s, self._base = self._since_base(now), now
        return waited_s


def stretched(deadline: float, started: float, waited_s: float) -> float:
    """The deadline moved by the time waited for a CPU, at most MAX_STRETCH times its length."""
    return min(deadline + waited_s, started + (deadline - started) * MAX_STRETCH)
