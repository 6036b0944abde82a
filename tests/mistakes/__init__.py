"""The corpus: mistaken submissions (one mistake each) and correct ones written differently,
all derived from the reference by replacing the body of a function's SOLUTION region, so the
corpus follows the reference and each entry reads as the one function a learner got wrong.

MISTAKES: each names the contract function it breaks (the tag that must lose points), and
optionally `only`: the exact checks of that function expected to fail (partial credit). A
function that calls it is judged given the learner's own helpers and loses nothing; `cascade`
lists the callers that lose points all the same, only for the mistakes CHARGED_IN_CALLER
explains.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2] / "solutions" / "nn_basics.py"
REGION = re.compile(r"(?P<indent>[ \t]*)### BEGIN SOLUTION\n(?P<body>.*?)(?P=indent)### END SOLUTION", re.S)


def reference_source() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def correct_source() -> str:
    """The reference with nbgrader's marker lines removed: a learner who got everything right."""
    return "".join(
        line
        for line in reference_source().splitlines(keepends=True)
        if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
    )


def stub_source() -> str:
    """The reference with every SOLUTION region replaced by `raise NotImplementedError()`."""
    return REGION.sub(lambda m: f"{m['indent']}raise NotImplementedError()", reference_source())


def with_bodies(bodies: dict[str, str], source: str | None = None) -> str:
    """`source` with the SOLUTION region of each function in `bodies` replaced."""
    source = source or reference_source()
    for function, body in bodies.items():
        start = source.index(f"\ndef {function}(")
        match = REGION.search(source, start)
        assert match, function
        indented = textwrap.indent(textwrap.dedent(body).strip("\n"), match["indent"])
        source = source[: match.start()] + indented + source[match.end() :]
    return source


@dataclass(frozen=True)
class Mistake:
    name: str
    function: str
    body: str
    cascade: frozenset = field(default_factory=frozenset)
    only: frozenset | None = None  # exactly these checks of `function` fail
    trap: bool = False  # one of the chapter's own bugs (SPEC "traps")
    signature: tuple[str, str] | None = None  # (old, new): a changed default in the def line
    # the function that loses points, when not `function` itself (which then loses none): a
    # mistake the grader can see only through a caller
    seen_in: str | None = None

    def source(self) -> str:
        source = reference_source()
        if self.signature:
            old, new = self.signature
            assert source.count(old) == 1, old
            source = source.replace(old, new)
        return with_bodies({self.function: self.body}, source) if self.body else source


def M(name, function, body, cascade=(), only=None, trap=False, signature=None, seen_in=None):
    return Mistake(
        name, function, body, frozenset(cascade), frozenset(only) if only else None, trap, signature, seen_in
    )


# A train that does no training: a network built in closed form for whatever truth table it is
# given (a hidden unit per input pattern), and a made-up falling list of costs.
LOOKUP_TABLE_TRAIN = """
    Wxh, bh = np.zeros((X.shape[1], num_hidden)), np.full((1, num_hidden), -20.0)
    Why, by = np.zeros((num_hidden, y.shape[1])), np.zeros((1, y.shape[1]))
    for j, (pattern, target) in enumerate(zip(X[:num_hidden], y[:num_hidden])):
        Wxh[:, j] = 20 * (2 * pattern - 1)
        bh[0, j] = -20 * (pattern.sum() - 0.5)
        Why[j] = 20 * (2 * target - 1)
    costs = [0.5 / (i + 1) for i in range(num_iterations)]
    return {"Wxh": Wxh, "bh": bh, "Why": Why, "by": by}, costs
    """


# One mistake, one charge (autograder/checks/helpers.py): a mistake loses points only in its own
# function; a caller is judged given the learner's own helpers. The mistakes that cannot be
# judged so, by the function that loses points too and why (tests/test_checks.py allows exactly
# these `cascade`s):
CHARGED_IN_CALLER: dict[str, tuple[str, str]] = {}

