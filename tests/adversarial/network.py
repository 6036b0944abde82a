"""Tries to phone home and to listen."""
import socket


def _attempt(kind, addr):
    family = socket.AF_INET
    proto = socket.SOCK_STREAM if kind != "udp" else socket.SOCK_DGRAM
    try:
        s = socket.socket(family, proto)
    except OSError as exc:
        return type(exc).__name__
    try:
        s.settimeout(2)
        if kind == "bind":
            s.bind(addr)
            s.listen()
        elif kind == "udp":
            s.sendto(b"x", addr)
        else:
            s.connect(addr)
        return "ok"
    except OSError as exc:
        return type(exc).__name__
    finally:
        s.close()


def sigmoid(x):
    return {
        "connect 1.1.1.1:80": _attempt("connect", ("1.1.1.1", 80)),
        "connect 127.0.0.1:22": _attempt("connect", ("127.0.0.1", 22)),
        "bind 0.0.0.0:0": _attempt("bind", ("0.0.0.0", 0)),
    }
