"""Issue 18, attacks 2 and 6 (the parts that come from the worker's replies): what the learner's
process says about a call is a claim, never fact. The arrays a full call passes live in memory
the grader reads itself (sandbox/arena.py), and a worker that says it could not read a request
the grader checked before sending is the learner's failure, never a grader error."""

from __future__ import annotations

import os

import numpy as np
import pytest

from autograder.checks.common import describe_error
from autograder.core.grade import grade_submission
from autograder.core.submission import open_graded
from autograder.messages import MESSAGES
from autograder.sandbox import TestFunction, protocol
from autograder.sandbox.errors import FROM_STATUS, SubmissionError
from tests.mistakes import correct_source, stub_source, write

# The functions whose "leaves its input unchanged / restores x" checks the attack aimed at.
ATTACKED = ("sigmoid", "forward_prop", "update_params", "numerical_gradient")
PROPERTY_CHECKS = {
    "sigmoid_leaves_input_unchanged",
    "forward_prop_leaves_arguments_unchanged",
    "update_params_leaves_arguments_unchanged",
    "numerical_gradient_restores_x",
}

# Appended to the reference: each attacked function, when the worker calls it (not when another
# function of the module does), zeroes its array arguments in place after computing its value;
# with `FORGE`, it then puts pre-call copies into the worker's own `args` list, which main sent
# back to the grader as "the arguments after the call".
MUTATING = """
import copy as _copy
import sys as _sys

FORGE = {forge}


def _zero(value):
    if isinstance(value, np.ndarray):
        value[...] = 0
    elif isinstance(value, dict):
        for item in value.values():
            _zero(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _zero(item)


def _mutating(fn):
    def wrapper(*args, **kwargs):
        caller = _sys._getframe(1)
        by_worker = "args" in caller.f_locals and caller.f_code.co_name == "serve"
        saved = _copy.deepcopy(caller.f_locals["args"]) if by_worker else None
        value = fn(*args, **kwargs)
        if by_worker:
            _zero(list(args))
            if FORGE:
                caller.f_locals["args"][:] = saved
        return value

    return wrapper


for _name in {attacked}:
    globals()[_name] = _mutating(globals()[_name])
"""


def _mutating_source(forge: bool) -> str:
    return correct_source() + MUTATING.format(forge=forge, attacked=ATTACKED)


def _failed(results) -> set[str]:
    return {t.name for t in results.failed()}


def test_forged_arguments_after_the_call_earn_nothing(tmp_path):
    """Attack 2: on main the forging module kept every "unchanged / restored" point (100 vs 88.5
    for the same mutation without the forgery)."""
    plain = grade_submission(write(tmp_path, "plain", _mutating_source(forge=False)))
    forged = grade_submission(write(tmp_path, "forged", _mutating_source(forge=True)))
    assert _failed(plain) == PROPERTY_CHECKS
    assert _failed(forged) == PROPERTY_CHECKS
    assert forged.score == plain.score < 100
    assert plain.grader_errors == forged.grader_errors == []


EMPTIES_ARGS = """
import sys as _sys


def _emptying(fn):
    def wrapper(*args, **kwargs):
        value = fn(*args, **kwargs)
        caller = _sys._getframe(1)
        if caller.f_code.co_name == "serve":
            caller.f_locals["args"].clear()
            caller.f_locals["kwargs"].clear()
        return value

    return wrapper


for _name in ("sigmoid", "relu", "forward_prop", "backward_prop", "update_params",
              "numerical_gradient", "gradient_check"):
    globals()[_name] = _emptying(globals()[_name])
"""


def test_an_emptied_args_list_is_never_a_grader_error(tmp_path):
    """Attack 6: checks indexed the learner's `args` list; emptied, it raised IndexError in the
    grader. The arguments after a call are now the grader's own structure: correct code that
    empties the worker's list is simply correct."""
    results = grade_submission(write(tmp_path, "empties", correct_source() + EMPTIES_ARGS))
    assert [(t.name, t.feedback.en) for t in results.grader_errors] == []
    assert results.score == 100


ARENA_PROBE = """
import numpy as np
import sys as _sys


def rebinds(x):
    caller = _sys._getframe(1)
    caller.f_locals["args"][0] = np.full(3, 99.0)  # replaces the worker's array object
    x = x * 0  # rebinds the name only
    return 0.0


def writes(x, fill, alpha=0.5, nothing=None):
    x[...] = fill
    caller = _sys._getframe(1)
    caller.f_locals["args"][1] = 123.0
    caller.f_locals["kwargs"]["alpha"] = 7.0
    return 0.0


def restructures(params, cache):
    params["Wxh"][...] = 5.0
    del params["by"]
    params["extra"] = np.zeros(2)
    cache.pop()
    cache.clear()
    return 0.0


def _memory(x):  # the whole memory this process's arguments live in
    return np.frombuffer(x.base if x.base is not None else x, dtype=np.float64)


def marks(x):
    memory = _memory(x)
    memory[len(memory) // 2 :] = 4242.0  # past the slots the next calls' arguments take
    return 0.0


def takes_f(f, x):
    return float(f(x))


def finds_mark(x):
    return bool((_memory(x) == 4242.0).any())


def shrinks(x):  # tries to make the grader's own mapping of the arena fault
    import fcntl
    import os

    outcomes = []
    try:
        x.base.resize(1)
        outcomes.append("done")
    except Exception as exc:
        outcomes.append(type(exc).__name__)
    for fd in range(3, 256):  # the descriptor mmap keeps: the only file here with seals
        try:
            fcntl.fcntl(fd, 1034)  # F_GET_SEALS
        except OSError:
            continue
        for attempt in (
            lambda: os.ftruncate(fd, 0),
            lambda: os.ftruncate(fd, 1 << 30),
            lambda: fcntl.fcntl(fd, 1033, 0x10),  # F_ADD_SEALS, F_SEAL_FUTURE_WRITE: no more writes
        ):
            try:
                attempt()
                outcomes.append("done")
            except OSError:
                outcomes.append("refused")
    return outcomes
"""