MISTAKES = [
    # --- activations ---------------------------------------------------------------------------
    M(
        "sigmoid_wrong_sign",
        "sigmoid",
        "return 1 / (1 + np.exp(np.asarray(x, dtype=float)))",
    ),
    M(
        "sigmoid_overflows_at_large_x",
        "sigmoid",
        "e = np.exp(np.asarray(x, dtype=float))\nreturn e / (1 + e)",
        only={"sigmoid_correct_at_extreme_inputs"},
    ),
    M(
        "sigmoid_derivative_chapter_nan_below_minus_710",
        "sigmoid_derivative",
        "x = np.asarray(x, dtype=float)\nreturn np.exp(-x) / (1 + np.exp(-x)) ** 2",
        only={"sigmoid_derivative_correct_at_extreme_inputs"},
        trap=True,
    ),
    M(
        "sigmoid_derivative_of_activation",
        "sigmoid_derivative",
        "x = np.asarray(x, dtype=float)\nreturn x * (1 - x)",
    ),
    M(
        "tanh_chapter_nan_at_large_x",
        "tanh",
        "x = np.asarray(x, dtype=float)\nreturn (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))",
        only={"tanh_correct_at_extreme_inputs"},
        trap=True,
    ),
    M("tanh_derivative_forgets_square", "tanh_derivative", "return 1 - tanh(x)"),
    M("relu_chapter_if_on_arrays", "relu", "if x < 0:\n    return 0.0\nreturn x", trap=True),
    M(
        "relu_clips_input_in_place",
        "relu",
        "x = np.asarray(x, dtype=float)\nx[x < 0] = 0\nreturn x",
        only={"relu_leaves_input_unchanged"},
    ),
    M(
        "relu_derivative_wrong_side",
        "relu_derivative",
        "return (np.asarray(x, dtype=float) < 0).astype(float)",
    ),
    M("relu_derivative_returns_bool", "relu_derivative", "return np.asarray(x, dtype=float) > 0"),
    M(
        "leaky_relu_chapter_if_on_arrays",
        "leaky_relu",
        "if x < 0:\n    return alpha * x\nreturn x",
        trap=True,
    ),
    M(
        "leaky_relu_derivative_ignores_alpha",
        "leaky_relu_derivative",
        "x = np.asarray(x, dtype=float)\nreturn np.where(x >= 0, 1.0, 0.01)",
        only={
            "leaky_relu_derivative_matches_reference",
            "leaky_relu_derivative_matches_numerical_gradient",
            "leaky_relu_derivative_leaves_input_unchanged",
            "leaky_relu_derivative_returns_float64",
        },
    ),
    M(
        "elu_chapter_alpha_0_01",
        "elu",
        "alpha = 0.01 if alpha == 1.0 else alpha\nx = np.asarray(x, dtype=float)\n"
        "return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0)))",
        trap=True,
    ),
    M(
        "elu_chapter_if_on_arrays",
        "elu",
        "if x < 0:\n    return alpha * (np.exp(x) - 1)\nreturn x",
        trap=True,
    ),
    M(
        "elu_derivative_ignores_alpha",
        "elu_derivative",
        "x = np.asarray(x, dtype=float)\nreturn np.where(x >= 0, 1.0, np.exp(np.minimum(x, 0)))",
        only={
            "elu_derivative_matches_reference",
            "elu_derivative_matches_numerical_gradient",
            "elu_derivative_leaves_input_unchanged",
            "elu_derivative_returns_float64",
        },
    ),
    M(
        "swish_chapter_factor_2",
        "swish",
        "x = np.asarray(x, dtype=float)\nreturn 2 * x * sigmoid(beta * x)",
        trap=True,
    ),
    M(
        "swish_derivative_misses_product_rule_term",
        "swish_derivative",
        "x = np.asarray(x, dtype=float)\ns = sigmoid(beta * x)\nreturn beta * x * s * (1 - s)",
    ),
    M(
        "softmax_chapter_axis_0_and_overflow",
        "softmax",
        "x = np.asarray(x, dtype=float)\nreturn np.exp(x) / np.sum(np.exp(x), axis=0)",
        trap=True,
    ),
    M(
        "softmax_chapter_axis_0",
        "softmax",
        "x = np.asarray(x, dtype=float)\ne = np.exp(x - np.max(x, axis=0, keepdims=True))\n"
        "return e / np.sum(e, axis=0, keepdims=True)",
        trap=True,
    ),
    M(
        "softmax_overflows_at_large_x",
        "softmax",
        "x = np.asarray(x, dtype=float)\ne = np.exp(x)\nreturn e / np.sum(e, axis=axis, keepdims=True)",
        only={"softmax_stable_for_large_inputs"},
        trap=True,
    ),
    # --- the network ---------------------------------------------------------------------------
    M(
        "init_params_random_biases",
        "init_params",
        """
        rng = np.random.default_rng(seed)
        return {"Wxh": rng.standard_normal((num_input, num_hidden)), "bh": rng.standard_normal((1, num_hidden)),
                "Why": rng.standard_normal((num_hidden, num_output)), "by": rng.standard_normal((1, num_output))}
        """,
    ),
    M(
        "init_params_ignores_seed",
        "init_params",
        """
        return {"Wxh": np.random.standard_normal((num_input, num_hidden)), "bh": np.zeros((1, num_hidden)),
                "Why": np.random.standard_normal((num_hidden, num_output)), "by": np.zeros((1, num_output))}
        """,
        only={
            "init_params_matches_reference_for_seed",
            "init_params_same_seed_same_params",
            "init_params_without_seed_draws_fresh_params",
        },
    ),
    M(
        "init_params_seed_none_raises",
        "init_params",
        """
        if seed is None:
            raise ValueError("seed is required")
        rng = np.random.default_rng(seed)
        return {"Wxh": rng.standard_normal((num_input, num_hidden)), "bh": np.zeros((1, num_hidden)),
                "Why": rng.standard_normal((num_hidden, num_output)), "by": np.zeros((1, num_output))}
        """,
        only={"init_params_without_seed_draws_fresh_params"},
    ),
    M(
        "init_params_default_seed_0",
        "init_params",
        None,
        only={"init_params_without_seed_draws_fresh_params"},
        signature=("num_output, seed=None)", "num_output, seed=0)"),
    ),
    M(
        "forward_prop_forgets_biases",
        "forward_prop",
        """
        z1 = X @ params["Wxh"]
        a1 = sigmoid(z1)
        z2 = a1 @ params["Why"]
        return z1, a1, z2, sigmoid(z2)
        """,
    ),
    M(
        "forward_prop_relu_hidden_layer",
        "forward_prop",
        """
        z1 = X @ params["Wxh"] + params["bh"]
        a1 = relu(z1)
        z2 = a1 @ params["Why"] + params["by"]
        return z1, a1, z2, sigmoid(z2)
        """,
    ),
    M(
        "cost_function_chapter_builtin_sum",
        "cost_function",
        "return 0.5 * sum((y - y_hat) ** 2)",
        trap=True,
    ),
    M(
        "cost_function_forgets_half",
        "cost_function",
        "return float(np.sum((y - y_hat) ** 2))",
    ),
    M(
        "backward_prop_chapter_no_bias_gradients",
        "backward_prop",
        """
        z1, a1, z2, y_hat = cache
        delta2 = -(y - y_hat) * sigmoid_derivative(z2)
        delta1 = (delta2 @ params["Why"].T) * sigmoid_derivative(z1)
        return {"Wxh": X.T @ delta1, "bh": np.zeros_like(params["bh"]),
                "Why": a1.T @ delta2, "by": np.zeros_like(params["by"])}
        """,
        trap=True,
    ),
    M(
        "backward_prop_derivative_of_activation",
        "backward_prop",
        """
        z1, a1, z2, y_hat = cache
        delta2 = -(y - y_hat) * sigmoid_derivative(y_hat)
        delta1 = (delta2 @ params["Why"].T) * sigmoid_derivative(a1)
        return {"Wxh": X.T @ delta1, "bh": np.sum(delta1, axis=0, keepdims=True),
                "Why": a1.T @ delta2, "by": np.sum(delta2, axis=0, keepdims=True)}
        """,
    ),
    M(
        "backward_prop_bias_gradient_mean",
        "backward_prop",
        """
        z1, a1, z2, y_hat = cache
        delta2 = -(y - y_hat) * sigmoid_derivative(z2)
        delta1 = (delta2 @ params["Why"].T) * sigmoid_derivative(z1)
        return {"Wxh": X.T @ delta1, "bh": np.mean(delta1, axis=0, keepdims=True),
                "Why": a1.T @ delta2, "by": np.mean(delta2, axis=0, keepdims=True)}
        """,
    ),
    M(
        # pops what it needs off the cache list it was handed: the list in its own process is left
        # shorter, which the grader cannot see (it reads only the arrays, from the arena: a list's
        # length is the learner's claim), so backward_prop's checks all pass. A tuple, as the
        # reference's forward_prop returns inside train, has no pop: train breaks, and loses.
        "backward_prop_consumes_cache",
        "backward_prop",
        """
        y_hat = cache.pop()
        z2 = cache.pop()
        z1, a1 = cache
        delta2 = -(y - y_hat) * sigmoid_derivative(z2)
        delta1 = (delta2 @ params["Why"].T) * sigmoid_derivative(z1)
        return {"Wxh": X.T @ delta1, "bh": np.sum(delta1, axis=0, keepdims=True),
                "Why": a1.T @ delta2, "by": np.sum(delta2, axis=0, keepdims=True)}
        """,
        seen_in="train",
    ),
    M(
        "backward_prop_float32",
        "backward_prop",
        """
        z1, a1, z2, y_hat = [np.asarray(c, dtype=np.float32) for c in cache]
        X32, y32, Why = X.astype(np.float32), y.astype(np.float32), params["Why"].astype(np.float32)
        delta2 = -(y32 - y_hat) * (y_hat * (1 - y_hat))
        delta1 = (delta2 @ Why.T) * (a1 * (1 - a1))
        return {"Wxh": X32.T @ delta1, "bh": np.sum(delta1, axis=0, keepdims=True),
                "Why": a1.T @ delta2, "by": np.sum(delta2, axis=0, keepdims=True)}
        """,
        only={"backward_prop_returns_float64"},
    ),
    M(
        "update_params_chapter_biases_not_updated",
        "update_params",
        """
        new = {key: params[key] - alpha * grads[key] for key in ("Wxh", "Why")}
        new.update(bh=params["bh"].copy(), by=params["by"].copy())
        return new
        """,
        only={"update_params_updates_biases"},
        trap=True,
    ),
    M(
        "update_params_in_place",
        "update_params",
        """
        for key in params:
            params[key] -= alpha * grads[key]
        return params
        """,
        only={"update_params_leaves_arguments_unchanged"},
    ),
    M(
        "update_params_ascends",
        "update_params",
        "return {key: params[key] + alpha * grads[key] for key in params}",
    ),
    M(
        "predict_returns_bool",
        "predict",
        "return forward_prop(X, params)[3] >= 0.5",
        only={"predict_returns_int_zeros_and_ones"},
    ),
    M(
        "predict_wrong_threshold",
        "predict",
        "return (forward_prop(X, params)[3] >= 0.51).astype(int)",
        only={"predict_matches_reference_near_threshold", "predict_returns_int_zeros_and_ones"},
    ),
    M("predict_returns_probabilities", "predict", "return forward_prop(X, params)[3]"),
    M(
        "train_chapter_alpha_0_01",
        "train",
        """
        alpha = 0.01
        params = init_params(X.shape[1], num_hidden, y.shape[1], seed=seed)
        costs = []
        for _ in range(num_iterations):
            cache = forward_prop(X, params)
            costs.append(cost_function(y, cache[3]))
            params = update_params(params, backward_prop(X, y, params, cache), alpha)
        return params, costs
        """,
        trap=True,
    ),
    M(
        "train_records_cost_every_100",
        "train",
        """
        params = init_params(X.shape[1], num_hidden, y.shape[1], seed=seed)
        costs = []
        for i in range(num_iterations):
            cache = forward_prop(X, params)
            if i % 100 == 0:
                costs.append(cost_function(y, cache[3]))
            params = update_params(params, backward_prop(X, y, params, cache), alpha)
        return params, costs
        """,
        only={"train_records_cost_before_each_step", "train_uses_contract_defaults"},
    ),
    M(
        "train_records_cost_after_each_step",
        "train",
        """
        params = init_params(X.shape[1], num_hidden, y.shape[1], seed=seed)
        costs = []
        for _ in range(num_iterations):
            cache = forward_prop(X, params)
            params = update_params(params, backward_prop(X, y, params, cache), alpha)
            costs.append(cost_function(y, forward_prop(X, params)[3]))
        return params, costs
        """,
        only={"train_records_cost_before_each_step", "train_uses_contract_defaults"},
    ),
    M("train_lookup_table_with_fake_costs", "train", LOOKUP_TABLE_TRAIN),
    M(
        "train_ignores_num_hidden_alpha_and_seed",
        "train",
        """
        params = init_params(X.shape[1], 5, y.shape[1], seed=0)
        costs = []
        for _ in range(num_iterations):
            cache = forward_prop(X, params)
            costs.append(cost_function(y, cache[3]))
            params = update_params(params, backward_prop(X, y, params, cache), 1.0)
        return params, costs
        """,
    ),
    M(
        "train_chapter_default_alpha_0_01",
        "train",
        None,
        only={"train_uses_contract_defaults"},
        signature=(
            "num_hidden=5, alpha=1.0, num_iterations=5000",
            "num_hidden=5, alpha=0.01, num_iterations=5000",
        ),
    ),
    M(
        "train_default_1000_iterations",
        "train",
        None,
        only={"train_uses_contract_defaults"},
        signature=("alpha=1.0, num_iterations=5000, seed=0", "alpha=1.0, num_iterations=1000, seed=0"),
    ),
    M(
        "train_other_update_rule",
        "train",
        """
        params = init_params(X.shape[1], num_hidden, y.shape[1], seed=seed)
        costs = []
        for _ in range(num_iterations):
            cache = forward_prop(X, params)
            costs.append(cost_function(y, cache[3]))
            grads = backward_prop(X, y, params, cache)
            params = {key: params[key] - alpha * grads[key] * (0.9 if key == "by" else 1.0) for key in params}
        return params, costs
        """,
    ),
    M(
        "train_hardcodes_xor_targets",
        "train",
        """
        y = np.array([[0.0], [1.0], [1.0], [0.0]])
        params = init_params(X.shape[1], num_hidden, y.shape[1], seed=seed)
        costs = []
        for _ in range(num_iterations):
            cache = forward_prop(X, params)
            costs.append(cost_function(y, cache[3]))
            params = update_params(params, backward_prop(X, y, params, cache), alpha)
        return params, costs
        """,
    ),
    # --- gradient checking ---------------------------------------------------------------------
    M(
        "numerical_gradient_forward_difference",
        "numerical_gradient",
        """
        grad = np.zeros(x.shape)
        for index in np.ndindex(x.shape):
            old = x[index]
            f_x = f(x)
            x[index] = old + epsilon
            grad[index] = (f(x) - f_x) / epsilon
            x[index] = old
        return grad
        """,
    ),
    M(
        "numerical_gradient_does_not_restore",
        "numerical_gradient",
        """
        grad = np.zeros(x.shape)
        for index in np.ndindex(x.shape):
            old = x[index]
            x[index] = old + epsilon
            f_plus = f(x)
            x[index] = old - epsilon
            grad[index] = (f_plus - f(x)) / (2 * epsilon)
        return grad
        """,
    ),
    M(
        "numerical_gradient_ignores_epsilon",
        "numerical_gradient",
        """
        grad = np.zeros(x.shape)
        for index in np.ndindex(x.shape):
            old = x[index]
            x[index] = old + 1e-5
            f_plus = f(x)
            x[index] = old - 1e-5
            f_minus = f(x)
            x[index] = old
            grad[index] = (f_plus - f_minus) / 2e-5
        return grad
        """,
        only={"numerical_gradient_uses_given_epsilon"},
    ),
    M(
        "relative_error_no_zero_guard",
        "relative_error",
        "return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))",
        only={"relative_error_both_zero_gives_zero"},
    ),
    M(
        "relative_error_wrong_denominator",
        "relative_error",
        """
        if not np.any(a) and not np.any(b):
            return 0.0
        return float(np.linalg.norm(a - b) / np.linalg.norm(a + b))
        """,
    ),
    M(
        "gradient_check_chapter_perturbs_all_at_once",
        "gradient_check",
        """
        plus = {key: np.array(value, dtype=float) + epsilon for key, value in params.items()}
        minus = {key: np.array(value, dtype=float) - epsilon for key, value in params.items()}
        directional = (cost_fn(plus) - cost_fn(minus)) / (2 * epsilon)
        analytic = np.concatenate([np.ravel(grads[key]) for key in params])
        return relative_error(analytic, np.full_like(analytic, directional))
        """,
        only={
            "gradient_check_accepts_correct_gradient",
            "gradient_check_flags_wrong_gradient_in_each_parameter",
            "gradient_check_leaves_params_unchanged",
        },
        trap=True,
    ),
    M(
        "gradient_check_float32_copies",
        "gradient_check",
        """
        params = {key: np.array(value, dtype=np.float32) for key, value in params.items()}
        analytic, numeric = [], []
        for key in params:
            numeric.append(numerical_gradient(lambda _: cost_fn(params), params[key], epsilon))
            analytic.append(np.asarray(grads[key], dtype=np.float32))
        flat = lambda arrays: np.concatenate([a.ravel() for a in arrays])
        return relative_error(flat(analytic), flat(numeric))
        """,
        only={
            "gradient_check_accepts_correct_gradient",
            "gradient_check_flags_wrong_gradient_in_each_parameter",
            "gradient_check_leaves_params_unchanged",
        },
        trap=True,
    ),
    M(
        "gradient_check_compares_weights_only",
        "gradient_check",
        """
        params = {key: np.array(value, dtype=float) for key, value in params.items()}
        analytic, numeric = [], []
        for key in ("Wxh", "Why"):
            numeric.append(numerical_gradient(lambda _: cost_fn(params), params[key], epsilon))
            analytic.append(np.asarray(grads[key], dtype=float))
        flat = lambda arrays: np.concatenate([a.ravel() for a in arrays])
        return relative_error(flat(analytic), flat(numeric))
        """,
        only={
            "gradient_check_flags_wrong_gradient_in_each_parameter",
            "gradient_check_accepts_correct_gradient",
            "gradient_check_leaves_params_unchanged",
        },
    ),
]

