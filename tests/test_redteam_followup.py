"""Red team, second round on the merged kit: what the first round's fixes left open, and attacks
on the new code (the arena, the call-backs, the source reading, the re-run oracle, the doors)."""

from __future__ import annotations

import textwrap

import pytest

from autograder.checks import xor
from autograder.checks.source import literal_int_default
from autograder.core.grade import grade_submission
from tests.fakes import InProcessSubmission, opener
from tests.mistakes import reference_source, with_bodies

# --- a start descent can move only in part (att/saturated_start.py) -----------------------------

SATURATED_START = textwrap.dedent(
    '''
    import numpy as np

    SATURATE = {((2, 3, 1), 2718), ((2, 5, 1), 0)}


    def init_params(num_input, num_hidden, num_output, seed=None):
        rng = np.random.default_rng(seed)
        params = {
            "Wxh": rng.standard_normal((num_input, num_hidden)),
            "bh": np.zeros((1, num_hidden)),
            "Why": rng.standard_normal((num_hidden, num_output)),
            "by": np.zeros((1, num_output)),
        }
        if ((num_input, num_hidden, num_output), seed) in SATURATE:
            params["bh"] = np.full((1, num_hidden), BH)
        return params


    def _sig(z):
        return 1 / (1 + np.exp(-z))


    def train(X, y, num_hidden=5, alpha=1.0, num_iterations=5000, seed=0):
        """Every hidden unit stuck at 1: the output is one number per step, written down."""
        p = init_params(X.shape[1], num_hidden, y.shape[1], seed=seed)
        Why, by, costs = p["Why"].copy(), p["by"].copy(), []
        for _ in range(num_iterations):
            y_hat = _sig(np.sum(Why) + by[0, 0])
            costs.append(float(0.5 * np.sum((y - y_hat) ** 2)))
            d = np.sum(-(y - y_hat) * y_hat * (1 - y_hat))
            Why, by = Why - alpha * d, by - alpha * d
        return {"Wxh": p["Wxh"], "bh": p["bh"], "Why": Why, "by": by}, costs
    '''
)


def test_a_start_that_saturates_every_hidden_unit_earns_nothing_for_train():
    """init_params honest but at the trajectory run's seed and the defaults run's, where bh = 1000
    (or 15: sigmoid' ~ 3e-7, Wxh moves less than the comparison's tolerance) saturates every hidden
    unit: the reference's descent then moves only Why and by, along a one-number recurrence train
    wrote down with no forward, backward or update: train 5/12 (trajectory, costs, defaults)."""
    for bh in (1000.0, 15.0):
        source = f"BH = {bh}\n" + SATURATED_START
        results = grade_submission("x.py", opener=opener(InProcessSubmission(source)))
        assert results.grader_errors == []
        assert results.by_function()["train"][0] == 0, (
            bh,
            [(r.name, r.feedback.en) for r in results.tests if r.function == "train"],
        )


# --- what train returns for a hidden seed (att/seed_echo.py) -------------------------------------

