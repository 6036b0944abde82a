"""A learner's exception told in the learner's words: what it means (its English message read
here, never shown in the zh text), where it is in terms the learner can find (the function and
its line, the notebook section's title: Jupyter shows no cell numbers) and, for a shape error,
which arrays and shapes, with a pointer to the notebook's shape table.

Everything read here is the learner's text (an exception's message, a traceback, a load error:
claims of the learner's process), parsed with anchored patterns and only quoted, cleaned."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..messages import t
from ..quoting import clean
from ..results import Text
from ..sandbox.errors import BadCallback, BadReturn, SubmissionError, WorkerCrashed

_FRAME = re.compile(r'^  File "(?P<file>[^"\n]*)", line (?P<line>[0-9]+), in (?P<function>[^\n]*)$', re.M)
_CELL_FILE = re.compile(r"^<cell (?P<index>[0-9]{1,6})>$")
_PY_FILE = re.compile(r"(^|/)nn_basics\.py$")

# what numpy and Python say, and what the words hold
_MATMUL = re.compile(
    r"^matmul: Input operand 1 has a mismatch in its core dimension 0.*\(size ([0-9]+) is different from ([0-9]+)\)"
)
_NOT_ALIGNED = re.compile(r"^shapes (\([0-9, ]*\)) and (\([0-9, ]*\)) not aligned")
_BROADCAST = re.compile(
    r"^operands could not be broadcast together with (?:remapped )?shapes (?:\[original->remapped\]: )?(.{1,200})$"
)
_NAME = re.compile(r"^name '([A-Za-z_][\w]{0,80})' is not defined")
_OPERAND = re.compile(r"^unsupported operand type\(s\) for ([^:]{1,5}): '(\w{1,40})' and '(\w{1,40})'")
_MISSING_ARG = re.compile(r"missing [0-9]+ required positional arguments?: (.{1,200})$")
_NOT_CALLABLE = re.compile(r"^'(\w{1,40})' object is not callable")
_NOT_SUBSCRIPTABLE = re.compile(r"^'(\w{1,40})' object is not subscriptable")
_ARG_COUNT = re.compile(r"takes [0-9]+ positional arguments? but [0-9]+ (?:was|were) given")
_ATTRIBUTE = re.compile(r"^'(\w{1,40})' object has no attribute '(\w{1,80})'")
# the operands of a product in the learner's line: `a @ b`, np.dot(a, b), a.dot(b)
_AT = re.compile(r"([\w.\[\]'\"]{1,60}(?:\.T)?)\s*@\s*([\w.\[\]'\"]{1,60})")
_DOT = re.compile(r"\bdot\(\s*([\w.\[\]'\"]{1,60}),\s*([\w.\[\]'\"]{1,60})\s*\)")

# the notebook's shape tables (source/ch01/ch01.ipynb): backward_prop's own, and the network's
SHAPE_TABLE_SECTION = {"backward_prop": "shape_table_backprop"}


def where(
    traceback: str, cells: Sequence[dict] = (), module_code: Sequence = (), *, held_only: bool = False
) -> Text:
    """Where the learner's code raised, from the last frame of the traceback in the learner's
    own file: its function, its line and the line's source, the section's title for a notebook
    cell. The source comes from the code the grader holds when it can (else the traceback's).
    held_only (a call that hides its inputs): the traceback is the learner process's text and
    could spell a hidden value, so the function is named only if the held source defines it,
    the line only if the held source has it, and no claimed source line is quoted."""
    frames = [
        m
        for m in _FRAME.finditer(traceback or "")
        if _CELL_FILE.match(m["file"]) or _PY_FILE.search(m["file"])
    ]
    if not frames:
        return Text()
    last = frames[-1]
    line = int(last["line"])
    following = traceback[last.end() + 1 :].split("\n", 1)[0]
    claimed = following.strip() if following.startswith("    ") else ""
    function = last["function"]
    cell = _CELL_FILE.match(last["file"])
    found = next((c for c in cells if str(c.get("index")) == cell["index"]), None) if cell else None
    held = (found["source"] if found else "") if cell else (module_code[0] if module_code else "")
    if isinstance(held, bytes):
        held = held.decode("utf-8", "replace")
    if held_only and held:  # no source held (a unit test): the claim, redacted by the caller
        claimed = ""
        if len(last["line"]) > 7 or line > len(held.splitlines()):
            return Text()
        if not re.search(rf"\bdef\s+{re.escape(function)}\s*\(", held):
            function = "<module>"
    source = _line(held, line) if held else claimed
    if cell:
        return place(found.get("title", "") if found else "", line, function, source, in_cell=True)
    return place("", line, function, source, in_cell=False)


def place(title: str, line: int, function: str, source: str, *, in_cell: bool) -> Text:
    """The learner's place as text: section (notebook) or file, line, function, quoted source."""
    in_function = function not in ("<module>", "") and function.isidentifier()
    key = ("where_cell" if in_cell else "where_py") + ("_function" if in_function else "")
    text = t(key, title=clean(title[:120]) or "?", line=line, function=function)
    if source:
        text += t("where_source", source=clean(source.strip()[:160]))
    return text


def _line(code, number: int) -> str:
    text = code.decode("utf-8", "replace") if isinstance(code, bytes) else str(code)
    lines = text.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""


def why(exc_type: str, message: str, fn: str, source_line: str = "") -> Text:
    """What the exception means, from its type and English message: a zh explanation (with the
    names and shapes found in it); the English text begins with the original message."""
    message = (message or "").strip()
    explained = _explained(exc_type, message, fn, source_line)
    return Text(explained.zh, f"{clean(message[:300])}. {explained.en}" if message else explained.en)


def _explained(exc_type: str, message: str, fn: str, source_line: str) -> Text:
    if exc_type == "ValueError":
        shapes = _shape_error(message, source_line)
        if shapes:
            return shapes + t(SHAPE_TABLE_SECTION.get(fn, "shape_table_network"))
    if exc_type == "NameError" and (m := _NAME.match(message)):
        return t("why_name_error", name=m[1])
    if exc_type == "TypeError":
        return _type_error(message)
    if exc_type == "AttributeError" and (m := _ATTRIBUTE.match(message)):
        return t("why_attribute", kind=m[1], attribute=m[2])
    if exc_type == "KeyError":
        return t("why_key_error", missing=clean(message[:60]))
    return t(_WHY_BY_TYPE.get(exc_type, "why_other"))


_WHY_BY_TYPE = {
    "IndexError": "why_index_error",
    "AttributeError": "why_attribute_error",
    "ZeroDivisionError": "why_zero_division",
    "RecursionError": "why_recursion",
    "NameError": "why_name_error_other",
    "TypeError": "why_type_error",
}


def why_hidden(exc_type: str) -> Text:
    """What the exception's type means, without its message (the check's inputs are hidden)."""
    return t(_WHY_BY_TYPE[exc_type]) if exc_type in _WHY_BY_TYPE else Text()


def _operands(source_line: str) -> Text:
    found = _AT.findall(source_line) or _DOT.findall(source_line)
    if len(found) != 1:  # none, or several products on the line: no guess
        return Text()
    left, right = found[0]
    return t("why_operands", left=clean(left), right=clean(right))


def _shape_error(message: str, source_line: str) -> Text | None:
    if m := _MATMUL.match(message):
        return t("why_matmul_sizes", operands=_operands(source_line), right=m[1], left=m[2])
    if m := _NOT_ALIGNED.match(message):
        return t("why_matmul_shapes", operands=_operands(source_line), left=m[1], right=m[2])
    if m := _BROADCAST.match(message):
        return t("why_broadcast", shapes=clean(m[1]))
    return None


def _type_error(message: str) -> Text:
    if m := _OPERAND.match(message):
        return t("why_operand_types", op=clean(m[1]), left=m[2], right=m[3])
    if m := _MISSING_ARG.search(message):
        return t(
            "why_missing_argument", names="、".join(f"`{name}`" for name in re.findall(r"'(\w{1,40})'", m[1]))
        )
    if _ARG_COUNT.search(message):
        return t("why_argument_count")
    if m := _NOT_CALLABLE.match(message):
        return t("why_not_callable", kind=m[1])
    if m := _NOT_SUBSCRIPTABLE.match(message):
        return t("why_not_subscriptable", kind=m[1])
    return t("why_type_error")


def source_of(traceback: str, cells: Sequence[dict] = (), module_code: Sequence = ()) -> str:
    """The learner's line where it raised (as `where` finds it), for naming a product's arrays."""
    frames = [
        m
        for m in _FRAME.finditer(traceback or "")
        if _CELL_FILE.match(m["file"]) or _PY_FILE.search(m["file"])
    ]
    if not frames:
        return ""
    last, line = frames[-1], int(frames[-1]["line"])
    cell = _CELL_FILE.match(last["file"])
    if cell:
        found = next((c for c in cells if str(c.get("index")) == cell["index"]), None)
        return _line(found["source"], line) if found else ""
    return _line(module_code[0], line) if module_code else ""


# --- errors while loading: "cell 67, line 3: NameError: ..." (serving.load) -----------------------

_LOAD_CELL = re.compile(r"(?:^|; )cell ([0-9]{1,6}), line ([0-9]{1,7}): ([A-Za-z_][\w.]{0,60}): ")
_LOAD_PY = re.compile(r"^line ([0-9]{1,7}): ([A-Za-z_][\w.]{0,60}): ")


def load_error(text: str, cells: Sequence[dict] = (), module_code: Sequence = ()) -> Text:
    """The load error (the learner process's text, a claim) explained item by item: the
    section's title and the line for each failing cell, never its index."""
    items = []
    starts = list(_LOAD_CELL.finditer(text))
    if starts:
        for i, m in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            found = next((c for c in cells if str(c.get("index")) == m[1]), None)
            source = _line(found["source"], int(m[2])) if found else ""
            at = place(found.get("title", "") if found else "", int(m[2]), "", source, in_cell=True)
            items.append(_load_item(m[3], text[m.end() : end], at, source))
    elif in_module := _LOAD_PY.match(text):
        line = int(in_module[1])
        source = _line(module_code[0], line) if module_code else ""
        at = place("", line, "", source, in_cell=False)
        items.append(_load_item(in_module[2], text[in_module.end() :], at, source))
    else:  # anything else the process said (a crash at load: the grader's own words)
        return t("load_error", error=clean(text))
    return t(
        "load_error_explained", items=Text("\n".join(i.zh for i in items), "\n".join(i.en for i in items))
    )


def _load_item(exc_type: str, message: str, at: Text, source: str) -> Text:
    return t("load_error_item", exc_type=exc_type, why=why(exc_type, message, "", source), where=at)


# --- the grader's own words about a call (sandbox/__init__.py, callbacks.py), in zh ---------------

_EXIT = re.compile(r"\((?:exit code (-?[0-9]{1,4})|killed by (SIG[A-Z0-9]{1,10}))\)$")


def detail_zh(exc: SubmissionError) -> str:
    """The zh words for what the grader saw of a crash, a bad value or a bad call of f: its
    English detail is for the en text and the instructor's JSON."""
    if isinstance(exc, WorkerCrashed):
        m = _EXIT.search(str(exc))
        if m and m[1] is not None:
            return t("detail_exit_code", code=m[1]).zh
        if m:
            return t("detail_killed", signal=m[2]).zh
        return t("detail_ended").zh
    if isinstance(exc, BadCallback):
        return t("detail_bad_callback").zh
    if isinstance(exc, BadReturn):
        return t("detail_bad_return").zh
    return t("detail_ended").zh if not str(exc) else t("detail_see_english").zh