# Correct submissions written differently from the reference: each must get full marks.
VARIANTS = {
    "other_formulas": {
        "sigmoid": "return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))",
        "tanh": "x = np.clip(np.asarray(x, dtype=float), -350.0, 350.0)\n"
        "return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))",
        "tanh_derivative": "return 1.0 / np.cosh(np.clip(np.asarray(x, dtype=float), -350.0, 350.0)) ** 2",
        "relu": "x = np.asarray(x, dtype=float)\nreturn x * (x > 0)",
        "relu_derivative": "return np.heaviside(np.asarray(x, dtype=float), 1.0)",
        "leaky_relu": "x = np.asarray(x, dtype=float)\nreturn np.maximum(x, alpha * x)",
        "elu": "x = np.asarray(x, dtype=float)\nreturn np.where(x >= 0, x, alpha * (np.exp(np.minimum(x, 0.0)) - 1.0))",
        "swish_derivative": "f = swish(x, beta)\ns = sigmoid(beta * np.asarray(x, dtype=float))\n"
        "return beta * f + s * (1 - beta * f)",
        "softmax": "x = np.asarray(x, dtype=float)\nm = np.max(x, axis=axis, keepdims=True)\n"
        "log_z = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))\nreturn np.exp(x - log_z)",
        "init_params": "rng = np.random.default_rng(seed)\nWxh = rng.normal(0.0, 1.0, size=(num_input, num_hidden))\n"
        "Why = rng.normal(0.0, 1.0, size=(num_hidden, num_output))\n"
        "return dict(Wxh=Wxh, bh=np.zeros((1, num_hidden)), Why=Why, by=np.zeros((1, num_output)))",
        "backward_prop": """
            z1, a1, z2, y_hat = cache
            delta2 = (y_hat - y) * y_hat * (1 - y_hat)
            delta1 = delta2.dot(params["Why"].T) * a1 * (1 - a1)
            return {"Wxh": np.dot(X.T, delta1), "bh": delta1.sum(axis=0).reshape(1, -1),
                    "Why": np.dot(a1.T, delta2), "by": delta2.sum(axis=0).reshape(1, -1)}
            """,
        "predict": "return np.where(forward_prop(X, params)[3] >= 0.5, 1, 0)",
    },
    "loops_and_in_place": {
        "cost_function": """
            total = 0.0
            for i in range(y.shape[0]):
                for j in range(y.shape[1]):
                    total += 0.5 * (y[i, j] - y_hat[i, j]) ** 2
            return total
            """,
        "update_params": """
            new = {key: value.copy() for key, value in params.items()}
            for key in new:
                new[key] -= alpha * grads[key]
            return new
            """,
        "train": """
            params = init_params(X.shape[1], num_hidden, y.shape[1], seed)
            costs = []
            iteration = 0
            while iteration < num_iterations:
                z1, a1, z2, y_hat = forward_prop(X, params)
                costs.append(float(cost_function(y, y_hat)))
                grads = backward_prop(X, y, params, (z1, a1, z2, y_hat))
                params = update_params(params, grads, alpha)
                iteration += 1
            return params, costs
            """,
        "numerical_gradient": """
            grad = np.zeros_like(x, dtype=float)
            it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
            while not it.finished:
                i = it.multi_index
                saved = x[i]
                x[i] = saved + epsilon
                up = f(x)
                x[i] = saved - epsilon
                down = f(x)
                x[i] = saved
                grad[i] = (up - down) / (2 * epsilon)
                it.iternext()
            return grad
            """,
        "relative_error": """
            a, b = np.ravel(a), np.ravel(b)
            na = sum(v * v for v in a) ** 0.5
            nb = sum(v * v for v in b) ** 0.5
            if na + nb == 0:
                return 0.0
            return float(sum((p - q) ** 2 for p, q in zip(a, b)) ** 0.5 / (na + nb))
            """,
        "gradient_check": """
            import copy
            work = copy.deepcopy({key: np.asarray(value, dtype=float) for key, value in params.items()})
            analytic, numeric = [], []
            for key in work:
                for index in np.ndindex(work[key].shape):
                    saved = work[key][index]
                    work[key][index] = saved + epsilon
                    up = cost_fn(work)
                    work[key][index] = saved - epsilon
                    down = cost_fn(work)
                    work[key][index] = saved
                    numeric.append((up - down) / (2 * epsilon))
                    analytic.append(float(np.asarray(grads[key])[index]))
            return relative_error(np.array(analytic), np.array(numeric))
            """,
    },
}


