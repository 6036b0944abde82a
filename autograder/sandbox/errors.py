"""What a call into learner code can fail with. Every one is a SubmissionError, so a check can
catch them all and grade the failure instead of crashing the grader."""


class SubmissionError(Exception):
    """Learner code could not produce a plain-data value for this call."""


class Missing(SubmissionError):
    """The submission does not define the function (or the name is not callable)."""


class NotImplementedByLearner(SubmissionError):
    """The function still raises NotImplementedError: the stub was not filled in."""


class LearnerException(SubmissionError):
    """The function raised; `exc_type` is the exception's class name, `message` its text."""

    def __init__(self, exc_type, message, traceback=""):
        super().__init__(f"{exc_type}: {message}" if message else exc_type)
        self.exc_type = exc_type
        self.message = message
        self.traceback = traceback


class CallTimeout(SubmissionError):
    """The call ran past its time limit, or the submission's total time budget is spent."""


class WorkerCrashed(SubmissionError):
    """The worker process died during the call (an exit, a signal, the memory limit)."""


class BadReturn(SubmissionError):
    """The value (or an argument after the call) is not plain data, or the worker broke protocol."""


class Refused(SubmissionError):
    """The submission is not data the grader reads: a link, a device, a FIFO, a hard link,
    a file over the size limit. Nothing of it was loaded; every call fails with the reason."""
