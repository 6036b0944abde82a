"""Classroom grading from the instructor's side, against a fake GitHub API on 127.0.0.1.

The end-to-end tests run the commands as the instructor's workflow runs them (subprocesses:
`classroom fetch` with a read-only token, `grade-all --shard`, `merge`, `classroom post` with
a write token) over a class whose pull requests are correct, wrong, symlinked and
test-editing, with a learner's comment quoting our marker and a learner's status forging our
context; one shard fails; then the class is run again, and again.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from autograder.core.tarball import MAX_MEMBER_BYTES, Refused, extract_member
from autograder.doors import classroom
from autograder.doors.github import GitHub, GitHubError, TooLarge
from autograder.doors.shard import Shard
from autograder.reporters import pr_comment
from tests.cli_in_process import run_cli
from tests.fake_github import FakeGitHub, Link, Pull, Token, tarball
from tests.mistakes import MISTAKES, correct_source, stub_source

ROOT = Path(__file__).resolve().parent.parent
BOT = "nn-grader[bot]"
READ, WRITE = "read-token", "write-token"
SHA = {
    name: f"{i:x}" * 40 for i, name in enumerate(["alice", "bob", "carol", "dave", "erin", "frank"], start=1)
}


# --- taking the submission out of the archive ----------------------------------------------


def archive(files: dict) -> bytes:
    return tarball("course/ch01-x", "a" * 40, files)


def test_a_regular_file_is_extracted_and_nothing_else(tmp_path):
    data = archive({"nn_basics.py": b"x = 1\n", "tests/test_nn_basics.py": b"assert True\n"})
    out = extract_member(data, "nn_basics.py", tmp_path / "alice" / "nn_basics.py")
    assert out.read_bytes() == b"x = 1\n"
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["nn_basics.py"]


@pytest.mark.parametrize(
    "entry, kind",
    [
        (Link("/etc/passwd"), "link"),
        (Link("../../solutions/nn_basics.py"), "link"),
        (Link("README.md", hard=True), "link"),
    ],
)
def test_a_link_is_refused_never_followed(tmp_path, entry, kind):
    data = archive({"README.md": b"readme", "nn_basics.py": entry})
    with pytest.raises(Refused) as refused:
        extract_member(data, "nn_basics.py", tmp_path / "s" / "nn_basics.py")
    assert refused.value.kind == kind and "link" in refused.value.reason
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize(
    "kind_of_file", [tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE, tarfile.DIRTYPE]
)
def test_a_device_fifo_or_folder_is_refused(tmp_path, kind_of_file):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("course-ch01-x-aaaaaaa/nn_basics.py")
        info.type = kind_of_file
        tar.addfile(info)
    with pytest.raises(Refused) as refused:
        extract_member(buffer.getvalue(), "nn_basics.py", tmp_path / "nn_basics.py")
    assert refused.value.kind == "special"
    assert not (tmp_path / "nn_basics.py").exists()


def test_missing_oversized_and_corrupt_archives_are_refused(tmp_path):
    target = tmp_path / "nn_basics.py"
    with pytest.raises(Refused) as missing:  # ../ or another folder is not the submission
        extract_member(archive({"sub/nn_basics.py": b"x", "../nn_basics.py": b"x"}), "nn_basics.py", target)
    assert missing.value.kind == "missing"
    with pytest.raises(Refused) as big:
        extract_member(archive({"nn_basics.py": b"#" * (MAX_MEMBER_BYTES + 1)}), "nn_basics.py", target)
    assert big.value.kind == "too-large"
    with pytest.raises(Refused) as corrupt:
        extract_member(b"<html>not a tarball</html>", "nn_basics.py", target)
    assert corrupt.value.kind == "bad-archive"
    assert not target.exists()


# --- pieces of the classroom logic -----------------------------------------------------------


@pytest.mark.parametrize(
    "score, max_score, pass_mark, expected",
    [
        (60, 100, 60, True),
        (59.5, 100, 60, False),
        (59.99999999, 100, 60, True),
        (30, 50, 60, True),
        (29, 50, 60, False),
        (0, 100, 0, True),
        (0, 0, 60, False),
    ],
)
def test_pass_mark_is_a_percentage_of_the_maximum(score, max_score, pass_mark, expected):
    assert classroom.reaches_pass_mark(score, max_score, pass_mark) is expected


def test_roster_lines_and_classroom_export(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("# the class\nalice\nbob  other-org/bob-ch01  # moved\n\n", encoding="utf-8")
    assert classroom.read_roster(roster, "course", "ch01") == [
        ("alice", "course/ch01-alice"),
        ("bob", "other-org/bob-ch01"),
    ]
    export = tmp_path / "classroom_roster.csv"
    export.write_text(
        '"identifier","github_username","github_id","name"\n"s1","alice","1","Alice"\n"s2","","",""\n',
        encoding="utf-8",
    )
    assert classroom.read_roster(export, "course", "ch01") == [("alice", "course/ch01-alice")]


def test_only_our_final_status_means_already_graded():
    ours = {"context": classroom.STATUS_CONTEXT, "creator": {"login": BOT}, "state": "failure"}
    assert classroom.already_graded([ours], BOT)
    assert not classroom.already_graded([{**ours, "creator": {"login": "alice"}}], BOT)
    assert not classroom.already_graded([{**ours, "context": "other"}], BOT)
    assert not classroom.already_graded([{**ours, "state": "error"}], BOT)  # our fault: again


def test_an_overlong_comment_is_cut_between_sections():
    section = "<details><summary>x</summary>\n\n```text\n" + "y" * 1000 + "\n```\n\n</details>\n"
    body = classroom.COMMENT_MARKER + "\n" + section * 100
    fitted = pr_comment.fit_comment(body, "en")
    assert len(fitted) <= pr_comment.COMMENT_LIMIT + 200
    assert fitted.count("```") % 2 == 0 and fitted.rstrip().endswith("cut.)")


def test_the_client_pages_and_reports_errors():
    with FakeGitHub() as fake:
        fake.tokens[READ] = Token("reader", write=False)
        for i in range(5):  # three pages at the fake's page size of 2
            fake.add_repo(f"course/ch01-l{i}")
        with GitHub(READ, fake.url) as github:
            assert len(github.org_repos("course")) == 5
            with pytest.raises(GitHubError) as denied:
                github.create_status("course/ch01-l0", "a" * 40, "success", "c", "d")
            assert denied.value.status == 403
        fake.add_repo("course/ch01-big", Pull(1, "b" * 40, {"nn_basics.py": b"#" * 4096}))
        with GitHub(READ, fake.url) as github:
            with pytest.raises(TooLarge):
                github.tarball("course/ch01-big", "b" * 40, max_bytes=10)
        # A secondary rate limit: wait as told, then carry on; past the retries, an error.
        fake.tokens[WRITE] = Token("writer", write=True)
        fake.limited = [{"Retry-After": "7"}, {"Retry-After": "3"}]
        waits = []
        with GitHub(WRITE, fake.url, sleep=waits.append) as github:
            github.create_status("course/ch01-l0", "a" * 40, "success", "c", "d")
            assert waits == [7.0, 3.0] and len(fake.statuses_by("course/ch01-l0", "a" * 40, "writer")) == 1
            fake.limited = [{"Retry-After": "1"}] * 4
            with pytest.raises(GitHubError) as limited:
                github.create_status("course/ch01-l0", "a" * 40, "success", "c", "d")
            assert limited.value.status == 403 and "rate limit" in str(limited.value)
        with GitHub("stolen", fake.url) as github:
            with pytest.raises(GitHubError) as bad:
                github.open_pulls("course/ch01-l0")
            assert bad.value.status == 401


# --- end to end: a class on the fake GitHub ----------------------------------------------------

WRONG = next(m for m in MISTAKES if m.name == "relu_derivative_wrong_side").source()
LEARNER_QUOTE = f"> {classroom.COMMENT_MARKER}\n> ## Autograder\n> ✅ passed 100 / 100\n::error::pwned"
FORGED_TESTS = b"def test_everything():\n    assert True  # 100/100 passed\n"
CHEAT = """
print("::set-output name=score::100")
print("::error::100/100 passed")
open("results.json", "w").write('{"score": 100}')
"""


def the_class(fake: FakeGitHub) -> dict[str, str]:
    """Each learner's repository and open pull request; returns login -> repo."""
    files = {
        "alice": {"nn_basics.py": correct_source().encode()},
        "bob": {"nn_basics.py": WRONG.encode()},
        "carol": {"nn_basics.py": Link("/etc/passwd"), "README.md": b"hi"},
        "dave": {
            "nn_basics.py": (stub_source() + CHEAT).encode(),
            "tests/test_nn_basics.py": FORGED_TESTS,
            ".github/workflows/grade.yml": b"on: push\n",
            "results.json": b'{"score": 100}',
        },
        "erin": {"nn_basics.py": correct_source().encode()},
    }
    repos = {}
    for login, tree in files.items():
        repos[login] = f"course/ch01-{login}"
        fake.add_repo(repos[login], Pull(1, SHA[login], tree, title="::error::100/100 " + login))
    fake.add_repo("course/ch01-frank")  # no pull request open: nothing to do
    fake.add_repo("course/ch02-alice", Pull(1, SHA["frank"], {"nn_basics.py": b"x"}))  # another assignment
    # Alice quotes our marker in her own comment; Erin forged our status on her commit;
    # Bob has our comment from an earlier kit version (to be updated, not duplicated).
    fake.add_comment(repos["alice"], 1, "alice", LEARNER_QUOTE)
    fake.add_status(
        repos["erin"],
        SHA["erin"],
        "erin",
        state="success",
        context=classroom.STATUS_CONTEXT,
        description="100 / 100",
    )
    fake.add_comment(repos["bob"], 1, BOT, classroom.COMMENT_MARKER + "\nold report")
    return repos


