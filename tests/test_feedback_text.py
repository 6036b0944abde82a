"""Feedback that reads right (issue 19, items 3-5): every error explained in the learner's
language, a dtype slip charged once, numbers and words that read right.

Most submissions here are graded in-process (tests/fakes.py): the texts come from the grader's
side; the load error of a notebook goes through the real sandbox, whose worker reports it."""

from __future__ import annotations

import json
import re
import string

import nbformat
import pytest

from autograder import reporters
from autograder.core.grade import grade_submission
from autograder.doors.nbgrader_hooks import function_report
from autograder.messages import MESSAGES
from tests.fakes import InProcessSubmission, opener
from tests.mistakes import reference_source, with_bodies

CONTRACT = {
    "sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative", "leaky_relu",
    "leaky_relu_derivative", "elu", "elu_derivative", "swish", "swish_derivative", "softmax", "init_params",
    "forward_prop", "cost_function", "backward_prop", "update_params", "predict", "train",
    "numerical_gradient", "relative_error", "gradient_check",
}  # fmt: skip


def graded(source: str):
    return grade_submission("nn_basics.py", opener=opener(InProcessSubmission(source)))


def failed_names(results) -> set[str]:
    return {test.name for test in results.failed()}


def zh_report(results) -> str:
    return reporters.render(results, "text", "zh")


# Raw English of numpy and Python that must never reach a zh report
RAW_ENGLISH = re.compile(
    r"matmul: Input operand|gufunc|could not be broadcast|is not defined|not aligned|"
    r"unsupported operand|out of bounds|object is not|has no attribute|the worker ended"
)


# --- item 3: every error explained ------------------------------------------------------------


def test_a_missing_transpose_names_the_arrays_and_the_shape_table_in_chinese():
    source = with_bodies(
        {
            "backward_prop": """
            z1, a1, z2, y_hat = cache
            delta2 = -(y - y_hat) * sigmoid_derivative(z2)
            delta1 = (delta2 @ params["Why"]) * sigmoid_derivative(z1)
            return {"Wxh": X.T @ delta1, "bh": np.sum(delta1, axis=0, keepdims=True),
                    "Why": a1.T @ delta2, "by": np.sum(delta2, axis=0, keepdims=True)}
            """
        }
    )
    results = graded(source)
    report = zh_report(results)
    assert not RAW_ENGLISH.search(report), RAW_ENGLISH.search(report)
    (first, *others) = [test for test in results.for_function("backward_prop") if not test.passed]
    said = first.feedback.zh
    assert "矩阵乘法" in said and '`delta2` @ `params["Why"]`' in said
    assert "左边数组的最后一维是 2" in said and "右边数组的第一维是 4" in said  # (6, 2) @ (4, 2)
    assert "「反向传播（backpropagation）」一节的形状表" in said
    assert "函数 `backward_prop` 里" in said and 'delta1 = (delta2 @ params["Why"])' in said
    # eleven times on main; now once, the others pointing to it, scores unchanged
    assert f"另有 {len(others)} 项检查因此失败" in said and others
    assert all("原因相同" in test.feedback.zh for test in others)
    assert "matmul" in first.feedback.en  # the English original stays for the English report


def test_a_name_error_quotes_the_line_and_its_function_not_the_english_message():
    results = graded(with_bodies({"relu": "return np.maximum(0, undefined_thing)"}))
    first = next(test for test in results.for_function("relu") if not test.passed)
    said = first.feedback.zh
    assert "名字 `undefined_thing` 没有定义" in said and "函数 `relu` 里" in said
    assert "出错的代码：return np.maximum(0, undefined_thing)" in said
    assert not RAW_ENGLISH.search(zh_report(results))
    assert "name 'undefined_thing' is not defined" in first.feedback.en


