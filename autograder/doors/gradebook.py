"""The class's gradebook (gradebook.csv): one row per learner, written straight from each
learner's `Results`, never read back; grade-all (batch.py) and merge (shard.py) write it, lms.py
reads an LMS's roster back through `plain_text`."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ..results import Results, number

GRADEBOOK = "gradebook.csv"


@dataclass
class Row:
    learner: str
    score: float = 0.0
    max_score: float = 0.0
    functions: dict[str, float] = field(default_factory=dict)
    error: str = ""
    grader_errors: int = 0  # checks the grader itself failed to run (not the learner's loss)

    @classmethod
    def of(cls, learner: str, results: Results) -> Row:
        """A learner's gradebook line, straight from their results (`gradebook_error`)."""
        return cls(
            learner,
            results.score,
            results.max_score,
            {f: score for f, (score, _) in results.by_function().items()},
            gradebook_error(results),
            grader_errors=len(results.grader_errors),
        )


def gradebook_error(results: Results) -> str:
    """The gradebook's error column: why the submission was not graded (`not_graded`), else the
    checks that broke in the grader (re-grade after a fix) and why the submission lost points
    before any check (refused, a load error, nothing defined)."""
    if results.not_graded:
        return results.not_graded
    errors = [check.name for check in results.grader_errors]
    causes = [f"grader error in {len(errors)} checks: {', '.join(errors)}"] if errors else []
    return "; ".join([*causes, results.reason] if results.reason else causes)


def not_graded(entry: Path, error: str) -> Results:
    """Every check failed with `error`, which the gradebook says: a learner not graded at all."""
    from dataclasses import replace

    from ..core.grade import without_results

    return replace(without_results(entry, error), not_graded=error)


def write_gradebook(path: Path, rows: list[Row], functions: list[str]) -> None:
    # an error may quote an entry's path, undecodable bytes and all: spelled out, never a crash
    with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as f:
        writer = csv.writer(f)
        writer.writerow(["learner", "score", "max_score", *functions, "error"])
        for row in rows:
            writer.writerow(
                [
                    spreadsheet_text(row.learner),
                    str(number(row.score)),
                    str(number(row.max_score)),
                    *(str(number(row.functions.get(fn, 0.0))) for fn in functions),
                    spreadsheet_text(row.error),
                ]
            )


# A cell a spreadsheet would run as a formula (=HYPERLINK(...), +, -, @; tab and CR too) when a
# learner names their file so; a leading apostrophe shows it as text. One already starting with
# an apostrophe gets another, so `plain_text` undoes it exactly (lms.py reads an LMS's roster).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def spreadsheet_text(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def plain_text(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell
