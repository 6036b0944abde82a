"""A catalogue of misconceptions (a bug library): what a learner's wrong answer most likely is.

Each entry names one misconception of one contract function and predicts, on the grader's side,
what code holding that misconception returns for some public inputs the grader chose (`PROBES`).
After the checks, for each function that lost points (never for one that passed: correct code
costs nothing), the learner's function is called on those inputs through the sandbox, like any
check's call, and compared with each prediction; the closest match is named in the function's
failed results (`CheckResult.misconception`). Learner code never runs in this process, and
nothing the learner's process says is read but the values it returns for these inputs.

Adding one is a table entry here (id, function, probes, predict) and a message
`misconception_<id>` in messages.py (docs/misconceptions.md lists them for instructors).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..checks.common import TRAIN_TIMEOUT
from ..checks.numerics import central_difference
from ..checks.registry import Failed
from ..messages import Text, t
from ..results import Named
from ..sandbox import TestFunction, testfns

log = logging.getLogger("autograder")
RAISES = object()  # a prediction: the call fails (e.g. `if x < 0:` given an array)
RTOL, ATOL = 1e-5, 1e-8


@dataclass(frozen=True)
class Probe:
    """One call of a contract function on inputs the grader chose (public: no hidden inputs)."""

    fn: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    timeout: float | None = None


@dataclass(frozen=True)
class Misconception:
    """A named misconception and its answer for each of its probes.

    predict(ref, *args, **kwargs): what code with this misconception returns for the probe
    (RAISES: the call fails); changes_input: it also leaves an array argument changed;
    match: a detector of its own, observations -> distance or None, for what one call cannot
    show (the same seed drawing different numbers)."""

    id: str
    function: str
    probes: tuple[str, ...]
    predict: Callable[..., Any] | None = None
    changes_input: bool = False
    match: Callable[[dict], float | None] | None = None

    @property
    def text(self) -> Text:
        return t(f"misconception_{self.id}")


# --- the grader's public inputs ---------------------------------------------------------------

_rng = np.random.default_rng(31415)
_ORD = _rng.normal(0, 2.5, size=(3, 4))
_ORD[0, 0] = 0.0  # the kink: relu_derivative's 0.5 shows there
_EXT = np.array([0.5, -0.5, 50.0, -50.0, 400.0, -400.0, 720.0, -720.0, 1000.0, -1000.0])
_ROWS = _rng.normal(0, 2, size=(4, 5))
_LARGE = np.array([[1000.0, 999.0, -1000.0], [800.0, 0.0, -800.0]])


def _net(n_in, n_hidden, n_out, n, seed):
    rng = np.random.default_rng(seed)
    params = {
        "Wxh": rng.normal(size=(n_in, n_hidden)),
        "bh": rng.normal(size=(1, n_hidden)),
        "Why": rng.normal(size=(n_hidden, n_out)),
        "by": rng.normal(size=(1, n_out)),
    }
    return rng.normal(size=(n, n_in)), rng.uniform(0, 1, size=(n, n_out)).round(), params


def _near_half(X, params):
    """params with outputs within ~0.01 of 0.5 on both sides: another threshold flips some."""
    params = {**params, "Why": params["Why"] * 0.01, "by": np.zeros_like(params["by"])}
    z2 = 1 / (1 + np.exp(-(X @ params["Wxh"] + params["bh"]))) @ params["Why"]
    return {**params, "by": -np.median(z2, axis=0, keepdims=True) - 1e-4}


_X, _Y, _P = _net(3, 4, 2, 5, 7)
_XS, _YS, _PS = _net(3, 2, 2, 5, 8)  # n_hidden == n_out: a missing transpose still multiplies
_PSQ = _net(2, 2, 2, 1, 9)[2]  # every weight square: swapped gradients still subtract
_GRADS_SQ = _net(2, 2, 2, 1, 10)[2]
_YH = _rng.uniform(0.05, 0.95, size=(4, 2))
_YT = _rng.uniform(0, 1, size=(4, 2)).round()
_XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_AND_Y = np.array([[0.0], [0.0], [0.0], [1.0]])
_XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])
_HALF = {"Wxh": np.zeros((2, 3)), "bh": np.zeros((1, 3)), "Why": np.zeros((3, 1)), "by": np.zeros((1, 1))}
_POLY = TestFunction("poly_sin", {k: _rng.normal(size=(5,)) for k in "abc"})
_POLY_X = _rng.normal(size=(5,))
_A, _B = _rng.normal(size=(6,)), _rng.normal(size=(6,))
_GC_SHAPES = {"Wxh": (2, 2), "bh": (1, 2), "Why": (2, 1), "by": (1, 1)}
_GC_DATA = {k: {c: _rng.normal(size=s) for c in "abc"} for k, s in _GC_SHAPES.items()}
_GC_FN = TestFunction("dict_poly_sin", _GC_DATA)
_GC_PARAMS = {k: _rng.normal(size=s) for k, s in _GC_SHAPES.items()}
_TRAIN = {"num_hidden": 3, "alpha": 0.7, "num_iterations": 150, "seed": 4}  # two costs every 100


_GC_GRADS = testfns.dict_poly_sin_gradient(
    _GC_PARAMS, {k: (v["a"], v["b"], v["c"]) for k, v in _GC_DATA.items()}
)

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "swish")
OTHER = {"leaky_relu": {"alpha": 0.2}, "elu": {"alpha": 1.5}, "swish": {"beta": 2.0}}
PROBES: dict[str, Probe] = {}
for _fn in (*ACTIVATIONS, *(f"{a}_derivative" for a in ACTIVATIONS)):
    PROBES[f"{_fn}:scalar"] = Probe(_fn, (0.7,))
    PROBES[f"{_fn}:ord"] = Probe(_fn, (_ORD,))
    PROBES[f"{_fn}:ext"] = Probe(_fn, (_EXT,))
    if _fn.removesuffix("_derivative") in OTHER:
        PROBES[f"{_fn}:other"] = Probe(_fn, (_ORD,), OTHER[_fn.removesuffix("_derivative")])
PROBES.update(
    {
        "softmax:rows": Probe("softmax", (_ROWS,)),
        "softmax:large": Probe("softmax", (_LARGE,)),
        "softmax:axis0": Probe("softmax", (_ROWS,), {"axis": 0}),
        "init_params:a": Probe("init_params", (2, 3, 1), {"seed": 7}),
        "init_params:a_again": Probe("init_params", (2, 3, 1), {"seed": 7}),
        "init_params:b": Probe("init_params", (3, 4, 2), {"seed": 11}),
        "init_params:no_seed": Probe("init_params", (2, 3, 1)),
        "forward_prop:a": Probe("forward_prop", (_X, _P)),
        "cost_function:a": Probe("cost_function", (_YT, _YH)),
        "backward_prop:a": Probe("backward_prop", (_X, _Y, _P, None)),
        "backward_prop:square": Probe("backward_prop", (_XS, _YS, _PS, None)),
        "update_params:square": Probe("update_params", (_PSQ, _GRADS_SQ, 0.3)),
        "predict:a": Probe("predict", (_X, _near_half(_X, _P))),
        "predict:half": Probe("predict", (_XOR_X, _HALF)),
        "train:and": Probe("train", (_XOR_X, _AND_Y), _TRAIN, TRAIN_TIMEOUT),
        "numerical_gradient:a": Probe("numerical_gradient", (_POLY, _POLY_X), {"epsilon": 0.05}),
        "relative_error:a": Probe("relative_error", (_A, _B)),
        "relative_error:zeros": Probe("relative_error", (np.zeros(3), np.zeros(3))),
        "gradient_check:a": Probe("gradient_check", (_GC_FN, _GC_PARAMS, _GC_GRADS)),
        # a wrong bias gradient, a wrong weight gradient, every gradient 1.5 times too large
        "gradient_check:bias": Probe(
            "gradient_check", (_GC_FN, _GC_PARAMS, {**_GC_GRADS, "by": _GC_GRADS["by"] + 1})
        ),
        "gradient_check:weight": Probe(
            "gradient_check", (_GC_FN, _GC_PARAMS, {**_GC_GRADS, "Wxh": _GC_GRADS["Wxh"] + 1})
        ),
        "gradient_check:scaled": Probe(
            "gradient_check", (_GC_FN, _GC_PARAMS, {k: 1.5 * v for k, v in _GC_GRADS.items()})
        ),
    }
)


def _args(probe: Probe, ref) -> tuple:
    """The probe's arguments; backward_prop's cache is the reference's forward pass on them."""
    if probe.fn == "backward_prop":
        X, y, params, _ = probe.args
        return X, y, params, ref.forward_prop(X, params)
    return probe.args


