"""Which code of a notebook the sandbox runs (read in the grader process, in time linear in its
bytes).

nbgrader notebooks: the answer cells (`solution: true`) plus cells tagged `setup`; never the test
cells (`grade: true`, `solution: false`), whose hidden blocks are the grader's business. Other
notebooks: every code cell. Magics and shell lines are dropped here; a cell with IPython syntax
left is flagged, and the worker has IPython transform it (ipysyntax.py, in the learner process);
whatever `get_ipython()` call that leaves is a no-op there.
"""

import itertools
import json
import re

import numpy as np

from ..nbgrader_cells import is_solution, is_test_cell
from .errors import Refused

MAX_JSON_DEPTH = 64  # a notebook nests about 6 deep; its outputs a few more
MAX_CELLS = 2000
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # unrolled: a long string is one run, not a loop
# what IPython's transformer rewrites beyond the magic and shell lines dropped above:
# `x = !ls`, `y = %time f()`, `obj?`, `??obj`. One class before `=` (not `[ \t]*[\w., \t]+`, whose
# overlap backtracks quadratically on a long line of spaces, in the grader process).
_IPYTHON_SYNTAX = re.compile(r"^[\w., \t]+=[ \t]*[!%]|\?[ \t]*$|^[ \t]*\?", re.MULTILINE)

# IPython's transformer re-reads the whole cell for each transform it makes: its time is about
# (transforms + 1) x the cell's length (95 `x = !ls` lines over a 120 KB line: half a minute).
# It runs in the worker, under the load timeout, which must still leave time to load the other
# cells: cells are transformed, in order, while that product adds up to at most this many
# characters per notebook (at worst under a second); a cell past it is left as it is, for the
# worker's compile to report (a `?` ending a comment line, the usual trigger, compiles anyway).
# An answer with a few shell lines costs a few thousand.
MAX_IPYTHON_WORK = 400_000

# cell magics whose body is still Python; any other cell magic (%%bash, %%html...) drops the cell
_PYTHON_BODY_CELL_MAGICS = {"time", "timeit", "capture", "prun"}


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _metadata(cell):
    meta = cell.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _tags(cell):
    tags = _metadata(cell).get("tags")
    return tags if isinstance(tags, list) else []


def select_cells(nb):
    code = [(i, c) for i, c in enumerate(nb["cells"]) if c.get("cell_type") == "code" and not is_test_cell(c)]
    if any(is_solution(c) for _, c in code):
        code = [(i, c) for i, c in code if is_solution(c) or "setup" in _tags(c)]
    return code


def to_python(source):
    """The cell without its magics and shell lines: plain Python, unless `ipython_work` says
    otherwise (then the worker transforms what is left)."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split(maxsplit=1)[0] if lines[0].strip() != "%%" else ""
        if magic not in _PYTHON_BODY_CELL_MAGICS:
            return ""
        lines = lines[1:]
    # never compiled here: the grader does not parse learner code (200,000 nested unary minus
    # signs exhaust the parser); the worker does
    return "\n".join(ln for ln in lines if not ln.lstrip().startswith(("%", "!"))) + "\n"


def ipython_work(python, budget=MAX_IPYTHON_WORK):
    """What IPython's transformer would read for `to_python`'s text (characters, see
    MAX_IPYTHON_WORK), counted no further than `budget`: over it for a cell that would take too
    long; 0 for plain Python, as nearly every cell is, and for a cell longer than `budget`."""
    most = budget // max(len(python), 1)  # transforms + 1 that fit: more are not counted
    transforms = sum(1 for _ in itertools.islice(_IPYTHON_SYNTAX.finditer(python), most))
    return (transforms + 1) * len(python) if transforms else 0


def _json_depth(data):
    """How deeply the JSON text nests, strings left out: checked before json.loads, so a
    100,000-level notebook is refused without the parser recursing into it."""
    marks = np.frombuffer(_JSON_STRING.sub(b'""', data), dtype=np.uint8)
    opens = np.flatnonzero((marks == ord("[")) | (marks == ord("{")))
    closes = np.flatnonzero((marks == ord("]")) | (marks == ord("}")))
    steps = np.concatenate([np.ones(len(opens), np.int64), -np.ones(len(closes), np.int64)])
    order = np.argsort(np.concatenate([opens, closes]), kind="stable")  # memory: one per bracket
    return int(np.cumsum(steps[order]).max(initial=0))


def read_notebook(data):
    """The notebook's JSON from its bytes, checked for the little we use. Plain json, not
    nbformat: importing nbformat (and the jsonschema stack behind it) costs about a second per
    grading. Size (by intake), nesting and cell count are capped before or right after parsing."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(
            f"the notebook cannot be read: it is not UTF-8 ({exc.reason} at byte {exc.start})",
            "notebook_not_utf8",
            at=exc.start,
        ) from None
    depth = _json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise Refused(
            f"the notebook cannot be read: its JSON nests {depth} levels deep (at most {MAX_JSON_DEPTH})",
            "notebook_too_deep",
            depth=depth,
            limit=MAX_JSON_DEPTH,
        )
    try:
        nb = json.loads(text)
    except (ValueError, RecursionError, MemoryError) as exc:  # not JSON
        raise Refused(
            f"the notebook cannot be read: {type(exc).__name__}: {str(exc)[:300]}",
            "notebook_not_json",
            detail=str(exc)[:300],
        ) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise Refused(
            "the notebook cannot be read: no list of cells (not an nbformat 4 notebook)", "notebook_no_cells"
        )
    if len(nb["cells"]) > MAX_CELLS:
        raise Refused(
            f"the notebook cannot be read: {len(nb['cells'])} cells (at most {MAX_CELLS})",
            "notebook_too_many_cells",
            count=len(nb["cells"]),
            limit=MAX_CELLS,
        )
    for number, cell in enumerate(nb["cells"]):
        source = cell.get("source", "") if isinstance(cell, dict) else None
        if not (
            isinstance(source, str) or (isinstance(source, list) and all(isinstance(s, str) for s in source))
        ):
            raise Refused(
                f"the notebook cannot be read: cell {number} is not an object whose source is text",
                "notebook_bad_cell",
                index=number,
            )
    return nb


def extract_cells(data):
    """[{"index": cell number in the notebook, "source": Python, "ipython": whether the worker
    transforms its IPython syntax}] to execute, in order, from the notebook's bytes."""
    nb = read_notebook(data)
    cells, budget = [], MAX_IPYTHON_WORK
    for i, c in select_cells(nb):
        python = to_python(_source(c))
        work = ipython_work(python, budget)
        ipython = 0 < work <= budget
        budget -= work if ipython else 0
        cells.append({"index": i, "source": python, "ipython": ipython})
    return cells
