"""A private mount namespace for the learner process (root only).

Self-contained (stdlib only): the worker runs a copy of this file. Inside the namespace:
- `sub/` is a size-limited tmpfs holding a copy of the submission: the learner's only writable
  place is bounded, so filling the disk cannot starve the submissions graded after it;
- `/proc` is a fresh procfs with hidepid=invisible: other users' processes (other graders, their
  command lines holding submission paths, other workers) do not exist for the learner's uid;
- a folder the learner's uid cannot traverse (e.g. `/root`, mode 0700, holding a pyenv) is
  covered with an empty tmpfs into which only the interpreter's read paths are bound
  read-only: the stdlib and numpy are readable wherever Python lives, and nothing else there
  (a kit under /root included) is even visible.
Each step is independent; `isolate` returns which took effect.
"""

import ctypes
import os
import stat

CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18

_libc = ctypes.CDLL(None, use_errno=True)


def _call(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source, target, fstype, flags, data=None):
    enc = lambda s: None if s is None else os.fsencode(s)  # noqa: E731
    _call(
        _libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
        f"mount {target}",
    )


def private_namespace():
    _call(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount propagates to the host


def tmpfs_holding(folder, size_bytes, uid):
    """Replace `folder` by a tmpfs of `size_bytes` with the same top-level files, owned by uid."""
    files = {}
    for entry in os.scandir(folder):
        if entry.is_file(follow_symlinks=False):
            with open(entry.path, "rb") as f:
                files[entry.name] = f.read()
    mount(
        "tmpfs",
        folder,
        "tmpfs",
        MS_NOSUID | MS_NODEV,
        f"size={size_bytes},nr_inodes=4096,mode=0700,uid={uid},gid={uid}",
    )
    for name, data in files.items():
        path = os.path.join(folder, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chown(path, uid, uid)


def private_proc():
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible")


def _closed_ancestor(path):
    """The topmost folder above `path` that others cannot traverse (mode without o+x), or None."""
    parts = os.path.abspath(path).split(os.sep)[1:]
    for depth in range(1, len(parts)):
        folder = os.sep + os.path.join(*parts[:depth])
        try:
            if not os.stat(folder).st_mode & stat.S_IXOTH:
                return folder
        except OSError:
            return None
    return None


def expose(read_paths, keep_visible):
    """Make `read_paths` reachable through closed ancestors (see the module's docstring). A
    closed folder that holds something in `keep_visible` (the submission) is left alone."""
    covers = {}
    for p in sorted(read_paths, key=len):
        top = _closed_ancestor(p)
        if (
            top
            and not any(k == top or k.startswith(top + os.sep) for k in keep_visible)
            and not any(p.startswith(q + os.sep) for q in covers.get(top, []))
        ):
            covers.setdefault(top, []).append(p)
    done = []
    for top, inner in covers.items():
        fds = [(p, os.open(p, os.O_PATH | os.O_CLOEXEC)) for p in inner]
        try:
            mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,nr_inodes=1024,mode=0755")
            for p, fd in fds:
                if stat.S_ISDIR(os.fstat(fd).st_mode):
                    os.makedirs(p, mode=0o755, exist_ok=True)
                else:
                    os.makedirs(os.path.dirname(p), mode=0o755, exist_ok=True)
                    open(p, "ab").close()
                mount(f"/proc/self/fd/{fd}", p, None, MS_BIND | MS_REC)
                mount(None, p, None, MS_BIND | MS_REMOUNT | MS_RDONLY)
                done.append(p)
        finally:
            for _, fd in fds:
                os.close(fd)
    return done


def isolate(sub_dir, disk_bytes, uid, read_paths):
    """Every step that works; {step: True or why not}."""
    info = {}
    try:
        private_namespace()
    except OSError as exc:
        return {"mount_namespace": str(exc)}
    info["mount_namespace"] = True
    for name, step in [
        ("disk_quota", lambda: tmpfs_holding(sub_dir, disk_bytes, uid)),
        ("exposed", lambda: expose(read_paths, [sub_dir])),
        ("hidepid", private_proc),
    ]:
        try:
            result = step()
            info[name] = True if result is None else result
        except OSError as exc:
            info[name] = str(exc)
    return info