@pytest.mark.parametrize(
    "body, words",
    [
        ('return {"Wxh": 1}["Why"] * x', "字典里没有键 'Why'"),
        ("return np.asarray(x)[99, 99]", "下标超出范围"),
        ("return None - x", "运算 `-` 不能用于 `NoneType` 和"),
    ],
)
def test_index_key_and_type_errors_are_told_in_chinese(body, words):
    results = graded(with_bodies({"tanh": body}))
    first = next(test for test in results.for_function("tanh") if not test.passed)
    assert words in first.feedback.zh and "函数 `tanh` 里" in first.feedback.zh
    assert not RAW_ENGLISH.search(zh_report(results))


def _notebook(tmp_path, cells) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    path = tmp_path / "ch01.ipynb"
    nbformat.write(nb, str(path))
    return str(path)


def _answer(source: str):
    return nbformat.v4.new_code_cell(
        source, metadata={"nbgrader": {"solution": True, "grade": False, "grade_id": f"a{abs(hash(source))}"}}
    )


def test_a_load_error_names_the_section_and_line_never_a_cell_number(tmp_path):
    """Through the real sandbox: the worker reports "cell 3, line 2: ..." and the grader, which
    holds the notebook, says the section's title and quotes the line instead."""
    path = _notebook(
        tmp_path,
        [
            nbformat.v4.new_markdown_cell("# 第 1 章"),
            _answer("import numpy as np\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))"),
            nbformat.v4.new_markdown_cell("### 训练（train）\n\n说明文字"),
            _answer("def train(X, y):\n    return None\nresult = train_helper(1)"),
        ],
    )
    results = grade_submission(path)
    report = zh_report(results)
    assert "cell 3" in results.load_error  # the worker's words, kept for the instructor
    assert "cell 3" not in report and "单元格 3" not in report
    assert "「训练（train）」一节的答案单元格，第 3 行" in report
    assert "名字 `train_helper` 没有定义" in report and "出错的代码：result = train_helper(1)" in report
    assert not RAW_ENGLISH.search(report)
    for fmt in ("markdown", "gradescope"):
        assert "「训练（train）」一节" in reporters.render(results, fmt, "zh")


@pytest.mark.parametrize(
    "cells, said, unsaid",
    [
        ([], "你的提交是空的", "没有找到任何一个练习函数"),
        ([nbformat.v4.new_markdown_cell("# 第 1 章")], "你的提交是空的", "没有找到任何一个练习函数"),
        ([nbformat.v4.new_code_cell("x = 1\nprint(x)")], "没有找到任何一个练习函数", "你的提交是空的"),
    ],
    ids=["no cells", "no code cells", "another notebook"],
)
def test_an_empty_or_answerless_notebook_is_said_once(cells, said, unsaid):
    source = [{"index": i, "source": c.source} for i, c in enumerate(cells) if c.cell_type == "code"]
    results = grade_submission("ch01.ipynb", opener=opener(InProcessSubmission(source)))
    assert results.score == 0
    report = zh_report(results)
    assert report.count(said) == 1 and unsaid not in report
    assert "没有找到函数" not in report  # not once per check (80 lines on main)
    assert f"另有 {len(results.tests) - 1} 项检查因此失败" in report


def test_repeated_failures_collapse_in_every_format_without_changing_scores():
    source = reference_source().replace("def train(", "def train_network(")
    results = graded(source)
    train = results.for_function("train")
    assert results.score == 88 and all(not test.passed for test in train)  # train's 12 points
    more = f"另有 {len(train) - 1} 项检查因此失败"
    en_more = f"{len(train) - 1} more checks failed for the same reason"
    for fmt in ("text", "markdown", "junit", "gradescope"):
        assert reporters.render(results, fmt, "zh").count(more) == 1, fmt
        assert reporters.render(results, fmt, "en").count(en_more) == 1, fmt
    data = json.loads(reporters.render(results, "json", "zh"))
    assert sum(more in test["output"] for test in data["tests"]) == 1 and data["score"] == 88
    assert function_report(results, "train")[1].count(more) == 1  # nbgrader's test cell
    assert function_report(results, "train")[0] == 0


# --- item 4: proportionate charges ------------------------------------------------------------


