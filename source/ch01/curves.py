"""学习者的曲线画在参考曲线上（the learner's curve over the reference's）：评分器和公开检查共用。

curve_figure() 在一个公开的区间上画出两条曲线，把两者不同的区域涂上底色，把 NaN 和 ±inf
画成记号（不是断开的空白），可选地再画一条"你的激活函数的数值导数"；to_png() 把图存成
不超过 60 KB 的 PNG。只用 numpy 和 matplotlib（Agg，不用 pyplot）：这个文件也原样发给学习者
（make release 把它复制到 source/ch01/curves.py，不要手改那份副本）。
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache

import matplotlib
import numpy as np
from matplotlib.figure import Figure

MAX_PNG_BYTES = 60_000
# The public range both sides draw activations on: the bend near 0 finely, and the extremes the public
# checks name (±710, ±1000: where e^x overflows), so an overflow shows as marks, never a hidden input.
PUBLIC_X = np.concatenate(
    [[-1000.0, -710.0, -100.0, -30.0], np.linspace(-8.0, 8.0, 161), [30.0, 100.0, 710.0, 1000.0]]
)
FALLBACK = "DejaVu Sans"  # matplotlib's own font, for the few symbols the CJK font lacks
WIDE_X = 100.0  # inputs beyond ±WIDE_X put the x axis on a symmetric log scale, linear within ±WIDE_X/10
RTOL, ATOL = 1e-5, 1e-8  # "the same value" for shading; looser than any check's tolerance is not needed
SPANS_SHOWN = 10.0  # values farther than this many reference spans away run off the chart, marked at its edge

# (gid, label, marker, filled, where on the axes' height): how a value that is no point on the chart is marked
_MARKS = (
    ("nan", "NaN（非数）", "X", True, 0.90),
    ("posinf", "+inf（正无穷）", "^", True, 0.98),
    ("neginf", "-inf（负无穷）", "v", True, 0.02),
    ("above", "超出画面（off the chart）", "^", False, 0.98),
    ("below", "超出画面（off the chart）", "v", False, 0.02),
)


@cache
def font_family() -> tuple[str, ...]:
    """Noto Sans SC from the pylopdf-fonts-zh-cn wheel (the kit's font), then DejaVu Sans glyph by glyph."""
    from matplotlib import font_manager

    try:
        import pylopdf_fonts_zh_cn
    except ImportError:  # numbers and English still draw; Chinese would be boxes
        return (FALLBACK,)
    path = str(pylopdf_fonts_zh_cn.sans_path())
    font_manager.fontManager.addfont(path)
    return (font_manager.FontProperties(fname=path).get_name(), FALLBACK)


def _style() -> dict:
    """Settings every text of these figures is made and drawn with (no global rcParams are changed)."""
    return {"font.family": list(font_family()), "axes.unicode_minus": False}


def _curve(values, size: int, what: str) -> np.ndarray:
    """Values as a float vector of `size` entries; anything else is the caller's to report."""
    try:
        curve = np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what}: not a vector of numbers ({error})") from None
    if curve.size != size:
        raise ValueError(f"{what}: {curve.size} values for {size} inputs")
    return curve


def _y_limits(reference: np.ndarray, others: list[np.ndarray]) -> tuple[float, float]:
    """The reference's range, widened to the other curves' finite values unless they run far off."""
    finite_reference = reference[np.isfinite(reference)]
    low, high = (
        (float(finite_reference.min()), float(finite_reference.max())) if finite_reference.size else (0, 1)
    )
    span = max(high - low, 1e-3)
    floor, ceiling = low - SPANS_SHOWN * span, high + SPANS_SHOWN * span
    for curve in others:
        finite = curve[np.isfinite(curve)]
        if finite.size:
            low = max(min(low, float(finite.min())), floor)
            high = min(max(high, float(finite.max())), ceiling)
    margin = 0.12 * max(high - low, 1e-3)  # room for the marks at the top and bottom edges
    return low - margin, high + margin


def _marked(curve: np.ndarray, limits: tuple[float, float]) -> dict[str, np.ndarray]:
    """Where a curve has a value that is not a point on the chart, by kind (see _MARKS)."""
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(curve)
        return {
            "nan": np.isnan(curve),
            "posinf": np.isposinf(curve),
            "neginf": np.isneginf(curve),
            "above": finite & (curve > limits[1]),
            "below": finite & (curve < limits[0]),
        }


