"""`grade SUBMISSION`: grade one submission and print (or write) one report."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ...reporters import FORMATS
from ...settings import add_lang_argument
from . import EXIT_DONE, CannotGrade


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "grade",
        help="grade one submission",
        description="Grade a nn_basics.py file, a folder holding one, or a notebook (.ipynb).",
    )
    parser.add_argument("submission", type=Path, help="nn_basics.py, a folder holding it, or a .ipynb")
    add_report_options(parser)
    parser.add_argument("--output", type=Path, default=None, help="write the report here instead of stdout")
    parser.set_defaults(func=run)
    return parser


def add_report_options(parser) -> None:
    parser.add_argument(
        "--format", choices=tuple(FORMATS), default="text", help="report format (default: text)"
    )
    add_lang_argument(parser)


def run(args) -> int:
    from ...core.grade import grade_submission
    from ...reporters import grade_options, render

    if not os.path.lexists(args.submission):  # a dangling link is a submission: refused, graded 0
        raise CannotGrade(f"no such file or folder: {args.submission}")
    try:
        results = grade_submission(args.submission, **grade_options(args.format))
    except FileNotFoundError as exc:  # a folder without nn_basics.py: nothing to grade
        raise CannotGrade(str(exc)) from None
    report = render(results, args.format, args.lang)
    if args.output is None:
        sys.stdout.write(report)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(report, encoding="utf-8")
    return EXIT_DONE
