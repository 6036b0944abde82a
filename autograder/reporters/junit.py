"""JUnit XML: pytest's own junitxml, written by running the graded results through the pytest
door (autograder/hidden/plugin.py, `Replay`) in this process, no second copy of JUnit's shape
or of the outcome mapping. One testcase per check, classname `autograder.<function>`; a
<failure> carrying the learner-facing feedback, a <skipped> for a gated check not paid, an
<error> for a check that broke in the grader; the submission and score as testsuite properties.

pytest's junitxml makes the text XML-safe; the feedback is quoting.clean'ed before (the plugin)."""

from __future__ import annotations

import tempfile
from pathlib import Path

INI = "[pytest]\njunit_suite_name = autograder\njunit_family = xunit2\njunit_logging = no\n"


def render(results, lang: str = "zh") -> str:
    import pytest

    from ..hidden.plugin import HiddenChecks, Replay

    with tempfile.TemporaryDirectory(prefix="nn-grade-junit-") as folder:
        ini, xml = Path(folder, "pytest.ini"), Path(folder, "report.xml")
        ini.write_text(INI, encoding="utf-8")
        args = ["-c", str(ini), "--rootdir", folder, "--noconftest", "--disable-plugin-autoload"]
        args += ["-p", "no:cacheprovider", "-p", "no:terminal", "--capture=no", f"--junitxml={xml}"]
        pytest.main(args, plugins=[HiddenChecks(Replay(results), lang)])
        # the declaration on a line of its own, as XML files are usually read by eye
        return xml.read_text(encoding="utf-8").replace("?><", "?>\n<", 1) + "\n"
