"""Grade a whole class: each entry of a folder in its own grader process, in parallel.

Each learner is graded by `python -m autograder grade ... --format json` in a process of its
own session, so nothing one submission does (hang, crash, a value the grader chokes on) can
stop the batch: past `timeout` its whole process group is killed and the learner scored 0
with the reason in the gradebook's `error` column.
"""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

# Beyond the sandbox's own per-submission budget (90 s) plus start-up, so it only fires when
# grading itself is stuck.
DEFAULT_TIMEOUT = 180.0
REPO_ROOT = Path(__file__).resolve().parents[1]
GRADEBOOK = "gradebook.csv"


@dataclass
class Row:
    learner: str
    score: float = 0.0
    max_score: float = 0.0
    functions: dict[str, float] = field(default_factory=dict)
    error: str = ""


def entries(directory: Path) -> list[Path]:
    """One submission per learner: a folder, a .py or a .ipynb; hidden entries are skipped."""
    found = []
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith((".", "__")):
            continue
        if entry.is_dir() or entry.suffix in (".py", ".ipynb"):
            found.append(entry)
    return found


def learner_names(paths: list[Path]) -> dict[Path, str]:
    names, taken = {}, set()
    for path in paths:
        name = path.name if path.is_dir() else path.stem
        if name in taken:  # alice.py beside alice/: keep both, told apart by the suffix
            name = path.name
        taken.add(name)
        names[path] = name
    return names


def _row_from_report(learner: str, report: Path) -> Row:
    data = json.loads(report.read_text(encoding="utf-8"))
    return Row(learner, data["score"], data["max_score"],
               {f: v["score"] for f, v in data.get("functions", {}).items()})


def _write_failure_report(entry: Path, report: Path, error: str, lang: str) -> Row:
    from .grade import without_results
    from .reporters import render
    results = without_results(entry, error, lang=lang)
    report.write_text(render(results, "json", lang), encoding="utf-8")
    return Row(report.stem, 0.0, results.max_score, {f: 0.0 for f in results.functions}, error)


def grade_one(entry: Path, report: Path, lang: str = "zh", timeout: float = DEFAULT_TIMEOUT) -> Row:
    command = [sys.executable, "-m", "autograder", "grade", str(entry.resolve()), "--format", "json",
               "--lang", lang, "--output", str(report.resolve())]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    report.unlink(missing_ok=True)
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the grader and anything it started
        process.communicate()
        return _write_failure_report(entry, report, f"grading stopped after {timeout:g} s", lang)
    if process.returncode != 0 or not report.exists():
        last = (stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
        return _write_failure_report(entry, report, f"grader exited with {process.returncode}: {last[:200]}", lang)
    return _row_from_report(report.stem, report)


def grade_all(directory: Path, output_dir: Path, jobs: int = 1, lang: str = "zh",
              timeout: float = DEFAULT_TIMEOUT, shard=None) -> list[Row]:
    """Grade every entry of `directory` (only those of `shard`, a shard.Shard, if given); write
    output_dir/gradebook.csv and output_dir/<learner>.json."""
    from tqdm import tqdm  # here, not at import: `grade` should not pay for it

    from .grade import load_rubric
    functions = list(load_rubric())
    output_dir.mkdir(parents=True, exist_ok=True)
    paths = entries(directory)
    names = learner_names(paths)
    if shard is not None:  # after naming, so a learner's name does not depend on the split
        paths = [path for path in paths if shard.holds(names[path])]
    rows = []
    with ThreadPoolExecutor(max_workers=jobs) as pool, \
            tqdm(total=len(paths), desc="grading", unit="learner", file=sys.stderr, disable=False) as bar:
        futures = {pool.submit(grade_one, path, output_dir / f"{names[path]}.json", lang, timeout): path
                   for path in paths}
        for future in as_completed(futures):
            rows.append(future.result())
            bar.update(1)
    rows.sort(key=lambda row: row.learner)
    write_gradebook(output_dir / GRADEBOOK, rows, functions)
    return rows


def write_gradebook(path: Path, rows: list[Row], functions: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["learner", "score", "max_score", *functions, "error"])
        for row in rows:
            writer.writerow([row.learner, f"{row.score:g}", f"{row.max_score:g}",
                             *(f"{row.functions.get(fn, 0.0):g}" for fn in functions), row.error])
