"""Markdown for a pull-request comment or a job summary: a score table per function, then the
feedback of failed checks in collapsed sections.

Every piece of learner text is inside a fenced code block sized to outrun any backticks in it
(quoting.fenced), so it cannot become a heading, a link, an image, a mention or HTML, nor close
the <details> it sits in; each check's feedback is capped (quoting.FEEDBACK_LIMIT)."""

from ..figures import has_figures
from ..messages import in_language
from ..results import last_failures, note
from ..quoting import code_span, fenced
from . import number


def render(results, lang: str = "zh") -> str:
    say = in_language(lang)
    lines = [
        f"**{say('report_score', score=number(results.score), max_score=number(results.max_score))}**",
        "",
    ]
    if results.grader_errors:
        lines += ["⚠️ " + say("report_grader_errors", n=len(results.grader_errors)), ""]
    if results.refused:
        lines += [say("report_load_error"), "", fenced(results.refused.render(lang)), ""]
    elif results.load_error:
        said = results.load_note.render(lang) if results.load_note else results.load_error
        lines += [say("report_load_error"), "", fenced(said), ""]
    elif results.notice and not results.unanswered:  # nothing defined (unanswered: its first check says it)
        lines += [fenced(results.notice.render(lang)), ""]
    lines += [
        f"| {say('report_function')} | {say('report_points')} | {say('report_max')} |  |",
        "|---|---:|---:|:-:|",
    ]
    errored = {test.function for test in results.grader_errors}
    for function, (score, max_score) in results.by_function().items():
        mark = "✅" if score == max_score else "⚠️" if function in errored else "❌"
        lines.append(f"| {code_span(function)} | {number(score)} | {number(max_score)} | {mark} |")
    failed = results.failed()
    if failed:
        lines += ["", f"### {say('report_failed_checks')}", ""]
        named = last_failures(failed)  # the misconception once per function, after its failures
        for i, test in enumerate(failed):
            mark = f" ⚠️ {say('report_grader_error')}" if test.error else ""
            lines += [
                f"<details><summary><code>{test.name}</code> (0 / {number(test.max_score)}){mark}</summary>",
                "",
                fenced(test.feedback.render(lang)),
                "",
                "</details>",
                "",
            ]
            if i in named:  # the kit's own text (messages.py), no learner text in it
                lines += [f"💡 {code_span(test.function)}: {note(test).render(lang)}", ""]
        if has_figures(results):  # this format shows no images: where they are (the kit's own text)
            lines += [say("report_figures_elsewhere"), ""]
    return "\n".join(lines).rstrip() + "\n"
