"""One self-contained HTML page for the learner (`grade --format html`): nothing is fetched (style
inline, pictures as data: URIs, no script, and a Content-Security-Policy that allows neither),
in the learner's language.

Order, as a learner reads it: the score; why points were lost before any check ran (the load
error with the offending line); the root causes to fix first (results.fix_first); the table of
functions; then each function that lost points, root causes first, with its figure and its
failed checks (collapsed failures and misconception notes as the text report says them).
Every learner text goes through quoting.html_text; check output wraps (no horizontal scroll).
"""

from __future__ import annotations

import base64

from ..messages import in_language
from ..quoting import html_text, one_line
from ..results import CheckResult, Figure, Results, first_failures, fix_first, lost_points_first, note, number

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
# MIME types drawn as <img>: an image cannot run script, SVG included
IMAGE_TYPES = {"image/png", "image/svg+xml", "image/jpeg", "image/gif", "image/webp"}
STYLE = """
body { font-family: "Noto Sans SC", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif;
       margin: 1.5em auto; max-width: 60em; padding: 0 1em; line-height: 1.5; color: #222; }
pre, .out { white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; max-width: 100%;
            overflow-x: hidden; font-family: "WenQuanYi Micro Hei Mono", monospace; font-size: 0.9em;
            background: #f6f8fa; border: 1px solid #ddd; border-radius: 4px; padding: 0.5em 0.7em; margin: 0.3em 0; }
.notice { border-left: 4px solid #d9534f; background: #fdf2f2; padding: 0.5em 1em; margin: 1em 0; }
.first { border-left: 4px solid #f0ad4e; background: #fff8ec; padding: 0.5em 1em; margin: 1em 0; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.8em; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
section.function { border-top: 1px solid #ddd; margin-top: 1.5em; }
figure { margin: 0.5em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #555; overflow-wrap: anywhere; }
.note { background: #eef6ff; padding: 0.3em 0.7em; border-radius: 4px; overflow-wrap: anywhere; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; } h3 { font-size: 1em; margin-bottom: 0.2em; }
"""


def _e(text, limit: int | None = None) -> str:
    """Learner text (or text holding it) for HTML: cleaned, capped, escaped."""
    return html_text(text) if limit is None else html_text(one_line(text, limit))


def render(results: Results, lang: str = "zh") -> str:
    say = in_language(lang)
    body = [
        f"<h1>{_e(say('page_title', name=one_line(results.submission)), 600)}</h1>",
        f"<p id='score'><strong>{_e(say('report_score', score=number(results.score), max_score=number(results.max_score)))}</strong></p>",
    ]
    if results.grader_errors:
        body.append(
            f"<p class='notice'>⚠ {_e(say('report_grader_errors', n=len(results.grader_errors)))}</p>"
        )
    body += [_notice(results, lang, say), _fix_first(results, lang, say), _table(results, say)]
    body += [_function(results, function, lang, say) for function in lost_points_first(results)]
    if not results.failed():
        body.append(f"<p>{_e(say('report_all_passed'))}</p>")
    html_lang = "en" if lang == "en" else "zh-CN"
    title = _e(say("page_title", name=one_line(results.submission)), 600)
    return (
        f"<!DOCTYPE html>\n<html lang='{html_lang}'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{title}</title><style>{STYLE}</style></head>\n<body><main>\n"
        + "\n".join(part for part in body if part)
        + "\n</main></body></html>\n"
    )


def _notice(results: Results, lang: str, say) -> str:
    """Why points were lost before any check ran (refusal, load error with its line, nothing
    defined), on top; an unanswered notebook is said by its first check, as the text report does."""
    notice = results.notice
    if notice is None or (results.unanswered and not results.load_error and not results.refused):
        return ""
    return f"<section class='notice' id='notice'><pre class='out'>{_e(notice.render(lang))}</pre></section>"


def _fix_first(results: Results, lang: str, say) -> str:
    causes = fix_first(results)
    if not causes:
        return ""
    items = "".join(f"<li>{_e(cause.render(lang))}</li>" for cause in causes)
    return f"<section class='first' id='fix-first'><h2>{_e(say('page_fix_first'))}</h2><ul>{items}</ul></section>"


def _table(results: Results, say) -> str:
    errored = {test.function for test in results.grader_errors}
    rows = []
    for function, (score, max_score) in results.by_function().items():
        mark = "✓" if score == max_score else "⚠" if function in errored else "✗"
        name = _e(function, 100)
        link = f"<a href='#fn-{name}'>{name}</a>" if score < max_score else name
        rows.append(
            f"<tr><td>{mark}</td><td>{link}</td><td class='n'>{number(score)}</td><td class='n'>{number(max_score)}</td></tr>"
        )
    head = "".join(f"<th>{_e(say(key))}</th>" for key in ("report_function", "report_points", "report_max"))
    return (
        f"<table id='functions'><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _function(results: Results, function: str, lang: str, say) -> str:
    """A function that lost points: its score, its figure, its failed checks."""
    score, max_score = results.by_function()[function]
    name = _e(function, 100)
    heading = _e(say("page_checks_of", fn=function, score=number(score), max_score=number(max_score)), 200)
    parts = [f"<section class='function' id='fn-{name}'><h2>{heading}</h2>"]
    figure = results.figures.get(function)
    if figure is not None:
        parts.append(figure_html(figure, lang))
    failed = [test for test in results.tests if test.function == function and not test.passed]
    named = first_failures(failed)  # the misconception once per function, after its first failure
    notice = results.notice.render(lang) if results.notice else ""
    for i, test in enumerate(failed):
        parts.append(_check(test, say, lang, notice))
        if i in named:
            parts.append(f"<p class='note'>→ {_e(note(test).render(lang))}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def _check(test: CheckResult, say, lang: str, notice: str) -> str:
    """A failed check and its feedback, less the notice it starts with (said once, on top)."""
    mark = "⚠" if test.error else "✗"
    grader = f" <em>{_e(say('report_grader_error'))}</em>" if test.error else ""
    head = (
        f"{mark} <code>{_e(test.name, 200)}</code> ({number(test.score)} / {number(test.max_score)}){grader}"
    )
    feedback = test.feedback.render(lang)
    if notice and feedback.startswith(notice) and feedback != notice:
        feedback = feedback[len(notice) :].lstrip("\n")
    body = f"<pre class='out'>{_e(feedback)}</pre>" if feedback else ""
    return f"<div class='check'><h3>{head}</h3>{body}</div>"


def figure_html(figure: Figure, lang: str) -> str:
    """The figure inline (a data: URI) with its caption; a type that is not an image is not drawn."""
    caption = figure.caption.render(lang) if figure.caption else ""
    mime = figure.mime if figure.mime in IMAGE_TYPES else ""
    if not mime or not figure.data:
        return ""
    uri = f"data:{mime};base64,{base64.b64encode(figure.data).decode('ascii')}"
    alt = _e(caption or figure.function, 300)
    said = (
        f"<figcaption>{_e(in_language(lang)('page_figure', caption=caption), 600)}</figcaption>"
        if caption
        else ""
    )
    return f"<figure class='figure' data-function='{_e(figure.function, 100)}'><img src='{uri}' alt='{alt}'>{said}</figure>"
