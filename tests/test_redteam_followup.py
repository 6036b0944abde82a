"""Red team, second round on the merged kit: what the first round's fixes left open, and attacks
on the new code (the arena, the call-backs, the source reading, the re-run oracle, the doors)."""

from __future__ import annotations

import textwrap

from autograder.grade import grade_submission
from tests.fakes import InProcessSubmission, opener

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
        assert results.by_function()["train"][0] == 0, (bh, [
            (r.name, r.feedback.en) for r in results.tests if r.function == "train"
        ])
