"""The one intake: from what a door receives to the learners, each with their id, the one file
graded (read once, as bytes) or the reason it is refused. Every door calls it:

- `grade PATH` (and the nbgrader hooks, on a learner's submitted folder): `take(path)`;
- grade-all and `similarity` on a class folder, in any layout: `find_submissions(folder)`;
- Gradescope's upload folder, which may nest the files a folder or two down:
  `graded_file(folder, depth=MAX_DEPTH)`;
- CI, a pull request's repository tarball: `from_archive(archive, submission)`.

The rule, the same through every door: a file named directly (a `.py` or an `.ipynb`) is graded
as it is, alone, since the folder beside it may be a class (grade-all's flat layout); a folder is
one learner's and is graded from `ch01.ipynb` when it holds one, else from `nn_basics.py`, its
other modules coming along. A submission is data: only regular files are read, each once,
without following a link (sandbox/intake.py reads the bytes; tarball.py a repository archive).

One exception for a refusal, whichever door met it: `Refused` (a link, a FIFO, a device, a hard
link, too large, an archive that cannot be taken), with the learner's message key as `reason`;
one for nothing there at all: `NoSubmission`. One table of file kinds: sandbox/intake.FILE_KINDS.
The sandbox receives the bytes (`take`), never a folder to scan.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..sandbox.errors import Refused
from ..sandbox.intake import NoSubmission, PathLike, Received, locate, read_submission
from . import tarball

if TYPE_CHECKING:
    from ..sandbox import Submission

__all__ = ["NoSubmission", "Received", "Refused"]

ASSIGNMENT = "ch01"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
MODULE_NAME = "nn_basics"  # what the learner's code runs as in the sandbox
MODULE = f"{MODULE_NAME}.py"
GRADED_NAMES = (NOTEBOOK, MODULE)  # in order of preference
SUFFIXES = (".ipynb", ".py")
MAX_DEPTH = 3  # a Gradescope zip upload or a repository may nest the files a folder or two down
CLASSROOM_PREFIX = f"{ASSIGNMENT}-"  # GitHub Classroom names a learner's repository ch01-<login>
SKIPPED = (".", "__")  # hidden entries; a part's __shard.json and merge's __merge.json start so
NO_SUBMISSION = "no submission"
MAX_ID_BYTES = 200  # <id>.json, a report's name, must fit in a file name (255 bytes)


# --- one submission ----------------------------------------------------------------------------


def graded_file(path: PathLike, depth: int = 0) -> Path:
    """The file graded for `path` (a folder, a .py or an .ipynb), found without reading it;
    NoSubmission if there is none, Refused if the rule picks a link or something not a regular
    file (never looked past: silently grading another file would surprise the learner).
    `depth` > 0: a folder without one is searched that many levels down, shallowest first,
    through real folders only (Gradescope's upload)."""
    path = Path(path)
    level = [path]
    for _ in range(depth + 1):
        for candidate in level:
            try:
                return locate(candidate, GRADED_NAMES)
            except NoSubmission:
                if not depth:
                    raise
        level = sorted(p for folder in level for p in _entries(folder) if _is_real_dir(p))
    raise NoSubmission(f"no submission in {path}: neither {NOTEBOOK} nor {MODULE}", f"{NOTEBOOK} / {MODULE}")


def read(path: PathLike) -> Received:
    """The submission at `path` by the rule, read once as bytes: the graded file (a folder's
    with its other modules). Refused or NoSubmission as `graded_file` says, and Refused for a
    hard link, a file over the size limit or a link anywhere on the path."""
    return read_submission(path, MODULE_NAME, GRADED_NAMES)


def take(path: PathLike) -> Received | Refused:
    """What the sandbox is given for `path`: the bytes read, or why they were refused (graded 0,
    with the reason). NoSubmission, raised, when there is nothing at all: the grader's error."""
    try:
        return read(path)
    except Refused as refused:
        return refused


def open_graded(path: PathLike, **options: Any) -> Submission:
    """The submission at `path` open in the sandbox (a context manager; options as
    sandbox.Submission takes them): its bytes as `take` reads them, run as the chapter's module."""
    from ..sandbox import open_submission  # imported when grading: the other doors need none of it

    return open_submission(take(path), module=MODULE_NAME, **options)


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _is_real_dir(path: Path) -> bool:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    return stat.S_ISDIR(mode) and not path.name.startswith(SKIPPED)


# --- a class folder ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """One learner of a class folder: their id, their entry, the path to grade (the file or
    folder whose file `read` takes), or why there is nothing to grade (`refused`: the refusal,
    when that is why)."""

    learner: str
    entry: Path
    path: Path | None
    problem: str = ""
    refused: Refused | None = None

    @property
    def id(self) -> str:
        return self.learner

    def read(self) -> Received:
        """The learner's file as bytes, read when it is graded (once, by the grading process)."""
        if self.refused is not None:
            raise self.refused
        if self.path is None:
            raise NoSubmission(self.problem or NO_SUBMISSION)
        return read(self.path)


