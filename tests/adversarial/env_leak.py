"""Reads the environment, its own and the grader's (through /proc)."""
import os


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError as exc:
        return type(exc).__name__


def _grandparent():
    try:
        with open(f"/proc/{os.getppid()}/stat") as f:
            stat = f.read()
    except OSError:  # hidden (hidepid, as root): an attacker who guessed the pid
        return int("__GRADER_PID__")
    return int(stat[stat.rfind(")") + 2:].split()[1])


def sigmoid(x):
    return {"own": dict(os.environ),
            "grader": _read(f"/proc/{_grandparent()}/environ"),
            "supervisor": _read(f"/proc/{os.getppid()}/environ")}
