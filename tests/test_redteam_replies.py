"""What a learner's process sends back is a claim (issue 18, attacks 5, 6 and 13): a frame that
does not decode, a reply that does not match the contract's shapes, a start that cannot learn,
or a message that carries the hidden inputs back into the feedback. Each is the learner's own
failure, graded with a plain message: never a grader error, a crash or a leak.

The decoder fuzz runs FUZZ_EXAMPLES generated frames per strategy (a few hundred in the normal
suite; `make fuzz` runs over 100,000 in all) and accepts only CodecError."""

from __future__ import annotations

import base64
import json
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.sandbox import TestFunction, codec
from autograder.sandbox.codec import CodecError

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the checkout
    derandomize=FUZZ_EXAMPLES <= 1000,  # the same frames on every run of the suite; make fuzz explores
    suppress_health_check=list(HealthCheck),
)
FRAMES = {"frames": 0, "refused": 0}  # what make fuzz reports: frames fed, frames refused


def read_as_the_grader_does(payload: bytes) -> None:
    """The grader's reading of a frame (Submission._exchange): loads, test functions as data. Any
    exception but CodecError fails the test; the worker's direction (no test functions) too."""
    FRAMES["frames"] += 1
    for testfn in (TestFunction, None):
        try:
            codec.loads(payload, testfn=testfn, limit=codec.MAX_REPLY_BYTES)
        except CodecError:
            FRAMES["refused"] += testfn is None


# --- strategies: the frame format, honest and not ---------------------------------------------

LENGTHS = st.one_of(
    st.integers(0, 4), st.integers(-3, -1), st.sampled_from([2**31, 2**32, 2**63, 2**64, 10**30])
)
DTYPES = st.one_of(
    st.sampled_from(["<f8", ">f8", "|b1", "<i8", "|u1", "<f2", "<f16", "O", "<c16", "V8", "M8", "U3"]),
    st.sampled_from(["i4,i4", "(2,)f8", "S", "", "f", "b", "?", "<M8[D]", "float64", "int"]),
    st.text(alphabet="0123456789:<>|=fiubcSUMVOa,()[] ", max_size=6),  # numpy's dtype grammar
    st.text(max_size=9),
    st.integers(),
    st.none(),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),  # any unicode, lone surrogates included
)


def array_specs():
    """An array's spec as the codec writes it, with every field drawn from honest and hostile
    values; every field present (the likelier way past the first checks), or any of them."""
    fields = {
        "dtype": DTYPES,
        "shape": st.one_of(
            st.lists(LENGTHS, max_size=3), st.lists(LENGTHS, max_size=40), st.integers(), st.text(max_size=3)
        ),
        "data": st.one_of(
            st.just(""),
            st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode()),
            st.text(max_size=20),
        ),
    }
    scalar = {"scalar": st.one_of(st.booleans(), st.none(), st.integers())}
    return st.one_of(
        st.fixed_dictionaries(fields, optional=scalar), st.fixed_dictionaries({}, optional=fields | scalar)
    ).map(lambda spec: {codec.ARRAY_TAG: spec})


def function_specs(children):
    spec = st.one_of(
        st.fixed_dictionaries({"kind": st.text(max_size=10)}, optional={"data": children}), children
    )
    return spec.map(lambda s: {codec.TESTFN_TAG: s})


def trees():
    keys = st.one_of(st.text(max_size=8), st.sampled_from([codec.ARRAY_TAG, codec.TESTFN_TAG, "id"]))
    return st.recursive(
        st.one_of(SCALARS, array_specs()),
        lambda children: st.one_of(
            st.lists(children, max_size=6),
            st.dictionaries(keys, children, max_size=5),
            function_specs(children),
        ),
        max_leaves=30,
    )


def honest_values():
    arrays = st.builds(
        lambda shape, dtype: (np.arange(int(np.prod(shape))) % 7).astype(dtype).reshape(shape),
        st.lists(st.integers(0, 3), max_size=3).map(tuple),
        st.sampled_from(["float64", "int64", "bool", "uint8", "float32"]),
    )
    return st.recursive(
        st.one_of(st.floats(), st.integers(), st.none(), st.text(max_size=5), arrays),
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(st.text(max_size=4), children, max_size=4)
        ),
        max_leaves=12,
    )


