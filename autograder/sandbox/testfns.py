"""Functions the grader hands to learner code: the `f` of numerical_gradient, the `cost_fn` of
gradient_check.

Grader-side only: the grader computes expected values with them and answers the learner's
evaluations of them (sandbox/callbacks.py). The worker never holds a kind or a coefficient: the
learner's code gets a call-back whose values come from here. Each kind has a value and an exact
gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def poly_sin(x, a, b, c):
    """f(x) = Σ a·sin(x) + b·x² + c·x³, elementwise coefficients shaped like x."""
    return float(np.sum(a * np.sin(x) + b * x**2 + c * x**3))


def poly_sin_gradient(x, a, b, c):
    return a * np.cos(x) + 2 * b * x + 3 * c * x**2


def dict_poly_sin(params, coeffs):
    """f(params) = Σ over keys of poly_sin(params[k], *coeffs[k]): a smooth cost over a dict."""
    return float(sum(poly_sin(params[k], *coeffs[k]) for k in coeffs))


def dict_poly_sin_gradient(params, coeffs):
    return {k: poly_sin_gradient(params[k], *coeffs[k]) for k in coeffs}


def build(kind, data):
    """The one-argument callable of `kind`, with its coefficients from `data` bound in."""
    if kind == "poly_sin":
        return lambda x: poly_sin(x, data["a"], data["b"], data["c"])
    if kind == "dict_poly_sin":
        coeffs = {k: (v["a"], v["b"], v["c"]) for k, v in data.items()}
        return lambda params: dict_poly_sin(params, coeffs)
    raise ValueError(f"unknown test function kind: {kind!r}")


class NotAccepted(ValueError):
    """An argument the test function does not take: the learner's call of it is wrong."""


def _accepted_array(arg: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """`arg` if it is a numeric array that broadcasts to `shape` without growing it (the array
    the function was given, a copy, another dtype), else NotAccepted."""
    if type(arg) is not np.ndarray or arg.dtype.kind not in "biuf":
        raise NotAccepted(f"{what} is a {type(arg).__name__}, not a numeric numpy array")
    try:  # the shape itself, as correct code sends it, without the broadcast's cost
        fits = arg.shape == shape or np.broadcast_shapes(arg.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise NotAccepted(f"{what} has shape {arg.shape}, not {shape}")
    return arg


class TestFunction:
    """A test function as the grader holds it: its kind and coefficients (`data`). It never
    crosses to the worker: a call sends an opaque handle for it, and the learner's evaluations
    come back to `evaluate`. Calling it here (the grader's own expected values) is `build`'s."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, kind: str, data: Any) -> None:
        self.kind, self.data = kind, data
        self._fn = build(kind, data)  # an unknown kind fails here, in the grader, before any call

    def __call__(self, arg: Any) -> float:
        return float(self._fn(arg))

    def evaluate(self, arg: Any) -> float:
        """The value at an argument the learner sent (decoded plain data), exactly as `build`
        computes it; NotAccepted if it is not an argument this function takes."""
        if self.kind == "poly_sin":
            _accepted_array(arg, np.shape(self.data["a"]), "the argument")
        elif type(arg) is not dict or set(arg) != set(self.data):
            raise NotAccepted(f"the argument is not a dict with the keys {sorted(self.data)}")
        else:
            for key, coeffs in self.data.items():
                _accepted_array(arg[key], np.shape(coeffs["a"]), f"the argument's {key!r}")
        with np.errstate(all="ignore"):  # an inf the learner sent gives nan, as it would in f
            return self(arg)

    def __repr__(self) -> str:
        return f"TestFunction({self.kind!r})"
