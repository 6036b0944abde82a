"""Every input a figure hands to the learner's functions, in one place, and all of it public:
the range the notebook plots, the extremes SPEC names (finite for every x in [-1000, 1000];
overflow at ±710), and the notebook's XOR network (X, y, init_params(2, 5, 1, seed=0)).

Nothing here is, or is drawn from, a hidden check's input (autograder/checks/: its seeded
random arrays, its seeds and sizes): a figure shows what the learner's function returns where
the learner could look for themselves. tests/test_feedback_figures.py holds every array a
figure passes to the learner to this module.
"""

from __future__ import annotations

import numpy as np

# activations: the range figures/curves.py draws on (PUBLIC_X, shared with the learner's public
# checks: x from -8 to 8, and ±30, ±100, ±710, ±1000), read by curve_x()
# the learner's own activation is differenced at x ± NUMERIC_STEP (on the grader's side)
NUMERIC_STEP = 1e-4

# softmax: a batch of rows the notebook could write, spread wide enough to show which axis sums to 1
SOFTMAX_ROWS = np.linspace(-2.0, 2.0, 12).reshape(3, 4)

# the notebook's network: XOR's four inputs, its targets, 5 hidden units, seed 0
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])
NUM_HIDDEN = 5
SEED = 0
ALPHA = 1.0
# train's picture: the notebook's run, shortened (its costs fall by 100x well within this)
TRAIN_ITERATIONS = 400
# predict's picture: the notebook's decision-boundary grid, coarser
GRID = np.linspace(-0.5, 1.5, 41)
GRADIENT_LIMIT = 1e-7  # the chapter's gradient check passes below this
EPSILON = 1e-5  # SPEC's default epsilon


def xor_params(ref) -> dict[str, np.ndarray]:
    """init_params(2, 5, 1, seed=0), as the notebook calls it (the reference's)."""
    return ref.init_params(XOR_X.shape[1], NUM_HIDDEN, XOR_Y.shape[1], seed=SEED)


def curve_x() -> np.ndarray:
    """The activations' inputs: curves.PUBLIC_X, the bend near 0 and the extremes, in order."""
    from .curves import PUBLIC_X  # matplotlib: imported when a figure is drawn

    return np.array(PUBLIC_X, dtype=float)


def grid_points() -> np.ndarray:
    g1, g2 = np.meshgrid(GRID, GRID)
    return np.column_stack([g1.ravel(), g2.ravel()])


def gradient_problem():
    """A smooth cost over the XOR network's parameters, for numerical_gradient and
    gradient_check: per key, sin/square/cube coefficients made from the notebook's own numbers
    (no random draw), at the notebook's start init_params(2, 5, 1, seed=0) of the reference."""
    shapes = {"Wxh": (2, NUM_HIDDEN), "bh": (1, NUM_HIDDEN), "Why": (NUM_HIDDEN, 1), "by": (1, 1)}
    data = {}
    for n, (key, shape) in enumerate(shapes.items()):
        ramp = np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape)
        data[key] = {"a": ramp, "b": 0.25 * (n + 1) * ramp, "c": 0.1 * ramp}
    return data
