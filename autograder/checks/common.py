"""What every check shares: the registry, the per-submission context, comparisons that fail
with feedback.

A check is a function `check(ctx)` that returns on success and raises `Failed(text)` with
learner-facing feedback otherwise. Errors from the sandbox (not implemented, exception,
timeout, crash, bad return) are turned into `Failed` by `Context.call`, so checks only
describe the values they compare.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..messages import t
from ..results import Text
from ..sandbox.errors import LearnerException, SubmissionError

# Per-call time limits (seconds). Generous against the reference (a few ms per call; train
# 2000 iterations ~0.1 s) so slow but honest loops still pass; a hang costs at most this once
# per function, since later calls of a function that hung or crashed fail straight away.
CALL_TIMEOUT = 10.0
TRAIN_TIMEOUT = 30.0


class Failed(Exception):
    """Ends a check as failed; `text` is the learner-facing feedback."""

    def __init__(self, text: Text):
        super().__init__(text.en)
        self.text = text


@dataclass(frozen=True)
class Check:
    name: str
    function: str
    run: Callable[["Context"], None]
    # Checks of the same function that must pass before this one pays: a property (arguments
    # unchanged, x restored, returns a float, ...) holds for hollow code too, so it is worth
    # points only beside a right value.
    requires: tuple[str, ...] = ()


REGISTRY: dict[str, Check] = {}


def register(function: str, name: str, run: Callable[["Context"], None], requires=()) -> None:
    if name in REGISTRY:
        raise ValueError(f"duplicate check name {name!r}")
    REGISTRY[name] = Check(name, function, run, tuple(requires))


def check(function: str, requires=()):
    """Decorator: register the decorated function as a check of `function`, named after it."""
    def decorate(run):
        register(function, run.__name__, run, requires)
        return run
    return decorate


class Context:
    """One submission being graded: the sandboxed `sub`, the trusted reference `ref`, and
    results shared between checks (training runs are expensive; a hang is not retried)."""

    def __init__(self, sub, ref):
        self.sub = sub
        self.ref = ref
        self._memo: dict = {}
        self._broken: dict[str, Failed] = {}

    def call(self, fn: str, *args, label: str | None = None, timeout: float | None = None, **kwargs):
        return self._call(self.sub.call, fn, args, kwargs, label, timeout)

    def call_full(self, fn: str, *args, label: str | None = None, timeout: float | None = None, **kwargs):
        """(value, args_after, kwargs_after): the arguments as they were after the call."""
        return self._call(self.sub.call_full, fn, args, kwargs, label, timeout)

    def _call(self, method, fn, args, kwargs, label, timeout):
        if fn in self._broken:
            raise self._broken[fn]
        label = label or f"{fn}(...)"
        try:
            return method(fn, *args, timeout=timeout or CALL_TIMEOUT, **kwargs)
        except SubmissionError as exc:
            failed = Failed(describe_error(exc, fn, label))
            if exc.lasting:  # not input-dependent: the same answer for every later call of fn
                self._broken[fn] = failed
            raise failed from None

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


def describe_error(exc: SubmissionError, fn: str, label: str) -> Text:
    """The learner's message the error names (sandbox/errors.py), about function `fn` called
    as `label`."""
    detail = short(str(exc), 300)
    text = t(exc.message_key, fn=fn, call=label, detail=detail, error=detail)
    if isinstance(exc, LearnerException) and "truth value of an array" in detail:
        text += t("hint_if_on_array")
    return text


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
        return short(np.array2string(value, precision=6, threshold=8, edgeitems=2,
                                     max_line_width=120, separator=", "), 300)
    if isinstance(value, dict):
        return short("{" + ", ".join(f"{k!r}: {fmt(v)}" for k, v in value.items()) + "}", 300)
    return short(repr(value), 200)


def keys_text(mapping: dict, shown: int = 8) -> str:
    """A dict's keys for feedback, a few of them: a learner's dict may have 500,000."""
    keys = [short(repr(k), 40) for k in list(mapping)[:shown]]
    more = len(mapping) - shown
    return "[" + ", ".join(keys) + (f", … ({more} more)" if more > 0 else "") + "]"


def type_name(value) -> str:
    if isinstance(value, np.ndarray):
        return f"numpy array, shape {value.shape}, dtype {value.dtype}"
    return type(value).__name__


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
        raise Failed(t("wrong_type", call=call, expected="numpy array", got=type_name(got))) from None
    if arr.dtype.kind not in "biuf":
        raise Failed(t("wrong_type", call=call, expected="numpy array", got=type_name(got)))
    return arr


def expect_array(got, expected, call: str, *, x=None, rtol=1e-6, atol=1e-10, float64=True,
                 allow=None, hint: Callable[[np.ndarray, np.ndarray], Text] | None = None) -> np.ndarray:
    """Fail unless `got` has the shape of `expected` and matches it elementwise.

    x: the input array (same shape), to say which input went wrong; allow: boolean mask of
    elements not compared (e.g. a derivative at its kink); hint(got, expected): extra text.
    """
    expected = np.asarray(expected, dtype=float)
    arr = as_array(got, call)
    if arr.shape != expected.shape:
        raise Failed(t("wrong_shape", call=call, expected=expected.shape, got=arr.shape))
    if float64 and arr.dtype != np.float64:
        raise Failed(t("wrong_dtype", call=call, got=arr.dtype))
    values = arr.astype(float)
    with np.errstate(invalid="ignore", over="ignore"):
        bad = ~np.isclose(values, expected, rtol=rtol, atol=atol)
    if allow is not None:
        bad &= ~np.asarray(allow, dtype=bool)
    if not bad.any():
        return arr
    index = tuple(np.argwhere(bad)[0])
    where = (f"x{index_text(index)} = {fmt(np.asarray(x, dtype=float)[index])}" if x is not None and np.ndim(x)
             else f"x = {fmt(x)}" if x is not None else f"index {index_text(index) or '()'}")
    if not np.isfinite(values[index]):
        text = t("not_finite", call=call, where=where, expected=fmt(expected[index]), got=fmt(values[index]))
        text += t("hint_overflow")
    else:
        text = t("wrong_value", call=call, where=where, expected=fmt(expected[index]), got=fmt(values[index]))
    if hint is not None:
        extra = hint(values, expected)
        if extra:
            text += extra
    raise Failed(text)


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
        raise Failed(t("wrong_type", call=call, expected="dict", got=type_name(got)))
    if set(got) != set(expected):
        raise Failed(t("missing_keys", call=call, expected=sorted(expected), got=keys_text(got)))
    out = {}
    for key, value in expected.items():
        arr = as_array(got[key], f"{call}[{key!r}]")
        if arr.shape != np.shape(value):
            raise Failed(t("wrong_shape", call=f"{call}[{key!r}]", expected=np.shape(value), got=arr.shape))
        out[key] = arr
    return out


def close(a, b, rtol=1e-6, atol=1e-10) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))