def mutations(payload: bytes):
    """payload with bytes flipped, cut, repeated or spliced in: valid frames made invalid."""
    size = len(payload)
    return st.one_of(
        st.integers(0, size).map(lambda n: payload[:n]),
        st.tuples(st.integers(0, max(size - 1, 0)), st.integers(0, 255)).map(
            lambda m: payload[: m[0]] + bytes([m[1]]) + payload[m[0] + 1 :]
        ),
        st.tuples(st.integers(0, size), st.binary(max_size=8)).map(
            lambda m: payload[: m[0]] + m[1] + payload[m[0] :]
        ),
        st.tuples(st.integers(0, size), st.integers(0, size)).map(
            lambda m: payload[: min(m)] + payload[max(m) :] + payload[min(m) : max(m)]
        ),
    )


HONEST_VALUES = honest_values()


@FUZZ
@given(st.data())
def test_fuzz_mutated_valid_frames_raise_only_codec_error(data):
    value = data.draw(HONEST_VALUES)
    payload = codec.dumps({"id": "r", "status": "ok", "value": value})
    read_as_the_grader_does(payload)
    for _ in range(4):
        read_as_the_grader_does(data.draw(mutations(payload)))


@FUZZ
@given(trees())
def test_fuzz_generated_structures_raise_only_codec_error(tree):
    read_as_the_grader_does(json.dumps({"id": "r", "status": "ok", "value": tree}).encode())
    read_as_the_grader_does(json.dumps(tree).encode())


@FUZZ
@given(array_specs(), st.integers(0, 3))
def test_fuzz_array_specs_raise_only_codec_error(spec, depth):
    """Arrays are where numpy rebuilds what the frame claims: fuzzed alone, and nested."""
    for _ in range(depth):
        spec = [spec]
    read_as_the_grader_does(json.dumps({"id": "r", "status": "ok", "value": spec}).encode())


@FUZZ
@given(st.binary(max_size=200))
def test_fuzz_raw_bytes_raise_only_codec_error(raw):
    read_as_the_grader_does(raw)
    read_as_the_grader_does(b'{"value": ' + raw + b"}")


def test_fuzz_report(capsys):
    """Printed by `make fuzz` (pytest -s): how many frames the strategies above fed the decoder."""
    with capsys.disabled():
        print(f"\nfuzzed frames: {FRAMES['frames']} ({FRAMES['refused']} refused with CodecError)")


@pytest.mark.parametrize(
    "spec",
    [
        {"dtype": "<f8", "shape": [0, 2**63], "data": "", "scalar": False},  # the red team's frame
        {"dtype": "<f8", "shape": [0] + [2**20] * 4, "data": "", "scalar": False},  # too big a product
        {"dtype": "<f8", "shape": [0, -1], "data": ""},
        {"dtype": "i4,i4", "shape": [], "data": ""},
        {"dtype": "\x00", "shape": [], "data": ""},
        {"dtype": "<f8", "shape": [1], "data": "é"},
    ],
)
def test_an_array_numpy_cannot_build_is_a_codec_error(spec):
    payload = json.dumps({"value": {codec.ARRAY_TAG: spec}}).encode()
    with pytest.raises(CodecError):
        codec.loads(payload)


def test_a_test_function_builder_that_raises_is_a_codec_error():
    def builder(kind, data):
        raise KeyError(kind)

    with pytest.raises(CodecError):
        codec.loads(json.dumps({codec.TESTFN_TAG: {"kind": "nope"}}).encode(), testfn=builder)


# --- attack 6: a load frame that does not decode -------------------------------------------------

FORGED_LOAD_FRAME = """
import json, os, struct, sys

def _forge():
    frame = sys._getframe()
    while frame.f_code.co_name != "learner_process":
        frame = frame.f_back
    cfg, fd = frame.f_locals["cfg"], frame.f_locals["resp_fd"]
    empty = {"__ndarray__": {"dtype": "<f8", "shape": [0, 2 ** 63], "data": "", "scalar": False}}
    body = json.dumps({"op": "load", "id": cfg["load_id"], "status": "loaded", "load_error": None,
                       "sandbox": {"x": empty}}).encode()
    os.write(fd, struct.pack(">I", len(body)) + body)

_forge()
"""


