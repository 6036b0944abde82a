"""The two-layer network: init_params, forward_prop, cost_function, backward_prop,
update_params, predict.

Every check runs on random non-zero parameters (biases too) on two network shapes, so a
transposed weight or a forgotten bias cannot pass by accident on 2-5-1 with zero biases.
backward_prop is compared both with the reference and with a central-difference gradient of
the reference cost, computed here in float64.
"""

from __future__ import annotations

import functools

import numpy as np

from ..messages import t
from ..results import Text
from .expectations import as_array, expect_array, expect_dict_of_arrays, expect_unchanged
from .formatting import fmt, index_text, item_label, told_apart, type_name
from .helpers import judged, judged_float64
from .numerics import central_difference
from .registry import Failed, check

KEYS = ("Wxh", "bh", "Why", "by")
SHAPES = [(2, 5, 1, 4), (3, 4, 2, 6)]  # (D, H, K, N)
GRADIENT_LIMIT = 1e-7
NUMERIC_EPS = 1e-5


def _problem(D, H, K, N, seed):
    rng = np.random.default_rng(seed)
    params = {
        "Wxh": rng.normal(size=(D, H)),
        "bh": rng.normal(size=(1, H)),
        "Why": rng.normal(size=(H, K)),
        "by": rng.normal(size=(1, K)),
    }
    X = rng.normal(size=(N, D))
    y = (rng.random((N, K)) < 0.5).astype(float)
    return X, y, params


PROBLEMS = [_problem(*shape, seed=7001 + i) for i, shape in enumerate(SHAPES)]


def _net(X, params) -> str:
    return f"X.shape = {X.shape}, Wxh.shape = {params['Wxh'].shape}, Why.shape = {params['Why'].shape}"


def _copy(params):
    return {k: np.copy(v) for k, v in params.items()}


# --- init_params ------------------------------------------------------------------------------

NORMAL_SHAPE = (40, 30, 1)  # (D, H, K): Wxh holds 1200 weights


def _init(ctx, D, H, K, seed):
    label = f"init_params({D}, {H}, {K}, seed={seed})"
    got = ctx.call("init_params", D, H, K, seed=seed, label=label)
    shapes = {"Wxh": (D, H), "bh": (1, H), "Why": (H, K), "by": (1, K)}
    return label, expect_dict_of_arrays(got, {k: np.zeros(s) for k, s in shapes.items()}, label)


@check()
def init_params_shapes_and_zero_biases(ctx):
    for D, H, K, _ in SHAPES:
        label, got = _init(ctx, D, H, K, seed=11)
        for key in ("bh", "by"):
            expect_array(got[key], np.zeros_like(got[key]), item_label(label, f"[{key!r}]"))
        for key in ("Wxh", "Why"):
            if not np.all(np.isfinite(got[key])) or np.all(got[key] == 0):
                raise Failed(
                    t(
                        "wrong_value_whole",
                        call=item_label(label, f"[{key!r}]"),
                        expected="standard normal",
                        got=fmt(got[key]),
                    )
                )
    # Draws, not a constant (nor one filled with the seed): 1200 weights, all distinct, whose mean
    # and spread are a standard normal's. Any generator's draws pass (bounds ~7 standard errors
    # wide); ones, np.full(shape, seed) or a scaled init (0.01 * normal) do not.
    label, got = _init(ctx, *NORMAL_SHAPE, seed=11)
    weights = got["Wxh"].astype(float)
    if not (
        np.all(np.isfinite(weights))
        and np.unique(weights).size == weights.size
        and abs(weights.mean()) < 0.2
        and 0.8 < weights.std() < 1.2
    ):
        raise Failed(
            t(
                "wrong_value_whole",
                call=item_label(label, "['Wxh']"),
                expected="standard normal",
                got=fmt(weights),
            )
        )


@check()
def init_params_matches_reference_for_seed(ctx):
    label, got = _init(ctx, 3, 4, 2, seed=2024)
    expected = ctx.ref.init_params(3, 4, 2, seed=2024)
    for key in KEYS:
        expect_array(got[key], expected[key], item_label(label, f"[{key!r}]"), rtol=1e-12, atol=0)


@check(requires=("init_params_shapes_and_zero_biases",))
def init_params_same_seed_same_params(ctx):
    label, first = _init(ctx, 2, 3, 1, seed=5)
    _, again = _init(ctx, 2, 3, 1, seed=5)
    _, other = _init(ctx, 2, 3, 1, seed=6)
    if any(not np.array_equal(first[k], again[k]) for k in KEYS):
        raise Failed(t("init_not_deterministic", call=label))
    if all(np.array_equal(first[k], other[k]) for k in ("Wxh", "Why")):
        raise Failed(t("init_seed_ignored", call="init_params(2, 3, 1, seed=5 / 6)"))


@check(requires=("init_params_matches_reference_for_seed",))
def init_params_without_seed_draws_fresh_params(ctx):
    """SPEC: seed=None by default, i.e. np.random.default_rng(None), fresh entropy each call."""
    label = "init_params(2, 3, 1)"
    first, second = (ctx.call("init_params", 2, 3, 1, label=label) for _ in range(2))
    shapes = {
        "Wxh": np.zeros((2, 3)),
        "bh": np.zeros((1, 3)),
        "Why": np.zeros((3, 1)),
        "by": np.zeros((1, 1)),
    }
    first, second = (expect_dict_of_arrays(p, shapes, label) for p in (first, second))
    fresh = not any(np.array_equal(first[k], second[k]) for k in ("Wxh", "Why"))
    zero_biases = all(not np.any(p[k]) for p in (first, second) for k in ("bh", "by"))
    if not (fresh and zero_biases):
        raise Failed(t("init_no_seed", call=label, got=f"{fmt(first['Wxh'])} / {fmt(second['Wxh'])}"))


# --- forward_prop -----------------------------------------------------------------------------


def _forward(ctx, problem: int):
    """(label, the four arrays forward_prop returned): one call, for the value and dtype checks."""
    X, _, params = PROBLEMS[problem]
    label = f"forward_prop(X, params), {_net(X, params)}"
    got = ctx.memo(
        ("forward", problem), lambda: ctx.call("forward_prop", X.copy(), _copy(params), label=label)
    )
    if not isinstance(got, (list, tuple)) or len(got) != 4:
        raise Failed(t("wrong_type", call=label, expected="(z1, a1, z2, y_hat)", got=type_name(got)))
    return label, got


@check()
def forward_prop_matches_reference(ctx):
    """Against the reference, or (checks/helpers.py) the reference's layers with the learner's
    own σ applied to the pre-activations computed here: a σ returning zeros or a constant makes
    a1 and ŷ hollow, and pays nothing."""

    def body(ref):
        for problem, (X, _, params) in enumerate(PROBLEMS):
            label, got = _forward(ctx, problem)
            for name, value, expected in zip(
                ("z1", "a1", "z2", "y_hat"), got, ref.forward_prop(X, params), strict=True
            ):
                expect_array(
                    value,
                    expected,
                    item_label(label, f" → {name}"),
                    rtol=1e-7,
                    atol=1e-10,
                    hint=t("hint_forward"),
                )

    judged(ctx, "forward_prop", body)


@check(requires=("forward_prop_matches_reference",))
def forward_prop_returns_float64(ctx):
    """The dtype, paid for once (a float32 forward pass is right in value: its value check passes)."""
    label, got = _forward(ctx, 0)
    X, _, params = PROBLEMS[0]
    judged_float64(ctx, "forward_prop", got, label, lambda ref: ref.forward_prop(X.copy(), _copy(params)))


@check(requires=("forward_prop_matches_reference",))
def forward_prop_leaves_arguments_unchanged(ctx):
    X, _, params = PROBLEMS[1]
    label = f"forward_prop(X, params), {_net(X, params)}"
    _, args_after, _ = ctx.call_full("forward_prop", X.copy(), _copy(params), label=label)

    def body(ref):  # given the learner's σ (checks/helpers.py): changed as it changes them
        expected = (X.copy(), _copy(params))
        if ref is not ctx.ref:
            with np.errstate(all="ignore"):
                ref.forward_prop(*expected)
        expect_unchanged(expected[0], args_after[0], label, "X")
        expect_unchanged(expected[1], args_after[1], label, "params")

    judged(ctx, "forward_prop", body)


# --- cost_function ----------------------------------------------------------------------------


def _cost_inputs(N, K, seed):
    rng = np.random.default_rng(seed)
    return (rng.random((N, K)) < 0.5).astype(float), rng.uniform(0.05, 0.95, size=(N, K))


def _cost(ctx, N, K, seed):
    y, y_hat = _cost_inputs(N, K, seed)
    label = f"cost_function(y, y_hat), y.shape = {y.shape}"
    got = ctx.call("cost_function", y.copy(), y_hat.copy(), label=label)
    return label, got, ctx.ref.cost_function(y, y_hat), y.shape


