"""Run untrusted code in a separate, confined worker process (see docs/isolation.md).

Generic: it loads a submission as the Python module it is told to and calls the functions it is
asked for; what the module should define is the grader's business (autograder/submission.py).

    with open_submission(path, module="nn_basics") as sub:
        sub.load_error, sub.output
        value = sub.call("sigmoid", x)
        value, args_after, kwargs_after = sub.call_full("numerical_gradient", f, x)
"""

from __future__ import annotations

import copy
import os
import secrets
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from . import codec, protocol
from .callbacks import Callbacks
from .cpuwait import CpuWait, stretched
from .errors import (
    FROM_STATUS,
    BadCallback,
    BadReturn,
    CallTimeout,
    LearnerException,
    Missing,
    NotImplementedByLearner,
    Refused,
    RequestRejected,
    SubmissionError,
    WorkerCrashed,
)
from .intake import read_submission
from .process import Died, Timeout, WorkerProcess
from .testfns import TestFunction
from .workdir import Workdir

__all__ = [
    "open_submission",
    "Submission",
    "TestFunction",
    "SubmissionError",
    "Missing",
    "NotImplementedByLearner",
    "LearnerException",
    "CallTimeout",
    "WorkerCrashed",
    "BadReturn",
    "BadCallback",
    "Refused",
    "RequestRejected",
]

OUTPUT_CAP_BYTES = 64 * 1024

DEFAULT_LIMITS = {
    "cpu_seconds": 120,  # whole worker; wall time per call is enforced by the grader
    "memory_bytes": 512 << 20,  # address space of each learner process (numpy needs ~140 MB)
    "max_processes": 4,  # tasks of the learner's uid: memory_bytes x this = 2 GiB in all
    "file_bytes": 16 << 20,  # any one file it writes, its captured output included
    "disk_bytes": 32 << 20,  # everything it writes (tmpfs as root, else a watchdog)
    "open_files": 64,
}

Reply = tuple[Any, Any, Any]  # (value, args after the call, kwargs after the call)


