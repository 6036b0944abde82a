"""Every reporter renders the one results model: Gradescope JSON validates against a schema
written from SPEC, JUnit XML parses with the right counts, markdown and text carry the score."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from autograder.grade import grade_submission
from autograder.reporters import FORMATS, render
from autograder.results import CheckResult, Results, Text
from tests.mistakes import MISTAKES, write

CONTRACT_FUNCTIONS = {"sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative",
                      "leaky_relu", "leaky_relu_derivative", "elu", "elu_derivative", "swish",
                      "swish_derivative", "softmax", "init_params", "forward_prop", "cost_function",
                      "backward_prop", "update_params", "predict", "train", "numerical_gradient",
                      "relative_error", "gradient_check"}

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
                    "tags": {"type": "array", "minItems": 1,
                             "items": {"enum": sorted(CONTRACT_FUNCTIONS)}},
                },
            },
        },
    },
}
STRICT_GRADESCOPE_SCHEMA = {**GRADESCOPE_SCHEMA, "additionalProperties": False}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A real grading with a few failures: the elu trap and its feedback."""
    mistake = next(m for m in MISTAKES if m.name == "elu_chapter_alpha_0_01")
    return grade_submission(write(tmp_path_factory.mktemp("sub"), mistake.name, mistake.source()))


def handmade() -> Results:
    return Results("alice.py", [
        CheckResult("sigmoid_matches_reference", "sigmoid", 2.0, True),
        CheckResult("sigmoid_correct_at_extreme_inputs", "sigmoid", 1.5, False,
                    Text("在 x = -1000 处得到 nan <&> | ```", "at x = -1000 got nan <&> | ```")),
        CheckResult("train_learns_xor", "train", 6.0, False, Text("没有学会", "did not learn")),
    ], execution_time=0.25, functions=["sigmoid", "train"])


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
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert set(data["functions"]) == CONTRACT_FUNCTIONS
    assert data["functions"]["elu"]["score"] < data["functions"]["elu"]["max_score"]
    assert sum(f["score"] for f in data["functions"].values()) == data["score"]


def test_junit_xml_parses_with_one_testcase_per_check_and_the_failures_counted(graded):
    root = ET.fromstring(render(graded, "junit", "en").encode("utf-8"))
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    failures = [c for c in cases if c.find("failure") is not None]
    assert len(cases) == int(suite.get("tests")) == len(graded.tests)
    assert len(failures) == int(suite.get("failures")) == len(graded.failed()) > 0
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
    # a learner's ``` cannot close the fence early
    assert text.count("```") == 2 * len(handmade().failed())


def test_text_report_lists_functions_and_what_to_fix_in_the_chosen_language():
    zh, en = render(handmade(), "text", "zh"), render(handmade(), "text", "en")
    assert "得分（score）: 2 / 9.5" in zh and "没有学会" in zh
    assert "Score: 2 / 9.5" in en and "did not learn" in en and "没有" not in en


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_in_both_languages(graded, fmt):
    for lang in ("zh", "en"):
        assert render(graded, fmt, lang).strip()
