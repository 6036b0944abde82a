"""Plain text for a terminal: the total, a line per function, then what to fix.

Learner text goes through quoting.clean (no terminal escapes, no workflow commands, capped)."""

from ..figures import has_figures
from ..messages import in_language
from ..results import last_failures, note
from ..quoting import clean, one_line
from . import number


def render(results, lang: str = "zh") -> str:
    say = in_language(lang)
    lines = [
        one_line(results.submission),
        say("report_score", score=number(results.score), max_score=number(results.max_score)),
        "",
    ]
    if results.grader_errors:
        lines += ["⚠ " + say("report_grader_errors", n=len(results.grader_errors)), ""]
    if results.refused:
        lines += [results.refused.render(lang), ""]
    elif results.load_error:  # indented like feedback, so its lines cannot pass for the report's own
        said = (
            results.load_note.render(lang)
            if results.load_note
            else say("load_error", error=results.load_error)
        )
        first, *rest = clean(said).split("\n")
        lines += [first, *("    " + line for line in rest), ""]
    elif results.notice and not results.unanswered:  # nothing defined (unanswered: its first check says it)
        lines += [results.notice.render(lang), ""]
    lines.append(say("report_per_function") + ":")
    width = max(len(f) for f in results.by_function())
    errored = {test.function for test in results.grader_errors}
    for function, (score, max_score) in results.by_function().items():
        mark = "✓" if score == max_score else "⚠" if function in errored else "✗"
        lines.append(f"  {mark} {function:<{width}}  {number(score):>4} / {number(max_score)}")
    lines.append("")
    failed = results.failed()
    if failed:
        lines.append(say("report_to_fix") + ":")
        named = last_failures(failed)  # the misconception once per function, after its failures
        for i, test in enumerate(failed):
            lines.append(test.render(lang))  # CheckResult.render cleans the feedback
            if i in named:
                lines.append("  → " + note(test).render(lang))
        if has_figures(results):  # this format shows no images: where they are
            lines += ["", say("report_figures_elsewhere")]
    else:
        lines.append(say("report_all_passed"))
    return "\n".join(lines) + "\n"
