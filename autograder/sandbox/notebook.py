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

from ..nbgrader_cells import is_solution, is_test_cell
from .errors import Refused

MAX_JSON_DEPTH = 64  # a notebook nests about 6 deep; its outputs a few more
# Strings, brackets and commas: the course's notebook holds about 7,000. What json.loads may
# build is bounded by this (about 30 MB at worst), not by the 16 MiB the intake lets in.
MAX_JSON_TOKENS = 1_000_000
MAX_CELLS = 2000
# A string (or an unterminated one, up to the end), a bracket or a comma. The string always
# matches, so each byte is read once (requiring the closing quote made every escaped quote of an
# unterminated string restart a scan to the end: 252 s for 200 KB of \"); possessive, so the
# regex engine keeps no backtracking state per character (2 GB for one 16 MB string otherwise);
# DOTALL, so a backslash before a raw newline is no place to stop.
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)|[\[\]{},]', re.DOTALL)
_OPENS, _CLOSES = frozenset(b"[{"), frozenset(b"]}")
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


_HEADING = re.compile(r"^#{1,6}[ \t]+(?P<title>[^\n]*)", re.MULTILINE)  # linear: no backtracking


def section_titles(nb):
    """{cell index: the title of the last Markdown heading above it}: where a learner finds a
    cell in Jupyter, which shows no cell numbers. A learner's own headings are their text."""
    titles, title = {}, ""
    for i, c in enumerate(nb["cells"]):
        if c.get("cell_type") == "markdown":
            heading = next(iter(reversed(_HEADING.findall(_source(c)))), None)
            text = heading[:200].strip(" \t#") if heading else ""
            if text and not text.startswith(("BEGIN ", "END ")):
                title = text[:120]
        titles[i] = title
    return titles


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


def _json_shape(data):
    """(deepest nesting, tokens) of the JSON text, strings left out of the nesting; the scan
    stops as soon as either is over its limit. Checked before json.loads, so neither the
    parser's recursion nor its objects can grow with what a learner wrote: one token at a time,
    no copy of the text."""
    depth = deepest = tokens = 0
    for token in _JSON_TOKEN.finditer(data):
        tokens += 1
        first = data[token.start()]  # not token.group(): a string token may be megabytes
        if first in _OPENS:
            depth += 1
            deepest = max(deepest, depth)
        elif first in _CLOSES:
            depth -= 1
        if deepest > MAX_JSON_DEPTH or tokens > MAX_JSON_TOKENS:
            break
    return deepest, tokens


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
    depth, tokens = _json_shape(data)
    if depth > MAX_JSON_DEPTH:
        raise Refused(
            f"the notebook cannot be read: its JSON nests more than {MAX_JSON_DEPTH} levels deep",
            "notebook_too_deep",
            limit=MAX_JSON_DEPTH,
        )
    if tokens > MAX_JSON_TOKENS:
        raise Refused(
            f"the notebook cannot be read: its JSON holds more than {MAX_JSON_TOKENS} strings, brackets and commas",
            "notebook_too_many_tokens",
            limit=MAX_JSON_TOKENS,
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
    transforms its IPython syntax, "title": its section's title}] to execute, in order, from the
    notebook's bytes."""
    nb = read_notebook(data)
    cells, budget = [], MAX_IPYTHON_WORK
    titles = section_titles(nb)
    for i, c in select_cells(nb):
        python = to_python(_source(c))
        work = ipython_work(python, budget)
        ipython = 0 < work <= budget
        budget -= work if ipython else 0
        cells.append({"index": i, "source": python, "ipython": ipython, "title": titles[i]})
    return cells
