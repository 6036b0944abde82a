"""Reporters: each module renders the one results model (`render(results, lang) -> str`).

Adding a format is adding a module with a `render` function and a line in FORMATS. Learner
text reaches a report only through autograder/quoting.py.
"""

from importlib import import_module

FORMATS = {
    "text": "text",
    "json": "json_report",
    "gradescope": "gradescope",
    "junit": "junit",
    "markdown": "markdown",
    "html": "html",
}


def render(results, fmt: str, lang: str = "zh") -> str:
    """The report as text that always encodes: a lone surrogate that slipped past quoting is
    written as an escape, never the crash of the report's write."""
    module = import_module(f"{__name__}.{FORMATS[fmt]}")
    report = module.render(results, lang=lang)
    return report.encode("utf-8", "backslashreplace").decode("utf-8")


PICTURED = {"html"}  # formats that show the figures of the functions that lost points (issue 20)


def grade_options(fmt: str) -> dict:
    """grade_submission's keyword options a format needs: the figures for a format that shows them
    (drawn only for functions that lost points: a correct submission never pays for them)."""
    return {"figures": True} if fmt in PICTURED else {}
