"""Lesson 03 graders: right implementations pass (vectorized and loops, float32 and float64, any value at
a kink), wrong ones fail with the hint a student should see."""
import math

import numpy as np
import pytest

from checkhelpers import assert_fails, assert_passes


# =========================================================================== building blocks
def sig_stable(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def softplus(x):
    return np.logaddexp(0.0, x)


def loop(fn):
    """Apply a scalar function element by element (a student's loop version)."""
    def vectorized(x, *args, **kwargs):
        x = np.asarray(x, dtype=float)
        out = np.empty_like(x)
        for idx in np.ndindex(x.shape):
            out[idx] = fn(float(x[idx]), *args, **kwargs)
        return out
    return vectorized


def as32(fn):
    def f(x, *args, **kwargs):
        return fn(np.asarray(x, dtype=np.float32), *args, **kwargs).astype(np.float32)
    return f


# =========================================================================== sigmoid
def sigmoid_naive(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_tanh(x):
    return 0.5 * (1 + np.tanh(x / 2))


def _sig_scalar(v):
    if v >= 0:
        return 1 / (1 + math.exp(-v))
    return math.exp(v) / (1 + math.exp(v))


def sigmoid_clip(x):
    return 1 / (1 + np.exp(-np.clip(x, -500, 500)))


@pytest.mark.parametrize("fn", [sig_stable, sigmoid_naive, sigmoid_tanh, loop(_sig_scalar), sigmoid_clip,
                                as32(sig_stable)])
def test_sigmoid_right(fn):
    """Also the naive 1/(1 + e^{-x}): it overflows inside exp at -1000 but its value, 0, is right."""
    assert_passes("sigmoid", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda x: sig_stable(-x), "exponent is -x", "negative_exponent"),
    (lambda x: np.exp(-x) / (1 + np.exp(-x)) if np.abs(x).max() < 100 else 1 - sig_stable(x), "1 - \u03c3(x)",
     "negative_exponent"),
    (lambda x: np.tanh(x), "tanh(x)", "tanh"),
    (lambda x: np.exp(x) / (1 + np.exp(x)), "overflowed", "overflow"),
    (lambda x: sig_stable(x).ravel(), "shape", None),
    (lambda x: list(sig_stable(x)), "Python list", None),
    (lambda x: None, "return", None),
])
def test_sigmoid_wrong(fn, hint, mistake):
    assert_fails("sigmoid", fn, hint=hint, mistake=mistake and f"sigmoid.{mistake}")


def test_sigmoid_torch_is_refused():
    import torch

    assert_fails("sigmoid", lambda x: torch.sigmoid(torch.tensor(x)).numpy(), hint="called torch")


def test_sigmoid_mutating_input_is_reported():
    def sigmoid(x):
        x *= -1
        return 1 / (1 + np.exp(np.clip(x, -500, 500)))

    assert_fails("sigmoid", sigmoid, hint="changed its input `x` in place")


# =========================================================================== tanh
def tanh_exp(x):
    x = np.clip(x, -300, 300)
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def tanh_lecture(x):
    return 2 / (1 + np.exp(-2 * x)) - 1


@pytest.mark.parametrize("fn", [np.tanh, tanh_exp, tanh_lecture, lambda x: 2 * sig_stable(2 * x) - 1,
                                loop(math.tanh), as32(np.tanh)])
def test_tanh_right(fn):
    assert_passes("tanh", fn)


def tanh_naive(x):
    """(e^x - e^{-x})/(e^x + e^{-x}) as on paper: inf/inf = nan for |x| > 710."""
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda x: 2 * sig_stable(x) - 1, "2x inside", "half_argument"),
    (sig_stable, "lies between -1 and 1", "sigmoid"),
    (lambda x: np.tanh(2 * x), "already holds the 2", "double_argument"),
    (lambda x: (np.exp(x) - np.exp(-x)) / 2, None, None),
    # The naive forms are right up to |x| = 709 and nan beyond: the text promises stability at ±1000.
    (tanh_naive, "e^x overflows", "overflow"),
    (lambda x: np.sinh(x) / np.cosh(x), "e^x overflows", "overflow"),
])
def test_tanh_wrong(fn, hint, mistake):
    assert_fails("tanh", fn, hint=hint, mistake=mistake and f"tanh.{mistake}")


