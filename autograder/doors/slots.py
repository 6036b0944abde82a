"""grade-all's slots (batch.py): each a long-lived grader process (`serve_slot`, in a session of
its own, with one warm sandbox zygote) that grades learner after learner and answers each request
with one length-prefixed frame holding the learner's results as results.py's lossless dict in
JSON; seen from grade-all, a `Slot` that stops answering within its timeout is killed with its
process group, and that learner is not graded (`failure_row`)."""

from __future__ import annotations

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
from pathlib import Path
from typing import IO

from ..results import Results
from .gradebook import Row, not_graded

log = logging.getLogger("autograder")


def failure_row(entry: Path, report: Path, error: str, lang: str) -> Row:
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
SLOT_COMMAND = [sys.executable, "-P", "-c", "from autograder.doors.slots import serve_slot; serve_slot()"]


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
            return failure_row(entry, report, str(failed), lang)
        return Row.of(report.stem, results)

    def close(self) -> None:
        for slot in self.all:
            if slot.proc.returncode is None:
                slot.close()
