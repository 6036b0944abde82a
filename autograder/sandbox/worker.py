"""The sandbox worker: runs one submission's code and answers the grader's calls.

Self-contained: copied with its siblings (workdir.RUNTIME_FILES: supervisor.py, confinement.py,
shims.py, serving.py, protocol.py, codec.py, arena.py, limits.py, landlock.py, mounts.py,
seccomp.py and ipysyntax.py) into a folder of its own; it never imports the kit. The grader runs it
warm: zygote.py imports it once and forks a fresh supervisor per submission, which calls run().
`python -I worker.py CONFIG REQ_FD RESP_FD ALIVE_FD ARENA_FD` does the same from a cold
interpreter.

Two processes (three as root):
- the supervisor (this script's process) imports numpy and the common modules, becomes a child
  subreaper and forks the learner process; it never runs learner code. When the learner process
  ends, on SIGTERM from the grader, when the grader goes away or at the end of its lifetime, it
  SIGKILLs every remaining descendant (orphans come back to it, even after setsid) and exits;
  if the grader went away, it also removes the submission's temporary folder. It alone holds
  the read end of the grader's liveness pipe: a byte there means the grader is closing the
  worker; end of file without that byte means the grader died (the kernel closed its end).
- as root, between the two, the init of a fresh pid namespace (namespace_init): the kernel
  kills the whole namespace when it ends, which the tree walk above cannot race.
- the learner process maps the submission's arena (arena.py: the memory a full call's arrays
  live in, which the grader reads itself), confines itself (network namespace, rlimits,
  Landlock, privilege drop, in that order: each step needs what the next one takes away), loads
  the submission as the module the grader names, reports the load, then serves one call per
  request frame until the grader says bye or the request pipe closes (protocol.py).
"""

import io
import json
import os
import signal
import sys
import traceback

RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, RUNTIME_DIR)  # -I leaves the script's folder off sys.path

import numpy as np  # noqa: E402  (imported before the privilege drop: the learner user may not read it)

import arena  # noqa: E402
import codec  # noqa: E402
import confinement  # noqa: E402
import ipysyntax  # noqa: E402
import limits  # noqa: E402
import protocol  # noqa: E402
import serving  # noqa: E402
import shims  # noqa: E402
import supervisor  # noqa: E402

# Imported before the privilege drop: as root, Python's stdlib lives under /root, which the
# unprivileged learner user cannot read, so anything not imported here fails to import later.
COMMON_MODULES = [
    "math",
    "cmath",
    "random",
    "itertools",
    "functools",
    "collections",
    "collections.abc",
    "copy",
    "time",
    "datetime",
    "json",
    "typing",
    "dataclasses",
    "re",
    "warnings",
    "numbers",
    "enum",
    "string",
    "textwrap",
    "operator",
    "heapq",
    "bisect",
    "contextlib",
    "pathlib",
    "pprint",
    "abc",
    "struct",
    "array",
    "weakref",
    "numpy.linalg",
    "numpy.random",
    "numpy.fft",
    "encodings.utf_8",
    "encodings.latin_1",
    "encodings.ascii",
    "statistics",
    "fractions",
    "decimal",
    "inspect",
    # non-ASCII identifiers (学习率 = 1.0) are NFKC-normalised by the compiler through
    # unicodedata; a declared source encoding needs its codec (`# -*- coding: gbk -*-`)
    "unicodedata",
    "encodings.gbk",
    "encodings.gb2312",
    "encodings.gb18030",
    "encodings.big5",
    "encodings.hz",
    "encodings.utf_16",
    "encodings.utf_8_sig",
    "encodings.cp1252",
]
# Heavier modules, imported only when the submission names them (the grader scans its imports).
ON_DEMAND_MODULES = {
    "unittest",
    "doctest",
    "numpy.testing",
    "socket",
    "subprocess",
    "scipy",
    "scipy.special",
    "scipy.optimize",
    "tqdm",
    "tqdm.auto",
    "IPython",
    "IPython.display",
    ipysyntax.MODULE,  # a notebook cell with IPython syntax (workdir.py)
}


def main():
    run(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))


