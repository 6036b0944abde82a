"""Allocates far past any sensible limit, once as an exception, once by touching pages."""
import numpy as np


def sigmoid(x):
    return np.ones((5 * 1024**3) // 8)  # 5 GB of float64


def tanh(x):
    chunks = []
    while True:
        chunks.append(bytearray(64 << 20))


def relu(x):
    return np.maximum(0, np.asarray(x, dtype=float))
