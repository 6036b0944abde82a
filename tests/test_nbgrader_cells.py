"""The one definition of an nbgrader cell's role (autograder/nbgrader_cells.py), on the source
notebook as the release tool, the hooks, the notebook reader and the demo read it, and on the
hostile JSON a learner's notebook may hold."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from autograder import nbgrader_cells as cells  # as a module: pytest would collect `tested_function`
from autograder.core.grade import load_rubric
from autograder.nbgrader_cells import grade_id, is_answer_cell, is_solution, is_test_cell, is_written_answer

ROOT = Path(__file__).resolve().parents[1]


def cell(cell_type="code", **nbgrader) -> dict:
    return {"cell_type": cell_type, "source": "", "metadata": {"nbgrader": nbgrader}}


def test_the_source_notebook_has_an_answer_and_a_test_cell_per_function_and_seven_written_answers():
    nb = nbformat.read(ROOT / "source" / "ch01" / "ch01.ipynb", as_version=4)
    functions = sorted(load_rubric())
    assert sorted(grade_id(c) for c in nb.cells if is_answer_cell(c)) == functions
    assert sorted(cells.tested_function(c) for c in nb.cells if is_test_cell(c)) == functions
    assert [(c.cell_type, grade_id(c)) for c in nb.cells if is_written_answer(c)] == [
        ("markdown", f"question_{i}") for i in range(1, 8)
    ]


@pytest.mark.parametrize(
    "role, expected",
    [
        (cell(solution=True, grade=False, grade_id="sigmoid"), "answer"),
        (cell(solution=False, grade=True, grade_id="test_sigmoid"), "test"),
        (cell("markdown", solution=True, grade=True, grade_id="question_1"), "written"),
        (
            cell("markdown", solution=False, grade=True, grade_id="test_sigmoid"),
            None,
        ),  # not code: no test cell
        (cell(solution=False, grade=False, locked=True), None),
        (cell(), None),
    ],
)
def test_each_role_is_told_from_the_metadata(role, expected):
    roles = {"answer": is_answer_cell(role), "test": is_test_cell(role), "written": is_written_answer(role)}
    assert [name for name, holds in roles.items() if holds] == ([expected] if expected else [])


def test_a_test_cell_names_its_function_only_by_the_test_prefix():
    assert cells.tested_function(cell(grade=True, grade_id="test_relu")) == "relu"
    assert cells.tested_function(cell(grade=True, grade_id="relu_check")) is None
    assert cells.tested_function(cell(solution=True, grade_id="test_relu")) is None


@pytest.mark.parametrize(
    "hostile",
    [
        "a string",
        None,
        [],
        {"metadata": "x"},
        {"metadata": {"nbgrader": "solution"}},
        {"metadata": {"nbgrader": ["grade", "solution"]}},
        {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": 5}}},
    ],
)
def test_metadata_that_is_not_nbgraders_shape_holds_no_role(hostile):
    assert grade_id(hostile) == "" and not is_solution(hostile) and not is_test_cell(hostile)
    assert not is_answer_cell(hostile) and cells.tested_function(hostile) is None


def test_no_other_module_reads_nbgrader_metadata_itself():
    reading = re.compile(r"""\.get\(\s*["']nbgrader["']""")
    sources = [*(ROOT / "autograder").rglob("*.py"), *(ROOT / "tools").glob("*.py")]
    assert [
        p.relative_to(ROOT).as_posix()
        for p in sources
        if p.name != "nbgrader_cells.py" and reading.search(p.read_text(encoding="utf-8"))
    ] == []
