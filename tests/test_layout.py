"""The package's layout shows the pipeline (issue 25, docs/architecture.md "Layout"): every import
of every module of autograder/, read with ast (lazy imports inside functions included), goes only
where ALLOWED says, the core imports no door, and the parts import one another without a cycle.

A part is a package under autograder/ (core, doors, sandbox, checks, figures, reporters, hidden);
the top-level modules (messages, quoting, results, settings, nbgrader_cells) are one part, the
vocabulary every other part speaks. `autograder/__main__.py` is the door `python -m autograder`."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "autograder"
VOCABULARY = {"messages", "quoting", "results", "settings", "nbgrader_cells"}

# Who may import whom (besides itself). Read from the bottom up: the pipeline.
ALLOWED = {
    "vocabulary": set(),  # texts, quoting, the results model, settings, nbgrader's cell roles
    "sandbox": {"vocabulary"},  # runs learner code; knows nothing of the chapter
    "checks": {"sandbox", "vocabulary"},  # the hidden checks, the registry
    "figures": {"checks", "sandbox", "vocabulary"},  # pictures of what lost points
    "core": {"checks", "figures", "sandbox", "vocabulary"},  # intake, grade, rubric, in-process double
    "hidden": {"core", "checks", "sandbox", "vocabulary"},  # the pytest door (a plugin: its own part)
    "reporters": {"core", "hidden", "figures", "vocabulary"},  # junit runs the results through `hidden`
    "doors": {"core", "hidden", "reporters", "figures", "checks", "sandbox", "vocabulary"},
    "__main__": {"doors"},
}


def part_of(module: str) -> str:
    """autograder.core.grade -> core; autograder.messages -> vocabulary."""
    parts = module.split(".")
    assert parts[0] == "autograder" and len(parts) > 1, module
    if parts[1] in VOCABULARY:
        return "vocabulary"
    return parts[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """The autograder modules (or packages) this file imports, relative imports resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "autograder"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "autograder":
                target = node.module
            else:
                continue
            if target == "autograder":  # `from autograder import messages`: the names are modules
                found |= {f"autograder.{alias.name}" for alias in node.names}
            else:
                found.add(target)
    return found


def edges() -> dict[tuple[str, str], list[str]]:
    """{(part, imported part): ["module -> module", ...]} across parts. (sandbox/worker.py runs as a
    script and imports its siblings flat: no autograder import of it to read.)"""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        here = module_name(path)
        if here == "autograder":
            continue
        for target in imported(path):
            pair = (part_of(here), part_of(target))
            if pair[0] != pair[1]:
                found.setdefault(pair, []).append(f"{here} -> {target}")
    return found


def test_every_part_is_in_the_table():
    parts = {
        part_of(module_name(path)) for path in PACKAGE.rglob("*.py") if module_name(path) != "autograder"
    }
    assert parts == set(ALLOWED)


def test_imports_go_only_where_the_table_allows():
    wrong = {pair: where for pair, where in edges().items() if pair[1] not in ALLOWED[pair[0]]}
    assert not wrong, wrong


def test_the_core_imports_no_door():
    doors = {"doors", "hidden", "reporters", "__main__"}
    assert not ALLOWED["core"] & doors
    assert not [where for (source, target), where in edges().items() if source == "core" and target in doors]


def test_no_cycle_between_parts():
    graph: dict[str, set[str]] = {}
    for source, target in edges():
        graph.setdefault(source, set()).add(target)
    try:
        tuple(TopologicalSorter(graph).static_order())
        tuple(TopologicalSorter(ALLOWED).static_order())
    except CycleError as cycle:
        raise AssertionError(f"import cycle between parts: {cycle.args[1]}") from None
