"""The report's pictures, drawn by matplotlib (Agg, no display) in the kit's Chinese font and
returned as `data:` URIs, so class.html holds them and opens offline."""

from __future__ import annotations

import base64
import io
from functools import cache

from ...messages import in_language

FALLBACK = "DejaVu Sans"  # matplotlib's own font, for the few symbols the CJK font lacks


@cache
def font_family() -> list[str]:
    """Noto Sans SC from the pylopdf-fonts-zh-cn wheel, as the chapter's figures.py uses it."""
    from matplotlib import font_manager

    try:
        import pylopdf_fonts_zh_cn
    except ImportError:  # English labels still draw; Chinese ones would be boxes
        return [FALLBACK]
    path = str(pylopdf_fonts_zh_cn.sans_path())
    font_manager.fontManager.addfont(path)
    return [font_manager.FontProperties(fname=path).get_name(), FALLBACK]


def _figure(width: float, height: float):
    from matplotlib import rcParams
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    rcParams["font.family"] = font_family()
    rcParams["axes.unicode_minus"] = False
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _data_uri(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def histogram(scores: list[float], max_score: float, lang: str) -> str:
    say = in_language(lang)
    figure = _figure(8, 3.2)
    axes = figure.add_subplot()
    axes.hist(
        scores, bins=min(25, max(5, int(max_score) // 4 or 5)), range=(0, max_score or 1), color="#4a7ab5"
    )
    axes.set_xlabel(say("class_axis_score"))
    axes.set_ylabel(say("class_axis_learners"))
    axes.set_title(say("class_histogram"))
    return _data_uri(figure)


def function_points(points: dict[str, list[float]], lang: str) -> str:
    """A box per contract function (its points across the class), top to bottom in rubric order."""
    say = in_language(lang)
    names = list(points)
    figure = _figure(8, 0.35 * len(names) + 1.2)
    axes = figure.add_subplot()
    axes.boxplot([points[name] for name in names][::-1], orientation="horizontal", tick_labels=names[::-1])
    axes.set_xlabel(say("class_axis_points"))
    axes.set_title(say("class_functions"))
    return _data_uri(figure)
