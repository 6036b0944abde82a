"""The network's figures, on the notebook's XOR network (figures/public.py): forward_prop's and
backward_prop's shapes when the shapes are the mistake; backward_prop's, numerical_gradient's and
gradient_check's relative errors per parameter, as bars against the gradient check's limit."""

from __future__ import annotations

import numpy as np

from ..messages import t
from ..sandbox import TestFunction
from ..sandbox import testfns
from . import NoFigure, public
from .plot import COLOURS, floats, new_figure, on_log_axis, record

KEYS = ("Wxh", "bh", "Why", "by")
OUTPUTS = ("z1", "a1", "z2", "y_hat")


def _copy(params: dict) -> dict:
    return {key: value.copy() for key, value in params.items()}


def relative_error(a, b) -> float:
    a, b = np.ravel(a), np.ravel(b)
    with np.errstate(all="ignore"):
        denominator = np.linalg.norm(a) + np.linalg.norm(b)
        return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


# --- shapes -------------------------------------------------------------------------------------


def _shape_of(value) -> tuple | None:
    """The shape of what came back, if it is a numeric array; None if it is not."""
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - a ragged list and the like: no shape
        return None
    return array.shape if array.dtype.kind in "biuf" else None


def forward_prop(calls, ref, fn: str):
    params = public.xor_params(ref)
    got = calls(fn, public.XOR_X.copy(), _copy(params))
    expected = ref.forward_prop(public.XOR_X, params)
    returned = list(got) if isinstance(got, (list, tuple)) else [got]
    shapes = {name: _shape_of(value) for name, value in zip(OUTPUTS, returned, strict=False)}
    return _shape_figure(fn, shapes, {name: a.shape for name, a in zip(OUTPUTS, expected, strict=True)})


def backward_prop(calls, ref, fn: str):
    """The shape diagram when the gradients' shapes are wrong, else each gradient's relative
    error against the numerical gradient of the reference's cost, yours beside the reference's."""
    X, y, params = public.XOR_X, public.XOR_Y, public.xor_params(ref)
    cache = list(ref.forward_prop(X, params))
    got = calls(fn, X.copy(), y.copy(), _copy(params), [c.copy() for c in cache])
    if not isinstance(got, dict):
        raise NoFigure("not a dict")
    expected_shapes = {key: params[key].shape for key in KEYS}
    shapes = {key: _shape_of(got[key]) if key in got else None for key in KEYS}
    if shapes != expected_shapes:
        return _shape_figure(fn, shapes, expected_shapes)
    numeric = _numerical_gradients(ref, X, y, params)
    reference = ref.backward_prop(X, y, params, cache)
    yours = [relative_error(floats(got[key]), numeric[key]) for key in KEYS]
    theirs = [relative_error(reference[key], numeric[key]) for key in KEYS]
    return _bars(fn, list(KEYS), yours, theirs, t("figure_backward_prop"), t("figure_axis_relative_error"))


def _numerical_gradients(ref, X, y, params) -> dict:
    def cost(key, value):
        return ref.cost_function(y, ref.forward_prop(X, {**params, key: value})[3])

    numeric = {}
    for key in KEYS:
        grad = np.zeros_like(params[key])
        for index in np.ndindex(params[key].shape):
            plus, minus = params[key].copy(), params[key].copy()
            plus[index] += public.EPSILON
            minus[index] -= public.EPSILON
            grad[index] = (cost(key, plus) - cost(key, minus)) / (2 * public.EPSILON)
        numeric[key] = grad
    return numeric


def _shape_figure(fn: str, got: dict, expected: dict):
    """Each array as a box of rows x columns cells, the expected beside the returned; drawn only
    when the shapes are the mistake (NoFigure otherwise: the values are, and the text says so)."""
    if got == expected:
        raise NoFigure("the shapes are right")
    figure = new_figure(7.5, 0.9 + 1.1 * len(expected), left=0.02, right=0.98, bottom=0.02, top=0.9)
    axes = figure.add_subplot()
    scale = 0.8 / max(max(s) if s else 1 for s in [*expected.values(), *(g for g in got.values() if g)])
    for row, name in enumerate(expected):
        y = -row * 1.1
        axes.text(0.0, y, name, ha="right", va="center", fontsize=11, family="monospace")
        _box(axes, 0.3, y, expected[name], scale, COLOURS["reference"])
        shown = got.get(name)
        colour = COLOURS["reference"] if shown == expected[name] else COLOURS["learner"]
        _box(axes, 2.3, y, shown, scale, colour)
    axes.text(0.7, 0.75, t("figure_expected_shape").zh, ha="center", fontsize=10)
    axes.text(2.7, 0.75, t("figure_your_shape").zh, ha="center", fontsize=10)
    axes.set_xlim(-0.8, 4.2)
    axes.set_ylim(-1.1 * len(expected) + 0.4, 1.1)
    axes.axis("off")
    axes.set_title(t("figure_shapes_title", fn=fn).zh)
    return record(fn, figure, t("figure_shapes", fn=fn))


