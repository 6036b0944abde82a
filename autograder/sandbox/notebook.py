"""Which code of a notebook the sandbox runs, turned into plain Python (in the grader process).

nbgrader notebooks: the answer cells (`solution: true`) plus cells tagged `setup`; never the test
cells (`grade: true`, `solution: false`), whose hidden blocks are the grader's business. Other
notebooks: every code cell. IPython syntax is transformed; magics and shell lines are dropped,
and whatever `get_ipython()` call remains is a no-op in the worker.
"""
import json
from pathlib import Path

# cell magics whose body is still Python; any other cell magic (%%bash, %%html...) drops the cell
_PYTHON_BODY_CELL_MAGICS = {"time", "timeit", "capture", "prun"}


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def select_cells(nb):
    code = [(i, c) for i, c in enumerate(nb["cells"]) if c.get("cell_type") == "code"]
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
        compile(kept, "<cell>", "exec")
        return kept  # plain Python, as nearly every cell is: no need to import IPython (0.15 s)
    except SyntaxError:
        pass
    from IPython.core.inputtransformer2 import TransformerManager
    try:
        return TransformerManager().transform_cell(kept)
    except Exception:  # left as is: the worker's compile reports it as that cell's error
        return kept


class UnreadableNotebook(ValueError):
    """The file is not a notebook we can read: the learner's problem, graded as such."""


def read_notebook(path):
    """The notebook's JSON, checked for the little we use. Plain json, not nbformat: importing
    nbformat (and the jsonschema stack behind it) costs about a second per grading."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            raise ValueError("no list of cells: not an nbformat 4 notebook")
        for cell in nb["cells"]:
            if not isinstance(cell, dict) or not isinstance(cell.get("source", ""), (str, list)):
                raise ValueError("a cell is not an object with a source")
    except (OSError, ValueError) as exc:  # not JSON, wrong shape, wrong encoding...
        raise UnreadableNotebook(f"the notebook cannot be read: {type(exc).__name__}: "
                                 f"{str(exc)[:300]}") from exc
    return nb


def extract_cells(path):
    """[{"index": cell number in the notebook, "source": plain Python}] to execute, in order."""
    nb = read_notebook(path)
    return [{"index": i, "source": to_python(_source(c))} for i, c in select_cells(nb)]
