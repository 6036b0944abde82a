"""The catalogue of misconceptions (autograder/core/misconceptions.py), proven against its corpus
(tests/mistakes/misconceptions.py): every mistake is named as its own misconception and as no
other, correct code (probed or not) and hollow code are named as none, the reference is never
probed, and every report says the name once per function.

The corpus is graded with the in-process double (113 submissions: through the sandbox it
would take minutes); the sandbox's own paths (arguments after the call, a call that raises,
call-backs, train's time limit) are proven by a few cases graded through the real sandbox."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from autograder.checks.common import Context
from autograder.core import misconceptions
from autograder.core.grade import grade_submission, load_reference, load_rubric
from autograder.core.misconceptions import (
    BY_FUNCTION,
    CATALOGUE,
    PROBES,
    RAISES,
    detect,
    distance,
    predictions,
)
from autograder.messages import MESSAGES
from autograder.reporters import render
from autograder.results import Results
from tests.fakes import InProcessSubmission, opener
from tests.mistakes import (
    HOLLOW,
    STRANGE_RETURNS,
    VARIANTS,
    _signatures,
    correct_source,
    hollow_source,
    reference_source,
    stub_source,
    variant_source,
    with_bodies,
    write,
)
from tests.mistakes.misconceptions import NEW, corpus

CORPUS = corpus()
CASES = {case.name: case for case in CORPUS}
DOC = Path(__file__).resolve().parents[1] / "docs" / "misconceptions.md"


def grade_in_process(source: str):
    return grade_submission("nn_basics.py", opener=opener(InProcessSubmission(source)))


def named(results) -> dict[str, str]:
    """{function: misconception id} of every failed result that names one."""
    return {r.function: r.misconception.id for r in results.tests if r.misconception}


# --- the catalogue --------------------------------------------------------------------------------


def test_every_entry_is_a_contract_function_a_snake_case_id_and_probes_of_that_function():
    rubric = load_rubric()
    ids = [entry.id for entry in CATALOGUE]
    assert len(ids) == len(set(ids))
    for entry in CATALOGUE:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", entry.id) and entry.id.startswith(entry.function)
        assert entry.function in rubric
        assert entry.probes and all(PROBES[name].fn == entry.function for name in entry.probes)
        assert (entry.predict is None) != (entry.match is None)
    assert set(BY_FUNCTION) == set(rubric), "every contract function has misconceptions"


def test_every_entry_has_its_own_message_in_both_languages():
    texts = [entry.text for entry in CATALOGUE]
    assert all(f"misconception_{entry.id}" in MESSAGES for entry in CATALOGUE)
    assert len({text.zh for text in texts}) == len({text.en for text in texts}) == len(CATALOGUE)
    stray = {key for key in MESSAGES if key.startswith("misconception_")} - {
        f"misconception_{entry.id}" for entry in CATALOGUE
    }
    assert stray == {"misconception_note"}


def _reference_value(name):
    probe = PROBES[name]
    ref = load_reference()
    return getattr(ref, probe.fn)(*misconceptions._args(probe, ref), **probe.kwargs)


@pytest.mark.parametrize("entry", [e for e in CATALOGUE if e.predict], ids=lambda e: e.id)
def test_a_prediction_is_not_the_reference_answer_nor_another_entry_s(entry):
    """A detector that predicted the right answer would name a misconception on correct code;
    two that predicted the same values could not tell their misconceptions apart."""
    ref = load_reference()
    mine = predictions(entry, ref)
    if not entry.changes_input:
        assert any(distance(mine[n], _reference_value(n)) is None for n in entry.probes)
    for other in BY_FUNCTION[entry.function]:
        if other is entry or other.predict is None or set(other.probes) != set(entry.probes):
            continue
        theirs = predictions(other, ref)
        same = all(distance(mine[n], theirs[n]) is not None for n in entry.probes)
        assert not (same and other.changes_input == entry.changes_input), other.id


def test_distance_tells_kinds_of_numbers_apart_and_reads_anything():
    x = np.array([0.0, 1.0])
    assert distance(x, x) == 0.0 and distance(x.astype(np.float32), x) is None
    assert distance(x > 0, x) is None and distance(np.array([0, 1]), x) is None
    assert distance(np.array([np.nan]), np.array([np.nan])) == 0.0
    assert distance(RAISES, x) is None and distance(x, RAISES) is None and distance(RAISES, RAISES) == 0.0
    for junk in ("0.5", None, [[1.0], [2.0, 3.0]], {"a": 1}, 10**400, (1,), object()):
        assert distance(junk, x) is None
        assert distance(junk, {"a": x}) is None


# --- the corpus -----------------------------------------------------------------------------------


def test_the_corpus_holds_at_least_60_mistakes_and_names_every_entry():
    assert len(CORPUS) >= 60 and len(NEW) >= 50
    assert {case.misconception for case in CORPUS} - {None} == {entry.id for entry in CATALOGUE}


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_each_mistake_is_named_as_its_own_misconception_and_no_other(case):
    results = grade_in_process(case.source)
    own = results.for_function(case.function)
    assert any(not r.passed for r in own), "the mistake is caught"
    expected = {case.function: case.misconception} if case.misconception else {}
    assert named(results) == expected  # and nothing in the functions that call it
    failed = [r for r in own if not r.passed and not r.error]
    assert all((r.misconception is not None) == bool(case.misconception) for r in failed)
    assert all(r.misconception is None for r in own if r.passed)


# Correct code written otherwise: each of the kit's variants, helpers inlined, Chinese names.
INLINED = with_bodies(
    {
        "forward_prop": """
            z1 = X @ params["Wxh"] + params["bh"]
            a1 = 1 / (1 + np.exp(-z1))
            z2 = a1 @ params["Why"] + params["by"]
            return z1, a1, z2, 1 / (1 + np.exp(-z2))
            """,
        "predict": """
            a1 = 1 / (1 + np.exp(-(X @ params["Wxh"] + params["bh"])))
            return (1 / (1 + np.exp(-(a1 @ params["Why"] + params["by"]))) >= 0.5).astype(int)
            """,
        "sigmoid_derivative": "s = np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))\nreturn s - s * s",
    }
)
CHINESE = "\n\n学习率 = 1.0\n\n\ndef 训练(X, y, 隐藏单元数=5):\n    return train(X, y, num_hidden=隐藏单元数, alpha=学习率)\n"
CORRECT = {
    "reference": reference_source(),
    "without_markers": correct_source(),
    **{name: variant_source(name) for name in VARIANTS},
    "inlined_helpers": INLINED,
    "chinese_identifiers": correct_source() + CHINESE,
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_code_matches_no_misconception_even_when_every_function_is_probed(name):
    ctx = Context(InProcessSubmission(CORRECT[name]), load_reference())
    assert {fn: detect(ctx, fn) for fn in BY_FUNCTION} == dict.fromkeys(BY_FUNCTION)


def test_correct_code_scores_full_marks_and_is_never_probed(monkeypatch):
    def probed(ctx, function):
        raise AssertionError(f"{function} was probed")

    monkeypatch.setattr(misconceptions, "detect", probed)
    for name in ("reference", "inlined_helpers", "chinese_identifiers"):
        results = grade_in_process(CORRECT[name])
        assert results.score == 100 and named(results) == {}, name


@pytest.mark.parametrize("name", ["stub", *sorted(HOLLOW)])
def test_hollow_and_stub_submissions_are_named_no_misconception(name):
    source = stub_source() if name == "stub" else hollow_source(name)
    results = grade_in_process(source)
    assert results.score == 0 and named(results) == {}
    ctx = Context(InProcessSubmission(source), load_reference())
    assert {fn: detect(ctx, fn) for fn in BY_FUNCTION} == dict.fromkeys(BY_FUNCTION)


@pytest.mark.parametrize("kind", sorted(STRANGE_RETURNS))
def test_strange_returns_are_probed_without_a_grader_error(kind):
    source = with_bodies(dict.fromkeys(_signatures(), STRANGE_RETURNS[kind]))
    results = grade_in_process(source)
    assert results.grader_errors == [] and named(results) == {}


def test_a_detector_that_breaks_is_the_grader_s_fault_and_names_nothing(monkeypatch):
    entry = next(e for e in CATALOGUE if e.id == "sigmoid_wrong_sign")
    broken = misconceptions.Misconception(
        "sigmoid_broken", entry.function, entry.probes, lambda ref, x: 1 / 0
    )
    monkeypatch.setitem(BY_FUNCTION, "sigmoid", [broken])
    results = grade_in_process(CASES["sigmoid_wrong_sign"].source)
    assert named(results) == {} and results.grader_errors == []


# --- through the real sandbox ---------------------------------------------------------------------

SANDBOXED = [
    "relu_clips_input_in_place",  # the argument as it was after the call
    "relu_chapter_if_on_arrays",  # a call that raises
    "numerical_gradient_does_not_restore",  # call-backs, and x after the call
    "init_params_ignores_seed",  # a detector of its own
    "backward_prop_float32",  # the dtype of what came back
    "train_records_cost_after_each_step",  # train, with its own time limit
]


@pytest.mark.parametrize("name", SANDBOXED)
def test_misconceptions_are_named_through_the_sandbox(tmp_path, name):
    case = CASES[name]
    results = grade_submission(write(tmp_path, name, case.source))
    assert named(results) == {case.function: case.misconception}


# --- the reports ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_mistake():
    return grade_in_process(CASES["sigmoid_derivative_s_times_1_plus_s"].source)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "junit", "gradescope", "json"])
def test_every_report_says_the_misconception_once_per_function(one_mistake, fmt, lang):
    text = next(e for e in CATALOGUE if e.id == "sigmoid_derivative_plus").text.render(lang)
    report = render(one_mistake, fmt, lang)
    if fmt == "junit":
        report = "".join(ET.fromstring(report.split("\n", 1)[1]).itertext())
    if fmt in ("gradescope", "json"):
        report = "".join(test["output"] for test in json.loads(report)["tests"])
    assert report.count(text) == 1
    failures = [r for r in one_mistake.failed() if r.function == "sigmoid_derivative"]
    assert len(failures) >= 2  # once, though several checks of the function failed


def test_the_json_report_carries_the_misconception_on_each_failed_check_of_its_function(one_mistake):
    tests = json.loads(render(one_mistake, "json"))["tests"]
    entry = next(e for e in CATALOGUE if e.id == "sigmoid_derivative_plus")
    for test, result in zip(tests, one_mistake.tests, strict=True):
        if result.function == "sigmoid_derivative" and not result.passed:
            assert test["misconception"] == {"id": entry.id, "zh": entry.text.zh, "en": entry.text.en}
        else:
            assert "misconception" not in test


def test_the_instructors_table_lists_every_entry():
    rows = re.findall(r"^\| `(\w+)` \| `(\w+)` \|", DOC.read_text(encoding="utf-8"), re.M)
    assert sorted(rows) == sorted((entry.function, entry.id) for entry in CATALOGUE)


def test_results_that_name_a_misconception_cross_as_a_class_s_grading_slots_send_them(one_mistake):
    """grade-all's slots send each learner's Results to the parent as results.py's lossless dict
    in JSON: a named misconception is plain data (its id and text), never the catalogue's entry."""
    again = Results.from_dict(json.loads(json.dumps(one_mistake.to_dict())))
    assert again.tests == one_mistake.tests and named(again) == {
        "sigmoid_derivative": "sigmoid_derivative_plus"
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nbgrader_s_test_cell_says_the_misconception_once_after_the_function_s_failures(one_mistake, lang):
    from autograder.doors.nbgrader_hooks import function_report

    text = next(e for e in CATALOGUE if e.id == "sigmoid_derivative_plus").text.render(lang)
    _, feedback = function_report(one_mistake, "sigmoid_derivative", lang)
    assert feedback.count(text) == 1 and feedback.rstrip().endswith(text)
    assert text not in function_report(one_mistake, "sigmoid", lang)[1]
