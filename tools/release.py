"""Generate everything learners receive from the hand-written sources (`make release`).

Steps, in order (each later step reads what the one before wrote):
1. sync    -- source/ch01/ch01.ipynb: answer cells from solutions/nn_basics.py, test-cell points
              from autograder/core/rubric.toml; source/ch01/curves.py, a copy of the one curve drawing
              (autograder/figures/curves.py) the public checks draw their comparison figures with;
              source/ch01/reference_figures/*.png, the activation figures drawn from the notebook
              with the reference answers (tools/reference_figures.py).
2. nbgrader -- `nbgrader generate_assignment ch01`, into the course's gradebook.db: strips
              solutions, locks cells, writes release/ch01/ (and copies public_checks.py, the
              public tests), records the assignment and its cells for autograde.
3. stub    -- release/ch01/nn_basics.py from solutions/nn_basics.py, solutions cleared by
              nbgrader's own ClearSolutions (nbgrader leaves .py files alone, its issue #1237).
              nbgrader_config.py runs this step as generate_assignment's post-convert hook, so
              an instructor's own `nbgrader generate_assignment ch01` (which first deletes
              release/ch01) writes the stub too: `after_nbgrader` is everything nbgrader does
              not make itself, and anything else generated into release/ch01 belongs there.
4. points  -- release/ch01/points.json: each function's autograded points, for the learner's
              local estimate (release/ch01/conftest.py); written by the same hook.
5. pins    -- release/ch01/requirements.txt: the packages source/ch01/requirements.txt names and
              every package they depend on, each at the kit's lock (requirements.txt), so
              nothing a learner installs drifts from the kit's versions; same hook.

Test cells hold no hidden block: scores come from the sandboxed grader (SandboxGrades, in place of
nbgrader's kernel), and a hidden block makes nbgrader's autograde restore it with a "checksum has changed"
warning for every test cell of every learner.

`python -m tools.release --check` regenerates into a temporary copy and reports any committed
file that differs, so a test can hold the committed release in sync with its sources.
"""

import argparse
import ast
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearSolutions

from autograder.nbgrader_cells import grade_id, is_answer_cell, tested_function

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "ch01"
NOTEBOOK = Path("source") / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
SOLUTIONS = Path("solutions") / "nn_basics.py"
RUBRIC = Path("autograder") / "core" / "rubric.toml"
RELEASE = Path("release") / ASSIGNMENT
STUB = RELEASE / "nn_basics.py"
POINTS = RELEASE / "points.json"
LOCK = Path("requirements.txt")
LEARNER_REQUIREMENTS = Path("source") / ASSIGNMENT / "requirements.txt"  # top-level names
CURVES = Path("autograder") / "figures" / "curves.py"  # the one source of the learner's copy
LEARNER_CURVES = NOTEBOOK.parent / "curves.py"
REFERENCE_FIGURES = NOTEBOOK.parent / "reference_figures"
# Everything `make release` writes; --check compares exactly these.
GENERATED = [NOTEBOOK, LEARNER_CURVES, REFERENCE_FIGURES, RELEASE]
# What a regeneration needs to read: the rubric and the curves are in the kit's package, copied
# whole (a part of it under the copy's root would shadow the package's subpackages, as
# nbgrader_config.py imports autograder.doors from there).
INPUTS = [
    "source",
    "solutions",
    "autograder",
    "nbgrader_config.py",
    "tools",
    "requirements.txt",
]

CODE_STUB = "# 在这里写你的代码（YOUR CODE HERE）\nraise NotImplementedError()"


def function_sources(path):
    """{function name: its full source text, solution markers included}."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    sources = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef):
            # ast ends a function at its last statement; its closing `### END SOLUTION`
            # comment (and any other indented comment) belongs to it too.
            end = node.end_lineno
            while end < len(lines) and lines[end].startswith(" ") and lines[end].strip().startswith("#"):
                end += 1
            sources[node.name] = "\n".join(lines[node.lineno - 1 : end])
    return sources


def rubric_points(path):
    """{contract function: its autograded points}, the sum of its checks' points."""
    rubric = tomllib.loads(path.read_text(encoding="utf-8"))
    totals = {name: sum(checks.values()) for name, checks in rubric.items() if isinstance(checks, dict)}
    return {name: int(total) if total == int(total) else total for name, total in totals.items()}


def without_hidden_block(source):
    head, _, _ = source.partition("### BEGIN HIDDEN TESTS")
    return head.rstrip("\n")


def sync_notebook(root):
    """Step 1: write answer cells and test-cell points into the source notebook."""
    functions = function_sources(root / SOLUTIONS)
    points = rubric_points(root / RUBRIC)
    nb = nbformat.read(root / NOTEBOOK, as_version=4)
    answered = set()
    for cell in nb.cells:
        if is_answer_cell(cell) and grade_id(cell) in functions:
            cell.source = functions[grade_id(cell)]
            answered.add(grade_id(cell))
        elif (name := tested_function(cell)) is not None:
            if name not in points:
                raise SystemExit(f"{NOTEBOOK}: test cell {grade_id(cell)!r} has no entry in {RUBRIC}")
            cell.source = without_hidden_block(cell.source)
            cell.metadata.nbgrader["points"] = points[name]
    missing = sorted(set(points) - answered)
    if missing:
        raise SystemExit(f"{NOTEBOOK}: no answer cell for {', '.join(missing)}")
    nbformat.write(nb, root / NOTEBOOK)


def copy_curves(root):
    """Step 1: the learner's curves.py, byte for byte the grader's (a hand edit of the copy is undone
    here and reported by --check)."""
    shutil.copyfile(root / CURVES, root / LEARNER_CURVES)


