"""Where nbgrader meets the kit's grader, so both give the same score for the same notebook.

- `SandboxGrades`: the autograde preprocessor that takes the place of nbgrader's Execute
  (nbgrader_config.py): no kernel runs the learner's notebook. It grades the notebook with the
  same pipeline as `python -m autograder grade` (learner code only in the sandbox worker) and
  writes each test cell's outputs: the feedback, then the points earned as the cell's result,
  which nbgrader takes as partial credit.
- `InertLearnerHTML`: the autograde step after it: raw HTML in a learner's markdown or raw
  cells (`<script>`, `<img onerror=...>`) is escaped in the autograded notebook, which the
  feedback page and formgrader (in the instructor's Jupyter, same origin) both render.
- `StripHiddenTests`: a feedback preprocessor; nbgrader's feedback shows test cells in full,
  hidden blocks and tracebacks included, so we cut both before rendering.
"""
import tempfile
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader.preprocessors import ClearHiddenTests
from traitlets import Bool, List

from autograder import messages
from autograder.nbgrader_cells import is_grade, tested_function


def _grade(path):
    from autograder.grade import grade_submission  # deferred: keeps nbgrader's start-up light
    return grade_submission(path)


def _test_cells(nb):
    for cell in nb.cells:
        if (name := tested_function(cell)) is not None:
            yield cell, name


def function_report(results, name, lang="zh"):
    """(points earned for contract function `name`, the feedback text for its checks)."""
    tests = [t for t in results.tests if name in t.tags]
    earned = sum(t.score for t in tests)
    lines = [t.render(lang) for t in tests if not t.passed]
    if not lines:
        lines = ["✓ " + messages.t("all_hidden_checks_passed").render(lang)]
    return round(earned, 6), "\n".join(lines) + "\n"


class SandboxGrades(Preprocessor):
    """Autograde step: score every test cell from the sandboxed grader's results."""

    enabled = Bool(True)  # nbconvert skips preprocessors that are not enabled

    def preprocess(self, nb, resources):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "submission.ipynb"
            nbformat.write(nb, path)
            results = _grade(path)
        for cell, name in _test_cells(nb):
            earned, feedback = function_report(results, name)
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text=feedback),
                nbformat.v4.new_output("execute_result", data={"text/plain": repr(earned)}, execution_count=cell.get("execution_count")),
            ]
        return nb, resources


class InertLearnerHTML(SanitizeHTML):
    """nbconvert's own sanitizer (bleach), on by default; text without a tag is left as it is,
    so a Markdown blockquote of the prose keeps its `>`."""

    enabled = Bool(True)

    def sanitize_html_tags(self, html_str):
        return super().sanitize_html_tags(html_str) if "<" in html_str else html_str


class StripHiddenTests(ClearHiddenTests):
    """Feedback step: hidden blocks out of the source, tracebacks out of test-cell errors."""

    # nbgrader's preprocessors declare this trait without `config=True`, so the exporter's
    # `NbConvertBase.display_data_priority` made traitlets warn on every generate_feedback.
    display_data_priority = List(ClearHiddenTests.display_data_priority.default_value).tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type == "code" and is_grade(cell):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
