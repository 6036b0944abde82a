"""The grader's pictures of the functions that lost points (autograder/figures/, issue 20).

Drawn only when asked (grade_submission(figures=True): the HTML page, nbgrader's feedback) and
only for functions the learner lost points in; each from values the learner's functions returned
for public inputs (figures/public.py), never a hidden check's; each PNG at most 60 KB; whatever
the learner's code returns or does, no figure at worst, never a grader error. Text formats say
where the figures are.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from autograder import checks
from autograder.core.grade import grade_submission, load_reference
from autograder.figures import FIGURED, draw_figures, public
from autograder.reporters import render
from autograder.results import CheckResult, Outcome, Results
from autograder.sandbox import TestFunction
from autograder.sandbox.errors import CallTimeout
from tests.fakes import InProcessSubmission, opener
from tests.mistakes import MISTAKES, correct_source, with_bodies

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n"
BY_NAME = {m.name: m for m in MISTAKES}
# one mistake in each kind of figure's function, in two submissions (a caller is judged given its
# learner's own helpers: train's own mistake would not cost points beside backward_prop's)
GROUPS = [
    [
        "sigmoid_wrong_sign",
        "tanh_derivative_forgets_square",
        "softmax_chapter_axis_0",
        "backward_prop_chapter_no_bias_gradients",
        "numerical_gradient_forward_difference",
        "gradient_check_chapter_perturbs_all_at_once",
    ],
    ["predict_wrong_threshold", "train_other_update_rule"],
]
WRONG = [name for group in GROUPS for name in group]


def _source(names) -> str:
    return with_bodies({BY_NAME[name].function: BY_NAME[name].body for name in names})


def _grade(source: str, **options) -> Results:
    return grade_submission("nn_basics.py", opener=opener(InProcessSubmission(source)), **options)


def _failing(*functions) -> list[CheckResult]:
    return [CheckResult(f"{fn}_check", fn, 1.0, outcome=Outcome.FAILED) for fn in functions]


@pytest.fixture(scope="module", params=range(len(GROUPS)))
def wrong(request) -> tuple[list[str], Results]:
    group = GROUPS[request.param]
    return group, _grade(_source(group), figures=True)


def test_a_figure_for_each_function_that_lost_points_and_none_for_the_others(wrong):
    group, wrong_results = wrong
    lost = {test.function for test in wrong_results.tests if not test.passed and not test.error}
    assert {BY_NAME[name].function for name in group} == lost
    assert set(wrong_results.figures) == lost
    for function, figure in wrong_results.figures.items():
        assert figure.function == function
        assert figure.mime == "image/png" and figure.data.startswith(PNG)
        assert len(figure.data) <= 60_000, (function, len(figure.data))
        assert figure.caption.zh and figure.caption.en and figure.caption.zh != figure.caption.en


def test_figures_are_drawn_only_when_asked(wrong):
    group, wrong_results = wrong
    plain = _grade(_source(group))
    assert plain.figures == {}
    assert plain.score == wrong_results.score  # drawing changes no point


def test_a_correct_submission_draws_nothing_and_never_imports_matplotlib():
    """The cost of figures for a correct submission is nil: not even matplotlib's import (nor
    in the reporters, which only say where figures are)."""
    code = (
        "import sys\n"
        "from tests.fakes import InProcessSubmission, opener\n"
        "from tests.mistakes import correct_source\n"
        "from autograder.core.grade import grade_submission\n"
        "r = grade_submission('x.py', opener=opener(InProcessSubmission(correct_source())), figures=True)\n"
        "assert r.score == r.max_score and r.figures == {}, (r.score, list(r.figures))\n"
        "from autograder.reporters import render\n"
        "for fmt in ('text', 'markdown', 'json'): render(r, fmt)\n"
        "print('matplotlib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"


def test_a_grader_error_draws_no_figure():
    tests = [CheckResult("sigmoid_matches_reference", "sigmoid", 1.0, outcome=Outcome.ERROR)]
    calls = []
    sub = _Recording(InProcessSubmission(_source(["sigmoid_wrong_sign"])), calls)
    assert draw_figures(sub, tests, load_reference()) == {}
    assert calls == []


# --- no hidden check's input reaches a figure ---------------------------------------------------


class _Recording:
    """The Submission interface, recording every argument a figure hands to learner code."""

    def __init__(self, sub, calls: list):
        self.sub, self.calls = sub, calls

    def call(self, fn, *args, timeout=None, **kwargs):
        self.calls.append((fn, args, kwargs))
        return self.sub.call(fn, *args, timeout=timeout, **kwargs)


def _arrays(value, seen=None):
    """Every numpy array in value: nested in dicts, lists, tuples, a TestFunction's data, or a
    module's attributes (one level of modules: the checks')."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item, seen)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _arrays(item, seen)
    elif isinstance(value, TestFunction):
        yield from _arrays(value.data, seen)


def _hidden_arrays() -> list[np.ndarray]:
    """Every array the checks hold at module level (their fixed and seeded-random inputs)."""
    checks.load_all()
    found = []
    for module in list(sys.modules.values()):
        if isinstance(module, types.ModuleType) and module.__name__.startswith("autograder.checks."):
            for name, value in vars(module).items():
                if not name.startswith("__"):
                    found += list(_arrays(value))
    return found


def _random_looking(arrays) -> set[float]:
    """The elements of `arrays` that are not short decimals: draws of the checks' seeded random
    generators (ones, zeros, 0.5, 710 are public anyway)."""
    values = np.concatenate([a.astype(float).ravel() for a in arrays])
    return {float(v) for v in values if np.isfinite(v) and v != round(v, 4)}


def test_no_hidden_check_input_reaches_a_figure():
    calls: list = []
    sub = _Recording(InProcessSubmission(_source(GROUPS[0])), calls)
    figures = draw_figures(sub, _failing(*sorted(FIGURED)), load_reference())
    assert (
        len(figures) >= len(FIGURED) - 1
    )  # the correct functions drew too (forward_prop's shapes are right)
    sent = [array for _, args, kwargs in calls for array in _arrays([args, kwargs])]
    assert sent and len(calls) >= len(FIGURED)
    # the checks' secret inputs: the seeded random ones (XOR's truth tables, ±710, zeros are public)
    hidden = [array for array in _hidden_arrays() if _random_looking([array])]
    assert len(hidden) > 20  # the collection found the checks' inputs
    for array in sent:
        for secret in hidden:
            same = array.shape == secret.shape and np.allclose(array, secret, equal_nan=True)
            assert not same, f"a hidden check's input of shape {secret.shape} reached a figure"
    leaked = _random_looking(sent) & _random_looking(hidden)
    assert not leaked, sorted(leaked)[:5]


def test_every_array_a_figure_sends_comes_from_the_public_module():
    """Each array handed to learner code is one public.py makes (or the reference computes from
    one: init_params(2, 5, 1, seed=0), its trained network, its forward pass, exact gradients)."""
    calls: list = []
    sub = _Recording(InProcessSubmission(correct_source()), calls)
    draw_figures(sub, _failing(*sorted(FIGURED)), load_reference())
    ref = load_reference()
    params = public.xor_params(ref)
    from autograder.figures import training

    allowed = [
        public.curve_x(),
        public.curve_x() + public.NUMERIC_STEP,  # the central difference of their own activation
        public.curve_x() - public.NUMERIC_STEP,
        public.SOFTMAX_ROWS,
        public.XOR_X,
        public.XOR_Y,
        public.grid_points(),
        *params.values(),
        *training.trained_params(ref).values(),
        *ref.forward_prop(public.XOR_X, params),
        *(a for coeffs in public.gradient_problem().values() for a in coeffs.values()),
    ]
    for fn, args, kwargs in calls:
        for array in _arrays([args, kwargs]):
            assert any(array.shape == a.shape and np.array_equal(array, a) for a in allowed) or _near_exact(
                array
            ), fn


