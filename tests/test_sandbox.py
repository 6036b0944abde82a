"""The Submission interface of docs/architecture.md, run against the reference solutions."""

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.core.grade import load_rubric
from autograder.core.submission import open_graded
from autograder.sandbox import TestFunction, limits, open_submission, testfns
from autograder.sandbox.errors import LearnerException, Missing, NotImplementedByLearner
from solutions import nn_basics as reference
from tests.fakes import defined

KIT = Path(__file__).resolve().parent.parent
REFERENCE = KIT / "solutions" / "nn_basics.py"


@pytest.fixture(scope="module")
def sub():
    with open_graded(REFERENCE) as s:
        yield s


def test_the_reference_defines_every_contract_function(sub):
    assert sub.load_error is None
    assert defined(sub, list(load_rubric()) + ["not_a_contract_function"]) == set(load_rubric())


def test_the_sandbox_runs_any_module_it_is_told(tmp_path):
    """Nothing of the chapter in the sandbox: the module's name and the folder's file are the caller's."""
    (tmp_path / "geometry.py").write_text(
        "import sys\ndef area(r):\n    return [__name__, sys.modules['geometry'].__file__, 3.0 * r * r]\n"
    )
    (tmp_path / "nn_basics.py").write_text("def area(r):\n    return 0.0\n")
    with open_submission(tmp_path, module="geometry") as s:
        name, file, value = s.call("area", 2.0)
        assert (name, Path(file).name, value) == ("geometry", "geometry.py", 12.0)
    with open_submission(tmp_path, module="geometry", folder_files=("nn_basics.py",)) as s:
        assert s.call("area", 2.0) == 0.0  # that file's code, still run as geometry


def test_values_match_the_reference_computed_in_process(sub):
    x = np.linspace(-1000, 1000, 11)
    for name in ("sigmoid", "tanh", "relu", "elu", "swish", "softmax", "sigmoid_derivative"):
        np.testing.assert_allclose(sub.call(name, x), getattr(reference, name)(x))
    np.testing.assert_allclose(sub.call("leaky_relu", x, alpha=0.2), reference.leaky_relu(x, 0.2))
    params = sub.call("init_params", 2, 3, 1, seed=0)
    assert set(params) == {"Wxh", "bh", "Why", "by"}
    np.testing.assert_array_equal(params["Wxh"], reference.init_params(2, 3, 1, seed=0)["Wxh"])
    cache = sub.call("forward_prop", np.eye(2), params)
    assert isinstance(cache, list) and len(cache) == 4  # a tuple crosses as a list
    assert type(sub.call("cost_function", np.ones((2, 1)), np.zeros((2, 1)))) is float


def test_call_full_returns_arguments_after_the_call(sub):
    x = np.array([0.3, -1.2, 2.0])
    coeffs = {"a": np.array([1.0, 2.0, 3.0]), "b": np.ones(3), "c": np.full(3, 0.5)}
    f = TestFunction("poly_sin", coeffs)
    grad, (f_after, x_after), kwargs = sub.call_full("numerical_gradient", f, x, epsilon=1e-6)
    np.testing.assert_allclose(grad, testfns.poly_sin_gradient(x, **coeffs), rtol=1e-6)
    np.testing.assert_array_equal(x_after, x)  # restored, as the contract asks
    assert isinstance(f_after, TestFunction) and f_after.kind == "poly_sin"
    assert kwargs == {"epsilon": 1e-6}


def test_the_code_is_data_the_grader_holds(tmp_path, sub):
    """What the grader reads of a submission's source (checks/source.py) is the bytes the intake
    read, never a report of the worker."""
    assert sub.module_code == [REFERENCE.read_bytes()] and sub.sibling_code == []
    (tmp_path / "nn_basics.py").write_bytes(b"# -*- coding: gbk -*-\nx = 1\n")
    (tmp_path / "helper.py").write_text("y = 2\n")
    with open_graded(tmp_path) as s:
        assert s.module_code == [b"# -*- coding: gbk -*-\nx = 1\n"] and s.sibling_code == [b"y = 2\n"]
    (tmp_path / "linked.py").symlink_to(REFERENCE)
    with open_graded(tmp_path / "linked.py") as s:  # refused: nothing read
        assert s.module_code == [] and s.sibling_code == []


def test_dict_test_function_reaches_gradient_check(sub):
    params = sub.call("init_params", 2, 3, 1, seed=1)
    coeffs = {
        k: {"a": np.ones_like(v), "b": np.ones_like(v), "c": np.zeros_like(v)} for k, v in params.items()
    }
    grads = testfns.dict_poly_sin_gradient(params, {k: (c["a"], c["b"], c["c"]) for k, c in coeffs.items()})
    assert sub.call("gradient_check", TestFunction("dict_poly_sin", coeffs), params, grads) < 1e-7


