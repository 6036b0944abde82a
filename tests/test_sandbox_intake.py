"""A submission is data: links, hard links, FIFOs, devices, sockets and oversized files are
refused with a reason and graded 0; malformed or hostile notebooks and modules of any shape
give a report, never a grader crash; correct code in Chinese or in GBK scores full marks."""

import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder.core.grade import grade_submission
from autograder.core.submission import GRADED_NAMES, open_graded
from autograder.messages import MESSAGES
from autograder.reporters import render
from autograder.results import Results
from autograder.sandbox import intake
from autograder.sandbox.errors import Refused
from autograder.sandbox.workdir import carve_out
from tests.cli_in_process import run_cli
from tests.fakes import defined

KIT = Path(__file__).resolve().parent.parent
REFERENCE = KIT / "solutions" / "nn_basics.py"
SOURCE_NB = KIT / "source" / "ch01" / "ch01.ipynb"
AS_ROOT = os.getuid() == 0


def refusal(path):
    with open_graded(path) as sub:
        assert sub._workdir is None  # nothing was loaded or copied
        with pytest.raises(Refused):
            sub.call("sigmoid", 0.0)
        return sub.load_error


# --- links of every kind -----------------------------------------------------------------------


def _links(tmp_path):
    """{name: path to grade} for each link trick; each would grade the reference if followed."""

    def link(folder, name, target):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / name).symlink_to(target)
        return tmp_path / folder / name

    (tmp_path / "sibling").mkdir()
    (tmp_path / "sibling" / "nn_basics.py").write_text("from helper import *\n")
    link("sibling", "helper.py", REFERENCE)
    (tmp_path / "folder_link").symlink_to(KIT / "solutions", target_is_directory=True)
    return {
        "absolute link": link("absolute", "nn_basics.py", REFERENCE),
        "/proc/self/cwd link": link("proc", "nn_basics.py", "/proc/self/cwd/solutions/nn_basics.py"),
        "relative link": link("relative", "nn_basics.py", os.path.relpath(REFERENCE, tmp_path / "relative")),
        "folder that is a link": tmp_path / "folder_link",
        "file below a linked folder": tmp_path / "folder_link" / "nn_basics.py",
        "notebook link": link("notebook", "ch01.ipynb", SOURCE_NB),
        "sibling module link": tmp_path / "sibling",
    }


LINK_CASES = [
    "absolute link",
    "/proc/self/cwd link",
    "relative link",
    "folder that is a link",
    "file below a linked folder",
    "notebook link",
    "sibling module link",
]


@pytest.mark.parametrize("case", LINK_CASES)
def test_a_link_is_refused_never_followed(tmp_path, case):
    assert "symbolic link" in refusal(_links(tmp_path)[case])


def test_a_refused_submission_is_graded_zero_with_the_reason(tmp_path):
    results = grade_submission(_links(tmp_path)["absolute link"])
    assert results.score == 0 and results.max_score == 100
    assert "symbolic link" in results.load_error


@pytest.mark.parametrize("cwd", [KIT, None])
def test_the_proc_self_cwd_probe_scores_zero_through_the_cli(tmp_path, cwd):
    """What /work/shared/hooks/before-stop probes: exit 0, a report, score 0, from the kit's
    folder (the grader's working directory would be the kit) or from elsewhere."""
    link = _links(tmp_path)["/proc/self/cwd link"]
    out = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(link), "--format", "json", "--output", str(out)],
        cwd=cwd or tmp_path,
        timeout=60,
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["score"] == 0 and "symbolic link" in report["load_error"]


def test_a_hard_link_is_refused(tmp_path):
    (tmp_path / "original.py").write_text(REFERENCE.read_text())
    os.link(tmp_path / "original.py", tmp_path / "nn_basics.py")
    assert "2 hard links" in refusal(tmp_path / "nn_basics.py")


def test_a_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "nn_basics.py")  # opening it to read would wait for a writer forever
    started = time.monotonic()
    assert "FIFO" in refusal(tmp_path / "nn_basics.py")
    assert "FIFO" in refusal(tmp_path)
    assert time.monotonic() - started < 5


def test_a_socket_is_refused(tmp_path):
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "nn_basics.py"))
    try:
        assert "a socket" in refusal(tmp_path / "nn_basics.py")
    finally:
        server.close()


def test_a_device_is_refused(tmp_path):
    target = tmp_path / "nn_basics.py"
    if not AS_ROOT:  # mknod of a device needs CAP_MKNOD: an ordinary learner cannot make one
        with pytest.raises(PermissionError):
            os.mknod(target, stat.S_IFCHR | 0o644, os.makedev(1, 5))
        return
    os.mknod(target, stat.S_IFCHR | 0o644, os.makedev(1, 5))  # /dev/zero: reading never ends
    assert "character device" in refusal(target)


