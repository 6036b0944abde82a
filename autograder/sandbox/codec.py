"""Plain-data codec between the grader and the sandbox worker.

Self-contained (stdlib + numpy): the worker runs a copy of this file, so it must not import the
kit. Values are JSON; numpy arrays travel as dtype string, shape and base64 bytes and are rebuilt
with np.frombuffer into a fresh array. Nothing is ever unpickled, so no learner object can reach
the grader: what the grader decodes is a tree of float/int/bool/None/str/list/dict and arrays of
a whitelisted dtype kind.

Frames on the pipes are a 4-byte big-endian length followed by that many bytes of JSON.
"""

import base64
import json
import re
import struct

import numpy as np

MAX_DEPTH = 32
MAX_FRAME_BYTES = 64 * 1024 * 1024
# Replies are what the learner writes: the grader reads at most this much per frame and
# decodes nothing larger (64 MiB of `[0,0,...]` would be ~33 M objects, GBs in the grader).
# The largest honest reply, train's params and 5,000 costs, is ~150 KB.
MAX_REPLY_BYTES = 4 * 1024 * 1024
MAX_NDIM = 32
ALLOWED_DTYPE_KINDS = "biuf"  # bool, signed int, unsigned int, float: no object/complex/struct
DTYPE_STR = re.compile(r"[<>|=][biuf][0-9]{1,2}")

ARRAY_TAG = "__ndarray__"
TESTFN_TAG = "__testfn__"
_TAGS = (ARRAY_TAG, TESTFN_TAG)


# values that are their own encoding (exact types: a subclass is encoded as its plain value)
_PLAIN = frozenset((float, int, bool, str, type(None)))


class CodecError(ValueError):
    """A value that is not plain data, or a frame that is malformed or too large."""


def _type_name(obj):
    return type(obj).__module__ + "." + type(obj).__qualname__


def encode(obj, testfn=None, _depth=0):
    """Turn `obj` into a JSON-able tree. `testfn`: the class of test functions (protocol.py),
    whose instances travel as their kind and data; None where none may be sent."""
    if _depth > MAX_DEPTH:
        raise CodecError(f"nested deeper than {MAX_DEPTH} levels")
    if obj is None or type(obj) in (bool, str):
        return obj
    if isinstance(obj, (str, np.generic, int, float)) or type(obj) is np.ndarray:
        return _encode_leaf(obj)
    if isinstance(obj, (list, tuple)):
        items = list(obj)
        if all(type(v) in _PLAIN for v in items):  # train's costs: thousands of floats, as they are
            return items
        return [encode(v, testfn, _depth + 1) for v in items]
    if isinstance(obj, dict):
        return _encode_dict(obj, testfn, _depth)
    if testfn is not None and isinstance(obj, testfn):
        return {TESTFN_TAG: {"kind": str(obj.kind), "data": encode(obj.data, None, _depth + 1)}}
    raise CodecError(
        f"cannot send a {_type_name(obj)}: only numbers, str, None, lists, "
        f"dicts with str keys and numeric numpy arrays cross the sandbox"
    )


def _encode_leaf(obj):
    """A subclass of str, int or float as its plain value; a numpy scalar or array as an array.
    The first test that holds decides: np.str_ is also a str, np.float64 also a float."""
    if isinstance(obj, str):
        return str.__str__(obj)  # a str subclass travels as its plain text
    if isinstance(obj, np.generic):
        # numpy scalars keep their type (np.float64 vs float matters to checks of return types)
        return _encode_array(np.asarray(obj), scalar=True)
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj)
    return _encode_array(obj, scalar=False)


def _encode_dict(obj, testfn, depth):
    out = {}
    for k, v in list(obj.items()):
        if type(k) is not str:
            raise CodecError(f"dict key {k!r} is not a str")
        if k in _TAGS:
            raise CodecError(f"dict key {k!r} is reserved")
        out[k] = encode(v, testfn, depth + 1)
    return out


def _encode_array(arr, scalar):
    dtype = arr.dtype
    if dtype.kind not in ALLOWED_DTYPE_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise CodecError(f"numpy arrays of dtype {dtype} cannot be sent (only bool/int/uint/float)")
    data = np.ascontiguousarray(arr).tobytes()
    return {
        ARRAY_TAG: {
            "dtype": dtype.str,
            "shape": list(arr.shape),
            "data": base64.b64encode(data).decode("ascii"),
            "scalar": scalar,
        }
    }


def decode(tree, testfn=None):
    """Rebuild values from a tree made by `encode`; `testfn(kind, data)` builds test functions.
    The tree is the other side's claim: whatever it holds, the only exception is CodecError."""
    try:
        return _decode(tree, testfn, 0)
    except CodecError:
        raise
    except Exception as exc:  # noqa: BLE001 - numpy, a testfn builder, memory: all a malformed message
        raise CodecError(f"malformed message: {type(exc).__name__}: {str(exc)[:200]}") from None