def test_errors_of_the_learner_are_told_apart(tmp_path):
    (tmp_path / "nn_basics.py").write_text(
        "import numpy as np\n"
        "def sigmoid(x):\n    raise NotImplementedError()\n"
        "def tanh(x):\n    return np.asarray(x) + undefined_name\n"
        "relu = 3\n"
        "print('hello from the learner')\n"
    )
    with open_graded(tmp_path) as s:  # a folder holding nn_basics.py
        assert defined(s, ["sigmoid", "tanh", "relu", "softmax"]) == {"sigmoid", "tanh"}
        with pytest.raises(NotImplementedByLearner):
            s.call("sigmoid", 0.0)
        with pytest.raises(LearnerException) as info:
            s.call("tanh", 1.0)
        assert info.value.exc_type == "NameError" and "undefined_name" in info.value.message
        with pytest.raises(Missing):
            s.call("relu", 0.0)  # defined, but not callable
        with pytest.raises(Missing):
            s.call("softmax", 0.0)
        assert s.output == "hello from the learner\n"


def test_a_syntax_error_is_a_load_error(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text("def sigmoid(x):\n    return x +\n")
    with open_graded(path) as s:
        assert s.load_error.startswith("line 2: SyntaxError")
        assert defined(s, ["sigmoid"]) == set()


def test_a_missing_submission_is_the_graders_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        with open_graded(tmp_path / "nothing.py"):
            pass
    with pytest.raises(FileNotFoundError):
        with open_graded(tmp_path):  # a folder without nn_basics.py
            pass


def test_the_worker_is_confined(sub):
    info = sub.sandbox_info
    if os.getuid() == 0:
        assert info["uid"] == limits.UID_BASE + sub._worker.pid  # a uid of its own
        assert info["netns"] is True
        assert info["mounts"]["disk_quota"] is True and info["mounts"]["hidepid"] is True
    else:
        assert info["uid"] == os.getuid()
    assert info["landlock_abi"] >= 6, "Landlock missing: filesystem and signal guards are off"
    assert info["seccomp"] is True, "seccomp missing: sockets can be created"


def test_the_temporary_folder_is_removed(tmp_path):
    shutil.copy(REFERENCE, tmp_path / "nn_basics.py")
    with open_graded(tmp_path / "nn_basics.py") as s:
        base = s._workdir.base
        assert base.is_dir()
    assert not base.exists()


def test_opening_is_cheap():
    started = time.monotonic()
    with open_graded(REFERENCE) as s:
        s.call("sigmoid", 0.0)
    assert time.monotonic() - started < 5.0  # a bound, not a benchmark: see bench/


def test_an_unknown_test_function_is_the_graders_error(sub):
    with pytest.raises(ValueError, match="unknown test function kind"):  # in the grader, before any call
        sub.call("numerical_gradient", TestFunction("no_such_kind", {}), np.zeros(2))
    assert sub.call("sigmoid", 0.0) == 0.5


def test_a_submission_dropped_without_close_cleans_up():
    import gc

    from autograder.sandbox import Submission

    sub = Submission(REFERENCE, module="nn_basics")
    base, pid = sub._workdir.base, sub._worker.pid
    del sub
    gc.collect()
    assert not base.exists()
    assert not os.path.exists(f"/proc/{pid}")  # reaped: the worker is gone, not even a zombie


def test_a_zygote_that_dies_is_the_graders_error_not_the_learners():
    """The zygote ends only with its grader. Killed anyway, a worker it forked goes on (its
    grader lives: see the liveness pipe); a worker that ended beside it is a grader fault
    (ZygoteGone, not the learner's WorkerCrashed); the next submission gets a new zygote."""
    import signal

    from autograder.sandbox.process import Zygote, ZygoteGone

    with open_graded(REFERENCE) as s:
        zygote = Zygote.shared()
        zygote.proc.kill()
        zygote.proc.wait()
        assert s.call("sigmoid", 0.0) == 0.5
        supervisor = s._worker.pid
        os.kill(supervisor, signal.SIGKILL)  # what a zygote's end could take with it
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{supervisor}") and time.monotonic() < deadline:
            time.sleep(0.05)  # reaped by init; its learner process dies with it (PDEATHSIG)
        time.sleep(0.2)
        with pytest.raises(ZygoteGone):
            s.call("sigmoid", 0.0)
    with open_graded(REFERENCE) as s:
        assert s.call("sigmoid", 0.0) == 0.5
    assert Zygote.shared() is not zygote
