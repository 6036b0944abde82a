"""One lossless results format (issue 25): a check's one outcome, `Results.to_dict`/`from_dict`,
and every process or file boundary results cross using it (grading slots, the JSON report,
merge, the classroom post step, the class report)."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.core.grade import grade_submission, load_rubric, without_results
from autograder.doors import batch, classroom, gradebook
from autograder.doors.classreport import read_reports
from autograder.doors.shard import MergeError, Shard, merge, write_marker
from autograder.messages import t
from autograder.reporters import render
from autograder.results import CheckResult, Figure, FormatError, Named, Outcome, Results, Text
from tests.fakes import InProcessSubmission, opener
from tools.report_snapshot import hostile_corpus, in_process_corpus

CORPUS = in_process_corpus()


def graded(name: str) -> Results:
    return grade_submission(f"{name}.py", opener=opener(InProcessSubmission(CORPUS[name])))


def full_results(submission: str = "alice.py") -> Results:
    """Results using every field: three outcomes, a root cause, a cause, a misconception, every
    notice, a figure of bytes that are not text, a load error."""
    wrong = Named("sigmoid.wrong_sign", Text("符号反了", "wrong sign"))
    return Results(
        submission,
        [
            CheckResult(
                "a", "sigmoid", 2.0, outcome=Outcome.PASSED, feedback=Text("对", "right"), root_cause="relu"
            ),
            CheckResult(
                "b", "sigmoid", 1.5, outcome=Outcome.FAILED, feedback=Text("错", "wrong"), misconception=wrong
            ),
            CheckResult("c", "relu", 1.0, outcome=Outcome.ERROR, feedback=Text("坏了", "broke"), cause="x:1"),
        ],
        execution_time=0.125,
        load_error="NameError: name 'np' is not defined",
        functions=["sigmoid", "relu"],
        refused=Text("拒绝", "refused"),
        load_note=Text("第 3 行", "line 3"),
        unanswered=Text("没有作答", "nothing answered"),
        figures={"sigmoid": Figure("sigmoid", bytes(range(256)), "image/png", Text("图", "picture"))},
        not_graded="grading stopped after 240 s",
    )


# --- a check's one outcome ------------------------------------------------------------------


def test_a_check_has_one_outcome_and_cannot_both_pass_and_break():
    broke = CheckResult("c", "sigmoid", 2.0, outcome=Outcome.ERROR)
    assert (broke.passed, broke.error, broke.status, broke.score) == (False, True, "error", 0.0)
    right = CheckResult("c", "sigmoid", 2.0, outcome="passed")  # type: ignore[arg-type]  # read back
    assert (right.outcome, right.passed, right.error, right.score) == (Outcome.PASSED, True, False, 2.0)
    with pytest.raises(TypeError):  # the two booleans are gone: error= is no field
        CheckResult("c", "sigmoid", 2.0, True, error=True)  # type: ignore[call-arg]
    with pytest.raises(ValueError):  # a bool is no outcome
        CheckResult("c", "sigmoid", 2.0, True)  # type: ignore[arg-type]
    with pytest.raises(AttributeError):  # derived, read-only
        right.passed = False  # type: ignore[misc]


# --- the lossless round trip ------------------------------------------------------------------


def test_every_field_survives_the_round_trip_through_json_text():
    results = full_results("learner\udcd5.py")  # a file name's byte that is not UTF-8
    data = json.loads(json.dumps(results.to_dict()))
    assert data["format"] == 1 and data["tests"][2]["outcome"] == "error"
    assert Results.from_dict(data) == results
    # the JSON report holds the same, and stays UTF-8 text with the lone surrogate escaped
    report = render(results, "json", "en")
    report.encode("utf-8")
    assert Results.from_dict(json.loads(report)["results"]) == results


@pytest.mark.slow  # the whole corpus, graded in-process: minutes
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_corpus_submission_round_trips_exactly(name):
    results = graded(name)
    assert Results.from_dict(json.loads(json.dumps(results.to_dict()))) == results
    for lang in ("zh", "en"):
        assert Results.from_dict(json.loads(render(results, "json", lang))["results"]) == results


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(hostile_corpus()))
def test_every_hostile_submission_round_trips_exactly(tmp_path, name):
    (tmp_path / "nn_basics.py").write_text(hostile_corpus()[name], encoding="utf-8")
    results = grade_submission(tmp_path / "nn_basics.py")
    assert Results.from_dict(json.loads(render(results, "json", "zh"))["results"]) == results


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"tests": []},  # a report of no format: not results
        {**full_results().to_dict(), "format": 2},
        {**full_results().to_dict(), "tests": [{"name": "a"}]},
        {**full_results().to_dict(), "refused": {"zh": "只有中文"}},
        {**full_results().to_dict(), "tests": [{**full_results().tests[0].to_dict(), "outcome": True}]},
    ],
)
def test_what_is_not_results_of_this_format_is_refused_by_name(data):
    with pytest.raises(FormatError):
        Results.from_dict(data)


def test_the_json_report_keeps_the_grader_error_its_spec_status_cannot_say():
    """SPEC's `status` is passed/failed (Gradescope's): a grader error is "failed" there, and
    "error" in the lossless results beside it."""
    data = json.loads(render(full_results(), "json", "zh"))
    assert [test["status"] for test in data["tests"]] == ["passed", "failed", "failed"]
    assert [test["outcome"] for test in data["results"]["tests"]] == ["passed", "failed", "error"]


# --- grading slots: JSON, never pickle ------------------------------------------------------

PICKLE_SLOT = """
import os, pickle, struct, sys
class Boom:
    def __reduce__(self):
        return (open, ({marker!r}, "w"))
