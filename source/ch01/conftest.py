"""在作业文件夹里运行 `pytest`：检查评分时会评的那个文件，最后按函数给出估计得分。

评分规则（所有评分方式都一样）：文件夹里有 ch01.ipynb 就评笔记本，否则评 nn_basics.py。
所以有笔记本时，这里也从笔记本的答案单元格（answer cells）和 setup 单元格组装出 nn_basics
模块来检查，和评分器（grader）读笔记本的方式一样；辅助代码（helper code）要写在答案单元格里。

估计得分（estimate）= 通过公开检查（public checks）的函数的分值之和，分值来自 points.json
（由课程的评分标准 rubric 生成）。它只是估计：隐藏检查（hidden checks）会检查更多输入。
"""

import json
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))  # pytest puts it on sys.path itself (rootdir conftest)
NOTEBOOK, MODULE = "ch01.ipynb", "nn_basics.py"


def _cell_source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _graded_cells(nb):
    """What the grader runs of an nbgrader notebook: answer cells and cells tagged `setup`."""
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {})
        if cell.get("cell_type") == "code" and (
            meta.get("nbgrader", {}).get("solution") or "setup" in meta.get("tags", [])
        ):
            lines = _cell_source(cell).splitlines()
            yield "\n".join(ln for ln in lines if not ln.lstrip().startswith(("%", "!")))


def module_from_notebook(path):
    """The notebook's answer cells run as one module; `load_error` says where they stopped."""
    module = types.ModuleType("nn_basics")
    module.__file__ = path
    module.load_error = None
    try:
        with open(path, encoding="utf-8") as f:
            cells = list(_graded_cells(json.load(f)))
        for number, source in enumerate(cells, 1):
            exec(compile(source, f"{NOTEBOOK} 答案单元格 {number}", "exec"), module.__dict__)
    except Exception as exc:  # noqa: BLE001 - shown in the summary; the checks then fail
        module.load_error = f"{type(exc).__name__}: {exc}"
    return module


GRADED = NOTEBOOK if os.path.isfile(os.path.join(HERE, NOTEBOOK)) else MODULE
if GRADED == NOTEBOOK:
    sys.modules["nn_basics"] = module_from_notebook(os.path.join(HERE, NOTEBOOK))


def _points():
    try:
        with open(os.path.join(HERE, "points.json"), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def _num(value):
    return f"{value:g}"


def pytest_configure(config):
    # pytest-timeout (requirements.txt) stops a check that hangs even where the checks' own time
    # limit cannot (public_checks.CHECK_SECONDS); without it the mark is only declared, not an error
    if not config.pluginmanager.hasplugin("timeout"):
        config.addinivalue_line("markers", "timeout(seconds): 需要 pytest-timeout（见 requirements.txt）")


def pytest_terminal_summary(terminalreporter):
    outcomes = {}
    for kind in ("passed", "failed", "skipped"):
        for report in terminalreporter.stats.get(kind, []):
            if "test_public_check[" in getattr(report, "nodeid", ""):
                name = report.nodeid.rsplit("[", 1)[1].rstrip("]")
                # a failure in any phase wins over a pass in another
                if outcomes.get(name) != "failed":
                    outcomes[name] = report.outcome
    if not outcomes:
        return
    points = _points()
    # the chapter's order (points.json follows the rubric), not pytest's passed-failed-skipped
    order = {name: i for i, name in enumerate(points)}
    outcomes = dict(sorted(outcomes.items(), key=lambda item: order.get(item[0], len(order))))
    write = terminalreporter.write_line
    terminalreporter.section("估计得分（estimate）")
    write(f"检查的文件（checked）：{GRADED}（评分规则：有 {NOTEBOOK} 就评笔记本，否则评 {MODULE}）")
    load_error = getattr(sys.modules.get("nn_basics"), "load_error", None)
    if load_error:
        write(f"运行笔记本的答案单元格时出错（error）：{load_error}")
    mark = {"passed": "✓", "failed": "✗", "skipped": "·"}
    width = max(len(name) for name in outcomes)
    for name, outcome in outcomes.items():
        got = points.get(name, 0) if outcome == "passed" else 0
        write(f"  {mark[outcome]} {name:<{width}}  {_num(got):>3} / {_num(points.get(name, 0))}")
    estimate = sum(points.get(name, 0) for name, outcome in outcomes.items() if outcome == "passed")
    passed = sum(1 for outcome in outcomes.values() if outcome == "passed")
    write(
        f"通过公开检查（passed）：{passed} / {len(outcomes)} 个函数；✗ 未通过，· 尚未实现（not implemented）"
    )
    if points:
        write(f"估计得分 (estimate)：{_num(estimate)} / {_num(sum(points.values()))}", bold=True)
    else:
        write("找不到 points.json，无法估计分数（no points.json: no estimate）")
    write(
        "这只是根据公开检查的估计，不是成绩：评分时的隐藏检查（hidden checks）会检查更多输入；"
        "问答题（written answers）由老师另外评分。"
    )
