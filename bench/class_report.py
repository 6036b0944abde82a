"""The class report at scale: N learners' JSON reports built synthetically (not graded: the
rubric's real checks, each passed or failed by a fixed pseudo-random mix), then the wall time of
`python -m autograder class-report` on them, imports and pictures included.

    python -m bench.class_report --n 3000
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from autograder.core.grade import load_rubric, without_results
from autograder.messages import t
from autograder.reporters import render
from autograder.results import CheckResult, Named, Outcome, Results, Text

# per ten learners: 3 correct, 4 mistaken, 1 blank, 1 hung in softmax, 1 refused or absent
# every HOSTILE-th learner is named, and raises, with markup (the page must show it as text)
HOSTILE = 25
HOSTILE_TEXT = "<img src=x onerror=alert(1)><svg onload=alert(2)>"  # no slash: it names a file
CYCLE = (
    "correct",
    "correct",
    "correct",
    "mistaken",
    "mistaken",
    "mistaken",
    "mistaken",
    "blank",
    "hang",
    "gone",
)


def learner_results(index: int, rubric: dict[str, dict[str, float]], rng: random.Random) -> Results:
    """Learner `index`'s results: a profile of CYCLE, mistaken ones failing a random few checks."""
    profile = CYCLE[index % len(CYCLE)]
    if profile == "gone":
        return without_results(
            f"learner{index:05d}", "no submission" if index % 20 else "no submission: a link"
        )
    skill = rng.random()
    tests = []
    for function, table in rubric.items():
        for name, points in table.items():
            if profile == "correct":
                passed, feedback = True, t("passed")
            elif profile == "blank":
                passed, feedback = False, t("not_implemented", fn=function)
            elif profile == "hang" and function == "softmax":
                passed, feedback = False, t("timeout", call=f"{function}(x)")
            else:
                passed = profile == "hang" or rng.random() < 0.55 + 0.45 * skill
                error = HOSTILE_TEXT if index % HOSTILE == 0 else "ValueError: shapes"
                feedback = t("exception", call=f"{function}(x)", error=error)
            outcome = Outcome.PASSED if passed else Outcome.FAILED
            tests.append(CheckResult(name, function, float(points), outcome=outcome, feedback=feedback))
    return Results(
        f"learner{index:05d}", tests, execution_time=round(rng.uniform(0.5, 9.0), 3), functions=list(rubric)
    )


def misconception(function: str, rng: random.Random) -> dict[str, str]:
    """One of three catalogue entries per function (the feedback team's `misconception` field)."""
    k = rng.randrange(3)
    return {"id": f"{function}.m{k}", "zh": f"{function} 错误 {k}", "en": f"{function} mistake {k}"}


def with_misconception(test: CheckResult, rng: random.Random) -> CheckResult:
    """Most failed checks that raised name a catalogue entry, as the misconception probes do."""
    if test.passed or "(x)" not in test.feedback.zh or rng.random() >= 0.8:
        return test
    found = misconception(test.function, rng)
    return replace(test, misconception=Named(found["id"], Text(found["zh"], found["en"])))


def write_class(dest: Path, n: int, seed: int = 21) -> list[str]:
    """dest/<learner>.json for N learners, as grade-all writes them, a misconception on most
    mistaken checks, some learners named and raising markup; the learner ids."""
    rubric = load_rubric()
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    learners = []
    for index in range(n):
        results = learner_results(index, rubric, rng)
        results.tests = [with_misconception(test, rng) for test in results.tests]
        learner = f"learner{index:05d}" + (HOSTILE_TEXT if index % HOSTILE == 0 else "")
        (dest / f"{learner}.json").write_text(render(results, "json", "zh"), encoding="utf-8")
        learners.append(learner)
    return learners


def measure(n: int = 3000, work: Path | None = None) -> float:
    """Seconds `class-report` takes on N synthetic learners (the reports' writing not counted)."""
    with tempfile.TemporaryDirectory(prefix="nn-class-report-") as temporary:
        folder = (work or Path(temporary)) / f"class-{n}"
        write_class(folder, n)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "autograder", "class-report", str(folder)], check=True, capture_output=True
        )
        return time.perf_counter() - started


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args(argv)
    print(f"class-report on {args.n} learners: {measure(args.n):.1f} s")


if __name__ == "__main__":
    main()