class Submission:
    """One submission loaded in its own worker, for a .py file, a folder, or a notebook (.ipynb);
    a context manager that closes it. `module`: the name its code runs as; `folder_files`: which
    file of a folder is the submission, in order of preference (default `<module>.py`).

    FileNotFoundError when there is nothing at `path`: that is the grader's error, not the
    learner's. A path that is not data (a link, a FIFO, a device, too large: see intake.py)
    opens as a submission whose every call raises Refused, with the reason as its load error."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        module: str,
        folder_files: Sequence[str] | None = None,
        call_timeout: float = 10.0,
        load_timeout: float = 15.0,
        budget: float = 90.0,
        limits: Mapping[str, int] | None = None,
    ) -> None:
        self.call_timeout, self.load_timeout, self.budget = call_timeout, load_timeout, budget
        self._worker: WorkerProcess | None = None
        self._waits: CpuWait | None = None  # the worker's CPU wait, settled after each exchange
        self._spent = 0.0
        self._earlier_output = b""
        self._fatal: SubmissionError | None = None  # an error every call raises: the code cannot even load
        self.sandbox_info: dict[str, Any] = {}
        self.load_error: str | None = None
        self._workdir: Workdir | None = None
        # a Submission dropped without close() still ends its worker and removes its folder
        self._finalizer = weakref.finalize(self, Submission._release, self.__dict__)
        try:  # FileNotFoundError: nothing there at all
            received = read_submission(path, module, tuple(folder_files or (f"{module}.py",)))
        except Refused as exc:  # graded, as a submission with nothing in it, with the reason
            self._fatal = exc
            self.load_error = f"the submission was refused: {exc}"
            return
        try:
            self._workdir = Workdir(received, {**DEFAULT_LIMITS, **(limits or {})}, module)
            self._start()
        except SubmissionError as exc:
            self._fatal = exc
            self.load_error = str(exc)
        except BaseException:  # a grader-side failure: leave no folder or process behind
            self.close()
            raise

    # -- the interface of docs/architecture.md -------------------------------------------------

    def call(self, name: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        return self._call(name, args, kwargs, timeout, full=False)[0]

    def call_full(self, name: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Reply:
        return self._call(name, args, kwargs, timeout, full=True)

    @property
    def module_code(self) -> list[str | bytes]:
        """The code the worker runs as the module, as data the grader holds (never asked of the
        worker): a .py's bytes, or each notebook cell as the Python it runs (notebook.py), in
        order. [] when nothing of the submission was loaded."""
        return self._workdir.module_code if self._workdir is not None else []

    @property
    def sibling_code(self) -> list[str | bytes]:
        """The bytes of the other modules beside it, which its code may import."""
        return self._workdir.sibling_code if self._workdir is not None else []

    @property
    def load_failure(self) -> SubmissionError | None:
        """Why nothing of the submission could be loaded (a Refused, with the learner's reason),
        or None: then `load_error` holds what the learner's own code raised, if anything."""
        return self._fatal

    @property
    def output(self) -> str:
        raw = self._earlier_output
        if self._worker is not None:
            raw += self._worker.output(OUTPUT_CAP_BYTES + 1)
        text = raw[:OUTPUT_CAP_BYTES].decode("utf-8", "replace")
        if len(raw) > OUTPUT_CAP_BYTES:
            text += "\n[... output truncated ...]"
        return text

    def __enter__(self) -> Submission:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop_worker(graceful=True)
        self._finalizer.detach()
        if self._workdir is not None:
            self._workdir.remove()

    @staticmethod
    def _release(state: dict[str, Any]) -> None:
        worker = state.get("_worker")
        if worker is not None:
            worker.close(graceful=False)
            worker.output_file.close()
        if state.get("_workdir") is not None:
            state["_workdir"].remove()

    # -- internals -----------------------------------------------------------------------------

    def _limit(self, seconds: float) -> float:
        """`seconds`, cut to what is left of the submission's time budget."""
        remaining = self.budget - self._spent
        if remaining <= 0:
            raise CallTimeout(f"the submission's time budget of {self.budget:.0f} s is spent")
        return min(seconds, remaining)

    def _start(self) -> None:
        """Start a worker and wait for it to load the submission; raise if it cannot."""
        assert self._workdir is not None
        limit = self._limit(self.load_timeout)
        load_id = secrets.token_hex(8)
        self._worker = WorkerProcess(self._workdir, load_id, lifetime=self.budget - self._spent + 5)
        self._waits = CpuWait(self._worker.pid)
        message = self._exchange(
            None, limit, "loading the code", WorkerCrashed, lambda m: protocol.is_loaded(m, load_id)
        )
        self.load_error, self.sandbox_info = message["load_error"], message["sandbox"]

    def _exchange(
        self,
        payload: bytes | None,
        limit: float,
        what: str,
        broken: type[SubmissionError],
        valid: Callable[[Any], bool],
        callbacks: Callbacks | None = None,
    ) -> dict[str, Any]:
        """Send `payload` (None: only read, the load frame), then read and decode one frame
        within `limit` seconds, which `valid` must accept; before it, answer every evaluation of
        the call's `callbacks` within the same limit. A timeout, the worker's end or a frame
        that breaks protocol stops the worker and raises the SubmissionError that says so (a
        frame that breaks protocol as `broken`, an evaluation not answered as BadCallback); the
        next call starts a fresh worker."""
        worker = self._worker
        assert worker is not None
        started = time.monotonic()
        deadline = started + limit
        waits = self._waits
        assert waits is not None
        try:
            if payload is not None:
                worker.send(payload, deadline)
            testfn = callbacks.decode if callbacks else None
            message = codec.loads(_receive(worker, started, deadline, waits), testfn=testfn)
            while callbacks and protocol.is_evaluation(message):
                worker.send(callbacks.answer(message), _current(deadline, started, waits))
                message = codec.loads(_receive(worker, started, deadline, waits), testfn=testfn)
            if not valid(message):
                raise codec.CodecError("the worker broke protocol: not the frame it was asked for")
            return cast(dict[str, Any], message)
        except BadCallback:
            self._stop_worker(graceful=False)  # mid-call, waiting for a value it will not get
            raise
        except Timeout:
            self._stop_worker(graceful=False)
            raise CallTimeout(f"{what} did not finish within {limit:.1f} s") from None
        except Died:
            how = worker.exit_description()
            self._stop_worker(graceful=False)
            raise WorkerCrashed(f"the worker ended during {what} ({how})") from None
        except codec.CodecError as exc:
            self._stop_worker(graceful=False)
            raise broken(f"{what}: {exc}") from None
        finally:  # the budget, like the limit, counts no time spent waiting for a CPU
            elapsed = time.monotonic() - started
            self._spent += elapsed - min(elapsed, waits.settle())

    def _stop_worker(self, graceful: bool) -> None:
        if self._worker is not None:
            self._worker.close(graceful=graceful)
            self._earlier_output += self._worker.output(OUTPUT_CAP_BYTES + 1)
            self._earlier_output = self._earlier_output[: OUTPUT_CAP_BYTES + 1]
            self._worker.output_file.close()
            self._worker = None

    def _call(
        self,
        name: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        timeout: float | None,
        full: bool,
    ) -> Reply:
        if self._fatal is not None:
            raise copy.copy(self._fatal)  # its reason and details too, a fresh traceback
        request_id = secrets.token_hex(8)
        callbacks = Callbacks(args, kwargs)  # test functions travel as handles, answered here
        payload = codec.dumps(
            protocol.call_request(request_id, name, callbacks.args, callbacks.kwargs, full),
            testfn=protocol.Callback,
        )
        if self._worker is None:  # the last call killed it: a fresh one re-loads the code
            self._start()
        limit = self._limit(timeout or self.call_timeout)
        reply = self._exchange(
            payload, limit, name, BadReturn, lambda m: protocol.is_reply_to(m, request_id), callbacks
        )
        if reply["status"] != protocol.OK:
            raise FROM_STATUS[reply["status"]].from_reply(name, reply)
        if full:
            return reply.get("value"), reply.get("args"), reply.get("kwargs")
        return reply.get("value"), None, None


def _current(deadline: float, started: float, waits: CpuWait) -> float:
    """The deadline as _receive has moved it by now (read only once past the first one)."""
    now = time.monotonic()
    if now < deadline:
        return deadline
    return stretched(deadline, started, min(waits.seconds(), now - started))


def _receive(worker: WorkerProcess, started: float, deadline: float, waits: CpuWait) -> bytes:
    """One frame by `deadline`, moved later by the time the worker waited for a CPU (see
    cpuwait.py): on a loaded machine the same code must pass as on a quiet one."""
    limit_end = deadline
    while True:
        try:
            return worker.receive(deadline)
        except Timeout:
            now = time.monotonic()
            later = stretched(limit_end, started, min(waits.seconds(), now - started))
            if later <= now:
                raise
            deadline = later


open_submission = Submission  # `with open_submission(path, module=...) as sub:` reads as what it does
