"""The learner process's confinement (worker.learner_process calls confine before any learner
code runs): network and IPC namespaces, mounts, rlimits, Landlock, seccomp, privilege drop, in
that order: each step needs what the next one takes away. Part of the worker's runtime
(workdir.RUNTIME_FILES), imported flat by worker.py before anything is confined."""

import os

import landlock
import limits
import mounts
import seccomp


def confine(cfg):
    """Apply every containment layer available; return what took effect (for tests and docs)."""
    info = {"uid_before": os.getuid(), "pid_namespace": cfg.get("pid_namespace", False)}
    limits.die_with_parent()
    as_root = os.getuid() == 0 and cfg["drop_privileges"]
    uid = limits.worker_uid(cfg["supervisor_pid"]) if as_root else os.getuid()
    if as_root:
        try:
            limits.unshare_network()
            info["netns"] = True
        except OSError as exc:
            info["netns"] = f"unavailable: {exc}"
        try:  # seccomp refuses IPC calls anyway; this also drops whatever slips past it
            limits.unshare_ipc()
            info["ipcns"] = True
        except OSError as exc:
            info["ipcns"] = f"unavailable: {exc}"
        info["mounts"] = mounts.isolate(cfg["sub_dir"], cfg["disk_bytes"], uid, cfg["read_paths"])
        if info["mounts"].get("disk_quota") is not True:  # no tmpfs: the folder itself, chowned
            for folder, _dirs, files in os.walk(cfg["sub_dir"]):
                for name in [folder] + [os.path.join(folder, f) for f in files]:
                    os.chown(name, uid, uid)
    processes = cfg["max_processes"]
    if not as_root:  # RLIMIT_NPROC counts every task of the uid, the grader's own included
        processes += limits.tasks_of_uid(os.getuid())
    limits.set_rlimits(
        cpu_seconds=cfg["cpu_seconds"],
        memory_bytes=cfg["memory_bytes"],
        file_bytes=cfg["file_bytes"],
        open_files=cfg["open_files"],
        processes=processes,
    )
    try:
        info["landlock_abi"] = landlock.restrict(cfg["read_paths"], [cfg["sub_dir"]])
    except OSError as exc:
        info["landlock_abi"] = 0
        info["landlock_error"] = str(exc)
    try:
        info["seccomp"] = seccomp.install()
    except OSError as exc:
        info["seccomp"] = str(exc)
    if as_root:
        limits.drop_privileges(uid, uid)
    info["uid"] = os.getuid()
    return info
