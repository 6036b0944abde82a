"""Grade a whole class: every learner of a folder, in parallel, each in a sandbox of their own.

The kit's intake (`intake.find_submissions`) reads every layout an instructor has and lists every
learner, those without a submission too; links are refused by name, never followed.

Each of `jobs` long-lived grader processes (a `Slot`, in a session of its own, with one warm
sandbox zygote for its whole life) grades learners one after another, so start-up and imports
are paid once per slot, not per learner. Learner code runs only in the sandbox's per-submission
workers; what one submission does (hang, crash, forged output) ends in its own worker. A grader
fault on one learner is that learner's grader error; a slot that stops answering within
`timeout` is killed with everything it started, that learner scored 0 with the reason in the
gradebook's `error` column, and the next learner gets a fresh slot. The gradebook is written
straight from each learner's `Results`, which slots send back as the lossless dict of
results.py in JSON (no pickle) and every report holds.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..core.intake import (  # noqa: F401  (discovery, re-exported: grade-all's, shard's, classroom's names)
    CLASSROOM_PREFIX,
    MAX_ID_BYTES,
    NO_SUBMISSION,
    SKIPPED,
    Found,
    as_text,
    entries,
    find_submissions,
    learner_names,
    submission_in,
)
from ..results import Results, number
from ..settings import SETTINGS

DEFAULT_TIMEOUT = SETTINGS.grade_all_timeout
GRADEBOOK = "gradebook.csv"
log = logging.getLogger("autograder")


@dataclass
class Row:
    learner: str
    score: float = 0.0
    max_score: float = 0.0
    functions: dict[str, float] = field(default_factory=dict)
    error: str = ""
    grader_errors: int = 0  # checks the grader itself failed to run (not the learner's loss)

    @classmethod
    def of(cls, learner: str, results: Results) -> Row:
        """A learner's gradebook line, straight from their results (`gradebook_error`)."""
        return cls(
            learner,
            results.score,
            results.max_score,
            {f: score for f, (score, _) in results.by_function().items()},
            gradebook_error(results),
            grader_errors=len(results.grader_errors),
        )


def gradebook_error(results: Results) -> str:
    """The gradebook's error column: why the submission was not graded (`not_graded`), else the
    checks that broke in the grader (re-grade after a fix) and why the submission lost points
    before any check (refused, a load error, nothing defined)."""
    if results.not_graded:
        return results.not_graded
    errors = [check.name for check in results.grader_errors]
    causes = [f"grader error in {len(errors)} checks: {', '.join(errors)}"] if errors else []
    return "; ".join([*causes, results.reason] if results.reason else causes)


def not_graded(entry: Path, error: str) -> Results:
    """Every check failed with `error`, which the gradebook says: a learner not graded at all."""
    from dataclasses import replace

    from ..core.grade import without_results

    return replace(without_results(entry, error), not_graded=error)


def _failure(entry: Path, report: Path, error: str, lang: str) -> Row:
    """A learner scored 0 with `error` as the reason, in the gradebook and in their report."""
    from ..reporters import render

    results = not_graded(entry, error)
    report.write_text(render(results, "json", lang), encoding="utf-8")
    return Row.of(report.stem, results)


def grade_in_slot(entry: Path, report: Path, lang: str) -> Results:
    """What `grade ENTRY --format json --output REPORT` does, in a long-lived grader. A grader
    fault is this learner's grader error (`not_graded`), and the slot goes on to the next."""
    from ..core.grade import grade_submission
    from ..reporters import render

    try:
        if not os.path.lexists(entry):  # a dangling link is a submission: refused, graded 0
            raise FileNotFoundError(f"no such file or folder: {entry}")
        results = grade_submission(entry)
    except Exception as exc:  # noqa: BLE001 - the grader's fault, never the learner's
        log.error("grader failed on %s", entry, exc_info=True)
        results = not_graded(entry, f"grader failed: {type(exc).__name__}: {exc}"[:240])
    report.write_text(render(results, "json", lang), encoding="utf-8")
    return results


