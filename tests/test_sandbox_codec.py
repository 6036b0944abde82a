"""The codec between grader and worker: plain data round-trips, everything else is refused."""

import base64
import json

import numpy as np
import pytest

from autograder.sandbox import codec
from autograder.sandbox.codec import CodecError


def roundtrip(value, **kw):
    return codec.loads(codec.dumps(value), **kw)


@pytest.mark.parametrize(
    "dtype", ["float64", "float32", "float16", "int8", "int64", "uint8", "uint64", "bool"]
)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (1, 0, 4), (2, 1, 1, 2)])
def test_arrays_round_trip_with_shape_and_dtype(dtype, shape):
    arr = (np.arange(int(np.prod(shape))) % 3).astype(dtype).reshape(shape)
    back = roundtrip(arr)
    assert type(back) is np.ndarray and back.dtype == arr.dtype and back.shape == arr.shape
    np.testing.assert_array_equal(back, arr)


def test_decoded_arrays_are_fresh_writeable_copies():
    back = roundtrip(np.zeros(3))
    assert back.flags.writeable and back.flags.owndata
    back[0] = 1.0


def test_non_contiguous_and_big_endian_arrays_keep_their_values():
    arr = np.arange(12.0).reshape(3, 4)[:, ::2]
    np.testing.assert_array_equal(roundtrip(arr), arr)
    big = np.arange(4, dtype=">f8")
    back = roundtrip(big)
    np.testing.assert_array_equal(back, big)
    assert back.dtype == np.float64 and back.dtype.isnative


def test_special_floats_survive():
    back = roundtrip([float("nan"), float("inf"), -float("inf"), np.array([np.nan, np.inf])])
    assert np.isnan(back[0]) and back[1] == np.inf and back[2] == -np.inf
    assert np.isnan(back[3][0]) and back[3][1] == np.inf


def test_plain_values_tuples_become_lists_and_numpy_scalars_keep_their_type():
    value = {"a": (1, 2.5, True, None, "s"), "b": [np.float64(0.5), np.int64(3), np.bool_(True)]}
    back = roundtrip(value)
    assert back["a"] == [1, 2.5, True, None, "s"]
    assert type(back["b"][0]) is np.float64 and type(back["b"][1]) is np.int64
    assert type(back["b"][2]) is np.bool_
    assert type(roundtrip(np.float64(0.5))) is np.float64
    assert type(roundtrip(0.5)) is float


class Custom:
    pass


class SubArray(np.ndarray):
    """An ndarray subclass can override comparisons: only exact ndarrays cross."""


@pytest.mark.parametrize(
    "value",
    [
        Custom(),
        np.array([Custom()], dtype=object),
        np.array([1 + 2j]),
        np.array(["text"]),
        np.zeros(2, dtype=[("a", "f8")]),
        np.array(["2020-01-01"], dtype="datetime64[D]"),
        {1: "int key"},
        {"__ndarray__": 1},
        (v for v in [1]),
        lambda x: x,
        {1.5},
        b"bytes",
        np.ma.masked_array([1.0]),
        np.zeros(2).view(SubArray),
    ],
    ids=lambda v: type(v).__name__,
)
def test_anything_but_plain_data_is_refused(value):
    with pytest.raises(CodecError):
        codec.dumps(value)


def test_depth_and_size_limits():
    deep = []
    for _ in range(codec.MAX_DEPTH + 2):
        deep = [deep]
    with pytest.raises(CodecError):
        codec.dumps(deep)
    with pytest.raises(CodecError):
        codec.loads(json.dumps(deep).encode())
    with pytest.raises(CodecError):
        codec.loads(b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(CodecError):
        codec.dumps(np.zeros(codec.MAX_FRAME_BYTES // 8 + 1))
    with pytest.raises(CodecError):
        codec.loads(b" " * (codec.MAX_FRAME_BYTES + 1))


def forged(dtype="<f8", shape=(2,), data=None, **extra):
    data = base64.b64encode(np.zeros(2).tobytes()).decode() if data is None else data
    return json.dumps(
        {codec.ARRAY_TAG: {"dtype": dtype, "shape": list(shape), "data": data, **extra}}
    ).encode()


@pytest.mark.parametrize(
    "payload",
    [
        forged(dtype="|O8"),
        forged(dtype="<c16"),
        forged(dtype="V16"),
        forged(dtype="not a dtype"),
        forged(shape=(3,)),
        forged(shape=(-2,)),
        forged(shape=(1,) * 40),
        forged(data="!!notb64"),
        forged(shape=(), scalar=True),
        forged(dtype=[["a", "<f8"]]),
        json.dumps({codec.TESTFN_TAG: {"kind": "poly_sin", "data": {}}}).encode(),
        b"{not json",
        b"\xff\xfe",
    ],
    ids=range(13),
)
def test_the_grader_refuses_forged_or_malformed_messages(payload):
    with pytest.raises(CodecError):
        codec.loads(payload)


def test_test_functions_are_rebuilt_only_where_allowed():
    payload = json.dumps({codec.TESTFN_TAG: {"kind": "poly_sin", "data": {"a": 1}}}).encode()
    assert codec.loads(payload, testfn=lambda kind, data: (kind, data)) == ("poly_sin", {"a": 1})


def test_lists_of_plain_values_cross_as_they_are_and_subclasses_as_plain_values():
    class Sneaky(float):
        def __eq__(self, other):  # a learner's float that equals anything
            return True

        __hash__ = float.__hash__

    costs = [0.5, 1, True, None, "x"] * 1000
    assert codec.loads(codec.dumps(costs)) == costs
    back = codec.loads(codec.dumps([0.25, Sneaky(0.5), np.float64(2.0)]))
    assert [type(v) for v in back] == [float, float, np.float64] and back[:2] == [0.25, 0.5]
    assert back[1] != 0.75  # the subclass's __eq__ did not cross
