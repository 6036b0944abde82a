"""The in-process stand-in for the sandbox's Submission (docs/architecture.md): the grader's own
re-run of a check against the trusted reference (grade.run_check), and the tests, tools/mutants.py
and bench/ (the grader's logic without a learner process; the time spent inside learner functions).

It mirrors the worker (autograder/sandbox/serving.py): the code is loaded the way the worker
loads it (a notebook's cells one by one, a failing cell recorded and the next one run), and
arguments and return values cross the same codec, so checks see the same values and types.

It runs the code in this process, unconfined: only ever for the kit's own trusted code (the
reference, the corpus in tests/mistakes, mutants of the reference), never for learner code.
"""

from __future__ import annotations

import contextlib
import itertools
import linecache
import time
import traceback
import types
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from ..sandbox import arena, codec, ipysyntax, protocol
from ..sandbox.callbacks import Callbacks
from ..sandbox.errors import (
    BadCallback,
    BadReturn,
    CallTimeout,
    LearnerException,
    Missing,
    NotImplementedByLearner,
)
from ..sandbox.interface import OpenSubmission
from ..sandbox.workdir import resolve_source
from .intake import GRADED_NAMES, MODULE_NAME

if TYPE_CHECKING:
    from ..sandbox import Submission

_names = itertools.count()
MODULE_FILE = f"{MODULE_NAME}.py"


def _module_file(source: str) -> str:
    """The file name a .py submission's code runs under, as in the worker (`nn_basics.py`, in a
    folder of its own), its lines known to linecache: tracebacks show the learner's lines."""
    filename = f"/in-process/{next(_names)}/{MODULE_FILE}"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return filename


def line_in(exc, filename):
    """As the worker's line_in (sandbox/serving.py): the line of `filename` where `exc` was raised, or 0."""
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        return exc.lineno or 0
    walked = traceback.walk_tb(exc.__traceback__)
    frames = [line for frame, line in walked if frame.f_code.co_filename == filename]
    return frames[-1] if frames else 0


