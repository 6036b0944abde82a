"""JUnit XML (the shape pytest's junitxml writes): one testcase per check, classname = the
contract function, a <failure> carrying the feedback; the score as testsuite properties."""
import xml.etree.ElementTree as ET

from . import number


def render(results, lang: str = "zh") -> str:
    failures = len(results.failed())
    suites = ET.Element("testsuites", name="autograder", tests=str(len(results.tests)),
                        failures=str(failures), errors="0", time=f"{results.execution_time:.3f}")
    suite = ET.SubElement(suites, "testsuite", name="autograder", tests=str(len(results.tests)),
                          failures=str(failures), errors="0", skipped="0", time=f"{results.execution_time:.3f}")
    properties = ET.SubElement(suite, "properties")
    for name, value in (("submission", results.submission), ("score", number(results.score)),
                        ("max_score", number(results.max_score))):
        ET.SubElement(properties, "property", name=name, value=str(value))
    for test in results.tests:
        case = ET.SubElement(suite, "testcase", classname=f"autograder.{test.function}", name=test.name, time="0")
        if not test.passed:
            text = test.feedback.render(lang)
            failure = ET.SubElement(case, "failure", message=text.splitlines()[0] if text else "failed",
                                    type=f"0/{number(test.max_score)}")
            failure.text = text
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
