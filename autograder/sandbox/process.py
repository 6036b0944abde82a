"""One worker process seen from the grader: spawn, send a frame, read a frame by a deadline, kill.

Requests and responses go over a pipe pair, not the worker's stdout (which the learner writes
to): stdout and stderr go to an unlinked temporary file, so a flood can neither deadlock a pipe
nor reach anything but the captured-output text.
"""
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time

from . import codec
from .protocol import BYE_FRAME as BYE

DISK_FULL = 76  # worker.DISK_FULL


class Timeout(Exception):
    pass


class Died(Exception):
    pass


class WorkerProcess:
    def __init__(self, workdir, load_id, lifetime):
        workdir.write_config(load_id, lifetime)
        req_r, self.req_w = os.pipe()
        self.resp_r, resp_w = os.pipe()
        # liveness: we write one byte when we close the worker; if we die instead, the kernel
        # closes this end and the supervisor knows to clean up after us (see worker.py)
        alive_r, self.alive_w = os.pipe()
        self.output_file = tempfile.TemporaryFile(prefix="nn-sandbox-out-")
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-B", str(workdir.rt / "worker.py"), str(workdir.config_path),
                 str(req_r), str(resp_w), str(alive_r)],
                stdin=subprocess.DEVNULL, stdout=self.output_file, stderr=self.output_file,
                pass_fds=(req_r, resp_w, alive_r), env=workdir.env(), cwd=str(workdir.sub),
                start_new_session=True)
        finally:
            os.close(req_r)
            os.close(resp_w)
            os.close(alive_r)
        os.set_blocking(self.req_w, False)
        os.set_blocking(self.resp_r, False)
        self._buffer = bytearray()  # appended in place: a 64 MiB reply must not copy quadratically

    @property
    def pid(self):
        return self.proc.pid

    def send(self, payload, deadline):
        view = memoryview(codec.frame(payload))
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout()
            _, writable, _ = select.select([], [self.req_w], [], remaining)
            if writable:
                try:
                    view = view[os.write(self.req_w, view):]
                except BrokenPipeError as exc:
                    raise Died() from exc

    def receive(self, deadline: float) -> bytes:
        while True:
            if len(self._buffer) >= 4:
                (size,) = struct.unpack(">I", self._buffer[:4])
                if size > codec.MAX_REPLY_BYTES:  # before reading it: the learner wrote it
                    raise codec.CodecError(f"a reply of {size} bytes is over the limit of "
                                           f"{codec.MAX_REPLY_BYTES}")
                if len(self._buffer) >= 4 + size:
                    payload = bytes(self._buffer[4:4 + size])
                    del self._buffer[:4 + size]
                    return payload
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout()
            readable, _, _ = select.select([self.resp_r], [], [], remaining)
            if readable:  # never more than the frame being read needs, plus one chunk
                chunk = os.read(self.resp_r, 1 << 20)
                if not chunk:
                    raise Died()
                self._buffer += chunk

    def exit_description(self, wait=5.0):
        """How the worker ended (after Died): its exit code, or the signal that killed it."""
        try:
            code = self.proc.wait(wait)
        except subprocess.TimeoutExpired:
            return "the worker stopped answering"
        if code == DISK_FULL:
            return "it wrote more than its disk quota"
        if code > 128:
            try:
                return f"killed by {signal.Signals(code - 128).name}"
            except ValueError:
                pass
        return f"exit code {code}"

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
        pid = self.proc.pid
        if not (graceful and self._exited_within(2.0)):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            self._exited_within(2.0)
        # While the supervisor is unreaped (at worst a zombie) its pid, which is its process
        # group's id, cannot be reused; once reaped (exit_description waits for it), the id may
        # already name a stranger's group, so it is not signalled.
        if self.proc.returncode is None:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.proc.kill()
        self.proc.wait()
        os.close(self.resp_r)

    def _exited_within(self, seconds):
        """Wait without reaping, so the pid stays ours for the killpg that follows."""
        end = time.monotonic() + seconds
        while True:
            try:
                info = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return True
            if info is not None:
                return True
            if time.monotonic() > end:
                return False
            time.sleep(0.005)