# =========================================================================== relu
@pytest.mark.parametrize("fn", [
    lambda x: np.maximum(0, x),
    lambda x: x * (x > 0),
    lambda x: np.where(x > 0, x, 0.0),
    lambda x: np.clip(x, 0, None),
    loop(lambda v: max(0.0, v)),
    as32(lambda x: np.maximum(0, x)),
])
def test_relu_right(fn):
    assert_passes("relu", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (np.abs, "absolute value", "absolute_value"),
    (lambda x: np.minimum(0, x), "min(0, x)", "negative_part"),
    (lambda x: np.maximum(0, -x), "max(0, -x)", "negated_input"),
    (lambda x: (x > 0).astype(float), "derivative", "returned_derivative"),
    (lambda x: np.max(np.maximum(0, x)), "single number", None),
])
def test_relu_wrong(fn, hint, mistake):
    assert_fails("relu", fn, hint=hint, mistake=mistake and f"relu.{mistake}")


# =========================================================================== leaky relu
def leaky(x, alpha=0.01):
    return np.where(x >= 0, x, alpha * x)


def leaky_max(x, alpha=0.01):
    return np.maximum(alpha * x, x)  # right for 0 <= alpha <= 1, the course's cases


@pytest.mark.parametrize("fn", [leaky, leaky_max, loop(lambda v, alpha=0.01: v if v > 0 else alpha * v),
                                lambda x, alpha=0.01: np.maximum(0, x) + alpha * np.minimum(0, x),
                                as32(leaky)])
def test_leaky_relu_right(fn):
    assert_passes("leaky_relu", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda x, alpha=0.01: np.where(x >= 0, alpha * x, x), "not the positive ones", "alpha_on_positive"),
    (lambda x, alpha=0.01: np.maximum(0, x), "as in relu", "relu"),
    (lambda x, alpha=0.01: leaky(x, 0.01), "ignored the alpha", "ignored_alpha"),
    (lambda x, alpha=0.01: np.where(x >= 0, x, -alpha * x), "-alpha", "negated_slope"),
])
def test_leaky_relu_wrong(fn, hint, mistake):
    assert_fails("leaky_relu", fn, hint=hint, mistake=f"leaky_relu.{mistake}")


@pytest.mark.parametrize("default, source", [(0.1, "lecture's plot"), (0.2, "TensorFlow"), (0.3, "Keras")])
def test_leaky_relu_wrong_default(default, source):
    """A default copied from the lecture's plot (0.1), TensorFlow (0.2) or Keras (0.3): one mistake, named."""
    def f(x, alpha=default):
        return leaky(x, alpha)

    assert_fails("leaky_relu", f, hint="default alpha is 0.01", mistake="leaky_relu.wrong_default_alpha")
    assert_fails("leaky_relu", f, hint=source, mistake="leaky_relu.wrong_default_alpha")


def test_leaky_relu_needs_a_default():
    assert_fails("leaky_relu", lambda x, alpha: leaky(x, alpha), hint="alpha")


# =========================================================================== elu
def elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_plain(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    out = x.copy()
    neg = x < 0
    out[neg] = alpha * (np.exp(x[neg]) - 1)
    return out


@pytest.mark.parametrize("fn", [elu, elu_plain, lambda x, alpha=1.0: np.where(x > 0, x, alpha * (np.exp(x) - 1)),
                                loop(lambda v, alpha=1.0: v if v > 0 else alpha * math.expm1(v)), as32(elu)])
def test_elu_right(fn):
    assert_passes("elu", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda x, alpha=1.0: np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0))), "forgot the -1", "no_minus_one"),
    (lambda x, alpha=1.0: np.where(x > 0, alpha * x, alpha * np.expm1(np.minimum(x, 0))), "only the negative",
     "alpha_on_positive"),
    (lambda x, alpha=1.0: np.where(x > 0, x, np.expm1(np.minimum(x, 0))), "forgot alpha", "no_alpha"),
    (lambda x, alpha=1.0: alpha * np.expm1(np.minimum(x, 50)), "every input", "every_input"),
])
def test_elu_wrong(fn, hint, mistake):
    assert_fails("elu", fn, hint=hint, mistake=f"elu.{mistake}")


