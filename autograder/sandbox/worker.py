"""The sandbox worker: runs one submission's code and answers the grader's calls.

Self-contained: copied with protocol.py, codec.py, arena.py, limits.py, landlock.py, mounts.py,
seccomp.py and ipysyntax.py into a folder of its own; it never imports the kit. The grader runs it
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
import select
import shutil
import signal
import sys
import time
import traceback
import types

RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, RUNTIME_DIR)  # -I leaves the script's folder off sys.path

import numpy as np  # noqa: E402  (imported before the privilege drop: the learner user may not read it)

import arena  # noqa: E402
import codec  # noqa: E402
import ipysyntax  # noqa: E402
import landlock  # noqa: E402
import limits  # noqa: E402
import mounts  # noqa: E402
import protocol  # noqa: E402
import seccomp  # noqa: E402

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
OUTPUT_CAP_BYTES = 1024 * 1024  # per process; the grader keeps far less, this bounds the disk
GRADER_GONE = 75  # the learner process's exit when its request pipe closed without a bye
# How long the supervisor, once its learner process ended, waits on the liveness pipe for the
# grader's word: the grader says it at once when it closes; its death shows as end of file,
# written by the kernel while the dead grader's files close, long before the learner's exit.
LIVENESS_WAIT = 0.2
DISK_FULL = 76  # the supervisor's exit when the learner wrote past its disk quota


def main():
    run(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))


def run(config_path, req_fd, resp_fd, alive_fd, arena_fd):
    """One submission, once the runtime is imported: this process becomes its supervisor.
    Called by main() in a fresh interpreter, or by the zygote (zygote.py) in a process it has
    just forked for this submission; never returns. alive_fd: the read end of the grader's
    liveness pipe (see supervise); arena_fd: the submission's arena (arena.py), the learner
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
    supervise(child, alive_fd, cfg["lifetime"], cfg["sub_dir"], cfg["disk_bytes"])


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


class CappedStream(io.TextIOBase):
    """stdout/stderr for learner code: passes the first OUTPUT_CAP_BYTES on, drops the rest, so
    a print loop never fails or fills the disk. (Raw os.write is bounded by RLIMIT_FSIZE.)"""

    shared = {"written": 0}

    def __init__(self, fd):
        self._fd = fd

    def writable(self):
        return True

    def write(self, s):
        data = str(s).encode("utf-8", "replace")
        room = OUTPUT_CAP_BYTES - self.shared["written"]
        self.shared["written"] += len(data)
        if room > 0:
            try:
                os.write(self._fd, data[:room])
            except OSError:
                pass
        return len(s)

    def flush(self):
        pass

    def fileno(self):
        return self._fd

    def isatty(self):
        return False


def confine(cfg):
    """Apply every containment layer available; return what took effect (for tests and docs)."""
    info = {"uid_before": os.getuid(), "pid_namespace": cfg.get("pid_namespace", False)}
    limits.die_with_parent()
    as_root = os.getuid() == 0 and cfg["drop_privileges"]
    uid = limits.worker_uid(cfg["supervisor_pid"]) if as_root else os.getuid()
    if as_root:
        try:
            limits.unshare_network()
            info["netns"] = True
        except OSError as exc:
            info["netns"] = f"unavailable: {exc}"
        try:  # seccomp refuses IPC calls anyway; this also drops whatever slips past it
            limits.unshare_ipc()
            info["ipcns"] = True
        except OSError as exc:
            info["ipcns"] = f"unavailable: {exc}"
        info["mounts"] = mounts.isolate(cfg["sub_dir"], cfg["disk_bytes"], uid, cfg["read_paths"])
        if info["mounts"].get("disk_quota") is not True:  # no tmpfs: the folder itself, chowned
            for folder, _dirs, files in os.walk(cfg["sub_dir"]):
                for name in [folder] + [os.path.join(folder, f) for f in files]:
                    os.chown(name, uid, uid)
    processes = cfg["max_processes"]
    if not as_root:  # RLIMIT_NPROC counts every task of the uid, the grader's own included
        processes += limits.tasks_of_uid(os.getuid())
    limits.set_rlimits(
        cpu_seconds=cfg["cpu_seconds"],
        memory_bytes=cfg["memory_bytes"],
        file_bytes=cfg["file_bytes"],
        open_files=cfg["open_files"],
        processes=processes,
    )
    try:
        info["landlock_abi"] = landlock.restrict(cfg["read_paths"], [cfg["sub_dir"]])
    except OSError as exc:
        info["landlock_abi"] = 0
        info["landlock_error"] = str(exc)
    try:
        info["seccomp"] = seccomp.install()
    except OSError as exc:
        info["seccomp"] = str(exc)
    if as_root:
        limits.drop_privileges(uid, uid)
    info["uid"] = os.getuid()
    return info


