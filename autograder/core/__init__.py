"""The pipeline's core: which file is graded and why not (intake, tarball), the grading run
(grade, the rubric, misconceptions) and the in-process double. It imports no door
(docs/architecture.md, tests/test_layout.py)."""
