"""One class graded by `grade-all --jobs 2`, attackers beside correct classmates: every attacker
earns what its code earns (here nothing), every classmate keeps full marks, nothing outlives the
run and the kit's tree is unchanged."""

import csv
import shutil
import subprocess
import sys
import time

import pytest

from tests.test_sandbox_adversarial import CORPUS, KIT, processes_matching, tree_digest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sandbox_class")]  # one worker grades the class once

REFERENCE = KIT / "solutions" / "nn_basics.py"
BOUND = 600.0  # seconds for the whole class on a loaded 2-CPU machine: a bound, not a benchmark
CORRECT = ["ada", "bob"]
# What the attackers' code earns without the attack: a sigmoid returning a dict (most of them
# return what they saw). Whatever that earns (0 once property checks pay only with values),
# an attacker may not earn more.
BASELINE = "def sigmoid(x):\n    return {'seen': 0}\n"
ATTACKERS = {  # learner: corpus file
    "amplifier": "reply_amplifier.py",
    "filler": "disk_filler.py",
    "memtree": "memory_tree.py",
    "sockets": "sockets.py",
    "spy": "spy.py",
}
LINKS = ["link", "proclink", "dirlink", "notebooklink"]


def build_class(folder):
    folder.mkdir()
    (folder / "ada").mkdir()
    shutil.copy(REFERENCE, folder / "ada" / "nn_basics.py")
    shutil.copy(REFERENCE, folder / "bob.py")
    for learner, name in ATTACKERS.items():
        text = (CORPUS / name).read_text()
        for key, value in {
            "UNIX_PATH": "/run/docker.sock",
            "ABSTRACT": "nn-kit",
            "TCP_PORT": "22",
            "UDP_PORT": "53",
        }.items():
            text = text.replace(f"__{key}__", value)
        (folder / f"{learner}.py").write_text(text)
    (folder / "baseline.py").write_text(BASELINE)
    (folder / "link.py").symlink_to(REFERENCE)
    (folder / "proclink").mkdir()
    (folder / "proclink" / "nn_basics.py").symlink_to("/proc/self/cwd/solutions/nn_basics.py")
    (folder / "dirlink").symlink_to(KIT / "solutions", target_is_directory=True)
    (folder / "notebooklink.ipynb").symlink_to(KIT / "source" / "ch01" / "ch01.ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    folder = base / "submissions"
    build_class(folder)
    before = tree_digest()
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade-all",
            str(folder),
            "--jobs",
            "2",
            "--output-dir",
            str(base / "reports"),
        ],
        cwd=KIT,
        capture_output=True,
        text=True,
        timeout=BOUND,
    )
    elapsed = time.monotonic() - started
    with open(base / "reports" / "gradebook.csv", newline="") as f:
        rows = {row["learner"]: row for row in csv.DictReader(f)}
    return {
        "done": done,
        "rows": rows,
        "elapsed": elapsed,
        "before": before,
        "after": tree_digest(),
        "folder": folder,
        "reports": base / "reports",
    }


def test_the_run_completes(graded):
    assert graded["done"].returncode == 0, graded["done"].stderr[-2000:]
    assert graded["elapsed"] < BOUND
    assert set(graded["rows"]) == set(CORRECT) | set(ATTACKERS) | set(LINKS) | {"baseline"}


@pytest.mark.parametrize("learner", CORRECT)
def test_correct_classmates_keep_full_marks(graded, learner):
    row = graded["rows"][learner]
    assert float(row["score"]) == 100, row


@pytest.mark.parametrize("learner", sorted(ATTACKERS))
def test_attackers_earn_no_more_than_their_code_without_the_attack(graded, learner):
    deserved = float(graded["rows"]["baseline"]["score"])
    assert float(graded["rows"][learner]["score"]) <= deserved, graded["rows"][learner]


@pytest.mark.parametrize("learner", LINKS)
def test_links_to_the_reference_earn_nothing(graded, learner):
    assert float(graded["rows"][learner]["score"]) == 0, graded["rows"][learner]


def test_nothing_outlives_the_run_and_the_kit_is_unchanged(graded):
    assert processes_matching(str(graded["folder"]).encode()) == []
    assert processes_matching(str(graded["reports"]).encode()) == []  # grade-all's graders work there
    assert graded["after"] == graded["before"]
    assert (KIT / "solutions" / "nn_basics.py").read_text() == REFERENCE.read_text()
