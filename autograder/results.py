"""The one results model every reporter renders, and its one lossless form.

Flat dataclasses in the manner of otter-grader's test results: a `CheckResult` per check, a
`Results` per submission. Scores are computed from each check's `outcome` and the rubric
points, never stored, so a renderer cannot disagree with the total. Every text is in both
languages; the reporter picks one.

`Results.to_dict()` / `Results.from_dict()` (as pytest's reports.py `_to_json`/`_from_json`):
a plain JSON-able dict holding everything, both languages of every text, the three-state
outcome, figures as base64; `from_dict(r.to_dict()) == r`. It is how results cross a process
or file boundary: grade-all's grading slots, the JSON report (its `results` key), `merge`, the
classroom post step and the class report. Nothing rebuilds results from rendered text or CSV.
"""

from __future__ import annotations

import base64
import enum
from dataclasses import dataclass, field
from typing import Any

from .messages import Text, t
from .quoting import clean

FORMAT = 1  # the lossless dict's version (its "format" key); from_dict refuses any other


class Outcome(str, enum.Enum):
    """A check's one outcome (pytest's three): passed, failed (the learner's loss) or error
    (the check broke in the grader: never the learner's loss)."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"


class FormatError(ValueError):
    """A dict that is not results of this format: another version, or not results at all."""


def text_dict(text: Text) -> dict[str, str]:
    return {"zh": text.zh, "en": text.en}


def text_of(data: Any) -> Text:
    if not isinstance(data, dict) or not all(isinstance(data.get(lang), str) for lang in ("zh", "en")):
        raise FormatError(f"not a text in both languages: {type(data).__name__}")
    return Text(data["zh"], data["en"])


def _optional_text(data: Any) -> Text | None:
    return None if data is None else text_of(data)


@dataclass(frozen=True)
class Named:
    """A misconception named on a result (autograder/core/misconceptions.py): its id and message."""

    id: str
    text: Text

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "zh": self.text.zh, "en": self.text.en}

    to_json = to_dict  # the JSON report's `misconception`: the same shape

    @classmethod
    def from_dict(cls, data: Any) -> Named:
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise FormatError("a misconception without an id")
        return cls(data["id"], text_of(data))


@dataclass(frozen=True)
class Figure:
    """A picture of one function's values that lost points (drawn by autograder/figures/ from
    values the learner's functions returned on public inputs): image bytes, their MIME type and
    a caption in both languages, which every text format shows in place of the picture."""

    function: str
    data: bytes
    mime: str = "image/png"
    caption: Text = Text()

    def to_dict(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "data": base64.b64encode(self.data).decode("ascii"),
            "mime": self.mime,
            "caption": text_dict(self.caption),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figure:
        return cls(
            str(data["function"]),
            base64.b64decode(data["data"], validate=True),
            str(data["mime"]),
            text_of(data["caption"]),
        )


@dataclass(frozen=True)
class CheckResult:
    name: str
    function: str  # the contract function this check grades (its tag)
    max_score: float
    # One of three, never two booleans (a check cannot both pass and break). ERROR: the check
    # itself broke (a grader fault, not the learner's): scored 0 until the grader is fixed and
    # the submission re-graded, shown as a grader error, never as a learner's miss.
    outcome: Outcome
    feedback: Text = Text()
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
        object.__setattr__(self, "outcome", Outcome(self.outcome))  # "passed" too; True is refused
        # Feedback quotes learner text: cleaned and capped once here, so every consumer of the
        # model (reporters, Gradescope, CI, nbgrader) gets text that is inert and encodable.
        object.__setattr__(self, "feedback", Text(clean(self.feedback.zh), clean(self.feedback.en)))

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED

    @property
    def error(self) -> bool:
        """The check broke in the grader (outcome ERROR)."""
        return self.outcome is Outcome.ERROR

    @property
    def score(self) -> float:
        return self.max_score if self.passed else 0.0

    @property
    def status(self) -> str:
        """passed / failed / error (pytest's three outcomes)."""
        return self.outcome.value

    @property
    def tags(self) -> list[str]:
        return [self.function]

    def render(self, lang: str = "zh") -> str:
        """One line of status, then the feedback (failed checks only)."""
        mark = "✓" if self.passed else "⚠" if self.error else "✗"
        head = f"{mark} {self.name} ({number(self.score)}/{number(self.max_score)})"
        if self.error:
            head += " " + t("grader_error_mark").render(lang)
        body = self.feedback.render(lang) if not self.passed or self.root_cause else ""
        return head + ("\n" + _indent(body) if body else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "function": self.function,
            "max_score": self.max_score,
            "outcome": self.outcome.value,
            "feedback": text_dict(self.feedback),
            "root_cause": self.root_cause,
            "cause": self.cause,
            "misconception": self.misconception.to_dict() if self.misconception else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        try:
            outcome = Outcome(data["outcome"])
        except ValueError:
            raise FormatError(f"not an outcome: {data['outcome']!r}") from None
        found = data.get("misconception")
        return cls(
            name=str(data["name"]),
            function=str(data["function"]),
            max_score=float(data["max_score"]),
            outcome=outcome,
            feedback=text_of(data["feedback"]),
            root_cause=data.get("root_cause"),
            cause=str(data.get("cause", "")),
            misconception=None if found is None else Named.from_dict(found),
        )


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
    # why this submission was not graded at all, in English (grade-all: no submission in the
    # entry, the grader failed on it or was stopped): the gradebook's error column says this
    # instead of `reason`; None for every submission that was graded
    not_graded: str | None = None

    def __post_init__(self) -> None:
        self.load_error = clean(self.load_error) if self.load_error else self.load_error

    @property
    def score(self) -> float:
        return round(sum(c.score for c in self.tests), 6)

    def to_dict(self) -> dict[str, Any]:
        """Everything, losslessly, as plain JSON-able data (the module's docstring)."""
        return {
            "format": FORMAT,
            "submission": self.submission,
            "tests": [test.to_dict() for test in self.tests],
            "execution_time": self.execution_time,
            "load_error": self.load_error,
            "functions": list(self.functions),
            "refused": text_dict(self.refused) if self.refused is not None else None,
            "load_note": text_dict(self.load_note) if self.load_note is not None else None,
            "unanswered": text_dict(self.unanswered) if self.unanswered is not None else None,
            "figures": {function: figure.to_dict() for function, figure in self.figures.items()},
            "not_graded": self.not_graded,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Results:
        """The results `to_dict` wrote; FormatError for another version or anything else."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise FormatError(f"not results of format {FORMAT}: {found!r}")
        try:
            return cls(
                submission=str(data["submission"]),
                tests=[CheckResult.from_dict(test) for test in data["tests"]],
                execution_time=float(data["execution_time"]),
                load_error=data["load_error"],
                functions=[str(function) for function in data["functions"]],
                refused=_optional_text(data["refused"]),
                load_note=_optional_text(data["load_note"]),
                unanswered=_optional_text(data["unanswered"]),
                figures={str(fn): Figure.from_dict(figure) for fn, figure in data["figures"].items()},
                not_graded=data["not_graded"],
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            if isinstance(exc, FormatError):
                raise
            raise FormatError(f"malformed results: {type(exc).__name__}: {exc}") from None

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
        sums: dict[str, list[float]] = {f: [0, 0] for f in order}  # one pass: a class report reads thousands
        for c in self.tests:
            if c.function in sums:  # added in check order, as sum() over for_function() would
                sums[c.function][0] += c.score
                sums[c.function][1] += c.max_score
        return {f: (round(score, 6), round(most, 6)) for f, (score, most) in sums.items()}

    def failed(self) -> list[CheckResult]:
        """Every check that did not pass: the learner's misses and the grader's errors."""
        return [c for c in self.tests if not c.passed]

    @property
    def grader_errors(self) -> list[CheckResult]:
        """Checks that broke inside the grader: never the learner's loss; re-grade after a fix."""
        return [c for c in self.tests if c.error]


def _says(feedback: Text, text: Text) -> bool:
    """Whether `feedback` is `text` (in either language)."""
    return feedback.zh == text.zh or feedback.en == text.en


def _cleaned(text: Text) -> Text:
    """`text` as CheckResult stores feedback."""
    return Text(clean(text.zh), clean(text.en))


def number(value: float) -> int | float:
    """Points as every report, gradebook, page and comment writes them, and as JSON numbers: 3
    rather than 3.0, 1.5 stays (six decimals at the most: a sum's float noise never shows)."""
    return int(value) if float(value).is_integer() else round(float(value), 6)


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
