"""Tries to write everywhere it should not (and once where it may)."""
import os

KIT = "__KIT_ROOT__"
TARGETS = [
    f"{KIT}/solutions/nn_basics.py",
    f"{KIT}/autograder/sandbox/codec.py",
    f"{KIT}/pwned.txt",
    f"{KIT}/.venv/lib/pwned.txt",
    "/tmp/nn-sandbox-escape-marker.txt",
    os.path.join(os.path.dirname(os.getcwd()), "rt", "worker.py"),
    "own_file.txt",
]


def _try(path):
    try:
        with open(path, "a") as f:
            f.write("# pwned\n")
        return "written"
    except OSError as exc:
        return type(exc).__name__


AT_IMPORT = {p: _try(p) for p in TARGETS}


def sigmoid(x):
    return {"import": AT_IMPORT, "call": {p: _try(p) for p in TARGETS}}
