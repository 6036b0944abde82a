"""Grades the LMS takes: the class's totals as Canvas's and Moodle's grade-import CSV, each
learner's kit id (grade-all's, or nbgrader's student id) mapped to the LMS's through a roster.

The roster is the LMS's own export (Canvas: Grades > Export; Moodle: Export > Plain text file)
with one column added, `learner`, holding the kit's id of each row's student. Only the LMS
columns the import needs are read from it:

- Canvas ("How do I import grades in the Gradebook?"): `Student`, `ID`, `SIS User ID`,
  `SIS Login ID`, `Section`, then one column per assignment, headed `Name (assignment id)` for an
  existing assignment (a bare name creates a new one). Canvas matches students by `ID`, else by
  the SIS ids.
- Moodle ("Grade import", CSV): a column that identifies the user (`Email address`, mapped to
  useremail, or `ID number`, mapped to useridnumber, on the import's mapping page), then one column
  per grade item, mapped to it there.

A learner whose grade the grader could not produce (a grader error: not their fault) is left out
and named, as is a learner the roster does not hold; nothing a learner controls can start a
formula in the spreadsheet an instructor opens (gradebook.spreadsheet_text).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ..results import number
from .classreport.reports import Learner, problem
from .gradebook import plain_text, spreadsheet_text

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_IDS = {"email": "Email address", "idnumber": "ID number"}
LEARNER = "learner"


class RosterError(ValueError):
    """The roster cannot be used (no learner column, a learner twice, a column the LMS needs)."""


def read_roster(path: Path, needed: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """{kit learner id: the roster's row} from a CSV with a `learner` column and `needed` ones."""
    with path.open(newline="", encoding="utf-8-sig") as f:  # -sig: a spreadsheet's byte-order mark
        rows = list(csv.DictReader(f))
    header = set(rows[0]) if rows else set()
    missing = [column for column in (LEARNER, *needed) if column not in header]
    if missing:
        raise RosterError(f"{path}: no column {', '.join(missing)} (the LMS's export, plus `learner`)")
    roster: dict[str, dict[str, str]] = {}
    for row in rows:
        learner = plain_text((row[LEARNER] or "").strip())
        if not learner:
            continue
        if learner in roster:
            raise RosterError(f"{path}: learner {learner!r} is on two rows")
        roster[learner] = {key: plain_text(value or "") for key, value in row.items() if key}
    return roster


@dataclass
class Export:
    header: list[str]
    rows: list[list[str]]  # as written: text cells defused, scores as numbers
    key: int = 0  # the column that identifies a student in the LMS (for the diff)
    not_in_roster: list[str] = field(default_factory=list)
    grader_errors: list[str] = field(default_factory=list)  # left out: re-grade them first
    not_graded: list[str] = field(default_factory=list)  # on the roster, no grade from the kit

    def write(self, path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(self.header)
            writer.writerows(self.rows)


def _graded(learners: list[Learner], roster: dict[str, dict[str, str]], export: Export) -> list[Learner]:
    """The learners to export, in roster order; the others named in `export`."""
    by_id = {learner.learner: learner for learner in learners}
    for learner in learners:
        found = problem(learner)
        if found and found[0] == "grader_error":
            export.grader_errors.append(learner.learner)
        elif learner.learner not in roster:
            export.not_in_roster.append(learner.learner)
    export.not_graded = [learner for learner in roster if learner not in by_id]
    skip = set(export.grader_errors)
    return [by_id[learner] for learner in roster if learner in by_id and learner not in skip]


def canvas(
    learners: list[Learner], roster: dict[str, dict[str, str]], assignment: str, assignment_id: str = ""
) -> Export:
    column = f"{assignment} ({assignment_id})" if assignment_id else assignment
    export = Export([*CANVAS_COLUMNS, spreadsheet_text(column)], [], key=1)
    for learner in _graded(learners, roster, export):
        row = roster[learner.learner]
        export.rows.append(
            [spreadsheet_text(row[name]) for name in CANVAS_COLUMNS] + [str(number(learner.score))]
        )
    return export


def moodle(
    learners: list[Learner], roster: dict[str, dict[str, str]], item: str, identify_by: str = "email"
) -> Export:
    id_column = MOODLE_IDS[identify_by]
    export = Export([id_column, spreadsheet_text(item)], [], key=0)
    for learner in _graded(learners, roster, export):
        export.rows.append([spreadsheet_text(roster[learner.learner][id_column]), str(number(learner.score))])
    return export


def needed_columns(lms: str, identify_by: str = "email") -> tuple[str, ...]:
    return CANVAS_COLUMNS if lms == "canvas" else (MOODLE_IDS[identify_by],)


@dataclass(frozen=True)
class Change:
    student: str  # the LMS's id of the student (the export's key column)
    before: float | None  # None: not in the previous export
    after: float | None  # None: not in this one

    @property
    def delta(self) -> float:
        return (self.after or 0.0) - (self.before or 0.0)


def diff(export: Export, previous: Path) -> list[Change]:
    """Every student whose grade differs from `previous` (an earlier export of the same kind):
    changed, new, or gone; in the order of this export, then the gone ones."""
    with previous.open(newline="", encoding="utf-8-sig") as f:
        old_rows = list(csv.reader(f))
    if not old_rows or old_rows[0] != export.header:
        raise RosterError(f"{previous}: not an export of the same kind (its columns differ)")
    before = {row[export.key]: _number(row[-1]) for row in old_rows[1:] if len(row) == len(export.header)}
    after = {row[export.key]: _number(row[-1]) for row in export.rows}
    changes = [Change(plain_text(s), before.get(s), after[s]) for s in after if before.get(s) != after[s]]
    return changes + [Change(plain_text(s), before[s], None) for s in before if s not in after]


def _number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None