def _expect_cost(label, got, expected, shape):
    arr = as_array(got, label)
    if arr.size != 1:
        raise Failed(
            t("wrong_shape", call=label, expected="() (a float)", got=arr.shape) + t("hint_cost_builtin_sum")
        )
    value = float(arr.reshape(()))
    if not np.isclose(value, expected, rtol=1e-9, atol=1e-12):
        text = t("wrong_cost", call=label, **told_apart(expected, value))
        text += _cost_hint(value, expected, shape)
        raise Failed(text)


def _cost_hint(value: float, expected: float, shape: tuple) -> Text:
    """The chapter calls its cost mean squared error: a mean (over every element, or over the
    samples), with or without the 0.5, gets the mean's hint; a sum off by 2 the 0.5's."""
    samples, elements = shape[0], int(np.prod(shape))
    means = [expected * 2 / elements, expected / elements, expected / samples, expected * 2 / samples]
    if any(np.isclose(value, mean, rtol=1e-9, atol=1e-12) for mean in means):
        return t("hint_cost_mean")
    if np.isclose(value, 2 * expected) or np.isclose(2 * value, expected):
        return t("hint_cost_half")
    return Text()


@check()
def cost_function_matches_reference(ctx):
    _expect_cost(*_cost(ctx, 6, 1, 31))


@check()
def cost_function_sums_over_samples_and_outputs(ctx):
    _expect_cost(*_cost(ctx, 5, 3, 32))


@check(requires=("cost_function_matches_reference",))
def cost_function_returns_scalar_float(ctx):
    label, got, _, _ = _cost(ctx, 6, 1, 31)
    if isinstance(got, bool) or not (
        isinstance(got, float) or (isinstance(got, np.ndarray) and got.shape == () and got.dtype.kind == "f")
    ):
        raise Failed(
            t("wrong_type", call=label, expected="float", got=type_name(got)) + t("hint_cost_builtin_sum")
        )


# --- backward_prop ----------------------------------------------------------------------------


def _backward(ctx, X, y, params):
    """(label, the gradients): one call per problem, read by every check of backward_prop."""
    cache = list(ctx.ref.forward_prop(X, params))
    label = f"backward_prop(X, y, params, cache), {_net(X, params)}"
    call = lambda: ctx.call(
        "backward_prop", X.copy(), y.copy(), _copy(params), [c.copy() for c in cache], label=label
    )
    got = ctx.memo(("backward", label), call)
    return label, expect_dict_of_arrays(got, params, label)


def numerical_gradients(ref, X, y, params, eps=NUMERIC_EPS):
    """Central differences of the reference cost with respect to each parameter, in float64."""

    def cost(key, value):
        return ref.cost_function(y, ref.forward_prop(X, {**params, key: value})[3])

    return {key: central_difference(functools.partial(cost, key), params[key], eps) for key in KEYS}


def gradient_relative_error(got: dict, numeric: dict) -> float:
    a = np.concatenate([got[k].ravel() for k in KEYS])
    b = np.concatenate([numeric[k].ravel() for k in KEYS])
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


@check(requires=("backward_prop_matches_numerical_gradient",))
def backward_prop_returns_all_gradients(ctx):
    X, y, params = PROBLEMS[1]
    _backward(ctx, X, y, params)


@check()
def backward_prop_matches_reference(ctx):
    """Against the reference, or (checks/helpers.py) the reference's chain rule with the
    learner's own σ' of z1 and z2: a σ' returning zeros (every gradient 0) or a constant pays
    nothing."""

    def body(ref):
        for X, y, params in PROBLEMS:
            label, got = _backward(ctx, X, y, params)
            expected = ref.backward_prop(X, y, params, ctx.ref.forward_prop(X, params))
            for key in KEYS:
                hint = t("hint_biases") if key in ("bh", "by") else t("hint_backprop_chain")
                expect_array(
                    got[key],
                    expected[key],
                    item_label(label, f" → grads[{key!r}]"),
                    rtol=1e-6,
                    atol=1e-10,
                    hint=hint,
                )

    judged(ctx, "backward_prop", body)


