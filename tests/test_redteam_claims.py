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

from autograder.checks.source import literal_int_default
from autograder.core.grade import grade_submission
from autograder.core.submission import open_graded
from autograder.sandbox import TestFunction, codec, testfns
from autograder.sandbox.callbacks import MAX_EVALUATIONS, Callbacks
from autograder.sandbox.errors import BadCallback, SubmissionError
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


CLAIMS = """\
import sys
import nbformat
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
    the checks' largest argument has 9, so 18 per call: the bound leaves a wide margin."""
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
    assert max(needed) == 18 and 20 * max(needed) < MAX_EVALUATIONS


def test_a_learner_spamming_f_costs_its_own_points_only(tmp_path):
    body = {
        "numerical_gradient": "    while True:\n        f(x)\n",
        "gradient_check": "    while True:\n        cost_fn(params)\n",
    }
    results = _grade_file(tmp_path, with_bodies(body))
    assert [_points(results, fn) for fn in GRADCHECK_FUNCTIONS] == [0, 0]
    assert results.score == 90


# --- attack 3: forged defaults --------------------------------------------------------------------

TRAIN_DEF = "def train(X, y, num_hidden=5, alpha=1.0, num_iterations=5000, seed=0):"
TEN = TRAIN_DEF.replace("num_iterations=5000", "num_iterations=10")
CHECK = "train_uses_contract_defaults"


class Recording(InProcessSubmission):
    """The double, recording the keyword arguments of every call of train."""

    def __init__(self, source, **options):
        super().__init__(source, **options)
        self.train_kwargs: list[dict] = []

    def call(self, name, *args, timeout=None, **kwargs):
        if name == "train":
            self.train_kwargs.append(dict(kwargs))
        return super().call(name, *args, timeout=timeout, **kwargs)


def _defaults_check(source) -> tuple[bool, bool]:
    """(whether the check passed, whether train(X, y) was run whole rather than read)."""
    sub = Recording(source)
    results = grade_submission("x.py", opener=opener(sub))
    assert results.grader_errors == []
    (check,) = [t for t in results.tests if t.name == CHECK]
    return check.passed, {} in sub.train_kwargs


def _check_passed(results) -> bool:
    return next(t for t in results.tests if t.name == CHECK).passed


FORGERY = """

import sys as _sys

_protocol = _sys.modules.get("protocol")
if _protocol is not None:  # the worker's own copy of the protocol, in the learner's process
    _declared = _protocol.declared_defaults
    _protocol.declared_defaults = lambda fn: {**_declared(fn), "num_iterations": 5000}
"""


def test_a_patched_runtime_cannot_report_defaults_train_does_not_have(tmp_path):
    """Issue 18 attack 3: a train whose default is 10 iterations had its worker report 5000
    (sys.modules['protocol'].declared_defaults patched) and earned the point, 100 vs 99."""
    results = _grade_file(tmp_path, reference_source().replace(TRAIN_DEF, TEN) + FORGERY)
    assert not _check_passed(results)
    assert results.score == 99


@pytest.mark.parametrize(
    "after",
    [
        "\n\nimport inspect\n"
        "train.__signature__ = inspect.signature(lambda X, y, num_hidden=5, alpha=1.0, "
        "num_iterations=5000, seed=0: None)\n",
        "\n\ntrain.__wrapped__ = lambda X, y, num_hidden=5, alpha=1.0, num_iterations=5000, seed=0: None\n",
    ],
)
def test_a_real_default_of_10_loses_the_point_whatever_train_claims(after):
    assert _defaults_check(reference_source().replace(TRAIN_DEF, TEN) + after) == (False, True)


@pytest.mark.parametrize(
    "after",
    [
        "\n\ntrain.__defaults__ = (5, 1.0, 10, 0)\n",
        "\n\nsetattr(train, '__defaults__', (5, 1.0, 10, 0))\n",
        "\n\nsetattr(train, '__def' + 'aults__', (5, 1.0, 10, 0))\n",
        "\n\nimport sys\nsys._getframe().f_globals['train'].__defaults__ = (5, 1.0, 10, 0)\n",
        "\n\nglobals()['train'] = lambda X, y, **kw: _train_10(X, y)\n"
        "def _train_10(X, y):\n    return _original(X, y, num_iterations=10)\n",
    ],
)
def test_a_literal_5000_changed_after_the_def_is_run_not_read(after):
    source = reference_source() + "\n\n_original = train\n" * ("_original" in after) + after
    assert _defaults_check(source) == (False, True)


WRAPPED = """

import functools


def {name}(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        {body}
    return wrapper
"""


@pytest.mark.parametrize("honest", [True, False])
def test_a_wrapped_or_decorated_train_is_run_whole_and_judged_by_what_it_does(honest):
    body = (
        "return function(*args, **kwargs)"
        if honest
        else "return function(*args, **{**kwargs, 'num_iterations': kwargs.get('num_iterations', 10)})"
    )
    helper = WRAPPED.format(name="logged", body=body)
    source = reference_source()
    rebound = source.replace(TRAIN_DEF, helper + "\n\n" + TRAIN_DEF) + "\n\ntrain = logged(train)\n"
    decorated = source.replace(TRAIN_DEF, helper + "\n\n@logged\n" + TRAIN_DEF)
    assert _defaults_check(rebound) == (honest, True)
    assert _defaults_check(decorated) == (honest, True)