def job_environment(token: str | None, api: str, **extra: str) -> dict[str, str]:
    """The environment a workflow job gives the command: none of the runner's GitHub settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_", "AUTOGRADER_"))}
    env.update(GITHUB_API_URL=api, AUTOGRADER_BOT_LOGIN=BOT, **extra)
    if token:
        env["GH_TOKEN"] = token
    return env


def command(*args: str, token: str | None = None, api: str = "", **extra: str) -> subprocess.CompletedProcess:
    """A workflow job's command in its own process, as the workflow runs it (its own environment
    and token, its own log)."""
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args],
        cwd=ROOT,
        env=job_environment(token, api, **extra),
        capture_output=True,
        text=True,
        timeout=900,
    )


def command_in_process(
    monkeypatch, capsys, *args: str, token: str | None = None, api: str = "", **extra: str
):
    """The same command in the test's process, for tests of what it does rather than of the job."""
    job = job_environment(token, api, **extra)
    with monkeypatch.context() as env:
        for name in set(os.environ) - set(job):
            env.delenv(name)
        for name, value in job.items():
            env.setenv(name, value)
        return run_cli(capsys, *args)


def assert_no_learner_text(*procs):
    """Nothing a learner wrote reaches the runner's log: no line reads as a workflow command."""
    for proc in procs:
        for line in (proc.stdout + proc.stderr).splitlines():
            assert not line.lstrip().startswith("::"), line
            assert "pwned" not in line and "100/100" not in line, line


