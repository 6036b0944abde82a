"""The grader's side of the test functions of one call: learner code calls them, the grader
computes their values (a call-back), so the learner's process never holds a kind or a
coefficient (issue 18: a readable test function was solved in closed form).

For each call, every TestFunction among its arguments is replaced by a Callback holding a fresh
random handle. While the call runs, each `eval` frame the worker sends is a claim of the
learner's: its handle must be one of this call's, its argument one the function takes, and the
call may ask at most MAX_EVALUATIONS times. Anything else is BadCallback, that call's failure,
never a grader error; the value sent back is exactly what testfns computes.
"""

from __future__ import annotations

import secrets
from typing import Any

from . import codec, protocol
from .errors import BadCallback
from .testfns import NotAccepted, TestFunction

# What correct code needs per call, measured with the reference: 2 per element of the argument,
# at most 18 (gradient_check over the 9 parameters of the checks' network; 150 in a whole
# grading). The bound leaves >50x for any honest variant (an extra f(x) per element, the whole
# numerical gradient recomputed per key), while a learner looping on f costs the grader at most
# this many round trips (~0.1 s) per call.
MAX_EVALUATIONS = 1000


class Callbacks:
    """The handles of one call: `args`/`kwargs` are the call's, each TestFunction replaced by its
    Callback; `decode` turns a handle in a reply back into the grader's TestFunction; `answer`
    judges an `eval` frame and encodes its value frame."""

    def __init__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self._by_handle: dict[str, TestFunction] = {}
        self.args = [self._handle(a) for a in args]
        self.kwargs = {k: self._handle(v) for k, v in kwargs.items()}
        self.evaluations = 0

    def _handle(self, value: Any) -> Any:
        if not isinstance(value, TestFunction):
            return value
        handle = secrets.token_hex(16)
        self._by_handle[handle] = value
        return protocol.Callback(handle)

    def __bool__(self) -> bool:
        return bool(self._by_handle)

    def decode(self, kind: Any, data: Any) -> TestFunction:
        """codec's `testfn` for frames of this call: a handle of this call, or CodecError."""
        found = self._by_handle.get(data) if kind == protocol.CALLBACK and type(data) is str else None
        if found is None:
            raise codec.CodecError("a function handle that is not one of this call's")
        return found

    def answer(self, message: dict[str, Any]) -> bytes:
        """The value frame for an `eval` frame; BadCallback when the grader does not answer it."""
        self.evaluations += 1
        if self.evaluations > MAX_EVALUATIONS:
            raise BadCallback(f"the function was called more than {MAX_EVALUATIONS} times in one call")
        if set(message) != {"op", "handle", "arg"}:
            raise BadCallback("a malformed evaluation request")
        handle = message["handle"]
        function = self._by_handle.get(handle) if type(handle) is str else None
        if function is None:
            raise BadCallback("a function that is not one passed to this call")
        try:
            result = function.evaluate(message["arg"])
        except NotAccepted as exc:
            raise BadCallback(str(exc)) from None
        return codec.dumps(protocol.value(result))
