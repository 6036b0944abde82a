"""Modifies its arguments in place, and a numerical_gradient that forgets to restore x."""
import numpy as np


def sigmoid(x):
    x *= 0
    return x


def numerical_gradient(f, x, epsilon=1e-5):
    grad = np.zeros_like(x)
    for i in range(x.size):
        x.flat[i] += epsilon
        plus = f(x)
        x.flat[i] -= 2 * epsilon
        minus = f(x)
        grad.flat[i] = (plus - minus) / (2 * epsilon)
    return grad
