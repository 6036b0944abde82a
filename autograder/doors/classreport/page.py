"""class.html: the report as one self-contained page (pictures inline, no script, no network).

Every learner text (ids, feedback, reasons, the catalogue's labels) goes through
quoting.html_text; the page's Content-Security-Policy allows no script and no fetch at all, so
an escape missed would still run nothing.
"""

from __future__ import annotations

import html
import json

from ...messages import in_language
from ...quoting import html_text, one_line
from ...results import number
from . import charts, stats
from .reports import Learner

LEARNERS_SHOWN = 30  # names listed per misconception; the rest are counted
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
STYLE = """
body { font-family: "Noto Sans SC", "WenQuanYi Micro Hei", sans-serif; margin: 2em; max-width: 70em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.flag td { background: #fff3cd; }
img { max-width: 100%; }
"""


def _e(text, limit: int = 300) -> str:
    return html_text(one_line(text, limit))


def _row(cells: list[str], css: str = "") -> str:
    return f"<tr{f' class={css!r}' if css else ''}>" + "".join(cells) + "</tr>"


def _td(text, number: bool = False) -> str:
    return f"<td class='n'>{_e(text)}</td>" if number else f"<td>{_e(text)}</td>"


def _table(table_id: str, header: list[str], rows: list[str], say) -> str:
    if not rows:
        return f"<p id='{table_id}'>{_e(say('class_none'))}</p>"
    head = "".join(f"<th>{_e(say(key))}</th>" for key in header)
    return f"<table id='{table_id}'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _name(learner: str) -> str:
    """A learner id as one item of a comma-separated list: quoted (JSON) when it could read as
    several (a comma, a quote, or spaces at its ends), so one learner never reads as two."""
    plain = "," not in learner and '"' not in learner and learner == learner.strip()
    return learner if plain else json.dumps(learner, ensure_ascii=False)


def _names(learners: list[str], say) -> str:
    shown = ", ".join(map(_name, learners[:LEARNERS_SHOWN]))
    more = len(learners) - LEARNERS_SHOWN
    return shown + (f" ({say('class_more', count=more)})" if more > 0 else "")


def render(learners: list[Learner], lang: str = "zh", assignment: str = "ch01", similarity: str = "") -> str:
    """The page; `similarity`: the similarity report's file name beside it, linked when given."""
    say = in_language(lang)
    summary = stats.summary(learners)
    items = stats.items(learners)
    sections = [
        f"<h1>{_e(say('class_title', assignment=assignment))}</h1>",
        "<p id='overview'>"
        + _e(
            say(
                "class_overview",
                count=summary.count,
                max_score=str(number(summary.max_score)),
                mean=f"{summary.mean:.1f}",
                median=str(number(summary.median)),
                q1=str(number(summary.q1)),
                q3=str(number(summary.q3)),
                zeros=sum(map(len, summary.zeros.values())),
            )
        )
        + "</p>",
    ]
    if similarity:
        sections.append(
            f"<p><a id='similarity-link' href='{html.escape(similarity, quote=True)}'>"
            f"{_e(say('class_similarity'))}</a></p>"
        )
    sections += [
        _pictures(learners, summary, lang, say),
        _section("checks", say("class_checks"), _checks(items, say)),
        _section("misconceptions", say("class_misconceptions"), _misconceptions(learners, lang, say)),
        _section(
            "items", say("class_items"), f"<p>{_e(say('class_items_note'), 1000)}</p>" + _items(items, say)
        ),
        _section("problems", say("class_problems"), _problems(learners, say)),
        _section("slowest", say("class_slowest"), _slowest(learners, say)),
    ]
    return (
        f"<!DOCTYPE html>\n<html lang='{'en' if lang == 'en' else 'zh-CN'}'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        f"<title>{_e(say('class_title', assignment=assignment))}</title><style>{STYLE}</style></head>"
        f"<body>\n" + "\n".join(sections) + "\n</body></html>\n"
    )


def _section(section_id: str, title: str, body: str) -> str:
    return f"<section id='{section_id}'><h2>{_e(title)}</h2>{body}</section>"


def _pictures(learners: list[Learner], summary: stats.Summary, lang: str, say) -> str:
    if not learners:
        return ""
    points: dict[str, list[float]] = {}
    for learner in learners:
        for function, (score, _) in learner.functions.items():
            points.setdefault(function, []).append(score)
    histogram = charts.histogram([learner.score for learner in learners], summary.max_score, lang)
    boxes = charts.function_points(points, lang) if points else ""
    return _section(
        "histogram", say("class_histogram"), f"<img id='histogram-img' alt='' src='{histogram}'>"
    ) + (
        _section("functions", say("class_functions"), f"<img id='functions-img' alt='' src='{boxes}'>")
        if boxes
        else ""
    )


def _checks(items: list[stats.Item], say) -> str:
    rows = [
        _row(
            [
                _td(item.function),
                _td(item.name),
                _td(str(number(item.max_score)), True),
                _td(f"{item.passed} / {item.graded}", True),
                _td(f"{item.difficulty:.0%}", True),
            ]
        )
        for item in items
    ]
    header = [
        "class_col_function",
        "class_col_check",
        "class_col_points",
        "class_col_passed",
        "class_col_pass_rate",
    ]
    return _table("check-table", header, rows, say)


def _items(items: list[stats.Item], say) -> str:
    flags = {"nobody": say("class_flag_nobody"), "everybody": say("class_flag_everybody"), "": ""}
    rows = [
        _row(
            [
                _td(item.name),
                _td(f"{item.difficulty:.2f}", True),
                _td("" if item.discrimination is None else f"{item.discrimination:.2f}", True),
                _td(flags[item.flag]),
            ],
            "flag" if item.flag else "",
        )
        for item in items
    ]
    header = ["class_col_check", "class_col_difficulty", "class_col_discrimination", "class_col_flag"]
    return _table("item-table", header, rows, say)


def _misconceptions(learners: list[Learner], lang: str, say) -> str:
    rows = [
        _row(
            [
                _td(item.function),
                _td(item.label.get(lang) or item.key),
                _td(len(item.learners), True),
                f"<td>{_e(_names(item.learners, say), 4000)}</td>",
            ]
        )
        for found in stats.misconceptions(learners).values()
        for item in found
    ]
    header = ["class_col_function", "class_col_mistake", "class_col_count", "class_col_learners"]
    return _table("misconception-table", header, rows, say)


def _problems(learners: list[Learner], say) -> str:
    rows = [
        _row([_td(learner), _td(say(f"class_kind_{kind}")), f"<td>{_e(reason, 600)}</td>"])
        for learner, kind, reason in stats.problems(learners)
    ]
    return _table("problem-table", ["class_col_learner", "class_col_kind", "class_col_reason"], rows, say)


def _slowest(learners: list[Learner], say) -> str:
    rows = [
        _row(
            [
                _td(learner.learner),
                _td(f"{learner.execution_time:.2f}", True),
                _td(str(number(learner.score)), True),
            ]
        )
        for learner in stats.slowest(learners)
        if learner.execution_time > 0
    ]
    return _table("slowest-table", ["class_col_learner", "class_col_seconds", "class_col_score"], rows, say)
