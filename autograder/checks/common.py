"""What every check shares: the registry, the per-submission context, comparisons that fail
with feedback.

A check is a function `check(ctx)` that returns on success and raises `Failed(text)` with
learner-facing feedback otherwise. Errors from the sandbox (not implemented, exception,
timeout, crash, bad return) are turned into `Failed` by `Context.call`, so checks only
describe the values they compare.
"""

from __future__ import annotations

import builtins
import functools
import os
import pickle
import re
import select
import signal
import time
import weakref
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..messages import t
from ..results import Text
from ..quoting import clean
from ..sandbox.errors import LearnerException, Refused, SubmissionError
from . import explain

# Per-call time limits (seconds): a hang costs at most this once per function, since later
# calls of a function that hung or crashed fail straight away. Measured over the reference,
# every variant and every mistake of tests/mistakes (CPU per call): the slowest call of any
# function but train takes 6.4 ms, so 2 s is 300x that; the slowest train run 0.13 s, and
# train(X, y) with its 5000 iterations (run when its default cannot be read) about 0.6 s, so
# 30 s leaves room for loops in pure Python. Time spent waiting for a CPU is not counted (up
# to 2x in wall time: sandbox/cpuwait.py), so load does not eat these margins.
CALL_TIMEOUT = 2.0
TRAIN_TIMEOUT = 30.0


class Failed(Exception):
    """Ends a check as failed; `text` is the learner-facing feedback."""

    def __init__(self, text: Text, cause: str = ""):
        super().__init__(text.en)
        self.text = text
        # what failed, when it is not the check's own comparison (a call that raised, a function
        # missing): checks failing with one cause are told once (grade.collapse_causes)
        self.cause = cause


@dataclass(frozen=True)
class Check:
    """A registered check. Its name is its key in rubric.toml, which alone says which contract
    function it grades and what it is worth."""

    name: str
    run: Callable[["Context"], None]
    # Checks that must pass before this one pays: a property (arguments unchanged, x restored,
    # returns a float, ...) holds for hollow code too, so it is worth points only beside a
    # right value. rubric.toml must list them under the same function (grade.load_rubric).
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    """One member of a family of checks: its full name, written out, and its parameters."""

    name: str
    params: dict
    requires: tuple[str, ...] = ()


def case(name: str, *, requires: Sequence[str] = (), **params) -> Case:
    return Case(name, params, tuple(requires))


REGISTRY: dict[str, Check] = {}


def check(*cases: Case, requires: Sequence[str] = ()):
    """Decorator, the one way to declare checks (as pytest's parametrize declares cases):

        @check(requires=("a_value_check",))
        def some_property_check(ctx): ...        # one check, named by its def

        @check(case("sigmoid_matches_reference", fn="sigmoid"),
               case("tanh_matches_reference", fn="tanh"))
        def matches_reference(ctx, fn): ...      # one check per case, run(ctx, **params)

    Every full name is written out, so a rubric name greps back to its code. `requires` on the
    decorator applies to every case, a case's own `requires=` to that case.
    """

    def decorate(run):
        for member in cases or (Case(run.__name__, {}),):
            if member.name in REGISTRY:
                raise ValueError(f"duplicate check name {member.name!r}")
            bound = functools.partial(run, **member.params) if member.params else run
            REGISTRY[member.name] = Check(member.name, bound, tuple(requires) + member.requires)
        return run

    return decorate


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

    def __init__(self, sub, ref):
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


def hides_arguments(label: str) -> bool:
    """Whether a call's label keeps an argument back: `seed=...`, or the default `fn(...)`."""
    return "..." in label


# What the feedback of a call that hides its inputs shows in place of anything the learner's code
# chose (a dict key, a shape, a value, an exception's class name, an exit status): learner code
# holds the hidden inputs, and any text it chooses could spell them (f"seed={seed}", in hex...).
HIDDEN = t("hidden_returned")
_BUILTIN_EXCEPTIONS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)


def builtin_exception(name: str) -> str:
    """An exception's class name if it is one of Python's own, else "Exception": a class the code
    made itself can be named anything, e.g. after a hidden seed."""
    return name if name in _BUILTIN_EXCEPTIONS else "Exception"


def shown_keys(got: dict, expected, call: str):
    """A returned dict's keys for the feedback of `call`: a few of them, or, when the call hides
    its inputs, only those it should have, the others counted."""
    if not hides_arguments(call):
        return keys_text(got)
    return t(
        "hidden_keys", keys=sorted(k for k in expected if k in got), more=sum(k not in expected for k in got)
    )


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


# --- formatting values for feedback (short: a learner reads them in a terminal) --------------