@check()
def backward_prop_matches_numerical_gradient(ctx):
    """Against central differences of the reference cost; given a learner's wrong σ', against the
    reference's chain rule with it (as backward_prop_matches_reference): what backward_prop
    computes from its σ' is what it is graded on, the slope of the cost is σ's."""
    judged(ctx, "backward_prop", functools.partial(_matches_numerical_gradient, ctx))


def _matches_numerical_gradient(ctx, ref):
    for X, y, params in PROBLEMS:
        label, got = _backward(ctx, X, y, params)
        if ref is ctx.ref:
            numeric = numerical_gradients(ctx.ref, X, y, params)
        else:
            numeric = ref.backward_prop(X, y, params, ctx.ref.forward_prop(X, params))
        error = gradient_relative_error(got, numeric)
        if not error < GRADIENT_LIMIT:  # also catches NaN
            key, index = max(
                ((k, i) for k in KEYS for i in np.ndindex(numeric[k].shape)),
                key=lambda ki: np.nan_to_num(abs(got[ki[0]][ki[1]] - numeric[ki[0]][ki[1]]), nan=np.inf),
            )
            raise Failed(
                t(
                    "gradient_mismatch",
                    call=label,
                    error=fmt(error),
                    limit=GRADIENT_LIMIT,
                    param=key,
                    index=index_text(index),
                    **told_apart(numeric[key][index], got[key][index]),
                )
                + t("hint_backprop_chain")
            )


@check(requires=("backward_prop_matches_reference",))
def backward_prop_returns_float64(ctx):
    """The dtype, paid for once, beside the value checks (which compare values)."""
    X, y, params = PROBLEMS[0]
    label, got = _backward(ctx, X, y, params)
    judged_float64(
        ctx,
        "backward_prop",
        got,
        label,
        lambda ref: ref.backward_prop(
            X.copy(), y.copy(), _copy(params), list(ctx.ref.forward_prop(X, params))
        ),
    )


@check(requires=("backward_prop_matches_numerical_gradient",))
def backward_prop_leaves_arguments_unchanged(ctx):
    """The arrays of X, y, params and cache hold after the call what they held before. Only
    array contents are seen: they live in memory the grader reads itself (sandbox/arena.py).
    The containers (a key deleted from params, the cache list popped) are objects in the
    learner's process, and what it says of them is its claim, so a changed structure is not
    graded here (a cache that must be a list shows in train, which passes a tuple)."""
    X, y, params = PROBLEMS[1]
    cache = [c.copy() for c in ctx.ref.forward_prop(X, params)]
    label = f"backward_prop(X, y, params, cache), {_net(X, params)}"
    _, args_after, _ = ctx.call_full(
        "backward_prop", X.copy(), y.copy(), _copy(params), [c.copy() for c in cache], label=label
    )

    def body(ref):  # given the learner's σ' (checks/helpers.py): changed as it changes them
        expected = (X.copy(), y.copy(), _copy(params), [c.copy() for c in cache])
        if ref is not ctx.ref:
            with np.errstate(all="ignore"):
                ref.backward_prop(*expected)
        for name, before, after in zip(("X", "y", "params"), expected[:3], args_after[:3], strict=True):
            expect_unchanged(before, after, label, name)
        for name, before, after in zip(("z1", "a1", "z2", "y_hat"), expected[3], args_after[3], strict=True):
            expect_unchanged(before, after, label, f"cache → {name}")

    judged(ctx, "backward_prop", body)


# --- update_params ----------------------------------------------------------------------------

ALPHA = 0.3


def _update(ctx):
    X, _, params = PROBLEMS[1]
    grads = {k: np.random.default_rng(41 + i).normal(size=v.shape) for i, (k, v) in enumerate(params.items())}
    label = f"update_params(params, grads, alpha={ALPHA}), {_net(X, params)}"
    got, args_after, _ = ctx.memo(
        "update", lambda: ctx.call_full("update_params", _copy(params), _copy(grads), ALPHA, label=label)
    )
    return label, params, grads, got, args_after


def _expect_updated(ctx, keys, hint):
    label, params, grads, got, _ = _update(ctx)
    got = expect_dict_of_arrays(got, params, label)
    expected = ctx.ref.update_params(params, grads, ALPHA)
    for key in keys:
        expect_array(
            got[key],
            expected[key],
            item_label(label, f" → [{key!r}]"),
            rtol=1e-9,
            atol=1e-12,
            hint=hint,
        )


@check()
def update_params_matches_reference_for_weights(ctx):
    _expect_updated(ctx, ("Wxh", "Why"), t("hint_update"))


