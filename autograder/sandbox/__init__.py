"""Run untrusted code in a separate, confined worker process (see docs/isolation.md).

Generic: it loads a submission as the Python module it is told to and calls the functions it is
asked for; what the module should define, and which file is the submission, is the grader's
business (autograder/core/intake.py, which hands over the bytes it read: a `Received`).

    with open_submission(received, module="nn_basics") as sub:
        sub.load_error, sub.output
        value = sub.call("sigmoid", x)
        value, args_after, kwargs_after = sub.call_full("numerical_gradient", f, x)

A full call's arrays live in the submission's arena (arena.py), which the grader reads itself
after the call: "the arguments after the call" are the grader's own arguments with the array
contents it read there, never what the worker says.
"""

from __future__ import annotations

import copy
import os
import secrets
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from ..settings import SETTINGS
from . import arena, codec, protocol
from .callbacks import Callbacks
from .cpuwait import MAX_STRETCH, CpuWait, stretched
from .errors import (
    FROM_STATUS,
    BadCallback,
    BadReturn,
    CallTimeout,
    LearnerException,
    Missing,
    NotImplementedByLearner,
    Refused,
    RequestRefused,
    RequestRejected,
    SubmissionError,
    WorkerCrashed,
)
from .intake import Received, read_submission
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
    "RequestRefused",
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
    a context manager that closes it. `source`: the bytes the kit's intake read (a `Received`),
    or its refusal; a path is read here by the same byte-level reader (tests, bench).
    `module`: the name its code runs as; `folder_files`: for a path, which file of a folder is
    the submission, in order of preference (default `<module>.py`).

    FileNotFoundError when there is nothing at a path: that is the grader's error, not the
    learner's. A refused source (a link, a FIFO, a device, too large: see intake.py) opens as a
    submission whose every call raises Refused, with the reason as its load error."""

    def __init__(
        self,
        source: Received | Refused | str | os.PathLike[str],
        *,
        module: str,
        folder_files: Sequence[str] | None = None,
        call_timeout: float = SETTINGS.call_timeout,
        load_timeout: float = SETTINGS.load_timeout,
        budget: float = SETTINGS.budget,
        limits: Mapping[str, int] | None = None,
    ) -> None:
        self.call_timeout, self.load_timeout, self.budget = call_timeout, load_timeout, budget
        self._worker: WorkerProcess | None = None
        self._waits: CpuWait | None = None  # the worker's CPU wait, settled after each exchange
        self._spent = 0.0  # seconds of the budget used: wall time less the time waited for a CPU
        self._wall_spent = 0.0  # wall time of every exchange: at most MAX_STRETCH x the budget
        self._earlier_output = b""
        self._fatal: SubmissionError | None = None  # an error every call raises: the code cannot even load
        self.sandbox_info: dict[str, Any] = {}
        self.load_error: str | None = None
        self.loads = 0  # workers started: after the first, each one a re-load after a crash
        self.reload_errors = 0  # re-loads that raised, counted only (see _start)
        self._workdir: Workdir | None = None
        self._arena: arena.Arena | None = None  # this submission's alone: closed with it
        # a Submission dropped without close() still ends its worker and removes its folder
        self._finalizer = weakref.finalize(self, Submission._release, self.__dict__)
        try:  # FileNotFoundError: nothing there at all
            received = _received(source, module, folder_files)
        except Refused as exc:  # graded, as a submission with nothing in it, with the reason
            self._fatal = exc
            self.load_error = f"the submission was refused: {exc}"
            return
        try:
            self._workdir = Workdir(received, {**DEFAULT_LIMITS, **(limits or {})}, module)
            self._arena = arena.Arena()
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
        """(value, args after the call, kwargs after the call): the grader's own arguments (a list
        and a dict), each array holding what the arena holds after the call. The containers, the
        test functions and the plain values are the ones sent: the learner's process cannot
        change them, only the contents of the arrays, as its code writes into them."""
        return self._call(name, args, kwargs, timeout, full=True)

    @property
    def module_code(self) -> list[str | bytes]:
        """The code the worker runs as the module, as data the grader holds (never asked of the
        worker): a .py's bytes, or each notebook cell as the Python it runs (notebook.py), in
        order. [] when nothing of the submission was loaded."""
        return self._workdir.module_code if self._workdir is not None else []

    @property
    def cells(self) -> list[dict]:
        """The notebook's cells the worker runs (notebook.extract_cells: index, source, section
        title), as data the grader holds; [] for a .py or when nothing was loaded."""
        return (self._workdir.cells or []) if self._workdir is not None else []

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
        if self._arena is not None:
            self._arena.close()

    @staticmethod
    def _release(state: dict[str, Any]) -> None:
        worker = state.get("_worker")
        if worker is not None:
            worker.close(graceful=False)
            worker.output_file.close()
        if state.get("_workdir") is not None:
            state["_workdir"].remove()
        if state.get("_arena") is not None:
            state["_arena"].close()

    # -- internals -----------------------------------------------------------------------------

    def _wall_left(self) -> float:
        """Wall time left before the budget's ceiling, which no wait for a CPU moves."""
        return self.budget * MAX_STRETCH - self._wall_spent

    def _limit(self, seconds: float) -> float:
        """`seconds`, cut to what is left of the submission's time budget."""
        remaining = min(self.budget - self._spent, self._wall_left())
        if remaining <= 0:
            raise CallTimeout(f"the submission's time budget of {self.budget:.0f} s is spent")
        return min(seconds, remaining)

    def _start(self) -> None:
        """Start a worker and wait for it to load the submission; raise if it cannot."""
        assert self._workdir is not None and self._arena is not None
        limit = self._limit(self.load_timeout)
        if self.loads:  # the last worker is dead: what it wrote must not reach this one
            self._workdir.refresh()
        self.loads += 1
        load_id = secrets.token_hex(8)
        # the supervisor's own backstop: past the budget's wall ceiling, nothing is waited for
        self._worker = WorkerProcess(
            self._workdir, load_id, lifetime=self._wall_left() + 5, arena_fd=self._arena.fd
        )
        self._waits = CpuWait(self._worker.pid)
        message = self._exchange(
            None, limit, "loading the code", WorkerCrashed, lambda m: protocol.is_loaded(m, load_id)
        )
        self.sandbox_info = message["sandbox"]
        # The first load's error only: a re-load comes after calls with hidden inputs, and what
        # it raises is the learner's channel out (the load error is shown whatever the
        # visibility); the same code raises the same at its first load.
        if self.loads == 1:
            self.load_error = message["load_error"]
        elif message["load_error"] is not None:
            self.reload_errors += 1

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
        ceiling = started + min(limit * MAX_STRETCH, self._wall_left())  # whatever was waited
        waits = self._waits
        assert waits is not None
        try:
            if payload is not None:
                worker.send(payload, deadline)
            testfn = callbacks.decode if callbacks else None
            message = codec.loads(_receive(worker, started, deadline, ceiling, waits), testfn=testfn)
            while callbacks and protocol.is_evaluation(message):
                worker.send(callbacks.answer(message), _current(deadline, started, ceiling, waits))
                message = codec.loads(_receive(worker, started, deadline, ceiling, waits), testfn=testfn)
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
            self._wall_spent += elapsed

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
        sent_args, sent_kwargs, slots = callbacks.args, callbacks.kwargs, None
        if full:  # its arrays go into the arena, which the grader reads after the reply
            self._fit_arena(arena.needed(args, kwargs))
            assert self._arena is not None
            sent_args, sent_kwargs, slots = self._arena.place(sent_args, sent_kwargs)
        request = protocol.call_request(request_id, name, sent_args, sent_kwargs, slots)
        payload = self._readable(request, name)
        if self._worker is None:  # the last call killed it: a fresh one re-loads the code
            self._start()
        limit = self._limit(timeout or self.call_timeout)
        reply = self._exchange(
            payload, limit, name, BadReturn, lambda m: protocol.is_reply_to(m, request_id), callbacks
        )
        if reply["status"] != protocol.OK:
            raise FROM_STATUS[reply["status"]].from_reply(name, reply)
        if slots is None:
            return reply.get("value"), None, None
        assert self._arena is not None
        args_after, kwargs_after = self._arena.read_back(args, kwargs, slots)
        return reply.get("value"), args_after, kwargs_after

    def _fit_arena(self, size: int) -> None:
        """An arena of at least `size` bytes: a larger one (and so a fresh worker) when needed,
        since a sealed arena cannot grow."""
        assert self._arena is not None
        if size > self._arena.size:
            self._stop_worker(graceful=True)
            self._arena.close()
            self._arena = arena.Arena(max(arena.INITIAL_BYTES, 1 << (size - 1).bit_length()))

    def _readable(self, request: dict[str, Any], name: str) -> bytes:
        """`request` encoded, once read back here as the worker reads it: a request it could not
        read is the grader's fault, found before sending (RequestRejected), so a worker that
        answers request_error speaks for the learner's code (RequestRefused)."""
        payload: bytes = codec.dumps(request, testfn=protocol.Callback)
        assert self._arena is not None
        try:
            read = codec.loads(payload, testfn=_as_the_worker_reads)
            if not protocol.is_call(read):
                raise ValueError("not a call frame")
            arena.views(read["args"], read["arena"], self._arena.memory)
            arena.views(read["kwargs"], read["arena"], self._arena.memory)
        except Exception as exc:  # noqa: BLE001 - whatever the worker's reading would raise
            raise RequestRejected(f"sandbox request for {name} rejected: {exc}") from None
        return payload