def _differ(learner: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Inputs where the learner's value is not the reference's (NaN and inf differ from any number)."""
    with np.errstate(invalid="ignore", over="ignore"):
        same = np.isclose(learner, reference, rtol=RTOL, atol=ATOL, equal_nan=True)
    return ~same


def _drawable(curve: np.ndarray, limits: tuple[float, float]) -> np.ndarray:
    """The line's y values: non-finite ones left out (they are marked), far ones held just off the chart."""
    height = limits[1] - limits[0]
    line = np.where(np.isfinite(curve), curve, np.nan)
    with np.errstate(invalid="ignore"):
        return np.clip(line, limits[0] - height, limits[1] + height)


def _draw_marks(axes, x: np.ndarray, curve: np.ndarray, limits, color: str, owner: str) -> None:
    """Non-finite and off-chart values as marks at the axes' edges, counted in the legend."""
    transform = axes.get_xaxis_transform()  # x in data, y in axes fractions: marks stay at the edges
    labelled = set()
    kinds = _marked(curve, limits)
    for gid, label, marker, filled, height in _MARKS:
        where = kinds[gid]
        if not where.any():
            continue
        text = f"{owner}：{label} ×{int(where.sum())}" if label not in labelled else None
        labelled.add(label)
        (line,) = axes.plot(
            x[where],
            np.full(int(where.sum()), height),
            linestyle="none",
            marker=marker,
            markersize=7,
            color=color,
            markerfacecolor=color if filled else "none",
            transform=transform,
            clip_on=False,
            label=text,
            zorder=5,
        )
        line.set_gid(f"{owner}:{gid}")


def _shade(axes, x: np.ndarray, differ: np.ndarray) -> None:
    """A band over every input where the curves differ, one neighbour wider so a lone point shows."""
    if not differ.any():
        return
    wide = differ.copy()
    wide[1:] |= differ[:-1]
    wide[:-1] |= differ[1:]
    band = axes.fill_between(
        x,
        0,
        1,
        where=wide,
        transform=axes.get_xaxis_transform(),
        color="tab:orange",
        alpha=0.18,
        linewidth=0,
        label=f"不同之处（differs）：{int(differ.sum())} / {differ.size} 个点",
        zorder=0,
    )
    band.set_gid("difference")


def _symlog_x(axes, inputs: np.ndarray) -> None:
    """A symmetric log x axis with plain tick labels (-1000, -100, ..., 1000; no slow math text)."""
    from matplotlib.ticker import FixedLocator, FuncFormatter

    axes.set_xscale("symlog", linthresh=WIDE_X / 10)
    reach = np.abs(inputs).max()
    decades = [10.0**k for k in range(1, int(np.log10(reach)) + 1)]
    ticks = [-d for d in reversed(decades)] + [-5.0, 0.0, 5.0] + decades
    axes.xaxis.set_major_locator(FixedLocator(ticks))
    axes.xaxis.set_minor_locator(FixedLocator([]))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))


def curve_figure(
    x,
    learner,
    reference,
    *,
    title: str,
    labels: Sequence[str] = ("你的函数", "参考答案"),
    numeric=None,
    numeric_label: str | None = None,
) -> Figure:
    """The learner's curve over the reference's on the inputs x (a public range), differences shaded.

    `numeric`, when given, is a third curve: the numerical derivative of the learner's own
    activation, so a derivative that disagrees with its own function shows. Raises ValueError when
    a curve is not one number per input.
    """
    inputs = _curve(x, np.size(x), "x")
    order = np.argsort(inputs, kind="stable")
    inputs = inputs[order]
    mine = _curve(learner, inputs.size, labels[0])[order]
    right = _curve(reference, inputs.size, labels[1])[order]
    third = None if numeric is None else _curve(numeric, inputs.size, "numeric")[order]
    others = [mine] if third is None else [mine, third]
    limits = _y_limits(right, others)
    with matplotlib.rc_context(_style()):
        figure = Figure(
            figsize=(6.4, 3.8), dpi=100
        )  # fixed margins: a layout engine doubles the drawing time
        figure.subplots_adjust(left=0.1, right=0.96, bottom=0.13, top=0.91)
        axes = figure.add_subplot()
        _shade(axes, inputs, _differ(mine, right))
        axes.plot(inputs, right, color="black", linewidth=3, alpha=0.45, label=labels[1], zorder=2)
        axes.plot(inputs, _drawable(mine, limits), color="tab:red", linewidth=1.6, label=labels[0], zorder=3)
        _draw_marks(axes, inputs, mine, limits, "tab:red", labels[0])
        if third is not None:
            name = numeric_label or "数值导数（numerical derivative）"
            axes.plot(inputs, _drawable(third, limits), "--", color="tab:blue", linewidth=1.4, label=name)
            _draw_marks(axes, inputs, third, limits, "tab:blue", name)
        axes.set_ylim(*limits)
        if inputs.max() > inputs.min():
            axes.set_xlim(float(inputs.min()), float(inputs.max()))
        if np.abs(inputs).max() > WIDE_X:  # extremes such as ±1000 beside the curve's bend near 0
            _symlog_x(axes, inputs)
        axes.set_xlabel("输入 x")
        axes.grid(alpha=0.3)
        axes.set_title(title, fontsize=11)
        axes.legend(fontsize=8, loc="best", framealpha=0.85)
    return figure


def to_png(figure: Figure) -> bytes:
    """The figure as PNG bytes (Agg, the kit's font), at most MAX_PNG_BYTES: a busy one is redrawn smaller."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    data = b""
    for dpi in (100, 80, 64, 50):
        buffer = io.BytesIO()
        with matplotlib.rc_context(_style()):
            figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        data = buffer.getvalue()
        if len(data) <= MAX_PNG_BYTES:
            break
    return data
