"""`pytest` 在作业文件夹里的简短中文小结。（pytest 自己会把这个文件夹放进 sys.path，
所以测试能直接 import nn_basics 和 public_checks。）"""


def pytest_terminal_summary(terminalreporter):
    reports = [r for kind in ("passed", "failed", "skipped")
               for r in terminalreporter.stats.get(kind, [])
               if getattr(r, "when", "call") in ("call", "setup") and "test_public_check[" in r.nodeid]
    if not reports:
        return
    by_outcome = {"passed": [], "failed": [], "skipped": []}
    for report in reports:
        name = report.nodeid.rsplit("[", 1)[1].rstrip("]")
        by_outcome[report.outcome].append(name)
    write = terminalreporter.write_line
    terminalreporter.section("公开检查小结（public checks summary）")
    write(f"通过（passed）：{len(by_outcome['passed'])} / {len(reports)}")
    if by_outcome["failed"]:
        write("未通过（failed）：" + ", ".join(by_outcome["failed"]))
    if by_outcome["skipped"]:
        write("尚未实现（not implemented yet）：" + ", ".join(by_outcome["skipped"]))
    write("提示：公开检查只覆盖一部分情况；评分还有隐藏检查（hidden checks）。")
