"""公开检查（public checks）：第 1 章每个函数的几条快速检查。

笔记本里的测试单元格（test cell）和 `pytest`（test_nn_basics.py）都调用这里的
check_<函数名>(f)。它们只检查形状、几个已知值和数值稳定性，不是评分用的隐藏检查
（hidden checks）：通过了公开检查不代表一定满分。

每个检查失败时抛出 AssertionError，说明输入、期望值、实际返回值和可以尝试的做法；
学习者的函数还没有实现（抛出 NotImplementedError）时，抛出 NotImplementedYet。
激活函数和导数的检查失败时，还画一张对比图（comparison figure，curves.py）：你的函数在公开区间上的
曲线画在参考曲线上，不同的地方涂上底色。在笔记本里图显示在测试单元格下面；用 pytest 时图存成 PNG，
失败说明里写出它的路径。

评分时（nbgrader autograde 设置的 NBGRADER_EXECUTION=autograde），
每个检查立即返回，不调用学习者的函数：得分只由评分器（grader）的隐藏检查决定。
"""

import contextlib
import functools
import importlib.util
import math
import os
import signal
import stat
import sys
import tempfile
import threading
import traceback
import warnings

import numpy as np

CONTRACT_FUNCTIONS = [
    "sigmoid",
    "sigmoid_derivative",
    "tanh",
    "tanh_derivative",
    "relu",
    "relu_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "elu",
    "elu_derivative",
    "swish",
    "swish_derivative",
    "softmax",
    "init_params",
    "forward_prop",
    "cost_function",
    "backward_prop",
    "update_params",
    "predict",
    "train",
    "numerical_gradient",
    "relative_error",
    "gradient_check",
]

__all__ = ["NotImplementedYet"] + [f"check_{name}" for name in CONTRACT_FUNCTIONS]

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


class NotImplementedYet(NotImplementedError):
    """学习者的函数还在抛出 NotImplementedError。"""


# 每个公开检查最多运行这么多秒（正确的实现全部检查加起来只要几秒）：超时就停下并说明停在哪个函数里。
# 环境变量 NN_KIT_CHECK_SECONDS 可以改它（例如很慢的电脑）。
CHECK_SECONDS = float(os.environ.get("NN_KIT_CHECK_SECONDS") or 30)


class _TimedOut(BaseException):
    """检查超时（不是 Exception 的子类：学习者代码里的 `except Exception` 拦不住它）。"""


# ---------------------------------------------------------------------------
# 工具（helpers）
# ---------------------------------------------------------------------------


def _autograding():
    """评分时公开检查让位：nbgrader autograde 在内核环境里设置 NBGRADER_EXECUTION=autograde。"""
    return os.environ.get("NBGRADER_EXECUTION") == "autograde"


def _show(value):
    """输入或输出的简短文字形式：数写成普通的数，数组写成 [..]（不带 numpy 的类型名）。"""
    if isinstance(value, np.ndarray) and value.ndim == 0 or isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=6, threshold=12, separator=", ")
    if isinstance(value, dict):
        inner = ", ".join(f"{k!r}: {_show_shape(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if callable(value):
        return getattr(value, "__name__", "函数")
    return repr(value)


def _show_shape(value):
    if isinstance(value, np.ndarray):
        return f"形状 {value.shape} 的数组"
    return _show(value)


def _snapshot(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    return None


def _changed(before, after):
    if isinstance(before, np.ndarray):
        return not (
            isinstance(after, np.ndarray)
            and after.shape == before.shape
            and np.array_equal(after, before, equal_nan=True)
        )
    if isinstance(before, dict):
        return any(_changed(v, after.get(k)) for k, v in before.items())
    return False


def _where(error):
    """异常发生在学习者代码中的哪一行（跳过本模块和 numpy 内部的帧）。"""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename != __file__ and "site-packages" not in frame.filename
    ]
    if not frames:
        return ""
    frame = frames[-1]
    line = f"：{frame.line}" if frame.line else ""
    return f"\n位置：{os.path.basename(frame.filename)} 第 {frame.lineno} 行{line}"


class _Learner:
    """包装学习者的函数：把异常和原地修改（in-place modification）变成易读的提示。"""

    def __init__(self, name, f):
        self.name = name
        self.f = f

    def describe(self, args, kwargs):
        parts = [_show(a) for a in args] + [f"{k}={_show(v)}" for k, v in kwargs.items()]
        return f"{self.name}({', '.join(parts)})"

    def __call__(self, *args, **kwargs):
        call = self.describe(args, kwargs)
        before = [_snapshot(a) for a in args]
        try:
            out = self.f(*args, **kwargs)
        except NotImplementedError:
            raise NotImplementedYet(
                f"{self.name} 尚未实现 (not implemented yet)：把答案单元格里的 "
                f"`raise NotImplementedError()` 换成你的代码，运行它，再运行这个检查。"
            ) from None
        except Exception as error:
            hint = ""
            if "truth value of an array" in str(error):
                hint = (
                    "\n提示：`if x < 0:` 只对单个数有效；对数组请用逐元素（element-wise）的 "
                    "np.where 或 np.maximum。"
                )
            raise AssertionError(
                f"调用 {call} 时抛出了 {type(error).__name__}: {error}{_where(error)}{hint}"
            ) from error
        for i, (old, new) in enumerate(zip(before, args, strict=True)):
            if _changed(old, new):
                raise AssertionError(
                    f"调用 {call} 之后，第 {i + 1} 个参数被改变了（原地修改，in place）。\n"
                    f"调用前：{_show(old)}\n调用后：{_show(new)}\n"
                    f"请在新数组上计算（例如 a - b 而不是 a -= b），或在扰动后恢复原值。"
                )
        if out is None:
            raise AssertionError(f"{call} 返回了 None：是不是忘了 return？")
        return out

    def array(self, *args, **kwargs):
        """调用并把结果转成 float 数组。"""
        out = self(*args, **kwargs)
        try:
            return np.asarray(out, dtype=float)
        except (TypeError, ValueError):
            raise AssertionError(
                f"{self.describe(args, kwargs)} 应返回数值数组，实际返回了 {type(out).__name__}: {_show(out)}"
            ) from None


def _learner_frames(frame):
    """计时器响起时正在运行的学习者代码：[(函数名, 文件名, 行号)]，从外到内；跳过本模块和库的帧。"""
    found = []
    while frame is not None:
        code = frame.f_code
        ours = code.co_filename == __file__ or "site-packages" in code.co_filename
        ours = ours or os.path.basename(code.co_filename) in ("test_nn_basics.py", "conftest.py")
        # a cell's or module's top level (<module>) calls the check: it is not where it hangs
        if not ours and not code.co_filename.startswith("<frozen") and code.co_name != "<module>":
            found.append((code.co_name, os.path.basename(code.co_filename), frame.f_lineno))
        frame = frame.f_back
    return found[::-1]


def _timed_out_message(name, frames):
    where = ""
    if frames:
        chain = " → ".join(function for function, _, _ in frames)
        _, filename, line = frames[-1]
        where = f"\n停在：{filename} 第 {line} 行；调用链（call chain）：{chain}。"
    return (
        f"{name} 的公开检查运行超过 {CHECK_SECONDS:g} 秒仍未结束（timed out），已被停止。{where}\n"
        f"提示：是不是有一个永远不会结束的循环（infinite loop）？例如 while 循环里的下标没有增加，"
        f"或者 np.nditer 的 it.iternext() 被漏掉了。"
    )


@contextlib.contextmanager
def _time_limit(name):
    """在 CHECK_SECONDS 秒后打断检查（SIGALRM，只在主线程、有 SIGALRM 的系统上）：
    Jupyter 的内核和 pytest 都在主线程里运行检查。"""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    stopped_in = []

    def alarm(signum, frame):
        stopped_in.append(_learner_frames(frame))
        raise _TimedOut()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, CHECK_SECONDS)
    try:
        yield
    except _TimedOut:
        raise AssertionError(_timed_out_message(name, stopped_in[0] if stopped_in else [])) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _public_check(check):
    name = check.__name__[len("check_") :]

    @functools.wraps(check)
    def run(f):
        if _autograding():
            return None
        try:
            with _time_limit(name):
                check(_Learner(name, f))
        except (AssertionError, NotImplementedError) as failure:
            error = failure
        else:
            print(f"✓ {name} 通过公开检查")
            return None
        note = _figure_note(name, error) if type(error) is AssertionError else ""
        # 重新抛出、不带内部回溯（traceback）：说明文字已经写明输入、期望和实际
        raise type(error)(str(error) + note) from None

    return run


def _expect_close(got, expected, call, hint="", rtol=1e-6, atol=1e-9):
    expected = np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        raise AssertionError(
            f"{call}\n期望形状 {expected.shape}，实际返回形状 {got.shape}。"
            "\n返回值应与输入同形状（不要把结果压平或改变维度）。"
        )
    if not np.all(np.isfinite(got)):
        raise AssertionError(
            f"{call}\n期望 {_show(expected)}\n实际 {_show(got)}：含有 NaN 或 inf。"
            f"\n{hint or '检查是否有 e^x 在 |x| 很大时溢出（overflow）。'}"
        )
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        raise AssertionError(
            f"{call}\n期望 {_show(expected)}\n实际 {_show(got)}" + (f"\n{hint}" if hint else "")
        )


def _expect_same_shape(got, x, call):
    if got.shape != np.shape(x):
        raise AssertionError(
            f"{call}\n期望形状 {np.shape(x)}（与输入相同），实际返回形状 {got.shape}。"
            "\n激活函数要逐元素（element-wise）计算，返回与输入同形状的数组。"
        )


# ---------------------------------------------------------------------------
# 对比图（comparison figure）：检查没通过时，你的曲线画在参考曲线上
# ---------------------------------------------------------------------------

# pytest 时对比图存在这里（临时文件夹，不会混进你要提交的作业文件夹）；环境变量 NN_KIT_FIGURE_DIR 可以改它。
FIGURE_DIR = os.environ.get("NN_KIT_FIGURE_DIR") or os.path.join(
    tempfile.gettempdir(), "nn_ch01_figures" + (f"_{os.getuid()}" if hasattr(os, "getuid") else "")
)


@contextlib.contextmanager
def _curve_on_failure(learner, reference, **kwargs):
    """检查失败时记下画对比图要用的东西：学习者的函数、参考公式（标量）和参数。"""
    try:
        yield
    except AssertionError as failure:
        if not hasattr(failure, "curve"):
            failure.curve = (learner, reference, kwargs)
        raise


