"""The class-level doors (red team, round 2): one learner changes nothing but their own grade.

- A Classroom repository renamed so that its entry reads as a classmate's (`ch01-_alice`) took
  alice's folder, report, grade and feedback: entries are now the repository's full name, and a
  duplicate is skipped with a warning, never written over another.
- A learner id holding a line separator that csv does not quote (U+2028, U+0085, \\x1c-\\x1e) was
  split into two rows by merge: a row for a classmate, or no gradebook for anyone.
- One learner's pull requests, however many, cost the class at most a few gradings, and a
  repository archive is refused past a bound on the bytes decompressed to find the submission.
"""

from __future__ import annotations

import csv
from pathlib import Path

from tests.cli_in_process import run_cli
from tests.mistakes import correct_source, stub_source


def gradebook_rows(folder: Path) -> dict[str, list[str]]:
    with (folder / "gradebook.csv").open(newline="", encoding="utf-8") as f:
        return {row[0]: row for row in list(csv.reader(f))[1:]}


# --- merge reads back the gradebooks grade-all wrote, whatever a learner id holds -------------------

# csv.writer quotes only \r, \n, the delimiter and the quote; str.splitlines() also splits on these
LINE_SPLITTERS = ["mallory\u2028carol", "mallory\u2028.", "eve\x85carol", "trudy\x1ecarol"]


def test_a_learner_id_with_a_line_separator_is_one_row_through_shards_and_merge(tmp_path, capsys):
    klass = tmp_path / "class"
    klass.mkdir()
    (klass / "alice.py").write_text(stub_source(), encoding="utf-8")
    (klass / f"{LINE_SPLITTERS[0]}.py").write_text(correct_source(), encoding="utf-8")
    for name in LINE_SPLITTERS[1:]:
        (klass / f"{name}.py").write_text(stub_source(), encoding="utf-8")
    parts = [tmp_path / f"shard-{i}" for i in (1, 2)]
    for i, part in enumerate(parts, start=1):
        graded = run_cli(capsys, "grade-all", klass, "--shard", f"{i}/2", "--output-dir", part, "--jobs", "2")
        assert graded.returncode == 0, graded.stderr
    merged = run_cli(capsys, "merge", *parts, "--output-dir", tmp_path / "merged")
    assert merged.returncode == 0, merged.stderr
    rows = gradebook_rows(tmp_path / "merged")
    assert sorted(rows) == sorted(["alice", *LINE_SPLITTERS])  # no row "carol", no row "."
    assert float(rows["mallory\u2028carol"][1]) == float(rows["mallory\u2028carol"][2]) > 0
    assert all(float(rows[name][1]) == 0 for name in ["alice", *LINE_SPLITTERS[1:]])
    assert all((tmp_path / "merged" / f"{name}.json").is_file() for name in rows)
