"""One mistake, one charge (issue 19, item 1): a function that calls other contract functions is
judged given the learner's own helpers (autograder/checks/helpers.py), pays only where that
expectation is non-degenerate, and its feedback names the root cause first.

tests/test_checks.py's corpus test holds every mistake of the corpus to "points lost only in
its own function"; these tests hold the feedback, the JSON field, the gradebook and the
degenerate cases."""

from __future__ import annotations

import json

import pytest

from autograder.checks import helpers
from autograder.core.grade import grade_submission
from autograder.doors.gradebook import Row
from autograder.reporters import json_report
from tests.fakes import InProcessSubmission, opener
from tests.mistakes import MISTAKES, VARIANTS, ZEROS_OF_THE_RIGHT_SHAPE, reference_source, with_bodies

MISTAKE = {m.name: m for m in MISTAKES}
# mistakes that cost their callers points before (main at issue 19), the callers, the root cause
FORMERLY_CHARGED_ELSEWHERE = [
    ("sigmoid_wrong_sign", {"predict", "forward_prop", "swish", "swish_derivative", "train"}, "sigmoid"),
    ("sigmoid_derivative_of_activation", {"backward_prop", "train"}, "sigmoid_derivative"),
    ("forward_prop_forgets_biases", {"predict", "train"}, "forward_prop"),
    ("cost_function_chapter_builtin_sum", {"train"}, "cost_function"),
    ("backward_prop_chapter_no_bias_gradients", {"train"}, "backward_prop"),
    ("update_params_ascends", {"train"}, "update_params"),
    ("numerical_gradient_forward_difference", {"gradient_check"}, "numerical_gradient"),
]
SIGMOID_ZEROS = "return np.zeros(np.shape(x))"


def grade(source: str, counter: list | None = None):
    sub = InProcessSubmission(source)
    if counter is not None:  # count the calls the grader makes of each function
        call, call_full = sub.call, sub.call_full
        sub.call = lambda name, *a, **k: counter.append(name) or call(name, *a, **k)
        sub.call_full = lambda name, *a, **k: counter.append(name) or call_full(name, *a, **k)
    return grade_submission("submission.py", opener=opener(sub))


def by_name(results):
    return {test.name: test for test in results.tests}


@pytest.mark.parametrize(
    ("mistake", "callers", "root"),
    FORMERLY_CHARGED_ELSEWHERE,
    ids=[m for m, _, _ in FORMERLY_CHARGED_ELSEWHERE],
)
def test_a_callers_checks_pay_and_name_the_helper_as_the_root_cause(mistake, callers, root):
    results = grade(MISTAKE[mistake].source())
    scores = results.by_function()
    assert {f for f in callers if scores[f][0] < scores[f][1]} == set()
    judged = [test for test in results.tests if test.function in callers and test.root_cause]
    assert judged and {test.root_cause for test in judged} == {root}
    for test in judged:
        assert test.passed
        assert f"{test.function} 本身正确；它调用的 {root} 有错，先修它" in test.feedback.zh
        assert f"{test.function} itself is right; the {root} it calls is wrong" in test.feedback.en
    # the function's own checks carry no root cause: the mistake is its own
    assert all(test.root_cause is None for test in results.for_function(root))


def test_the_json_report_carries_root_cause_only_where_a_helper_is_the_cause():
    results = grade(MISTAKE["sigmoid_derivative_of_activation"].source())
    report = json.loads(json_report.render(results, "zh"))
    tests = {test["name"]: test for test in report["tests"]}
    assert tests["backward_prop_matches_reference"]["root_cause"] == "sigmoid_derivative"
    assert "先修它" in tests["backward_prop_matches_reference"]["output"]
    assert tests["train_follows_gradient_descent"]["root_cause"] == "sigmoid_derivative"  # followed down
    assert "root_cause" not in tests["sigmoid_derivative_matches_reference"]
    assert "root_cause" not in tests["forward_prop_matches_reference"]
    assert report["functions"]["backward_prop"] == {"score": 10, "max_score": 10}


def test_the_gradebook_column_of_a_function_is_its_own_score():
    row = Row.of("learner", grade(MISTAKE["sigmoid_derivative_of_activation"].source()))
    assert row.functions["backward_prop"] == 10 and row.functions["train"] == 12
    assert row.functions["sigmoid_derivative"] == 0


