"""What every check shares: the per-submission context (`Context`, the reference's answers
computed ahead) and how a failed call is told. The registry is registry.py, the comparisons
expectations.py, values as feedback shows them formatting.py, the numerical derivative
numerics.py.

A check is a function `check(ctx)` that returns on success and raises `Failed(text)` with
learner-facing feedback otherwise. Errors from the sandbox (not implemented, exception,
timeout, crash, bad return) are turned into `Failed` by `Context.call`, so checks only
describe the values they compare.
"""

from __future__ import annotations

import builtins
import os
import pickle
import re
import select
import signal
import time
import weakref
from collections.abc import Callable, Sequence

import numpy as np

from ..messages import t
from ..quoting import clean
from ..results import Text
from ..sandbox.errors import LearnerException, Refused, SubmissionError
from ..sandbox.interface import OpenSubmission
from ..settings import SETTINGS
from . import explain
from .formatting import HIDDEN, fmt, hides_arguments, short
from .registry import Failed

# Per-call time limits (seconds; the values live in autograder/settings.py): a hang costs at most this once per function, since later
# calls of a function that hung or crashed fail straight away. Measured over the reference,
# every variant and every mistake of tests/mistakes (CPU per call): the slowest call of any
# function but train takes 6.4 ms, so 2 s is 300x that; the slowest train run 0.13 s, and
# train(X, y) with its 5000 iterations (run when its default cannot be read) about 0.6 s, so
# 30 s leaves room for loops in pure Python. Time spent waiting for a CPU is not counted (up
# to 2x in wall time: sandbox/cpuwait.py), so load does not eat these margins.
CALL_TIMEOUT = SETTINGS.call_timeout
TRAIN_TIMEOUT = SETTINGS.train_timeout


# The reference's answers to the checks' fixed inputs, by reference module: the same for every
# submission, so a grader that grades a class (grade-all's slots, the nbgrader door) computes
# each once. Weak keys: a reference module dropped (a test's stand-in) takes its answers along.
_EXPECTED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


AHEAD_SECONDS = 30.0  # the child's answers take ~0.2 s; past this it is killed and not waited for
# answers a forked child of the grader is computing (compute_ahead): the reference -> (pid, pipe)
_AHEAD: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def compute_ahead(ref, answers: Sequence[tuple[object, Callable[[], object]]]) -> None:
    """Have a forked child of this grader compute the reference's `answers` ((key, compute)
    pairs) while the learner's code runs: they cost the grader's own CPU (the reference's
    descents, ~0.2 s), which a child spends on the other core. Only the kit's code runs there;
    its answers come back pickled over a pipe of ours. Nothing is forked once they are known."""
    known = _EXPECTED.setdefault(ref, {})
    todo = [(key, compute) for key, compute in answers if key not in known]
    if not todo or ref in _AHEAD:
        return
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the grader's exit code
        status = 1
        try:
            os.close(read)
            data = pickle.dumps({key: compute() for key, compute in todo})
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    _AHEAD[ref] = (pid, read)


def _collect_ahead(ref) -> dict:
    """What the child of compute_ahead computed ({} if it failed: each check computes its own)."""
    pid, read = _AHEAD.pop(ref)
    data, deadline = b"", time.monotonic() + AHEAD_SECONDS
    with os.fdopen(read, "rb", buffering=0) as pipe:
        while (left := deadline - time.monotonic()) > 0 and select.select([pipe], [], [], left)[0]:
            chunk = pipe.read(1 << 16)
            if not chunk:
                break
            data += chunk
        else:  # stuck (it should take ~0.2 s): the checks compute their own
            os.kill(pid, signal.SIGKILL)
            data = b""
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return {}
    return {key: _read_only(value) for key, value in pickle.loads(data).items()}  # our own child's


def _read_only(value):
    """value, its arrays (in dicts, lists, tuples) made read-only: a check that wrote into a
    cached answer would change every later submission's expected value, so it raises instead."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, dict):
        for item in value.values():
            _read_only(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _read_only(item)
    return value


class Context:
    """One submission being graded: the sandboxed `sub`, the trusted reference `ref`, and
    results shared between checks (training runs are expensive; a hang is not retried)."""

    def __init__(self, sub: OpenSubmission, ref):
        self.sub = sub
        self.ref = ref
        self._memo: dict = {}
        self._broken: dict[str, Failed] = {}
        self.last_call: str | None = None  # the label of the latest call: whose reply a check read
        # One mistake, one charge (checks/helpers.py): the helper whose mistake the running check
        # was judged through (reset per check by grade.run_check), and per function the root
        # cause it was paid through; the results so far (grade.run_rubric), to tell which
        # helpers differ from the reference without calling them.
        self.root_cause: str | None = None
        self.root_causes: dict[str, str] = {}
        self.results: dict = {}
        self.writes_input: set[str] = set()  # helpers seen to change their arguments when replayed
        self.helper_calls: tuple[int, float] = (0, 0.0)  # (calls, wall seconds) asked of helpers

    def call(self, fn: str, *args, label: str | None = None, timeout: float | None = None, **kwargs):
        return self._call(self.sub.call, fn, args, kwargs, label, timeout)

    def call_full(self, fn: str, *args, label: str | None = None, timeout: float | None = None, **kwargs):
        """(value, args_after, kwargs_after): the arguments as they were after the call."""
        return self._call(self.sub.call_full, fn, args, kwargs, label, timeout)

    def _call(self, method, fn, args, kwargs, label, timeout):
        if fn in self._broken:
            raise self._broken[fn]
        label = label or f"{fn}(...)"
        self.last_call = label
        try:
            return method(fn, *args, timeout=timeout or CALL_TIMEOUT, **kwargs)
        except SubmissionError as exc:
            unshown = unshown_values(args, kwargs, label)
            failed = Failed(describe_error(exc, fn, label, unshown, self.code), cause_of(exc, fn))
            if exc.lasting:  # not input-dependent: the same answer for every later call of fn
                self._broken[fn] = failed
            raise failed from None

    @property
    def broken(self) -> frozenset[str]:
        """Functions whose calls failed for good (a hang, a crash, missing): not asked again."""
        return frozenset(self._broken)

    @property
    def code(self) -> tuple[list[dict], list]:
        """(notebook cells, module code) as the grader holds them: where a learner's line is."""
        return list(getattr(self.sub, "cells", None) or []), list(
            getattr(self.sub, "module_code", None) or []
        )

    def expected(self, key, compute: Callable[[], object]):
        """compute() once per key and reference, across submissions: for what depends on the
        reference and the checks' constants only, never on the learner's code or values."""
        answers = _EXPECTED.setdefault(self.ref, {})
        if key not in answers and self.ref in _AHEAD:
            answers.update(_collect_ahead(self.ref))
        if key not in answers:
            answers[key] = _read_only(compute())
        return answers[key]

    def memo(self, key, compute: Callable[[], object]):
        """compute() once per key; a Failed is remembered and raised again, like a value."""
        if key not in self._memo:
            try:
                self._memo[key] = (True, compute())
            except Failed as failed:
                self._memo[key] = (False, failed)
        ok, value = self._memo[key]
        if not ok:
            raise value
        return value


def refusal_reason(exc: Refused) -> Text:
    """Why the submission was not loaded, in the learner's words (intake.py, notebook.py); a
    file name in it is the learner's own text, cleaned like any."""
    return t(exc.reason, **{k: clean(v) if isinstance(v, str) else v for k, v in exc.details.items()})


def cause_of(exc: SubmissionError, fn: str) -> str:
    """One key for failures of one cause: a function missing or broken for good, or one
    exception raised at one line of the learner's code (whatever the call's inputs)."""
    if isinstance(exc, Refused):  # nothing was loaded: one cause for every function
        return "refused"
    if exc.lasting:
        return f"{exc.message_key}:{fn}"
    if isinstance(exc, LearnerException):
        return f"exception:{fn}:{exc.exc_type}:{learner_line(exc.traceback) or exc.message[:200]}"
    return ""


