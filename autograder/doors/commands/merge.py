"""`merge PART...`: combine the folders written by `grade-all --shard i/N` into one gradebook."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ...settings import add_lang_argument, add_output_dir_argument
from ..batch import GRADEBOOK
from . import EXIT_DONE, EXIT_INCOMPLETE, CannotGrade


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "merge",
        help="combine shard gradebooks into one",
        description="Combine the output folders of `grade-all --shard i/N` into one gradebook.csv, "
        "one folder of reports and class.html. Exits 1 (after writing what it has) when a shard is missing.",
    )
    parser.add_argument(
        "parts", type=Path, nargs="*", help="the shards' output folders (missing ones are fine)"
    )
    add_output_dir_argument(parser, "the merged gradebook goes")
    parser.add_argument(
        "--shards", type=int, default=None, help="how many shards there were (default: as the shards say)"
    )
    add_lang_argument(parser, "class.html")
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    from ..shard import MergeError, merge

    try:
        result = merge(args.parts, args.output_dir, expect=args.shards)
    except MergeError as exc:
        raise CannotGrade(str(exc)) from None
    print(
        f"merged {len(result.merged)} of {result.count} shards, {result.learners} learners, into "
        f"{args.output_dir / GRADEBOOK}",
        file=sys.stderr,
    )
    if result.errors:
        print(
            f"autograder merge: {len(result.errors)} learners have an error noted in the gradebook's error column "
            f"(a grader error or a timeout: re-grade them after a fix; no submission, a load error, "
            f"nothing defined: their own): "
            + ", ".join(_loggable(learner) for learner in sorted(result.errors)),
            file=sys.stderr,
        )
    from .. import classreport  # matplotlib: imported only by the commands that draw

    print(classreport.after_grading(args.output_dir, result.ids, args.lang), file=sys.stderr)
    if result.missing:
        print(
            f"autograder merge: shards {', '.join(map(str, result.missing))} of {result.count} did not finish; "
            f"their learners have no row (grade them again)",
            file=sys.stderr,
        )
        return EXIT_INCOMPLETE
    return EXIT_DONE


def _loggable(learner: str) -> str:
    """A learner id fit for a CI log: no line break or control character of theirs can start a
    workflow command (`::...`); anything outside a login's characters shows as `?`."""
    return re.sub(r"[^\w.@+-]", "?", learner)
