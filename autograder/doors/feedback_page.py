"""nbgrader's feedback page, made one a learner can read (issue 20).

nbgrader's documented ways only: `generate_feedback` renders the autograded notebook with its
HTMLExporter, whose template, filters and preprocessors nbgrader_config.py names (scoped to
GenerateFeedback, so the formgrader keeps its own template). The kit's template
(templates/nbgrader/nn_feedback/) extends nbgrader's `feedback` template:

- at autograde, SandboxGrades (nbgrader_hooks.py) writes under each test cell the feedback, the
  points (nbgrader's partial credit) and the function's figure, and into the notebook's metadata
  (NOTES) what the page says on top: the notice (a load error with its line) and the root causes;
- at feedback, `FeedbackGrades` (nbgrader's GetGrades) labels every graded cell in the learner's
  language (a test cell by its function and points, a written answer "awaiting grading" until a
  person graded it) and drops the points' bare "Out[ ]: 0.0" under test cells;
- the filters: `offline_header` removes the MathJax that nbconvert loads from a CDN and adds the
  kit's style (check output wraps; table cells bordered); `math_html` pre-renders the formulas of
  Markdown cells as MathML (latex2mathml), which browsers draw with no script and no network.

Everything a learner wrote or raised reaches the page escaped: notices through
quoting.html_text here, formulas through latex2mathml's escaping and then a MathML allow-list.
"""

from __future__ import annotations

import base64
import functools
import html
import re

import bleach
import jinja2
import nbformat
from nbgrader.preprocessors import GetGrades

from .. import messages
from ..nbgrader_cells import is_test_cell, tested_function
from ..quoting import html_text
from ..results import Figure, Results, fix_first

NOTES = "nn_feedback"  # the notebook-metadata key SandboxGrades writes (and always overwrites)
LANG = "zh"  # nbgrader's pages are in the course's language, English terms in parentheses


# --- at autograde (SandboxGrades) ----------------------------------------------------------------


def page_notes(results: Results, lang: str = LANG) -> dict:
    """What the feedback page says on top, as plain text (escaped when rendered)."""
    notice = results.notice
    return {
        "notice": notice.render(lang) if notice and (results.load_error or results.refused) else "",
        "fix_first": [cause.render(lang) for cause in fix_first(results)],
    }


def figure_outputs(figure: Figure, lang: str = LANG) -> list:
    """The figure as notebook outputs, its caption below it: a PNG as nbgrader's own image/png
    (the caption its alt text too); another type as an <img> with a data: URI (an SVG drawn
    inline could carry markup; an image cannot run any); none for what is not an image."""
    caption = figure.caption.render(lang) if figure.caption else figure.function
    encoded = base64.b64encode(figure.data).decode("ascii")
    meta: dict = {NOTES: {"figure": figure.function}}
    if figure.mime == "image/png":
        data = {"image/png": encoded, "text/plain": caption}
        meta["image/png"] = {"alt": caption}
    elif figure.mime in ("image/svg+xml", "image/jpeg", "image/gif", "image/webp") and figure.data:
        alt = html_text(caption, 600)
        data = {
            "text/html": f"<img src='data:{figure.mime};base64,{encoded}' alt='{alt}'>",
            "text/plain": caption,
        }
    else:
        return []
    said = messages.t("page_figure", caption=caption).render(lang)
    return [
        nbformat.v4.new_output("display_data", data=data, metadata=meta),
        nbformat.v4.new_output("stream", name="stdout", text=said + "\n"),
    ]


# --- at feedback (generate_feedback) -------------------------------------------------------------


def _num(value) -> str:
    return f"{float(value or 0):g}"


