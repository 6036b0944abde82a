"""The pull request's comment (GitHub Classroom: doors/classroom.py posts it): our hidden marker,
the verdict against the pass mark, the Markdown report (reporters/markdown.py), the commit graded,
cut to what GitHub keeps without leaving a code fence open."""

from __future__ import annotations

from ..messages import in_language, t
from ..results import number

COMMENT_MARKER = "<!-- nn-kit-autograder:score-comment -->"
# GitHub rejects comments over 65,536 characters.
COMMENT_LIMIT = 60_000


def fit_comment(body: str, lang: str) -> str:
    """Cut an over-long body after the last whole <details> section of the report, so no code
    fence is left open (the rest of the comment would read as code)."""
    if len(body) <= COMMENT_LIMIT:
        return body
    cut = body[:COMMENT_LIMIT]
    end = cut.rfind("\n</details>\n")
    cut = cut[: end + len("\n</details>")] if end > 0 else cut.rsplit("\n", 1)[0]
    return cut + "\n\n" + t("comment_truncated").render(lang) + "\n"


def body(paragraphs: list[str], head_sha: str, lang: str, graded: bool = True) -> str:
    """The comment: our marker, the title, the paragraphs, the commit graded (when it was)."""
    say = in_language(lang)
    lines = [COMMENT_MARKER, f"## {say('comment_title')}", ""]
    for paragraph in paragraphs:
        lines += [paragraph, ""]
    if graded:
        lines += [say("comment_commit", sha=head_sha[:12]), ""]
    lines += [f"<sub>{say('comment_trust')}</sub>", ""]
    return fit_comment("\n".join(lines), lang)


def verdict(passed: bool, pass_mark: float, lang: str) -> str:
    said = t("comment_passed" if passed else "comment_failed")
    return t("comment_verdict", verdict=said, pass_mark=str(number(pass_mark))).render(lang)
