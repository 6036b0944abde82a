"""The arena: memory that holds the array arguments of a full call, so the grader reads "the
arguments after the call" itself instead of believing the worker's word for them.

Self-contained (stdlib + numpy): the worker runs a copy of this file.

Grader side: one Arena per submission, a sealed memfd (it can neither shrink nor grow, so no
process holding it can make the grader's own mapping fault) that the grader maps and hands to
each worker it starts. `place` writes the arrays of a call's arguments into it and returns the
arguments with each array replaced by a marker {TAG: slot}, and the slots (offset, dtype,
shape) that say where each lives; `read_back` rebuilds the grader's OWN argument structure with
each array read from the arena after the call. Only array contents can change: the containers
(dicts, lists), the test functions and the plain values are the grader's. (tests/fakes.py
rebuilds the same way in process, with `arrays` and `rebuild`.)

Worker side: `attach` maps the arena once; `views` turns the markers of a request back into
writable numpy arrays over that mapping, so what learner code writes into its arguments is what
the grader reads, and nothing else it does (replacing objects, emptying lists) is.
"""

import fcntl
import mmap
import os

import numpy as np

TAG = "__arena__"
ALIGN = 64  # each array starts on a cache line, as a fresh numpy array would
INITIAL_BYTES = 1 << 20  # virtual: a page of the memfd costs memory only once written
ALLOWED_DTYPE_KINDS = "biuf"  # codec.ALLOWED_DTYPE_KINDS
SEALS = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL


class Arena:
    """The grader's arena of one submission: `fd` for the workers it starts, `memory` its map."""

    def __init__(self, size=INITIAL_BYTES):
        fd = os.memfd_create("nn-arena", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        try:
            os.ftruncate(fd, size)
            # F_SEAL_SEAL too: no later seal (e.g. F_SEAL_FUTURE_WRITE) can be added by a holder
            fcntl.fcntl(fd, fcntl.F_ADD_SEALS, SEALS)
            self.memory = mmap.mmap(fd, size)
        except BaseException:
            os.close(fd)
            raise
        self.fd, self.size = fd, size

    def close(self):
        if self.fd is not None:
            try:
                self.memory.close()
            except BufferError:  # a view still held (a traceback's frame): unmapped when collected
                pass
            os.close(self.fd)
            self.fd = None

    def place(self, args, kwargs):
        """(args, kwargs with each array a marker, slots), the arrays written into the arena;
        ValueError when they do not fit (`needed` says how much they need)."""
        slots = []
        sent_args, sent_kwargs = _replace(list(args), slots), _replace(dict(kwargs), slots)
        if slots and slots[-1][0] + _nbytes(slots[-1]) > self.size:
            raise ValueError(f"the arguments need {needed(args, kwargs)} bytes, the arena has {self.size}")
        for slot, arr in zip(slots, arrays(args, kwargs), strict=True):
            self._view(slot)[...] = arr
        return sent_args, sent_kwargs, slots

    def read_back(self, args, kwargs, slots):
        """The grader's own (args as a list, kwargs), each array a copy of what the arena holds."""
        return rebuild(args, kwargs, (self._view(slot).copy() for slot in slots))

    def _view(self, slot):
        offset, dtype, shape = slot
        return np.ndarray(tuple(shape), dtype=np.dtype(dtype), buffer=self.memory, offset=offset)


def needed(args, kwargs):
    """Bytes an arena must have to hold the arrays of these arguments."""
    end = 0
    for arr in arrays(args, kwargs):
        end = _aligned(end) + max(arr.nbytes, 1)
    return end


def arrays(args, kwargs):
    """The arrays of a call's arguments, in the one order place, read_back and rebuild use."""
    found = []
    _collect(list(args), found)
    _collect(dict(kwargs), found)
    return found


def rebuild(args, kwargs, contents):
    """(args as a list, kwargs as a dict) of the same structure, the arrays replaced in order by
    `contents` (one per array of `arrays(args, kwargs)`); every other value is kept as it is."""
    items = iter(contents)
    return _rebuilt(list(args), items), _rebuilt(dict(kwargs), items)


def _aligned(offset):
    return -(-offset // ALIGN) * ALIGN


def _is_array(value):
    return type(value) is np.ndarray


def _collect(value, found):
    if _is_array(value):
        found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, found)


def _replace(value, slots):
    """`value` with each array a marker; its slot appended to `slots` (the same walk as _collect)."""
    if _is_array(value):
        dtype = value.dtype.newbyteorder("=")  # native, as codec hands arrays to learner code
        if dtype.kind not in ALLOWED_DTYPE_KINDS or dtype.fields is not None or dtype.subdtype is not None:
            raise ValueError(f"an array of dtype {dtype} cannot be an argument")
        offset = 0 if not slots else _aligned(slots[-1][0] + max(_nbytes(slots[-1]), 1))
        slots.append([offset, dtype.str, list(value.shape)])
        return {TAG: len(slots) - 1}
    if isinstance(value, dict):
        if TAG in value:
            raise ValueError(f"an argument holds the key {TAG!r}, which marks an array")
        return {k: _replace(v, slots) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_replace(v, slots) for v in value]
    return value


def _nbytes(slot):
    _offset, dtype, shape = slot
    count = 1
    for n in shape:
        count *= n
    return count * np.dtype(dtype).itemsize


def _rebuilt(value, contents):
    if _is_array(value):
        return next(contents)
    if isinstance(value, dict):
        return {k: _rebuilt(v, contents) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rebuilt(v, contents) for v in value]
    return value


# -- worker side ---------------------------------------------------------------------------------


def attach(fd):
    """The worker's map of the arena whose descriptor it was handed; the descriptor is closed."""
    try:
        return mmap.mmap(fd, 0)
    finally:
        os.close(fd)


def views(tree, slots, memory):
    """A decoded request's args or kwargs with each marker the array it stands for: a writable
    view into `memory`. ValueError for a marker or slot that does not fit (the request is bad)."""
    if type(tree) is dict:
        if len(tree) == 1 and TAG in tree:
            return _view(tree[TAG], slots, memory)
        return {k: views(v, slots, memory) for k, v in tree.items()}
    if type(tree) is list:
        return [views(v, slots, memory) for v in tree]
    return tree


def _view(index, slots, memory):
    if type(index) is not int or not 0 <= index < len(slots):
        raise ValueError("an array marker names no slot")
    slot = slots[index]
    if type(slot) is not list or len(slot) != 3:
        raise ValueError("malformed arena slot")
    offset, dtype, shape = slot
    if type(offset) is not int or offset < 0 or type(dtype) is not str or type(shape) is not list:
        raise ValueError("malformed arena slot")
    if any(type(n) is not int or n < 0 for n in shape) or np.dtype(dtype).kind not in ALLOWED_DTYPE_KINDS:
        raise ValueError("malformed arena slot")
    if offset + _nbytes(slot) > len(memory):
        raise ValueError("an arena slot past the arena's end")
    return np.ndarray(tuple(shape), dtype=np.dtype(dtype), buffer=memory, offset=offset)
