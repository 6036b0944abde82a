"""The fresh folder one submission runs in, and the worker's configuration and environment.

Layout (base is mkdtemp'd, private to the grader's user; as root it is 0711 so the dropped user
can reach sub/ without listing base):
    base/rt/    the worker's runtime: worker.py, codec.py, limits.py, landlock.py, testfns.py,
                config.json. Read by the supervisor before any confinement, never by learner code.
    base/sub/   a copy of the submission; the learner's cwd, HOME and TMPDIR, and the only place
                it may write (owned by the dropped user when running as root).
"""
import ast
import json
import os
import shutil
import site
import sys
import sysconfig
import tempfile
from pathlib import Path

from ..submission import graded_file
from .contract import CONTRACT_FUNCTIONS

HERE = Path(__file__).resolve().parent
RUNTIME_FILES = ("worker.py", "codec.py", "limits.py", "landlock.py", "testfns.py")
KIT_ROOT = HERE.parent.parent
NOBODY = 65534
SYSTEM_READ_PATHS = ["/usr", "/lib", "/lib64", "/lib32", "/etc", "/proc", "/sys/devices/system/cpu",
                     "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random"]
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
               "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


MAX_SIBLINGS, MAX_SIBLING_BYTES = 20, 1 << 20


def sibling_modules(folder, skip):
    """The learner's other modules beside a notebook or in a folder, e.g. the public_checks.py
    that the notebook's setup cell imports. Test files are pytest's business, not the module's."""
    found = []
    for p in sorted(Path(folder).glob("*.py")):
        if p.name in skip or p.name == "conftest.py" or p.name.startswith("test_"):
            continue
        if p.is_file() and not p.is_symlink() and p.stat().st_size <= MAX_SIBLING_BYTES:
            found.append(p)
    return found[:MAX_SIBLINGS]


def resolve_source(path):
    """("py", None, file to copy) or ("cells", cells, None); FileNotFoundError when there is no
    submission (which file of a folder: autograder.submission.graded_file, the one rule).
    A notebook that cannot be read becomes a single cell raising why."""
    path = graded_file(path)
    if path.suffix == ".ipynb":
        from .notebook import UnreadableNotebook, extract_cells
        try:
            return "cells", extract_cells(path), None
        except UnreadableNotebook as exc:
            return "cells", [{"index": 0, "source": f"raise ValueError({str(exc)!r})"}], None
    return "py", None, path


def imported_modules(sources):
    """Module names the code imports, so the worker can import them before dropping privileges."""
    names = set()
    for src in sources:
        if ".testing" in src:  # np.testing is imported lazily, on first attribute access
            names.add("numpy.testing")
        try:
            tree = ast.parse(src)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                names.update(f"{node.module}.{a.name}" for a in node.names)
    return sorted(names)[:200]


def read_paths():
    """What Python needs to read after confinement: the stdlib and site-packages, never the kit.
    The venv lives inside the kit tree, so only its site-packages is allowed, not its root."""
    paths = set(SYSTEM_READ_PATHS)
    candidates = [sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")]
    candidates += site.getsitepackages() + [p for p in sys.path if p]
    for p in candidates:
        p = os.path.realpath(p)
        if not os.path.isdir(p):
            continue
        inside_base = p.startswith(os.path.realpath(sys.base_prefix) + os.sep)
        is_site = os.path.basename(p) in ("site-packages", "dist-packages")
        holds_kit = str(KIT_ROOT).startswith(p.rstrip(os.sep) + os.sep) or str(KIT_ROOT) == p
        if (inside_base or is_site) and not holds_kit:
            paths.add(p)
    return sorted(paths)


class Workdir:
    def __init__(self, path, limits):
        self.kind, self.cells, py_file = resolve_source(path)
        self.base = Path(tempfile.mkdtemp(prefix="nn-sandbox-"))
        self.rt, self.sub = self.base / "rt", self.base / "sub"
        self.rt.mkdir(mode=0o700)
        self.sub.mkdir(mode=0o700)
        for name in RUNTIME_FILES:
            shutil.copyfile(HERE / name, self.rt / name)
        if self.kind == "cells" or Path(path).is_dir():
            for p in sibling_modules(graded_file(path).parent, skip={"nn_basics.py"}):
                shutil.copyfile(p, self.sub / p.name)
        if py_file is not None:
            shutil.copyfile(py_file, self.sub / "nn_basics.py")
            with open(self.sub / "nn_basics.py", encoding="utf-8", errors="replace") as f:
                sources = [f.read(1 << 20)]  # enough to find the imports of any honest file
        else:
            sources = [c["source"] for c in self.cells]
        self.as_root = os.getuid() == 0
        if self.as_root:
            os.chmod(self.base, 0o711)
            for p in [self.sub, *self.sub.rglob("*")]:
                os.chown(p, NOBODY, NOBODY)
        self.config = {
            "kind": self.kind, "cells": self.cells or [], "sub_dir": str(self.sub),
            "contract": list(CONTRACT_FUNCTIONS), "preload": imported_modules(sources),
            "read_paths": read_paths(), "drop_to_uid": NOBODY if self.as_root else None,
            **limits,
        }
        self.config_path = self.rt / "config.json"

    def write_config(self, load_id, lifetime):
        self.config_path.write_text(json.dumps({**self.config, "load_id": load_id,
                                                "lifetime": lifetime}), encoding="utf-8")

    def env(self):
        """Only what Python needs; nothing of the grader's environment (tokens, paths)."""
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
               "HOME": str(self.sub), "TMPDIR": str(self.sub), "MPLBACKEND": "Agg",
               "MPLCONFIGDIR": str(self.sub / ".matplotlib")}
        env.update({v: "1" for v in THREAD_VARS})
        return env

    def remove(self):
        """Called once the learner's processes are dead. It may have made folders unreadable:
        make its real folders ours again first. Symlinks are skipped, so this never chmods a
        file the learner points at."""
        for folder, dirs, _files in os.walk(self.base, onerror=lambda exc: None):
            for d in dirs:
                path = os.path.join(folder, d)
                if not os.path.islink(path):
                    try:
                        os.chmod(path, 0o700)
                    except OSError:
                        pass
        shutil.rmtree(self.base, ignore_errors=True)
