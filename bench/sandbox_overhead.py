"""What the sandbox costs: start-up per submission and time per call, against doing the same
in-process with the reference (the baseline, measured here in the same process).

    .venv/bin/python bench/sandbox_overhead.py [ROUNDS]

Not a test: it prints numbers for docs/isolation.md and for anyone changing the sandbox.
"""

import importlib.util
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from autograder.core.intake import open_graded
from autograder.sandbox import TestFunction

KIT = Path(__file__).resolve().parent.parent

REFERENCE = KIT / "solutions" / "nn_basics.py"


def load_in_process():
    spec = importlib.util.spec_from_file_location("nn_basics_bench", REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid):
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rfind(")") + 2 :].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def median_seconds(fn, rounds):
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(rounds=20):
    x = np.linspace(-5, 5, 100)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    f = TestFunction("poly_sin", {"a": np.ones(3), "b": np.ones(3), "c": np.ones(3)})

    ref = load_in_process()
    base_load = median_seconds(load_in_process, rounds)
    base_call = median_seconds(lambda: ref.sigmoid(x), rounds * 50)
    base_train = median_seconds(lambda: ref.train(X, y, num_iterations=500), 5)

    def open_and_call():
        with open_graded(REFERENCE) as sub:
            sub.call("sigmoid", x)

    sandbox_open = median_seconds(open_and_call, rounds)
    with open_graded(REFERENCE) as sub:
        sandbox_call = median_seconds(lambda: sub.call("sigmoid", x), rounds * 50)
        sandbox_full = median_seconds(
            lambda: sub.call_full("numerical_gradient", f, np.zeros(3)), rounds * 10
        )
        sandbox_train = median_seconds(lambda: sub.call("train", X, y, num_iterations=500), 5)
        info = sub.sandbox_info
        supervisor = sub._worker.pid
        worker_rss = {pid: rss_kib(pid) for pid in [supervisor, *children(supervisor)]}
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"sandbox: uid {info.get('uid')}, landlock ABI {info.get('landlock_abi')}, "
        f"network namespace {info.get('netns', 'no (not root)')}"
    )
    print(
        f"per submission: open+1 call+close {sandbox_open * 1e3:7.1f} ms | in-process load "
        f"{base_load * 1e3:6.2f} ms | added {(sandbox_open - base_load) * 1e3:7.1f} ms "
        f"(x{sandbox_open / base_load:.0f})"
    )
    print(
        f"per call:       sigmoid(100)       {sandbox_call * 1e6:7.1f} us | in-process "
        f"{base_call * 1e6:6.2f} us | added {(sandbox_call - base_call) * 1e6:7.1f} us "
        f"(x{sandbox_call / base_call:.0f})"
    )
    print(f"                call_full(numerical_gradient) {sandbox_full * 1e6:7.1f} us")
    print(
        f"                train(500 it.)     {sandbox_train * 1e3:7.1f} ms | in-process "
        f"{base_train * 1e3:6.1f} ms (x{sandbox_train / base_train:.2f})"
    )
    print(
        f"grader peak RSS: {rss_mb:.0f} MB; worker RSS (supervisor, learner process): "
        + ", ".join(f"{kib / 1024:.0f} MB" for kib in worker_rss.values())
        + " (mostly shared: the learner process is a fork of the supervisor)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
