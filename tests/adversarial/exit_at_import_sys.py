"""A correct sigmoid, then sys.exit(0): under plain nbgrader this still scored."""
import sys

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


sys.exit(0)