def _decode(tree, testfn, depth):
    if depth > MAX_DEPTH:
        raise CodecError(f"nested deeper than {MAX_DEPTH} levels")
    if tree is None or type(tree) in (bool, int, float, str):
        return tree
    if type(tree) is list:
        if all(type(v) in _PLAIN for v in tree):  # a list of numbers: nothing to rebuild
            return tree
        return [_decode(v, testfn, depth + 1) for v in tree]
    if type(tree) is not dict:
        raise CodecError(f"unexpected {type(tree).__name__} in message")
    if len(tree) == 1 and ARRAY_TAG in tree:
        return _decode_array(tree[ARRAY_TAG])
    if len(tree) == 1 and TESTFN_TAG in tree:
        return _decode_testfn(tree[TESTFN_TAG], testfn, depth)
    out = {}
    for k, v in tree.items():
        if type(k) is not str or k in _TAGS:
            raise CodecError(f"dict key {k!r} is not a str or is reserved")
        out[k] = _decode(v, testfn, depth + 1)
    return out


def _decode_testfn(spec, testfn, depth):
    if testfn is None:
        raise CodecError("a test function cannot be sent in this direction")
    if type(spec) is not dict or type(spec.get("kind")) is not str:
        raise CodecError("malformed test function")
    return testfn(spec["kind"], _decode(spec.get("data"), None, depth + 1))


def _dtype(dtype_str):
    """The numpy dtype a frame names, if it is one of the allowed kinds."""
    # only what encode writes (dtype.str: byte order, kind, size): numpy's own parser never
    # sees a hostile string (it raises SyntaxError on some, warns on others)
    if type(dtype_str) is not str or not DTYPE_STR.fullmatch(dtype_str):
        raise CodecError("malformed array dtype")
    try:
        dtype = np.dtype(dtype_str)
    except Exception as exc:  # noqa: BLE001 - TypeError, ValueError, SyntaxError...: not a dtype
        raise CodecError(f"unknown dtype {dtype_str!r}") from exc
    if dtype.kind not in ALLOWED_DTYPE_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise CodecError(f"dtype {dtype} is not allowed")
    return dtype


def _bad_length(n):
    return type(n) is not int or n < 0 or n > MAX_FRAME_BYTES


def _decode_array(spec):
    if type(spec) is not dict:
        raise CodecError("malformed array")
    dtype_str, shape, data, scalar = (
        spec.get("dtype"),
        spec.get("shape"),
        spec.get("data"),
        spec.get("scalar", False),
    )
    dtype = _dtype(dtype_str)
    # A length longer than any frame holds bytes for only with a 0 beside it: (0, 2**63) is
    # empty, yet numpy cannot even make its shape.
    if type(shape) is not list or len(shape) > MAX_NDIM or any(_bad_length(n) for n in shape):
        raise CodecError("malformed array shape")
    if type(data) is not str:
        raise CodecError("malformed array data")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except ValueError as exc:
        raise CodecError("array data is not base64") from exc
    count = 1
    for n in shape:
        count *= n
    if count * dtype.itemsize != len(raw):
        raise CodecError(
            f"array of shape {tuple(shape)} and dtype {dtype} needs "
            f"{count * dtype.itemsize} bytes, got {len(raw)}"
        )
    try:  # a fresh, writeable, native-order copy: nothing aliases the message buffer
        arr = np.frombuffer(raw, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="), copy=True)
    except (ValueError, TypeError, OverflowError, MemoryError) as exc:
        raise CodecError(f"array of shape {tuple(shape)} cannot be built: {str(exc)[:200]}") from None
    if scalar is True:
        if arr.shape != ():
            raise CodecError("scalar with a non-empty shape")
        return arr[()]
    return arr


def dumps(obj, testfn=None, limit=MAX_FRAME_BYTES):
    """Encode and serialise; CodecError when not plain data or larger than `limit` bytes."""
    try:
        payload = json.dumps(encode(obj, testfn), separators=(",", ":")).encode("utf-8")
    except RecursionError as exc:
        raise CodecError("value nested too deeply") from exc
    except ValueError as exc:  # e.g. an int too long to print
        if isinstance(exc, CodecError):
            raise
        raise CodecError(str(exc)) from exc
    if len(payload) > limit:
        raise CodecError(f"message of {len(payload)} bytes is over the {limit}-byte limit")
    return payload


def loads(payload, testfn=None, limit=MAX_FRAME_BYTES):
    if len(payload) > limit:
        raise CodecError(f"message of {len(payload)} bytes is over the {limit}-byte limit")
    try:
        tree = json.loads(bytes(payload).decode("utf-8"))
    except Exception as exc:  # noqa: BLE001 - bad UTF-8 or JSON, too deep, too many digits, memory
        raise CodecError(f"malformed message: {str(exc)[:200]}") from None
    return decode(tree, testfn)


def frame(payload):
    return struct.pack(">I", len(payload)) + payload


def read_frame_blocking(fd):
    """Read one frame from `fd` (the worker side, which may block). None on EOF."""
    header = _read_exact(fd, 4)
    if header is None:
        return None
    (size,) = struct.unpack(">I", header)
    if size > MAX_FRAME_BYTES:
        raise CodecError("frame too large")
    body = _read_exact(fd, size)
    if body is None:
        raise CodecError("truncated frame")
    return body


def _read_exact(fd, n):
    import os

    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def write_frame_blocking(fd, payload):
    import os

    view = memoryview(frame(payload))
    while view:
        written = os.write(fd, view)
        view = view[written:]