@functools.cache
def _curves():
    """与本文件同一文件夹里的 curves.py（画图模块，和评分器用的是同一份）。"""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "curves.py")
    spec = importlib.util.spec_from_file_location("nn_kit_curves", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _quietly(f, *args, **kwargs):
    """在公开区间上调用学习者的函数：溢出等警告不打印（图上会标出 NaN 和 inf）。"""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(f(*args, **kwargs), dtype=float)


def _own_numeric_derivative(name, learner, xs, kwargs):
    """导数的检查：学习者自己的激活函数的数值导数（中心差分），看导数和自己的函数是否一致。"""
    activation = getattr(learner.f, "__globals__", {}).get(name.removesuffix("_derivative"))
    if not name.endswith("_derivative") or not callable(activation):
        return None, None
    h = 1e-5
    try:
        numeric = (_quietly(activation, xs + h, **kwargs) - _quietly(activation, xs - h, **kwargs)) / (2 * h)
    except Exception:  # noqa: BLE001 - 激活函数还没写好时，图上只少这一条线
        return None, None
    return numeric, f"你的 {activation.__name__} 的数值导数（numerical derivative）"


def _comparison_png(name, learner, reference, kwargs):
    curves = _curves()
    xs = curves.PUBLIC_X
    mine = _quietly(learner.f, xs.copy(), **kwargs)
    expected = np.array([reference(float(v)) for v in xs])
    numeric, numeric_label = _own_numeric_derivative(name, learner, xs, kwargs)
    given = "".join(f"，{k}={_show(v)}" for k, v in kwargs.items())
    figure = curves.curve_figure(
        xs,
        mine,
        expected,
        title=f"{name}{given}：你的函数（红）与参考答案（灰）",
        numeric=numeric,
        numeric_label=numeric_label,
    )
    marks = not np.all(np.isfinite(np.asarray(mine, dtype=float)))
    return curves.to_png(figure), marks


def _in_notebook():
    """在 Jupyter 内核（kernel）里运行：图可以直接显示在单元格下面。"""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def _own_folder(folder):
    """folder 只属于你（你的、别人不能写、不是链接）时才往里存图：共用的电脑上，/tmp 里同名的
    文件夹可能是同学先建的，里面的链接会让你的图写到别处（例如盖掉你的笔记本）。"""
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if not hasattr(os, "getuid"):  # Windows：临时文件夹本来就是每个用户自己的
        return True
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def _write_png(folder, name, png):
    """写成 folder/<name>.png；那里是一个链接时不跟着写（O_NOFOLLOW）。"""
    path = os.path.join(folder, f"{name}.png")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    with os.fdopen(os.open(path, flags, 0o644), "wb") as file:
        file.write(png)
    return path


def _saved(name, png):
    if _own_folder(FIGURE_DIR):
        try:
            return _write_png(FIGURE_DIR, name, png)
        except OSError:
            pass
    # 不是你自己的文件夹：换一个只属于这次运行的临时文件夹
    return _write_png(tempfile.mkdtemp(prefix="nn_ch01_figures_"), name, png)


def _figure_note(name, failure):
    """画出对比图：笔记本里显示在单元格下面，其他时候存成 PNG；返回要加在失败说明后面的一句话。"""
    curve = getattr(failure, "curve", None)
    if curve is None:
        return ""
    try:
        with _time_limit(name):
            png, marks = _comparison_png(name, *curve)
    except Exception:  # noqa: BLE001 - 画不出图（例如返回的形状不对）时，说明文字照旧
        return ""
    legend = "红线是你的函数，灰线是参考答案，橙色底色标出两者不同的地方"
    # 只在你的函数真的算出了 NaN 或 inf 时才提它们：否则这句话会把人引向溢出，而错的是公式
    legend += "，NaN 和 inf 画成图边上的记号。" if marks else "。"
    if _in_notebook():
        from IPython.display import Image, display

        display(Image(data=png, format="png"))
        return f"\n对比图（comparison figure）在上面：{legend}"
    try:
        path = _saved(name, png)
    except OSError:
        return ""
    return f"\n对比图（comparison figure）：{path}\n{legend}"


def _check_activation(learner, reference, points, hint, **kwargs):
    """一个激活函数（或其导数）的通用检查：已知值、形状、[-1000, 1000] 内有限。"""
    with _curve_on_failure(learner, reference, **kwargs):
        _check_values(learner, reference, points, hint, kwargs)


def _check_values(learner, reference, points, hint, kwargs):
    xs = np.array(points, dtype=float)
    expected = np.array([reference(float(v)) for v in xs])
    _expect_close(learner.array(xs, **kwargs), expected, learner.describe((xs,), kwargs), hint)

    grid = np.array([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
    got = learner.array(grid, **kwargs)
    _expect_same_shape(got, grid, learner.describe((grid,), kwargs))

    got = learner.array(0.5, **kwargs)
    _expect_same_shape(got, np.float64(0.5), learner.describe((0.5,), kwargs))

    extremes = np.array([-1000.0, -710.0, 710.0, 1000.0])
    expected = np.array([reference(float(v)) for v in extremes])
    _expect_close(
        learner.array(extremes, **kwargs),
        expected,
        learner.describe((extremes,), kwargs),
        hint or "对很大或很小的输入，先改写公式避免 e^x 溢出（overflow）。",
    )


# 独立的标量公式（用 math 逐个计算，溢出时取极限值），作为已知值。
def _sigmoid(x):
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    return math.exp(x) / (1 + math.exp(x))


def _central(fn, x, h=1e-6):
    return (fn(x + h) - fn(x - h)) / (2 * h)


# ---------------------------------------------------------------------------
# 激活函数（activation functions）
# ---------------------------------------------------------------------------


@_public_check
def check_sigmoid(sigmoid):
    _check_activation(sigmoid, _sigmoid, [-3.0, -1.0, 0.0, 1.0, 3.0], "")


def _sigmoid_derivative(x):
    return _sigmoid(x) * (1 - _sigmoid(x))


@_public_check
def check_sigmoid_derivative(sigmoid_derivative):
    with _curve_on_failure(sigmoid_derivative, _sigmoid_derivative):
        _sigmoid_derivative_traps(sigmoid_derivative)
    _check_activation(
        sigmoid_derivative,
        _sigmoid_derivative,
        [-3.0, -1.0, 0.0, 1.0, 3.0],
        "对照笔记本“Sigmoid 的导数”一节的推导检查公式：σ'(0) = 0.25 是它的最大值，"
        "而且 σ' 关于 0 对称（σ'(-x) = σ'(x)），处处为正。",
    )


def _sigmoid_derivative_traps(sigmoid_derivative):
    got = sigmoid_derivative.array(np.array([0.0]))
    if np.allclose(got, [0.0]):
        raise AssertionError(
            "sigmoid_derivative(array([0.])) 期望 0.25，实际 0。\n参数 x 是预激活值 z"
            "（pre-activation），不是 σ(z)：函数里要先自己算出 σ(x)。"
        )
    # 溢出的提示只给真的溢出了的实现；值算错的实现得到的是指向推导的提示
    extremes = np.array([-1000.0, -710.0])
    got = sigmoid_derivative.array(extremes)
    if got.shape == extremes.shape and not np.all(np.isfinite(got)):
        raise AssertionError(
            f"{sigmoid_derivative.describe((extremes,), {})}\n期望 [0, 0]（非常接近 0 的正数）\n"
            f"实际 {_show(got)}：含有 NaN 或 inf。\n⚠️ 教材勘误表第 1 条：e^(-x) / (1 + e^(-x))^2 "
            "在 x <= -710 时分子分母都溢出为 inf，inf/inf = NaN。换成推导最后那个只用 σ(x) 表示的形式，"
            "复用你的 sigmoid。"
        )


@_public_check
def check_tanh(tanh):
    _check_activation(
        tanh,
        math.tanh,
        [-3.0, -1.0, 0.0, 1.0, 3.0],
        "⚠️ 陷阱（trap）：教材的 (1 - e^(-2x)) / (1 + e^(-2x)) 在 x = 1000 时没问题，"
        "但 x 约 <= -355 时 e^(-2x) 溢出，-inf/inf = NaN；直接用 (e^x - e^-x)/(e^x + e^-x) "
        "则两端都会溢出。用 np.tanh，或恒等式 tanh(x) = 2σ(2x) - 1。",
    )


@_public_check
def check_tanh_derivative(tanh_derivative):
    _check_activation(
        tanh_derivative,
        lambda x: 1 - math.tanh(x) ** 2,
        [-3.0, -1.0, 0.0, 1.0, 3.0],
        "tanh'(x) = 1 - tanh(x)^2。",
    )


@_public_check
def check_relu(relu):
    _check_activation(relu, lambda x: max(0.0, x), [-2.0, -0.5, 0.0, 0.5, 3.0], "")


@_public_check
def check_relu_derivative(relu_derivative):
    _check_activation(
        relu_derivative,
        lambda x: 1.0 if x > 0 else 0.0,
        [-2.0, -0.5, 0.5, 3.0],
        "x < 0 时导数为 0，x > 0 时为 1。",
    )
    at_zero = relu_derivative.array(np.array([0.0]))
    if at_zero[0] not in (0.0, 1.0):
        raise AssertionError(f"relu_derivative(array([0.])) 应为 0 或 1，实际 {_show(at_zero)}。")


@_public_check
def check_leaky_relu(leaky_relu):
    _check_activation(
        leaky_relu,
        lambda x: x if x >= 0 else 0.01 * x,
        [-2.0, -0.5, 0.0, 0.5, 3.0],
        "默认 alpha = 0.01：x < 0 时返回 alpha·x。",
    )
    _check_activation(
        leaky_relu,
        lambda x: x if x >= 0 else 0.2 * x,
        [-2.0, 3.0],
        "参数 alpha 要用上，不要写死 0.01。",
        alpha=0.2,
    )


@_public_check
def check_leaky_relu_derivative(leaky_relu_derivative):
    _check_activation(
        leaky_relu_derivative,
        lambda x: 1.0 if x >= 0 else 0.01,
        [-2.0, -0.5, 0.5, 3.0],
        "x >= 0 时导数为 1，x < 0 时为 alpha。",
    )
    _check_activation(
        leaky_relu_derivative,
        lambda x: 1.0 if x >= 0 else 0.2,
        [-2.0, 3.0],
        "参数 alpha 要用上，不要写死 0.01。",
        alpha=0.2,
    )


@_public_check
def check_elu(elu):
    _check_activation(
        elu,
        lambda x: x if x >= 0 else math.expm1(x),
        [-2.0, -1.0, 0.0, 1.0, 3.0],
        "默认 alpha = 1.0（标准 ELU；教材代码的默认值 0.01 不是标准值）：x < 0 时返回 alpha·(e^x - 1)。",
    )
    _check_activation(
        elu, lambda x: x if x >= 0 else 0.5 * math.expm1(x), [-1.0, 2.0], "参数 alpha 要用上。", alpha=0.5
    )


@_public_check
def check_elu_derivative(elu_derivative):
    _check_activation(
        elu_derivative,
        lambda x: 1.0 if x >= 0 else math.exp(x),
        [-2.0, -1.0, 0.5, 3.0],
        "x >= 0 时导数为 1，x < 0 时为 alpha·e^x（默认 alpha = 1.0）。",
    )
    _check_activation(
        elu_derivative,
        lambda x: 1.0 if x >= 0 else 0.5 * math.exp(x),
        [-1.0, 2.0],
        "参数 alpha 要用上。",
        alpha=0.5,
    )


@_public_check
def check_swish(swish):
    xs = np.array([1.0, 2.0])
    got = swish.array(xs)
    expected = np.array([x * _sigmoid(x) for x in xs])
    if got.shape == xs.shape and np.allclose(got, 2 * expected):
        with _curve_on_failure(swish, lambda x: x * _sigmoid(x)):
            raise AssertionError(
                f"swish({_show(xs)}) 期望 {_show(expected)}，实际 {_show(got)}：正好是 2 倍。\n"
                "教材用的是重新参数化的形式 2·x·σ(βx)；本作业评分用标准形式 x·σ(βx)（β = 1 时即 SiLU）。"
            )
    _check_activation(
        swish, lambda x: x * _sigmoid(x), [-3.0, -1.0, 0.0, 1.0, 3.0], "swish(x) = x·σ(βx)，默认 beta = 1。"
    )
    _check_activation(
        swish, lambda x: x * _sigmoid(2 * x), [-1.0, 1.0], "参数 beta 要用上：x·σ(beta·x)。", beta=2.0
    )


@_public_check
def check_swish_derivative(swish_derivative):
    def swish_(x, beta=1.0):
        return x * _sigmoid(beta * x)

    hint = "乘积法则（product rule）：d/dx [x·s] = s + x·s'，其中 s = σ(βx)，s' = β·s·(1 - s)。"
    _check_activation(
        swish_derivative,
        lambda x: _central(swish_, x) if abs(x) < 50 else float(x > 0),
        [-3.0, -1.0, 0.0, 1.0, 3.0],
        hint,
    )
    _check_activation(
        swish_derivative,
        lambda x: _central(lambda t: swish_(t, 2.0), x),
        [-1.0, 1.0],
        "参数 beta 要用上。" + hint,
        beta=2.0,
    )


@_public_check
def check_softmax(softmax):
    x = np.array([1.0, 2.0, 3.0])
    total = sum(math.exp(v) for v in x)
    _expect_close(
        softmax.array(x),
        [math.exp(v) / total for v in x],
        softmax.describe((x,), {}),
        "softmax(x)_i = e^(x_i) / Σ_j e^(x_j)。",
    )

    batch = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    got = softmax.array(batch)
    call = softmax.describe((batch,), {})
    _expect_same_shape(got, batch, call)
    if not np.allclose(got.sum(axis=1), 1.0):
        raise AssertionError(
            f"{call}\n每一行（每个样本）的和应为 1，实际每行的和为 {_show(got.sum(axis=1))}。\n"
            "⚠️ 陷阱（trap）：教材沿 axis 0 归一化；一批行样本要沿参数 axis（默认最后一个轴）求和，"
            "而且求出的和要能广播（broadcasting）回原来的形状。"
        )
    _expect_close(got[1], [1 / 3] * 3, call)

    big = np.array([1000.0, 1000.0, 1000.0])
    _expect_close(
        softmax.array(big),
        [1 / 3] * 3,
        softmax.describe((big,), {}),
        "⚠️ 陷阱（trap）：e^1000 溢出成 inf，inf/inf = NaN。想想平移不变性（shift invariance）："
        "所有输入减去同一个数，softmax 不变；减去哪个数能让每个指数都不溢出？",
    )

    cols = batch.T
    got = softmax.array(cols, axis=0)
    call = softmax.describe((cols,), {"axis": 0})
    if not np.allclose(got.sum(axis=0), 1.0):
        raise AssertionError(f"{call}\n每一列的和应为 1，实际为 {_show(got.sum(axis=0))}。参数 axis 要用上。")


# ---------------------------------------------------------------------------
# 网络（the network）
# ---------------------------------------------------------------------------

PARAM_KEYS = ("Wxh", "bh", "Why", "by")


def _expect_params(params, shapes, call, what="参数字典"):
    if not isinstance(params, dict):
        raise AssertionError(f"{call} 应返回一个字典（dict），实际返回了 {type(params).__name__}。")
    if set(params) != set(shapes):
        raise AssertionError(f"{call} 返回的{what}的键是 {sorted(params)}，期望恰好是 {sorted(shapes)}。")
    for key, shape in shapes.items():
        value = np.asarray(params[key])
        if value.shape != shape:
            raise AssertionError(
                f"{call} 返回的{what}中 {key!r} 的形状是 {value.shape}，期望 {shape}。"
                + (
                    "\n偏置（bias）是一行：形状 (1, ·)；对样本求和后也要保持这个形状。"
                    if key.startswith("b")
                    else ""
                )
            )


def _shapes(n_in, n_hidden, n_out):
    return {"Wxh": (n_in, n_hidden), "bh": (1, n_hidden), "Why": (n_hidden, n_out), "by": (1, n_out)}


def _small_network():
    """一组固定的小参数（D=2, H=3, K=2）和数据，用来检查网络函数。"""
    params = {
        "Wxh": np.array([[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]]),
        "bh": np.array([[0.1, -0.2, 0.3]]),
        "Why": np.array([[1.0, -0.5], [-1.5, 0.25], [0.5, 2.0]]),
        "by": np.array([[-0.1, 0.2]]),
    }
    X = np.array([[0.0, 1.0], [1.0, -1.0], [2.0, 0.5], [-1.0, -0.5]])
    y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    return params, X, y


def _forward(X, params):
    """独立写的前向传播，逐个元素求和（不是向量化的写法，那是你的练习），用来生成期望值。"""

    def layer(inputs, W, b):
        return np.array(
            [
                [sum(row[i] * W[i, j] for i in range(W.shape[0])) + b[0, j] for j in range(W.shape[1])]
                for row in inputs
            ]
        )

    sig = np.vectorize(_sigmoid)
    z1 = layer(X, params["Wxh"], params["bh"])
    z2 = layer(sig(z1), params["Why"], params["by"])
    return z1, sig(z1), z2, sig(z2)


@_public_check
def check_init_params(init_params):
    params = init_params(2, 5, 1, seed=0)
    call = "init_params(2, 5, 1, seed=0)"
    _expect_params(params, _shapes(2, 5, 1), call)
    for key in ("bh", "by"):
        if not np.all(np.asarray(params[key]) == 0):
            raise AssertionError(f"{call}：偏置 {key!r} 应全为 0，实际 {_show(np.asarray(params[key]))}。")
    for key in ("Wxh", "Why"):
        w = np.asarray(params[key])
        if np.all(w == w.flat[0]):
            raise AssertionError(
                f"{call}：权重 {key!r} 的元素全都相同（{w.flat[0]}）。权重要随机初始化"
                "（标准正态分布，standard normal），否则同一层的神经元永远学得一样（对称性，symmetry）。"
            )
    again = init_params(2, 5, 1, seed=0)
    if any(not np.array_equal(params[k], again[k]) for k in PARAM_KEYS):
        raise AssertionError(f"两次调用 {call} 结果不同。用 np.random.default_rng(seed) 建立随机数生成器。")
    other = init_params(2, 5, 1, seed=1)
    if np.array_equal(params["Wxh"], other["Wxh"]):
        raise AssertionError("seed=0 和 seed=1 给出了相同的 Wxh：参数 seed 要传给 np.random.default_rng。")
    big = init_params(20, 50, 10, seed=0)["Wxh"]
    if not (0.8 < np.std(big) < 1.2 and abs(np.mean(big)) < 0.1):
        raise AssertionError(
            f"init_params(20, 50, 10, seed=0) 的 Wxh 均值 {np.mean(big):.3f}、标准差 {np.std(big):.3f}；"
            "标准正态分布的均值约 0、标准差约 1：用 rng.standard_normal。"
        )


@_public_check
def check_forward_prop(forward_prop):
    params, X, _ = _small_network()
    call = "forward_prop(X, params)（X 形状 (4, 2)，H = 3，K = 2）"
    out = forward_prop(X, params)
    if not isinstance(out, (tuple, list)) or len(out) != 4:
        raise AssertionError(f"{call} 应返回 4 个值 (z1, a1, z2, y_hat)，实际返回了 {_show(out)}。")
    names = ("z1", "a1", "z2", "y_hat")
    for name, got, expected in zip(names, out, _forward(X, params), strict=True):
        _expect_close(
            np.asarray(got, dtype=float),
            expected,
            f"{call} 的 {name}",
            "z1 = X·Wxh + bh，a1 = σ(z1)，z2 = a1·Why + by，ŷ = σ(z2)；矩阵乘法用 @。",
        )


@_public_check
def check_cost_function(cost_function):
    y = np.array([[1.0], [0.0]])
    y_hat = np.array([[0.5], [0.5]])
    call = cost_function.describe((y, y_hat), {})
    got = cost_function(y, y_hat)
    if isinstance(got, np.ndarray) or not isinstance(got, float):
        raise AssertionError(
            f"{call} 应返回一个 Python float，实际返回了 {type(got).__name__}: {_show(got)}。\n"
            "⚠️ 陷阱（trap）：内置的 sum 只沿第一个轴求和，返回的是数组；用 np.sum，再 float(...)。"
        )
    hint = "J = 0.5 · Σ (y - ŷ)^2，对所有样本和所有输出求和（注意因子 0.5）。"
    _expect_close(np.asarray(got), 0.25, call, hint)

    _, _, y2 = _small_network()
    y_hat2 = np.full_like(y2, 0.25)
    got = cost_function(y2, y_hat2)
    if isinstance(got, np.ndarray) or not isinstance(got, float):
        raise AssertionError(f"cost_function 对形状 (4, 2) 的 y 返回了 {_show(got)}，应是一个 Python float。")
    expected = _squared_error(y2, y_hat2)
    _expect_close(np.asarray(got), expected, "cost_function(y, y_hat)（y 形状 (4, 2)，ŷ 全为 0.25）", hint)


def _directional_derivative(X, y, params, key, direction, h=1e-6):
    """代价沿 params[key] 上一个方向（direction）的导数，中心差分。
    一个参数的梯度 g 正确时，它等于 Σ g ⊙ direction：一个随机方向就能查出大多数错误，
    又不必逐个元素扰动（那是 numerical_gradient 的练习）。"""

    def cost(step):
        moved = dict(params, **{key: params[key] + step * direction})
        return _squared_error(y, _forward(X, moved)[3])

    return (cost(h) - cost(-h)) / (2 * h)


def _squared_error(y, y_hat):
    """独立写的代价 0.5·Σ(y - ŷ)²，逐个元素相加。"""
    return 0.5 * sum((a - b) ** 2 for a, b in zip(np.ravel(y), np.ravel(y_hat), strict=True))


# 反向传播从输出层往回算，所以按这个顺序检查：输出层的错先在 by、Why 上暴露出来
BACKPROP_ORDER = ("by", "Why", "bh", "Wxh")
DIRECTION_NOTE = (
    "\n检查方法：取一个与 {key!r} 同形状的随机方向 d，比较 Σ grads[{key!r}] ⊙ d（你的梯度沿 d 的分量）"
    "与代价沿 d 的数值导数（数值上算出的“沿 d 走一小步，代价变化多快”）。梯度正确时两者相等。"
)


@_public_check
def check_backward_prop(backward_prop):
    params, X, y = _small_network()
    cache = _forward(X, params)
    call = "backward_prop(X, y, params, cache)（D=2, H=3, K=2, N=4）"
    gradients = backward_prop(X, y, params, cache)
    _expect_params(gradients, _shapes(2, 3, 2), call, "梯度字典")
    directions = np.random.default_rng(0)
    for key in BACKPROP_ORDER:
        got = np.asarray(gradients[key], dtype=float)
        direction = directions.standard_normal(params[key].shape)
        hint = {
            "by": "输出层的误差项错了，或者偏置的梯度没有把所有样本的贡献加起来"
            "（⚠️ 陷阱（trap）：教材忘了偏置）。",
            "Why": "输出层：链式法则的每一项都要乘上，包括 σ'(z2)；再用隐藏层的激活值 a1 把误差项变成 Why 的梯度。",
            "bh": "by、Why 已经对了：隐藏层的误差项要经过 Why 传回来，再乘上 σ'(z1)；"
            "偏置的梯度要把所有样本的贡献加起来。",
            "Wxh": "by、Why、bh 都对了：隐藏层的误差项怎样变成 Wxh 的梯度？对照笔记本里的形状表。",
        }[key]
        _expect_close(
            np.sum(got * direction),
            _directional_derivative(X, y, params, key, direction),
            f"{call} 的 {key!r} 沿一个随机方向 d 的分量 Σ grads[{key!r}] ⊙ d（期望值是数值导数）",
            hint + "\n记住 σ' 的参数是 z，不是 a。" + DIRECTION_NOTE.format(key=key),
            rtol=1e-5,
            atol=1e-7,
        )


@_public_check
def check_update_params(update_params):
    params, _, _ = _small_network()
    grads = {k: np.full_like(v, 2.0) for k, v in params.items()}
    new = update_params(params, grads, 0.5)
    call = "update_params(params, grads, 0.5)（grads 全为 2）"
    _expect_params(new, {k: v.shape for k, v in params.items()}, call)
    for key in PARAM_KEYS:
        _expect_close(
            np.asarray(new[key], dtype=float),
            params[key] - 1.0,
            f"{call} 的 {key!r}",
            "梯度下降（gradient descent）：p ← p - alpha · dJ/dp，每个参数都要更新"
            "（⚠️ 陷阱（trap）：教材从不更新偏置）。",
        )


@_public_check
def check_predict(predict):
    params, X, _ = _small_network()
    call = "predict(X, params)（X 形状 (4, 2)，K = 2）"
    got = predict(X, params)
    got_array = np.asarray(got)
    expected = np.array([[1 if p >= 0.5 else 0 for p in row] for row in _forward(X, params)[3]])
    if got_array.shape != expected.shape:
        raise AssertionError(f"{call} 应返回形状 {expected.shape}，实际 {got_array.shape}。")
    if not np.issubdtype(got_array.dtype, np.integer):
        raise AssertionError(f"{call} 应返回 int 数组，实际 dtype 是 {got_array.dtype}：用 .astype(int)。")
    if not np.array_equal(got_array, expected):
        raise AssertionError(
            f"{call}\n期望 {_show(expected)}\n实际 {_show(got_array)}\n"
            "ŷ >= 0.5 记为 1，否则为 0；ŷ 来自前向传播。"
        )


@_public_check
def check_train(train):
    call = "train(XOR_X, XOR_Y, num_hidden=5, alpha=1.0, num_iterations=3000, seed=0)"
    out = train(XOR_X, XOR_Y, num_hidden=5, alpha=1.0, num_iterations=3000, seed=0)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise AssertionError(f"{call} 应返回 (params, costs) 两个值，实际返回了 {_show(out)}。")
    params, costs = out
    _expect_params(params, _shapes(2, 5, 1), call)
    if not isinstance(costs, list) or len(costs) != 3000:
        raise AssertionError(
            f"{call} 的 costs 应是长度 3000 的 list（每次迭代一个），"
            f"实际是 {type(costs).__name__}，长度 {len(costs) if hasattr(costs, '__len__') else '?'}。"
        )
    if not all(isinstance(c, float) and not isinstance(c, np.ndarray) for c in costs):
        raise AssertionError(f"{call} 的 costs 里应全是 Python float（cost_function 的返回值）。")
    if not costs[-1] < costs[0]:
        raise AssertionError(
            f"{call}：代价没有下降（第一次 {costs[0]:.4f}，最后一次 {costs[-1]:.4f}）。"
            "检查更新的符号：p - alpha·grad。"
        )
    final = _squared_error(XOR_Y, _forward(XOR_X, {k: np.asarray(v, float) for k, v in params.items()})[3])
    if not final < 0.05 or costs[-1] > 0.05:
        raise AssertionError(
            f"{call}：训练后的代价是 {final:.4f}（costs 最后一项 {costs[-1]:.4f}），期望 < 0.05。\n"
            "alpha = 1.0 时 XOR 在几百次迭代内就能学会；先确认 backward_prop 和 update_params 的检查都通过了，"
            "并且循环里每次都用更新后的参数。"
        )
    _expect_own_descent(train)


# 第二组训练数据：不是 XOR，也不是默认参数（D=2，H=4，K=2，alpha=0.5，seed=3）。忽略参数、
# 写死 XOR 的目标值、另一种更新规则、编出来的代价，都走不出下面这条轨迹（trajectory）。
OWN_RUN = {"num_hidden": 4, "alpha": 0.5, "num_iterations": 25, "seed": 3}
TRAIN_HELPERS = ("init_params", "forward_prop", "cost_function", "backward_prop", "update_params")


def _copied(value):
    """参数的副本：期望的轨迹里，每次调用你的函数都拿到新数组（原地修改改不到别处）。"""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_copied(v) for v in value)
    return value.copy() if isinstance(value, np.ndarray) else value


def _descent_with(helpers, X, y, run):
    """用你自己的 init_params、forward_prop、cost_function、backward_prop、update_params 走
    run["num_iterations"] 步梯度下降（gradient descent）：{"params": 最后的参数, "costs": 每一步更新前的代价}。"""

    def call(name, *args, **kwargs):
        return helpers[name](*_copied(args), **kwargs)

    trajectory = {"params": call("init_params", X.shape[1], run["num_hidden"], y.shape[1], seed=run["seed"])}
    trajectory["costs"] = []
    while len(trajectory["costs"]) < run["num_iterations"]:
        now = trajectory["params"]
        cache = call("forward_prop", X, now)
        trajectory["costs"].append(call("cost_function", y, cache[3]))
        grads = call("backward_prop", X, y, now, cache)
        trajectory["params"] = call("update_params", now, grads, run["alpha"])
    return trajectory


def _expect_own_descent(train):
    """train 就是用你自己的辅助函数做梯度下降：在另一组数据上，用另一组参数，结果应与
    逐步调用这些函数得到的完全一致（评分时的检查也这样判断 train，只是数据和参数不同）。"""
    _, X, y = _small_network()
    run = OWN_RUN
    call = (
        f"train(X, y, num_hidden={run['num_hidden']}, alpha={run['alpha']}, "
        f"num_iterations={run['num_iterations']}, seed={run['seed']})（X 形状 (4, 2)，y 形状 (4, 2)）"
    )
    helpers = getattr(train.f, "__globals__", {})
    missing = [name for name in TRAIN_HELPERS if not callable(helpers.get(name))]
    if missing:
        raise AssertionError(f"{call}：和 train 同一个模块里找不到 {', '.join(missing)}。")
    out = train(X, y, **run)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise AssertionError(f"{call} 应返回 (params, costs) 两个值，实际返回了 {_show(out)}。")
    params, costs = out
    try:
        with np.errstate(all="ignore"):
            expected = _descent_with(helpers, X, y, run)
    except Exception as error:  # noqa: BLE001 - the learner's helpers; their own checks say more
        raise AssertionError(
            f"{call}：逐步调用你的辅助函数时出错（{type(error).__name__}: {error}）；先让它们的检查通过。"
        ) from None
    steps = (
        "init_params(D, H, K, seed=seed)，然后每一步：forward_prop → cost_function（先记下代价）"
        "→ backward_prop → update_params(…, alpha)"
    )
    try:
        _expect_params(params, _shapes(2, run["num_hidden"], 2), call)
    except AssertionError as wrong:
        raise AssertionError(
            f"{wrong}\n参数的形状由 X、y 和 num_hidden 决定：train 要用传进来的 num_hidden、alpha、seed"
            "（不要写死默认值或 XOR 的形状）。"
        ) from None
    try:
        got_costs = np.asarray(costs, dtype=float)
        want_costs = np.asarray(expected["costs"], dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"{call} 的 costs 应是数的 list，实际 {_show(costs)}。") from None
    if got_costs.shape != want_costs.shape:
        raise AssertionError(f"{call} 的 costs 应有 {run['num_iterations']} 项，实际形状 {got_costs.shape}。")
    if not np.allclose(got_costs, want_costs, rtol=1e-6, atol=1e-9):
        step = int(np.argmax(~np.isclose(got_costs, want_costs, rtol=1e-6, atol=1e-9)))
        raise AssertionError(
            f"{call}：第 {step} 步的代价（cost）是 {_show(got_costs[step])}，"
            f"用你自己的函数一步步算是 {_show(want_costs[step])}。\n"
            f"train 要用传进来的 X、y、num_hidden、alpha、seed（不要写死 XOR 或默认值），做真正的梯度下降：{steps}。"
        )
    for key in PARAM_KEYS:
        _expect_close(
            np.asarray(params[key], dtype=float),
            np.asarray(expected["params"][key], dtype=float),
            f"{call} 返回的 {key!r}（期望值：用你自己的函数一步步算出的参数）",
            f"每一步都用 update_params 更新、下一步用更新后的参数：{steps}。",
        )


# ---------------------------------------------------------------------------
# 梯度检验（gradient checking；教材称梯度检查）
# ---------------------------------------------------------------------------


@_public_check
def check_numerical_gradient(numerical_gradient):
    def square(x):
        return float(np.sum(x**2))

    one_at_a_time = "每次只扰动一个元素，其余元素保持原值；算完这个元素后先恢复它，再扰动下一个。"
    x = np.array([3.0])
    call = "numerical_gradient(f, array([3.])), f(x) = x²"
    got = numerical_gradient.array(square, x)
    _expect_close(got, [6.0], call, "中心差分（central difference）：(f(x+ε) - f(x-ε)) / (2ε)。", rtol=1e-6)

    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    got = numerical_gradient.array(square, x)
    _expect_close(got, 2 * x, "numerical_gradient(f, x)（x 形状 (2, 2)），f(x) = Σ x²", one_at_a_time)

    def product(x):
        return float(x[0] * x[1])

    x = np.array([2.0, 3.0])
    got = numerical_gradient.array(product, x)
    _expect_close(got, [3.0, 2.0], "numerical_gradient(f, array([2., 3.]))，f(x) = x0·x1", one_at_a_time)


@_public_check
def check_relative_error(relative_error):
    zero = np.zeros(3)
    got = relative_error(zero, zero)
    if not isinstance(got, float) or got != 0.0:
        raise AssertionError(
            f"relative_error(0, 0)（两个全零数组）应返回 0.0，实际 {_show(got)}。\n"
            "分母 ‖a‖ + ‖b‖ 为 0 时单独处理，返回 0.0。"
        )
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    got = relative_error(a, b)
    if isinstance(got, np.ndarray) or not isinstance(got, float):
        raise AssertionError(f"relative_error 应返回 Python float，实际 {type(got).__name__}。")
    _expect_close(
        np.asarray(got),
        math.sqrt(2) / 2,
        relative_error.describe((a, b), {}),
        "relative_error = ‖a - b‖ / (‖a‖ + ‖b‖)，用 2-范数（np.linalg.norm）。",
    )
    a, b = np.array([[3.0, 4.0]]), np.array([[3.0, 4.0]])
    _expect_close(np.asarray(relative_error(a, b)), 0.0, relative_error.describe((a, b), {}))


@_public_check
def check_gradient_check(gradient_check):
    params, _, _ = _small_network()

    def cost_fn(p):
        # 不可分（non-separable）的二次函数：同时扰动所有元素会得到错误的结果
        return float(0.5 * sum(np.sum(p[k] ** 2) for k in p) + np.sum(p["Wxh"]) * np.sum(p["by"]))

    grads = {k: v.copy() for k, v in params.items()}
    grads["Wxh"] = params["Wxh"] + np.sum(params["by"])
    grads["by"] = params["by"] + np.sum(params["Wxh"])

    got = gradient_check(cost_fn, params, grads)
    call = "gradient_check(cost_fn, params, grads)（grads 是正确的解析梯度）"
    if isinstance(got, np.ndarray) or not isinstance(got, float):
        raise AssertionError(f"{call} 应返回 Python float，实际 {type(got).__name__}: {_show(got)}。")
    if not got < 1e-7:
        raise AssertionError(
            f"{call}\n期望相对误差 < 1e-7，实际 {got:.3e}。\n"
            "⚠️ 陷阱（trap）：教材一次扰动所有权重，得到的是方向导数（directional derivative），"
            "正确的梯度也会被判错。对每个参数调用 numerical_gradient（每次扰动一个元素），"
            "把所有参数的梯度拼在一起再算 relative_error。"
        )
    wrong = {k: v.copy() for k, v in grads.items()}
    wrong["bh"] = wrong["bh"] + 0.5
    got = gradient_check(cost_fn, params, wrong)
    if not got > 1e-3:
        raise AssertionError(
            f"gradient_check 对一个错误的梯度（bh 多了 0.5）返回了 {got:.3e}，应该明显大于 1e-3。\n"
            "所有参数（包括偏置）都要参与比较。"
        )