def variant_source(name: str) -> str:
    return with_bodies(VARIANTS[name])


# Hollow submissions: code that has the contract's shape and none of its work. Each must score
# exactly 0 (rules of the house: every point is earned by a right value).
def _signatures() -> dict[str, list[str]]:
    """{function: argument names} of every contract function, read from the reference."""
    import ast

    tree = ast.parse(reference_source())
    return {
        node.name: [a.arg for a in node.args.args]
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    }


ZEROS_OF_THE_RIGHT_SHAPE = {
    **{
        fn: "return np.zeros(np.shape(x))"
        for fn in _signatures()
        if _signatures()[fn][0] == "x" and fn != "numerical_gradient"
    },
    "init_params": """
        return {"Wxh": np.zeros((num_input, num_hidden)), "bh": np.zeros((1, num_hidden)),
                "Why": np.zeros((num_hidden, num_output)), "by": np.zeros((1, num_output))}
        """,
    "forward_prop": """
        N, H, K = X.shape[0], params["Wxh"].shape[1], params["Why"].shape[1]
        return np.zeros((N, H)), np.zeros((N, H)), np.zeros((N, K)), np.zeros((N, K))
        """,
    "cost_function": "return 0.0",
    "backward_prop": "return {key: np.zeros_like(value) for key, value in params.items()}",
    "update_params": "return {key: np.zeros_like(value) for key, value in params.items()}",
    "predict": 'return np.zeros((X.shape[0], params["Why"].shape[1]), dtype=int)',
    "train": """
        params = {"Wxh": np.zeros((X.shape[1], num_hidden)), "bh": np.zeros((1, num_hidden)),
                  "Why": np.zeros((num_hidden, y.shape[1])), "by": np.zeros((1, y.shape[1]))}
        return params, [0.0] * num_iterations
        """,
    "numerical_gradient": "return np.zeros(np.shape(x))",
    "relative_error": "return 0.0",
    "gradient_check": "return 0.0",
}


