"""Feedback pages a learner can read (issue 20): `nn-grade grade --format html` and nbgrader's
feedback page through the kit's template (autograder/doors/feedback_page.py).

The first tests render the HTML report from hand-made results (fast). The browser tests open
both pages in Debian's headless Chromium (driven as in tests/test_browser.py, skipped where it
is missing), take screenshots at 1280 and 600 px, and check what a learner sees: check output
that wraps (no horizontal overflow), images that load, Chinese drawn with real glyphs, no raw
`$…$` left, a figure for every function that lost points and none for those that passed.

Figures: the pages carry the ones the grader draws (grade_submission(figures=True), for the
functions that lost points); the report's own tests use small real PNGs made here.
"""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path

import pytest

from autograder.doors.feedback_page import math_html, offline_header
from autograder.messages import Text
from autograder.reporters import render
from autograder.results import CheckResult, Figure, Named, Outcome, Results
from tests.test_browser import headless_chromium

ROOT = Path(__file__).resolve().parents[1]
EVIL = "<script>alert('x')</script><img src=x onerror=alert(1)>\x1b[31m\u202e\x07"


def tiny_png() -> bytes:
    """A real PNG (drawn by matplotlib, as the figures are), a few hundred bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(1.5, 1))
    axes.plot([0, 1, 2], [0, 1, 0])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=40)
    plt.close(figure)
    return buffer.getvalue()


def handmade(figures: dict[str, Figure] | None = None, load_error: str | None = None) -> Results:
    """sigmoid right; sigmoid_derivative wrong (a misconception, learner text in its feedback);
    backward_prop wrong through sigmoid_derivative (its root cause)."""
    return Results(
        submission=f"alice/{EVIL}/nn_basics.py",
        tests=[
            CheckResult("sigmoid_values", "sigmoid", 4, outcome=Outcome.PASSED),
            CheckResult(
                "sigmoid_derivative_values",
                "sigmoid_derivative",
                3,
                outcome=Outcome.FAILED,
                feedback=Text(f"期望 0.25，得到 {EVIL}", f"expected 0.25, got {EVIL}"),
                misconception=Named("m", Text("把 σ(z) 当作 z", "took σ(z) for z")),
            ),
            CheckResult(
                "backward_prop_values",
                "backward_prop",
                10,
                outcome=Outcome.FAILED,
                feedback=Text("梯度不对", "wrong gradients"),
                root_cause="sigmoid_derivative",
            ),
        ],
        functions=["sigmoid", "sigmoid_derivative", "backward_prop"],
        load_error=load_error,
        figures=figures or {},
    )


def figure(function: str, caption: str = "你的曲线与参考曲线") -> Figure:
    return Figure(function, tiny_png(), "image/png", Text(caption, "your curve and the reference"))


# --- the HTML report, from hand-made results ------------------------------------------------------


def test_html_report_escapes_every_learner_text():
    page = render(
        handmade(
            {"sigmoid_derivative": figure("sigmoid_derivative", EVIL)}, load_error=f"ValueError: {EVIL}"
        ),
        "html",
    )
    assert "<script" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    for raw in ("\x1b", "\u202e", "\x07"):
        assert raw not in page  # shown as escapes (\x1b, \u202e), never sent to the browser as is
    assert "\\x1b" in page and "\\u202e" in page


def test_html_report_is_one_page_that_fetches_nothing():
    page = render(handmade({"sigmoid_derivative": figure("sigmoid_derivative")}), "html")
    assert page.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in page
    assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:|//)""", page)
    assert "<link" not in page and "<script" not in page
    assert "white-space: pre-wrap" in page and "overflow-wrap: anywhere" in page