class FeedbackGrades(GetGrades):
    """nbgrader's GetGrades (scores and comments from the gradebook), then each graded cell's label
    in the learner's language (cell metadata `nn_feedback`), read by the kit's template; the
    points' own output (execute_result) is dropped from test cells: the label says them."""

    def _get_score(self, cell, resources):
        super()._get_score(cell, resources)
        grade = self.gradebook.find_grade(
            cell.metadata["nbgrader"]["grade_id"], self.notebook_id, self.assignment_id, self.student_id
        )
        meta = cell.metadata.nbgrader
        score, points = _num(meta["score"]), _num(meta["points"])
        if is_test_cell(cell) and (function := tested_function(cell)) is not None:
            label = messages.t("page_checks_of", fn=function, score=score, max_score=points).render(LANG)
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("output_type") != "execute_result"]
            awaiting = False
        else:
            awaiting = bool(grade.needs_manual_grade)
            said = messages.t("page_awaiting").render(LANG) if awaiting else f"{score} / {points}"
            kind = "page_written_answer" if cell.cell_type == "markdown" else "page_code_answer"
            label = messages.t(kind, said=said).render(LANG)
        cell.metadata[NOTES] = {"label": label, "awaiting": awaiting}

    def _get_comment(self, cell, resources):
        super()._get_comment(cell, resources)
        if cell.metadata.nbgrader.get("comment") == "No response.":  # nbgrader's own, in English
            cell.metadata.nbgrader["comment"] = messages.t("page_no_response").render(LANG)

    def preprocess_cell(self, cell, resources, cell_index):
        cell.metadata.pop(NOTES, None)  # a learner's own, if any: the labels are the grader's alone
        return super().preprocess_cell(cell, resources, cell_index)

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        notes = nb.metadata.get(NOTES) if isinstance(nb.metadata.get(NOTES), dict) else {}
        fix = notes.get("fix_first") if isinstance(notes.get("fix_first"), list) else []
        resources[NOTES] = {
            "notice": str(notes.get("notice") or ""),
            "fix_first": [str(line) for line in fix],
            "labels": {key: messages.t(key).render(LANG) for key in LABELS},
            "late": messages.t(
                "page_late_penalty", points=_num(resources["nbgrader"]["late_penalty"])
            ).render(LANG),
            "score_line": messages.t(
                "report_score",
                score=_num(resources["nbgrader"]["score"]),
                max_score=_num(resources["nbgrader"]["max_score"]),
            ).render(LANG),
        }
        return nb, resources


LABELS = (
    "page_fix_first",
    "page_top",
    "page_your_answer",
    "page_comments",
)


# --- filters of the kit's template ---------------------------------------------------------------

STYLE = """
<style>
/* check output and code wrap: nothing hides behind a horizontal scrollbar */
div.output_area pre, div.output_subarea pre, div.output_text pre, div.input_area pre, .highlight pre {
    white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; }
div.output_subarea { overflow-x: hidden; max-width: 100%; min-width: 0; }
div.output_area img { max-width: 100%; height: auto; }
div.inner_cell, div.output_area, div.input { min-width: 0; }
/* Markdown tables (the glossary): each cell bordered and padded */
.rendered_html table { border-collapse: collapse; margin: 0.5em 0; max-width: 100%; }
.rendered_html th, .rendered_html td { border: 1px solid #bbb; padding: 0.3em 0.7em; text-align: left;
    overflow-wrap: anywhere; }
.rendered_html td code { white-space: pre-wrap; overflow-wrap: anywhere; }
.nn-notice { border-left: 4px solid #d9534f; background: #fdf2f2; padding: 0.5em 1em; margin: 0.8em 0; }
.nn-first { border-left: 4px solid #f0ad4e; background: #fff8ec; padding: 0.5em 1em; margin: 0.8em 0; }
.nn-notice pre { white-space: pre-wrap; overflow-wrap: anywhere; background: transparent; border: none; }
.nn-awaiting { color: #8a6d3b; }
math[display=block] { margin: 0.6em 0; max-width: 100%; overflow: hidden; }
div.nbgrader_cell .panel-heading { height: auto; min-height: 37px; }
body { font-family: "Noto Sans SC", "WenQuanYi Micro Hei", "Helvetica Neue", Helvetica, Arial, sans-serif; }
@media (max-width: 760px) {
  div.prompt { display: none; }
  div.input, div.output_area { flex-direction: column; }
}
</style>
"""
_MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)


# No script at all (the page has none once MathJax is gone), as the kit's other pages: a learner's
# text that got past every escape still runs nothing. Images: the figures (data:) and the
# learner's own http(s) or relative ones, which attack 10 left live.
CSP = "default-src 'none'; img-src 'self' data: http: https:; style-src 'self' 'unsafe-inline'; font-src 'self' data:"


def offline_header(header: str) -> str:
    """nbgrader's page head without the CDN's MathJax (formulas are pre-rendered), with the kit's
    Content-Security-Policy first and its style last."""
    policy = f'<head>\n<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    return _MATHJAX.sub("", header).replace("<head>", policy, 1).replace("</head>", STYLE + "</head>", 1)


