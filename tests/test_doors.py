"""Every submission on every door, by the one rule (issue 22, item 3): an empty notebook, one
without answer cells, markdown only, invalid JSON, a 0-byte file and a module handed in alone
get a grade, the same total from nbgrader and grade-all, and the reason in every door's output.
"""

from __future__ import annotations

import csv
import html
import json
import re
import zipfile

import nbformat
import pytest

import autograder.core.tarball as kit_tarball
from autograder.core.tarball import Refused
from autograder.messages import t
from autograder.results import CheckResult, Outcome, Results
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
    return CheckResult(
        f"{function}_check", function, 1.0, outcome=Outcome.FAILED, feedback=t("missing", fn=function)
    )


# how a submission with no contract function at all is said (grade.py: empty, no answers; a
# report rebuilt without its checks' causes: nothing defined)
NOTHING_ANSWERED = {t(key).zh for key in ("submission_empty", "submission_no_answers", "nothing_defined")}


def test_nothing_defined_is_a_reason_and_a_partial_miss_is_not():
    nothing = Results("x", [_missing("sigmoid"), _missing("tanh")], functions=["sigmoid", "tanh"])
    assert nothing.notice == t("nothing_defined") and nothing.reason == t("nothing_defined").en
    some = Results("x", [_missing("sigmoid"), CheckResult("t", "tanh", 1.0, outcome=Outcome.PASSED)])
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
        assert any(said in carol for said in NOTHING_ANSWERED), carol
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
    with zipfile.ZipFile(archive / "zipped_ch01.zip", "w") as zf:  # the module in the learner's archive
        zf.writestr("zipped_nn_basics.py", correct_source())
    copied = clone / "submitted" / "copied" / "ch01"  # copied by hand, as the README says
    copied.mkdir(parents=True)
    (copied / "nn_basics.py").write_text(correct_source(), encoding="utf-8")
    nothing = clone / "submitted" / "nothing" / "ch01"  # neither file: 0 and why, in both gradebooks
    nothing.mkdir(parents=True)
    (nothing / "notes.txt").write_text("我忘了交作业\n", encoding="utf-8")
    done = run_block(blocks["instructor"], clone)
    return clone, done


def _csv(path, key):
    with open(path, newline="", encoding="utf-8") as f:
        return {row[key]: row for row in csv.DictReader(f)}


def _page_text(path):
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


ODD = ["empty", "answerless", "markdown", "invalid", "zerobyte", "modular", "zipped", "copied"]


@pytest.mark.slow
@pytest.mark.xdist_group("readme_odd_clone")
def test_the_readme_sequence_grades_every_odd_learner(odd_class):
    clone, done = odd_class
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stdout + done.stderr
    nbgrader = _csv(clone / "grades.csv", "student_id")
    kit = _csv(clone / "reports" / "gradebook.csv", "learner")
    assert set(ODD) <= set(nbgrader) and set(nbgrader) == set(kit)  # every learner, in both
    assert float(nbgrader["nothing"]["raw_score"]) == 0 and kit["nothing"]["error"] == "no submission"
    for learner in nbgrader:
        assert float(nbgrader[learner]["raw_score"]) == pytest.approx(float(kit[learner]["score"])), learner
    for learner in ("modular", "zipped", "copied"):  # the module alone: full marks on both gradebooks
        assert float(kit[learner]["score"]) == 100 and kit[learner]["error"] == "", learner
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


# --- the learner's checks never hang (issue 22, item 4) -------------------------------------------

HANGING_NUMERICAL_GRADIENT = """
def numerical_gradient(f, x, epsilon=1e-5):
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:  # it.iternext() forgotten: the loop never advances
        index = it.multi_index
        old = x[index]
        x[index] = old + epsilon
        f_plus = f(x)
        x[index] = old - epsilon
        f_minus = f(x)
        x[index] = old
        grad[index] = (f_plus - f_minus) / (2 * epsilon)
    return grad
"""
# Swallows even the checks' own time limit: only pytest-timeout stops it.
STUBBORN_NUMERICAL_GRADIENT = """
def numerical_gradient(f, x, epsilon=1e-5):
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass
"""


