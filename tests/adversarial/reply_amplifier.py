"""Writes its own reply frames to the grader's pipe: one that claims 64 MiB (the old cap) of
`[0,0,...]`, which the grader would decode into ~33 M objects, and one just under the reply
cap. The response pipe is the worker's third argument."""
import struct
import sys


def _frame(size):
    body = b"[" + b"0," * ((size - 2) // 2) + b"0]"
    return struct.pack(">I", len(body)) + body


def _send(size):
    import os
    data = memoryview(_frame(size))
    while data:
        data = data[os.write(int(sys.argv[3]), data):]


def sigmoid(x):
    _send(64 << 20)
    return 0.0


def tanh(x):
    _send((4 << 20) - 16)
    return 0.0
