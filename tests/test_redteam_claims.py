"""Issue 18, attacks 3 and 4: what the learner's process says about itself is a claim.

Attack 4: the test function handed to numerical_gradient and gradient_check carried its kind and
coefficients into the worker, so a closed form scored without numerical differentiation. Now the
learner's code gets a call-back whose values are computed in the grader; every evaluation request
is checked there.

Attack 3: train's num_iterations default was the worker's own report (protocol.declared_defaults,
patchable in the learner's process). Now it is read from the submission's source, as data the
grader holds, and only when that source is plain; otherwise train(X, y) runs whole.
"""

from __future__ import annotations

import nbformat
import numpy as np
import pytest

from autograder.grade import grade_submission
from autograder.sandbox import TestFunction, codec, testfns
from autograder.submission import open_graded
from tests.fakes import InProcessSubmission, opener
from tests.mistakes import correct_source, reference_source, with_bodies

GRADCHECK_FUNCTIONS = ("numerical_gradient", "gradient_check")


def _grade_file(tmp_path, source: str | bytes, name: str = "nn_basics.py"):
    path = tmp_path / name
    if isinstance(source, bytes):
        path.write_bytes(source)
    else:
        path.write_text(source, encoding="utf-8")
    results = grade_submission(path)
    assert results.grader_errors == [], [t.feedback.en for t in results.grader_errors]
    return results


def _points(results, function: str) -> float:
    return results.by_function()[function][0]


# --- attack 4: a readable test function ---------------------------------------------------------

# The exact central difference of Σ a·sin x + b·x² + c·x³, from the coefficients alone:
# (sin(x+h) - sin(x-h)) / 2h = cos x · sin h / h, x² gives 2x, x³ gives 3x² + h².
CLOSED_FORM = {
    "numerical_gradient": """\
    a, b, c = (np.asarray(f.data[k], dtype=float) for k in "abc")
    h = epsilon
    return a * np.cos(x) * np.sin(h) / h + 2 * b * x + c * (3 * x**2 + h**2)
""",
    "gradient_check": """\
    numeric, analytic = [], []
    for key, coeffs in cost_fn.data.items():
        a, b, c = (np.asarray(coeffs[k], dtype=float) for k in "abc")
        x, h = np.asarray(params[key], dtype=float), epsilon
        numeric.append((a * np.cos(x) * np.sin(h) / h + 2 * b * x + c * (3 * x**2 + h**2)).ravel())
        analytic.append(np.asarray(grads[key], dtype=float).ravel())
    return relative_error(np.concatenate(analytic), np.concatenate(numeric))
""",
}


def test_a_closed_form_read_from_the_test_function_earns_nothing(tmp_path):
    """The worker used to hold f.kind and f.data: this module scored 10/10 on gradient checking
    without ever calling f. The learner's code now holds a call-back and nothing else."""
    results = _grade_file(tmp_path, with_bodies(CLOSED_FORM))
    assert [_points(results, fn) for fn in GRADCHECK_FUNCTIONS] == [0, 0]
    assert _points(results, "relative_error") == 3  # the rest of the module is the reference's


PROBE = """\
    import sys
    texts, frame = [repr(f), str(dir(f))], sys._getframe()
    texts += [repr(getattr(f, n, None)) for n in dir(f)]
    while frame is not None:  # everything the worker's frames hold: the decoded call, its bytes
        texts.append(repr(frame.f_locals))
        frame = frame.f_back
    texts.append(repr(f(x)))
    return " ".join(texts)
"""


def test_the_learners_process_never_holds_the_kind_or_the_coefficients(tmp_path):
    (tmp_path / "nn_basics.py").write_text(with_bodies({"numerical_gradient": PROBE}), encoding="utf-8")
    coeffs = {"a": np.full(3, 0.123456789), "b": np.full(3, 0.987654321), "c": np.full(3, 0.555555555)}
    x = np.array([0.25, -0.5, 1.0])
    with open_graded(tmp_path) as sub:
        seen = sub.call("numerical_gradient", TestFunction("poly_sin", coeffs), x.copy())
    assert isinstance(seen, str) and repr(testfns.poly_sin(x, **coeffs)) in seen  # f did answer
    secrets = ["poly_sin", "0.1234", "0.9876", "0.5555"]
    secrets += [codec.encode(v)[codec.ARRAY_TAG]["data"] for v in coeffs.values()]  # as they would travel
    assert [s for s in secrets if s in seen] == []
