"""What learners receive: generated from the sources, in sync, and free of any solution."""

import ast
import importlib.util
import inspect
import re

import nbformat
import pytest

from autograder.core.grade import load_rubric
from tools import release

ROOT = release.ROOT
RELEASE_DIR = ROOT / release.RELEASE
CONTRACT_FUNCTIONS = list(load_rubric())  # the rubric's tables: the kit's one list of them


def solution_lines():
    """Every line inside a solution region, of the reference and of the model answers to the
    written questions, that is long enough to be an answer: shorter ones (`return {`,
    `costs = []`) are generic Python that prose and checks may contain too."""
    sources = [(ROOT / release.SOLUTIONS).read_text(encoding="utf-8")]
    sources += [cell.source for cell in nbformat.read(ROOT / release.NOTEBOOK, as_version=4).cells]
    lines = set()
    for text in sources:
        for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", text, flags=re.S):
            lines |= {line.strip() for line in region.splitlines() if len(line.strip()) >= 12}
    return lines


def release_texts():
    for path in sorted(RELEASE_DIR.rglob("*")):
        # the reference figures are pictures (PNG) drawn from the notebook's public formulas
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".png":
            yield path, path.read_text(encoding="utf-8")


def test_release_is_in_sync_with_its_sources():
    assert release.differences(ROOT) == [], "run `make release` and commit the result"


MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "grade_cell", "autograder")


def leaks_in(text, lines):
    """Markers and solution lines found in `text`."""
    return [m for m in MARKERS if m in text] + sorted(line for line in lines if line in text)


def test_release_holds_no_solution_line_marker_or_hidden_test():
    lines = solution_lines()
    assert len(lines) > 60  # the reference's bodies and the model answers were found
    for path, text in release_texts():
        assert not leaks_in(text, lines), f"{path.relative_to(ROOT)} leaks {leaks_in(text, lines)[:3]}"


# Answers short enough to hide inside a longer line of a visible file, with other names around
# them: the vectorised cost and predict's threshold. Matched with all whitespace removed.
ANSWER_EXPRESSIONS = {
    "vectorised cost": re.compile(r"np\.sum\(\(\w+-"),
    "predict's threshold": re.compile(r">=0\.5\)\.astype\(int\)"),
}


def expression_leaks(text):
    squeezed = re.sub(r"\s+", "", text)
    return [name for name, pattern in ANSWER_EXPRESSIONS.items() if pattern.search(squeezed)]


def test_release_holds_no_answer_expression():
    reference = (ROOT / release.SOLUTIONS).read_text(encoding="utf-8")
    assert expression_leaks(reference) == list(ANSWER_EXPRESSIONS)  # each pattern finds its answer
    for path, text in release_texts():
        assert not expression_leaks(text), f"{path.relative_to(ROOT)} holds {expression_leaks(text)}"


def test_the_expression_check_catches_a_check_that_computes_the_answer():
    # what the visible checks once held to compute their expected values
    old_checks = """
        return 0.5 * float(np.sum((y - _forward(X, moved)[3]) ** 2))
    expected = (_forward(X, params)[3] >= 0.5).astype(int)"""
    assert expression_leaks(old_checks) == list(ANSWER_EXPRESSIONS)


def test_the_leak_check_catches_a_leaked_answer():
    """Feed the check a leak: the release notebook with the source's sigmoid cell left in."""
    lines = solution_lines()
    nb = nbformat.read(RELEASE_DIR / "ch01.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(answer_cells(ROOT / release.NOTEBOOK)["sigmoid"]))
    found = leaks_in(nbformat.writes(nb), lines)
    assert "BEGIN SOLUTION" in found and "e = np.exp(-np.abs(x))  # <= 1, never overflows" in found


def signatures_in(source):
    return {
        node.name: ast.unparse(node.args)
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef)
    }


def load(path):
    spec = importlib.util.spec_from_file_location(f"loaded_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def answer_cells(path):
    nb = nbformat.read(path, as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code"
    }


def test_every_contract_function_has_one_signature_everywhere():
    reference = signatures_in((ROOT / release.SOLUTIONS).read_text(encoding="utf-8"))
    stub = signatures_in((RELEASE_DIR / "nn_basics.py").read_text(encoding="utf-8"))
    places = {"stub": stub}
    for name, path in [
        ("source notebook", ROOT / release.NOTEBOOK),
        ("release notebook", RELEASE_DIR / "ch01.ipynb"),
    ]:
        cells = answer_cells(path)
        places[name] = {k: v for cell in cells.values() for k, v in signatures_in(cell).items()}
        assert set(cells) >= set(CONTRACT_FUNCTIONS), f"{name} lacks answer cells"
    assert set(reference) == set(CONTRACT_FUNCTIONS)
    for place, found in places.items():
        for name in CONTRACT_FUNCTIONS:
            assert found.get(name) == reference[name], f"{place}: {name}({found.get(name)})"


def test_stub_raises_not_implemented_for_every_function():
    stub = load(RELEASE_DIR / "nn_basics.py")
    for name in CONTRACT_FUNCTIONS:
        function = getattr(stub, name)
        args = [0.0] * len(
            [p for p in inspect.signature(function).parameters.values() if p.default is p.empty]
        )
        with pytest.raises(NotImplementedError):
            function(*args)
        assert function.__doc__ and re.search(r"[\u4e00-\u9fff]", function.__doc__), (
            f"{name}: no Chinese docstring"
        )


def test_release_ships_what_learners_need():
    names = {p.name for p in RELEASE_DIR.iterdir()}
    assert {"ch01.ipynb", "nn_basics.py", "public_checks.py", "test_nn_basics.py"} <= names
    assert "nn_basics.py" not in {p.name for p in (ROOT / "source" / "ch01").iterdir()}


def test_notebooks_use_the_python3_kernelspec():
    # nbgrader 0.9.6's autograde breaks on a source notebook whose kernelspec is not python3
    for path in (ROOT / release.NOTEBOOK, RELEASE_DIR / "ch01.ipynb"):
        assert nbformat.read(path, as_version=4).metadata.kernelspec.name == "python3", path


def written_answer_points(path):
    nb = nbformat.read(path, as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: cell.metadata["nbgrader"]["points"]
        for cell in nb.cells
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("grade")
    }


def test_every_written_answer_has_a_rubric_whose_criteria_sum_to_its_points():
    points = written_answer_points(ROOT / release.NOTEBOOK)
    assert points == {f"question_{n}": 2 for n in range(1, 8)}
    rubric = (ROOT / "docs" / "written-answers-rubric.md").read_text(encoding="utf-8")
    sections = re.split(r"^## Question (\d)\. ", rubric, flags=re.M)[1:]
    criteria = {
        f"question_{n}": sum(float(p) for p in re.findall(r"^\| (\d(?:\.\d)?) \|", body, flags=re.M))
        for n, body in zip(sections[::2], sections[1::2], strict=True)
    }
    assert criteria == points
    for body in sections[1::2]:
        assert "Accepted variants" in body and "Common misconceptions" in body
    assert "docs/written-answers-rubric.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert not any(p.name == "written-answers-rubric.md" for p in RELEASE_DIR.rglob("*"))
