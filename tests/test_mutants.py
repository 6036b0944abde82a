"""A fixed sample of mutants of the reference (mutmut's, as `make mutants` grades them all) stays
killed: each breaks one function and the hidden grader must take points from that function."""

from __future__ import annotations

import pytest

from tools import mutants

# (line of solutions/nn_basics.py, stripped; mutmut's index of the mutation on it): the function
# that must lose points. Chosen to cover activations, the network, training and gradient checking.
SAMPLE = {
    ("return np.where(x >= 0, 1 / (1 + e), e / (1 + e))", 2): "sigmoid",
    ('"by": np.zeros((1, num_output)),', 0): "init_params",
    ('"bh": np.sum(delta1, axis=0, keepdims=True),', 0): "backward_prop",
    ("params = update_params(params, grads, alpha)", 0): "train",
    (
        "numeric.append(numerical_gradient(lambda _: cost_fn(params), params[key], epsilon))",
        0,
    ): "gradient_check",
    (
        "def numerical_gradient(f, x, epsilon=1e-5):",
        0,
    ): "numerical_gradient",  # default 2e-05: it survived once
}


@pytest.fixture(scope="module")
def by_key():
    return {m.key: m for m in mutants.mutants()}


def test_mutmut_finds_mutants_of_every_part_of_the_reference(by_key):
    assert len(by_key) > 100
    assert set(SAMPLE) <= set(by_key)


@pytest.mark.parametrize("key", sorted(SAMPLE), ids=lambda key: SAMPLE[key])
def test_sampled_mutant_is_killed_in_the_function_it_breaks(by_key, key):
    from autograder.core.grade import grade_submission
    from tests.fakes import InProcessSubmission, opener

    mutant = by_key[key]
    assert mutant.diff != mutant.line.strip()
    results = grade_submission("mutant.py", opener=opener(InProcessSubmission(mutant.source)))
    score, max_score = results.by_function()[SAMPLE[key]]
    assert score < max_score and results.score < 100
    assert results.grader_errors == []


def test_equivalent_mutants_exist_and_each_gives_a_reason(by_key):
    assert set(mutants.EQUIVALENT) <= set(by_key)  # a stale entry would hide nothing, but mislead
    assert all(len(reason) > 20 for reason in mutants.EQUIVALENT.values())
    assert not set(SAMPLE) & set(mutants.EQUIVALENT)
