"""The fresh folder one submission runs in, and the worker's configuration and environment.

Layout (base is mkdtemp'd, private to the grader's user; as root it is 0711 so the worker's uid
can reach sub/ without listing base):
    base/rt/    config.json, read by the supervisor before any confinement, never by learner
                code. (The runtime itself, worker.py and the modules it imports, is loaded once
                per grader by the zygote from a folder of its own: process.Zygote.)
    base/sub/   the bytes the intake read (never the learner's path), written afresh; the
                learner's cwd, HOME and TMPDIR and the only place it may write. As root the
                learner process mounts a size-limited tmpfs over it holding the same files.
"""

import functools
import json
import os
import re
import site
import sys
import sysconfig
import tempfile
from pathlib import Path

from . import ipysyntax
from .intake import read_submission
from .notebook import extract_cells  # Refused, with why, for a notebook it cannot read

HERE = Path(__file__).resolve().parent
RUNTIME_FILES = (
    "zygote.py",
    "worker.py",
    "supervisor.py",
    "confinement.py",
    "shims.py",
    "serving.py",
    "protocol.py",
    "codec.py",
    "arena.py",
    "limits.py",
    "landlock.py",
    "seccomp.py",
    "mounts.py",
    "ipysyntax.py",
)
KIT_ROOT = HERE.parent.parent
SYSTEM_READ_PATHS = [
    "/usr",
    "/lib",
    "/lib64",
    "/lib32",
    "/etc",
    "/proc",
    "/sys/devices/system/cpu",
    "/dev/null",
    "/dev/zero",
    "/dev/urandom",
    "/dev/random",
]
THREAD_VARS = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)


_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([\w., \t]+)|import[ \t]+([\w., \t]+))", re.MULTILINE
)


def resolve_source(path, module, folder_files):
    """("py", None, path of the module) or ("cells", cells, None): what the in-process double
    (autograder/core/in_process.py, InProcessSubmission.from_path) runs, only ever trusted code."""
    received = read_submission(path, module, folder_files)
    if received.kind == "ipynb":
        return "cells", extract_cells(received.data), None
    path = Path(path)
    return "py", None, path / received.name if path.is_dir() else path


def imported_modules(sources):
    """Module names the code imports, so the worker can import them before dropping privileges.
    A line scan, not a parse: the grader never parses learner code (see notebook.to_python)."""
    names = set()
    for src in sources:
        if ".testing" in src:  # np.testing is imported lazily, on first attribute access
            names.add("numpy.testing")
        for found in _IMPORT_LINE.finditer(src):
            module, items, plain = found.groups()
            if module:
                names.add(module)
                names.update(f"{module}.{a.split()[0]}" for a in items.split(",") if a.split())
            else:
                names.update(a.split()[0] for a in plain.split(",") if a.split())
    return sorted(n for n in names if len(n) < 100)[:200]