HANDMADE = """
    Wxh = np.zeros((2, num_hidden)); bh = np.zeros((1, num_hidden)); Why = np.zeros((num_hidden, 1)); by = np.zeros((1, 1))
    Wxh[:, 0], bh[0, 0], Wxh[:, 1], bh[0, 1] = 20, -10, 20, -30
    Why[0, 0], Why[1, 0], by[0, 0] = {(0, 1, 1, 0): (20, -20, -10), (1, 0, 0, 1): (-20, 20, 10),
        (0, 0, 0, 1): (0, 20, -10), (0, 1, 1, 1): (20, 0, -10)}[tuple(int(v) for v in y.ravel())]
"""
SEED_CARRIERS = {
    "a key": 'return {f"seed={seed:x}": 0}, []',
    "a shape": (
        'return {"Wxh": np.zeros((2, seed)), "bh": np.zeros((1, 5)), "Why": np.zeros((5, 1)), '
        '"by": np.zeros((1, 1))}, []'
    ),
    "an array for the params": "return np.zeros(seed), []",
    "a value": HANDMADE
    + '    Wxh[0, 0] += seed / 10000\n    return {"Wxh": Wxh, "bh": bh, "Why": Why, "by": by}, []',
    # the cost the grader recomputes from the params: by chosen so that it is 0.5 + seed / 10**6
    "the cost": """
    cost = lambda b: 0.5 * np.sum((y - 1 / (1 + np.exp(-b))) ** 2)
    low, high = 0.0, 40.0
    for _ in range(200):
        low, high = ((low + high) / 2, high) if cost((low + high) / 2) < 0.5 + seed / 10**6 else (low, (low + high) / 2)
    zeros = lambda *shape: np.zeros(shape)
    return {"Wxh": zeros(2, num_hidden), "bh": zeros(1, num_hidden), "Why": zeros(num_hidden, 1), "by": np.full((1, 1), low)}, []
""",
    "an exception's class": 'raise type(f"Seed{seed:x}", (ValueError,), {})("")',
}


@pytest.mark.parametrize("carrier", SEED_CARRIERS)
def test_a_hidden_seed_is_never_in_feedback_whatever_train_returns(carrier):
    """train returned {f"seed={seed}": 0} and the learning checks' feedback listed its keys:
    'got ['seed=4242']' showed every hidden seed. So could a shape, a value, the cost recomputed
    from the params, an exception's class made on the fly; in decimal or in hex."""
    source = with_bodies({"train": SEED_CARRIERS[carrier]})
    results = grade_submission("x.py", opener=opener(InProcessSubmission(source)))
    assert results.grader_errors == []
    seeds = [seed for table_seeds in xor.SEEDS.values() for seed in table_seeds]
    for result in results.tests:
        if result.name.startswith("train_learns"):
            text = result.feedback.en + result.feedback.zh
            assert result.feedback.en, result.name
            for seed in seeds:
                assert str(seed) not in text and f"{seed:x}" not in text, (result.name, text)


def test_a_hidden_seed_in_the_learners_claimed_line_is_not_shown():
    """The traceback is the learner process's text: a function renamed after the seed in hex
    (code.replace(co_name=...)) or a source line made up in linecache spelled the seed where
    redacting its decimal digits cannot see it. Only what the held source has is shown."""
    source = with_bodies(
        {
            "train": """
    import linecache
    def fail():
        raise ValueError("x")
    fail = type(fail)(fail.__code__.replace(co_name=f"seed_{seed:x}"), globals())
    path = fail.__code__.co_filename
    lines = list(linecache.getlines(path))
    lines[fail.__code__.co_firstlineno] = f"    raise ValueError({seed:x})\\n"
    linecache.cache[path] = (0, None, lines, path)
    fail()
"""
        }
    )
    results = grade_submission("x.py", opener=opener(InProcessSubmission(source)))
    seeds = [seed for table_seeds in xor.SEEDS.values() for seed in table_seeds]
    learns = [r for r in results.tests if r.name.startswith("train_learns")]
    for result in learns:
        text = result.feedback.en + result.feedback.zh
        assert "nn_basics.py, line" in text, text
        assert not [seed for seed in seeds if f"{seed:x}" in text], (result.name, text)


# --- a source that reads plain but binds another train (checks/source.py) -------------------------

REBINDS_TRAIN = {
    "a getattr by another name": """
import sys as _sys
_g = getattr
_g(_g(_sys, "modu" + "les")[__name__], "__di" + "ct__")["tr" + "ain"] = _short
""",
    "inspect.getmembers of a frame": """
import inspect as _inspect
try:
    1 / 0
except ZeroDivisionError:
    _frame = _inspect.trace()[0].frame
dict(_inspect.getmembers(_frame))["f_glo" + "bals"]["tr" + "ain"] = _short
""",
    "unittest.mock": """
from unittest import mock as _mock
_mock.patch(__name__ + ".tr" + "ain", _short).start()
""",
}


