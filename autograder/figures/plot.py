"""What every grader-side figure shares: a matplotlib Figure (no pyplot: no global state, no
GUI backend) in the kit's Chinese font, its PNG bytes under the size limit, and the figure's
record for Results. Imported only when a figure is drawn."""

from __future__ import annotations

import io

import numpy as np

from ..messages import Text
from ..results import Figure
from .curves import font_family  # the kit's font (as classreport/charts.py's), loaded once for both

MAX_BYTES = 60_000  # issue 20: each picture at most 60 KB, inline in every HTML page
DPI = 80
FLOOR = 1e-18  # a log axis's stand-in for 0 (a relative error of exactly 0)
CEILING = 1e18  # and for what is larger (a learner's 1e300 would flatten the axis)
COLOURS = {"learner": "#d62728", "reference": "#1f77b4", "limit": "#555555"}


def new_figure(width: float, height: float, **margins):
    """A figure with fixed margins (subplots_adjust's `margins`): a layout engine would double
    the drawing time, which a learner who lost points pays in their grade's wait."""
    from matplotlib import rcParams
    from matplotlib.figure import Figure as MplFigure

    rcParams["font.family"] = list(font_family())
    rcParams["axes.unicode_minus"] = False
    figure = MplFigure(figsize=(width, height), dpi=DPI)
    figure.subplots_adjust(**({"left": 0.1, "right": 0.97, "bottom": 0.16, "top": 0.89} | margins))
    return figure


def png(figure) -> bytes:
    """The figure as PNG bytes, at most MAX_BYTES: drawn again at a lower resolution if larger."""
    for dpi in (DPI, 64, 48):
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        data = buffer.getvalue()
        if len(data) <= MAX_BYTES:
            return data
    raise ValueError(f"figure of {len(data)} bytes at {dpi} dpi")


def record(function: str, figure, caption: Text) -> Figure:
    return Figure(function, png(figure), "image/png", caption)


def on_log_axis(values) -> tuple[np.ndarray, np.ndarray]:
    """(values a log axis can draw: clipped to [FLOOR, CEILING], the non-finite ones at
    CEILING; which were not finite, to be marked as such)."""
    values = np.abs(np.asarray(values, dtype=float))
    bad = ~np.isfinite(values)
    return np.clip(np.where(bad, CEILING, values), FLOOR, CEILING), bad


def floats(value, shape=None) -> np.ndarray:
    """A learner's reply as a float array (of `shape` if given); NoFigure if it is not one."""
    from . import NoFigure

    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise NoFigure("not a numeric array") from None
    if shape is not None and array.shape != tuple(shape):
        raise NoFigure(f"shape {array.shape}, not {shape}")
    return array
