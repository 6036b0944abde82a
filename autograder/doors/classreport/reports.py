"""A class's results as the class report reads them: one `Learner` per learner, from the lossless
results (results.py) in the JSON reports `grade-all` (or `merge`) wrote, or from nbgrader's
gradebook.db.

Everything here is data the grader wrote about a learner, never re-derived from the CSV nor from
a report's text rendered in one language. Learner
text (ids, feedback, load errors) stays raw here; the page escapes it once, when it is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ...messages import MESSAGES
from ...results import Results

# What grade-all's own failures say in a report's load_error (batch.py: the slot failed, timed out,
# or the grader raised): the grader's fault, never the learner's.
GRADER_FAILURES = ("grader failed", "grading stopped", "grader exited", "the grader did not start")
NO_SUBMISSION = "no submission"
SKIPPED = (".", "__")  # shard markers and merge's summary: not learners


@dataclass(frozen=True)
class Check:
    name: str
    function: str
    score: float
    max_score: float
    passed: bool
    output: str = ""
    # the feedback team's catalogue entry {"id", "zh", "en"} for this failure, when the report has one
    misconception: dict[str, str] | None = None


@dataclass
class Learner:
    learner: str
    score: float
    max_score: float
    checks: list[Check]
    functions: dict[str, tuple[float, float]] = field(default_factory=dict)
    execution_time: float = 0.0
    load_error: str = ""
    refused: str = ""
    grader_errors: list[str] = field(default_factory=list)


def read_reports(directory: Path, learners: list[str] | None = None, lang: str = "zh") -> list[Learner]:
    """The `<learner>.json` reports of `directory` (of `learners` only, when given: a folder
    graded again may still hold a report of someone no longer in the class), sorted by learner,
    as the gradebook is; their texts in `lang`."""
    if learners is None:
        paths = sorted(p for p in directory.glob("*.json") if not p.name.startswith(SKIPPED))
    else:
        paths = [directory / f"{learner}.json" for learner in sorted(learners)]
        paths = [path for path in paths if path.is_file()]  # merge: a part that lost a report
    found = [(path.stem, json.loads(path.read_text(encoding="utf-8"))) for path in paths]
    # another tool's JSON in the folder (no dict with results) is no learner's report
    return [
        from_results(stem, Results.from_dict(data["results"]), lang)
        for stem, data in found
        if isinstance(data, dict) and isinstance(data.get("results"), dict)
    ]


def from_results(learner: str, results: Results, lang: str = "zh") -> Learner:
    """One learner from their results (what their JSON report holds under `results`)."""
    return Learner(
        learner=learner,
        score=results.score,
        max_score=results.max_score,
        checks=[
            Check(
                name=test.name,
                function=test.function,
                score=test.score,
                max_score=test.max_score,
                passed=test.passed,
                output=test.feedback.render(lang),
                # as the JSON report: on each failed check of a function with a catalogue entry
                misconception=test.misconception.to_dict()
                if test.misconception and not test.passed
                else None,
            )
            for test in results.tests
        ],
        functions=results.by_function(),
        execution_time=results.execution_time,
        load_error=results.load_error or "",
        refused=results.refused.render(lang) if results.refused else "",
        grader_errors=[test.name for test in results.grader_errors],
    )


def _functions_of(checks: list[Check]) -> dict[str, tuple[float, float]]:
    totals: dict[str, tuple[float, float]] = {}
    for check in checks:
        score, max_score = totals.get(check.function, (0.0, 0.0))
        totals[check.function] = (score + check.score, max_score + check.max_score)
    return totals


def read_gradebook_db(path: Path, assignment: str = "ch01") -> list[Learner]:
    """Every student of nbgrader's gradebook.db for `assignment`: each autograded test cell
    (test_<function>) is one item, worth the points nbgrader recorded for it; a student without a
    submission is listed with 0. nbgrader keeps a cell's points, not the kit's checks, so the
    per-check sections show one row per function."""
    from nbgrader.api import Gradebook, MissingEntry

    learners = []
    with Gradebook(f"sqlite:///{path.resolve()}") as gradebook:
        for student in gradebook.students:
            try:
                submission = gradebook.find_submission(assignment, student.id)
            except MissingEntry:
                learners.append(Learner(student.id, 0.0, 0.0, [], load_error=NO_SUBMISSION))
                continue
            checks = [
                _cell(grade)
                for notebook in submission.notebooks
                for grade in notebook.grades
                if grade.cell.name.startswith("test_")
            ]
            learners.append(
                Learner(
                    student.id,
                    sum(c.score for c in checks),
                    sum(c.max_score for c in checks),
                    checks,
                    _functions_of(checks),
                )
            )
    learners.sort(key=lambda learner: learner.learner)
    if learners and not any(learner.checks for learner in learners):
        raise ValueError(f"{path}: no autograded cells of {assignment} (has `nbgrader autograde` run?)")
    return learners


def _cell(grade) -> Check:
    score = float(grade.score or 0.0)
    max_score = float(grade.max_score or 0.0)
    function = grade.cell.name.removeprefix("test_")
    return Check(grade.cell.name, function, score, max_score, passed=max_score > 0 and score >= max_score)


# --- why a learner was not graded normally ---------------------------------------------------


def _pattern(key: str) -> re.Pattern:
    """A message of messages.py, in either language, with anything in place of its values."""
    parts = [
        ".*?".join(re.escape(piece) for piece in re.split(r"\{\w+\}", template)) for template in MESSAGES[key]
    ]
    return re.compile("|".join(f"^(?:{part})" for part in parts), re.S | re.M)


LIMITS = (_pattern("timeout"), _pattern("crashed"))


def problem(learner: Learner) -> tuple[str, str] | None:
    """(kind, reason) when the learner was not graded normally, else None. Kinds are the keys
    class_kind_<kind> of messages.py; the first that applies is given."""
    if learner.grader_errors:
        return "grader_error", ", ".join(learner.grader_errors)
    if learner.load_error.startswith(GRADER_FAILURES):
        return "grader_error", learner.load_error
    if learner.load_error.startswith(NO_SUBMISSION):
        return "no_submission", learner.load_error
    if learner.refused:
        return "refused", learner.refused
    if learner.load_error:
        return "not_loaded", learner.load_error
    for check in learner.checks:
        if not check.passed and any(limit.search(check.output) for limit in LIMITS):
            return "limit", f"{check.name}: {check.output}"
    return None