def test_the_plain_reference_is_read_not_run_whole():
    """The cost stays as it was: a plain correct module runs 100 iterations, not 5000."""
    assert _defaults_check(correct_source()) == (True, False)
    cells = [{"index": i, "source": part} for i, part in enumerate(correct_source().split("\n\n\ndef "))]
    cells = [{**c, "source": ("def " if c["index"] else "") + c["source"]} for c in cells]
    assert len(cells) > 10 and _defaults_check(cells) == (True, False)  # a notebook's cells


def test_a_notebook_keeps_the_point(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(part) for part in correct_source().split("\n\n\n")]
    nb.cells.append(nbformat.v4.new_code_cell("params, costs = train(X_demo, y_demo)\n"))
    nbformat.write(nb, str(tmp_path / "ch01.ipynb"))
    results = grade_submission(tmp_path / "ch01.ipynb")
    assert results.grader_errors == [] and _check_passed(results)


CHINESE = """

学习率 = 1.0


def 训练(X, y, 隐藏单元数=5, 迭代次数=5000):
    return train(X, y, num_hidden=隐藏单元数, alpha=学习率, num_iterations=迭代次数)
"""


def test_chinese_identifiers_in_a_gbk_file_keep_the_point(tmp_path):
    text = "# -*- coding: gbk -*-\n# 第一章：深度学习简介\n" + correct_source() + CHINESE
    data = text.encode("gbk", errors="replace")
    assert "训练".encode("gbk") in data and "训练".encode() not in data
    results = _grade_file(tmp_path, data)
    assert _check_passed(results) and results.score == 100
    assert _defaults_check(text) == (True, False)  # plain: read, not run


@pytest.mark.parametrize(
    "code",
    [
        [
            "def train(X, y, num_iterations=5000):\n    pass\n",
            "def train(X, y, num_iterations=5000):\n    pass\n",
        ],
        ["def train(X, y, num_iterations=5000):\n    pass\n", "from helpers import *\n"],
        ["def train(X, y, num_iterations=5000):\n    pass\n", "def f():\n    global train\n"],
        ["def train(X, y, num_iterations=5000):\n    pass\n", "for train in []:\n    pass\n"],
        ["def train(X, y, num_iterations=5000):\n    pass\n", "with open('x') as train:\n    pass\n"],
        ["def train(X, y, num_iterations=5000):\n    pass\n", "if (train := None):\n    pass\n"],
        ["def train(X, y, num_iterations=5000):\n    pass\n", "import numpy as train\n"],
        ["def train(X, y, num_iterations=5000):\n    pass\n", "del train\n"],
        ["def train(X, y, num_iterations=5000):\n    pass\n", "class train:\n    pass\n"],
        ["def train(X, y, num_iterations=5000):\n    pass\n", "train.calls = 0\n"],
        ["def train(X, y, num_iterations=5000):\n    pass\n", "getattr(train, name)\n"],
        ["if True:\n    def train(X, y, num_iterations=5000):\n        pass\n"],
        ["async def train(X, y, num_iterations=5000):\n    pass\n"],
        ["def train(X, y, num_iterations=5000.0):\n    pass\n"],
        ["def train(X, y, num_iterations=True):\n    pass\n"],
        ["def train(X, y, num_iterations=50 * 100):\n    pass\n"],
        ["def train(X, y, num_iterations=5000):\n    pass\n", "x = (\n"],  # a cell that does not parse
        ["x = " + "-" * 100_000 + "1\ndef train(X, y, num_iterations=5000):\n    pass\n"],  # too deep
        ["x = 1\n" * 30_000 + "def train(X, y, num_iterations=5000):\n    pass\n"],  # over the byte cap
        [b"# -*- coding: no-such-codec -*-\ndef train(X, y, num_iterations=5000):\n    pass\n"],
        [b"def train(X, y, num_iterations=5000):\n    pass\n\x00"],
        [],
    ],
)
def test_a_source_that_is_not_plain_is_not_read(code):
    assert literal_int_default(code, [], "train", "num_iterations") is None


def test_a_plain_source_is_read_and_a_sibling_it_could_import_is_looked_at_too():
    plain = [
        "import numpy as np\n",
        "def train(X, y, *, num_iterations=5000):\n    for _ in range(num_iterations):\n        pass\n    return train\n",
    ]
    assert literal_int_default(plain, [], "train", "num_iterations") == 5000
    assert (
        literal_int_default(plain, [b"def helper(train):\n    return train(1)\n"], "train", "num_iterations")
        == 5000
    )
    for sibling in (b"import nn_basics\nnn_basics.train = None\n", b"import sys\nsys.modules['nn_basics']\n"):
        assert literal_int_default(plain, [sibling], "train", "num_iterations") is None