def run(config_path, req_fd, resp_fd, alive_fd, arena_fd):
    """One submission, once the runtime is imported: this process becomes its supervisor.
    Called by main() in a fresh interpreter, or by the zygote (zygote.py) in a process it has
    just forked for this submission; never returns. alive_fd: the read end of the grader's
    liveness pipe (see supervisor.supervise); arena_fd: the submission's arena (arena.py), the learner
    process's alone."""
    with open(config_path, encoding="utf-8") as f:
        cfg = json.load(f)
    for name in COMMON_MODULES + [m for m in cfg.get("preload", []) if m in ON_DEMAND_MODULES]:
        try:
            __import__(name)
        except Exception:  # an optional module that is not installed: the learner's import fails later
            pass
    limits.become_subreaper()
    cfg["supervisor_pid"] = os.getpid()  # names the learner's uid (limits.worker_uid)
    # blocked before the fork so no SIGCHLD is lost; the learner process unblocks them
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD, signal.SIGTERM})
    namespaced = False
    if os.getuid() == 0 and cfg["drop_privileges"]:
        try:
            limits.unshare_pid_namespace()
            namespaced = True
        except OSError:  # e.g. a container without CAP_SYS_ADMIN: the subreaper alone remains
            pass
    cfg["pid_namespace"] = namespaced
    child = os.fork()
    if child == 0:
        os.close(alive_fd)  # the supervisor's alone: learner code must not read the grader's word
        if namespaced:
            namespace_init(cfg, req_fd, resp_fd, arena_fd)
        run_learner(cfg, req_fd, resp_fd, arena_fd)
    os.close(req_fd)
    os.close(resp_fd)
    os.close(arena_fd)
    supervisor.supervise(child, alive_fd, cfg["lifetime"], cfg["sub_dir"], cfg["disk_bytes"])


def run_learner(cfg, req_fd, resp_fd, arena_fd):
    code = 70
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD, signal.SIGTERM})
        code = learner_process(cfg, req_fd, resp_fd, arena_fd)
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


def namespace_init(cfg, req_fd, resp_fd, arena_fd):
    """pid 1 of the learner's own pid namespace (trusted code, root, never confined): forks the
    learner process, reaps every orphan of the namespace (so zombies do not count against the
    learner's process limit) and exits with the learner process's exit status. Its exit makes
    the kernel kill everything left in the namespace, and it dies with the supervisor, so no
    learner process outlives the worker, however it was started or whoever was killed first."""
    limits.die_with_parent()
    learner = os.fork()
    if learner == 0:
        run_learner(cfg, req_fd, resp_fd, arena_fd)
    os.close(req_fd)
    os.close(resp_fd)
    os.close(arena_fd)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(70)
        if pid == learner:
            code = os.waitstatus_to_exitcode(status)
            os._exit(code if code >= 0 else 128 - code)


def learner_process(cfg, req_fd, resp_fd, arena_fd):
    memory = arena.attach(arena_fd)  # before the limits: mapped once, its descriptor closed
    sandbox = confinement.confine(cfg)
    sys.path[:] = [p for p in sys.path if p != RUNTIME_DIR]
    sys.path.insert(0, cfg["sub_dir"])
    os.chdir(cfg["sub_dir"])
    sys.stdout, sys.stderr = shims.CappedStream(1), shims.CappedStream(2)
    sys.stdin = io.StringIO("")
    if cfg.get("stub_plotting", True):
        shims.stub_plotting()
    module, load_error = serving.load(cfg)
    # the learner may have replaced them
    sys.stdout, sys.stderr = shims.CappedStream(1), shims.CappedStream(2)
    codec.write_frame_blocking(resp_fd, codec.dumps(protocol.loaded(cfg["load_id"], load_error, sandbox)))
    ask = serving.grader_line(req_fd, resp_fd)
    while True:
        payload = codec.read_frame_blocking(req_fd)
        if payload == protocol.BYE_FRAME:
            return 0
        if payload is None:
            return serving.GRADER_GONE
        reply = serving.serve(module, payload, memory, ask)
        codec.write_frame_blocking(resp_fd, reply if isinstance(reply, bytes) else codec.dumps(reply))


if __name__ == "__main__":
    main()
