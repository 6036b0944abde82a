"""Writes a reply of its own to the reply pipe, ahead of the real one, claiming a value."""
import json
import os
import struct
import sys


def sigmoid(x):
    body = json.dumps({"id": "0" * 16, "status": "ok", "value": 1.0}).encode()
    os.write(int(sys.argv[3]), struct.pack(">I", len(body)) + body)
    return 0.5


def relu(x):
    return 0.0
