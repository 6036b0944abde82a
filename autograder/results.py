"""The one results model every reporter renders.

Flat dataclasses in the manner of otter-grader's test results: a `CheckResult` per check, a
`Results` per submission. Scores are computed from `passed` and the rubric points, never
stored, so a renderer cannot disagree with the total. Every text is in both languages; the
reporter picks one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .messages import Text, t
from .quoting import clean


@dataclass(frozen=True)
class Named:
    """A misconception named on a result (autograder/misconceptions.py): its id and message,
    plain data, so results pickle between a class's grading slots."""

    id: str
    text: Text

    def to_json(self) -> dict:
        return {"id": self.id, "zh": self.text.zh, "en": self.text.en}


@dataclass(frozen=True)
class Figure:
    """A picture of one function's values that lost points (drawn by autograder/figures/ from
    values the learner's functions returned on public inputs): image bytes, their MIME type and
    a caption in both languages, which every text format shows in place of the picture."""

    function: str
    data: bytes
    mime: str = "image/png"
    caption: Text = Text()


@dataclass(frozen=True)
class CheckResult:
    name: str
    function: str  # the contract function this check grades (its tag)
    max_score: float
    passed: bool
    feedback: Text = Text()
    # The check itself broke (a grader fault, not the learner's): scored 0 until the grader is
    # fixed and the submission re-graded, but shown as a grader error, never as a learner's miss.
    error: bool = False
    # The helper function (another contract function) whose mistake this check's result is due
    # to: the check paid because this function is right given it, or failed only through it
    # (checks/helpers.py). Its feedback names it; JSON reports carry it as `root_cause`.
    root_cause: str | None = None
    # what failed when it is not the check's own comparison (grade.collapse_causes): checks of one
    # cause are told once; the report keeps the key for instructors (JSON `cause`)
    cause: str = ""
    # the catalogued misconception its function's values match (misconceptions.py), if any
    misconception: Named | None = None

    def __post_init__(self) -> None:
        # Feedback quotes learner text: cleaned and capped once here, so every consumer of the
        # model (reporters, Gradescope, CI, nbgrader) gets text that is inert and encodable.
        object.__setattr__(self, "feedback", Text(clean(self.feedback.zh), clean(self.feedback.en)))

    @property
    def score(self) -> float:
        return self.max_score if self.passed else 0.0

    @property
    def status(self) -> str:
        """passed / failed / error (pytest's three outcomes)."""
        return "passed" if self.passed else "error" if self.error else "failed"

    @property
    def tags(self) -> list[str]:
        return [self.function]

    def render(self, lang: str = "zh") -> str:
        """One line of status, then the feedback (failed checks only)."""
        mark = "✓" if self.passed else "⚠" if self.error else "✗"
        head = f"{mark} {self.name} ({_num(self.score)}/{_num(self.max_score)})"
        if self.error:
            head += " " + t("grader_error_mark").render(lang)
        body = self.feedback.render(lang) if not self.passed or self.root_cause else ""
        return head + ("\n" + _indent(body) if body else "")


