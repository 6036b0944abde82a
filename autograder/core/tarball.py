"""Take one file out of a repository tarball, as data: the archive's byte-level reader, as
sandbox/intake.py is the disk's (the kit's intake, autograder/core/intake.py, decides what is taken).

GitHub's tarball of a commit holds one top folder (`owner-repo-sha/`) and the repository
beneath it. We want exactly one member, the submission, and only if it is a regular file:
a symbolic or hard link, a device or a FIFO is refused, never extracted or followed, and so is
a file over the size the intake reads from disk (a
link named nn_basics.py pointing at /etc/passwd or at the grader's files is the classic
way to make a grader read what it should not). Nothing else of the archive touches the disk.

Finding the member means decompressing everything in front of it, and gzip shrinks zeros about
a thousandfold: a 50 MB download can hold 50 GB. So the bytes decompressed are counted and the
archive is refused past MAX_UNPACKED_BYTES, whatever it holds (a bound on bytes, not on time).
"""

from __future__ import annotations

import gzip
import io
import stat
import tarfile
import zlib
from pathlib import Path, PurePosixPath

from ..sandbox.errors import Refused
from ..sandbox.intake import HARD_LINK, MAX_MODULE_BYTES, MAX_NOTEBOOK_BYTES, kind_of
from ..settings import SETTINGS

MAX_MEMBER_BYTES = MAX_MODULE_BYTES  # a module's; a notebook's is MAX_NOTEBOOK_BYTES, as on disk
# A chapter's repository, uncompressed, up to and with the submission: ~0.2 s of gunzip at worst.
MAX_UNPACKED_BYTES = SETTINGS.max_unpacked_bytes

# a member's type as the one table of file kinds (sandbox/intake.FILE_KINDS) names it
_TAR_TYPES: dict[bytes, int | str] = {
    tarfile.SYMTYPE: stat.S_IFLNK,
    tarfile.LNKTYPE: HARD_LINK,
    tarfile.DIRTYPE: stat.S_IFDIR,
    tarfile.CHRTYPE: stat.S_IFCHR,
    tarfile.BLKTYPE: stat.S_IFBLK,
    tarfile.FIFOTYPE: stat.S_IFIFO,
}


def extract_member(archive: bytes, member: str, destination: Path) -> Path:
    """Write the regular file `member` (a path inside the repository) of the gzipped tar
    `archive` to `destination` (a file path) and return it; raise Refused otherwise."""
    return write(read_member(archive, member), destination)


def extract_by_rule(archive: bytes, folder: str, names: tuple[str, ...], destination: Path) -> Path:
    """The file `read_by_rule` takes, written into the folder `destination` under its name."""
    name, data = read_by_rule(archive, folder, names)
    return write(data, destination / name)


def write(data: bytes, destination: Path) -> Path:
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
                f"the repository archive holds more than {MAX_UNPACKED_BYTES} bytes "
                "(uncompressed) up to the submission",
                "refused_archive_too_large",
            )
        return data


def read_by_rule(archive: bytes, folder: str, names: tuple[str, ...]) -> tuple[str, bytes]:
    """The one rule (sandbox/intake.pick) on a folder of the repository ("" for its root): the
    first of `names` there that is not a folder, as (its name, its bytes); refused when it is
    not a regular file, and so is a folder holding none of them (kind "missing": a pull request
    without it is the learner's to fix, where a path with nothing is the grader's NoSubmission)."""
    members = [str(PurePosixPath(folder, name)) for name in names]
    found = _read_members(archive, members, stop_at=members[0])
    for name, member in zip(names, members, strict=True):
        data = found.get(member)
        if data is None:  # not there, or a folder so named: not the file
            continue
        if isinstance(data, Refused):
            raise data
        return name, data
    raise Refused(f"none of {', '.join(members)} is in the pull request's files", "refused_missing")


def read_member(archive: bytes, member: str) -> bytes:
    """The bytes of the regular file `member`; Refused otherwise (a folder so named too)."""
    found = _read_members(archive, [member], stop_at=member)
    data = found.get(member)
    if data is None and member in found:
        data = _refusal(stat.S_IFDIR, member)
    if data is None:
        raise Refused(f"{member} is not in the pull request's files", "refused_missing", name=member)
    if isinstance(data, Refused):
        raise data
    return data


def _read_members(archive: bytes, members: list[str], stop_at: str) -> dict[str, bytes | Refused | None]:
    """{member: its bytes, why it cannot be taken, or None for a folder} for those of `members`
    in the archive; the stream is read no further than `stop_at` (the member the rule prefers
    over the others)."""
    wanted = {PurePosixPath(member): member for member in members}
    found: dict[str, bytes | Refused | None] = {}
    try:
        with tarfile.open(fileobj=_Unpacked(archive), mode="r|") as tar:
            for info in tar:
                parts = PurePosixPath(info.name).parts
                member = wanted.get(PurePosixPath(*parts[1:])) if len(parts) >= 2 else None
                if member is None or member in found:
                    continue
                found[member] = None if info.isdir() else _member_bytes(tar, info, member)
                if member == stop_at and found[member] is not None:  # a folder so named: read on
                    break
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:  # gzip's errors are OSErrors
        raise Refused(
            f"the repository archive could not be read ({type(exc).__name__})", "refused_bad_archive"
        ) from exc
    return found


def _member_bytes(tar: tarfile.TarFile, info: tarfile.TarInfo, member: str) -> bytes | Refused:
    if not info.isreg():
        return _refusal(_TAR_TYPES.get(info.type, -1), member)
    limit = MAX_NOTEBOOK_BYTES if member.endswith(".ipynb") else MAX_MODULE_BYTES  # as on disk
    too_large = Refused(f"{member} is larger than {limit} bytes", "refused_too_large", name=member)
    if info.size > limit:
        return too_large
    extracted = tar.extractfile(info)
    data = extracted.read(limit + 1) if extracted is not None else b""
    return too_large if len(data) > limit else data


def _refusal(key: int | str, member: str) -> Refused:
    what, reason = kind_of(key)
    return Refused(f"{member} is {what}, not a regular file", reason, name=member)
