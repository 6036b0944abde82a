"""Red team on the surfaces issue 20 and 25 added: feedback figures, the HTML pages (the CLI's and
nbgrader's feedback page with its formulas), the class view and the lossless results.

Each test reproduces one attack that worked before its fix (see docs/isolation.md's table).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from nbconvert.filters.markdown import markdown2html

from autograder.doors.feedback_page import math_html
from autograder.doors.nbgrader_hooks import InertLearnerHTML

ROOT = Path(__file__).resolve().parents[1]


class _Attributes(HTMLParser):
    """Every (tag, attribute) a browser would read in a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.found += [(tag, name) for name, _ in attrs]

    handle_startendtag = handle_starttag


def attributes(page: str) -> list[tuple[str, str]]:
    parser = _Attributes()
    parser.feed(page)
    parser.close()
    return parser.found


def feedback_markdown(source: str) -> str:
    """A learner's Markdown cell as the feedback page shows it: sanitized at autograde
    (InertLearnerHTML), then the template's `markdown2html | math_html`."""
    cell, _ = InertLearnerHTML().preprocess_cell(nbformat.v4.new_markdown_cell(source), {}, 0)
    return math_html(markdown2html(cell.source))


# --- formulas on nbgrader's feedback page ---------------------------------------------------------


def test_a_formula_that_starts_inside_an_attribute_cannot_add_an_event_handler():
    """A raw-HTML title holding `"` (so bleach quotes it with `'`) opens a formula that closes in
    the text after the tag: the MathML replaced the attribute's closing quote and the tag's `>`,
    and the learner's text after the formula became an `onmouseover` of the link (was: the
    handler on the page, which has no Content-Security-Policy)."""
    page = feedback_markdown(
        """<a href="http://ok.example" title='$a"'>link</a>b$' onmouseover='alert(1)' x"""
    )
    assert not [name for _, name in attributes(page) if name.startswith("on")], page
    assert ("a", "href") in attributes(page)  # the link itself is still there


def test_a_formula_inside_an_attribute_stays_as_written():
    """A Markdown link's title `"$x$"`: MathML inside the attribute broke the tag open (stray
    attributes named after the MathML namespace's URL); a `$` in an attribute is no formula."""
    page = feedback_markdown('[link](http://ok.example "$x$") and $y$')
    assert set(attributes(page)) <= {("a", "href"), ("a", "title"), ("math", "xmlns"), ("math", "display")}
    assert page.count("<math") == 1  # $y$, in the text


def _configured_filter(name: str):
    """The filter nbgrader_config.py gives generate_feedback's template under `name`."""

    from traitlets.utils.importstring import import_item

    config = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    return import_item(re.search(rf'"{name}": "([\w.]+)"', config)[1])


def test_formulas_beyond_a_pages_budget_stay_as_written():
    """Megabytes of `$x_{i}$` in a learner's Markdown cells: each formula cost latex2mathml
    ~70 µs a character, 268 KB of them 14 s, a 16 MB notebook minutes of the instructor's
    generate_feedback. Now one page converts at most MATH_BUDGET characters of formulas; the
    rest stay as written (escaped text)."""
    import jinja2

    from autograder.doors.feedback_page import MATH_BUDGET

    cell = "<p>" + " ".join(f"$x_{{{i}}}$" for i in range(2000)) + "</p>"  # 2000 formulas, 6-9 characters
    env = jinja2.Environment(autoescape=False)
    env.filters["math_html"] = _configured_filter("math_html")
    template = env.from_string("{% for c in cells %}{{ c | math_html }}{% endfor %}")
    page = template.render(cells=[cell] * 20, resources={})
    assert page.count("<math") <= MATH_BUDGET // 6
    assert "$x_{1999}$" in page  # left as written
    # the budget is one page's (generate_feedback's resources are fresh per notebook): the next
    # learner's page converts its formulas whatever the one before held
    assert template.render(cells=["<p>$y$</p>"], resources={}).count("<math") == 1


