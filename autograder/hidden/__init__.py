"""The hidden checks as pytest tests: pytest collects the kit's one registry of checks
(autograder/checks/, `@check` and `case`, points in rubric.toml) as one item per rubric check.

    pytest -p autograder.hidden.plugin --submission PATH [pytest options]
    nn-grade pytest PATH [pytest options]

Node ids are `autograder/<function>::<check>`, the check named as in rubric.toml. See plugin.py
and docs/hidden-checks.md.
"""

from __future__ import annotations

PLUGIN = "autograder.hidden.plugin"
# hypothesis's plugin imports hypothesis at the summary (3 s): the hidden checks use none of it
QUIET_PLUGINS = ("-p", "no:hypothesispytest")


def run(submission, pytest_args=(), plugins=()) -> int:
    """pytest's exit status for the hidden checks run on `submission`, in this process."""
    import pytest

    # one word, so pytest does not take the submission's folder for its rootdir (and cache)
    door = ["-p", PLUGIN, f"--submission={submission}", *QUIET_PLUGINS]
    return int(pytest.main([*door, *pytest_args], plugins=list(plugins)))
