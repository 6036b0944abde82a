"""nbgrader configuration for the chapter-1 course. Run nbgrader from the repository root.

Each setting below guards a pitfall of nbgrader 0.9.6 that we hit and verified.
"""
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

KIT = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "nn-ch01"
c.CourseDirectory.root = os.environ.get("NN_KIT_COURSE_ROOT", str(KIT))

# autograde copies every non-notebook file of source/ch01 over the learner's own; the learner's
# module must never be replaced by anything of ours (the reference would then be graded).
c.Autograde.exclude_overwriting = {"ch01": ["nn_basics.py"]}
# A learner who deletes a test cell must still be graded on it, not get an empty grade.
c.OverwriteCells.add_missing_cells = True
c.ClearSolutions.code_stub = {"python": "# 在这里写你的代码（YOUR CODE HERE）\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "在这里写下你的回答（YOUR ANSWER HERE）"
# nbgrader runs no learner code: its Execute step (a kernel running the notebook as the
# instructor's user, free to read solutions/, rewrite classmates' notebooks, start daemons that
# outlive grading) is left out. SandboxGrades grades the notebook in the kit's sandbox, the
# same pipeline as `python -m autograder grade`, and writes each test cell's feedback and points.
c.Autograde.autograde_preprocessors = [
    "autograder.nbgrader_hooks.SandboxGrades",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Hidden test code must not reach learners through feedback: strip it before rendering.
c.GenerateFeedback.preprocessors = [
    "autograder.nbgrader_hooks.StripHiddenTests",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# nbgrader runs alembic (for the gradebook) from PATH, and kernels inherit this environment:
# put this Python's bin/ first, and the kit root on the path so nbgrader and hidden cells find
# the grader. (Under autograde nbgrader sets NBGRADER_EXECUTION=autograde in the kernel; visible
# checks then stand aside, since nbgrader zeroes a cell that raises or writes to stderr.)
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
sys.path.insert(0, str(KIT))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(KIT), os.environ.get("PYTHONPATH")]))
