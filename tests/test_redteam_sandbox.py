"""Red team, round 2, on the sandbox (issue 18): SysV IPC that outlived the grading, state that
carried hidden inputs across a worker restart into the load error, a quadratic string scan and
a 700 MB depth check in the grader process before a notebook was refused, and a folder name
that is not UTF-8 failing Gradescope's door on a strict stdout."""

from __future__ import annotations

import json
import os
import random
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder.core.grade import grade_submission
from autograder.reporters import render
from autograder.reporters.gradescope import to_dict
from autograder.sandbox import notebook, open_submission, seccomp
from autograder.sandbox.errors import LearnerException
from autograder.sandbox.workdir import Workdir
from tests.mistakes import correct_source

KIT = Path(__file__).resolve().parent.parent
AS_ROOT = os.getuid() == 0
HIDDEN_SEEDS = ("4242", "31337", "1729", "1618", "4669")  # checks/xor.py (2718 is in a label)
EPERM = 1


@pytest.fixture(params=["root", "not root"])
def privileges(request, monkeypatch):
    """As root, the worker has every layer; "not root" is the worker without the root-only ones
    (namespaces, mounts, privilege drop): what a grader run by an ordinary user gets."""
    if request.param == "root" and not AS_ROOT:
        pytest.skip("needs root")
    if request.param == "not root" and AS_ROOT:
        fill = Workdir._fill

        def fill_as_not_root(self, *args, **kwargs):
            fill(self, *args, **kwargs)
            self.config["drop_privileges"] = False

        monkeypatch.setattr(Workdir, "_fill", fill_as_not_root)
    return request.param


def _host_ipc_keys(kind):
    """Keys of the SysV objects of `kind` ("shm", "msg", "sem") the host namespace holds."""
    with open(f"/proc/sysvipc/{kind}") as f:
        rows = f.read().splitlines()[1:]
    return {int(row.split()[0]) for row in rows if row.split()}


@pytest.fixture
def ipc_keys():
    """Fresh keys for an attack; whatever a failing test leaves under them is removed."""
    base = 0x5E000000 + secrets.randbelow(1 << 20) * 16
    keys = [base + i for i in range(4)]
    yield keys
    for kind, flag in (("shm", "-M"), ("msg", "-Q"), ("sem", "-S")):
        for key in set(keys) & _host_ipc_keys(kind):
            subprocess.run(["ipcrm", flag, hex(key)], check=False)


SYSV_SHM_ATTACK = """
import ctypes

SIZE = 16 << 20
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]
made = []
for key in KEYS:
    shmid = libc.shmget(key, ctypes.c_size_t(SIZE), 0o1000 | 0o666)  # IPC_CREAT
    if shmid < 0:
        made.append(ctypes.get_errno())
        continue
    addr = libc.shmat(shmid, None, 0)
    ctypes.memset(addr, 1, SIZE)  # resident
    libc.shmdt(ctypes.c_void_p(addr))
    made.append("made")


def sigmoid(x):
    raise ValueError(f"segments: {made}")
"""


def test_sysv_shared_memory_does_not_outlive_the_grading(privileges, ipc_keys, tmp_path):
    """att/sysv_shm.py: segments made at import stayed resident after `grade` ended (2 x 256 MB
    in ipcs -m). Now seccomp refuses shmget (EPERM), root or not; as root the learner process
    also has its own IPC namespace, whose objects die with it."""
    path = tmp_path / "nn_basics.py"
    path.write_text(f"KEYS = {ipc_keys[:2]}\n" + SYSV_SHM_ATTACK, encoding="utf-8")
    with open_submission(path, module="nn_basics") as sub:
        with pytest.raises(LearnerException) as raised:
            sub.call("sigmoid", 0.0)
        info = sub.sandbox_info
    assert not set(ipc_keys) & _host_ipc_keys("shm")
    assert raised.value.message == f"segments: {[EPERM, EPERM]}"
    assert info["seccomp"] is True
    if privileges == "root":
        assert info["ipcns"] is True
    else:
        assert "ipcns" not in info


def _bpf_verdict(instructions, arch, nr):
    """What the filter returns for syscall `nr` of `arch` (a tiny BPF interpreter: loads of
    seccomp_data, jumps, returns: all the program uses)."""
    data = {0: nr, 4: arch}
    acc, pc = 0, 0
    while True:
        code, jt, jf, k = instructions[pc]
        if code == seccomp.BPF_LD_W_ABS:
            acc, pc = data[k], pc + 1
        elif code == seccomp.BPF_RET_K:
            return k
        else:
            taken = acc == k if code == seccomp.BPF_JEQ_K else acc >= k
            pc += 1 + (jt if taken else jf)