def _box(axes, x0, y, shape, scale, colour):
    """A rectangle as wide as the array's columns and as tall as its rows, its shape written."""
    from matplotlib.patches import Rectangle

    if shape is None:
        axes.text(x0 + 0.4, y, t("figure_no_array").zh, va="center", color=colour, fontsize=10)
        return
    rows, columns = ((1, 1) + tuple(shape))[-2:]  # a vector as a row, as numpy broadcasts it
    width, height = max(columns * scale, 0.05), max(rows * scale, 0.05)
    axes.add_patch(
        Rectangle((x0, y - height / 2), width, height, facecolor=colour, alpha=0.35, edgecolor=colour)
    )
    axes.text(x0 + width + 0.08, y, str(tuple(int(s) for s in shape)), va="center", color=colour, fontsize=10)


# --- relative errors as bars --------------------------------------------------------------------


def _bars(fn, names, yours, theirs, caption, ylabel, limit=public.GRADIENT_LIMIT):
    """Yours beside the reference's per name, on a log axis, the limit drawn across."""
    figure = new_figure(8.0, 3.2, left=0.11, right=0.78)
    axes = figure.add_subplot()
    positions = np.arange(len(names))
    shown_yours, bad = on_log_axis(yours)
    shown_theirs, _ = on_log_axis(theirs)
    axes.bar(positions - 0.2, shown_yours, 0.4, color=COLOURS["learner"], label=t("figure_yours").zh)
    axes.bar(positions + 0.2, shown_theirs, 0.4, color=COLOURS["reference"], label=t("figure_reference").zh)
    for position in positions[bad]:  # NaN or inf: a mark, not a missing bar
        axes.text(position - 0.2, shown_yours[position], "NaN/inf", ha="center", va="bottom", fontsize=8)
    axes.axhline(
        limit, color=COLOURS["limit"], linestyle="--", label=t("figure_limit", limit=f"{limit:g}").zh
    )
    axes.set_yscale("log")
    axes.set_xticks(positions, names)
    axes.set_ylabel(ylabel.zh)
    axes.set_title(fn)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return record(fn, figure, caption)


def numerical_gradient(calls, ref, fn: str):
    """The learner's numerical gradient of a public smooth function (figures/public.py) at each
    parameter of the notebook's network, against its exact gradient."""
    data, params = public.gradient_problem(), public.xor_params(ref)
    yours, theirs = [], []
    for key in KEYS:
        coeffs = data[key]
        exact = testfns.poly_sin_gradient(params[key], coeffs["a"], coeffs["b"], coeffs["c"])
        got = floats(calls(fn, TestFunction("poly_sin", coeffs), params[key].copy()), params[key].shape)
        yours.append(relative_error(got, exact))
        theirs.append(
            relative_error(
                ref.numerical_gradient(testfns.build("poly_sin", coeffs), params[key].copy()), exact
            )
        )
    return _bars(
        fn, list(KEYS), yours, theirs, t("figure_numerical_gradient"), t("figure_axis_relative_error")
    )


def gradient_check(calls, ref, fn: str):
    """What the learner's gradient_check returns for the exact gradient and for one wrong element
    in each parameter, beside the reference's: below the limit for the first only."""
    data, params = public.gradient_problem(), public.xor_params(ref)
    coeffs = {key: (v["a"], v["b"], v["c"]) for key, v in data.items()}
    exact = testfns.dict_poly_sin_gradient(params, coeffs)
    cases = {t("figure_exact_gradient").zh: exact}
    for key in KEYS:
        wrong = _copy(exact)
        wrong[key].flat[0] += 1e-3 * (1 + abs(wrong[key].flat[0]))
        cases[t("figure_wrong_in", param=key).zh] = wrong
    cost_fn = testfns.build("dict_poly_sin", data)
    yours, theirs = [], []
    for grads in cases.values():
        got = floats(calls(fn, TestFunction("dict_poly_sin", data), _copy(params), _copy(grads)))
        if got.size != 1:
            raise NoFigure("not one number")
        yours.append(float(got.reshape(())))
        theirs.append(float(ref.gradient_check(cost_fn, _copy(params), _copy(grads))))
    return _bars(fn, list(cases), yours, theirs, t("figure_gradient_check"), t("figure_axis_gradient_check"))