# --- what each misconception returns ------------------------------------------------------------


def _quiet(fn):
    def quiet(*args, **kwargs):
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)

    return quiet


def _where_negative(x, below, above):
    x = np.asarray(x, dtype=float)
    return np.where(x < 0, below(x), above(x))


def _scalar_only(correct):
    """`if x < 0:` on an array: right for a number, the call fails for an array."""
    return lambda ref, x, **kw: RAISES if np.ndim(x) else getattr(ref, correct)(x, **kw)


def _backprop(
    ref,
    X,
    y,
    params,
    cache,
    *,
    sign=1.0,
    dsig=None,
    bias="sum",
    scale=1.0,
    transpose=True,
    hidden_derivative=True,
):
    z1, a1, z2, y_hat = cache
    dsig = dsig or (lambda z, a: ref.sigmoid_derivative(z))
    delta2 = sign * -(y - y_hat) * dsig(z2, y_hat)
    back = delta2 @ (params["Why"].T if transpose else params["Why"])
    delta1 = back * dsig(z1, a1) if hidden_derivative else back
    biases = {
        "sum": lambda d: np.sum(d, axis=0, keepdims=True),
        "mean": lambda d: np.mean(d, axis=0, keepdims=True),
        "zero": lambda d: np.zeros((1, d.shape[1])),
        "each": lambda d: d,
    }[bias]
    grads = {"Wxh": X.T @ delta1, "bh": biases(delta1), "Why": a1.T @ delta2, "by": biases(delta2)}
    return {k: v * scale for k, v in grads.items()}


def _train_costs_after(ref, X, y, **kw):
    params, costs = ref.train(X, y, **{**kw, "num_iterations": kw["num_iterations"] + 1})
    trained, _ = ref.train(X, y, **kw)
    return trained, costs[1:]