def test_html_report_says_the_load_error_then_the_root_cause_then_the_functions():
    page = render(handmade(load_error="NameError: name 'np' is not defined"), "html")
    notice, first = page.index("id='notice'"), page.index("id='fix-first'")
    table, derivative, backward = (
        page.index("id='functions'"),
        page.index("id='fn-sigmoid_derivative'"),
        page.index("id='fn-backward_prop'"),
    )
    assert notice < first < table < derivative < backward
    assert "NameError" in page[notice:first]
    assert "sigmoid_derivative 有错" in page[first:table]
    assert "把 σ(z) 当作 z" in page  # the misconception note, once
    assert page.count("把 σ(z) 当作 z") == 1
    assert "id='fn-sigmoid'" not in page  # a passing function gets a row, no section


def test_html_report_says_a_refusal_on_top():
    from autograder.core.grade import without_results

    results = without_results(f"bob/{EVIL}", "refused")
    results.refused = Text(f"拒绝了 {EVIL}", f"refused {EVIL}")
    page = render(results, "html")
    assert page.index("id='notice'") < page.index("id='functions'") and "拒绝了 &lt;script&gt;" in page


def test_html_report_draws_figures_only_for_functions_that_lost_points():
    figures = {name: figure(name) for name in ("sigmoid", "sigmoid_derivative", "backward_prop")}
    page = render(handmade(figures), "html")
    drawn = re.findall(
        r"<figure class='figure' data-function='(\w+)'><img src='data:image/png;base64,([^']+)'", page
    )
    assert sorted(name for name, _ in drawn) == ["backward_prop", "sigmoid_derivative"]
    assert all(base64.b64decode(data).startswith(b"\x89PNG") for _, data in drawn)


def test_html_report_does_not_draw_what_is_not_an_image():
    odd = Figure("sigmoid_derivative", b"<b>not an image</b>", "text/html", Text("x", "x"))
    page = render(handmade({"sigmoid_derivative": odd}), "html")
    assert "<figure" not in page and "not an image" not in page and "PGI+bm90" not in page


def test_html_report_in_english():
    page = render(handmade(), "html", lang="en")
    assert "<html lang='en'>" in page and "Fix these first" in page and "Score: 4 / 17" in page
    assert "took σ(z) for z" in page and "得分" not in page


def test_formulas_are_rendered_to_mathml_and_learner_latex_stays_inert():
    rendered = (
        "<p>$\\sigma(x) = \\frac{1}{1 + e^{-x}}$ and <code>$x$</code> "
        "$$\\text{&lt;script&gt;alert(1)&lt;/script&gt;} \\href{javascript:alert(2)}{y}$$ costs $5 or $6</p>"
    )
    out = math_html(rendered)
    assert out.count("<math") == 2 and "<mfrac>" in out
    assert "<code>$x$</code>" in out  # code is code
    assert "<script" not in out and "javascript:" not in out and "href" not in out
    assert "$5 or $6" in out  # prices are not formulas


def test_the_feedback_page_head_loads_nothing_from_a_cdn():
    head = "<head><!-- Load mathjax -->\n<script src='https://cdn/x.js'></script>\n<!-- End of mathjax configuration --></head>"
    out = offline_header(head)
    assert "cdn" not in out and "<script" not in out and "pre-wrap" in out


def test_a_figure_under_a_test_cell_is_an_image_with_its_caption_and_nothing_else_is_drawn():
    from autograder.doors.feedback_page import figure_outputs

    image, caption = figure_outputs(figure("softmax", EVIL))
    assert image.output_type == "display_data" and base64.b64decode(image.data["image/png"]).startswith(
        b"\x89PNG"
    )
    assert image.metadata["image/png"]["alt"].startswith("<script>")  # nbconvert escapes alt text itself
    assert caption.output_type == "stream" and caption.text.startswith("图（figure）：")
    assert figure_outputs(Figure("softmax", b"<b>x</b>", "text/html", Text("x", "x"))) == []
    svg = figure_outputs(Figure("softmax", b"<svg/>", "image/svg+xml", Text(EVIL, EVIL)))[0]
    assert (
        svg.data["text/html"].startswith("<img src='data:image/svg+xml;base64,")
        and "<script" not in svg.data["text/html"]
    )


