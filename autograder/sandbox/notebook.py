"""Which code of a notebook the sandbox runs, turned into plain Python (in the grader process).

nbgrader notebooks: the answer cells (`solution: true`) plus cells tagged `setup`; never the test
cells (`grade: true`, `solution: false`), whose hidden blocks are the grader's business. Other
notebooks: every code cell. IPython syntax is transformed; magics and shell lines are dropped,
and whatever `get_ipython()` call remains is a no-op in the worker.
"""
import nbformat
from IPython.core.inputtransformer2 import TransformerManager

# cell magics whose body is still Python; any other cell magic (%%bash, %%html...) drops the cell
_PYTHON_BODY_CELL_MAGICS = {"time", "timeit", "capture", "prun"}


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def select_cells(nb):
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    code = [(i, c) for i, c in code
            if not (_nbgrader(c).get("grade") and not _nbgrader(c).get("solution"))]
    if any(_nbgrader(c).get("solution") for _, c in code):
        code = [(i, c) for i, c in code
                if _nbgrader(c).get("solution") or "setup" in c.get("metadata", {}).get("tags", [])]
    return code


def to_python(source):
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split(maxsplit=1)[0] if lines[0].strip() != "%%" else ""
        if magic not in _PYTHON_BODY_CELL_MAGICS:
            return ""
        lines = lines[1:]
    kept = "\n".join(ln for ln in lines if not ln.lstrip().startswith(("%", "!"))) + "\n"
    try:
        return TransformerManager().transform_cell(kept)
    except Exception:  # left as is: the worker's compile reports it as that cell's error
        return kept


class UnreadableNotebook(ValueError):
    """The file is not a notebook nbformat can read: the learner's problem, graded as such."""


def extract_cells(path):
    """[{"index": cell number in the notebook, "source": plain Python}] to execute, in order."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # not JSON, wrong schema, wrong encoding...
        raise UnreadableNotebook(f"the notebook cannot be read: {type(exc).__name__}: "
                                 f"{str(exc)[:300]}") from exc
    return [{"index": i, "source": to_python(c.source)} for i, c in select_cells(nb)]