class _NoIPython:
    """What `get_ipython()` returns in a notebook's cells, as in the worker."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


class InProcessSubmission:
    """The Submission interface over trusted code run here.

    source: a module's text, or a notebook's cells to run ([{"index", "source"}], as the sandbox
    extracts them); timeouts: functions whose calls raise CallTimeout without running. Records
    every call's name (`calls`) and the time spent inside the code (`seconds`: perf_counter
    around the bare call only, for bench/).
    """

    def __init__(self, source: str | list[dict], *, timeouts=()):
        self.module = types.ModuleType(f"_in_process_submission_{next(_names)}")
        notebook = isinstance(source, list)
        cells: list[dict] = source if isinstance(source, list) else [{"index": None, "source": source}]
        module_file = None if isinstance(source, list) else _module_file(source)
        if notebook:
            self.module.__dict__["get_ipython"] = _NoIPython
        errors = []
        for cell in cells:
            where = f"<cell {cell['index']}>" if module_file is None else module_file
            try:  # like the worker: a failing cell is recorded, the next one runs
                code = ipysyntax.transform(cell["source"]) if cell.get("ipython") else cell["source"]
                exec(compile(code, where, "exec"), self.module.__dict__)
            except Exception as exc:  # noqa: BLE001 - recorded as the worker records it
                at = f"cell {cell['index']}, " if notebook else ""
                errors.append(f"{at}line {line_in(exc, where)}: {type(exc).__name__}: {exc}")
        self.load_error, self.output = ("; ".join(errors) or None), ""
        # the source as the grader holds it (Submission.module_code); nothing beside it
        self.module_code = [c["source"] for c in cells]
        self.cells = list(cells) if notebook else []  # as Submission.cells
        self.sibling_code: list[str | bytes] = []
        self.load_failure = None  # trusted code here is never refused
        self.timeouts = set(timeouts)
        self.calls: list[str] = []
        self.seconds = 0.0
        self.cpu_seconds = 0.0  # the same calls in CPU time: what a loaded machine does not inflate

    @classmethod
    def from_path(cls, path, **options) -> InProcessSubmission:
        """A .py file, a folder holding nn_basics.py, or a notebook, read as the sandbox reads it."""
        kind, cells, py_file = resolve_source(path, MODULE_NAME, GRADED_NAMES)
        if kind == "py":
            return cls(py_file.read_text(encoding="utf-8"), **options)
        return cls(cells, **options)

    def call(self, name, *args, timeout=None, **kwargs):
        return self._call(name, args, kwargs, timeout, full=False)[0]

    def call_full(self, name, *args, timeout=None, **kwargs):
        return self._call(name, args, kwargs, timeout, full=True)

    def _call(self, name, args, kwargs, timeout, full):
        self.calls.append(name)
        if name in self.timeouts:
            raise CallTimeout(f"{name} did not return within {timeout} s")
        function = getattr(self.module, name, None)
        if not callable(function):
            raise Missing(f"{name} is not defined")
        sent_args, sent_kwargs = args, kwargs  # the grader's own, rebuilt after the call
        callbacks = Callbacks(args, kwargs)
        refused: list[BadCallback] = []  # as the sandbox does, the first evaluation refused fails the call

        def ask(handle, arg):
            request = codec.dumps(protocol.evaluation(handle, arg), testfn=protocol.Callback)
            try:
                answer = callbacks.answer(codec.loads(request, testfn=callbacks.decode))
            except BadCallback as exc:
                refused.append(exc)
                raise
            return codec.loads(answer)["value"]

        request = codec.loads(
            codec.dumps({"args": callbacks.args, "kwargs": callbacks.kwargs}, testfn=protocol.Callback),
            testfn=lambda kind, data: protocol.Callback(data, ask),
        )
        args, kwargs = request["args"], request["kwargs"]
        # as the arena (sandbox/arena.py): what the grader reads after the call is its own
        # structure holding the arrays the code was handed, whatever it did to the containers
        handed = arena.arrays(args, kwargs)
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            value = function(*args, **kwargs)
        except BaseException as exc:
            if refused:
                raise refused[0] from None
            if isinstance(exc, NotImplementedError):
                raise NotImplementedByLearner(f"{name} still raises NotImplementedError") from None
            if isinstance(exc, Exception):  # the code's exception, reported as the sandbox does
                trace = "".join(traceback.format_exception(exc))[-protocol.MAX_TRACEBACK :]
                raise LearnerException(type(exc).__name__, str(exc), trace) from None
            raise
        finally:
            self.seconds += time.perf_counter() - started
            self.cpu_seconds += time.process_time() - cpu_started
        if refused:
            raise refused[0]
        try:
            reply = codec.loads(
                codec.dumps({"value": value}, testfn=protocol.Callback, limit=codec.MAX_REPLY_BYTES),
                testfn=callbacks.decode,
            )
        except codec.CodecError as exc:
            raise BadReturn(f"{name} returned something that is not plain data: {str(exc)[:1000]}") from None
        if not full:
            return reply["value"], None, None
        args_after, kwargs_after = arena.rebuild(sent_args, sent_kwargs, [a.copy() for a in handed])
        return reply["value"], args_after, kwargs_after


def opener(
    submission: InProcessSubmission,
) -> Callable[[object], AbstractContextManager[InProcessSubmission]]:
    """An `opener` for grade_submission that hands out `submission` whatever the path."""

    @contextlib.contextmanager
    def open_in_process(path: object) -> Iterator[InProcessSubmission]:
        yield submission

    return open_in_process


if TYPE_CHECKING:  # mypy checks that the sandbox's submission and this double are both what checks ask of one
    _sandboxed: type[OpenSubmission] = Submission
    _in_process: type[OpenSubmission] = InProcessSubmission
