"""Grade a class in N parts and put the parts back together.

`grade-all --shard i/N` grades only the learners whose id hashes to part i (1-based), so the
split depends on each learner's id alone: not on the order of the folder, nor on who else is
in the class, and every machine of a CI matrix computes the same one. Each part writes its
gradebook, its reports and `__shard.json`; `merge` combines the parts into one gradebook and
one folder of reports, the same as one unsharded `grade-all` (tested), and says which parts
are missing, whose learners then simply have no row: the other parts' results stand. A part
with grader errors is a finished part (CI uploads it whatever grade-all's exit status): its
learners keep their rows, and `merge` names the learners whose row carries an error.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .batch import plain_text

# Names no learner gets (grade-all skips entries starting with "__"; not dot-files, which
# upload-artifact leaves out): a learner or login called shard or merge keeps their report.
MARKER = "__shard.json"
# A learner id names a report file to copy: any name grade-all gives, but no path and no dot-file.
_LEARNER = re.compile(r"[^./\\\x00][^/\\\x00]*")
MERGE_SUMMARY = "__merge.json"


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, as people count the jobs of a matrix
    count: int

    @classmethod
    def parse(cls, text: str) -> "Shard":
        """ "2/4" -> Shard(2, 4); ValueError for anything else."""
        try:
            index, count = (int(part) for part in text.split("/"))
        except ValueError:
            raise ValueError(f"expected i/N such as 1/4, got {text!r}") from None
        if not 1 <= index <= count:
            raise ValueError(f"i must be between 1 and N, got {text!r}")
        return cls(index, count)

    def holds(self, learner: str) -> bool:
        digest = hashlib.sha256(learner.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def write_marker(output_dir: Path, shard: Shard, learners: list[str]) -> None:
    """Written after the part's gradebook: its presence says the part finished."""
    (output_dir / MARKER).write_text(
        json.dumps({"shard": str(shard), "learners": sorted(learners)}, indent=2) + "\n", encoding="utf-8"
    )


@dataclass
class MergeResult:
    count: int
    merged: list[int]
    missing: list[int]
    learners: int
    errors: dict[str, str] = field(
        default_factory=dict
    )  # learner: their gradebook error (grader's or intake's)
    ids: list[str] = field(default_factory=list)  # every learner of the merged gradebook

    @property
    def complete(self) -> bool:
        return not self.missing


class MergeError(ValueError):
    """The parts cannot be combined (different classes, rubrics or shard counts)."""


def merge(
    parts: list[Path], output_dir: Path, gradebook: str = "gradebook.csv", expect: int | None = None
) -> MergeResult:
    """Combine the finished parts among `parts` (folders written by grade-all --shard) into
    output_dir: gradebook rows sorted by learner as grade-all sorts them, reports copied.
    A folder without __shard.json or gradebook is a part that did not finish: skipped, reported."""
    count, finished = _finished_parts(parts, gradebook, expect)
    header, rows, source = _combine_gradebooks(finished)
    rows.sort(key=lambda row: plain_text(row[0]))

    output_dir.mkdir(parents=True, exist_ok=True)
    with (output_dir / gradebook).open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    for learner, part in source.items():
        report = part / f"{learner}.json"
        if report.is_file():
            shutil.copyfile(report, output_dir / report.name)
    result = MergeResult(
        count,
        sorted(finished),
        sorted(set(range(1, count + 1)) - set(finished)),
        len(rows),
        _errors(header, rows),
        sorted(source),
    )
    (output_dir / MERGE_SUMMARY).write_text(
        json.dumps(
            {
                "shards": count,
                "merged": result.merged,
                "missing": result.missing,
                "learners": result.learners,
                "errors": result.errors,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return result


def _errors(header: list[str], rows: list[list[str]]) -> dict[str, str]:
    """{learner: error} for the rows whose `error` column is not empty."""
    if "error" not in header:
        return {}
    column = header.index("error")
    return {plain_text(row[0]): plain_text(row[column]) for row in rows if len(row) > column and row[column]}


def _finished_parts(
    parts: list[Path], gradebook: str, expect: int | None
) -> tuple[int, dict[int, tuple[Path, list[list[str]]]]]:
    """The shard count and {index: (folder, gradebook rows)} of the parts that finished, all of
    one count (`expect` if given, else the first finished part's)."""
    finished: dict[int, tuple[Path, list[list[str]]]] = {}
    count = expect
    for part in parts:
        marker, book = part / MARKER, part / gradebook
        if not (marker.is_file() and book.is_file()):
            continue
        shard = Shard.parse(json.loads(marker.read_text(encoding="utf-8"))["shard"])
        if count is None:
            count = shard.count
        if shard.count != count:
            raise MergeError(f"{part} is part of {shard.count} shards, the others of {count}")
        if shard.index in finished:
            raise MergeError(f"shard {shard} given twice: {finished[shard.index][0]} and {part}")
        finished[shard.index] = (part, _read_csv(book))
    if count is None or not finished:  # with a count given, no part may have finished either
        raise MergeError("no finished shard among the folders given (no __shard.json with a gradebook)")
    return count, finished


def _read_csv(path: Path) -> list[list[str]]:
    """The rows as csv.writer wrote them. Never str.splitlines(): it also splits on U+2028, U+0085
    and \\x1c-\\x1e, which the writer leaves unquoted, so a learner id holding one became two rows
    (a row for a classmate, or a row merge refuses, and no gradebook for anyone)."""
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _combine_gradebooks(
    finished: dict[int, tuple[Path, list[list[str]]]],
) -> tuple[list[str], list[list[str]], dict[str, Path]]:
    """(header, rows, {learner: the part holding their report}) from the parts in shard order
    (at least one); every part must have the first one's columns, and every learner id be a file
    name in one part."""
    header: list[str] | None = None
    rows: list[list[str]] = []
    source: dict[str, Path] = {}
    for index in sorted(finished):
        part, table = finished[index]
        if header is None:
            header = table[0]
        elif table[0] != header:
            raise MergeError(f"{part}'s gradebook has other columns than the first shard's")
        for row in table[1:]:
            learner = plain_text(row[0])  # the gradebook shows a formula-like id as text
            if not _LEARNER.fullmatch(learner):
                raise MergeError(f"{part}'s gradebook has a learner id that is not a file name")
            if learner in source:
                raise MergeError(f"learner {learner!r} is in two shards")
            source[learner] = part
            rows.append(row)
    assert header is not None  # _finished_parts found at least one part
    return header, rows, source
