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
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    # The kernel inherits this environment: the kit root on the path for the hidden blocks, and
    # no display for matplotlib.
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    client.execute()
    return nb


def test_source_notebook_runs_top_to_bottom_with_full_marks():
    nb = execute(ROOT / release.NOTEBOOK)
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
    with pytest.raises(CellExecutionError) as failure:
        execute(ROOT / release.RELEASE / "ch01.ipynb")
    assert "NotImplementedError" in str(failure.value)
    nb = nbformat.read(ROOT / release.RELEASE / "ch01.ipynb", as_version=4)
    first_answer = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid")
    # everything before the first answer cell is prose or set-up, which must run
    assert first_answer > 0
