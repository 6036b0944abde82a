"""`similarity CLASS`: pairs of learners whose answers are alike, in similarity.html."""

from __future__ import annotations

import sys
from pathlib import Path

from ...settings import add_lang_argument, add_output_dir_argument
from . import EXIT_DONE, CannotGrade


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "similarity",
        help="find learners whose answers are alike (copydetect)",
        description="Compare every learner's answer in CLASS (any layout grade-all reads; notebooks by "
        "their answer cells) with copydetect, the released code left out, and write similarity.html: "
        "the pairs above the threshold, their code side by side. class.html in the same folder then "
        "links it.",
    )
    parser.add_argument("directory", type=Path, help="the class folder, as given to grade-all")
    add_output_dir_argument(parser, "similarity.html goes", beside=", beside grade-all's class.html")
    add_lang_argument(parser, "page")
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    from ...quoting import one_line
    from .. import classreport, similarity

    if not args.directory.is_dir():
        raise CannotGrade(f"not a folder: {args.directory}")
    answers, skipped = similarity.read_class(args.directory)
    pairs = similarity.similar_pairs(answers, similarity.given_code())
    args.output_dir.mkdir(parents=True, exist_ok=True)
    page = args.output_dir / classreport.SIMILARITY_PAGE
    page.write_text(similarity.render(pairs, skipped, args.lang), encoding="utf-8")
    if (args.output_dir / classreport.CLASS_PAGE).is_file():  # grade-all's page: now with the link
        classreport.write(classreport.read_reports(args.output_dir), args.output_dir, args.lang)
    print(
        f"compared {len(answers)} learners' answers ({len(skipped)} without code to compare): "
        f"{len(pairs)} pairs above the threshold in {page}",
        file=sys.stderr,
    )
    for pair in pairs:
        print(
            f"  {one_line(pair.left)} ~ {one_line(pair.right)}: {pair.similarity[0]:.0%} / {pair.similarity[1]:.0%}",
            file=sys.stderr,
        )
    return EXIT_DONE