def one_round(fake, work: Path, shards: int, run_shards) -> dict:
    """fetch -> grade-all --shard i/N for the shards in run_shards -> merge -> post."""
    fetch = command(
        "classroom",
        "fetch",
        "--org",
        "course",
        "--assignment",
        "ch01",
        "--work-dir",
        str(work),
        token=READ,
        api=fake.url,
    )
    assert fetch.returncode == 0, fetch.stderr
    parts = []
    procs = [fetch]
    for index in range(1, shards + 1):
        part = work / f"shard-{index}"
        parts.append(str(part))
        if index in run_shards:
            graded = command(
                "grade-all",
                str(work / "submissions"),
                "--shard",
                f"{index}/{shards}",
                "--output-dir",
                str(part),
            )
            assert graded.returncode == 0, graded.stderr
            procs.append(graded)
    merged = command("merge", *parts, "--shards", str(shards), "--output-dir", str(work / "merged"))
    post = command(
        "classroom",
        "post",
        "--work-dir",
        str(work),
        "--reports",
        str(work / "merged"),
        token=WRITE,
        api=fake.url,
    )
    assert post.returncode == 0, post.stderr
    assert_no_learner_text(*procs, merged, post)
    return {
        "manifest": json.loads((work / "manifest.json").read_text()),
        "merge": merged,
        "summary": json.loads((work / "merged/__merge.json").read_text()),
    }


