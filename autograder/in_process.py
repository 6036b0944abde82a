"""The in-process stand-in for the sandbox's Submission (docs/architecture.md): the grader's own
re-run of a check against the trusted reference (grade.run_check), and the tests, tools/mutants.py
and bench/ (the grader's logic without a learner process; the time spent inside learner functions).

It mirrors the worker (autograder/sandbox/worker.py): the code is loaded the way the worker
loads it (a notebook's cells one by one, a failing cell recorded and the next one run), and
arguments and return values cross the same codec, so checks see the same values and types.

It runs the code in this process, unconfined: only ever for the kit's own trusted code (the
reference, the corpus in tests/mistakes, mutants of the reference), never for learner code.
"""

from __future__ import annotations

import itertools
import linecache
import time
import traceback
import types

from .sandbox import TestFunction, codec, protocol, testfns
from .sandbox.errors import (
    BadReturn,
    CallTimeout,
    LearnerException,
    Missing,
    NotImplementedByLearner,
)
from .sandbox.workdir import resolve_source
from .submission import GRADED_NAMES, MODULE_NAME

_names = itertools.count()


def _built_test_function(kind, data):
    """What the worker builds from a TestFunction: callable, and sent back as one."""
    return TestFunction(kind, data, testfns.build(kind, data))


MODULE_FILE = f"{MODULE_NAME}.py"


def _module_file(source: str) -> str:
    """The file name a .py submission's code runs under, as in the worker (`nn_basics.py`, in a
    folder of its own), its lines known to linecache: tracebacks show the learner's lines."""
    filename = f"/in-process/{next(_names)}/{MODULE_FILE}"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return filename


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
        if notebook:
            self.module.get_ipython = _NoIPython
        errors = []
        for cell in source if notebook else [{"index": None, "source": source}]:
            where = f"<cell {cell['index']}>" if notebook else _module_file(source)
            try:  # like the worker: a failing cell is recorded, the next one runs
                exec(compile(cell["source"], where, "exec"), self.module.__dict__)
            except Exception as exc:  # noqa: BLE001 - recorded as the worker records it
                errors.append(
                    (f"cell {cell['index']}: " if notebook else "") + f"{type(exc).__name__}: {exc}"
                )
        self.load_error, self.output = ("; ".join(errors) or None), ""
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

    def defaults(self, name, *, timeout=None):
        return self._call(name, (), {}, timeout, full=False, defaults=True)[0]

    def _call(self, name, args, kwargs, timeout, full, defaults=False):
        self.calls.append(name)
        if name in self.timeouts:
            raise CallTimeout(f"{name} did not return within {timeout} s")
        function = getattr(self.module, name, None)
        if not callable(function):
            raise Missing(f"{name} is not defined")
        request = codec.loads(
            codec.dumps({"args": list(args), "kwargs": kwargs}, testfn=TestFunction),
            testfn=_built_test_function,
        )
        args, kwargs = request["args"], request["kwargs"]
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            if defaults:
                value = protocol.declared_defaults(function)
            else:
                value = function(*args, **kwargs)
        except NotImplementedError:
            raise NotImplementedByLearner(f"{name} still raises NotImplementedError") from None
        except Exception as exc:  # noqa: BLE001 - the code's exception, reported as the sandbox does
            trace = "".join(traceback.format_exception(exc))[-protocol.MAX_TRACEBACK :]
            raise LearnerException(type(exc).__name__, str(exc), trace) from None
        finally:
            self.seconds += time.perf_counter() - started
            self.cpu_seconds += time.process_time() - cpu_started
        try:
            reply = codec.loads(
                codec.dumps(
                    {"value": value, "args": args, "kwargs": kwargs},
                    testfn=TestFunction,
                    limit=codec.MAX_REPLY_BYTES,
                ),
                testfn=TestFunction,
            )
        except codec.CodecError as exc:
            raise BadReturn(f"{name} returned something that is not plain data: {str(exc)[:1000]}") from None
        return reply["value"], (reply["args"] if full else None), (reply["kwargs"] if full else None)
