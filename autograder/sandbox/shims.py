"""What learner code finds in place of the real thing: capped stdout/stderr, a no-op matplotlib and
a no-op get_ipython() for a notebook's cells. Part of the worker's runtime (workdir.RUNTIME_FILES),
imported flat by worker.py before confinement."""

import io
import os
import sys
import types

OUTPUT_CAP_BYTES = 1024 * 1024  # per process; the grader keeps far less, this bounds the disk


class CappedStream(io.TextIOBase):
    """stdout/stderr for learner code: passes the first OUTPUT_CAP_BYTES on, drops the rest, so
    a print loop never fails or fills the disk. (Raw os.write is bounded by RLIMIT_FSIZE.)"""

    shared = {"written": 0}

    def __init__(self, fd):
        self._fd = fd

    def writable(self):
        return True

    def write(self, s):
        data = str(s).encode("utf-8", "replace")
        room = OUTPUT_CAP_BYTES - self.shared["written"]
        self.shared["written"] += len(data)
        if room > 0:
            try:
                os.write(self._fd, data[:room])
            except OSError:
                pass
        return len(s)

    def flush(self):
        pass

    def fileno(self):
        return self._fd

    def isatty(self):
        return False


class _NoOp:
    """Stands for any matplotlib object: every call, attribute and item is another no-op."""

    def __call__(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __getitem__(self, key):
        return self

    def __iter__(self):  # `fig, ax = plt.subplots()`
        return iter((self, self))


def stub_plotting():
    """Plots are never graded, and importing matplotlib.pyplot costs over a second per worker
    start (often more than everything else together), so matplotlib is a no-op stand-in."""
    for name in (
        "matplotlib",
        "matplotlib.pyplot",
        "matplotlib.cm",
        "matplotlib.colors",
        "matplotlib.animation",
        "matplotlib.ticker",
    ):
        module = types.ModuleType(name)
        module.__getattr__ = lambda attr: _NoOp()
        module.__path__ = []  # a package, so `import matplotlib.pyplot` finds the submodule stub
        sys.modules[name] = module
    sys.modules["matplotlib"].pyplot = sys.modules["matplotlib.pyplot"]


class NoIPython:
    """What `get_ipython()` returns in a notebook's cells: magics and shell calls do nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None
