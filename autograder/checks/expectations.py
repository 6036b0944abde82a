"""The comparisons a check makes of a learner's reply with the expected value: each raises
`Failed` with the feedback that says what differs."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..messages import t
from ..results import Text
from .formatting import fmt, index_text, item_label, shown_keys, shown_shape, told_apart, type_name
from .registry import Failed


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
