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

from autograder.grade import grade_submission
from tests.fakes import InProcessSubmission, opener
from tests.mistakes.misconceptions import corpus

CORPUS = corpus()
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
    assert elsewhere == {}
    judged_through = [t for t in results.tests if t.function != case.function and t.root_cause]
    assert {t.root_cause for t in judged_through} <= {case.function}
    for test in judged_through:
        assert test.passed
        assert f"{test.function} 本身正确；它调用的 {case.function} 有错，先修它" in test.feedback.zh
        assert f"the {case.function} it calls is wrong" in test.feedback.en
    callers = FORMERLY_CHARGED_ELSEWHERE.get(case.name, set())
    assert callers <= {t.function for t in judged_through}  # the root cause is named there
    assert all(t.root_cause is None for t in results.for_function(case.function))
