"""`python -m autograder ci`: grade a pull request's submission inside GitHub Actions.

The grading workflow (templates/learner-repo/.github/workflows/grade.yml) stays a few thin
steps because this command does everything it needs from what GitHub provides:

- reads the pull_request event (`GITHUB_EVENT_PATH`): PR number, head commit, base repository;
- grades the submission with the sandboxed grader (`grade_submission`), nothing else;
- appends the Markdown report to the job summary (`GITHUB_STEP_SUMMARY`);
- writes the PR comment body (with a hidden marker, so the workflow finds and updates its one
  comment) to a file, and `score`, `max_score`, `passed`, ... to `GITHUB_OUTPUT`;
- exits 0 when the score reaches the pass mark, 1 below it, 2 when grading could not run.

Trust: the exit status and every output come from the grader's own score. The learner's
exit code, printed output and files never reach them (learner code runs only in the sandbox
worker), and the GitHub file-command variables are removed from the environment before any
learner code starts, so a submission cannot write its own `score=100` into `GITHUB_OUTPUT`.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path

# Hidden in the rendered comment; the workflow finds the comment to update by it. It is also
# written to GITHUB_OUTPUT, so the workflow and this module cannot disagree about it.
COMMENT_MARKER = "<!-- nn-kit-autograder:score-comment -->"
DEFAULT_SUBMISSION = "."  # a folder: graded by autograder.submission.graded_file, the one rule
DEFAULT_PASS_MARK = 60.0  # percent of the maximum score; the rubric totals 100 points
COMMENT_FILENAME = "autograder-comment.md"
# GitHub rejects comments over 65,536 characters; the job summary keeps the full report.
COMMENT_LIMIT = 60_000

EXIT_PASSED, EXIT_BELOW_PASS_MARK, EXIT_CANNOT_GRADE = 0, 1, 2

# Variables naming files whose content GitHub turns into outputs, environment, PATH or the
# summary. Learner code must never see them (see `_take_github_files`).
_FILE_COMMAND_VARIABLES = ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH",
                           "GITHUB_STATE")

_TEXT = {
    "zh": {
        "title": "自动评分（autograder）",
        "passed": "✅ 通过（passed）",
        "failed": "❌ 未通过（not passed）",
        "verdict_line": "{verdict}：及格线（pass mark）是满分的 {pass_mark}%。",
        "commit": "评分的提交（commit）：`{sha}`。每次向这个拉取请求（pull request）推送新的提交，都会重新评分并更新这条评论。",
        "trust": "分数只来自评分程序自己的检查；修改测试文件或工作流（workflow）文件不会改变分数。",
        "truncated": "（报告过长，这里只显示了开头；完整报告见这次运行的摘要（job summary）。）",
        "cannot_grade": "无法评分（could not grade）：{error}",
        "missing": "这个拉取请求里没有 `{name}`（file not found）：提交的文件要用这个文件名，放在约定的位置。",
        "grader_error": "评分程序自身出错，这不是你的代码造成的；请联系老师（instructor）。",
    },
    "en": {
        "title": "Autograder",
        "passed": "✅ passed",
        "failed": "❌ not passed",
        "verdict_line": "{verdict}: the pass mark is {pass_mark}% of the maximum score.",
        "commit": "Graded commit: `{sha}`. Every new commit pushed to this pull request is graded again and this comment updated.",
        "trust": "The score comes only from the grader's own checks; editing test or workflow files does not change it.",
        "truncated": "(The report is too long for a comment and was cut; the run's job summary has all of it.)",
        "cannot_grade": "Could not grade: {error}",
        "missing": "`{name}` is not in this pull request: the submission must keep this file name and place.",
        "grader_error": "the grader itself failed, not because of your code; please tell your instructor.",
    },
}


@dataclass(frozen=True)
class PullRequest:
    """What the comment and the outputs need from the event; all optional outside a PR."""

    number: int | None = None
    head_sha: str | None = None
    repository: str | None = None  # the base repository, where the comment goes


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register `ci` on the CLI's subparsers; the CLI calls `args.func(args)`."""
    parser = subparsers.add_parser(
        "ci",
        help="grade a pull request's submission inside GitHub Actions",
        description=(
            "Grade SUBMISSION for the pull request in GITHUB_EVENT_PATH: append the Markdown "
            "report to GITHUB_STEP_SUMMARY, write the PR comment body and score, max_score, "
            "passed, comment_path to GITHUB_OUTPUT, and exit 0 when the score reaches the pass "
            "mark, 1 below it, 2 when grading could not run."
        ),
    )
    parser.add_argument(
        "submission", nargs="?",
        default=os.environ.get("AUTOGRADER_SUBMISSION", DEFAULT_SUBMISSION),
        help="a folder (graded from ch01.ipynb when it holds one, else nn_basics.py), a .py or a notebook "
             "(default: $AUTOGRADER_SUBMISSION or %(default)s)",
    )
    parser.add_argument(
        "--pass-mark", type=_pass_mark,
        default=_pass_mark(os.environ.get("AUTOGRADER_PASS_MARK", str(DEFAULT_PASS_MARK))),
        help="percent of the maximum score needed to pass, 0-100 "
             "(default: $AUTOGRADER_PASS_MARK or 60)",
    )
    parser.add_argument(
        "--lang", choices=("zh", "en"), default=os.environ.get("AUTOGRADER_LANG", "zh"),
        help="language of the report and the comment (default: $AUTOGRADER_LANG or zh)",
    )
    parser.add_argument(
        "--comment-file", type=Path, default=None,
        help=f"where to write the PR comment body (default: $RUNNER_TEMP/{COMMENT_FILENAME}, "
             f"or ./{COMMENT_FILENAME} outside Actions)",
    )
    parser.set_defaults(func=run)
    return parser