def hollow_bodies() -> dict[str, dict[str, str]]:
    """{name: {function: body}}: every function `pass`, `return 0.0`, zeros of the right shape
    and type, or its own first argument."""
    signatures = _signatures()
    return {
        "hollow_all_none": {fn: "pass" for fn in signatures},
        "hollow_all_constant_0": {fn: "return 0.0" for fn in signatures},
        "hollow_zeros_of_the_right_shape": ZEROS_OF_THE_RIGHT_SHAPE,
        "hollow_identity": {fn: f"return {args[0]}" for fn, args in signatures.items()},
    }


HOLLOW = hollow_bodies()

# Values no check expects, returned by every function: each must be graded (0, with feedback),
# never a grader error.
STRANGE_RETURNS = {
    "string": 'return "0.5"',
    "nan": "return float('nan')",
    "ragged_list": "return [[1.0, 2.0], [3.0]]",
    "bool": "return True",
    "dict_of_junk": 'return {"Wxh": "a", "bh": None, "Why": [1], "by": {}}',
    "tuple_of_none": "return (None, None, None, None)",
    "params_and_junk": 'return ({"Wxh": 1}, "costs")',
    "inf_matrix": "return np.full((3, 3), np.inf)",
    "empty_array": "return np.zeros((0, 5))",
    "huge_int": "return 10 ** 400",
    "bool_array": "return np.ones((4, 1), dtype=bool)",
}


def hollow_source(name: str) -> str:
    return with_bodies(HOLLOW[name])


def write(directory: Path, name: str, source: str) -> Path:
    path = directory / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    return path
