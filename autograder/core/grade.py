"""grade_submission: open a submission in the sandbox, run every check, score from the rubric.

The pipeline is a plain ordered list: the rubric's order (function by function, as in the
chapter) is the order checks run and are reported in. Learner code runs only in the sandbox
worker; this process holds the reference and the checks. The pytest door (hidden/plugin.py) runs
the same checks through the same `Grading` and `annotate`/`finish`, one item at a time.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import time
import tomllib
from dataclasses import replace
from pathlib import Path

from .. import checks
from ..checks import explain
from ..checks.common import Context, compute_ahead, refusal_reason
from ..checks.formatting import hides_arguments, short
from ..checks.registry import REGISTRY, Failed
from ..checks.xor import reference_descents
from ..messages import t
from ..quoting import clean
from ..results import CheckResult, Outcome, Results, Text
from ..sandbox.errors import Refused
from .in_process import InProcessSubmission
from .intake import open_graded
from .misconceptions import name_misconceptions

log = logging.getLogger("autograder")
PASSED, FAILED, ERROR = Outcome.PASSED, Outcome.FAILED, Outcome.ERROR
RUBRIC_PATH = Path(__file__).with_name("rubric.toml")
REFERENCE_PATH = Path(__file__).resolve().parents[2] / "solutions" / "nn_basics.py"
REFERENCE_MODULE = "_autograder_reference"


def load_rubric(path: Path | None = None) -> dict[str, dict[str, float]]:
    """{function: {check_name: points}} in file order: the one place a check's function and
    points are declared (RUBRIC_PATH unless `path`). Fails loudly unless every name has exactly
    one check and every check a name, and each check's requires are ungated checks of the same
    function."""
    rubric = tomllib.loads((path or RUBRIC_PATH).read_text(encoding="utf-8"))
    checks.load_all()
    listed = [name for table in rubric.values() for name in table]
    repeated = sorted({name for name in listed if listed.count(name) > 1})
    if repeated or set(listed) != set(REGISTRY):
        raise RuntimeError(
            f"rubric and checks differ: listed twice {repeated}, only in rubric "
            f"{sorted(set(listed) - set(REGISTRY))}, only in checks {sorted(set(REGISTRY) - set(listed))}"
        )
    for function, table in rubric.items():
        for name in table:
            for required in REGISTRY[name].requires:
                if required not in table or REGISTRY[required].requires:
                    raise RuntimeError(
                        f"check {name} requires {required}: not an ungated check of [{function}]"
                    )
    return rubric


def load_reference():
    """The trusted reference, imported only in the grader's process, from the kit beside this
    package, by path: never by module name, which `python -m` run in a learner's folder would
    resolve to the learner's own `solutions/`."""
    if REFERENCE_MODULE in sys.modules:
        return sys.modules[REFERENCE_MODULE]
    spec = importlib.util.spec_from_file_location(REFERENCE_MODULE, REFERENCE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[REFERENCE_MODULE] = module
    return module


def run_check(
    ctx: Context,
    function: str,
    name: str,
    points: float,
    done: dict[str, CheckResult] | None = None,
    faults: dict[str, BaseException] | None = None,
) -> CheckResult:
    """One check's result. Only `Failed` is the learner's loss: any other exception is the
    grader's own fault (a bug in a check, a value it did not expect), an `error` result that is
    logged for the instructor and never reads as the learner's mistake.

    function: the contract function the rubric lists it under; done: results so far, as a
    gated check pays only when the checks it requires passed; faults: where the exception of a
    grader fault is kept (the pytest door raises it again, for its traceback and --pdb)."""
    check = REGISTRY[name]
    priors = [(done or {}).get(required) for required in check.requires]
    for required, prior in zip(check.requires, priors, strict=True):
        if prior is not None and prior.error:
            return CheckResult(
                name, function, points, outcome=ERROR, feedback=t("requires_grader_error", check=required)
            )
    ctx.root_cause = None  # set by a check judged through a helper of its function (checks/helpers.py)
    try:
        check.run(ctx)
    except Failed as failed:
        return CheckResult(
            name,
            function,
            points,
            outcome=FAILED,
            feedback=failed.text,
            cause=failed.cause,
            root_cause=ctx.root_cause,
        )
    except Exception as exc:  # noqa: BLE001 - the learner's values, or the grader itself
        detail = clean(short(f"{type(exc).__name__}: {exc}", 200))
        if passes_on_reference(check, ctx.ref):  # the same check reads the reference's values
            log.info("check %s could not read the learner's values: %s", name, detail)
            call = ctx.last_call or f"{function}(...)"
            shown = type(exc).__name__ if hides_arguments(call) else detail  # it may quote what came back
            said = Text(type(exc).__name__, shown)  # the English words in the en text only
            return CheckResult(
                name, function, points, outcome=FAILED, feedback=t("unreadable_reply", call=call, error=said)
            )
        log.error("grader error in check %s", name, exc_info=True)
        if faults is not None:
            faults[name] = exc
        return CheckResult(
            name, function, points, outcome=ERROR, feedback=t("grader_error", check=name, detail=detail)
        )
    for required, prior in zip(check.requires, priors, strict=True):
        if prior is not None and not prior.passed:  # the property holds, but so it does for hollow code
            return CheckResult(
                name, function, points, outcome=FAILED, feedback=t("requires", check=required, fn=function)
            )
    if ctx.root_cause:  # right given the learner's own helpers: the note says which to fix first
        note = t("root_cause_right", fn=function, helper=ctx.root_cause)
        return CheckResult(name, function, points, outcome=PASSED, feedback=note, root_cause=ctx.root_cause)
    return CheckResult(name, function, points, outcome=PASSED)


def passes_on_reference(check, reference) -> bool:
    """Whether `check` passes when the trusted reference answers it, in this process. A check
    whose own code raised while reading a submission's values, and passes on the reference's,
    was broken by those values (a 0-d array where a list belongs, a dict for a tuple...): the
    learner's failure. One that raises on the reference too is the grader's own fault."""
    try:
        source = Path(reference.__file__).read_text(encoding="utf-8")
        check.run(Context(InProcessSubmission(source), reference))
    except Exception:  # noqa: BLE001 - Failed included: the check itself is wrong
        log.error("check %s fails on the reference too", check.name, exc_info=True)
        return False
    return True


def grading_order(rubric: dict[str, dict[str, float]]) -> list[tuple[str, str, float]]:
    """(function, check, points) in the order checks run: the rubric's, every gated check after
    all ungated ones (a gated check reads the checks it requires; helpers' checks are read by
    the functions that call them, checks/helpers.py)."""
    entries = [
        (function, name, float(points))
        for function, table in rubric.items()
        for name, points in table.items()
    ]
    return [
        entry for gated in (False, True) for entry in entries if bool(REGISTRY[entry[1]].requires) == gated
    ]


class Grading:
    """One open submission's checks, each run once, on demand, in the grading order: asking for
    a check first runs every check before it in that order, so its result is the one a whole
    grade gives it, whichever door asks (grade_submission for all, the pytest door one by one)."""

    def __init__(self, ctx: Context, rubric: dict[str, dict[str, float]]):
        self.ctx = ctx
        self.rubric = rubric
        self.order = grading_order(rubric)
        self.done: dict[str, CheckResult] = {}
        self.faults: dict[str, BaseException] = {}  # a grader fault's exception, by check
        ctx.results = self.done  # which helpers differ from the reference, for train (checks/xor.py)

    def result(self, name: str) -> CheckResult:
        for function, each, points in self.order:
            if each not in self.done:
                self.done[each] = run_check(self.ctx, function, each, points, self.done, self.faults)
            if each == name:
                return self.done[name]
        raise KeyError(f"no check {name!r} in the rubric")

    def results(self) -> list[CheckResult]:
        """Every check's result, in rubric order."""
        return [self.result(name) for table in self.rubric.values() for name in table]


def run_rubric(ctx: Context, rubric: dict[str, dict[str, float]]) -> list[CheckResult]:
    """Every check in rubric order; gated checks after the ones they require."""
    return Grading(ctx, rubric).results()


def unpaid_requirement(result: CheckResult) -> str | None:
    """The check `result` required that did not pass, so it was not paid (the pytest door's
    skip), or None. Its feedback ends with run_check's words for it, whatever note came first."""
    check = REGISTRY.get(result.name)
    if result.passed or result.error or check is None:
        return None
    for required in check.requires:
        said = t("requires", check=required, fn=result.function)
        if result.feedback.zh.endswith(said.zh) and result.feedback.en.endswith(said.en):
            return required
    return None


def grade_submission(path, *, opener=open_graded, figures: bool = False) -> Results:
    """Grade the submission at `path` (.py, folder holding nn_basics.py, or .ipynb), in both
    languages: reporters pick one.

    opener: what opens the submission (default: the sandbox, as intake.py says; tests pass
    an in-process double). FileNotFoundError when there is nothing to grade.
    figures: draw a picture of each function that lost points (autograder/figures/), for the
    formats that show images (the HTML page, nbgrader's feedback); nothing is drawn otherwise.
    """
    if opener is open_graded:
        from ..sandbox.process import start_zygote

        start_zygote()
    rubric = load_rubric()
    reference = load_reference()
    started = time.perf_counter()
    compute_ahead(
        reference, reference_descents(reference)
    )  # on the other core, while the learner's code runs
    with opener(path) as sub:
        ctx = Context(sub, reference)
        results = finish(path, rubric, ctx, Grading(ctx, rubric).results())
        if figures and not isinstance(sub.load_failure, Refused):
            results.figures = draw(sub, results.tests, reference, ctx.broken)
    results.execution_time = round(time.perf_counter() - started, 3)
    return results


def finish(path, rubric: dict[str, dict[str, float]], ctx: Context, tests: list[CheckResult]) -> Results:
    """The Results of every check's result `tests` (rubric order), told as the reports tell
    them: misconceptions named (probes failing functions only, so the submission is still open),
    the load error or refusal said once, one cause told once."""
    tests = name_misconceptions(ctx, tests)
    tests, notes = annotate(tests, ctx)
    return Results(submission=str(path), tests=tests, functions=list(rubric), **notes)


def annotate(tests: list[CheckResult], ctx: Context) -> tuple[list[CheckResult], dict]:
    """`tests` with what the submission's load says added to their feedback, failures of one
    cause collapsed; and the Results fields that say it (load_error, refused, load_note,
    unanswered). Pure: the pytest door calls it on the results so far, for each check's message."""
    load_error, failure = ctx.sub.load_error, ctx.sub.load_failure
    cells, module_code = ctx.code
    # nothing loaded: the report says why once, in both languages, and so does every check
    refused = t("load_refused", reason=refusal_reason(failure)) if isinstance(failure, Refused) else None
    note = explain.load_error(clean(load_error), cells, module_code) if load_error and not refused else None
    unanswered = None
    if not refused and all(test.cause.startswith("missing:") for test in tests):
        # no contract function at all: the load error, an empty notebook, one without answers, or
        # another file, said once (collapse_causes)
        why = note or t("submission_no_answers" if has_code(module_code) else "submission_empty")
        unanswered = None if note else why
        tests = [replace(test, feedback=why, cause="nothing_answered") for test in tests]
    elif note:
        tests = [r if r.passed or r.error else replace(r, feedback=note + r.feedback) for r in tests]
    notes = dict(load_error=load_error, refused=refused, load_note=note, unanswered=unanswered)
    return collapse_causes(tests), notes


def draw(sub, tests: list[CheckResult], reference, broken) -> dict:
    """The figures of the functions that lost points, while the submission is open, once every
    score is settled; matplotlib is imported only here, so a grade that draws nothing never pays
    for it. (Not loaded ahead on a thread during the checks: judging a function given the
    learner's helpers has a wall-time budget, checks/helpers.py, that it would eat into.)"""
    from ..figures import draw_figures

    return draw_figures(sub, tests, reference, broken=broken)


def has_code(module_code) -> bool:
    """Whether any of the code the grader holds is more than blank lines and comments."""
    for code in module_code:
        text = code.decode("utf-8", "replace") if isinstance(code, bytes) else str(code)
        if any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
            return True
    return False


NAMES_SHOWN = 6  # of the checks a cause also failed, named in its first check's feedback
SAME = "same"  # the cause of a check told by an earlier one: grade.collapse_causes


def collapse_causes(tests: list[CheckResult]) -> list[CheckResult]:
    """Failed checks of one cause (a function missing, one exception at one line) told once:
    the first in rubric order says what and how many more it cost, each other one points to it.
    Scores are unchanged: every check keeps its own passed and points."""
    groups: dict[str, list[int]] = {}
    for i, test in enumerate(tests):
        if test.cause and not test.passed and not test.error:
            groups.setdefault(test.cause, []).append(i)
    tests = list(tests)
    for members in groups.values():
        if len(members) < 2:
            continue
        first = tests[members[0]]
        names = [tests[i].name for i in members[1:]]
        shown = ", ".join(names[:NAMES_SHOWN]) + (", …" if len(names) > NAMES_SHOWN else "")
        more = t("more_failed_same_cause", n=len(names), names=shown)
        tests[members[0]] = replace(first, feedback=first.feedback + more)
        for i in members[1:]:
            tests[i] = replace(tests[i], feedback=t("same_cause_as", check=first.name), cause=SAME)
    return tests


def without_results(path, error: str) -> Results:
    """Every check failed with `error`: for a submission the grader could not grade at all."""
    rubric = load_rubric()
    text = Text(error, error)
    return Results(
        submission=str(path),
        functions=list(rubric),
        load_error=error,
        tests=[
            CheckResult(name, function, float(points), outcome=FAILED, feedback=text)
            for function, table in rubric.items()
            for name, points in table.items()
        ],
    )
