"""Similarity of the learners' answers, by copydetect (winnowed fingerprints of the tokenised
code, MOSS's method): names become V/F/O and comments and white space go, so renaming,
re-commenting and reordering functions leave the fingerprints as they were.

What is compared: a module's whole text, a notebook's answer cells only (nbgrader_cells.py). The
release's given code (the stub nn_basics.py and the notebook's code cells as released) is
boilerplate: its fingerprints never count. Learner files are read as the grader's intake reads
them (links refused, sizes capped: intake.py) and never run; a file that cannot be read
is left out and said so.

A pair is flagged when both learners' similarity (the share of each one's fingerprinted code that
the other's also holds) is at least the threshold: one who copied a classmate's whole answer and
wrote nothing else scores high on their side only when the copy is all they have, so `min` keeps
two short independent answers that share a common helper from being flagged.
"""

from __future__ import annotations

import ast
import html
import io
import json
from dataclasses import dataclass
from pathlib import Path

from ..core.intake import find_submissions
from ..nbgrader_cells import is_answer_cell
from ..quoting import clean
from ..sandbox.errors import Refused

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "release" / "ch01"
NOISE = 25  # copydetect's defaults: k-grams of 25 filtered characters, every one kept (window 1)
GUARANTEE = 25
THRESHOLD = 0.5
# ...and at least this many filtered characters in common (~60 tokens: a function of a dozen
# lines): independent answers of one short function converge (bench/similarity.py measured
# two correct leaky_relu answers written apart at 0.95), so a pair is flagged only for copying
# more than one short function can hold.
MIN_OVERLAP = 200
PAIRS_SHOWN = 200  # side by side in the page, most similar first; the rest are counted
MAX_ANSWER_CHARS = 200_000  # the whole chapter's answers are ~6 KB; lexing more is wasted time


@dataclass(frozen=True)
class Answer:
    learner: str
    code: str


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    similarity: tuple[float, float]  # each side's share of its code found in the other's
    overlap: int  # filtered characters of the left answer found in the right one
    codes: tuple[str, str]
    slices: tuple  # copydetect's (starts, ends) of the overlap in each code

    def highlighted(self) -> tuple[str, str]:
        """Both codes HTML-escaped, the overlap in <mark>."""
        return _highlighted(self.codes[0], self.slices[0]), _highlighted(self.codes[1], self.slices[1])

    @property
    def score(self) -> float:
        return min(self.similarity)


def answer_code(path: Path) -> str:
    """The code a learner wrote at `path` (a .py, an .ipynb or a folder holding one): a module's
    text, a notebook's answer cells. Raises OSError/ValueError when it cannot be read."""
    from ..core.intake import read
    from ..sandbox.notebook import read_notebook

    received = read(path)
    if received.kind == "ipynb":
        cells = read_notebook(received.data)["cells"]
        code = "\n\n".join(_source(cell) for cell in cells if is_answer_cell(cell))
    else:
        code = received.data.decode("utf-8", "replace")
    # control characters and bidi overrides shown as escapes: the side-by-side view shows what
    # the code is, not what a "Trojan source" trick makes it look like
    return clean(code[:MAX_ANSWER_CHARS], None)


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def given_code(release: Path = RELEASE) -> list[str]:
    """The code the learners were given: the stub module, the same without its docstrings (a
    learner who deletes them keeps the rest of the stub, which is no more theirs), and every
    code cell of the notebook."""
    notebook = json.loads((release / "ch01.ipynb").read_text(encoding="utf-8"))
    cells = [_source(cell) for cell in notebook["cells"] if cell.get("cell_type") == "code"]
    stub = (release / "nn_basics.py").read_text(encoding="utf-8")
    return [stub, _without_docstrings(stub), *cells]


