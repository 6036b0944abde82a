"""Plain text for a terminal: the total, a line per function, then what to fix."""
from ..messages import t
from . import number

HEAD = {
    "zh": ("得分（score）", "各函数得分（per function）", "需要修改的地方（what to fix）", "全部检查通过（all checks passed）"),
    "en": ("Score", "Per function", "What to fix", "All checks passed"),
}


def render(results, lang: str = "zh") -> str:
    score_title, per_function, to_fix, all_passed = HEAD[lang]
    lines = [f"{results.submission}", f"{score_title}: {number(results.score)} / {number(results.max_score)}", ""]
    if results.load_error:
        lines += [t("load_error", error=results.load_error).render(lang), ""]
    lines.append(per_function + ":")
    width = max(len(f) for f in results.by_function())
    for function, (score, max_score) in results.by_function().items():
        mark = "✓" if score == max_score else "✗"
        lines.append(f"  {mark} {function:<{width}}  {number(score):>4} / {number(max_score)}")
    lines.append("")
    failed = results.failed()
    if failed:
        lines.append(to_fix + ":")
        lines.extend(test.render(lang) for test in failed)
    else:
        lines.append(all_passed)
    return "\n".join(lines) + "\n"
