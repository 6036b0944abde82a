"""The supervisor's watch (worker.run): it never runs learner code. It waits for its learner
process to end, for the grader's SIGTERM, for the grader's word on the liveness pipe or for the
end of its lifetime, watches the disk the learner writes to, then SIGKILLs every remaining
descendant (orphans come back to it, a child subreaper, even after setsid) and exits with the
learner process's status; if the grader went away, it also removes the submission's temporary
folder. Part of the worker's runtime (workdir.RUNTIME_FILES), imported flat by worker.py."""

import os
import select
import shutil
import signal
import time

import limits

# How long the supervisor, once its learner process ended, waits on the liveness pipe for the
# grader's word: the grader says it at once when it closes; its death shows as end of file,
# written by the kernel while the dead grader's files close, long before the learner's exit.
LIVENESS_WAIT = 0.2
DISK_FULL = 76  # the supervisor's exit when the learner wrote past its disk quota


def disk_use(folder, max_entries=10000):
    """Bytes the folder holds, links not followed; over `max_entries` entries counts as full.
    A folder the learner made unreadable is made ours again (same uid when not root)."""
    total, count = 0, 0

    def reopen(exc):
        try:
            os.chmod(exc.filename, 0o700)
        except OSError:
            pass

    for root, dirs, files in os.walk(folder, onerror=reopen):
        for name in dirs + files:
            count += 1
            if count > max_entries:
                return float("inf")
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total


def remove_all_but(folder, keep):
    for entry in os.listdir(folder):
        if entry not in keep:
            path = os.path.join(folder, entry)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.unlink(path)
                except OSError:
                    pass


def grader_word(alive_fd, wait):
    """ "closing" (the grader said so), "dead" (its end closed without a word) or None (alive)."""
    readable, _, _ = select.select([alive_fd], [], [], wait)
    if not readable:
        return None
    return "closing" if os.read(alive_fd, 1) else "dead"


def reap_children(learner):
    """Reap every child that has ended, the learner process and any orphan handed to this
    subreaper alike; the learner process's wait status if it was among them, else None."""
    status = None
    while True:
        try:
            pid, st = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return status
        if pid == 0:
            return status
        if pid == learner:
            status = st


def supervise(learner, alive_fd, lifetime, sub_dir, disk_bytes):
    """The disk watchdog matters where no tmpfs bounds sub/ (not root): past its quota, the
    learner's processes are killed and what they wrote is removed, before it fills the disk
    that other submissions need."""
    word = None
    deadline = time.monotonic() + lifetime
    status = None
    original = set(os.listdir(sub_dir))
    while status is None:
        sig = signal.sigtimedwait({signal.SIGCHLD, signal.SIGTERM}, 0.2)
        status = reap_children(learner)
        if sig is not None and sig.si_signo == signal.SIGTERM:
            break
        if word is None:  # "closing" is final: after it, end of file is the grader closing
            word = grader_word(alive_fd, 0)
        if word == "dead" or time.monotonic() > deadline:
            break
        if status is None and disk_use(sub_dir) > disk_bytes:
            os.kill(learner, signal.SIGKILL)
            limits.kill_all_children()
            remove_all_but(sub_dir, original)
            os._exit(DISK_FULL)
    if word is None and status is not None:
        # The learner process ended by itself: after a bye (the grader's word is already
        # there), a crash (the grader is alive: no word), or because the grader died (its
        # request pipe closed; the liveness pipe closed in the same instant).
        word = grader_word(alive_fd, LIVENESS_WAIT)
    orphaned = word == "dead"
    if status is None:
        try:
            os.kill(learner, signal.SIGKILL)
            _, status = os.waitpid(learner, 0)
        except (ProcessLookupError, ChildProcessError):
            status = 0
    limits.kill_all_children()
    if orphaned:  # the grader died without cleaning up: its temporary folder is ours to remove
        shutil.rmtree(os.path.dirname(sub_dir), ignore_errors=True)
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)
