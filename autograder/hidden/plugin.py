"""A pytest plugin collecting the kit's registry of hidden checks: one item per rubric check,
node id `autograder/<function>::<check>` (so JUnit's classname is `autograder.<function>`).

The checks are run by grade.py's own runner (grade.Grading: run_check, the requires gating, one
charge per mistake, the grading order) on the submission opened once, in the sandbox, as
grade_submission opens it; this module only maps each result to pytest's outcomes:

- passed: the check passed;
- failed (call phase): the learner's wrong value, the learner-facing text as the message;
- skipped: a gated check whose required check did not pass (it is not paid), the reason said;
- error (setup phase): a fault of the grader, raised again with its own traceback (--pdb
  stops in the check's frame).

The score out of 100 is printed at the end from the rubric, once every check has a result.

The same items replay a finished grade (`Replay`): the `junit` report format is pytest's own
junitxml written through this plugin (reporters/junit.py), not a writer of the kit's.

PYTEST_DONT_REWRITE: no assert here is pytest's to explain (and the module may be imported first).
"""

from __future__ import annotations

import contextlib
import inspect
from dataclasses import replace
from pathlib import Path

import pytest
from _pytest._code.code import ReprFileLocation, TerminalRepr

from ..messages import Text, t
from ..quoting import clean, one_line
from ..results import CheckResult, Results, first_failures, note, number

NODE_ROOT = "autograder"  # node ids autograder/<function>::<check>
PLUGIN_NAME = "nn-grade-hidden"


class GraderError(Exception):
    """A check the grader could not run (its required check broke in the grader)."""


class LearnersMiss(Exception):
    """A check failed on the learner's values: its text is the learner-facing feedback."""


class Feedback(TerminalRepr):
    """A failure shown as the learner reads it: the whole text, and its first line as pytest's
    one-line message (the short summary, JUnit's message attribute)."""

    def __init__(self, text: str, path: str, line: int):
        self.text = text
        self.reprcrash = ReprFileLocation(path, line, text.splitlines()[0] if text else "")

    def toterminal(self, tw) -> None:
        for line in self.text.splitlines():
            tw.line(line)


def pytest_addoption(parser) -> None:
    group = parser.getgroup("nn-grade", "the nn_basics hidden checks (autograder/hidden)")
    group.addoption(
        "--submission", default=None, help="grade this nn_basics.py, folder holding it, or .ipynb"
    )
    group.addoption(
        "--lang",
        choices=("zh", "en"),
        default="zh",
        help="the learner-facing messages' language (default zh)",
    )


def pytest_configure(config) -> None:
    path = config.getoption("submission", None)
    if path is None:
        return
    if getattr(config.option, "numprocesses", None) or getattr(config, "workerinput", None) is not None:
        # every worker would open and run the submission itself, and no process holds every
        # result to score: one submission's checks take about a second, run them in one process
        raise pytest.UsageError(
            "nn-grade's hidden checks run in one process (the submission is opened once and "
            "scored as a whole): drop -n / --numprocesses, or give -n 0"
        )
    config.pluginmanager.register(HiddenChecks(Live(Path(path)), config.getoption("lang")), PLUGIN_NAME)


class Live:
    """The submission opened once in the sandbox, as grade.grade_submission opens it, its
    checks run on demand by grade.Grading (a check first runs every check before it in the
    grading order, so each result is the one a whole grade gives it)."""

    def __init__(self, path: Path, opener=None):
        from ..core.grade import load_rubric

        self.path = path
        self.opener = opener  # what opens the submission: the sandbox unless a test passes a double
        self.rubric = load_rubric()
        self._stack = contextlib.ExitStack()
        self._grading = None
        self.results: Results | None = None

    def grading(self):
        if self._grading is None:
            from ..checks.common import Context, compute_ahead
            from ..checks.xor import reference_descents
            from ..core.grade import Grading, load_reference
            from ..core.submission import open_graded
            from ..sandbox.process import start_zygote

            if self.opener is None:
                start_zygote()
            reference = load_reference()
            compute_ahead(reference, reference_descents(reference))
            try:
                sub = self._stack.enter_context((self.opener or open_graded)(self.path))
            except FileNotFoundError as exc:  # nothing to grade (`nn-grade grade` says the same)
                pytest.exit(f"cannot grade: {exc}", returncode=pytest.ExitCode.USAGE_ERROR)
            self._grading = Grading(Context(sub, reference), self.rubric)
        return self._grading

    def result(self, name: str) -> CheckResult:
        """The check's result as run_check gave it (before any note is added)."""
        return self.grading().result(name)

    def fault(self, name: str) -> BaseException | None:
        return self.grading().faults.get(name)

    def shown(self, name: str) -> CheckResult:
        """The result as the grader's report tells it, from the results so far: the load error
        said, one cause told once (the first of a cause cannot yet count the later ones)."""
        from ..core.grade import annotate

        grading = self.grading()
        so_far = [
            grading.done[each] for table in self.rubric.values() for each in table if each in grading.done
        ]
        told, _ = annotate(so_far, grading.ctx)
        return next(result for result in told if result.name == name)

    def close(self) -> None:
        """The grade, when every check has a result (misconceptions named while the submission
        is still open); then the sandbox closed."""
        from ..core.grade import finish

        try:
            grading = self._grading
            if grading is not None and len(grading.done) == len(grading.order):
                self.results = finish(str(self.path), self.rubric, grading.ctx, grading.results())
        finally:
            self._stack.close()


