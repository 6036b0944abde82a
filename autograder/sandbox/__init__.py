"""Run untrusted learner code in a separate, confined worker process (see docs/isolation.md).

    with open_submission(path) as sub:
        sub.load_error, sub.defined, sub.output
        value = sub.call("sigmoid", x)
        value, args_after, kwargs_after = sub.call_full("numerical_gradient", f, x)
"""
import contextlib
import secrets
import time
import weakref
from dataclasses import dataclass
from typing import Any

from . import codec
from .errors import (BadReturn, CallTimeout, LearnerException, Missing, NotImplementedByLearner,
                     Refused, SubmissionError, WorkerCrashed)
from .intake import read_submission
from .process import Died, Timeout, WorkerProcess
from .workdir import Workdir

__all__ = ["open_submission", "Submission", "TestFunction", "SubmissionError", "Missing",
           "NotImplementedByLearner", "LearnerException", "CallTimeout", "WorkerCrashed",
           "BadReturn", "Refused"]

OUTPUT_CAP_BYTES = 64 * 1024

DEFAULT_LIMITS = {
    "cpu_seconds": 120,           # whole worker; wall time per call is enforced by the grader
    "memory_bytes": 512 << 20,    # address space of each learner process (numpy needs ~140 MB)
    "max_processes": 4,           # tasks of the learner's uid: memory_bytes x this = 2 GiB in all
    "file_bytes": 16 << 20,       # any one file it writes, its captured output included
    "disk_bytes": 32 << 20,       # everything it writes (tmpfs as root, else a watchdog)
    "open_files": 64,
}


@dataclass(frozen=True, eq=False)
class TestFunction:
    """A function the grader hands to learner code, built in the worker by testfns.build."""
    __test__ = False  # not a pytest test class, despite the name
    kind: str
    data: Any


def _encode_test_function(obj):
    if isinstance(obj, TestFunction):
        return {codec.TESTFN_TAG: {"kind": obj.kind, "data": codec.encode(obj.data)}}
    return None


