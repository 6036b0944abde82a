"""Fills the disk: as many files of up to 16 MiB (RLIMIT_FSIZE) as it can write, at import
and in a call, so that submissions graded after it find no room (issue 10)."""
import os


def _fill(prefix, limit=2 << 30):
    written = 0
    block = b"x" * (1 << 20)
    for n in range(limit // (16 << 20)):
        try:
            with open(f"{prefix}{n}.bin", "wb") as f:
                for _ in range(16):
                    f.write(block)
                    written += len(block)
        except OSError:
            break
    return written


AT_IMPORT = _fill("import-")


def sigmoid(x):
    return {"import": AT_IMPORT, "call": _fill("call-")}
