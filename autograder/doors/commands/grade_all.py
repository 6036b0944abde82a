"""`grade-all DIR`: grade a class in parallel into a CSV gradebook and a report per learner."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ...settings import SETTINGS, add_lang_argument, add_output_dir_argument
from ..batch import GRADEBOOK, grade_all
from ..shard import Shard, write_marker
from . import EXIT_DONE, EXIT_GRADER_ERRORS, CannotGrade


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "grade-all",
        help="grade every submission in a folder",
        description="Grade each learner of DIR in parallel; write gradebook.csv and one "
        "JSON report per learner, and class.html (the class report). DIR is nbgrader's submitted/ "
        "(<student>/ch01/), a folder of learner folders, flat files "
        "(alice.py, bob.ipynb) or Classroom clones (ch01-<login>/). A folder "
        "is graded from ch01.ipynb when it holds one, else from nn_basics.py; "
        'a learner without either is listed with 0 and "no submission".',
    )
    parser.add_argument("directory", type=Path, help="folder with one entry per learner")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="submissions graded at once (default: 1)")
    add_output_dir_argument(parser, "the gradebook and reports go")
    add_lang_argument(parser, "feedback and class.html")
    parser.add_argument(
        "--timeout",
        type=float,
        default=SETTINGS.grade_all_timeout,
        help=f"seconds before one learner's grading is stopped and scored 0 (default: {SETTINGS.grade_all_timeout:g})",
    )
    parser.add_argument(
        "--shard",
        type=_shard,
        default=None,
        metavar="i/N",
        help="grade only part i of N (a stable split by learner id); combine the parts with `merge`",
    )
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    if not args.directory.is_dir():
        raise CannotGrade(f"not a folder: {args.directory}")
    if args.jobs < 1:
        raise CannotGrade("--jobs must be at least 1")
    rows = grade_all(
        args.directory,
        args.output_dir,
        jobs=args.jobs,
        lang=args.lang,
        timeout=args.timeout,
        shard=args.shard,
    )
    if args.shard is not None:
        write_marker(args.output_dir, args.shard, [row.learner for row in rows])
    from .. import classreport  # matplotlib: imported only by the commands that draw

    class_line = classreport.after_grading(args.output_dir, [row.learner for row in rows], args.lang)
    failed = sum(1 for row in rows if row.error)
    errors = sum(row.grader_errors for row in rows)
    print(
        f"graded {len(rows)} submissions into {args.output_dir / GRADEBOOK}"
        + (
            f" ({failed} with a note in the error column: why they lost points or were not graded)"
            if failed
            else ""
        )
        + (
            f"; {errors} grader errors (the grader's fault, not the learners': fix and re-grade)"
            if errors
            else ""
        ),
        file=sys.stderr,
    )
    print(class_line, file=sys.stderr)
    return EXIT_GRADER_ERRORS if errors else EXIT_DONE


def _shard(text: str) -> Shard:
    try:
        return Shard.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
