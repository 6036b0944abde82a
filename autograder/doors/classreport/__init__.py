"""The instructor's view of a class: class.html and the one-line summary.

- reports.py: the class's results, read from the JSON reports grade-all wrote (or nbgrader's
  gradebook.db), and why a learner was not graded normally;
- stats.py: summary, pass rate and item analysis per check, misconceptions per function;
- charts.py: the pictures (matplotlib, the kit's Chinese font) as data: URIs;
- page.py: the self-contained HTML page.
"""

from __future__ import annotations

from pathlib import Path

from .reports import Learner, read_gradebook_db, read_reports
from .stats import Summary, summary

CLASS_PAGE = "class.html"
SIMILARITY_PAGE = "similarity.html"

__all__ = [
    "CLASS_PAGE",
    "Learner",
    "Summary",
    "read",
    "read_gradebook_db",
    "read_reports",
    "summary",
    "write",
]


def read(source: Path, assignment: str = "ch01", lang: str = "zh") -> list[Learner]:
    """The class from a folder of grade-all's JSON reports or from nbgrader's gradebook.db;
    ValueError saying why when it holds no class."""
    if source.is_dir():
        learners = read_reports(source, lang=lang)
        if not learners:
            raise ValueError(f"no JSON reports in {source} (grade-all writes them)")
        return learners
    if source.is_file():
        return read_gradebook_db(source, assignment)
    raise ValueError(f"no such folder or gradebook: {source}")


def write(learners: list[Learner], output_dir: Path, lang: str = "zh") -> Summary:
    """output_dir/class.html for `learners` (linking similarity.html when it is there); the summary."""
    from .page import render

    similarity = SIMILARITY_PAGE if (output_dir / SIMILARITY_PAGE).is_file() else ""
    page = render(learners, lang, similarity=similarity)
    (output_dir / CLASS_PAGE).write_text(
        page.encode("utf-8", "backslashreplace").decode("utf-8"), encoding="utf-8"
    )
    return summary(learners)


def after_grading(output_dir: Path, learners: list[str], lang: str) -> str:
    """class.html for the learners grade-all or merge just wrote, and the summary line to print.
    The gradebook and reports are written by then: a fault here costs the page, never them."""
    try:
        summary = write(read_reports(output_dir, learners, lang), output_dir, lang)
    except Exception as exc:  # noqa: BLE001 - the grades stand; say why the page is missing
        return f"class.html not written: {type(exc).__name__}: {exc}"
    return f"{summary.line()}; {output_dir / CLASS_PAGE}"
