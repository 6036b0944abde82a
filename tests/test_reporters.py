"""Every reporter renders the one results model: Gradescope JSON validates against a schema
written from SPEC, JUnit XML parses with the right counts, markdown and text carry the score."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import jsonschema
import numpy as np
import pytest

from autograder.checks.expectations import expect_dict_of_arrays
from autograder.checks.registry import Failed
from autograder.core.grade import grade_submission, load_rubric
from autograder.reporters import FORMATS, render
from autograder.results import CheckResult, Outcome, Results, Text, number
from tests.mistakes import MISTAKES, write

PASSED, FAILED, ERROR = Outcome.PASSED, Outcome.FAILED, Outcome.ERROR

CONTRACT_FUNCTIONS = set(load_rubric())

# SPEC "The grader's contract": Gradescope's results.json shape.
GRADESCOPE_SCHEMA = {
    "type": "object",
    "required": ["score", "max_score", "execution_time", "tests"],
    "properties": {
        "score": {"type": "number", "minimum": 0},
        "max_score": {"type": "number", "minimum": 0},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "tests": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "score", "max_score", "status", "output", "tags"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "score": {"type": "number", "minimum": 0},
                    "max_score": {"type": "number", "exclusiveMinimum": 0},
                    "status": {"enum": ["passed", "failed"]},
                    "output": {"type": "string"},
                    "tags": {"type": "array", "minItems": 1, "items": {"enum": sorted(CONTRACT_FUNCTIONS)}},
                },
            },
        },
    },
}
STRICT_GRADESCOPE_SCHEMA = {**GRADESCOPE_SCHEMA, "additionalProperties": False}
# --format json: each failed check may also name its function's misconception (misconceptions.py)
_JSON_TEST = GRADESCOPE_SCHEMA["properties"]["tests"]["items"]
_NAMED = {
    "type": "object",
    "required": ["id", "zh", "en"],
    "additionalProperties": False,
    "properties": {k: {"type": "string", "minLength": 1} for k in ("id", "zh", "en")},
}
JSON_SCHEMA = {
    **GRADESCOPE_SCHEMA,
    "properties": {
        **GRADESCOPE_SCHEMA["properties"],
        "tests": {
            "type": "array",
            "minItems": 1,
            "items": {**_JSON_TEST, "properties": {**_JSON_TEST["properties"], "misconception": _NAMED}},
        },
    },
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A real grading with a few failures: the elu trap and its feedback."""
    mistake = next(m for m in MISTAKES if m.name == "elu_chapter_alpha_0_01")
    return grade_submission(write(tmp_path_factory.mktemp("sub"), mistake.name, mistake.source()))


def handmade() -> Results:
    return Results(
        "alice.py",
        [
            CheckResult("sigmoid_matches_reference", "sigmoid", 2.0, outcome=PASSED),
            CheckResult(
                "sigmoid_correct_at_extreme_inputs",
                "sigmoid",
                1.5,
                outcome=FAILED,
                feedback=Text("在 x = -1000 处得到 nan <&> | ```", "at x = -1000 got nan <&> | ```"),
            ),
            CheckResult(
                "train_learns_xor", "train", 6.0, outcome=FAILED, feedback=Text("没有学会", "did not learn")
            ),
        ],
        execution_time=0.25,
        functions=["sigmoid", "train"],
    )