def test_the_course_notebook_keeps_every_formula_within_a_pages_budget():
    """The budget is 4x what the chapter's own notebook uses: its every formula still converts."""
    import json

    from autograder.doors.feedback_page import MATH_BUDGET, FormulaBudget

    notebook = json.loads((ROOT / "release" / "ch01" / "ch01.ipynb").read_text(encoding="utf-8"))
    budget, unlimited = FormulaBudget(), FormulaBudget(10**9)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            rendered = markdown2html("".join(cell["source"]))
            assert math_html(rendered, budget) == math_html(rendered, unlimited)
    assert budget.left >= 0.7 * MATH_BUDGET


# --- the public checks' comparison figures (the learner's machine, possibly shared) ---------------


def test_a_classmates_link_in_the_shared_figure_folder_overwrites_nothing(monkeypatch, tmp_path):
    """On a shared machine the public checks saved figures into one fixed folder of the shared
    temporary folder (/tmp/nn_ch01_figures), open to whoever made it first. A classmate who
    made it world-writable and put `sigmoid_derivative.png` there as a link to the learner's
    notebook had the learner's failing check write a PNG over their notebook. Now the figures go
    to a folder that is the learner's alone, and a link is never followed."""
    import os

    import pytest

    from tests.test_public_figures import RELEASE_DIR, load_checks, sigmoid_derivative_plus

    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    checks = load_checks(RELEASE_DIR)
    shared = tmp_path / "nn_ch01_figures"  # as the classmate left it
    shared.mkdir()
    shared.chmod(0o777)
    notebook = tmp_path / "ch01.ipynb"
    notebook.write_text('{"cells": []}', encoding="utf-8")
    (shared / "sigmoid_derivative.png").symlink_to(notebook)
    monkeypatch.setattr(checks, "FIGURE_DIR", str(shared))
    sigmoid_derivative_plus.__name__ = "sigmoid_derivative"
    with pytest.raises(AssertionError) as failure:
        checks.check_sigmoid_derivative(sigmoid_derivative_plus)
    assert notebook.read_text(encoding="utf-8") == '{"cells": []}'
    (path,) = re.findall(r"对比图（comparison figure）：(\S+\.png)", str(failure.value))
    saved = Path(path)
    assert saved.parent != shared and not saved.is_symlink()
    assert saved.read_bytes().startswith(b"\x89PNG")
    folder = os.lstat(saved.parent)
    assert folder.st_uid == os.getuid() and not folder.st_mode & 0o022


def test_the_feedback_page_runs_no_script_whatever_gets_through():
    """Defence in depth for the formula attack above: nbgrader's feedback page had no
    Content-Security-Policy (the kit's HTML report and class.html have one)."""
    from autograder.doors.feedback_page import offline_header

    head = offline_header("<html>\n<head>\n<meta charset='utf-8' />\n<style>x {}</style>\n</head>")
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', head)
    assert policy and head.index(policy[0]) < head.index("<style>")
    rules = dict(rule.strip().split(" ", 1) for rule in policy[1].split(";"))
    assert rules["default-src"] == "'none'" and "script-src" not in rules


# --- a learner's Markdown at autograde (InertLearnerHTML) ----------------------------------------


def _parsed(monkeypatch) -> list[str]:
    """Every text the HTML sanitizers (bleach, in nbconvert's SanitizeHTML and in inert_links) parse."""
    import bleach
    from nbconvert.preprocessors import sanitize

    seen: list[str] = []

    def spy(real):
        def clean(text, *args, **kwargs):
            seen.append(text)
            return real(text, *args, **kwargs)

        return clean

    monkeypatch.setattr(sanitize, "clean", spy(sanitize.clean))
    monkeypatch.setattr(bleach, "clean", spy(bleach.clean))
    return seen


