"""Mutation testing of the hidden checks: does the grader notice when the reference is wrong?

mutmut (pinned in requirements.txt) lists every mutant of solutions/nn_basics.py: one small
change each (an operator, a number, a keyword, an argument...). Each mutant is graded with the
hidden grader, in-process (autograder/core/in_process.py's double: the checks and the scoring are the real
ones; only the sandbox is skipped, for speed) in a forked child with a time limit. A mutant is
killed when it scores below 100, survives otherwise. Survivors that no correct-or-not
distinction under the contract can catch are listed in EQUIVALENT with the reason; every
other survivor is a gap in the checks.

    python -m tools.mutants                 # all mutants, 2 at a time; prints the score
    python -m tools.mutants --sample 20     # every k-th mutant, for a quick look
    python -m tools.mutants --report docs/mutants.md

The score is killed / (mutants - equivalent).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from mutmut import Context, list_mutations, mutate

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "solutions" / "nn_basics.py"
TIMEOUT = 300.0  # seconds per mutant: a hang counts as killed (the real sandbox times it out)

# Survivors that are correct under the contract (SPEC.md), keyed by (the line, stripped; the
# index of the mutation on that line, as mutmut numbers them) with the reason.
_AT_ZERO = "differs only at x = 0, where both branches give the same value"
_KINK = (
    "differs only at x = 0, the kink, where the derivative does not exist: SPEC accepts either "
    "one-sided value there (the checks' kink rule)"
)
_CLIPPED = (
    "np.minimum(x, 1) instead of (x, 0) changes only the branch np.where discards (x >= 0); "
    "it only moves where the discarded branch stops overflowing"
)
EQUIVALENT: dict[tuple[str, int], str] = {
    ("return np.where(x >= 0, 1 / (1 + e), e / (1 + e))", 0): _AT_ZERO + " (1/2 and 1/2)",
    ("return (np.asarray(x, dtype=float) > 0).astype(float)", 0): _KINK + " (SPEC: 'either at 0')",
    ("return np.where(x >= 0, x, alpha * x)", 0): _AT_ZERO + " (0 and alpha·0)",
    ("return np.where(x >= 0, 1.0, alpha)", 0): _KINK + " (1 or alpha)",
    ("return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0)))", 0): _AT_ZERO
    + " (0 and alpha·(e^0 - 1))",
    ("return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0)))", 3): _CLIPPED,
    ("return np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0)))", 0): _KINK
    + " (1 or alpha·e^0; the same when alpha = 1)",
    ("return np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0)))", 4): _CLIPPED,
    (
        "return (y_hat >= 0.5).astype(int)",
        0,
    ): "differs only when ŷ is exactly 0.5 (SPEC: 'threshold 0.5', no side). The checks keep every ŷ "
    "at least 1e-9 from 0.5 on purpose, so that a correct sigmoid written another way (its last bit "
    "differs) can never flip a prediction",
}


@dataclass(frozen=True)
class Mutant:
    line_number: int
    line: str
    index: int
    diff: str  # the mutated line
    source: str

    @property
    def key(self) -> tuple[str, int]:
        return self.line.strip(), self.index


def mutants(source: str | None = None) -> list[Mutant]:
    """Every mutant mutmut makes of the reference, in file order."""
    source = source if source is not None else SOURCE.read_text(encoding="utf-8")
    found = []
    for mutation_id in list_mutations(Context(source=source, filename=str(SOURCE), dict_synonyms=[])):
        mutated, count = mutate(
            Context(source=source, filename=str(SOURCE), mutation_id=mutation_id, dict_synonyms=[])
        )
        if count != 1:
            continue
        new_line = (
            mutated.splitlines()[mutation_id.line_number]
            if mutated.count("\n") == source.count("\n")
            else "…"
        )
        found.append(
            Mutant(
                mutation_id.line_number + 1, mutation_id.line, mutation_id.index, new_line.strip(), mutated
            )
        )
    return found


def grade(source: str):
    """(score, names of failed checks, names of grader errors) for one mutant, in-process."""
    from autograder.core.grade import grade_submission
    from autograder.core.in_process import InProcessSubmission, opener

    warnings.simplefilter("ignore")
    submission = InProcessSubmission(source)
    if submission.load_error:  # a mutant that does not load scores 0
        return 0.0, [f"load: {submission.load_error.split(':')[0]}"], []
    results = grade_submission("mutant.py", opener=opener(submission))
    return results.score, [t.name for t in results.failed()], [t.name for t in results.grader_errors]


def _child(source, conn):
    sys.stdout = sys.stderr = open(os.devnull, "w")  # a mutant's prints are not the report
    conn.send(grade(source))
    conn.close()


def run_all(selected: list[Mutant], jobs: int = 2, timeout: float = TIMEOUT, progress=None) -> dict:
    """{mutant: (score, failed checks, grader errors)}: each graded in a forked child."""
    from autograder.core.grade import load_reference, load_rubric

    load_rubric(), load_reference()  # imported once here, inherited by every fork
    context = multiprocessing.get_context("fork")
    pending, running, done = list(selected), [], {}
    while pending or running:
        while pending and len(running) < jobs:
            mutant = pending.pop(0)
            parent, child = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(mutant.source, child), daemon=True)
            process.start()
            child.close()
            running.append((mutant, process, parent, time.monotonic()))
        for entry in list(running):
            mutant, process, conn, started = entry
            if conn.poll(0.05):
                try:
                    done[mutant] = conn.recv()
                except EOFError:
                    done[mutant] = (0.0, ["crashed"], [])
            elif not process.is_alive():
                done[mutant] = (0.0, ["crashed"], [])
            elif time.monotonic() - started > timeout:
                process.kill()
                done[mutant] = (0.0, ["timeout"], [])
            else:
                continue
            process.join()
            running.remove(entry)
            if progress:
                progress(mutant, done[mutant])
    return done


def summary(done: dict) -> dict:
    killed = [m for m, (score, _, _) in done.items() if score < 100]
    survived = [m for m in done if m not in killed]
    equivalent = [m for m in survived if m.key in EQUIVALENT]
    gaps = [m for m in survived if m.key not in EQUIVALENT]
    errors = [m for m, (_, _, errs) in done.items() if errs]
    scored = len(done) - len(equivalent)
    return {
        "mutants": len(done),
        "killed": len(killed),
        "equivalent": equivalent,
        "survivors": gaps,
        "grader_errors": errors,
        "score": len(killed) / scored if scored else 1.0,
        "scored": scored,
    }


def report(done: dict, stats: dict, sampled: str) -> str:
    """The Markdown report; no timing in it, so an unchanged run leaves docs/mutants.md unchanged."""
    lines = [
        "# Mutation testing of the hidden checks",
        "",
        "Generated by `make mutants` (`python -m tools.mutants --report docs/mutants.md`); the reasons for",
        "equivalent mutants live in `tools/mutants.py` (`EQUIVALENT`).",
        "",
        f"- mutants of `solutions/nn_basics.py` (mutmut 2.5.1): {stats['mutants']} {sampled}",
        f"- killed (graded below 100): {stats['killed']}",
        f"- equivalent under the contract: {len(stats['equivalent'])}",
        f"- **mutation score: {stats['killed']} / {stats['scored']} = {stats['score']:.1%}**",
        f"- surviving non-equivalent mutants: {len(stats['survivors'])}",
        f"- grader errors while grading mutants: {len(stats['grader_errors'])}",
        "",
    ]
    if stats["survivors"]:
        lines += ["## Survivors (gaps in the checks)", "", "| line | original | mutant |", "|---:|---|---|"]
        lines += [f"| {m.line_number} | `{m.line.strip()}` | `{m.diff}` |" for m in stats["survivors"]]
        lines.append("")
    if stats["equivalent"]:
        lines += [
            "## Equivalent mutants",
            "",
            "| line | original | mutant | why it is correct |",
            "|---:|---|---|---|",
        ]
        lines += [
            f"| {m.line_number} | `{m.line.strip()}` | `{m.diff}` | {EQUIVALENT[m.key]} |"
            for m in stats["equivalent"]
        ]
        lines.append("")
    lines += ["## Every mutant", "", "| line | mutant | score | first failed check |", "|---:|---|---:|---|"]
    for m in sorted(done, key=lambda m: (m.line_number, m.index)):
        score, failed, _ = done[m]
        lines.append(f"| {m.line_number} | `{m.diff}` | {score:g} | {failed[0] if failed else '—'} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sample", type=int, default=0, help="grade only about this many mutants, evenly spread"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--report", type=Path, default=None, help="write a Markdown report here")
    args = parser.parse_args(argv)
    every = mutants()
    selected = every[:: max(1, len(every) // args.sample)] if args.sample else every
    sampled = f"(a sample of {len(selected)} of {len(every)})" if len(selected) < len(every) else "(all)"
    started = time.monotonic()
    count = iter(range(1, len(selected) + 1))

    def progress(mutant, outcome):
        verdict = "killed" if outcome[0] < 100 else "equivalent" if mutant.key in EQUIVALENT else "SURVIVED"
        print(
            f"[{next(count)}/{len(selected)}] line {mutant.line_number}: {mutant.diff[:70]} -> {verdict}",
            file=sys.stderr,
        )

    done = run_all(selected, jobs=args.jobs, progress=progress)
    stats = summary(done)
    seconds = time.monotonic() - started
    for mutant in stats["survivors"]:
        print(f"survivor: line {mutant.line_number}: {mutant.line.strip()}  ->  {mutant.diff}")
    print(
        f"mutation score: {stats['killed']} killed / {stats['scored']} non-equivalent mutants = "
        f"{stats['score']:.1%} ({len(stats['equivalent'])} equivalent, {len(stats['survivors'])} surviving, "
        f"{stats['mutants']} graded {sampled}, {seconds:.0f} s)"
    )
    if args.report:
        args.report.write_text(report(done, stats, sampled), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
