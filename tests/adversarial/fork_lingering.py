"""Starts processes meant to outlive grading: a plain child, a setsid'd double-forked daemon
(at import), and more of them from inside a call. `sleep __SLEEP_MARKER__` marks them (the
test puts a number unique to the run there)."""
import os


def _daemon():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", "__SLEEP_MARKER__"])
        os._exit(0)


def _child():
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "__SLEEP_MARKER__"])


_daemon()
_child()


def sigmoid(x):
    _daemon()
    _child()
    return 1.0


def relu(x):
    """A fork bomb, bounded so a failed guard cannot take the machine down."""
    started = 0
    for _ in range(300):
        try:
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", "__SLEEP_MARKER__"])
            started += 1
        except OSError:
            break
    return started
