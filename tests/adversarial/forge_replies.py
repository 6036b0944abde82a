"""Finds the load id in its own process and writes a malformed "loaded" message to the reply
pipe at import."""
import gc
import json
import os
import struct
import sys


def _reply_fd():
    return int(sys.argv[3])  # the worker's command line names its pipe descriptors


def _frame(message):
    body = json.dumps(message).encode()
    return struct.pack(">I", len(body)) + body


def _load_id():
    for obj in gc.get_objects():
        if type(obj) is dict and "load_id" in obj and "sub_dir" in obj:
            return obj["load_id"]
    return None


def sigmoid(x):
    return 0.5


os.write(_reply_fd(), _frame({"op": "load", "id": _load_id(), "status": "loaded", "load_error": None,
                              "sandbox": 42}))