@pytest.mark.slow
def test_a_class_graded_from_the_instructors_side(tmp_path):
    with FakeGitHub() as fake:
        fake.tokens[READ] = Token(BOT, write=False, user_endpoint=False)
        fake.tokens[WRITE] = Token(BOT, write=True, user_endpoint=False)
        repos = the_class(fake)
        graded_logins = ["alice", "bob", "dave", "erin"]  # carol's is refused before grading
        entry = {login: f"course+ch01-{login}-pr1" for login in repos}
        shard = {login: next(i for i in (1, 2) if Shard(i, 2).holds(entry[login])) for login in graded_logins}
        assert set(shard.values()) == {1, 2}, "the class should span both shards"

        # Round 1: shard 2 fails. Its learners get nothing; everyone else gets their grade.
        first = one_round(fake, tmp_path / "run1", 2, run_shards={1})
        assert fake.writes() and all(login == BOT for _, _, login in fake.requests)
        assert {p["entry"] for p in first["manifest"]["pulls"]} == {
            f"course+ch01-{n}-pr1" for n in ["alice", "bob", "carol", "dave", "erin"]
        }
        assert first["merge"].returncode == 1 and "shards 2 of 2 did not finish" in first["merge"].stderr
        assert first["summary"]["missing"] == [2] and first["summary"]["merged"] == [1]
        for login in graded_logins:
            has = bool(fake.statuses_by(repos[login], SHA[login], BOT))
            assert has == (shard[login] == 1), login
        assert_carol_refused(fake, repos)

        # Round 2: the graded ones are unchanged and skipped; shard 2's learners are graded now.
        writes_before = len(fake.writes())
        second = one_round(fake, tmp_path / "run2", 2, run_shards={1, 2})
        assert {p["entry"] for p in second["manifest"]["pulls"]} == {
            entry[n] for n in graded_logins if shard[n] == 2
        }
        assert second["manifest"]["skipped"] == 5 - len(second["manifest"]["pulls"])
        assert second["merge"].returncode == 0
        posted = {path.split("/")[3] for _, path, _ in fake.writes()[writes_before:]}
        assert posted == {repos[n].split("/")[1] for n in graded_logins if shard[n] == 2}
        assert_final_state(fake, repos)

        # Round 3: no new commits. Nothing is fetched, graded or posted.
        writes_before = len(fake.writes())
        third = one_round(fake, tmp_path / "run3", 2, run_shards={1, 2})
        assert third["manifest"]["pulls"] == [] and third["manifest"]["skipped"] == 5
        assert fake.writes()[writes_before:] == []
        assert_final_state(fake, repos)


def assert_carol_refused(fake, repos):
    [status] = fake.statuses_by(repos["carol"], SHA["carol"], BOT)
    assert status["state"] == "failure" and status["description"].startswith("0 / 100")
    [comment] = fake.comments_by(repos["carol"], 1, BOT)
    assert "symbolic link" in comment["body"] and "root:" not in comment["body"]
    assert status["description"].endswith("refused (link)")


def assert_final_state(fake, repos):
    expected = {
        "alice": ("success", "100 / 100"),
        "erin": ("success", "100 / 100"),
        "dave": ("failure", "0 / 100"),
        "carol": ("failure", "0 / 100"),
    }
    for login, repo in repos.items():
        ours = fake.comments_by(repo, 1, BOT)
        assert len(ours) == 1, (login, ours)  # one comment per pull request, never two
        body = ours[0]["body"]
        assert body.startswith(classroom.COMMENT_MARKER)
        [status] = fake.statuses_by(repo, SHA[login], BOT)  # posted once
        assert status["context"] == classroom.STATUS_CONTEXT
        if login == "bob":
            score = float(status["description"].split(" / ")[0])
            assert 60 <= score < 100 and status["state"] == "success"
            assert "relu_derivative" in body and "old report" not in body
        else:
            state, description = expected[login]
            assert (status["state"], status["description"][: len(description)]) == (state, description), login
        assert SHA[login][:12] in body
    # The learner's own comment quoting our marker was left alone, and ours posted beside it.
    alice = fake.comments[(repos["alice"], 1)]
    assert alice[0]["user"]["login"] == "alice" and alice[0]["body"] == LEARNER_QUOTE
    # Erin's forged status is still hers; ours is a separate one, from the grade.
    assert [s["creator"]["login"] for s in fake.statuses[(repos["erin"], SHA["erin"])]] == [BOT, "erin"]
    # The test-editing pull request scored what its stub earns: 0, whatever it printed or wrote.
    assert "0 / 100" in fake.comments_by(repos["dave"], 1, BOT)[0]["body"]
    # Nothing for repositories of another assignment or without a pull request.
    assert not fake.comments_by("course/ch02-alice", 1, BOT)