def test_a_load_frame_that_does_not_decode_is_a_load_failure_with_a_report(tmp_path, capsys):
    """The red team's frame made `grade` exit 1 with a traceback and no report."""
    from tests.cli_in_process import run_cli
    from tests.mistakes import stub_source

    submission = tmp_path / "nn_basics.py"
    submission.write_text(stub_source() + FORGED_LOAD_FRAME, encoding="utf-8")
    report = tmp_path / "report.json"
    done = run_cli(capsys, "grade", submission, "--format", "json", "--output", report)
    assert done.returncode == 0, done.stderr
    results = json.loads(report.read_text(encoding="utf-8"))
    assert results["score"] == 0
    assert not [test for test in results["tests"] if test.get("status") == "error"]
    assert all(test["output"] for test in results["tests"])


# --- "malformed is the learner's": replies that do not match the contract's shapes --------------

MALFORMED = {
    "0-d array": "np.array(1.0)",
    "dict": "{'a': 1}",
    "str": "'text'",
    "None": "None",
    "ragged list": "[[1.0], [1.0, 2.0]]",
    "3-tuple": "(1, 2, 3)",
    "list of None": "[None, None]",
    "dict of str": "{'Wxh': 'x', 'bh': 'x', 'Why': 'x', 'by': 'x'}",
    "empty array": "np.zeros((0,))",
    "huge int": "10 ** 400",
    "nan": "float('nan')",
    "bool array": "np.ones((4, 1), dtype=bool)",
}
# (function, where the malformed value goes in its reply): the whole reply, or one position of it
POSITIONS = {
    "train": ["", "[0]", "[1]", "[0]['Wxh']", "[0]['by']", "[1][0]"],
    "init_params": ["", "['Wxh']", "['bh']"],
    "forward_prop": ["", "[0]", "[3]"],
    "backward_prop": ["", "['Why']"],
    "update_params": ["", "['bh']"],
    "cost_function": [""],
    "predict": [""],
    "sigmoid": [""],
    "softmax": [""],
    "numerical_gradient": [""],
    "relative_error": [""],
    "gradient_check": [""],
}


def malformed_source(function: str, position: str, value: str) -> str:
    """The reference, with `function`'s reply (or the part at `position`) replaced by `value`."""
    from tests.mistakes import reference_source

    return reference_source() + (
        f"\n\n_honest_{function} = {function}\n\n"
        f"def {function}(*args, **kwargs):\n"
        f"    if {not position!r}:\n"
        f"        return {value}\n"
        f"    reply = _honest_{function}(*args, **kwargs)\n"
        f"    reply = list(reply) if isinstance(reply, tuple) else reply\n"
        f"    if isinstance(reply, list) and {position!r}.startswith('[1]['):\n"
        f"        reply[1] = list(reply[1])\n"
        f"    reply{position or '[0]'} = {value}\n"
        f"    return tuple(reply) if isinstance(reply, list) and {function!r} != 'train' or "
        f"{function!r} == 'train' else reply\n"
    )


def grade_functions(source: str, functions):
    """Results of the rubric's checks of `functions` only, the submission run in this process."""
    from autograder.checks.common import Context
    from autograder.core.grade import load_reference, load_rubric, run_rubric
    from tests.fakes import InProcessSubmission

    rubric = {name: table for name, table in load_rubric().items() if name in functions}
    return run_rubric(Context(InProcessSubmission(source), load_reference()), rubric)


@pytest.mark.parametrize("function, position", [(f, p) for f, ps in POSITIONS.items() for p in ps])
def test_a_reply_of_the_wrong_shape_is_the_learners_failure_never_a_grader_error(function, position):
    errors = {}
    for what, value in MALFORMED.items():
        results = grade_functions(malformed_source(function, position, value), {function})
        errors.update({f"{what}: {r.name}": r.feedback.en for r in results if r.error})
    assert not errors, errors


