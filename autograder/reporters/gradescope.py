"""Gradescope's results.json (SPEC "The grader's contract"; Gradescope's autograder spec).

`render(results, lang)` shows every check at once, as `grade --format gradescope` always has.
`to_dict(..., visibility=V)` is the Gradescope door's form: each check carries the spec's
`visibility` field (its name and feedback appear to the learner only then), and one visible
summary test, worth no points, tells the learner now what they scored and where.
"""

import json

from ..messages import in_language, t
from ..results import first_failures, note, number

# The spec's values for a test's `visibility`; "visible" is Gradescope's default.
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
WHEN_SHOWN = {
    "hidden": "shown_hidden",
    "after_due_date": "shown_after_due_date",
    "after_published": "shown_after_published",
}  # message keys


def to_dict(results, lang: str, visibility: str | None = None) -> dict:
    named = first_failures(results.tests)  # the misconception once per function, in its first failure
    tests = [_test(test, lang, i in named) for i, test in enumerate(results.tests)]
    if visibility not in (None, "visible"):
        if visibility not in VISIBILITIES:
            raise ValueError(f"visibility must be one of {VISIBILITIES}, not {visibility!r}")
        for test in tests:
            test["visibility"] = visibility
        tests.insert(0, summary_test(results, lang, visibility))
    if visibility is not None:  # the door: learner text as plain text, never Markdown or HTML,
        for test in tests:  # "visible" too (Gradescope's default, simple_format, renders some HTML)
            test["output_format"] = "text"
    data = {
        "score": number(results.score),
        "max_score": number(results.max_score),
        "execution_time": round(results.execution_time, 3),
        "tests": tests,
    }
    if note := results.notice:  # Gradescope shows a top-level `output` above the tests
        data["output"] = note.render(lang)
        if visibility is not None:
            data["output_format"] = "text"
    return data


def _test(test, lang: str, named: bool = False) -> dict:
    passed = t("passed").render(lang)
    if test.passed and test.root_cause:  # right given a wrong helper: say which to fix first
        passed += "\n" + test.feedback.render(lang)
    output = test.feedback + note(test) if named else test.feedback
    return {
        "name": test.name,
        "score": number(test.score),
        "max_score": number(test.max_score),
        "status": "passed" if test.passed else "failed",
        "output": passed if test.passed else output.render(lang),
        "tags": test.tags,
    }


def summary_test(results, lang: str, visibility: str) -> dict:
    """Visible now: the total and, per contract function, whether it lost points. No check
    names and no feedback, so hidden checks cannot be probed one by one."""
    say = in_language(lang)
    lines = [say("summary_score", score=number(results.score), max_score=number(results.max_score))]
    for function, (score, max_score) in results.by_function().items():
        mark = "✓" if score == max_score else "✗"
        lines.append(f"{mark} {function}")
    lines.append(say("summary_when", when=t(WHEN_SHOWN[visibility])))
    return {
        "name": say("summary_name"),
        "score": 0,
        "max_score": 0,
        "status": "passed" if results.score == results.max_score else "failed",
        "output": "\n".join(lines),
        "tags": [],
        "visibility": "visible",
    }


def render(results, lang: str = "zh", visibility: str | None = None) -> str:
    return json.dumps(to_dict(results, lang, visibility), ensure_ascii=False, indent=2) + "\n"