def describe_error(
    exc: SubmissionError, fn: str, label: str, unshown: Sequence[str] = (), code: tuple = ((), ())
) -> Text:
    """The learner's message the error names (sandbox/errors.py), about function `fn` called
    as `label`. A call whose label hides an argument (`seed=...`: the check keeps its inputs
    secret) shows a learner's exception as its type and the learner's own line, never its
    message, which may hold the arguments; `unshown` (argument values the label does not show)
    are cut from whatever learner text remains; and of the learner's line only what the source
    the grader holds (`code`: notebook cells, module code) has: the learner's process could name
    any function or source line, and spell a hidden seed in it."""
    if isinstance(exc, Refused):
        return t(exc.message_key, reason=refusal_reason(exc))
    if isinstance(exc, LearnerException) and hides_arguments(label):
        # of the learner's place only what the source the grader holds has: the learner's
        # process could name any function or source line, and spell a hidden seed in it
        exc_type = builtin_exception(exc.exc_type)
        text = t("exception_hidden", call=label, error=exc_type, why=explain.why_hidden(exc_type))
        where = explain.where(exc.traceback, code[0], code[1], held_only=True)
        text += Text(redact(where.zh, unshown), redact(where.en, unshown))
    elif hides_arguments(label):  # the detail is the learner process's text (an exit status, a message)
        text = t(exc.message_key, fn=fn, call=label, detail=HIDDEN, error=HIDDEN)
    elif isinstance(exc, LearnerException):
        cells, module_code = code
        where = explain.where(exc.traceback, cells, module_code)
        where = Text(redact(where.zh, unshown), redact(where.en, unshown))
        exc_type = redact(short(exc.exc_type, 100), unshown)
        line = explain.source_of(exc.traceback, cells, module_code)
        why = explain.why(exc.exc_type, exc.message, fn, line)
        why = Text(redact(why.zh, unshown), redact(why.en, unshown))
        text = t("exception_explained", call=label, exc_type=exc_type, why=why)
        text += where
    else:
        detail = redact(short(str(exc), 300), unshown)
        said = Text(explain.detail_zh(exc), detail)  # the grader's English words stay in the en text
        text = t(exc.message_key, fn=fn, call=label, detail=said, error=said)
    if isinstance(exc, LearnerException) and "truth value of an array" in exc.message:
        text += t("hint_if_on_array")
    return text


_BUILTIN_EXCEPTIONS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)


def builtin_exception(name: str) -> str:
    """An exception's class name if it is one of Python's own, else "Exception": a class the code
    made itself can be named anything, e.g. after a hidden seed."""
    return name if name in _BUILTIN_EXCEPTIONS else "Exception"


def unshown_values(args, kwargs, label: str) -> list[str]:
    """The numbers among a call's arguments that its label does not show, as text."""
    values = [*args, *kwargs.values()]
    numbers = [
        v for v in values if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
    ]
    hidden = {str(v) for v in numbers if str(v) not in label and fmt(v) not in label}
    return sorted(hidden, key=len, reverse=True)  # 4242 before 42


def redact(text: str, unshown: Sequence[str]) -> str:
    """`text` with each of `unshown` (a number as text) replaced by "…" wherever it stands alone."""
    for value in unshown:
        text = re.sub(rf"(?<![0-9.]){re.escape(value)}(?![0-9])", "…", text)
    return text


_FRAME = re.compile(r'^  File "(?P<file>[^"\n]*)", line (?P<line>[0-9]+), in (?P<function>[^\n]*)$', re.M)
LEARNER_FILES = re.compile(r"(^|/)nn_basics\.py$|^<cell [0-9]+>$")


def learner_line(traceback: str, held: Sequence[str | bytes] | None = None) -> str:
    """Where the learner's own code raised: the last frame of the traceback in the learner's
    file (its name, not the sandbox's folder), its line number, function and source line; ""
    if there is none. The traceback is the learner process's text: shown cleaned, as a claim.
    held: the source the grader holds, when the call hides its inputs: the function's name and
    the source line are shown only if that source has them (a `def` of that name, that line), the
    line number only if it has that many lines."""
    frames = [m for m in _FRAME.finditer(traceback or "") if LEARNER_FILES.search(m["file"])]
    if not frames:
        return ""
    last = frames[-1]
    following = traceback[last.end() + 1 :].split("\n", 1)[0]
    source = following.strip() if following.startswith("    ") and following.strip("^~ ") else ""
    function, line = last["function"], last["line"]
    if held is not None:
        texts = [u.decode("utf-8", "replace") if isinstance(u, bytes) else u for u in held]
        lines = {text.strip() for unit in texts for text in unit.splitlines()}
        if len(line) > 7 or int(line) > max((len(unit.splitlines()) for unit in texts), default=0):
            return ""
        defined = any(re.search(rf"\bdef\s+{re.escape(function)}\s*\(", unit) for unit in texts)
        function = function if defined or function == "<module>" else "?"
        source = source if source in lines else ""
    where = f"{last['file'].rsplit('/', 1)[-1]}, line {line}, in {short(function, 80)}"
    return where + (f": {short(source, 160)}" if source else "")
