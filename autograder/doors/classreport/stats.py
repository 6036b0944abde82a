"""The numbers of the class report, from the learners' results alone (no drawing, no HTML)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from ...results import number
from .reports import Learner, problem


@dataclass(frozen=True)
class Summary:
    count: int
    max_score: float
    mean: float
    median: float
    q1: float
    q3: float
    zeros: dict[str, list[str]]  # why: learners at 0 for that reason ("" = graded, earned nothing)

    def line(self) -> str:
        """The instructor's one-line summary at the end of grade-all, merge and class-report."""
        if not self.count:
            return "class: no learners"
        why = "; ".join(
            f"{kind.replace('_', ' ') or 'graded, no check passed'}: {len(names)}"
            for kind, names in self.zeros.items()
        )
        return (
            f"class: {self.count} learners, out of {number(self.max_score)}: mean {self.mean:.1f}, median "
            f"{number(self.median)}, quartiles {number(self.q1)} / {number(self.q3)}; "
            f"{sum(map(len, self.zeros.values()))} at 0" + (f" ({why})" if why else "")
        )


def summary(learners: list[Learner]) -> Summary:
    scores = np.array([learner.score for learner in learners], dtype=float)
    zeros: dict[str, list[str]] = defaultdict(list)
    for learner in learners:
        if learner.score == 0:
            found = problem(learner)
            zeros[found[0] if found else ""].append(learner.learner)
    if not len(scores):
        return Summary(0, 0.0, 0.0, 0.0, 0.0, 0.0, {})
    q1, median, q3 = np.percentile(scores, [25, 50, 75])
    return Summary(
        count=len(learners),
        max_score=max(learner.max_score for learner in learners),
        mean=float(scores.mean()),
        median=float(median),
        q1=float(q1),
        q3=float(q3),
        zeros=dict(zeros),
    )


@dataclass(frozen=True)
class Item:
    """One check across the class: who passed it, and how well it tells learners apart."""

    name: str
    function: str
    max_score: float
    passed: int
    graded: int
    discrimination: float | None  # None when everybody or nobody passed (no variance)

    @property
    def difficulty(self) -> float:
        """The pass rate (classical test theory's item difficulty, p)."""
        return self.passed / self.graded if self.graded else 0.0

    @property
    def flag(self) -> str:
        if self.graded and self.passed == 0:
            return "nobody"
        if self.graded and self.passed == self.graded:
            return "everybody"
        return ""


def items(learners: list[Learner]) -> list[Item]:
    """Each check, in rubric order: pass count and discrimination, the correlation of passing it
    with the rest of the score (the total without this check's points; a corrected item-total
    correlation). Only learners whose code was graded count: a learner with no submission, refused,
    not loaded or met by a grader error scores 0 on every check, which says nothing of a check."""
    graded = [learner for learner in learners if learner.checks and graded_normally(learner)]
    if not graded:
        return []
    order = list(
        dict.fromkeys((c.name, c.function, c.max_score) for learner in graded for c in learner.checks)
    )
    index = {name: i for i, (name, _, _) in enumerate(order)}
    passed = np.zeros((len(graded), len(order)))
    earned = np.zeros((len(graded), len(order)))
    for row, learner in enumerate(graded):
        for check in learner.checks:
            column = index[check.name]
            passed[row, column] = check.passed
            earned[row, column] = check.score
    rest = earned.sum(axis=1, keepdims=True) - earned
    return [
        Item(
            name,
            function,
            max_score,
            int(passed[:, i].sum()),
            len(graded),
            _correlation(passed[:, i], rest[:, i]),
        )
        for i, (name, function, max_score) in enumerate(order)
    ]


def graded_normally(learner: Learner) -> bool:
    """The learner's code was loaded and every check ran on it (a call over a limit is the code's)."""
    found = problem(learner)
    return found is None or found[0] == "limit"


def _correlation(a: np.ndarray, b: np.ndarray) -> float | None:
    if a.std() == 0 or b.std() == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


@dataclass(frozen=True)
class Misconception:
    function: str
    key: str  # the catalogue's id, or the failed check's name when the report names none
    label: dict[str, str]  # {"zh": ..., "en": ...}
    learners: list[str]


def misconceptions(learners: list[Learner], per_function: int = 5) -> dict[str, list[Misconception]]:
    """{function: its most common misconceptions, most learners first}. A learner counts once per
    misconception; learners not graded normally are left out (see `items`)."""
    found: dict[tuple[str, str], Misconception] = {}
    for learner in learners:
        if not graded_normally(learner):
            continue
        for check in learner.checks:
            if check.passed:
                continue
            entry = check.misconception
            key = entry["id"] if entry else check.name
            label = (
                {"zh": entry.get("zh", key), "en": entry.get("en", key)} if entry else {"zh": key, "en": key}
            )
            item = found.setdefault((check.function, key), Misconception(check.function, key, label, []))
            if not item.learners or item.learners[-1] != learner.learner:
                item.learners.append(learner.learner)
    by_function: dict[str, list[Misconception]] = defaultdict(list)
    for item in sorted(found.values(), key=lambda m: (-len(m.learners), m.key)):
        if len(by_function[item.function]) < per_function:
            by_function[item.function].append(item)
    return dict(by_function)


def problems(learners: list[Learner]) -> list[tuple[str, str, str]]:
    """(learner, kind, reason) of every learner not graded normally, by kind then learner."""
    found = [(learner.learner, *kind) for learner in learners if (kind := problem(learner))]
    return sorted(found, key=lambda row: (row[1], row[0]))


def slowest(learners: list[Learner], count: int = 10) -> list[Learner]:
    return sorted(learners, key=lambda learner: -learner.execution_time)[:count]
