"""Grade a class's pull requests from the instructor's side: fetch, (grade-all), post.

The grade of record is computed where learners cannot write: the instructor's private kit
repository runs this with a token only it holds (docs/ci.md). Three phases, so that the job
holding a write token never runs learner code and the grading jobs hold no token at all:

1. `fetch`: list the assignment's repositories (GitHub Classroom's `<assignment>-<login>`
   names, or a roster), the newest open pull requests of each (at most `max_pulls`: one
   learner's flood of pull requests costs the class that many gradings, no more), and take the
   submission at the PR's head commit out of the API's tarball as data by the one rule
   (`ch01.ipynb` when the repository's folder holds one, else `nn_basics.py`; tarball.py: regular
   files only, links refused). A head commit that already carries our status is skipped: an
   unchanged PR posts nothing. Writes `submissions/<entry>/...` (what grade-all grades; the
   entry is the repository's full name and the PR's number, unique) and `manifest.json`.
2. `grade-all submissions --shard i/N`, then `merge` (shard.py): the class's gradebook.
3. `post`: one comment per pull request, found by its hidden marker AND by its author being
   the token's own identity (a learner quoting the marker is not us), updated rather than
   duplicated; and a commit status with a fixed context, the check the instructor requires.

Learner text never goes to stdout (a line starting with `::` would be a workflow command):
the log names repositories (GitHub restricts their characters), numbers and our own words.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from ..core.intake import (
    CLASSROOM_PREFIX,
    GRADED_NAMES,
    MAX_ID_BYTES,
    SKIPPED,
    SUFFIXES,
    Refused,
    from_archive,
)
from ..core.tarball import MAX_UNPACKED_BYTES, write
from ..messages import MESSAGES, t
from ..reporters import pr_comment
from ..reporters.pr_comment import COMMENT_MARKER
from ..results import number
from ..settings import SETTINGS
from .github import GitHub, GitHubError

STATUS_CONTEXT = "autograder / ch01"  # the required check; keep it fixed once a ruleset names it
MANIFEST = "manifest.json"
SUBMISSIONS = "submissions"
CLASSROOM_CSV = "classroom.csv"
# The repository's root, graded by the one rule (intake.graded_file): ch01.ipynb when it
# holds one, else nn_basics.py. A folder of the repository is graded by the rule too; a path
# ending in .py or .ipynb names the one file graded.
DEFAULT_SUBMISSION = ""
DEFAULT_PASS_MARK = SETTINGS.pass_mark
MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
MAX_REPOSITORIES = 500  # per run: GitHub scopes one App token to at most 500 repositories
# Per repository and run: the newest open pull requests graded (each may cost a 90 s grading),
# and how many of the next ones are told why they are not (each costs posts, which GitHub limits).
MAX_PULLS = 2
OVER_LIMIT_NOTICES = 3
OVER_LIMIT = "over-limit"  # a Pull.refused kind of our own: not graded, newer ones are open
_SHA = re.compile(r"^[0-9a-f]{40}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
GRADED_STATES = ("success", "failure")  # "error" (our fault) and "pending" are graded again


@dataclass
class Pull:
    """One open pull request to grade: where it is, what was taken, under which name."""

    entry: str  # the learner id in the gradebook and the submissions folder: <owner>+<repo>-pr<N>
    login: str
    repo: str  # owner/name of the learner's repository (the PR's base)
    number: int
    head_sha: str
    refused: str | None = None  # why the submission could not be taken: a Refused's kind


# --- phase 1: fetch ---------------------------------------------------------------------------


def read_roster(path: Path, org: str, assignment: str) -> list[tuple[str, str]]:
    """(login, owner/repo) per learner. A line is `login` (the repository is then GitHub
    Classroom's `org/<assignment>-<login>`) or `login owner/repo`; `#` starts a comment.
    GitHub Classroom's roster export (a CSV with a `github_username` column) works as is."""
    text = path.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text.strip() else ""
    if "github_username" in first:
        logins = [row["github_username"].strip() for row in csv.DictReader(text.splitlines())]
        return [(login, f"{org}/{assignment}-{login}") for login in logins if login]
    learners = []
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            learners.append((fields[0], fields[1] if len(fields) > 1 else f"{org}/{assignment}-{fields[0]}"))
    return learners


def classroom_repos(github: GitHub, org: str, assignment: str) -> list[tuple[str, str]]:
    """(login, owner/repo) for each repository named `<assignment>-<login>` in the org."""
    prefix = f"{assignment}-".lower()
    found = []
    for repo in github.org_repos(org):
        name = repo["name"]
        if name.lower().startswith(prefix) and len(name) > len(prefix):
            found.append((name[len(prefix) :], repo["full_name"]))
    return sorted(found)


def already_graded(statuses: list[dict], bot: str, context: str = STATUS_CONTEXT) -> bool:
    """Our own final status is on this commit: grading it again would change nothing. A
    status with our context set by anyone else (a learner's workflow can set statuses on its
    own repository) does not count."""
    return any(
        s.get("context") == context
        and (s.get("creator") or {}).get("login") == bot
        and s.get("state") in GRADED_STATES
        for s in statuses
    )


def fetch(
    github: GitHub,
    learners: list[tuple[str, str]],
    out_dir: Path,
    bot: str,
    submission: str = DEFAULT_SUBMISSION,
    regrade: bool = False,
    max_repositories: int = MAX_REPOSITORIES,
    log=print,
    max_pulls: int = MAX_PULLS,
) -> dict:
    """Phase 1: write out_dir/submissions/<entry>/... and out_dir/manifest.json; return the
    manifest. A repository GitHub will not show is logged and left for the next run, and so
    are those past `max_repositories` with something to grade (the post job's token is scoped
    to the repositories it writes to, and GitHub scopes one token to at most 500). Of a
    repository's open pull requests the newest `max_pulls` are graded; the next few are told
    why not (`OVER_LIMIT`, after every graded one), the rest are only counted. A pull request
    whose entry another already has is skipped with a warning, never written over it."""
    submissions = out_dir / SUBMISSIONS
    submissions.mkdir(parents=True, exist_ok=True)
    pulls: list[Pull] = []
    notices: list[Pull] = []
    taken: set[str] = set()
    skipped, failed, deferred, over_limit, duplicates = 0, [], 0, 0, []
    for login, repo in learners:
        if len({p.repo for p in [*pulls, *notices]}) >= max_repositories:
            deferred += 1
            continue
        try:
            listed = sorted(github.open_pulls(repo), key=lambda pr: int(pr["number"]), reverse=True)
            for rank, pr in enumerate(listed):
                pull = Pull(_entry(repo, pr["number"]), login, repo, int(pr["number"]), _head_sha(repo, pr))
                if rank >= max_pulls + OVER_LIMIT_NOTICES:
                    over_limit += 1
                    continue
                if not _unique(pull, taken):
                    duplicates.append(f"{repo}#{pull.number}")
                    log(
                        f"{_safe(repo)}#{pull.number} is named {pull.entry} as another pull request is: skipped"
                    )
                    continue
                statuses = github.statuses(repo, pull.head_sha)
                if not regrade and already_graded(statuses, bot):
                    skipped += 1
                elif rank >= max_pulls:
                    over_limit += 1
                    if not _told_over_limit(statuses, bot, max_pulls):
                        pull.refused = OVER_LIMIT
                        notices.append(pull)
                else:
                    _take(github, pull, out_dir, submission)
                    pulls.append(pull)
        except GitHubError as exc:
            failed.append(repo)
            log(f"cannot read {_safe(repo)}: {exc.status}; it is graded at the next run")
    manifest = {
        "submission": submission,
        "max_pulls": max_pulls,
        "pulls": [asdict(p) for p in [*pulls, *notices]],  # answered in this order: grades first
        "skipped": skipped,
        "unreadable": failed,
        "deferred": deferred,
        "over_limit": over_limit,
        "duplicates": duplicates,
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    log(
        f"{len(pulls)} pull requests to grade ({sum(1 for p in pulls if p.refused)} refused), "
        f"{skipped} unchanged since graded, {over_limit} past the newest {max_pulls} of their repository "
        f"({len(notices)} told so now), {len(duplicates)} with a name already taken, "
        f"{len(failed)} repositories unreadable, {deferred} repositories left for the next run"
    )
    return manifest


def _head_sha(repo: str, pr: dict) -> str:
    sha = (pr.get("head") or {}).get("sha", "")
    if not _SHA.match(sha):
        raise GitHubError("GET", f"/repos/{repo}/pulls", 200, "a pull request without a head commit")
    return sha


def _unique(pull: Pull, taken: set[str]) -> bool:
    """Whether `pull.entry` is free (as a case-insensitive file system sees it); takes it if so."""
    key = pull.entry.casefold()
    if key in taken:
        return False
    taken.add(key)
    return True


def _take(github: GitHub, pull: Pull, out_dir: Path, submission: str) -> None:
    """The submission at the head commit, taken by the kit's intake and written where grade-all
    reads it, or why not."""
    try:
        archive = github.tarball(pull.repo, pull.head_sha, MAX_ARCHIVE_BYTES)
        name, data = from_archive(archive, submission)
    except Refused as refused:
        pull.refused = refused.kind
        return
    if submission.endswith(SUFFIXES):
        write(data, submission_path(out_dir, pull.entry, submission))
    else:
        write(data, out_dir / SUBMISSIONS / pull.entry / name)


def _refusal_message(kind: str) -> str:
    """The learner's message for a Refused's kind as a manifest keeps it."""
    reason = Refused.reason_of(kind)
    return reason if reason in MESSAGES else "refused_special"


def submission_path(out_dir: Path, entry: str, submission: str) -> Path:
    """A notebook named directly is graded as `<entry>.ipynb`; a module keeps its name in
    `<entry>/`, as the file the rule picks does."""
    if submission.endswith(".ipynb"):
        return out_dir / SUBMISSIONS / f"{entry}.ipynb"
    return out_dir / SUBMISSIONS / entry / Path(submission).name


def rule_names(folder: str) -> str:
    """What the rule looks for in a repository folder, for a learner's message."""
    return " / ".join(str(PurePosixPath(folder.strip("/"), name)) for name in GRADED_NAMES)


def _entry(repo: str, number: int) -> str:
    """`<owner>+<name>-pr<N>`: the repository's full name, which GitHub keeps unique and which
    no learner chooses for another (a login taken from a repository's name did: ch01-_alice
    read as alice). An owner holds no `+` and a name no `+`, so different repositories give
    different entries. The entry is also the learner id grade-all gives the folder (never one
    it renames: a `ch01-` start, a `.` or `__` start, past MAX_ID_BYTES), so its report is
    `<entry>.json`."""
    owner, _, name = repo.partition("/")
    entry = f"{_UNSAFE.sub('_', owner)}+{_UNSAFE.sub('_', name)}-pr{int(number)}"
    if entry.startswith((CLASSROOM_PREFIX, *SKIPPED)) or not entry[0].isalnum():
        entry = "~" + entry  # no other entry starts so: GitHub's owners start with a letter or digit
    return entry[:MAX_ID_BYTES]


def _safe(repo: str) -> str:
    """A repository name fit for the log: GitHub's own characters, anything else a `?`."""
    return re.sub(r"[^A-Za-z0-9._/-]", "?", repo)


# --- phase 3: post ----------------------------------------------------------------------------


@dataclass
class Outcome:
    """What phase 3 decided for one pull request: the status it sets and the comment body."""

    state: str  # success / failure / error
    description: str
    body: str
    score: float | None = None
    max_score: float | None = None


def post(
    github: GitHub,
    out_dir: Path,
    reports: Path,
    bot: str,
    pass_mark: float = DEFAULT_PASS_MARK,
    lang: str = "zh",
    log=print,
) -> dict[str, int]:
    """Phase 3: a comment and a status per pull request of the manifest that has a result.
    Pull requests of a shard that did not finish have none: nothing is posted for them, so
    the next run grades them again. Writes reports/classroom.csv, one row per pull request."""
    manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    counts = dict.fromkeys(
        (
            "comments created",
            "comments updated",
            "comments unchanged",
            "statuses set",
            "not graded",
            "failed",
        ),
        0,
    )
    rows = []
    max_pulls = manifest.get("max_pulls", MAX_PULLS)
    for data in manifest["pulls"]:
        pull = Pull(**data)
        outcome = decide(pull, reports, pass_mark, lang, manifest["submission"], max_pulls)
        if outcome is None:
            counts["not graded"] += 1
            rows.append([pull.repo, pull.number, pull.login, pull.head_sha, "not graded", "", "", ""])
            continue
        try:
            comment = upsert_comment(github, pull.repo, pull.number, outcome.body, bot)
            status = set_status(github, pull.repo, pull.head_sha, outcome.state, outcome.description, bot)
        except GitHubError as exc:
            counts["failed"] += 1
            log(f"cannot post to {_safe(pull.repo)}#{pull.number}: {exc.status}")
            continue
        counts[f"comments {comment}"] += 1
        counts["statuses set"] += status
        rows.append(
            [
                pull.repo,
                pull.number,
                pull.login,
                pull.head_sha,
                outcome.state,
                "" if outcome.score is None else str(number(outcome.score)),
                "" if outcome.max_score is None else str(number(outcome.max_score)),
                pull.refused or "",
            ]
        )
    reports.mkdir(parents=True, exist_ok=True)
    with (reports / CLASSROOM_CSV).open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["repository", "pull_request", "login", "head_sha", "state", "score", "max_score", "refused"]
        )
        writer.writerows(rows)
    log(", ".join(f"{name} {count}" for name, count in counts.items()))
    return counts


def decide(
    pull: Pull,
    reports: Path,
    pass_mark: float,
    lang: str,
    submission: str = DEFAULT_SUBMISSION,
    max_pulls: int = MAX_PULLS,
) -> Outcome | None:
    """The status and comment for one pull request, from its report (None: not graded)."""
    if pull.refused == OVER_LIMIT:  # not graded, and graded once it is among the newest again
        body = pr_comment.body(
            [t("comment_over_limit", limit=max_pulls).render(lang)], pull.head_sha, lang, graded=False
        )
        return Outcome("error", over_limit_description(max_pulls), body)
    if pull.refused:
        max_score = _rubric_total()
        reason = t(
            _refusal_message(pull.refused),
            name=submission if submission.endswith(SUFFIXES) else rule_names(submission),
            megabytes=MAX_UNPACKED_BYTES // 2**20,
        )
        body = pr_comment.body(
            [pr_comment.verdict(False, pass_mark, lang), t("comment_refused", reason=reason).render(lang)],
            pull.head_sha,
            lang,
        )
        return Outcome(
            "failure", _describe(0.0, max_score, pass_mark, f"refused ({pull.refused})"), body, 0.0, max_score
        )
    report = reports / f"{pull.entry}.json"
    if not report.is_file():
        return None
    from ..reporters import markdown
    from ..results import Results
    from .gradebook import gradebook_error

    # the lossless results grade-all wrote (results.py), both languages: never rebuilt from text
    try:
        results = Results.from_dict(json.loads(report.read_text(encoding="utf-8"))["results"])
    except (ValueError, KeyError, TypeError):  # not a report of this kit: not graded, graded next run
        return None
    # the gradebook's error also says why a learner's own submission lost points (their load
    # error, nothing defined): that is theirs, graded; anything else there is the grader's fault
    # (a timeout, a crash, a check that broke) and never the learner's 0
    if gradebook_error(results) not in ("", results.reason):
        return Outcome(
            "error",
            "grader error; graded again at the next run",
            pr_comment.body([t("comment_grader_error").render(lang)], pull.head_sha, lang),
        )
    passed = reaches_pass_mark(results.score, results.max_score, pass_mark)
    shown = markdown.render(results, lang=lang).strip()
    return Outcome(
        "success" if passed else "failure",
        _describe(results.score, results.max_score, pass_mark),
        pr_comment.body([pr_comment.verdict(passed, pass_mark, lang), shown], pull.head_sha, lang),
        results.score,
        results.max_score,
    )


def over_limit_description(max_pulls: int) -> str:
    return f"not graded: only the newest {max_pulls} open pull requests of a repository are graded"


def _told_over_limit(statuses: list[dict], bot: str, max_pulls: int) -> bool:
    """Our newest status on this commit already says it is past the newest: nothing to post."""
    newest = next(iter(_ours(statuses, bot)), {})
    return newest.get("state") == "error" and newest.get("description") == over_limit_description(max_pulls)


def _ours(statuses: list[dict], bot: str) -> list[dict]:
    """Our statuses of our context, newest first: a learner's workflow can set one too."""
    return [
        s
        for s in statuses
        if s.get("context") == STATUS_CONTEXT and (s.get("creator") or {}).get("login") == bot
    ]


def upsert_comment(github: GitHub, repo: str, number: int, body: str, bot: str) -> str:
    """created / updated / unchanged. Ours is the first comment that both carries the marker
    and was written by `bot`, the identity of the token: marker alone is not proof."""
    for comment in github.issue_comments(repo, number):
        if (comment.get("user") or {}).get("login") == bot and COMMENT_MARKER in (comment.get("body") or ""):
            if comment["body"] == body:
                return "unchanged"
            github.update_comment(repo, comment["id"], body)
            return "updated"
    github.create_comment(repo, number, body)
    return "created"


def set_status(github: GitHub, repo: str, sha: str, state: str, description: str, bot: str) -> bool:
    """Set our status unless our newest one on this commit already says the same."""
    ours = _ours(github.statuses(repo, sha), bot)
    if ours and ours[0].get("state") == state and ours[0].get("description") == description:
        return False
    github.create_status(repo, sha, state, STATUS_CONTEXT, description)
    return True


def reaches_pass_mark(score: float, max_score: float, pass_mark: float) -> bool:
    """Pass mark in percent of the maximum; reaching it exactly passes. The tolerance absorbs
    float sums of partial credit (59.99999999 of 100 is 60)."""
    if max_score <= 0:
        return False
    return score * 100 >= pass_mark * max_score - 1e-6


def _describe(score: float, max_score: float, pass_mark: float, note: str = "") -> str:
    """The status description (GitHub keeps 140 characters): the score, then the pass mark."""
    return f"{number(score)} / {number(max_score)} (pass mark {number(pass_mark)}%)" + (
        f": {note}" if note else ""
    )


def _rubric_total() -> float:
    from ..core.grade import load_rubric

    return sum(float(p) for table in load_rubric().values() for p in table.values())
