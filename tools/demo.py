"""`make demo`: a demo class graded end to end with nbgrader, the way an instructor would.

Builds a course in demo/work/ (never committed): the released notebook, three demo learners who
submit it, `nbgrader autograde`, `nbgrader generate_feedback`, then prints the gradebook
(`nbgrader export`) beside the kit's own CLI grade of the same notebooks.

`python -m tools.demo class DIR` only writes the demo class as an LMS download would hold it
(DIR/<learner>_ch01.ipynb), for the README's instructor walk-through (`nbgrader zip_collect`).

The demo learners are derived from the release and the reference, so they never go stale:
- ada:   every answer cell filled with the reference's code (expects full autograded marks)
- blank: the release notebook untouched (expects 0)
- trap:  the reference, but with three of the chapter's own bugs copied in (partial marks)
"""

import argparse
import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from autograder.nbgrader_cells import grade_id, is_answer_cell
from tools.release import ASSIGNMENT, ROOT, SOLUTIONS, function_sources

COURSE = ROOT / "demo" / "work"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
# (function, the reference's line, the chapter's buggy line)
CHAPTER_BUGS = [
    ("swish", "return x * sigmoid(beta * x)", "return 2 * x * sigmoid(beta * x)"),
    (
        "tanh",
        "return np.tanh(np.asarray(x, dtype=float))",
        "return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))",
    ),
    (
        "softmax",
        "e = np.exp(x - np.max(x, axis=axis, keepdims=True))\n    return e / np.sum(e, axis=axis, keepdims=True)",
        "return np.exp(x) / np.sum(np.exp(x), axis=0)",
    ),
]


def answers():
    """{function: the reference's code without solution markers}, as a learner would write it."""
    return {
        name: "\n".join(
            line
            for line in source.splitlines()
            if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
        )
        for name, source in function_sources(ROOT / SOLUTIONS).items()
    }


def with_bugs(code):
    code = dict(code)
    for name, right, wrong in CHAPTER_BUGS:
        assert right in code[name], f"demo: {name} no longer contains {right!r}"
        code[name] = code[name].replace(right, wrong)
    return code


def submission(release_nb, code):
    """The release notebook with the answer cells named in `code` filled in."""
    nb = nbformat.from_dict(release_nb)
    for cell in nb.cells:
        if is_answer_cell(cell) and grade_id(cell) in code:
            cell.source = code[grade_id(cell)]
    return nb


def demo_learners(release_nb):
    code = answers()
    return {
        "ada": submission(release_nb, code),
        "blank": submission(release_nb, {}),
        "trap": submission(release_nb, with_bugs(code)),
    }


def nbgrader(course, *args):
    """Run one nbgrader command on `course` with the kit's nbgrader_config.py (quiet but for
    warnings and errors, which it leaves on; a failing command stops the run)."""
    env = dict(os.environ, NN_KIT_COURSE_ROOT=str(course))
    subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=ROOT, env=env, check=True)


def write_class(folder, learners=demo_learners):
    """The demo class as an LMS download: folder/<learner>_ch01.ipynb, from the committed release."""
    release_nb = nbformat.read(ROOT / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    submitted = learners(release_nb)
    for learner, nb in submitted.items():
        nbformat.write(nb, folder / f"{learner}_{NOTEBOOK}")
    return sorted(submitted)


ROSTER_COLUMNS = [
    "Student",
    "ID",
    "SIS User ID",
    "SIS Login ID",
    "Section",
    "Email address",
    "ID number",
    "learner",
]


def write_roster(path):
    """The demo learners as an LMS roster: Canvas's export columns, Moodle's user columns, and the
    kit's `learner` id that `nn-grade export-grades` maps through (docs/class-report.md)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(ROSTER_COLUMNS)
        for number, learner in enumerate(("ada", "blank", "trap"), start=1):
            writer.writerow(
                [learner.title(), 1000 + number, f"S{number:04d}", learner, "ch01", f"{learner}@example.edu",
                 f"S{number:04d}", learner]
            )  # fmt: skip


def build_course(course, learners=demo_learners):
    """A course folder with the assignment released and `learners(release_nb)` submitted, by the
    README's documented copy into submitted/<learner>/ch01/ (autograde adds the students)."""
    shutil.rmtree(course, ignore_errors=True)
    shutil.copytree(ROOT / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    nbgrader(course, "generate_assignment", ASSIGNMENT)
    return submit(course, learners)


def submit(course, learners):
    """Each of `learners(release_nb)` (the course's released notebook in, {learner: notebook}
    out) copied into submitted/<learner>/ch01/, as the README documents; their names."""
    release_nb = nbformat.read(course / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    submitted = learners(release_nb)
    for learner, nb in submitted.items():
        folder = course / "submitted" / learner / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / NOTEBOOK)
    return sorted(submitted)


def gradebook(course):
    """{learner: autograded points} from `nbgrader export`."""
    export = course / "grades.csv"
    nbgrader(course, "export", f"--to={export}")
    with open(export, newline="") as f:
        return {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(f)}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.demo", description=__doc__.splitlines()[0])
    parser.add_argument(
        "what",
        nargs="?",
        choices=("run", "class", "roster"),
        default="run",
        help="run: the whole demo (default); class: only write the demo class into DIR; roster: write "
        "an LMS roster of the demo learners (Canvas's and Moodle's columns plus `learner`) as DIR",
    )
    parser.add_argument("dir", nargs="?", type=Path, default=Path("downloaded") / ASSIGNMENT / "archive")
    args = parser.parse_args(argv)
    if args.what == "roster":
        write_roster(args.dir)
        print(f"wrote the demo learners' LMS roster: {args.dir}")
        return
    if args.what == "class":
        learners = write_class(args.dir)
        print(f"wrote {len(learners)} demo submissions into {args.dir}: {', '.join(learners)}")
        return
    print(f"demo course: {COURSE.relative_to(ROOT)}")
    print("1/4 nbgrader generate_assignment, and the demo learners submit")
    learners = build_course(COURSE)
    print(f"2/4 nbgrader autograde ({len(learners)} learners)")
    started = time.perf_counter()
    nbgrader(COURSE, "autograde", ASSIGNMENT, "--force")
    seconds = time.perf_counter() - started
    print(
        f"    {seconds:.1f} s, {seconds / len(learners):.1f} s per notebook "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    print("3/4 nbgrader generate_feedback")
    nbgrader(COURSE, "generate_feedback", ASSIGNMENT, "--force")
    print("4/4 gradebook (nbgrader export), beside the kit's CLI on the same notebooks")
    from autograder.core.grade import grade_submission

    print(
        f"\n{'learner':<8} {'nbgrader':>9} {'kit CLI':>8} {'max':>5}   (autograded points; written answers await manual grading)"
    )
    for learner, score in sorted(gradebook(COURSE).items()):
        cli = grade_submission(COURSE / "submitted" / learner / ASSIGNMENT / NOTEBOOK)
        print(f"{learner:<8} {score:>9.2f} {cli.score:>8.2f} {cli.max_score:>5.0f}")
    print(
        f"\nfeedback: {(COURSE / 'feedback').relative_to(ROOT)}/<learner>/{ASSIGNMENT}/{NOTEBOOK.replace('ipynb', 'html')}"
    )


if __name__ == "__main__":
    main()
