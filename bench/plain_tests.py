"""The bench's plain-nbgrader fixture: each test cell of ch01 as an instructor without the kit
would write it, ordinary asserts run in the learner's kernel (visible ones, then a hidden block
that nbgrader strips from the release). `bench/nbgrader_baseline.py` puts them in place of the
kit's `check_<function>(<function>)` cells; written once, here, for the bench only.

Keyed by the test cell's grade_id; the points stay those of the kit's notebook.
"""

_ACTIVATION = """\
x = np.array([-1000.0, -2.0, -0.5, 0.0, 0.5, 2.0, 1000.0])
out = {call}
assert out.shape == x.shape and np.all(np.isfinite(out))
assert np.allclose(out[1:6], {expected}, atol=1e-6)
### BEGIN HIDDEN TESTS
m = np.linspace(-3, 3, 12).reshape(3, 4)
assert np.allclose({call_m}, {expected_m}, atol=1e-6)
assert np.allclose({scalar}, {expected_scalar}, atol=1e-6)
### END HIDDEN TESTS
"""


def _activation(name, f, kwargs=""):
    """An activation's test from its formula `f` (numpy code in v), on a row and a matrix."""
    args = f", {kwargs}" if kwargs else ""
    return _ACTIVATION.format(
        call=f"{name}(x{args})",
        expected=f.replace("v", "x[1:6]"),
        call_m=f"{name}(m{args})",
        expected_m=f.replace("v", "m"),
        scalar=f"{name}(0.7{args})",
        expected_scalar=f.replace("v", "0.7"),
    )


_SIG = "(1 / (1 + np.exp(-(v))))"

TESTS = {
    "test_sigmoid": _activation("sigmoid", _SIG),
    "test_sigmoid_derivative": _activation("sigmoid_derivative", f"{_SIG} * (1 - {_SIG})"),
    "test_tanh": _activation("tanh", "np.tanh(v)"),
    "test_tanh_derivative": _activation("tanh_derivative", "(1 - np.tanh(v) ** 2)"),
    "test_relu": _activation("relu", "np.maximum(0, v)"),
    "test_relu_derivative": _activation("relu_derivative", "(np.asarray(v) > 0).astype(float)"),
    "test_leaky_relu": _activation(
        "leaky_relu", "np.where(np.asarray(v) >= 0, v, 0.1 * np.asarray(v))", "alpha=0.1"
    ),
    "test_leaky_relu_derivative": _activation(
        "leaky_relu_derivative", "np.where(np.asarray(v) >= 0, 1.0, 0.1)", "alpha=0.1"
    ),
    "test_elu": _activation("elu", "np.where(np.asarray(v) >= 0, v, np.exp(np.minimum(v, 0)) - 1)"),
    "test_elu_derivative": _activation(
        "elu_derivative", "np.where(np.asarray(v) >= 0, 1.0, np.exp(np.minimum(v, 0)))"
    ),
    "test_swish": _activation("swish", "(v) * (1 / (1 + np.exp(-2 * (v))))", "beta=2.0"),
    "test_swish_derivative": _activation(
        "swish_derivative",
        "((1 / (1 + np.exp(-2 * (v)))) + 2 * (v) * (1 / (1 + np.exp(-2 * (v)))) * (1 - 1 / (1 + np.exp(-2 * (v)))))",
        "beta=2.0",
    ),
    "test_softmax": """\
p = softmax(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
assert np.allclose(p.sum(axis=-1), 1)
assert np.allclose(p[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum()) and np.allclose(p[1], 1 / 3)
### BEGIN HIDDEN TESTS
big = softmax(np.array([1000.0, 1000.0]))
assert np.all(np.isfinite(big)) and np.allclose(big, 0.5)
assert np.allclose(softmax(np.array([[1.0, 2.0], [3.0, 5.0]]), axis=0).sum(axis=0), 1)
### END HIDDEN TESTS
""",
    "test_init_params": """\
p = init_params(2, 5, 1, seed=0)
assert set(p) == {"Wxh", "bh", "Why", "by"}
assert p["Wxh"].shape == (2, 5) and p["Why"].shape == (5, 1) and p["bh"].shape == (1, 5) and p["by"].shape == (1, 1)
### BEGIN HIDDEN TESTS
rng = np.random.default_rng(0)
assert np.allclose(p["Wxh"], rng.standard_normal((2, 5))) and np.allclose(p["Why"], rng.standard_normal((5, 1)))
assert not np.any(p["bh"]) and not np.any(p["by"])
### END HIDDEN TESTS
""",
    "test_forward_prop": """\
p = {"Wxh": np.array([[0.1, -0.2], [0.3, 0.4]]), "bh": np.array([[0.5, -0.5]]),
     "Why": np.array([[1.0], [-1.0]]), "by": np.array([[0.2]])}
X = np.array([[1.0, 2.0], [0.0, -1.0]])
z1, a1, z2, y_hat = forward_prop(X, p)
assert np.allclose(z1, X @ p["Wxh"] + p["bh"])
### BEGIN HIDDEN TESTS
s = lambda v: 1 / (1 + np.exp(-v))
assert np.allclose(a1, s(z1)) and np.allclose(z2, a1 @ p["Why"] + p["by"]) and np.allclose(y_hat, s(z2))
### END HIDDEN TESTS
""",
    "test_cost_function": """\
c = cost_function(np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]]))
assert isinstance(c, float) and np.isclose(c, 0.25)
### BEGIN HIDDEN TESTS
assert np.isclose(cost_function(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]])), 2.5)
### END HIDDEN TESTS
""",
    "test_backward_prop": """\
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = np.array([[0.0], [1.0], [1.0], [0.0]])
p = init_params(2, 3, 1, seed=1)
p = dict(p, bh=np.array([[0.1, -0.2, 0.3]]), by=np.array([[0.05]]))
g = backward_prop(X, y, p, forward_prop(X, p))
assert {k: v.shape for k, v in g.items()} == {k: v.shape for k, v in p.items()}
### BEGIN HIDDEN TESTS
def _numeric(key, eps=1e-6):
    out = np.zeros_like(p[key])
    for i in np.ndindex(p[key].shape):
        hi, lo = {k: v.copy() for k, v in p.items()}, {k: v.copy() for k, v in p.items()}
        hi[key][i] += eps
        lo[key][i] -= eps
        out[i] = (cost_function(y, forward_prop(X, hi)[3]) - cost_function(y, forward_prop(X, lo)[3])) / (2 * eps)
    return out
for key in p:
    assert np.allclose(g[key], _numeric(key), atol=1e-6), key
### END HIDDEN TESTS
""",
    "test_update_params": """\
p = {"Wxh": np.ones((2, 2)), "bh": np.ones((1, 2)), "Why": np.ones((2, 1)), "by": np.ones((1, 1))}
g = {k: np.full_like(v, 2.0) for k, v in p.items()}
new = update_params(p, g, 0.5)
assert all(np.allclose(new[k], 0.0) for k in p)
### BEGIN HIDDEN TESTS
assert all(np.allclose(p[k], 1.0) for k in p)  # not in place
### END HIDDEN TESTS
""",
    "test_numerical_gradient": """\
x = np.array([[1.0, -2.0], [3.0, 0.5]])
g = numerical_gradient(lambda v: float(np.sum(v ** 3)), x)
assert g.shape == x.shape and np.allclose(g, 3 * x ** 2, atol=1e-4)
### BEGIN HIDDEN TESTS
assert np.array_equal(x, np.array([[1.0, -2.0], [3.0, 0.5]]))
assert np.allclose(numerical_gradient(lambda v: float(v[0] * v[1]), np.array([2.0, 5.0])), [5.0, 2.0])
### END HIDDEN TESTS
""",
    "test_relative_error": """\
assert np.isclose(relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0])), 2 ** 0.5 / 2)
### BEGIN HIDDEN TESTS
assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
assert np.isclose(relative_error(np.array([3.0, 4.0]), np.array([3.0, 4.0])), 0.0)
### END HIDDEN TESTS
""",
    "test_gradient_check": """\
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = np.array([[0.0], [1.0], [1.0], [0.0]])
p = init_params(2, 3, 1, seed=2)
cost = lambda q: cost_function(y, forward_prop(X, q)[3])
g = backward_prop(X, y, p, forward_prop(X, p))
assert gradient_check(cost, p, g) < 1e-7
### BEGIN HIDDEN TESTS
wrong = dict(g, Wxh=g["Wxh"] * 2)
assert gradient_check(cost, p, wrong) > 1e-3
### END HIDDEN TESTS
""",
    "test_predict": """\
p = {"Wxh": np.eye(2), "bh": np.zeros((1, 2)), "Why": np.array([[10.0], [-10.0]]), "by": np.zeros((1, 1))}
out = predict(np.array([[5.0, -5.0], [-5.0, 5.0]]), p)
assert out.shape == (2, 1) and out.tolist() == [[1], [0]]
### BEGIN HIDDEN TESTS
assert np.issubdtype(out.dtype, np.integer)
### END HIDDEN TESTS
""",
    "test_train": """\
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = np.array([[0.0], [1.0], [1.0], [0.0]])
params, costs = train(X, y, num_hidden=5, alpha=1.0, num_iterations=2000, seed=0)
assert len(costs) == 2000 and costs[-1] < costs[0]
### BEGIN HIDDEN TESTS
assert np.array_equal(predict(X, params), y.astype(int))
assert np.any(params["bh"]) and np.any(params["by"])  # biases learn too
### END HIDDEN TESTS
""",
}
