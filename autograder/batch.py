"""Grade a whole class: each learner of a folder in its own grader process, in parallel.

`find_submissions` reads every layout an instructor has (see its docstring) and lists every
learner, those without a submission too; links are refused by name, never followed.

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
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .submission import ASSIGNMENT, SUFFIXES, LinkRefused, NoSubmission, NotRegular, graded_file

# Beyond the sandbox's own per-submission budget (90 s) plus start-up, so it only fires when
# grading itself is stuck.
DEFAULT_TIMEOUT = 180.0
GRADEBOOK = "gradebook.csv"
CLASSROOM_PREFIX = f"{ASSIGNMENT}-"  # GitHub Classroom names a learner's repository ch01-<login>


@dataclass
class Row:
    learner: str
    score: float = 0.0
    max_score: float = 0.0
    functions: dict[str, float] = field(default_factory=dict)
    error: str = ""
    grader_errors: int = 0  # checks the grader itself failed to run (not the learner's loss)


@dataclass(frozen=True)
class Found:
    """One learner of a class folder: their entry, the path to grade, or why there is nothing."""
    learner: str
    entry: Path
    path: Path | None
    problem: str = ""


NO_SUBMISSION = "no submission"


def entries(directory: Path) -> list[Path]:
    """One entry per learner: a folder, a .py or a .ipynb (links, FIFOs and devices of those
    names too, to be listed and refused, never opened); hidden entries and other files are
    skipped. Nothing is followed: lstat only."""
    found = []
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith((".", "__")):
            continue
        mode = entry.lstat().st_mode
        if stat.S_ISDIR(mode) or stat.S_ISLNK(mode) or entry.suffix in SUFFIXES:
            found.append(entry)
    return found


def learner_names(paths: list[Path]) -> dict[Path, str]:
    """A learner's name from their entry: alice/ and alice.py are alice, a Classroom clone
    ch01-alice/ is alice; when two entries give one name, the later keeps its full name.
    A name some entry holds as it is (a folder alice/) is never given to another entry, so no
    one can take a classmate's report by naming a folder ch01-<classmate>/."""
    wanted = {}
    for path in paths:
        name = path.stem if path.suffix in SUFFIXES and not stat.S_ISDIR(path.lstat().st_mode) else path.name
        wanted[path] = name.removeprefix(CLASSROOM_PREFIX) or name
    exact = {path.name for path in paths}  # unique in a folder
    names, taken = {}, set()
    for path in sorted(paths, key=lambda p: wanted[p] != p.name):  # entries named as they are first
        name = wanted[path]
        if name in taken or (name != path.name and name in exact):
            name = path.name
        taken.add(name)
        names[path] = name
    return {path: names[path] for path in paths}


def submission_in(entry: Path) -> Path:
    """The folder or file `grade` is given for one entry: the entry itself, or <entry>/ch01/
    (nbgrader's submitted/<student>/ch01/, or a clone that keeps the assignment in a folder of
    its own) when only that holds a submission. Which file of it is graded is the one rule,
    autograder.submission.graded_file. NoSubmission (LinkRefused for a link) when there is none."""
    try:
        graded_file(entry)
        return entry
    except LinkRefused:
        raise
    except NoSubmission:
        inner = entry / ASSIGNMENT
        if not (stat.S_ISDIR(entry.lstat().st_mode) and os.path.lexists(inner)):
            raise
        graded_file(inner)
        return inner


def find_submissions(directory: Path) -> list[Found]:
    """Every learner of `directory`, in any layout an instructor has: nbgrader's submitted/
    (<student>/ch01/), a folder of learner folders, flat files (alice.py, bob.ipynb), Classroom
    clones (ch01-<login>/). A learner without a submission is listed with the reason, not dropped."""
    paths = entries(directory)
    names = learner_names(paths)
    found = []
    for path in paths:
        try:
            found.append(Found(names[path], path, submission_in(path)))
        except (LinkRefused, NotRegular) as refused:
            found.append(Found(names[path], path, None, f"{NO_SUBMISSION}: {refused}"))
        except NoSubmission:
            found.append(Found(names[path], path, None, NO_SUBMISSION))
    return found


def _row_from_report(learner: str, report: Path) -> Row:
    data = json.loads(report.read_text(encoding="utf-8"))
    errors = data.get("grader_errors") or []  # checks that broke in the grader: re-grade after a fix
    return Row(learner, data["score"], data["max_score"],
               {f: v["score"] for f, v in data.get("functions", {}).items()},
               f"grader error in {len(errors)} checks: {', '.join(errors)}" if errors else "",
               grader_errors=len(errors))


def _write_failure_report(entry: Path, report: Path, error: str, lang: str) -> Row:
    """A learner scored 0 with `error` as the reason, in the gradebook and in their report."""
    from .grade import without_results
    from .reporters import render
    results = without_results(entry, error)
    report.write_text(render(results, "json", lang), encoding="utf-8")
    return Row(report.stem, 0.0, results.max_score, {f: 0.0 for f in results.functions}, error)


def grade_one(entry: Path, report: Path, lang: str = "zh", timeout: float = DEFAULT_TIMEOUT) -> Row:
    # absolute(), not resolve(): a learner's entry that is a link is refused by the grader's
    # intake, never followed here (resolve() would hand it the link's target, the reference).
    # -P: the grader's imports come from the installed kit, never from the folder it runs in
    command = [sys.executable, "-P", "-m", "autograder", "grade", str(entry.absolute()), "--format", "json",
               "--lang", lang, "--output", str(report.absolute())]
    report.unlink(missing_ok=True)
    process = subprocess.Popen(command, cwd=report.parent, stdin=subprocess.DEVNULL,
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
    learners = find_submissions(directory)
    if shard is not None:  # after naming, so a learner's name does not depend on the split
        learners = [found for found in learners if shard.holds(found.learner)]
    rows = [_write_failure_report(found.entry, output_dir / f"{found.learner}.json", found.problem, lang)
            for found in learners if found.path is None]
    gradable = [found for found in learners if found.path is not None]
    with ThreadPoolExecutor(max_workers=jobs) as pool, \
            tqdm(total=len(learners), initial=len(rows), desc="grading", unit="learner", file=sys.stderr) as bar:
        futures = [pool.submit(grade_one, found.path, output_dir / f"{found.learner}.json", lang, timeout)
                   for found in gradable]
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
            writer.writerow([spreadsheet_text(row.learner), f"{row.score:g}", f"{row.max_score:g}",
                             *(f"{row.functions.get(fn, 0.0):g}" for fn in functions), spreadsheet_text(row.error)])


# A cell a spreadsheet would run as a formula (=HYPERLINK(...), +, -, @; tab and CR too) when a
# learner names their file so; a leading apostrophe shows it as text. One already starting with
# an apostrophe gets another, so `plain_text` undoes it exactly (merge reads the names back).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def spreadsheet_text(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def plain_text(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell
