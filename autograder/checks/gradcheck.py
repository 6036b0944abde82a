"""Gradient checking: numerical_gradient, relative_error, gradient_check.

The learner's functions receive `TestFunction`s (smooth functions with known gradients, see
sandbox/testfns.py) as call-backs: their values are computed in the grader (sandbox/callbacks.py),
each evaluation a round trip, so the problems are small and a call two checks read is made once.
The expected numbers are computed here with the same functions, so the central difference is
compared exactly and x's restoration is checked after the call.
"""

from __future__ import annotations

import functools

import numpy as np

from ..messages import t
from ..sandbox import TestFunction, testfns
from .expectations import as_array, expect_array
from .formatting import fmt, index_text, told_apart, type_name
from .helpers import judged
from .numerics import central_difference
from .registry import Failed, check

_rng = np.random.default_rng(5150)


def _poly_sin_problem(shape):
    coeffs = {k: _rng.normal(size=shape) for k in "abc"}
    return coeffs, _rng.normal(size=shape)


NG_PROBLEMS = [_poly_sin_problem((5,)), _poly_sin_problem((2, 3))]
# The default epsilon made visible: at x = 0 the central difference of sin(x) + c·x³ is
# sin(ε)/ε + c·ε² = 1 + 1e-6 at ε = 1e-5 but 1 + 4e-6 at 2e-5, while rounding stays ~1e-16
# (f is ~1e-5 there). A default other than SPEC's 1e-5 shows; any correct loop does not.
STEEP_CUBIC = 1e4
DEFAULT_EPSILON_PROBLEM = ({"a": np.ones(4), "b": np.zeros(4), "c": np.full(4, STEEP_CUBIC)}, np.zeros(4))


def poly_sin_gradient(coeffs, x, eps):
    """What numerical_gradient must return for the test function poly_sin(coeffs) at x."""
    return central_difference(lambda v: testfns.poly_sin(v, **coeffs), x, eps)


def _numerical_gradient(ctx, coeffs, x, epsilon=None):
    kwargs = {} if epsilon is None else {"epsilon": epsilon}
    label = (
        f"numerical_gradient(f, x{''.join(f', epsilon={v}' for v in kwargs.values())}), x.shape = {x.shape}"
    )
    # once per problem: each evaluation of f is a round trip to the grader (sandbox/callbacks.py),
    # and the value and restoration checks ask the same call
    got, args_after, _ = ctx.memo(
        ("numerical_gradient", id(x), epsilon),
        lambda: ctx.call_full(
            "numerical_gradient", TestFunction("poly_sin", coeffs), x.copy(), label=label, **kwargs
        ),
    )
    return label, got, args_after


@check()
def numerical_gradient_matches_central_difference(ctx):
    for coeffs, x in NG_PROBLEMS:
        label, got, _ = _numerical_gradient(ctx, coeffs, x)
        # atol 1e-7 sits between rounding noise (~1e-10) and a one-sided difference's error (~1e-5).
        expect_array(
            got,
            poly_sin_gradient(coeffs, x, 1e-5),
            label,
            x=x,
            rtol=1e-6,
            atol=1e-7,
            hint=t("hint_central_difference"),
        )
    coeffs, x = DEFAULT_EPSILON_PROBLEM
    label, got, _ = _numerical_gradient(ctx, coeffs, x)
    expect_array(
        got,
        poly_sin_gradient(coeffs, x, 1e-5),
        label,
        x=x,
        rtol=1e-8,
        atol=0,
        hint=t("hint_default_epsilon"),
    )


@check()
def numerical_gradient_uses_given_epsilon(ctx):
    coeffs, x = NG_PROBLEMS[1]
    # With epsilon = 1e-2 the central difference differs from the one at 1e-5 by ~1e-4 (the
    # cubic term), far above the tolerance: the epsilon argument must be used.
    label, got, _ = _numerical_gradient(ctx, coeffs, x, epsilon=1e-2)
    expect_array(
        got,
        poly_sin_gradient(coeffs, x, 1e-2),
        label,
        x=x,
        rtol=1e-6,
        atol=1e-7,
        hint=t("hint_central_difference"),
    )


@check(requires=("numerical_gradient_matches_central_difference",))
def numerical_gradient_restores_x(ctx):
    coeffs, x = NG_PROBLEMS[1]
    label, _, args_after = _numerical_gradient(ctx, coeffs, x)
    after = as_array(args_after[1], label)
    # x ± ε then back by arithmetic may leave a rounding error of ~1e-16; that counts as restored.
    bad = ~np.isclose(after, x, rtol=0, atol=1e-12) if after.shape == x.shape else np.ones(x.shape, bool)
    if bad.any():
        index = tuple(np.argwhere(bad)[0])
        raise Failed(
            t(
                "not_restored",
                call=label,
                where=f"x{index_text(index)}",
                expected=fmt(x[index]),
                got=fmt(after[index]) if after.shape == x.shape else fmt(after),
            )
        )


