"""Activations and their derivatives, checked element-wise against the reference.

Each activation has separate checks for ordinary inputs, extreme inputs and argument
mutation, so a function right on ordinary arrays but NaN at ±1000 loses only the extremes
check (partial credit). Derivatives are also compared with a central difference of the
reference activation, with the non-default alpha/beta, away from kinks.
"""

from __future__ import annotations

import numpy as np

from ..messages import t
from ..results import Text
from .expectations import close, expect_array, expect_unchanged
from .formatting import fmt
from .helpers import judged, judged_float64
from .numerics import central_difference
from .registry import Failed, case, check

# Fixed here, never in learner material: the inputs the checks use.
_rng = np.random.default_rng(20260417)
ORDINARY = [0.7, -1.3, _rng.normal(0, 3, size=7), _rng.normal(0, 3, size=(3, 4))]
EXTREME = np.array([0.0, 1e-3, -1e-3, 50.0, -50.0, 709.0, -709.0, 710.0, -710.0, 1000.0, -1000.0])
# Away from the kink at 0 (|x| >= 0.2), so a central difference with h = 1e-6 is exact enough.
_smooth = _rng.uniform(0.2, 4.0, size=(2, 5)) * _rng.choice([-1.0, 1.0], size=(2, 5))
NUMERIC_H = 1e-6

# activation: its parameter at a non-default value, for one more call of it and its derivative
OTHER_PARAMETER = {
    "sigmoid": {},
    "tanh": {},
    "relu": {},
    "leaky_relu": {"alpha": 0.2},
    "elu": {"alpha": 1.5},
    "swish": {"beta": 2.0},
}


def _label(fn: str, x, kwargs=None) -> str:
    extra = "".join(f", {k}={v}" for k, v in (kwargs or {}).items())
    if np.ndim(x) == 0:
        return f"{fn}({fmt(x)}{extra})"
    return f"{fn}(x{extra}), x.shape = {np.shape(x)}"


def _kink_mask(fn: str, x):
    """Elements where either one-sided value is acceptable (the derivative's kink at 0)."""
    if fn in ("relu_derivative", "leaky_relu_derivative"):
        return np.asarray(x) == 0
    return None


def _kink_ok(fn: str, got, x, kwargs) -> None:
    """At the kink, the derivative must still be one of the two one-sided values."""
    mask = _kink_mask(fn, x)
    if mask is None or not mask.any():
        return
    low = kwargs.get("alpha", 0.01) if fn == "leaky_relu_derivative" else 0.0
    values = np.asarray(got, dtype=float)[mask]
    if not np.all((values == low) | (values == 1.0)):
        raise Failed(
            t(
                "wrong_value",
                call=_label(fn, x, kwargs),
                where="x = 0",
                expected=f"{fmt(low)} / 1",
                got=fmt(values[0]),
            )
        )


def _hint(fn: str, x, kwargs):
    """Recognise the chapter's known slips from the values alone."""

    def hint(got, expected):
        text = Text()
        if fn == "swish" and close(got, 2 * expected):
            text += t("hint_swish_factor")
        if (
            fn == "elu"
            and "alpha" not in kwargs
            and np.any(np.asarray(x) < 0)
            and close(got, np.where(np.asarray(x) < 0, 0.01 * expected, expected))
        ):
            text += t("hint_elu_alpha")
        if fn == "sigmoid_derivative":
            xs = np.asarray(x, dtype=float)
            if close(got, xs * (1 - xs)):
                text += t("hint_pre_activation")
        if fn == "softmax":
            for axis in range(np.ndim(x)):
                e = np.exp(np.asarray(x) - np.max(x, axis=axis, keepdims=True))
                if close(got, e / e.sum(axis=axis, keepdims=True)):
                    text += t("hint_softmax_axis")
                    break
        return text

    return hint


def _value(ctx, fn, x, kwargs):
    """(label, what fn returned for x): one call, read by the value check and the dtype check."""
    label = _label(fn, x, kwargs)
    call = lambda: ctx.call(fn, np.copy(x) if np.ndim(x) else x, label=label, **kwargs)
    key = ("value", fn, repr(sorted(kwargs.items())), np.shape(x), np.asarray(x, dtype=float).tobytes())
    return label, ctx.memo(key, call)


def _compare(ctx, fn, x, kwargs=None, ref=None, **options):
    """ref: where the expected value comes from, the reference or the reference with the
    learner's helpers (checks/helpers.py)."""
    kwargs = kwargs or {}
    expected = getattr(ref or ctx.ref, fn)(np.copy(x), **kwargs)
    label, got = _value(ctx, fn, x, kwargs)
    expect_array(got, expected, label, x=x, allow=_kink_mask(fn, x), hint=_hint(fn, x, kwargs), **options)
    _kink_ok(fn, got, x, kwargs)