@pytest.mark.parametrize("default, source", [(0.01, "Leaky ReLU"), (0.1, "lecture"), (1.6732632423543772, "SELU")])
def test_elu_wrong_default(default, source):
    def f(x, alpha=default):
        return elu(x, alpha)

    assert_fails("elu", f, hint="default alpha is 1.0", mistake="elu.wrong_default_alpha")
    assert_fails("elu", f, hint=source, mistake="elu.wrong_default_alpha")


# =========================================================================== mish
def mish(x):
    return x * np.tanh(softplus(x))


def mish_lecture(x):
    return x * np.tanh(np.log(1 + np.exp(x)))


@pytest.mark.parametrize("fn", [mish, mish_lecture, loop(lambda v: v * math.tanh(math.log1p(math.exp(v)))),
                                lambda x: x * np.tanh(np.log1p(np.exp(x))), as32(mish)])
def test_mish_right(fn):
    assert_passes("mish", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda x: np.tanh(softplus(x)), "factor x", "no_factor_x"),
    (lambda x: x * np.tanh(x), "not log(e^x)", "softplus_is_x"),
    (lambda x: x * sig_stable(x), "Swish", "swish"),
    (lambda x: x * np.tanh(np.exp(x)), "tanh(e^x)", "tanh_of_exp"),
])
def test_mish_wrong(fn, hint, mistake):
    assert_fails("mish", fn, hint=hint, mistake=f"mish.{mistake}")


# =========================================================================== sigmoid_grad
@pytest.mark.parametrize("fn", [
    lambda x: sig_stable(x) * (1 - sig_stable(x)),
    lambda x: sig_stable(x) * sig_stable(-x),
    lambda x: sigmoid_naive(x) * (1 - sigmoid_naive(x)),  # overflows inside exp, but its values are right
    lambda x: 0.25 / np.cosh(x / 2) ** 2,
    loop(lambda v: _sig_scalar(v) * (1 - _sig_scalar(v))),
    as32(lambda x: sig_stable(x) * (1 - sig_stable(x))),
])
def test_sigmoid_grad_right(fn):
    assert_passes("sigmoid_grad", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda x: sig_stable(x) * (1 - x), "(1 - x)", "one_minus_x"),
    (lambda x: x * (1 - x), "input x itself", "applied_to_input"),
    (lambda x: 1 - sig_stable(x) ** 2, "tanh's derivative", "tanh_pattern"),
    (sig_stable, "not its derivative", "returned_sigmoid"),
    (lambda x: sig_stable(x) ** 2, "\u03c3(x)\u00b2", "sigmoid_squared"),
    # Right on paper, nan at x = -1000 (inf/inf): the text warns about it, the check grades it.
    (lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2, "e^{-x} overflows", "overflow"),
    (lambda x: np.exp(x) / (1 + np.exp(x)) ** 2, "e^{x} overflows", "overflow"),
])
def test_sigmoid_grad_wrong(fn, hint, mistake):
    assert_fails("sigmoid_grad", fn, hint=hint, mistake=f"sigmoid_grad.{mistake}")


# =========================================================================== tanh_grad
@pytest.mark.parametrize("fn", [lambda x: 1 - np.tanh(x) ** 2, lambda x: 1 / np.cosh(x) ** 2,
                                lambda x: 4 * sig_stable(2 * x) * (1 - sig_stable(2 * x)),
                                loop(lambda v: 1 - math.tanh(v) ** 2), as32(lambda x: 1 - np.tanh(x) ** 2)])
def test_tanh_grad_right(fn):
    assert_passes("tanh_grad", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda x: 1 - x ** 2, "1 - x\u00b2", "one_minus_x_squared"),
    (lambda x: 1 - np.tanh(x), "must be squared", "not_squared"),
    (lambda x: np.tanh(x) * (1 - np.tanh(x)), "sigmoid's pattern", "sigmoid_pattern"),
    (lambda x: np.tanh(x) ** 2 - 1, "sign is flipped", "sign_flipped"),
    (np.tanh, "not its derivative", "returned_tanh"),
    (lambda x: 1 - tanh_naive(x) ** 2, "e^x overflows", "overflow"),
    (lambda x: 4 * np.exp(-2 * x) / (1 + np.exp(-2 * x)) ** 2, "e^x overflows", "overflow"),
])
def test_tanh_grad_wrong(fn, hint, mistake):
    assert_fails("tanh_grad", fn, hint=hint, mistake=f"tanh_grad.{mistake}")


