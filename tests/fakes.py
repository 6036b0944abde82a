"""An in-process stand-in for the sandbox's Submission (docs/architecture.md), for tests of
the grader's own logic (error mapping, memoisation) that need no learner process.

Values cross the same codec as in the real sandbox, so checks see the same types. Only ever
used with the kit's own test modules: it runs code in the test process.
"""
from __future__ import annotations

import contextlib
import copy
import importlib.util
import itertools

from autograder.sandbox import TestFunction, codec, testfns
from autograder.sandbox.errors import (BadReturn, CallTimeout, LearnerException, Missing,
                                       NotImplementedByLearner, Refused, SubmissionError, WorkerCrashed)

_names = itertools.count()


class FakeSubmission:
    """`source` is loaded as a module; `timeouts` names functions whose calls time out."""

    def __init__(self, source: str, timeouts=()):
        spec = importlib.util.spec_from_loader(f"_fake_submission_{next(_names)}", loader=None)
        self.module = importlib.util.module_from_spec(spec)
        exec(compile(source, "nn_basics.py", "exec"), self.module.__dict__)
        self.timeouts = set(timeouts)
        self.calls: list[str] = []
        self.load_error, self.output = None, ""

    def call(self, name, *args, timeout=None, **kwargs):
        return self.call_full(name, *args, timeout=timeout, **kwargs)[0]

    def call_full(self, name, *args, timeout=None, **kwargs):
        self.calls.append(name)
        if name in self.timeouts:
            raise CallTimeout(f"{name} did not return within {timeout} s")
        function = getattr(self.module, name, None)
        if not callable(function):
            raise Missing(f"{name} is not defined")
        build = lambda v: testfns.build(v.kind, v.data) if isinstance(v, TestFunction) else copy.deepcopy(v)
        args, kwargs = [build(a) for a in args], {k: build(v) for k, v in kwargs.items()}
        try:
            value = function(*args, **kwargs)
        except NotImplementedError:
            raise NotImplementedByLearner(f"{name} still raises NotImplementedError") from None
        except Exception as exc:  # noqa: BLE001 - the learner's exception, reported like the sandbox does
            raise LearnerException(type(exc).__name__, str(exc)) from None
        plain = lambda v: None if callable(v) else v  # test functions do not come back
        try:
            return tuple(codec.decode(codec.encode(x)) for x in
                         (value, [plain(a) for a in args], {k: plain(v) for k, v in kwargs.items()}))
        except codec.CodecError as exc:
            raise BadReturn(f"{name}: {exc}") from None


def opener(fake: FakeSubmission):
    """An `opener` for grade_submission that hands out `fake` whatever the path."""
    @contextlib.contextmanager
    def open_fake(path):
        yield fake
    return open_fake


def defined(sub, names) -> set[str]:
    """Which of `names` an open submission has as callables, seen through calls only: called
    without arguments, a function it has raises (a TypeError) or returns; one it lacks is
    Missing, and a submission that cannot load answers no call at all."""
    found = set()
    for name in names:
        try:
            sub.call(name)
        except (Missing, CallTimeout, WorkerCrashed, Refused):
            continue
        except SubmissionError:
            pass
        found.add(name)
    return found
