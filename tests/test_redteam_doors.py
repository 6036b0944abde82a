"""Issue 18's attacks on the instructor's doors: CI shards (7), zip_collect (9), the instructor's
browser (10, with tests/test_browser.py) and nbgrader's metadata check (14). Each test fails on
806fb1d and passes with the fix."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import yaml

from autograder import batch
from tests.cli_in_process import run_cli
from tests.mistakes import correct_source

ROOT = Path(__file__).resolve().parent.parent

# --- attack 7: one learner's grader error must not withhold a shard ---------------------------

# A grading process (batch.serve_slot) in which the check `sigmoid_matches_reference` is broken for
# mallory alone: a fault of the kit on one learner, as a bug that only one submission reaches.
SLOT_BROKEN_FOR_MALLORY = """
from autograder import grade
from autograder.checks.common import REGISTRY, Check

real = grade.grade_submission


def broken(ctx):
    return {}["a bug in the grader"]


def grade_submission(path, **kwargs):
    if "mallory" not in str(path):
        return real(path, **kwargs)
    grade.load_rubric()
    kept = REGISTRY["sigmoid_matches_reference"]
    REGISTRY["sigmoid_matches_reference"] = Check("sigmoid_matches_reference", broken)
    try:
        return real(path, **kwargs)
    finally:
        REGISTRY["sigmoid_matches_reference"] = kept


grade.grade_submission = grade_submission
from autograder.batch import serve_slot

serve_slot()
"""


def test_the_shard_is_uploaded_whatever_grade_all_exits_with():
    """classroom.yml: the upload of a shard's results runs after a failed grading step."""
    workflow = yaml.safe_load((ROOT / ".github/workflows/classroom.yml").read_text(encoding="utf-8"))
    grade_steps = workflow["jobs"]["grade"]["steps"]
    (grading,) = [i for i, step in enumerate(grade_steps) if "grade-all" in step.get("run", "")]
    (upload,) = [step for step in grade_steps if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert grade_steps.index(upload) > grading
    condition = str(upload.get("if", "")).replace(" ", "")
    assert condition in ("${{!cancelled()}}", "!cancelled()", "${{always()}}", "always()"), condition
    assert upload["with"]["path"] == "shard-${{ matrix.shard }}/"


def test_a_grader_error_on_one_learner_withholds_no_classmates_grade(tmp_path, monkeypatch, capsys):
    klass = tmp_path / "submissions"
    klass.mkdir()
    for learner in ("alice", "bob", "mallory"):
        (klass / f"{learner}.py").write_text(correct_source(), encoding="utf-8")
    real_slots = batch.Slots
    monkeypatch.setattr(
        batch, "Slots", lambda cwd: real_slots(cwd, [sys.executable, "-P", "-c", SLOT_BROKEN_FOR_MALLORY])
    )
    shard = tmp_path / "shard-1"
    graded = run_cli(capsys, "grade-all", klass, "--shard", "1/1", "--jobs", "2", "--output-dir", shard)
    assert graded.returncode == 3, graded.stderr  # the instructor is told: a grader error
    assert json.loads((shard / "__shard.json").read_text())["learners"] == ["alice", "bob", "mallory"]

    merged = run_cli(capsys, "merge", shard, "--output-dir", tmp_path / "merged")
    assert merged.returncode == 0, merged.stderr
    with (tmp_path / "merged/gradebook.csv").open(encoding="utf-8") as f:
        rows = {row["learner"]: row for row in csv.DictReader(f)}
    assert {name: float(rows[name]["score"]) for name in ("alice", "bob")} == {"alice": 100, "bob": 100}
    assert rows["alice"]["error"] == rows["bob"]["error"] == ""
    assert "grader error in 2 checks: sigmoid_matches_reference" in rows["mallory"]["error"]
    # merge names the learner, in its output and its summary
    assert "1 learners have an error" in merged.stderr and "mallory" in merged.stderr
    summary = json.loads((tmp_path / "merged/__merge.json").read_text())
    assert list(summary["errors"]) == ["mallory"] and summary["missing"] == []