def short(text: str, limit: int = 200) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fmt(value) -> str:
    """A short rendering of a number, an array or anything else the learner returned."""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return f"{float(value):.6g}" if isinstance(value, (float, np.floating)) else str(value)
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return fmt(value.item())
        return short(
            np.array2string(value, precision=6, threshold=8, edgeitems=2, max_line_width=120, separator=", "),
            300,
        )
    if isinstance(value, dict):
        return short("{" + ", ".join(f"{k!r}: {fmt(v)}" for k, v in value.items()) + "}", 300)
    return short(repr(value), 200)


def told_apart(expected, got) -> dict[str, str]:
    """{"expected": ..., "got": ...}: two numbers with the significant digits it takes to see
    how they differ: to the first digit that differs and one more, so a difference never reads
    as rounding ("1.56585" / "1.56586" is "1.565854" / "1.565856"); 6 digits at least."""
    if not all(isinstance(v, (int, float, np.integer, np.floating)) for v in (expected, got)):
        return {"expected": fmt(expected), "got": fmt(got)}
    e, g = float(expected), float(got)
    digits = max(6, min(first_difference(e, g), 16) + 1)
    return {"expected": f"{e:.{digits}g}", "got": f"{g:.{digits}g}"}


def first_difference(a: float, b: float) -> int:
    """The position (1 = leading) of the first significant digit where a and b differ, read to
    17 digits; 1 when their signs or magnitudes differ, 17 when they agree throughout."""
    if not (np.isfinite(a) and np.isfinite(b)) or (a < 0) != (b < 0):
        return 1
    a_digits, a_exp = f"{a:.16e}".split("e")  # "-1.5658540000000000", "+00"
    b_digits, b_exp = f"{b:.16e}".split("e")
    if a_exp != b_exp:
        return 1
    a_digits, b_digits = a_digits.lstrip("-").replace(".", ""), b_digits.lstrip("-").replace(".", "")
    return next((i + 1 for i, (x, y) in enumerate(zip(a_digits, b_digits, strict=True)) if x != y), 17)


def keys_text(mapping: dict, shown: int = 8) -> str:
    """A dict's keys for feedback, a few of them: a learner's dict may have 500,000."""
    keys = [short(repr(k), 40) for k in list(mapping)[:shown]]
    more = len(mapping) - shown
    return "[" + ", ".join(keys) + (f", … ({more} more)" if more > 0 else "") + "]"


def type_name(value, call: str = "") -> str:
    """What a returned value is; its shape and dtype too unless `call` hides its inputs."""
    if isinstance(value, np.ndarray) and hides_arguments(call):
        return "numpy array"
    if isinstance(value, np.ndarray):
        return f"numpy array, shape {value.shape}, dtype {value.dtype}"
    return type(value).__name__


def shown_shape(arr: np.ndarray, call: str):
    return HIDDEN if hides_arguments(call) else arr.shape


def item_label(label: str, item: str) -> str:
    """A call's label with `item` (a key, "→ name") right after the call, before the context:
    "backward_prop(...)['bh'], X.shape = ...", never "..., X.shape = (6, 3)['bh']"."""
    depth = 0
    for position, char in enumerate(label):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ")" and depth == 0:
            return label[: position + 1] + item + label[position + 1 :]
    return label + item


def index_text(index: tuple) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]" if index else ""


# --- comparisons ----------------------------------------------------------------------------


def as_array(got, call: str) -> np.ndarray:
    """The learner's value as a numeric numpy array, or Failed with the reason."""
    if got is None:
        raise Failed(t("returned_none", call=call))
    try:
        arr = np.asarray(got)
    except Exception:  # ragged lists and the like: describe, don't crash the grader
        raise Failed(t("wrong_type", call=call, expected="numpy array", got=type_name(got, call))) from None
    if arr.dtype.kind not in "biuf":
        raise Failed(t("wrong_type", call=call, expected="numpy array", got=type_name(got, call)))
    return arr


