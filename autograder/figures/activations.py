"""Activations, their derivatives and softmax: the learner's values over the reference's on the
public range (figures/public.py), drawn by figures/curves.py; a derivative also beside the
numerical derivative of the learner's own activation, differenced here from the values that
activation returned."""

from __future__ import annotations

import numpy as np

from ..checks.numerics import central_difference
from ..messages import t
from . import public
from .plot import COLOURS, floats, new_figure, record


def _values(calls, fn: str, x: np.ndarray) -> np.ndarray:
    """What the learner's `fn` returned for x (a copy: x stays the grader's), as floats."""
    return floats(calls(fn, x.copy()), x.shape)


def _expected(ref, fn: str, x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(getattr(ref, fn)(x.copy()), dtype=float)


def activation(calls, ref, fn: str):
    x = public.curve_x()
    return _curve(fn, x, _values(calls, fn, x), _expected(ref, fn, x), t("figure_activation", fn=fn))


def derivative(calls, ref, fn: str):
    """The learner's derivative over the reference's, and the central difference of the learner's
    own activation at the same x (one call at x ± h): where it parts from their derivative,
    their derivative disagrees with their function."""
    from . import NoFigure

    x = public.curve_x()
    base = fn.removesuffix("_derivative")
    got, expected = _values(calls, fn, x), _expected(ref, fn, x)
    h = public.NUMERIC_STEP
    try:
        with np.errstate(all="ignore"):  # the grader's one formula (checks/numerics.py)
            numeric = central_difference(lambda at: _values(calls, base, at), x, h, elementwise=True)
    except NoFigure:  # their activation cannot be called: the derivative's curves still teach
        numeric = None
    caption = t("figure_derivative", fn=fn, base=base)
    return _curve(fn, x, got, expected, caption, numeric, t("figure_numeric_label", base=base).zh)


def _curve(fn, x, got, expected, caption, numeric=None, numeric_label=None):
    from .curves import curve_figure

    figure = curve_figure(
        x,
        got,
        expected,
        title=t("figure_curve_title", fn=fn).zh,
        labels=(t("figure_yours").zh, t("figure_reference").zh),
        numeric=numeric,
        numeric_label=numeric_label,
    )
    return _record(fn, figure, caption)


def _record(fn, figure, caption):
    from ..results import Figure
    from .curves import to_png

    return Figure(fn, to_png(figure), "image/png", caption)


def softmax(calls, ref, fn: str):
    """softmax of a public batch of rows, the learner's beside the reference's, each with its row
    and column sums: a wrong axis shows as the sums of 1 on the wrong side."""
    x = public.SOFTMAX_ROWS
    got, expected = _values(calls, fn, x), _expected(ref, fn, x)
    figure = new_figure(8.0, 2.8, left=0.04, right=0.98, bottom=0.17, wspace=0.25)
    panels = figure.subplots(1, 2)
    for axes, values, title in (
        (panels[0], got, t("figure_yours").zh),
        (panels[1], expected, t("figure_reference").zh),
    ):
        _heatmap(axes, values, expected, title)
    return record(fn, figure, t("figure_softmax"))


def _heatmap(axes, values, expected, title):
    shown = np.nan_to_num(values, nan=0.0, posinf=1.0, neginf=0.0)
    axes.imshow(np.clip(shown, 0, 1), cmap="Blues", vmin=0, vmax=1)
    rows, columns = values.shape
    for (i, j), value in np.ndenumerate(values):
        wrong = not np.isclose(value, expected[i, j], rtol=1e-6, atol=1e-9)
        axes.text(
            j,
            i,
            f"{value:.2f}",
            ha="center",
            va="center",
            fontsize=8,
            color=COLOURS["learner"] if wrong else "black",
        )
    with np.errstate(all="ignore"):
        row_sums, column_sums = values.sum(axis=1), values.sum(axis=0)
    for i, total in enumerate(row_sums):
        axes.text(columns - 0.3, i, f"Σ={total:.2f}", va="center", fontsize=8)
    for j, total in enumerate(column_sums):
        axes.text(j, rows - 0.2, f"Σ={total:.2f}", ha="center", va="top", fontsize=8)
    axes.set_xlim(-0.5, columns + 0.6)
    axes.set_ylim(rows + 0.3, -0.5)
    axes.set_xticks(range(columns))
    axes.set_yticks(range(rows))
    axes.set_title(title)
    axes.set_xlabel(t("figure_softmax_axis").zh)
