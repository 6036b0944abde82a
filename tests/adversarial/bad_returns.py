"""Returns values that must not cross the sandbox as objects."""
import numpy as np


class Liar(float):
    def __eq__(self, other):
        return True


class Anything:
    def __eq__(self, other):
        return True


def sigmoid(x):
    return Anything()


def tanh(x):
    return np.array([Anything()], dtype=object)


def relu(x):
    return (v for v in [1, 2])


def elu(x, alpha=1.0):
    return Liar(0.25)


def swish(x, beta=1.0):
    return {1: "int key"}


def softmax(x, axis=-1):
    return np.ones(((64 << 20) // 8) + 1)  # just past the message limit once base64'd


def leaky_relu(x, alpha=0.01):
    return {"__ndarray__": {"dtype": "O", "shape": [1], "data": ""}}


def relu_derivative(x):
    return np.array([1 + 2j])
