"""The one protocol (sandbox/protocol.py) and the one table from a worker's reply to what the
grader raises and what the learner reads (sandbox/errors.py, checks/common.describe_error)."""

import json

import numpy as np
import pytest

from autograder.checks.common import Context, describe_error
from autograder.checks.registry import Failed
from autograder.messages import MESSAGES
from autograder.sandbox import codec, protocol, testfns
from autograder.sandbox.callbacks import Callbacks
from autograder.sandbox.errors import (
    FROM_STATUS,
    BadReturn,
    CallTimeout,
    LearnerException,
    Missing,
    NotImplementedByLearner,
    Refused,
    RequestRejected,
    SubmissionError,
    WorkerCrashed,
)
from autograder.sandbox.testfns import TestFunction


def every_submission_error():
    found, todo = [], [SubmissionError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return found


def test_every_status_but_ok_raises_and_every_error_names_a_message():
    assert set(FROM_STATUS) == set(protocol.REPLY_STATUSES) - {protocol.OK}
    for cls in every_submission_error():
        assert cls.message_key in MESSAGES, cls


@pytest.mark.parametrize(
    "status, reply, raised, says",
    [
        (protocol.MISSING, {}, Missing, "Function `sigmoid` is missing"),
        (
            protocol.NOT_IMPLEMENTED,
            {"message": ""},
            NotImplementedByLearner,
            "`sigmoid` is not implemented yet",
        ),
        (
            protocol.EXCEPTION,
            {
                "exc_type": "ValueError",
                "message": "The truth value of an array with more than one element is ambiguous",
            },
            LearnerException,
            "raised an exception ValueError",
        ),
        (
            protocol.BAD_RETURN,
            {"message": "cannot send a builtins.object"},
            BadReturn,
            "cannot be read by the grader: sigmoid returned something that is not plain data: cannot send",
        ),
    ],
)
def test_a_reply_status_becomes_its_exception_and_its_learner_message(status, reply, raised, says):
    exc = FROM_STATUS[status].from_reply("sigmoid", protocol.reply("1", status, **reply))
    assert type(exc) is raised
    text = describe_error(exc, "sigmoid", "sigmoid(0.5)")
    assert says in text.en and text.zh
    if status == protocol.EXCEPTION:  # the chapter's `if x < 0` on an array gets its hint
        assert "np.where" in text.en


@pytest.mark.parametrize(
    "exc, says",
    [
        (CallTimeout("sigmoid did not finish within 1.0 s"), "Calling sigmoid(0.5) timed out"),
        (
            WorkerCrashed("the worker ended during sigmoid (exit code 3)"),
            "crashed or exited the process: the worker ended during sigmoid (exit code 3)",
        ),
        (
            Refused("x.py is a symbolic link", "refused_link", name="x.py"),
            "Not graded: your submission was not loaded: `x.py` is a link",
        ),
        (Refused("x.py is odd"), "not loaded: it is not a regular file the grader can read"),
    ],
)
def test_errors_raised_on_the_graders_side_have_their_message_too(exc, says):
    assert says in describe_error(exc, "sigmoid", "sigmoid(0.5)").en


def test_a_worker_that_says_it_cannot_read_a_request_speaks_for_the_learner():
    """The grader reads each request as the worker would before sending it (a request it cannot
    read is RequestRejected, its own fault, raised before sending), so request_error is a claim."""
    exc = FROM_STATUS[protocol.REQUEST_ERROR].from_reply("f", {"message": "unknown test function kind"})
    assert isinstance(exc, SubmissionError) and not isinstance(exc, RequestRejected)


class Scripted:
    """A Submission double that raises one exception for every call."""

    def __init__(self, exc):
        self.exc, self.calls = exc, 0

    def call(self, name, *args, timeout=None, **kwargs):
        self.calls += 1
        raise self.exc


@pytest.mark.parametrize(
    "exc, lasting",
    [
        (Missing("f"), True),
        (NotImplementedByLearner("f"), True),
        (CallTimeout("f"), True),
        (WorkerCrashed("f"), True),
        (LearnerException("ValueError", "bad x"), False),
        (BadReturn("f"), False),
    ],
)
def test_only_a_lasting_error_spares_the_later_calls_of_its_function(exc, lasting):
    sub = Scripted(exc)
    ctx = Context(sub, None)
    for _ in range(3):
        with pytest.raises(Failed):
            ctx.call("sigmoid", 0.5)
    assert sub.calls == (1 if lasting else 3)


def test_a_test_function_travels_as_an_opaque_handle_of_its_call():
    coeffs = {"a": np.ones(2), "b": np.zeros(2), "c": np.full(2, 0.5)}
    f = TestFunction("poly_sin", coeffs)
    callbacks = Callbacks((f,), {})
    payload = codec.dumps(
        protocol.call_request("1", "numerical_gradient", callbacks.args, {}), testfn=protocol.Callback
    )
    (sent,) = json.loads(payload)["args"]  # all the worker is told: a random handle
    assert sent == {codec.TESTFN_TAG: {"kind": "callback", "data": callbacks.args[0].data}}
    assert len(sent[codec.TESTFN_TAG]["data"]) == 32
    asked = []
    built = codec.loads(
        payload, testfn=lambda kind, data: protocol.Callback(data, lambda *a: asked.append(a))
    )
    assert protocol.is_call(built)
    proxy = built["args"][0]
    assert not hasattr(proxy, "__dict__")  # nothing but the handle and the line to the grader
    x = np.array([0.3, -1.0])
    proxy(x)  # calling it only asks
    assert asked[0][0] == proxy.data and asked[0][1] is x
    frame = codec.loads(codec.dumps(protocol.evaluation(proxy.data, x)), testfn=callbacks.decode)
    assert codec.loads(callbacks.answer(frame)) == protocol.value(testfns.poly_sin(x, **coeffs))
    # sent back, the handle is the grader's own test function again; another call's is not
    assert codec.loads(codec.dumps(proxy, testfn=protocol.Callback), testfn=callbacks.decode) is f
    with pytest.raises(codec.CodecError):
        codec.loads(codec.dumps(proxy, testfn=protocol.Callback), testfn=Callbacks((f,), {}).decode)
    with pytest.raises(codec.CodecError):  # and nothing else sends one where none is expected
        codec.dumps(proxy)


@pytest.mark.parametrize(
    "message",
    [
        {"op": "load", "id": "L", "status": "loaded", "load_error": None, "sandbox": {}, "extra": 1},
    ],
)
def test_the_load_frame_is_believed_only_in_its_shape(message):
    assert protocol.is_loaded(message, "L")
    assert not protocol.is_loaded(message, "other id")
    for key, bad in [("op", "call"), ("status", "ok"), ("load_error", 3), ("sandbox", 42)]:
        assert not protocol.is_loaded({**message, key: bad}, "L")
    assert not protocol.is_loaded([message], "L")


def test_a_reply_is_believed_only_for_its_request_and_a_known_status():
    assert protocol.is_reply_to(protocol.reply("R", protocol.OK, value=1.0), "R")
    assert not protocol.is_reply_to(protocol.reply("S", protocol.OK, value=1.0), "R")
    assert not protocol.is_reply_to(protocol.reply("R", "passed", value=1.0), "R")
    assert not protocol.is_reply_to("R", "R")