# =========================================================================== relu_grad
@pytest.mark.parametrize("fn", [
    lambda x: (x > 0).astype(float),
    lambda x: (x >= 0).astype(float),        # 1 at the kink
    lambda x: np.where(x > 0, 1.0, np.where(x < 0, 0.0, 0.5)),  # 1/2 at the kink
    lambda x: x > 0,                          # booleans
    loop(lambda v: 1.0 if v > 0 else 0.0),
    as32(lambda x: (x > 0).astype(float)),
])
def test_relu_grad_right(fn):
    assert_passes("relu_grad", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda x: np.ones_like(x), "0 for negative inputs", "ones"),
    (np.sign, "not -1", "sign"),
    (lambda x: np.maximum(0, x), "relu(x) itself", "returned_relu"),
    (lambda x: (x < 0).astype(float), "inverted", "inverted"),
    (lambda x: np.where(x > 0, 1.0, np.where(x < 0, 0.0, 2.0)), "[0, 1]", None),
])
def test_relu_grad_wrong(fn, hint, mistake):
    assert_fails("relu_grad", fn, hint=hint, mistake=mistake and f"relu_grad.{mistake}")


# =========================================================================== leaky_relu_grad
@pytest.mark.parametrize("fn", [
    lambda x, alpha=0.01: np.where(x > 0, 1.0, alpha),
    lambda x, alpha=0.01: np.where(x >= 0, 1.0, alpha),
    lambda x, alpha=0.01: np.where(x > 0, 1.0, np.where(x < 0, alpha, (1 + alpha) / 2)),
    loop(lambda v, alpha=0.01: 1.0 if v > 0 else alpha),
    as32(lambda x, alpha=0.01: np.where(x > 0, 1.0, alpha)),
])
def test_leaky_relu_grad_right(fn):
    assert_passes("leaky_relu_grad", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda x, alpha=0.01: np.where(x > 0, alpha, 1.0), "swapped", "swapped"),
    (lambda x, alpha=0.01: (x > 0).astype(float), "not 0", "relu_grad"),
    (lambda x, alpha=0.01: np.where(x >= 0, x, alpha * x), "leaky_relu(x) itself", "returned_leaky_relu"),
    (lambda x, alpha=0.01: np.where(x > 0, 1.0, 0.01), "ignored the alpha", "ignored_alpha"),
    (lambda x, alpha=0.01: np.where(x > 0, 1.0, alpha * x), "not alpha\u00b7x", "alpha_times_x"),
])
def test_leaky_relu_grad_wrong(fn, hint, mistake):
    assert_fails("leaky_relu_grad", fn, hint=hint, mistake=f"leaky_relu_grad.{mistake}")


@pytest.mark.parametrize("default, source", [(0.1, "lecture's plot"), (0.2, "TensorFlow"), (0.3, "Keras")])
def test_leaky_relu_grad_wrong_default(default, source):
    def f(x, alpha=default):
        return np.where(x > 0, 1.0, alpha)

    assert_fails("leaky_relu_grad", f, hint="default alpha is 0.01", mistake="leaky_relu_grad.wrong_default_alpha")
    assert_fails("leaky_relu_grad", f, hint=source, mistake="leaky_relu_grad.wrong_default_alpha")


# =========================================================================== elu_grad
def elu_grad(x, alpha=1.0):
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))


@pytest.mark.parametrize("fn", [
    elu_grad,
    lambda x, alpha=1.0: np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0))),   # 1 at the kink
    lambda x, alpha=1.0: np.where(x > 0, 1.0, elu(x, alpha) + alpha),                 # elu + alpha
    loop(lambda v, alpha=1.0: 1.0 if v > 0 else alpha * math.exp(v)),
    as32(elu_grad),
])
def test_elu_grad_right(fn):
    assert_passes("elu_grad", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda x, alpha=1.0: np.where(x > 0, 1.0, alpha * np.expm1(np.minimum(x, 0))), "the -1 disappears",
     "kept_minus_one"),
    (lambda x, alpha=1.0: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0))), "forgot alpha", "no_alpha"),
    (lambda x, alpha=1.0: alpha * np.exp(np.minimum(x, 50)), "not alpha\u00b7e^x", "exp_everywhere"),
    (lambda x, alpha=1.0: (x > 0).astype(float), "not 0", "zero_for_negative"),
    (lambda x, alpha=1.0: elu(x, alpha), "elu(x) itself", "returned_elu"),
])
def test_elu_grad_wrong(fn, hint, mistake):
    assert_fails("elu_grad", fn, hint=hint, mistake=f"elu_grad.{mistake}")


