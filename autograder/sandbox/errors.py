"""What a call into learner code can fail with. Every one is a SubmissionError, so a check can
catch them all and grade the failure instead of crashing the grader.

Each class carries what it means: the key of the learner's message in autograder/messages.py,
and whether it is `lasting` (the same failure for every later call of that function, whatever
the arguments). FROM_STATUS is the one table from a worker's reply status (protocol.py) to the
exception the grader raises; the others come from the grader's side of the pipe.
"""

from __future__ import annotations

from typing import Any, ClassVar

from . import protocol


class SubmissionError(Exception):
    """Learner code could not produce a plain-data value for this call."""

    message_key: ClassVar[str] = "exception"
    lasting: ClassVar[bool] = False

    @classmethod
    def from_reply(cls, name: str, reply: dict[str, Any]) -> SubmissionError:
        return cls(f"{name}: {reply.get('message')}")


class Missing(SubmissionError):
    """The submission does not define the function (or the name is not callable)."""

    message_key, lasting = "missing", True

    @classmethod
    def from_reply(cls, name: str, reply: dict[str, Any]) -> SubmissionError:
        return cls(f"{name} is not defined")


class NotImplementedByLearner(SubmissionError):
    """The function still raises NotImplementedError: the stub was not filled in."""

    message_key, lasting = "not_implemented", True

    @classmethod
    def from_reply(cls, name: str, reply: dict[str, Any]) -> SubmissionError:
        return cls(f"{name} still raises NotImplementedError")


class LearnerException(SubmissionError):
    """The function raised; `exc_type` is the exception's class name, `message` its text."""

    message_key = "exception"

    def __init__(self, exc_type: str, message: str, traceback: str = "") -> None:
        super().__init__(f"{exc_type}: {message}" if message else exc_type)
        self.exc_type = exc_type
        self.message = message
        self.traceback = traceback

    @classmethod
    def from_reply(cls, name: str, reply: dict[str, Any]) -> SubmissionError:
        return cls(str(reply.get("exc_type")), str(reply.get("message")), str(reply.get("traceback", "")))


class CallTimeout(SubmissionError):
    """The call ran past its time limit, or the submission's total time budget is spent."""

    message_key, lasting = "timeout", True


class WorkerCrashed(SubmissionError):
    """The worker process died during the call (an exit, a signal, the memory limit)."""

    message_key, lasting = "crashed", True


class BadReturn(SubmissionError):
    """The value is not plain data, or the worker broke protocol."""

    message_key = "bad_return"

    @classmethod
    def from_reply(cls, name: str, reply: dict[str, Any]) -> SubmissionError:
        return cls(f"{name} returned something that is not plain data: {reply.get('message')}")


class BadCallback(BadReturn):
    """During the call, learner code asked the grader to evaluate a test function in a way the
    grader does not answer: a malformed request, a handle not of this call, an argument the
    function does not take, more evaluations than MAX_EVALUATIONS (callbacks.py). That call
    fails; the worker is stopped mid-call, and the next call starts a fresh one."""

    message_key = "bad_callback"


class Refused(SubmissionError):
    """The submission is not data the grader reads: a link, a device, a FIFO, a hard link,
    a file over the size limit, a notebook that is not one, a repository archive it cannot take.
    The kit's one refusal, whichever door met it (the intake, sandbox/intake.py, tarball.py,
    notebook.py). Nothing of it was loaded; every call fails with the reason. The text
    (English) is for logs; `reason` is the key of the learner's message and `details` its
    values (a file's name, never the grader's path)."""

    message_key, lasting = "refused", True

    def __init__(
        self, text: str, reason: str = "refused_not_data", *, path: str | None = None, **details: Any
    ) -> None:
        super().__init__(text)
        self.reason, self.details = reason, details
        self.path = (
            path  # the grader's path of what was refused, when it is a file (never shown to the learner)
        )

    @property
    def kind(self) -> str:
        """The refusal's short name, as a CI manifest and status say it: refused_too_large is
        too-large (`reason_of` turns it back)."""
        return self.reason.removeprefix("refused_").replace("_", "-")

    @staticmethod
    def reason_of(kind: str) -> str:
        return "refused_" + kind.replace("-", "_")


class RequestRefused(SubmissionError):
    """The worker answered that it could not read a request. The grader read that request as the
    worker reads it before sending it (RequestRejected if it could not), so the refusal is the
    learner's process speaking (e.g. its code patched the worker's protocol): that call fails."""

    message_key = "request_refused"

    @classmethod
    def from_reply(cls, name: str, reply: dict[str, Any]) -> SubmissionError:
        return cls(f"{name}: the worker refused the grader's request: {reply.get('message')}")


class RequestRejected(ValueError):
    """The grader's own request does not read as a call (e.g. an unknown test function kind),
    found before it is sent: the grader's fault, so not a SubmissionError, and graded as a
    grader error. Never raised from a worker's reply (that is RequestRefused)."""


# status of a reply (protocol.py) -> what the grader raises; OK is a value, not an error
FROM_STATUS: dict[str, type[SubmissionError]] = {
    protocol.MISSING: Missing,
    protocol.NOT_IMPLEMENTED: NotImplementedByLearner,
    protocol.EXCEPTION: LearnerException,
    protocol.BAD_RETURN: BadReturn,
    protocol.REQUEST_ERROR: RequestRefused,
}