def _near_exact(array) -> bool:
    """gradient_check's grads: the exact gradient of the public cost, or it with one element off."""
    from autograder.sandbox import testfns

    ref = load_reference()
    data, params = public.gradient_problem(), public.xor_params(ref)
    coeffs = {key: (v["a"], v["b"], v["c"]) for key, v in data.items()}
    exact = testfns.dict_poly_sin_gradient(params, coeffs)
    return any(array.shape == g.shape and np.count_nonzero(array != g) <= 1 for g in exact.values())


# --- the learner's replies are claims: no figure at worst ---------------------------------------

HOSTILE = {
    "sigmoid": "return 'not an array'",
    "sigmoid_derivative": "return np.full(np.shape(x), np.nan)",
    "tanh": "return np.zeros(3)",
    "tanh_derivative": "return {'a': 1}",
    "relu": "raise ValueError('no')",
    "relu_derivative": "return np.where(np.asarray(x) > 0, np.inf, -np.inf)",
    "leaky_relu": "return np.asarray(x, dtype=float) * 1e300",
    "softmax": "return np.ones((5, 5))",
    "forward_prop": "return 1, 2",
    "backward_prop": "return [1, 2, 3]",
    "numerical_gradient": "return np.full(x.shape, np.nan)",
    "gradient_check": "return 'small'",
    "predict": "return np.zeros(3)",
    "train": "return ({}, ['a', 'b'])",
}


def test_hostile_replies_give_no_figure_or_a_figure_never_a_crash():
    results = _grade(with_bodies(HOSTILE), figures=True)
    assert not results.grader_errors
    for figure in results.figures.values():
        assert figure.data.startswith(PNG) and len(figure.data) <= 60_000
    # NaN and inf are drawn as marks, not left out: those functions still have their figure
    assert {"sigmoid_derivative", "relu_derivative", "leaky_relu", "numerical_gradient"} <= set(
        results.figures
    )
    assert not {"sigmoid", "tanh", "tanh_derivative", "relu", "softmax", "gradient_check", "train"} & set(
        results.figures
    )


def test_forward_prop_is_drawn_only_when_its_shapes_are_the_mistake():
    values = _grade(_source(["forward_prop_forgets_biases"]), figures=True)
    assert "forward_prop" not in values.figures
    transposed = with_bodies(
        {
            "forward_prop": """
            z1 = X @ params["Wxh"] + params["bh"]
            a1 = sigmoid(z1)
            z2 = a1 @ params["Why"] + params["by"]
            return z1.T, a1.T, z2, sigmoid(z2)
            """
        }
    )
    assert "forward_prop" in _grade(transposed, figures=True).figures


class _Hanging:
    """A submission whose every call times out: the figure's time limit, then never again."""

    def __init__(self):
        self.calls = 0

    def call(self, fn, *args, timeout=None, **kwargs):
        self.calls += 1
        raise CallTimeout(f"{fn}: past {timeout} s")


def test_a_function_that_hung_is_called_once_and_one_broken_during_the_checks_not_at_all():
    sub = _Hanging()
    assert draw_figures(sub, _failing("sigmoid_derivative", "sigmoid"), load_reference()) == {}
    assert sub.calls == 2  # sigmoid_derivative once (then its figure is given up); sigmoid once
    sub = _Hanging()
    assert draw_figures(sub, _failing("sigmoid"), load_reference(), broken={"sigmoid"}) == {}
    assert sub.calls == 0


# --- text formats say where the figures are -----------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_text_formats_say_where_the_figures_are(fmt, lang):
    from autograder.messages import t

    said = t("report_figures_elsewhere").render(lang)
    wrong = _grade(_source(["sigmoid_wrong_sign"]))
    right = _grade(correct_source())
    assert said in _shown(render(wrong, fmt, lang), fmt)
    assert said not in _shown(render(right, fmt, lang), fmt)


def _shown(report: str, fmt: str) -> str:
    return (json.loads(report)["figures"] or "") if fmt == "json" else report
