"""Pictures of the functions that lost points (issue 20), drawn on the grader's side.

`draw_figures` is called by grade.grade_submission only when a format shows images (the HTML
page, nbgrader's feedback) and draws only for functions whose checks the learner lost (never a
grader error). Every value comes from calling the learner's functions in the sandbox through
the Submission interface the checks use, on the public inputs of figures/public.py only; the
reference's values are computed here. The learner's replies are claims like any: whatever they
are (a wrong type, a NaN, a hang), the worst outcome is no figure, never a grader error.

matplotlib is imported only when a figure is drawn (grade start does not pay for it).
"""

from __future__ import annotations

import logging
from typing import Callable, Iterable

from ..results import CheckResult, Figure

log = logging.getLogger("autograder")

# A figure's call of a learner function: well above the slowest correct call (6.4 ms; train's
# 400 steps ~20 ms), and a hang costs this once per function (then it is skipped).
CALL_TIMEOUT = 1.0
TRAIN_TIMEOUT = 5.0


ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "swish")
# the functions a figure is drawn for when they lose points (without importing the drawing)
FIGURED = frozenset(
    [*ACTIVATIONS, *(fn + "_derivative" for fn in ACTIVATIONS), "softmax", "forward_prop", "backward_prop"]
    + ["numerical_gradient", "gradient_check", "train", "predict"]
)


def has_figures(results) -> bool:
    """Whether a report of `results` would show a figure in a format that shows images: the
    formats that cannot say where the figures are (reporters: text, markdown, json)."""
    return bool(results.figures) or any(fn in FIGURED for fn in failing_functions(results.tests))


class NoFigure(Exception):
    """This function's figure cannot be drawn from what came back (or nothing came back)."""


class Calls:
    """The learner's functions as a figure calls them: in the sandbox (`sub.call`), with a
    figure's time limit; a function that hung or crashed for good is not called again."""

    def __init__(self, sub, broken: Iterable[str] = ()):
        self.sub = sub
        self.broken = set(broken)

    def __call__(self, fn: str, *args, timeout: float = CALL_TIMEOUT, **kwargs):
        from ..sandbox.errors import SubmissionError  # here: the reporters import this package

        if fn in self.broken:
            raise NoFigure(f"{fn} is broken for good")
        try:
            return self.sub.call(fn, *args, timeout=timeout, **kwargs)
        except SubmissionError as exc:
            if exc.lasting:
                self.broken.add(fn)
            raise NoFigure(f"{fn}: {type(exc).__name__}") from None


def _drawers() -> dict[str, Callable]:
    """{function: drawer(calls, reference, function) -> Figure}: imported when a figure is due."""
    from . import activations, network, training

    drawers: dict[str, Callable] = {fn: activations.activation for fn in ACTIVATIONS}
    drawers |= {fn + "_derivative": activations.derivative for fn in ACTIVATIONS}
    drawers["softmax"] = activations.softmax
    drawers |= {
        "forward_prop": network.forward_prop,
        "backward_prop": network.backward_prop,
        "numerical_gradient": network.numerical_gradient,
        "gradient_check": network.gradient_check,
        "train": training.train,
        "predict": training.predict,
    }
    return drawers


def failing_functions(tests: Iterable[CheckResult]) -> list[str]:
    """Functions with a check the learner lost, in rubric order (a grader error is not theirs)."""
    return list(dict.fromkeys(test.function for test in tests if not test.passed and not test.error))


def draw_figures(
    sub, tests: Iterable[CheckResult], reference, *, broken: Iterable[str] = ()
) -> dict[str, Figure]:
    """{function: Figure} for each function of `tests` (a submission's check results) that lost
    points and has a picture. sub: the open submission (sandboxed); reference: the trusted
    reference module; broken: functions that hung or crashed during the checks (not called)."""
    failing = failing_functions(tests)
    if not failing:
        return {}
    drawers = _drawers()
    calls = Calls(sub, broken)
    figures = {}
    for function in failing:
        drawer = drawers.get(function)
        if drawer is None:
            continue
        try:
            figures[function] = drawer(calls, reference, function)
        except NoFigure as reason:  # what came back cannot be drawn: the text says what went wrong
            log.info("no figure for %s: %s", function, reason)
        except Exception:  # noqa: BLE001 - the learner's values, or the drawing: never the grade's loss
            log.warning("no figure for %s", function, exc_info=True)
    return figures
