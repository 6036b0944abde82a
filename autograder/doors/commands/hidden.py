"""`pytest SUBMISSION [pytest options]`: the hidden checks run by pytest, in this process, one
item per rubric check (autograder/hidden/plugin.py): -k, -x, --lf, --pdb, --junitxml as usual."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from . import CannotGrade


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "pytest",
        help="run the hidden checks on one submission with pytest",
        description="Run the hidden checks on one submission as pytest tests (node ids "
        "autograder/<function>::<check>); every option after SUBMISSION goes to pytest, e.g. "
        "-k NAME, -x, --lf, --pdb, --junitxml=FILE, --lang en.",
    )
    parser.add_argument("submission", type=Path, help="nn_basics.py, a folder holding it, or a .ipynb")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="options for pytest")
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    from ...hidden import run

    if not os.path.lexists(args.submission):  # a dangling link is a submission: refused, graded 0
        raise CannotGrade(f"no such file or folder: {args.submission}")
    return run(args.submission, args.pytest_args)
