"""The visible checks (source/ch01/public_checks.py) pass the reference, catch the chapter's
traps, report unfinished functions as such, and stand aside while nbgrader autogrades."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from autograder.core.grade import load_rubric
from solutions import nn_basics as reference

CHECKS_PATH = Path(__file__).resolve().parent.parent / "source" / "ch01" / "public_checks.py"


def _load_checks():
    spec = importlib.util.spec_from_file_location("public_checks", CHECKS_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


public_checks = _load_checks()
NAMES = public_checks.CONTRACT_FUNCTIONS


@pytest.fixture(autouse=True)
def _not_autograding(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


def check(name):
    return getattr(public_checks, f"check_{name}")


def test_there_is_one_check_per_contract_function():
    defined = {name[len("check_") :] for name in dir(public_checks) if name.startswith("check_")}
    assert defined == set(NAMES)
    # public_checks.py ships alone, so it keeps its own copy of the list: the rubric's, in order
    assert NAMES == list(load_rubric())
    assert all(callable(getattr(reference, name)) for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_reference_passes_and_is_told_so(name, capsys):
    check(name)(getattr(reference, name))
    assert f"✓ {name}" in capsys.readouterr().out


@pytest.mark.parametrize("name", NAMES)
def test_unfinished_function_is_reported_as_not_implemented(name):
    def stub(*args, **kwargs):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="尚未实现"):
        check(name)(stub)


@pytest.mark.parametrize("variable,value", [("NBGRADER_EXECUTION", "autograde")])
@pytest.mark.parametrize("name", NAMES)
def test_checks_never_call_the_function_while_autograding(name, variable, value, monkeypatch, capsys):
    monkeypatch.setenv(variable, value)
    calls = []

    def spy(*args, **kwargs):
        calls.append(args)
        raise RuntimeError("must not be called")

    assert check(name)(spy) is None
    assert calls == []
    assert capsys.readouterr() == ("", "")


# The chapter's own code, as printed, and other likely mistakes: each must fail its check.


def chapter_swish(x, beta=1.0):
    return 2 * x * reference.sigmoid(beta * x)


def chapter_tanh(x):
    with np.errstate(all="ignore"):
        return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def chapter_softmax(x, axis=-1):
    with np.errstate(all="ignore"):
        return np.exp(x) / np.sum(np.exp(x), axis=0)


def chapter_relu(x):
    if x < 0:
        return 0
    return x


def chapter_sigmoid_derivative(x):
    with np.errstate(all="ignore"):
        return np.exp(-x) / (1 + np.exp(-x)) ** 2


def chapter_elu(x, alpha=0.01):
    return np.where(x >= 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))


def chapter_cost_function(y, y_hat):
    return 0.5 * sum((y - y_hat) ** 2)


def derivative_of_activation(x):
    s = reference.sigmoid(x)
    return x * (1 - x) + 0 * s


def backprop_without_biases(X, y, params, cache):
    grads = reference.backward_prop(X, y, params, cache)
    return {**grads, "bh": np.zeros_like(grads["bh"]), "by": np.zeros_like(grads["by"])}


def update_in_place(params, grads, alpha):
    for key in params:
        params[key] -= alpha * grads[key]
    return params


def update_weights_only(params, grads, alpha):
    return {key: params[key] - alpha * grads[key] if key.startswith("W") else params[key] for key in params}


def numerical_gradient_all_at_once(f, x, epsilon=1e-5):
    # the chapter's mistake: one perturbation of every element together
    slope = (f(x + epsilon) - f(x - epsilon)) / (2 * epsilon)
    return np.full(x.shape, slope)


def numerical_gradient_not_restored(f, x, epsilon=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        x[index] += epsilon
        f_plus = f(x)
        x[index] -= 2 * epsilon
        grad[index] = (f_plus - f(x)) / (2 * epsilon)
    return grad


def relative_error_divides_by_zero(a, b):
    with np.errstate(all="ignore"):
        return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def gradient_check_all_at_once(cost_fn, params, grads, epsilon=1e-5):
    plus = {k: v + epsilon for k, v in params.items()}
    minus = {k: v - epsilon for k, v in params.items()}
    numeric = (cost_fn(plus) - cost_fn(minus)) / (2 * epsilon)
    analytic = np.concatenate([np.ravel(g) for g in grads.values()])
    return reference.relative_error(analytic, np.full(analytic.shape, numeric))


def train_chapter_settings(X, y, num_hidden=5, alpha=1.0, num_iterations=5000, seed=0):
    return reference.train(X, y, num_hidden, 0.01, num_iterations, seed)


def predict_probabilities(X, params):
    return reference.forward_prop(X, params)[3]


def init_params_ones(num_input, num_hidden, num_output, seed=None):
    params = reference.init_params(num_input, num_hidden, num_output, seed)
    return {**params, "Wxh": np.ones_like(params["Wxh"])}


BROKEN = [
    ("swish", chapter_swish, "2 倍"),
    ("tanh", chapter_tanh, "NaN"),
    ("softmax", chapter_softmax, "axis"),
    ("relu", chapter_relu, "np.where"),
    ("sigmoid_derivative", chapter_sigmoid_derivative, "NaN"),
    ("sigmoid_derivative", derivative_of_activation, "预激活"),
    ("elu", chapter_elu, "alpha = 1.0"),
    ("cost_function", chapter_cost_function, "内置的 sum"),
    ("backward_prop", backprop_without_biases, "偏置"),
    ("update_params", update_in_place, "原地修改"),
    ("update_params", update_weights_only, "偏置"),
    ("numerical_gradient", numerical_gradient_all_at_once, "每次只扰动一个元素"),
    ("numerical_gradient", numerical_gradient_not_restored, "原地修改"),
    ("relative_error", relative_error_divides_by_zero, "0.0"),
    ("gradient_check", gradient_check_all_at_once, "方向导数"),
    ("train", train_chapter_settings, "< 0.05"),
    ("predict", predict_probabilities, "int"),
    ("init_params", init_params_ones, "对称性"),
]


@pytest.mark.parametrize("name,broken,says", BROKEN, ids=[f"{n}-{f.__name__}" for n, f, _ in BROKEN])
def test_broken_version_fails_with_a_useful_message(name, broken, says):
    broken.__name__ = name
    with pytest.raises(AssertionError) as failure:
        check(name)(broken)
    assert says in str(failure.value)


# The learner path: what a failure says, and in which order backward_prop's keys are blamed.


def chapter_tanh_as_printed(x):
    with np.errstate(all="ignore"):
        return (1 - np.exp(-2 * x)) / (1 + np.exp(-2 * x))


def backprop_missing_output_derivative(X, y, params, cache):
    z1, a1, z2, y_hat = cache
    delta2 = -(y - y_hat)  # sigma'(z2) left out
    delta1 = (delta2 @ params["Why"].T) * reference.sigmoid_derivative(z1)
    return {
        "Wxh": X.T @ delta1,
        "bh": delta1.sum(axis=0, keepdims=True),
        "Why": a1.T @ delta2,
        "by": delta2.sum(axis=0, keepdims=True),
    }


def test_the_chapters_tanh_is_told_where_it_fails():
    chapter_tanh_as_printed.__name__ = "tanh"
    with pytest.raises(AssertionError) as failure:
        check("tanh")(chapter_tanh_as_printed)
    assert "-355" in str(failure.value) and "NaN" in str(failure.value)


def test_a_wrong_output_delta_is_blamed_on_the_output_layer_first():
    with pytest.raises(AssertionError) as failure:
        check("backward_prop")(backprop_missing_output_derivative)
    message = str(failure.value)
    assert "'by'" in message and "'Wxh'" not in message
    assert message.count("随机方向 d") == 2 and "检查方法" in message  # the comparison, explained once


@pytest.mark.parametrize(
    "name,broken",
    [
        ("backward_prop", backprop_missing_output_derivative),
        ("tanh", chapter_tanh_as_printed),
        ("cost_function", chapter_cost_function),
    ],
)
def test_failure_messages_print_plain_numbers(name, broken):
    broken.__name__ = name
    with pytest.raises(AssertionError) as failure:
        check(name)(broken)
    message = str(failure.value)
    assert "array(" not in message and "np.float64" not in message and "0 维" not in message


def test_plain_numbers_for_numpy_scalars():
    show = public_checks._show
    assert show(np.float64(0.0)) == "0" and show(np.array(-0.05641)) == "-0.05641"
    assert show(np.array([np.nan, 1.0])) == "[nan,  1.]"
