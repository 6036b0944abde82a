"""Tries to read or import the reference solutions and the grader."""
import os
import sys

KIT = "__KIT_ROOT__"


def _read(path):
    try:
        with open(path) as f:
            return f.read()[:40]
    except OSError as exc:
        return type(exc).__name__


def _import(name):
    sys.path.insert(0, KIT)
    try:
        __import__(name)
        return "imported"
    except BaseException as exc:
        return type(exc).__name__
    finally:
        sys.path.remove(KIT)


def _list(path):
    try:
        return str(len(os.listdir(path)))
    except OSError as exc:
        return type(exc).__name__


def sigmoid(x):
    return {
        "read solutions": _read(f"{KIT}/solutions/nn_basics.py"),
        "read checks": _read(f"{KIT}/autograder/sandbox/worker.py"),
        "read runtime copy": _read(os.path.join(os.path.dirname(os.getcwd()), "rt", "config.json")),
        "import solutions": _import("solutions.nn_basics"),
        "import autograder": _import("autograder.sandbox"),
        "list kit": _list(KIT),
        "list tmp": _list("/tmp"),
    }