@check()
def update_params_updates_biases(ctx):
    _expect_updated(ctx, ("bh", "by"), t("hint_biases"))


@check(requires=("update_params_matches_reference_for_weights",))
def update_params_leaves_arguments_unchanged(ctx):
    label, params, grads, _, args_after = _update(ctx)
    expect_unchanged(params, args_after[0], label, "params")
    expect_unchanged(grads, args_after[1], label, "grads")


# --- predict ----------------------------------------------------------------------------------


def _near_threshold(D, H, K, N, seed):
    """Params whose outputs lie within ~0.01 of 0.5 on both sides, never within 1e-9 of it:
    a wrong threshold or comparison flips some, while rounding differences cannot."""
    X, _, params = _problem(D, H, K, N, seed)
    params["Why"] = params["Why"] * 0.01
    params["by"] = np.zeros_like(params["by"])
    params["by"] = -np.median(_output_pre_activation(X, params), axis=0, keepdims=True) - 1e-4
    assert np.all(np.abs(_output_pre_activation(X, params)) > 1e-9)
    return X, params


def _output_pre_activation(X, params):
    a1 = 1 / (1 + np.exp(-(X @ params["Wxh"] + params["bh"])))
    return a1 @ params["Why"] + params["by"]


def _exactly_half():
    """A network whose output is exactly 0.5 on X's first row, by construction: x = 0 and bh = 0
    give a1 = σ(0) = 0.5 in every unit, and Why sums to 0 in numbers that add exactly, so z2 = 0
    and ŷ = σ(0) = 0.5, which the contract labels 1 (ŷ ≥ 0.5): `>` labels it 0. Its other rows
    lie at least 0.25 from z2 = 0 on both sides."""
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 2.0], [2.0, -1.0]])
    params = {
        "Wxh": np.random.default_rng(8105).normal(0, 2, size=(2, 4)),
        "bh": np.zeros((1, 4)),
        "Why": np.array([[1.0], [-1.0], [0.5], [-0.5]]),
        "by": np.zeros((1, 1)),
    }
    assert _output_pre_activation(X, params)[0, 0] == 0.0
    return X, params


PREDICT_PROBLEMS = [_near_threshold(3, 4, 2, 9, 8101), _near_threshold(2, 5, 1, 7, 8102), _exactly_half()]


def _predict(ctx, X, params):
    label = f"predict(X, params), {_net(X, params)}"
    return label, ctx.call("predict", X.copy(), _copy(params), label=label)


@check()
def predict_matches_reference_near_threshold(ctx):
    """Against the reference, or (checks/helpers.py) the reference's threshold on the learner's
    own forward_prop, on these networks (one with an output exactly 0.5: `>` for `≥` shows) and
    on PROBLEMS' (whose outputs spread on both sides of 0.5): labels all alike on all of them (a
    hollow forward_prop) pay nothing, as a predict returning zeros would meet them."""

    def body(ref):
        if ref is ctx.ref:
            problems = PREDICT_PROBLEMS
        else:  # the near-threshold outputs are the reference's: add networks whose outputs spread
            problems = PREDICT_PROBLEMS + [(X, params) for X, _, params in PROBLEMS]
            # copies: a learner's forward_prop that writes into its arguments is replayed with
            # that write (checks/helpers.py), which must not reach these inputs of every grading
            labels = [ref.predict(X.copy(), _copy(p)) for X, p in problems]
            if np.unique(np.concatenate([np.ravel(each) for each in labels])).size < 2:
                ref.mark_degenerate("predict: labels all alike")
        for X, params in problems:
            label, got = _predict(ctx, X, params)
            expected = ref.predict(X.copy(), _copy(params))
            expect_array(got, expected, label, rtol=0, atol=0, hint=t("hint_threshold"))

    judged(ctx, "predict", body)


@check(requires=("predict_matches_reference_near_threshold",))
def predict_returns_int_zeros_and_ones(ctx):
    X, params = PREDICT_PROBLEMS[0]
    label, got = _predict(ctx, X, params)
    arr = as_array(got, label)
    if arr.dtype.kind not in "iu":
        raise Failed(t("wrong_int_dtype", call=label, got=arr.dtype))
    if arr.shape != (X.shape[0], params["by"].shape[1]) or not np.isin(arr, (0, 1)).all():
        raise Failed(
            t("wrong_value_whole", call=label, expected=fmt(ctx.ref.predict(X, params)), got=fmt(arr))
        )
