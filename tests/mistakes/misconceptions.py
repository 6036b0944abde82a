"""The misconception corpus: single-function mistakes, each with the catalogued misconception
(autograder/core/misconceptions.py) its report must name.

NAMED_MISTAKES: mistakes of tests/mistakes (MISTAKES) by name; NEW: more mistakes written here,
each a body for one function's SOLUTION region (tests/mistakes.with_bodies). A mistake that no
entry describes (a threshold of 0.51, a made-up training) is listed in UNNAMED: it must get none.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import MISTAKES, with_bodies


@dataclass(frozen=True)
class Case:
    name: str
    function: str
    source: str
    misconception: str | None  # the id its report must name; None: no entry describes it


NAMED_MISTAKES = {
    "sigmoid_wrong_sign": "sigmoid_wrong_sign",
    "sigmoid_overflows_at_large_x": "sigmoid_overflows",
    "sigmoid_derivative_chapter_nan_below_minus_710": "sigmoid_derivative_overflows",
    "sigmoid_derivative_of_activation": "sigmoid_derivative_of_activation",
    "tanh_chapter_nan_at_large_x": "tanh_overflows_both_sides",
    "tanh_derivative_forgets_square": "tanh_derivative_forgets_square",
    "relu_chapter_if_on_arrays": "relu_if_on_arrays",
    "relu_clips_input_in_place": "relu_changes_input",
    "relu_derivative_wrong_side": "relu_derivative_wrong_side",
    "relu_derivative_returns_bool": "relu_derivative_bool",
    "leaky_relu_chapter_if_on_arrays": "leaky_relu_if_on_arrays",
    "leaky_relu_derivative_ignores_alpha": "leaky_relu_derivative_ignores_alpha",
    "elu_chapter_alpha_0_01": "elu_alpha_0_01",
    "elu_chapter_if_on_arrays": "elu_if_on_arrays",
    "elu_derivative_ignores_alpha": "elu_derivative_ignores_alpha",
    "swish_chapter_factor_2": "swish_factor_2",
    "swish_derivative_misses_product_rule_term": "swish_derivative_misses_sigmoid_term",
    "softmax_chapter_axis_0_and_overflow": "softmax_chapter_code",
    "softmax_chapter_axis_0": "softmax_axis_0",
    "softmax_overflows_at_large_x": "softmax_overflows",
    "init_params_random_biases": "init_params_random_biases",
    "init_params_ignores_seed": "init_params_ignores_seed",
    "init_params_seed_none_raises": "init_params_requires_seed",
    "init_params_default_seed_0": "init_params_default_seed",
    "forward_prop_forgets_biases": "forward_prop_forgets_biases",
    "forward_prop_relu_hidden_layer": "forward_prop_relu_hidden",
    "cost_function_chapter_builtin_sum": "cost_function_builtin_sum",
    "cost_function_forgets_half": "cost_function_forgets_half",
    "backward_prop_chapter_no_bias_gradients": "backward_prop_no_bias_gradients",
    "backward_prop_derivative_of_activation": "backward_prop_derivative_of_activation",
    "backward_prop_bias_gradient_mean": "backward_prop_bias_gradient_mean",
    "backward_prop_float32": "backward_prop_float32",
    "update_params_chapter_biases_not_updated": "update_params_biases_not_updated",
    "update_params_in_place": "update_params_in_place",
    "update_params_ascends": "update_params_ascends",
    "predict_returns_bool": "predict_bool",
    "predict_returns_probabilities": "predict_probabilities",
    "train_chapter_alpha_0_01": "train_fixed_alpha_0_01",
    "train_records_cost_every_100": "train_cost_every_100",
    "train_records_cost_after_each_step": "train_cost_after_step",
    "train_ignores_num_hidden_alpha_and_seed": "train_ignores_arguments",
    "train_hardcodes_xor_targets": "train_hardcodes_xor",
    "numerical_gradient_forward_difference": "numerical_gradient_one_sided",
    "numerical_gradient_does_not_restore": "numerical_gradient_not_restored",
    "numerical_gradient_ignores_epsilon": "numerical_gradient_ignores_epsilon",
    "relative_error_no_zero_guard": "relative_error_no_zero_guard",
    "relative_error_wrong_denominator": "relative_error_norm_of_sum",
    "gradient_check_chapter_perturbs_all_at_once": "gradient_check_all_at_once",
    "gradient_check_compares_weights_only": "gradient_check_weights_only",
}
# mistakes of tests/mistakes that no entry describes: their reports name none
UNNAMED = {
    "predict_wrong_threshold",
    "train_lookup_table_with_fake_costs",
    "train_other_update_rule",
    "gradient_check_float32_copies",
}

_TRAIN = """
    params = init_params(X.shape[1], {hidden}, y.shape[1], seed={seed})
    costs = []
    for _ in range(num_iterations):
        cache = forward_prop(X, params)
        costs.append(cost_function(y, cache[3]))
        params = update_params(params, backward_prop(X, y, params, cache), {alpha})
    return params, costs
    """
_BACKPROP = """
    z1, a1, z2, y_hat = cache
    delta2 = {delta2}
    delta1 = {delta1}
    grads = {{"Wxh": X.T @ delta1, "bh": {bh}, "Why": a1.T @ delta2, "by": {by}}}
    return {ret}
    """


def _backprop(
    delta2="-(y - y_hat) * sigmoid_derivative(z2)",
    delta1='(delta2 @ params["Why"].T) * sigmoid_derivative(z1)',
    bh="np.sum(delta1, axis=0, keepdims=True)",
    by="np.sum(delta2, axis=0, keepdims=True)",
    ret="grads",
):
    return _BACKPROP.format(delta2=delta2, delta1=delta1, bh=bh, by=by, ret=ret)


def _init(
    draw="rng.standard_normal((num_input, num_hidden))", draw2="rng.standard_normal((num_hidden, num_output))"
):
    return f"""
    rng = np.random.default_rng(seed)
    return {{"Wxh": {draw}, "bh": np.zeros((1, num_hidden)), "Why": {draw2}, "by": np.zeros((1, num_output))}}
    """


_ELEMENTWISE_NG = """
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old{up}
        f_plus = f(x)
        x[index] = old{down}
        f_minus = f(x)
        x[index] = old
        grad[index] = (f_plus - f_minus) / {divisor}
    return grad
    """

A = "x = np.asarray(x, dtype=float)\n"
# (name, function, body, the misconception it must be named as)
NEW = [
    (
        "sigmoid_float32",
        "sigmoid",
        "x = np.asarray(x, dtype=np.float32)\nreturn (1 / (1 + np.exp(-x))).astype(np.float32)",
        "sigmoid_float32",
    ),
    (
        "sigmoid_in_place_ufuncs",
        "sigmoid",
        A + "np.negative(x, out=x)\nnp.exp(x, out=x)\nx += 1\nnp.reciprocal(x, out=x)\nreturn x",
        "sigmoid_changes_input",
    ),
    (
        "sigmoid_derivative_s_times_1_plus_s",
        "sigmoid_derivative",
        "s = sigmoid(x)\nreturn s * (1 + s)",
        "sigmoid_derivative_plus",
    ),
    (
        "sigmoid_derivative_sigma_prime_of_sigma",
        "sigmoid_derivative",
        "s = sigmoid(sigmoid(x))\nreturn s * (1 - s)",
        "sigmoid_derivative_of_sigmoid",
    ),
    (
        "sigmoid_derivative_returns_sigmoid",
        "sigmoid_derivative",
        "return sigmoid(x)",
        "sigmoid_derivative_is_sigmoid",
    ),
    (
        "sigmoid_derivative_s_minus_s_squared_of_x",
        "sigmoid_derivative",
        A + "return x - x ** 2",
        "sigmoid_derivative_of_activation",
    ),
    (
        "tanh_chapter_exp_2x",
        "tanh",
        A + "return (1 - np.exp(-2 * x)) / (1 + np.exp(-2 * x))",
        "tanh_overflows_negative_side",
    ),
    ("tanh_from_sigmoid_without_2x", "tanh", "return 2 * sigmoid(x) - 1", "tanh_half_argument"),
    (
        "tanh_derivative_of_activation",
        "tanh_derivative",
        A + "return 1 - x ** 2",
        "tanh_derivative_of_activation",
    ),
    ("tanh_derivative_plus_square", "tanh_derivative", "return 1 + tanh(x) ** 2", "tanh_derivative_plus"),
    ("relu_minimum", "relu", "return np.minimum(0.0, np.asarray(x, dtype=float))", "relu_minimum"),
    ("relu_maximum_out_x", "relu", A + "np.maximum(x, 0, out=x)\nreturn x", "relu_changes_input"),
    (
        "relu_derivative_sign_plus_one_half",
        "relu_derivative",
        "return (np.sign(np.asarray(x, dtype=float)) + 1) / 2",
        "relu_derivative_half_at_zero",
    ),
    (
        "relu_derivative_sign",
        "relu_derivative",
        "return np.sign(np.asarray(x, dtype=float))",
        "relu_derivative_sign",
    ),
    ("relu_derivative_returns_relu", "relu_derivative", "return relu(x)", "relu_derivative_is_relu"),
    (
        "relu_derivative_if",
        "relu_derivative",
        "if x > 0:\n    return 1.0\nreturn 0.0",
        "relu_derivative_if_on_arrays",
    ),
    (
        "leaky_relu_slope_on_positive_side",
        "leaky_relu",
        A + "return np.where(x >= 0, alpha * x, x)",
        "leaky_relu_slope_wrong_side",
    ),
    (
        "leaky_relu_fixed_0_01",
        "leaky_relu",
        A + "return np.where(x >= 0, x, 0.01 * x)",
        "leaky_relu_ignores_alpha",
    ),
    (
        "leaky_relu_as_relu",
        "leaky_relu",
        "return np.maximum(0.0, np.asarray(x, dtype=float))",
        "leaky_relu_zero_below",
    ),
    (
        "leaky_relu_derivative_swapped",
        "leaky_relu_derivative",
        A + "return np.where(x >= 0, alpha, 1.0)",
        "leaky_relu_derivative_wrong_side",
    ),
    (
        "leaky_relu_derivative_zero_below",
        "leaky_relu_derivative",
        "return (np.asarray(x, dtype=float) >= 0).astype(float)",
        "leaky_relu_derivative_zero_below",
    ),
    (
        "leaky_relu_derivative_returns_activation",
        "leaky_relu_derivative",
        "return leaky_relu(x, alpha)",
        "leaky_relu_derivative_is_activation",
    ),
    (
        "elu_without_minus_one",
        "elu",
        A + "return np.where(x >= 0, x, alpha * np.exp(np.minimum(x, 0)))",
        "elu_without_minus_one",
    ),
    (
        "elu_fixed_alpha_1",
        "elu",
        A + "return np.where(x >= 0, x, np.expm1(np.minimum(x, 0)))",
        "elu_ignores_alpha",
    ),
    (
        "elu_derivative_keeps_minus_one",
        "elu_derivative",
        A + "return np.where(x >= 0, 1.0, alpha * np.expm1(np.minimum(x, 0)))",
        "elu_derivative_keeps_minus_one",
    ),
    (
        "elu_derivative_zero_below",
        "elu_derivative",
        "return (np.asarray(x, dtype=float) >= 0).astype(float)",
        "elu_derivative_zero_below",
    ),
    ("swish_fixed_beta_1", "swish", A + "return x * sigmoid(x)", "swish_ignores_beta"),
    ("swish_forgets_x", "swish", "return sigmoid(beta * np.asarray(x, dtype=float))", "swish_forgets_x"),
    (
        "swish_derivative_sigmoid_only",
        "swish_derivative",
        "return sigmoid(beta * np.asarray(x, dtype=float))",
        "swish_derivative_misses_product_rule",
    ),
    (
        "swish_derivative_fixed_beta_1",
        "swish_derivative",
        A + "s = sigmoid(x)\nreturn s + x * s * (1 - s)",
        "swish_derivative_ignores_beta",
    ),
    (
        "swish_derivative_chapter_factor_2",
        "swish_derivative",
        A + "s = sigmoid(beta * x)\nreturn 2 * (s + beta * x * s * (1 - s))",
        "swish_derivative_factor_2",
    ),
    (
        "softmax_whole_array",
        "softmax",
        A + "e = np.exp(x - np.max(x))\nreturn e / np.sum(e)",
        "softmax_whole_array",
    ),
    (
        "softmax_always_last_axis",
        "softmax",
        A + "e = np.exp(x - np.max(x, axis=-1, keepdims=True))\nreturn e / np.sum(e, axis=-1, keepdims=True)",
        "softmax_ignores_axis",
    ),
    (
        "init_params_scaled_0_01",
        "init_params",
        _init(
            "0.01 * rng.standard_normal((num_input, num_hidden))",
            "0.01 * rng.standard_normal((num_hidden, num_output))",
        ),
        "init_params_scaled",
    ),
    (
        "init_params_uniform",
        "init_params",
        _init("rng.random((num_input, num_hidden))", "rng.random((num_hidden, num_output))"),
        "init_params_uniform",
    ),
    (
        "init_params_transposed",
        "init_params",
        _init(
            "rng.standard_normal((num_hidden, num_input))", "rng.standard_normal((num_output, num_hidden))"
        ),
        "init_params_transposed",
    ),
    (
        "forward_prop_linear_hidden",
        "forward_prop",
        'z1 = X @ params["Wxh"] + params["bh"]\nz2 = z1 @ params["Why"] + params["by"]\nreturn z1, z1, z2, sigmoid(z2)',
        "forward_prop_linear_hidden",
    ),
    (
        "forward_prop_linear_output",
        "forward_prop",
        'z1 = X @ params["Wxh"] + params["bh"]\na1 = sigmoid(z1)\nz2 = a1 @ params["Why"] + params["by"]\nreturn z1, a1, z2, z2',
        "forward_prop_linear_output",
    ),
    ("cost_function_mse", "cost_function", "return float(np.mean((y - y_hat) ** 2))", "cost_function_mean"),
    (
        "cost_function_half_mse",
        "cost_function",
        "return float(0.5 * np.mean((y - y_hat) ** 2))",
        "cost_function_half_mean",
    ),
    (
        "cost_function_cross_entropy",
        "cost_function",
        "return float(-np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))",
        "cost_function_cross_entropy",
    ),
    (
        "backward_prop_bias_not_summed",
        "backward_prop",
        _backprop(bh="delta1", by="delta2"),
        "backward_prop_bias_not_summed",
    ),
    (
        "backward_prop_wrong_sign",
        "backward_prop",
        _backprop(delta2="(y - y_hat) * sigmoid_derivative(z2)"),
        "backward_prop_wrong_sign",
    ),
    (
        "backward_prop_missing_transpose",
        "backward_prop",
        _backprop(delta1='(delta2 @ params["Why"]) * sigmoid_derivative(z1)'),
        "backward_prop_missing_transpose",
    ),
    (
        "backward_prop_divides_by_m",
        "backward_prop",
        _backprop(ret="{k: v / X.shape[0] for k, v in grads.items()}"),
        "backward_prop_averages",
    ),
    (
        "backward_prop_forgets_hidden_derivative",
        "backward_prop",
        _backprop(delta1='delta2 @ params["Why"].T'),
        "backward_prop_forgets_hidden_derivative",
    ),
    (
        "update_params_ignores_alpha",
        "update_params",
        "return {key: params[key] - grads[key] for key in params}",
        "update_params_ignores_alpha",
    ),
    (
        "update_params_chapter_swapped",
        "update_params",
        'return {"Wxh": params["Wxh"] - alpha * grads["Why"], "bh": params["bh"] - alpha * grads["bh"],\n'
        '        "Why": params["Why"] - alpha * grads["Wxh"], "by": params["by"] - alpha * grads["by"]}',
        "update_params_swapped_gradients",
    ),
    (
        "predict_floats",
        "predict",
        "return (forward_prop(X, params)[3] >= 0.5).astype(float)",
        "predict_floats",
    ),
    (
        "predict_strict_threshold",
        "predict",
        "return (forward_prop(X, params)[3] > 0.5).astype(int)",
        "predict_strict_threshold",
    ),
    (
        "predict_inverted",
        "predict",
        "return (forward_prop(X, params)[3] < 0.5).astype(int)",
        "predict_inverted",
    ),
    (
        "train_ignores_alpha",
        "train",
        _TRAIN.format(hidden="num_hidden", seed="seed", alpha="1.0"),
        "train_ignores_alpha",
    ),
    (
        "train_ignores_seed",
        "train",
        _TRAIN.format(hidden="num_hidden", seed="0", alpha="alpha"),
        "train_ignores_seed",
    ),
    (
        "train_ignores_num_hidden",
        "train",
        _TRAIN.format(hidden="5", seed="seed", alpha="alpha"),
        "train_ignores_num_hidden",
    ),
    (
        "numerical_gradient_backward_difference",
        "numerical_gradient",
        _ELEMENTWISE_NG.format(up="", down=" - epsilon", divisor="epsilon"),
        "numerical_gradient_backward_difference",
    ),
    (
        "numerical_gradient_forgets_two",
        "numerical_gradient",
        _ELEMENTWISE_NG.format(up=" + epsilon", down=" - epsilon", divisor="epsilon"),
        "numerical_gradient_forgets_two",
    ),
    (
        "numerical_gradient_all_at_once",
        "numerical_gradient",
        "d = (f(x + epsilon) - f(x - epsilon)) / (2 * epsilon)\nreturn np.full(x.shape, d)",
        "numerical_gradient_all_at_once",
    ),
    (
        "relative_error_absolute",
        "relative_error",
        "return float(np.linalg.norm(a - b))",
        "relative_error_absolute",
    ),
    (
        "relative_error_cs231n_max",
        "relative_error",
        "if not np.any(a) and not np.any(b):\n    return 0.0\n"
        "return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b)))",
        "relative_error_max_denominator",
    ),
    (
        "gradient_check_absolute_error",
        "gradient_check",
        """
     params = {key: np.array(value, dtype=float) for key, value in params.items()}
     analytic, numeric = [], []
     for key in params:
         numeric.append(numerical_gradient(lambda _: cost_fn(params), params[key], epsilon))
         analytic.append(np.asarray(grads[key], dtype=float))
     flat = lambda arrays: np.concatenate([a.ravel() for a in arrays])
     return float(np.linalg.norm(flat(analytic) - flat(numeric)))
     """,
        "gradient_check_absolute_error",
    ),
]


def corpus() -> list[Case]:
    """Every case: the named mistakes of tests/mistakes, the unnamed ones, and NEW."""
    by_name = {m.name: m for m in MISTAKES}
    cases = [
        Case(name, by_name[name].function, by_name[name].source(), named)
        for name, named in NAMED_MISTAKES.items()
    ]
    cases += [Case(name, by_name[name].function, by_name[name].source(), None) for name in sorted(UNNAMED)]
    cases += [
        Case(name, function, with_bodies({function: body}), named) for name, function, body, named in NEW
    ]
    return cases