def _pass_mark(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100, got {value:g}")
    return value


def run(args: argparse.Namespace) -> int:
    github = _take_github_files()
    try:
        pr = read_pull_request(github.get("GITHUB_EVENT_PATH"))
    except (OSError, ValueError) as exc:
        print(f"autograder ci: cannot read the event payload: {exc}", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    submission = Path(args.submission)
    if not submission.exists():
        # A PR that deletes or renames the submission is the learner's doing but not a grade:
        # say so where the learner looks, and fail the check.
        missing = _TEXT[args.lang]["missing"].format(name=submission.name)
        _publish(_cannot_grade_body(missing, pr, args.lang), None, args, github, pr)
        print(f"autograder ci: {submission} not found", file=sys.stderr)
        return EXIT_CANNOT_GRADE

    # Imported here so that `--help` and argument errors work even while a grader dependency
    # is missing, and so the workflow tests can import this module cheaply.
    from autograder.grade import grade_submission
    from autograder.reporters import markdown

    try:
        results = grade_submission(str(submission), lang=args.lang)
    except FileNotFoundError as exc:  # e.g. a folder without nn_basics.py
        missing = _TEXT[args.lang]["missing"].format(name=Path(exc.filename or submission).name)
        _publish(_cannot_grade_body(missing, pr, args.lang), None, args, github, pr)
        print(f"autograder ci: {exc}", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    except Exception:
        # A grader failure must not look like a learner below the pass mark (exit 1), nor
        # leave the PR without a word.
        traceback.print_exc()
        _publish(_cannot_grade_body(_TEXT[args.lang]["grader_error"], pr, args.lang), None,
                 args, github, pr)
        return EXIT_CANNOT_GRADE
    passed = reaches_pass_mark(results.score, results.max_score, args.pass_mark)
    body = comment_body(markdown.render(results, lang=args.lang), passed, args.pass_mark, pr,
                        args.lang)
    _publish(body, (results.score, results.max_score, passed), args, github, pr)
    print(f"score {_fmt(results.score)} / {_fmt(results.max_score)}, pass mark "
          f"{_fmt(args.pass_mark)}%: {'passed' if passed else 'not passed'}")
    return EXIT_PASSED if passed else EXIT_BELOW_PASS_MARK


def _take_github_files() -> dict[str, str]:
    """Read GitHub's variables and remove the file-command ones from this process's
    environment, so the sandbox worker (started later, inheriting it) can never write to
    them even if its own scrubbing missed one."""
    github = {name: os.environ[name] for name in ("GITHUB_EVENT_PATH", "RUNNER_TEMP")
              if os.environ.get(name)}
    for name in _FILE_COMMAND_VARIABLES:
        value = os.environ.pop(name, None)
        if value:
            github[name] = value
    return github


def read_pull_request(event_path: str | None) -> PullRequest:
    """The PR number, head commit and base repository of a pull_request(_target) event;
    empty fields for other events or a local run."""
    if not event_path:
        return PullRequest()
    event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    if not isinstance(event, dict):
        raise ValueError("the event payload is not a JSON object")
    pull = event.get("pull_request") or {}
    repository = ((pull.get("base") or {}).get("repo") or {}).get("full_name") \
        or (event.get("repository") or {}).get("full_name")
    return PullRequest(number=pull.get("number") or event.get("number"),
                       head_sha=(pull.get("head") or {}).get("sha"),
                       repository=repository)


def reaches_pass_mark(score: float, max_score: float, pass_mark: float) -> bool:
    """Pass mark in percent of the maximum; reaching it exactly passes. The tolerance absorbs
    float sums of partial credit (59.99999999 of 100 is 60)."""
    if max_score <= 0:
        return False
    return score * 100 >= pass_mark * max_score - 1e-6


def comment_body(report: str, passed: bool, pass_mark: float, pr: PullRequest,
                 lang: str) -> str:
    """The learner-facing Markdown: marker, verdict against the pass mark, the grader's
    Markdown report (which carries the score and the table)."""
    text = _TEXT[lang]
    verdict = text["passed"] if passed else text["failed"]
    lines = [COMMENT_MARKER, f"## {text['title']}", "",
             text["verdict_line"].format(verdict=verdict, pass_mark=_fmt(pass_mark)), ""]
    if pr.head_sha:
        lines += [text["commit"].format(sha=pr.head_sha[:12]), ""]
    lines += [report.strip(), "", f"<sub>{text['trust']}</sub>", ""]
    return "\n".join(lines)


def _cannot_grade_body(error: str, pr: PullRequest, lang: str) -> str:
    text = _TEXT[lang]
    lines = [COMMENT_MARKER, f"## {text['title']}", "", text["failed"], "",
             text["cannot_grade"].format(error=error), ""]
    if pr.head_sha:
        lines += [text["commit"].format(sha=pr.head_sha[:12]), ""]
    return "\n".join(lines)


def _publish(body: str, outcome: tuple[float, float, bool] | None,
             args: argparse.Namespace, github: dict[str, str], pr: PullRequest) -> None:
    """Write the summary, the comment file and the outputs; print the report outside Actions."""
    summary = github.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(body.replace(COMMENT_MARKER + "\n", "", 1) + "\n")
    else:
        print(body)

    comment_path = args.comment_file or Path(github.get("RUNNER_TEMP", ".")) / COMMENT_FILENAME
    comment_path = comment_path.resolve()
    comment_path.parent.mkdir(parents=True, exist_ok=True)
    comment_path.write_text(_fit_comment(body, args.lang), encoding="utf-8")

    outputs: dict[str, str] = {
        "comment_path": str(comment_path),
        "comment_marker": COMMENT_MARKER,
        "pass_mark": _fmt(args.pass_mark),
    }
    if outcome is not None:
        score, max_score, passed = outcome
        outputs.update(score=_fmt(score), max_score=_fmt(max_score),
                       passed="true" if passed else "false")
    else:
        outputs["passed"] = "false"
    if pr.number is not None:
        outputs["pr_number"] = str(pr.number)
    if pr.head_sha:
        outputs["head_sha"] = pr.head_sha
    if pr.repository:
        outputs["repository"] = pr.repository
    outputs["comment"] = comment_path.read_text(encoding="utf-8")
    if github.get("GITHUB_OUTPUT"):
        with open(github["GITHUB_OUTPUT"], "a", encoding="utf-8") as f:
            f.write(format_outputs(outputs))


def _fit_comment(body: str, lang: str) -> str:
    if len(body) <= COMMENT_LIMIT:
        return body
    return body[:COMMENT_LIMIT].rsplit("\n", 1)[0] + "\n\n" + _TEXT[lang]["truncated"] + "\n"


def format_outputs(outputs: dict[str, str]) -> str:
    """GITHUB_OUTPUT lines: `name=value`, or the heredoc form with a delimiter that cannot
    occur in the value for multi-line values."""
    lines = []
    for name, value in outputs.items():
        if "\n" in value or "\r" in value:
            delimiter = f"ghadelimiter_{uuid.uuid4().hex}"
            lines += [f"{name}<<{delimiter}", value.rstrip("\n"), delimiter]
        else:
            lines.append(f"{name}={value}")
    return "\n".join(lines) + "\n"


def parse_outputs(text: str) -> dict[str, str]:
    """Read GITHUB_OUTPUT the way the runner does (later values win); used by the tests and
    by instructors checking a local run."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for inner in lines:
                if inner == delimiter:
                    break
                value.append(inner)
            else:
                raise ValueError(f"output {name!r}: delimiter {delimiter!r} never closes")
            outputs[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def _fmt(value: float) -> str:
    """60.0 -> "60", 87.5 -> "87.5": numbers as the Markdown report writes them."""
    from autograder.reporters import number

    return str(number(value))
