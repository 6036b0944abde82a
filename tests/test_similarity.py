"""`nn-grade similarity` (issue 21): copydetect on the learners' answers, the released code as
boilerplate, notebooks by their answer cells; disguised copies flagged, independent correct
solutions of the corpus not."""

from __future__ import annotations

import nbformat

from autograder.doors import classreport
from autograder.doors.similarity import MIN_OVERLAP, THRESHOLD, Answer, answer_code, given_code, similar_pairs
from bench import class_report as bench_class_report
from bench import similarity as measured
from tests.cli_in_process import run_cli
from tests.mistakes import VARIANTS, stub_source
from tools import demo
from tools.release import ROOT


def notebook_of(code: str, path):
    """A learner's notebook holding `code`'s functions in the release's answer cells."""
    module = path.with_suffix(".py")
    module.write_text(code, encoding="utf-8")
    functions = demo.function_sources(module)
    module.unlink()
    release_nb = nbformat.read(ROOT / "release" / "ch01" / "ch01.ipynb", as_version=4)
    nbformat.write(demo.submission(release_nb, functions), path)


def write_class(folder):
    """Seven learners: six wrote their answers apart, but dave renamed carol's (in a notebook), and gina sent nothing."""
    formulas, loops = VARIANTS["other_formulas"], VARIANTS["loops_and_in_place"]
    folder.mkdir()
    carol = measured.only(formulas, formulas)
    files = {
        "alice.py": measured.only(loops, loops),
        "bob.py": measured.only(loops),  # the reference's answers of the same functions
        "carol.py": carol,
        "erin.py": measured.only(formulas),
        "frank.py": stub_source(),
    }
    for name, code in files.items():
        (folder / name).write_text(code, encoding="utf-8")
    notebook_of(measured.renamed(carol), folder / "dave.ipynb")
    (folder / "gina").mkdir()  # no submission: listed, not compared


def test_a_class_with_two_renamed_copies_flags_exactly_that_pair(tmp_path, capsys):
    write_class(tmp_path / "class")
    bench_class_report.write_class(tmp_path / "out", 10)  # grade-all's reports and class.html
    classreport.write(classreport.read_reports(tmp_path / "out"), tmp_path / "out")
    done = run_cli(capsys, "similarity", tmp_path / "class", "--output-dir", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert "compared 6 learners' answers (1 without code to compare): 1 pairs" in done.stderr
    assert "carol ~ dave" in done.stderr
    page = (tmp_path / "out" / "similarity.html").read_text(encoding="utf-8")
    assert page.count("class='pair-block'") == 1 and "<mark>" in page
    assert "href='similarity.html'" in (tmp_path / "out" / "class.html").read_text(encoding="utf-8")


def test_a_notebook_is_compared_by_its_answer_cells_and_the_given_code_never_counts(tmp_path):
    notebook_of(stub_source(), tmp_path / "blank.ipynb")
    code = answer_code(tmp_path / "blank.ipynb")
    assert "NotImplementedError" in code and "check_sigmoid" not in code  # no test cell
    blank = [Answer("a", stub_source()), Answer("b", stub_source()), Answer("c", code)]
    assert similar_pairs(blank, given_code(), threshold=0.0, min_overlap=1) == []


def test_disguised_copies_are_flagged_and_independent_correct_solutions_are_not():
    result = measured.measure()
    assert result["flagged"] == [] and result["pairs"] == 20
    for disguise, (share, overlap) in result["copies"].items():
        assert share >= THRESHOLD and overlap >= MIN_OVERLAP, disguise


def test_learner_code_is_escaped_in_the_page(tmp_path):
    code = (
        stub_source()
        + "\n"
        + "def extra():\n    s = '</pre><script>alert(1)</script>'\n" * 3
        + measured.only(VARIANTS["other_formulas"], VARIANTS["other_formulas"])
    )
    (tmp_path / "class").mkdir()
    for name in ("x", "y"):
        (tmp_path / "class" / f"{name}.py").write_text(code, encoding="utf-8")
    from autograder.doors import similarity

    answers, _ = similarity.read_class(tmp_path / "class")
    page = similarity.render(similarity.similar_pairs(answers, given_code()), {"<b>z</b>": "no submission"})
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>z" not in page


def test_a_link_is_refused_not_followed(tmp_path):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "mallory.py").symlink_to(ROOT / "solutions" / "nn_basics.py")
    from autograder.doors import similarity

    answers, skipped = similarity.read_class(tmp_path / "class")
    assert answers == [] and "symbolic link" in skipped["mallory"]


def test_a_notebook_the_intake_refuses_is_left_out_with_the_reason(tmp_path):
    from autograder.doors import similarity

    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "deep.ipynb").write_text("[" * 1000 + "]" * 1000, encoding="utf-8")
    (tmp_path / "class" / "huge.py").write_bytes(b"x = 1\n" * 300_000)  # over the 1 MiB a module may be
    (tmp_path / "class" / "fine.py").write_text(stub_source(), encoding="utf-8")
    answers, skipped = similarity.read_class(tmp_path / "class")
    assert [answer.learner for answer in answers] == ["fine"]
    assert "nests more than" in skipped["deep"] and "huge" in skipped