def test_an_int64_relu_derivative_with_right_values_loses_only_the_dtype_property():
    results = graded(with_bodies({"relu_derivative": "return (np.asarray(x) > 0).astype(np.int64)"}))
    assert failed_names(results) == {"relu_derivative_returns_float64"}
    assert results.score == 99.5
    (test,) = results.failed()
    assert "期望 float64 数组，得到 dtype int64" in test.feedback.zh


def test_a_float32_sigmoid_loses_only_sigmoid_dtype_property_in_sigmoid():
    body = "x = np.asarray(x, dtype=np.float32)\nreturn (1 / (1 + np.exp(-x))).astype(np.float32)"
    results = graded(with_bodies({"sigmoid": body}))
    assert {test.name for test in results.failed() if test.function == "sigmoid"} == {
        "sigmoid_returns_float64"
    }
    # what calls sigmoid pays at most its own dtype property (its values are right in float32)
    charged = {test.name for test in results.failed() if test.function != "sigmoid"}
    assert all(name.endswith("_returns_float64") for name in charged), charged


def test_a_value_off_in_float32_precision_still_fails():
    results = graded(
        with_bodies({"tanh": "return np.tanh(np.asarray(x, dtype=np.float32)) * np.float32(1.001)"})
    )
    assert "tanh_matches_reference" in failed_names(results)


# --- item 5: numbers and words that read right ------------------------------------------------


def test_numbers_show_the_digits_that_tell_them_apart():
    from autograder.checks.formatting import told_apart

    assert told_apart(1.565854, 1.565856) == {"expected": "1.565854", "got": "1.565856"}  # not 1.56585/6
    assert told_apart(0.25, 0.75) == {"expected": "0.25", "got": "0.75"}
    assert told_apart(1 + 1e-15, 1 + 2e-15)["expected"] != told_apart(1 + 1e-15, 1 + 2e-15)["got"]


def test_a_near_miss_in_feedback_never_reads_as_equal():
    results = graded(with_bodies({"tanh": "return np.tanh(np.asarray(x, dtype=float)) * (1 + 3e-6)"}))
    text = next(test for test in results.failed() if test.name == "tanh_matches_reference").feedback.zh
    expected, got = re.search(r"期望 (\S+)，得到 (\S+?)。", text).groups()
    assert abs(float(got) / float(expected) - 1 - 3e-6) < 5e-7, text  # the difference as it is


@pytest.mark.parametrize(
    "body",
    ["return float(np.mean((y - y_hat) ** 2))", "return float(0.5 * np.mean((y - y_hat) ** 2))"],
    ids=["mse", "half mse"],
)
def test_the_mean_cost_hint_fires_for_the_chapters_mse_wording(body):
    results = graded(with_bodies({"cost_function": body}))
    for name in ("cost_function_matches_reference", "cost_function_sums_over_samples_and_outputs"):
        test = next(test for test in results.tests if test.name == name)
        assert not test.passed and "平均值（mean）" in test.feedback.zh, name


def test_a_key_of_a_returned_dict_follows_the_call_not_the_shapes():
    body = """
    grads = {"Wxh": np.zeros(params["Wxh"].shape), "bh": np.zeros(3),
             "Why": np.zeros(params["Why"].shape), "by": np.zeros(params["by"].shape)}
    return grads
    """
    results = graded(with_bodies({"backward_prop": body}))
    text = "\n".join(test.feedback.zh for test in results.failed())
    assert "backward_prop(X, y, params, cache)['bh']" in text
    assert not re.search(r"\)\['bh'\]", text.replace("cache)['bh']", ""))