@pytest.mark.parametrize("default, source", [(0.01, "Leaky ReLU"), (0.1, "lecture"), (1.6732632423543772, "SELU")])
def test_elu_grad_wrong_default(default, source):
    def f(x, alpha=default):
        return elu_grad(x, alpha)

    assert_fails("elu_grad", f, hint="default alpha is 1.0", mistake="elu_grad.wrong_default_alpha")
    assert_fails("elu_grad", f, hint=source, mistake="elu_grad.wrong_default_alpha")


# =========================================================================== mish_grad
def mish_grad(x):
    t = np.tanh(softplus(x))
    return t + x * (1 - t ** 2) * sig_stable(x)


def mish_grad_paper(x):
    """The closed form from the Mish paper: e^x ω / δ²."""
    e = np.exp(x)
    omega = 4 * (x + 1) + 4 * e ** 2 + e ** 3 + e * (4 * x + 6)
    delta = 2 * e + e ** 2 + 2
    return e * omega / delta ** 2


@pytest.mark.parametrize("fn", [mish_grad, mish_grad_paper,
                                lambda x: np.tanh(np.log(1 + np.exp(x))) + x * (1 - np.tanh(np.log(1 + np.exp(x))) ** 2) / (1 + np.exp(-x)),
                                loop(lambda v: float(mish_grad(np.array(v)))), as32(mish_grad)])
def test_mish_grad_right(fn):
    assert_passes("mish_grad", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda x: np.tanh(softplus(x)), "product rule", "first_term_only"),
    (lambda x: np.tanh(softplus(x)) + x * (1 - np.tanh(softplus(x)) ** 2), "through softplus", "no_softplus_chain"),
    (lambda x: np.tanh(softplus(x)) + x * (1 - np.tanh(softplus(x))) * sig_stable(x), "square is missing",
     "tanh_not_squared"),
    (lambda x: x * (1 - np.tanh(softplus(x)) ** 2) * sig_stable(x), "only the second term", "second_term_only"),
    (lambda x: np.tanh(softplus(x)) + x * (1 - np.tanh(softplus(x)) ** 2) * sig_stable(-x), "1/(1 + e^x)",
     "wrong_softplus_derivative"),
    (lambda x: x * np.tanh(softplus(x)), "mish(x) itself", "returned_mish"),
])
def test_mish_grad_wrong(fn, hint, mistake):
    assert_fails("mish_grad", fn, hint=hint, mistake=f"mish_grad.{mistake}")


# =========================================================================== softmax
def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_loop(z):
    out = np.zeros_like(z, dtype=float)
    for i, row in enumerate(z):
        m = max(row)
        ex = [math.exp(v - m) for v in row]
        s = sum(ex)
        out[i] = [v / s for v in ex]
    return out


def softmax_logsumexp(z):
    m = z.max(axis=1, keepdims=True)
    return np.exp(z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True)))


def softmax_transposed(z):
    e = np.exp(z.T - z.T.max(axis=0))
    return (e / e.sum(axis=0)).T


@pytest.mark.parametrize("fn", [softmax, softmax_loop, softmax_logsumexp, softmax_transposed,
                                lambda z: softmax(z.astype(np.float32)).astype(np.float32)])
def test_softmax_right(fn):
    assert_passes("softmax", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda z: softmax(z.T).T, "wrong axis", "wrong_axis"),
    (lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), "subtract each row's maximum", "no_max_shift"),
    (lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=1, keepdims=True), "whole array",
     "global_max_shift"),
    (lambda z: np.exp(z - z.max(axis=1)) / np.exp(z - z.max(axis=1)).sum(axis=1, keepdims=True), "keepdims",
     "max_without_keepdims"),
    (lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1),
     "keepdims", "sum_without_keepdims"),
    (lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(),
     "whole batch", "batch_sum"),
    (lambda z: np.exp(z - z.max(axis=1, keepdims=True)), "adds up to 1", "not_normalized"),
    (lambda z: softmax(z).ravel(), "shape", None),
])
def test_softmax_wrong(fn, hint, mistake):
    assert_fails("softmax", fn, hint=hint, mistake=mistake and f"softmax.{mistake}")


