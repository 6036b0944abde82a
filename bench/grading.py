"""`make bench`: how fast the kit grades one submission and a class, against nbgrader.

    python -m bench.grading [--sizes 10,40] [--overhead-sizes 4,12] [--nbgrader-n 10] [--runs 5]
                            [--jobs 2] [--work DIR]

Prints, each measured in this run on this machine:
1. one submission end to end: median wall time of `python -m autograder grade FILE --format
   json` as a subprocess, for a correct module and a correct notebook (--runs runs each, after
   one unmeasured warm-up run);
2. the grader's overhead per submission: end to end minus the time spent inside learner
   functions, measured by grading the same file in-process with every learner call timed
   (bench/learner_time.py), each in-process run interleaved with an end-to-end run so both see
   the same machine load; with where the overhead goes (start-up and imports, worker start,
   codec and pipes, the checks' own work); then the same in `grade-all`: the marginal seconds
   per submission of `grade-all --jobs 1` on two classes of correct submissions (--overhead-
   sizes), minus the time inside learner functions per submission;
3. peak memory of a sandbox worker: the high-water mark of its resident set (VmHWM, so a
   spike between polls still counts), read for every worker process (the zygote, the
   supervisors it forks and their learner processes) while grading one correct submission and
   whole classes;
4. class throughput on the same notebooks: plain nbgrader as an instructor would use it
   without the kit (bench/nbgrader_baseline.py: the same notebook, its test cells holding
   ordinary assert-based tests run in nbgrader's kernel, nbgrader's default config) against one
   `python -m autograder grade-all --jobs N` call, and their ratio; and, as a separate line, the
   kit's own nbgrader door (`nbgrader autograde` through the kit's config), after checking that
   it gave every learner the same total as grade-all;
5. total time of grade-all against class size (a mix of modules and notebooks; the mix is the
   same for every multiple of ten), with seconds per submission at each size.
6. the wall time of `class-report` (class.html) on 3,000 learners' JSON reports, built
   synthetically by bench/class_report.py (issue 21: under 60 s on the 2-core machine).
7. what the pictures cost (bench/figures.py, issue 20): a correct submission nothing, a wrong
   one at most 0.2 s, warm in one grader process and cold in `grade --format html`.
The last line is `speedup_vs_nbgrader=<ratio>` from step 4.

Timing only ever happens here, never in the test suite.
"""

import argparse
import contextlib
import csv
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

from autograder.doors.batch import GRADEBOOK
from bench import class_report, figures
from bench.class_builder import build_class
from tools.demo import ASSIGNMENT, build_course, gradebook, nbgrader
from tools.release import ROOT

PY = sys.executable
# issue 14's targets; "speedup" is against plain nbgrader (bench/nbgrader_baseline.py)
TARGETS = {
    "single": 0.4,
    "speedup": 25.0,
    "door": 2.0,
    "overhead": 0.1,
    "worker_mb": 100.0,
    "linearity": 1.25,
    "class_report": 60.0,  # issue 21: class.html for 3,000 learners' reports
    "figures": 0.2,  # issue 20: what a wrong submission pays for its pictures
}
CLASS_REPORT_N = 3000
MB = 1024 * 1024


def env():
    return dict(os.environ, MPLBACKEND="Agg")


def peak_rss(pid):
    """VmHWM of a process: its peak resident set since it was exec'd (or forked), in bytes."""
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


class WorkerMemory:
    """Polls the process tree under `pid` and keeps the largest peak RSS (VmHWM, so a spike
    between two polls still counts) of any sandbox worker process (the supervisor or the
    learner process it forks) and of any grader process."""

    def __init__(self, pid, interval=0.05):
        self.root, self.interval = psutil.Process(pid), interval
        self.worker_peak = self.grader_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            try:
                procs = [self.root] + self.root.children(recursive=True)
            except psutil.Error:
                return
            for p in procs:
                try:
                    cmdline = p.cmdline()
                    peak = peak_rss(p.pid)
                except (psutil.Error, OSError):
                    continue
                # the zygote and every supervisor and learner process it forks keep its cmdline
                if any(part.endswith(("worker.py", "zygote.py")) for part in cmdline):
                    self.worker_peak = max(self.worker_peak, peak)
                elif any("autograder" in part for part in cmdline):  # grade, grade-all and its slots
                    self.grader_peak = max(self.grader_peak, peak)
            self._stop.wait(self.interval)