# The allow-list: code names and the notation of the chapter. A Latin word elsewhere in zh text is
# an English fragment, unless it stands in parentheses (a term given beside its Chinese).
CODE_WORDS = CONTRACT | {
    "np", "numpy", "dtype", "float", "float64", "float32", "int", "int64", "list", "dict", "tuple", "None",
    "NaN", "nan", "inf", "return", "import", "exit", "sum", "where", "maximum", "keepdims", "True", "axis",
    "alpha", "beta", "seed", "epsilon", "params", "grads", "cache", "delta", "costs", "num_hidden", "Wxh",
    "bh", "Why", "by", "shape", "copy", "astype", "default_rng", "random", "sys", "os", "modules", "if",
    "array", "NotImplementedError", "NameError", "TypeError", "ValueError", "IndexError", "KeyError",
    "ZeroDivisionError", "AttributeError", "SIGKILL", "lang", "en", "ch01", "ipynb", "nn_basics", "py",
    "http", "https", "mailto", "JSON", "UTF", "nbformat", "FIFO", "MB", "tokens", "cells", "sigmoid",
    "MSE", "ReLU", "ELU", "leaky", "XOR", "sha", "commit", "dJ", "dp", "Python",
}  # fmt: skip
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def english_fragments(text: str) -> list[str]:
    """Latin words of a zh text outside code spans, parentheses and code-like tokens."""
    text = re.sub(r"`[^`]*`", " ", text)
    for _ in range(3):  # nested parentheses, inner first
        text = re.sub(r"（[^（）]*）|\([^()]*\)", " ", text)
    words = []
    for match in LATIN_WORD.finditer(text):
        word, after = match[0], text[match.end() : match.end() + 1]
        before = text[match.start() - 1 : match.start()] if match.start() else ""
        code_like = (
            "_" in word
            or any(c.isdigit() for c in word)
            or (after and after in "([.=")
            or (before and before in ".'\"/")
        )
        if len(word) > 1 and not code_like and word not in CODE_WORDS:
            words.append(word)
    return words


SAMPLES = {
    "fn": "sigmoid", "call": "sigmoid(x), x.shape = (3, 4)", "error": "ValueError", "detail": "…",
    "where": "x[0, 1] = 0.5", "expected": 1.56585, "got": 1.56586, "reason": "…", "name": "ch01.ipynb",
    "check": "sigmoid_matches_reference", "n": 3, "names": "sigmoid_correct_at_extreme_inputs",
}  # fmt: skip


def _filled(template: str) -> str:
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return template.format(**{name: SAMPLES.get(name, "1") for name in fields})


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_no_english_fragment_in_any_zh_message(key):
    assert english_fragments(_filled(MESSAGES[key][0])) == []


def test_no_english_fragment_in_the_feedback_of_real_mistakes():
    """The labels the checks write (network shapes, XOR tables, gradient_check's cases) and the
    places they name, on mistakes whose feedback shows them."""
    bodies = {
        "backward_prop": "return {k: np.ones_like(v) for k, v in params.items()}",
        "cost_function": "return float(np.sum((y - y_hat) ** 2))",
        "gradient_check": "return 0.0",
        "train": "params = init_params(2, num_hidden, 1, seed=seed)\nreturn params, [0.0] * num_iterations",
        "forward_prop": "return X, X, X, X",
        "relative_error": "return 1.0",
        "tanh": "return np.tanh(np.asarray(x, dtype=float)) * 1.5",
    }
    results = graded(with_bodies(bodies))
    text = zh_report(results)
    assert english_fragments(text) == []
    for fragment in ("network ", "在 index", "grads correct", "y = AND", "y = XOR", "在 J 处", ")['bh']"):
        assert fragment not in text, fragment


def test_the_scanner_finds_the_fragments_main_had():
    for fragment in ("X.shape = (4, 2), network 2-5-1", "在 index [0, 0] 处", "grads correct", "y = AND"):
        assert english_fragments(fragment), fragment
    assert english_fragments("没有找到函数 `sigmoid`（missing）：保留 np.where") == []


def test_a_crash_is_told_in_chinese_and_its_english_kept_for_the_english_report(tmp_path):
    path = tmp_path / "nn_basics.py"
    path.write_text(with_bodies({"tanh": "import os\nos._exit(3)"}), encoding="utf-8")
    results = grade_submission(str(path))
    first = next(test for test in results.for_function("tanh") if not test.passed)
    assert "退出码（exit code）3" in first.feedback.zh and "exit code 3" in first.feedback.en
    assert not RAW_ENGLISH.search(zh_report(results))