# =========================================================================== cross-entropy
def logsumexp(z):
    m = z.max(axis=1, keepdims=True)
    return m + np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def ce(logits, y):
    n = len(y)
    logp = logits - logsumexp(logits)
    loss = -logp[np.arange(n), y].mean()
    d = softmax(logits)
    d[np.arange(n), y] -= 1
    return loss, d / n


def ce_onehot(logits, y):
    n, c = logits.shape
    onehot = np.eye(c)[y]
    logp = logits - logsumexp(logits)
    return float(-(onehot * logp).sum() / n), (softmax(logits) - onehot) / n


def ce_loop(logits, y):
    n, c = logits.shape
    total, d = 0.0, np.zeros((n, c))
    for i in range(n):
        m = max(logits[i])
        s = sum(math.exp(v - m) for v in logits[i])
        total += -(logits[i][y[i]] - m - math.log(s))
        for k in range(c):
            d[i, k] = (math.exp(logits[i][k] - m) / s - (k == y[i])) / n
    return total / n, d


def ce_float32(logits, y):
    loss, d = ce(logits.astype(np.float32), y)
    return np.float32(loss), d.astype(np.float32)


@pytest.mark.parametrize("fn", [ce, ce_onehot, ce_loop, ce_float32,
                                lambda z, y: (np.array(ce(z, y)[0]), ce(z, y)[1])])
def test_cross_entropy_right(fn):
    assert_passes("cross_entropy", fn)


def _ce_variant(*, twice=False, sum_loss=False, no_n_grad=False, per_class=False, no_onehot=False,
                neg=False, axis=1, log_p=False, no_shift=False, bad_index=False, index=False):
    def f(z, y):
        n, c = z.shape
        onehot = np.eye(c)[y]
        if no_shift:
            p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        elif axis == 1:
            p = softmax(z)
        else:
            p = softmax(z.T).T
        if twice:
            p = softmax(p)
        if log_p or no_shift:
            logp = np.log(p)
        elif axis == 1 and not twice:
            logp = z - logsumexp(z)
        else:
            logp = np.log(p)
        if bad_index:
            loss = -logp[:, y].mean()
        elif index:
            loss = -logp[np.arange(n), y].mean()
        else:
            loss = -(onehot * logp).sum()
            loss = loss if sum_loss else loss / (n * c if per_class else n)
        d = p if no_onehot else p - onehot
        d = -d if neg else d
        return loss, d if no_n_grad else d / n
    return f


@pytest.mark.parametrize("kwargs, hint, mistake", [
    (dict(twice=True), "softmax twice", "softmax_twice"),
    (dict(sum_loss=True), "MEAN over the batch", "summed_loss"),
    (dict(no_n_grad=True), "missing the 1/N", "gradient_without_n"),
    (dict(sum_loss=True, no_n_grad=True), "MEAN over the batch", "summed_loss"),
    (dict(per_class=True), "averaged over the classes", "mean_over_classes"),
    (dict(no_onehot=True), "subtract the one-hot", "gradient_without_onehot"),
    (dict(neg=True), "wrong sign", "gradient_sign"),
    (dict(axis=0), "wrong axis", "loss_wrong_axis"),
    (dict(log_p=True), "0\u00b7(-inf) = nan", "log_of_softmax"),
    (dict(log_p=True, index=True), "log(0)", None),  # loss = inf: the exercise's hint names log(0)
    (dict(no_shift=True), "overflows", "no_max_shift"),
    (dict(bad_index=True), "p[np.arange(N), y]", "block_index"),
])
def test_cross_entropy_wrong(kwargs, hint, mistake):
    assert_fails("cross_entropy", _ce_variant(**kwargs), hint=hint, mistake=mistake and f"cross_entropy.{mistake}")


def test_cross_entropy_wrong_returns():
    assert_fails("cross_entropy", lambda z, y: ce(z, y)[0], hint="two values")
    assert_fails("cross_entropy", lambda z, y: (ce(z, y)[1], ce(z, y)[0]), hint="single number")
    assert_fails("cross_entropy", lambda z, y: (-(z - logsumexp(z))[np.arange(len(y)), y] / len(y), ce(z, y)[1]),
                 hint="single number")


