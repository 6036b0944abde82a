"""Gradescope's results.json shape (SPEC "The grader's contract")."""
import json

from ..messages import t
from . import number

PASSED_TEXT = {"zh": "通过（passed）", "en": "passed"}


def to_dict(results, lang: str) -> dict:
    data = {
        "score": number(results.score),
        "max_score": number(results.max_score),
        "execution_time": round(results.execution_time, 3),
        "tests": [
            {
                "name": test.name,
                "score": number(test.score),
                "max_score": number(test.max_score),
                "status": "passed" if test.passed else "failed",
                "output": PASSED_TEXT[lang] if test.passed else test.feedback.render(lang),
                "tags": test.tags,
            }
            for test in results.tests
        ],
    }
    if results.load_error:  # Gradescope shows a top-level `output` above the tests
        data["output"] = t("load_error", error=results.load_error).render(lang)
    return data


def render(results, lang: str = "zh") -> str:
    return json.dumps(to_dict(results, lang), ensure_ascii=False, indent=2) + "\n"
