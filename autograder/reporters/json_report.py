"""`--format json`: the Gradescope shape, plus per-function totals and the submission's name
(Gradescope itself gets only its own keys, from gradescope.py)."""

import json

from ..figures import has_figures
from ..messages import in_language
from ..quoting import clean, one_line
from . import gradescope, number


def render(results, lang: str = "zh") -> str:
    data = gradescope.to_dict(results, lang)
    for test, result in zip(data["tests"], results.tests, strict=True):
        if result.root_cause:  # optional: the helper function whose mistake this result is due to
            test["root_cause"] = result.root_cause
        if result.misconception and not result.passed:  # each failed check of the function
            test["misconception"] = result.misconception.to_json()
    data["submission"] = one_line(results.submission)
    data["functions"] = {
        f: {"score": number(s), "max_score": number(m)} for f, (s, m) in results.by_function().items()
    }
    data["load_error"] = clean(results.load_error) if results.load_error else results.load_error
    # a refused submission: why, in the report's language (load_error holds it in English)
    data["refused"] = results.refused.render(lang) if results.refused else None
    # why points were lost before any check ran, for instructors (gradebook.csv's error column)
    data["reason"] = results.reason
    # SPEC's status is passed/failed; a check that broke in the grader is listed here as well
    data["grader_errors"] = [test.name for test in results.grader_errors]
    # this format carries no images: where the figures of the functions that lost points are
    data["figures"] = in_language(lang)("report_figures_elsewhere") if has_figures(results) else None
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