def test_cross_entropy_does_not_mutate():
    def ce_inplace(z, y):
        z -= z.max(axis=1, keepdims=True)
        return ce(z, y)

    assert_fails("cross_entropy", ce_inplace, hint="changed its input `logits` in place")


# =========================================================================== more conventions and mistakes
def _sig_both_branches(x):
    """np.where evaluates both branches; the overflow in the unused one must not matter."""
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


def _sig_masks(x):
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1 + e)
    return out


@pytest.mark.parametrize("fn", [
    _sig_both_branches, _sig_masks,
    lambda x: np.exp(-np.logaddexp(0, -x)),
    lambda x: np.piecewise(x, [x >= 0, x < 0], [lambda v: 1 / (1 + np.exp(-v)), lambda v: np.exp(v) / (1 + np.exp(v))]),
    lambda x: np.vectorize(_sig_scalar)(x),
    lambda x: 1 / (1 + np.exp(-x.astype(np.float32))),
])
def test_sigmoid_right_more(fn):
    assert_passes("sigmoid", fn)


def _relu_copy(x):
    x = x.copy()
    x[x < 0] = 0
    return x


@pytest.mark.parametrize("name, fn", [
    ("relu", lambda x: (x + np.abs(x)) / 2),
    ("relu", _relu_copy),
    ("leaky_relu", lambda x, alpha=0.01: x * np.where(x > 0, 1.0, alpha)),
    ("elu", lambda x, alpha=1.0: np.maximum(x, 0) + np.minimum(0, alpha * np.expm1(np.minimum(x, 0)))),
    ("mish", lambda x: x * ((1 + np.exp(x)) ** 2 - 1) / ((1 + np.exp(x)) ** 2 + 1)),
    ("sigmoid_grad", lambda x: np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))) ** 2),
    ("tanh_grad", lambda x: (1 - np.tanh(x)) * (1 + np.tanh(x))),
    ("relu_grad", lambda x: np.heaviside(x, 0.5)),
    ("relu_grad", lambda x: (x > 0).astype(np.int64)),
    ("leaky_relu_grad", lambda x, alpha=0.01: alpha + (1 - alpha) * (x > 0)),
    ("elu_grad", lambda x, alpha=1.0: np.where(x > 0, 1.0, alpha * np.exp(x))),
    ("mish_grad", lambda x: np.tanh(softplus(x)) + x * sig_stable(x) / np.cosh(softplus(x)) ** 2),
])
def test_elementwise_right_more(name, fn):
    assert_passes(name, fn)


def test_elu_max_form_is_wrong_for_alpha_above_one():
    """max(x, alpha(e^x - 1)) is ELU for alpha <= 1 only; a case with alpha = 2 near 0 tells them apart."""
    assert_fails("elu", lambda x, alpha=1.0: np.maximum(x, alpha * np.expm1(np.minimum(x, 0))), hint="alpha <= 1",
                 mistake="elu.max_form")
    assert_fails("elu", lambda x, alpha=1.0: np.maximum(x, alpha * np.expm1(x)), hint="every input",
                 mistake="elu.every_input")


def test_relu_in_place_is_reported():
    def relu(x):
        x[x < 0] = 0
        return x

    assert_fails("relu", relu, hint="changed its input `x` in place")


@pytest.mark.parametrize("name, fn, hint", [
    ("relu", lambda x: np.maximum(x, 0.01 * x), None),
    ("sigmoid_grad", lambda x: np.exp(-x) / (1 + np.exp(-x)), None),
    ("tanh_grad", lambda x: 1 / np.cosh(x), None),
    ("mish_grad", lambda x: np.tanh(softplus(x)) + (1 - np.tanh(softplus(x)) ** 2) * sig_stable(x), None),
    ("elu_grad", lambda x, alpha=1.0: np.where(x > 0, 1.0, np.where(x < 0, alpha * np.exp(x), 0.0)), None),
])
def test_elementwise_wrong_more(name, fn, hint):
    assert_fails(name, fn, hint=hint)


def _softmax_in_place(z):
    z = z - z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