def _train_every_100(ref, X, y, **kw):
    params, costs = ref.train(X, y, **kw)
    return params, costs[::100]


def _directional(along, epsilon):
    """The central difference of along(step), the function with every element moved by step."""
    return float(central_difference(along, 0.0, epsilon))


def _numerical(f, x, epsilon=1e-5, *, kind="central", restore=True):
    """numerical_gradient as a misconception computes it, element by element (or all at once)."""
    x = np.array(x, dtype=float)
    if kind == "all_at_once":
        return np.full_like(x, _directional(lambda step: f(x + step), epsilon))
    steps = {  # (offset of the first point, of the second, divisor)
        "central": (epsilon, -epsilon, 2 * epsilon),
        "forward": (epsilon, 0.0, epsilon),
        "backward": (0.0, -epsilon, epsilon),
        "no_two": (epsilon, -epsilon, epsilon),
    }
    up, down, divisor = steps[kind]
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + up
        f_up = f(x)
        x[i] = old + down
        grad[i] = (f_up - f(x)) / divisor
        if restore:
            x[i] = old
    return grad


def _re(a, b, form):
    a, b = np.ravel(a), np.ravel(b)
    na, nb, diff = np.linalg.norm(a), np.linalg.norm(b), np.linalg.norm(a - b)
    with np.errstate(all="ignore"):
        return float(
            {
                "no_guard": diff / (na + nb),
                "sum_norm": diff / np.linalg.norm(a + b) if (na or nb) else 0.0,
                "absolute": diff,
                "max": diff / max(na, nb) if (na or nb) else 0.0,
            }[form]
        )


def _gc(ref, cost_fn, params, grads, epsilon=1e-5, *, form):
    keys = ("Wxh", "Why") if form == "weights_only" else tuple(params)
    analytic = np.concatenate([np.ravel(grads[k]) for k in keys])
    if form == "all_at_once":
        floats = {k: np.asarray(v, dtype=float) for k, v in params.items()}
        directional = _directional(lambda step: cost_fn({k: v + step for k, v in floats.items()}), epsilon)
        return ref.relative_error(analytic, np.full_like(analytic, directional))
    numeric = []
    for k in keys:
        work = {key: np.array(v, dtype=float) for key, v in params.items()}
        numeric.append(
            _numerical(lambda value, k=k, work=work: cost_fn({**work, k: value}), work[k], epsilon)
        )
    numeric_flat = np.concatenate([np.ravel(n) for n in numeric])
    if form == "absolute":
        return float(np.linalg.norm(analytic - numeric_flat))
    return ref.relative_error(analytic, numeric_flat)


def _init(seed, shapes, draw="standard_normal", scale=1.0, random_biases=False):
    rng = np.random.default_rng(seed)
    out = {}
    for key, shape in shapes.items():
        if key.startswith("b") and not random_biases:
            out[key] = np.zeros(shape)
        else:
            out[key] = scale * getattr(rng, draw)(shape)
    return out


def _shapes(n_in, n_hidden, n_out, *, transposed=False):
    if transposed:
        return {"Wxh": (n_hidden, n_in), "bh": (1, n_hidden), "Why": (n_out, n_hidden), "by": (1, n_out)}
    return {"Wxh": (n_in, n_hidden), "bh": (1, n_hidden), "Why": (n_hidden, n_out), "by": (1, n_out)}


def _forward(ref, X, params, *, hidden=None, output=None, biases=True):
    hidden, output = hidden or ref.sigmoid, output or ref.sigmoid
    bh, by = (params["bh"], params["by"]) if biases else (0.0, 0.0)
    z1 = X @ params["Wxh"] + bh
    a1 = hidden(z1)
    z2 = a1 @ params["Why"] + by
    return z1, a1, z2, output(z2)


def _seed_ignored(obs: dict) -> float | None:
    """The same seed twice, different numbers: the seed is not what draws them."""
    first, again = obs.get("init_params:a"), obs.get("init_params:a_again")
    if not (
        isinstance(first, dict)
        and isinstance(again, dict)
        and set(first) == set(again) == set(_shapes(2, 3, 1))
    ):
        return None
    try:
        same = {
            k: np.array_equal(np.asarray(first[k], dtype=float), np.asarray(again[k], dtype=float))
            for k in first
        }
        shaped = all(np.shape(first[k]) == s for k, s in _shapes(2, 3, 1).items())
    except (TypeError, ValueError):
        return None
    return 0.0 if shaped and not (same["Wxh"] and same["Why"]) and np.any(first["Wxh"]) else None


M = Misconception
ORD, EXT, OTH = ":ord", ":ext", ":other"


def _p(fn: str, *kinds: str) -> tuple[str, ...]:
    return tuple(fn + (kind if kind.startswith(":") else ":" + kind) for kind in kinds)


# fmt: off
CATALOGUE: tuple[Misconception, ...] = (
    # --- sigmoid ---
    M("sigmoid_wrong_sign", "sigmoid", _p("sigmoid", ORD), lambda ref, x: ref.sigmoid(-np.asarray(x))),
    M("sigmoid_overflows", "sigmoid", _p("sigmoid", ORD, EXT), _quiet(lambda ref, x: np.exp(x) / (1 + np.exp(x)))),
    M("sigmoid_float32", "sigmoid", _p("sigmoid", ORD), lambda ref, x: ref.sigmoid(x).astype(np.float32)),
    M("sigmoid_changes_input", "sigmoid", _p("sigmoid", ORD), lambda ref, x: ref.sigmoid(x), changes_input=True),
    # --- sigmoid_derivative ---
    M("sigmoid_derivative_of_activation", "sigmoid_derivative", _p("sigmoid_derivative", ORD),
      lambda ref, x: x * (1 - x)),
    M("sigmoid_derivative_plus", "sigmoid_derivative", _p("sigmoid_derivative", ORD),
      lambda ref, x: ref.sigmoid(x) * (1 + ref.sigmoid(x))),
    M("sigmoid_derivative_of_sigmoid", "sigmoid_derivative", _p("sigmoid_derivative", ORD),
      lambda ref, x: ref.sigmoid_derivative(ref.sigmoid(x))),
    M("sigmoid_derivative_is_sigmoid", "sigmoid_derivative", _p("sigmoid_derivative", ORD),
      lambda ref, x: ref.sigmoid(x)),
    M("sigmoid_derivative_overflows", "sigmoid_derivative", _p("sigmoid_derivative", ORD, EXT),
      _quiet(lambda ref, x: np.exp(-x) / (1 + np.exp(-x)) ** 2)),
    # --- tanh ---
    M("tanh_overflows_both_sides", "tanh", _p("tanh", ORD, EXT),
      _quiet(lambda ref, x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)))),
    M("tanh_overflows_negative_side", "tanh", _p("tanh", ORD, EXT),
      _quiet(lambda ref, x: (1 - np.exp(-2 * x)) / (1 + np.exp(-2 * x)))),
    M("tanh_half_argument", "tanh", _p("tanh", ORD), lambda ref, x: 2 * ref.sigmoid(x) - 1),
    # --- tanh_derivative ---
    M("tanh_derivative_forgets_square", "tanh_derivative", _p("tanh_derivative", ORD), lambda ref, x: 1 - ref.tanh(x)),
    M("tanh_derivative_of_activation", "tanh_derivative", _p("tanh_derivative", ORD), lambda ref, x: 1 - x**2),
    M("tanh_derivative_plus", "tanh_derivative", _p("tanh_derivative", ORD), lambda ref, x: 1 + ref.tanh(x) ** 2),
    # --- relu ---
    M("relu_if_on_arrays", "relu", _p("relu", "scalar", ORD), _scalar_only("relu")),
    M("relu_changes_input", "relu", _p("relu", ORD), lambda ref, x: ref.relu(x), changes_input=True),
    M("relu_minimum", "relu", _p("relu", ORD), lambda ref, x: np.minimum(x, 0.0)),
    # --- relu_derivative ---
    M("relu_derivative_wrong_side", "relu_derivative", _p("relu_derivative", ORD),
      lambda ref, x: (np.asarray(x) < 0).astype(float)),
    M("relu_derivative_bool", "relu_derivative", _p("relu_derivative", ORD), lambda ref, x: np.asarray(x) > 0),
    M("relu_derivative_half_at_zero", "relu_derivative", _p("relu_derivative", ORD),
      lambda ref, x: (np.sign(x) + 1) / 2),
    M("relu_derivative_sign", "relu_derivative", _p("relu_derivative", ORD), lambda ref, x: np.sign(x)),
    M("relu_derivative_is_relu", "relu_derivative", _p("relu_derivative", ORD), lambda ref, x: ref.relu(x)),
    M("relu_derivative_if_on_arrays", "relu_derivative", _p("relu_derivative", "scalar", ORD),
      _scalar_only("relu_derivative")),
    # --- leaky_relu ---
    M("leaky_relu_if_on_arrays", "leaky_relu", _p("leaky_relu", "scalar", ORD), _scalar_only("leaky_relu")),
    M("leaky_relu_slope_wrong_side", "leaky_relu", _p("leaky_relu", ORD, OTH),
      lambda ref, x, alpha=0.01: _where_negative(x, lambda v: v, lambda v: alpha * v)),
    M("leaky_relu_ignores_alpha", "leaky_relu", _p("leaky_relu", ORD, OTH),
      lambda ref, x, alpha=0.01: ref.leaky_relu(x)),
    M("leaky_relu_zero_below", "leaky_relu", _p("leaky_relu", ORD), lambda ref, x: ref.relu(x)),
    # --- leaky_relu_derivative ---
    M("leaky_relu_derivative_ignores_alpha", "leaky_relu_derivative", _p("leaky_relu_derivative", ORD, OTH),
      lambda ref, x, alpha=0.01: ref.leaky_relu_derivative(x)),
    M("leaky_relu_derivative_wrong_side", "leaky_relu_derivative", _p("leaky_relu_derivative", ORD, OTH),
      lambda ref, x, alpha=0.01: _where_negative( x, lambda v: np.ones_like(v), lambda v: np.full_like(v, alpha)),
    ),
    M("leaky_relu_derivative_zero_below", "leaky_relu_derivative", _p("leaky_relu_derivative", ORD),
      lambda ref, x: (np.asarray(x) >= 0).astype(float)),
    M("leaky_relu_derivative_is_activation", "leaky_relu_derivative", _p("leaky_relu_derivative", ORD, OTH),
      lambda ref, x, alpha=0.01: ref.leaky_relu(x, alpha=alpha)),
    # --- elu ---
    M("elu_alpha_0_01", "elu", _p("elu", ORD), lambda ref, x: ref.elu(x, alpha=0.01)),
    M("elu_without_minus_one", "elu", _p("elu", ORD, OTH),
      _quiet(lambda ref, x, alpha=1.0: _where_negative(x, lambda v: alpha * np.exp(v), lambda v: v))),
    M("elu_if_on_arrays", "elu", _p("elu", "scalar", ORD), _scalar_only("elu")),
    M("elu_ignores_alpha", "elu", _p("elu", ORD, OTH), lambda ref, x, alpha=1.0: ref.elu(x)),
    # --- elu_derivative ---
    M("elu_derivative_ignores_alpha", "elu_derivative", _p("elu_derivative", ORD, OTH),
      lambda ref, x, alpha=1.0: ref.elu_derivative(x)),
    M("elu_derivative_keeps_minus_one", "elu_derivative", _p("elu_derivative", ORD, OTH),
      _quiet(lambda ref, x, alpha=1.0: _where_negative(x, lambda v: alpha * (np.exp(v) - 1), np.ones_like))),
    M("elu_derivative_zero_below", "elu_derivative", _p("elu_derivative", ORD),
      lambda ref, x: (np.asarray(x) >= 0).astype(float)),
    # --- swish ---
    M("swish_factor_2", "swish", _p("swish", ORD), lambda ref, x: 2 * ref.swish(x)),
    M("swish_ignores_beta", "swish", _p("swish", ORD, OTH), lambda ref, x, beta=1.0: ref.swish(x)),
    M("swish_forgets_x", "swish", _p("swish", ORD, OTH), lambda ref, x, beta=1.0: ref.sigmoid(beta * np.asarray(x))),
    # --- swish_derivative ---
    M("swish_derivative_misses_sigmoid_term", "swish_derivative", _p("swish_derivative", ORD, OTH),
      lambda ref, x, beta=1.0: beta * x * ref.sigmoid_derivative(beta * np.asarray(x))),
    M("swish_derivative_misses_product_rule", "swish_derivative", _p("swish_derivative", ORD, OTH),
      lambda ref, x, beta=1.0: ref.sigmoid(beta * np.asarray(x))),
    M("swish_derivative_ignores_beta", "swish_derivative", _p("swish_derivative", ORD, OTH),
      lambda ref, x, beta=1.0: ref.swish_derivative(x)),
    M("swish_derivative_factor_2", "swish_derivative", _p("swish_derivative", ORD, OTH),
      lambda ref, x, beta=1.0: 2 * ref.swish_derivative(x, beta=beta)),
    # --- softmax ---
    M("softmax_axis_0", "softmax", ("softmax:rows", "softmax:large"), lambda ref, x, axis=-1: ref.softmax(x, axis=0)),
    M("softmax_whole_array", "softmax", ("softmax:rows",),
      lambda ref, x, axis=-1: ref.softmax(np.ravel(x)).reshape(np.shape(x))),
    M("softmax_overflows", "softmax", ("softmax:rows", "softmax:large"),
      _quiet(lambda ref, x, axis=-1: np.exp(x) / np.sum(np.exp(x), axis=axis, keepdims=True))),
    M("softmax_chapter_code", "softmax", ("softmax:rows", "softmax:large"),
      _quiet(lambda ref, x, axis=-1: np.exp(x) / np.sum(np.exp(x), axis=0))),
    M("softmax_ignores_axis", "softmax", ("softmax:rows", "softmax:axis0"), lambda ref, x, axis=-1: ref.softmax(x)),
    # --- init_params ---
    M("init_params_random_biases", "init_params", ("init_params:a", "init_params:b"),
      lambda ref, *shape, seed=None: _init(seed, _shapes(*shape), random_biases=True)),
    M("init_params_scaled", "init_params", ("init_params:a", "init_params:b"),
      lambda ref, *shape, seed=None: _init(seed, _shapes(*shape), scale=0.01)),
    M("init_params_uniform", "init_params", ("init_params:a", "init_params:b"),
      lambda ref, *shape, seed=None: _init(seed, _shapes(*shape), draw="random")),
    M("init_params_transposed", "init_params", ("init_params:a", "init_params:b"),
      lambda ref, *shape, seed=None: _init(seed, _shapes(*shape, transposed=True))),
    M("init_params_ignores_seed", "init_params", ("init_params:a", "init_params:a_again"), match=_seed_ignored),
    M("init_params_requires_seed", "init_params", ("init_params:a", "init_params:no_seed"),
      lambda ref, *shape, seed=None: RAISES if seed is None else ref.init_params(*shape, seed=seed)),
    M("init_params_default_seed", "init_params", ("init_params:a", "init_params:no_seed"),
      lambda ref, *shape, seed=None: ref.init_params(*shape, seed=0 if seed is None else seed)),
    # --- forward_prop ---
    M("forward_prop_forgets_biases", "forward_prop", ("forward_prop:a",),
      lambda ref, X, params: _forward(ref, X, params, biases=False)),
    M("forward_prop_relu_hidden", "forward_prop", ("forward_prop:a",),
      lambda ref, X, params: _forward(ref, X, params, hidden=ref.relu)),
    M("forward_prop_linear_hidden", "forward_prop", ("forward_prop:a",),
      lambda ref, X, params: _forward(ref, X, params, hidden=lambda z: z)),
    M("forward_prop_linear_output", "forward_prop", ("forward_prop:a",),
      lambda ref, X, params: _forward(ref, X, params, output=lambda z: z)),
    # --- cost_function ---
    M("cost_function_mean", "cost_function", ("cost_function:a",),
      lambda ref, y, y_hat: float(np.mean((y - y_hat) ** 2))),
    M("cost_function_half_mean", "cost_function", ("cost_function:a",),
      lambda ref, y, y_hat: float(0.5 * np.mean((y - y_hat) ** 2))),
    M("cost_function_forgets_half", "cost_function", ("cost_function:a",),
      lambda ref, y, y_hat: float(np.sum((y - y_hat) ** 2))),
    M("cost_function_builtin_sum", "cost_function", ("cost_function:a",),
      lambda ref, y, y_hat: 0.5 * sum((y - y_hat) ** 2)),
    M("cost_function_cross_entropy", "cost_function", ("cost_function:a",),
      lambda ref, y, y_hat: float(-np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))),
    # --- backward_prop ---
    M("backward_prop_no_bias_gradients", "backward_prop", ("backward_prop:a",),
      lambda ref, *a: _backprop(ref, *a, bias="zero")),
    M("backward_prop_bias_gradient_mean", "backward_prop", ("backward_prop:a",),
      lambda ref, *a: _backprop(ref, *a, bias="mean")),
    M("backward_prop_bias_not_summed", "backward_prop", ("backward_prop:a",),
      lambda ref, *a: _backprop(ref, *a, bias="each")),
    M("backward_prop_derivative_of_activation", "backward_prop", ("backward_prop:a",),
      lambda ref, *a: _backprop(ref, *a, dsig=lambda z, act: ref.sigmoid_derivative(act))),
    M("backward_prop_wrong_sign", "backward_prop", ("backward_prop:a",), lambda ref, *a: _backprop(ref, *a, sign=-1.0)),
    M("backward_prop_missing_transpose", "backward_prop", ("backward_prop:square",),
      lambda ref, *a: _backprop(ref, *a, transpose=False)),
    M("backward_prop_averages", "backward_prop", ("backward_prop:a",),
      lambda ref, X, *a: _backprop(ref, X, *a, scale=1 / X.shape[0])),
    M("backward_prop_forgets_hidden_derivative", "backward_prop", ("backward_prop:a",),
      lambda ref, *a: _backprop(ref, *a, hidden_derivative=False)),
    M("backward_prop_float32", "backward_prop", ("backward_prop:a",),
      lambda ref, *a: {k: v.astype(np.float32) for k, v in ref.backward_prop(*a).items()}),
    # --- update_params ---
    M("update_params_ascends", "update_params", ("update_params:square",),
      lambda ref, p, g, alpha: {k: p[k] + alpha * g[k] for k in p}),
    M("update_params_biases_not_updated", "update_params", ("update_params:square",),
      lambda ref, p, g, alpha: {k: p[k] - (alpha * g[k] if k.startswith("W") else 0) for k in p}),
    M("update_params_in_place", "update_params", ("update_params:square",),
      lambda ref, p, g, alpha: ref.update_params(p, g, alpha), changes_input=True),
    M("update_params_ignores_alpha", "update_params", ("update_params:square",),
      lambda ref, p, g, alpha: {k: p[k] - g[k] for k in p}),
    M("update_params_swapped_gradients", "update_params", ("update_params:square",),
      lambda ref, p, g, alpha: {k: p[k] - alpha * g[{"Wxh": "Why", "Why": "Wxh"}.get(k, k)] for k in p}),
    # --- predict ---
    M("predict_strict_threshold", "predict", ("predict:a", "predict:half"),
      lambda ref, X, params: (ref.forward_prop(X, params)[3] > 0.5).astype(int)),
    M("predict_bool", "predict", ("predict:a", "predict:half"),
      lambda ref, X, params: ref.forward_prop(X, params)[3] >= 0.5),
    M("predict_floats", "predict", ("predict:a", "predict:half"),
      lambda ref, X, params: (ref.forward_prop(X, params)[3] >= 0.5).astype(float)),
    M("predict_probabilities", "predict", ("predict:a",), lambda ref, X, params: ref.forward_prop(X, params)[3]),
    M("predict_inverted", "predict", ("predict:a", "predict:half"),
      lambda ref, X, params: (ref.forward_prop(X, params)[3] < 0.5).astype(int)),
    # --- train ---
    M("train_fixed_alpha_0_01", "train", ("train:and",),
      lambda ref, X, y, **kw: ref.train(X, y, **{**kw, "alpha": 0.01})),
    M("train_ignores_alpha", "train", ("train:and",), lambda ref, X, y, **kw: ref.train(X, y, **{**kw, "alpha": 1.0})),
    M("train_ignores_seed", "train", ("train:and",), lambda ref, X, y, **kw: ref.train(X, y, **{**kw, "seed": 0})),
    M("train_ignores_num_hidden", "train", ("train:and",),
      lambda ref, X, y, **kw: ref.train(X, y, **{**kw, "num_hidden": 5})),
    M("train_ignores_arguments", "train", ("train:and",),
      lambda ref, X, y, **kw: ref.train(X, y, **{**kw, "num_hidden": 5, "alpha": 1.0, "seed": 0})),
    M("train_cost_after_step", "train", ("train:and",), _train_costs_after),
    M("train_cost_every_100", "train", ("train:and",), _train_every_100),
    M("train_hardcodes_xor", "train", ("train:and",), lambda ref, X, y, **kw: ref.train(X, _XOR_Y, **kw)),
    # --- numerical_gradient ---
    M("numerical_gradient_one_sided", "numerical_gradient", ("numerical_gradient:a",),
      lambda ref, f, x, epsilon=1e-5: _numerical(f, x, epsilon, kind="forward")),
    M("numerical_gradient_backward_difference", "numerical_gradient", ("numerical_gradient:a",),
      lambda ref, f, x, epsilon=1e-5: _numerical(f, x, epsilon, kind="backward")),
    M("numerical_gradient_not_restored", "numerical_gradient", ("numerical_gradient:a",),
      lambda ref, f, x, epsilon=1e-5: _numerical(f, x, epsilon, restore=False), changes_input=True),
    M("numerical_gradient_ignores_epsilon", "numerical_gradient", ("numerical_gradient:a",),
      lambda ref, f, x, epsilon=1e-5: _numerical(f, x, 1e-5)),
    M("numerical_gradient_all_at_once", "numerical_gradient", ("numerical_gradient:a",),
      lambda ref, f, x, epsilon=1e-5: _numerical(f, x, epsilon, kind="all_at_once")),
    M("numerical_gradient_forgets_two", "numerical_gradient", ("numerical_gradient:a",),
      lambda ref, f, x, epsilon=1e-5: _numerical(f, x, epsilon, kind="no_two")),
    # --- relative_error ---
    M("relative_error_no_zero_guard", "relative_error", ("relative_error:a", "relative_error:zeros"),
      lambda ref, a, b: _re(a, b, "no_guard")),
    M("relative_error_norm_of_sum", "relative_error", ("relative_error:a",), lambda ref, a, b: _re(a, b, "sum_norm")),
    M("relative_error_absolute", "relative_error", ("relative_error:a",), lambda ref, a, b: _re(a, b, "absolute")),
    M("relative_error_max_denominator", "relative_error", ("relative_error:a",), lambda ref, a, b: _re(a, b, "max")),
    # --- gradient_check ---
    M("gradient_check_all_at_once", "gradient_check", ("gradient_check:a",),
      lambda ref, *a: _gc(ref, *a, form="all_at_once")),
    M("gradient_check_weights_only", "gradient_check", ("gradient_check:a", "gradient_check:bias", "gradient_check:weight"),
      lambda ref, *a: _gc(ref, *a, form="weights_only")),
    M("gradient_check_absolute_error", "gradient_check", ("gradient_check:a", "gradient_check:scaled"),
      lambda ref, *a: _gc(ref, *a, form="absolute")),
)
# fmt: on

BY_FUNCTION: dict[str, list[Misconception]] = {}
for _entry in CATALOGUE:
    BY_FUNCTION.setdefault(_entry.function, []).append(_entry)


# --- comparing values ----------------------------------------------------------------------------


def _worst(parts: list[float | None]) -> float | None:
    """The largest of the parts' distances; None when any part is not this misconception."""
    known = [part for part in parts if part is not None]
    return max(known, default=0.0) if len(known) == len(parts) else None


def distance(got, predicted) -> float | None:
    """How far the learner's value is from a prediction (0 = the same), None when it is not that
    value at all: another type, shape, kind of number, or a value outside the tolerance."""
    if predicted is RAISES:
        return 0.0 if got is RAISES else None
    if got is RAISES:
        return None
    if isinstance(predicted, dict):
        if not isinstance(got, dict) or set(got) != set(predicted):
            return None
        parts = [distance(got[k], predicted[k]) for k in predicted]
        return _worst(parts)
    if isinstance(predicted, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(predicted):
            return None
        parts = [distance(g, p) for g, p in zip(got, predicted, strict=True)]
        return _worst(parts)
    try:
        got_arr, pred_arr = np.asarray(got), np.asarray(predicted)
    except Exception:  # noqa: BLE001 - ragged lists and other shapes no number has
        return None
    if (
        got_arr.dtype.kind not in "biuf"
        or got_arr.shape != pred_arr.shape
        or not _same_kind(got_arr, pred_arr)
    ):
        return None
    got_f, pred_f = got_arr.astype(float), pred_arr.astype(float)
    with np.errstate(all="ignore"):
        if not np.all(np.isclose(got_f, pred_f, rtol=RTOL, atol=ATOL, equal_nan=True)):
            return None
        gaps = np.where(
            np.isnan(pred_f) & np.isnan(got_f), 0.0, np.abs(got_f - pred_f) / (ATOL + np.abs(pred_f))
        )
    return float(np.max(gaps, initial=0.0))


def _same_kind(got: np.ndarray, predicted: np.ndarray) -> bool:
    """bool, integer and float are told apart, and float32 from float64 (a Python float is a float64)."""
    kind = lambda a: "i" if a.dtype.kind in "iu" else a.dtype.kind  # noqa: E731
    if kind(got) != kind(predicted):
        return False
    return predicted.dtype.kind != "f" or got.dtype.itemsize == predicted.dtype.itemsize


def _changed(before, after) -> bool:
    if isinstance(before, dict):
        return not isinstance(after, dict) or any(_changed(v, after.get(k)) for k, v in before.items())
    if not isinstance(before, np.ndarray):
        return False
    try:
        return not np.array_equal(before, np.asarray(after, dtype=float), equal_nan=True)
    except Exception:  # noqa: BLE001 - an argument that came back as something else
        return True


# --- naming them ---------------------------------------------------------------------------------


def _observe(ctx, name: str, memo: dict):
    """(value or RAISES, whether an array argument changed) of the learner's call for a probe."""
    if name not in memo:
        probe = PROBES[name]
        args = tuple(_copy(a) for a in _args(probe, ctx.ref))
        try:
            value, after, _ = ctx.call_full(probe.fn, *args, timeout=probe.timeout, **probe.kwargs)
            changed = any(_changed(a, b) for a, b in zip(args, after, strict=False))  # `after` is a claim
        except Failed:
            value, changed = RAISES, False
        memo[name] = (value, changed)
    return memo[name]


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    return value


def predictions(entry: Misconception, ref) -> dict:
    """{probe: value} this misconception returns for each of its probes (the grader's side)."""
    predict = entry.predict
    if predict is None:  # the table's own mistake: an entry with a match of its own predicts nothing
        raise ValueError(f"misconception {entry.id} has no predict")
    out = {}
    for name in entry.probes:
        probe = PROBES[name]
        out[name] = predict(ref, *(_copy(a) for a in _args(probe, ref)), **probe.kwargs)
    return out


def _expected(ctx, entry: Misconception) -> dict:
    return ctx.expected(("misconception", entry.id), lambda: predictions(entry, ctx.ref))


def _reference(ctx, name: str):
    probe = PROBES[name]
    return ctx.expected(
        ("misconception_probe", name),
        lambda: getattr(ctx.ref, probe.fn)(*(_copy(a) for a in _args(probe, ctx.ref)), **probe.kwargs),
    )


def _score(ctx, entry: Misconception, memo: dict) -> float | None:
    """The entry's distance from what the learner returned on its probes; None: not this one."""
    observed = {name: _observe(ctx, name, memo) for name in entry.probes}
    if entry.match is not None:
        return entry.match({name: value for name, (value, _) in observed.items()})
    if entry.changes_input and not any(changed for _, changed in observed.values()):
        return None
    if not entry.changes_input and all(
        distance(v, _reference(ctx, n)) is not None for n, (v, _) in observed.items()
    ):
        return None  # right on every probe: whatever is wrong, it is not this
    expected = _expected(ctx, entry)
    parts = [distance(observed[name][0], expected[name]) for name in entry.probes]
    return _worst(parts)


# The contract functions each calls (SPEC), directly or not: a function whose helper lost points
# is not given a misconception of its own, since its predictions assume right helpers and a
# helper's mistake can look like one (σ'(σ(z)) in sigmoid_derivative makes backward_prop look
# as if it took σ' of the activations): the helper's own misconception is the one named.
CALLS = {
    "sigmoid_derivative": ("sigmoid",),
    "tanh_derivative": ("tanh",),
    "swish": ("sigmoid",),
    "swish_derivative": ("sigmoid", "swish"),
    "forward_prop": ("sigmoid",),
    "backward_prop": ("sigmoid", "sigmoid_derivative"),
    "predict": ("sigmoid", "forward_prop"),
    "train": (
        "sigmoid",
        "sigmoid_derivative",
        "init_params",
        "forward_prop",
        "cost_function",
        "backward_prop",
        "update_params",
    ),
    "gradient_check": ("numerical_gradient", "relative_error"),
}


def detect(ctx, function: str) -> Misconception | None:
    """The catalogued misconception of `function` closest to the learner's values, if any."""
    memo: dict = {}
    found = []
    for entry in BY_FUNCTION.get(function, []):
        try:
            score = _score(ctx, entry, memo)
        except Exception:  # noqa: BLE001 - a fault here is the grader's: name nothing, never crash
            log.error("misconception %s could not be judged", entry.id, exc_info=True)
            continue
        if score is not None:
            found.append((score, entry))
    return min(found, key=lambda pair: pair[0])[1] if found else None


def name_misconceptions(ctx, tests: list) -> list:
    """`tests` with each learner-failed result carrying the misconception named for its
    function; functions that passed every check are not probed (correct code costs nothing)."""
    failing = list(dict.fromkeys(r.function for r in tests if not r.passed and not r.error))
    own = [fn for fn in failing if not set(CALLS.get(fn, ())) & set(failing)]
    named = {fn: Named(found.id, found.text) for fn in own if (found := detect(ctx, fn)) is not None}
    return [
        replace(r, misconception=named[r.function])
        if not r.passed and not r.error and r.function in named
        else r
        for r in tests
    ]