def test_fetch_never_writes_and_a_missing_token_is_a_clear_error(tmp_path, monkeypatch, capsys):
    command = lambda *args, **env: command_in_process(monkeypatch, capsys, *args, **env)
    with FakeGitHub() as fake:
        fake.tokens[READ] = Token("teacher", write=False)
        fake.add_repo("course/ch01-carol", Pull(1, SHA["carol"], {"nn_basics.py": Link("/etc/passwd")}))
        fake.add_repo(
            "course/ch01-alice",
            Pull(2, SHA["alice"], {"nn_basics.py": b"x = 1\n"}),
            Pull(3, SHA["bob"], {"README.md": b"no submission here"}),
        )
        # A user token: whom it acts as comes from GET /user, no --bot-login needed.
        env_free = command(
            "classroom",
            "fetch",
            "--org",
            "course",
            "--assignment",
            "ch01",
            "--work-dir",
            str(tmp_path),
            api=fake.url,
        )
        assert env_free.returncode == 2 and "no token" in env_free.stderr
        # A roster naming a repository that does not exist: logged, the others fetched.
        roster = tmp_path / "roster.txt"
        roster.write_text("alice\ncarol\nghost\n", encoding="utf-8")
        outputs = tmp_path / "github_output"
        fetch = command(
            "classroom",
            "fetch",
            "--org",
            "course",
            "--assignment",
            "ch01",
            "--roster",
            str(roster),
            "--work-dir",
            str(tmp_path / "work"),
            "--bot-login",
            "",
            token=READ,
            api=fake.url,
            GITHUB_OUTPUT=str(outputs),
            GITHUB_ACTIONS="true",
        )
        assert fetch.returncode == 0, fetch.stderr
        assert ("GET", "/user", "teacher") in fake.requests
        assert fake.writes() == []
        manifest = json.loads((tmp_path / "work/manifest.json").read_text())
        assert {(p["entry"], p["refused"]) for p in manifest["pulls"]} == {
            ("course+ch01-alice-pr2", None),
            ("course+ch01-alice-pr3", "missing"),
            ("course+ch01-carol-pr1", "link"),
        }
        assert manifest["unreadable"] == ["course/ch01-ghost"]
        assert "cannot read course/ch01-ghost: 404" in fetch.stdout
        assert fetch.stdout.count("::warning::") == 1 and "1 learner repositories" in fetch.stdout
        submitted = sorted(
            p.relative_to(tmp_path / "work/submissions").as_posix()
            for p in (tmp_path / "work/submissions").rglob("*")
            if p.is_file()
        )
        assert submitted == ["course+ch01-alice-pr2/nn_basics.py"]
        # What the workflow reads: whether to grade, and the repositories to scope the write token to.
        assert outputs.read_text().splitlines() == [
            "count=3",
            "to_grade=1",
            "repositories=ch01-alice,ch01-carol",
        ]


TOKEN_THIEF = """
import os
raise RuntimeError("token:" + "|".join(os.environ.get(n, "-") for n in ("GH_TOKEN", "GITHUB_TOKEN")))
"""


@pytest.mark.slow
def test_run_grades_and_posts_in_one_go_and_learner_code_never_sees_the_token(tmp_path):
    secret = "ghs_" + "s3cr3t" * 6
    with FakeGitHub() as fake:
        fake.tokens[secret] = Token(BOT, write=True, user_endpoint=False)
        fake.add_repo(
            "course/ch01-mallory",
            Pull(4, SHA["frank"], {"nn_basics.py": (stub_source() + TOKEN_THIEF).encode()}),
        )
        run = command(
            "classroom",
            "run",
            "--org",
            "course",
            "--assignment",
            "ch01",
            "--lang",
            "en",
            "--work-dir",
            str(tmp_path),
            token=secret,
            api=fake.url,
        )
        assert run.returncode == 0, run.stderr
        [comment] = fake.comments_by("course/ch01-mallory", 4, BOT)
        [status] = fake.statuses_by("course/ch01-mallory", SHA["frank"], BOT)
        assert status["state"] == "failure" and status["description"].startswith("0 / 100")
        # The learner's code ran (its error is in the report) and found no token to print.
        assert "token:-|-" in comment["body"] and "Autograder" in comment["body"]
        assert secret not in comment["body"] and "s3cr3t" not in run.stdout + run.stderr
        assert not any(secret in p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())