@pytest.mark.parametrize("fn", [
    _softmax_in_place,
    lambda z: np.exp(z - np.logaddexp.reduce(z, axis=1, keepdims=True)),
    lambda z: np.apply_along_axis(lambda r: np.exp(r - r.max()) / np.exp(r - r.max()).sum(), 1, z),
    lambda z: np.exp(z - z.max(1)[:, None]) / np.exp(z - z.max(1)[:, None]).sum(1)[:, None],
])
def test_softmax_right_more(fn):
    assert_passes("softmax", fn)


@pytest.mark.parametrize("fn", [
    lambda z: np.exp(z - z.min(1, keepdims=True)) / np.exp(z - z.min(1, keepdims=True)).sum(1, keepdims=True),
    lambda z: np.exp(z - z.max(1, keepdims=True)) / np.exp(z).sum(1, keepdims=True),
    lambda z: np.log(softmax(z)),
])
def test_softmax_wrong_more(fn):
    assert_fails("softmax", fn)


def ce_take_along(logits, y):
    n = len(y)
    logp = logits - logsumexp(logits)
    loss = -np.take_along_axis(logp, y[:, None].astype(np.int64), axis=1).mean()
    onehot = np.zeros_like(logits)
    onehot[np.arange(n), y] = 1
    return loss, (np.exp(logp) - onehot) / n


def ce_rows(logits, y):
    n = len(y)
    loss, rows = 0.0, []
    for i in range(n):
        m = logits[i].max()
        s = np.exp(logits[i] - m).sum()
        loss -= logits[i, y[i]] - m - np.log(s)
        g = np.exp(logits[i] - m) / s
        g[y[i]] -= 1
        rows.append(g / n)
    return loss / n, np.stack(rows)


@pytest.mark.parametrize("fn", [ce_take_along, ce_rows,
                                lambda z, y: (ce(z, y)[0], ce(z, y)[1].astype(np.float32)),
                                lambda z, y: (np.float32(ce(z, y)[0]), ce(z, y)[1])])
def test_cross_entropy_right_more(fn):
    assert_passes("cross_entropy", fn)


@pytest.mark.parametrize("eps", [1e-7, 1e-12, 1e-15, np.finfo(float).eps])
def test_cross_entropy_clipped_log(eps):
    """log(p + eps) and np.clip(p, eps, 1) are right for ordinary logits and wrong for large ones."""
    def plus(z, y):
        n = len(y)
        p = softmax(z)
        return -np.mean(np.log(p[np.arange(n), y] + eps)), (p - np.eye(z.shape[1])[y]) / n

    def clipped(z, y):
        n = len(y)
        p = softmax(z)
        return -np.mean(np.log(np.clip(p[np.arange(n), y], eps, 1))), (p - np.eye(z.shape[1])[y]) / n

    assert_fails("cross_entropy", plus, hint="clipped the probability", mistake="cross_entropy.clipped_log")
    assert_fails("cross_entropy", clipped, hint="clipped the probability", mistake="cross_entropy.clipped_log")


def test_cross_entropy_every_class():
    assert_fails("cross_entropy", lambda z, y: (-np.mean(z - logsumexp(z)), ce(z, y)[1]), hint="EVERY class",
                 mistake="cross_entropy.every_class")
    assert_fails("cross_entropy", lambda z, y: (-np.sum(z - logsumexp(z)) / len(y), ce(z, y)[1]), hint="EVERY class",
                 mistake="cross_entropy.every_class")


@pytest.mark.parametrize("name", ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad"])
def test_graded_where_the_text_promises_stability(name):
    """The notebook says these are finite and right at x = ±1000: a case must hold both."""
    from course.checks.engine import get_exercise

    xs = [np.asarray(c.args["x"]) for c in get_exercise(name).cases(np.random.default_rng(0))]
    assert any(x.max() >= 1000 and x.min() <= -1000 for x in xs)


def test_lecture_network_gives_the_decks_numbers():
    """The lecture's network: f([1, -1]) = [0.62, 0.83], f([0, 0]) = [0.51, 0.85] (two decimals)."""
    from course.lessons import activations as L03

    for x, expected in zip(L03.LECTURE_INPUTS, L03.LECTURE_OUTPUTS):
        a = x
        for W, b in L03.LECTURE_NET:
            a = sig_stable(W @ a + b)
        assert np.allclose(a.round(2), expected), (x, a)
