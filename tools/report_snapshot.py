"""Every corpus submission's JSON report, in both languages, written down or compared with a copy
written down before: the measurement that a change of the results' plumbing changed no score,
status or message (issue 25: "byte-identical before and after").

    python tools/report_snapshot.py write SNAPSHOT.json [--sandbox]
    python tools/report_snapshot.py compare SNAPSHOT.json [--sandbox]

The mistakes, the misconception corpus, the hollow submissions, the stub and the reference are
graded in this process (they are the kit's own code); with --sandbox the hostile corpus
(tests/adversarial) is graded in the sandbox too. execution_time is set to 0 (it is a
measurement, never the same twice). Keys a change adds on purpose (ADDED) are left out of the
comparison; every other byte of each report must match.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ADDED = ("results",)  # the lossless results (results.py's to_dict), embedded in the report since
LANGS = ("zh", "en")
# hostile files the sandbox tests fill with addresses or pids of their own: not graded here
NEEDS_A_TEST = (
    "__ABSTRACT__",
    "__GRADER_PID__",
    "__TARGET__",
    "__TCP_PORT__",
    "__UDP_PORT__",
    "__UNIX_PATH__",
)


def in_process_corpus() -> dict[str, str]:
    from tests.mistakes import HOLLOW, MISTAKES, hollow_source, reference_source, stub_source
    from tests.mistakes.misconceptions import corpus

    sources = {f"mistake/{m.name}": m.source() for m in MISTAKES}
    sources |= {f"misconception/{c.name}": c.source for c in corpus() if f"mistake/{c.name}" not in sources}
    sources |= {f"hollow/{name}": hollow_source(name) for name in sorted(HOLLOW)}
    sources |= {"solution/nn_basics": reference_source(), "stub/nn_basics": stub_source()}
    return sources


def hostile_corpus() -> dict[str, str]:
    sources = {}
    for path in sorted((ROOT / "tests" / "adversarial").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if any(placeholder in text for placeholder in NEEDS_A_TEST):
            continue
        text = text.replace("__KIT_ROOT__", str(ROOT)).replace("__SLEEP_MARKER__", "nn-snapshot-sleeper")
        sources[f"adversarial/{path.stem}"] = text
    return sources


def reports(sandbox: bool, work: Path) -> dict[str, dict[str, str]]:
    """{submission: {lang: its JSON report}} with execution_time 0."""
    from autograder.core.grade import grade_submission
    from autograder.reporters import render
    from tests.fakes import InProcessSubmission, opener

    found = {}
    for name, source in in_process_corpus().items():
        results = grade_submission(f"{name}.py", opener=opener(InProcessSubmission(source)))
        found[name] = {lang: render(replace(results, execution_time=0.0), "json", lang) for lang in LANGS}
    if sandbox:
        for name, source in hostile_corpus().items():
            folder = work / name
            folder.mkdir(parents=True)
            (folder / "nn_basics.py").write_text(source, encoding="utf-8")
            results = replace(grade_submission(folder / "nn_basics.py"), execution_time=0.0, submission=name)
            found[name] = {lang: render(results, "json", lang) for lang in LANGS}
    return found


def without_added(report: str) -> str:
    data = json.loads(report)
    for key in ADDED:
        data.pop(key, None)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("write", "compare"))
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--sandbox", action="store_true", help="grade tests/adversarial in the sandbox too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nn-snapshot-") as work:
        now = reports(args.sandbox, Path(work))
    if args.action == "write":
        args.snapshot.write_text(json.dumps(now, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"{len(now)} submissions, {len(now) * len(LANGS)} reports written to {args.snapshot}")
        return 0
    before = json.loads(args.snapshot.read_text(encoding="utf-8"))
    same = differ = 0
    for name in sorted(set(before) | set(now)):
        for lang in LANGS:
            old, new = before.get(name, {}).get(lang), now.get(name, {}).get(lang)
            if old is not None and new is not None and without_added(old) == without_added(new):
                same += 1
            else:
                differ += 1
                print(f"differs: {name} ({lang})")
    print(f"{same} reports byte-identical (keys {', '.join(ADDED)} aside), {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
