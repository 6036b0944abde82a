"""Notebook submissions: which cells run, IPython syntax, errors recorded past a failing cell."""

import nbformat
import numpy as np
import pytest

from autograder.core.submission import open_graded
from autograder.sandbox.errors import WorkerCrashed
from autograder.sandbox.notebook import to_python
from tests.fakes import defined


def answer(src, grade_id):
    return nbformat.v4.new_code_cell(
        src, metadata={"nbgrader": {"grade": False, "solution": True, "grade_id": grade_id, "locked": False}}
    )


def test_cell(src, grade_id):
    return nbformat.v4.new_code_cell(
        src,
        metadata={
            "nbgrader": {"grade": True, "solution": False, "grade_id": grade_id, "locked": True, "points": 1}
        },
    )


test_cell.__test__ = False  # a cell builder, not a test


def write(tmp_path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    path = tmp_path / "ch01.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_nbgrader_notebook_runs_answer_and_setup_cells_only(tmp_path):
    path = write(
        tmp_path,
        [
            nbformat.v4.new_code_cell("import numpy as np\nSCALE = 1.0", metadata={"tags": ["setup"]}),
            nbformat.v4.new_markdown_cell("# 第 1 章"),
            answer("%matplotlib inline\ndef sigmoid(x):\n    return SCALE / (1 + np.exp(-x))", "sigmoid"),
            test_cell("import os\nos._exit(1)", "test_sigmoid"),  # a test cell must never run here
            nbformat.v4.new_code_cell("raise RuntimeError('a plot cell')"),  # not an answer: skipped
            answer("undefined_name", "relu"),
            answer("def tanh(x):\n    return np.tanh(x)\n!ls /\nfiles = !ls\nnp.tanh?", "tanh"),
        ],
    )
    with open_graded(path) as sub:
        assert defined(sub, ["sigmoid", "tanh", "relu"]) == {"sigmoid", "tanh"}
        assert sub.load_error == "cell 5, line 1: NameError: name 'undefined_name' is not defined"
        assert sub.call("sigmoid", 0.0) == 0.5
        np.testing.assert_allclose(sub.call("tanh", np.array([0.5])), np.tanh([0.5]))


def test_plain_notebook_runs_every_code_cell_past_errors(tmp_path):
    path = write(
        tmp_path,
        [
            nbformat.v4.new_code_cell("import numpy as np"),
            nbformat.v4.new_code_cell("1 / 0"),
            nbformat.v4.new_code_cell("%%bash\necho not python"),
            nbformat.v4.new_code_cell("%%time\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))"),
            nbformat.v4.new_code_cell("import sys\nsys.exit(0)"),
            nbformat.v4.new_code_cell("def relu(x):\n    return np.maximum(0, x)"),
        ],
    )
    with open_graded(path) as sub:
        assert defined(sub, ["sigmoid", "relu", "tanh"]) == {"sigmoid", "relu"}
        assert "cell 1, line 1: ZeroDivisionError" in sub.load_error
        assert "cell 4, line 2: SystemExit" in sub.load_error
        assert sub.call("relu", -1.0) == 0.0


def test_a_cell_that_kills_the_worker_is_a_load_error(tmp_path):
    path = write(
        tmp_path,
        [answer("def sigmoid(x):\n    return x", "sigmoid"), answer("import os\nos._exit(0)", "relu")],
    )
    with open_graded(path) as sub:
        assert "ended during loading" in sub.load_error
        with pytest.raises(WorkerCrashed):
            sub.call("sigmoid", 0.0)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("%matplotlib inline\nx = 1", "x = 1\n"),
        ("!pip install numpy\ny = 2", "y = 2\n"),
        ("%%bash\nls", ""),
        ("%%capture\nz = 3", "z = 3\n"),
    ],
)
def test_ipython_syntax_becomes_plain_python(source, expected):
    assert to_python(source) == expected


def test_a_file_that_is_not_a_notebook_is_a_load_error(tmp_path):
    path = tmp_path / "ch01.ipynb"
    path.write_text("{ this is not json")
    with open_graded(path) as sub:
        assert "the notebook cannot be read" in sub.load_error
        assert defined(sub, ["sigmoid"]) == set()


def test_setup_cells_find_their_folders_modules_and_a_stand_in_matplotlib(tmp_path):
    """A submission folder is one learner's: its modules come along (a notebook named directly
    comes alone: tests/test_redteam_intake.py)."""
    (tmp_path / "public_checks.py").write_text("OFFSET = 0.25\n")
    (tmp_path / "test_nn_basics.py").write_text("raise SystemExit('pytest file, never loaded')\n")
    path = write(
        tmp_path,
        [
            nbformat.v4.new_code_cell(
                "import numpy as np\nimport matplotlib.pyplot as plt\nfrom public_checks import *",
                metadata={"tags": ["setup"]},
            ),
            answer(
                "def sigmoid(x):\n    fig, ax = plt.subplots()\n    ax.plot([x], [x])\n"
                "    plt.show()\n    return OFFSET + 0.25",
                "sigmoid",
            ),
        ],
    )
    with open_graded(path.parent) as sub:
        assert sub.load_error is None
        assert sub.call("sigmoid", 0.0) == 0.5
        assert sorted(p.name for p in sub._workdir.sub.glob("*.py")) == ["public_checks.py"]