def serve_slot() -> None:
    """The long-lived grader process of one `grade-all` slot (`python -P -c ...serve_slot()`):
    one JSON request per line on stdin, one frame per request on stdout holding the learner's
    results as results.py's lossless dict in JSON: plain data both ways, nothing unpickled.
    Imports, the rubric, the reference and the sandbox's warm zygote are paid once per slot,
    not per learner."""
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to the slot's log, never into the reply stream
    from ..core.grade import load_reference, load_rubric
    from ..sandbox.process import start_zygote

    zygote = start_zygote()
    load_rubric()
    load_reference()
    zygote.wait_warm()
    replies.write(struct.pack(">I", 0))  # ready: a learner's time starts with its request
    replies.flush()
    for line in sys.stdin.buffer:
        request = json.loads(line)
        results = grade_in_slot(Path(request["entry"]), Path(request["report"]), request["lang"])
        data = json.dumps(results.to_dict()).encode("ascii")  # a path's lone surrogates as \udcXX
        replies.write(struct.pack(">I", len(data)) + data)
        replies.flush()


SLOT_START_SECONDS = 300.0  # imports and the zygote's, on a machine as loaded as it gets
# -P: the grader's imports come from the installed kit, never from the folder it runs in
SLOT_COMMAND = [sys.executable, "-P", "-c", "from autograder.doors.batch import serve_slot; serve_slot()"]


class SlotFailed(Exception):
    pass


def _pipe(stream: IO[bytes] | None) -> IO[bytes]:
    if stream is None:  # Popen gives a pipe wherever one was asked for
        raise SlotFailed("the grader has no pipe")
    return stream