os.write(1, struct.pack(">I", 0))  # ready
sys.stdin.buffer.readline()
data = pickle.dumps(Boom())
os.write(1, struct.pack(">I", len(data)) + data)
"""


def test_a_slots_reply_is_read_as_json_never_unpickled(tmp_path):
    marker = tmp_path / "unpickled"
    command = [sys.executable, "-c", PICKLE_SLOT.format(marker=str(marker))]
    slots = batch.Slots(tmp_path, command)
    try:
        row = slots.grade_one(tmp_path / "alice.py", tmp_path / "alice.json", "en", 60)
    finally:
        slots.close()
    assert not marker.exists()
    assert row.score == 0 and "not results" in row.error
    assert json.loads((tmp_path / "alice.json").read_text())["results"]["not_graded"] == row.error


def test_the_gradebook_row_is_computed_from_the_results_alone():
    stopped = gradebook.not_graded(Path("bob.py"), "grading stopped after 240 s")
    assert gradebook.Row.of("bob", stopped).error == "grading stopped after 240 s"
    back = Results.from_dict(stopped.to_dict())
    assert gradebook.Row.of("bob", back) == gradebook.Row.of("bob", stopped)
    broke = full_results()
    assert gradebook.Row.of("a", replace(broke, not_graded=None)).error.startswith(
        "grader error in 1 checks: c"
    )


# --- merge reads results, never the CSV -------------------------------------------------------


def test_merge_reads_each_learners_results_not_the_parts_csv(tmp_path):
    part = tmp_path / "part"
    part.mkdir()
    right = grade_results("alice.py", passed=True)
    (part / "alice.json").write_text(render(right, "json", "zh"), encoding="utf-8")
    # a gradebook that says otherwise (edited, or from another run): merge never reads it back
    (part / "gradebook.csv").write_text(
        "learner,score,max_score,error\nalice,0,100,forged\n", encoding="utf-8"
    )
    write_marker(part, Shard(1, 1), ["alice"])
    result = merge([part], tmp_path / "out")
    lines = (tmp_path / "out/gradebook.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("alice,100,100,") and lines[1].endswith(",") and result.errors == {}


def test_a_part_without_readable_results_is_not_merged_as_a_zero(tmp_path):
    part = tmp_path / "part"
    part.mkdir()
    (part / "alice.json").write_text(json.dumps({"score": 100, "tests": []}), encoding="utf-8")
    (part / "gradebook.csv").write_text("", encoding="utf-8")
    write_marker(part, Shard(1, 1), ["alice"])
    with pytest.raises(MergeError, match="no readable results for learner 'alice'"):
        merge([part], tmp_path / "out")


def grade_results(submission: str, passed: bool) -> Results:
    """Every check of the rubric passed (or failed with a message in both languages)."""
    outcome = Outcome.PASSED if passed else Outcome.FAILED
    feedback = Text() if passed else t("missing", fn="sigmoid")
    return Results(
        submission,
        [
            CheckResult(name, function, float(points), outcome=outcome, feedback=feedback)
            for function, table in load_rubric().items()
            for name, points in table.items()
        ],
        functions=list(load_rubric()),
    )


# --- the classroom post step and the class report read both languages -----------------------


def pull(entry: str) -> classroom.Pull:
    return classroom.Pull(entry, "alice", "course/ch01-alice", 1, "a" * 40)


def test_the_classroom_comment_is_in_its_language_whatever_the_reports(tmp_path):
    """grade-all wrote the report in Chinese; a post in English says the feedback in English (the
    comment was built from the Chinese text in both languages before)."""
    (tmp_path / "alice.json").write_text(render(grade_results("a.py", False), "json", "zh"), encoding="utf-8")
    outcome = classroom.decide(pull("alice"), tmp_path, 60.0, "en")
    assert outcome is not None and outcome.state == "failure"
    assert t("missing", fn="sigmoid").en in outcome.body and t("missing", fn="sigmoid").zh not in outcome.body


def test_a_grader_fault_is_seen_from_the_report_alone(tmp_path):
    """No gradebook.csv is read: a learner the grader could not grade is a grader error, posted
    as such (graded again next run), never their 0."""
    stopped = gradebook.not_graded(Path("alice.py"), "grading stopped after 240 s")
    (tmp_path / "alice.json").write_text(render(stopped, "json", "zh"), encoding="utf-8")
    outcome = classroom.decide(pull("alice"), tmp_path, 60.0, "zh")
    assert outcome is not None and outcome.state == "error"
    # the learner's own load error is theirs: graded
    own = without_results("bob.py", "SyntaxError: invalid syntax")
    (tmp_path / "bob.json").write_text(render(own, "json", "zh"), encoding="utf-8")
    outcome = classroom.decide(pull("bob"), tmp_path, 60.0, "zh")
    assert outcome is not None and outcome.state == "failure"


def test_the_class_report_reads_the_results_in_the_pages_language(tmp_path):
    refused = replace(
        without_results("x.py", "refused: a link"), refused=Text("拒绝：链接", "refused: a link")
    )
    (tmp_path / "alice.json").write_text(render(refused, "json", "zh"), encoding="utf-8")
    (learner,) = read_reports(tmp_path, lang="en")
    assert learner.refused == "refused: a link"
    (learner,) = read_reports(tmp_path, lang="zh")
    assert learner.refused == "拒绝：链接"