def expect_array(
    got,
    expected,
    call: str,
    *,
    x=None,
    rtol=1e-6,
    atol=1e-10,
    allow=None,
    hint: Text | Callable[[np.ndarray, np.ndarray], Text] | None = None,
) -> np.ndarray:
    """Fail unless `got` has the shape of `expected` and matches it elementwise. Values only:
    a right value of another dtype (int 0/1, float32 within float32's precision) passes here,
    and costs its function's own `<fn>_returns_float64` check (expect_float64), once.

    x: the input array (same shape), to say which input went wrong; allow: boolean mask of
    elements not compared (e.g. a derivative at its kink); hint: extra text, or hint(got, expected)
    for text that depends on what came back.
    """
    expected = np.asarray(expected, dtype=float)
    arr = as_array(got, call)
    if arr.shape != expected.shape:
        raise Failed(t("wrong_shape", call=call, expected=expected.shape, got=shown_shape(arr, call)))
    if arr.dtype.kind == "f" and arr.dtype.itemsize < 8:  # float32 (or 16): its own precision
        rtol = max(rtol, 100 * float(np.finfo(arr.dtype).eps))
        atol = max(atol, rtol * float(np.max(np.abs(expected), initial=0.0, where=np.isfinite(expected))))
    values = arr.astype(float)
    with np.errstate(invalid="ignore", over="ignore"):
        # equal_nan: an expectation built from the learner's helpers (checks/helpers.py) may be
        # NaN where a helper is; the reference's never is
        bad = ~np.isclose(values, expected, rtol=rtol, atol=atol, equal_nan=True)
    if allow is not None:
        bad &= ~np.asarray(allow, dtype=bool)
    if not bad.any():
        return arr
    index = tuple(np.argwhere(bad)[0])
    where = (
        f"x{index_text(index)} = {fmt(np.asarray(x, dtype=float)[index])}"
        if x is not None and np.ndim(x)
        else f"x = {fmt(x)}"
        if x is not None
        else t("where_index", index=index_text(index) or "()")
    )
    if not np.isfinite(values[index]):
        text = t("not_finite", call=call, where=where, **told_apart(expected[index], values[index]))
        text += t("hint_overflow")
    else:
        text = t("wrong_value", call=call, where=where, **told_apart(expected[index], values[index]))
    if hint is not None:
        extra = hint(values, expected) if callable(hint) else hint
        if extra:
            text += extra
    raise Failed(text)


def expect_float64(got, call: str) -> None:
    """Fail unless `got` (an array, or a tuple or dict of them) holds float64 arrays: the dtype
    property a function pays for on its own, beside its value checks."""
    parts = got.values() if isinstance(got, dict) else got if isinstance(got, (list, tuple)) else [got]
    for part in parts:
        arr = as_array(part, call)
        if arr.dtype != np.float64:
            raise Failed(t("wrong_dtype", call=call, got=arr.dtype))


def expect_unchanged(before, after, call: str, arg: str) -> None:
    """Fail if an argument (array or dict of arrays) differs after the call."""
    if isinstance(before, dict):
        if not isinstance(after, dict) or set(after) != set(before):
            raise Failed(t("mutated", call=call, arg=arg))
        for key in before:
            expect_unchanged(before[key], after[key], call, f"{arg}[{key!r}]")
        return
    before = np.asarray(before)
    try:
        after = np.asarray(after, dtype=before.dtype)
    except Exception:
        raise Failed(t("mutated", call=call, arg=arg)) from None
    if after.shape != before.shape or not np.array_equal(after, before, equal_nan=True):
        raise Failed(t("mutated", call=call, arg=arg))


def expect_dict_of_arrays(got, expected: dict, call: str) -> dict:
    """Fail unless `got` is a dict with exactly the keys of `expected` and the same shapes."""
    if got is None:
        raise Failed(t("returned_none", call=call))
    if not isinstance(got, dict):
        raise Failed(t("wrong_type", call=call, expected="dict", got=type_name(got, call)))
    if set(got) != set(expected):
        raise Failed(
            t("missing_keys", call=call, expected=sorted(expected), got=shown_keys(got, expected, call))
        )
    out = {}
    for key, value in expected.items():
        arr = as_array(got[key], item_label(call, f"[{key!r}]"))
        if arr.shape != np.shape(value):
            raise Failed(
                t(
                    "wrong_shape",
                    call=item_label(call, f"[{key!r}]"),
                    expected=np.shape(value),
                    got=shown_shape(arr, call),
                )
            )
        out[key] = arr
    return out


def close(a, b, rtol=1e-6, atol=1e-10) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


# --- numbers --------------------------------------------------------------------------------


def central_difference(
    f: Callable[[np.ndarray], object], x, eps: float, *, elementwise: bool = False
) -> np.ndarray:
    """(f(x + ε·e_i) - f(x - ε·e_i)) / 2ε for every element i of x, in float64: the grader's one
    numerical gradient, the same formula the learner's numerical_gradient is held to.

    f maps an array shaped like x to a float, and is given perturbed copies (x is untouched);
    elementwise: f maps each element on its own (an activation), so every element is perturbed
    at once and the result is f's derivative at each element."""
    x = np.asarray(x, dtype=float)
    difference = lambda plus, minus: (f(plus) - f(minus)) / (2 * eps)
    if elementwise:
        return difference(x + eps, x - eps)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += eps
        minus[index] -= eps
        grad[index] = difference(plus, minus)
    return grad