def test_nothing_at_the_path_is_the_graders_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        intake.read_submission(tmp_path / "missing.py", "nn_basics", GRADED_NAMES)
    with pytest.raises(FileNotFoundError):
        intake.read_submission(tmp_path, "nn_basics", GRADED_NAMES)  # a folder without nn_basics.py


def test_a_dangling_link_is_refused_through_the_cli(tmp_path, capsys):
    (tmp_path / "nn_basics.py").symlink_to(tmp_path / "nowhere.py")
    done = run_cli(capsys, "grade", tmp_path / "nn_basics.py", "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["score"] == 0


# --- sizes, checked before anything is read or parsed ------------------------------------------


def test_oversized_files_are_refused_before_reading(tmp_path):
    module = tmp_path / "nn_basics.py"
    with open(module, "wb") as f:
        f.truncate(intake.MAX_MODULE_BYTES + 1)
    assert "over the limit" in refusal(module)
    notebook = tmp_path / "ch01.ipynb"
    with open(notebook, "wb") as f:  # 180 MB, sparse: costs no disk, and is never read
        f.truncate(180 * 10**6)
    # VmHWM, not ru_maxrss: that one keeps the forking parent's (pytest's) peak across exec
    code = (
        "import re\n"
        "from autograder.core.grade import grade_submission\n"
        f"r = grade_submission({str(notebook)!r})\n"
        "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
        "print(r.score, hwm)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=KIT, timeout=60, capture_output=True, text=True, check=True
    )
    score, peak_kib = done.stdout.split()
    assert float(score) == 0
    assert int(peak_kib) < 200 * 1024  # the grader never holds the notebook


# --- malformed notebooks and hostile code: a report, never a crash ------------------------------


def _raw_notebook(cells, **top):
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5, **top})


MALFORMED = {
    "source is a list of ints": _raw_notebook(
        [{"cell_type": "code", "source": [1, 2, 3], "metadata": {}, "outputs": []}]
    ).encode(),
    "cells is not a list": b'{"cells": {"a": 1}, "nbformat": 4}',
    "a cell is a string": _raw_notebook(["print(1)"]).encode(),
    "100,000 levels deep": b"[" * 100_000 + b"]" * 100_000,
    "deep inside a cell": _raw_notebook(
        [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "x = 1"}]
    )
    .replace('"outputs": []', '"outputs": ' + "[" * 5000 + "]" * 5000)
    .encode(),
    "not UTF-8": b'{"cells": [], "metadata": {"x": "\xff\xfe"}}',
    "not JSON": b"{ this is not json",
    "too many cells": _raw_notebook(
        [{"cell_type": "markdown", "source": "", "metadata": {}}] * 3000
    ).encode(),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_notebook_is_a_report_with_a_reason(tmp_path, case):
    path = tmp_path / "ch01.ipynb"
    path.write_bytes(MALFORMED[case])
    results = grade_submission(path)
    assert results.score == 0
    assert "the notebook cannot be read" in results.load_error


def test_nbgrader_metadata_of_the_wrong_type_is_ignored_not_fatal(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(REFERENCE.read_text(encoding="utf-8"))]
    nb.cells[0].metadata["nbgrader"] = "solution"
    nb.cells[0].metadata["tags"] = "setup"
    nbformat.write(nb, str(tmp_path / "ch01.ipynb"))
    assert grade_submission(tmp_path / "ch01.ipynb").score == 100


UNARY = "x = " + "-" * 200_000 + "1\n"


@pytest.mark.parametrize("kind", ["module", "notebook cell"])
def test_200000_nested_unary_minus_signs_are_a_load_error(tmp_path, kind):
    if kind == "module":
        path = tmp_path / "nn_basics.py"
        path.write_text(UNARY)
    else:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(UNARY)]
        path = tmp_path / "ch01.ipynb"
        nbformat.write(nb, str(path))
    with open_graded(path) as sub:
        base = sub._workdir.base
        assert sub.load_error and defined(sub, ["sigmoid"]) == set()
    assert not base.exists(), "the temporary folder was left behind"
    assert grade_submission(path).score == 0


def test_a_module_that_is_not_utf8_is_a_load_error(tmp_path):
    (tmp_path / "nn_basics.py").write_bytes(b"def sigmoid(x):\n    return '\xff\xfe'\n")
    results = grade_submission(tmp_path / "nn_basics.py")
    assert results.score == 0 and "SyntaxError" in results.load_error