class Submission:
    def __init__(self, path, *, call_timeout=10.0, load_timeout=15.0, budget=90.0, limits=None,
                 timeouts_per_function=None):
        self.call_timeout, self.load_timeout, self.budget = call_timeout, load_timeout, budget
        # opt-in: after this many timeouts of one function, its later calls fail at once
        # instead of each waiting out its own timeout (a hang costs that much per check)
        self.timeouts_per_function = timeouts_per_function
        self._timeouts = {}
        self._worker = None
        self._spent = 0.0
        self._earlier_output = b""
        self._fatal = None  # an error every call raises: the code cannot even load
        self.sandbox_info = {}
        self.load_error, self.defined = None, set()
        self._workdir = None
        # a Submission dropped without close() still ends its worker and removes its folder
        self._finalizer = weakref.finalize(self, Submission._release, self.__dict__)
        try:
            received = read_submission(path)  # FileNotFoundError: nothing there at all
        except Refused as exc:  # graded, as a submission with nothing in it, with the reason
            self._fatal = exc
            self.load_error = f"the submission was refused: {exc}"
            return
        try:
            self._workdir = Workdir(received, {**DEFAULT_LIMITS, **(limits or {})})
            self._open()
        except BaseException:  # a grader-side failure: leave no folder or process behind
            self.close()
            raise

    def _open(self):
        try:
            loaded = self._start()
        except SubmissionError as exc:
            self._fatal = exc
            self.load_error = str(exc)
        else:
            self.load_error, self.defined = loaded["load_error"], set(loaded["defined"])

    # -- the interface of docs/architecture.md -------------------------------------------------

    def call(self, name, *args, timeout=None, **kwargs):
        return self._call(name, args, kwargs, timeout, full=False)[0]

    def call_full(self, name, *args, timeout=None, **kwargs):
        return self._call(name, args, kwargs, timeout, full=True)

    @property
    def output(self):
        raw = self._earlier_output
        if self._worker is not None:
            raw += self._worker.output(OUTPUT_CAP_BYTES + 1)
        text = raw[:OUTPUT_CAP_BYTES].decode("utf-8", "replace")
        if len(raw) > OUTPUT_CAP_BYTES:
            text += "\n[... output truncated ...]"
        return text

    def close(self):
        self._stop_worker(graceful=True)
        self._finalizer.detach()
        if self._workdir is not None:
            self._workdir.remove()

    @staticmethod
    def _release(state):
        worker = state.get("_worker")
        if worker is not None:
            worker.close(graceful=False)
            worker.output_file.close()
        if state.get("_workdir") is not None:
            state["_workdir"].remove()

    # -- internals -----------------------------------------------------------------------------

    def _remaining(self):
        return self.budget - self._spent

    def _start(self):
        """Start a worker and wait for it to load the submission; raise if it cannot."""
        if self._remaining() <= 0:
            raise CallTimeout(f"the submission's time budget of {self.budget:.0f} s is spent")
        load_id = secrets.token_hex(8)
        limit = min(self.load_timeout, self._remaining())
        started = time.monotonic()
        worker = WorkerProcess(self._workdir, load_id, lifetime=self._remaining() + 5)
        self._worker = worker
        try:
            message = codec.loads(worker.receive(started + limit))
            if not _is_loaded_message(message, load_id):
                raise codec.CodecError("unexpected first message")
        except Timeout:
            self._stop_worker(graceful=False)
            raise CallTimeout(f"the code did not finish loading within {limit:.1f} s") from None
        except Died:
            how = worker.exit_description()
            self._stop_worker(graceful=False)
            raise WorkerCrashed(f"the worker ended while loading the code ({how})") from None
        except codec.CodecError as exc:
            self._stop_worker(graceful=False)
            raise WorkerCrashed(f"the worker broke protocol while loading: {exc}") from None
        finally:
            self._spent += time.monotonic() - started
        self.sandbox_info = message["sandbox"]
        return message

    def _stop_worker(self, graceful):
        if self._worker is not None:
            self._worker.close(graceful=graceful)
            self._earlier_output += self._worker.output(OUTPUT_CAP_BYTES + 1)
            self._earlier_output = self._earlier_output[:OUTPUT_CAP_BYTES + 1]
            self._worker.output_file.close()
            self._worker = None

    def _call(self, name, args, kwargs, timeout, full):
        if self._fatal is not None:
            raise type(self._fatal)(str(self._fatal))
        if self.timeouts_per_function is not None \
                and self._timeouts.get(name, 0) >= self.timeouts_per_function:
            raise CallTimeout(f"{name} timed out {self._timeouts[name]} times: not called again")
        request_id = secrets.token_hex(8)
        payload = codec.dumps({"id": request_id, "name": name, "args": list(args),
                               "kwargs": kwargs, "full": full}, extra=_encode_test_function)
        if self._worker is None:  # the last call killed it: a fresh one re-loads the code
            self._start()
        limit = min(timeout or self.call_timeout, self._remaining())
        if limit <= 0:
            raise CallTimeout(f"the submission's time budget of {self.budget:.0f} s is spent")
        started = time.monotonic()
        try:
            self._worker.send(payload, started + limit)
            response = self._worker.receive(started + limit)
            message = codec.loads(response, testfn=TestFunction)
            if type(message) is not dict or message.get("id") != request_id:
                raise codec.CodecError("a response to another request")
        except Timeout:
            self._stop_worker(graceful=False)
            self._timeouts[name] = self._timeouts.get(name, 0) + 1
            raise CallTimeout(f"{name} did not return within {limit:.1f} s") from None
        except Died:
            how = self._worker.exit_description()
            self._stop_worker(graceful=False)
            raise WorkerCrashed(f"the worker ended during {name} ({how})") from None
        except codec.CodecError as exc:
            self._stop_worker(graceful=False)
            raise BadReturn(f"{name}: {exc}") from None
        finally:
            self._spent += time.monotonic() - started
        return self._result(name, message, full)

    def _result(self, name, message, full):
        status = message.get("status")
        if status == "ok":
            if full:
                return message.get("value"), message.get("args"), message.get("kwargs")
            return message.get("value"), None, None
        if status == "missing":
            raise Missing(f"{name} is not defined")
        if status == "not_implemented":
            raise NotImplementedByLearner(f"{name} still raises NotImplementedError")
        if status == "exception":
            raise LearnerException(str(message.get("exc_type")), str(message.get("message")),
                                   str(message.get("traceback", "")))
        if status == "bad_return":
            raise BadReturn(f"{name} returned something that is not plain data: "
                            f"{message.get('message')}")
        if status == "request_error":  # the grader sent something the worker cannot build
            raise ValueError(f"sandbox request for {name} rejected: {message.get('message')}")
        self._stop_worker(graceful=False)
        raise BadReturn(f"{name}: unexpected reply from the worker")


def _is_loaded_message(message, load_id):
    """Learner code runs in the process that writes this message and could forge it: check
    its shape, so a forgery is a protocol error rather than a crash of the grader."""
    return (type(message) is dict and message.get("id") == load_id
            and message.get("status") == "loaded"
            and (message.get("load_error") is None or type(message.get("load_error")) is str)
            and type(message.get("defined")) is list
            and all(type(n) is str for n in message["defined"])
            and type(message.get("sandbox")) is dict)


@contextlib.contextmanager
def open_submission(path, **options):
    """A Submission for a .py file, a folder holding nn_basics.py, or a notebook (.ipynb).
    FileNotFoundError when there is none: that is the grader's error, not the learner's. A path
    that is not data (a link, a FIFO, a device, too large: see intake.py) opens as a submission
    whose every call raises Refused, with the reason as its load error."""
    sub = Submission(path, **options)
    try:
        yield sub
    finally:
        sub.close()
