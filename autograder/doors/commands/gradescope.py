"""`gradescope`: what the bundle's run_autograder runs for each submission on Gradescope.

Gradescope's autograder spec: the learner's files are in /autograder/submission, and
/autograder/results/results.json is what it shows. This door always writes that file: a
submission with nothing gradable (no file, a link, an empty folder) gets every check failed
with the reason and 0 points, a report and exit 0 like any graded submission.

The graded file follows the kit's rule: `ch01.ipynb` when present, else `nn_basics.py`.
The submission is untrusted data: a link in the graded file's path is refused, never followed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ...core import intake
from ...messages import Text, t
from ...quoting import one_line
from ...reporters.gradescope import VISIBILITIES
from ...settings import LANGUAGES, SETTINGS, add_lang_argument
from . import EXIT_DONE, CannotGrade

DEFAULT_ROOT = "/autograder"
ROOT_ENV = "NN_GRADESCOPE_ROOT"  # tests point the door at a simulated /autograder tree
MAX_DEPTH = intake.MAX_DEPTH


class NothingToGrade(Exception):
    """The submission holds no gradable file: `message` says why, in both languages."""

    def __init__(self, message: Text):
        super().__init__(message.en)
        self.message = message

    def text(self, lang: str) -> str:
        return self.message.render(lang)


def graded_file(folder: Path) -> Path:
    """The file this door grades: the kit's intake on the upload (intake.graded_file), searched
    MAX_DEPTH folders down since a zip upload or a repository may nest it. A link or a file that
    is not a regular one, met where the rule looks, is refused, not skipped: silently grading
    another file would surprise the learner."""
    try:
        return intake.graded_file(folder, depth=MAX_DEPTH)
    except intake.NoSubmission:
        raise NothingToGrade(t("nothing_to_grade")) from None
    except intake.Refused as refused:
        if refused.kind == "link":
            raise NothingToGrade(t("submission_is_link", name=_shown(refused, folder))) from None
        from ...checks.common import refusal_reason  # deferred: the door starts without the checks

        raise NothingToGrade(t("load_refused", reason=refusal_reason(refused))) from None


def _shown(refused: intake.Refused, folder: Path) -> str:
    """The refused file's path inside the upload (the upload's own name when it is refused)."""
    where = Path(refused.path or folder)
    return str(where.relative_to(folder)) if where.is_relative_to(folder) and where != folder else folder.name


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "gradescope",
        help="grade /autograder/submission into /autograder/results/results.json",
        description="Gradescope's run_autograder step. Paths default to the spec's /autograder tree "
        f"(or ${ROOT_ENV}); the bundle's gradescope.json sets visibility and language.",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help=f"the autograder tree (default: ${ROOT_ENV} or {DEFAULT_ROOT})",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="JSON with `visibility` and `lang` (default: ROOT/source/gradescope.json if present)",
    )
    parser.add_argument(
        "--visibility",
        choices=VISIBILITIES,
        default=None,
        help="when learners see each check's name and feedback (default: after_published)",
    )
    add_lang_argument(parser, default=None)  # None: the bundle's gradescope.json says
    parser.set_defaults(func=run)
    return parser


def settings(args) -> tuple[Path, str, str]:
    root = args.root or Path(os.environ.get(ROOT_ENV, DEFAULT_ROOT))
    config_path = args.config or root / "source" / "gradescope.json"
    config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.is_file() else {}
    visibility = args.visibility or config.get("visibility", "after_published")
    lang = args.lang or config.get("lang", SETTINGS.lang)
    if visibility not in VISIBILITIES or lang not in LANGUAGES:
        raise ValueError(f"{config_path}: visibility {visibility!r} or lang {lang!r} is not allowed")
    return root, visibility, lang


def run(args) -> int:
    from ...core.grade import grade_submission, without_results
    from ...reporters.gradescope import to_dict

    try:
        root, visibility, lang = settings(args)
    except ValueError as exc:
        raise CannotGrade(str(exc)) from None
    submission = root / "submission"
    try:
        path = graded_file(submission)
    except NothingToGrade as reason:
        results = without_results(submission, reason.text(lang))
        data = to_dict(results, lang, visibility)
        data["output"] = reason.text(lang)  # the reason itself, not "error while loading"
        data["output_format"] = "text"
    else:
        # run_autograder's stdout, instructors only; the name is the learner's (any bytes, any
        # escape) and a strict UTF-8 stdout must not fail a correct submission: quoted
        print(f"grading {one_line(path.relative_to(submission))}")
        data = to_dict(grade_submission(path), lang, visibility)
    out = root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{data['score']} / {data['max_score']} written to {out}")
    return EXIT_DONE
