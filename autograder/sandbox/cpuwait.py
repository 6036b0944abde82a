"""Time a worker's learner process waited for a CPU, so wall-clock limits measure the learner's
code and not the machine's load.

A limit is wall-clock time (a learner's `time.sleep(10_000)` must time out too), but on a loaded
machine a process that is ready to run can wait seconds for a core: grading the same submission
must not turn a pass into a timeout because a classmate's job ran beside it. The kernel counts
that wait per task (`run_delay`, the second field of /proc/PID/task/TID/schedstat); a deadline
is moved by what the learner process's main thread waited, up to a cap, so a hang is still a hang.

Only that one thread: the one that runs the code the grader calls. A process or thread the
learner starts can only compete with it, and counting its wait too let three spinners pinned to
one CPU make the tree "wait" three times faster than time passed (issue 18, attack 11); the
learner's code cannot pin, renice or reschedule anything (seccomp.py), and whatever wait it
still arranges moves a deadline at most MAX_STRETCH times its length, the submission's budget
too (sandbox/__init__.py).
"""

import os

# A deadline, and the submission's whole budget, end by this many times their own length in
# wall time, whatever was waited: beyond that the grading run is too starved to say anything,
# and no accounting may hold a grading slot for longer.
MAX_STRETCH = 2.0


def _read(path: str) -> bytes:
    """A small /proc file, without a text layer: read on every exchange with the worker."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 4096)
    finally:
        os.close(fd)


def _children(pid: int) -> list[int]:
    """The children its main thread forked (the supervisor's and the namespace init's only
    thread), with the orphans handed to it as a (sub)reaper."""
    try:
        return [int(k) for k in _read(f"/proc/{pid}/task/{pid}/children").split()]
    except (OSError, ValueError):
        return []


def _started(pid: int) -> int | None:
    """When the process started (clock ticks since boot: field 22 of /proc/PID/stat)."""
    try:
        stat = _read(f"/proc/{pid}/stat")
        # the command name may hold spaces and parentheses: fields resume after the last ')'
        return int(stat[stat.rfind(b")") + 2 :].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _oldest_child(pid: int) -> int | None:
    """Its first child: forked before any learner code ran, so older than any orphan of the
    learner's that came back to it (ties, within a clock tick: the lower pid)."""
    started = [(s, kid) for kid in _children(pid) if (s := _started(kid)) is not None]
    return min(started)[1] if started else None


def _is_namespace_init(pid: int) -> bool:
    """pid 1 of a pid namespace below ours (worker.namespace_init, as root)."""
    try:
        status = _read(f"/proc/{pid}/status")
        nspids = status.split(b"\nNSpid:", 1)[1].split(b"\n", 1)[0].split()
    except (OSError, IndexError):
        return False
    return len(nspids) > 1 and nspids[-1] == b"1"


def learner_process(supervisor: int) -> int | None:
    """The pid of the worker's learner process (worker.run_learner): the supervisor's first child,
    or, as root, the first child of the pid namespace's init between them. None before it runs."""
    first = _oldest_child(supervisor)
    if first is not None and _is_namespace_init(first):
        return _oldest_child(first)
    return first


def _run_delay_ns(pid: int) -> int | None:
    """run_delay of the process's main thread alone (/proc/PID/schedstat would be the same task)."""
    try:
        return int(_read(f"/proc/{pid}/task/{pid}/schedstat").split()[1])
    except (OSError, ValueError, IndexError):
        return None


class CpuWait:
    """Seconds the learner process's main thread waited for a CPU since the last `settle()` (the
    first: since it started). One per worker, settled at the end of each exchange: between
    exchanges the worker is blocked on a read and waits for no CPU, so the end of one exchange
    is the start of the next, and each costs a read of /proc, not two."""

    def __init__(self, supervisor: int):
        self.supervisor = supervisor
        self._learner: int | None = None  # found on first use: the supervisor forks it
        self._base_ns = 0

    def _now_ns(self) -> int:
        if self._learner is None:
            self._learner = learner_process(self.supervisor)
        delay = None if self._learner is None else _run_delay_ns(self._learner)
        # not started yet, or ended: nothing more waited, so a limit never grows by more than was
        return self._base_ns if delay is None else delay

    def seconds(self) -> float:
        return max(0, self._now_ns() - self._base_ns) / 1e9

    def settle(self) -> float:
        """seconds(), and count from now on."""
        now = self._now_ns()
        waited_s, self._base_ns = max(0, now - self._base_ns) / 1e9, now
        return waited_s


def stretched(deadline: float, started: float, waited_s: float) -> float:
    """The deadline moved by the time waited for a CPU, at most MAX_STRETCH times its length."""
    return min(deadline + waited_s, started + (deadline - started) * MAX_STRETCH)
