"""The notebooks run: the source top to bottom, the release until the learner's first task."""
import os

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tools import release

pytestmark = pytest.mark.slow
ROOT = release.ROOT


def execute(path):
    """Run the notebook as Jupyter would; returns it with outputs, and the error if one stopped it."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    # The kernel inherits this environment: the kit root on the path for the hidden blocks, and
    # no display for matplotlib.
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
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
    results = {}  # each test cell's hidden block ends with the points it earned
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("test_"):
            value = [o for o in cell.outputs if o.output_type == "execute_result"]
            results[grade_id] = float(value[-1].data["text/plain"])
            assert results[grade_id] == cell.metadata["nbgrader"]["points"], grade_id
    assert sum(results.values()) == 100


def test_release_notebook_runs_until_the_first_not_implemented_error():
    nb, error = execute(ROOT / release.RELEASE / "ch01.ipynb")
    assert error is not None and error.ename in ("NotImplementedError", "NotImplementedYet")
    failed = next(i for i, c in enumerate(nb.cells) if any(o.output_type == "error" for o in c.get("outputs", [])))
    first_answer = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid")
    # everything up to the first answer cell ran; the first learner task stopped it, right after
    assert failed == first_answer + 1
    assert all(c.get("execution_count") for c in nb.cells[:failed] if c.cell_type == "code")
