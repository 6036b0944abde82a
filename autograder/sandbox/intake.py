"""Read a submission as data: regular files only, no link ever followed, each file read once.

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
reason the learner reads (graded 0, exit 0), or `FileNotFoundError` when there is nothing at the
path at all (the grader's error: a wrong argument).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

from .errors import Refused

MAX_MODULE_BYTES = 1 << 20  # a complete module of the course is ~20 KB
MAX_NOTEBOOK_BYTES = 16 << 20  # a notebook with every plot rendered is ~1-2 MB
MAX_SIBLINGS = 20

_KIND = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
}
_DIR_FLAGS = os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


@dataclass
class Received:
    """The submission as read: its bytes, never its path."""

    kind: str  # "py" or "ipynb"
    name: str  # the file's name, as the learner gave it
    data: bytes
    siblings: dict[str, bytes] = field(default_factory=dict)  # a folder's other modules


def _what(mode):
    return _KIND.get(stat.S_IFMT(mode), "not a regular file")


def _open_dir(name, dir_fd, shown):
    """A descriptor of folder `name` inside dir_fd; a link there is refused, not followed."""
    try:
        fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        raise FileNotFoundError(f"no submission at {shown}") from None
    except NotADirectoryError:  # a link (O_NOFOLLOW) or a file where a folder should be
        mode = os.lstat(name, dir_fd=dir_fd).st_mode
        if stat.S_ISLNK(mode):
            raise Refused(
                f"{shown} is a symbolic link: submissions are read as data and links are never followed",
                "refused_link",
                name=name,
            ) from None
        raise FileNotFoundError(f"no submission at {shown} (not a folder)") from None
    except OSError as exc:
        raise Refused(f"{shown} cannot be opened: {exc.strerror}", "refused_unreadable", name=name) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISDIR(mode):
        os.close(fd)
        raise Refused(f"{shown} is {_what(mode)}, not a folder", "refused_special", name=name)
    return fd


def _walk_to_parent(path):
    """(descriptor of the folder holding the last component, that component's name). Every
    component on the way is opened without following links."""
    absolute = os.path.abspath(path)  # lexical; no component may be a link, so it is the real path
    parts = [p for p in absolute.split(os.sep) if p]
    if not parts:
        raise FileNotFoundError(f"no submission at {path}")
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


def _read_regular(name, dir_fd, shown, limit):
    """The bytes of regular file `name` in dir_fd (at most `limit`), or Refused with why not."""
    try:
        before = os.lstat(name, dir_fd=dir_fd)
    except FileNotFoundError:
        raise FileNotFoundError(f"no submission at {shown}") from None
    if not stat.S_ISREG(before.st_mode):  # decided before opening: a FIFO or device is never opened
        raise Refused(
            f"{shown} is {_what(before.st_mode)}: only regular files are graded",
            "refused_link" if stat.S_ISLNK(before.st_mode) else "refused_special",
            name=name,
        )
    if before.st_nlink != 1:
        raise Refused(
            f"{shown} has {before.st_nlink} hard links: only a file of its own is graded",
            "refused_link",
            name=name,
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


def _listing(dir_fd):
    fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        return os.listdir(fd)
    finally:
        os.close(fd)


def _siblings(dir_fd, shown_dir, skip):
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
            if "over the limit" in str(exc):
                continue  # a large sibling is simply not brought along, as before
            raise
    return found


def _read_folder(folder_fd, shown, module_file, folder_files):
    """The first of `folder_files` the folder holds (the grader's rule: autograder/submission.py),
    read as data like any other."""
    for name in folder_files:
        try:
            os.lstat(name, dir_fd=folder_fd)
        except FileNotFoundError:
            continue
        if name.endswith(".ipynb"):
            data = _read_regular(name, folder_fd, f"{shown}{os.sep}{name}", MAX_NOTEBOOK_BYTES)
            return Received("ipynb", name, data, _siblings(folder_fd, shown, module_file))
        data = _read_regular(name, folder_fd, f"{shown}{os.sep}{name}", MAX_MODULE_BYTES)
        return Received("py", name, data, _siblings(folder_fd, shown, name))
    raise FileNotFoundError(f"no submission in {shown}: neither {' nor '.join(folder_files)}")


def read_submission(path, module: str, folder_files: tuple[str, ...]) -> Received:
    """The submission at `path`: a .py file or a .ipynb, read alone, or a folder holding one of
    `folder_files`, read with its other modules. A notebook runs as `module`, so a stale
    `<module>.py` in its folder is left out."""
    module_file = f"{module}.py"
    parent_fd, last = _walk_to_parent(path)
    shown = os.path.abspath(path)
    try:
        try:
            mode = os.lstat(last, dir_fd=parent_fd).st_mode
        except FileNotFoundError:
            raise FileNotFoundError(f"no submission at {path}") from None
        if stat.S_ISDIR(mode):
            folder_fd = _open_dir(last, parent_fd, shown)
            try:
                return _read_folder(folder_fd, shown, module_file, folder_files)
            finally:
                os.close(folder_fd)
        if last.endswith(".ipynb"):  # a file named directly comes alone: its folder may be a class's
            return Received("ipynb", last, _read_regular(last, parent_fd, shown, MAX_NOTEBOOK_BYTES))
        return Received("py", last, _read_regular(last, parent_fd, shown, MAX_MODULE_BYTES))
    finally:
        os.close(parent_fd)
