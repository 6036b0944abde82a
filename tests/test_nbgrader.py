"""nbgrader end to end with the committed config: generate_assignment, autograde, feedback,
export, on a temporary course; and the same totals as the kit's own CLI."""
import re

import nbformat
import pytest

from autograder.grade import grade_submission
from tools import demo

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbgrader_course")]  # one course, one worker
NOTEBOOK = demo.NOTEBOOK

WRONG_SIGMOID = "def sigmoid(x):\n    return np.asarray(x, dtype=float) * 0 + 0.5\n"
# A learner who fakes numpy's comparisons in their own kernel, as nbgrader alone would reward.
FORGER = "import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: np.True_\n"


def learners(release_nb):
    classes = demo.demo_learners(release_nb)
    code = demo.answers()
    # deletes the locked test cell of sigmoid: must still be graded on it
    deleted = demo.submission(release_nb, code)
    deleted.cells = [c for c in deleted.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_sigmoid"]
    # a wrong sigmoid, and numpy's comparisons patched in the kernel
    forger = demo.submission(release_nb, dict(code, sigmoid=FORGER + WRONG_SIGMOID))
    # kills its kernel in the last answer cell, after defining everything
    exiter = demo.submission(release_nb, dict(code, gradient_check=code["gradient_check"] + "\nimport os\nos._exit(0)\n"))
    return dict(classes, deleted=deleted, forger=forger, exiter=exiter)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    demo.build_course(course, learners)
    demo.nbgrader(course, "autograde", demo.ASSIGNMENT, "--force")
    demo.nbgrader(course, "generate_feedback", demo.ASSIGNMENT, "--force")
    return course


@pytest.fixture(scope="module")
def scores(course):
    return demo.gradebook(course)


def cli_score(course, learner):
    return grade_submission(course / "submitted" / learner / demo.ASSIGNMENT / NOTEBOOK).score


def test_correct_learner_full_marks_blank_zero(scores):
    assert scores["ada"] == 100
    assert scores["blank"] == 0
    assert 0 < scores["trap"] < 100


def test_deleted_test_cell_is_still_graded(scores):
    assert scores["deleted"] == 100


def test_patching_numpy_in_the_kernel_earns_nothing(scores):
    assert scores["forger"] < scores["ada"]


def test_killing_the_kernel_still_gets_a_grade(course, scores):
    # plain nbgrader leaves this learner without a grade; the sandbox sees the same exit at load
    assert scores["exiter"] == 0
    autograded = nbformat.read(course / "autograded" / "exiter" / demo.ASSIGNMENT / NOTEBOOK, as_version=4)
    assert all(c.outputs for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_"))


@pytest.mark.parametrize("learner", ["ada", "blank", "trap", "forger", "exiter"])
def test_nbgrader_and_cli_give_the_same_total(course, scores, learner):
    assert scores[learner] == pytest.approx(cli_score(course, learner), abs=1e-6)


@pytest.mark.parametrize("learner", ["ada", "trap"])
def test_feedback_shows_no_hidden_test_or_solution(course, learner):
    html = (course / "feedback" / learner / demo.ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")).read_text()
    for secret in ("BEGIN HIDDEN TESTS", "grade_cell", "nbgrader_hooks", "most recent call last", "/autograder/"):
        assert secret not in html, f"{learner}'s feedback shows {secret!r}"
    assert "return np.exp(-np.abs(x))" not in html  # nothing of the reference's code


def test_trap_feedback_explains_the_swish_bug(course):
    autograded = nbformat.read(course / "autograded" / "trap" / demo.ASSIGNMENT / NOTEBOOK, as_version=4)
    cell = next(c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_swish")
    text = "".join(o.get("text", "") for o in cell.outputs)
    assert re.search(r"swish", text) and cell.outputs[-1].output_type == "execute_result"