def draw_reference_figures(root):
    """Step 1: the notebook's activation figures as the reference answers draw them, in a process of
    their own (the notebook's cells change matplotlib's settings and import the chapter's modules)."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    subprocess.run(
        [sys.executable, "-m", "tools.reference_figures", str(root)],
        cwd=root,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def run_nbgrader(root):
    """Step 2 (and 3, by nbgrader_config.py's post-convert hook): nbgrader's own pipeline makes
    the release and records the assignment in root/gradebook.db. The old release is removed
    first, so nbgrader neither skips the assignment nor warns that it replaces it."""
    shutil.rmtree(root / RELEASE, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "NN_KIT_COURSE_ROOT"}  # this root's course
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--log-level=WARN"],
        cwd=root,
        env=env,
        check=True,
    )
    if not (root / STUB).is_file():
        raise SystemExit(f"nbgrader's post-convert hook (nbgrader_config.py) did not write {STUB}")


def write_stub(kit, release_dir):
    """Step 3: the stub module, cleared by the same preprocessor nbgrader uses on notebooks."""
    cell = nbformat.v4.new_code_cell((kit / SOLUTIONS).read_text(encoding="utf-8"))
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "stub"}
    clear = ClearSolutions(code_stub={"python": CODE_STUB})
    clear.preprocess_cell(cell, {"language": "python"}, 0)
    (release_dir / STUB.name).write_text(cell.source, encoding="utf-8")


def after_nbgrader(kit, release_dir):
    """What release/ch01 holds that nbgrader does not make: run by generate_assignment's hook."""
    write_stub(Path(kit), Path(release_dir))
    write_points(Path(kit), Path(release_dir))
    write_requirements(Path(kit), Path(release_dir))


def write_points(kit, release_dir):
    """Step 4: the rubric's points per function, where the learner's pytest can read them."""
    text = json.dumps(rubric_points(kit / RUBRIC), ensure_ascii=False, indent=1)
    (release_dir / POINTS.name).write_text(text + "\n", encoding="utf-8")


def normalized(name):
    return name.strip().lower().replace("_", "-").replace(".", "-")


def lock_graph(path):
    """({package: version}, {package: the packages that need it}) from a `uv pip compile` lock:
    its `# via` lines say who pulled each package in."""
    versions, needed_by, current = {}, {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#")):
            name, _, version = line.split("#", 1)[0].strip().partition("==")
            current = normalized(name)
            versions[current], needed_by[current] = version.split(";")[0].strip(), set()
        elif current and line.strip().startswith("#"):
            via = line.strip().lstrip("#").strip().removeprefix("via").strip()
            if via and not via.startswith("-r "):
                needed_by[current].add(normalized(via))
    return versions, needed_by


def top_level(path):
    """{package: its comment} of a requirements list of names (source/ch01/requirements.txt)."""
    wanted = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, comment = line.partition("#")
        if name.strip():
            wanted[normalized(name)] = comment.strip()
    return wanted


def learner_pins(kit):
    """{package: version} of everything the learner installs: the top-level packages and,
    transitively, what they need, at the lock's versions."""
    versions, needed_by = lock_graph(kit / LOCK)
    needs = {name: {child for child, parents in needed_by.items() if name in parents} for name in versions}
    wanted, todo = set(), list(top_level(kit / LEARNER_REQUIREMENTS))
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        if name not in versions:
            raise SystemExit(
                f"{LEARNER_REQUIREMENTS}: {name} is not in the kit's lock ({LOCK}): run `make lock`"
            )
        wanted.add(name)
        todo.extend(needs[name])
    return {name: versions[name] for name in sorted(wanted)}


def write_requirements(kit, release_dir):
    """Step 5: the learner's requirements.txt, every package pinned as in the kit's lock."""
    comments = top_level(kit / LEARNER_REQUIREMENTS)
    lines = [
        "# 本作业需要的 Python 包，全部固定版本（pinned），与课程评分环境一致。安装：pip install -r requirements.txt",
        f"# 由 make release 从课程的锁定文件（lock）生成；直接需要的包：{', '.join(comments)}，其余是它们的依赖。",
    ]
    for name, version in learner_pins(kit).items():
        note = comments.get(name)
        lines.append(f"{name}=={version}" + (f"  # {note}" if note else ""))
    (release_dir / "requirements.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def release(root):
    sync_notebook(root)
    copy_curves(root)
    draw_reference_figures(root)
    run_nbgrader(root)


def differences(root):
    """Committed generated files that a fresh regeneration would change."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp)
        for name in INPUTS:
            src, dst = root / name, copy / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            (shutil.copytree if src.is_dir() else shutil.copy)(src, dst)
        shutil.rmtree(copy / RELEASE, ignore_errors=True)
        release(copy)
        return sorted(_diff_tree(root, copy, GENERATED))


def _diff_tree(a_root, b_root, paths):
    for rel in paths:
        a, b = a_root / rel, b_root / rel
        if a.is_dir() or b.is_dir():
            names = {p.name for p in (a.iterdir() if a.is_dir() else [])}
            names |= {p.name for p in (b.iterdir() if b.is_dir() else [])}
            names -= {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
            yield from _diff_tree(a_root, b_root, [rel / n for n in names])
        elif not (a.exists() and b.exists() and filecmp.cmp(a, b, shallow=False)):
            yield str(rel)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.release", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report generated files that are out of date"
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = differences(ROOT)
        for path in stale:
            print(f"out of date: {path}")
        print("release is in sync with its sources" if not stale else "run `make release`")
        return 1 if stale else 0
    release(ROOT)
    print(f"wrote {NOTEBOOK}, {RELEASE}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