def timed(command, poll=False, interval=0.05, **kwargs):
    """(wall seconds, WorkerMemory or None) of one command, which must succeed."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **kwargs,
    )
    memory = WorkerMemory(proc.pid, interval) if poll else None
    if memory:
        with memory:
            _, err = proc.communicate()
    else:
        _, err = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(
            f"bench: {' '.join(map(str, command))} failed ({proc.returncode}):\n"
            + err.decode("utf-8", "replace")[-2000:]
        )
    return seconds, memory


def children_cpu():
    """CPU seconds of every finished descendant: a grade-all, its graders, their zygotes, the
    supervisors and learner processes, each reaped up the chain."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_cpu(command):
    """(wall seconds, CPU seconds of the whole process tree) of one command."""
    before = children_cpu()
    seconds, _ = timed(command)
    return seconds, children_cpu() - before


def grade_cli(path):
    return [PY, "-m", "autograder", "grade", str(path), "--format", "json"]


def grade_all_cli(directory, output_dir, jobs):
    return [
        PY,
        "-m",
        "autograder",
        "grade-all",
        str(directory),
        "--jobs",
        str(jobs),
        "--output-dir",
        str(output_dir),
    ]


def correct_submissions(work):
    """{format: path} of one correct submission in each format."""
    paths = {}
    for fmt in ("py", "ipynb"):
        entry = build_class(work / f"single-{fmt}", 1, formats=(fmt,))[0]
        paths[fmt] = work / f"single-{fmt}" / entry.path
    return paths


def single_and_overhead(path, runs):
    """End-to-end CLI runs interleaved with in-process runs of the same checks, so both see the
    same machine load: {"e2e", "inside", "overhead"} medians, and the sandbox breakdown."""
    from bench.learner_time import learner_seconds, sandbox_breakdown

    timed(grade_cli(path))  # warm-up: file cache, bytecode
    e2e, inside, parts = [], [], []
    for _ in range(runs):
        e2e.append(timed(grade_cli(path))[0])
        inside.append(learner_seconds(path)[0])
        parts.append(sandbox_breakdown(path))
    med = {k: statistics.median(p[k] for p in parts) for k in parts[0]}
    return {
        "e2e": statistics.median(e2e),
        "inside": statistics.median(inside),
        "overhead": statistics.median(a - b for a, b in zip(e2e, inside, strict=True)),
        **med,
    }


def worker_peak(path):
    """(worker peak, grader peak) in bytes while `autograder grade` grades `path`, polled every
    10 ms. ru_maxrss of the grader's children would be wrong here: a child forked by the grader
    counts the grader's own resident pages until it execs the worker."""
    return timed(grade_cli(path), poll=True, interval=0.01)[1]


def grade_all_overhead(paths, sizes, inside, work):
    """grade-all --jobs 1 on classes of correct submissions (modules and notebooks
    alternating) of the two `sizes`: {"marginal": s/submission between them, "inside": time in
    learner functions per submission, "overhead": their difference, "startup": what the first
    class cost beyond its submissions}, and the same three in CPU time (`*_cpu`)."""
    from bench.learner_time import learner_seconds

    seconds, cpu = [], []
    for n in sizes:
        folder = work / f"correct-{n}"
        folder.mkdir(parents=True, exist_ok=True)
        fmts = list(paths)
        for i in range(n):
            fmt = fmts[i % len(fmts)]
            shutil.copyfile(paths[fmt], folder / f"learner{i:03d}.{fmt}")
        wall, used = timed_cpu(grade_all_cli(folder, work / f"reports-correct-{n}", 1))
        seconds.append(wall)
        cpu.append(used)
    (n0, n1), (s0, s1) = sizes, seconds
    marginal = (s1 - s0) / (n1 - n0)
    marginal_cpu = (cpu[1] - cpu[0]) / (n1 - n0)
    inside_cpu = statistics.mean(learner_seconds(p, cpu=True)[0] for p in paths.values())
    per_inside = statistics.mean(inside.values())
    return {
        "marginal": marginal,
        "inside": per_inside,
        "overhead": marginal - per_inside,
        "startup": s0 - n0 * marginal,
        "seconds": seconds,
        "marginal_cpu": marginal_cpu,
        "inside_cpu": inside_cpu,
        "overhead_cpu": marginal_cpu - inside_cpu,
    }


