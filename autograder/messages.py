"""Every learner-facing text of the kit, in Simplified Chinese (default) and English.

Checks, reporters, the Gradescope and nbgrader doors and the pull-request comments never write
prose themselves: they pick a key here and fill in the values (the input, the expected value
and what came back; a score; a file name), so both languages always say the same thing.
Texts describe inputs and values only, never the grader's code or the reference's.
tests/test_messages.py holds every other module of the package to this (no CJK text elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    """A learner-facing text in both languages; `render(lang)` picks one."""

    zh: str = ""
    en: str = ""

    def render(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def __add__(self, other: Text) -> Text:
        join = lambda a, b: "\n".join(part for part in (a, b) if part)
        return Text(join(self.zh, other.zh), join(self.en, other.en))

    def __bool__(self) -> bool:
        return bool(self.zh or self.en)


MESSAGES: dict[str, tuple[str, str]] = {
    # --- how a call went wrong -------------------------------------------------------------
    "missing": (
        "没有找到函数 `{fn}`（missing）：请保留练习里给出的函数名和签名（signature）。",
        "Function `{fn}` is missing: keep the function name and signature given in the exercise.",
    ),
    "not_implemented": (
        "`{fn}` 未实现（not implemented）：它仍然抛出 NotImplementedError，记为未作答（not attempted）。",
        "`{fn}` is not implemented yet (it still raises NotImplementedError): not attempted.",
    ),
    "exception": (
        "调用 {call} 时抛出了异常（exception）：{error}",
        "Calling {call} raised an exception: {error}",
    ),
    "exception_hidden": (
        "调用 {call} 时抛出了异常 {error}。{why}这一项的输入不公开（hidden），所以不显示异常的说明文字（message）。",
        "Calling {call} raised {error}. {why}This check's inputs are hidden, so the exception's message is not shown.",
    ),
    "exception_explained": (
        "调用 {call} 时抛出了异常 {exc_type}：{why}",
        "Calling {call} raised an exception {exc_type}: {why}",
    ),
    "where_cell_function": (
        "  位置（where）：「{title}」一节的答案单元格，第 {line} 行，函数 `{function}` 里",
        '  Where: the answer cell of section "{title}", line {line}, in function `{function}`',
    ),
    "where_cell": (
        "  位置（where）：「{title}」一节的答案单元格，第 {line} 行",
        '  Where: the answer cell of section "{title}", line {line}',
    ),
    "where_py_function": (
        "  位置（where）：nn_basics.py 第 {line} 行，函数 `{function}` 里",
        "  Where: nn_basics.py, line {line}, in function `{function}`",
    ),
    "where_py": ("  位置（where）：nn_basics.py 第 {line} 行", "  Where: nn_basics.py, line {line}"),
    "where_source": ("  出错的代码：{source}", "  The line: {source}"),
    "why_name_error": (
        "名字 `{name}` 没有定义：检查拼写，是否忘了定义它，或者忘了导入（import，例如 import numpy as np）。",
        "the name `{name}` is not defined: check its spelling, and whether its definition or an import "
        "(e.g. import numpy as np) is missing.",
    ),
    "why_name_error_other": (
        "用到了一个没有定义的名字（NameError）：检查拼写，是否忘了定义它或忘了导入（import）。",
        "a name is used that is not defined: check its spelling, and whether a definition or an import is missing.",
    ),
    "why_operands": ("在 `{left}` @ `{right}` 中，", "in `{left}` @ `{right}`, "),
    "why_matmul_sizes": (
        "矩阵乘法（matrix product，@ 或 np.dot）两边的形状（shape）不匹配：{operands}左边数组的最后一维是 "
        "{left}，右边数组的第一维是 {right}，两者必须相等。",
        "the shapes of a matrix product (@ or np.dot) do not match: {operands}the left array's last "
        "dimension is {left} and the right array's first is {right}; they must be equal.",
    ),
    "why_matmul_shapes": (
        "矩阵乘法（matrix product，@ 或 np.dot）两边的形状（shape）不匹配：{operands}两个数组的形状是 "
        "{left} 和 {right}，左边的最后一维必须等于右边的第一维。",
        "the shapes of a matrix product (@ or np.dot) do not match: {operands}the arrays' shapes are "
        "{left} and {right}; the left one's last dimension must equal the right one's first.",
    ),
    "why_broadcast": (
        "逐元素运算（element-wise）的数组形状 {shapes} 不能广播（broadcast）：对应的维度要么相等，要么其中一个是 1。",
        "arrays of shapes {shapes} cannot be broadcast in an element-wise operation: matching dimensions "
        "must be equal, or one of them 1.",
    ),
    "shape_table_network": (
        "对照笔记本「1.3 人工神经网络的层」一节的形状表：X 是 (N, D)，Wxh 是 (D, H)，bh 是 (1, H)，"
        "Why 是 (H, K)，by 是 (1, K)，y 和 ŷ 是 (N, K)。写出每一步结果的形状，看看哪里少了转置（.T）或用错了数组。",
        "See the shape table in the notebook's section 1.3 (ANN and its layers): X is "
        "(N, D), Wxh (D, H), bh (1, H), Why (H, K), by (1, K), y and ŷ (N, K). Write down the shape of "
        "each step's result to find a missing transpose (.T) or a wrong array.",
    ),
    "shape_table_backprop": (
        "对照笔记本「反向传播（backpropagation）」一节的形状表：delta2 是 (N, K)，dJ/dWhy = a1ᵀ · delta2 是 "
        "(H, K)，delta1 = (delta2 · Whyᵀ) ⊙ σ'(z1) 是 (N, H)，dJ/dWxh = Xᵀ · delta1 是 (D, H)。"
        "看看哪里少了转置（.T）或用错了数组。",
        "See the shape table in the notebook's section on backpropagation (1.6): delta2 is (N, K), "
        "dJ/dWhy = a1ᵀ · delta2 is (H, K), delta1 = (delta2 · Whyᵀ) ⊙ σ'(z1) is (N, H), "
        "dJ/dWxh = Xᵀ · delta1 is (D, H). Look for a missing transpose (.T) or a wrong array.",
    ),
    "why_operand_types": (
        "运算 `{op}` 不能用于 `{left}` 和 `{right}` 类型的值（例如对 None、列表或字典做算术）。",
        "operator `{op}` does not apply to values of types `{left}` and `{right}` (e.g. arithmetic on None, a list or a dict).",
    ),
    "why_missing_argument": ("调用函数时少传了参数 {names}。", "a call is missing the argument(s) {names}."),
    "why_argument_count": (
        "传入的参数个数和函数定义的不一致。",
        "a call passes more or fewer arguments than the function takes.",
    ),
    "why_not_callable": (
        "`{kind}` 类型的值不能像函数一样调用：是不是一个变量名盖住了同名的函数？",
        "a value of type `{kind}` cannot be called like a function: does a variable hide a function of the same name?",
    ),
    "why_not_subscriptable": (
        "`{kind}` 类型的值不能用下标 [...] 取值。",
        "a value of type `{kind}` cannot be indexed with [...].",
    ),
    "why_type_error": (
        "某个运算或调用拿到了不支持的类型（type），例如对 None、列表或字典做数组运算，或者参数个数不对。",
        "an operation or call got a type it does not support, e.g. array arithmetic on None, a list or a "
        "dict, or the wrong number of arguments.",
    ),
    "why_index_error": (
        "下标超出范围（index out of range）：用到的下标超过了数组或列表的长度，或者数组的维数比你以为的少。",
        "an index is out of range: past the length of an array or list, or the array has fewer dimensions "
        "than you thought.",
    ),
    "why_key_error": (
        "字典里没有键 {missing}：参数字典（params、grads）的键是 'Wxh'、'bh'、'Why'、'by'。",
        "the dict has no key {missing}: the keys of params and grads are 'Wxh', 'bh', 'Why', 'by'.",
    ),
    "why_attribute": (
        "`{kind}` 类型的值没有属性 `{attribute}`。",
        "a value of type `{kind}` has no attribute `{attribute}`.",
    ),
    "why_attribute_error": (
        "访问了不存在的属性（attribute）。",
        "an attribute that does not exist was used.",
    ),
    "why_zero_division": ("除以了 0（division by zero）。", "a division by zero."),
    "why_recursion": (
        "递归太深（recursion）：函数在不停地调用自己。",
        "the recursion is too deep: a function keeps calling itself.",
    ),
    "why_other": (
        "异常的英文说明（message）在英文报告里（--lang en）。",
        "The message is the exception's own.",
    ),
    "detail_exit_code": ("进程结束，退出码（exit code）{code}", "the process ended with exit code {code}"),
    "detail_killed": (
        "进程被信号 {signal} 终止（常见原因：超出内存限制 memory limit）",
        "the process was killed by {signal} (often: over the memory limit)",
    ),
    "detail_ended": ("进程意外结束", "the process ended unexpectedly"),
    "detail_bad_return": (
        "它不是数字、numpy 数组、列表、元组或字典组成的普通数据（plain data）",
        "it is not plain data made of numbers, numpy arrays, lists, tuples or dicts",
    ),
    "detail_bad_callback": (
        "参数的类型或形状不对，调用次数太多，或者调用的不是传入的那个函数",
        "an argument of the wrong type or shape, too many calls, or a function other than the one passed in",
    ),
    "detail_see_english": ("详细的英文说明在英文报告里（--lang en）", "see the English report"),
    "load_error_explained": (
        "加载你的代码时出错（error while loading），之后的函数可能都没有定义：\n{items}",
        "Loading your code failed; functions after that point may be undefined:\n{items}",
    ),
    "load_error_item": ("- 抛出了异常 {exc_type}：{why}\n{where}", "- {exc_type}: {why}\n{where}"),
    "timeout": (
        "调用 {call} 超时（timeout）：没有在限定时间内返回。检查是否有死循环（infinite loop）或不必要的大量计算。",
        "Calling {call} timed out: it did not return in time. Look for an infinite loop or needless work.",
    ),
    "crashed": (
        "调用 {call} 时进程崩溃或退出（crashed / exited）：{detail}。不要调用 exit()、sys.exit() 或 os._exit()。",
        "Calling {call} crashed or exited the process: {detail}. Do not call exit(), sys.exit() or os._exit().",
    ),
    "bad_return": (
        "{call} 的返回值无法被评分程序读取（bad return value）：{detail}。请返回数字、numpy 数组、列表、元组或字典。",
        "The value returned by {call} cannot be read by the grader: {detail}. Return numbers, numpy arrays, lists, tuples or dicts.",
    ),
    "request_refused": (
        "调用 {call} 时，运行你代码的进程拒绝了评分程序的请求（request refused）。评分程序发送前已检查过这个请求，"
        "所以这来自提交的代码（例如它修改了沙箱自己的模块）。不要改动 sys.modules 里不属于你的模块。",
        "Calling {call}: the process running your code refused the grader's request. The grader checked that "
        "request before sending it, so this comes from the submitted code (e.g. it changed the sandbox's own "
        "modules). Do not change modules in sys.modules that are not yours.",
    ),
    "bad_callback": (
        "调用 {call} 时，对传入函数（f 或 cost_fn）的调用无法被评分程序回答（bad call of f）：{detail}。"
        "请用与参数形状相同的 numpy 数组（或同样键的参数字典）调用它，只调用需要的次数。",
        "During {call}, a call of the function passed in (f or cost_fn) could not be answered by the grader: "
        "{detail}. Call it with a numpy array shaped like its argument (or a dict of parameters with the "
        "same keys), only as often as needed.",
    ),
    "unreadable_reply": (
        "{call} 返回的值不符合练习约定的类型或形状（type / shape），评分程序无法读取它（{error}）。请按函数说明返回约定的值。",
        "The value returned by {call} does not have the type or shape the exercise asks for, so the grader could not read it ({error}). Return what the function's description asks for.",
    ),
    "grader_error": (
        "评分程序自身出错（grader error），这一项没有被评分，不算你的错误：检查 {check} 出错：{detail}。请告诉教师。",
        "The grader itself failed (grader error); this check was not graded and is not your mistake: check {check} broke: {detail}. Please tell your instructor.",
    ),
    "requires_grader_error": (
        "没有评分：它依赖的检查 {check} 遇到了评分程序错误（grader error），不算你的错误。",
        "Not graded: the check it depends on, {check}, hit a grader error; not your mistake.",
    ),
    "requires": (
        "这一项只在检查 {check} 通过之后计分：先让 {fn} 返回正确的值（correct values）。",
        "This check scores only once {check} passes: first make {fn} return the right values.",
    ),
    # --- the pytest door (autograder/hidden/plugin.py): the last line of `nn-grade pytest` --------
    "pytest_score": (
        "得分（score）：{score} / {max_score}",
        "Score: {score} / {max_score}",
    ),
    "pytest_no_score": (
        "没有给出得分（score）：只运行了部分检查（-k、-x、--lf），总分要求每一项检查都有结果。",
        "No score: only some checks ran (-k, -x, --lf); the score needs a result for every check.",
    ),
    "load_error": (
        "加载你的代码时出错（error while loading）：{error}。之后的函数可能都没有定义。",
        "Loading your code failed: {error}. Functions after that point may be undefined.",
    ),
    "nothing_defined": (
        "你的提交里没有任何一个要求的函数（no contract function）：空的笔记本（empty notebook）、"
        "没有答案单元格（answer cells），或只有文字？所以每一项都是 0 分。",
        "Your submission defines none of the required functions (an empty notebook, no answer "
        "cells, or text only?), so every check scored 0.",
    ),
    "load_refused": (
        "你的提交没有被加载（not loaded）：{reason}。所以每一项都没有评分。",
        "Your submission was not loaded: {reason}. So no check could grade it.",
    ),
    "refused": (
        "没有评分（not graded）：你的提交没有被加载：{reason}。",
        "Not graded: your submission was not loaded: {reason}.",
    ),
    "refused_not_data": (
        "它不是评分程序能读取的普通文件（regular file）",
        "it is not a regular file the grader can read",
    ),
    "refused_unreadable": (
        "`{name}` 无法作为普通文件（regular file）读取，或在读取时被改动",
        "`{name}` could not be read as a regular file, or changed while it was read",
    ),
    "notebook_not_utf8": (
        "笔记本（notebook）不是 UTF-8 编码的文本（第 {at} 个字节）",
        "the notebook is not UTF-8 text (at byte {at})",
    ),
    "notebook_too_deep": (
        "笔记本的 JSON 嵌套超过 {limit} 层",
        "the notebook's JSON nests more than {limit} levels deep",
    ),
    "notebook_too_many_tokens": (
        "笔记本的 JSON 中字符串、括号和逗号（tokens）超过 {limit} 个",
        "the notebook's JSON holds more than {limit} strings, brackets and commas",
    ),
    "notebook_not_json": (
        "笔记本不是有效的 JSON（not JSON）：{detail}",
        "the notebook is not valid JSON: {detail}",
    ),
    "notebook_no_cells": (
        "笔记本里没有单元格列表（cells），不是 nbformat 4 的笔记本",
        "the notebook has no list of cells (not an nbformat 4 notebook)",
    ),
    "notebook_too_many_cells": (
        "笔记本有 {count} 个单元格（cells），最多 {limit} 个",
        "the notebook has {count} cells (at most {limit})",
    ),
    "notebook_bad_cell": (
        "笔记本的第 {index} 个单元格（cell）不是一个以文本为源代码（source）的对象",
        "cell {index} of the notebook is not an object whose source is text",
    ),
    "submission_empty": (
        "你的提交是空的（empty）：里面没有任何代码，所以没有一项检查可以评分。请在答案单元格里写好代码，保存之后再提交。",
        "Your submission is empty: it holds no code, so no check could grade anything. Write your code in "
        "the answer cells, save, and submit again.",
    ),
    "submission_no_answers": (
        "你的提交里没有找到任何一个练习函数（例如 `sigmoid`、`forward_prop`）：可能笔记本里没有答案单元格"
        "（answer cells），答案单元格还是空的，或者提交了别的文件（wrong file）。请提交作业的 ch01.ipynb"
        "（或 nn_basics.py），保存之后再提交。",
        "None of the exercise's functions (e.g. `sigmoid`, `forward_prop`) is in your submission: the "
        "notebook may have no answer cells, its answer cells may be empty, or it is the wrong file. Submit "
        "the assignment's ch01.ipynb (or nn_basics.py) after saving it.",
    ),
    "more_failed_same_cause": (
        "另有 {n} 项检查因此失败（same cause）：{names}。",
        "{n} more checks failed for the same reason: {names}.",
    ),
    "same_cause_as": (
        "与检查 {check} 的原因相同（same cause），见那里的说明。",
        "Failed for the same reason as check {check}: see there.",
    ),
    # --- what came back ----------------------------------------------------------------------
    "returned_none": (
        "{call} 返回了 None：是不是忘了写 return？",
        "{call} returned None: is a `return` missing?",
    ),
    "wrong_type": (
        "{call}：期望返回 {expected}，得到的是 {got}。",
        "{call}: expected a return value of type {expected}, got {got}.",
    ),
    "wrong_shape": (
        "{call}：期望形状（shape）{expected}，得到 {got}。",
        "{call}: expected shape {expected}, got {got}.",
    ),
    "wrong_dtype": (
        "{call}：期望 float64 数组，得到 dtype {got}。用 float 运算，或者 .astype(float)。",
        "{call}: expected a float64 array, got dtype {got}. Compute in floats, or use .astype(float).",
    ),
    "wrong_int_dtype": (
        "{call}：期望元素为 0/1 的 int 数组，得到 dtype {got}。用 .astype(int) 转换。",
        "{call}: expected an int array of 0/1, got dtype {got}. Convert with .astype(int).",
    ),
    "wrong_value": (
        "{call}：在 {where} 处期望 {expected}，得到 {got}。",
        "{call}: at {where} expected {expected}, got {got}.",
    ),
    "wrong_value_whole": (
        "{call}：\n  期望（expected）{expected}\n  得到（got）    {got}",
        "{call}:\n  expected {expected}\n  got      {got}",
    ),
    "wrong_cost": (
        "{call}：代价（cost）J 期望 {expected}，得到 {got}。",
        "{call}: expected the cost J = {expected}, got {got}.",
    ),
    "where_index": ("位置 {index}", "index {index}"),
    "gate_xor": ("异或（XOR）", "XOR"),
    "gate_xnor": ("同或（XNOR）", "XNOR"),
    "gate_and": ("与（AND）", "AND"),
    "gate_or": ("或（OR）", "OR"),
    "not_finite": (
        "{call}：在 {where} 处得到 {got}（NaN 或 inf），期望 {expected}。",
        "{call}: at {where} got {got} (NaN or inf), expected {expected}.",
    ),
    "mutated": (
        "{call} 原地修改了（modified in place）参数 {arg}：函数不得改变传入的数组，先复制（.copy()）或返回新数组。",
        "{call} modified its argument {arg} in place: functions must not change the arrays passed in; copy (.copy()) or build a new array.",
    ),
    "missing_keys": (
        "{call}：返回的字典应当有键（keys）{expected}，得到 {got}。",
        "{call}: the returned dict should have keys {expected}, got {got}.",
    ),
    "not_restored": (
        "{call} 返回后 x 没有恢复原值（not restored）：在 {where} 处原来是 {expected}，现在是 {got}。扰动（perturb）之后要把元素改回去。",
        "{call} did not restore x: at {where} it was {expected}, now {got}. Put each element back after perturbing it.",
    ),
    # --- the network and training ---------------------------------------------------------------
    "gradient_mismatch": (
        "{call}：与数值梯度（numerical gradient）的相对误差（relative error）为 {error}，应当 < {limit}。"
        "差别最大的是 {param}{index}：数值梯度 {expected}，你的梯度 {got}。",
        "{call}: relative error against the numerical gradient is {error}, should be < {limit}. "
        "The largest difference is at {param}{index}: numerical {expected}, yours {got}.",
    ),
    "init_not_deterministic": (
        "{call}：同一个 seed 调用两次，得到的参数不同。用 np.random.default_rng(seed) 建一个生成器（generator），不要用全局随机状态。",
        "{call}: two calls with the same seed gave different params. Build one generator with np.random.default_rng(seed); do not use global random state.",
    ),
    "init_seed_ignored": (
        "{call}：不同的 seed 给出了相同的参数：seed 没有被使用。",
        "{call}: different seeds gave the same params: the seed is not used.",
    ),
    "train_not_learned": (
        "train 在 {table} 上（一个隐藏的 seed，alpha = {alpha}，{iterations} 次迭代）没有学会："
        "用你返回的参数重新计算，代价（cost）= {cost}（应当 < {limit}），预测 {got}，正确答案 {expected}。",
        "train did not learn {table} (a hidden seed, alpha = {alpha}, {iterations} iterations): "
        "recomputed from the params you returned, cost = {cost} (should be < {limit}), predictions {got}, correct {expected}.",
    ),
    "costs_wrong_length": (
        "train 的 costs 应当每次迭代一个：{iterations} 次迭代，得到 {got} 个。",
        "train's costs should hold one value per iteration: {iterations} iterations, got {got}.",
    ),
    "costs_not_floats": (
        "train 的 costs 应当是 float 的列表，第 {index} 个元素是 {got}。",
        "train's costs should be a list of floats; element {index} is {got}.",
    ),
    "train_start_unusable": (
        "训练检查不能从 {call} 返回的起点出发（cannot be trained from）：{why}。",
        "The training checks cannot start from what {call} returned: {why}.",
    ),
    "start_not_finite": (
        "{param} 含有非有限值（inf / nan），从这里出发梯度下降什么也学不到",
        "{param} holds a value that is not finite (inf / nan), from which gradient descent learns nothing",
    ),
    "start_all_zero": (
        "{param} 全为 0",
        "{param} is all zero",
    ),
    "hidden_returned": (
        "（不显示：这一项的输入不公开（hidden））",
        "(not shown: this check's inputs are hidden)",
    ),
    "hidden_keys": (
        "{keys}，另有 {more} 个其他的键（不显示：这一项的输入不公开（hidden））",
        "{keys} and {more} other keys (not shown: this check's inputs are hidden)",
    ),
    "start_stuck": (
        "从这里出发，梯度下降几乎不改变 {param}（例如每个隐藏单元都饱和（saturated）：sigmoid 的导数为 0），所以看不出 train 是否在做梯度下降",
        "from there gradient descent barely changes {param} (e.g. every hidden unit saturated: sigmoid's derivative "
        "is 0), so it cannot show whether train descends",
    ),
    "start_symmetric": (
        "每个隐藏单元（hidden unit）的初始权重都相同：对称的起点（symmetric start）永远学不会，下降让它们一直相同",
        "every hidden unit starts with the same weights: a symmetric start never learns, as descent keeps them alike",
    ),
    "train_params_not_finite": (
        "{call} 返回的 {param} 含有非有限值（inf / nan）。",
        "{call} returned {param} holding a value that is not finite (inf / nan).",
    ),
    "train_not_gradient_descent": (
        "{call} 返回的参数不是梯度下降（gradient descent）的结果：从 init_params(seed) 出发、"
        "每步 p ← p - alpha · dJ/dp（alpha = {alpha}）走 {iterations} 步，{param}{index} 应当是 {expected}，得到 {got}。",
        "{call} returned params that gradient descent does not reach: from init_params(seed), "
        "{iterations} steps of p ← p - alpha · dJ/dp (alpha = {alpha}) give {param}{index} = {expected}, got {got}.",
    ),
    "costs_not_trajectory": (
        "train 的 costs[{index}] 应当是第 {index} 次更新之前的代价（cost）{expected}，得到 {got}。",
        "train's costs[{index}] should be the cost before update {index}, {expected}; got {got}.",
    ),
    "init_no_seed": (
        "{call}：不给 seed（默认 seed=None）时，应当每次得到新的随机参数（fresh random params），"
        "形状正确、偏置为 0；两次调用得到 {got}。",
        "{call}: without a seed (the default seed=None) each call should draw fresh random params of the "
        "right shapes with zero biases; two calls gave {got}.",
    ),
    "gradcheck_rejects_correct": (
        "{call}：给出的梯度是正确的，期望相对误差 < 1e-7，得到 {got}。",
        "{call}: the gradient given is correct, expected a relative error < 1e-7, got {got}.",
    ),
    "gradcheck_misses_wrong": (
        "{call}：梯度在 {param}{index} 处被故意改错了，期望相对误差约 {expected}，得到 {got}。",
        "{call}: the gradient was made wrong on purpose at {param}{index}, expected a relative error of about {expected}, got {got}.",
    ),
    # --- misconceptions (autograder/core/misconceptions.py; docs/misconceptions.md) -------------------
    "misconception_note": ("可能的误解（misconception）：{text}", "Likely misconception: {text}"),
    "misconception_sigmoid_wrong_sign": (
        "指数的符号反了（wrong sign）：结果是 σ(-x)。检查 e 的指数：σ(x) = 1 / (1 + e^(-x))。",
        "The exponent's sign is flipped: the result is σ(-x). Look at the exponent of e: σ(x) = 1 / (1 + e^(-x)).",
    ),
    "misconception_sigmoid_overflows": (
        "写成 e^x / (1 + e^x) 时，x 很大 e^x 溢出（overflow），inf / inf 得到 NaN。看 x 很大时的写法，选一个不会溢出的形式。",
        "Written as e^x / (1 + e^x), e^x overflows for large x and inf / inf is NaN. Look at the form used for large x and pick one that cannot overflow.",
    ),
    "misconception_sigmoid_float32": (
        "结果是 float32（单精度）：值近似正确但精度不够。找出把数组转成 float32 的地方，保持 float64。",
        "The result is float32: nearly right but not precise enough. Find where the array is cast to float32 and keep float64.",
    ),
    "misconception_sigmoid_changes_input": (
        "值正确，但调用后传入的数组 x 被改了（原地修改，in place）。找出对 x 赋值或用 out= 写回 x 的地方，改为新建数组。",
        "The values are right, but the array x passed in is changed after the call (in place). Find where x is assigned to or written with out=, and make a new array instead.",
    ),
    "misconception_sigmoid_derivative_of_activation": (
        "把参数 x 当成了激活值 σ(z)（activation）：结果是 x · (1 - x)。x 是预激活值 z（pre-activation），先对它求 σ。",
        "The argument x is treated as the activation σ(z): the result is x · (1 - x). x is the pre-activation z; apply σ to it first.",
    ),
    "misconception_sigmoid_derivative_plus": (
        "导数里的符号错了：结果是 σ · (1 + σ)。回到 σ 的求导过程，看括号里是加还是减。",
        "A sign in the derivative is wrong: the result is σ · (1 + σ). Go back to differentiating σ and check the sign inside the brackets.",
    ),
    "misconception_sigmoid_derivative_of_sigmoid": (
        "σ 用了两次：结果是 σ'(σ(z))。先算一次 s = σ(x)，导数公式里直接用 s，不要再对 s 求 σ（或调用带 σ 的函数）。",
        "σ is applied twice: the result is σ'(σ(z)). Compute s = σ(x) once and use s in the formula; do not apply σ (or a function that does) to s again.",
    ),
    "misconception_sigmoid_derivative_is_sigmoid": (
        "返回的是 σ(x) 本身，不是它的导数（derivative）。看 return 的那一行：导数还要乘上一个因子。",
        "It returns σ(x) itself, not its derivative. Look at the return line: the derivative has one more factor.",
    ),
    "misconception_sigmoid_derivative_overflows": (
        "写成 e^(-x) / (1 + e^(-x))² 时，x 很小（x ≤ -710）e^(-x) 溢出（overflow），得到 NaN（教材代码的写法）。改用由 σ(x) 表示的形式。",
        "Written as e^(-x) / (1 + e^(-x))², e^(-x) overflows for x ≤ -710 and gives NaN (the chapter's form). Use the form written with σ(x).",
    ),
    "misconception_tanh_overflows_both_sides": (
        "写成 (e^x - e^(-x)) / (e^x + e^(-x)) 时，|x| 很大 e^x 或 e^(-x) 溢出（overflow），得到 NaN。看 |x| 很大时的写法，用 np.tanh 或只含 e^(-2|x|) 的形式。",
        "Written as (e^x - e^(-x)) / (e^x + e^(-x)), e^x or e^(-x) overflows for large |x| and gives NaN. Look at large |x|: use np.tanh or a form with only e^(-2|x|).",
    ),
    "misconception_tanh_overflows_negative_side": (
        "写成 (1 - e^(-2x)) / (1 + e^(-2x)) 时，x 很小（x ≲ -355）e^(-2x) 溢出（overflow），得到 NaN（教材代码的写法）。负半轴要换一种写法。",
        "Written as (1 - e^(-2x)) / (1 + e^(-2x)), e^(-2x) overflows for x ≲ -355 and gives NaN (the chapter's form). Negative inputs need another form.",
    ),
    "misconception_tanh_half_argument": (
        "结果是 2σ(x) - 1 = tanh(x/2)：tanh 与 σ 的关系里参数是 2x。检查 tanh 与 sigmoid 换算时的参数。",
        "The result is 2σ(x) - 1 = tanh(x/2): the identity relating tanh and σ uses 2x. Check the argument when converting from sigmoid.",
    ),
    "misconception_tanh_derivative_forgets_square": (
        "结果是 1 - tanh(x)：导数是 1 减去 tanh 的平方（square）。看公式里 tanh 的次数。",
        "The result is 1 - tanh(x): the derivative is 1 minus the square of tanh. Look at the power of tanh in the formula.",
    ),
    "misconception_tanh_derivative_of_activation": (
        "把参数 x 当成了激活值 tanh(z)（activation）：结果是 1 - x²。x 是预激活值 z（pre-activation），先对它求 tanh。",
        "The argument x is treated as the activation tanh(z): the result is 1 - x². x is the pre-activation z; apply tanh to it first.",
    ),
    "misconception_tanh_derivative_plus": (
        "导数里的符号错了：结果是 1 + tanh²(x)。回到 tanh 的求导过程，看平方项前面的符号。",
        "A sign in the derivative is wrong: the result is 1 + tanh²(x). Go back to differentiating tanh and check the sign of the squared term.",
    ),
    "misconception_relu_if_on_arrays": (
        "对单个数正确，对数组却出错：`if` 判断的是整个数组（truth value of an array）。把分支改成逐元素（element-wise）的写法。",
        "Right for a single number, but fails for an array: `if` tests the whole array. Make the branch element-wise.",
    ),
    "misconception_relu_changes_input": (
        "值正确，但调用后传入的数组 x 被改了（原地修改，in place），例如把负数直接置 0。先复制，或用不修改 x 的函数。",
        "The values are right, but the array x passed in is changed (in place), e.g. negatives set to 0 directly. Copy first, or use a function that leaves x alone.",
    ),
    "misconception_relu_minimum": (
        "结果是 `min(0, x)`：保留了负数、去掉了正数。看取最大还是最小。",
        "The result is min(0, x): negatives kept, positives dropped. Check whether it takes the maximum or the minimum.",
    ),
    "misconception_relu_derivative_wrong_side": (
        "导数在 x < 0 处是 1、x > 0 处是 0：比较的方向反了。看比较运算符的方向。",
        "The derivative is 1 for x < 0 and 0 for x > 0: the comparison points the wrong way. Look at the comparison operator.",
    ),
    "misconception_relu_derivative_bool": (
        "值对了，但返回的是布尔数组（bool）：比较的结果还要转成 float 的 0.0 / 1.0。",
        "The values are right but the array is bool: the comparison's result must become float 0.0 / 1.0.",
    ),
    "misconception_relu_derivative_half_at_zero": (
        "在 x = 0 处得到 0.5：(sign(x) + 1) / 2 在 0 处取中间值。本练习在 0 处取 0 或 1 均可，但不能取 0.5。",
        "It gives 0.5 at x = 0: (sign(x) + 1) / 2 is halfway there. This exercise accepts 0 or 1 at 0, not 0.5.",
    ),
    "misconception_relu_derivative_sign": (
        "结果在 x < 0 处是 -1：这是 `sign(x)`，不是 ReLU 的导数。负半轴的斜率（slope）是多少？",
        "The result is -1 for x < 0: that is sign(x), not ReLU's derivative. What is the slope for negative inputs?",
    ),
    "misconception_relu_derivative_is_relu": (
        "返回的是 ReLU 本身 `max(0, x)`，不是它的导数（derivative）：正半轴的导数是常数。",
        "It returns ReLU itself, max(0, x), not its derivative: for positive inputs the derivative is a constant.",
    ),
    "misconception_relu_derivative_if_on_arrays": (
        "对单个数正确，对数组却出错：`if` 判断的是整个数组（truth value of an array）。把分支改成逐元素（element-wise）的比较。",
        "Right for a single number, but fails for an array: `if` tests the whole array. Use an element-wise comparison.",
    ),
    "misconception_leaky_relu_if_on_arrays": (
        "对单个数正确，对数组却出错：`if x < 0:` 判断的是整个数组（truth value of an array，教材 leaky ReLU 代码的写法）。用逐元素（element-wise）的选择，两个分支都是 x 的倍数。",
        "Right for a single number, but fails for an array: `if x < 0:` tests the whole array (the chapter's leaky ReLU). Choose element-wise; both branches are multiples of x.",
    ),
    "misconception_leaky_relu_slope_wrong_side": (
        "斜率 alpha 用在了正半轴：x ≥ 0 时应原样返回 x，alpha · x 只属于 x < 0。看条件的方向。",
        "The slope alpha is applied to positive inputs: x ≥ 0 must return x unchanged, alpha · x belongs to x < 0. Check the condition's direction.",
    ),
    "misconception_leaky_relu_ignores_alpha": (
        "传入的 alpha 没有被使用：换一个 alpha，结果仍按 0.01 计算。检查函数体里是否写死了斜率。",
        "The alpha passed in is not used: with another alpha the result still uses 0.01. Check for a slope written into the body.",
    ),
    "misconception_leaky_relu_zero_below": (
        "负半轴得到 0：这是普通 ReLU。leaky ReLU 在 x < 0 处保留一个小斜率（slope）alpha。",
        "Negative inputs give 0: that is plain ReLU. Leaky ReLU keeps a small slope alpha for x < 0.",
    ),
    "misconception_leaky_relu_derivative_ignores_alpha": (
        "传入的 alpha 没有被使用：换一个 alpha，负半轴的导数仍是 0.01。检查函数体里是否写死了斜率。",
        "The alpha passed in is not used: with another alpha the derivative below 0 is still 0.01. Check for a slope written into the body.",
    ),
    "misconception_leaky_relu_derivative_wrong_side": (
        "两边的导数对调了：x < 0 处得到 1，x > 0 处得到 alpha。看条件的方向。",
        "The two sides are swapped: 1 for x < 0 and alpha for x > 0. Check the condition's direction.",
    ),
    "misconception_leaky_relu_derivative_zero_below": (
        "负半轴的导数是 0：这是 ReLU 的导数。leaky ReLU 在 x < 0 处的导数是 alpha。",
        "The derivative below 0 is 0: that is ReLU's. Leaky ReLU's derivative for x < 0 is alpha.",
    ),
    "misconception_leaky_relu_derivative_is_activation": (
        "返回的是 leaky ReLU 本身，不是它的导数（derivative）：导数在每一侧都是常数。",
        "It returns leaky ReLU itself, not its derivative: the derivative is a constant on each side.",
    ),
    "misconception_elu_alpha_0_01": (
        "负半轴小了 100 倍：用的是 alpha = 0.01（教材代码的默认值），本练习的默认值是标准的 alpha = 1.0。检查签名和函数体里的 alpha。",
        "Negative inputs are 100 times too small: alpha = 0.01 is used (the chapter's default); this exercise's default is the standard alpha = 1.0. Check alpha in the signature and the body.",
    ),
    "misconception_elu_without_minus_one": (
        "负半轴是 alpha · e^x：少了 -1，所以在 0 处不连续。看负半轴的公式。",
        "Negative inputs give alpha · e^x: the -1 is missing, so the function jumps at 0. Look at the formula for x < 0.",
    ),
    "misconception_elu_if_on_arrays": (
        "对单个数正确，对数组却出错：`if x < 0:` 判断的是整个数组（truth value of an array，教材 ELU 代码的写法）。用逐元素（element-wise）的选择，并让取指数的分支只看到不大于 0 的输入。",
        "Right for a single number, but fails for an array: `if x < 0:` tests the whole array (the chapter's ELU). Choose element-wise, and let the exponential's branch see only inputs up to 0.",
    ),
    "misconception_elu_ignores_alpha": (
        "传入的 alpha 没有被使用：换一个 alpha，结果仍按 alpha = 1.0 计算。检查负半轴的公式里是否用了参数 alpha。",
        "The alpha passed in is not used: with another alpha the result still uses 1.0. Check that the formula for x < 0 uses the argument alpha.",
    ),
    "misconception_elu_derivative_ignores_alpha": (
        "传入的 alpha 没有被使用：负半轴的导数是 e^x，少了因子 alpha。看负半轴的公式。",
        "The alpha passed in is not used: the derivative below 0 is e^x, missing the factor alpha. Look at the formula for x < 0.",
    ),
    "misconception_elu_derivative_keeps_minus_one": (
        "负半轴的导数是 alpha · (e^x - 1)：这是 ELU 本身。求导时常数 -1 消失了。",
        "The derivative below 0 is alpha · (e^x - 1): that is ELU itself. The constant -1 vanishes when differentiating.",
    ),
    "misconception_elu_derivative_zero_below": (
        "负半轴的导数是 0：这是 ReLU 的导数。ELU 在 x < 0 处的导数来自指数项。",
        "The derivative below 0 is 0: that is ReLU's. ELU's derivative for x < 0 comes from its exponential term.",
    ),
    "misconception_swish_factor_2": (
        "结果是期望值的 2 倍：2x · σ(βx) 是教材的重参数化写法（re-parameterised form），本练习要求标准形式 x · σ(βx)。",
        "The result is twice the expected value: 2x · σ(βx) is the chapter's re-parameterised form; this exercise asks for the standard x · σ(βx).",
    ),
    "misconception_swish_ignores_beta": (
        "传入的 beta 没有被使用：换一个 beta，结果仍是 x · σ(x)。看 σ 的参数。",
        "The beta passed in is not used: with another beta the result is still x · σ(x). Look at σ's argument.",
    ),
    "misconception_swish_forgets_x": (
        "结果是 σ(βx)：少了前面的因子 x。看 return 的那一行。",
        "The result is σ(βx): the factor x in front is missing. Look at the return line.",
    ),
    "misconception_swish_derivative_misses_sigmoid_term": (
        "只有 β · x · σ'(βx) 一项：乘积法则（product rule）还有一项来自对 x 本身求导。",
        "Only the term β · x · σ'(βx): the product rule has another term, from differentiating x itself.",
    ),
    "misconception_swish_derivative_misses_product_rule": (
        "结果是 σ(βx)：只对 x 求了导，把 σ(βx) 当成了常数。用乘积法则（product rule），σ(βx) 也要求导。",
        "The result is σ(βx): only x was differentiated, σ(βx) treated as a constant. Use the product rule; σ(βx) has a derivative too.",
    ),
    "misconception_swish_derivative_ignores_beta": (
        "传入的 beta 没有被使用：换一个 beta，结果仍按 beta = 1 计算。检查 σ 的参数和链式法则（chain rule）带来的因子 β。",
        "The beta passed in is not used: with another beta the result still uses 1. Check σ's argument and the factor β from the chain rule.",
    ),
    "misconception_swish_derivative_factor_2": (
        "结果是期望值的 2 倍：这是教材 2x · σ(βx) 形式的导数，本练习要求标准形式 x · σ(βx) 的导数。",
        "The result is twice the expected value: the derivative of the chapter's 2x · σ(βx); this exercise asks for that of the standard x · σ(βx).",
    ),
    "misconception_softmax_axis_0": (
        "沿 axis 0（按列）归一化了（教材代码的写法）：一批样本每行一个，应沿参数 axis（默认 -1，每一行）求和并保持维度（keepdims）。",
        "Normalised along axis 0 (by column, as the chapter's code does): a batch has one sample per row; sum along the `axis` argument (default -1, each row), keeping dimensions.",
    ),
    "misconception_softmax_whole_array": (
        "整个数组一起归一化了：所有元素加起来是 1，而不是每一行。求和时指定参数 axis。",
        "The whole array is normalised at once: all elements sum to 1, not each row. Pass the `axis` argument to the sum.",
    ),
    "misconception_softmax_overflows": (
        "输入很大时 e^x 溢出（overflow），得到 NaN：先减去沿同一轴的最大值（max），结果不变但不会溢出。",
        "e^x overflows for large inputs and gives NaN: subtract the maximum along the same axis first; the result is the same and cannot overflow.",
    ),
    "misconception_softmax_chapter_code": (
        "这是教材代码的写法：既沿 axis 0（按列）归一化，又在输入很大时溢出（overflow）得到 NaN。两处都要改：求和的轴，以及先减去最大值。",
        "This is the chapter's code: it normalises along axis 0 (by column) and overflows to NaN for large inputs. Fix both: the axis of the sum, and subtract the maximum first.",
    ),
    "misconception_softmax_ignores_axis": (
        "传入的 axis 没有被使用：总是按最后一个轴归一化。求和和取最大值时都用参数 axis。",
        "The axis passed in is not used: it always normalises along the last axis. Use the `axis` argument in the sum and the maximum.",
    ),
    "misconception_init_params_random_biases": (
        "偏置（bias）也是随机数：约定里偏置初始化为 0，只有权重（weights）从标准正态分布抽取。",
        "The biases are random too: the contract initialises biases to zero; only the weights are drawn from the standard normal.",
    ),
    "misconception_init_params_scaled": (
        "权重被乘了 0.01：本练习要求标准正态分布（standard normal）的原始值，不缩放。",
        "The weights are multiplied by 0.01: this exercise asks for plain standard normal draws, unscaled.",
    ),
    "misconception_init_params_uniform": (
        "权重来自 [0, 1) 的均匀分布（uniform）：约定要求标准正态分布（standard normal）。看用的是生成器的哪个方法。",
        "The weights are uniform on [0, 1): the contract asks for the standard normal. Check which method of the generator is used.",
    ),
    "misconception_init_params_transposed": (
        "权重矩阵的形状转置了（transposed）：Wxh 是 (num_input, num_hidden)，Why 是 (num_hidden, num_output)。看创建权重时的形状。",
        "The weight matrices are transposed: Wxh is (num_input, num_hidden), Why is (num_hidden, num_output). Look at the shapes where they are created.",
    ),
    "misconception_init_params_ignores_seed": (
        "同一个 seed 两次得到不同的权重：随机数没有来自 np.random.default_rng(seed)。用传入的 seed 创建生成器（generator）。",
        "The same seed gives different weights twice: the numbers do not come from np.random.default_rng(seed). Create the generator from the seed passed in.",
    ),
    "misconception_init_params_requires_seed": (
        "不传 seed（seed=None）时出错：None 也是合法的 seed，default_rng(None) 每次抽取新的随机数。不要拒绝 None。",
        "Fails without a seed (seed=None): None is a valid seed, default_rng(None) draws fresh numbers each time. Do not refuse None.",
    ),
    "misconception_init_params_default_seed": (
        "不传 seed 时总是得到 seed=0 的权重：签名里 seed 的默认值应为 None。",
        "Without a seed it always returns the weights of seed=0: the signature's default for seed must be None.",
    ),
    "misconception_forward_prop_forgets_biases": (
        "没有加偏置（bias）：z1 和 z2 都少了 bh、by。看两个线性步骤（linear step）。",
        "The biases are not added: z1 and z2 both lack bh and by. Look at the two linear steps.",
    ),
    "misconception_forward_prop_relu_hidden": (
        "隐藏层用了 ReLU：本章的网络两层都用 sigmoid。看 a1 的激活函数（activation）。",
        "The hidden layer uses ReLU: this chapter's network uses sigmoid in both layers. Look at a1's activation.",
    ),
    "misconception_forward_prop_linear_hidden": (
        "隐藏层没有激活函数（activation）：a1 等于 z1。看 a1 是怎么得到的。",
        "The hidden layer has no activation: a1 equals z1. Look at how a1 is computed.",
    ),
    "misconception_forward_prop_linear_output": (
        "输出层没有激活函数（activation）：ŷ 等于 z2。输出也要经过 sigmoid。",
        "The output layer has no activation: ŷ equals z2. The output goes through sigmoid too.",
    ),
    "misconception_cost_function_mean": (
        "算的是均值（mean）：教材称它为均方误差（MSE），但本练习的代价是 ½ · Σ (y - ŷ)²，对所有元素求和、乘 0.5，不除以个数。",
        "It computes a mean: the chapter calls it mean squared error (MSE), but this exercise's cost is ½ · Σ (y - ŷ)², summed over every element and halved, not divided by the count.",
    ),
    "misconception_cost_function_half_mean": (
        "乘了 0.5，但又除以了元素个数（mean）：本练习的代价是 ½ · Σ (y - ŷ)²，求和（sum）而不是平均。",
        "It halves but also divides by the number of elements (a mean): this exercise's cost is ½ · Σ (y - ŷ)², a sum, not an average.",
    ),
    "misconception_cost_function_forgets_half": (
        "少了因子 0.5：J = ½ · Σ (y - ŷ)²，反向传播（backpropagation）的梯度依赖这个 ½。",
        "The factor 0.5 is missing: J = ½ · Σ (y - ŷ)²; backpropagation's gradients rely on that ½.",
    ),
    "misconception_cost_function_builtin_sum": (
        "返回的是数组：内置的 sum 只沿第一个轴求和（教材代码的写法）。对所有元素求和，并返回 Python float。",
        "It returns an array: the built-in sum only adds along the first axis (the chapter's form). Sum every element and return a Python float.",
    ),
    "misconception_cost_function_cross_entropy": (
        "算的是交叉熵（cross-entropy）：本章的代价是平方误差 ½ · Σ (y - ŷ)²，反向传播（backpropagation）也按它推导。",
        "It computes the cross-entropy: this chapter's cost is the squared error ½ · Σ (y - ŷ)², and backpropagation is derived from it.",
    ),
    "misconception_backward_prop_no_bias_gradients": (
        "偏置（bias）的梯度全是 0（教材代码没有计算它们）：偏置的梯度是 delta 沿样本轴（axis 0）求和。",
        "The bias gradients are all 0 (the chapter's code never computes them): a bias's gradient is its delta summed over the samples (axis 0).",
    ),
    "misconception_backward_prop_bias_gradient_mean": (
        "偏置（bias）的梯度是 delta 的平均（mean）：代价是求和的，所以偏置的梯度也是沿样本轴求和（sum），不是平均。",
        "The bias gradients are the mean of delta: the cost is a sum, so a bias's gradient is summed over the samples too, not averaged.",
    ),
    "misconception_backward_prop_bias_not_summed": (
        "偏置（bias）的梯度是每个样本一行：delta 还要沿样本轴（axis 0）求和，形状才与偏置相同 (1, n)。",
        "The bias gradients have one row per sample: delta must still be summed over the samples (axis 0), to the bias's shape (1, n).",
    ),
    "misconception_backward_prop_derivative_of_activation": (
        "σ' 用在了激活值上（σ'(a) 而不是 σ'(z)）：sigmoid_derivative 的参数是预激活值 z（pre-activation），即缓存（cache）里的 z1、z2。",
        "σ' is applied to the activations (σ'(a), not σ'(z)): sigmoid_derivative takes the pre-activation z, i.e. z1 and z2 from the cache.",
    ),
    "misconception_backward_prop_wrong_sign": (
        "所有梯度的符号都反了：输出层的 delta 是 ∂J/∂z2 = -(y - ŷ) ⊙ σ'(z2)。看输出 delta 的符号。",
        "Every gradient has the wrong sign: the output delta is ∂J/∂z2 = -(y - ŷ) ⊙ σ'(z2). Check the sign of the output delta.",
    ),
    "misconception_backward_prop_missing_transpose": (
        "把误差传回隐藏层时少了转置（transpose）：delta1 由 delta2 乘 Why 的转置得到。看 delta1 那一行的矩阵乘法。",
        "A transpose is missing where the error goes back to the hidden layer: delta1 comes from delta2 times the transpose of Why. Look at the product in the delta1 line.",
    ),
    "misconception_backward_prop_averages": (
        "所有梯度都除以了样本数（1/m）：本练习的代价是求和，不是平均，所以梯度也不除以样本数。",
        "Every gradient is divided by the number of samples (1/m): this exercise's cost is a sum, not an average, so the gradients are not divided either.",
    ),
    "misconception_backward_prop_forgets_hidden_derivative": (
        "隐藏层的 delta 少了 σ'(z1)：误差经过 Why 传回之后，还要乘上隐藏层激活函数的导数（链式法则，chain rule）。",
        "The hidden delta lacks σ'(z1): after the error goes back through Why, it is multiplied by the hidden activation's derivative (chain rule).",
    ),
    "misconception_backward_prop_float32": (
        "梯度是 float32（单精度）：值近似正确但精度不够，梯度检验（gradient check）的 1e-7 阈值只在 float64 下成立。保持 float64。",
        "The gradients are float32: nearly right but not precise enough; gradient checking's 1e-7 threshold only holds in float64. Keep float64.",
    ),
    "misconception_update_params_ascends": (
        "参数朝梯度方向移动了（梯度上升，ascent）：梯度下降（descent）是减去 alpha 乘梯度。看更新的符号。",
        "The parameters move along the gradient (ascent): gradient descent subtracts alpha times the gradient. Check the update's sign.",
    ),
    "misconception_update_params_biases_not_updated": (
        "偏置（bias）没有更新（教材代码的写法）：每个参数都要更新，包括 bh 和 by。",
        "The biases are not updated (the chapter's code): every parameter is updated, bh and by included.",
    ),
    "misconception_update_params_in_place": (
        "值正确，但传入的 params 被原地修改了（in place，如 -=）：返回新的字典和数组，不改动参数。",
        "The values are right, but the params passed in are changed in place (e.g. -=): return a new dict of new arrays and leave the arguments alone.",
    ),
    "misconception_update_params_ignores_alpha": (
        "传入的学习率 alpha 没有被使用：每一步减去的是整个梯度。每个梯度都要乘以 alpha。",
        "The learning rate alpha passed in is not used: each step subtracts the whole gradient. Multiply every gradient by alpha.",
    ),
    "misconception_update_params_swapped_gradients": (
        "Wxh 用了 Why 的梯度，Why 用了 Wxh 的梯度（教材反向传播一节的写法）：每个参数用与它同名的梯度。",
        "Wxh is updated with Why's gradient and Why with Wxh's (the chapter's backpropagation section): each parameter takes the gradient of the same name.",
    ),
    "misconception_predict_strict_threshold": (
        "ŷ 恰好等于 0.5 时得到 0：阈值（threshold）比较用了严格大于。约定是 ŷ ≥ 0.5 记为 1。",
        "ŷ exactly 0.5 gives 0: the threshold comparison is strict. The contract says ŷ ≥ 0.5 is class 1.",
    ),
    "misconception_predict_bool": (
        "值对了，但返回的是布尔数组（bool）：约定要求整数（int）的 0 和 1。",
        "The values are right but the array is bool: the contract asks for integer 0 and 1.",
    ),
    "misconception_predict_floats": (
        "值对了，但返回的是浮点数（float）的 0.0 和 1.0：约定要求整数（int）。",
        "The values are right but they are float 0.0 and 1.0: the contract asks for integers.",
    ),
    "misconception_predict_probabilities": (
        "返回的是概率 ŷ，没有按阈值（threshold）0.5 分成 0 和 1。",
        "It returns the probabilities ŷ without applying the 0.5 threshold to get 0 and 1.",
    ),
    "misconception_predict_inverted": (
        "类别反了：ŷ < 0.5 记成了 1。看比较运算符的方向。",
        "The classes are inverted: ŷ < 0.5 is marked 1. Look at the comparison's direction.",
    ),
    "misconception_train_fixed_alpha_0_01": (
        "训练用的是 alpha = 0.01（教材的值），不是传入的 alpha：0.01 时 5000 次迭代也学不会 XOR。把传入的 alpha 交给 update_params。",
        "Training uses alpha = 0.01 (the chapter's value), not the alpha passed in; at 0.01 even 5000 iterations never learn XOR. Pass the given alpha to update_params.",
    ),
    "misconception_train_ignores_alpha": (
        "训练没有使用传入的学习率 alpha（总是按 1.0 更新）。把参数 alpha 交给 update_params。",
        "Training ignores the learning rate alpha passed in (it always steps with 1.0). Pass the alpha argument to update_params.",
    ),
    "misconception_train_ignores_seed": (
        "初始参数不随传入的 seed 变化（总是 seed=0）：调用 init_params 时传入参数 seed。",
        "The initial parameters do not follow the seed passed in (always seed=0): pass the seed argument to init_params.",
    ),
    "misconception_train_ignores_num_hidden": (
        "隐藏层总是 5 个单元，没有使用传入的 num_hidden：调用 init_params 时传入它。",
        "The hidden layer always has 5 units, ignoring the num_hidden passed in: pass it to init_params.",
    ),
    "misconception_train_ignores_arguments": (
        "传入的 num_hidden、alpha 和 seed 都没有被使用（总是默认值）：把它们分别交给 init_params 和 update_params。",
        "The num_hidden, alpha and seed passed in are all ignored (the defaults are always used): pass them on to init_params and update_params.",
    ),
    "misconception_train_cost_after_step": (
        "每个代价是在更新之后记录的（after the step）：约定记录的是每次更新之前、当前参数的代价，所以第一个值是初始参数的代价。",
        "Each cost is recorded after the update: the contract records the cost of the current params before each step, so the first value is the initial params' cost.",
    ),
    "misconception_train_cost_every_100": (
        "只每 100 次迭代记录一次代价：约定要求每次迭代（iteration）一个代价。",
        "The cost is recorded only every 100 iterations: the contract asks for one cost per iteration.",
    ),
    "misconception_train_hardcodes_xor": (
        "传入的 y 没有被使用：无论给什么真值表（truth table），训练的都是 XOR 的目标。用参数 y。",
        "The y passed in is not used: whatever truth table it is given, it trains on XOR's targets. Use the argument y.",
    ),
    "misconception_numerical_gradient_one_sided": (
        "用的是单侧差分（one-sided, (f(x + ε) - f(x)) / ε）：约定要求中心差分（central difference），两边各扰动一次、除以 2ε。",
        "It uses a one-sided difference, (f(x + ε) - f(x)) / ε: the contract asks for the central difference, one step each side, divided by 2ε.",
    ),
    "misconception_numerical_gradient_backward_difference": (
        "用的是向后差分（backward difference, (f(x) - f(x - ε)) / ε）：约定要求中心差分（central difference），两边各扰动一次、除以 2ε。",
        "It uses a backward difference, (f(x) - f(x - ε)) / ε: the contract asks for the central difference, one step each side, divided by 2ε.",
    ),
    "misconception_numerical_gradient_not_restored": (
        "扰动之后没有把元素恢复（restore）原值：后面的元素是在已改动的 x 上计算的，调用结束时 x 也变了。每个元素算完后放回原值。",
        "The element is not restored after its perturbation: later elements are computed at a changed x, and x is changed after the call. Put each element back when it is done.",
    ),
    "misconception_numerical_gradient_ignores_epsilon": (
        "传入的 epsilon 没有被使用（总是 1e-5）：扰动和除数都用参数 epsilon。",
        "The epsilon passed in is not used (always 1e-5): use the epsilon argument in both the step and the divisor.",
    ),
    "misconception_numerical_gradient_all_at_once": (
        "同时扰动了所有元素：得到的是方向导数（directional derivative），每个元素都一样。一次只扰动一个元素（one element at a time）。",
        "Every element is perturbed at once: that is a directional derivative, the same for every element. Perturb one element at a time.",
    ),
    "misconception_numerical_gradient_forgets_two": (
        "结果是期望值的 2 倍：中心差分（central difference）的两个点相距 2ε，所以要除以 2ε。看除数。",
        "The result is twice the expected value: the central difference's two points are 2ε apart, so divide by 2ε. Look at the divisor.",
    ),
    "misconception_relative_error_no_zero_guard": (
        "两个都为 0 时得到 NaN（0 / 0）：约定这时返回 0.0。先处理分母为 0 的情况。",
        "Both zero gives NaN (0 / 0): the contract returns 0.0 then. Handle the zero denominator first.",
    ),
    "misconception_relative_error_norm_of_sum": (
        "分母是 ‖a + b‖：约定的分母是两个范数之和 ‖a‖ + ‖b‖。看分母。",
        "The denominator is ‖a + b‖: the contract's denominator is the sum of the two norms, ‖a‖ + ‖b‖. Look at the denominator.",
    ),
    "misconception_relative_error_absolute": (
        "返回的是 ‖a - b‖（绝对误差，absolute error）：相对误差还要除以 ‖a‖ + ‖b‖。",
        "It returns ‖a - b‖ (the absolute error): the relative error divides it by ‖a‖ + ‖b‖.",
    ),
    "misconception_relative_error_max_denominator": (
        "分母是 `max(‖a‖, ‖b‖)`：这是另一种常见定义，本练习的分母是 ‖a‖ + ‖b‖。",
        "The denominator is max(‖a‖, ‖b‖): another common definition; this exercise divides by ‖a‖ + ‖b‖.",
    ),
    "misconception_gradient_check_all_at_once": (
        "同时扰动了所有权重（教材代码的写法）：得到的是方向导数（directional derivative），正确的梯度也会被判为错。对每个参数的每个元素分别做数值梯度（numerical_gradient）。",
        "All weights are perturbed at once (the chapter's code): that is a directional derivative, so a correct gradient is reported wrong. Take the numerical gradient of each parameter element by element.",
    ),
    "misconception_gradient_check_weights_only": (
        "只比较了权重 Wxh 和 Why：偏置（bias）的梯度也要检验，所有参数拼在一起算一个相对误差。",
        "Only the weights Wxh and Why are compared: the bias gradients are checked too, all parameters together in one relative error.",
    ),
    "misconception_gradient_check_absolute_error": (
        "返回的是绝对误差 ‖解析 - 数值‖（absolute error）：约定返回相对误差（relative_error）。",
        "It returns the absolute error ‖analytic - numerical‖: the contract returns the relative error (relative_error).",
    ),
    # --- hints ----------------------------------------------------------------------------------
    "hint_overflow": (
        "提示：e^x 在 |x| 很大时溢出（overflow），inf / inf 得到 NaN。改用数值稳定（numerically stable）的写法，例如只计算 e^(-|x|)，或先减去最大值。",
        "Hint: e^x overflows for large |x| and inf / inf is NaN. Use a numerically stable form, e.g. compute only e^(-|x|), or subtract the maximum first.",
    ),
    "hint_if_on_array": (
        "提示：`if x < 0:` 对数组不起作用（数组的真值不明确，truth value of an array is ambiguous）。用 np.where 或 np.maximum 逐元素（element-wise）计算。",
        "Hint: `if x < 0:` does not work on arrays (the truth value of an array is ambiguous). Compute element-wise with np.where or np.maximum.",
    ),
    "hint_swish_factor": (
        "提示：结果正好是期望值的 2 倍：swish(x) = x · σ(βx)，没有因子 2。",
        "Hint: the result is exactly twice the expected value: swish(x) = x · σ(βx), with no factor 2.",
    ),
    "hint_softmax_axis": (
        "提示：结果沿错误的轴（axis）归一化了。一批样本每行一个，沿 axis 参数（默认 -1，即每一行）求和，并用 keepdims=True。",
        "Hint: the result is normalised along the wrong axis. A batch has one sample per row; sum along the `axis` argument (default -1, each row) with keepdims=True.",
    ),
    "hint_elu_alpha": (
        "提示：负半轴的值差了一个常数倍：本练习使用标准的 alpha = 1.0（教材代码的默认值是 0.01）。",
        "Hint: negative inputs are off by a constant factor: this exercise uses the standard alpha = 1.0 (the chapter's code defaults to 0.01).",
    ),
    "hint_pre_activation": (
        "提示：参数 x 是预激活值 z（pre-activation），不是 σ(z)；先计算 s = sigmoid(x)，再求 s · (1 - s)。",
        "Hint: the argument x is the pre-activation z, not σ(z); compute s = sigmoid(x) first, then s · (1 - s).",
    ),
    "hint_cost_builtin_sum": (
        "提示：内置的 sum 只沿第一个轴求和，返回的是数组。用 np.sum，再用 float(...) 转成 Python float。",
        "Hint: the built-in sum only adds along the first axis and returns an array. Use np.sum, then float(...).",
    ),
    "hint_cost_half": (
        "提示：代价带有因子 0.5：J = 0.5 · Σ (y - ŷ)²，后面的梯度依赖它。",
        "Hint: the cost carries a factor 0.5: J = 0.5 · Σ (y - ŷ)²; the gradients rely on it.",
    ),
    "hint_cost_mean": (
        "提示：这是平均值（mean），不是求和：本练习的代价是 J = 0.5 · Σ (y - ŷ)²，对所有样本和所有输出求和，"
        "不除以样本数。教材把它叫作均方误差（MSE），但它的代码算的是求和。",
        "Hint: this is a mean, not a sum: the exercise's cost is J = 0.5 · Σ (y - ŷ)², summed over every "
        "sample and output, not divided by the number of samples. The chapter calls it mean squared error "
        "(MSE), but its code computes the sum.",
    ),
    "hint_biases": (
        "提示：偏置（bias）也是参数：它们的梯度是 delta 沿样本轴求和（np.sum(delta, axis=0, keepdims=True)），也要更新。",
        "Hint: biases are parameters too: their gradient is delta summed over samples (np.sum(delta, axis=0, keepdims=True)), and they must be updated.",
    ),
    "hint_backprop_chain": (
        "提示：delta2 = -(y - ŷ) ⊙ σ'(z2)，delta1 = (delta2 · Whyᵀ) ⊙ σ'(z1)；σ' 的参数是预激活值 z。",
        "Hint: delta2 = -(y - ŷ) ⊙ σ'(z2), delta1 = (delta2 · Whyᵀ) ⊙ σ'(z1); σ' takes the pre-activation z.",
    ),
    "hint_forward": (
        "提示：z1 = X · Wxh + bh，a1 = σ(z1)，z2 = a1 · Why + by，ŷ = σ(z2)；用矩阵乘法（@），别忘了偏置（bias）。",
        "Hint: z1 = X · Wxh + bh, a1 = σ(z1), z2 = a1 · Why + by, ŷ = σ(z2); use matrix products (@) and do not forget the biases.",
    ),
    "hint_update": (
        "提示：梯度下降（gradient descent）的一步是 p ← p - alpha · dJ/dp，使用传入的 alpha。",
        "Hint: one gradient descent step is p ← p - alpha · dJ/dp, with the alpha passed in.",
    ),
    # --- one mistake, one charge (checks/helpers.py): the root cause first ---------------------
    "root_cause_right": (
        "{fn} 本身正确；它调用的 {helper} 有错，先修它（{fn} 按你自己的 {helper} 返回的值评判，这项得分不受影响）。",
        "{fn} itself is right; the {helper} it calls is wrong, fix that first ({fn} was judged with the values your own {helper} returns, and keeps this check's points).",
    ),
    "root_cause_degenerate": (
        "{fn} 与它调用的 {helper} 返回的值一致，但 {helper} 返回的是全零、常数或原样的输入，凭这些值分不出 {fn} 写得对不对：先修 {helper}。",
        "{fn} agrees with what the {helper} it calls returns, but {helper} returns zeros, a constant or its input unchanged, so those values cannot tell whether {fn} is right: fix {helper} first.",
    ),
    "root_cause_first": (
        "{fn} 调用的 {helper} 也有错：先修 {helper}，再回来看这项检查（{fn} 本身也可能有错）。",
        "The {helper} that {fn} calls is wrong too: fix {helper} first, then come back to this check ({fn} may have a mistake of its own as well).",
    ),
    "hint_threshold": (
        "提示：ŷ >= 0.5 记为 1，否则为 0；用 forward_prop 得到 ŷ。",
        "Hint: ŷ >= 0.5 is class 1, otherwise 0; get ŷ from forward_prop.",
    ),
    "hint_one_at_a_time": (
        "提示：一次只扰动一个元素（one element at a time），用 numerical_gradient；同时扰动所有权重得到的是方向导数（directional derivative）。",
        "Hint: perturb one element at a time (use numerical_gradient); perturbing all weights at once gives a directional derivative.",
    ),
    "hint_central_difference": (
        "提示：中心差分（central difference）：(f(x + ε) - f(x - ε)) / (2ε)，使用传入的 epsilon，每次只扰动一个元素。",
        "Hint: central difference: (f(x + ε) - f(x - ε)) / (2ε), with the epsilon passed in, one element at a time.",
    ),
    "hint_default_epsilon": (
        "提示：不传 epsilon 时使用签名里的默认值 epsilon=1e-5（这里的差别在第 7 位有效数字：三次项让中心差分在 "
        "ε = 1e-5 时是 1 + 1e-6，ε = 2e-5 时是 1 + 4e-6）。",
        "Hint: without an epsilon argument, use the signature's default epsilon=1e-5 (the difference shows in the "
        "7th significant digit: cubic terms make the central difference 1 + 1e-6 at ε = 1e-5, 1 + 4e-6 at 2e-5).",
    ),
    "hint_relative_error_zero": (
        "提示：两个都为 0 时分母是 0：这种情况直接返回 0.0。",
        "Hint: when both are zero the denominator is 0: return 0.0 in that case.",
    ),
    "hint_train_arguments": (
        "提示：使用传入的 num_hidden、alpha、num_iterations 和 seed，先 init_params(…, seed=seed)，"
        "然后每次迭代：forward_prop → cost_function → backward_prop → update_params。",
        "Hint: use the num_hidden, alpha, num_iterations and seed passed in: init_params(..., seed=seed), "
        "then each iteration forward_prop → cost_function → backward_prop → update_params.",
    ),
    "hint_train_defaults": (
        "提示：保留签名里的默认值 train(X, y, num_hidden=5, alpha=1.0, num_iterations=5000, seed=0)；"
        "教材的 alpha = 0.01 学不会 XOR。",
        "Hint: keep the signature's defaults train(X, y, num_hidden=5, alpha=1.0, num_iterations=5000, seed=0); "
        "the chapter's alpha = 0.01 never learns XOR.",
    ),
    "hint_alpha": (
        "提示：使用传入的学习率 alpha；alpha = 0.01 时 5000 次迭代也学不会 XOR。检查每一步是否更新了所有参数（包括偏置）。",
        "Hint: use the learning rate alpha passed in; with alpha = 0.01 even 5000 iterations never learn XOR. Check that every step updates all params (biases too).",
    ),
    # --- reports (reporters/, results.py) -------------------------------------------------------
    "report_score": ("得分（score）: {score} / {max_score}", "Score: {score} / {max_score}"),
    "report_per_function": ("各函数得分（per function）", "Per function"),
    "report_to_fix": ("需要修改的地方（what to fix）", "What to fix"),
    "report_all_passed": ("全部检查通过（all checks passed）", "All checks passed"),
    "report_function": ("函数（function）", "Function"),
    "report_points": ("得分", "Score"),
    "report_max": ("满分（max）", "Max"),
    "report_failed_checks": ("需要修改的检查（failed checks）", "Failed checks"),
    "report_load_error": ("加载你的代码时出错（error while loading）：", "Loading your code failed:"),
    "report_grader_error": ("评分程序错误（grader error）", "grader error"),
    "report_grader_errors": (
        "评分程序错误（grader errors）：{n} 项检查没有被评分，不是你的错误；教师修复后会重新评分。",
        "Grader errors: {n} checks were not graded; not your mistake: the instructor will fix and re-grade.",
    ),
    # --- the learner's feedback pages (reporters/html.py, nbgrader's feedback: nbgrader_hooks.py) ---
    "page_title": ("评分反馈（feedback）：{name}", "Feedback: {name}"),
    "page_fix_first": ("先修这里（fix first）", "Fix these first"),
    "page_root_cause": (
        "{helper} 有错：{functions} 的检查按你的 {helper} 返回的值评判，先修 {helper}。",
        "{helper} is wrong: the checks of {functions} were judged with what your {helper} returns; fix {helper} first.",
    ),
    "page_checks_of": ("{fn} 的检查：{score} / {max_score}", "{fn} checks: {score} / {max_score}"),
    "page_figure": ("图（figure）：{caption}", "Figure: {caption}"),
    "page_awaiting": ("待批改（awaiting grading）", "awaiting grading"),
    "page_written_answer": ("书面回答（written answer）：{said}", "Written answer: {said}"),
    "page_top": ("回到顶部（top）", "Top"),
    "page_late_penalty": (
        "迟交扣分（late submission penalty）：-{points}",
        "Late submission penalty: -{points}",
    ),
    "page_code_answer": ("代码回答（code answer）：{said}", "Code answer: {said}"),
    "page_no_response": ("未作答（no response）", "No response."),
    "page_your_answer": ("你的回答（your answer）", "Your answer"),
    "page_comments": ("评语（comments）：", "Comments:"),
    "grader_error_mark": (
        "[评分程序错误（grader error）：不是你的错误，教师会修复后重新评分]",
        "[grader error: not your mistake; the instructor will fix it and re-grade]",
    ),
    "all_hidden_checks_passed": ("全部隐藏检查通过（all hidden checks passed）", "all hidden checks passed"),
    "links_defused": (
        "此单元格中的链接或图片使用了不允许的协议（scheme，只允许 http、https、mailto 与相对链接），已停用。",
        "A link or image in this cell used a scheme other than http, https, mailto or a relative "
        "link: it was disabled.",
    ),
    "code_unhighlighted": (
        "此单元格中的代码块（code block）标注的语言不是 Python，或者太长：按原文显示，不做语法高亮（syntax highlighting）。",
        "A code block in this cell names a language other than Python, or is too long: it is shown as "
        "written, without syntax highlighting.",
    ),
    "html_shown_as_text": (
        "此单元格中的网页标记（HTML）或链接太多，无法逐一检查，下面按原文显示（shown as text）。",
        "This cell holds more HTML or links than can be checked: it is shown as text below.",
    ),
    # --- the Gradescope door (reporters/gradescope.py, commands/gradescope.py) ---------------------
    "passed": ("通过（passed）", "passed"),
    "summary_name": ("总分与各函数（summary）", "Summary"),
    "summary_score": ("得分（score）：{score} / {max_score}", "Score: {score} / {max_score}"),
    "summary_when": ("每项检查的名称和反馈（feedback）：{when}。", "Each check's name and feedback: {when}."),
    "shown_hidden": ("不向学生显示", "never shown to students"),
    "shown_after_due_date": ("截止日期之后显示", "shown after the due date"),
    "shown_after_published": ("成绩发布之后显示", "shown once grades are published"),
    "nothing_to_grade": (
        "提交里没有找到 ch01.ipynb 或 nn_basics.py（nothing to grade）：请上传作业文件夹里的"
        "笔记本 ch01.ipynb（或模块 nn_basics.py），不要改文件名。",
        "No ch01.ipynb or nn_basics.py in the submission (nothing to grade): upload the "
        "assignment's notebook ch01.ipynb (or the module nn_basics.py) under its own name.",
    ),
    "submission_is_link": (
        "{name} 是符号链接（symlink），不是普通文件：评分只读取普通文件。请上传文件本身。",
        "{name} is a symbolic link, not a regular file: only regular files are graded. Upload the file itself.",
    ),
    # --- the pull-request comment (classroom.py) -----------------------------------------------------
    "comment_title": ("自动评分（autograder）", "Autograder"),
    "comment_verdict": (
        "{verdict}：及格线（pass mark）是满分的 {pass_mark}%。",
        "{verdict}: the pass mark is {pass_mark}% of the maximum score.",
    ),
    "comment_passed": ("✅ 通过（passed）", "✅ passed"),
    "comment_failed": ("❌ 未通过（not passed）", "❌ not passed"),
    "comment_commit": (
        "评分的提交（commit）：`{sha}`。向这个拉取请求（pull request）推送新的提交后，下一轮定时评分会重新评分并更新这条评论。",
        "Graded commit: `{sha}`. After you push a new commit to this pull request, the next scheduled grading "
        "grades it and updates this comment.",
    ),
    "comment_trust": (
        "分数由老师一方的评分程序给出；修改测试文件或工作流（workflow）文件不会改变分数。",
        "The score comes from the instructor's grader; editing test or workflow files does not change it.",
    ),
    "comment_truncated": (
        "（报告过长，这里只显示了开头。）",
        "(The report is too long for a comment and was cut.)",
    ),
    "comment_grader_error": (
        "评分程序自身出错（grader error），这不是你的代码造成的；下一轮会重新评分。如果一直这样，请联系老师（instructor）。",
        "The grader itself failed, not because of your code; the next run grades again. If this persists, tell your instructor.",
    ),
    "comment_refused": (
        "无法评分（could not grade）：{reason}。提交的文件必须是普通文件（regular file），放在约定的位置；得分为 0。",
        "Could not grade: {reason}. The submission must be a regular file at the agreed place; the score is 0.",
    ),
    "refused_missing": (
        "拉取请求（pull request）里没有 `{name}`（missing）",
        "`{name}` is not in the pull request",
    ),
    "refused_link": (
        "`{name}` 是一个链接（symbolic link / hard link），不是普通文件；链接不会被打开",
        "`{name}` is a link (symbolic or hard), not a regular file; links are never opened",
    ),
    "refused_special": (
        "`{name}` 不是普通文件（设备、FIFO 或文件夹）",
        "`{name}` is not a regular file (a device, FIFO or folder)",
    ),
    "refused_too_large": ("`{name}` 太大（too large）", "`{name}` is too large"),
    "refused_archive_too_large": (
        "仓库的归档（archive）解压后，到 `{name}` 为止已超过 {megabytes} MB：请从仓库中删除大文件（large files）后再推送",
        "the repository's archive holds more than {megabytes} MB (uncompressed) up to `{name}`: remove large "
        "files from the repository and push again",
    ),
    "comment_over_limit": (
        "没有评分（not graded）：每个仓库只评分最新的 {limit} 个打开的拉取请求（pull request），这个不在其中。"
        "请关闭不需要评分的拉取请求；之后下一轮评分会评这个。",
        "Not graded: only the newest {limit} open pull requests of a repository are graded, and this is not "
        "one of them. Close the pull requests you do not want graded; the next run then grades this one.",
    ),
    "refused_bad_archive": (
        "无法读取仓库的归档（archive），请再推送一次",
        "the repository's archive could not be read; push again",
    ),
    # --- the instructor's class report (class.html; autograder/doors/classreport/) ------------------
    "class_title": ("{assignment} 全班报告（class report）", "{assignment} class report"),
    # --- the pictures of the functions that lost points (autograder/figures/) ------------------
    "figure_yours": ("你的函数", "yours"),
    "figure_reference": ("参考答案", "reference"),
    "figure_curve_title": ("{fn}：你的函数与参考答案", "{fn}: yours and the reference"),
    "figure_activation": (
        "你的 `{fn}` 与参考答案在公开的输入上：x 从 -8 到 8，以及两端的 ±30、±100、±710、±1000。"
        "阴影处两者不同；NaN 或 inf 画成记号（marks）。",
        "Your `{fn}` and the reference on public inputs: x from -8 to 8, and ±30, ±100, ±710, "
        "±1000 at the ends. Shaded where they differ; NaN or inf drawn as marks.",
    ),
    "figure_derivative": (
        "你的 `{fn}` 与参考答案在公开的输入上（x 从 -8 到 8，以及 ±30、±100、±710、±1000），阴影处两者不同；"
        "第三条曲线是你自己的 `{base}` 的数值导数（numerical derivative，中心差分）：它与你的导数分开的地方，"
        "你的导数和你的函数对不上。",
        "Your `{fn}` and the reference on public inputs (x from -8 to 8, and ±30, ±100, ±710, ±1000), "
        "shaded where they differ; the third curve is the numerical derivative (central difference) of "
        "your own `{base}`: where it parts from your derivative, your derivative disagrees with your "
        "function.",
    ),
    "figure_numeric_label": ("你的 {base} 的数值导数", "numerical derivative of your {base}"),
    "figure_softmax": (
        "你的 `softmax`（左）与参考答案（右）对一个公开的 3×4 输入（每行一个样本）的输出；Σ 是每行、每列之和。"
        "默认沿最后一个轴（每一行）归一化：每行之和应为 1。与参考答案不同的值标为红色。",
        "Your `softmax` (left) and the reference (right) on a public 3×4 input (a sample per row); Σ are "
        "the sums of each row and column. By default it normalises along the last axis (each row): each "
        "row should sum to 1. Values that differ from the reference are red.",
    ),
    "figure_softmax_axis": ("列（axis = -1 沿这个方向）", "columns (axis = -1 runs along these)"),
    "figure_shapes_title": ("{fn}：返回的数组的形状（shape）", "{fn}: the shapes of the arrays returned"),
    "figure_shapes": (
        "`{fn}` 在笔记本的 XOR 网络上（N = 4, D = 2, H = 5, K = 1）返回的数组的形状（右），对照应有的形状（左）；"
        "红色的形状不对。方块的宽是列数，高是行数。",
        "The shapes of the arrays `{fn}` returned on the notebook's XOR network (N = 4, D = 2, H = 5, "
        "K = 1) (right) against the shapes expected (left); red ones are wrong. A box is as wide as its "
        "columns and as tall as its rows.",
    ),
    "figure_expected_shape": ("应有的形状", "expected"),
    "figure_your_shape": ("你返回的形状", "returned"),
    "figure_no_array": ("（不是数组或缺少）", "(not an array, or missing)"),
    "figure_limit": ("阈值（threshold）{limit}", "limit {limit}"),
    "figure_axis_relative_error": ("相对误差（relative error，对数坐标）", "relative error (log scale)"),
    "figure_axis_gradient_check": (
        "gradient_check 返回的值（对数坐标）",
        "gradient_check's value (log scale)",
    ),
    "figure_backward_prop": (
        "在笔记本的 XOR 网络上，你的 `backward_prop` 的每个梯度与数值梯度（numerical gradient）之间的相对误差"
        "（红），以及参考答案的（蓝）；正确的梯度在虚线（1e-7）以下。",
        "On the notebook's XOR network, the relative error between each gradient of your `backward_prop` "
        "and the numerical gradient (red), and the reference's (blue); a correct gradient is below the "
        "dashed line (1e-7).",
    ),
    "figure_numerical_gradient": (
        "你的 `numerical_gradient` 对一个公开的光滑函数、在笔记本网络的每个参数处给出的梯度，与精确梯度之间的"
        "相对误差（红），以及参考答案的（蓝）；中心差分（central difference）应在虚线（1e-7）以下。",
        "The relative error between the gradient your `numerical_gradient` gives for a public smooth "
        "function at each parameter of the notebook's network and the exact gradient (red), and the "
        "reference's (blue); a central difference stays below the dashed line (1e-7).",
    ),
    "figure_gradient_check": (
        "你的 `gradient_check` 对一个公开的光滑代价函数返回的值（红）与参考答案的（蓝）：第一组是精确的梯度"
        "（应在虚线 1e-7 以下），其余每组在一个参数里有一个元素是错的（应远在虚线以上）。",
        "What your `gradient_check` returns for a public smooth cost (red) and the reference's (blue): "
        "first for the exact gradient (below the dashed line, 1e-7), then with one wrong element in each "
        "parameter (far above it).",
    ),
    "figure_exact_gradient": ("精确梯度", "exact"),
    "figure_wrong_in": ("{param} 有错", "{param} wrong"),
    "figure_train_title": (
        "XOR：代价曲线（{iterations} 次迭代）",
        "XOR: cost curve ({iterations} iterations)",
    ),
    "figure_train": (
        "你的 `train` 在笔记本的 XOR 问题上（num_hidden = 5, alpha = 1.0, seed = 0, {iterations} 次迭代）"
        "记录的代价（红），与参考答案从同一起点做梯度下降的代价（蓝虚线），对数坐标；右图是两者每一步的相对差。",
        "The costs your `train` records on the notebook's XOR problem (num_hidden = 5, alpha = 1.0, "
        "seed = 0, {iterations} iterations) (red), and those of the reference's gradient descent from the "
        "same start (blue, dashed), on a log scale; on the right, how far apart they are at each step.",
    ),
    "figure_train_apart": ("与参考答案的相对差", "relative difference from the reference"),
    "figure_predict_differ": ("{n} 个点与参考答案不同", "{n} points differ from the reference"),
    "figure_axis_iteration": ("迭代次数（iteration）", "iteration"),
    "figure_axis_cost": ("代价 J（对数坐标）", "cost J (log scale)"),
    "figure_predict": (
        "你的 `predict`（左）与参考答案（右）对同一个在 XOR 上训练好的网络、在平面上每一点给出的类别：红 = 1，"
        "蓝 = 0；圆点是 XOR 的目标 0，三角是目标 1；黄色方块是与参考答案不同的点。两图的边界（decision boundary）应当一样。",
        "The class your `predict` (left) and the reference (right) give at each point of the plane for the "
        "same network trained on XOR: red = 1, blue = 0; circles are XOR's targets 0, triangles 1; yellow "
        "squares are points that differ from the reference. The decision boundary should be the same in both.",
    ),
    "report_figures_elsewhere": (
        "对比图（figures）：失分的函数与参考答案画在一起的图，见 `--format html` 的页面或作业的反馈页（feedback）。",
        "Figures: the functions that lost points drawn beside the reference are on the `--format html` "
        "page and in the assignment's feedback page.",
    ),
    "class_overview": (
        "{count} 名学生，满分 {max_score}：平均分（mean）{mean}，中位数（median）{median}，"
        "四分位数（quartiles）{q1} / {q3}；{zeros} 人得 0 分。",
        "{count} learners, out of {max_score}: mean {mean}, median {median}, quartiles {q1} / {q3}; "
        "{zeros} at 0.",
    ),
    "class_histogram": ("分数分布（score distribution）", "Score distribution"),
    "class_functions": ("各函数得分（points per function）", "Points per function"),
    "class_checks": ("各项检查的通过率（pass rate per check）", "Pass rate per check"),
    "class_misconceptions": (
        "各函数最常见的错误（most common misconceptions）",
        "Most common misconceptions",
    ),
    "class_items": ("题目分析（item analysis）", "Item analysis"),
    "class_items_note": (
        "难度（difficulty）= 通过率；区分度（discrimination）= 通过这项检查与其余得分的相关系数（correlation）。"
        "没人通过或人人通过的检查区分不了学生，已标出。",
        "Difficulty = the pass rate; discrimination = the correlation of passing the check with the rest "
        "of the score. Checks nobody or everybody passes tell learners apart not at all, and are flagged.",
    ),
    "class_problems": ("未能正常评分的学生（not graded normally）", "Learners not graded normally"),
    "class_slowest": ("最慢的提交（slowest submissions）", "Slowest submissions"),
    "class_similarity": ("相似度报告（similarity report）", "Similarity report"),
    "class_none": ("无", "none"),
    "class_col_learner": ("学生（learner）", "Learner"),
    "class_col_learners": ("学生（learners）", "Learners"),
    "class_col_function": ("函数（function）", "Function"),
    "class_col_check": ("检查（check）", "Check"),
    "class_col_points": ("分值（points）", "Points"),
    "class_col_pass_rate": ("通过率（pass rate）", "Pass rate"),
    "class_col_passed": ("通过人数（passed）", "Passed"),
    "class_col_count": ("人数（count）", "Count"),
    "class_col_mistake": ("错误（misconception）", "Misconception"),
    "class_col_difficulty": ("难度（difficulty）", "Difficulty"),
    "class_col_discrimination": ("区分度（discrimination）", "Discrimination"),
    "class_col_flag": ("标记（flag）", "Flag"),
    "class_col_kind": ("情况（kind）", "Kind"),
    "class_col_reason": ("原因（reason）", "Reason"),
    "class_col_seconds": ("用时（秒）（seconds）", "Seconds"),
    "class_col_score": ("得分（score）", "Score"),
    "class_flag_nobody": ("没人通过（nobody passes）", "nobody passes"),
    "class_flag_everybody": ("人人通过（everybody passes）", "everybody passes"),
    "class_more": ("另外 {count} 人", "{count} more"),
    "class_axis_score": ("总分（score）", "Score"),
    "class_axis_learners": ("学生人数（learners）", "Learners"),
    "class_axis_points": ("得分（points）", "Points"),
    "class_kind_no_submission": ("没有提交（no submission）", "no submission"),
    "class_kind_refused": ("被拒绝（refused）", "refused"),
    "class_kind_not_loaded": ("没有加载（not loaded）", "not loaded"),
    "class_kind_limit": ("超出限制（over a limit）", "over a limit"),
    "class_kind_grader_error": ("评分程序错误（grader error）", "grader error"),
    "similarity_title": ("{assignment} 相似度报告（similarity report）", "{assignment} similarity report"),
    "similarity_note": (
        "由 `copydetect` 比较学生的答案（笔记本只比较答案单元格（answer cells））；发布的代码（release stub）不计。"
        "列出双方都有至少 {threshold} 的代码出现在对方答案中、且共同代码至少 {overlap} 个字符的配对，"
        "重合部分高亮。相似不等于抄袭：请先看代码再下结论。",
        "Learners' answers compared by copydetect (notebooks: their answer cells only); the released code "
        "does not count. Listed: pairs where at least {threshold} of each one's code is also in the other's "
        "and at least {overlap} characters are shared, the overlap highlighted. Similar is not copied: read "
        "the code before concluding.",
    ),
    "similarity_pairs": ("{count} 对（pairs）超过阈值（threshold）", "{count} pairs above the threshold"),
    "similarity_pair": (
        "{left}（{left_share}）与 {right}（{right_share}）",
        "{left} ({left_share}) and {right} ({right_share})",
    ),
    "similarity_skipped": ("没有比较的学生（not compared）", "Learners not compared"),
}


def t(key: str, **values) -> Text:
    """The message `key` in both languages, with `values` filled in; a value that is itself a
    Text (another message) is filled in in the same language."""
    zh, en = MESSAGES[key]

    def filled(template: str, lang: str) -> str:
        return template.format(
            **{
                name: value.render(lang) if isinstance(value, Text) else value
                for name, value in values.items()
            }
        )

    return Text(filled(zh, "zh"), filled(en, "en"))


def in_language(lang: str):
    """`say(key, **values) -> str`: the messages in one language, for a renderer that writes one."""
    return lambda key, **values: t(key, **values).render(lang)
