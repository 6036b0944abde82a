"""Functions the grader hands to learner code: the `f` of numerical_gradient, the `cost_fn` of
gradient_check.

Self-contained (numpy only): the grader imports it to compute expected values, and the sandbox
worker loads a copy to build the callables it passes to learner code, so the worker never sees
the reference or the checks. Each kind has a value and an exact gradient.
"""

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