# --- in a browser ---------------------------------------------------------------------------------


def in_browser(test):
    """Slow, and in one xdist worker, so the course is graded and the browser started once."""
    return pytest.mark.slow(pytest.mark.xdist_group("feedback_page")(test))


WIDTHS = (1280, 600)
# (function, the reference's lines, the learner's): a wrong derivative, a wrong softmax axis, a
# wrong backward_prop (a bias gradient of the wrong shape)
BUGS = [
    ("tanh_derivative", "    t = tanh(x)\n    return 1 - t**2\n", "    t = tanh(x)\n    return 1 - t\n"),
    (
        "softmax",
        "    e = np.exp(x - np.max(x, axis=axis, keepdims=True))\n    return e / np.sum(e, axis=axis, keepdims=True)\n",
        "    e = np.exp(x - np.max(x, axis=0, keepdims=True))\n    return e / np.sum(e, axis=0, keepdims=True)\n",
    ),
    (
        "backward_prop",
        '        "bh": np.sum(delta1, axis=0, keepdims=True),\n',
        '        "bh": np.sum(delta1, axis=0),\n',
    ),
]
LOST = {"tanh_derivative", "softmax", "backward_prop"}
LOAD_ERROR = "raise ValueError(\"<script>alert('x')</script>\\x1b[31m\")"


def with_bugs(source: str) -> str:
    for _, right, wrong in BUGS:
        assert source.count(right) == 1, f"the reference no longer holds {right!r}"
        source = source.replace(right, wrong)
    return source


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    # normal: images decoded before the checks read them
    yield from headless_chromium(tmp_path_factory, "normal")


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    """Where the screenshots go: $NN_TEST_SCREENSHOTS if set (to look at them), else a temporary folder."""
    named = os.environ.get("NN_TEST_SCREENSHOTS")
    if named:
        Path(named).mkdir(parents=True, exist_ok=True)
        return Path(named)
    return tmp_path_factory.mktemp("screenshots")


def look(browser, page: Path, screenshots: Path, name: str) -> list[dict]:
    """Open `page` at each width, save a full-page screenshot, and measure what a learner sees."""
    seen = []
    for width in WIDTHS:
        browser.set_window_size(width, 1000)
        browser.get(page.as_uri())
        browser.execute_script("return document.fonts.ready")
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(width, min(height + 100, 16000))
        browser.save_screenshot(str(screenshots / f"{name}-{width}.png"))
        seen.append(browser.execute_script(MEASURE) | {"width": width})
    return seen


MEASURE = """
const boxes = Array.from(document.querySelectorAll(
    'div.output_subarea pre, div.output_text pre, pre.out, .nn-notice pre'));
const draw = (ch) => {
    const c = document.createElement('canvas'); c.width = c.height = 64;
    const g = c.getContext('2d'); g.font = getComputedStyle(document.body).font.replace(/^.*?(\\d+px)/, '40px');
    g.fillText(ch, 4, 48); return Array.from(g.getImageData(0, 0, 64, 64).data).join(',');
};
const prose = Array.from(document.querySelectorAll('.text_cell_render, main p, main li, main h1, main h2'))
    .map(e => e.innerText).join('\\n');
return {
    boxes: boxes.length,
    overflowing: boxes.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText.slice(0, 80)),
    page_overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth + 1,
    images: Array.from(document.images).map(i => [i.complete && i.naturalWidth > 0, i.closest('[data-function]')
        ? i.closest('[data-function]').dataset.function : '']),
    glyphs: [draw('检'), draw('查'), draw('\\u{10FFFD}')],
    raw_math: (prose.match(/\\$[^$\\n]{1,200}\\$/g) || []).filter(m => /\\\\|[_^{}]/.test(m)),
    maths: document.querySelectorAll('math').length,
};
"""


