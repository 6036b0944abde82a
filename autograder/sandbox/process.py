"""The worker seen from the grader: the warm zygote that forks one supervisor per submission,
and one worker (a supervisor and its learner process): send a frame, read a frame by a deadline,
kill.

Requests and responses go over a pipe pair, not the worker's stdout (which the learner writes
to): stdout and stderr go to an unlinked temporary file, so a flood can neither deadlock a pipe
nor reach anything but the captured-output text.
"""

import atexit
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import codec
from .protocol import BYE_FRAME as BYE
from .workdir import RUNTIME_FILES, base_env

HERE = Path(__file__).resolve().parent
DISK_FULL = 76  # supervisor.DISK_FULL
ZYGOTE_REPLY_SECONDS = 120.0  # its first reply waits for its imports, on a loaded machine too


class Timeout(Exception):
    pass


class Died(Exception):
    pass


class ZygoteGone(RuntimeError):
    """The zygote ended or broke protocol: the grader's fault, never the learner's."""


class Zygote:
    """One per grader process, started on first use (and again if it died): a Python that has
    imported numpy and the worker runtime (zygote.py), forking a supervisor per submission.
    Its folder holds only the runtime, private to the grader's user; learner code never runs
    in it. The grader's end of its socket closing (the grader exiting, or killed) ends it."""

    _lock = threading.Lock()
    _current = None

    @classmethod
    def shared(cls):
        with cls._lock:
            z = cls._current
            if z is None or z.owner != os.getpid() or z.proc.poll() is not None:
                if z is not None and z.owner == os.getpid():
                    z.stop()
                z = cls._current = cls()
            return z

    def __init__(self):
        self.owner = os.getpid()  # a forked grader must not share this one's socket
        self._lock = threading.Lock()
        self.base = Path(tempfile.mkdtemp(prefix="nn-zygote-"))
        try:
            rt = self.base / "rt"
            rt.mkdir(mode=0o700)
            for name in RUNTIME_FILES:
                shutil.copyfile(HERE / name, rt / name)
            self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            try:
                self.proc = subprocess.Popen(
                    [sys.executable, "-I", "-B", str(rt / "zygote.py"), str(theirs.fileno())],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    pass_fds=(theirs.fileno(),),
                    env=base_env(),
                    cwd=str(self.base),
                    start_new_session=True,
                )  # a Ctrl-C meant for the grader reaches it by EOF only
            finally:
                theirs.close()
        except BaseException:
            shutil.rmtree(self.base, ignore_errors=True)
            raise
        self.sock.settimeout(ZYGOTE_REPLY_SECONDS)
        atexit.register(self.stop)

    def _ask(self, request, fds=()):
        with self._lock:
            try:
                if fds:
                    socket.send_fds(self.sock, [json.dumps(request).encode()], list(fds))
                else:
                    self.sock.send(json.dumps(request).encode())
                reply = self.sock.recv(1 << 16)
            except OSError as exc:  # socket.timeout included
                raise ZygoteGone(f"the sandbox zygote did not answer: {exc}") from None
        if not reply:
            raise ZygoteGone(f"the sandbox zygote ended (exit code {self.proc.poll()})")
        return json.loads(reply)

    def spawn(self, workdir, req_r, resp_w, out_fd, alive_r, arena_fd):
        """(pid of a fresh supervisor for `workdir`, read end of its status pipe)."""
        status_r, status_w = os.pipe()
        try:
            reply = self._ask(
                {
                    "op": "spawn",
                    "config": str(workdir.config_path),
                    "cwd": str(workdir.sub),
                    "env": workdir.env(),
                },
                (req_r, resp_w, out_fd, status_w, alive_r, arena_fd),
            )
        except BaseException:
            os.close(status_r)
            raise
        finally:
            os.close(status_w)
        if type(reply.get("pid")) is not int:
            os.close(status_r)
            raise ZygoteGone(f"the sandbox zygote refused a spawn: {reply}")
        return reply["pid"], status_r

    def wait_warm(self):
        """Return once the zygote has imported everything (ZygoteGone if it cannot)."""
        self._ask({"op": "ping"})

    def reap(self, pid):
        try:
            self._ask({"op": "reap", "pid": pid})
        except ZygoteGone:  # then it is gone, and its children with init
            pass

    def stop(self):
        """Closing the socket ends it (its supervisors have ended by now, or end themselves)."""
        self.sock.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.base, ignore_errors=True)
        atexit.unregister(self.stop)


def start_zygote() -> Zygote:
    """The sandbox's zygote, started now rather than at the first submission: its start-up (a
    Python importing numpy and the worker runtime) then runs beside the caller's own imports
    and reference, not after them. Every door that grades starts it here."""
    return Zygote.shared()