# --- relative_error ---------------------------------------------------------------------------

_a, _b = _rng.normal(size=(3, 4)), _rng.normal(size=(3, 4))
RELATIVE_ERROR_PAIRS = [(_a, _b), (_a[0], _a[0] * (1 + 1e-6)), (np.zeros(3), _b[0, :3]), (_a, _a)]


def _relative_error(ctx, a, b):
    label = f"relative_error(a, b), a = {fmt(a)}, b = {fmt(b)}"
    got = ctx.call("relative_error", a.copy(), b.copy(), label=label)
    arr = as_array(got, label)
    if arr.size != 1:
        raise Failed(t("wrong_type", call=label, expected="float", got=type_name(got)))
    return label, float(arr.reshape(()))


@check()
def relative_error_matches_reference(ctx):
    for a, b in RELATIVE_ERROR_PAIRS:
        label, got = _relative_error(ctx, a, b)
        expected = ctx.ref.relative_error(a, b)
        if not np.isclose(got, expected, rtol=1e-9, atol=1e-15):
            raise Failed(
                t(
                    "wrong_value",
                    call=label,
                    where="‖a - b‖ / (‖a‖ + ‖b‖)",
                    **told_apart(expected, got),
                )
            )


@check(requires=("relative_error_matches_reference",))
def relative_error_both_zero_gives_zero(ctx):
    zero = np.zeros((2, 3))
    label, got = _relative_error(ctx, zero, zero)
    if got != 0.0:
        raise Failed(
            t("wrong_value", call=label, where="a = b = 0", expected="0.0", got=fmt(got))
            + t("hint_relative_error_zero")
        )


# --- gradient_check ---------------------------------------------------------------------------


def _dict_problem():
    # The XOR network's shapes with 2 hidden units: 9 parameters, so 18 evaluations of cost_fn
    # per gradient_check call, each a round trip to the grader (sandbox/callbacks.py); each key
    # is still made wrong on its own, and told apart from the others by its values.
    shapes = {"Wxh": (2, 2), "bh": (1, 2), "Why": (2, 1), "by": (1, 1)}
    data = {k: {c: _rng.normal(size=s) for c in "abc"} for k, s in shapes.items()}
    params = {k: _rng.normal(size=s) for k, s in shapes.items()}
    coeffs = {k: (v["a"], v["b"], v["c"]) for k, v in data.items()}
    return data, params, testfns.dict_poly_sin_gradient(params, coeffs)


GC_DATA, GC_PARAMS, GC_GRADS = _dict_problem()
GC_LIMIT = 1e-7
# The default epsilon made visible (as DEFAULT_EPSILON_PROBLEM above): steep cubic terms at 0,
# so the relative error of a correct gradient is c·ε²-sized and 4x larger at ε = 2e-5.
GC_STEEP_DATA = {
    k: {"a": np.ones(v.shape), "b": np.zeros(v.shape), "c": np.full(v.shape, STEEP_CUBIC)}
    for k, v in GC_PARAMS.items()
}
GC_STEEP_PARAMS = {k: np.zeros(v.shape) for k, v in GC_PARAMS.items()}
GC_STEEP_GRADS = {k: np.ones(v.shape) for k, v in GC_PARAMS.items()}


def _gradient_check(ctx, grads, label, full=False):
    call = ctx.call_full if full else ctx.call
    return call(
        "gradient_check",
        TestFunction("dict_poly_sin", GC_DATA),
        {k: v.copy() for k, v in GC_PARAMS.items()},
        {k: v.copy() for k, v in grads.items()},
        label=label,
    )


CORRECT_LABEL = "gradient_check(cost_fn, params, correct_grads)"


def _correct_gradient_check(ctx):
    """(value, args after) of gradient_check with the correct grads: one call for the two checks
    that read it (each evaluation of cost_fn is a round trip to the grader)."""
    return ctx.memo(
        ("gradient_check", "correct"), lambda: _gradient_check(ctx, GC_GRADS, CORRECT_LABEL, full=True)[:2]
    )


def _checked_float(ctx, grads, label):
    return _as_float(_gradient_check(ctx, grads, label), label)


def _as_float(got, label):
    arr = as_array(got, label)
    if arr.size != 1:
        raise Failed(t("wrong_type", call=label, expected="float", got=type_name(got)))
    return float(arr.reshape(()))


def given_helpers(ref, data, params, grads) -> float:
    """gradient_check as the reference computes it, from `ref`'s numerical_gradient and
    relative_error (the learner's, checks/helpers.py): the cost is a sum over keys, so each key's
    numerical gradient is numerical_gradient of that key's own term."""
    numeric = [
        ref.numerical_gradient(TestFunction("poly_sin", data[key]), params[key].copy(), epsilon=1e-5)
        for key in params
    ]
    flat = lambda arrays: np.concatenate([np.ravel(a) for a in arrays])
    return float(ref.relative_error(flat([grads[key] for key in params]), flat(numeric)))


