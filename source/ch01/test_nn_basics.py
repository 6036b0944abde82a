"""公开测试（public tests）：在作业文件夹里运行 `pytest`，检查 nn_basics.py 中你的实现。

每个函数一个测试，调用与笔记本测试单元格相同的公开检查（public_checks.py）。
还没实现的函数显示为 SKIPPED（尚未实现），不算失败。这些不是评分用的隐藏检查。
"""

import pytest

import public_checks

nn_basics = pytest.importorskip(
    "nn_basics", reason="找不到 nn_basics.py：请在作业文件夹（与本文件同一目录）里运行 pytest"
)


# 每个检查自己在 CHECK_SECONDS 秒后停下并说明停在哪个函数里；pytest-timeout 是再后一步的保险：
# 它的 thread 方式打印每个线程的调用栈（stack）后结束 pytest。
@pytest.mark.timeout(2 * public_checks.CHECK_SECONDS, method="thread")
@pytest.mark.parametrize("name", public_checks.CONTRACT_FUNCTIONS)
def test_public_check(name):
    function = getattr(nn_basics, name, None)
    if function is None:
        pytest.fail(f"nn_basics.py 里没有函数 {name}：不要删除或改名 stub 里的函数。", pytrace=False)
    check = getattr(public_checks, f"check_{name}")
    try:
        check(function)
        return
    except NotImplementedError:
        outcome = None
    except AssertionError as failure:
        outcome = str(failure)
    # 在 except 之外结束测试，pytest 就只显示这条说明，而不是一串连锁的回溯（traceback）
    if outcome is None:
        pytest.skip(f"{name} 尚未实现 (not implemented yet)")
    pytest.fail(f"{name} 没有通过公开检查：\n{outcome}", pytrace=False)