def assert_readable(seen: dict) -> None:
    assert seen["boxes"] > 0
    assert not seen["overflowing"], f"check output cut off at {seen['width']} px: {seen['overflowing']}"
    assert all(loaded for loaded, _ in seen["images"]), f"an image did not load at {seen['width']} px"
    check, table, missing = seen["glyphs"]
    assert check != table and missing not in (check, table), "Chinese drew as empty boxes (no CJK font)"
    assert not seen["raw_math"], f"formulas left as raw LaTeX: {seen['raw_math'][:3]}"


# --- (b) nn-grade grade --format html --------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_page(browser, tmp_path_factory):
    """`nn-grade grade --format html` of the reference with the three bugs and a load error at its
    end (after every function, so they are all graded), with the figures the grader draws."""
    from autograder.doors.cli import main

    folder = tmp_path_factory.mktemp("submission")
    source = with_bugs((ROOT / "solutions" / "nn_basics.py").read_text(encoding="utf-8"))
    (folder / "nn_basics.py").write_text(f"{source}\n\n{LOAD_ERROR}\n", encoding="utf-8")
    page = folder / "feedback.html"
    assert main(["grade", str(folder / "nn_basics.py"), "--format", "html", "--output", str(page)]) == 0
    return page


@in_browser
def test_cli_html_page_is_readable_at_both_widths(browser, cli_page, screenshots):
    for seen in look(browser, cli_page, screenshots, "cli"):
        assert_readable(seen)
        assert not seen["page_overflow"]


@in_browser
def test_cli_html_page_shows_a_figure_for_every_function_that_lost_points_and_none_else(browser, cli_page):
    from selenium.webdriver.common.by import By

    browser.get(cli_page.as_uri())
    pictured = [
        e.get_attribute("data-function")
        for e in browser.find_elements(By.CSS_SELECTOR, "figure[data-function]")
    ]
    assert sorted(pictured) == sorted(LOST)
    lost = {e.get_attribute("id")[3:] for e in browser.find_elements(By.CSS_SELECTOR, "section.function")}
    assert lost == LOST


@in_browser
def test_cli_html_page_says_the_load_error_on_top_with_its_line(browser, cli_page):
    from selenium.webdriver.common.by import By

    browser.get(cli_page.as_uri())
    notice = browser.find_element(By.ID, "notice")
    text = notice.text
    assert "ValueError" in text and "<script>alert('x')</script>" in text  # shown as text, inert
    assert re.search(r"第 \d+ 行", text)
    body = browser.find_element(By.TAG_NAME, "main").text
    assert body.index(text[:20]) < body.index("tanh_derivative")
    assert browser.execute_script("return document.scripts.length") == 0


# --- (a) nbgrader's feedback page, through the kit's template ---------------------------------------

DEMO_LEARNER = "lin"  # the demo class's learner with the chapter's bugs, as in tests/test_browser.py
LOADER = "lo"  # the three bugs above, and a load error in the last answer cell
FORGED = "FORGED BY THE LEARNER"


def loader_notebook(release_nb):
    from tools import demo

    code = demo.answers()
    for function, right, wrong in BUGS:
        assert right in code[function] + "\n"
        code[function] = (code[function] + "\n").replace(right, wrong)
    last = list(code)[-1]
    code[last] += f"\n\n{LOAD_ERROR}\n"
    nb = demo.submission(release_nb, code)
    # what the page says on top and the cells' labels are the grader's: the learner's are dropped
    nb.metadata["nn_feedback"] = {"notice": FORGED, "fix_first": [FORGED]}
    for cell in nb.cells:
        cell.metadata["nn_feedback"] = {"label": FORGED, "awaiting": True}
    return nb


@pytest.fixture(scope="module")
def course(browser, tmp_path_factory):
    from tests.test_browser import learner_notebook
    from tools import demo

    course = tmp_path_factory.mktemp("course")
    demo.build_course(course, lambda nb: learner_notebook(nb) | {LOADER: loader_notebook(nb)})
    demo.nbgrader(course, "autograde", demo.ASSIGNMENT, "--force")
    demo.nbgrader(course, "generate_feedback", demo.ASSIGNMENT, "--force")
    return course