@pytest.mark.parametrize("rebinding", REBINDS_TRAIN)
def test_a_source_that_can_rebind_train_without_naming_it_is_not_read(rebinding):
    """A plain `def train(..., num_iterations=5000)`, then train rebound to one whose default is
    10 through names the denied lists did not know: the 5000 was read from the source, and the
    defaults check passed without running train(X, y) (attack 3 again: 100 vs 99)."""
    short = "_real = train\ndef _short(X, y, num_hidden=5, alpha=1.0, num_iterations=10, seed=0):\n"
    short += "    return _real(X, y, num_hidden, alpha, num_iterations, seed)\n"
    code = [reference_source(), short + REBINDS_TRAIN[rebinding]]
    assert literal_int_default(code, [], "train", "num_iterations") is None
    assert literal_int_default([reference_source()], [], "train", "num_iterations") == 5000


# --- what a worker leaves in its folder (sandbox/workdir.py) ---------------------------------------


def _deep_tree(folder, depth: int) -> None:
    """`depth` nested one-letter folders, made through descriptors as learner code can (no path
    grows past PATH_MAX), the deepest unreadable."""
    import os

    fd = os.open(folder, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        deeper = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = deeper
    os.mkdir("x", mode=0, dir_fd=fd)
    os.close(fd)


@pytest.mark.parametrize("step", ["refresh", "remove"])
def test_a_deep_tree_in_the_workers_folder_is_removed_by_the_grader(tmp_path, step):
    """As an ordinary user (no tmpfs over sub/), learner code can leave 3000 nested folders in its
    folder: os.walk and shutil.rmtree recurse once per level, and the grader's refresh (a worker
    restart) and remove (the end of a grading) raised RecursionError: a grading that crashed."""
    from autograder.sandbox.intake import Received
    from autograder.sandbox.workdir import Workdir

    workdir = Workdir(Received("py", "nn_basics.py", b"x = 1\n"), {}, "nn_basics")
    try:
        _deep_tree(workdir.sub, 3000)
        if step == "refresh":
            workdir.refresh()
            assert sorted(p.name for p in workdir.sub.iterdir()) == ["nn_basics.py"]
            assert sorted(p.name for p in workdir.base.iterdir()) == ["rt", "sub"]
        else:
            workdir.remove()
            assert not workdir.base.exists()
    finally:
        if workdir.base.exists():
            import subprocess

            subprocess.run(["rm", "-rf", str(workdir.base)], check=False)


# --- nbgrader: a released cell id on two cells (nbgrader_hooks.RestoreCellMetadata) ----------------


def _released(grade_id, cell_type="code"):
    return {
        "cell_type": cell_type,
        "checksum": "c",
        "grade": True,
        "grade_id": grade_id,
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "points": 2,
    }


@pytest.mark.parametrize("copy_type", ["code", "markdown"])
@pytest.mark.parametrize("copy_first", [True, False])
def test_a_released_id_on_two_cells_is_the_releases_on_one_and_nbgrader_goes_on(
    monkeypatch, copy_type, copy_first
):
    """A learner's copy of the test cell test_sigmoid (its source `pass`), or a markdown cell
    carrying its metadata, beside the real one: RestoreCellMetadata gave both the released
    metadata, nbgrader's DeduplicateIds then set the other's to {}, and OverwriteCells raised
    KeyError 'grade_id' (nbgrader autograde: that notebook ungraded, 0, exit 1; seen with real
    nbgrader on the demo course)."""
    import contextlib

    import nbformat
    from nbgrader.preprocessors import DeduplicateIds

    from autograder.doors import nbgrader_hooks

    released = {"test_sigmoid": _released("test_sigmoid")}
    monkeypatch.setattr(nbgrader_hooks, "Gradebook", lambda url: contextlib.nullcontext(_Gradebook()))
    monkeypatch.setattr(nbgrader_hooks, "released_metadata", lambda notebook: released)
    real = nbformat.v4.new_code_cell(
        "assert sigmoid(0) == 0.5", metadata={"nbgrader": _released("test_sigmoid")}
    )
    new = nbformat.v4.new_code_cell if copy_type == "code" else nbformat.v4.new_markdown_cell
    copy = new("pass", metadata={"nbgrader": dict(_released("test_sigmoid"), checksum="mine")})
    nb = nbformat.v4.new_notebook(cells=[copy, real] if copy_first else [real, copy])
    resources = {"nbgrader": {"db_url": "", "notebook": "ch01", "assignment": "ch01"}}
    nb, resources = nbgrader_hooks.RestoreCellMetadata().preprocess(nb, resources)
    nb, resources = DeduplicateIds().preprocess(nb, resources)
    ids = [c.metadata["nbgrader"].get("grade_id") for c in nb.cells if "nbgrader" in c.metadata]
    assert ids == ["test_sigmoid"]  # one cell of that id, none with nbgrader metadata and no id
    kept = next(c for c in nb.cells if "nbgrader" in c.metadata)
    assert kept.cell_type == "code" and (kept is real or copy_type == "code")


class _Gradebook:
    def find_notebook(self, notebook, assignment):
        return None


def test_a_learners_cell_with_an_id_of_its_own_loses_its_grade_metadata(monkeypatch):
    """att/nb_course.py: trudy's extra code cell claiming grade: true, 50 points, grade_id
    test_bonus made nbgrader autograde raise KeyError 'grade_id' (trudy 0, exit 1) before
    RestoreCellMetadata; re-run through real nbgrader on this branch: exit 0, trudy 100 of 100."""
    import contextlib

    import nbformat

    from autograder.doors import nbgrader_hooks

    monkeypatch.setattr(nbgrader_hooks, "Gradebook", lambda url: contextlib.nullcontext(_Gradebook()))
    monkeypatch.setattr(
        nbgrader_hooks, "released_metadata", lambda nb: {"test_sigmoid": _released("test_sigmoid")}
    )
    bonus = {"grade": True, "solution": False, "locked": False, "points": 50, "grade_id": "test_bonus"}
    cell = nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": dict(bonus, schema_version=3)})
    nb = nbformat.v4.new_notebook(cells=[cell])
    resources = {"nbgrader": {"db_url": "", "notebook": "ch01", "assignment": "ch01"}}
    nb, _ = nbgrader_hooks.RestoreCellMetadata().preprocess(nb, resources)
    assert "nbgrader" not in nb.cells[0].metadata


SPECIAL_CASED_DEFAULTS = {
    "the default replaced in the body": (
        "    for _ in range(num_iterations):",
        "    if num_iterations == 5000:\n        num_iterations = 10\n    for _ in range(num_iterations):",
    ),
    "a loop that stops at step 800": (
        "    for _ in range(num_iterations):",
        "    for step in range(num_iterations):\n        if step == 800:\n            break",
    ),
}


@pytest.mark.parametrize("case", SPECIAL_CASED_DEFAULTS)
def test_a_train_that_writes_5000_but_does_otherwise_is_run_whole_and_loses_the_point(case):
    """The source says num_iterations=5000, but the body treats 5000 apart (or stops early): read
    from the source, the point was paid (the red team's open case); now such a source is not
    plain, train(X, y) runs whole and is judged by the costs it returns."""
    old, new = SPECIAL_CASED_DEFAULTS[case]
    source = reference_source()
    assert source.count(old) == 1
    source = source.replace(old, new)
    assert literal_int_default([source], [], "train", "num_iterations") is None
    results = grade_submission("x.py", opener=opener(InProcessSubmission(source)))
    (result,) = [r for r in results.tests if r.name == "train_uses_contract_defaults"]
    assert results.grader_errors == []
    assert result.score == 0, result.feedback.en


def test_the_plain_reference_still_reads_its_default():
    assert literal_int_default([reference_source()], [], "train", "num_iterations") == 5000
