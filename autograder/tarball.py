"""Take one file out of a repository tarball, as data.

GitHub's tarball of a commit holds one top folder (`owner-repo-sha/`) and the repository
beneath it. We want exactly one member, the submission, and only if it is a regular file:
a symbolic or hard link, a device or a FIFO is refused, never extracted or followed (a
link named nn_basics.py pointing at /etc/passwd or at the grader's files is the classic
way to make a grader read what it should not). Nothing else of the archive touches the disk.

Finding the member means decompressing everything in front of it, and gzip shrinks zeros about
a thousandfold: a 50 MB download can hold 50 GB. So the bytes decompressed are counted and the
archive is refused past MAX_UNPACKED_BYTES, whatever it holds (a bound on bytes, not on time).
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zlib
from pathlib import Path, PurePosixPath

# A submission is one module or notebook; anything bigger is not one.
MAX_MEMBER_BYTES = 5 * 1024 * 1024
# A chapter's repository, uncompressed, up to and with the submission: ~0.2 s of gunzip at worst.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

_KINDS = [
    (tarfile.TarInfo.issym, "symbolic link"),
    (tarfile.TarInfo.islnk, "hard link"),
    (tarfile.TarInfo.isdir, "folder"),
    (tarfile.TarInfo.ischr, "character device"),
    (tarfile.TarInfo.isblk, "block device"),
    (tarfile.TarInfo.isfifo, "FIFO"),
]


class Refused(Exception):
    """The submission cannot be taken: `reason` is our own short English text (never the
    learner's), `kind` one of missing / link / special / too-large / archive-too-large /
    bad-archive."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind, self.reason = kind, reason


def extract_member(archive: bytes, member: str, destination: Path) -> Path:
    """Write the regular file `member` (a path inside the repository) of the gzipped tar
    `archive` to `destination` (a file path) and return it; raise Refused otherwise."""
    data = _read_member(archive, member)
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(data)
    destination.chmod(0o644)
    return destination


class _Unpacked(io.RawIOBase):
    """The decompressed archive, read forward only (tarfile's stream mode), refused past
    MAX_UNPACKED_BYTES: no read, however large tarfile asks (a 1 GB pax header), goes past it."""

    def __init__(self, archive: bytes):
        self._gzip = gzip.GzipFile(fileobj=io.BytesIO(archive), mode="rb")
        self.unpacked = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        room = MAX_UNPACKED_BYTES - self.unpacked + 1  # one byte more tells "past the bound"
        data = self._gzip.read(room if size < 0 else min(size, room))
        self.unpacked += len(data)
        if self.unpacked > MAX_UNPACKED_BYTES:
            raise Refused(
                "archive-too-large",
                f"the repository archive holds more than {MAX_UNPACKED_BYTES} bytes "
                "(uncompressed) up to the submission",
            )
        return data


def extract_by_rule(archive: bytes, folder: str, names: tuple[str, ...], destination: Path) -> Path:
    """The one rule (submission.graded_file) on a folder of the repository ("" for its root):
    the first of `names` there that is a file is written into the folder `destination` and
    returned; one that is a link is refused (as graded_file refuses it), and so is a folder
    holding none of them (kind "missing")."""
    members = [str(PurePosixPath(folder, name)) for name in names]
    found = _read_members(archive, members, stop_at=members[0])
    for name, member in zip(names, members, strict=True):
        data = found.get(member)
        if isinstance(data, Refused) and data.kind == "special":
            continue  # a folder so named is not the file: graded_file looks past it too
        if data is not None:
            if isinstance(data, Refused):
                raise data
            destination.mkdir(parents=True, exist_ok=True)
            (destination / name).write_bytes(data)
            (destination / name).chmod(0o644)
            return destination / name
    raise Refused("missing", f"none of {', '.join(members)} is in the pull request's files")


def _read_member(archive: bytes, member: str) -> bytes:
    found = _read_members(archive, [member], stop_at=member)
    if member not in found:
        raise Refused("missing", f"{member} is not in the pull request's files")
    data = found[member]
    if isinstance(data, Refused):
        raise data
    return data


def _read_members(archive: bytes, members: list[str], stop_at: str) -> dict[str, bytes | Refused]:
    """{member: its bytes, or why it cannot be taken} for those of `members` in the archive;
    the stream is read no further than `stop_at` (the member the rule prefers over the others)."""
    wanted = {PurePosixPath(member): member for member in members}
    found: dict[str, bytes | Refused] = {}
    try:
        with tarfile.open(fileobj=_Unpacked(archive), mode="r|") as tar:
            for info in tar:
                parts = PurePosixPath(info.name).parts
                member = wanted.get(PurePosixPath(*parts[1:])) if len(parts) >= 2 else None
                if member is None or member in found:
                    continue
                found[member] = _member_bytes(tar, info, member)
                if member == stop_at:
                    break
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:  # gzip's errors are OSErrors
        raise Refused(
            "bad-archive", f"the repository archive could not be read ({type(exc).__name__})"
        ) from exc
    return found


def _member_bytes(tar: tarfile.TarFile, info: tarfile.TarInfo, member: str) -> bytes | Refused:
    try:
        _check_regular(info, member)
    except Refused as refused:
        return refused
    data = tar.extractfile(info).read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        return Refused("too-large", f"{member} is larger than {MAX_MEMBER_BYTES} bytes")
    return data


def _check_regular(info: tarfile.TarInfo, member: str) -> None:
    if info.isreg():
        if info.size > MAX_MEMBER_BYTES:
            raise Refused("too-large", f"{member} is larger than {MAX_MEMBER_BYTES} bytes")
        return
    kind = next((name for test, name in _KINDS if test(info)), "special file")
    raise Refused("link" if "link" in kind else "special", f"{member} is a {kind}, not a regular file")
