"""Every submission on every door, by the one rule (issue 22, item 3): an empty notebook, one
without answer cells, markdown only, invalid JSON, a 0-byte file and a module handed in alone
get a grade, the same total from nbgrader and grade-all, and the reason in every door's output.
"""

from __future__ import annotations

import csv
import html
import json
import re

import nbformat
import pytest

import autograder.tarball as kit_tarball
from autograder.results import CheckResult, Results
from autograder.messages import t
from autograder.tarball import Refused
from tests.fake_github import FakeGitHub, Link, Pull, Token, tarball
from tests.mistakes import correct_source, stub_source
from tests.test_ci import BOT, READ, SHA, WRITE, one_round
from tests.test_readme import ROOT, fresh_clone, readme_blocks, run_block
from tools import demo


def release_notebook():
    return nbformat.read(ROOT / "release" / "ch01" / demo.NOTEBOOK, as_version=4)


def odd_learners() -> dict[str, bytes]:
    """{learner: the bytes of their <learner>_ch01.ipynb}: every notebook nbgrader choked on."""
    release = release_notebook()
    answerless = nbformat.v4.new_notebook()
    answerless.cells = [
        c
        for c in release.cells
        if c.cell_type != "code" or not (c.metadata.get("nbgrader", {}).get("solution"))
    ]
    answerless.cells = [c for c in answerless.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    markdown = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 我的作业")])
    return {
        "empty": nbformat.writes(nbformat.v4.new_notebook()).encode(),
        "answerless": nbformat.writes(answerless).encode(),
        "markdown": nbformat.writes(markdown).encode(),
        "invalid": b'{"cells": [',
        "zerobyte": b"",
    }


# --- the reason, in the results model every door renders -----------------------------------------


def _missing(function):
    return CheckResult(f"{function}_check", function, 1.0, False, t("missing", fn=function))


def test_nothing_defined_is_a_reason_and_a_partial_miss_is_not():
    nothing = Results("x", [_missing("sigmoid"), _missing("tanh")], functions=["sigmoid", "tanh"])
    assert nothing.notice == t("nothing_defined") and nothing.reason == t("nothing_defined").en
    some = Results("x", [_missing("sigmoid"), CheckResult("t", "tanh", 1.0, True)])
    assert some.notice is None and some.reason == ""
    loaded = Results("x", [_missing("sigmoid")], load_error="cell 3: NameError\nname 'x'")
    assert loaded.reason == "load error: cell 3: NameError name 'x'"


# --- CI: the learner repository's folder, by the rule ---------------------------------------------


def test_the_archive_gives_the_notebook_when_the_folder_holds_one(tmp_path):
    both = tarball("o/r", "a" * 40, {"ch01.ipynb": b"{}", "nn_basics.py": b"x = 1\n"})
    assert (
        kit_tarball.extract_by_rule(both, "", ("ch01.ipynb", "nn_basics.py"), tmp_path / "a").name
        == "ch01.ipynb"
    )
    module = tarball("o/r", "a" * 40, {"sub/nn_basics.py": b"x = 1\n", "ch01.ipynb": b"{}"})
    assert (
        kit_tarball.extract_by_rule(module, "sub", ("ch01.ipynb", "nn_basics.py"), tmp_path / "b").name
        == "nn_basics.py"
    )
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["nn_basics.py"]
    link = tarball("o/r", "a" * 40, {"ch01.ipynb": Link("/etc/passwd"), "nn_basics.py": b"x = 1\n"})
    with pytest.raises(Refused) as refused:
        kit_tarball.extract_by_rule(link, "", ("ch01.ipynb", "nn_basics.py"), tmp_path / "c")
    assert refused.value.kind == "link"
    with pytest.raises(Refused) as missing:
        kit_tarball.extract_by_rule(
            tarball("o/r", "a" * 40, {"README.md": b"hi"}), "", ("ch01.ipynb", "nn_basics.py"), tmp_path / "d"
        )
    assert missing.value.kind == "missing"


@pytest.mark.slow
def test_ci_grades_a_repository_by_the_rule(tmp_path):
    notebook = nbformat.writes(demo.submission(release_notebook(), demo.answers())).encode()
    with FakeGitHub() as fake:
        fake.tokens[READ] = Token(BOT, write=False, user_endpoint=False)
        fake.tokens[WRITE] = Token(BOT, write=True, user_endpoint=False)
        trees = {
            "alice": {
                "ch01.ipynb": notebook,
                "nn_basics.py": stub_source().encode(),
            },  # worked in the notebook
            "bob": {"nn_basics.py": correct_source().encode()},  # the module only
            "carol": {"ch01.ipynb": nbformat.writes(nbformat.v4.new_notebook()).encode()},
            "dave": {"ch01.ipynb": b""},
        }
        for login, tree in trees.items():
            fake.add_repo(f"course/ch01-{login}", Pull(1, SHA[login], tree))
        round_ = one_round(fake, tmp_path / "work", 1, {1})
        assert round_["manifest"]["submission"] == ""
        taken = {
            p.relative_to(tmp_path / "work/submissions").as_posix()
            for p in (tmp_path / "work/submissions").rglob("*")
            if p.is_file()
        }
        assert taken == {
            "course+ch01-alice-pr1/ch01.ipynb",
            "course+ch01-bob-pr1/nn_basics.py",
            "course+ch01-carol-pr1/ch01.ipynb",
            "course+ch01-dave-pr1/ch01.ipynb",
        }
        statuses = {login: fake.statuses_by(f"course/ch01-{login}", SHA[login], BOT)[0] for login in trees}
        assert statuses["alice"]["description"].startswith("100 / 100")
        assert statuses["bob"]["description"].startswith("100 / 100")
        carol = fake.comments_by("course/ch01-carol", 1, BOT)[0]["body"]
        assert t("nothing_defined").zh in carol
        dave = fake.comments_by("course/ch01-dave", 1, BOT)[0]["body"]
        assert "JSON" in dave and statuses["dave"]["description"].startswith("0 / 100")


# --- nbgrader: the README's sequence, verbatim, on every odd learner ---------------------------


@pytest.fixture(scope="module")
def odd_class(tmp_path_factory):
    clone = tmp_path_factory.mktemp("odd-clone")
    fresh_clone(clone)
    blocks = readme_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    demo_class = run_block(blocks["demo-class"], clone)
    assert demo_class.returncode == 0, demo_class.stderr
    archive = clone / "downloaded" / "ch01" / "archive"
    for learner, data in odd_learners().items():
        (archive / f"{learner}_ch01.ipynb").write_bytes(data)
    (archive / "modular_nn_basics.py").write_text(correct_source(), encoding="utf-8")  # the LMS route
    done = run_block(blocks["instructor"], clone)
    return clone, done


def _csv(path, key):
    with open(path, newline="", encoding="utf-8") as f:
        return {row[key]: row for row in csv.DictReader(f)}


def _page_text(path):
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


ODD = ["empty", "answerless", "markdown", "invalid", "zerobyte", "modular"]


@pytest.mark.slow
@pytest.mark.xdist_group("readme_odd_clone")
def test_the_readme_sequence_grades_every_odd_learner(odd_class):
    clone, done = odd_class
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stdout + done.stderr
    nbgrader = _csv(clone / "grades.csv", "student_id")
    kit = _csv(clone / "reports" / "gradebook.csv", "learner")
    assert set(ODD) <= set(nbgrader) and set(ODD) <= set(kit)
    for learner in nbgrader:
        assert float(nbgrader[learner]["raw_score"]) == pytest.approx(float(kit[learner]["score"])), learner
    assert float(kit["modular"]["score"]) == 100 and kit["modular"]["error"] == ""
    # one line per learner from autograde, at the course's log level
    for learner in [*ODD, "ada"]:
        assert re.search(rf"GRADED\] {learner}: [\d.]+/100 in [\d.]+ s", done.stderr), learner


@pytest.mark.slow
@pytest.mark.xdist_group("readme_odd_clone")
@pytest.mark.parametrize("learner", ["empty", "answerless", "markdown", "invalid", "zerobyte"])
def test_the_reason_is_in_the_feedback_and_the_error_column(odd_class, learner):
    clone, _ = odd_class
    report = json.loads((clone / "reports" / f"{learner}.json").read_text(encoding="utf-8"))
    row = _csv(clone / "reports" / "gradebook.csv", "learner")[learner]
    assert float(row["score"]) == 0 and row["error"], row
    reason = report["output"]  # the notice, in the report's language (zh)
    assert reason
    page = _page_text(clone / "feedback" / learner / "ch01" / "ch01.html")
    assert reason in page, (learner, reason)