@dataclass
class Results:
    submission: str
    tests: list[CheckResult]
    execution_time: float = 0.0
    load_error: str | None = None  # what the learner's module raised while loading, if anything
    functions: list[str] = field(default_factory=list)  # contract functions in rubric order
    # why nothing was loaded (a refused submission), in both languages; load_error then holds
    # the same in English, for logs and the JSON report
    refused: Text | None = None
    # load_error explained in the learner's words (sections and lines, not cell numbers)
    load_note: Text | None = None
    # that no contract function was found at all (an empty notebook, one without answers, another
    # file), when nothing raised: said once, in both languages (grade.grade_submission)
    unanswered: Text | None = None
    # pictures of the functions that lost points, by function (only those; none when all passed)
    figures: dict[str, Figure] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.load_error = clean(self.load_error) if self.load_error else self.load_error

    @property
    def score(self) -> float:
        return round(sum(c.score for c in self.tests), 6)

    @property
    def notice(self) -> Text | None:
        """Why points were lost before any check ran, in both languages, for every door to show
        above the checks: the refusal, the load error, or that no contract function was found."""
        if self.refused:
            return self.refused
        if self.load_error:  # located in the learner's terms when the grader could (load_note)
            return self.load_note or t("load_error", error=self.load_error)
        if self.unanswered:
            return self.unanswered
        if self.tests and self._none_defined():
            return t("nothing_defined")
        return None

    @property
    def reason(self) -> str:
        """`notice` for instructors (gradebook.csv's error column, logs): English, one line."""
        if self.load_error:  # refused or raised: load_error says which, in English
            return " ".join(f"load error: {self.load_error}".split())
        notice = self.notice
        return notice.en if notice else ""

    def _none_defined(self) -> bool:
        """No check passed or broke, and each function has a check that found it missing."""
        if any(c.passed or c.error for c in self.tests):
            return False
        missing = {c.function for c in self.tests if _says(c.feedback, _cleaned(t("missing", fn=c.function)))}
        return missing == {c.function for c in self.tests}

    @property
    def max_score(self) -> float:
        return round(sum(c.max_score for c in self.tests), 6)

    def for_function(self, function: str) -> list[CheckResult]:
        return [c for c in self.tests if c.function == function]

    def by_function(self) -> dict[str, tuple[float, float]]:
        """{function: (score, max_score)} in rubric order."""
        order = self.functions or list(dict.fromkeys(c.function for c in self.tests))
        return {
            f: (
                round(sum(c.score for c in self.for_function(f)), 6),
                round(sum(c.max_score for c in self.for_function(f)), 6),
            )
            for f in order
        }

    def failed(self) -> list[CheckResult]:
        """Every check that did not pass: the learner's misses and the grader's errors."""
        return [c for c in self.tests if not c.passed]

    @property
    def grader_errors(self) -> list[CheckResult]:
        """Checks that broke inside the grader: never the learner's loss; re-grade after a fix."""
        return [c for c in self.tests if c.error]


def _says(feedback: Text, text: Text) -> bool:
    """Whether `feedback` is `text`, in either language (a report read back holds one)."""
    return feedback.zh == text.zh or feedback.en == text.en


def _cleaned(text: Text) -> Text:
    """`text` as CheckResult stores feedback."""
    return Text(clean(text.zh), clean(text.en))


def _num(value: float) -> str:
    """Points without a trailing .0 (3 rather than 3.0, but 1.5 stays)."""
    return f"{value:g}"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


# -- the misconception a result names (misconceptions.py), as reporters show it ----------------


def note(result: CheckResult) -> Text:
    """The learner-facing line naming a result's misconception."""
    assert result.misconception is not None
    return t("misconception_note", text=result.misconception.text)


def last_failures(tests: list[CheckResult]) -> set[int]:
    """Indexes of each function's last failed check that carries a misconception: where a
    report listing failures one after another says it, once per function."""
    return set({r.function: i for i, r in enumerate(tests) if not r.passed and r.misconception}.values())


def first_failures(tests: list[CheckResult]) -> set[int]:
    """Indexes of each function's first failed check that carries a misconception: the one
    whose own output says it, in formats that show each check on its own."""
    first: dict[str, int] = {}
    for i, r in enumerate(tests):
        if not r.passed and r.misconception:
            first.setdefault(r.function, i)
    return set(first.values())


# -- the root cause first (checks/helpers.py): what every feedback page says before the checks -------


def root_causes(tests: list[CheckResult]) -> dict[str, list[str]]:
    """{helper: the other functions whose checks were judged through its mistake}, helpers in the
    order they are first named: the functions to fix first, said once at the top of a page."""
    causes: dict[str, list[str]] = {}
    for r in tests:
        if r.root_cause and r.root_cause != r.function:
            functions = causes.setdefault(r.root_cause, [])
            if r.function not in functions:
                functions.append(r.function)
    return causes


def fix_first(results: Results) -> list[Text]:
    """What a page says before any function: the root causes, each once, in both languages."""
    return [
        t("page_root_cause", helper=helper, functions=", ".join(functions))
        for helper, functions in root_causes(results.tests).items()
    ]


def lost_points_first(results: Results) -> list[str]:
    """The functions that lost points, root causes first, then the others in rubric order."""
    lost = [f for f, (score, max_score) in results.by_function().items() if score < max_score]
    causes = [f for f in root_causes(results.tests) if f in lost]
    return causes + [f for f in lost if f not in causes]