def test_deeply_nested_html_in_a_markdown_cell_is_shown_as_text_unparsed(monkeypatch):
    """html5lib (bleach) takes time growing faster than the square of the nesting: 20,000 `<b>`
    (60 KB) 4 s, 40,000 22 s, a 1 MB cell about an hour of `nbgrader autograde`, outside any
    sandbox budget, before the classmates graded after. Now a cell with more tags than
    MAX_CELL_TAGS is shown as text (a code block, inert) without being parsed."""
    from autograder.doors.nbgrader_hooks import MAX_CELL_TAGS

    seen = _parsed(monkeypatch)
    source = "<b>" * 20_000
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(source)])
    nb, _ = InertLearnerHTML().preprocess(nb, {})
    assert max((text.count("<") for text in seen), default=0) <= MAX_CELL_TAGS
    shown = markdown2html(nb.cells[0].source)
    assert "<b>" not in shown and "&lt;b&gt;" in shown  # as text


def test_a_notebook_parses_at_most_its_budget_of_html(monkeypatch):
    """Many cells under the per-cell cap add up: one notebook's Markdown and raw cells are parsed
    up to MAX_NOTEBOOK_TAGS tags and MAX_NOTEBOOK_CHARACTERS characters, the rest shown as
    text. The course's own Markdown (14 tags, 24 KB) is far below both."""
    from autograder.doors.nbgrader_hooks import MAX_CELL_TAGS, MAX_NOTEBOOK_CHARACTERS, MAX_NOTEBOOK_TAGS

    seen = _parsed(monkeypatch)
    tagged = "<i>" * MAX_CELL_TAGS
    links = "[x](javascript:1) " * 5_000  # no tag, but 5,000 links to render and parse
    cells = [nbformat.v4.new_markdown_cell(tagged) for _ in range(30)]
    cells += [nbformat.v4.new_markdown_cell(links) for _ in range(5)]
    nb, _ = InertLearnerHTML().preprocess(nbformat.v4.new_notebook(cells=cells), {})
    assert sum(text == tagged for text in seen) <= MAX_NOTEBOOK_TAGS // MAX_CELL_TAGS
    assert sum("javascript" in text for text in seen) <= MAX_NOTEBOOK_CHARACTERS // len(links)
    last_tagged, last_links = markdown2html(nb.cells[29].source), markdown2html(nb.cells[-1].source)
    assert "<i>" not in last_tagged and "&lt;i&gt;" in last_tagged  # shown as text
    assert "<a " not in last_links and "javascript:1" in last_links
    # the next notebook has a budget of its own
    seen.clear()
    nb, _ = InertLearnerHTML().preprocess(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("<i>a</i>")]), {}
    )
    assert seen and "<i>a</i>" in markdown2html(nb.cells[0].source)


def test_the_course_notebook_is_parsed_whole_within_the_budget():
    from autograder.messages import t

    notebook = nbformat.read(ROOT / "release" / "ch01" / "ch01.ipynb", as_version=4)
    nb, _ = InertLearnerHTML().preprocess(notebook, {})
    note = t("html_shown_as_text").render("zh")
    assert not [cell for cell in nb.cells if note in cell.get("source", "")]


# --- the lexer that highlights a learner's code (feedback page, formgrader) ------------------------


def test_a_learner_cannot_choose_the_lexer_that_highlights_their_code():
    """nbconvert highlights every code cell with the lexer the notebook's `language_info` names,
    and autograde kept the learner's `language_info.name`. Pygments' `zeek` lexer takes time
    cubic in a run of digits ('0' * 1000 + 'x': 62 s, 3,000 about half an hour): one answer cell
    held `nbgrader generate_feedback`, and the formgrader's page for that learner, for as long as
    the learner liked. Now the autograded notebook names the release's language."""
    from nbconvert import HTMLExporter

    release = nbformat.read(ROOT / "release" / "ch01" / "ch01.ipynb", as_version=4)
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("0" * 20 + "x")],
        metadata={"language_info": {"name": "zeek", "pygments_lexer": "zeek"}},
    )
    nb, _ = InertLearnerHTML().preprocess(nb, {})
    assert nb.metadata["language_info"] == release.metadata["language_info"]
    page, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    assert "hl-python" in page and "hl-zeek" not in page


