"""`class-report SOURCE`: class.html from grade-all's JSON reports or nbgrader's gradebook.db."""

from __future__ import annotations

import sys
from pathlib import Path

from ...settings import add_lang_argument
from . import EXIT_DONE, CannotGrade


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "class-report",
        help="write class.html, the instructor's view of a graded class",
        description="Write class.html (score distribution, pass rate and item analysis per check, "
        "common misconceptions, learners not graded normally, the slowest submissions) from SOURCE: "
        "a folder of the JSON reports grade-all or merge wrote, or nbgrader's gradebook.db after "
        "`nbgrader autograde`.",
    )
    parser.add_argument("source", type=Path, help="a folder of JSON reports, or nbgrader's gradebook.db")
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        help="where class.html goes (default: the reports' folder, or the gradebook's)",
    )
    parser.add_argument("--assignment", default="ch01", help="nbgrader's assignment (default: ch01)")
    add_lang_argument(parser, "class.html")
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    from .. import classreport  # matplotlib: imported only by the commands that draw

    try:
        learners = classreport.read(args.source, args.assignment, args.lang)
    except ValueError as exc:
        raise CannotGrade(str(exc)) from None
    output_dir = args.output_dir or (args.source if args.source.is_dir() else args.source.parent)
    output_dir.mkdir(parents=True, exist_ok=True)
    summary = classreport.write(learners, output_dir, args.lang)
    print(f"{summary.line()}; {output_dir / classreport.CLASS_PAGE}", file=sys.stderr)
    return EXIT_DONE
