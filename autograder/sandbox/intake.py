"""The sandbox's byte-level reader: a path read as data, regular files only, no link ever
followed, each file read once. Which file of a submission is graded, and for which learner, is
the kit's intake (autograder/core/intake.py), the one every door calls; this module only reads.

A submission may be a symlink to the reference (`/proc/self/cwd/solutions/nn_basics.py`, a
relative `../../solutions`, a folder that is itself a link), a hard link to it, a FIFO that
blocks the grader, a device, or a file of 180 MB. None of them is followed or parsed: every
path component is opened with O_NOFOLLOW relative to its parent's descriptor, and what was
opened is checked with fstat (a regular file with one link, or a folder). The bytes read here
are the only copy the sandbox ever sees; nothing reopens the learner's path afterwards.

A file named directly (`grade mallory.ipynb`, grade-all's flat layout, nbgrader, Gradescope) is
read alone: the folder holding it may be a whole class. Only a submission folder, which is one
learner's, brings its other modules along.

`read_submission(path, module, folder_files)` returns a `Received`, raises `Refused` with a
reason the learner reads (graded 0, exit 0), or `NoSubmission` (a FileNotFoundError) when there
is nothing at the path at all (the grader's error: a wrong argument). `locate` makes the same
choice without reading a byte, for a door that must name the file first.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..settings import SETTINGS
from .errors import Refused

PathLike = str | os.PathLike[str]
T = TypeVar("T")
MAX_MODULE_BYTES = SETTINGS.max_module_bytes
MAX_NOTEBOOK_BYTES = SETTINGS.max_notebook_bytes
MAX_SIBLINGS = SETTINGS.max_siblings

HARD_LINK = "hard link"  # a regular file with other names: no stat type of its own
# The one table of file kinds, for files on disk and members of an archive (tarball.py) alike:
# what it is (for the logs) and the refusal's reason (the learner's message key). A regular
# file is the only kind graded; a folder of a graded file's name is looked past (`pick`).
FILE_KINDS: dict[int | str, tuple[str, str]] = {
    stat.S_IFLNK: ("a symbolic link", "refused_link"),
    HARD_LINK: ("a hard link", "refused_link"),
    stat.S_IFIFO: ("a FIFO (named pipe)", "refused_special"),
    stat.S_IFSOCK: ("a socket", "refused_special"),
    stat.S_IFCHR: ("a character device", "refused_special"),
    stat.S_IFBLK: ("a block device", "refused_special"),
    stat.S_IFDIR: ("a folder", "refused_special"),
}
_OTHER_KIND = ("not a regular file", "refused_special")
_DIR_FLAGS = os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


class NoSubmission(FileNotFoundError):
    """Nothing gradable at the path: the grader cannot run, the learner scores 0. `filename`
    names what was looked for (for messages such as CI's "... is not in this pull request")."""

    def __init__(self, message: str, filename: str | None = None) -> None:
        super().__init__(message)
        self.filename = filename

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class Received:
    """The submission as read: its bytes, never its path."""

    kind: str  # "py" or "ipynb"
    name: str  # the file's name, as the learner gave it
    data: bytes
    siblings: dict[str, bytes] = field(default_factory=dict)  # a folder's other modules


def kind_of(key: int | str) -> tuple[str, str]:
    """(what it is, the refusal's reason) for a stat file type (S_IFMT) or HARD_LINK."""
    return FILE_KINDS.get(key, _OTHER_KIND)


def refuse(key: int | str, shown: str, name: str, why: str = "only regular files are graded") -> Refused:
    """The refusal of a file of kind `key` (kind_of) at `shown`, named `name` to the learner."""
    what, reason = kind_of(key)
    return Refused(f"{shown} is {what}: {why}", reason, path=shown, name=name)


def _open_dir(name: str, dir_fd: int, shown: str) -> int:
    """A descriptor of folder `name` inside dir_fd; a link there is refused, not followed."""
    try:
        fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        raise NoSubmission(f"no submission at {shown}") from None
    except NotADirectoryError:  # a link (O_NOFOLLOW) or a file where a folder should be
        mode = os.lstat(name, dir_fd=dir_fd).st_mode
        if stat.S_ISLNK(mode):
            raise refuse(
                stat.S_IFLNK, shown, name, "submissions are read as data and links are never followed"
            ) from None
        raise NoSubmission(f"no submission at {shown} (not a folder)") from None
    except OSError as exc:
        raise Refused(f"{shown} cannot be opened: {exc.strerror}", "refused_unreadable", name=name) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISDIR(mode):
        os.close(fd)
        raise refuse(stat.S_IFMT(mode), shown, name, "not a folder")
    return fd


def _walk_to_parent(path: PathLike) -> tuple[int, str]:
    """(descriptor of the folder holding the last component, that component's name). Every
    component on the way is opened without following links."""
    absolute = os.path.abspath(path)  # lexical; no component may be a link, so it is the real path
    parts = [p for p in absolute.split(os.sep) if p]
    if not parts:
        raise NoSubmission(f"no submission at {path}")
    fd = os.open("/", _DIR_FLAGS)
    shown = ""
    try:
        for part in parts[:-1]:
            shown += os.sep + part
            next_fd = _open_dir(part, fd, shown)
            os.close(fd)
            fd = next_fd
    except BaseException:
        os.close(fd)
        raise
    return fd, parts[-1]


def _read_regular(name: str, dir_fd: int, shown: str, limit: int) -> bytes:
    """The bytes of regular file `name` in dir_fd (at most `limit`), or Refused with why not."""
    try:
        before = os.lstat(name, dir_fd=dir_fd)
    except FileNotFoundError:
        raise NoSubmission(f"no submission at {shown}") from None
    if not stat.S_ISREG(before.st_mode):  # decided before opening: a FIFO or device is never opened
        raise refuse(stat.S_IFMT(before.st_mode), shown, name)
    if before.st_nlink != 1:
        reason = kind_of(HARD_LINK)[1]
        raise Refused(
            f"{shown} has {before.st_nlink} hard links: only a file of its own is graded", reason, name=name
        )
    if before.st_size > limit:
        raise Refused(
            f"{shown} is {before.st_size} bytes, over the limit of {limit}", "refused_too_large", name=name
        )
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError as exc:  # ELOOP: it became a link since the lstat
        raise Refused(
            f"{shown} cannot be opened as a regular file: {exc.strerror}", "refused_unreadable", name=name
        ) from None
    try:
        after = os.fstat(fd)
        if (
            (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino)
            or not stat.S_ISREG(after.st_mode)
            or after.st_nlink != 1
        ):
            raise Refused(f"{shown} changed while it was being read", "refused_unreadable", name=name)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except BlockingIOError:
        raise Refused(f"{shown} cannot be read as a regular file", "refused_unreadable", name=name) from None
    finally:
        os.close(fd)
    if size > limit:
        raise Refused(
            f"{shown} grew past the limit of {limit} bytes while it was read", "refused_too_large", name=name
        )
    return b"".join(chunks)


def _listing(dir_fd: int) -> list[str]:
    fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        return os.listdir(fd)
    finally:
        os.close(fd)


def _siblings(dir_fd: int, shown_dir: str, skip: str) -> dict[str, bytes]:
    """The other modules of a submission folder (a learner's own helpers), never of the folder
    that holds a file named directly: that may be a class (alice.py beside mallory.ipynb) whose
    entries are each another learner's. Test files are pytest's business. A linked one refuses
    the submission: it could be the reference under another name."""
    found = {}
    names = sorted(
        n
        for n in _listing(dir_fd)
        if n.endswith(".py") and n != skip and n != "conftest.py" and not n.startswith("test_")
    )
    for name in names[:MAX_SIBLINGS]:
        shown = f"{shown_dir}{os.sep}{name}"
        try:
            found[name] = _read_regular(name, dir_fd, shown, MAX_MODULE_BYTES)
        except FileNotFoundError:
            continue
        except Refused as exc:
            if exc.reason == "refused_too_large":
                continue  # a large sibling is simply not brought along, as before
            raise
    return found


def pick(lstat: Callable[[str], os.stat_result], shown: str, folder_files: Sequence[str]) -> tuple[str, int]:
    """(name, file type) of the first of `folder_files` the folder holds, `lstat(name)` telling
    what each is: the rule's choice, the same for reading and locating. A folder so named is not
    the file and is looked past; anything else so named is the choice, and refused when it is
    not a regular file (a link to the reference must not make the grader fall back on another
    file)."""
    for name in folder_files:
        try:
            mode = lstat(name).st_mode
        except FileNotFoundError:
            continue
        if not stat.S_ISDIR(mode):
            return name, stat.S_IFMT(mode)
    raise NoSubmission(
        f"no submission in {shown}: neither {' nor '.join(folder_files)}", " / ".join(folder_files)
    )


def _read_folder(folder_fd: int, shown: str, module_file: str, folder_files: Sequence[str]) -> Received:
    """The file the rule picks in the folder, read as data like any other, with the folder's
    other modules."""
    name, _ = pick(lambda name: os.lstat(name, dir_fd=folder_fd), shown, folder_files)
    if name.endswith(".ipynb"):
        data = _read_regular(name, folder_fd, f"{shown}{os.sep}{name}", MAX_NOTEBOOK_BYTES)
        return Received("ipynb", name, data, _siblings(folder_fd, shown, module_file))
    data = _read_regular(name, folder_fd, f"{shown}{os.sep}{name}", MAX_MODULE_BYTES)
    return Received("py", name, data, _siblings(folder_fd, shown, name))


def _at_path(
    path: PathLike, on_folder: Callable[[int, str], T], on_file: Callable[[int, str, int, str], T]
) -> T:
    """on_folder(folder_fd, shown) for a folder at `path`, else on_file(parent_fd, name, mode,
    shown); every component opened without following a link."""
    parent_fd, last = _walk_to_parent(path)
    shown = os.path.abspath(path)
    try:
        try:
            mode = os.lstat(last, dir_fd=parent_fd).st_mode
        except FileNotFoundError:
            raise NoSubmission(f"no submission at {path}") from None
        if not stat.S_ISDIR(mode):
            return on_file(parent_fd, last, mode, shown)
        folder_fd = _open_dir(last, parent_fd, shown)
        try:
            return on_folder(folder_fd, shown)
        finally:
            os.close(folder_fd)
    finally:
        os.close(parent_fd)


def read_submission(path: PathLike, module: str, folder_files: tuple[str, ...]) -> Received:
    """The submission at `path`: a .py file or a .ipynb, read alone, or a folder holding one of
    `folder_files`, read with its other modules. A notebook runs as `module`, so a stale
    `<module>.py` in its folder is left out."""

    def read_file(
        parent_fd: int, name: str, mode: int, shown: str
    ) -> Received:  # named directly: alone, its folder may be a class's
        if name.endswith(".ipynb"):
            return Received("ipynb", name, _read_regular(name, parent_fd, shown, MAX_NOTEBOOK_BYTES))
        return Received("py", name, _read_regular(name, parent_fd, shown, MAX_MODULE_BYTES))

    return _at_path(path, lambda fd, shown: _read_folder(fd, shown, f"{module}.py", folder_files), read_file)


def locate(path: PathLike, folder_files: tuple[str, ...]) -> Path:
    """The file `read_submission` would read at `path`, by the same rule, found with lstat only
    (nothing opened, no link followed): `path` itself, or the folder's file the rule picks.
    Refused for a link or anything that is not a regular file; a hard link, a size over the limit
    or a link higher up the path is refused when the file is read."""
    found = Path(path)
    try:
        mode = os.lstat(found).st_mode
    except FileNotFoundError:
        raise NoSubmission(f"no submission at {found}") from None
    if stat.S_ISDIR(mode):
        folder = found
        name, mode = pick(lambda name: os.lstat(folder / name), str(folder), folder_files)
        found = folder / name
    if stat.S_ISLNK(mode):
        raise refuse(stat.S_IFLNK, str(found), found.name, "refused, not followed")
    if not stat.S_ISREG(mode):
        raise refuse(stat.S_IFMT(mode), str(found), found.name, "not a regular file, refused, never opened")
    return found
