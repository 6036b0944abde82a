"""第 1 章 深度学习简介：从零实现一个神经网络（nn_basics）。

约定（Conventions）：
- 所有数组都是 float64 的 numpy 数组；任何函数都不得原地修改（in place）它的参数，
  唯一的例外是 numerical_gradient：它逐个扰动 x 的元素，并且必须在返回前恢复原值。
- 维度记号：N = 样本数（n_samples），D = 输入维度（n_in），H = 隐藏单元数（n_hidden），
  K = 输出维度（n_out）。
- 激活函数接受标量或任意形状的数组，返回同形状的数组，并且对 [-1000, 1000] 内的每个输入
  都必须给出正确且有限（finite）的值。
"""

import numpy as np


# ---------------------------------------------------------------------------
# 激活函数（activation functions）及其导数（derivatives）
# ---------------------------------------------------------------------------


def sigmoid(x):
    """Sigmoid 函数：σ(x) = 1 / (1 + e^(-x))。

    输入（Inputs）：
    - x: 标量或任意形状的数组

    返回（Returns）：
    - 与 x 同形状的数组，取值在 [0, 1]

    直接写 1 / (1 + np.exp(-x)) 就能得满分：x = -1000 时 np.exp(1000) 溢出为 inf，numpy 发出
    RuntimeWarning（overflow），但 1 / (1 + inf) = 0.0 仍然正确，不会是 NaN。
    选做：对负的 x 把公式改写成等价形式，让要取指数的数永远不是很大的正数，就没有这条警告。
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def sigmoid_derivative(x):
    """Sigmoid 的导数：σ'(x) = σ(x) · (1 - σ(x))。

    输入（Inputs）：
    - x: 预激活值 z（pre-activation），不是激活值 σ(z)；标量或任意形状的数组

    返回（Returns）：
    - 与 x 同形状的数组

    见笔记本的教材勘误表第 1 条（教材的写法在 x <= -710 时得到 NaN）；复用 sigmoid。
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def tanh(x):
    """双曲正切（hyperbolic tangent）：tanh(x) = (e^x - e^(-x)) / (e^x + e^(-x))。

    输入（Inputs）：
    - x: 标量或任意形状的数组

    返回（Returns）：
    - 与 x 同形状的数组，取值在 [-1, 1]

    见教材勘误表第 2 条：教材的写法在 x 约 <= -355 时得到 NaN。
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def tanh_derivative(x):
    """tanh 的导数：tanh'(x) = 1 - tanh(x)^2。

    输入（Inputs）：
    - x: 标量或任意形状的数组

    返回（Returns）：
    - 与 x 同形状的数组
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def relu(x):
    """修正线性单元（ReLU，教材译作矫正线性单元）：relu(x) = max(0, x)。

    输入（Inputs）：
    - x: 标量或任意形状的数组

    返回（Returns）：
    - 与 x 同形状的数组

    见教材勘误表第 3 条：要逐元素（element-wise）计算，`if x < 0:` 对数组会报错。
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def relu_derivative(x):
    """ReLU 的导数：x < 0 时为 0，x > 0 时为 1（x = 0 处取 0 或 1 均可）。

    输入（Inputs）：
    - x: 标量或任意形状的数组

    返回（Returns）：
    - 与 x 同形状的 float 数组
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def leaky_relu(x, alpha=0.01):
    """带泄漏的 ReLU（leaky ReLU）：x >= 0 时为 x，x < 0 时为 alpha · x。

    输入（Inputs）：
    - x: 标量或任意形状的数组
    - alpha: 负半轴的斜率（slope）

    返回（Returns）：
    - 与 x 同形状的数组

    见教材勘误表第 3 条（同 ReLU，要逐元素计算）。
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def leaky_relu_derivative(x, alpha=0.01):
    """leaky ReLU 的导数：x >= 0 时为 1，x < 0 时为 alpha。

    输入（Inputs）：
    - x: 标量或任意形状的数组
    - alpha: 负半轴的斜率

    返回（Returns）：
    - 与 x 同形状的 float 数组
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def elu(x, alpha=1.0):
    """指数线性单元（ELU）：x >= 0 时为 x，x < 0 时为 alpha · (e^x - 1)。

    输入（Inputs）：
    - x: 标量或任意形状的数组
    - alpha: 负饱和值（x → -∞ 时 elu(x) → -alpha）。本套练习使用标准的 alpha = 1.0，
      教材代码里的默认值是 0.01。

    返回（Returns）：
    - 与 x 同形状的数组

    直接用 np.where(x >= 0, x, alpha * (np.exp(x) - 1)) 就能得满分：x = 1000 时没被选中的分支
    溢出为 inf，numpy 发出 RuntimeWarning，但结果正确。选做：让取指数的那个分支只看到不大于 0
    的输入，就没有这条警告。
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def elu_derivative(x, alpha=1.0):
    """ELU 的导数：x >= 0 时为 1，x < 0 时为 alpha · e^x。

    输入（Inputs）：
    - x: 标量或任意形状的数组
    - alpha: 同 elu

    返回（Returns）：
    - 与 x 同形状的数组
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def swish(x, beta=1.0):
    """Swish：swish(x) = x · σ(beta · x)。

    输入（Inputs）：
    - x: 标量或任意形状的数组
    - beta: 可调参数

    返回（Returns）：
    - 与 x 同形状的数组

    注意：教材用的是重新参数化（re-parameterised）的形式 2 · x · σ(beta · x)
    （beta = 0 时是恒等函数 x，beta → ∞ 时趋于 2 · ReLU）；本作业评分用标准形式
    x · σ(beta · x)，beta = 1 时就是 SiLU。
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def swish_derivative(x, beta=1.0):
    """Swish 的导数：s + beta · x · s · (1 - s)，其中 s = σ(beta · x)（乘积法则，product rule）。

    输入（Inputs）：
    - x: 标量或任意形状的数组
    - beta: 同 swish

    返回（Returns）：
    - 与 x 同形状的数组
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def softmax(x, axis=-1):
    """Softmax：softmax(x)_i = e^(x_i) / Σ_j e^(x_j)，沿 axis 归一化。

    输入（Inputs）：
    - x: 任意形状的数组；一批样本（batch）是形状 (N, C) 的数组，每行一个样本
    - axis: 沿哪个轴归一化，默认最后一个轴（每一行）

    返回（Returns）：
    - 与 x 同形状的数组，沿 axis 求和为 1

    见教材勘误表第 6 条。提示：平移不变性（shift invariance）——所有输入减去同一个数，结果不变。
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


# ---------------------------------------------------------------------------
# 网络（the network）：两层，两层都用 sigmoid
# ---------------------------------------------------------------------------


def init_params(num_input, num_hidden, num_output, seed=None):
    """初始化参数：权重取标准正态分布（standard normal），偏置（bias）取 0。

    输入（Inputs）：
    - num_input, num_hidden, num_output: D, H, K
    - seed: 传给 np.random.default_rng 的随机种子

    返回（Returns）：
    - params: 字典，"Wxh" 形状 (D, H)，"bh" 形状 (1, H)，"Why" 形状 (H, K)，"by" 形状 (1, K)

    提示：只用 np.random.default_rng(seed) 建一个生成器（generator），先抽 Wxh，再抽 Why
    （standard_normal），这样同一个 seed 总是给出同样的网络。
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def forward_prop(X, params):
    """前向传播（forward propagation）。

    z1 = X · Wxh + bh，a1 = σ(z1)，z2 = a1 · Why + by，ŷ = σ(z2)

    输入（Inputs）：
    - X: 形状 (N, D)
    - params: init_params 返回的字典

    返回（Returns）：
    - (z1, a1, z2, y_hat)：z1、a1 形状 (N, H)，z2、y_hat 形状 (N, K)
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def cost_function(y, y_hat):
    """代价函数（cost function）：J = 0.5 · Σ (y - ŷ)^2，对所有样本和输出求和。

    输入（Inputs）：
    - y, y_hat: 形状 (N, K)

    返回（Returns）：
    - J: Python float

    本作业用 0.5 · Σ（不除以样本数），后面的梯度依赖这个因子 0.5；返回一个 Python float
    （见教材勘误表第 7 条）。
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def backward_prop(X, y, params, cache):
    """反向传播（backpropagation）：cost_function 对每个参数的梯度。

    用链式法则（chain rule）从输出层往回算：先求输出层的误差项，再把它经过 Why 传回隐藏层。
    笔记本 1.6 节推导了每一步，并列出了每个量的形状（shape check）。

    输入（Inputs）：
    - X: 形状 (N, D)；y: 形状 (N, K)
    - params: 参数字典
    - cache: forward_prop 返回的 (z1, a1, z2, y_hat)

    返回（Returns）：
    - grads: 字典，键和形状都与 params 相同（"Wxh", "bh", "Why", "by"）

    偏置也要有梯度（见教材勘误表第 9 条）：偏置对每个样本都起作用，所以它的梯度要把
    所有样本的贡献加起来，形状仍是 (1, ·)。
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def update_params(params, grads, alpha):
    """梯度下降（gradient descent）的一步：每个参数 p ← p - alpha · dJ/dp。

    输入（Inputs）：
    - params, grads: 键和形状相同的字典
    - alpha: 学习率（learning rate）

    返回（Returns）：
    - 新的参数字典（不要原地修改传入的 params）
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def predict(X, params):
    """预测类别：ŷ >= 0.5 记为 1，否则为 0。

    输入（Inputs）：
    - X: 形状 (N, D)
    - params: 参数字典

    返回（Returns）：
    - 形状 (N, K) 的 int 数组，元素为 0 或 1
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def train(X, y, num_hidden=5, alpha=1.0, num_iterations=5000, seed=0):
    """训练网络：init_params，然后重复 前向传播 → 代价 → 反向传播 → 更新。

    输入（Inputs）：
    - X: 形状 (N, D)；y: 形状 (N, K)
    - num_hidden: H
    - alpha: 学习率
    - num_iterations: 迭代次数
    - seed: 传给 init_params

    返回（Returns）：
    - (params, costs)：训练后的参数；costs 是 Python float 的列表，每次迭代一个
      （更新之前的代价）

    见教材勘误表第 12 条：教材的 alpha = 0.01 迭代 5000 次学不会 XOR；alpha = 1.0 在 700 次迭代内学会。
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


