"""The pytest door (autograder/hidden/plugin.py, `nn-grade pytest`): pytest collects the kit's one
registry of checks and reports, per check, exactly the grader's outcome (passed; failed: the
learner's miss; skipped: a gated check not paid; error: the grader's fault), and the grader's
score. Each door is run in this process, on the same file, and compared."""

from __future__ import annotations

import importlib.util
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograder.checks.registry import REGISTRY
from autograder.core import grade
from autograder.core.grade import grade_submission, unpaid_requirement
from autograder.hidden import run
from autograder.hidden.plugin import HiddenChecks, Live
from autograder.messages import MESSAGES
from autograder.reporters import FORMATS, render
from tests.fakes import InProcessSubmission, opener
from tests.mistakes import HOLLOW, MISTAKES, REFERENCE, hollow_source, write

KIT = Path(__file__).resolve().parents[1]
ADVERSARIAL = KIT / "tests" / "adversarial"
# quiet, no cache, no conftest of the kit's tests: the door alone
QUIET = ["-q", "-p", "no:cacheprovider", "--noconftest", "-o", "addopts="]


class Recorder:
    """Each check's pytest outcome (by check name), the grade the door scored, and the frames
    --pdb would enter (pytest_exception_interact is the hook --pdb is)."""

    def __init__(self):
        self.outcomes: dict[str, str] = {}
        self.results = None
        self.interactions: list[str] = []  # the innermost frame's function of each error

    def pytest_runtest_logreport(self, report):
        name = report.nodeid.rsplit("::", 1)[-1]
        if report.when == "setup" and report.failed:
            self.outcomes[name] = "error"
        elif report.when == "setup" and report.skipped or report.when == "call":
            self.outcomes[name] = report.outcome

    def pytest_exception_interact(self, node, call, report):
        self.interactions.append(call.excinfo.traceback[-1].frame.code.name)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session):
        for plugin in session.config.pluginmanager.get_plugins():
            if isinstance(plugin, HiddenChecks):
                self.results = plugin.source.results


def expected(results) -> dict[str, str]:
    """The grader's result of each check, as pytest's outcome."""
    return {
        test.name: "passed"
        if test.passed
        else "error"
        if test.error
        else "skipped"
        if unpaid_requirement(test)
        else "failed"
        for test in results.tests
    }


def door(path, *args, double: InProcessSubmission | None = None) -> tuple[int, Recorder]:
    """pytest's exit status and what it reported, for the hidden checks on `path` (in the
    sandbox, as `nn-grade pytest` runs them; or in `double`)."""
    recorder = Recorder()
    if double is None:
        return run(path, [*QUIET, *args], plugins=[recorder]), recorder
    plugins = [recorder, HiddenChecks(Live(Path(path), opener=opener(double)), "en")]
    return int(pytest.main([*QUIET, "-p", "no:hypothesispytest", *args], plugins=plugins)), recorder


def assert_same(graded, status: int, recorder: Recorder) -> None:
    assert recorder.outcomes == expected(graded)
    assert recorder.results is not None and recorder.results.score == graded.score
    assert [t.passed for t in recorder.results.tests] == [t.passed for t in graded.tests]
    assert status == (0 if all(t.passed or unpaid_requirement(t) for t in graded.tests) else 1)


# --- every submission of the corpus: the same outcome per check and the same total -------------


def test_the_reference_passes_every_item_and_the_door_prints_100(capsys):
    graded = grade_submission(REFERENCE)
    status, recorder = door(REFERENCE, "--lang", "en")
    assert_same(graded, status, recorder)
    assert graded.score == 100 and set(recorder.outcomes.values()) == {"passed"} and status == 0
    assert re.search(r"=+ Score: 100 / 100 =+", capsys.readouterr().out)


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_every_mistake_gets_the_graders_outcomes_and_total(tmp_path, mistake):
    """In-process doubles (the sandbox's own doors are compared for the reference, hollow and
    hostile code): each door opens its own."""
    path = write(tmp_path, mistake.name, mistake.source())
    graded = grade_submission(path, opener=opener(InProcessSubmission(mistake.source())))
    status, recorder = door(path, double=InProcessSubmission(mistake.source()))
    assert graded.score < 100
    assert_same(graded, status, recorder)


@pytest.mark.parametrize("name", sorted(HOLLOW))
def test_hollow_code_scores_0_in_both_doors(tmp_path, name):
    path = write(tmp_path, name, hollow_source(name))
    graded = grade_submission(path)
    status, recorder = door(path)
    assert_same(graded, status, recorder)
    assert graded.score == 0 and status == 1


