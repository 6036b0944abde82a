"""CLI subcommands, one module each (see autograder/cli.py)."""
