"""The doors: every way a submission comes in (the CLI and its commands, grade-all and its
shards, GitHub Classroom, Gradescope, nbgrader, LMS export, the class report, similarity). Each
one asks core/intake.py which file to grade and core/grade.py for the results; none is imported
by the core (docs/architecture.md, tests/test_layout.py)."""
