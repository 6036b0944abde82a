"""The roles of a notebook's cells, read from nbgrader's cell metadata: the one definition the
release tool, the nbgrader hooks, the sandbox's notebook reader and the demo share (as nbgrader's
own `utils.is_grade` / `is_solution` are shared inside nbgrader; those take only nbformat cells).

Works on nbformat's cells and on the plain JSON of a learner's notebook alike, hostile metadata
included (a string or a list where a dict belongs holds no role). Standard library only: the
sandbox's notebook reader imports it in the grader process. The learner's release cannot import
the kit, so source/ch01/conftest.py keeps its own few lines.

| role | nbgrader's name | metadata |
|---|---|---|
| answer cell (`is_answer_cell`) | autograded answer | code, `solution`, not `grade`; grade_id = the contract function |
| test cell (`is_test_cell`) | autograder tests | code, `grade`, not `solution`; grade_id = `test_` + the function |
| written answer (`is_written_answer`) | manually graded answer | `solution` and `grade` (the review questions) |
"""

from __future__ import annotations

TEST_PREFIX = "test_"  # a test cell's grade_id: test_<the contract function it scores>


def nbgrader_metadata(cell) -> dict:
    """The cell's `nbgrader` metadata, {} when it has none (or none that is a dict)."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    found = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return found if isinstance(found, dict) else {}


def grade_id(cell) -> str:
    found = nbgrader_metadata(cell).get("grade_id", "")
    return found if isinstance(found, str) else ""


def is_solution(cell) -> bool:
    """The learner writes here (an answer cell or a written answer)."""
    return bool(nbgrader_metadata(cell).get("solution"))


def is_grade(cell) -> bool:
    """The cell carries points (a test cell or a written answer)."""
    return bool(nbgrader_metadata(cell).get("grade"))


def _is_code(cell) -> bool:
    return isinstance(cell, dict) and cell.get("cell_type") == "code"


def is_answer_cell(cell) -> bool:
    return _is_code(cell) and is_solution(cell) and not is_grade(cell)


def is_test_cell(cell) -> bool:
    return _is_code(cell) and is_grade(cell) and not is_solution(cell)


def is_written_answer(cell) -> bool:
    return is_solution(cell) and is_grade(cell)


def tested_function(cell) -> str | None:
    """The contract function a test cell scores (its grade_id after `test_`); None for any other cell."""
    name = grade_id(cell)
    return name[len(TEST_PREFIX) :] if is_test_cell(cell) and name.startswith(TEST_PREFIX) else None
