"""`python -m autograder`: argparse wiring only.

Each subcommand lives in its own module with `add_parser(subparsers)` (which sets
`func=run` on its parser) and `run(args) -> exit status` (autograder/doors/commands/__init__.py); a
command that cannot run raises CannotGrade, mapped to its exit status here and only here.
Adding a subcommand is adding its module to COMMANDS.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module
from pathlib import Path

from .commands import EXIT_CANNOT_GRADE, CannotGrade

COMMANDS = (
    "autograder.doors.commands.grade",
    "autograder.doors.commands.grade_all",
    "autograder.doors.commands.hidden",  # `pytest`: the hidden checks as pytest tests
    "autograder.doors.commands.merge",
    "autograder.doors.commands.class_report",
    "autograder.doors.commands.similarity",
    "autograder.doors.commands.export_grades",
    "autograder.doors.commands.classroom",
    "autograder.doors.commands.gradescope",  # the Gradescope bundle's run_autograder step
)


def build_parser() -> argparse.ArgumentParser:
    # the name the instructor typed: the `nn-grade` console script or `python -m autograder`
    prog = "nn-grade" if Path(sys.argv[0]).name == "nn-grade" else "python -m autograder"
    parser = argparse.ArgumentParser(prog=prog, description="Grade chapter 1 (nn_basics) submissions.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        import_module(name).add_parser(subparsers)
    return parser


# Commands that grade in this process: their sandbox zygote starts before the rest of the kit is
# imported, so its own start-up (a Python importing numpy) runs beside ours, not after it.
GRADES_HERE = ("grade", "gradescope", "pytest")


def main(argv=None) -> int:
    words = sys.argv[1:] if argv is None else argv
    if words and words[0] in GRADES_HERE and "-h" not in words and "--help" not in words:
        from ..sandbox.process import start_zygote

        start_zygote()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CannotGrade as exc:
        print(f"autograder {args.command}: {exc}", file=sys.stderr)
        return EXIT_CANNOT_GRADE


if __name__ == "__main__":
    sys.exit(main())