class WorkerProcess:
    """arena_fd: the submission's arena (arena.py), handed to the worker; the caller's to close."""

    def __init__(self, workdir, load_id, lifetime, arena_fd, zygote=None):
        workdir.write_config(load_id, lifetime)
        req_r, self.req_w = os.pipe()
        self.resp_r, resp_w = os.pipe()
        # liveness: we write one byte when we close the worker; if we die instead, the kernel
        # closes this end and the supervisor knows to clean up after us (see supervisor.py)
        alive_r, self.alive_w = os.pipe()
        self.output_file = tempfile.TemporaryFile(prefix="nn-sandbox-out-")
        try:
            zygote = zygote or Zygote.shared()
            fds = (req_r, resp_w, self.output_file.fileno(), alive_r, arena_fd)
            try:
                self.pid, self._status_r = zygote.spawn(workdir, *fds)
            except ZygoteGone:  # once: a zygote that died between two submissions is restarted
                zygote = Zygote.shared()
                self.pid, self._status_r = zygote.spawn(workdir, *fds)
        except BaseException:
            os.close(self.req_w)
            os.close(self.resp_r)
            os.close(self.alive_w)
            self.output_file.close()
            raise
        finally:
            os.close(req_r)
            os.close(resp_w)
            os.close(alive_r)
        self._zygote = zygote
        self._code = None  # the supervisor's exit code, once the zygote reported it
        os.set_blocking(self.req_w, False)
        os.set_blocking(self.resp_r, False)
        self._buffer = bytearray()  # appended in place: a 64 MiB reply must not copy quadratically

    def send(self, payload, deadline):
        view = memoryview(codec.frame(payload))
        try:  # a small frame to a worker waiting for it fits at once: no select (callbacks.py)
            view = view[os.write(self.req_w, view) :]
        except BlockingIOError:
            pass
        except BrokenPipeError as exc:
            raise self._died() from exc
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout()
            _, writable, _ = select.select([], [self.req_w], [], remaining)
            if writable:
                try:
                    view = view[os.write(self.req_w, view) :]
                except BrokenPipeError as exc:
                    raise self._died() from exc

    def receive(self, deadline: float) -> bytes:
        while True:
            if len(self._buffer) >= 4:
                (size,) = struct.unpack(">I", self._buffer[:4])
                if size > codec.MAX_REPLY_BYTES:  # before reading it: the learner wrote it
                    raise codec.CodecError(
                        f"a reply of {size} bytes is over the limit of {codec.MAX_REPLY_BYTES}"
                    )
                if len(self._buffer) >= 4 + size:
                    payload = bytes(self._buffer[4 : 4 + size])
                    del self._buffer[: 4 + size]
                    return payload
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout()
            readable, _, _ = select.select([self.resp_r], [], [], remaining)
            if readable:  # never more than the frame being read needs, plus one chunk
                chunk = os.read(self.resp_r, 1 << 20)
                if not chunk:
                    raise self._died()
                self._buffer += chunk

    def _died(self):
        """Died: the worker ended, the learner's doing. Unless the zygote ended first: its
        supervisors then end too, a grader fault (ZygoteGone) never charged to the learner."""
        if self._zygote.proc.poll() is not None:
            return ZygoteGone(f"the sandbox zygote ended (exit code {self._zygote.proc.returncode})")
        return Died()

    def exit_description(self, wait=5.0):
        """How the worker ended (after Died): its exit code, or the signal that killed it."""
        code = self._wait(wait)
        if code is None:
            return "the worker stopped answering"
        if code == DISK_FULL:
            return "it wrote more than its disk quota"
        if code > 128:
            try:
                return f"killed by {signal.Signals(code - 128).name}"
            except ValueError:
                pass
        return f"exit code {code}"

    def _wait(self, seconds):
        """The supervisor's exit code once it has ended (the zygote writes it, then closes the
        pipe), else None after `seconds`. The zygote does not reap it before reap(), so until
        then its pid is still this worker's to signal."""
        if self._code is None and self._status_r is not None:
            readable, _, _ = select.select([self._status_r], [], [], max(seconds, 0))
            if readable:
                data = os.read(self._status_r, 64)
                # no data: the zygote ended first (the grader is going away); nothing to wait for
                self._code = int(data) if data else -signal.SIGKILL
                os.close(self._status_r)
                self._status_r = None
        return self._code

    def output(self, limit):
        return os.pread(self.output_file.fileno(), limit, 0)

    def close(self, graceful=True):
        """End the worker and everything it started. Closing the request pipe lets it exit by
        itself; SIGTERM makes the supervisor kill its subtree; SIGKILL of the whole process
        group is the backstop if the supervisor itself is gone or stuck."""
        if self.alive_w is not None:
            try:  # first of all: a live grader is closing us, nothing for the worker to clean
                os.write(self.alive_w, b"c")
            except OSError:
                pass
            os.close(self.alive_w)
            self.alive_w = None
        if self.req_w is not None:
            try:  # tells the worker the grader is alive and done (protocol.py)
                os.write(self.req_w, codec.frame(BYE))
            except OSError:  # a full pipe (a hung worker) or a dead one: SIGTERM follows
                pass
            os.close(self.req_w)
            self.req_w = None
        if self.resp_r is None:
            return
        pid = self.pid
        if self._zygote.proc.poll() is None:  # else orphaned: it kills its tree by itself
            if not (graceful and self._wait(2.0) is not None):
                _signal(os.kill, pid, signal.SIGTERM)
                self._wait(2.0)
            # the zygote reaps the supervisor only when told below: at worst it is a zombie
            # here, so its pid (= pgid) cannot have been reused
            _signal(os.killpg, pid, signal.SIGKILL)
            _signal(os.kill, pid, signal.SIGKILL)
            self._wait(30.0)
        if self._status_r is not None:
            os.close(self._status_r)
            self._status_r = None
        self._zygote.reap(pid)
        os.close(self.resp_r)
        self.resp_r = None


def _signal(kill, pid, sig):
    try:
        kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
