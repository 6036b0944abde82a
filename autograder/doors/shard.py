"""Grade a class in N parts and put the parts back together.

`grade-all --shard i/N` grades only the learners whose id hashes to part i (1-based), so the
split depends on each learner's id alone: not on the order of the folder, nor on who else is
in the class, and every machine of a CI matrix computes the same one. Each part writes its
gradebook, its reports and `__shard.json`; `merge` reads each learner's lossless results from
their report (results.py; the CSV is never read back) into one gradebook and one folder of reports, the same as one unsharded `grade-all` (tested), and says which parts
are missing, whose learners then simply have no row: the other parts' results stand. A part
with grader errors is a finished part (CI uploads it whatever grade-all's exit status): its
learners keep their rows, and `merge` names the learners whose row carries an error.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..results import Results
from .gradebook import GRADEBOOK, Row, write_gradebook

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
    def parse(cls, text: str) -> Shard:
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
    parts: list[Path], output_dir: Path, gradebook: str = GRADEBOOK, expect: int | None = None
) -> MergeResult:
    """Combine the finished parts among `parts` (folders written by grade-all --shard) into
    output_dir: each learner's lossless results read from their report (never the part's CSV),
    the gradebook written from them as grade-all writes it, reports copied. A folder without
    __shard.json or gradebook is a part that did not finish: skipped, reported."""
    count, finished = _finished_parts(parts, gradebook, expect)
    results, source = _combine_results(finished)
    functions = _functions(results)
    rows = sorted((Row.of(learner, of) for learner, of in results.items()), key=lambda row: row.learner)

    output_dir.mkdir(parents=True, exist_ok=True)
    write_gradebook(output_dir / gradebook, rows, functions)
    for learner, part in source.items():
        shutil.copyfile(part / f"{learner}.json", output_dir / f"{learner}.json")
    result = MergeResult(
        count,
        sorted(finished),
        sorted(set(range(1, count + 1)) - set(finished)),
        len(rows),
        {row.learner: row.error for row in rows if row.error},
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


def _finished_parts(parts: list[Path], gradebook: str, expect: int | None) -> tuple[int, dict[int, Path]]:
    """The shard count and {index: folder} of the parts that finished, all of one count
    (`expect` if given, else the first finished part's)."""
    finished: dict[int, Path] = {}
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
            raise MergeError(f"shard {shard} given twice: {finished[shard.index]} and {part}")
        finished[shard.index] = part
    if count is None or not finished:  # with a count given, no part may have finished either
        raise MergeError("no finished shard among the folders given (no __shard.json with a gradebook)")
    return count, finished


def _combine_results(finished: dict[int, Path]) -> tuple[dict[str, Results], dict[str, Path]]:
    """({learner: results}, {learner: the part holding their report}) from the parts in shard
    order: the learners each part's marker lists, each a file name in one part only."""
    results: dict[str, Results] = {}
    source: dict[str, Path] = {}
    for index in sorted(finished):
        part = finished[index]
        for learner in json.loads((part / MARKER).read_text(encoding="utf-8"))["learners"]:
            if not isinstance(learner, str) or not _LEARNER.fullmatch(learner):
                raise MergeError(f"{part}'s marker has a learner id that is not a file name")
            if learner in source:
                raise MergeError(f"learner {learner!r} is in two shards")
            results[learner], source[learner] = _read_results(part, learner), part
    return results, source


def _read_results(part: Path, learner: str) -> Results:
    """A learner's lossless results, from the `results` key of the report grade-all wrote."""
    report = part / f"{learner}.json"
    try:
        return Results.from_dict(json.loads(report.read_text(encoding="utf-8"))["results"])
    except (OSError, ValueError, KeyError, TypeError) as exc:  # FormatError is a ValueError
        raise MergeError(f"{part} has no readable results for learner {learner!r}: {exc}") from None


def _functions(results: dict[str, Results]) -> list[str]:
    """The gradebook's function columns: those every learner was graded on (one rubric)."""
    kinds = {tuple(of.functions) for of in results.values()}
    if len(kinds) > 1:
        raise MergeError("the parts were graded with other rubrics (other functions)")
    if kinds:
        return list(kinds.pop())
    from ..core.grade import load_rubric  # no learner in any part: the kit's own columns

    return list(load_rubric())