class Slot:
    """A `serve_slot` process seen from grade-all: in a session of its own, so a learner whose
    grading outlives `timeout` takes only that process group (and its zygote, which ends with
    it) down; the next learner gets a fresh slot."""

    def __init__(self, cwd: Path, command: list[str]):
        self.log = tempfile.TemporaryFile(prefix="nn-grade-all-")
        self.proc = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,
        )
        self.stdin, self.stdout = _pipe(self.proc.stdin), _pipe(self.proc.stdout)
        self.ready = False

    def grade(self, entry: Path, report: Path, lang: str, timeout: float) -> Results:
        """One learner's results; SlotFailed with the reason if the slot did not answer."""
        if not self.ready:  # start-up is not the first learner's time
            self._read(
                4,
                time.monotonic() + SLOT_START_SECONDS,
                f"the grader did not start within {SLOT_START_SECONDS:g} s",
            )
            self.ready = True
        deadline = time.monotonic() + timeout
        stopped = f"grading stopped after {timeout:g} s"
        try:
            self.stdin.write(
                json.dumps({"entry": str(entry), "report": str(report), "lang": lang}).encode() + b"\n"
            )
            self.stdin.flush()
        except OSError:
            pass  # it died: reading says how
        header = self._read(4, deadline, stopped)
        data = self._read(struct.unpack(">I", header)[0], deadline, stopped)
        try:
            return Results.from_dict(json.loads(data))
        except ValueError as exc:  # JSON's and FormatError: a slot of another kit, or broken
            raise SlotFailed(f"the grader's reply is not results: {str(exc)[:200]}") from None

    def _read(self, size: int, deadline: float, too_late: str) -> bytes:
        fd, data = self.stdout.fileno(), b""
        while len(data) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise SlotFailed(too_late)
            chunk = os.read(fd, size - len(data))
            if not chunk:
                _kill_group(self.proc)
                self.log.seek(0)
                lines = self.log.read().decode("utf-8", "replace").strip().splitlines() or ["no output"]
                raise SlotFailed(f"grader exited with {self.proc.returncode}: {lines[-1][:200]}")
            data += chunk
        return data

    def kill(self) -> None:
        """The slot and anything it started (its zygote ends when the slot's socket closes)."""
        _kill_group(self.proc)
        self.close()

    def close(self) -> None:
        """Let it finish: at EOF on stdin it exits and stops its zygote."""
        for stream in (self.stdin, self.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            _kill_group(self.proc)
        self.log.close()


def _kill_group(proc: subprocess.Popen) -> None:
    if proc.returncode is None:  # not reaped yet, so its pid (= pgid) is still its own
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


class Slots:
    """One long-lived grader per grading thread, replaced when it fails."""

    def __init__(self, cwd: Path, command: list[str] = SLOT_COMMAND):
        self.cwd, self.command = cwd, command
        self.local, self.lock = threading.local(), threading.Lock()
        self.all: list[Slot] = []

    def grade_one(self, entry: Path, report: Path, lang: str, timeout: float) -> Row:
        report.unlink(missing_ok=True)
        slot = getattr(self.local, "slot", None)
        if slot is None:
            slot = self.local.slot = Slot(self.cwd, self.command)
            with self.lock:
                self.all.append(slot)
        try:
            results = slot.grade(entry.absolute(), report.absolute(), lang, timeout)
        except SlotFailed as failed:
            slot.kill()
            self.local.slot = None
            return _failure(entry, report, str(failed), lang)
        return Row.of(report.stem, results)

    def close(self) -> None:
        for slot in self.all:
            if slot.proc.returncode is None:
                slot.close()


def grade_all(
    directory: Path,
    output_dir: Path,
    jobs: int = 1,
    lang: str = "zh",
    timeout: float = DEFAULT_TIMEOUT,
    shard=None,
) -> list[Row]:
    """Grade every entry of `directory` (only those of `shard`, a shard.Shard, if given); write
    output_dir/gradebook.csv and output_dir/<learner>.json."""
    from tqdm import tqdm  # here, not at import: `grade` should not pay for it

    from ..core.grade import load_rubric

    functions = list(load_rubric())
    output_dir.mkdir(parents=True, exist_ok=True)
    learners = find_submissions(directory)
    if shard is not None:  # after naming, so a learner's name does not depend on the split
        learners = [found for found in learners if shard.holds(found.learner)]
    rows = [
        _failure(found.entry, output_dir / f"{found.learner}.json", found.problem, lang)
        for found in learners
        if found.path is None
    ]
    gradable = [(found.learner, found.path) for found in learners if found.path is not None]
    slots = Slots(output_dir)
    try:
        with (
            ThreadPoolExecutor(max_workers=jobs) as pool,
            tqdm(
                total=len(learners), initial=len(rows), desc="grading", unit="learner", file=sys.stderr
            ) as bar,
        ):
            # absolute(), not resolve(): a learner's entry that is a link is refused by the
            # grader's intake, never followed here (resolve() would hand it the link's target)
            futures = [
                pool.submit(slots.grade_one, path, output_dir / f"{learner}.json", lang, timeout)
                for learner, path in gradable
            ]
            for future in as_completed(futures):
                rows.append(future.result())
                bar.update(1)
    finally:
        slots.close()
    rows.sort(key=lambda row: row.learner)
    write_gradebook(output_dir / GRADEBOOK, rows, functions)
    return rows


def write_gradebook(path: Path, rows: list[Row], functions: list[str]) -> None:
    # an error may quote an entry's path, undecodable bytes and all: spelled out, never a crash
    with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as f:
        writer = csv.writer(f)
        writer.writerow(["learner", "score", "max_score", *functions, "error"])
        for row in rows:
            writer.writerow(
                [
                    spreadsheet_text(row.learner),
                    str(number(row.score)),
                    str(number(row.max_score)),
                    *(str(number(row.functions.get(fn, 0.0))) for fn in functions),
                    spreadsheet_text(row.error),
                ]
            )


# A cell a spreadsheet would run as a formula (=HYPERLINK(...), +, -, @; tab and CR too) when a
# learner names their file so; a leading apostrophe shows it as text. One already starting with
# an apostrophe gets another, so `plain_text` undoes it exactly (lms.py reads an LMS's roster).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def spreadsheet_text(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def plain_text(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell
