"""Pictures for the learner at home (issue 20, item 3) and the one curve drawing both sides use.

autograder/figures/curves.py draws the learner's curve over the reference's (differences shaded,
NaN/inf as marks); the release's public checks draw it when an activation or derivative check fails:
under the test cell in the notebook, a PNG named in the failure message under pytest. The learner's
copy of curves.py is derived by `make release`, and the release ships reference figures the notebook
points at.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import warnings
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D

from autograder.checks import activations as hidden
from autograder.figures import curves
from solutions import nn_basics as reference
from tests.test_learner_release import learner_folder, learner_pytest
from tools import release

ROOT = release.ROOT
RELEASE_DIR = ROOT / release.RELEASE
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
X = np.linspace(-6.0, 6.0, 121)
SIGMOID = 1 / (1 + np.exp(-X))
RIGHT_DERIVATIVE = SIGMOID * (1 - SIGMOID)


def sigmoid_derivative_plus(x):
    """The sign slip the notebook's derivation invites: s(1 + s) for s(1 - s)."""
    s = reference.sigmoid(x)
    return s * (1 + s)


def artists(figure, gid):
    return [a for a in figure.axes[0].get_children() if a.get_gid() == gid]


def load_checks(folder: Path):
    spec = importlib.util.spec_from_file_location("public_checks_under_test", folder / "public_checks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def checks(monkeypatch, tmp_path):
    """The release's public checks, saving their figures under tmp_path."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    module = load_checks(RELEASE_DIR)
    monkeypatch.setattr(module, "FIGURE_DIR", str(tmp_path / "figures"))
    return module


# --- the curve drawing -------------------------------------------------------------------------


def test_nan_and_infinities_are_marks_where_they_are_and_the_difference_is_shaded():
    learner = RIGHT_DERIVATIVE.copy()
    learner[[3, 4]] = np.nan
    learner[10] = np.inf
    learner[20] = -np.inf
    figure = curves.curve_figure(X, learner, RIGHT_DERIVATIVE, title="sigmoid_derivative：对比")

    (nan,) = artists(figure, "你的函数:nan")
    (posinf,) = artists(figure, "你的函数:posinf")
    (neginf,) = artists(figure, "你的函数:neginf")
    assert isinstance(nan, Line2D) and nan.get_linestyle() == "None"  # marks, not a line with gaps
    assert list(nan.get_xdata()) == [X[3], X[4]]
    assert list(posinf.get_xdata()) == [X[10]] and list(neginf.get_xdata()) == [X[20]]
    assert posinf.get_marker() == "^" and neginf.get_marker() == "v"

    (band,) = artists(figure, "difference")
    assert isinstance(band, PolyCollection)
    shaded = np.concatenate([path.vertices[:, 0] for path in band.get_paths()])
    for i in (3, 4, 10, 20):  # every differing input lies in a shaded stretch
        assert shaded.min() <= X[i] <= shaded.max()
    assert "4 / 121" in band.get_label()
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert any("NaN" in t and "×2" in t for t in legend)


def test_matching_curves_have_no_shade_and_no_mark():
    figure = curves.curve_figure(X, RIGHT_DERIVATIVE, RIGHT_DERIVATIVE, title="一致")
    assert not [a for a in figure.axes[0].get_children() if a.get_gid()]


def test_far_values_are_marked_at_the_edge_and_the_scale_stays_the_references():
    learner = RIGHT_DERIVATIVE.copy()
    learner[50] = 1e300
    figure = curves.curve_figure(X, learner, RIGHT_DERIVATIVE, title="溢出")
    (above,) = artists(figure, "你的函数:above")
    assert list(above.get_xdata()) == [X[50]]
    assert figure.axes[0].get_ylim()[1] < 10  # the reference's bend still fills the picture


def test_the_numerical_derivative_is_a_third_curve_with_its_own_marks():
    numeric = np.gradient(SIGMOID, X)
    numeric[0] = np.nan
    figure = curves.curve_figure(
        X, SIGMOID * (1 + SIGMOID), RIGHT_DERIVATIVE, title="导数", numeric=numeric, numeric_label="数值导数"
    )
    labels = [line.get_label() for line in figure.axes[0].get_lines()]
    assert "数值导数" in labels and "你的函数" in labels and "参考答案" in labels
    assert artists(figure, "数值导数:nan")


def test_a_curve_that_is_not_one_number_per_input_is_refused():
    with pytest.raises(ValueError):
        curves.curve_figure(X, RIGHT_DERIVATIVE[:5], RIGHT_DERIVATIVE, title="形状")
    with pytest.raises(ValueError):
        curves.curve_figure(X, ["a"] * X.size, RIGHT_DERIVATIVE, title="类型")


def test_png_is_small_and_draws_every_glyph():
    rng = np.random.default_rng(0)
    busy = rng.normal(0, 1, curves.PUBLIC_X.size)  # noise: the worst case for PNG compression
    busy[::7] = np.nan
    busy[1::11] = np.inf
    busy[2::13] = -np.inf
    right = 1 / (1 + np.exp(-np.clip(curves.PUBLIC_X, -500, 500)))
    before = dict(matplotlib.rcParams)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" fails the test
        figure = curves.curve_figure(
            curves.PUBLIC_X,
            busy,
            right,
            title="swish_derivative，beta=2：你的函数（红）与参考答案（灰）",
            numeric=busy[::-1],
            numeric_label="你的 swish 的数值导数（numerical derivative）",
        )
        png = curves.to_png(figure)
    assert png.startswith(PNG_SIGNATURE)
    assert len(png) <= curves.MAX_PNG_BYTES == 60_000
    assert dict(matplotlib.rcParams) == before  # the kit's font without changing anyone's settings
    assert curves.font_family()[0] == "Noto Sans SC"


def test_curves_is_standalone():
    """Shipped to learners as it is: numpy, matplotlib and the standard library only."""
    source = (ROOT / release.CURVES).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative import"
            imported.add(node.module.split(".")[0])
    assert imported <= {
        "__future__",
        "io",
        "collections",
        "functools",
        "numpy",
        "matplotlib",
        "pylopdf_fonts_zh_cn",
    }


def test_the_public_range_holds_no_hidden_input_the_public_checks_do_not_name():
    """A figure's inputs are public: PUBLIC_X meets the hidden activation inputs only at the
    values the public checks themselves use (0, ±710, ±1000)."""
    hidden_inputs = np.concatenate(
        [np.ravel(x) for x in hidden.ORDINARY] + [hidden.EXTREME, np.ravel(hidden._smooth)]
    )
    shared = set(curves.PUBLIC_X.tolist()) & set(hidden_inputs.tolist())
    assert shared <= {0.0, 710.0, -710.0, 1000.0, -1000.0}


# --- the learner's copy of curves.py -----------------------------------------------------------


def test_the_learners_copies_are_the_graders_file():
    graders = (ROOT / release.CURVES).read_bytes()
    assert (ROOT / release.LEARNER_CURVES).read_bytes() == graders
    assert (RELEASE_DIR / "curves.py").read_bytes() == graders


@pytest.mark.slow
def test_the_sync_check_catches_a_hand_edit_of_the_learners_copy(tmp_path):
    root = tmp_path / "kit"
    for name in release.INPUTS:
        source, target = ROOT / name, root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    shutil.copytree(ROOT / release.RELEASE, root / release.RELEASE)
    copy = root / release.LEARNER_CURVES
    copy.write_text(copy.read_text(encoding="utf-8").replace("RTOL, ATOL = 1e-5", "RTOL, ATOL = 1e-1"))
    assert str(release.LEARNER_CURVES) in release.differences(root)


# --- the reference figures ---------------------------------------------------------------------


def test_the_notebook_links_every_reference_figure_and_each_is_small():
    shipped = sorted(p.name for p in (RELEASE_DIR / "reference_figures").glob("*.png"))
    assert len(shipped) >= 6 and any("sigmoid" in name for name in shipped)
    nb = nbformat.read(RELEASE_DIR / "ch01.ipynb", as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    linked = sorted(set(re.findall(r"\]\(reference_figures/([\w.]+\.png)\)", prose)))
    assert linked == shipped
    assert "参考图" in prose and "对比图" in prose
    for name in shipped:
        data = (RELEASE_DIR / "reference_figures" / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) <= 60_000


# --- the public checks -------------------------------------------------------------------------


def test_a_wrong_derivative_names_a_png_of_its_curve(checks):
    sigmoid_derivative_plus.__name__ = "sigmoid_derivative"
    with pytest.raises(AssertionError) as failure:
        checks.check_sigmoid_derivative(sigmoid_derivative_plus)
    message = str(failure.value)
    (path,) = re.findall(r"对比图（comparison figure）：(\S+\.png)", message)
    assert Path(path).parent == Path(checks.FIGURE_DIR)
    assert Path(path).read_bytes().startswith(PNG_SIGNATURE)
    assert "期望" in message  # the check's own explanation comes first, unchanged


def test_the_figure_calls_the_learner_only_on_the_public_range(checks, monkeypatch):
    seen = []

    def sigmoid_derivative(x):
        seen.append(np.array(x, dtype=float))
        return sigmoid_derivative_plus(x)

    with pytest.raises(AssertionError):
        checks.check_sigmoid_derivative(sigmoid_derivative)
    with_figure = list(seen)
    seen.clear()
    monkeypatch.setattr(checks, "_figure_note", lambda name, failure: "")
    with pytest.raises(AssertionError):
        checks.check_sigmoid_derivative(sigmoid_derivative)
    checks_own, figures = with_figure[: len(seen)], with_figure[len(seen) :]
    assert all(np.array_equal(a, b) for a, b in zip(checks_own, seen, strict=True))
    assert len(figures) == 1 and np.array_equal(figures[0], curves.PUBLIC_X)


def test_a_passing_or_unfinished_check_draws_nothing(checks, capsys):
    checks.check_sigmoid_derivative(reference.sigmoid_derivative)

    def stub(x):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError) as failure:
        checks.check_tanh(stub)
    assert "对比图" not in str(failure.value)
    assert not Path(checks.FIGURE_DIR).exists()


def test_a_figure_that_cannot_be_drawn_leaves_the_message_as_it_was(checks):
    def relu(x):
        return np.zeros((2, 2))  # one shape for every input: no curve to draw

    with pytest.raises(AssertionError) as failure:
        checks.check_relu(relu)
    assert "形状" in str(failure.value) and "对比图" not in str(failure.value)


def test_a_derivative_whose_activation_is_unfinished_still_gets_its_figure(checks):
    namespace = {"np": np}
    exec(
        "def tanh(x):\n    raise NotImplementedError()\n"
        "def tanh_derivative(x):\n    return 1 + np.tanh(x) ** 2\n",
        namespace,
    )
    with pytest.raises(AssertionError) as failure:
        checks.check_tanh_derivative(namespace["tanh_derivative"])
    assert re.search(r"对比图（comparison figure）：\S+tanh_derivative\.png", str(failure.value))


# --- the learner's two ways of running the checks ------------------------------------------------


def notebook_with_wrong_derivative() -> nbformat.NotebookNode:
    """The reference notebook up to softmax's check, with sigmoid_derivative = s·(1 + s)."""
    nb = nbformat.read(ROOT / release.NOTEBOOK, as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    nb.cells = nb.cells[: ids.index("test_softmax") + 1]
    (answer,) = [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid_derivative"
    ]
    answer.source = "def sigmoid_derivative(x):\n    s = sigmoid(x)\n    return s * (1 + s)\n"
    return nb


@pytest.mark.slow
def test_the_release_notebook_shows_the_figure_under_the_failing_check_only(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    folder = learner_folder(tmp_path)
    nb = notebook_with_wrong_derivative()
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    images = {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("test_"):
            images[grade_id] = [o for o in cell.outputs if "image/png" in o.get("data", {})]
    failing = images.pop("test_sigmoid_derivative")
    assert len(failing) == 1 and failing[0].output_type == "display_data"
    assert len(images) >= 10 and not any(images.values()), [k for k, v in images.items() if v]
    (cell,) = [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_sigmoid_derivative"
    ]
    (error,) = [o for o in cell.outputs if o.output_type == "error"]
    assert "对比图（comparison figure）在上面" in error.evalue


@pytest.mark.slow
def test_pytest_in_the_release_folder_names_a_png_that_exists(tmp_path, monkeypatch):
    folder = learner_folder(tmp_path)
    nbformat.write(notebook_with_wrong_derivative(), folder / "ch01.ipynb")
    monkeypatch.setenv("NN_KIT_FIGURE_DIR", str(tmp_path / "figures"))
    output = learner_pytest(folder)
    # One figure, named once per place pytest shows the failure (with CI set, pytest's short
    # summary repeats the whole message, so the same path may appear twice).
    (path,) = set(re.findall(r"对比图（comparison figure）：(\S+\.png)", output))
    assert Path(path) == tmp_path / "figures" / "sigmoid_derivative.png"
    assert Path(path).read_bytes().startswith(PNG_SIGNATURE)