def feedback_page(course, learner) -> Path:
    from tools import demo

    return course / "feedback" / learner / demo.ASSIGNMENT / f"{demo.ASSIGNMENT}.html"


@in_browser
@pytest.mark.parametrize("learner", [DEMO_LEARNER, LOADER])
def test_feedback_page_is_readable_at_both_widths(browser, course, screenshots, learner):
    for seen in look(browser, feedback_page(course, learner), screenshots, f"nbgrader-{learner}"):
        assert_readable(seen)
        assert not seen["page_overflow"], f"the page scrolls sideways at {seen['width']} px"
        assert seen["maths"] > 100  # the chapter's formulas, drawn as MathML


CELLS = """
return Array.from(document.querySelectorAll('a[name]')).filter(a => a.name.startsWith('test_')).map(a => {
    const cell = a.closest('div.cell');
    return [a.name.slice(5), a.parentElement.querySelector('.nbgrader-label').innerText,
            cell.querySelectorAll('div.output_area img').length,
            Array.from(cell.querySelectorAll('div.output_area img')).every(i => i.naturalWidth > 0)];
});
"""


@in_browser
def test_feedback_index_names_test_cells_by_function_and_written_answers_await_grading(browser, course):
    from selenium.webdriver.common.by import By

    browser.get(feedback_page(course, DEMO_LEARNER).as_uri())
    items = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#toc li")]
    tests = [item for item in items if "的检查：" in item]
    assert len(tests) == 23 and "sigmoid 的检查：4 / 4" in tests
    assert not any(item.startswith("Test cell") for item in items)
    written = [item for item in items if item.startswith("书面回答（written answer）")]
    assert len(written) == 7
    assert written[0] == "书面回答（written answer）：待批改（awaiting grading）"  # answered, not yet graded
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "Out[" not in text and "No response." not in text and "Score: 0.0" not in text
    assert "Comments:" not in text


@in_browser
def test_feedback_glossary_table_has_separated_columns(browser, course):
    browser.get(feedback_page(course, DEMO_LEARNER).as_uri())
    cell = browser.execute_script("""
        const td = document.querySelector('.rendered_html table td');
        const s = getComputedStyle(td);
        return [parseFloat(s.borderRightWidth), parseFloat(s.paddingLeft), parseFloat(s.paddingRight)];
    """)
    assert all(value > 0 for value in cell)


@in_browser
def test_feedback_says_root_cause_and_load_error_on_top(browser, course):
    from selenium.webdriver.common.by import By

    browser.get(feedback_page(course, LOADER).as_uri())
    notice = browser.find_element(By.ID, "nn-notice")
    toc = browser.find_element(By.ID, "toc")
    assert notice.location["y"] < toc.location["y"]
    assert "出错的代码" in notice.text and "<script>alert('x')</script>" in notice.text  # its line, as text
    assert "<script>alert('x')" not in browser.page_source  # the DOM holds it as text only
    assert FORGED not in browser.page_source
    browser.get(feedback_page(course, DEMO_LEARNER).as_uri())
    assert not browser.find_elements(By.ID, "nn-notice")
    first = browser.find_element(By.ID, "nn-fix-first")
    assert first.location["y"] < browser.find_element(By.ID, "toc").location["y"]


@in_browser
@pytest.mark.parametrize("learner", [DEMO_LEARNER, LOADER])
def test_feedback_shows_a_figure_under_every_test_cell_that_lost_points_and_none_else(
    browser, course, learner
):
    browser.get(feedback_page(course, learner).as_uri())
    for function, label, images, loaded in browser.execute_script(CELLS):
        score, top = (float(v) for v in label.rsplit("：", 1)[1].split(" / "))
        assert images == (1 if score < top else 0), f"{learner}'s {function} ({label}): {images} figures"
        assert loaded
