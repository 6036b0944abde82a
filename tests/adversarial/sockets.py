"""Connects to a pathname UNIX socket on the host (like Docker's), an abstract one, TCP and
UDP on the loopback, at the addresses the test listens on, and sends a word to each."""
import socket

UNIX_PATH = "__UNIX_PATH__"
ABSTRACT = "\0__ABSTRACT__"
TCP_PORT, UDP_PORT = int("__TCP_PORT__"), int("__UDP_PORT__")


def _try(family, kind, address):
    try:
        s = socket.socket(family, kind)
    except OSError as exc:
        return type(exc).__name__
    try:
        s.settimeout(2)
        if kind == socket.SOCK_DGRAM:
            s.sendto(b"pwned", address)
        else:
            s.connect(address)
            s.sendall(b"pwned")
        return "ok"
    except OSError as exc:
        return type(exc).__name__
    finally:
        s.close()


def _attack():
    return {"unix": _try(socket.AF_UNIX, socket.SOCK_STREAM, UNIX_PATH),
            "abstract": _try(socket.AF_UNIX, socket.SOCK_STREAM, ABSTRACT),
            "tcp": _try(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", TCP_PORT)),
            "udp": _try(socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", UDP_PORT))}


AT_IMPORT = _attack()


def sigmoid(x):
    return {"import": AT_IMPORT, "call": _attack()}