class _NoOp:
    """Stands for any matplotlib object: every call, attribute and item is another no-op."""

    def __call__(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __getitem__(self, key):
        return self

    def __iter__(self):  # `fig, ax = plt.subplots()`
        return iter((self, self))


def stub_plotting():
    """Plots are never graded, and importing matplotlib.pyplot costs over a second per worker
    start (often more than everything else together), so matplotlib is a no-op stand-in."""
    for name in (
        "matplotlib",
        "matplotlib.pyplot",
        "matplotlib.cm",
        "matplotlib.colors",
        "matplotlib.animation",
        "matplotlib.ticker",
    ):
        module = types.ModuleType(name)
        module.__getattr__ = lambda attr: _NoOp()
        module.__path__ = []  # a package, so `import matplotlib.pyplot` finds the submodule stub
        sys.modules[name] = module
    sys.modules["matplotlib"].pyplot = sys.modules["matplotlib.pyplot"]


class _NoIPython:
    """What `get_ipython()` returns in a notebook's cells: magics and shell calls do nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def grader_line(req_fd, resp_fd):
    """ask(handle, arg) for the Callbacks of a call: the `eval` frame out on the reply pipe, the
    grader's `value` frame back on the request pipe. The grader judges what is asked
    (sandbox/callbacks.py); this only carries it."""

    def ask(handle, arg):
        request = protocol.evaluation(handle, arg)
        codec.write_frame_blocking(resp_fd, codec.dumps(request, protocol.Callback, codec.MAX_REPLY_BYTES))
        payload = codec.read_frame_blocking(req_fd)
        if payload is None or payload == protocol.BYE_FRAME:  # the grader gave up on this call
            os._exit(GRADER_GONE if payload is None else 0)
        answer = codec.loads(payload)
        if not protocol.is_value(answer):
            raise RuntimeError("the grader did not answer the evaluation")
        return answer["value"]

    return ask


def callback_builder(ask):
    """codec's `testfn` for a call frame: a Callback for each handle the grader sent."""

    def build(kind, data):
        if kind != protocol.CALLBACK or type(data) is not str:
            raise ValueError(f"not a function handle: {kind!r}")
        return protocol.Callback(data, ask)

    return build


def describe(exc):
    try:
        text = str(exc)
    except BaseException:
        text = "<unprintable>"
    return type(exc).__name__, text[: protocol.MAX_TEXT]


def failed_at(where, exc):
    """One load error: where, the exception's type and its text."""
    kind, text = describe(exc)
    return f"{where}: {kind}: {text}"


def line_in(exc, filename):
    """The line of `filename` where `exc` was raised (its last frame there), or 0: so the grader
    can quote the learner's line from the source it holds itself."""
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        return exc.lineno or 0
    line, tb = 0, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def load(cfg):
    """The submission's code run as the module the grader names; (module, load error or None)."""
    name = cfg["module"]
    module = types.ModuleType(name)
    module.__file__ = os.path.join(cfg["sub_dir"], name + ".py")
    sys.modules[name] = module
    errors = []
    if cfg["kind"] == "py":
        try:
            with open(module.__file__, "rb") as f:
                exec(compile(f.read(), module.__file__, "exec"), module.__dict__)
        except BaseException as exc:  # SystemExit/KeyboardInterrupt at import too: recorded
            errors.append(failed_at(f"line {line_in(exc, module.__file__)}", exc))
    else:
        module.__dict__["get_ipython"] = _NoIPython
        for cell in cfg["cells"]:
            try:  # like nbgrader's allow_errors: a failing cell is recorded, the next one runs
                source = ipysyntax.transform(cell["source"]) if cell["ipython"] else cell["source"]
                filename = f"<cell {cell['index']}>"
                exec(compile(source, filename, "exec"), module.__dict__)
            except BaseException as exc:
                errors.append(failed_at(f"cell {cell['index']:d}, line {line_in(exc, filename)}", exc))
    return module, ("; ".join(errors)[: protocol.MAX_LOAD_ERROR] or None)


def learner_process(cfg, req_fd, resp_fd, arena_fd):
    memory = arena.attach(arena_fd)  # before the limits: mapped once, its descriptor closed
    sandbox = confine(cfg)
    sys.path[:] = [p for p in sys.path if p != RUNTIME_DIR]
    sys.path.insert(0, cfg["sub_dir"])
    os.chdir(cfg["sub_dir"])
    sys.stdout, sys.stderr = CappedStream(1), CappedStream(2)
    sys.stdin = io.StringIO("")
    if cfg.get("stub_plotting", True):
        stub_plotting()
    module, load_error = load(cfg)
    sys.stdout, sys.stderr = CappedStream(1), CappedStream(2)  # the learner may have replaced them
    codec.write_frame_blocking(resp_fd, codec.dumps(protocol.loaded(cfg["load_id"], load_error, sandbox)))
    ask = grader_line(req_fd, resp_fd)
    while True:
        payload = codec.read_frame_blocking(req_fd)
        if payload == protocol.BYE_FRAME:
            return 0
        if payload is None:
            return GRADER_GONE
        reply = serve(module, payload, memory, ask)
        codec.write_frame_blocking(resp_fd, reply if isinstance(reply, bytes) else codec.dumps(reply))


def serve(module, payload, memory, ask=None):
    """The reply to one call frame: its encoded bytes, or a message when encoding failed. A full
    call's arrays are views into the arena `memory`: what the code writes there, the grader
    reads; the arguments themselves are never sent back. `ask`: how the call's Callbacks reach
    the grader (grader_line)."""
    try:
        req = codec.loads(payload, testfn=callback_builder(ask))
        if not protocol.is_call(req):
            raise ValueError("not a call frame")
        args = arena.views(req["args"], req["arena"], memory)
        kwargs = arena.views(req["kwargs"], req["arena"], memory)
    except Exception as exc:  # the grader read this request as we do before sending it
        try:
            rid = json.loads(payload)["id"]
        except Exception:
            rid = None
        return protocol.reply(rid, protocol.REQUEST_ERROR, message=str(exc)[: protocol.MAX_TEXT])
    rid = req["id"]
    fn = module.__dict__.get(req["name"])
    if not callable(fn):
        return protocol.reply(rid, protocol.MISSING)
    try:
        value = fn(*args, **kwargs)
    except NotImplementedError as exc:
        return protocol.reply(rid, protocol.NOT_IMPLEMENTED, message=describe(exc)[1])
    except BaseException as exc:  # SystemExit, KeyboardInterrupt...: that call fails, we go on
        exc_type, message = describe(exc)
        try:
            tb = "".join(traceback.format_exception(exc))[-protocol.MAX_TRACEBACK :]
        except BaseException:
            tb = ""
        return protocol.reply(rid, protocol.EXCEPTION, exc_type=exc_type, message=message, traceback=tb)
    reply = protocol.reply(rid, protocol.OK, value=value)
    try:  # encoding walks learner objects: done here, so a bad value is reported, not fatal
        return codec.dumps(reply, testfn=protocol.Callback, limit=codec.MAX_REPLY_BYTES)
    except BaseException as exc:
        return protocol.reply(rid, protocol.BAD_RETURN, message=describe(exc)[1])


if __name__ == "__main__":
    main()
