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


def draw_biological_neuron(ax=None):
    """生物神经元的示意图：树突（接收输入）→ 细胞体（汇总）→ 轴突（把信号送往其他神经元）。"""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.6))
    body = (0.0, 0.0)
    ax.add_patch(plt.Circle(body, 0.55, facecolor="#fdd0a2", edgecolor="black", zorder=3))
    ax.add_patch(plt.Circle(body, 0.2, facecolor="#e6550d", edgecolor="black", zorder=4))  # 细胞核
    for angle in np.linspace(110, 250, 5):  # 树突：从细胞体向左分叉
        direction = np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
        start, end = 0.5 * direction, 1.6 * direction
        ax.plot(*zip(start, end, strict=True), color="#8c510a", lw=2.5, zorder=2)
        for turn in (-25, 25):
            twig = np.radians(angle + turn)
            tip = end + 0.45 * np.array([np.cos(twig), np.sin(twig)])
            ax.plot(*zip(end, tip, strict=True), color="#8c510a", lw=1.5, zorder=2)
    ax.plot([0.55, 3.6], [0, 0], color="#8c510a", lw=4, zorder=2)  # 轴突
    for x in (1.1, 1.8, 2.5):  # 髓鞘（myelin sheath）
        ax.add_patch(plt.Rectangle((x, -0.12), 0.5, 0.24, facecolor="#c7e9c0", edgecolor="black", zorder=3))
    for angle in (-30, 0, 30):  # 轴突末梢：与下一个神经元的突触
        twig = np.radians(angle)
        tip = np.array([3.6, 0]) + 0.5 * np.array([np.cos(twig), np.sin(twig)])
        ax.plot([3.6, tip[0]], [0, tip[1]], color="#8c510a", lw=1.5, zorder=2)
        ax.plot(*tip, "o", color="#8c510a", ms=6, zorder=3)
    ax.annotate(
        "树突（dendrites）\n接收其他神经元的输入",
        (-1.3, 1.0),
        (-3.2, 1.9),
        fontsize=9,
        arrowprops={"arrowstyle": "->"},
    )
    ax.annotate(
        "细胞体（cell body）\n汇总输入",
        (-0.3, -0.45),
        (-2.6, -1.9),
        fontsize=9,
        arrowprops={"arrowstyle": "->"},
    )
    ax.annotate(
        "轴突（axon）\n把信号送出去", (2.2, 0.12), (1.5, 1.4), fontsize=9, arrowprops={"arrowstyle": "->"}
    )
    ax.annotate(
        "突触（synapse）\n连到下一个神经元",
        (4.0, -0.25),
        (2.9, -1.9),
        fontsize=9,
        arrowprops={"arrowstyle": "->"},
    )
    ax.set_xlim(-3.3, 4.6)
    ax.set_ylim(-2.3, 2.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("生物神经元（biological neuron）")
    return ax


def draw_artificial_neuron(ax=None):
    """单个人工神经元：输入 x_i 乘以权重 w_i，加上偏置 b 求和得 z，再经激活函数 f 得输出 a。"""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.6))
    inputs = [(0.0, 1.4), (0.0, 0.0), (0.0, -1.4)]
    total, activation, output = (3.0, 0.0), (4.8, 0.0), (6.4, 0.0)
    for i, (x, y) in enumerate(inputs, start=1):
        ax.add_patch(plt.Circle((x, y), 0.35, facecolor="#9ecae1", edgecolor="black", zorder=3))
        ax.text(x, y, f"$x_{i}$", ha="center", va="center", fontsize=12, zorder=4)
        ax.annotate("", total, (x + 0.35, y), arrowprops={"arrowstyle": "->", "shrinkB": 22})
        ax.text((x + total[0]) / 2, (y + total[1]) / 2 + 0.15, f"$w_{i}$", ha="center", fontsize=12)
    ax.add_patch(plt.Circle(total, 0.55, facecolor="#fdd0a2", edgecolor="black", zorder=3))
    ax.text(*total, "$\\Sigma$", ha="center", va="center", fontsize=16, zorder=4)
    ax.annotate("", (total[0], total[1] + 0.55), (total[0], 1.9), arrowprops={"arrowstyle": "->"})
    ax.text(total[0], 2.0, "偏置 $b$", ha="center", va="bottom", fontsize=11)
    ax.add_patch(
        plt.Rectangle((activation[0] - 0.45, -0.45), 0.9, 0.9, facecolor="#a1d99b", edgecolor="black")
    )
    ax.text(*activation, "$f$", ha="center", va="center", fontsize=14)
    ax.annotate("", (activation[0] - 0.45, 0), (total[0] + 0.55, 0), arrowprops={"arrowstyle": "->"})
    ax.text((total[0] + activation[0]) / 2, 0.15, "$z$", ha="center", fontsize=12)
    ax.annotate("", output, (activation[0] + 0.45, 0), arrowprops={"arrowstyle": "->"})
    ax.text(output[0] + 0.1, 0, "$a = f(z)$", va="center", fontsize=12)
    ax.text(total[0] + 0.6, -1.5, "加权求和：$z = \\sum_i w_i x_i + b$", ha="center", fontsize=10)
    ax.text(activation[0], -0.8, "激活函数", ha="center", fontsize=10)
    ax.text(0.0, -2.1, "输入（inputs）", ha="center", fontsize=10)
    ax.set_xlim(-0.8, 8.0)
    ax.set_ylim(-2.4, 2.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("人工神经元（artificial neuron）")
    return ax