@functools.lru_cache(maxsize=8)  # the same for every submission a grader process grades
def read_paths(protected=()):
    """What Python needs to read after confinement: the stdlib and site-packages, never the kit.
    Wherever the kit lives (a checkout, site-packages, /usr/src/app, /opt), an allowed folder
    that holds it is replaced by its other entries, so the reference stays out of reach."""
    paths = set(SYSTEM_READ_PATHS)
    candidates = [sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")]
    candidates += site.getsitepackages() + [p for p in sys.path if p]
    for p in candidates:
        p = os.path.realpath(p)
        inside_base = p.startswith(os.path.realpath(sys.base_prefix) + os.sep)
        is_site = os.path.basename(p) in ("site-packages", "dist-packages")
        if os.path.isdir(p) and (inside_base or is_site):
            paths.add(p)
    return sorted(carve_out(paths, set(kit_paths()) | {os.path.realpath(p) for p in protected}))


def kit_paths():
    """The kit's own folders: its packages, and its root unless that is a shared site folder."""
    root = str(KIT_ROOT)
    paths = [os.path.join(root, name) for name in ("autograder", "solutions", "source", "release")]
    if os.path.basename(root) not in ("site-packages", "dist-packages"):
        paths.append(root)
    return paths


def carve_out(allowed, protected):
    """`allowed` minus everything in `protected`, as folders Landlock can take: an allowed folder
    holding a protected one is replaced by its entries, recursively down to it."""
    result = set()
    for a in allowed:
        inside = {p for p in protected if p == a or p.startswith(a.rstrip(os.sep) + os.sep)}
        if not inside:
            result.add(a)
        elif a not in inside:
            try:
                entries = os.listdir(a)
            except OSError:
                continue
            result |= carve_out({os.path.join(a, e) for e in entries}, inside)
    return result


def base_env():
    """The environment of the zygote (numpy reads the thread counts at import) and, with a
    submission's own folders added (Workdir.env), of each worker."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "MPLBACKEND": "Agg",
    }
    env.update({v: "1" for v in THREAD_VARS})
    return env


class Workdir:
    def __init__(self, received, limits, module):
        """`received`: the intake's copy of the submission (its bytes, never its path), run as
        the Python module named `module`."""
        self.module = module
        if received.kind == "ipynb":
            self.kind, self.cells = "cells", extract_cells(received.data)
            sources = [c["source"] for c in self.cells]
            self.module_code: list[str | bytes] = list(sources)
        else:
            self.kind, self.cells = "py", None
            sources = [received.data[: 1 << 20].decode("utf-8", "replace")]
            self.module_code = [received.data]
        self.sibling_code: list[str | bytes] = list(received.siblings.values())
        self.base = Path(tempfile.mkdtemp(prefix="nn-sandbox-"))
        try:
            self._fill(received, sources, limits)
        except BaseException:
            self.remove()
            raise

    def _fill(self, received, sources, limits):
        self.rt, self.sub = self.base / "rt", self.base / "sub"
        self.rt.mkdir(mode=0o700)
        self.sub.mkdir(mode=0o700)
        self.files = dict(received.siblings)
        if self.kind == "py":
            self.files[f"{self.module}.py"] = received.data
        self._write_files()
        self.as_root = os.getuid() == 0
        if self.as_root:
            os.chmod(self.base, 0o711)  # the worker's uid reaches sub/ without listing base
        self.config = {
            "kind": self.kind,
            "cells": self.cells or [],
            "sub_dir": str(self.sub),
            "module": self.module,
            "preload": imported_modules(sources) + self._ipython(),
            "read_paths": list(read_paths()),
            "drop_privileges": self.as_root,
            **limits,
        }
        self.config_path = self.rt / "config.json"

    def _ipython(self):
        """IPython's transformer, for the worker to import before confinement, when a cell needs
        it: only then, as importing it costs every other notebook's load time."""
        return [ipysyntax.MODULE] if any(c["ipython"] for c in self.cells or []) else []

    def _write_files(self):
        for name, data in self.files.items():  # names come from listdir: no separator, no ".."
            (self.sub / name).write_bytes(data)

    def refresh(self):
        """sub/ afresh, as the intake read it, for a restarted worker (called once the last
        worker's processes are dead): nothing an earlier worker wrote there (the hidden inputs
        it was given, say) reaches the next one. Moved aside first: a rename cannot fail on
        what the learner left inside, and remove() takes what rmtree here could not."""
        old = Path(tempfile.mkdtemp(prefix="old-", dir=self.base))
        os.rename(self.sub, old / "sub")
        remove_tree(old)
        self.sub.mkdir(mode=0o700)
        self._write_files()

    def write_config(self, load_id, lifetime):
        self.config_path.write_text(
            json.dumps({**self.config, "load_id": load_id, "lifetime": lifetime}), encoding="utf-8"
        )

    def env(self):
        """Only what Python needs; nothing of the grader's environment (tokens, paths)."""
        return {
            **base_env(),
            "HOME": str(self.sub),
            "TMPDIR": str(self.sub),
            "MPLCONFIGDIR": str(self.sub / ".matplotlib"),
        }

    def remove(self):
        """Called once the learner's processes are dead. It may have made folders unreadable:
        make its real folders ours again first. Symlinks are skipped, so this never chmods a
        file the learner points at."""
        remove_tree(self.base)


_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def remove_tree(top) -> None:
    """Remove the folder `top` and all it holds, as far as it can (errors are skipped), without
    recursion and without any path longer than one name: learner code may leave thousands of
    nested folders (os.walk and shutil.rmtree recurse once per level: RecursionError), unreadable
    ones (each is made ours, 0700, before it is opened), and symlinks (removed, never followed).
    Every folder found below `top` is first moved up into `top` itself, so the tree is flat."""
    try:
        top_fd = os.open(top, _DIRECTORY)
    except OSError:
        return
    try:
        pending: list[str | None] = [None]  # None: top itself, else a folder directly in it
        moved = [0]
        while pending:
            name = pending.pop()
            pending += _empty_folder(top_fd, name, moved)
            if name is not None:
                _skip_errors(os.rmdir, name, dir_fd=top_fd)
    finally:
        os.close(top_fd)
    _skip_errors(os.rmdir, top)


def _empty_folder(top_fd, name, moved) -> list[str]:
    """Unlink what the folder `name` in top (top itself when None) holds but folders, and move
    those up into top under names none of top's own has (top holds only the grader's: rt, sub,
    old-*); their names in top, to empty next."""
    found: list[str] = []
    try:
        if name is not None:
            os.chmod(name, 0o700, dir_fd=top_fd)
        fd = top_fd if name is None else os.open(name, _DIRECTORY, dir_fd=top_fd)
    except OSError:
        return found
    try:
        for entry in list(os.scandir(fd)):
            if not entry.is_dir(follow_symlinks=False):
                _skip_errors(os.unlink, entry.name, dir_fd=fd)
            elif name is None:
                found.append(entry.name)
            else:
                moved[0] += 1
                flat = f".flat-{moved[0]}"
                # moving a folder rewrites its "..": an ordinary user needs write permission on
                # it (a learner's 0500 folder stayed, and with it the whole temporary folder)
                _skip_errors(os.chmod, entry.name, 0o700, dir_fd=fd)
                if _skip_errors(os.rename, entry.name, flat, src_dir_fd=fd, dst_dir_fd=top_fd):
                    found.append(flat)
    except OSError:
        pass
    finally:
        if fd != top_fd:
            os.close(fd)
    return found


def _skip_errors(action, *args, **kwargs) -> bool:
    """action(*args, **kwargs); whether it did not raise OSError."""
    try:
        action(*args, **kwargs)
    except OSError:
        return False
    return True