def _other_parameter(fn: str) -> dict:
    return OTHER_PARAMETER[fn.removesuffix("_derivative")]


@check(
    case("sigmoid_matches_reference", fn="sigmoid"),
    case("sigmoid_derivative_matches_reference", fn="sigmoid_derivative"),
    case("tanh_matches_reference", fn="tanh"),
    case("tanh_derivative_matches_reference", fn="tanh_derivative"),
    case("relu_matches_reference", fn="relu"),
    case("relu_derivative_matches_reference", fn="relu_derivative"),
    case("leaky_relu_matches_reference", fn="leaky_relu"),
    case("leaky_relu_derivative_matches_reference", fn="leaky_relu_derivative"),
    case("elu_matches_reference", fn="elu"),
    case("elu_derivative_matches_reference", fn="elu_derivative"),
    case("swish_matches_reference", fn="swish"),
    case("swish_derivative_matches_reference", fn="swish_derivative"),
)
def matches_reference(ctx, fn):
    def body(ref):
        for x in ORDINARY:
            _compare(ctx, fn, x, ref=ref)
        if _other_parameter(fn):
            _compare(ctx, fn, ORDINARY[-1], _other_parameter(fn), ref=ref)

    judged(ctx, fn, body)


@check(
    case("sigmoid_derivative_matches_numerical_gradient", fn="sigmoid_derivative"),
    case("tanh_derivative_matches_numerical_gradient", fn="tanh_derivative"),
    case("relu_derivative_matches_numerical_gradient", fn="relu_derivative"),
    case("leaky_relu_derivative_matches_numerical_gradient", fn="leaky_relu_derivative"),
    case("elu_derivative_matches_numerical_gradient", fn="elu_derivative"),
    case("swish_derivative_matches_numerical_gradient", fn="swish_derivative"),
)
def matches_numerical_gradient(ctx, fn):
    """Given a learner's wrong activation (sigmoid for sigmoid_derivative, tanh for
    tanh_derivative), the derivative is held to the reference's formula in terms of it (σ·(1 - σ)
    with the learner's σ), not to the slope of the wrong activation."""
    kwargs = _other_parameter(fn)

    def body(ref):
        if ref is ctx.ref:
            activation = getattr(ctx.ref, fn.removesuffix("_derivative"))
            expected = central_difference(
                lambda x: activation(x, **kwargs), _smooth, NUMERIC_H, elementwise=True
            )
        else:
            expected = getattr(ref, fn)(_smooth.copy(), **kwargs)
        label = _label(fn, _smooth, kwargs)
        got = ctx.call(fn, _smooth.copy(), label=label, **kwargs)
        expect_array(got, expected, label, x=_smooth, rtol=1e-5, atol=1e-7, hint=_hint(fn, _smooth, kwargs))

    judged(ctx, fn, body)


@check(
    case("sigmoid_correct_at_extreme_inputs", fn="sigmoid"),
    case("sigmoid_derivative_correct_at_extreme_inputs", fn="sigmoid_derivative"),
    case("tanh_correct_at_extreme_inputs", fn="tanh"),
    case("tanh_derivative_correct_at_extreme_inputs", fn="tanh_derivative"),
    case("relu_correct_at_extreme_inputs", fn="relu"),
    case("relu_derivative_correct_at_extreme_inputs", fn="relu_derivative"),
    case("leaky_relu_correct_at_extreme_inputs", fn="leaky_relu"),
    case("leaky_relu_derivative_correct_at_extreme_inputs", fn="leaky_relu_derivative"),
    case("elu_correct_at_extreme_inputs", fn="elu"),
    case("elu_derivative_correct_at_extreme_inputs", fn="elu_derivative"),
    case("swish_correct_at_extreme_inputs", fn="swish"),
    case("swish_derivative_correct_at_extreme_inputs", fn="swish_derivative"),
)
def correct_at_extreme_inputs(ctx, fn):
    # Scalars one at a time first would cost 11 calls; the array names the bad element.
    judged(ctx, fn, lambda ref: _compare(ctx, fn, EXTREME, ref=ref))