# $$…$$ or $…$ as nbconvert's Markdown renderer leaves them (HTML-escaped, for MathJax)
_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$", re.S)
# What is not text, left alone: code, comments and tags. A `$` inside a tag is no formula: MathML
# put into an attribute ends its quotes, and the learner's text after it became attributes (an
# onmouseover). Attribute values are quoted in what this reads (nbconvert's Markdown and bleach's
# serializer both quote every value, with `"` or `'`).
_NOT_TEXT = re.compile(r"""<(pre|code)\b.*?</\1>|<!--.*?-->|<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""", re.S)
# Characters of formulas converted per page (~70 µs each; the course's notebook has 5,507, its
# longest formula 243): what a learner writes beyond stays as written, so 10 MB of `$x$` cannot
# hold generate_feedback for minutes.
MATH_BUDGET = 20_000
MATH_LONGEST = 2_000
MATHML_TAGS = {
    *("math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace"),
    *("msub", "msup", "msubsup", "mfrac", "msqrt", "mroot", "mstyle", "mpadded", "mphantom"),
    *("mover", "munder", "munderover", "mtable", "mtr", "mtd", "menclose", "merror", "mfenced"),
}
MATHML_ATTRIBUTES = {
    *("display", "xmlns", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace"),
    *("accent", "accentunder", "columnalign", "rowspacing", "columnspacing", "displaystyle"),
    *("scriptlevel", "linethickness", "width", "height", "depth", "minsize", "maxsize", "symmetric"),
    *("movablelimits", "form", "largeop", "encoding", "notation", "columnlines", "rowlines", "frame"),
}


@functools.lru_cache(maxsize=1024)  # one generate_feedback renders the same formulas for every learner
def _mathml(latex: str, block: bool) -> str | None:
    from latex2mathml.converter import convert

    try:
        rendered = convert(html.unescape(latex).strip(), display="block" if block else "inline")
    except Exception:  # noqa: BLE001 - a formula the converter cannot read stays as written
        return None
    return bleach.clean(
        rendered, tags=MATHML_TAGS, attributes=lambda tag, name, value: name in MATHML_ATTRIBUTES, strip=True
    )


class FormulaBudget:
    """Characters of formulas one page may still convert (MATH_BUDGET)."""

    def __init__(self, left: int = MATH_BUDGET):
        self.left = left

    def take(self, latex: str) -> bool:
        if len(latex) > MATH_LONGEST or len(latex) > self.left:
            return False
        self.left -= len(latex)
        return True


def math_html(rendered: str, budget: FormulaBudget | None = None) -> str:
    """Rendered Markdown with the formulas of its text as MathML (code, comments and tags left
    alone), within `budget` (a fresh page's when not given)."""
    if "$" not in rendered:
        return rendered
    if budget is None:
        budget = FormulaBudget()

    def formula(match: re.Match) -> str:
        block = match.group(1) is not None
        latex = match.group(1) if block else match.group(2)
        return (budget.take(latex) and _mathml(latex, block)) or match.group(0)

    out, end = [], 0
    for markup in _NOT_TEXT.finditer(rendered):
        out += [_text_math(rendered[end : markup.start()], formula), markup.group(0)]
        end = markup.end()
    out.append(_text_math(rendered[end:], formula))
    return "".join(out)


def _text_math(text: str, formula) -> str:
    """A text run with its formulas converted; one holding `<` is not text as a browser reads
    it (the split above lost step with the tags): left as it is."""
    return text if "<" in text or "$" not in text else _MATH.sub(formula, text)


@jinja2.pass_context
def page_math_html(context, rendered: str) -> str:
    """The template's `math_html` filter: math_html within one budget per page (the notebook's
    `resources`, fresh for each page generate_feedback writes)."""
    resources = context.get("resources")
    if not isinstance(resources, dict):
        return math_html(rendered)
    budget = resources.setdefault("nn_formula_budget", FormulaBudget())
    return math_html(rendered, budget)


# A learner's code cells, highlighted by pygments (nbconvert's highlight_code): its Python lexer is
# quadratic on some strings (120 KB of unclosed `\N{` escapes 18 s). The course's code cells are
# at most 1.2 KB, 21 KB in all; a longer cell, or one past the page's budget, is shown as plain
# (escaped) text.
HIGHLIGHT_CELL = 20_000
HIGHLIGHT_BUDGET = 200_000


@functools.cache
def _highlighters():
    from nbconvert.filters.highlight import Highlight2HTML

    return Highlight2HTML(pygments_lexer="python"), Highlight2HTML(pygments_lexer="text")


@jinja2.pass_context
def page_highlight_code(context, source: str, language=None, metadata=None) -> str:
    """The template's `highlight_code` filter: the course's language (never a learner's choice:
    see nbgrader_hooks.LANGUAGE_INFO), within HIGHLIGHT_CELL and one page's HIGHLIGHT_BUDGET."""
    resources = context.get("resources")
    fresh = [HIGHLIGHT_BUDGET]  # a page without resources (not nbconvert's): this cell's alone
    left = resources.setdefault("nn_highlight_budget", fresh) if isinstance(resources, dict) else fresh
    python, text = _highlighters()
    if len(source) > HIGHLIGHT_CELL or len(source) > left[0]:
        return text(source)
    left[0] -= len(source)
    return python(source, metadata=metadata)
