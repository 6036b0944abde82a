"""grade_submission: open a submission in the sandbox, run every check, score from the rubric.

The pipeline is a plain ordered list: the rubric's order (function by function, as in the
chapter) is the order checks run and are reported in. Learner code runs only in the sandbox
worker; this process holds the reference and the checks.
"""
from __future__ import annotations

import importlib.util
import sys
import time
import tomllib
from pathlib import Path

from . import checks
from .checks.common import REGISTRY, Context, Failed
from .messages import t
from .results import CheckResult, Results, Text

RUBRIC_PATH = Path(__file__).with_name("rubric.toml")
REFERENCE_PATH = Path(__file__).resolve().parents[1] / "solutions" / "nn_basics.py"
REFERENCE_MODULE = "_autograder_reference"


def load_rubric(path: Path = RUBRIC_PATH) -> dict[str, dict[str, float]]:
    """{function: {check_name: points}} in file order; fails loudly if it and the checks differ."""
    rubric = tomllib.loads(path.read_text(encoding="utf-8"))
    checks.load_all()
    listed = {name for table in rubric.values() for name in table}
    if listed != set(REGISTRY):
        raise RuntimeError(f"rubric and checks differ: only in rubric {sorted(listed - set(REGISTRY))}, "
                           f"only in checks {sorted(set(REGISTRY) - listed)}")
    for function, table in rubric.items():
        for name in table:
            if REGISTRY[name].function != function:
                raise RuntimeError(f"check {name} grades {REGISTRY[name].function}, listed under [{function}]")
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


def run_check(ctx: Context, name: str, points: float) -> CheckResult:
    check = REGISTRY[name]
    try:
        check.run(ctx)
    except Failed as failed:
        return CheckResult(name, check.function, points, False, failed.text)
    except Exception as exc:  # noqa: BLE001 - a value the check could not digest is the learner's loss, not a grader crash
        return CheckResult(name, check.function, points, False,
                           t("grader_could_not_compare", call=check.function, detail=f"{type(exc).__name__}: {exc}"))
    return CheckResult(name, check.function, points, True)


def grade_submission(path, lang: str = "zh", *, opener=None) -> Results:
    """Grade the submission at `path` (.py, folder holding nn_basics.py, or .ipynb).

    opener: what opens the submission (default: the sandbox's open_submission; tests pass an
    in-process double). FileNotFoundError when there is nothing to grade.
    """
    if opener is None:
        from .sandbox import open_submission as opener
    rubric = load_rubric()
    reference = load_reference()
    started = time.perf_counter()
    tests: list[CheckResult] = []
    with opener(path) as sub:
        ctx = Context(sub, reference)
        for table in rubric.values():
            for name, points in table.items():
                tests.append(run_check(ctx, name, float(points)))
        load_error, output = sub.load_error, sub.output
    if load_error:
        note = t("load_error", error=load_error)
        tests = [r if r.passed else CheckResult(r.name, r.function, r.max_score, False, note + r.feedback)
                 for r in tests]
    return Results(submission=str(path), tests=tests, execution_time=round(time.perf_counter() - started, 3),
                   load_error=load_error, learner_output=output, functions=list(rubric), lang=lang)


def without_results(path, error: str, lang: str = "zh") -> Results:
    """Every check failed with `error`: for a submission the grader could not grade at all."""
    rubric = load_rubric()
    text = Text(error, error)
    return Results(submission=str(path), lang=lang, functions=list(rubric), load_error=error,
                   tests=[CheckResult(name, function, float(points), False, text)
                          for function, table in rubric.items() for name, points in table.items()])
