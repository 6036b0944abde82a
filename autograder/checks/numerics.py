"""The grader's numerical derivative: every numerical gradient on the grader's side (checks,
figures, misconceptions) comes from `central_difference`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def central_difference(
    f: Callable[[np.ndarray], Any], x, eps: float, *, elementwise: bool = False
) -> np.ndarray:
    """(f(x + ε·e_i) - f(x - ε·e_i)) / 2ε for every element i of x, in float64: the grader's one
    numerical gradient, the same formula the learner's numerical_gradient is held to.

    f maps an array shaped like x to a float, and is given perturbed copies (x is untouched);
    elementwise: f maps each element on its own (an activation), so every element is perturbed
    at once and the result is f's derivative at each element."""
    x = np.asarray(x, dtype=float)
    difference = lambda plus, minus: (f(plus) - f(minus)) / (2 * eps)
    if elementwise:
        return difference(x + eps, x - eps)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += eps
        minus[index] -= eps
        grad[index] = difference(plus, minus)
    return grad
