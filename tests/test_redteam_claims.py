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

import numpy as np
import pytest

from autograder.grade import grade_submission
from autograder.sandbox import TestFunction, codec, testfns
from autograder.sandbox.callbacks import MAX_EVALUATIONS, Callbacks
from autograder.sandbox.errors import BadCallback, SubmissionError
from autograder.submission import open_graded
from tests.fakes import InProcessSubmission, opener
from tests.mistakes import correct_source, with_bodies

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


CLAIMS = """\
import sys
import numpy as np

stashed = []


def own_arrays(f, x):
    # arrays the learner built itself, of any dtype the function takes, and a broadcast row
    return [f(x.astype(np.float32)), f(np.round(x).astype(int)), f(x[:1].copy()), f(x.copy())]


def a_list(f, x):
    return f(list(x))


def wrong_shape(f, x):
    return f(np.zeros(100_000))


def a_dict(f, x):
    return f({"x": x})


def endless(f, x):
    while True:
        f(x)


def stash(f, x):
    stashed.append(f)
    return f(x)


def another_calls_handle(f, x):
    return stashed[0](x)


def _raw(f, payload):
    req_fd, resp_fd = (cell.cell_contents for cell in f._ask.__closure__)
    codec = sys.modules["codec"]
    codec.write_frame_blocking(resp_fd, payload)
    return codec.read_frame_blocking(req_fd)


def malformed(f, x):
    return _raw(f, b'{"op": "eval", "handle": 12}')


def extra_field(f, x):
    return _raw(f, b'{"op": "eval", "handle": "%s", "arg": 1.0, "also": 2}' % f.data.encode())


def forged_handle(f, x):
    return _raw(f, b'{"op": "eval", "handle": "%s", "arg": 1.0}' % ("0" * 32).encode())
"""
ABUSES = ["a_list", "wrong_shape", "a_dict", "endless", "malformed", "extra_field", "forged_handle"]


@pytest.fixture(scope="module")
def claims(tmp_path_factory):
    folder = tmp_path_factory.mktemp("claims")
    (folder / "nn_basics.py").write_text(CLAIMS, encoding="utf-8")
    with open_graded(folder) as sub:
        yield sub


COEFFS = {"a": np.array([0.5, -1.0, 2.0]), "b": np.array([1.0, 0.25, -0.5]), "c": np.array([0.1, 0.2, 0.3])}
X = np.array([0.3, -1.7, 2.2])


def test_the_value_is_exactly_the_test_functions_at_any_array_it_takes(claims):
    got = claims.call("own_arrays", TestFunction("poly_sin", COEFFS), X)
    arguments = [X.astype(np.float32), np.round(X).astype(int), X[:1], X]
    assert got == [testfns.poly_sin(a, **COEFFS) for a in arguments]


@pytest.mark.parametrize("abuse", ABUSES)
def test_every_evaluation_request_is_a_claim_that_fails_only_its_call(claims, abuse):
    """A malformed request, a handle not of this call, an argument the function does not take,
    too many evaluations: the learner's failure (BadCallback) of that call, never the grader's,
    and the next call is served by a fresh worker."""
    with pytest.raises(BadCallback) as raised:
        claims.call(abuse, TestFunction("poly_sin", COEFFS), X, timeout=20)
    assert isinstance(raised.value, SubmissionError) and raised.value.message_key == "bad_callback"
    assert claims.call("own_arrays", TestFunction("poly_sin", COEFFS), X)[-1] == testfns.poly_sin(X, **COEFFS)


def test_a_handle_is_good_for_its_own_call_only(claims):
    f = TestFunction("poly_sin", COEFFS)
    assert claims.call("stash", f, X) == testfns.poly_sin(X, **COEFFS)
    with pytest.raises(BadCallback):  # the same grader function, in a later call
        claims.call("another_calls_handle", f, X)


def test_evaluations_are_bounded_per_call_above_what_correct_code_needs():
    """The reference's numerical_gradient and gradient_check ask 2 evaluations per element;
    the checks' largest argument has 13, so 26 per call: the bound leaves a wide margin."""
    sub = InProcessSubmission(correct_source())
    needed = []
    original = Callbacks.answer

    def counting(self, message):
        answered = original(self, message)
        needed.append(self.evaluations)  # this call's count so far
        return answered

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Callbacks, "answer", counting)
        results = grade_submission("x.py", opener=opener(sub))
    assert results.score == 100
    assert max(needed) == 26 and 20 * max(needed) < MAX_EVALUATIONS


def test_a_learner_spamming_f_costs_its_own_points_only(tmp_path):
    body = {
        "numerical_gradient": "    while True:\n        f(x)\n",
        "gradient_check": "    while True:\n        cost_fn(params)\n",
    }
    results = _grade_file(tmp_path, with_bodies(body))
    assert [_points(results, fn) for fn in GRADCHECK_FUNCTIONS] == [0, 0]
    assert results.score == 90
