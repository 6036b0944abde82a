"""The hostile corpus in tests/adversarial/: each attack is graded, bounded in time, leaves no
process behind and leaves the kit's tree unchanged."""

import builtins
import hashlib
import os
import resource
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.core.submission import open_graded
from autograder.sandbox import DEFAULT_LIMITS
from autograder.sandbox.errors import (
    BadReturn,
    CallTimeout,
    LearnerException,
    NotImplementedByLearner,
    WorkerCrashed,
)
from tests.fakes import defined

KIT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "adversarial"
AS_ROOT = os.getuid() == 0
BOUND = 15.0  # seconds: generous, an upper bound, not a benchmark
GUARDED_DIRS = [KIT / "solutions", KIT / "autograder" / "sandbox", CORPUS]
# sleep seconds that mark the corpus's forked children, unique per test run and xdist worker
FORK_MARKER = f"4242.{os.getpid()}{time.monotonic_ns() % 10**6:06d}".encode()


def tree_digest():
    digest = hashlib.sha256()
    for folder in GUARDED_DIRS:
        for p in sorted(folder.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                digest.update(str(p).encode() + p.read_bytes())
    for name in ("pwned.txt", "results.json"):
        digest.update(str((KIT / name).exists()).encode())
    return digest.hexdigest()


def appears(needle, within=BOUND / 2):
    """Whether a process whose command line holds `needle` shows up: a child forked before the
    worker answered may not have exec'd `sleep` yet."""
    deadline = time.monotonic() + within
    while not processes_matching(needle):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def processes_matching(needle):
    """Processes whose command line or working folder holds `needle`. A supervisor forked by
    the zygote keeps the zygote's command line; it works in its submission's folder."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            try:
                cwd = os.fsencode(os.readlink(f"/proc/{entry}/cwd"))
            except OSError:
                cwd = b""
            if needle in cmdline or needle in cwd:
                found.append(int(entry))
    return found


@pytest.fixture
def hostile(tmp_path):
    """Grade a corpus file; afterwards assert the bound, no leftover process, the tree intact."""
    state = {}
    before = tree_digest()

    def copy(name, **placeholders):
        text = (
            (CORPUS / name)
            .read_text()
            .replace("__KIT_ROOT__", str(KIT))
            .replace("__SLEEP_MARKER__", FORK_MARKER.decode())
        )
        for key, value in placeholders.items():
            text = text.replace(f"__{key}__", value)
        target = tmp_path / "nn_basics.py"
        target.write_text(text)
        state["started"] = time.monotonic()
        return target

    def opened(sub):
        state["base"] = str(sub._workdir.base).encode()
        return sub

    yield copy, opened
    assert time.monotonic() - state["started"] < BOUND
    assert processes_matching(state["base"]) == [], "a worker process outlived grading"
    assert processes_matching(FORK_MARKER) == [], "a learner's child outlived grading"
    assert tree_digest() == before, "the kit's tree changed"
    assert not Path("/tmp/nn-sandbox-escape-marker.txt").exists()


def test_sys_exit_at_import_is_a_load_error(hostile):
    copy, opened = hostile
    with open_graded(copy("exit_at_import_sys.py")) as sub:
        opened(sub)
        assert "SystemExit" in sub.load_error
        # what was defined before the exit stays callable, like a module that raised
        assert sub.call("sigmoid", 0.0) == 0.5


def test_os_exit_at_import_fails_every_call_fast(hostile):
    copy, opened = hostile
    with open_graded(copy("exit_at_import_os.py")) as sub:
        opened(sub)
        assert "exit code 0" in sub.load_error
        assert defined(sub, ["sigmoid"]) == set()
        started = time.monotonic()
        with pytest.raises(WorkerCrashed):
            sub.call("sigmoid", 0.0)
        assert time.monotonic() - started < 1.0  # no re-load of code that cannot load


def test_hang_at_import_times_out_and_every_call_fails_fast(hostile):
    copy, opened = hostile
    with open_graded(copy("hang_at_import.py"), load_timeout=2) as sub:
        opened(sub)
        assert "loading the code did not finish" in sub.load_error
        started = time.monotonic()
        with pytest.raises(CallTimeout):
            sub.call("sigmoid", 0.0)
        assert time.monotonic() - started < 1.0


def test_hang_in_one_function_fails_that_call_only(hostile):
    copy, opened = hostile
    with open_graded(copy("hang_in_function.py"), call_timeout=1) as sub:
        opened(sub)
        with pytest.raises(CallTimeout):
            sub.call("sigmoid", 0.0)
        with pytest.raises(CallTimeout):
            sub.call("tanh", 0.0, timeout=0.5)
        np.testing.assert_array_equal(sub.call("relu", np.array([-1.0, 2.0])), [0.0, 2.0])


def test_total_budget_makes_further_calls_fail_fast(hostile):
    copy, opened = hostile
    with open_graded(copy("hang_in_function.py"), call_timeout=1, budget=2.5) as sub:
        opened(sub)
        for _ in range(3):
            with pytest.raises(CallTimeout):
                sub.call("sigmoid", 0.0)
        started = time.monotonic()
        with pytest.raises(CallTimeout):
            sub.call("relu", 1.0)
        assert time.monotonic() - started < 0.5


@pytest.mark.parametrize(
    "name, exc_type",
    [("sigmoid", "KeyboardInterrupt"), ("tanh", "SystemExit"), ("relu", "Escape"), ("elu", "GeneratorExit")],
)
def test_base_exceptions_fail_that_call_and_the_worker_survives(hostile, name, exc_type):
    copy, opened = hostile
    with open_graded(copy("base_exceptions.py")) as sub:
        opened(sub)
        pid = sub.call("leaky_relu", 0.0)
        with pytest.raises(LearnerException) as info:
            sub.call(name, 0.0)
        assert info.value.exc_type == exc_type
        assert sub.call("leaky_relu", 0.0) == pid  # the same worker answers


def test_exit_inside_a_call_crashes_that_call_only(hostile):
    copy, opened = hostile
    with open_graded(copy("base_exceptions.py")) as sub:
        opened(sub)
        loaded_as = sub.call("leaky_relu", 0.0)
        with pytest.raises(WorkerCrashed, match="exit code 3"):
            sub.call("swish", 0.0)
        assert sub.call("leaky_relu", 0.0) != loaded_as  # a fresh worker re-loaded the code
        with pytest.raises(NotImplementedByLearner):
            sub.call("softmax", np.zeros(3))


def test_learner_cannot_signal_its_supervisor_or_the_grader(hostile):
    copy, opened = hostile
    with open_graded(copy("kill_parent.py", GRADER_PID=str(os.getpid()))) as sub:
        opened(sub)
        assert sub.load_error is None
        results = sub.call("sigmoid", 0.0)
    # reaching this line means the grader (this process) survived; each signal was refused:
    # PermissionError (another uid, or Landlock's signal scope), or, as root, ProcessLookupError:
    # in the learner's own pid namespace the grader's pid names no process at all
    refused = {"PermissionError", "ProcessLookupError"} if AS_ROOT else {"PermissionError"}
    for when in ("import", "call"):
        assert set(results[when].values()) <= refused and len(results[when]) == 6, results


def test_children_daemons_and_fork_bombs_do_not_outlive_grading(hostile):
    copy, opened = hostile
    with open_graded(copy("fork_lingering.py")) as sub:
        opened(sub)
        # the daemon and the child started at import (within the process limit, always)
        assert appears(FORK_MARKER), "the attack did not even start its children"
        # A fork that fails inside one of the learner's own children leaves that child running
        # the learner's code too, answering on the same pipe: a second reply, or a second
        # "loaded" frame, read by the next call as a broken protocol (BadReturn). Which process
        # hits RLIMIT_NPROC first is up to the scheduler; every outcome is the learner's own loss.
        try:
            assert sub.call("sigmoid", 0.0) == 1.0
        except LearnerException as exc:  # RLIMIT_NPROC stopped its forks first
            assert exc.exc_type == "BlockingIOError"
        except BadReturn:
            pass
        try:
            started = sub.call("relu", 0.0)
        except (LearnerException, BadReturn):
            started = 0
        if AS_ROOT:  # RLIMIT_NPROC of the worker's own uid; the sleepers above count too
            assert started < DEFAULT_LIMITS["max_processes"]
        # (a reply from a clone can make relu's call a BadReturn that restarts the worker, so
        # whether sleepers are alive here depends on timing: counted before the calls instead)
    # the fixture asserts that none of them is left


@pytest.mark.skipif(not AS_ROOT, reason="a pid namespace of its own needs root")
def test_a_killed_supervisor_takes_every_learner_process_with_it(hostile):
    """The supervisor's tree walk cannot run when the supervisor itself is SIGKILLed; the
    learner's pid namespace ends with it anyway, setsid'd daemons included."""
    import signal

    copy, opened = hostile
    with open_graded(copy("fork_lingering.py")) as sub:
        opened(sub)
        assert sub.sandbox_info["pid_namespace"] is True
        assert appears(FORK_MARKER), "the attack did not even start its children"
        os.kill(sub._worker.pid, signal.SIGKILL)
        deadline = time.monotonic() + BOUND / 2
        while processes_matching(FORK_MARKER) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_matching(FORK_MARKER) == []


def test_flooding_output_is_capped_without_deadlock(hostile):
    copy, opened = hostile
    with open_graded(copy("flood_output.py")) as sub:
        opened(sub)
        assert sub.load_error is None
        assert sub.call("sigmoid", 0.0) == 0.5
        assert len(sub.output) < 70_000
        assert sub.output.startswith("x" * 100)
        assert "truncated" in sub.output


def denied(outcome: str) -> bool:
    """Whether the worker's open or listing failed with an OSError, whichever errno: Landlock
    answers EACCES, but as root a kit under a folder the worker's uid cannot enter (mode 0700,
    as `mktemp -d` and home folders are) is covered in the worker's mounts, so ENOENT."""
    error = getattr(builtins, outcome, None)
    return isinstance(error, type) and issubclass(error, OSError)


def test_writes_outside_its_own_folder_are_denied(hostile):
    copy, opened = hostile
    with open_graded(copy("write_files.py")) as sub:
        opened(sub)
        results = sub.call("sigmoid", 0.0)
    for when in ("import", "call"):
        assert results[when].pop("own_file.txt") == "written", when
        for path, outcome in results[when].items():
            assert denied(outcome), (when, path, outcome)
    assert not (KIT / ".venv" / "lib" / "pwned.txt").exists()  # the fixture checks the rest


def test_reference_and_grader_cannot_be_read_or_imported(hostile):
    copy, opened = hostile
    with open_graded(copy("read_reference.py")) as sub:
        opened(sub)
        results = sub.call("sigmoid", 0.0)
    for attempt in ("read solutions", "read checks", "read runtime copy", "list kit", "list tmp"):
        assert denied(results[attempt]), (attempt, results[attempt])
    assert results["import solutions"] in ("ModuleNotFoundError", "PermissionError")
    assert results["import autograder"] in ("ModuleNotFoundError", "PermissionError")


def test_monkeypatching_numpy_cannot_reach_the_grader(hostile):
    copy, opened = hostile
    with open_graded(copy("monkeypatch_numpy.py")) as sub:
        opened(sub)
        value = sub.call("sigmoid", np.array([0.0, 1.0]))
    assert not np.isclose(0.0, 1.0)
    assert not np.allclose(value, [0.5, 0.7310585786300049])
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(value, [0.5, 0.7310585786300049])


def test_printed_or_written_fake_results_are_only_quoted_output(hostile):
    copy, opened = hostile
    with open_graded(copy("fake_results.py")) as sub:
        opened(sub)
        assert sub.call("sigmoid", 0.0) == 0.0
        assert "23 passed" in sub.output and "100/100" in sub.output
    assert not (KIT / "results.json").exists()


def test_a_memory_hog_fails_alone(hostile):
    copy, opened = hostile
    with open_graded(copy("memory_hog.py"), call_timeout=10) as sub:
        opened(sub)
        with pytest.raises(LearnerException) as info:
            sub.call("sigmoid", 0.0)
        assert info.value.exc_type == "MemoryError"
        with pytest.raises((LearnerException, WorkerCrashed)):
            sub.call("tanh", 0.0)
        np.testing.assert_array_equal(sub.call("relu", np.array([-1.0])), [0.0])
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1024 * 1024  # KiB: < 1 GB


def test_no_network(hostile):
    copy, opened = hostile
    with open_graded(copy("network.py")) as sub:
        opened(sub)
        assert sub.load_error is None  # the attack itself ran
        results = sub.call("sigmoid", 0.0)
    assert "ok" not in results.values(), results


def test_environment_is_scrubbed_and_the_graders_unreadable(hostile, monkeypatch):
    monkeypatch.setenv("NN_KIT_SECRET_TOKEN", "hunter2")
    copy, opened = hostile
    with open_graded(copy("env_leak.py", GRADER_PID=str(os.getpid()))) as sub:
        opened(sub)
        results = sub.call("sigmoid", 0.0)
    assert "NN_KIT_SECRET_TOKEN" not in results["own"]
    assert set(results["own"]) <= {
        "PATH",
        "LANG",
        "LC_ALL",
        "HOME",
        "TMPDIR",
        "MPLBACKEND",
        "MPLCONFIGDIR",
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "LC_CTYPE",
    }
    # PermissionError: Landlock; FileNotFoundError: hidden by the worker's own /proc (as root)
    assert results["grader"] in ("PermissionError", "FileNotFoundError")
    assert results["supervisor"] in ("PermissionError", "FileNotFoundError")


@pytest.mark.parametrize(
    "name", ["sigmoid", "tanh", "relu", "elu", "swish", "softmax", "leaky_relu", "relu_derivative"]
)
def test_objects_that_are_not_plain_data_are_bad_returns(hostile, name):
    copy, opened = hostile
    with open_graded(copy("bad_returns.py")) as sub:
        opened(sub)
        if name == "elu":  # a float subclass arrives as a plain float, its __eq__ left behind
            value = sub.call(name, 0.0)
            assert type(value) is float and value == 0.25 and value != 0.3
            return
        with pytest.raises(BadReturn):
            sub.call(name, 0.0)


def test_in_place_mutation_is_visible_to_the_grader(hostile):
    copy, opened = hostile
    from autograder.sandbox import TestFunction

    with open_graded(copy("mutates_args.py")) as sub:
        opened(sub)
        x = np.array([1.0, 2.0])
        _, args, _ = sub.call_full("sigmoid", x)
        np.testing.assert_array_equal(args[0], [0.0, 0.0])
        np.testing.assert_array_equal(x, [1.0, 2.0])  # the grader's own copy is untouched
        f = TestFunction("poly_sin", {"a": x, "b": x, "c": x})
        _, (f_after, x_after), _ = sub.call_full("numerical_gradient", f, x)
        assert (f_after.kind, f_after.data.keys()) == (f.kind, f.data.keys())
        assert not np.array_equal(x_after, x)  # x was not restored, and the grader can tell


def test_a_live_grader_closing_a_busy_worker_keeps_its_folder(hostile):
    """The grader's word on the liveness pipe tells its close from its death: a supervisor that
    took the close of that pipe for death would remove the folder the grader still uses (it
    restarts workers there)."""
    import signal
    import threading

    copy, opened = hostile
    with open_graded(copy("hang_in_function.py")) as sub:
        opened(sub)
        worker = sub._worker
        ended = []
        call = threading.Thread(
            target=lambda: ended.append(
                pytest.raises(WorkerCrashed, sub.call, "sigmoid", 0.0, timeout=BOUND / 2)
            )
        )
        call.start()
        time.sleep(0.5)  # the learner process is busy in sigmoid's endless loop
        os.write(worker.alive_w, b"c")  # what WorkerProcess.close says first
        os.close(worker.alive_w)
        worker.alive_w = None
        time.sleep(1.0)  # five times the supervisor's polling interval
        assert (sub._workdir.base / "rt").is_dir(), "the supervisor removed a live grader's folder"
        assert worker._wait(0) is None  # the supervisor runs on
        os.kill(worker.pid, signal.SIGTERM)
        call.join()
        assert ended


def test_nothing_outlives_a_grader_that_is_killed(tmp_path):
    """The zygote ends with its grader; the supervisor sees the grader die (its liveness pipe
    closes without the grader's word), kills the
    learner's whole tree and removes the temporary folder the dead grader can no longer remove."""
    import signal
    import subprocess
    import sys

    text = (CORPUS / "fork_lingering.py").read_text().replace("__SLEEP_MARKER__", FORK_MARKER.decode())
    (tmp_path / "nn_basics.py").write_text(text)
    grader = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, signal, sys\n"
            "from autograder.sandbox import Submission\n"
            f"sub = Submission({str(tmp_path)!r}, module='nn_basics')\n"
            # a call that forks no more: in sigmoid, a fork failing inside a forked child makes a
            # second reply, a protocol error after which the grader itself stops the worker
            "try:\n"
            "    sub.call('tanh', 0.0)\n"
            "except Exception:  # not defined\n"
            "    pass\n"
            "import time\n"
            "def started():\n"
            "    for p in os.listdir('/proc'):\n"
            "        try:\n"
            f"            if p.isdigit() and {FORK_MARKER!r} in open(f'/proc/{{p}}/cmdline', 'rb').read():\n"
            "                return True\n"
            "        except OSError:\n"
            "            pass\n"
            "end = time.monotonic() + 10\n"
            "while not started():\n"
            "    if time.monotonic() > end:\n"
            "        sys.exit(3)  # the attack did not even start its children\n"
            "    time.sleep(0.02)\n"
            "from autograder.sandbox.process import Zygote\n"
            "from tests.test_sandbox_adversarial import processes_matching\n"
            "seen = bool(processes_matching(str(sub._workdir.base).encode()))\n"
            "print(sub._workdir.base, Zygote.shared().base, seen, flush=True)\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n",
        ],
        cwd=KIT,
        capture_output=True,
        text=True,
        timeout=BOUND,
    )
    assert grader.returncode == -signal.SIGKILL
    base, zygote, seen = (part.encode() for part in grader.stdout.split())
    assert seen == b"True", "no supervisor was found while the grader lived"
    deadline = time.monotonic() + 5
    while (
        processes_matching(base) or processes_matching(FORK_MARKER) or processes_matching(zygote)
    ) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_matching(base) == [] and processes_matching(FORK_MARKER) == []
    assert processes_matching(zygote) == [], "the zygote outlived its grader"
    while (Path(base.decode()).exists() or Path(zygote.decode()).exists()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(base.decode()).exists(), "the supervisor did not remove the orphaned folder"
    assert not Path(zygote.decode()).exists(), "the zygote did not remove its folder"


def test_forged_protocol_frames_are_protocol_errors_not_grader_crashes(hostile):
    copy, opened = hostile
    with open_graded(copy("forge_replies.py")) as sub:
        opened(sub)
        assert "broke protocol" in sub.load_error  # the malformed "loaded" came first
        with pytest.raises(WorkerCrashed):
            sub.call("sigmoid", 0.0)


def test_a_reply_forged_ahead_of_the_real_one_is_a_bad_return(hostile):
    copy, opened = hostile
    with open_graded(copy("forge_extra_reply.py")) as sub:
        opened(sub)
        with pytest.raises(BadReturn, match="broke protocol"):
            sub.call("sigmoid", 0.0)
        assert sub.call("relu", 0.0) == 0.0  # a fresh worker: no stale frame is left to read


def test_cleanup_removes_a_booby_trapped_folder_without_following_links(hostile, tmp_path):
    copy, opened = hostile
    target = tmp_path / "graders_file.txt"
    target.write_text("keep me")
    target.chmod(0o600)
    with open_graded(copy("cleanup_traps.py", TARGET=str(target))) as sub:
        opened(sub)
        assert sub.load_error is None  # the traps were set
        base = sub._workdir.base
    assert not base.exists()
    assert target.read_text() == "keep me" and (target.stat().st_mode & 0o777) == 0o600


# --- issue 10: budgets that hold together, no way out through sockets ---------------------------


def test_a_disk_filler_is_stopped_at_its_quota(hostile):
    copy, opened = hostile
    quota = DEFAULT_LIMITS["disk_bytes"]
    with open_graded(copy("disk_filler.py")) as sub:
        opened(sub)
        try:
            written = sub.call("sigmoid", 0.0)
        except WorkerCrashed as exc:  # the watchdog (not root): killed past the quota
            assert "disk quota" in str(exc)
        else:  # the tmpfs (root): writes fail with ENOSPC at the quota
            assert written["import"] + written["call"] <= quota
            assert sub.sandbox_info["mounts"]["disk_quota"] is True
    # the fixture asserts the kit's tree is unchanged; what it wrote went with its folder


class _Listeners:
    """A pathname and an abstract UNIX socket, TCP and UDP on the loopback; what they receive."""

    def __init__(self, tmp_path):
        import socket
        import threading

        tmp_path.chmod(0o755)
        self.path = str(tmp_path / "host.sock")
        self.abstract = f"nn-kit-test-{os.getpid()}-{time.monotonic_ns()}"
        self.received = []
        self.servers = []
        for family, kind, address in [
            (socket.AF_UNIX, socket.SOCK_STREAM, self.path),
            (socket.AF_UNIX, socket.SOCK_STREAM, "\0" + self.abstract),
            (socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", 0)),
            (socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", 0)),
        ]:
            s = socket.socket(family, kind)
            s.bind(address)
            if kind == socket.SOCK_STREAM:
                s.listen()
            s.settimeout(0.2)
            self.servers.append(s)
        os.chmod(self.path, 0o777)  # anyone may connect: only the sandbox stands in the way
        self.tcp_port = self.servers[2].getsockname()[1]
        self.udp_port = self.servers[3].getsockname()[1]
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        import socket

        while not self._stop:
            for s in self.servers:
                try:
                    if s.type == socket.SOCK_DGRAM:
                        self.received.append(s.recv(100))
                    else:
                        conn, _ = s.accept()
                        conn.settimeout(1)
                        self.received.append(conn.recv(100) or b"connected")
                        conn.close()
                except OSError:
                    pass

    def placeholders(self):
        return {
            "UNIX_PATH": self.path,
            "ABSTRACT": self.abstract,
            "TCP_PORT": str(self.tcp_port),
            "UDP_PORT": str(self.udp_port),
        }

    def close(self):
        time.sleep(0.5)
        self._stop = True
        self._thread.join()
        for s in self.servers:
            s.close()


@pytest.fixture
def listeners(tmp_path_factory):
    found = _Listeners(tmp_path_factory.mktemp("host"))
    yield found
    found.close()


def test_no_socket_reaches_the_host(hostile, listeners):
    copy, opened = hostile
    with open_graded(copy("sockets.py", **listeners.placeholders())) as sub:
        opened(sub)
        assert sub.load_error is None
        results = sub.call("sigmoid", 0.0)
    for when in ("import", "call"):
        assert set(results[when].values()) == {"PermissionError"}, results  # seccomp: no socket at all
    listeners.close()
    assert listeners.received == []


def test_the_socket_attack_works_where_nothing_confines_it(listeners, tmp_path):
    """The attack above is real: unconfined, each of its four connections arrives."""
    import subprocess
    import sys

    text = (CORPUS / "sockets.py").read_text()
    for key, value in listeners.placeholders().items():
        text = text.replace(f"__{key}__", value)
    (tmp_path / "attack.py").write_text(text)
    done = subprocess.run(
        [sys.executable, "-c", "import attack; print(attack.sigmoid(0))"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=BOUND,
        check=True,
    )
    assert done.stdout.count("'ok'") == 8, done.stdout
    listeners.close()
    assert listeners.received.count(b"pwned") == 8


def test_a_reply_frame_past_the_cap_is_refused_before_it_is_read(hostile):
    """The learner writes its own frames: the grader reads the 4-byte length and stops."""
    copy, opened = hostile
    path = copy("reply_amplifier.py")
    with open_graded(path) as sub:
        opened(sub)
        with pytest.raises(BadReturn, match="over the limit"):
            sub.call("sigmoid", 0.0)
        with pytest.raises(BadReturn):  # decoded (under the cap), then not the reply asked for
            sub.call("tanh", 0.0)


def test_the_graders_peak_memory_under_the_amplifier(tmp_path):
    """Measured in a fresh grader process (this one's peak holds everything pytest did), as
    VmHWM: ru_maxrss would keep the forking parent's peak across exec."""
    import subprocess
    import sys

    path = tmp_path / "nn_basics.py"
    path.write_text((CORPUS / "reply_amplifier.py").read_text())
    code = (
        "import resource\nfrom autograder.core.submission import open_graded\n"
        f"with open_graded({str(path)!r}) as sub:\n"
        "    for name in ('sigmoid', 'tanh', 'sigmoid', 'tanh'):\n"
        "        try:\n"
        "            sub.call(name, 0.0)\n"
        "        except Exception:\n"
        "            pass\n"
        "import re\n"
        "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=KIT, capture_output=True, text=True, timeout=120, check=True
    )
    assert int(done.stdout.split()[-1]) < 200 * 1024  # KiB


def test_memory_is_capped_for_the_whole_process_tree(hostile):
    copy, opened = hostile
    with open_graded(copy("memory_tree.py"), call_timeout=15) as sub:
        opened(sub)
        result = sub.call("sigmoid", 0.0, timeout=15)
    # each holder has 400 MB resident; the learner process itself ~100 MB
    held_bytes = result["holding"] * 400 << 20
    budget = DEFAULT_LIMITS["memory_bytes"] * DEFAULT_LIMITS["max_processes"]
    assert held_bytes < budget, result
    if AS_ROOT:  # its own uid: the process count is the submission's alone
        assert result["children"] < DEFAULT_LIMITS["max_processes"]


def test_workers_cannot_see_each_other(hostile, tmp_path):
    """Two submissions graded at once: the spy sees no process of the other, nor the grader."""
    copy, opened = hostile
    import shutil

    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(KIT / "solutions" / "nn_basics.py", other / "nn_basics.py")
    with open_graded(other) as neighbour, open_graded(copy("spy.py")) as sub:
        opened(sub)
        seen = sub.call("sigmoid", 0.0)
        neighbour_base = str(neighbour._workdir.base)
        assert neighbour.sandbox_info["uid"] != seen["uid"] or not AS_ROOT
    if AS_ROOT:  # hidepid in the worker's own /proc: only its own uid's processes exist
        assert str(os.getpid()) not in seen["pids"]
        assert not any(neighbour_base in c for c in seen["cmdlines"])
    else:  # one uid for all: /proc/<pid>/cmdline is world-readable; Landlock keeps their files
        assert seen["uid"] == os.getuid()
