"""Every learner-facing text lives in autograder/messages.py, in both languages: a key with a
Chinese and an English text that take the same values, and no Chinese text anywhere else in the
package (a second home for learner text would drift from this one)."""

from __future__ import annotations

import io
import re
import string
import tokenize
from pathlib import Path

import pytest

from autograder.messages import MESSAGES, Text, in_language, t

PACKAGE = Path(__file__).resolve().parents[1] / "autograder"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_taking_the_same_values(key):
    zh, en = MESSAGES[key]
    assert CJK.search(zh), f"{key}: the zh text holds no Chinese"
    assert en.strip() and not CJK.search(en), f"{key}: the en text is empty or not English"
    assert fields(zh) == fields(en), f"{key}: zh takes {fields(zh)}, en takes {fields(en)}"


def cjk_strings(source: str) -> list[str]:
    """The string literals of a module's source that hold Chinese (comments may)."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [
        tok.string
        for tok in tokens
        if tok.type in (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)) and CJK.search(tok.string)
    ]


def test_the_scan_finds_chinese_in_strings_and_f_strings_but_not_in_comments():
    source = 'x = 1  # 学习率\nTITLE = "得分（score）"\nline = f"{x} 项检查"\n'
    assert len(cjk_strings(source)) == 2 and not cjk_strings("# 学习率\nx = 'score'\n")


# figures/curves.py is also the learners' own copy (make release ships it beside public_checks.py,
# which holds its own Chinese text the same way): it cannot import the catalogue, so its two
# default legend labels live in it; the grader always passes its labels from messages.py.
SHIPPED_TO_LEARNERS = {"figures/curves.py"}


def test_no_other_module_of_the_package_holds_learner_text():
    holders = {
        str(path.relative_to(PACKAGE)): found
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "messages.py" and (found := cjk_strings(path.read_text(encoding="utf-8")))
    }
    assert set(holders) <= SHIPPED_TO_LEARNERS, holders


def test_a_message_filled_with_another_message_stays_in_one_language():
    text = t("summary_when", when=t("shown_hidden"))
    assert text == Text(
        "每项检查的名称和反馈（feedback）：不向学生显示。",
        "Each check's name and feedback: never shown to students.",
    )
    assert in_language("en")("report_score", score=3, max_score=100) == "Score: 3 / 100"
