"""A seccomp filter: the learner process cannot create sockets of any family, use SysV or
POSIX IPC objects, nor move CPU time between its tasks.

Self-contained (stdlib only): the worker runs a copy of this file. Landlock (ABI < 8) does not
cover connecting to a pathname UNIX socket such as Docker's, and a network namespace only
exists as root; refusing socket(2) itself closes every family (UNIX pathname and abstract,
TCP, UDP, netlink, raw), as root or not. io_uring, which can open sockets without socket(2),
is refused too, and so is every syscall of another ABI (x32, or 32-bit `int 0x80` on x86_64),
which the filter's numbers would not match.

The grader does not count time a worker waits for a CPU (cpuwait.py), so the learner's code must
not be able to arrange that wait: pinning its processes to one CPU (sched_setaffinity), lowering
its own main thread's share (setpriority, i.e. nice, sched_setscheduler to SCHED_IDLE, sched_setparam,
sched_setattr) or raising a helper's. Each is refused in both directions: honest code has no use
for them, and an argument filter on nice values would leave the other direction open.
ioprio_set moves disk time, not CPU time; refused as well, for the same reason.

SysV shared memory, message queues and semaphores outlive the process that made them (a 256 MB
segment stays resident after the grading); without an IPC namespace (not root) they are the
host's. Every SysV IPC call is refused (an id is guessable: shmat or msgsnd need no get), and
mq_open/mq_unlink for POSIX queues; POSIX shared memory is a file in /dev/shm, Landlock's.

A hand-written BPF program of a few dozen instructions: libseccomp's bindings would need a
system library a fresh machine may lack.
"""

import ctypes
import errno
import os
import platform

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
X32_SYSCALL_BIT = 0x40000000
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JGE_K, BPF_RET_K = 0x20, 0x15, 0x35, 0x06
# (audit arch, denied syscalls): socket, socketpair, io_uring_setup; then sched_setaffinity,
# setpriority, sched_setparam, sched_setscheduler, sched_setattr, ioprio_set
ARCHES = {
    "x86_64": (0xC000003E, (41, 53, 425, 203, 141, 142, 144, 314, 251)),
    "aarch64": (0xC00000B7, (198, 199, 425, 122, 140, 118, 119, 274, 30)),
}
# shmget shmat shmctl shmdt, semget semop semctl semtimedop, msgget msgsnd msgrcv msgctl, mq_open mq_unlink
IPC_SYSCALLS = {
    "x86_64": (29, 30, 31, 67, 64, 65, 66, 220, 68, 69, 70, 71, 240, 241),
    "aarch64": (194, 196, 195, 197, 190, 193, 191, 192, 186, 189, 188, 187, 180, 181),
}


class _Filter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_Filter))]


def program(machine=None):
    """The BPF instructions as (code, jt, jf, k); None on an architecture we have no table for."""
    if (machine or platform.machine()) not in ARCHES:
        return None
    arch, denied = ARCHES[machine or platform.machine()]
    denied = tuple(denied) + IPC_SYSCALLS[machine or platform.machine()]
    deny = SECCOMP_RET_ERRNO | errno.EPERM
    body = [(BPF_LD_W_ABS, 0, 0, 0)]  # seccomp_data.nr
    if arch == ARCHES["x86_64"][0]:
        body.append((BPF_JGE_K, 0, 0, X32_SYSCALL_BIT))  # jt patched below: to deny
    body += [(BPF_JEQ_K, 0, 0, nr) for nr in denied]
    body.append((BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    body.append((BPF_RET_K, 0, 0, deny))
    deny_at = len(body) - 1
    body = [
        (c, deny_at - i - 1, 0, k) if c in (BPF_JEQ_K, BPF_JGE_K) else (c, jt, jf, k)
        for i, (c, jt, jf, k) in enumerate(body)
    ]
    head = [
        (BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (BPF_JEQ_K, 1, 0, arch),  # our ABI: go on; any other: deny
        (BPF_RET_K, 0, 0, deny),
    ]
    return head + body


def install():
    """Install the filter on this process and its future children. Returns True, or False on
    an architecture without a table (the caller records that the layer is missing)."""
    instructions = program()
    if instructions is None:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    array = (_Filter * len(instructions))(*[_Filter(*i) for i in instructions])
    prog = _Program(len(instructions), array)
    for args in (
        (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
        (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(prog), 0, 0),
    ):
        if libc.prctl(*[ctypes.c_ulong(a) for a in args]) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"prctl({args[0]}): {os.strerror(err)}")
    return True
