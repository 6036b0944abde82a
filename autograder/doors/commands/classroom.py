"""`classroom fetch|post|run`: grade a class's pull requests from the instructor's side.

fetch and post talk to GitHub (token in $GH_TOKEN, API at $GITHUB_API_URL as Actions sets
it); grading in between is `grade-all` (with `--shard` and `merge` at scale). `run` does all
three in one process, for a small class or a try-out. See autograder/doors/classroom.py.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ...settings import SETTINGS, add_lang_argument
from . import EXIT_DONE, EXIT_INCOMPLETE, CannotGrade

TOKEN_VARIABLES = ("GH_TOKEN", "GITHUB_TOKEN")


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "classroom",
        help="grade a class's pull requests on GitHub (instructor side)",
        description="Grade the open pull requests of an assignment's learner repositories from the "
        "instructor's side: fetch the submissions as data, grade them, post one comment and "
        "one commit status per pull request. Token in $GH_TOKEN; see docs/ci.md.",
    )
    phases = parser.add_subparsers(dest="phase", required=True, metavar="PHASE")

    fetch = phases.add_parser("fetch", help="list the class's open pull requests and take their submissions")
    _connection(fetch)
    _work_dir(fetch)
    _class(fetch)

    post = phases.add_parser("post", help="post the comment and status of every graded pull request")
    _connection(post)
    _work_dir(post)
    _verdict(post)
    post.add_argument(
        "--reports",
        type=Path,
        required=True,
        help="the gradebook and reports of the graded submissions (grade-all or merge output)",
    )

    run = phases.add_parser("run", help="fetch, grade and post in one go")
    _connection(run)
    _work_dir(run)
    _class(run)
    _verdict(run)
    run.add_argument("--jobs", "-j", type=int, default=1, help="submissions graded at once (default: 1)")

    fetch.set_defaults(func=_fetch)
    post.set_defaults(func=_post)
    run.set_defaults(func=_run)
    return parser


def _connection(parser) -> None:
    parser.add_argument(
        "--api-url",
        default=os.environ.get("GITHUB_API_URL", "https://api.github.com"),
        help="GitHub's REST API (default: $GITHUB_API_URL or https://api.github.com)",
    )
    parser.add_argument(
        "--bot-login",
        default=os.environ.get("AUTOGRADER_BOT_LOGIN"),
        help="the login the token acts as, e.g. my-grader[bot] for a GitHub App "
        "(default: $AUTOGRADER_BOT_LOGIN, else asked of the API, which works for a user token)",
    )


def _work_dir(parser) -> None:
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=Path("classroom"),
        help="where submissions/ and manifest.json go (default: classroom)",
    )


def _class(parser) -> None:
    parser.add_argument("--org", required=True, help="the organization holding the learner repositories")
    parser.add_argument(
        "--assignment", required=True, help="the assignment's name: repositories are ASSIGNMENT-LOGIN"
    )
    parser.add_argument(
        "--roster",
        type=Path,
        default=None,
        help="a roster instead of the org's repository list: `login` or `login owner/repo` "
        "per line, or GitHub Classroom's roster CSV",
    )
    parser.add_argument(
        "--submission",
        default=os.environ.get("AUTOGRADER_SUBMISSION", ""),
        help="where the submission is in a learner repository: a folder (empty: the root), graded "
        "from ch01.ipynb when it holds one, else nn_basics.py; or one .py or .ipynb file "
        "(default: $AUTOGRADER_SUBMISSION or the root)",
    )
    parser.add_argument(
        "--regrade", action="store_true", help="grade pull requests already graded at their head commit too"
    )
    parser.add_argument(
        "--max-pulls",
        type=_at_least_one,
        default=_at_least_one(os.environ.get("AUTOGRADER_MAX_PULLS", "2")),
        help="the newest open pull requests graded per learner repository; the next few get a status "
        "and comment saying why not (default: $AUTOGRADER_MAX_PULLS or 2)",
    )


def _verdict(parser) -> None:
    parser.add_argument(
        "--pass-mark",
        type=_pass_mark,
        default=_pass_mark(os.environ.get("AUTOGRADER_PASS_MARK", f"{SETTINGS.pass_mark:g}")),
        help="percent of the maximum score for a success status "
        f"(default: $AUTOGRADER_PASS_MARK or {SETTINGS.pass_mark:g})",
    )
    add_lang_argument(
        parser,
        "comments",
        default=os.environ.get("AUTOGRADER_LANG", SETTINGS.lang),
        shown_default=f"$AUTOGRADER_LANG or {SETTINGS.lang}",
    )


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _pass_mark(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100, got {value:g}")
    return value


def log(message: str) -> None:
    """Our own words only (classroom.py's rule): a prefix keeps any line from reading as a
    workflow command."""
    print(f"autograder classroom: {message}", flush=True)


def _connect(args):
    """The client, and who it is. The token leaves the environment here, so nothing started
    later (the graders of `run`) inherits it."""
    from ..github import GitHub, GitHubError

    token = next((os.environ.pop(name) for name in TOKEN_VARIABLES if os.environ.get(name)), None)
    for name in TOKEN_VARIABLES:
        os.environ.pop(name, None)
    if not token:
        raise CannotGrade(f"no token: set {' or '.join(TOKEN_VARIABLES)}")
    github = GitHub(token, args.api_url)
    bot = args.bot_login
    if not bot:
        try:
            bot = github.login()
        except GitHubError as exc:
            raise CannotGrade(
                f"cannot tell whom the token acts as ({exc.status}); pass --bot-login"
            ) from None
    return github, bot


def _learners(github, args):
    from ..classroom import classroom_repos, read_roster

    if args.roster is not None:
        return read_roster(args.roster, args.org, args.assignment)
    return classroom_repos(github, args.org, args.assignment)


def _fetch_phase(github, bot, args) -> dict:
    from ..classroom import fetch
    from ..github import GitHubError

    try:
        learners = _learners(github, args)
    except (GitHubError, OSError) as exc:
        raise CannotGrade(f"cannot list the class: {exc}") from None
    manifest = fetch(
        github,
        learners,
        args.work_dir,
        bot,
        args.submission,
        regrade=args.regrade,
        log=log,
        max_pulls=args.max_pulls,
    )
    pulls = manifest["pulls"]
    # For the workflow: whether there is anything to grade or post, and the repositories the
    # post job's write token is scoped to (names, as create-github-app-token takes them).
    _github_output(
        count=len(pulls),
        to_grade=sum(1 for p in pulls if not p["refused"]),
        repositories=",".join(sorted({p["repo"].split("/", 1)[1] for p in pulls})),
    )
    if manifest["unreadable"] and os.environ.get("GITHUB_ACTIONS"):
        # Our own text: the run goes on with the others, and the instructor sees the warning.
        print(
            f"::warning::{len(manifest['unreadable'])} learner repositories could not be read; "
            "they are graded at the next run (see the fetch log)"
        )
    if manifest["duplicates"] and os.environ.get("GITHUB_ACTIONS"):
        print(
            f"::warning::{len(manifest['duplicates'])} pull requests were not graded: their name was "
            "another's (the fetch log names them)"
        )
    return manifest


def _fetch(args) -> int:
    github, bot = _connect(args)
    with github:
        _fetch_phase(github, bot, args)
    return EXIT_DONE


def _post(args) -> int:
    from ..classroom import post

    github, bot = _connect(args)
    with github:
        counts = post(github, args.work_dir, args.reports, bot, args.pass_mark, args.lang, log=log)
    return EXIT_INCOMPLETE if counts["failed"] else EXIT_DONE


def _run(args) -> int:
    from ..batch import grade_all
    from ..classroom import SUBMISSIONS, post

    github, bot = _connect(args)
    with github:
        _fetch_phase(github, bot, args)
        reports = args.work_dir / "reports"
        grade_all(args.work_dir / SUBMISSIONS, reports, jobs=max(1, args.jobs), lang=args.lang)
        counts = post(github, args.work_dir, reports, bot, args.pass_mark, args.lang, log=log)
    return EXIT_INCOMPLETE if counts["failed"] or counts["not graded"] else EXIT_DONE


def _github_output(**values) -> None:
    """Counts for the workflow (e.g. skip the grading jobs when nothing is new)."""
    path = os.environ.get("GITHUB_OUTPUT")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.writelines(f"{name}={value}\n" for name, value in values.items())
