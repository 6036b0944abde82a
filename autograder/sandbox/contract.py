"""The contract functions of docs/contract.md: what `Submission.defined` reports on."""

CONTRACT_FUNCTIONS = (
    "sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative",
    "leaky_relu", "leaky_relu_derivative", "elu", "elu_derivative", "swish", "swish_derivative",
    "softmax",
    "init_params", "forward_prop", "cost_function", "backward_prop", "update_params", "predict",
    "train",
    "numerical_gradient", "relative_error", "gradient_check",
)
