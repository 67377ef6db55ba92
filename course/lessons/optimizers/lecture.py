"""The lecture's fixed data for lesson 04: the one-weight toy cost, the optimizer table, the batch-size
memory arithmetic, the hyper-parameters and the key terms in English and Korean."""
from __future__ import annotations

import numpy as np

# =========================================================================== the one-weight cost
#: The lecture's toy data for H(x) = Wx: three points on the line y = x, so the best W is 1.
TOY_X = np.array([1.0, 2.0, 3.0])
TOY_Y = np.array([1.0, 2.0, 3.0])


def toy_cost(W, x=TOY_X, y=TOY_Y):
    """cost(W) = mean((W·x − y)²) for a number or an array of W's."""
    W = np.asarray(W, dtype=float)
    return np.mean((W[..., None] * x - y) ** 2, axis=-1)


def toy_gradient(W, x=TOY_X, y=TOY_Y):
    """d cost / dW = mean(2·(W·x − y)·x)."""
    W = np.asarray(W, dtype=float)
    return np.mean(2 * (W[..., None] * x - y) * x, axis=-1)


def gradient_descent_1d(lr, W0=3.0, steps=15):
    """The W's that gradient descent visits on :func:`toy_cost`, W0 first (stops early if it blows up)."""
    W = [float(W0)]
    for _ in range(steps):
        nxt = W[-1] - lr * float(toy_gradient(W[-1]))
        if not np.isfinite(nxt) or abs(nxt) > 1e6:
            break
        W.append(nxt)
    return np.array(W)


def describe_learning_rate(lr):
    """Which regime a learning rate is in on the toy cost (curvature c = 2·mean(x²), stable for lr < 2/c)."""
    c = 2 * np.mean(TOY_X ** 2)
    if lr < 1 / c:
        return f"lr < 1/c = {1 / c:.3f}: every step goes straight downhill" + (
            " (slowly)" if lr < 0.2 / c else "")
    if lr < 2 / c:
        return f"1/c ≤ lr < 2/c = {2 / c:.3f}: it overshoots and zigzags, but converges"
    if lr == 2 / c:
        return "lr = 2/c: it bounces between two points forever"
    return f"lr > 2/c = {2 / c:.3f}: every step overshoots further, the cost diverges"


# =========================================================================== the optimizer table
#: The lecture's table (Deep Learning for Applications): name, year, adapts the learning rate, changes the
#: gradient, and whether this lesson writes it.
OPTIMIZER_TABLE = (
    ("Momentum", 1964, False, True, True),
    ("AdaGrad", 2011, True, False, True),
    ("RMSprop", 2012, True, False, True),
    ("Adadelta", 2012, True, False, False),
    ("Nesterov", 2013, False, True, True),
    ("Adam", 2014, True, True, True),
    ("AdaMax", 2015, True, True, False),
    ("Nadam", 2015, True, True, False),
    ("AMSGrad", 2018, True, True, False),
)


# =========================================================================== batch size and memory
#: The deck's example: 50,000 samples of float32 (4 bytes), and the figures the deck gives for them.
N_SAMPLES = 50_000
BYTES_PER_NUMBER = 4
MEMORY_EXAMPLES = (
    # (what, numbers per sample, the deck's figure)
    ("1-D linear regression (one number per sample)", 1, "0.2 MB"),
    ("MNIST images, 28 × 28", 28 * 28, "156 MB"),
    ("low-resolution images, 280 × 280", 280 * 280, "15,600 MB = 15.6 GB"),
    ("medium-resolution images, 560 × 560", 560 * 560, "15,600 MB = 62.4 GB"),
)


def memory_bytes(numbers_per_sample, n=N_SAMPLES, bytes_per_number=BYTES_PER_NUMBER):
    """Bytes to hold ``n`` samples of ``numbers_per_sample`` float32 numbers at once (one full batch)."""
    return n * numbers_per_sample * bytes_per_number


#: What the deck lists for small batches (SGD-like) against one big batch (BGD).
BATCH_TRADEOFFS = {
    "small batches": ("each step is cheap to compute", "needs little memory",
                      "the noise can shake the weights out of a poor local minimum",
                      "the gradient is an inaccurate estimate", "a step need not point the steepest way down"),
    "one big batch": ("the exact gradient, the steepest way down", "one step per pass over the data",
                      "needs memory for the whole data set at once", "a step costs a full pass: slow learning"),
}

#: The deck's hyper-parameters: chosen by us, not learned.
HYPERPARAMETERS = (
    ("number of hidden layers", "how many hidden layers the network has"),
    ("number of epochs", "where the validation error is smallest"),
    ("batch size", "how many samples each step sees"),
    ("learning rate", "how far each step goes"),
    ("initial value of each parameter", "where the descent starts"),
    ("loss / cost function", "how the output is compared with the target"),
)

# =========================================================================== key terms
#: English and the Korean the lectures use (or the standard Korean term).
KEY_TERMS = (
    ("gradient descent", "경사 하강법"),
    ("learning rate", "학습률"),
    ("linear regression", "선형 회귀"),
    ("cost / loss function", "비용 함수 / 손실 함수"),
    ("gradient", "기울기 (경사도)"),
    ("mini-batch", "미니배치"),
    ("batch size", "배치 크기"),
    ("epoch", "에포크"),
    ("iteration", "반복"),
    ("standardization", "표준화"),
    ("normalization", "정규화"),
    ("optimizer", "옵티마이저"),
    ("momentum", "모멘텀"),
    ("local minimum", "지역 최솟값"),
    ("saddle point", "안장점"),
    ("hyper-parameter", "하이퍼파라미터"),
    ("validation data", "검증 데이터"),
    ("test data", "테스트 데이터"),
)

