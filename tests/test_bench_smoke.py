"""The benchmark's class is the class it claims to be: correct, mistaken, blank and hostile
submissions, as modules and as notebooks, derived from the release and the reference. And its
overhead method grades in-process exactly as the sandbox does. No timing is asserted here."""

import json

import nbformat
import pytest

from bench import class_builder
from bench.learner_time import Timed
from tests.fakes import InProcessSubmission, opener
from tools.demo import answers


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    dest = tmp_path_factory.mktemp("class")
    return dest, class_builder.build_class(dest, 10)


def test_class_has_the_intended_mix(built):
    dest, entries = built
    assert len(entries) == 10
    categories = [e.category for e in entries]
    assert categories.count("correct") == 2 and categories.count("hostile") == 3
    assert "mistaken" in categories and "blank" in categories
    assert {e.profile for e in entries} >= {"hang_in_softmax", "exit_at_import", "flood_stdout"}
    assert {e.format for e in entries} == {"py", "ipynb"}
    for e in entries:
        assert (dest / e.path).is_file() and e.path.endswith("." + e.format)
    manifest = json.loads((dest / "class.json").read_text())
    assert [(m["path"], m["category"]) for m in manifest] == [(e.path, e.category) for e in entries]


def test_every_profile_comes_in_both_formats_by_twenty():
    seen = {(profile.name, fmt) for _, profile, fmt in class_builder.plan(20)}
    assert seen == {(p.name, f) for p in class_builder.PROFILES for f in class_builder.FORMATS}


def test_notebooks_are_the_release_with_answer_cells_filled(built):
    dest, entries = built
    release = class_builder.release_notebook()
    reference = answers()
    for e in entries:
        if e.format != "ipynb":
            continue
        nb = nbformat.read(dest / e.path, as_version=4)
        nbformat.validate(nb)
        assert len(nb.cells) == len(release.cells)
        cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells}
        if e.profile == "correct":
            assert all(cells[name] == code for name, code in reference.items())
        if e.profile == "blank":
            assert all("NotImplementedError" in cells[name] for name in reference)
        if e.profile == "hang_in_softmax":
            assert "while True" in cells["softmax"]


def test_modules_hold_the_hostile_code_where_it_bites(built):
    dest, entries = built
    for e in entries:
        if e.format != "py":
            continue
        text = (dest / e.path).read_text(encoding="utf-8")
        compile(text, e.path, "exec")
        first_def = text.index("\ndef ")
        if e.profile == "exit_at_import":
            assert "sys.exit(3)" in text[:first_def]
        if e.profile == "flood_stdout":
            assert "print(" in text[:first_def]
        if e.category == "correct":
            assert "NotImplementedError()" not in text


@pytest.mark.slow
def test_in_process_grading_makes_the_sandbox_calls(tmp_path):
    """The overhead figure subtracts in-process call time: valid only if the checks make the
    same calls and reach the same score either way."""
    from autograder.core.grade import grade_submission

    path = tmp_path / "nn_basics.py"
    entries = class_builder.build_class(tmp_path / "one", 1, formats=("py",))
    path.write_text((tmp_path / "one" / entries[0].path).read_text(encoding="utf-8"), encoding="utf-8")
    in_process = InProcessSubmission.from_path(path)
    direct = grade_submission(path, opener=opener(in_process))
    timed = Timed()
    sandboxed = grade_submission(path, opener=timed)
    assert direct.score == sandboxed.score == sandboxed.max_score
    assert len(in_process.calls) == timed.calls


# The plain-nbgrader baseline (bench/nbgrader_baseline.py): its assert-based test cells are
# real tests, and plain nbgrader grades a notebook with them.


def _run_plain_tests(code):
    """{grade_id: the exception a plain test cell raised, or None} with `code`'s functions."""
    import numpy as np

    from bench.plain_tests import TESTS

    namespace = {"np": np}
    for source in code.values():
        exec(source, namespace)
    outcome = {}
    for grade_id, source in TESTS.items():
        try:
            exec(source, dict(namespace))
            outcome[grade_id] = None
        except Exception as error:
            outcome[grade_id] = error
    return outcome


def test_every_test_cell_has_a_plain_test():
    from bench.plain_tests import TESTS

    source = nbformat.read(class_builder.ROOT / "source" / "ch01" / "ch01.ipynb", as_version=4)
    graded = {
        c.metadata["nbgrader"]["grade_id"]
        for c in source.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
    }
    assert graded == set(TESTS)


def test_plain_tests_pass_on_the_reference_and_catch_the_chapter_bugs():
    from tools.demo import with_bugs

    assert all(error is None for error in _run_plain_tests(answers()).values())
    import numpy as np

    with np.errstate(all="ignore"):  # the chapter's tanh overflows: that is the bug caught
        failed = {name for name, error in _run_plain_tests(with_bugs(answers())).items() if error}
    assert {"test_tanh", "test_swish", "test_softmax"} <= failed and "test_sigmoid" not in failed


def test_plain_tests_fail_on_hollow_functions():
    hollow = {name: f"def {name}(*args, **kwargs):\n    return None\n" for name in answers()}
    assert all(error is not None for error in _run_plain_tests(hollow).values())


@pytest.mark.slow
def test_plain_nbgrader_grades_one_notebook_of_the_class(tmp_path):
    """nbgrader's defaults, no kit config: its kernel runs the correct notebook's asserts."""
    from bench.nbgrader_baseline import plain_seconds
    from bench.plain_tests import TESTS

    seconds, scores = plain_seconds(tmp_path, 1)
    assert scores == {"s0000_correct": 100.0}
    assert seconds > 0
    autograded = nbformat.read(
        tmp_path / "plain-course" / "autograded" / "s0000_correct" / "ch01" / "ch01.ipynb", as_version=4
    )
    cell = next(
        c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_sigmoid"
    )
    assert cell.source == TESTS["test_sigmoid"] and cell.execution_count  # run in nbgrader's kernel
