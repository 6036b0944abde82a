"""What the pictures of issue 20 cost a grade (step 7 of `make bench`).

Figures are drawn only for the formats that show images (the HTML page, nbgrader's feedback)
and only for functions that lost points, so a correct submission should pay nothing and a
wrong one at most 0.2 s. Two measures, each the median of interleaved runs so both sides see
the same machine load:
- warm, in one grader process (the nbgrader door and every later grade of a long-lived
  process): grade_submission(figures=True) minus figures=False, for a correct submission and
  for one whose sigmoid_derivative is s·(1+s);
- cold, one `python -m autograder grade FILE` per run: `--format html` minus `--format json`
  (a fresh process also pays matplotlib's import once, when there is a figure to draw).
"""

import statistics
import time
from pathlib import Path

from tests.mistakes import correct_source, with_bodies

# one wrong function, one figure: sigmoid_derivative as s·(1+s)
WRONG = {"sigmoid_derivative": "s = sigmoid(x)\nreturn s * (1 + s)"}


def submissions(work: Path) -> dict[str, Path]:
    """{"correct": path, "wrong": path}: the reference, and it with one wrong derivative."""
    folder = work / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"correct": folder / "correct.py", "wrong": folder / "wrong.py"}
    paths["correct"].write_text(correct_source(), encoding="utf-8")
    paths["wrong"].write_text(with_bodies(WRONG), encoding="utf-8")
    return paths


def warm(path: Path, runs: int) -> float:
    """Median extra seconds of figures=True over figures=False in this process."""
    from autograder.core.grade import grade_submission

    grade_submission(path, figures=True)  # warm-up: imports, matplotlib, the font
    extra = []
    for _ in range(runs):
        started = time.perf_counter()
        grade_submission(path)
        plain = time.perf_counter() - started
        started = time.perf_counter()
        drawn = grade_submission(path, figures=True)
        extra.append(time.perf_counter() - started - plain)
    assert ("wrong" in path.stem) == bool(drawn.figures), (path, sorted(drawn.figures))
    return statistics.median(extra)


def cold(path: Path, runs: int, timed, py: str) -> float:
    """Median extra seconds of `grade --format html` over `--format json`, one process each."""

    def grade(fmt):
        return [py, "-m", "autograder", "grade", str(path), "--format", fmt]

    timed(grade("html"))  # warm-up: file cache, bytecode
    extra = []
    for _ in range(runs):
        json_seconds, _ = timed(grade("json"))
        html_seconds, _ = timed(grade("html"))
        extra.append(html_seconds - json_seconds)
    return statistics.median(extra)
