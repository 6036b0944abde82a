"""`python -m autograder ARGS` in the test's own process: autograder.doors.cli.main with its streams
captured by pytest's capsys, for the tests where a separate process is not what is tested (a
new interpreter costs a start-up and the kit's imports per call). Tests of the process itself
(the exit status reaching the shell, the `nn-grade` entry point, the working directory's
imports, a workflow job's environment) keep starting one."""

from __future__ import annotations

from dataclasses import dataclass

from autograder.doors.cli import main


@dataclass
class Done:
    """What subprocess.run would have returned: the exit status and the two streams."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(capsys, *args) -> Done:
    capsys.readouterr()  # what the test printed before is not the command's
    try:
        status = main([str(arg) for arg in args])
    except SystemExit as exc:  # argparse's own exits: --help, bad arguments
        status = exc.code
    out, err = capsys.readouterr()
    return Done(status, out, err)