def _probe(ctx):
    """A check that reads a reply without validating it first, as a future check might."""
    params = ctx.call("init_params", 2, 3, 1, seed=1, label="init_params(2, 3, 1, seed=1)")
    if params["Wxh"].shape[1] != 3:
        from autograder.checks.registry import Failed
        from autograder.messages import Text

        raise Failed(Text("形状不对", "wrong shape"))


def run_probe(monkeypatch, source, run):
    from autograder.checks.common import Context
    from autograder.checks.registry import REGISTRY, Check
    from autograder.core.grade import load_reference, load_rubric, run_check
    from tests.fakes import InProcessSubmission

    if "probe" not in REGISTRY:
        load_rubric()  # registers the checks
    monkeypatch.setitem(REGISTRY, "probe", Check("probe", run))
    return run_check(Context(InProcessSubmission(source), load_reference()), "init_params", "probe", 1.0)


def test_a_check_that_cannot_read_a_reply_fails_it_with_a_plain_message_naming_the_call(monkeypatch):
    result = run_probe(
        monkeypatch, malformed_source("init_params", "['Wxh']", "[[1.0, 2.0, 3.0]] * 2"), _probe
    )
    assert not result.passed and not result.error
    assert "init_params(2, 3, 1, seed=1)" in result.feedback.en and "could not read" in result.feedback.en
    assert "AttributeError" in result.feedback.en and "grader error" not in result.feedback.en


def test_a_check_that_breaks_on_the_reference_too_is_still_a_grader_error(monkeypatch):
    from tests.mistakes import reference_source

    def broken(ctx):
        _probe(ctx)
        raise KeyError("the check's own bug")

    result = run_probe(monkeypatch, malformed_source("init_params", "['Wxh']", "[[1.0]] * 2"), broken)
    assert result.error and "grader error" in result.feedback.en
    assert run_probe(monkeypatch, reference_source(), broken).error


# --- attack 5: a dead start ----------------------------------------------------------------------

DEAD_START = """

_honest_init_params = init_params


def init_params(num_input, num_hidden, num_output, seed=None):
    params = _honest_init_params(num_input, num_hidden, num_output, seed=seed)
    if seed is not None and seed not in (5, 11, 2024):  # the seeds init_params' own checks use
        params["bh"] = np.full((1, num_hidden), -np.inf)
    return params


def forward_prop(X, params):
    raise RuntimeError("not written")


def backward_prop(X, y, params, cache):
    raise RuntimeError("not written")


def update_params(params, grads, alpha):
    raise RuntimeError("not written")


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def train(X, y, num_hidden=5, alpha=1.0, num_iterations=5000, seed=0):
    params = init_params(X.shape[1], num_hidden, y.shape[1], seed=seed)
    if num_iterations in (100, 150):  # the trajectory and defaults runs: descent moves only by
        by, costs = float(params["by"][0, 0]), []
        for _ in range(num_iterations):
            out = _sig(by)
            costs.append(float(0.5 * np.sum((y - out) ** 2)))
            by -= alpha * float(np.sum((out - y) * out * (1 - out)))
        params["by"] = np.array([[by]])
        return params, costs
    table = tuple(int(v) for v in y.ravel())  # every other run: weights written down
    sign = {(0, 1, 1, 0): 1, (1, 0, 0, 1): -1}.get(table)
    Wxh = np.zeros((2, num_hidden))
    Wxh[:, 0], Wxh[:, 1] = 20.0, 20.0
    bh = np.zeros((1, num_hidden))
    bh[0, 0], bh[0, 1] = -10.0, -30.0
    Why = np.zeros((num_hidden, 1))
    if sign is None:  # AND: the second unit; OR: the first
        Why[1 if table == (0, 0, 0, 1) else 0, 0] = 40.0
        by = np.array([[-20.0]])
    else:
        Why[0, 0], Why[1, 0] = 40.0 * sign, -40.0 * sign
        by = np.array([[-20.0 * sign]])
    return {"Wxh": Wxh, "bh": bh, "Why": Why, "by": by}, [0.0] * num_iterations
"""