@pytest.fixture
def probe(tmp_path):
    write(tmp_path, "nn_basics", ARENA_PROBE)
    return tmp_path / "nn_basics.py"


def test_replaced_array_objects_and_rebound_names_change_nothing_the_grader_reads(probe):
    with open_graded(probe) as sub:
        x = np.array([1.0, 2.0, 3.0])
        _, (after,), kwargs = sub.call_full("rebinds", x)
        np.testing.assert_array_equal(after, x)
        assert kwargs == {}


def test_writes_through_the_views_are_what_the_grader_sees_and_plain_values_are_its_own(probe):
    with open_graded(probe) as sub:
        x = np.array([[1.0, 2.0], [3.0, 4.0]])
        _, (after, fill), kwargs = sub.call_full("writes", x, 8.0, alpha=0.25, nothing=None)
        np.testing.assert_array_equal(after, np.full((2, 2), 8.0))
        np.testing.assert_array_equal(x, [[1.0, 2.0], [3.0, 4.0]])  # the grader's copy is its own
        assert fill == 8.0 and kwargs == {"alpha": 0.25, "nothing": None}


def test_container_structure_is_the_graders_own_only_array_contents_change(probe):
    params = {"Wxh": np.ones((2, 2)), "by": np.ones((1, 1))}
    cache = [np.ones(3), np.full(2, 2.0)]
    with open_graded(probe) as sub:
        _, (params_after, cache_after), _ = sub.call_full("restructures", params, cache)
    assert set(params_after) == {"Wxh", "by"} and len(cache_after) == 2
    np.testing.assert_array_equal(params_after["Wxh"], np.full((2, 2), 5.0))
    np.testing.assert_array_equal(params_after["by"], params["by"])
    np.testing.assert_array_equal(cache_after[1], cache[1])


def test_call_full_passes_test_functions_and_arrays_larger_than_the_arena(probe):
    """A test function after the call is the grader's own object; arrays larger than the arena
    the worker started with are placed too (in a fresh, larger arena)."""
    with open_graded(probe) as sub:
        f = TestFunction("poly_sin", {"a": np.ones(2), "b": np.ones(2), "c": np.ones(2)})
        x = np.array([0.5, -0.5])
        value, (f_after, x_after), _ = sub.call_full("takes_f", f, x)
        assert value == pytest.approx(2 * 0.5**2) and f_after is f
        np.testing.assert_array_equal(x_after, x)
        big = np.arange(600_000, dtype=np.float64)  # 4.8 MB
        _, (big_after, fill), _ = sub.call_full("writes", big, 1.5)
        np.testing.assert_array_equal(big_after, np.full(big.shape, 1.5))
        assert fill == 1.5


def test_the_learner_cannot_shrink_grow_or_seal_the_arena(probe):
    with open_graded(probe) as sub:
        outcomes, _, _ = sub.call_full("shrinks", np.zeros(3))
        assert "done" not in outcomes and "refused" in outcomes, outcomes
        assert os.fstat(sub._arena.fd).st_size == sub._arena.size
        x = np.array([1.0, 2.0])
        _, (after, fill), _ = sub.call_full("writes", x, 3.0)  # the grader still writes and reads it
        np.testing.assert_array_equal(after, [3.0, 3.0])


def test_the_arena_is_private_to_its_submission_and_closed_with_it(probe):
    def arenas():
        return sum("nn-arena" in os.readlink(f"/proc/self/fd/{fd}") for fd in _fds())

    before = arenas()
    with open_graded(probe) as alice, open_graded(probe) as mallory:
        alice.call_full("marks", np.zeros(4))
        assert alice.call_full("finds_mark", np.zeros(4))[0] is True  # alice's own memory
        assert mallory.call_full("finds_mark", np.zeros(4))[0] is False  # no memory of a classmate
        both = arenas()
        mallory.close()
        assert before < arenas() < both
    assert arenas() == before
    with open_graded(probe) as next_learner:  # the next learner of a grade-all slot
        assert next_learner.call_full("finds_mark", np.zeros(4))[0] is False


def _fds():
    for name in os.listdir("/proc/self/fd"):
        try:
            os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        yield name


# --- attack 6: a worker that answers request_error --------------------------------------------

PATCHED_IS_CALL = '\nimport sys\nsys.modules["protocol"].is_call = lambda request: False\n'


@pytest.mark.parametrize("source", [stub_source, correct_source], ids=["stub", "correct"])
def test_a_worker_that_refuses_every_request_scores_zero_without_grader_errors(tmp_path, source):
    """On main the untouched stub with this patch showed 79/79 grader errors."""
    results = grade_submission(write(tmp_path, "refuses", source() + PATCHED_IS_CALL))
    assert [(t.name, t.feedback.en) for t in results.grader_errors] == []
    assert results.score == 0
    assert all(t.feedback.en and t.feedback.zh for t in results.failed())


def test_request_error_is_a_learner_failure_with_a_message_in_both_languages():
    error = FROM_STATUS[protocol.REQUEST_ERROR].from_reply("sigmoid", {"message": "not a call frame"})
    assert isinstance(error, SubmissionError) and error.message_key in MESSAGES
    text = describe_error(error, "sigmoid", "sigmoid(0.5)")
    assert "sigmoid(0.5)" in text.en and "sigmoid(0.5)" in text.zh and "评分程序" in text.zh