def adversarial_copy(tmp_path, name: str) -> Path:
    """A hostile submission, its placeholders filled with harmless values (the attacks
    themselves are tests/test_sandbox_adversarial.py's)."""
    text = (ADVERSARIAL / name).read_text(encoding="utf-8").replace("__KIT_ROOT__", str(KIT))
    for placeholder, value in {
        "__SLEEP_MARKER__": "nn-door-sleeper",
        "__GRADER_PID__": "999999999",
        "__TARGET__": str(tmp_path / "nowhere"),
        "__UNIX_PATH__": str(tmp_path / "sock"),
        "__ABSTRACT__": "nn-door-abstract",
        "__TCP_PORT__": "9",
        "__UDP_PORT__": "9",
    }.items():
        text = text.replace(placeholder, value)
    folder = tmp_path / name.removesuffix(".py")
    folder.mkdir()
    (folder / "nn_basics.py").write_text(text, encoding="utf-8")
    return folder


# fork_lingering's sigmoid forks on every call: whether a fork succeeds depends on how many
# processes its uid holds at that moment (as an ordinary user, other tests' sandboxes count too:
# docs/isolation.md, Degradation), so two gradings of it need not agree, whichever door runs them.
UNREPEATABLE = {"fork_lingering.py"}


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", sorted(p.name for p in ADVERSARIAL.glob("*.py") if p.name not in UNREPEATABLE)
)
def test_a_hostile_submission_gets_the_graders_outcomes_and_total(tmp_path, name):
    path = adversarial_copy(tmp_path, name)
    graded = grade_submission(path)
    status, recorder = door(path)
    assert_same(graded, status, recorder)


# --- pytest's tools --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def elu_mistake(tmp_path_factory):
    mistake = next(m for m in MISTAKES if m.name == "elu_chapter_alpha_0_01")
    path = write(tmp_path_factory.mktemp("elu"), mistake.name, mistake.source())
    return path, grade_submission(path)


def test_a_learners_miss_is_a_failure_with_the_learner_facing_text(elu_mistake, capsys):
    path, graded = elu_mistake
    status, recorder = door(path, "--lang", "en")
    out = capsys.readouterr().out
    (first, *_) = [t for t in graded.tests if not t.passed]
    assert recorder.outcomes[first.name] == "failed" and status == 1
    assert first.feedback.en.splitlines()[0] in out and "Score: 97 / 100" in out
    gated = [name for name, kind in recorder.outcomes.items() if kind == "skipped"]
    assert gated and all(REGISTRY[name].requires for name in gated)
    status, _ = door(path, "--lang", "zh")
    assert first.feedback.zh.splitlines()[0] in capsys.readouterr().out


def test_k_selects_by_check_or_function_name_with_the_graders_outcomes(elu_mistake, capsys):
    path, graded = elu_mistake
    _, recorder = door(
        path, "-k", "elu_matches_reference and not relu or train_learns_xor", "--lang", "en", "-rw"
    )
    assert recorder.outcomes == {"elu_matches_reference": "failed", "train_learns_xor": "passed"}
    assert recorder.results is None and "No score" in capsys.readouterr().out  # not every check ran
    _, recorder = door(path, "-k", "elu and not relu and not derivative")
    assert recorder.outcomes == {t.name: expected(graded)[t.name] for t in graded.for_function("elu")}


def test_x_stops_at_the_first_failure(elu_mistake):
    path, graded = elu_mistake
    status, recorder = door(path, "-x")
    names = [t.name for t in graded.tests]
    first = next(t.name for t in graded.tests if not t.passed)
    assert status == 1 and list(recorder.outcomes) == names[: names.index(first) + 1]


def test_lf_reruns_only_the_failures_by_their_stable_node_ids(elu_mistake, tmp_path):
    path, graded = elu_mistake
    cache = ["-p", "cacheprovider", "-o", f"cache_dir={tmp_path / 'cache'}", "--rootdir", str(tmp_path)]
    door(path, *cache)
    _, recorder = door(path, *cache, "--lf")
    assert recorder.outcomes == {
        name: "failed" for name, kind in expected(graded).items() if kind == "failed"
    }


def test_junitxml_names_each_check_and_carries_the_score(elu_mistake, tmp_path):
    path, graded = elu_mistake
    xml = tmp_path / "report.xml"
    door(path, f"--junitxml={xml}", "--lang", "en")
    suite = ET.parse(xml).getroot().find("testsuite")
    cases = {(c.get("classname"), c.get("name")): c for c in suite.iter("testcase")}
    assert set(cases) == {(f"autograder.{t.function}", t.name) for t in graded.tests}
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert float(properties["score"]) == graded.score == 97
    failed = cases[("autograder.elu", "elu_matches_reference")].find("failure")
    assert (
        graded.tests[[t.name for t in graded.tests].index("elu_matches_reference")].feedback.en in failed.text
    )


