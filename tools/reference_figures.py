"""The notebook's reference figures (`make release`): what the activation plots look like when the
code is right, so a learner can compare before their own code runs.

The source notebook's code cells run in order, as a learner would run them with the reference answers
(tests/test_figures.py does the same), up to the answer cell of REFERENCE_UNTIL: the figures before it
draw only the activations and softmax, whose formulas the notebook states. Each figure of a cell that
calls a contract function is saved as source/ch01/reference_figures/NN_name.png (nbgrader copies the
folder into the release); figures that draw without the learner's code (the neuron, the network) are
not. Run as `python -m tools.reference_figures ROOT` in a process of its own: it changes matplotlib's
settings and imports the chapter's modules.
"""

import io
import json
import re
import sys
from pathlib import Path

ASSIGNMENT = "ch01"
FOLDER = Path("source") / ASSIGNMENT
NOTEBOOK = FOLDER / f"{ASSIGNMENT}.ipynb"
OUTPUT = FOLDER / "reference_figures"
REFERENCE_UNTIL = "init_params"  # the network's functions start here: their figures are not formulas
MAX_BYTES = 60_000
DPIS = (72, 60, 50)  # the first that keeps a figure under MAX_BYTES


def code_cells(nb):
    """(source, answer cell's grade_id or None) of every code cell a learner runs, test cells left out."""
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "code" and not meta.get("grade"):
            answer = meta.get("grade_id") if meta.get("solution") else None
            yield "".join(cell["source"]), answer


def slug(titles, called):
    """A file name for a figure: the function its first title names, else the cell's one function
    (the first it calls), or "activations" for a cell that draws many."""
    words = [w.lower() for t in titles[:1] for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", t)]
    named = [w for w in words if w in called]
    if named:
        return named[0]
    return "activations" if len(called) >= 4 else called[0]


def png(figure):
    data = b""
    for dpi in DPIS:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        data = buffer.getvalue()
        if len(data) <= MAX_BYTES:
            break
    return data


def draw(root):
    """{file name: PNG bytes} of the reference figures."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    saved = {}
    current = {"functions": []}

    def show(*args, **kwargs):
        for number in plt.get_fignums():
            figure = plt.figure(number)
            if current["functions"]:
                titles = [t for ax in figure.axes for t in (ax.get_title(),) if t]
                saved[f"{len(saved) + 1:02d}_{slug(titles, current['functions'])}.png"] = png(figure)
        plt.close("all")

    plt.show = show
    sys.path.insert(0, str(root / FOLDER))
    nb = json.loads((root / NOTEBOOK).read_text(encoding="utf-8"))
    namespace = {"__name__": "__main__"}
    answered = []
    for source, answer in code_cells(nb):
        if answer == REFERENCE_UNTIL:
            break
        answered += [answer] if answer else []
        places = {name: re.search(rf"\b{name}\b", source) for name in answered}
        called = sorted((name for name, found in places.items() if found), key=lambda n: places[n].start())
        current["functions"] = [] if answer else called
        exec(compile(source, "<notebook cell>", "exec"), namespace)
    return saved


def write(root):
    figures = draw(root)
    folder = root / OUTPUT
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    for name, data in figures.items():
        (folder / name).write_bytes(data)
    return sorted(figures)


if __name__ == "__main__":
    import os

    root = Path(sys.argv[1]).resolve()
    os.chdir(root / FOLDER)  # the notebook's cells read files beside it, as in Jupyter
    for name in write(root):
        print(name)
