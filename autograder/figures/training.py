"""train's cost curve over the reference's from the same start, and predict's decision boundary
beside the reference's, on the notebook's XOR problem (figures/public.py)."""

from __future__ import annotations

import numpy as np

from ..messages import t
from . import NoFigure, TRAIN_TIMEOUT, public
from .plot import COLOURS, floats, new_figure, on_log_axis, record

SHAPES = {
    "Wxh": (2, public.NUM_HIDDEN),
    "bh": (1, public.NUM_HIDDEN),
    "Why": (public.NUM_HIDDEN, 1),
    "by": (1, 1),
}


def descent(ref, params: dict, iterations: int) -> tuple[dict, np.ndarray]:
    """(params after `iterations` reference gradient steps on XOR, the cost before each step)."""
    X, y, costs = public.XOR_X, public.XOR_Y, []
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            cache = ref.forward_prop(X, params)
            costs.append(ref.cost_function(y, cache[3]))
            params = ref.update_params(params, ref.backward_prop(X, y, params, cache), public.ALPHA)
    return params, np.array(costs, dtype=float)


def _start(calls, ref) -> dict:
    """Where the learner's train starts: their own init_params(2, 5, 1, seed=0) when it gives
    finite arrays of the right shapes (a wrong init_params is its own figure), else the
    reference's."""
    try:
        got = calls("init_params", 2, public.NUM_HIDDEN, 1, seed=public.SEED)
        start = {key: floats(got[key], shape) for key, shape in SHAPES.items()}
    except (NoFigure, TypeError, KeyError, IndexError):
        return public.xor_params(ref)
    return start if all(np.all(np.isfinite(v)) for v in start.values()) else public.xor_params(ref)


def train(calls, ref, fn: str):
    iterations = public.TRAIN_ITERATIONS
    got = calls(
        fn,
        public.XOR_X.copy(),
        public.XOR_Y.copy(),
        num_hidden=public.NUM_HIDDEN,
        alpha=public.ALPHA,
        num_iterations=iterations,
        seed=public.SEED,
        timeout=TRAIN_TIMEOUT,
    )
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        raise NoFigure("not (params, costs)")
    costs = floats(got[1])
    if costs.ndim != 1 or not 0 < costs.size <= 10 * iterations:
        raise NoFigure("costs is not a list")
    _, expected = descent(ref, _start(calls, ref), iterations)
    figure = new_figure(8.0, 3.2, left=0.09, wspace=0.25)
    axes, apart = figure.subplots(1, 2, width_ratios=(3, 2))
    shown, bad = on_log_axis(costs)
    axes.plot(np.arange(costs.size), shown, color=COLOURS["learner"], label=t("figure_yours").zh)
    axes.plot(
        np.arange(expected.size),
        expected,
        color=COLOURS["reference"],
        linestyle="--",
        label=t("figure_reference").zh,
    )
    if bad.any():  # NaN or inf costs: marks at the top, not a gap
        axes.plot(np.flatnonzero(bad), shown[bad], "x", color=COLOURS["learner"], label="NaN/inf")
    axes.set_yscale("log")
    axes.set_xlabel(t("figure_axis_iteration").zh)
    axes.set_ylabel(t("figure_axis_cost").zh)
    axes.set_title(t("figure_train_title", iterations=iterations).zh)
    axes.legend(fontsize=8)
    _apart(apart, costs, expected)
    return record(fn, figure, t("figure_train", iterations=iterations))


def _apart(axes, costs, expected):
    """How far the learner's costs are from the reference's, step by step (a small slip in the
    update rule hides under the curves, and shows here)."""
    steps = min(costs.size, expected.size)
    with np.errstate(all="ignore"):
        relative = np.abs(costs[:steps] - expected[:steps]) / np.abs(expected[:steps])
    shown, _ = on_log_axis(relative)
    axes.plot(np.arange(steps), np.maximum(shown, 1e-16), color=COLOURS["learner"])  # 1e-16: rounding
    axes.set_yscale("log")
    axes.set_xlabel(t("figure_axis_iteration").zh)
    axes.set_title(t("figure_train_apart").zh)


def trained_params(ref) -> dict:
    """The network predict's picture reads: the reference trained on XOR from the notebook's start."""
    return descent(ref, public.xor_params(ref), public.TRAIN_ITERATIONS)[0]


def predict(calls, ref, fn: str):
    points, params = public.grid_points(), trained_params(ref)
    got = floats(calls(fn, points.copy(), {k: v.copy() for k, v in params.items()}))
    if got.size != len(points):
        raise NoFigure(f"{got.size} predictions for {len(points)} points")
    side = public.GRID.size
    expected = np.asarray(ref.predict(points, params), dtype=float).reshape(side, side)
    figure = new_figure(8.0, 3.6, left=0.08, wspace=0.12, bottom=0.14)
    panels = figure.subplots(1, 2, sharey=True)
    got = got.reshape(side, side)
    for axes, labels, title in (
        (panels[0], got, t("figure_yours").zh),
        (panels[1], expected, t("figure_reference").zh),
    ):
        _boundary(axes, labels, title)
    differ = got != expected  # NaN too
    if differ.any():  # a threshold off by a little moves the boundary by a cell: marked
        g1, g2 = np.meshgrid(public.GRID, public.GRID)
        panels[0].plot(
            g1[differ],
            g2[differ],
            "s",
            color="gold",
            markersize=3,
            label=t("figure_predict_differ", n=int(differ.sum())).zh,
        )
        panels[0].legend(fontsize=8, loc="lower left")
    return record(fn, figure, t("figure_predict"))


def _boundary(axes, labels, title):
    grid = public.GRID
    shown = np.nan_to_num(labels, nan=0.5, posinf=1.0, neginf=0.0)
    extent = (grid[0], grid[-1], grid[0], grid[-1])
    axes.imshow(np.clip(shown, -0.5, 1.5), origin="lower", extent=extent, cmap="RdBu_r", vmin=-0.5, vmax=1.5)
    for point, target in zip(public.XOR_X, public.XOR_Y.ravel(), strict=True):
        axes.plot(*point, "o" if target == 0 else "^", color="black", markersize=8, markerfacecolor="white")
    axes.set_title(title)
    axes.set_xlabel("$x_1$")
    axes.set_ylabel("$x_2$")
