"""The README's instructor section, run verbatim in a fresh clone on the demo class.

The commands are read from the README's fenced blocks marked `<!-- readme-test: NAME -->`, so the
README and this test cannot drift. The clone is the working tree as git sees it (tracked and
unignored files) committed into a new repository; it shares the kit's .venv by a link.
"""

import csv
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The clone fixture is module-scoped; one xdist worker runs all its tests (`make test` uses
# --dist loadgroup), or each worker would run the whole sequence again.
in_one_worker = pytest.mark.xdist_group("readme_clone")
MARKED_BLOCK = re.compile(r"<!-- readme-test: (?P<name>[\w-]+) -->\n```sh\n(?P<body>.*?)\n```", re.S)
# What nbgrader printed before the kit's config fixed or filtered it (issue 12).
NOISE = (
    "checksum",
    "has changed",
    "Skipping existing",
    "No assignment",
    "not in session",
    "Traceback",
    "Directory not found",
    "WARNING",
)


def readme_blocks(text):
    return {m["name"]: m["body"] for m in MARKED_BLOCK.finditer(text)}


def test_marked_blocks_are_found_and_a_broken_marker_is_not():
    blocks = readme_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert {"demo-class", "instructor", "without-nbgrader"} <= set(blocks)
    assert "nbgrader autograde ch01" in blocks["instructor"]
    assert readme_blocks("<!-- readme-test: x -->\n```python\nprint()\n```") == {}


def fresh_clone(dest):
    listed = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    (dest / ".venv").symlink_to(ROOT / ".venv")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "clone"], cwd=dest, check=True)


def run_block(block, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "NN_KIT_COURSE_ROOT")}
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def read_csv(path, key, value):
    with open(path, newline="", encoding="utf-8") as f:
        return (
            {row[key]: row for row in csv.DictReader(f)}
            if value is None
            else {row[key]: float(row[value]) for row in csv.DictReader(f)}
        )


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    clone = tmp_path_factory.mktemp("clone")
    fresh_clone(clone)
    blocks = readme_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    demo = run_block(blocks["demo-class"], clone)
    assert demo.returncode == 0, demo.stderr
    done = run_block(blocks["instructor"], clone)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    return clone, done


@pytest.mark.slow
@in_one_worker
def test_the_instructor_sequence_exports_the_demo_class_grades(clone):
    clone, _ = clone
    grades = read_csv(clone / "grades.csv", "student_id", None)
    assert set(grades) == {"ada", "blank", "trap"}
    assert {float(row["max_score"]) for row in grades.values()} == {114.0}  # 100 autograded + 14 written
    assert float(grades["ada"]["raw_score"]) == 100
    assert float(grades["blank"]["raw_score"]) == 0
    assert 0 < float(grades["trap"]["raw_score"]) < 100


@pytest.mark.slow
@in_one_worker
def test_grade_all_on_submitted_gives_the_totals_nbgrader_exports(clone):
    clone, _ = clone
    nbgrader = read_csv(clone / "grades.csv", "student_id", "raw_score")
    kit = read_csv(clone / "reports" / "gradebook.csv", "learner", "score")
    assert kit == pytest.approx(nbgrader, abs=1e-6)


@pytest.mark.slow
@in_one_worker
def test_the_class_report_similarity_and_the_lms_export_are_written(clone):
    clone, done = clone
    assert "class: 3 learners, out of 100" in done.stderr  # grade-all's and class-report's summaries
    class_page = (clone / "reports" / "class.html").read_text(encoding="utf-8")
    assert "id='misconception-table'" in class_page and "href='similarity.html'" in class_page
    assert "id='item-table'" in (clone / "reports" / "nbgrader" / "class.html").read_text(encoding="utf-8")
    assert "ada ~ trap" in done.stderr  # both wrote the reference's answers; blank has only the stub
    canvas = read_csv(clone / "reports" / "canvas.csv", "SIS Login ID", "ch01")
    assert canvas == read_csv(clone / "reports" / "gradebook.csv", "learner", "score")


@pytest.mark.slow
@in_one_worker
def test_the_sequence_is_quiet_and_leaves_the_clone_clean(clone):
    clone, done = clone
    output = done.stdout + done.stderr
    assert not [word for word in NOISE if word in output], output
    assert (clone / "release" / "ch01" / "nn_basics.py").is_file()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored=no"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status == "", status


@pytest.mark.parametrize(
    "path",
    [
        "gradebook.db",
        "grades.csv",
        "submitted/a/ch01/ch01.ipynb",
        "autograded/a/x",
        "feedback/a/ch01/ch01.html",
        "downloaded/ch01/archive/a_ch01.ipynb",
        "reports/gradebook.csv",
        "autograder.zip",
        "demo/work/gradebook.db",
        "nn_ch01.egg-info/PKG-INFO",
        ".venv",
    ],
)
def test_what_instructors_and_tools_generate_is_ignored_by_git(path):
    assert subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT).returncode == 0, path


def test_the_readme_names_every_documented_make_target_and_every_subcommand():
    """A newcomer finds every door in the README: each Makefile target with a `## target:` line
    is named as `make target`, each subcommand as `nn-grade sub` or `python -m autograder sub`."""
    from autograder.doors.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"^## ([\w-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert "demo" in targets and "mutants" in targets  # the pattern reads this Makefile
    assert [t for t in targets if f"make {t}" not in readme] == []
    subcommands = next(a for a in build_parser()._actions if a.dest == "command").choices
    assert "grade-all" in subcommands
    named = set(re.findall(r"(?:nn-grade|-m autograder) ([\w-]+)", readme))
    assert [s for s in subcommands if s not in named] == []


@pytest.mark.slow
def test_the_without_nbgrader_block_runs_as_pasted_after_the_demo(tmp_path):
    """The README's "Without nbgrader" commands, verbatim, on the paths `make demo` leaves (its
    demo course, built here by the demo step itself: the release is committed in the clone)."""
    fresh_clone(tmp_path)
    blocks = readme_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    demo = run_block(".venv/bin/python -m tools.demo", tmp_path)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    done = run_block(blocks["without-nbgrader"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"score": 100' in done.stdout  # ada's notebook, as JSON
    assert "0 / 100" in done.stdout  # the stub
    kit = read_csv(tmp_path / "reports" / "gradebook.csv", "learner", "score")
    assert kit["ada"] == 100 and kit["blank"] == 0 and 0 < kit["trap"] < 100
