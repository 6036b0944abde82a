"""The instructor's class report (issue 21): class.html and the summary from the JSON reports
grade-all writes, misconceptions read from the reports' `misconception` field, item analysis,
learners not graded normally, learner text escaped, and `grade-all`, `merge` and `class-report`
writing it."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.core.grade import load_rubric, without_results
from autograder.doors.classreport import read_reports, reports, stats, write
from autograder.doors.classreport.page import render
from autograder.messages import t
from autograder.reporters import render as render_report
from autograder.results import CheckResult, Named, Outcome, Results, Text
from bench.class_report import HOSTILE_TEXT, write_class
from tests.cli_in_process import run_cli
from tests.mistakes import reference_source, stub_source

SIGMOID_WANTED_Z = {
    "id": "sigmoid_derivative.sigma_of_z",
    "zh": "用 σ(z) 代替了 σ'(z)",
    "en": "passed σ(z) where σ'(z) wanted z",
}


def report(
    learner: str,
    failing: dict[str, dict | None] | None = None,
    feedback: dict[str, Text] | None = None,
    broken: tuple[str, ...] = (),
    **results,
) -> dict:
    """A JSON report as grade-all writes it: every check of the rubric passed but `failing`
    ({check: its misconception or None}) and `broken` (grader errors); `feedback`: a check's
    own feedback."""
    failing, feedback = failing or {}, feedback or {}
    rubric = load_rubric()

    def outcome(name: str) -> Outcome:
        return Outcome.ERROR if name in broken else Outcome.FAILED if name in failing else Outcome.PASSED

    def named(name: str) -> Named | None:
        found = failing.get(name)
        return Named(found["id"], Text(found["zh"], found["en"])) if found else None

    tests = [
        CheckResult(
            name,
            function,
            float(points),
            outcome=outcome(name),
            feedback=feedback.get(name, t("exception", call="f(x)", error="E")),
            misconception=named(name),
        )
        for function, table in rubric.items()
        for name, points in table.items()
    ]
    return json.loads(render_report(Results(learner, tests, functions=list(rubric), **results), "json"))


def write_reports(folder: Path, reports_by_learner: dict[str, dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for learner, data in reports_by_learner.items():
        (folder / f"{learner}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


def failure(learner: str, error: str, **changes) -> dict:
    return json.loads(render_report(replace(without_results(learner, error), **changes), "json"))


def test_misconceptions_are_counted_per_function_with_their_learners(tmp_path):
    check = "sigmoid_derivative_matches_reference"
    folder = write_reports(
        tmp_path,
        {
            **{f"l{i}": report(f"l{i}", {check: SIGMOID_WANTED_Z}) for i in range(31)},
            "other": report("other", {check: None}),  # no catalogue entry: the check's name stands
            "right": report("right"),
        },
    )
    found = stats.misconceptions(read_reports(folder))["sigmoid_derivative"]
    assert [(m.key, len(m.learners)) for m in found] == [(SIGMOID_WANTED_Z["id"], 31), (check, 1)]
    assert found[0].learners[:2] == ["l0", "l1"] and found[1].learners == ["other"]
    page = render(read_reports(folder), "en")
    row = re.search(r"<tr><td>sigmoid_derivative</td><td>(.*?)</td><td class='n'>31</td><td>(.*?)</td>", page)
    assert row and row[1] == "passed σ(z) where σ&#x27;(z) wanted z" and row[2].startswith("l0, l1, l10")
    assert "用 σ(z) 代替了 σ&#x27;(z)" in render(read_reports(folder), "zh")


def test_item_analysis_flags_checks_nobody_or_everybody_passes_and_correlates_the_rest():
    def learner(name, passed):
        checks = [
            reports.Check("always", "f", 1, 1, True),
            reports.Check("never", "f", 0, 1, False),
            reports.Check("hard", "f", float(passed), 1, passed),
            reports.Check("rest", "g", 3.0 if passed else 1.0, 3, passed),
        ]
        return reports.Learner(name, sum(c.score for c in checks), 6, checks)

    items = {
        item.name: item for item in stats.items([learner("a", True), learner("b", False), learner("c", True)])
    }
    assert items["always"].flag == "everybody" and items["always"].discrimination is None
    assert items["never"].flag == "nobody" and items["never"].difficulty == 0
    assert items["hard"].difficulty == pytest.approx(2 / 3)
    assert items["hard"].discrimination == pytest.approx(1.0)  # passing it goes with the rest of the score


def test_learners_not_graded_normally_are_listed_with_the_reason_and_left_out_of_the_statistics(tmp_path):
    softmax = "softmax_matches_reference_on_rows"
    hung = report("hung", {softmax: None}, {softmax: t("timeout", call="softmax(x)")})
    broken = report("broken", {}, load_error="SyntaxError: invalid syntax (line 1)")
    errored = report("errored", broken=("relu_matches_reference",))
    folder = write_reports(
        tmp_path,
        {
            "absent": failure("absent", "no submission"),
            "stopped": failure("stopped", "grading stopped after 240 s"),
            "hung": hung,
            "broken": broken,
            "errored": errored,
            "fine": report("fine"),
        },
    )
    learners = read_reports(folder)
    kinds = {learner: (kind, reason) for learner, kind, reason in stats.problems(learners)}
    assert {learner: kind for learner, (kind, _) in kinds.items()} == {
        "absent": "no_submission",
        "stopped": "grader_error",
        "hung": "limit",
        "broken": "not_loaded",
        "errored": "grader_error",
    }
    assert "240 s" in kinds["stopped"][1] and "SyntaxError" in kinds["broken"][1]
    assert [i.graded for i in stats.items(learners)][:1] == [2]  # hung and fine
    summary = stats.summary(learners)
    assert summary.zeros == {"no_submission": ["absent"], "grader_error": ["stopped"]}
    assert "2 at 0 (no submission: 1; grader error: 1)" in summary.line()


def test_a_refused_learner_is_listed_as_refused(tmp_path):
    data = failure(
        "linked", "refused: a symbolic link", refused=Text("提交是符号链接（symbolic link）", "a link")
    )
    learners = read_reports(write_reports(tmp_path, {"linked": data}))
    assert stats.problems(learners) == [("linked", "refused", "提交是符号链接（symbolic link）")]


def test_learner_text_is_escaped_and_the_page_runs_no_script(tmp_path):
    hostile = "<script>alert(1)</script>"
    data = report(
        hostile, {"relu_matches_reference": {"id": "x", "zh": "<img src=x onerror=alert(1)>", "en": "e"}}
    )
    learners = read_reports(
        write_reports(tmp_path, {"mallory": data, "x<b>": report("x<b>", {}, load_error="<b>")})
    )
    learners[0].learner = hostile  # an id is a file name; a name holding < is possible too
    page = render(learners, "zh")
    assert "<script" not in page and "<img src=x" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "default-src 'none'" in page  # no script runs even if an escape were missed


def test_the_page_has_its_sections_and_inline_pictures_in_either_language(tmp_path):
    write_class(tmp_path, 40)
    learners = read_reports(tmp_path)
    for lang, heading in (("zh", "分数分布"), ("en", "Score distribution")):
        page = render(learners, lang)
        for element in ("histogram-img", "functions-img", "check-table", "misconception-table", "item-table"):
            assert f"id='{element}'" in page
        assert heading in page and "http://" not in page and "https://" not in page
        assert page.count("src='data:image/png;base64,") == 2


def test_the_similarity_report_is_linked_when_it_is_there(tmp_path):
    write_class(tmp_path, 10)
    write(read_reports(tmp_path), tmp_path)
    assert "similarity-link" not in (tmp_path / "class.html").read_text(encoding="utf-8")
    (tmp_path / "similarity.html").write_text("<html></html>")
    write(read_reports(tmp_path), tmp_path)
    assert "href='similarity.html'" in (tmp_path / "class.html").read_text(encoding="utf-8")


def test_grade_all_writes_class_html_and_prints_the_summary(tmp_path, capsys):
    (tmp_path / "class" / "absent").mkdir(parents=True)
    (tmp_path / "class" / "ada.py").write_text(reference_source(), encoding="utf-8")
    (tmp_path / "class" / "blank.py").write_text(stub_source(), encoding="utf-8")
    out = tmp_path / "reports"
    done = run_cli(capsys, "grade-all", tmp_path / "class", "--output-dir", out, "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert "class: 3 learners, out of 100: mean 33.3, median 0" in done.stderr
    assert "2 at 0 (no submission: 1; graded, no check passed: 1)" in done.stderr
    page = (out / "class.html").read_text(encoding="utf-8")
    assert "Score distribution" in page and "absent" in page


def test_merge_writes_class_html_for_the_whole_class(tmp_path, capsys):
    parts = []
    for index, learners in ((1, ["a", "b"]), (2, ["c"])):
        part = write_reports(tmp_path / f"part{index}", {name: report(name) for name in learners})
        (part / "gradebook.csv").write_text(
            "learner,score,max_score,error\n" + "".join(f"{n},100,100,\n" for n in learners)
        )
        (part / "__shard.json").write_text(json.dumps({"shard": f"{index}/2", "learners": learners}))
        parts.append(part)
    done = run_cli(capsys, "merge", *parts, "--output-dir", tmp_path / "merged")
    assert done.returncode == 0, done.stderr
    assert "class: 3 learners" in done.stderr
    assert "3 名学生" in (tmp_path / "merged" / "class.html").read_text(encoding="utf-8")


def test_class_report_command_reads_a_folder_of_reports(tmp_path, capsys):
    write_class(tmp_path / "reports", 20)
    done = run_cli(capsys, "class-report", tmp_path / "reports", "--output-dir", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "class.html").is_file() and "class: 20 learners" in done.stderr
    assert run_cli(capsys, "class-report", tmp_path / "nothing").returncode == 2


# --- in a real browser: headless Chromium, as tests/test_browser.py drives it -----------------


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    from tests.test_browser import headless_chromium

    # the console kept, for its errors
    yield from headless_chromium(tmp_path_factory, "normal", console=True)


def seen_in_browser(driver, page: Path) -> dict:
    """What a person sees of class.html: its sections, whether each picture loaded, the console."""
    from selenium.webdriver.common.by import By

    driver.get_log("browser")  # earlier pages' messages are not this page's
    driver.get(page.as_uri())
    images = driver.execute_script(
        "return Array.from(document.images).map(i => [i.id, i.complete && i.naturalWidth > 0, i.naturalWidth]);"
    )
    return {
        "present": {
            element: bool(driver.find_elements(By.ID, element))
            for element in (
                "histogram-img",
                "check-table",
                "misconception-table",
                "item-table",
                "problem-table",
            )
        },
        "images": images,
        "errors": [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"],
        "rows": len(driver.find_elements(By.CSS_SELECTOR, "#check-table tbody tr")),
        "text": driver.find_element(By.TAG_NAME, "body").text,
    }


@pytest.mark.slow
@pytest.mark.xdist_group("browser")
def test_the_demo_class_report_opens_in_chromium(chromium, tmp_path, capsys):
    from tools import demo

    demo.write_class(tmp_path / "class")
    out = tmp_path / "reports"
    assert (
        run_cli(capsys, "grade-all", tmp_path / "class", "--jobs", "2", "--output-dir", out).returncode == 0
    )
    seen = seen_in_browser(chromium, out / "class.html")
    assert all(seen["present"].values()), seen["present"]
    assert len(seen["images"]) == 2 and all(loaded and width > 300 for _, loaded, width in seen["images"])
    assert seen["errors"] == []
    assert seen["rows"] == len([name for table in load_rubric().values() for name in table])
    assert "分数分布" in seen["text"] and "3 名学生" in seen["text"]


@pytest.mark.slow
@pytest.mark.xdist_group("browser")
def test_a_generated_class_of_300_report_opens_in_chromium(chromium, tmp_path):
    write_class(tmp_path, 300)
    write(read_reports(tmp_path), tmp_path, "en")
    seen = seen_in_browser(chromium, tmp_path / "class.html")
    assert all(seen["present"].values()) and seen["errors"] == []
    assert all(loaded for _, loaded, _ in seen["images"])
    assert "300 learners" in seen["text"] and "no submission" in seen["text"]
    assert HOSTILE_TEXT in seen["text"]  # hostile names shown as text...
    assert (
        chromium.execute_script(
            "return document.scripts.length + document.querySelectorAll('[onerror], [onload]').length"
        )
        == 0
    )
    assert "softmax mistake" in seen["text"]  # the catalogue's labels, in English


@pytest.mark.slow  # nbgrader autograde of the demo course (three notebooks)
def test_class_report_reads_nbgraders_gradebook_after_autograde(tmp_path, capsys):
    from tools import demo

    course = tmp_path / "course"
    demo.build_course(course)
    demo.nbgrader(course, "autograde", demo.ASSIGNMENT)
    done = run_cli(capsys, "class-report", course / "gradebook.db", "--lang", "en")
    assert done.returncode == 0, done.stderr
    learners = {learner.learner: learner for learner in reports.read_gradebook_db(course / "gradebook.db")}
    assert set(learners) == {"ada", "blank", "trap"}
    assert learners["ada"].score == learners["ada"].max_score == 100 and learners["blank"].score == 0
    assert 0 < learners["trap"].score < 100 and learners["trap"].functions["swish"][0] == 0
    assert "class: 3 learners, out of 100" in done.stderr
    page = (course / "class.html").read_text(encoding="utf-8")
    assert "test_softmax" in page and "id='item-table'" in page


def test_a_fault_in_the_class_report_costs_the_page_never_the_grades(tmp_path):
    from autograder.doors.classreport import after_grading

    write_reports(tmp_path, {"ada": report("ada")})
    (tmp_path / "bob.json").write_text("{not json", encoding="utf-8")
    line = after_grading(tmp_path, ["ada", "bob"], "zh")
    assert (
        line.startswith("class.html not written: JSONDecodeError") and not (tmp_path / "class.html").exists()
    )
    assert after_grading(tmp_path, ["ada"], "zh").startswith("class: 1 learners")


def test_other_json_in_the_folder_is_not_a_learner(tmp_path):
    write_reports(tmp_path, {"ada": report("ada")})
    (tmp_path / "points.json").write_text('{"sigmoid": 4}', encoding="utf-8")
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    assert [learner.learner for learner in read_reports(tmp_path)] == ["ada"]


def test_a_learner_id_with_a_comma_reads_as_one_learner_in_the_misconception_table(tmp_path):
    check = "sigmoid_derivative_matches_reference"
    ids = ["alice, bob", "carol"]  # an id that would read as two learners in a comma list
    folder = write_reports(tmp_path, {who: report(who, {check: SIGMOID_WANTED_Z}) for who in ids})
    page = render(read_reports(folder), "en")
    row = re.search(r"<td class='n'>2</td><td>(.*?)</td>", page)
    assert row and row[1] == "&quot;alice, bob&quot;, carol"