# ---------------------------------------------------------------------------
# 梯度检验（gradient checking）
# ---------------------------------------------------------------------------


def numerical_gradient(f, x, epsilon=1e-5):
    """数值梯度（numerical gradient），中心差分（central difference），每次只扰动一个元素：

    grad[i] = (f(x + ε·e_i) - f(x - ε·e_i)) / (2ε)

    输入（Inputs）：
    - f: 函数，接受数组 x，返回一个 float
    - x: 任意形状的 float 数组；允许原地扰动，但返回前必须恢复原值
    - epsilon: ε

    返回（Returns）：
    - 与 x 同形状的数组

    提示：用 np.ndindex(x.shape) 遍历每个下标（index）。
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def relative_error(a, b):
    """相对误差（relative error）：‖a - b‖ / (‖a‖ + ‖b‖)，用 2-范数；两者都为 0 时返回 0.0。

    输入（Inputs）：
    - a, b: 形状相同的数组

    返回（Returns）：
    - Python float
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()


def gradient_check(cost_fn, params, grads, epsilon=1e-5):
    """梯度检验：解析梯度 grads 与 cost_fn(params) 的数值梯度之间的相对误差，
    把所有参数放在一起计算。

    输入（Inputs）：
    - cost_fn: 函数，接受参数字典，返回一个 float
    - params: 参数字典（不要改变它：在副本上扰动）
    - grads: 解析梯度，键和形状与 params 相同
    - epsilon: ε

    返回（Returns）：
    - Python float；正确的反向传播在 float64 下给出 < 1e-7

    每次只扰动一个元素（用 numerical_gradient），见教材勘误表第 10 条。笔记本里有一个
    可以点开的思路提示。
    """
    # 在这里写你的代码（YOUR CODE HERE）
    raise NotImplementedError()
