"""画图工具（plotting helpers）：中文字体，以及本章的两张示意图。

笔记本开头调用 use_chinese_font()，之后所有图的中文标签都用 Noto Sans SC 显示
（字体随 pip 包 pylopdf-fonts-zh-cn 安装，见 requirements.txt）。评分不用这个模块。
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager

FALLBACK = "DejaVu Sans"  # matplotlib's own font, for the few symbols a CJK font lacks


def use_chinese_font():
    """注册随 pip 安装的中文字体，并设为默认字体；返回字体名。"""
    import pylopdf_fonts_zh_cn

    path = str(pylopdf_fonts_zh_cn.sans_path())
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    plt.rcParams["font.family"] = [name, FALLBACK]  # a list: matplotlib falls back glyph by glyph
    plt.rcParams["axes.unicode_minus"] = False  # ASCII hyphen as minus: every font has it
    return name


def draw_network(sizes=(2, 5, 1), ax=None):
    """画一个全连接网络：每层一列节点（node），相邻两层之间每对节点一条连线（权重）。"""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    names = ["输入层\n(input layer)", "隐藏层\n(hidden layer)", "输出层\n(output layer)"]
    weights = ["$W_{xh}$, $b_h$", "$W_{hy}$, $b_y$"]
    tallest = max(sizes)
    columns = []
    for layer, size in enumerate(sizes):
        ys = np.linspace(0, tallest - 1, size + 2)[1:-1] if size < tallest else np.arange(size, dtype=float)
        columns.append([(3.0 * layer, y) for y in ys[::-1]])  # node 1 on top
    for left, right, label in zip(columns[:-1], columns[1:], weights, strict=True):
        for x0, y0 in left:
            for x1, y1 in right:
                ax.plot([x0, x1], [y0, y1], color="gray", lw=0.8, zorder=1)
        ax.text((left[0][0] + right[0][0]) / 2, tallest - 0.2, label, ha="center", fontsize=11)
    symbols = ["x", "h", r"\hat{y}"]
    colors = ["#9ecae1", "#fdd0a2", "#a1d99b"]
    for layer, (column, name) in enumerate(zip(columns, names, strict=True)):
        for i, (x, y) in enumerate(column):
            ax.add_patch(plt.Circle((x, y), 0.28, facecolor=colors[layer], edgecolor="black", zorder=2))
            index = "" if len(column) == 1 else f"_{i + 1}"
            ax.text(x, y, f"${symbols[layer]}{index}$", ha="center", va="center", fontsize=10, zorder=3)
        ax.text(column[0][0], -1.1, f"{name}\n{len(column)} 个节点", ha="center", va="top", fontsize=10)
    ax.set_xlim(-1.2, 3.0 * (len(sizes) - 1) + 1.2)
    ax.set_ylim(-2.4, tallest + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("-".join(map(str, sizes)) + " 网络：信息从左向右传播（前向传播）")
    return ax


def draw_secant(f, x, epsilon, ax=None, label="代价 J(θ)"):
    """梯度检查的割线（secant）：过 (x-ε, f(x-ε)) 和 (x+ε, f(x+ε)) 的直线与 x 处的切线（tangent）。

    label 是曲线的名字（也是纵轴的标签）：画的不是代价函数时，照实写它是什么。
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    xs = np.linspace(x - 3 * epsilon, x + 3 * epsilon, 200)
    ax.plot(xs, f(xs), color="black", label=label)
    lo, hi = x - epsilon, x + epsilon
    slope = (f(hi) - f(lo)) / (2 * epsilon)
    ax.plot(xs, f(lo) + slope * (xs - lo), "--", color="tab:red", label=f"割线（secant）：斜率 {slope:.3f}")
    h = 1e-6
    tangent = (f(x + h) - f(x - h)) / (2 * h)
    ax.plot(
        xs,
        f(x) + tangent * (xs - x),
        ":",
        color="tab:blue",
        lw=2,
        label=f"切线（tangent）：斜率 {tangent:.3f}",
    )
    ax.plot([lo, hi], [f(lo), f(hi)], "o", color="tab:red")
    ax.plot([x], [f(x)], "o", color="tab:blue")
    for value, name in ((lo, "θ - ε"), (x, "θ"), (hi, "θ + ε")):
        ax.axvline(value, color="gray", lw=0.5)
        ax.annotate(name, (value, ax.get_ylim()[0]), ha="center", va="bottom", fontsize=10)
    ax.set_xlabel("参数 θ")
    ax.set_ylabel(label)
    ax.set_title("数值梯度：用割线的斜率近似切线的斜率")
    ax.legend(loc="upper left", fontsize=9)
    return ax
