"""Markdown for a pull-request comment or a job summary: a score table per function, then the
feedback of failed checks in collapsed sections (code blocks, so feedback cannot break the table)."""
from ..messages import t
from . import number

HEAD = {
    "zh": ("得分（score）", "函数（function）", "得分", "满分（max）", "需要修改的检查（failed checks）"),
    "en": ("Score", "Function", "Score", "Max", "Failed checks"),
}


def render(results, lang: str = "zh") -> str:
    score_title, function_col, score_col, max_col, failed_title = HEAD[lang]
    lines = [f"**{score_title}: {number(results.score)} / {number(results.max_score)}**", "",
             *([f"> {t('load_error', error=results.load_error).render(lang)}", ""] if results.load_error else []),
             f"| {function_col} | {score_col} | {max_col} |  |", "|---|---:|---:|:-:|"]
    for function, (score, max_score) in results.by_function().items():
        lines.append(f"| `{function}` | {number(score)} | {number(max_score)} | {'✅' if score == max_score else '❌'} |")
    failed = results.failed()
    if failed:
        lines += ["", f"### {failed_title}", ""]
        for test in failed:
            body = test.feedback.render(lang).replace("```", "ʼʼʼ")
            lines += [f"<details><summary><code>{test.name}</code> (0 / {number(test.max_score)})</summary>", "",
                      "```text", body, "```", "", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"
