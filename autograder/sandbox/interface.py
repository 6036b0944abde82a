"""What the grader may ask of an open submission: the sandbox's `Submission` and the in-process
double (autograder/core/in_process.py) both are one; the checks' Context is typed against it, and
mypy checks that both satisfy it (the assignments at the end of autograder/core/in_process.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from .errors import SubmissionError


class OpenSubmission(Protocol):
    @property
    def load_error(self) -> str | None:
        """What the learner's code raised while it loaded (the learner's text), or None."""

    @property
    def load_failure(self) -> SubmissionError | None:
        """Why nothing of it could be loaded (a refusal), or None."""

    @property
    def output(self) -> str:
        """What its code printed."""

    @property
    def module_code(self) -> Sequence[str | bytes]:
        """The code run as the module, as data the grader holds."""

    @property
    def cells(self) -> Sequence[dict]:
        """A notebook's cells as run; empty for a .py."""

    @property
    def sibling_code(self) -> Sequence[str | bytes]:
        """The other modules beside it, which its code may import."""

    def call(self, name: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        """The value `name(*args, **kwargs)` returns."""

    def call_full(
        self, name: str, *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> tuple[Any, Any, Any]:
        """(value, args after the call, kwargs after the call)."""