def test_scores_are_computed_from_passed_checks():
    results = handmade()
    assert results.score == 2.0 and results.max_score == 9.5
    assert results.by_function() == {"sigmoid": (2.0, 3.5), "train": (0.0, 6.0)}
    assert [t.name for t in results.for_function("train")] == ["train_learns_xor"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_gradescope_json_validates_against_the_spec_schema(graded, lang):
    data = json.loads(render(graded, "gradescope", lang))
    jsonschema.validate(data, STRICT_GRADESCOPE_SCHEMA)
    assert data["score"] == sum(t["score"] for t in data["tests"]) < data["max_score"] == 100
    failed = [t for t in data["tests"] if t["status"] == "failed"]
    assert failed and all(t["tags"] == ["elu"] and t["score"] == 0 and t["output"] for t in failed)


def test_json_format_is_the_spec_shape_plus_per_function_totals(graded):
    data = json.loads(render(graded, "json", "zh"))
    jsonschema.validate(data, JSON_SCHEMA)
    assert {t["misconception"]["id"] for t in data["tests"] if "misconception" in t} == {"elu_alpha_0_01"}
    assert set(data["functions"]) == CONTRACT_FUNCTIONS
    assert data["functions"]["elu"]["score"] < data["functions"]["elu"]["max_score"]
    assert sum(f["score"] for f in data["functions"].values()) == data["score"]


def test_junit_xml_parses_with_one_testcase_per_check_and_the_failures_counted(graded):
    root = ET.fromstring(render(graded, "junit", "en").encode("utf-8"))
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    failures = [c for c in cases if c.find("failure") is not None]
    assert len(cases) == int(suite.get("tests")) == len(graded.tests)
    skipped = [c for c in cases if c.find("skipped") is not None]  # gated, not paid: pytest's skip
    assert len(failures) == int(suite.get("failures")) > 0 and len(skipped) == int(suite.get("skipped"))
    assert len(failures) + len(skipped) == len(graded.failed())
    assert {c.get("classname") for c in failures} == {"autograder.elu"}
    score = {p.get("name"): p.get("value") for p in suite.find("properties")}["score"]
    assert float(score) == graded.score


def test_junit_escapes_feedback_that_looks_like_markup():
    root = ET.fromstring(render(handmade(), "junit", "en").encode("utf-8"))
    texts = [f.text for f in root.iter("failure")]
    assert "at x = -1000 got nan <&> | ```" in texts


def test_markdown_has_a_score_table_row_per_function_and_fenced_feedback():
    text = render(handmade(), "markdown", "en")
    assert "**Score: 2 / 9.5**" in text
    assert re.search(r"^\| `sigmoid` \| 2 \| 3.5 \| ❌ \|$", text, re.M)
    assert re.search(r"^\| `train` \| 0 \| 6 \| ❌ \|$", text, re.M)
    # a learner's ``` cannot close the fence early: the fence around it is longer, the text verbatim
    assert "````text\nat x = -1000 got nan <&> | ```\n````" in text


def test_text_report_lists_functions_and_what_to_fix_in_the_chosen_language():
    zh, en = render(handmade(), "text", "zh"), render(handmade(), "text", "en")
    assert "得分（score）: 2 / 9.5" in zh and "没有学会" in zh
    assert "Score: 2 / 9.5" in en and "did not learn" in en and "没有" not in en


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_in_both_languages(graded, fmt):
    for lang in ("zh", "en"):
        assert render(graded, fmt, lang).strip()


# --- learner text is inert in every report ---------------------------------------------------------

# What a learner can put in an exception message, printed output or a file name.
PAYLOADS = {
    "heading": "## ✅ passed · Score 100 / 100",
    "image": "![ok](https://example.com/pass.png)",
    "link": "[details](https://example.com/)",
    "mention": "@octocat please merge",
    "details": "<details><summary>hidden",
    "close_and_reopen": "</details>\n\n# Score 100 / 100\n<img src=x>",
    "backticks": "````\n# after a fence",
    "ansi_clear_screen": "\x1b[2J\x1b[H✓ all checks passed",
    "osc52_clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "workflow_command": "::set-output name=score::100\n  ::error::grader broke\n##[set-env name=X]",
    "lone_surrogate": "\ud800 and \udfff",
    "xml_invalid": "\x00\x01\x0b\ufffe",
    "bidi": "\u202eevil\u202c",
}
INJECTION = "\n".join(PAYLOADS.values())


def injected(feedback: str = INJECTION) -> Results:
    return Results(
        "learner\x1b[2J`|.py\ud800",
        [
            CheckResult(
                "sigmoid_matches_reference", "sigmoid", 2.0, outcome=FAILED, feedback=Text(feedback, feedback)
            ),
            CheckResult(
                "sigmoid_leaves_input_unchanged",
                "sigmoid",
                0.5,
                outcome=ERROR,
                feedback=Text(feedback, feedback),
            ),
            CheckResult("train_learns_xor", "train", 4.0, outcome=PASSED),
        ],
        execution_time=0.5,
        load_error=INJECTION,
        functions=["sigmoid", "train"],
    )


def markdown_ast(text):
    import mistune

    return mistune.create_markdown(renderer="ast", plugins=["table"])(text)


def walk(nodes):
    for node in nodes:
        yield node
        yield from walk(node.get("children", []))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_structure_is_unchanged_by_learner_text(lang):
    clean_ast = [n["type"] for n in markdown_ast(render(injected("plain"), "markdown", lang))]
    text = render(injected(), "markdown", lang)
    nodes = markdown_ast(text)
    assert [n["type"] for n in nodes] == clean_ast  # the same blocks, in the same order
    every = list(walk(nodes))
    assert [
        n
        for n in every
        if n["type"] in ("image", "link", "heading")
        and n is not None
        and not (n["type"] == "heading" and n["attrs"]["level"] == 3)
    ] == []
    assert len([n for n in every if n["type"] == "heading"]) == 1  # only "Failed checks"
    html = [n["raw"].strip() for n in every if n["type"] in ("block_html", "inline_html")]
    assert all(h.startswith(("<details><summary><code>sigmoid_", "</details>")) for h in html), html
    codes = [n["raw"] for n in every if n["type"] == "block_code"]
    assert len(codes) == 3 and all(PAYLOADS["mention"] in c and PAYLOADS["heading"] in c for c in codes)
    texts = " ".join(n.get("raw", "") for n in every if n["type"] == "text")
    assert "@octocat" not in texts and "Score 100 / 100" not in texts
    assert rows_of_table(nodes) == 2


def rows_of_table(nodes):
    (table,) = [n for n in nodes if n["type"] == "table"]
    return len(
        [row for part in table["children"] if part["type"] == "table_body" for row in part["children"]]
    )


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_no_report_carries_terminal_escapes_workflow_commands_or_surrogates(fmt):
    text = render(injected(), fmt, "en")
    text.encode("utf-8")  # a lone surrogate would raise here, or when the report is written
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e\ud800-\udfff\ufffe]", text)
    assert not [line for line in text.splitlines() if line.lstrip().startswith(("::", "##["))]