@check(requires=("gradient_check_flags_wrong_gradient_in_each_parameter",))
def gradient_check_accepts_correct_gradient(ctx):
    """Below the limit for a correct gradient; given the learner's wrong numerical_gradient or
    relative_error, equal to what the reference's gradient_check computes with them (a one-sided
    difference puts a correct gradient above the limit: that is numerical_gradient's mistake)."""
    label = CORRECT_LABEL

    def body(ref):
        got = _as_float(_correct_gradient_check(ctx)[0], label)
        if ref is ctx.ref and got < GC_LIMIT:
            return
        if ref is not ctx.ref and np.isclose(
            got, given_helpers(ref, GC_DATA, GC_PARAMS, GC_GRADS), rtol=1e-3
        ):
            return
        raise Failed(t("gradcheck_rejects_correct", call=label, got=fmt(got)) + t("hint_one_at_a_time"))

    judged(ctx, "gradient_check", body)


@check()
def gradient_check_flags_wrong_gradient_in_each_parameter(ctx):
    """Against the reference's values, or (checks/helpers.py) the values the reference's
    gradient_check computes with the learner's numerical_gradient and relative_error: when these
    are all equal (a relative_error returning 0, a numerical_gradient returning zeros), a
    gradient_check returning a constant would meet them, and it pays nothing."""
    judged(ctx, "gradient_check", functools.partial(_flags_wrong_gradients, ctx))


def _flags_wrong_gradients(ctx, ref):
    cost_fn = testfns.build("dict_poly_sin", GC_DATA)
    expectations = []
    for n, key in enumerate(GC_GRADS):
        wrong = {k: v.copy() for k, v in GC_GRADS.items()}
        index = tuple(i % s for i, s in zip((n + 1, n + 2), wrong[key].shape, strict=True))
        wrong[key][index] += 1e-3 * (1 + abs(wrong[key][index]))
        label = f"gradient_check(cost_fn, params, grads), grads[{key!r}]{index_text(index)} ≠ dJ/d{key}{index_text(index)}"
        # memo: the learner's call, asked again when judged given the helpers (checks/helpers.py)
        got = ctx.memo(("gradient_check", label), functools.partial(_checked_float, ctx, wrong, label))
        if ref is ctx.ref:
            expected = ctx.expected(
                ("gradient_check", key), functools.partial(ctx.ref.gradient_check, cost_fn, GC_PARAMS, wrong)
            )
        else:
            expected = given_helpers(ref, GC_DATA, GC_PARAMS, wrong)
            expectations.append(expected)
            if len(expectations) == len(GC_GRADS) and np.ptp(expectations) <= 1e-12 * np.max(
                np.abs(expectations)
            ):
                ref.mark_degenerate("gradient_check: the same value for every wrong gradient")
        if not np.isclose(got, expected, rtol=1e-3):
            raise Failed(
                t(
                    "gradcheck_misses_wrong",
                    call=label,
                    param=key,
                    index=index_text(index),
                    **told_apart(expected, got),
                )
                + t("hint_one_at_a_time")
            )
    label = "gradient_check(cubic_cost_fn, params, grads)"
    got = _as_float(
        ctx.call(
            "gradient_check",
            TestFunction("dict_poly_sin", GC_STEEP_DATA),
            {k: v.copy() for k, v in GC_STEEP_PARAMS.items()},
            {k: v.copy() for k, v in GC_STEEP_GRADS.items()},
            label=label,
        ),
        label,
    )
    expected = (
        ctx.expected(
            ("gradient_check", "steep"),
            lambda: ctx.ref.gradient_check(
                testfns.build("dict_poly_sin", GC_STEEP_DATA), GC_STEEP_PARAMS, GC_STEEP_GRADS
            ),
        )
        if ref is ctx.ref
        else given_helpers(ref, GC_STEEP_DATA, GC_STEEP_PARAMS, GC_STEEP_GRADS)
    )
    if not np.isclose(got, expected, rtol=1e-3):
        raise Failed(
            t("wrong_value", call=label, where="ε = 1e-5", **told_apart(expected, got))
            + t("hint_default_epsilon")
        )


@check(requires=("gradient_check_flags_wrong_gradient_in_each_parameter",))
def gradient_check_leaves_params_unchanged(ctx):
    """The arrays of params and grads hold what they held, up to rounding (restored by
    arithmetic); read from the arena (sandbox/arena.py), so the dicts are the grader's own."""
    label = CORRECT_LABEL
    _, args_after = _correct_gradient_check(ctx)
    for name, before, after in (("params", GC_PARAMS, args_after[1]), ("grads", GC_GRADS, args_after[2])):
        for key in before:
            arr = as_array(after[key], label)
            if arr.shape != before[key].shape or not np.allclose(arr, before[key], rtol=0, atol=1e-12):
                raise Failed(t("mutated", call=label, arg=f"{name}[{key!r}]"))
