"""The protocol between the grader and the sandbox worker: what each frame holds.

Self-contained (stdlib only): the worker runs a copy of this file (workdir.RUNTIME_FILES), so
both sides read the same names. codec.py turns these messages into bytes and back.

A worker's life, one frame at a time:
- worker -> grader, once: a `load` frame, status `loaded`: what loading the code raised (or
  None) and which confinement took effect.
- grader -> worker, any number: a `call` frame naming a function and its arguments; the worker
  answers each with a reply frame holding the request's id and a status from REPLY_STATUSES.
  In a full call, each array argument travels as a marker and its `arena` slot (arena.py): it
  lives in memory the grader reads itself after the reply, so no reply carries arguments back.
- during a call, any number of times: worker -> grader an `eval` frame (a Callback's handle and
  the argument learner code called it with), grader -> worker the `value` frame answering it.
- grader -> worker, last: BYE_FRAME. The request pipe closing without it means the grader died.

Learner code runs in the process that writes the worker's frames and can forge them: the
grader checks every frame's shape (`is_loaded`, `is_reply_to`) before it believes it.
"""

from __future__ import annotations

import json
from typing import Any

# frame kinds: the "op" of a frame
LOAD, CALL, BYE = "load", "call", "bye"
EVAL, VALUE = "eval", "value"  # during a call: the learner's evaluation of a Callback, its value
CALLBACK = "callback"  # the kind of a test function as it travels: a handle, never coefficients
BYE_FRAME = json.dumps({"op": BYE}).encode()  # exact bytes: the worker compares them, decoding nothing

# the status of the load frame
LOADED = "loaded"
# the status of a reply to a call
OK = "ok"  # "value"
MISSING = "missing"  # the module has no callable of that name
NOT_IMPLEMENTED = "not_implemented"  # it raised NotImplementedError: a stub not filled in
EXCEPTION = "exception"  # it raised: "exc_type", "message", "traceback"
BAD_RETURN = "bad_return"  # its value is not plain data
# the worker says it could not read the request: a claim, since the grader reads every request
# as the worker would before sending it (errors.RequestRefused: the learner's failure)
REQUEST_ERROR = "request_error"
REPLY_STATUSES = (OK, MISSING, NOT_IMPLEMENTED, EXCEPTION, BAD_RETURN, REQUEST_ERROR)

MAX_TEXT = 1000  # characters of a learner's exception message that travel
MAX_TRACEBACK = 4000
MAX_LOAD_ERROR = 2000


class Callback:
    """A function of the grader's (the `f` of numerical_gradient, the `cost_fn` of gradient_check)
    as the worker holds it: an opaque handle, valid during one call, and nothing else. It travels
    as {TESTFN_TAG: {"kind": CALLBACK, "data": handle}} (codec.py). In the learner's process,
    calling it sends an `eval` frame and waits for the grader's `value` frame (`ask`); its kind
    and coefficients stay in the grader (testfns.TestFunction), so learner code learns only the
    values at the arguments it chooses."""

    kind = CALLBACK
    __slots__ = ("data", "_ask")

    def __init__(self, handle: str, ask: Any = None) -> None:
        self.data, self._ask = handle, ask

    def __call__(self, arg: Any) -> Any:
        if self._ask is None:
            raise TypeError("this function is callable only during the call it was passed to")
        return self._ask(self.data, arg)

    def __repr__(self) -> str:
        return "<function evaluated by the grader>"


def evaluation(handle: str, arg: Any) -> dict[str, Any]:
    return {"op": EVAL, "handle": handle, "arg": arg}


def value(result: Any) -> dict[str, Any]:
    return {"op": VALUE, "value": result}


def is_evaluation(message: Any) -> bool:
    """An evaluation request, well formed or not: the grader judges its contents (callbacks.py)."""
    return type(message) is dict and message.get("op") == EVAL


def is_value(message: Any) -> bool:
    return type(message) is dict and message.get("op") == VALUE and "value" in message


def call_request(
    request_id: str,
    name: str,
    args: list[Any],
    kwargs: dict[str, Any],
    arena: list[Any] | None = None,
) -> dict[str, Any]:
    """`arena`: the slots of the arrays args and kwargs mark (arena.Arena.place), or None."""
    return {"op": CALL, "id": request_id, "name": name, "args": args, "kwargs": kwargs, "arena": arena or []}


def loaded(load_id: str, load_error: str | None, sandbox: dict[str, Any]) -> dict[str, Any]:
    return {"op": LOAD, "id": load_id, "status": LOADED, "load_error": load_error, "sandbox": sandbox}


def reply(request_id: Any, status: str, **fields: Any) -> dict[str, Any]:
    return {"id": request_id, "status": status, **fields}


def is_call(request: Any) -> bool:
    return (
        type(request) is dict
        and request.get("op") == CALL
        and type(request.get("name")) is str
        and type(request.get("args")) is list
        and type(request.get("kwargs")) is dict
        and type(request.get("arena")) is list
    )


def is_loaded(message: Any, load_id: str) -> bool:
    return (
        type(message) is dict
        and message.get("op") == LOAD
        and message.get("id") == load_id
        and message.get("status") == LOADED
        and (message.get("load_error") is None or type(message.get("load_error")) is str)
        and type(message.get("sandbox")) is dict
    )


def is_reply_to(message: Any, request_id: str) -> bool:
    return (
        type(message) is dict and message.get("id") == request_id and message.get("status") in REPLY_STATUSES
    )