@pytest.mark.parametrize(
    ("bodies", "fn", "helper"),
    [
        # a σ returning zeros makes a1 and ŷ zeros: forward_prop consistent with it proves nothing
        ({"sigmoid": SIGMOID_ZEROS}, "forward_prop", "sigmoid"),
        # a σ' returning zeros makes every gradient 0, which hollow backward_prop returns too
        ({"sigmoid_derivative": SIGMOID_ZEROS}, "backward_prop", "sigmoid_derivative"),
        # a constant σ': deltas without the chain rule's factor
        ({"sigmoid_derivative": "return np.ones(np.shape(x))"}, "backward_prop", "sigmoid_derivative"),
        # a relative_error returning 0: a gradient_check returning 0.0 would agree
        ({"relative_error": "return 0.0"}, "gradient_check", "relative_error"),
        # a numerical_gradient returning zeros: every relative error is 1
        ({"numerical_gradient": "return np.zeros(np.shape(x))"}, "gradient_check", "numerical_gradient"),
        # an update that returns params: descent does not move, a train returning its start agrees
        ({"update_params": "return params"}, "train", "update_params"),
        # zero gradients: the same
        (
            {"backward_prop": "return {k: np.zeros_like(v) for k, v in params.items()}"},
            "train",
            "backward_prop",
        ),
        # a forward pass of zeros: predict's labels all alike
        ({"forward_prop": ZEROS_OF_THE_RIGHT_SHAPE["forward_prop"]}, "predict", "forward_prop"),
    ],
    ids=lambda v: v if isinstance(v, str) else "-".join(v),
)
def test_a_hollow_helper_pays_its_caller_nothing_and_is_named(bodies, fn, helper):
    """The caller is the reference's (right given any helper): with a hollow helper the
    expectation is one hollow code could meet, so it earns nothing, and the feedback says why."""
    results = grade(with_bodies(bodies))
    value_checks = [t for t in results.for_function(fn) if "leaves" not in t.name]
    assert [t.name for t in value_checks if t.passed] == []
    degenerate = [t for t in value_checks if t.root_cause == helper]
    assert degenerate
    for test in degenerate:
        assert f"先修 {helper}" in test.feedback.zh and f"fix {helper} first" in test.feedback.en


def test_a_caller_with_its_own_mistake_is_charged_and_told_to_fix_the_helper_first():
    source = with_bodies(
        {
            "sigmoid_derivative": MISTAKE["sigmoid_derivative_of_activation"].body,
            "backward_prop": MISTAKE["backward_prop_chapter_no_bias_gradients"].body,
        }
    )
    results = grade(source)
    assert results.by_function()["backward_prop"][0] < 10
    (test,) = [t for t in results.tests if t.name == "backward_prop_matches_reference"]
    assert not test.passed and test.root_cause is None  # not only the helper's: no root cause claimed
    assert test.feedback.zh.startswith(
        "backward_prop 调用的 sigmoid_derivative 也有错：先修 sigmoid_derivative"
    )


def test_a_caller_that_inlines_a_right_helper_is_right_whatever_the_separate_helper_does():
    forward = """
        z1 = X @ params["Wxh"] + params["bh"]
        a1 = 1 / (1 + np.exp(-z1))
        z2 = a1 @ params["Why"] + params["by"]
        return z1, a1, z2, 1 / (1 + np.exp(-z2))
        """
    results = grade(with_bodies({"sigmoid": MISTAKE["sigmoid_wrong_sign"].body, "forward_prop": forward}))
    assert results.by_function()["forward_prop"] == (6, 6)
    assert all(t.root_cause is None for t in results.for_function("forward_prop"))


def test_a_correct_submission_is_never_judged_by_helpers(monkeypatch):
    """Costs nothing for correct code: the reference with the learner's helpers is never built."""

    def refuse(*args, **kwargs):
        raise AssertionError("judged by helpers")

    monkeypatch.setattr(helpers.WithLearnersHelpers, "__init__", refuse)
    results = grade(reference_source())
    assert results.score == results.max_score and results.grader_errors == []


def test_a_wrong_helper_costs_a_bounded_number_of_calls():
    calls: list = []
    grade(reference_source(), calls)
    reference_calls = len(calls)
    calls.clear()
    results = grade(MISTAKE["sigmoid_derivative_of_activation"].source(), calls)
    assert results.by_function()["train"] == (12, 12)
    # train's descents given the helpers: 20 whole steps, and 5 costs of each of 6 runs, two calls
    # of sigmoid_derivative a step (backward_prop, paid through it, is replayed as the reference's
    # code of it: measured 142 calls for the reference, 248 here)
    assert len(calls) - reference_calls <= 2 * (20 + 5 * 6) + 30


@pytest.mark.parametrize("budget", ["MAX_HELPER_CALLS", "MAX_HELPER_SECONDS"])
def test_beyond_the_helper_budget_the_ordinary_failure_stands(monkeypatch, budget):
    """A helper slow on every call (just under its time limit) cannot multiply grading time: the
    calls asked of helpers are bounded per submission, in number and in wall seconds."""
    monkeypatch.setattr(helpers, budget, 0)
    results = grade(MISTAKE["sigmoid_derivative_of_activation"].source())
    assert results.by_function()["backward_prop"][0] == 0 and results.grader_errors == []
    assert all(test.root_cause is None for test in results.tests)


@pytest.mark.parametrize(
    ("bodies", "fn", "root"),
    [
        # the notebook's identity tanh(x) = 2σ(2x) - 1, with the learner's wrong σ
        (
            {
                "sigmoid": MISTAKE["sigmoid_wrong_sign"].body,
                "tanh": "return 2 * sigmoid(2 * np.asarray(x, dtype=float)) - 1",
            },
            "tanh",
            "sigmoid",
        ),
        # swish' written with swish (VARIANTS' other formula), with the learner's swish of factor 2
        (
            {
                "swish": MISTAKE["swish_chapter_factor_2"].body,
                "swish_derivative": VARIANTS["other_formulas"]["swish_derivative"],
            },
            "swish_derivative",
            "swish",
        ),
    ],
    ids=["tanh-by-sigmoid", "swish_derivative-by-swish"],
)
def test_a_function_written_another_way_with_a_helper_is_judged_given_it(bodies, fn, root):
    results = grade(with_bodies(bodies))
    assert results.by_function()[fn][0] == results.by_function()[fn][1]
    assert {t.root_cause for t in results.for_function(fn) if t.root_cause} == {root}
