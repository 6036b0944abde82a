"""Floods stdout and stderr, through print and through raw file descriptors."""
import os
import sys

for _ in range(200_000):
    print("x" * 100)
sys.stderr.write("e" * 10_000_000)
try:
    os.write(1, b"r" * (40 << 20))
except OSError:
    pass


def sigmoid(x):
    for _ in range(100_000):
        print("y" * 100, file=sys.stderr)
    return 0.5