@check(
    case("sigmoid_leaves_input_unchanged", fn="sigmoid", requires=["sigmoid_matches_reference"]),
    case(
        "sigmoid_derivative_leaves_input_unchanged",
        fn="sigmoid_derivative",
        requires=["sigmoid_derivative_matches_reference"],
    ),
    case("tanh_leaves_input_unchanged", fn="tanh", requires=["tanh_matches_reference"]),
    case(
        "tanh_derivative_leaves_input_unchanged",
        fn="tanh_derivative",
        requires=["tanh_derivative_matches_reference"],
    ),
    case("relu_leaves_input_unchanged", fn="relu", requires=["relu_matches_reference"]),
    case(
        "relu_derivative_leaves_input_unchanged",
        fn="relu_derivative",
        requires=["relu_derivative_matches_reference"],
    ),
    case("leaky_relu_leaves_input_unchanged", fn="leaky_relu", requires=["leaky_relu_matches_reference"]),
    case(
        "leaky_relu_derivative_leaves_input_unchanged",
        fn="leaky_relu_derivative",
        requires=["leaky_relu_derivative_matches_reference"],
    ),
    case("elu_leaves_input_unchanged", fn="elu", requires=["elu_matches_reference"]),
    case(
        "elu_derivative_leaves_input_unchanged",
        fn="elu_derivative",
        requires=["elu_derivative_matches_reference"],
    ),
    case("swish_leaves_input_unchanged", fn="swish", requires=["swish_matches_reference"]),
    case(
        "swish_derivative_leaves_input_unchanged",
        fn="swish_derivative",
        requires=["swish_derivative_matches_reference"],
    ),
    case("softmax_leaves_input_unchanged", fn="softmax", requires=["softmax_matches_reference_on_rows"]),
)
def leaves_input_unchanged(ctx, fn):
    """x unchanged; or (checks/helpers.py) changed just as the learner's own helper changes it
    (a σ' calling a σ that writes into its input): that write is the helper's to pay for."""
    x = np.array([[-2.0, -0.5, 0.0], [0.5, 2.0, -3.0]])
    label = _label(fn, x)
    _, args_after, _ = ctx.call_full(fn, x.copy(), label=label)

    def body(ref):
        expected = x.copy()
        if ref is not ctx.ref:  # the replay does to `expected` what the learner's helpers do
            with np.errstate(all="ignore"):
                getattr(ref, fn)(expected)
        expect_unchanged(expected, args_after[0], label, "x")

    judged(ctx, fn, body)


@check(
    case("sigmoid_returns_float64", fn="sigmoid", requires=["sigmoid_matches_reference"]),
    case(
        "sigmoid_derivative_returns_float64",
        fn="sigmoid_derivative",
        requires=["sigmoid_derivative_matches_reference"],
    ),
    case("tanh_returns_float64", fn="tanh", requires=["tanh_matches_reference"]),
    case(
        "tanh_derivative_returns_float64",
        fn="tanh_derivative",
        requires=["tanh_derivative_matches_reference"],
    ),
    case("relu_returns_float64", fn="relu", requires=["relu_matches_reference"]),
    case(
        "relu_derivative_returns_float64",
        fn="relu_derivative",
        requires=["relu_derivative_matches_reference"],
    ),
    case("leaky_relu_returns_float64", fn="leaky_relu", requires=["leaky_relu_matches_reference"]),
    case(
        "leaky_relu_derivative_returns_float64",
        fn="leaky_relu_derivative",
        requires=["leaky_relu_derivative_matches_reference"],
    ),
    case("elu_returns_float64", fn="elu", requires=["elu_matches_reference"]),
    case(
        "elu_derivative_returns_float64", fn="elu_derivative", requires=["elu_derivative_matches_reference"]
    ),
    case("swish_returns_float64", fn="swish", requires=["swish_matches_reference"]),
    case(
        "swish_derivative_returns_float64",
        fn="swish_derivative",
        requires=["swish_derivative_matches_reference"],
    ),
    case("softmax_returns_float64", fn="softmax", requires=["softmax_matches_reference_on_rows"]),
)
def returns_float64(ctx, fn):
    """The dtype, paid for once: the value checks compare values (int 0/1 and float32 pass
    there), so a right value of another dtype loses this alone. The value check's own call."""
    x = _rows if fn == "softmax" else ORDINARY[-1]
    label, got = _value(ctx, fn, x, {})
    judged_float64(ctx, fn, got, label, lambda ref: getattr(ref, fn)(np.copy(x)))


# --- softmax ----------------------------------------------------------------------------------

_rows = _rng.normal(0, 2, size=(4, 5))
_cube = _rng.normal(0, 2, size=(2, 3, 4))
_large = np.array([[1000.0, 999.0, -1000.0], [-1000.0, -999.0, -1001.0], [800.0, 0.0, -800.0]])


@check()
def softmax_matches_reference_on_rows(ctx):
    """One vector, then a batch of rows normalised row by row (the default axis=-1)."""
    _compare(ctx, "softmax", _rows[0])
    _compare(ctx, "softmax", _rows)


@check()
def softmax_normalises_along_given_axis(ctx):
    for axis in (0, 1):
        _compare(ctx, "softmax", _cube, {"axis": axis})


@check()
def softmax_stable_for_large_inputs(ctx):
    _compare(ctx, "softmax", _large)
