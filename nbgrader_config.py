"""nbgrader configuration for the chapter-1 course. Run nbgrader from the repository root.

Each setting below guards a pitfall of nbgrader 0.9.6 that we hit and verified. The kit's
grader (`autograder`) is importable because `make` installs it into .venv (pyproject.toml).
"""

import importlib.util
import logging
import os
import sys
import warnings
from pathlib import Path

from nbgrader.converters import Autograde

from autograder.doors import nbgrader_hooks

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

KIT = Path(__file__).resolve().parent

# Quiet: warnings and errors only (nbgrader's INFO is a line per file per student), and autograde's
# one GRADED line per learner (score, time, why it lost points before any check); a command's
# own --log-level=INFO still shows everything.
c.Application.log_level = "WARN"

c.CourseDirectory.course_id = "nn-ch01"
c.CourseDirectory.root = os.environ.get("NN_KIT_COURSE_ROOT", str(KIT))

# autograde copies every non-notebook file of source/ch01 over the learner's own; the learner's
# module must never be replaced by anything of ours (the reference would then be graded).
c.Autograde.exclude_overwriting = {"ch01": ["nn_basics.py"]}
# A learner who deletes a test cell must still be graded on it, not get an empty grade: released
# cells missing from a notebook are added back (OverwriteAllCells, below, places each after the
# nearest released cell present: nbgrader's own raised KeyError on an empty notebook).
c.OverwriteCells.add_missing_cells = True
# Every learner is graded by the one rule (autograder.core.submission.graded_file), whatever they
# handed in: a notebook nbgrader cannot read (invalid JSON, 0 bytes) is processed as an empty one
# (SubmissionExporter) instead of failing with a traceback (exit 1 on every later run), and a
# folder holding only nn_basics.py is autograded too (init_notebooks_by_the_rule; nbgrader itself
# skipped it: "No notebooks were matched"). SandboxGrades grades the submitted folder by the rule,
# the same path grade-all grades, so both gradebooks agree, and says in every test cell that
# lost points why (the refusal, the load error, nothing defined).
c.Autograde.exporter_class = "autograder.doors.nbgrader_hooks.SubmissionExporter"
Autograde.init_notebooks = nbgrader_hooks.init_notebooks_by_the_rule
logging.getLogger("AutogradeApp").addFilter(nbgrader_hooks.quiet_for_modules)
c.ClearSolutions.code_stub = {"python": "# 在这里写你的代码（YOUR CODE HERE）\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "在这里写下你的回答（YOUR ANSWER HERE）"
# nbgrader runs no learner code: its Execute step (a kernel running the notebook as the
# instructor's user, free to read solutions/, rewrite classmates' notebooks, start daemons that
# outlive grading) is left out. SandboxGrades grades the notebook in the kit's sandbox, the
# same pipeline as `python -m autograder grade`, and writes each test cell's feedback and points.
# InertLearnerHTML escapes HTML a learner wrote in markdown or raw cells: formgrader shows the
# autograded notebook inside the instructor's Jupyter, where a <script> could act as them.
c.Autograde.autograde_preprocessors = [
    "autograder.doors.nbgrader_hooks.SandboxGrades",
    "autograder.doors.nbgrader_hooks.InertLearnerHTML",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "autograder.doors.nbgrader_hooks.CheckCellMetadata",
]
# nbgrader's own sanitizing steps (its default list), with the same metadata check made quick:
# nbgrader's builds a JSON-schema validator per cell, 0.2-0.4 s a notebook, twice per notebook.
# RestoreCellMetadata first puts back the released nbgrader metadata of every cell: a learner who
# edits it (`solution: true` on a locked test cell) made nbgrader's steps raise, their notebook
# ungraded and the whole run exit 1.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "autograder.doors.nbgrader_hooks.RestoreCellMetadata",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "autograder.doors.nbgrader_hooks.OverwriteAllCells",
    "autograder.doors.nbgrader_hooks.CheckCellMetadata",
]
# nbconvert validates the whole notebook after every step (13 per notebook under autograde);
# once after the last step still catches a step that breaks the notebook.
c.Exporter.optimistic_validation = True
# Hidden test code must not reach learners through feedback: strip it before rendering.
# FeedbackGrades is nbgrader's GetGrades that also labels each graded cell in the learner's
# language (autograder/doors/feedback_page.py).
c.GenerateFeedback.preprocessors = [
    "autograder.doors.nbgrader_hooks.StripHiddenTests",
    "autograder.doors.feedback_page.FeedbackGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# The feedback page a learner can read (issue 20): the kit's template extends nbgrader's own
# `feedback` one (templates/nbgrader/nn_feedback): the load error and root causes on top, test
# cells named by their function, written answers "awaiting grading" until graded, output that
# wraps, formulas pre-rendered as MathML (no MathJax from a CDN: an offline JupyterHub reads them).
# Scoped to GenerateFeedback's exporter: the formgrader keeps its own template.
FORMGRADER = Path(importlib.util.find_spec("nbgrader").origin).parent / "server_extensions" / "formgrader"
c.GenerateFeedback.HTMLExporter.template_name = "nn_feedback"
c.GenerateFeedback.HTMLExporter.extra_template_basedirs = [
    str(FORMGRADER / "templates"),
    str(KIT / "templates" / "nbgrader"),
]
# where the kit's template finds nbgrader's (`feedback/index.html.j2`) and nbgrader's bootstrap.min.css
c.GenerateFeedback.HTMLExporter.extra_template_paths = [
    str(FORMGRADER / "static" / "node_modules" / "bootstrap" / "dist" / "css"),
    str(FORMGRADER / "templates"),
]
c.GenerateFeedback.HTMLExporter.filters = {
    "offline_header": "autograder.doors.feedback_page.offline_header",
    "math_html": "autograder.doors.feedback_page.page_math_html",
    "highlight_code": "autograder.doors.feedback_page.page_highlight_code",
}
# What the page says on top is written by SandboxGrades into the notebook's metadata, which
# autograde's ClearMetadataPreprocessor would otherwise clear.
c.ClearMetadataPreprocessor.preserve_nb_metadata_mask = {("language_info", "name"), "nn_feedback"}


# `nbgrader generate_assignment ch01` must never "skip the existing assignment" (it would then
# not reach the gradebook, and autograde finds no assignment): it always regenerates release/ch01,
# byte for byte what `make release` commits. It deletes release/ch01 first, so the post-convert
# hook writes back what nbgrader does not make itself: the stub nn_basics.py (tools/release.py,
# loaded by path: it is the repository's tool, not part of the installed package).
c.GenerateAssignment.force = True
# ...and so nbgrader's "Removing existing assignment: .../release/ch01" warning is the
# configured behaviour, not news for the instructor.
logging.getLogger("GenerateAssignmentApp").addFilter(
    lambda record: not record.getMessage().startswith("Removing existing assignment:")
)


def write_release_extras(assignment, **_):
    spec = importlib.util.spec_from_file_location("nn_kit_release", KIT / "tools" / "release.py")
    release = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(release)
    try:
        release.after_nbgrader(KIT, Path(c.CourseDirectory.root) / "release" / assignment)
    except Exception as error:  # nbgrader logs a failed hook at INFO only: say it out loud
        print(
            f"nbgrader_config.py: could not write the stub into release/{assignment}: {error!r}",
            file=sys.stderr,
        )
        raise


c.GenerateAssignment.post_convert_hook = write_release_extras

# Submissions downloaded from an LMS: `nbgrader zip_collect ch01` reads
# downloaded/ch01/archive/<student>_ch01.ipynb (or <student>_nn_basics.py), or a learner's archive
# <student>_ch01.zip holding their <student>_ch01.ipynb (or <student>_nn_basics.py), into
# submitted/<student>/ch01/ch01.ipynb (or nn_basics.py); autograde grades the folder by the rule.
# ArchiveBoundCollector matches named_regexp against the path below extracted/ (an archive's
# files are in extracted/<student>_ch01/...): a file in an archive must carry the archive's
# learner id (the backreference), so mallory_ch01.zip cannot hand in alice_ch01.ipynb; a
# learner's second notebook (or module) is skipped with a warning instead of stopping the whole
# collection.
c.ZipCollectApp.collector_plugin = "autograder.doors.nbgrader_hooks.ArchiveBoundCollector"
c.FileNameCollectorPlugin.named_regexp = (
    r"^(?P<student_id>[A-Za-z0-9][A-Za-z0-9_.-]*?)"
    r"(?:_ch01/(?:[^/]+/)*(?P=student_id))?"
    r"_(?P<file_id>ch01\.ipynb|nn_basics\.py)\Z"
)
c.FileNameCollectorPlugin.valid_ext = [".ipynb", ".py"]

# zip_collect warns "Directory not found. Creating: ..." for every folder it is there to create
# (extracted/, each submitted/<student>/ch01/); a missing archive/ is still reported.
logging.getLogger("ZipCollectApp").addFilter(
    lambda record: not record.getMessage().startswith("Directory not found. Creating:")
)

# nbgrader 0.9.6 on SQLAlchemy 2 warns "Object of type ... not in session" on every gradebook
# write (its backref cascades); the writes are right, so the warning is noise for instructors.
warnings.filterwarnings("ignore", message=r"Object of type .* not in session")

# nbgrader runs alembic (for the gradebook) from PATH: put this Python's bin/ first, so the
# venv's alembic is found however nbgrader was started. (Under autograde nbgrader sets
# NBGRADER_EXECUTION=autograde in the kernel; visible checks then stand aside, since nbgrader
# zeroes a cell that raises or writes to stderr.)
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