def test_text_report_shows_escapes_and_says_grader_error():
    text = render(injected(), "text", "en")
    assert "\\x1b[2J" in text and "\\x1b]52;c;" in text and "\\ud800" in text
    assert ": :set-output name=score::100" in text
    assert "grader error: not your mistake" in text and "Grader errors: 1 checks" in text


def test_junit_is_well_formed_with_a_failure_and_an_error():
    root = ET.fromstring(render(injected(), "junit", "en").encode("utf-8"))
    suite = root.find("testsuite")
    assert (suite.get("failures"), suite.get("errors")) == ("1", "1")
    (failure,) = root.iter("failure")
    (error,) = root.iter("error")
    assert "GraderError" in error.get("message") and "\\x1b[2J" in error.text  # pytest's setup error
    assert PAYLOADS["details"] in failure.text


def test_json_reports_list_grader_errors_and_keep_the_spec_status():
    data = json.loads(render(injected(), "json", "en"))
    assert data["grader_errors"] == ["sigmoid_leaves_input_unchanged"]
    assert [t["status"] for t in data["tests"]] == ["failed", "failed", "passed"]
    assert "\\ud800" in data["submission"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_huge_feedback_is_capped_in_every_report(fmt):
    text = render(injected("x" * 5_000_000), fmt, "en")
    assert len(text.encode("utf-8")) < 64 * 1024
    assert "more characters cut" in text


def test_a_dict_with_500000_keys_gives_a_small_report():
    """The issue's 408 MB job summary: a returned dict's keys are listed a few at a time."""
    big = {str(i): 0.0 for i in range(500_000)}
    with pytest.raises(Failed) as failed:
        expect_dict_of_arrays(big, {"Wxh": np.zeros(2)}, "update_params(params, grads, alpha)")
    assert "499992 more" in failed.value.text.en
    results = Results(
        "big.py",
        [
            CheckResult(
                "update_params_matches_reference_for_weights",
                "update_params",
                2.0,
                outcome=FAILED,
                feedback=failed.value.text,
            )
        ],
        functions=["update_params"],
    )
    for fmt in FORMATS:
        assert len(render(results, fmt, "en").encode("utf-8")) < 16 * 1024, fmt


def test_quoting_is_idempotent_and_fences_outrun_the_text():
    from autograder.quoting import clean, code_span, fenced

    text = INJECTION + "y" * 10_000
    assert clean(clean(text)) == clean(text) and clean(text).count("more characters cut") == 1
    block = fenced("a ``` b\n`````")
    assert block.startswith("``````text\n") and block.endswith("\n``````")
    assert code_span("x `y` z") == "``x `y` z``" and code_span("`") == "`` ` ``"


@pytest.mark.parametrize(
    "points, shown", [(3.0, "3"), (1.5, "1.5"), (0.1 + 0.2, "0.3"), (97.5, "97.5"), (0.0, "0"), (100, "100")]
)
def test_points_are_written_one_way_in_every_report(points, shown):
    """results.number is the kit's one way to write points: 3 rather than 3.0, a sum's float
    noise never shown; the text, markdown and JSON reports and a check's line agree."""
    assert str(number(points)) == shown
    assert json.dumps(number(points)) == shown
    check = CheckResult("c", "sigmoid", points, outcome=PASSED)
    results = Results("nn_basics.py", tests=[check])
    assert f"({shown}/{shown})" in check.render("en")
    assert f"{shown} / {shown}" in render(results, "text", "en")
    assert f"| {shown} | {shown} |" in render(results, "markdown", "en")
    assert f'"score": {shown},' in render(results, "json", "en")
