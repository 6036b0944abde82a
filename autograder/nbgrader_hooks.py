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
- `CheckCellMetadata`: nbgrader's check of each cell's nbgrader metadata, with its JSON schema
  compiled once per run rather than once per cell (0.2-0.4 s a notebook saved).
"""

import tempfile
import traceback
from pathlib import Path

import jsonschema
import nbformat
from nbconvert.preprocessors import Preprocessor
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.preprocessors import CheckCellMetadata as NbgraderCheckCellMetadata
from nbgrader.preprocessors import ClearHiddenTests
from traitlets import Bool, List

from autograder import messages
from autograder.nbgrader_cells import is_grade, nbgrader_metadata, tested_function


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
                nbformat.v4.new_output(
                    "execute_result",
                    data={"text/plain": repr(earned)},
                    execution_count=cell.get("execution_count"),
                ),
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


class _SchemaCompiledOnce(BaseMetadataValidator):
    """nbgrader validates each cell with `jsonschema.validate(meta, schema)`, which checks the
    schema itself and builds a new validator every time (~3 ms a cell, ~130 cells, twice per
    notebook). Placed between nbgrader's MetadataValidator and its base class, this validates
    a current-version cell with one validator built once; anything else (no nbgrader metadata,
    an old or new schema_version and the error nbgrader raises for it) goes to nbgrader's code."""

    _compiled = {}  # schema_version: the jsonschema validator of nbgrader's schema

    def validate_cell(self, cell):
        meta = nbgrader_metadata(cell)
        if not meta or meta.get("schema_version", 0) != self.schema_version:
            return super().validate_cell(cell)
        if self.schema_version not in self._compiled:
            cls = jsonschema.validators.validator_for(self.schema)
            cls.check_schema(self.schema)
            self._compiled[self.schema_version] = cls(self.schema)
        self._compiled[self.schema_version].validate(meta)


class _QuickMetadataValidator(MetadataValidator, _SchemaCompiledOnce):
    pass


class CheckCellMetadata(NbgraderCheckCellMetadata):
    """nbgrader's CheckCellMetadata (same checks, same error) on `_QuickMetadataValidator`."""

    def preprocess(self, nb, resources):
        try:
            _QuickMetadataValidator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources
