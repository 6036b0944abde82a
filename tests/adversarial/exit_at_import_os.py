"""os._exit at import: under plain nbgrader this killed the kernel and left the grade empty."""
import os


def sigmoid(x):
    return x


os._exit(0)
