"""Plain text for a terminal: the total, a line per function, then what to fix.

Learner text goes through quoting.clean (no terminal escapes, no workflow commands, capped)."""
from ..messages import t
from ..quoting import clean, one_line
from . import number

HEAD = {
    "zh": ("得分（score）", "各函数得分（per function）", "需要修改的地方（what to fix）", "全部检查通过（all checks passed）",
           "评分程序错误（grader errors）：{n} 项检查没有被评分，不是你的错误；教师修复后会重新评分。"),
    "en": ("Score", "Per function", "What to fix", "All checks passed",
           "Grader errors: {n} checks were not graded; not your mistake: the instructor will fix and re-grade."),
}


def render(results, lang: str = "zh") -> str:
    score_title, per_function, to_fix, all_passed, grader_errors = HEAD[lang]
    lines = [one_line(results.submission), f"{score_title}: {number(results.score)} / {number(results.max_score)}", ""]
    if results.grader_errors:
        lines += ["⚠ " + grader_errors.format(n=len(results.grader_errors)), ""]
    if results.load_error:  # indented like feedback, so its lines cannot pass for the report's own
        first, *rest = clean(t("load_error", error=results.load_error).render(lang)).split("\n")
        lines += [first, *("    " + line for line in rest), ""]
    lines.append(per_function + ":")
    width = max(len(f) for f in results.by_function())
    errored = {test.function for test in results.grader_errors}
    for function, (score, max_score) in results.by_function().items():
        mark = "✓" if score == max_score else "⚠" if function in errored else "✗"
        lines.append(f"  {mark} {function:<{width}}  {number(score):>4} / {number(max_score)}")
    lines.append("")
    failed = results.failed()
    if failed:
        lines.append(to_fix + ":")
        lines.extend(test.render(lang) for test in failed)  # CheckResult.render cleans the feedback
    else:
        lines.append(all_passed)
    return "\n".join(lines) + "\n"
