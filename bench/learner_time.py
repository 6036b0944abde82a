"""How much of a grading run is spent inside learner functions, and where the rest goes.

Method (the "overhead" figure of bench/grading.py): grade the same trusted submission twice
with the same checks, the same arguments and the same order (`grade_submission` takes the
opener of the submission as a parameter):
- `InProcess`: the submission's functions run in this process, each call timed alone with
  perf_counter around the bare function call. Arguments and return values still go through
  the sandbox's codec (untimed), so the checks see exactly the values they would see from the
  worker. The sum of those times is the time spent inside learner functions.
- `Timed` sandbox: the real worker, with the time to start it (spawn, imports, confinement,
  load) and each call's round trip recorded, to show where the overhead goes.
Overhead per submission = end-to-end CLI wall time - time inside learner functions: Python
start-up and imports, worker start, codec and pipe round trips, the checks' own reference
computations, rendering.

Only trusted code (the reference) is ever run in-process.
"""
import contextlib
import time
import types

from autograder.sandbox import codec, open_submission, testfns
from autograder.sandbox.errors import LearnerException, Missing, NotImplementedByLearner
from autograder.sandbox.workdir import resolve_source


class _WorkerTestFunction:
    """What the worker builds from a TestFunction: callable, and sent back as one."""

    def __init__(self, kind, data):
        self.kind, self.data, self._fn = kind, data, testfns.build(kind, data)

    def __call__(self, x):
        return self._fn(x)


def _encode_test_function(obj):
    from autograder.sandbox import TestFunction
    if isinstance(obj, (TestFunction, _WorkerTestFunction)):
        return {codec.TESTFN_TAG: {"kind": obj.kind, "data": codec.encode(obj.data)}}
    return None


class _NoIPython:
    def __getattr__(self, name):
        return lambda *args, **kwargs: None


class InProcess:
    """The Submission interface over trusted code loaded in this process, with call timing."""

    def __init__(self, path):
        kind, cells, py_file = resolve_source(path)
        self.module = types.ModuleType("nn_basics_inprocess")
        self.module.get_ipython = lambda: _NoIPython()
        sources = [py_file.read_text(encoding="utf-8")] if kind == "py" else [c["source"] for c in cells]
        errors = []
        for source in sources:  # like the worker: a failing cell is recorded, the next one runs
            try:
                exec(compile(source, str(path), "exec"), self.module.__dict__)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
        self.load_error, self.output = ("; ".join(errors) or None), ""
        self.defined = {n for n, v in vars(self.module).items() if callable(v)}
        self.seconds, self.calls = 0.0, 0
        self.cpu_seconds = 0.0  # the same calls in CPU time: what a loaded machine does not inflate
        self.by_function = {}  # name: seconds inside it

    def call(self, name, *args, timeout=None, **kwargs):
        return self._call(name, args, kwargs, full=False)[0]

    def call_full(self, name, *args, timeout=None, **kwargs):
        return self._call(name, args, kwargs, full=True)

    def _call(self, name, args, kwargs, full):
        fn = getattr(self.module, name, None)
        if not callable(fn):
            raise Missing(f"{name} is not defined")
        request = codec.loads(codec.dumps({"args": list(args), "kwargs": kwargs}, extra=_encode_test_function),
                              testfn=_WorkerTestFunction)
        args, kwargs = request["args"], request["kwargs"]
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            value = fn(*args, **kwargs)
        except NotImplementedError:
            raise NotImplementedByLearner(f"{name} still raises NotImplementedError") from None
        except Exception as exc:
            raise LearnerException(type(exc).__name__, str(exc), "") from None
        finally:
            spent = time.perf_counter() - started
            self.cpu_seconds += time.process_time() - cpu_started
            self.seconds += spent
            self.calls += 1
            self.by_function[name] = self.by_function.get(name, 0.0) + spent
        from autograder.sandbox import TestFunction
        reply = codec.loads(codec.dumps({"value": value, "args": args, "kwargs": kwargs}, extra=_encode_test_function),
                            testfn=TestFunction)
        return reply["value"], (reply["args"] if full else None), (reply["kwargs"] if full else None)


class Timed:
    """The real sandbox, recording the worker's start-up and every call's round trip."""

    def __init__(self):
        self.open_seconds, self.call_seconds, self.calls = 0.0, 0.0, 0

    @contextlib.contextmanager
    def __call__(self, path):
        started = time.perf_counter()
        with open_submission(path) as sub:
            self.open_seconds += time.perf_counter() - started
            real_call, real_full = sub.call, sub.call_full

            def timed(method):
                def call(*args, **kwargs):
                    t0 = time.perf_counter()
                    try:
                        return method(*args, **kwargs)
                    finally:
                        self.call_seconds += time.perf_counter() - t0
                        self.calls += 1
                return call
            sub.call, sub.call_full = timed(real_call), timed(real_full)
            yield sub


def learner_seconds(path, cpu=False):
    """(seconds inside learner functions, number of calls, score) for trusted code at path;
    for a notebook, its answer and set-up cells are run here as the worker would run them.
    cpu: CPU seconds instead of wall seconds."""
    from autograder.grade import grade_submission
    holder = {}

    @contextlib.contextmanager
    def opener(p):
        holder["sub"] = InProcess(p)
        yield holder["sub"]
    results = grade_submission(path, opener=opener)
    sub = holder["sub"]
    return (sub.cpu_seconds if cpu else sub.seconds), sub.calls, results.score


def sandbox_breakdown(path):
    """{worker start, call round trips, grading total} in seconds, through the real sandbox."""
    from autograder.grade import grade_submission
    timed = Timed()
    started = time.perf_counter()
    results = grade_submission(path, opener=timed)
    return {"total": time.perf_counter() - started, "worker_start": timed.open_seconds,
            "round_trips": timed.call_seconds, "calls": timed.calls, "score": results.score}
