"""JUnit XML (the shape pytest's junitxml writes): one testcase per check, classname = the
contract function, a <failure> carrying the feedback of a learner's miss, an <error> for a check
that broke in the grader (pytest's own distinction); the score as testsuite properties.

Text is passed through quoting.clean first: XML 1.0 cannot hold most control characters at all
(ElementTree would write them and every parser would reject the whole report)."""

import xml.etree.ElementTree as ET

from ..results import first_failures, note
from ..quoting import clean, one_line
from . import number


def render(results, lang: str = "zh") -> str:
    errors = len(results.grader_errors)
    failures = len(results.failed()) - errors
    counts = dict(tests=str(len(results.tests)), failures=str(failures), errors=str(errors))
    suites = ET.Element("testsuites", name="autograder", **counts, time=f"{results.execution_time:.3f}")
    suite = ET.SubElement(
        suites, "testsuite", name="autograder", **counts, skipped="0", time=f"{results.execution_time:.3f}"
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("submission", one_line(results.submission)),
        ("score", number(results.score)),
        ("max_score", number(results.max_score)),
    ):
        ET.SubElement(properties, "property", name=name, value=str(value))
    named = first_failures(results.tests)  # the misconception once per function, in its first failure
    for i, test in enumerate(results.tests):
        case = ET.SubElement(
            suite, "testcase", classname=f"autograder.{test.function}", name=test.name, time="0"
        )
        if not test.passed:
            text = clean((test.feedback + note(test) if i in named else test.feedback).render(lang))
            tag, kind = (
                ("error", "grader-error") if test.error else ("failure", f"0/{number(test.max_score)}")
            )
            element = ET.SubElement(
                case, tag, message=one_line(text.splitlines()[0] if text else tag), type=kind
            )
            element.text = text
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
