"""nbgrader end to end with the committed config: generate_assignment, autograde, feedback,
export, on a temporary course; and the same totals as the kit's own CLI."""

import ast
import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder.core.grade import grade_submission
from tools import demo

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbgrader_course")]  # one course, one worker
NOTEBOOK = demo.NOTEBOOK

WRONG_SIGMOID = "def sigmoid(x):\n    return np.asarray(x, dtype=float) * 0 + 0.5\n"
# A learner who fakes numpy's comparisons in their own kernel, as nbgrader alone would reward.
FORGER = "import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: np.True_\n"


KIT = Path(__file__).resolve().parent.parent
DAEMON_DELAY = 2.0  # seconds the intruder's daemon waits before it writes the gradebook


def intrusion(course, marker):
    """An answer cell that, run as the instructor's user, reads source/ and solutions/, rewrites
    a classmate's submitted notebook (graded after it), and leaves a setsid daemon that later
    gives every grade in gradebook.db full marks. `marker` names what it leaves behind."""
    return f"""
import os, sqlite3, time
def _intrude():
    loot = []
    for path in ({str(KIT / "solutions" / "nn_basics.py")!r}, {str(course / "source" / "ch01" / NOTEBOOK)!r}):
        try:
            with open(path) as f:
                loot.append(f.read())
        except OSError:
            pass
    try:
        with open({str(course / "submitted" / "bea" / "ch01" / NOTEBOOK)!r}, "w") as f:
            f.write("{{}}")
    except OSError:
        pass
    try:
        with open({str(course / marker)!r}, "w") as f:
            f.write(repr(loot))
    except OSError:
        pass
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep({DAEMON_DELAY})
            db = sqlite3.connect({str(course / "gradebook.db")!r})
            db.execute("UPDATE grade SET manual_score = 100, extra_credit = 100")
            db.commit()
        os._exit(0)
try:
    _intrude()
except Exception:
    pass
"""


def learners(release_nb, course):
    classes = demo.demo_learners(release_nb)
    code = demo.answers()
    # deletes the locked test cell of sigmoid: must still be graded on it
    deleted = demo.submission(release_nb, code)
    deleted.cells = [
        c for c in deleted.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_sigmoid"
    ]
    # a wrong sigmoid, and numpy's comparisons patched in the kernel
    forger = demo.submission(release_nb, dict(code, sigmoid=FORGER + WRONG_SIGMOID))
    # kills its kernel in the last answer cell, after defining everything
    exiter = demo.submission(
        release_nb, dict(code, gradient_check=code["gradient_check"] + "\nimport os\nos._exit(0)\n")
    )
    # graded before bea (alphabetical), whom it attacks; its own sigmoid is wrong
    intruder = demo.submission(release_nb, dict(code, sigmoid=intrusion(course, "loot.txt") + WRONG_SIGMOID))
    bea = demo.submission(release_nb, code)
    # HTML in a written answer and in a cell of its own: formgrader renders it in the instructor's Jupyter
    scripter = demo.submission(release_nb, code)
    answer = next(c for c in scripter.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "question_1")
    answer.source = XSS
    scripter.cells.append(nbformat.v4.new_markdown_cell("> 引用\n\n" + XSS))
    scripter.cells.append(nbformat.v4.new_raw_cell(XSS, metadata={"raw_mimetype": "text/html"}))
    # every answer cell defines its function, but each returns None: earns nothing (issue 9)
    hollow = demo.submission(release_nb, {fn: hollowed(source) for fn, source in code.items()})
    return dict(
        classes,
        deleted=deleted,
        forger=forger,
        exiter=exiter,
        aaron=intruder,
        bea=bea,
        scripter=scripter,
        hollow=hollow,
    )


