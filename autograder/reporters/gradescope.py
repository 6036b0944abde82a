"""Gradescope's results.json (SPEC "The grader's contract"; Gradescope's autograder spec).

`render(results, lang)` shows every check at once, as `grade --format gradescope` always has.
`to_dict(..., visibility=V)` is the Gradescope door's form: each check carries the spec's
`visibility` field (its name and feedback appear to the learner only then), and one visible
summary test, worth no points, tells the learner now what they scored and where.
"""
import json

from ..messages import t
from . import number

PASSED_TEXT = {"zh": "通过（passed）", "en": "passed"}
# The spec's values for a test's `visibility`; "visible" is Gradescope's default.
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
WHEN_SHOWN = {
    "hidden": ("不向学生显示", "never shown to students"),
    "after_due_date": ("截止日期之后显示", "shown after the due date"),
    "after_published": ("成绩发布之后显示", "shown once grades are published"),
}


def to_dict(results, lang: str, visibility: str | None = None) -> dict:
    tests = [_test(test, lang) for test in results.tests]
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
    if results.load_error:  # Gradescope shows a top-level `output` above the tests
        data["output"] = t("load_error", error=results.load_error).render(lang)
        if visibility is not None:
            data["output_format"] = "text"
    return data


def _test(test, lang: str) -> dict:
    return {
        "name": test.name,
        "score": number(test.score),
        "max_score": number(test.max_score),
        "status": "passed" if test.passed else "failed",
        "output": PASSED_TEXT[lang] if test.passed else test.feedback.render(lang),
        "tags": test.tags,
    }


def summary_test(results, lang: str, visibility: str) -> dict:
    """Visible now: the total and, per contract function, whether it lost points. No check
    names and no feedback, so hidden checks cannot be probed one by one."""
    zh = lang != "en"
    lines = [("得分（score）：" if zh else "Score: ") + f"{number(results.score)} / {number(results.max_score)}"]
    for function, (score, max_score) in results.by_function().items():
        mark = "✓" if score == max_score else "✗"
        lines.append(f"{mark} {function}")
    when = WHEN_SHOWN[visibility][0 if zh else 1]
    lines.append(f"每项检查的名称和反馈（feedback）：{when}。" if zh
                 else f"Each check's name and feedback: {when}.")
    return {
        "name": "总分与各函数（summary）" if zh else "Summary",
        "score": 0,
        "max_score": 0,
        "status": "passed" if results.score == results.max_score else "failed",
        "output": "\n".join(lines),
        "tags": [],
        "visibility": "visible",
    }


def render(results, lang: str = "zh", visibility: str | None = None) -> str:
    return json.dumps(to_dict(results, lang, visibility), ensure_ascii=False, indent=2) + "\n"