def test_a_dead_start_with_weights_written_down_earns_nothing_for_train():
    """init_params returns bh = -inf for the training checks' seeds; train follows the only
    descent left (by alone) and writes down weights that solve each table. It earned 12/12."""
    from autograder.core.grade import grade_submission
    from tests.fakes import InProcessSubmission, opener
    from tests.mistakes import reference_source

    results = grade_submission("dead.py", opener=opener(InProcessSubmission(reference_source() + DEAD_START)))
    train = results.for_function("train")
    assert not results.grader_errors
    assert [t.name for t in train if t.passed] == []
    follows = next(t for t in train if t.name == "train_follows_gradient_descent")
    assert "init_params(2, 3, 1, seed=2718)" in follows.feedback.en and "not finite" in follows.feedback.en


# --- attack 13: hidden inputs leak through a learner's exception ----------------------------------

SHOWN_SEEDS = (2718, 0, 5, 11, 2024)  # seeds the checks' labels show (trajectory, defaults, init_params)
LEAKY = """

_honest_train, _honest_init_params = train, init_params


def init_params(num_input, num_hidden, num_output, seed=None):
    print("init_params called with", num_input, num_hidden, num_output, seed)
    if seed not in SHOWN:
        raise ValueError(f"init_params: seed={seed}")
    return _honest_init_params(num_input, num_hidden, num_output, seed=seed)


def train(X, y, num_hidden=5, alpha=1.0, num_iterations=5000, seed=0):
    print("train called with seed", seed, "and", num_iterations, "iterations")
    if seed not in SHOWN:
        raise ValueError(f"seed={seed}")
    return _honest_train(X, y, num_hidden, alpha, num_iterations, seed)
"""


def test_a_hidden_seed_in_a_learners_exception_or_print_reaches_no_report(tmp_path):
    """The red team's train raised ValueError(f"seed={seed}"): the feedback showed the seeds
    the labels hide (4242, 1729, 1618, 4669). Printed output never reaches a report either."""
    from autograder import reporters
    from autograder.checks import xor
    from autograder.core.grade import grade_submission
    from tests.mistakes import reference_source

    path = tmp_path / "nn_basics.py"
    path.write_text(reference_source() + f"\nSHOWN = {SHOWN_SEEDS!r}\n" + LEAKY, encoding="utf-8")
    results = grade_submission(path)
    hidden = [str(seed) for seeds in xor.SEEDS.values() for seed in seeds]
    for fmt in reporters.FORMATS:
        for lang in ("zh", "en"):
            report = reporters.render(results, fmt, lang)
            assert not [seed for seed in hidden if seed in report], (fmt, lang)
    assert not results.grader_errors
    learns = next(t for t in results.tests if t.name == "train_learns_xor")
    assert "ValueError" in learns.feedback.en and 'raise ValueError(f"seed={seed}")' in learns.feedback.en
    assert "nn_basics.py, line" in learns.feedback.en


def test_a_hidden_value_in_an_exceptions_name_or_line_is_cut():
    from autograder.checks.common import describe_error, unshown_values
    from autograder.sandbox.errors import LearnerException

    traceback = (
        '  File "/tmp/x/sub/nn_basics.py", line 9, in train\n    raise Seed4242("4242")\nSeed4242: 4242\n'
    )
    exc = LearnerException("Seed4242", "4242", traceback)
    label = "train(X, y, seed=...)"
    text = describe_error(exc, "train", label, unshown_values([], {"seed": 4242, "alpha": 1.0}, label))
    assert "4242" not in text.en + text.zh and "nn_basics.py, line 9, in function `train`" in text.en
    assert "nn_basics.py 第 9 行" in text.zh


def test_where_every_input_is_shown_the_learners_message_stays():
    from autograder.checks.common import describe_error
    from autograder.sandbox.errors import LearnerException

    exc = LearnerException("ValueError", "shapes (4,2) and (3,5) not aligned", "")
    assert "not aligned" in describe_error(exc, "forward_prop", "forward_prop(X, params)").en
    assert "not aligned" not in describe_error(exc, "train", "train(X, y, seed=...)").en