def test_xdist_is_refused_with_a_reason(elu_mistake, capsys):
    status, recorder = door(elu_mistake[0], "-n", "2")
    assert status == pytest.ExitCode.USAGE_ERROR and recorder.outcomes == {}
    assert "run in one process" in capsys.readouterr().err


def test_a_grader_fault_is_a_pytest_error_raised_in_the_checks_own_frame(monkeypatch, tmp_path, capsys):
    """--pdb enters pytest_exception_interact's traceback: the check's own frame, on the grader's
    side; the grader reports the same check as a grader error, and both score it 0. Its words
    (which may quote a submission's values) reach the terminal inert."""

    def broken_check(ctx):
        ctx.call("sigmoid", 0.0)
        raise ValueError("a bug in the check \x1b[2J")

    grade.load_rubric()  # every check registered
    name = "sigmoid_leaves_input_unchanged"  # a gated check: its requirement passes
    monkeypatch.setitem(REGISTRY, name, REGISTRY[name].__class__(name, broken_check, REGISTRY[name].requires))
    source = REFERENCE.read_text(encoding="utf-8")
    graded = grade_submission(REFERENCE, opener=opener(InProcessSubmission(source)))
    # the grader's own log (its traceback, raw as `nn-grade grade` prints it) left out: the item's report
    status, recorder = door(REFERENCE, "--show-capture=no", double=InProcessSubmission(source))
    assert_same(graded, status, recorder)
    assert recorder.outcomes[name] == "error" and recorder.interactions == ["broken_check"]
    assert graded.score == 100 - graded.tests[3].max_score and status == 1
    out = capsys.readouterr().out
    assert "ValueError: a bug in the check \\x1b[2J" in out and "\x1b" not in out


# --- a new check, added as docs/hidden-checks.md says ------------------------------------------

NEW_CHECK = """
import numpy as np

from autograder.checks.formatting import fmt
from autograder.checks.registry import Failed, check
from autograder.messages import t


@check(requires=("sigmoid_matches_reference",))
def sigmoid_is_one_half_at_zero(ctx):
    got = ctx.call("sigmoid", np.array([0.0]), label="sigmoid([0.0])")
    if not np.allclose(got, 0.5):
        raise Failed(t("sigmoid_is_one_half_at_zero", got=fmt(got)))
"""
NEW_MESSAGE = ("sigmoid(0) 应该等于 0.5，得到 {got}。", "sigmoid(0) should be 0.5, got {got}.")


@pytest.fixture
def a_new_check(tmp_path, monkeypatch):
    """A check module, its line in a copy of rubric.toml and its message, as the docs say."""
    module_path = tmp_path / "sigmoid_extra.py"
    module_path.write_text(NEW_CHECK, encoding="utf-8")
    rubric = tmp_path / "rubric.toml"
    text = grade.RUBRIC_PATH.read_text(encoding="utf-8")
    rubric.write_text(text.replace("[sigmoid]\n", "[sigmoid]\nsigmoid_is_one_half_at_zero = 2\n", 1))
    monkeypatch.setattr(grade, "RUBRIC_PATH", rubric)
    monkeypatch.setitem(MESSAGES, "sigmoid_is_one_half_at_zero", NEW_MESSAGE)
    spec = importlib.util.spec_from_file_location("_door_sigmoid_extra", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # registers the check, as checks/__init__.py's import does
    monkeypatch.setitem(sys.modules, "_door_sigmoid_extra", module)
    yield "sigmoid_is_one_half_at_zero"
    del REGISTRY["sigmoid_is_one_half_at_zero"]


def test_a_new_check_is_collected_graded_scored_and_reported_everywhere(a_new_check, tmp_path, capsys):
    reference = REFERENCE.read_text(encoding="utf-8")
    wrong = write(
        tmp_path, "half", reference.replace("def sigmoid(x):", "def sigmoid(x):\n    return x * 0 + 0.4", 1)
    )
    for path, passed in ((REFERENCE, True), (wrong, False)):
        graded = grade_submission(path)
        (new,) = [t for t in graded.tests if t.name == a_new_check]
        assert new.function == "sigmoid" and new.passed is passed and graded.max_score == 102
        assert (graded.score == 102) if passed else (graded.score < 100 and not new.passed)
        status, recorder = door(path, "--lang", "en")
        assert_same(graded, status, recorder)
        assert recorder.outcomes[a_new_check] == ("passed" if passed else "failed")
        for fmt in FORMATS if not passed else ("json", "gradescope", "junit"):  # those that list passes
            assert a_new_check in render(graded, fmt, "en"), fmt
    assert "sigmoid(0) should be 0.5, got" in render(graded, "text", "en")
    assert "sigmoid(0) 应该等于 0.5" in render(graded, "junit", "zh")