def entries(directory: Path) -> list[Path]:
    """One entry per learner: a folder, a .py or a .ipynb (links, FIFOs and devices of those
    names too, to be listed and refused, never opened); hidden entries and other files are
    skipped. Nothing is followed: lstat only."""
    found = []
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith(SKIPPED):
            continue
        mode = entry.lstat().st_mode
        if stat.S_ISDIR(mode) or stat.S_ISLNK(mode) or entry.suffix in SUFFIXES:
            found.append(entry)
    return found


def as_text(name: str) -> str:
    """A file name as a learner id every tool takes: a byte that is not UTF-8 (a GBK-encoded Chinese name from
    a Windows zip; os gives it as a lone surrogate, which neither the gradebook, a shard's hash
    nor a report's file name takes) and a backslash (merge refuses an id holding one) spelled
    out as %XX; an id too long for its report's file name is cut and ends with a digest of the
    whole name."""
    text = "".join(f"%{ord(c) & 0xFF:02X}" if c == "\\" or "\udc80" <= c <= "\udcff" else c for c in name)
    if len(text.encode()) <= MAX_ID_BYTES:
        return text
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:12]
    return text.encode()[: MAX_ID_BYTES - 13].decode("utf-8", "ignore") + "~" + digest


def learner_names(paths: list[Path]) -> dict[Path, str]:
    """A learner's name from their entry: alice/ and alice.py are alice, a Classroom clone
    ch01-alice/ is alice; when two entries give one name, the later keeps its full name.
    A name some entry holds as it is (a folder alice/) is never given to another entry, so no
    one can take a classmate's report by naming a folder ch01-<classmate>/. Names are text
    (`as_text`) and unique."""
    wanted, own = {}, {path: as_text(path.name) for path in paths}
    for path in paths:
        name = path.stem if path.suffix in SUFFIXES and not stat.S_ISDIR(path.lstat().st_mode) else path.name
        login = name.removeprefix(CLASSROOM_PREFIX)
        # never a name entries() skips: ch01-__shard/ as __shard would write the shard's marker
        wanted[path] = as_text(name if login.startswith(SKIPPED) or not login else login)
    exact = set(own.values())
    names, taken = {}, set()
    for path in sorted(paths, key=lambda p: wanted[p] != own[p]):  # entries named as they are first
        name = wanted[path]
        if name in taken or (name != own[path] and name in exact):
            name = own[path]
        while name in taken:  # a name spelling out %D5 and one holding that byte read alike
            name += "~"
        taken.add(name)
        names[path] = name
    return {path: names[path] for path in paths}


def submission_in(entry: Path) -> Path:
    """The folder or file graded for one entry: the entry itself, or <entry>/ch01/ (nbgrader's
    submitted/<student>/ch01/, or a clone that keeps the assignment in a folder of its own)
    when only that holds a submission. NoSubmission when there is none, Refused for a link."""
    try:
        graded_file(entry)
        return entry
    except NoSubmission:
        inner = entry / ASSIGNMENT
        if not (stat.S_ISDIR(entry.lstat().st_mode) and os.path.lexists(inner)):
            raise
        graded_file(inner)
        return inner


def find_submissions(directory: Path) -> list[Found]:
    """Every learner of `directory`, in any layout an instructor has: nbgrader's submitted/
    (<student>/ch01/), a folder of learner folders, flat files (alice.py, bob.ipynb), Classroom
    clones (ch01-<login>/). A learner without a submission is listed with the reason, not dropped."""
    paths = entries(directory)
    names = learner_names(paths)
    found = []
    for path in paths:
        try:
            found.append(Found(names[path], path, submission_in(path)))
        except Refused as refused:
            found.append(Found(names[path], path, None, f"{NO_SUBMISSION}: {refused}", refused))
        except NoSubmission:
            found.append(Found(names[path], path, None, NO_SUBMISSION))
        except OSError as exc:  # a folder of mode 000 out of a learner's zip: theirs alone
            found.append(Found(names[path], path, None, f"{NO_SUBMISSION}: {exc.strerror}"))
    return found


# --- a repository archive (CI) -----------------------------------------------------------------


def from_archive(archive: bytes, submission: str) -> tuple[str, bytes]:
    """(the file's name, its bytes) of a pull request's repository tarball: `submission` is a
    path ending in .py or .ipynb that names the one file, or a folder ("" for the root) graded
    by the rule. Refused (its `kind`: missing, link, special, too-large, archive-too-large,
    bad-archive) when it cannot be taken."""
    if submission.endswith(SUFFIXES):
        return PurePosixPath(submission).name, tarball.read_member(archive, submission)
    return tarball.read_by_rule(archive, submission.strip("/"), GRADED_NAMES)
