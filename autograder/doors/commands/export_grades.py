"""`export-grades SOURCE --roster R --to canvas|moodle`: the class's grades as the LMS imports them."""

from __future__ import annotations

import sys
from pathlib import Path

from . import EXIT_DONE, CannotGrade


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "export-grades",
        help="write the grades as Canvas's or Moodle's grade-import CSV",
        description="Write the class's total points as a CSV that Canvas (Grades > Import) or Moodle "
        "(Grade administration > Import > CSV file) imports. SOURCE: a folder of grade-all's JSON "
        "reports, or nbgrader's gradebook.db. The roster is the LMS's own export with a `learner` "
        "column added (the kit's id of each student). With --previous, says who changed and by how much.",
    )
    parser.add_argument("source", type=Path, help="a folder of JSON reports, or nbgrader's gradebook.db")
    parser.add_argument("--roster", type=Path, required=True, help="the LMS's export plus a `learner` column")
    parser.add_argument("--to", choices=("canvas", "moodle"), required=True, help="the LMS")
    parser.add_argument("--output", type=Path, help="the CSV to write (default: <lms>-grades.csv)")
    parser.add_argument("--assignment", default="ch01", help="the LMS's assignment or grade item name")
    parser.add_argument(
        "--assignment-id", default="", help="Canvas: the assignment's id (a column without one creates it)"
    )
    parser.add_argument(
        "--identify-by", choices=("email", "idnumber"), default="email", help="Moodle: the user column"
    )
    parser.add_argument("--previous", type=Path, help="an earlier export: print who changed, by how much")
    parser.add_argument(
        "--dry-run", action="store_true", help="write nothing; with --previous, only the diff"
    )
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    from ...quoting import one_line
    from ...results import number
    from .. import classreport, lms

    try:
        learners = classreport.read(args.source)
        roster = lms.read_roster(args.roster, lms.needed_columns(args.to, args.identify_by))
        if args.to == "canvas":
            export = lms.canvas(learners, roster, args.assignment, args.assignment_id)
        else:
            export = lms.moodle(learners, roster, args.assignment, args.identify_by)
        changes = lms.diff(export, args.previous) if args.previous else None
    except (OSError, ValueError) as exc:  # RosterError is a ValueError
        raise CannotGrade(str(exc)) from None
    output = args.output or Path(f"{args.to}-grades.csv")
    if not args.dry_run:
        export.write(output)
    say = lambda text: print(text, file=sys.stderr)  # noqa: E731
    say(
        f"{len(export.rows)} grades for {args.to}"
        + (" (dry run: nothing written)" if args.dry_run else f" in {output}")
    )
    for label, names in (
        ("not in the roster (no grade exported)", export.not_in_roster),
        ("grader errors (left out: re-grade them, then export)", export.grader_errors),
        ("on the roster without a grade", export.not_graded),
    ):
        if names:
            say(f"{len(names)} {label}: " + ", ".join(one_line(name) for name in names))
    if changes is not None:
        say(f"{len(changes)} changed since {args.previous}:")
        for change in changes:
            before = "-" if change.before is None else str(number(change.before))
            after = "-" if change.after is None else str(number(change.after))
            say(f"  {one_line(change.student)}: {before} -> {after} ({change.delta:+g})")
    return EXIT_DONE
