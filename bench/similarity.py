"""How `nn-grade similarity` does on the kit's own corpus (issue 21): its false-positive rate on
independently written correct solutions, and whether disguised copies are flagged.

Independent correct solutions: each correct variant of tests/mistakes (VARIANTS) against the
reference, both restricted to the functions the variant rewrote (the rest left as released, so
the given stub, which is boilerplate, is all they share by construction); and, function by
function, each rewritten body against the reference's. Copies: a learner's answer renamed
(every local name), reordered (functions in reverse order), re-commented (comments and
docstrings dropped, others added), and all three at once.

    python -m bench.similarity
"""

from __future__ import annotations

import ast
import io
import tokenize

from autograder.core.grade import load_rubric
from autograder.doors.similarity import MIN_OVERLAP, THRESHOLD, Answer, given_code, similar_pairs
from tests.mistakes import VARIANTS, reference_source, with_bodies

# names a copier renames (locals and arguments alike; the contract's function names stay)
RENAMES = {
    "x": "inp",
    "e": "ex",
    "m": "peak",
    "log_z": "lognorm",
    "f": "fn",
    "s": "sg",
    "params": "weights",
    "grads": "gradients",
    "cache": "stash",
    "delta1": "err_hidden",
    "delta2": "err_out",
    "z1": "pre1",
    "a1": "act1",
    "z2": "pre2",
    "y_hat": "prediction",
    "total": "acc",
    "new": "updated",
    "key": "name",
    "costs": "history",
    "iteration": "step",
    "grad": "slope",
    "saved": "kept",
    "up": "plus",
    "down": "minus",
    "analytic": "mine",
    "numeric": "approx",
    "work": "scratch",
    "na": "norm_a",
    "nb": "norm_b",
    "rng": "generator",
}


def only(functions, bodies: dict[str, str] | None = None) -> str:
    """A learner's module that answers `functions` (with `bodies`, else the reference's) and leaves
    every other function as released."""
    stubbed = {name: "raise NotImplementedError()" for name in load_rubric() if name not in functions}
    return with_bodies({**stubbed, **(bodies or {})}, reference_source())


def renamed(code: str) -> str:
    tokens = [
        (tok.type, RENAMES.get(tok.string, tok.string) if tok.type == tokenize.NAME else tok.string)
        for tok in tokenize.generate_tokens(io.StringIO(code).readline)
    ]
    return tokenize.untokenize(tokens)


def reordered(code: str) -> str:
    """The top-level functions in reverse order, the rest (imports, constants) first."""
    lines = code.splitlines()
    tree = ast.parse(code)
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    taken = {i for node in functions for i in range(node.lineno - 1, node.end_lineno)}
    head = [line for i, line in enumerate(lines) if i not in taken]
    blocks = ["\n".join(lines[node.lineno - 1 : node.end_lineno]) for node in functions]
    return "\n".join(head) + "\n\n" + "\n\n\n".join(reversed(blocks)) + "\n"


def recommented(code: str) -> str:
    """Comments and docstrings dropped; a comment of the copier's own over each function."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.Module)) and ast.get_docstring(node) is not None:
            node.body = node.body[1:] or [ast.Pass()]
    out = []
    for line in ast.unparse(tree).splitlines():
        if line.startswith("def "):
            out.append(f"# my own version of {line[4:].split('(')[0]}")
        out.append(line)
    return "\n".join(out) + "\n"


DISGUISES = {
    "renamed": renamed,
    "reordered": reordered,
    "re-commented": recommented,
    "all three": lambda code: recommented(reordered(renamed(code))),
}


def independent_pairs() -> list[tuple[str, Answer, Answer]]:
    """(what, reference's answer, variant's answer): module-level, then one per rewritten function."""
    pairs = []
    for name, bodies in VARIANTS.items():
        pairs.append((name, Answer("reference", only(bodies)), Answer(name, only(bodies, bodies))))
    for name, bodies in VARIANTS.items():
        for function, body in bodies.items():
            pairs.append(
                (
                    f"{name}.{function}",
                    Answer("reference", only([function])),
                    Answer(name, only([function], {function: body})),
                )
            )
    return pairs


def measure(threshold: float = THRESHOLD) -> dict:
    given = given_code()
    flagged, by_ratio, scores = [], [], []
    for what, left, right in independent_pairs():
        found = similar_pairs([left, right], given, threshold=0.0, min_overlap=0)
        pair = found[0] if found else None
        scores.append((what, pair.score if pair else 0.0, pair.overlap if pair else 0))
        if pair and pair.score >= threshold:
            by_ratio.append(what)
            if pair.overlap >= MIN_OVERLAP:
                flagged.append(what)
    original = only(VARIANTS["other_formulas"], VARIANTS["other_formulas"])
    copies = {}
    for disguise, change in DISGUISES.items():
        copied = [Answer("a", original), Answer("b", change(original))]
        found = similar_pairs(copied, given, threshold=0.0, min_overlap=0)
        copies[disguise] = (found[0].score, found[0].overlap) if found else (0.0, 0)
    return {
        "pairs": len(scores),
        "flagged": flagged,
        "by_ratio": by_ratio,
        "scores": scores,
        "copies": copies,
    }


def main() -> None:
    result = measure()
    modules = [(s, o) for what, s, o in result["scores"] if "." not in what]
    functions = [(s, o) for what, s, o in result["scores"] if "." in what]
    print(
        f"flagged: both learners' share of code found in the other's >= {THRESHOLD}, and >= {MIN_OVERLAP} "
        "filtered characters in common"
    )
    print(
        f"independent correct solutions: {len(result['flagged'])} of {result['pairs']} pairs flagged "
        f"({len(modules)} modules, highest share {max(modules)[0]:.2f}; {len(functions)} single functions, "
        f"highest share {max(functions)[0]:.2f}); by the share alone: {len(result['by_ratio'])}"
    )
    for what, score, overlap in sorted(result["scores"], key=lambda item: -item[1])[:5]:
        print(f"  {what}: share {score:.2f}, {overlap} characters in common")
    for disguise, (score, overlap) in result["copies"].items():
        hit = score >= THRESHOLD and overlap >= MIN_OVERLAP
        print(f"copy {disguise}: share {score:.2f}, {overlap} characters  {'flagged' if hit else 'MISSED'}")


if __name__ == "__main__":
    main()
