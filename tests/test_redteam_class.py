"""The class-level doors (red team, round 2): one learner changes nothing but their own grade.

- A Classroom repository renamed so that its entry reads as a classmate's (`ch01-_alice`) took
  alice's folder, report, grade and feedback: entries are now the repository's full name, and a
  duplicate is skipped with a warning, never written over another.
- A learner id holding a line separator that csv does not quote (U+2028, U+0085, \\x1c-\\x1e) was
  split into two rows by merge: a row for a classmate, or no gradebook for anyone.
- One learner's pull requests, however many, cost the class at most a few gradings, and a
  repository archive is refused past a bound on the bytes decompressed to find the submission.
"""

from __future__ import annotations

import csv
import io
import json
import tarfile
from pathlib import Path

import pytest

from autograder.core import tarball
from autograder.core.tarball import Refused, extract_member
from autograder.doors import classroom
from autograder.doors.batch import learner_names
from autograder.doors.github import GitHub
from tests.cli_in_process import run_cli
from tests.fake_github import FakeGitHub, Token
from tests.fake_github import Pull as FakePull
from tests.mistakes import correct_source, stub_source


def gradebook_rows(folder: Path) -> dict[str, list[str]]:
    with (folder / "gradebook.csv").open(newline="", encoding="utf-8") as f:
        return {row[0]: row for row in list(csv.reader(f))[1:]}


# --- merge reads back the gradebooks grade-all wrote, whatever a learner id holds -------------------

# csv.writer quotes only \r, \n, the delimiter and the quote; str.splitlines() also splits on these
LINE_SPLITTERS = ["mallory\u2028carol", "mallory\u2028.", "eve\x85carol", "trudy\x1ecarol"]


def test_a_learner_id_with_a_line_separator_is_one_row_through_shards_and_merge(tmp_path, capsys):
    klass = tmp_path / "class"
    klass.mkdir()
    (klass / "alice.py").write_text(stub_source(), encoding="utf-8")
    (klass / f"{LINE_SPLITTERS[0]}.py").write_text(correct_source(), encoding="utf-8")
    for name in LINE_SPLITTERS[1:]:
        (klass / f"{name}.py").write_text(stub_source(), encoding="utf-8")
    parts = [tmp_path / f"shard-{i}" for i in (1, 2)]
    for i, part in enumerate(parts, start=1):
        graded = run_cli(capsys, "grade-all", klass, "--shard", f"{i}/2", "--output-dir", part, "--jobs", "2")
        assert graded.returncode == 0, graded.stderr
    merged = run_cli(capsys, "merge", *parts, "--output-dir", tmp_path / "merged")
    assert merged.returncode == 0, merged.stderr
    rows = gradebook_rows(tmp_path / "merged")
    assert sorted(rows) == sorted(["alice", *LINE_SPLITTERS])  # no row "carol", no row "."
    assert float(rows["mallory\u2028carol"][1]) == float(rows["mallory\u2028carol"][2]) > 0
    assert all(float(rows[name][1]) == 0 for name in ["alice", *LINE_SPLITTERS[1:]])
    assert all((tmp_path / "merged" / f"{name}.json").is_file() for name in rows)


# --- a pull request's entry is its repository's, unique ---------------------------------------------

BOT = "nn-grader[bot]"
READ, WRITE = "read-token", "write-token"


def sha(n: int) -> str:
    return f"{n:040x}"


def tokens(fake: FakeGitHub) -> None:
    fake.tokens[READ] = Token(BOT, write=False, user_endpoint=False)
    fake.tokens[WRITE] = Token(BOT, write=True, user_endpoint=False)


def test_a_repository_renamed_to_read_as_a_classmates_takes_nothing_of_theirs(tmp_path, capsys):
    solution, stub = correct_source().encode(), stub_source().encode()
    repos = {"course/ch01-alice": solution, "course/ch01-_alice": stub, "course/ch01-.alice": stub}
    with FakeGitHub() as fake:
        tokens(fake)
        for i, (repo, source) in enumerate(repos.items(), start=1):
            fake.add_repo(repo, FakePull(1, sha(i), {"nn_basics.py": source}))
        with GitHub(READ, fake.url) as github:
            learners = classroom.classroom_repos(github, "course", "ch01")
            manifest = classroom.fetch(github, learners, tmp_path, BOT, log=lambda line: None)
        entries = {p["repo"]: p["entry"] for p in manifest["pulls"]}
        assert sorted(entries) == sorted(repos) and len(set(entries.values())) == len(repos)
        for repo, entry in entries.items():  # each folder holds its own repository's file
            assert (tmp_path / "submissions" / entry / "nn_basics.py").read_bytes() == repos[repo]
        graded = run_cli(capsys, "grade-all", tmp_path / "submissions", "--output-dir", tmp_path / "reports")
        assert graded.returncode == 0, graded.stderr
        with GitHub(WRITE, fake.url) as github:
            classroom.post(github, tmp_path, tmp_path / "reports", BOT, lang="en", log=lambda line: None)
        for i, repo in enumerate(repos, start=1):
            [status] = fake.statuses_by(repo, sha(i), BOT)
            expected = ("success", "100 / 100") if repo == "course/ch01-alice" else ("failure", "0 / 100")
            assert (status["state"], status["description"][: len(expected[1])]) == expected, repo


def test_a_pull_request_named_as_another_is_skipped_with_a_warning_never_written_over_it(tmp_path):
    roster = tmp_path / "roster.txt"  # the same repository twice: its pull request once
    roster.write_text("alice\nalias course/ch01-alice\n", encoding="utf-8")
    with FakeGitHub() as fake:
        tokens(fake)
        fake.add_repo("course/ch01-alice", FakePull(1, sha(1), {"nn_basics.py": b"x = 1\n"}))
        logged: list[str] = []
        with GitHub(READ, fake.url) as github:
            learners = classroom.read_roster(roster, "course", "ch01")
            manifest = classroom.fetch(github, learners, tmp_path / "work", BOT, log=logged.append)
    assert [(p["login"], p["entry"]) for p in manifest["pulls"]] == [("alice", "course+ch01-alice-pr1")]
    assert manifest["duplicates"] == ["course/ch01-alice#1"]
    assert any("course/ch01-alice#1 is named course+ch01-alice-pr1" in line for line in logged)


@pytest.mark.parametrize(
    "repo",
    ["course/ch01-alice", "course/ch01-_alice", "course/ch01-.alice", "course/ch01-__shard", "ch01-x/ch01-a"],
)
def test_an_entry_is_the_learner_id_grade_all_gives_it(tmp_path, repo):
    entry = classroom._entry(repo, 7)
    (tmp_path / entry).mkdir()
    assert learner_names([tmp_path / entry]) == {tmp_path / entry: entry}


# --- a flood of pull requests costs the class the newest few ----------------------------------------


def tarballs_of(fake: FakeGitHub, repo: str) -> int:
    return sum(1 for method, path, _ in fake.requests if path.startswith(f"/repos/{repo}/tarball/"))


def test_a_flood_of_pull_requests_costs_the_class_the_newest_few_and_the_others_are_told_why(tmp_path):
    flood, alice = "course/ch01-mallory", "course/ch01-alice"
    stub = {"nn_basics.py": stub_source().encode()}
    with FakeGitHub() as fake:
        tokens(fake)
        fake.add_repo(flood, *[FakePull(n, sha(n), stub) for n in range(1, 51)])
        fake.add_repo(alice, FakePull(1, sha(100), stub))
        logged: list[str] = []
        with GitHub(READ, fake.url) as github:
            manifest = classroom.fetch(
                github, [("mallory", flood), ("alice", alice)], tmp_path, BOT, log=logged.append
            )
        assert tarballs_of(fake, flood) == 2  # MAX_PULLS, the default
        graded = [(p["repo"], p["number"]) for p in manifest["pulls"] if not p["refused"]]
        assert graded == [(flood, 50), (flood, 49), (alice, 1)]
        told = [p["number"] for p in manifest["pulls"] if p["refused"] == classroom.OVER_LIMIT]
        assert told == [48, 47, 46] and manifest["pulls"][-3:] == [
            p for p in manifest["pulls"] if p["refused"]
        ]  # answered after every graded one: posts are rate-limited
        assert manifest["over_limit"] == 48 and "48 past the newest 2 of their repository" in logged[-1]

        with GitHub(WRITE, fake.url) as github:  # no reports: the graded ones wait, the told ones are told
            counts = classroom.post(
                github, tmp_path, tmp_path / "reports", BOT, lang="en", log=lambda line: None
            )
        assert counts["not graded"] == 3 and counts["statuses set"] == 3
        for number in told:
            [status] = fake.statuses_by(flood, sha(number), BOT)
            assert (
                status["state"] == "error" and "only the newest 2 open pull requests" in status["description"]
            )
            [comment] = fake.comments_by(flood, number, BOT)
            assert "Not graded: only the newest 2 open pull requests" in comment["body"]
            assert "Graded commit" not in comment["body"]
        assert not fake.statuses_by(flood, sha(45), BOT) and not fake.comments_by(flood, 45, BOT)

        # The next run tells them nothing new; once the newer ones are closed, one is graded.
        with GitHub(READ, fake.url) as github:
            again = classroom.fetch(
                github, [("mallory", flood)], tmp_path / "again", BOT, log=lambda line: None
            )
            assert [p["number"] for p in again["pulls"]] == [50, 49]
            fake.repos[flood].pulls = [p for p in fake.repos[flood].pulls if p.number <= 48]
            closed = classroom.fetch(
                github, [("mallory", flood)], tmp_path / "closed", BOT, log=lambda line: None
            )
            assert [(p["number"], p["refused"]) for p in closed["pulls"]][:2] == [(48, None), (47, None)]


