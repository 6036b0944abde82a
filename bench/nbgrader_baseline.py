"""Plain nbgrader as an instructor would use it without the kit, and the kit's nbgrader door, on
the same class: seconds per notebook for each.

    python -m bench.nbgrader_baseline [--n 10] [--work DIR]

- plain: the kit's source notebook whose test cells hold ordinary assert-based tests
  (bench/plain_tests.py) instead of the kit's checks, nbgrader's default configuration (its
  Execute step runs each notebook top to bottom in a kernel; a test cell earns its points when it
  raises nothing), run from a course folder of its own, so no kit config or hook is loaded;
- door: `nbgrader autograde` through the kit's nbgrader_config.py (SandboxGrades; tools/demo.py).

Each grades the bench's class mix (bench/class_builder.py), filled into its own release notebook
(nbgrader checks the locked cells against that release's checksums). Seconds per notebook is the
wall time of one `nbgrader autograde` call over the class, divided by its size. Timing only
ever happens in bench/, never in the test suite.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from bench.class_builder import build_class
from bench.plain_tests import TESTS
from tools import demo
from tools.release import ASSIGNMENT, ROOT

NOTEBOOK = demo.NOTEBOOK
PLAIN_CONFIG = """\
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "plain-ch01"
c.CourseDirectory.root = {root!r}
"""


def with_plain_tests(nb):
    """The notebook with each test cell's source replaced by its plain assert-based tests."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            if meta["grade_id"] not in TESTS:
                raise SystemExit(f"bench: no plain test for {meta['grade_id']} in bench/plain_tests.py")
            cell.source = TESTS[meta["grade_id"]]
    return nb


def _run(command, cwd, env, log):
    """Run a command with its output appended to `log`; on failure, stop with the log's tail."""
    with open(log, "ab") as f:
        done = subprocess.run(command, cwd=cwd, env=env, stdout=f, stderr=f)
    if done.returncode != 0:
        raise SystemExit(
            f"bench: {' '.join(map(str, command))} failed ({done.returncode}); "
            f"end of {log}:\n" + Path(log).read_text(errors="replace")[-3000:]
        )


def plain_nbgrader(course, *args):
    """One nbgrader command in `course` with its own nbgrader_config.py: nothing of the kit's
    (its log, kernel warnings included, goes to the course's nbgrader.log)."""
    env = {k: v for k, v in os.environ.items() if k != "NN_KIT_COURSE_ROOT"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # alembic
    _run([sys.executable, "-m", "nbgrader", *args], course, env, course / "nbgrader.log")


def build_plain_course(course, learners):
    """A plain nbgrader course: the kit's source folder with plain test cells, released by
    nbgrader, and `learners(release_nb)` submitted; returns the learners' names."""
    shutil.rmtree(course, ignore_errors=True)
    source = course / "source" / ASSIGNMENT
    shutil.copytree(ROOT / "source" / ASSIGNMENT, source)
    nbformat.write(with_plain_tests(nbformat.read(source / NOTEBOOK, as_version=4)), source / NOTEBOOK)
    (course / "nbgrader_config.py").write_text(PLAIN_CONFIG.format(root=str(course)))
    plain_nbgrader(course, "generate_assignment", ASSIGNMENT)
    return demo.submit(course, learners)


def plain_gradebook(course):
    """{learner: autograded score}, read from the gradebook as `nbgrader export` reads it."""
    from nbgrader.api import Gradebook  # deferred: nbgrader takes seconds to import

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="plain-ch01") as gradebook:
        return {s.id: float(gradebook.find_submission(ASSIGNMENT, s.id).score) for s in gradebook.students}


def class_mix(n, folder):
    """learners(release_nb) for build_course: the bench's first n notebooks of its class mix."""

    def learners(release_nb):
        entries = build_class(folder, n, formats=("ipynb",), release_nb=release_nb)
        return {e.learner: nbformat.read(folder / e.path, as_version=4) for e in entries}

    return learners


def filled(n):
    """learners(release_nb): n learners who filled every answer cell with the reference's code."""
    return lambda release_nb: {
        f"filled{i:02d}": demo.submission(release_nb, demo.answers()) for i in range(n)
    }


def _timed(run):
    """Wall seconds of run(); and, in `last_cpu`, the CPU seconds its child processes used
    (nbgrader, its kernels or sandbox workers): a figure the machine's load does not inflate."""
    cpu = os.times()
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    after = os.times()
    last_cpu[0] = after.children_user + after.children_system - cpu.children_user - cpu.children_system
    return seconds


last_cpu = [0.0]


def plain_seconds(work, n=10, learners=None):
    """(seconds per notebook, {learner: raw score}) of plain nbgrader autograde on n notebooks
    of the class mix (or `learners`), in a fresh course under `work`."""
    work = Path(work)
    course = work / "plain-course"
    names = build_plain_course(course, learners or class_mix(n, work / "plain-notebooks"))
    seconds = _timed(lambda: plain_nbgrader(course, "autograde", ASSIGNMENT, "--force"))
    return seconds / len(names), plain_gradebook(course)


def door_seconds(work, n=10, learners=None):
    """(seconds per notebook, {learner: raw score}) of `nbgrader autograde` through the kit's
    config on n notebooks of the class mix (or `learners`), in a fresh course under `work`."""
    work = Path(work)
    course = work / "door-course"
    names = demo.build_course(course, learners or class_mix(n, work / "door-notebooks"))
    env = dict(os.environ, NN_KIT_COURSE_ROOT=str(course))
    command = [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force"]
    seconds = _timed(lambda: _run(command, ROOT, env, course / "nbgrader.log"))
    return seconds / len(names), demo.gradebook(course)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10, help="notebooks of the class mix (default: 10)")
    parser.add_argument(
        "--class",
        dest="klass",
        choices=("mix", "filled", "demo"),
        default="mix",
        help="mix: the bench's class mix (default); filled: n correct notebooks; "
        "demo: make demo's three learners",
    )
    parser.add_argument("--only", choices=("plain", "door"), help="measure one side only")
    parser.add_argument("--work", type=Path, help="keep the courses here (default: a temporary folder)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="nn-nbgrader-"))
    work.mkdir(parents=True, exist_ok=True)
    learners = {"mix": None, "filled": filled(args.n), "demo": demo.demo_learners}[args.klass]
    what = "make demo's class" if args.klass == "demo" else f"{args.n} notebooks ({args.klass})"
    print(f"nbgrader autograde on {what}; load average {os.getloadavg()[0]:.2f}", flush=True)
    try:
        results = {}
        for side, measure in (("plain", plain_seconds), ("door", door_seconds)):
            if args.only in (None, side):
                per, scores = results[side] = measure(work, args.n, learners)
                label = "plain nbgrader (asserts in the kernel)" if side == "plain" else "kit's nbgrader door"
                print(
                    f"  {label:<40} {per:6.2f} s/notebook ({last_cpu[0] / len(scores):.2f} s CPU)  "
                    f"totals {sorted(scores.values())}",
                    flush=True,
                )
        if len(results) == 2:
            print(f"  door is {results['plain'][0] / results['door'][0]:.1f}x faster than plain nbgrader")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