def _without_docstrings(code: str) -> str:
    """The release's own code (trusted: learner code is never parsed here) minus its docstrings."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.Module)) and ast.get_docstring(node) is not None:
            node.body = node.body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def read_class(directory: Path) -> tuple[list[Answer], dict[str, str]]:
    """([Answer] of every learner with code, {learner: why not} for the others)."""
    answers, skipped = [], {}
    for found in find_submissions(directory):
        if found.path is None:
            skipped[found.learner] = found.problem
            continue
        try:
            code = answer_code(found.path)
        except (OSError, ValueError, Refused) as exc:  # a link, too large, not a notebook...
            skipped[found.learner] = str(exc)[:200]
            continue
        if code.strip():
            answers.append(Answer(found.learner, code))
        else:
            skipped[found.learner] = "no code"
    return answers, skipped


def _fingerprint(code: str, boilerplate=None):
    from copydetect import CodeFingerprint

    window = GUARANTEE - NOISE + 1
    return CodeFingerprint("answer.py", NOISE, window, boilerplate, fp=io.StringIO(code), language="python")


def boilerplate_hashes(given: list[str]) -> list[int]:
    hashes: set[int] = set()
    for code in given:
        hashes |= _fingerprint(code).hashes
    return sorted(hashes)


def similar_pairs(
    answers: list[Answer], given: list[str], threshold: float = THRESHOLD, min_overlap: int = MIN_OVERLAP
) -> list[Pair]:
    """Every pair of learners whose answers share at least `threshold` of each one's own code
    (the given code left out) and `min_overlap` filtered characters, most similar first."""
    from copydetect import compare_files

    boilerplate = boilerplate_hashes(given)
    prints = [_fingerprint(answer.code, boilerplate) for answer in answers]
    pairs = []
    for i in range(len(answers)):
        for j in range(i + 1, len(answers)):
            # A cheap first look: the share of distinct fingerprints in common. It is no bound on
            # copydetect's share of code, but on the corpus every flagged pair (835 of 3,570 pairs
            # of mistakes, variants and disguised copies) had at least 0.40 where this skips
            # below 0.25; unrelated answers stop here, before copydetect's full comparison.
            common = len(prints[i].hashes & prints[j].hashes)
            if common < threshold * max(len(prints[i].hashes), len(prints[j].hashes)) / 2 or not common:
                continue
            overlap, similarity, slices = compare_files(prints[i], prints[j])
            if min(similarity) >= threshold and overlap >= min_overlap:
                pairs.append(
                    Pair(
                        answers[i].learner,
                        answers[j].learner,
                        (float(similarity[0]), float(similarity[1])),
                        int(overlap),
                        (answers[i].code, answers[j].code),
                        slices,
                    )
                )
    return sorted(pairs, key=lambda pair: (-pair.score, pair.left, pair.right))


def _highlighted(code: str, slices) -> str:
    from copydetect.utils import highlight_overlap

    if not len(slices[0]):
        return html.escape(code)
    marked, _ = highlight_overlap(code, slices, "<mark>", "</mark>", escape_html=True)
    return str(marked)


STYLE = """
body { font-family: "Noto Sans SC", "WenQuanYi Micro Hei", sans-serif; margin: 2em; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; margin-bottom: 2em; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; font-size: 12px; white-space: pre-wrap; }
mark { background: #ffd27f; }
"""


def render(pairs: list[Pair], skipped: dict[str, str], lang: str = "zh", assignment: str = "ch01") -> str:
    """similarity.html: each flagged pair's code side by side, the overlap marked; no script."""
    from ..messages import in_language
    from ..quoting import one_line
    from .classreport.page import CSP

    say = in_language(lang)

    def e(text) -> str:
        return html.escape(one_line(text), quote=True)

    title = e(say("similarity_title", assignment=assignment))
    parts = [
        f"<h1>{title}</h1>",
        f"<p>{e(say('similarity_note', threshold=f'{THRESHOLD:.0%}', overlap=MIN_OVERLAP))}</p>",
        f"<p id='pair-count'>{e(say('similarity_pairs', count=len(pairs)))}</p>",
    ]
    for pair in pairs[:PAIRS_SHOWN]:
        left, right = pair.highlighted()
        heading = say(
            "similarity_pair",
            left=pair.left,
            right=pair.right,
            left_share=f"{pair.similarity[0]:.0%}",
            right_share=f"{pair.similarity[1]:.0%}",
        )
        parts.append(
            f"<section class='pair-block'><h2>{e(heading)}</h2><div class='pair'>"
            f"<pre>{left}</pre><pre>{right}</pre></div></section>"
        )
    if len(pairs) > PAIRS_SHOWN:
        parts.append(f"<p>{e(say('class_more', count=len(pairs) - PAIRS_SHOWN))}</p>")
    if skipped:
        rows = "".join(f"<li>{e(learner)}: {e(why)}</li>" for learner, why in sorted(skipped.items()))
        parts.append(f"<h2>{e(say('similarity_skipped'))}</h2><ul id='skipped'>{rows}</ul>")
    return (
        f"<!DOCTYPE html>\n<html lang='{'en' if lang == 'en' else 'zh-CN'}'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\"><title>{title}</title>"
        f"<style>{STYLE}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )
