"""The confinement primitives on their own, in a forked child, so each guard is shown to work
by itself and not only because another layer (e.g. the uid drop as root) also stops the attack."""

import os
import signal

import pytest

from autograder.sandbox import landlock, limits

pytestmark = pytest.mark.skipif(landlock.abi_version() < 6, reason="needs Landlock ABI >= 6")


def in_child(fn):
    """Run fn() in a forked child; its return value (a small int) is the child's exit code."""
    pid = os.fork()
    if pid == 0:
        try:
            os._exit(fn())
        except BaseException:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_landlock_confines_reads_and_writes_to_the_allowed_folders(tmp_path):
    allowed, denied = tmp_path / "allowed", tmp_path / "denied"
    allowed.mkdir()
    denied.mkdir()
    (denied / "secret.txt").write_text("reference")

    def attack():
        landlock.restrict(read_paths=[], write_paths=[str(allowed)])
        (allowed / "ok.txt").write_text("mine")
        for action in (
            lambda: (denied / "secret.txt").read_text(),
            lambda: (denied / "new.txt").write_text("x"),
            lambda: os.listdir(tmp_path),
        ):
            try:
                action()
                return 1
            except PermissionError:
                pass
        return 0

    assert in_child(attack) == 0
    assert (allowed / "ok.txt").read_text() == "mine"
    assert not (denied / "new.txt").exists()


def test_landlock_scopes_signals_to_the_sandbox():
    parent = os.getpid()

    def attack():
        landlock.restrict(read_paths=["/"], write_paths=[])
        try:
            os.kill(parent, 0)  # permission check only: nothing is delivered
            return 1
        except PermissionError:
            return 0

    assert in_child(attack) == 0
    os.kill(parent, 0)  # without the ruleset the same call is allowed


def test_landlock_denies_tcp():
    import socket

    def attack():
        landlock.restrict(read_paths=["/"], write_paths=[])
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", 0))
            return 1
        except PermissionError:
            return 0

    assert in_child(attack) == 0


def test_subreaper_kills_setsid_grandchildren():
    def supervisor():
        limits.become_subreaper()
        if os.fork() == 0:  # the "learner": a daemon that escapes its session, then exits
            if os.fork() == 0:
                os.setsid()
                signal.pause()
            os._exit(0)
        os.wait()
        orphans = limits.children_of(os.getpid())
        if len(orphans) != 1:  # the daemon came back to us, not to init
            return 1
        limits.kill_all_children()
        try:
            os.kill(orphans[0], 0)
            return 2
        except ProcessLookupError:
            return 0

    assert in_child(supervisor) == 0