def hollowed(source):
    """The answer cell's functions with their bodies replaced by `return None`."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            node.body = [ast.Return(ast.Constant(None))]
    return ast.unparse(tree)


XSS = "答案 <script>alert('xss')</script><img src=x onerror=\"alert(1)\"><a href='javascript:alert(2)'>x</a>"


def digest(*paths):
    h = hashlib.sha256()
    for root in paths:
        for p in sorted(Path(root).rglob("*")) if Path(root).is_dir() else [Path(root)]:
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(str(p).encode() + p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    demo.build_course(course, lambda release_nb: learners(release_nb, course))
    course.joinpath("before.sha256").write_text(
        digest(course / "submitted", course / "source", KIT / "solutions")
    )
    demo.nbgrader(course, "autograde", demo.ASSIGNMENT, "--force")
    course.joinpath("after.sha256").write_text(digest(course / "gradebook.db"))
    time.sleep(DAEMON_DELAY + 1)  # what the intruder's daemon would have needed
    demo.nbgrader(course, "generate_feedback", demo.ASSIGNMENT, "--force")
    return course


@pytest.fixture(scope="module")
def scores(course):
    return demo.gradebook(course)


def cli_score(course, learner):
    return grade_submission(course / "submitted" / learner / demo.ASSIGNMENT / NOTEBOOK).score


def test_correct_learner_full_marks_blank_zero(scores):
    assert scores["ada"] == 100
    assert scores["blank"] == 0
    assert 0 < scores["trap"] < 100


def test_a_hollow_notebook_scores_zero(course, scores):
    assert scores["hollow"] == 0 == cli_score(course, "hollow")


def test_deleted_test_cell_is_still_graded(scores):
    assert scores["deleted"] == 100


def test_patching_numpy_in_the_kernel_earns_nothing(scores):
    assert scores["forger"] < scores["ada"]


def test_an_intruder_changes_nothing_but_its_own_grade(course, scores):
    """No learner code runs outside the sandbox under autograde: the intruder's cell reached
    neither the reference, nor its classmate's notebook, nor the gradebook."""
    assert scores["bea"] == 100  # the classmate it rewrote, graded after it
    assert scores["aaron"] == pytest.approx(cli_score(course, "aaron"), abs=1e-6)
    assert scores["aaron"] < 100  # its wrong sigmoid
    assert not (course / "loot.txt").exists()
    assert (
        digest(course / "submitted", course / "source", KIT / "solutions")
        == course.joinpath("before.sha256").read_text()
    )
    assert digest(course / "gradebook.db") == course.joinpath("after.sha256").read_text()
    assert str(course).encode() not in b"".join(_cmdlines()), "a process outlived autograde"


def _cmdlines():
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                yield Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                pass


def test_the_intrusion_works_where_nothing_confines_it(tmp_path):
    """The attack above is real: run as plain Python it does all three things."""
    import sqlite3

    course = tmp_path
    (course / "submitted" / "bea" / "ch01").mkdir(parents=True)
    (course / "submitted" / "bea" / "ch01" / NOTEBOOK).write_text("bea's notebook")
    db = sqlite3.connect(course / "gradebook.db")
    db.execute("CREATE TABLE grade (manual_score FLOAT, extra_credit FLOAT)")
    db.execute("INSERT INTO grade VALUES (NULL, NULL)")
    db.commit()
    subprocess.run([sys.executable, "-c", intrusion(course, "loot.txt")], check=True, timeout=30)
    assert "BEGIN SOLUTION" in (course / "loot.txt").read_text()
    assert (course / "submitted" / "bea" / "ch01" / NOTEBOOK).read_text() == "{}"
    deadline = time.monotonic() + DAEMON_DELAY + 10
    while db.execute("SELECT extra_credit FROM grade").fetchone()[0] != 100:
        assert time.monotonic() < deadline, "the daemon never wrote the gradebook"
        time.sleep(0.2)


def test_killing_the_kernel_still_gets_a_grade(course, scores):
    # plain nbgrader leaves this learner without a grade; the sandbox sees the same exit at load
    assert scores["exiter"] == 0
    autograded = nbformat.read(course / "autograded" / "exiter" / demo.ASSIGNMENT / NOTEBOOK, as_version=4)
    assert all(
        c.outputs
        for c in autograded.cells
        if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_")
    )


@pytest.mark.parametrize("learner", ["ada", "blank", "trap", "forger", "exiter", "aaron", "bea"])
def test_nbgrader_and_cli_give_the_same_total(course, scores, learner):
    assert scores[learner] == pytest.approx(cli_score(course, learner), abs=1e-6)


@pytest.mark.parametrize("learner", ["ada", "trap"])
def test_feedback_shows_no_hidden_test_or_solution(course, learner):
    html = (course / "feedback" / learner / demo.ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")).read_text()
    for secret in (
        "BEGIN HIDDEN TESTS",
        "grade_cell",
        "nbgrader_hooks",
        "most recent call last",
        "/autograder/",
    ):
        assert secret not in html, f"{learner}'s feedback shows {secret!r}"
    assert "return np.exp(-np.abs(x))" not in html  # nothing of the reference's code


def test_learner_html_is_inert_in_feedback_and_formgrader(course, scores):
    """The autograded notebook (what formgrader and the feedback page render) holds the learner's
    HTML as escaped text, and the feedback page runs none of it; the written answer is kept."""
    autograded = nbformat.read(course / "autograded" / "scripter" / demo.ASSIGNMENT / NOTEBOOK, as_version=4)
    html = (
        course / "feedback" / "scripter" / demo.ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")
    ).read_text()
    for text in ("".join(c.source for c in autograded.cells if c.cell_type != "code"), html):
        assert "<script>alert" not in text and "<img src" not in text and "href='javascript" not in text
    assert "&lt;script&gt;alert" in html and "答案" in html
    assert scores["scripter"] == scores["ada"]


def test_trap_feedback_explains_the_swish_bug(course):
    autograded = nbformat.read(course / "autograded" / "trap" / demo.ASSIGNMENT / NOTEBOOK, as_version=4)
    cell = next(c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_swish")
    text = "".join(o.get("text", "") for o in cell.outputs)
    assert re.search(r"swish", text) and cell.outputs[-1].output_type == "execute_result"
