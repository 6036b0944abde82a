"""Build the Gradescope autograder bundle (`make gradescope`): autograder.zip.

Per Gradescope's autograder spec the zip holds, at its root, `setup.sh` (run once to build the
image) and `run_autograder` (run per submission); beside them the hidden grader (`autograder/`),
the reference (`solutions/`), the grader's pinned requirements and `gradescope.json` (when
learners see each check's name and feedback, and the feedback language).

The zip is reproducible: sorted entries, fixed timestamps, so the same sources give the same bytes.
"""

import argparse
import json
import re
import sys
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from autograder.reporters.gradescope import VISIBILITIES

ROOT = Path(__file__).resolve().parent.parent
BUNDLE_FILES = Path(__file__).with_name("gradescope_bundle")
PACKAGES = ("autograder", "solutions")
EXECUTABLE = ("setup.sh", "run_autograder")
# What the grader imports at run time (IPython only for notebook cells with magics); their
# dependencies follow, each pinned at the kit's own version.
GRADER_REQUIREMENTS = ("numpy", "ipython")
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def kit_pins(requirements_txt: Path) -> dict[str, str]:
    """{normalised name: version} from the kit's pinned requirements.txt."""
    pins = {}
    for line in requirements_txt.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[_normal(name)] = version.strip()
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def grader_requirements(pins: dict[str, str], top=GRADER_REQUIREMENTS) -> list[str]:
    """`name==version` for `top` and everything they need on Linux, at the kit's pins."""
    seen, todo = {}, list(top)
    while todo:
        name = _normal(todo.pop())
        if name in seen:
            continue
        if name not in pins:
            raise SystemExit(f"{name} is needed by the grader but not pinned in requirements.txt")
        seen[name] = pins[name]
        for spec in metadata.requires(name) or []:
            req = Requirement(spec)
            env = {"sys_platform": "linux", "platform_system": "Linux", "extra": ""}
            if req.marker is None or req.marker.evaluate(env):
                todo.append(req.name)
    return [f"{name}=={version}" for name, version in sorted(seen.items())]


def bundle_entries(root: Path, visibility: str, lang: str) -> dict[str, bytes]:
    """{path in the zip: its bytes}."""
    entries = {p.name: p.read_bytes() for p in sorted(BUNDLE_FILES.iterdir()) if p.is_file()}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".toml"):
                entries[path.relative_to(root).as_posix()] = path.read_bytes()
    requirements = grader_requirements(kit_pins(root / "requirements.txt"))
    entries["requirements.txt"] = (
        "# The grader's run-time requirements, pinned as in the kit (tools/gradescope.py).\n"
        + "\n".join(requirements)
        + "\n"
    ).encode()
    entries["gradescope.json"] = (
        json.dumps({"visibility": visibility, "lang": lang}, indent=2) + "\n"
    ).encode()
    return entries


def write_zip(entries: dict[str, bytes], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.external_attr = (0o100755 if name in EXECUTABLE else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, entries[name])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.gradescope", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output", type=Path, default=ROOT / "autograder.zip", help="default: autograder.zip"
    )
    parser.add_argument(
        "--visibility",
        choices=VISIBILITIES,
        default="after_published",
        help="when learners see each check's name and feedback; a summary is always "
        "visible at once (default: after_published)",
    )
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="feedback language (default: zh)")
    args = parser.parse_args(argv)
    entries = bundle_entries(ROOT, args.visibility, args.lang)
    write_zip(entries, args.output)
    print(f"wrote {args.output} ({len(entries)} files, checks' details {args.visibility})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
