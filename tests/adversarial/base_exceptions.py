"""Functions raising what `except Exception` would not catch."""
import os


LOADED_AS = os.urandom(8).hex()  # differs in every worker that loads this file


class Escape(BaseException):
    pass


def sigmoid(x):
    raise KeyboardInterrupt("stop the grader")


def tanh(x):
    raise SystemExit(0)


def relu(x):
    raise Escape("out of the sandbox")


def elu(x, alpha=1.0):
    raise GeneratorExit()


def swish(x, beta=1.0):
    os._exit(3)


def softmax(x, axis=-1):
    raise NotImplementedError()


def leaky_relu(x, alpha=0.01):
    return LOADED_AS