@contextlib.contextmanager
def quiet(log):
    """nbgrader's own log (checksum warnings, kernel notices) to a file, not the report."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log, "ab") as f:
        os.dup2(f.fileno(), 1)
        os.dup2(f.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            print(f"bench: nbgrader failed; its log: {log}", file=sys.stderr)
            raise
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def kit_totals(output_dir):
    with open(output_dir / GRADEBOOK, newline="") as f:
        return {row["learner"]: float(row["score"]) for row in csv.DictReader(f)}


def against_nbgrader(work, n, jobs):
    """(seconds of `nbgrader autograde` through the kit's config, grade-all seconds, same totals?)
    on the same n notebooks."""
    course, notebooks = work / "course", work / f"notebooks-{n}"

    def learners(release_nb):  # the course's own release, so nbgrader's checksums match
        entries = build_class(notebooks, n, formats=("ipynb",), release_nb=release_nb)
        return {e.learner: nbformat.read(notebooks / e.path, as_version=4) for e in entries}

    with quiet(work / "nbgrader.log"):
        build_course(course, learners)
        started = time.perf_counter()
        nbgrader(course, "autograde", ASSIGNMENT, "--force")
        nb_seconds = time.perf_counter() - started
    kit_seconds, _ = timed(grade_all_cli(notebooks, work / f"reports-nb-{n}", jobs))
    with quiet(work / "nbgrader.log"):
        nb_totals = gradebook(course)
    totals = kit_totals(work / f"reports-nb-{n}")
    same = nb_totals.keys() == totals.keys() and all(abs(nb_totals[k] - totals[k]) < 1e-6 for k in totals)
    return nb_seconds, kit_seconds, same, (nb_totals, totals)


def scaling(work, sizes, jobs):
    """[(n, seconds, worker peak bytes, grader peak bytes)] for grade-all on mixed classes."""
    rows = []
    for n in sizes:
        folder = work / f"class-{n}"
        build_class(folder, n)
        seconds, memory = timed(grade_all_cli(folder, work / f"reports-{n}", jobs), poll=True)
        rows.append((n, seconds, memory.worker_peak, memory.grader_peak))
        print(
            f"  N={n:<4} {seconds:7.1f} s  {seconds / n:5.2f} s/submission  "
            f"worker peak {memory.worker_peak / MB:5.1f} MB",
            flush=True,
        )
    return rows


def verdict(ok):
    return "holds" if ok else "MISSED"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,40", help="class sizes for grade-all (default: 10,40)")
    parser.add_argument(
        "--overhead-sizes",
        default="4,12",
        help="two sizes of all-correct classes for grade-all's overhead (default: 4,12)",
    )
    parser.add_argument("--nbgrader-n", type=int, default=10, help="notebooks graded by both (default: 10)")
    parser.add_argument(
        "--runs", type=int, default=5, help="runs of the single-submission timing (default: 5)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="grade-all --jobs (default: 2)")
    parser.add_argument(
        "--work", type=Path, help="keep the classes and reports here (default: a temporary folder)"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    args.overhead_sizes = [int(s) for s in args.overhead_sizes.split(",") if s][:2]
    work = args.work or Path(tempfile.mkdtemp(prefix="nn-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        run(args, sizes, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def run(args, sizes, work):
    started = time.perf_counter()
    print(
        f"bench: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start, "
        f"Python {sys.version.split()[0]}, grade-all --jobs {args.jobs}"
    )
    print(
        "class mix per ten: 2 correct, 4 mistaken, 1 blank, 3 hostile "
        "(hangs in softmax, sys.exit at import, floods stdout); modules and notebooks alternate\n",
        flush=True,
    )
    paths = correct_submissions(work)

    print(
        f"1-2. one correct submission end to end (python -m autograder grade; median of {args.runs} runs), "
        "and the grader's overhead (end to end minus time inside learner functions)",
        flush=True,
    )
    single = {}
    for fmt, path in paths.items():
        m = single[fmt] = single_and_overhead(path, args.runs)
        print(
            f"  .{fmt:<6} {m['e2e']:6.3f} s = inside learner functions {m['inside']:.3f} s + overhead {m['overhead']:.3f} s"
        )
        print(
            f"          overhead: start-up, imports, rendering {m['e2e'] - m['total']:.3f} s; "
            f"worker start (spawn, imports, confinement, load) {m['worker_start']:.3f} s; "
            f"{m['calls']:.0f} calls' codec and pipes {m['round_trips'] - m['inside']:.3f} s; "
            f"checks' own work {m['total'] - m['worker_start'] - m['round_trips']:.3f} s",
            flush=True,
        )

    n0, n1 = args.overhead_sizes
    print(
        f"\n2b. grade-all --jobs 1 on {n0} and {n1} correct submissions (modules and notebooks alternating): "
        "the grader's overhead per submission",
        flush=True,
    )
    batch = grade_all_overhead(paths, args.overhead_sizes, {f: m["inside"] for f, m in single.items()}, work)
    print(
        f"  N={n0} {batch['seconds'][0]:.1f} s, N={n1} {batch['seconds'][1]:.1f} s: marginal "
        f"{batch['marginal']:.3f} s/submission = inside learner functions {batch['inside']:.3f} s + overhead "
        f"{batch['overhead']:.3f} s; paid once per run (start-up, the slot, its zygote) {batch['startup']:.2f} s",
        flush=True,
    )
    print(
        f"  in CPU time (every process of the run; what load does not inflate): marginal "
        f"{batch['marginal_cpu']:.3f} s/submission = inside learner functions {batch['inside_cpu']:.3f} s + "
        f"overhead {batch['overhead_cpu']:.3f} s",
        flush=True,
    )

    print("\n3. peak memory (RSS high-water mark) while grading one correct submission", flush=True)
    peaks = {fmt: worker_peak(p) for fmt, p in paths.items()}
    for fmt, m in peaks.items():
        print(
            f"  .{fmt:<6} a worker process {m.worker_peak / MB:6.1f} MB; the grader process {m.grader_peak / MB:6.1f} MB"
        )

    n = args.nbgrader_n
    print(f"\n4. class throughput on the same {n} notebooks (the mix above)", flush=True)
    from bench.nbgrader_baseline import plain_seconds

    plain_per, _ = plain_seconds(work / "plain", n)  # scores differ by design: asserts, not the kit's checks
    nb_seconds, kit_seconds, same, (nb_totals, totals) = against_nbgrader(work, n, args.jobs)
    speedup = plain_per * n / kit_seconds
    print(
        f"  plain nbgrader autograde (asserts in its kernel, no kit) {plain_per * n:7.1f} s  "
        f"{plain_per:5.2f} s/submission  {60 / plain_per:6.1f} submissions/min"
    )
    print(
        f"  grade-all --jobs {args.jobs:<6}                             {kit_seconds:7.1f} s  "
        f"{kit_seconds / n:5.2f} s/submission  {60 * n / kit_seconds:6.1f} submissions/min"
    )
    print(
        f"  kit's nbgrader door (nbgrader autograde, kit config)    {nb_seconds:7.1f} s  "
        f"{nb_seconds / n:5.2f} s/submission"
    )
    print(
        f"  ratio {speedup:.2f}x plain nbgrader; the door gave every learner grade-all's total: "
        f"{'yes' if same else 'NO'}"
    )
    if not same:
        for learner in sorted(set(nb_totals) | set(totals)):
            print(f"    {learner:<28} nbgrader {nb_totals.get(learner)}  kit {totals.get(learner)}")

    print(f"\n5. grade-all --jobs {args.jobs} against class size (the mix above)", flush=True)
    rows = scaling(work, sizes, args.jobs)
    per = [s / n for n, s, _, _ in rows]
    # Linear (or better) when the cost of a submission does not grow with the class: seconds
    # per submission at every larger N at most TARGETS["linearity"] times that at the smallest.
    # (It falls as N grows: start-up is paid once, and the tail of the last hang is shorter.)
    growth = max(p / per[0] for p in per) if per else 1.0
    for (n0, s0, _, _), (n1, s1, _, _) in zip(rows[:-1], rows[1:], strict=True):
        print(f"  marginal {(s1 - s0) / (n1 - n0):.2f} s/submission from N={n0} to N={n1}")
    if len(rows) >= 2:
        print(
            f"  s/submission at N={rows[-1][0]} is {per[-1] / per[0]:.2f}x that at N={rows[0][0]}; "
            f"largest growth over N={rows[0][0]}: {growth:.2f}x"
        )
    class_worker = max([w for _, _, w, _ in rows], default=0)
    class_grader = max([g for _, _, _, g in rows], default=0)
    print(
        f"  polled peaks over every class: a worker process {class_worker / MB:.1f} MB, "
        f"a grader process {class_grader / MB:.1f} MB"
    )

    print(f"\n6. class-report on {CLASS_REPORT_N} learners' reports (built synthetically)", flush=True)
    class_report_seconds = class_report.measure(CLASS_REPORT_N, work)
    print(f"  {class_report_seconds:.1f} s")

    print(
        f"\n7. figures (issue 20): extra seconds of drawing them (median of {args.runs} interleaved runs)",
        flush=True,
    )
    drawn = figures.submissions(work)
    cost = {
        (kind, how): measure(path)
        for kind, path in drawn.items()
        for how, measure in (
            ("warm", lambda p: figures.warm(p, args.runs)),
            ("cold", lambda p: figures.cold(p, args.runs, timed, PY)),
        )
    }
    for kind in drawn:
        print(
            f"  {kind:<8} warm (grade_submission(figures=True) in a grader process) {cost[kind, 'warm']:+.3f} s; "
            f"cold (grade --format html against --format json) {cost[kind, 'cold']:+.3f} s"
        )

    worker_mb = max(max(m.worker_peak for m in peaks.values()), class_worker) / MB
    worst_single = max(m["e2e"] for m in single.values())
    print(
        f"\ntargets (issue 14); bench took {time.perf_counter() - started:.0f} s, "
        f"load average {os.getloadavg()[0]:.2f} at the end"
    )
    print(
        f"  one submission <= {TARGETS['single']} s median: "
        + ", ".join(f".{f} {m['e2e']:.3f} s" for f, m in single.items())
        + f"  {verdict(worst_single <= TARGETS['single'])}"
    )
    print(
        f"  throughput >= {TARGETS['speedup']:.0f}x plain nbgrader: {speedup:.2f}x  {verdict(speedup >= TARGETS['speedup'])}"
    )
    door = nb_seconds / n
    print(
        f"  kit's nbgrader door <= {TARGETS['door']} s/notebook: {door:.2f} s  {verdict(door <= TARGETS['door'])}"
    )
    # the larger of wall and CPU: under load the wall figure is noise (even below 0), and on a
    # quiet machine the CPU figure is what the wall one cannot go below (grading is sequential)
    overhead = max(batch["overhead"], batch["overhead_cpu"])
    print(
        f"  grader overhead in grade-all <= {TARGETS['overhead']} s/submission: {overhead:.3f} s  "
        f"{verdict(overhead <= TARGETS['overhead'])}  (wall {batch['overhead']:.3f} s, "
        f"CPU {batch['overhead_cpu']:.3f} s; one `grade` alone: "
        + ", ".join(f".{f} {m['overhead']:.3f} s" for f, m in single.items())
        + ")"
    )
    print(
        f"  worker peak <= {TARGETS['worker_mb']:.0f} MB: {worker_mb:.1f} MB  {verdict(worker_mb <= TARGETS['worker_mb'])}"
    )
    print(
        f"  linear in N (s/submission never grows over {TARGETS['linearity']}x that at the smallest N): "
        f"{growth:.2f}x  {verdict(growth <= TARGETS['linearity'])}"
    )
    print(
        f"  class.html for {CLASS_REPORT_N} learners <= {TARGETS['class_report']:.0f} s: "
        f"{class_report_seconds:.1f} s  {verdict(class_report_seconds <= TARGETS['class_report'])}  (issue 21)"
    )
    wrong = cost["wrong", "warm"]
    print(
        f"  figures of a wrong submission <= {TARGETS['figures']} s (warm): {wrong:.3f} s  "
        f"{verdict(wrong <= TARGETS['figures'])}  (cold, matplotlib imported once: {cost['wrong', 'cold']:.3f} s; "
        f"a correct one: warm {cost['correct', 'warm']:+.3f} s, cold {cost['correct', 'cold']:+.3f} s)  (issue 20)"
    )
    print(f"speedup_vs_nbgrader={speedup:.2f}")


if __name__ == "__main__":
    main()
