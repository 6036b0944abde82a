"""The notebooks run: the source top to bottom, the release until the learner's first task."""

import os

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from autograder.core.grade import grade_submission
from tools import release

pytestmark = pytest.mark.slow
ROOT = release.ROOT


def execute(path):
    """Run the notebook as Jupyter would; returns it with outputs, and the error if one stopped it."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    os.environ.setdefault("MPLBACKEND", "Agg")  # the kernel inherits it: no display for matplotlib
    try:
        client.execute()
    except CellExecutionError as error:
        return nb, error
    return nb, None


def test_source_notebook_runs_top_to_bottom_with_full_marks():
    nb, error = execute(ROOT / release.NOTEBOOK)
    assert error is None, error
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    points = [
        c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_")
    ]
    assert sum(points) == 100
    assert grade_submission(ROOT / release.NOTEBOOK).score == 100  # the source's answers, graded


def test_release_notebook_runs_until_the_first_not_implemented_error():
    nb, error = execute(ROOT / release.RELEASE / "ch01.ipynb")
    assert error is not None and error.ename in ("NotImplementedError", "NotImplementedYet")
    failed = next(
        i for i, c in enumerate(nb.cells) if any(o.output_type == "error" for o in c.get("outputs", []))
    )
    first_answer = next(
        i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid"
    )
    # everything up to the first answer cell ran; the first learner task stopped it, right after
    assert failed == first_answer + 1
    assert all(c.get("execution_count") for c in nb.cells[:failed] if c.cell_type == "code")
