"""Process containment for the worker: rlimits, network namespace, privilege drop, reaping.

Self-contained (stdlib only): the worker runs a copy of this file.
"""

import ctypes
import os
import resource
import signal

CLONE_NEWNET = 0x40000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
NOBODY = 65534
# Learner uids: one per worker, UID_BASE + the supervisor's pid (unique while it lives), so
# workers graded at the same time cannot read each other's files, see each other in /proc
# (hidepid) or share one RLIMIT_NPROC count. No account has them; nothing outlives a worker.
UID_BASE = 0x70000000

_libc = ctypes.CDLL(None, use_errno=True)


def prctl(option, value):
    if _libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def become_subreaper():
    """Orphaned descendants (double fork, setsid) are reparented to us, not to init, so the
    supervisor can find and kill every process the learner started."""
    prctl(PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent():
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def unshare_pid_namespace():
    """Children forked after this start a fresh pid namespace (root only). When its first
    process (the namespace's init) ends, the kernel kills every process left in it: no learner
    process outlives its worker, whatever it did (setsid, double fork, a parent killed early)."""
    if _libc.unshare(CLONE_NEWPID) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def unshare_network():
    """A fresh, empty network namespace (root only): no interface but a down loopback."""
    if _libc.unshare(CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def unshare_ipc():
    """A fresh IPC namespace (root only): SysV objects and POSIX queues made in it are not the
    host's, and the kernel removes them with the namespace when its last process ends."""
    if _libc.unshare(CLONE_NEWIPC) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def set_rlimits(cpu_seconds, memory_bytes, file_bytes, open_files, processes):
    # SIGXFSZ would kill the worker on a big write; ignored, the write fails with EFBIG instead
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    for res, value in [
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_AS, memory_bytes),
        (resource.RLIMIT_FSIZE, file_bytes),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NOFILE, open_files),
        (resource.RLIMIT_NPROC, processes),
    ]:
        if value is None:
            continue
        soft, hard = resource.getrlimit(res)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(res, (value, value))


def tasks_of_uid(uid):
    """Threads currently owned by `uid` (what RLIMIT_NPROC counts)."""
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid == uid:
                count += len(os.listdir(f"/proc/{entry}/task"))
        except OSError:
            pass
    return count


def worker_uid(supervisor_pid):
    """The learner's uid; `nobody` where this user namespace cannot map it (rootless containers
    map only a small range), since a tmpfs, chown or setuid to an unmapped uid would fail."""
    uid = UID_BASE + supervisor_pid
    try:
        with open("/proc/self/uid_map") as f:
            ranges = [tuple(map(int, line.split())) for line in f if line.strip()]
    except OSError:
        return NOBODY
    if any(inside <= uid < inside + count for inside, _outside, count in ranges):
        return uid
    return NOBODY


def drop_privileges(uid=NOBODY, gid=NOBODY):
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("privilege drop did not take")


def children_of(pid):
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: fields resume after the last ')'
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            out.append(int(entry))
    return out


def kill_all_children():
    """SIGKILL every descendant. As a subreaper, the grandchildren of a killed child come back to
    us as children, so repeating until none is left reaches the whole tree, setsid or not."""
    me = os.getpid()
    for _ in range(10000):
        kids = children_of(me)
        if not kids:
            break
        for k in kids:
            try:
                os.kill(k, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for k in kids:
            try:
                os.waitpid(k, 0)
            except ChildProcessError:
                pass
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