def _as_the_worker_reads(kind: str, data: Any) -> protocol.Callback:
    """What the worker builds from a function handle (serving.callback_builder)."""
    if kind != protocol.CALLBACK or type(data) is not str:
        raise ValueError(f"not a function handle: {kind!r}")
    return protocol.Callback(data)


def _current(deadline: float, started: float, ceiling: float, waits: CpuWait) -> float:
    """The deadline as _receive has moved it by now (read only once past the first one)."""
    now = time.monotonic()
    if now < deadline:
        return deadline
    return min(stretched(deadline, started, min(waits.seconds(), now - started)), ceiling)


def _receive(worker: WorkerProcess, started: float, deadline: float, ceiling: float, waits: CpuWait) -> bytes:
    """One frame by `deadline`, moved later by the time the worker waited for a CPU (see
    cpuwait.py), never past `ceiling`: on a loaded machine the same code must pass as on a quiet
    one, and no wait, however it was arranged, holds the grader for longer."""
    limit_end = deadline
    while True:
        try:
            return worker.receive(deadline)
        except Timeout:
            now = time.monotonic()
            later = min(stretched(limit_end, started, min(waits.seconds(), now - started)), ceiling)
            if later <= now:
                raise
            deadline = later


def _received(
    source: Received | Refused | str | os.PathLike[str], module: str, folder_files: Sequence[str] | None
) -> Received:
    """The bytes to run: as the kit's intake read them (autograder/core/intake.py, every door), or
    refused there; a path is read here, by the same byte-level reader (tests, bench)."""
    if isinstance(source, Refused):
        raise source
    if isinstance(source, Received):
        return source
    return read_submission(source, module, tuple(folder_files or (f"{module}.py",)))


open_submission = Submission  # `with open_submission(path, module=...) as sub:` reads as what it does
