"""Markdown for a pull-request comment or a job summary: a score table per function, then the
feedback of failed checks in collapsed sections.

Every piece of learner text is inside a fenced code block sized to outrun any backticks in it
(quoting.fenced), so it cannot become a heading, a link, an image, a mention or HTML, nor close
the <details> it sits in; each check's feedback is capped (quoting.FEEDBACK_LIMIT)."""
from ..quoting import code_span, fenced
from . import number

HEAD = {
    "zh": ("得分（score）", "函数（function）", "得分", "满分（max）", "需要修改的检查（failed checks）",
           "评分程序错误（grader error）", "加载你的代码时出错（error while loading）：",
           "⚠️ 评分程序错误（grader errors）：{n} 项检查没有被评分，不是你的错误；教师修复后会重新评分。"),
    "en": ("Score", "Function", "Score", "Max", "Failed checks", "grader error", "Loading your code failed:",
           "⚠️ Grader errors: {n} checks were not graded; not your mistake: the instructor will fix and re-grade."),
}


def render(results, lang: str = "zh") -> str:
    (score_title, function_col, score_col, max_col, failed_title, grader_error, load_error_title,
     grader_errors) = HEAD[lang]
    lines = [f"**{score_title}: {number(results.score)} / {number(results.max_score)}**", ""]
    if results.grader_errors:
        lines += [grader_errors.format(n=len(results.grader_errors)), ""]
    if results.load_error:
        lines += [load_error_title, "", fenced(results.load_error), ""]
    lines += [f"| {function_col} | {score_col} | {max_col} |  |", "|---|---:|---:|:-:|"]
    errored = {test.function for test in results.grader_errors}
    for function, (score, max_score) in results.by_function().items():
        mark = "✅" if score == max_score else "⚠️" if function in errored else "❌"
        lines.append(f"| {code_span(function)} | {number(score)} | {number(max_score)} | {mark} |")
    failed = results.failed()
    if failed:
        lines += ["", f"### {failed_title}", ""]
        for test in failed:
            note = f" ⚠️ {grader_error}" if test.error else ""
            lines += [f"<details><summary><code>{test.name}</code> (0 / {number(test.max_score)}){note}</summary>", "",
                      fenced(test.feedback.render(lang)), "", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"
