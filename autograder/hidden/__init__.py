"""The hidden checks as pytest tests: pytest collects the kit's one registry of checks
(autograder/checks/, `@check` and `case`, points in rubric.toml) as one item per rubric check.

    pytest -p autograder.hidden.plugin --submission PATH [pytest options]
    nn-grade pytest PATH [pytest options]

Node ids are `autograder/<function>::<check>`, the check named as in rubric.toml. See plugin.py
and docs/hidden-checks.md.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

PLUGIN = "autograder.hidden.plugin"
# hypothesis's plugin imports hypothesis at the summary (3 s): the hidden checks use none of it
QUIET_PLUGINS = ("-p", "no:hypothesispytest")


def run(submission, pytest_args=(), plugins=()) -> int:
    """pytest's exit status for the hidden checks run on `submission`, in this process."""
    import pytest

    with tempfile.TemporaryDirectory(prefix="nn-grade-pytest-") as folder:
        # The folder it runs in may be a learner's: pytest would import its conftest.py and read
        # its pytest.ini, pyproject.toml, tox.ini or setup.cfg (addopts, pythonpath), which is
        # learner code run in the grader. The kit's own empty configuration instead; the rootdir
        # (where --lf's cache lives) stays the current folder; an instructor's -p, -c or
        # --rootdir given after SUBMISSION still applies.
        ini = Path(folder, "pytest.ini")
        ini.write_text("[pytest]\n", encoding="utf-8")
        config = ["--noconftest", "-c", str(ini), f"--rootdir={Path.cwd()}"]
        # one word, so pytest does not take the submission's folder for its rootdir (and cache)
        door = ["-p", PLUGIN, f"--submission={submission}", *config, *QUIET_PLUGINS]
        return int(pytest.main([*door, *pytest_args], plugins=list(plugins)))