def test_how_many_pull_requests_of_a_repository_are_graded_is_the_instructors(tmp_path, capsys, monkeypatch):
    flood = "course/ch01-mallory"
    with FakeGitHub() as fake:
        tokens(fake)
        fake.add_repo(flood, *[FakePull(n, sha(n), {"nn_basics.py": b"x = 1\n"}) for n in range(1, 6)])
        monkeypatch.setenv("GH_TOKEN", READ)
        fetched = run_cli(
            capsys,
            *("classroom", "fetch", "--api-url", fake.url, "--bot-login", BOT, "--org", "course"),
            *("--assignment", "ch01", "--work-dir", tmp_path, "--max-pulls", "1"),
        )
        assert fetched.returncode == 0, fetched.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert [(p["number"], p["refused"]) for p in manifest["pulls"]] == [
        (5, None),
        *((n, classroom.OVER_LIMIT) for n in (4, 3, 2)),
    ]
    assert manifest["max_pulls"] == 1
    assert (
        run_cli(
            capsys, "classroom", "fetch", "--max-pulls", "0", "--org", "o", "--assignment", "a"
        ).returncode
        == 2
    )


# --- a repository archive is read up to a bound on the bytes decompressed ---------------------------


class Zeros(io.RawIOBase):
    """`size` zero bytes, made as read: a big member costs no memory to put in an archive."""

    def __init__(self, size: int):
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def zero_padded(padding: int, source: bytes = b"x = 1\n") -> bytes:
    """A GitHub-shaped archive with `padding` zeros in files before nn_basics.py."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as tar:
        info = tarfile.TarInfo("course-ch01-mallory-abc1234/aaa.bin")
        info.size = padding
        tar.addfile(info, io.BufferedReader(Zeros(padding), buffer_size=1 << 20))
        info = tarfile.TarInfo("course-ch01-mallory-abc1234/nn_basics.py")
        info.size = len(source)
        tar.addfile(info, io.BytesIO(source))
    return buffer.getvalue()


def test_zeros_in_front_of_the_submission_are_refused_past_the_bound(tmp_path):
    bomb = zero_padded(tarball.MAX_UNPACKED_BYTES + (1 << 20))
    assert len(bomb) < 1 << 20  # gzip: well under any download cap
    with pytest.raises(Refused) as refused:
        extract_member(bomb, "nn_basics.py", tmp_path / "nn_basics.py")
    assert refused.value.kind == "archive-too-large" and not (tmp_path / "nn_basics.py").exists()


def test_the_bound_counts_bytes_decompressed_whatever_holds_them(tmp_path, monkeypatch):
    monkeypatch.setattr(tarball, "MAX_UNPACKED_BYTES", 1 << 20, raising=False)
    target = tmp_path / "nn_basics.py"
    assert extract_member(zero_padded(1 << 19), "nn_basics.py", target).read_bytes() == b"x = 1\n"
    for archive in (
        zero_padded(2 << 20),
        tarball_with_pax_header(8 << 20),  # tarfile reads a pax header in one read: no more than the bound
    ):
        with pytest.raises(Refused) as refused:
            extract_member(archive, "nn_basics.py", target)
        assert refused.value.kind == "archive-too-large"


def tarball_with_pax_header(size: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=1) as tar:
        info = tarfile.TarInfo("course-ch01-mallory-abc1234/nn_basics.py")
        info.pax_headers = {"comment": "0" * size}
        info.size = 6
        tar.addfile(info, io.BytesIO(b"x = 1\n"))
    return buffer.getvalue()


def test_a_zero_padded_repository_is_refused_with_a_reason_the_learner_reads(tmp_path, monkeypatch):
    monkeypatch.setattr(tarball, "MAX_UNPACKED_BYTES", 1 << 20, raising=False)
    flood = "course/ch01-mallory"
    with FakeGitHub() as fake:
        tokens(fake)
        fake.add_repo(flood, FakePull(1, sha(1), {"aaa.bin": bytes(3 << 20), "nn_basics.py": b"x = 1\n"}))
        with GitHub(READ, fake.url) as github:
            manifest = classroom.fetch(github, [("mallory", flood)], tmp_path, BOT, log=lambda line: None)
        assert [p["refused"] for p in manifest["pulls"]] == ["archive-too-large"]
        with GitHub(WRITE, fake.url) as github:
            classroom.post(github, tmp_path, tmp_path / "reports", BOT, lang="en", log=lambda line: None)
        [status] = fake.statuses_by(flood, sha(1), BOT)
        assert status["state"] == "failure" and status["description"].endswith("refused (archive-too-large)")
        [comment] = fake.comments_by(flood, 1, BOT)
        assert "remove large files from the repository" in comment["body"]