# --- correct code scores the same inside the sandbox as outside ---------------------------------

CHINESE = """
学习率 = 1.0
_原始的训练 = train


def train(X, y, num_hidden=5, alpha=学习率, num_iterations=5000, seed=0):
    隐藏单元数 = num_hidden
    迭代次数 = num_iterations
    return _原始的训练(X, y, num_hidden=隐藏单元数, alpha=alpha, num_iterations=迭代次数, seed=seed)
"""


def _chinese_module():
    return REFERENCE.read_text(encoding="utf-8") + CHINESE


def test_chinese_identifiers_score_full_marks_as_a_module(tmp_path):
    (tmp_path / "nn_basics.py").write_text(_chinese_module(), encoding="utf-8")
    results = grade_submission(tmp_path / "nn_basics.py")
    assert results.load_error is None and results.score == 100


def test_chinese_identifiers_score_full_marks_as_a_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(_chinese_module())]
    nbformat.write(nb, str(tmp_path / "ch01.ipynb"))
    results = grade_submission(tmp_path / "ch01.ipynb")
    assert results.load_error is None and results.score == 100


def test_a_gbk_file_with_its_coding_line_scores_full_marks(tmp_path):
    text = "# -*- coding: gbk -*-\n# 第一章：深度学习简介\n" + _chinese_module()
    data = text.encode("gbk", errors="replace")  # the reference's docstrings hold a few non-GBK letters
    assert "第一章".encode("gbk") in data and "第一章".encode() not in data
    (tmp_path / "nn_basics.py").write_bytes(data)
    results = grade_submission(tmp_path / "nn_basics.py")
    assert results.load_error is None and results.score == 100


# --- the reference is unreadable wherever the kit is installed ----------------------------------


@pytest.mark.parametrize("kit", ["/usr/src/app", "/opt/nn-kit", "/usr/lib/python3/dist-packages"])
def test_the_kit_is_carved_out_of_every_read_path(kit):
    allowed = carve_out({"/usr", "/opt", "/usr/lib/python3/dist-packages"}, {kit, kit + "/solutions"})
    assert not any(kit == a or kit.startswith(a.rstrip("/") + "/") for a in allowed)
    # its neighbours stay readable
    assert any(a.startswith("/usr/lib") or a == "/usr/bin" for a in allowed)


def test_every_refusal_reason_is_a_message_in_both_languages():
    sandbox = Path(__file__).resolve().parents[1] / "autograder" / "sandbox"
    reasons = set()
    for name in ("intake.py", "notebook.py", "errors.py"):
        reasons |= set(re.findall(r'"((?:refused|notebook)_[a-z_0-9]+)"', (sandbox / name).read_text()))
    assert len(reasons) >= 10
    for reason in reasons:
        zh, en = MESSAGES[reason]
        assert re.search(r"[\u4e00-\u9fff]", zh) and not re.search(r"[\u4e00-\u9fff]", en), reason


@pytest.mark.parametrize(
    "make, says_zh, says_en",
    [
        (lambda p: p.symlink_to(REFERENCE), "是一个链接", "is a link"),
        (lambda p: os.mkfifo(p), "不是普通文件", "is not a regular file"),
    ],
)
def test_a_refused_submission_says_why_in_the_learners_language(tmp_path, make, says_zh, says_en):
    make(tmp_path / "nn_basics.py")
    results = grade_submission(tmp_path / "nn_basics.py")
    assert results.score == 0 and results.grader_errors == []
    zh, en = render(results, "text", "zh"), render(results, "text", "en")
    assert says_zh in zh and "regular files are graded" not in zh
    first, *others = results.tests  # said once, by the first check; the others point to it
    assert says_zh in first.feedback.zh and not any(
        str(tmp_path) in test.feedback.zh for test in results.tests
    )
    assert says_en in en and "Your submission was not loaded" in en
    assert says_en in first.feedback.en
    assert all(f"same reason as check {first.name}" in test.feedback.en for test in others)
    assert results.load_error.startswith("the submission was refused")  # English, for the instructor
    report = json.loads(render(results, "json", "zh"))  # what the CI comment is written from
    results = Results.from_dict(report["results"])
    assert says_zh in report["refused"] and says_zh in results.refused.zh
    assert says_zh in render(results, "markdown", "zh")


def test_a_notebook_that_is_not_one_says_why_in_both_languages(tmp_path):
    path = tmp_path / "ch01.ipynb"
    path.write_bytes(MALFORMED["too many cells"])
    results = grade_submission(path)
    assert "笔记本有 3000 个单元格" in render(results, "text", "zh")
    assert "the notebook has 3000 cells (at most 2000)" in render(results, "text", "en")
