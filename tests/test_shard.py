"""`grade-all --shard i/N` and `merge`: a stable split, and N shards merged equal one run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from autograder.doors.shard import MergeError, Shard, merge, write_marker
from autograder.reporters import render
from autograder.results import CheckResult, Outcome, Results
from tests.cli_in_process import run_cli
from tests.mistakes import MISTAKES, correct_source, stub_source


@pytest.mark.parametrize("text", ["0/4", "5/4", "1", "a/b", "1/0", "-1/4", "1/4/2"])
def test_a_bad_shard_is_refused(text):
    with pytest.raises(ValueError):
        Shard.parse(text)


def test_every_learner_is_in_exactly_one_shard_whoever_else_is_in_the_class():
    learners = [f"learner{i}-pr{i % 3}" for i in range(1000)]
    for count in (1, 2, 3, 7):
        shards = [Shard(i, count) for i in range(1, count + 1)]
        owners = {name: [s.index for s in shards if s.holds(name)] for name in learners}
        assert all(len(found) == 1 for found in owners.values())
        sizes = [sum(1 for found in owners.values() if found == [s.index]) for s in shards]
        assert max(sizes) - min(sizes) < 0.3 * len(learners) / count, sizes  # a fair split (binomial spread)
        # A learner's shard is theirs alone: the same in a class of 10 and in reversed order.
        smaller = {name: [s.index for s in shards if s.holds(name)] for name in reversed(learners[:10])}
        assert all(smaller[name] == owners[name] for name in smaller)


def results_of(row: list[str], functions: tuple[str, ...]) -> Results:
    """Results whose gradebook row is `row` ([learner, score, max_score, error])."""
    learner, score, max_score, error = row
    tests = [
        CheckResult("right", functions[0], float(score), outcome=Outcome.PASSED),
        CheckResult("wrong", functions[0], float(max_score) - float(score), outcome=Outcome.FAILED),
    ]
    return Results(learner, tests, functions=list(functions), not_graded=error or None)


def part(root: Path, shard: str, rows: list[list[str]], functions=("sigmoid",)) -> Path:
    """A finished part as grade-all --shard writes it: reports, a gradebook, the marker."""
    folder = root / f"shard-{shard.replace('/', 'of')}"
    folder.mkdir(parents=True)
    (folder / "gradebook.csv").write_text("written by grade-all, never read back\n", encoding="utf-8")
    for row in rows:
        (folder / f"{row[0]}.json").write_text(render(results_of(row, functions), "json"), encoding="utf-8")
    write_marker(folder, Shard.parse(shard), [row[0] for row in rows])
    return folder


def test_a_missing_shard_is_reported_and_the_others_stand(tmp_path, capsys):
    one = part(tmp_path, "1/3", [["bob", "50", "100", ""]])
    three = part(tmp_path, "3/3", [["alice", "100", "100", ""], ["carol", "0", "100", "timeout"]])
    crashed = tmp_path / "shard-2of3"  # started, never finished: no marker, no gradebook
    crashed.mkdir()
    result = merge([one, crashed, three, tmp_path / "never-uploaded"], tmp_path / "out")
    assert (result.count, result.merged, result.missing, result.complete) == (3, [1, 3], [2], False)
    rows = list(csv.reader((tmp_path / "out/gradebook.csv").read_text(encoding="utf-8").splitlines()))
    assert [row[0] for row in rows] == ["learner", "alice", "bob", "carol"]
    assert rows[3][-1] == "timeout"  # the error column, after the function columns
    assert sorted(p.name for p in (tmp_path / "out").glob("*.json")) == [
        "__merge.json",
        "alice.json",
        "bob.json",
        "carol.json",
    ]
    assert json.loads((tmp_path / "out/__merge.json").read_text())["missing"] == [2]
    # The CLI writes the same and exits 1, so a workflow sees the gap.
    done = run_cli(capsys, "merge", one, crashed, three, "--output-dir", tmp_path / "cli")
    assert done.returncode == 1 and "shards 2 of 3 did not finish" in done.stderr
    assert (tmp_path / "cli/gradebook.csv").read_text() == (tmp_path / "out/gradebook.csv").read_text()


def test_parts_that_do_not_belong_together_are_not_merged(tmp_path):
    a = part(tmp_path / "a", "1/2", [["alice", "1", "2", ""]])
    with pytest.raises(MergeError, match="part of 3 shards, the others of 2"):
        merge([a, part(tmp_path / "b", "2/3", [["bob", "1", "2", ""]])], tmp_path / "out")
    with pytest.raises(MergeError, match="two shards"):
        merge([a, part(tmp_path / "c", "2/2", [["alice", "1", "2", ""]])], tmp_path / "out")
    with pytest.raises(MergeError, match="other rubrics"):
        merge(
            [a, part(tmp_path / "d", "2/2", [["bob", "1", "2", ""]], functions=("relu",))], tmp_path / "out"
        )
    with pytest.raises(MergeError, match="given twice"):
        merge([a, part(tmp_path / "e", "1/2", [["bob", "1", "2", ""]])], tmp_path / "out")
    with pytest.raises(MergeError, match="not a file name"):
        merge([part(tmp_path / "f", "2/2", [["..", "1", "2", ""]])], tmp_path / "out")
    # The shard count given, but no part finished: nothing to merge, said as for no count given.
    with pytest.raises(MergeError, match="no finished shard"):
        merge([tmp_path / "never-uploaded"], tmp_path / "out", expect=2)
    with pytest.raises(MergeError, match="no finished shard"):
        merge([tmp_path / "nothing"], tmp_path / "out")


@pytest.fixture
def autograder(capsys):
    def run(*args):
        done = run_cli(capsys, *args)
        assert done.returncode in (0, 1), done.stderr
        return done

    return run


def without_timing(folder: Path) -> dict[str, dict]:
    reports = {}
    for path in folder.glob("*.json"):
        if path.name not in ("__shard.json", "__merge.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            data.pop("execution_time")
            data["results"].pop("execution_time")
            reports[path.name] = data
    return reports


@pytest.mark.slow
def test_shards_merged_equal_one_unsharded_run(tmp_path, autograder):
    klass = tmp_path / "class"
    (klass / "alice").mkdir(parents=True)
    (klass / "alice/nn_basics.py").write_text(correct_source(), encoding="utf-8")
    (klass / "bob.py").write_text(MISTAKES[0].source(), encoding="utf-8")
    (klass / "carol.py").write_text(stub_source(), encoding="utf-8")
    (klass / "dave").mkdir()  # nothing submitted: the grader cannot grade it, a row all the same
    (klass / "erin.py").write_text(MISTAKES[-1].source(), encoding="utf-8")
    learners = ["alice", "bob", "carol", "dave", "erin"]
    assert len({next(i for i in (1, 2, 3) if Shard(i, 3).holds(n)) for n in learners}) >= 2

    autograder("grade-all", klass, "--output-dir", tmp_path / "whole", "--jobs", "2")
    parts = [tmp_path / f"shard-{i}" for i in (1, 2, 3)]
    for i, folder in enumerate(parts, start=1):
        autograder("grade-all", klass, "--shard", f"{i}/3", "--output-dir", folder, "--jobs", "2")
        marker = json.loads((folder / "__shard.json").read_text())
        assert marker["learners"] == sorted(n for n in learners if Shard(i, 3).holds(n))
    merged = autograder("merge", *parts, "--output-dir", tmp_path / "merged")
    assert merged.returncode == 0, merged.stderr

    whole = (tmp_path / "whole/gradebook.csv").read_text(encoding="utf-8")
    assert (tmp_path / "merged/gradebook.csv").read_text(encoding="utf-8") == whole
    assert [row.split(",")[0] for row in whole.splitlines()] == ["learner", *learners]
    assert without_timing(tmp_path / "merged") == without_timing(tmp_path / "whole")
    assert len(without_timing(tmp_path / "whole")) == len(learners)