class Replay:
    """A finished grade's results as the items' outcomes (the junit report)."""

    def __init__(self, results: Results):
        self.results: Results | None = results
        self.rubric: dict[str, dict[str, float]] = {}
        for test in results.tests:
            self.rubric.setdefault(test.function, {})[test.name] = test.max_score
        self._by_name = {test.name: test for test in results.tests}
        named = first_failures(results.tests)  # the misconception once per function, in its first failure
        self._noted = {results.tests[i].name for i in named}

    def result(self, name: str) -> CheckResult:
        return self._by_name[name]

    def fault(self, name: str) -> BaseException | None:
        return None

    def shown(self, name: str) -> CheckResult:
        test = self._by_name[name]
        if name in self._noted:
            return replace(test, feedback=test.feedback + note(test))
        return test

    def close(self) -> None:
        pass


def outcome(result: CheckResult) -> str:
    """pytest's outcome of a check's result: passed, failed, skipped (a gated check not paid)
    or error (a fault of the grader)."""
    from ..core.grade import unpaid_requirement

    if result.passed:
        return "passed"
    if result.error:
        return "error"
    return "skipped" if unpaid_requirement(result) else "failed"


class HiddenChecks:
    """Collects one item per rubric check and says the score at the end."""

    def __init__(self, source, lang: str = "zh"):
        self.source = source
        self.lang = lang

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session) -> bool:
        """The rubric's checks are the session's items (no files are collected)."""
        config = session.config
        items = []
        for function, table in self.source.rubric.items():
            group = FunctionGroup.from_parent(session, name=function, nodeid=f"{NODE_ROOT}/{function}")
            members = [CheckItem.from_parent(group, name=name, plugin=self) for name in table]
            config.hook.pytest_collectreport(
                report=pytest.CollectReport(group.nodeid, "passed", None, list(members))
            )
            items += members
        config.hook.pytest_collection_modifyitems(session=session, config=config, items=items)
        session.items = items
        session.testscollected = len(items)
        config.hook.pytest_collection_finish(session=session)
        return True

    @pytest.hookimpl(tryfirst=True)  # before junitxml writes its file
    def pytest_sessionfinish(self, session) -> None:
        self.source.close()
        results = self.source.results
        if results is not None:
            record_suite_properties(session.config, results)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        results = self.source.results
        if results is None:
            terminalreporter.write_sep("=", t("pytest_no_score").render(self.lang))
            return
        score = t("pytest_score", score=str(number(results.score)), max_score=str(number(results.max_score)))
        terminalreporter.write_sep("=", score.render(self.lang), bold=True)


class FunctionGroup(pytest.Collector):
    """A contract function's checks (collected by HiddenChecks, never from a file)."""

    def collect(self):
        return []


class CheckItem(pytest.Item):
    """One rubric check. Setup runs it (a grader fault raises there: pytest's error); the call
    says its outcome (the learner's miss: a failure; a gated check not paid: a skip)."""

    def __init__(self, *, plugin: HiddenChecks, parent: FunctionGroup, **kwargs):
        super().__init__(parent=parent, **kwargs)
        self.plugin = plugin
        self.contract_function = parent.name  # not `function`: pytest reads that as a Python function

    def setup(self) -> None:
        source = self.plugin.source
        result = source.result(self.name)
        if not result.error:
            return
        fault = source.fault(self.name)
        if fault is None:
            raise GraderError(self._text(result.feedback))
        # the check's own exception, its traceback kept; its words may quote a submission's values
        if clean(str(fault)) != str(fault):
            fault.args = (clean(str(fault)),)
        fault.add_note(self._text(result.feedback))
        raise fault

    def runtest(self) -> None:
        source = self.plugin.source
        kind = outcome(source.result(self.name))
        if kind == "skipped":
            skip = pytest.skip.Exception(self._text(source.shown(self.name).feedback))
            skip._use_item_location = True  # reported at the check, as a skip mark is
            raise skip
        if kind == "failed":
            raise LearnersMiss(self._text(source.shown(self.name).feedback))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, LearnersMiss):
            path, line, _ = self.location
            return Feedback(str(excinfo.value), path, (line or 0) + 1)
        return super().repr_failure(excinfo, style)

    def _text(self, text: Text) -> str:
        return clean(text.render(self.plugin.lang))

    def reportinfo(self):
        from ..checks.registry import REGISTRY

        run = inspect.unwrap(getattr(REGISTRY[self.name].run, "func", REGISTRY[self.name].run))
        try:
            path, line = inspect.getsourcefile(run), inspect.getsourcelines(run)[1]
        except (TypeError, OSError):
            path, line = None, None
        return Path(path) if path else self.path, line, f"{self.contract_function}::{self.name}"


def record_suite_properties(config, results: Results) -> None:
    """The submission and score as the JUnit testsuite's properties (what pytest's
    record_testsuite_property fixture does; items of the kit's have no fixtures)."""
    from _pytest.junitxml import xml_key

    xml = config.stash.get(xml_key, None)
    if xml is None:
        return
    for name, value in (
        ("submission", one_line(results.submission)),
        ("score", str(number(results.score))),
        ("max_score", str(number(results.max_score))),
        ("execution_time", f"{results.execution_time:.3f}"),  # the grade's (the replay's is pytest's time)
    ):
        xml.add_global_property(name, value)
