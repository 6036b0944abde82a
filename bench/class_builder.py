"""A benchmark class: N submissions with a fixed mix of correct, mistaken, blank and hostile work,
as `nn_basics.py` modules and as notebooks.

Every submission is derived from the reference (`solutions/nn_basics.py`) and the release
(`release/ch01/`), through the demo's own helpers, so the class never goes stale when an answer
or a cell changes. Profiles repeat in a cycle of ten, so every N that is a multiple of ten has
the same mix and total time can be compared across N. The format alternates within the cycle
and flips each cycle, so every profile appears in both formats once N >= 20.

    python -m bench.class_builder DEST --n 20 [--formats py,ipynb]
"""

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from tools.demo import NOTEBOOK, answers, submission, with_bugs
from tools.release import RELEASE, ROOT, SOLUTIONS, function_sources

FORMATS = ("ipynb", "py")


def _replace(code, name, right, wrong):
    code = dict(code)
    assert right in code[name], f"bench: {name} no longer contains {right!r}"
    code[name] = code[name].replace(right, wrong)
    return code


def _no_bias_update(code):
    # the chapter's own omission: only the weights learn
    return _replace(
        code,
        "update_params",
        "return {key: params[key] - alpha * grads[key] for key in params}",
        "return {key: params[key] - alpha * grads[key] if key.startswith('W') else params[key]\n"
        "            for key in params}",
    )


def _relu_if(code):
    # the chapter's `if x < 0`: fine for a scalar, raises for an array
    return _replace(
        code,
        "relu",
        "return np.maximum(0.0, np.asarray(x, dtype=float))",
        "if x < 0:\n        return 0.0\n    return x",
    )


def _half_done(code):
    # a learner who stopped half-way: the rest stays as released (NotImplementedError)
    names = list(code)
    return {name: code[name] for name in names[: len(names) // 2]}


def _chatty(code):
    # correct, and prints while it works, as learners do
    return _replace(
        code,
        "train",
        "costs.append(cost_function(y, cache[3]))",
        "costs.append(cost_function(y, cache[3]))\n        print('cost', costs[-1])",
    )


def _hang(code):
    # an infinite loop in one leaf function: costs one call time-out, nothing else
    code = dict(code)
    code["softmax"] = "def softmax(x, axis=-1):\n    while True:\n        pass\n"
    return code


def _exit_at_import(code):
    code = dict(code)
    code["sigmoid"] = "import sys\nsys.exit(3)\n\n\n" + code["sigmoid"]
    return code


def _flood(code):
    # ~10 MB of stdout while loading, before the first definition
    code = dict(code)
    code["sigmoid"] = "for _i in range(100_000):\n    print('flood ' * 16)\n\n\n" + code["sigmoid"]
    return code


@dataclass(frozen=True)
class Profile:
    name: str
    category: str  # correct | mistaken | blank | hostile
    code: object  # answers() -> {function: code}, or None for the untouched release


# One cycle of the class. The order puts a correct, a mistaken and a hostile submission among
# the first few, so even N = 3 has the three kinds.
PROFILES = [
    Profile("correct", "correct", lambda c: c),
    Profile("chapter_bugs", "mistaken", with_bugs),
    Profile("hang_in_softmax", "hostile", _hang),
    Profile("correct_chatty", "correct", _chatty),
    Profile("no_bias_update", "mistaken", _no_bias_update),
    Profile("exit_at_import", "hostile", _exit_at_import),
    Profile("blank", "blank", None),
    Profile("relu_if", "mistaken", _relu_if),
    Profile("flood_stdout", "hostile", _flood),
    Profile("half_done", "mistaken", _half_done),
]


@dataclass(frozen=True)
class Entry:
    learner: str
    profile: str
    category: str
    format: str
    path: str  # relative to the class folder


def module_text(code, header, stub):
    """An nn_basics.py holding `code`'s functions; the release stub's (`stub`) for the others."""
    return header + "\n\n\n".join(code.get(name, stub[name]) for name in stub) + "\n"


def _module_header():
    """The reference's text before its first function: docstring and imports."""
    text = (ROOT / SOLUTIONS).read_text(encoding="utf-8")
    return text[: text.index("\ndef ") + 1] + "\n"


def release_notebook(release_dir=ROOT / RELEASE):
    path = Path(release_dir) / NOTEBOOK
    if not path.exists():
        raise SystemExit(f"bench: {path.relative_to(ROOT)} is missing; run `make release` first")
    return nbformat.read(path, as_version=4)


def plan(n, formats=FORMATS):
    """[(learner, profile, format)] for a class of n: the mix, without writing anything."""
    out = []
    for i in range(n):
        profile = PROFILES[i % len(PROFILES)]
        fmt = formats[(i + i // len(PROFILES)) % len(formats)]
        out.append((f"s{i:04d}_{profile.name}", profile, fmt))
    return out


def build_class(dest, n, formats=FORMATS, release_nb=None, release_dir=ROOT / RELEASE):
    """Write n submissions into dest (one file each: <learner>.py or <learner>.ipynb) and
    dest/class.json (the manifest); return the list of Entry. Notebooks are filled-in copies
    of `release_nb` (default: the release's), modules are built on the release's stub."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    reference = answers()
    release_nb = release_nb if release_nb is not None else release_notebook(release_dir)
    header = _module_header()
    stub_path = Path(release_dir) / "nn_basics.py"
    stub_module = stub_path.read_text(encoding="utf-8")
    stub = function_sources(stub_path)
    entries = []
    for learner, profile, fmt in plan(n, formats):
        code = profile.code(reference) if profile.code else None
        target = dest / f"{learner}.{fmt}"
        if fmt == "ipynb":
            nbformat.write(submission(release_nb, code or {}), target)
        else:
            target.write_text(
                stub_module if code is None else module_text(code, header, stub), encoding="utf-8"
            )
        entries.append(Entry(learner, profile.name, profile.category, fmt, target.name))
    (dest / "class.json").write_text(json.dumps([asdict(e) for e in entries], indent=1), encoding="utf-8")
    return entries


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: py, ipynb")
    args = parser.parse_args(argv)
    entries = build_class(args.dest, args.n, tuple(args.formats.split(",")))
    for e in entries:
        print(f"{e.path:<40} {e.category:<9} {e.profile}")


if __name__ == "__main__":
    main()
