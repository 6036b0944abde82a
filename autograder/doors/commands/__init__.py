"""CLI subcommands, one module each (see autograder/doors/cli.py), and the exit statuses they share.

A command returns EXIT_DONE, EXIT_INCOMPLETE or EXIT_GRADER_ERRORS, or raises CannotGrade when it
cannot do its job at all; cli.main turns that into its message and EXIT_CANNOT_GRADE, in one place.
"""

EXIT_DONE = 0  # the command ran (grading ran, whatever the scores)
EXIT_INCOMPLETE = 1  # merge: a shard is missing; classroom: some pull requests got nothing posted
EXIT_CANNOT_GRADE = 2  # the command could not start: no such path, bad settings, no token (argparse's 2 too)
EXIT_GRADER_ERRORS = 3  # grade-all: the grader itself failed on some checks (fix and re-grade)


class CannotGrade(Exception):
    """The command cannot run at all; the message says why, for the instructor's terminal."""
