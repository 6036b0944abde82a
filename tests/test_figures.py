"""Every figure of the notebook renders, Chinese labels included, with no missing glyph.

The notebook's code cells run here in order, in one namespace, as a learner would run them with
the reference answers in the answer cells (the test cells are left out: they grade, not draw).
`plt.show()` draws each figure on the Agg canvas, where a glyph the font lacks would warn; every
warning is an error here. The release keeps no outputs, so this is where the pictures are proven.
"""

import json
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

FOLDER = Path(__file__).resolve().parent.parent / "source" / "ch01"
NOTEBOOK = FOLDER / "ch01.ipynb"


def code_cells():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and not cell["metadata"].get("nbgrader", {}).get("grade"):
            yield index, "".join(cell["source"])


@pytest.fixture
def drawn(monkeypatch):
    """Figures drawn by plt.show(), as (cell index, title texts) pairs."""
    figures = []
    cell = {"index": None}

    def show(*args, **kwargs):
        for number in plt.get_fignums():
            figure = plt.figure(number)
            figure.canvas.draw()  # lays out every text: a missing glyph warns here
            titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
            figures.append((cell["index"], titles))
        plt.close("all")

    monkeypatch.setattr(plt, "show", show)
    monkeypatch.syspath_prepend(str(FOLDER))
    monkeypatch.chdir(FOLDER)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    yield figures, cell
    plt.close("all")
    plt.rcdefaults()
    for name in ("figures", "public_checks"):
        sys.modules.pop(name, None)


def test_every_figure_renders_with_chinese_labels_and_no_warning(drawn):
    figures, cell = drawn
    namespace = {"__name__": "__main__"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a "Glyph ... missing from font(s)" warning fails the test
        for index, source in code_cells():
            cell["index"] = index
            exec(compile(source, f"<cell {index}>", "exec"), namespace)
    assert len(figures) >= 14, figures
    titles = [title for _, texts in figures for title in texts]
    chinese = [t for t in titles if any("\u4e00" <= ch <= "\u9fff" for ch in t)]
    assert chinese == titles, f"titles without Chinese: {set(titles) - set(chinese)}"
    assert any("网络" in t for t in titles) and any("割线" in t for t in titles)
    assert any("softmax" in t for t in titles) and any("学习率" in t for t in titles)


def test_the_check_catches_a_missing_glyph():
    """Without the kit's font, matplotlib's default font lacks the Chinese glyphs."""
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        figure, ax = plt.subplots()
        ax.set_title("代价")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(UserWarning, match="Glyph .* missing"):
                figure.canvas.draw()
        plt.close(figure)


def test_the_font_comes_from_a_pinned_package():
    sys.path.insert(0, str(FOLDER))
    try:
        import figures

        name = figures.use_chinese_font()
    finally:
        sys.path.remove(str(FOLDER))
        sys.modules.pop("figures", None)
        plt.rcdefaults()
    assert name == "Noto Sans SC"
    requirements = (FOLDER.parent.parent / "requirements.txt").read_text(encoding="utf-8")
    assert "pylopdf-fonts-zh-cn==" in requirements
