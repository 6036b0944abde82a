"""The warm zygote: imports numpy and the worker runtime once, then forks a fresh supervisor per
submission, which runs worker.run() exactly as a cold `python worker.py` would.

Self-contained: copied with the worker's runtime into a folder of its own and run by the grader
(process.Zygote) as `python -I -B zygote.py CTL_FD`, CTL_FD one end of a SOCK_SEQPACKET pair.
It never runs learner code and never confines itself: confinement happens in the learner
process, after the fork, as it always did.

Requests (JSON, one per datagram):
- {"op": "spawn", "config": ..., "cwd": ..., "env": {...}} with six fds attached (SCM_RIGHTS):
  the request pipe's read end, the response pipe's write end, the output file, the write end
  of a status pipe, the read end of the grader's liveness pipe (supervisor.supervise) and the
  submission's arena (arena.py). The reply is {"pid": <supervisor pid>}. When that supervisor ends, its
  exit code is written to the status pipe, which is then closed; the process is left a zombie,
  so its pid (its process group's id too) stays the grader's to signal until:
- {"op": "reap", "pid": ...}: the grader is done with it; reply {"reaped": pid}.
- {"op": "ping"}: reply {"pong": true}, once the imports are done.
The grader's end closing means the grader is gone: the zygote removes its folder and exits;
each supervisor then sees its liveness pipe close without the grader's word and kills its
learner's processes (supervisor.supervise).
"""

import json
import os
import select
import shutil
import signal
import socket
import sys
import traceback

RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, RUNTIME_DIR)  # -I leaves the script's folder off sys.path

import worker  # noqa: E402  (numpy, codec and the confinement modules, imported once)

MAX_REQUEST = 1 << 16
FDS_PER_SPAWN = 6


def preload():
    for name in worker.COMMON_MODULES:
        try:
            __import__(name)
        except Exception:  # not installed: the learner's own import fails later, as in worker.run
            pass


def exit_code(pid):
    """The supervisor's exit code as Popen.returncode gives it (-N: killed by signal N), once
    it has ended; None while it runs. Never reaps (WNOWAIT)."""
    info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    if info is None:
        return None
    return info.si_status if info.si_code == os.CLD_EXITED else -info.si_status


class Zygote:
    def __init__(self, ctl):
        self.ctl = ctl
        self.children = {}  # supervisor pid: write end of its status pipe (None once reported)
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        signal.signal(signal.SIGCHLD, lambda *_: None)  # the wakeup fd below does the work
        signal.set_wakeup_fd(self.wake_w)

    def serve(self):
        while True:
            readable, _, _ = select.select([self.ctl, self.wake_r], [], [])
            if self.wake_r in readable:
                while True:
                    try:
                        if not os.read(self.wake_r, 512):
                            break
                    except BlockingIOError:
                        break
            self.report_exits()
            if self.ctl in readable:
                message, fds, _flags, _addr = socket.recv_fds(self.ctl, MAX_REQUEST, FDS_PER_SPAWN)
                if not message:
                    return  # the grader is gone
                reply = self.handle(json.loads(message), fds)
                self.ctl.send(json.dumps(reply).encode())

    def handle(self, request, fds):
        if request["op"] == "spawn" and len(fds) == FDS_PER_SPAWN:
            try:
                return {"pid": self.spawn(request, *fds)}
            except OSError as exc:  # e.g. fork's EAGAIN: this submission fails, the zygote goes on
                return {"error": f"fork failed: {exc}"}
        for fd in fds:
            os.close(fd)
        if request["op"] == "ping":  # answered once the imports are done: the zygote is warm
            return {"pong": True}
        if request["op"] == "reap":
            pid = int(request["pid"])
            if pid in self.children:
                status_w = self.children.pop(pid)
                if status_w is not None:
                    os.close(status_w)
                try:
                    os.waitpid(pid, 0)  # SIGKILLed by the grader already: it is (about to be) a zombie
                except ChildProcessError:
                    pass
            return {"reaped": pid}
        return {"error": f"bad request {request.get('op')!r}"}

    def report_exits(self):
        for pid, status_w in list(self.children.items()):
            if status_w is None:
                continue
            code = exit_code(pid)
            if code is not None:
                try:
                    os.write(status_w, str(code).encode())
                except OSError:  # the grader closed its end: nobody to tell
                    pass
                os.close(status_w)
                self.children[pid] = None

    def spawn(self, request, req_r, resp_w, out_fd, status_w, alive_r, arena_fd):
        try:
            pid = os.fork()
        except OSError:
            for fd in (req_r, resp_w, out_fd, status_w, alive_r, arena_fd):
                os.close(fd)
            raise
        if pid == 0:
            try:
                self.become_supervisor(request, req_r, resp_w, out_fd, alive_r, arena_fd)
            except BaseException:
                traceback.print_exc()  # into the output file, once fd 2 is it
            finally:
                os._exit(70)
        # only the supervisor may hold them: EOF means gone, and no later submission sees this arena
        for fd in (req_r, resp_w, out_fd, alive_r, arena_fd):
            os.close(fd)
        self.children[pid] = status_w
        return pid

    def become_supervisor(self, request, req_r, resp_w, out_fd, alive_r, arena_fd):
        """In the forked child: the state a cold `python worker.py` would start with (own
        session, stdout and stderr to the output file, only its own fds, its own environment
        and folder), then worker.run()."""
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        keep = {0, 1, 2, req_r, resp_w, alive_r, arena_fd}
        for name in os.listdir("/proc/self/fd"):  # the zygote's socket, other submissions' pipes
            if int(name) not in keep:
                try:
                    os.close(int(name))
                except OSError:
                    pass
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # what a cold `python -I worker.py CONFIG REQ_FD RESP_FD ALIVE_FD ARENA_FD` would see
        fds = (req_r, resp_w, alive_r, arena_fd)
        sys.argv[:] = [worker.__file__, request["config"], *map(str, fds)]
        worker.run(request["config"], *fds)


def main():
    ctl = socket.socket(fileno=int(sys.argv[1]))
    preload()
    try:
        Zygote(ctl).serve()
    finally:
        shutil.rmtree(os.path.dirname(RUNTIME_DIR), ignore_errors=True)
        os._exit(0)  # nothing to flush; the grader waits for this exit


if __name__ == "__main__":
    main()