def test_a_long_code_cell_is_shown_unhighlighted_on_the_feedback_page():
    """Pygments' Python lexer is quadratic on a string of unclosed `\\N{` escapes: 120 KB of
    them 18 s, a 1 MB answer cell about 20 minutes of generate_feedback. Now a code cell longer
    than HIGHLIGHT_CELL, or past the page's HIGHLIGHT_BUDGET, is shown as plain (escaped) text;
    the next page has a budget of its own."""
    import jinja2

    from autograder.doors.feedback_page import HIGHLIGHT_BUDGET, HIGHLIGHT_CELL

    env = jinja2.Environment(autoescape=False)
    env.filters["highlight_code"] = _configured_filter("highlight_code")
    template = env.from_string(
        "{% for c in cells %}<div>{{ c | highlight_code(metadata={}) }}</div>{% endfor %}"
    )
    escapes = 'x = u"' + "\\N{" * 40_000
    page = template.render(cells=[escapes], resources={})
    assert 'class="se"' not in page and "\\N{" * 100 in page  # as text, every character there
    short = 'x = "a\\n"\n'
    assert 'class="se"' in template.render(cells=[short], resources={})  # highlighted
    cells = ['x = "a\\n"\n' + "#" * (HIGHLIGHT_CELL - 20)] * (2 * HIGHLIGHT_BUDGET // HIGHLIGHT_CELL)
    page = template.render(cells=cells, resources={})
    assert page.count('class="se"') <= HIGHLIGHT_BUDGET // (HIGHLIGHT_CELL - 20)


def test_formulas_add_no_attribute_to_any_tag_of_random_markdown():
    """Random Markdown and raw HTML built of the pieces the attacks above used (quotes of both
    kinds, `$`, `$$`, tags, links, code, comments): converting the formulas adds MathML and
    nothing else; no tag of the learner's page gains an attribute (the old converter did in
    about one case in seventy)."""
    import random

    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    from autograder.doors.feedback_page import MATHML_ATTRIBUTES, MATHML_TAGS

    pieces = [
        "$",
        "$$",
        '"',
        "'",
        '<a href="http://x" title=\'',
        '<a title="',
        ">",
        "</a>",
        " onmouseover=1 ",
    ]
    pieces += ["x", "\\text{", "}", '[l](http://y "', '")', "![i](http://z '", "')", "<code>", "</code>", "`"]
    pieces += ["\n", "# ", "<!--", "-->", "&#39;", "&quot;", "<abbr title='", "<b>", "</b>", " "]
    rng = random.Random(20)
    for _ in range(1500):
        source = "".join(rng.choice(pieces) for _ in range(rng.randint(3, 25)))
        cell, _ = InertLearnerHTML().preprocess_cell(nbformat.v4.new_markdown_cell(source), {}, 0)
        rendered = MarkdownWithMath(renderer=IPythonRenderer(escape=False, anchor_link_text="¶")).render(
            cell.source
        )
        added = set(attributes(math_html(rendered))) - set(attributes(rendered))
        assert {
            (tag, name) for tag, name in added if tag not in MATHML_TAGS or name not in MATHML_ATTRIBUTES
        } == set(), source


def test_fenced_code_in_a_learners_markdown_is_highlighted_only_as_python():
    """nbconvert highlights a Markdown code block with the lexer its info string names, at
    generate_feedback and in the formgrader: ```zeek with 1,000 digits took 62 s (500: 4.7 s),
    and the cell passed autograde as written (no tag, no link). Now a block naming another
    language, or longer than HIGHLIGHTED_BLOCK, is defused at autograde: shown as plain code."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    def feedback(source: str) -> str:
        cell, _ = InertLearnerHTML().preprocess_cell(nbformat.v4.new_markdown_cell(source), {}, 0)
        return MarkdownWithMath(renderer=IPythonRenderer(escape=False)).render(cell.source)

    page = feedback("My answer:\n\n```zeek\n" + "0" * 300 + "x\n```\n")
    assert 'class="highlight"' not in page and "0" * 300 + "x" in page
    page = feedback("```python\n" + "# " + "\\N{" * 20_000 + "\n```\n")  # longer than a block may be
    assert 'class="highlight"' not in page
    assert 'class="highlight"' in feedback("```python\nx = 1\n```\n")  # the course's language stays