@pytest.mark.parametrize("machine", sorted(seccomp.ARCHES))
def test_every_ipc_call_is_refused_on_every_architecture(machine):
    arch = seccomp.ARCHES[machine][0]
    program = seccomp.program(machine)
    deny = seccomp.SECCOMP_RET_ERRNO | EPERM
    for nr in seccomp.IPC_SYSCALLS[machine] + seccomp.ARCHES[machine][1]:
        assert _bpf_verdict(program, arch, nr) == deny, nr
    read, mmap = {"x86_64": (0, 9), "aarch64": (63, 222)}[machine]
    assert _bpf_verdict(program, arch, read) == seccomp.SECCOMP_RET_ALLOW
    assert _bpf_verdict(program, arch, mmap) == seccomp.SECCOMP_RET_ALLOW


LEAK_ATTACK = """
import ctypes
import os

_libc = ctypes.CDLL(None, use_errno=True)
_qid = _libc.msgget(KEY, 0o1000 | 0o666)  # IPC_CREAT
NOTES = "seen.txt"  # in the submission's own folder, its cwd


class _Msg(ctypes.Structure):
    _fields_ = [("mtype", ctypes.c_long), ("text", ctypes.c_char * 64)]


def _seen():
    out, msg = [], _Msg()
    while _qid >= 0 and _libc.msgrcv(_qid, ctypes.byref(msg), 64, 0, 0o4000) >= 0:  # IPC_NOWAIT
        out.append(msg.text.decode())
    for text in out:
        _libc.msgsnd(_qid, ctypes.byref(_Msg(1, text.encode())), 64, 0o4000)
    if os.path.exists(NOTES):
        with open(NOTES) as f:
            out.append(f.read())
    return out


def train(X, y, num_hidden=5, alpha=1.0, num_iterations=5000, seed=0):
    if _qid >= 0:
        _libc.msgsnd(_qid, ctypes.byref(_Msg(1, f"q{seed}".encode())), 64, 0o4000)
    with open(NOTES, "a") as f:
        f.write(f" f{seed}")
    return None


def relative_error(a, b):
    if not a.any() and not b.any():  # the gated pass, after every train call
        os._exit(0)
    return None


_found = _seen()
if _found:
    raise RuntimeError("seen " + " ".join(_found))


def gradient_check(cost_fn, params, grads, epsilon=1e-5):  # called after the crash: the re-load
    return None
"""


def test_hidden_inputs_do_not_survive_a_worker_restart(privileges, ipc_keys, tmp_path):
    """att/load_error_leak.py: train kept each seed (a SysV message queue, or a file in its own
    folder), a later call ended the worker, the re-load raised with the seeds, and the load error
    showed them in every report, Gradescope's top-level output even with visibility hidden."""
    path = tmp_path / "nn_basics.py"
    path.write_text(f"KEY = {ipc_keys[0]}\n" + LEAK_ATTACK, encoding="utf-8")
    results = grade_submission(path)
    assert results.load_error is None
    reports = [render(results, fmt, lang) for fmt in ("text", "json", "markdown") for lang in ("zh", "en")]
    reports += [json.dumps(to_dict(results, lang, "hidden"), ensure_ascii=False) for lang in ("zh", "en")]
    for report in reports:
        assert "seen" not in report
        for seed in HIDDEN_SEEDS:
            assert seed not in report
    assert not set(ipc_keys) & _host_ipc_keys("msg")


def test_each_restart_loads_the_submission_as_received(privileges, tmp_path):
    """A worker restart begins from the bytes intake read: nothing an earlier worker wrote in
    its folder is there for the next load."""
    path = tmp_path / "nn_basics.py"
    path.write_text(
        textwrap.dedent("""
            import os
            FOUND = sorted(os.listdir("."))

            def note_and_crash(text):
                with open("note.txt", "w") as f:
                    f.write(text)
                os._exit(0)

            def found():
                return FOUND
            """),
        encoding="utf-8",
    )
    with open_submission(path, module="nn_basics") as sub:
        assert sub.call("found") == ["nn_basics.py"]
        with pytest.raises(Exception, match="worker ended"):
            sub.call("note_and_crash", "4242")
        assert sub.call("found") == ["nn_basics.py"]


def test_only_the_first_load_error_is_reported(tmp_path):
    """What a re-load raises (after calls with hidden inputs) is never shown: it is counted."""
    path = tmp_path / "nn_basics.py"
    path.write_text("import os\n\ndef crash():\n    os._exit(0)\n", encoding="utf-8")
    with open_submission(path, module="nn_basics") as sub:
        with pytest.raises(Exception, match="worker ended"):
            sub.call("crash")
        # the code the next worker loads raises (as learner code can, on a re-load only)
        sub._workdir.files["nn_basics.py"] = b"raise RuntimeError('seen 4242')\n"
        with pytest.raises(Exception, match="not defined"):
            sub.call("crash")
        assert sub.load_error is None
        assert sub.reload_errors == 1


# --- notebooks refused before they cost the grader time or memory -------------------------------


def _structural_depth(value):
    if isinstance(value, dict):
        return 1 + max(map(_structural_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_structural_depth, value), default=0)
    return 0


def _random_json(rng, depth=0):
    if depth > 8 or rng.random() < 0.3:
        text = "".join(rng.choice('ab"\\\n[]{},:\u00e9\u4e2d\t/') for _ in range(rng.randint(0, 12)))
        return rng.choice([1, 2.5, None, True, text])
    if rng.random() < 0.5:
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["".join(rng.choice('k"\\[{,') for _ in range(3)) for _ in range(rng.randint(0, 4))]
    return {k: _random_json(rng, depth + 1) for k in keys}


def test_the_linear_scan_measures_valid_json_as_it_nests():
    """Strings (with escaped quotes, brackets, backslashes, raw and escaped) left out; the
    course's notebooks and 2000 random documents."""
    rng = random.Random(18)
    docs = [
        json.loads((KIT / rel).read_bytes()) for rel in ("source/ch01/ch01.ipynb", "release/ch01/ch01.ipynb")
    ]
    docs += [_random_json(rng) for _ in range(2000)]
    for doc in docs:
        for ascii_only in (True, False):
            data = json.dumps(doc, ensure_ascii=ascii_only).encode()
            assert notebook._json_shape(data)[0] == _structural_depth(doc)


def _grade_in_a_fresh_process(path):
    """(the refusal shown, the grader process's peak resident memory in MiB)."""
    code = (
        "import re, sys\n"
        "from autograder.core.grade import grade_submission\n"
        "r = grade_submission(sys.argv[1])\n"
        "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
        "print(int(hwm) // 1024, r.score, r.refused.render('en') if r.refused else None)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=KIT,
        timeout=60,
        capture_output=True,
        text=True,
        check=True,
    )
    peak_mib, score, refused = done.stdout.strip().split(" ", 2)
    assert float(score) == 0
    return refused, int(peak_mib)


NOTEBOOK_BOMBS = {
    # name: (bytes, what the refusal says)
    "quote_bomb": (b'"' + b'\\"' * 100_000, "not valid JSON"),  # 200 KB; 252 s before
    "bracket_mem": (b"[" * (8 << 20) + b"]" * (8 << 20), "more than 64 levels deep"),  # 730 MB before
    "json_mem": (b'{"cells":[' + b"[]," * ((16 << 20) // 3 - 8) + b"[]]}", "more than 1000000 strings"),
}


@pytest.mark.parametrize("name", NOTEBOOK_BOMBS)
def test_a_hostile_notebook_is_refused_cheaply(name, tmp_path):
    """att/quote_bomb.ipynb, bracket_mem.ipynb, json_mem.ipynb: refused with the reason, within
    the 60 s ceiling (in a few seconds: minutes before) and with the grader under 150 MB
    (560-730 MB before; a fresh grader peaks at about 45)."""
    data, reason = NOTEBOOK_BOMBS[name]
    path = tmp_path / "ch01.ipynb"
    path.write_bytes(data)
    refused, peak_mib = _grade_in_a_fresh_process(path)
    assert reason in refused
    assert peak_mib < 150


def test_a_notebook_with_a_large_output_costs_the_grader_little(tmp_path):
    """An honest notebook may carry a plot of megabytes: one long base64 string. The string
    regex kept backtracking state per character: 2 GB in the grader for a 16 MB string."""
    nb = json.loads((KIT / "release" / "ch01" / "ch01.ipynb").read_bytes())
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    image = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo" * (1 << 20)}}
    code["outputs"] = [image]
    path = tmp_path / "ch01.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    refused, peak_mib = _grade_in_a_fresh_process(path)
    assert refused == "None"
    assert peak_mib < 150


def test_an_honest_notebook_is_far_below_the_token_limit():
    data = (KIT / "release" / "ch01" / "ch01.ipynb").read_bytes()
    depth, tokens = notebook._json_shape(data)
    assert depth < notebook.MAX_JSON_DEPTH // 4 and tokens < notebook.MAX_JSON_TOKENS // 100


# --- Gradescope: a folder name that is not UTF-8 ------------------------------------------------


def test_gradescope_grades_a_folder_whose_name_is_not_utf8(tmp_path):
    """att/gradescope_bad_name.sh: the door printed `grading <path>` raw; on a strict UTF-8
    stdout that raised, and a correct solution got the fallback "grader failed" (rc 1)."""
    root = tmp_path / "autograder"
    folder = os.path.join(os.fsencode(root / "submission"), b"\xff")
    os.makedirs(folder)
    with open(os.path.join(folder, b"nn_basics.py"), "w", encoding="utf-8") as f:
        f.write(correct_source())
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8"}
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "gradescope", "--root", str(root), "--lang", "en"],
        cwd=KIT,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    assert b"grading \\udcff/nn_basics.py" in done.stdout
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert data["score"] == data["max_score"] == 100