def learner_pytest_on(tmp_path, module_tail: str, seconds: str = "2"):
    """The release's pytest, as a learner runs it, on the correct module with `module_tail`
    appended (it redefines a function); bounded, with the checks' limit at `seconds`."""
    import os
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "ch01"
    shutil.copytree(ROOT / "release" / "ch01", folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "ch01.ipynb").unlink()  # graded from the module, as the rule says
    (folder / "nn_basics.py").write_text(correct_source() + "\n" + module_tail, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST"))}
    env["NN_KIT_CHECK_SECONDS"] = seconds
    return subprocess.run(
        [sys.executable, "-P", "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_hanging_check_is_stopped_and_names_the_function(tmp_path):
    proc = learner_pytest_on(tmp_path, HANGING_NUMERICAL_GRADIENT)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "numerical_gradient 的公开检查运行超过 2 秒仍未结束（timed out）" in out
    assert "调用链（call chain）：numerical_gradient。" in out
    assert "gradient_check → numerical_gradient" in out  # gradient_check hangs in the helper
    assert "21 passed" in out and "估计得分 (estimate)：90 / 100" in out  # the rest still ran


def test_a_check_that_swallows_its_limit_is_stopped_by_pytest_timeout(tmp_path):
    proc = learner_pytest_on(tmp_path, STUBBORN_NUMERICAL_GRADIENT, seconds="1")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Timeout" in out and "numerical_gradient" in out, out[-3000:]


def test_a_visible_check_in_the_notebook_stops_a_hanging_function():
    """The notebook's test cells call the same checks in the kernel's main thread."""
    import subprocess
    import sys

    code = (
        "import public_checks\n"
        "def numerical_gradient(f, x, epsilon=1e-5):\n"
        "    i = 0\n"
        "    while i < x.size:\n"
        "        pass\n"
        "try:\n"
        "    public_checks.check_numerical_gradient(numerical_gradient)\n"
        "except AssertionError as error:\n"
        "    print(error)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "release" / "ch01",
        env={"NN_KIT_CHECK_SECONDS": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "numerical_gradient 的公开检查运行超过 1 秒仍未结束（timed out）" in proc.stdout, proc.stderr
    assert "调用链（call chain）：numerical_gradient。" in proc.stdout


# --- the learner's requirements pin everything they install (issue 22, item 5) --------------------


def installed_closure(top: set[str]) -> set[str]:
    """The distributions `top` needs, transitively, as this venv's installed metadata says (an
    independent reading of the lock: tools/release.py reads its `# via` lines)."""
    from importlib import metadata

    from packaging.markers import default_environment
    from packaging.requirements import Requirement

    def norm(name):
        return re.sub(r"[-_.]+", "-", name).lower()

    wanted, todo = set(), [(norm(name), frozenset()) for name in top]
    seen = set()
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        wanted.add(name)
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            environments = [dict(default_environment(), extra=extra) for extra in extras or {""}]
            if requirement.marker and not any(requirement.marker.evaluate(env) for env in environments):
                continue
            todo.append((norm(requirement.name), frozenset(requirement.extras)))
    return wanted


def test_the_learner_requirements_pin_all_they_install_at_the_lock():
    from tests.test_learner_release import LEARNER_PACKAGES, pins

    learner, kit = pins(ROOT / "release" / "ch01" / "requirements.txt"), pins(ROOT / "requirements.txt")
    assert {name: kit[name] for name in learner} == learner
    needed = installed_closure(LEARNER_PACKAGES)
    assert needed - set(learner) == set()  # nothing a learner installs is left to drift
    assert set(learner) - needed <= {"pysocks"}, set(learner) - needed  # at most an extra of the kit's


# --- Gradescope: the reason in the top-level output --------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("learner", ["empty", "markdown", "zerobyte"])
def test_gradescope_says_why_an_odd_notebook_scored_0(learner, tmp_path):
    from tests.test_gradescope import autograder_tree, run_autograder
    from tools.gradescope import bundle_entries, write_zip

    bundle = tmp_path / "autograder.zip"
    write_zip(bundle_entries(ROOT, "hidden", "zh"), bundle)
    root = autograder_tree(tmp_path, bundle)
    (root / "submission" / "ch01.ipynb").write_bytes(odd_learners()[learner])
    proc, data = run_autograder(root)
    assert proc.returncode == 0, proc.stderr
    assert data["score"] == 0
    reason = data.get("output", "")
    assert reason and (reason in NOTHING_ANSWERED or "JSON" in reason), data


@pytest.mark.slow
def test_zip_collect_takes_a_module_bound_to_its_archive(tmp_path):
    """The module's LMS route keeps attack 9's rule: a file in an archive is its learner's only."""
    import shutil

    from tests.test_redteam_doors import nbgrader_run

    course = tmp_path / "course"
    shutil.copytree(ROOT / "release" / "ch01", course / "release" / "ch01")
    archive = course / "downloaded" / "ch01" / "archive"
    archive.mkdir(parents=True)
    (archive / "alice_ch01.ipynb").write_bytes(odd_learners()["markdown"])
    (archive / "bob_nn_basics.py").write_text("x = 'bob'\n", encoding="utf-8")
    with zipfile.ZipFile(archive / "mallory_ch01.zip", "w") as zf:
        zf.writestr("mallory_nn_basics.py", "x = 'mallory'\n")
        zf.writestr("alice_nn_basics.py", "x = 'forged'\n")  # would outrank nothing, but is not hers
        zf.writestr("figures.py", "x = 1\n")  # a helper of her own: not collected (nbgrader says so)
    done = nbgrader_run(course, "zip_collect", "ch01")
    assert done.returncode == 0, done.stderr[-3000:]
    submitted = course / "submitted"
    files = sorted(p.relative_to(submitted).as_posix() for p in submitted.rglob("*") if p.is_file())
    assert files == ["alice/ch01/ch01.ipynb", "bob/ch01/nn_basics.py", "mallory/ch01/nn_basics.py"]
    assert (submitted / "mallory/ch01/nn_basics.py").read_text() == "x = 'mallory'\n"
    assert "Skipped mallory_ch01/alice_nn_basics.py: a file in an archive must carry" in done.stderr
