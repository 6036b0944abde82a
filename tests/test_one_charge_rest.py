"""One mistake, one charge, on every mistake of the misconception corpus
(tests/mistakes/misconceptions.py): no function but the mistake's own loses a point, and a
function that calls it and was judged through it names it as the root cause. tools/measure_charges.py
prints the same figures per function.

The cases that were still charged elsewhere (main before this file): train given an init_params
that ignores its seed or draws transposed arrays, a backward_prop whose bias gradients are not
summed or that misses a transpose, an update_params that swaps the weights' gradients (train
12 each); a σ computed in place (19.5 in its callers) or in float32 (1); a numerical_gradient
that perturbs every element at once (gradient_check 5)."""

from __future__ import annotations

import warnings

import pytest

from autograder.core.grade import grade_submission
from tests.fakes import InProcessSubmission, opener
from tests.mistakes import MISTAKES, with_bodies, write
from tests.mistakes.misconceptions import NEW, corpus

CORPUS = corpus()
CASES = {name: body for name, _, body, _ in NEW}
FORMERLY_CHARGED_ELSEWHERE = {
    "init_params_ignores_seed": {"train"},
    "init_params_transposed": {"train"},
    "backward_prop_bias_not_summed": {"train"},
    "backward_prop_missing_transpose": {"train"},
    "update_params_chapter_swapped": {"train"},
    "sigmoid_in_place_ufuncs": {"forward_prop", "train"},
    "sigmoid_float32": {"forward_prop", "sigmoid_derivative"},
    "numerical_gradient_all_at_once": {"gradient_check"},
}


# The one mistake still charged in a caller, and why no input the grader chooses can change it:
# gradient_check written as the chapter writes it passes numerical_gradient `lambda _:
# cost_fn(params)`, which reads the params numerical_gradient perturbs in place. One that
# perturbs a new array (x + ε) instead sees a constant function, returns zeros, and every
# relative error is 1, what `return 1.0` returns too: by the rule that a helper making every
# answer trivially consistent pays its caller nothing, gradient_check cannot be judged until
# numerical_gradient is fixed, and its feedback says so first. (A gradient_check whose f reads
# its argument is judged given it, and pays: see the test below.)
STILL_CHARGED = {"numerical_gradient_all_at_once": {"gradient_check"}}


def grade(source: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the corpus' overflows, by design
        return grade_submission("nn_basics.py", opener=opener(InProcessSubmission(source)))


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_a_mistake_loses_points_only_in_its_own_function_and_callers_name_it(case):
    results = grade(case.source)
    scores = results.by_function()
    assert scores[case.function][0] < scores[case.function][1], "the mistake is caught"
    elsewhere = {f: m - s for f, (s, m) in scores.items() if f != case.function and s < m}
    assert set(elsewhere) == STILL_CHARGED.get(case.name, set())
    for caller in elsewhere:  # the root cause first, in both languages
        for test in results.for_function(caller):
            if not test.passed and not test.feedback.en.startswith("This check scores only once"):
                assert test.feedback.zh.startswith(
                    f"{caller} 调用的 {case.function} 也有错：先修 {case.function}"
                )
                assert test.feedback.en.startswith(f"The {case.function} that {caller} calls is wrong too")
    judged_through = [t for t in results.tests if t.function != case.function and t.root_cause]
    assert {t.root_cause for t in judged_through} <= {case.function}
    for test in judged_through:
        assert test.passed
        assert f"{test.function} 本身正确；它调用的 {case.function} 有错，先修它" in test.feedback.zh
        assert f"the {case.function} it calls is wrong" in test.feedback.en
    callers = FORMERLY_CHARGED_ELSEWHERE.get(case.name, set()) - STILL_CHARGED.get(case.name, set())
    assert callers <= {t.function for t in judged_through}  # the root cause is named there
    assert all(t.root_cause is None for t in results.for_function(case.function))


GRADIENT_CHECK_F_READS_ITS_ARGUMENT = """
    params = {key: np.array(value, dtype=float) for key, value in params.items()}
    analytic, numeric = [], []
    for key in params:
        f = lambda v, key=key: cost_fn({**params, key: v})
        numeric.append(numerical_gradient(f, params[key].copy(), epsilon))
        analytic.append(np.asarray(grads[key], dtype=float))
    flat = lambda arrays: np.concatenate([a.ravel() for a in arrays])
    return relative_error(flat(analytic), flat(numeric))
    """


def test_a_gradient_check_whose_f_reads_its_argument_is_judged_given_an_all_at_once_numerical_gradient():
    """Its numerical gradients are one directional derivative repeated (a constant array), yet
    the relative errors differ from one wrong gradient to the next: gradient_check's own test of
    degeneracy decides, not the helper's constant reply."""
    bodies = {
        "numerical_gradient": CASES["numerical_gradient_all_at_once"],
        "gradient_check": GRADIENT_CHECK_F_READS_ITS_ARGUMENT,
    }
    results = grade(with_bodies(bodies))
    assert results.by_function()["gradient_check"] == (5, 5)
    assert {t.root_cause for t in results.for_function("gradient_check") if t.root_cause} == {
        "numerical_gradient"
    }
    # and correct with a correct numerical_gradient
    results = grade(with_bodies({"gradient_check": GRADIENT_CHECK_F_READS_ITS_ARGUMENT}))
    assert results.score == results.max_score


@pytest.mark.parametrize(
    "name", ["sigmoid_in_place_ufuncs", "init_params_ignores_seed", "backward_prop_missing_transpose"]
)
def test_through_the_sandbox_the_callers_lose_nothing_either(tmp_path, name):
    """The real sandbox: the arrays a helper leaves after the call read from the arena, train's
    square and recovered runs under train's own time limit."""
    case = next(case for case in CORPUS if case.name == name)
    results = grade_submission(write(tmp_path, name, case.source))
    scores = results.by_function()
    assert {f for f, (s, m) in scores.items() if s < m} == {case.function}
    assert results.grader_errors == []


MISTAKE = {m.name: m for m in MISTAKES}
NEW_BODY = {name: (function, body) for name, function, body, _ in NEW}


@pytest.mark.parametrize(
    ("helper", "train"),
    [
        # a start recovered from the end: weights written down, costs made up, are no descent
        ("init_params_ignores_seed", "train_lookup_table_with_fake_costs"),
        ("init_params_ignores_seed", "train_ignores_alpha"),
        ("init_params_ignores_seed", "train_records_cost_after_each_step"),
        # the square runs: train's own mistakes show there too
        ("init_params_transposed", "train_lookup_table_with_fake_costs"),
        ("backward_prop_missing_transpose", "train_hardcodes_xor_targets"),
        ("update_params_chapter_swapped", "train_ignores_alpha"),
        ("backward_prop_bias_not_summed", "train_records_cost_after_each_step"),
    ],
)
def test_a_train_wrong_on_its_own_is_charged_beside_such_a_helper(helper, train):
    bodies = {}
    for name in (helper, train):
        function, body = (MISTAKE[name].function, MISTAKE[name].body) if name in MISTAKE else NEW_BODY[name]
        bodies[function] = body
    results = grade(with_bodies(bodies))
    score, max_score = results.by_function()["train"]
    assert score < max_score
    if train == "train_lookup_table_with_fake_costs":  # hollow: nothing at all
        assert score == 0
