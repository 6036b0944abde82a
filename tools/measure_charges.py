"""One mistake, one charge, measured on the misconception corpus (tests/mistakes/misconceptions.py):
each case graded in-process (the real checks and scoring, autograder/core/in_process.py's double in place of
the sandbox), then per function: how many of its mistakes are caught (its own score below its
maximum), named (the report names the case's misconception in that function; the unnamed cases
count when they name none), and charged elsewhere (points other functions lose for them).

    python -m tools.measure_charges            # the table, and every case charged elsewhere
    python -m tools.measure_charges -k sigmoid # only the cases whose name contains "sigmoid"
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.core.grade import grade_submission  # noqa: E402
from autograder.core.in_process import InProcessSubmission, opener  # noqa: E402
from tests.mistakes.misconceptions import Case, corpus  # noqa: E402


@dataclass(frozen=True)
class Measured:
    case: Case
    caught: bool
    named: bool
    elsewhere: dict[str, float]  # {other function: points it lost}
    root_causes: dict[str, set]  # {other function that lost points: the root causes its checks name}


def measure(case: Case) -> Measured:
    results = grade_submission("nn_basics.py", opener=opener(InProcessSubmission(case.source)))
    scores = results.by_function()
    own_score, own_max = scores[case.function]
    named = {r.function: r.misconception.id for r in results.tests if r.misconception}
    expected = {case.function: case.misconception} if case.misconception else {}
    elsewhere = {f: m - s for f, (s, m) in scores.items() if f != case.function and s < m}
    roots = {f: {t.root_cause for t in results.for_function(f) if not t.passed} for f in elsewhere}
    return Measured(case, own_score < own_max, named == expected, elsewhere, roots)


def table(measured: list[Measured]) -> str:
    rows: dict[str, list[Measured]] = defaultdict(list)
    for m in measured:
        rows[m.case.function].append(m)
    lines = [f"{'function':<24}{'mistakes':>9}{'caught':>8}{'named':>7}{'elsewhere':>11}{'points':>8}"]
    for fn, ms in rows.items():
        lost = sum(sum(m.elsewhere.values()) for m in ms)
        lines.append(
            f"{fn:<24}{len(ms):>9}{sum(m.caught for m in ms):>8}{sum(m.named for m in ms):>7}"
            f"{sum(bool(m.elsewhere) for m in ms):>11}{lost:>8g}"
        )
    total = sum(sum(m.elsewhere.values()) for m in measured)
    lines.append(
        f"{'total':<24}{len(measured):>9}{sum(m.caught for m in measured):>8}"
        f"{sum(m.named for m in measured):>7}{sum(bool(m.elsewhere) for m in measured):>11}{total:>8g}"
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only the cases whose name contains this")
    options = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # the corpus' overflows, by design
    measured = [measure(case) for case in corpus() if options.k in case.name]
    print(table(measured))
    for m in measured:
        if m.elsewhere or not m.caught or not m.named:
            print(
                f"{m.case.name} ({m.case.function}): caught={m.caught} named={m.named} "
                f"elsewhere={m.elsewhere} root causes named there={m.root_causes}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
