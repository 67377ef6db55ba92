"""Lesson 01 graders: right implementations pass (loops and vectorized, int and float), wrong ones fail
with the hint a student should see."""
import numpy as np
import pytest

from checkhelpers import assert_fails, assert_passes


# --------------------------------------------------------------------------- step
def step_vectorized(z):
    return (z > 0).astype(float)


def step_int(z):
    return np.where(z > 0, 1, 0)


def step_bool(z):
    return np.asarray(z) > 0


def step_heaviside(z):
    return np.heaviside(z, 0.0)


def step_loop(z):
    z = np.asarray(z, dtype=float)
    out = np.zeros(z.shape)
    for idx in np.ndindex(z.shape):
        out[idx] = 1.0 if z[idx] > 0 else 0.0
    return out


def step_float32(z):
    return (z > 0).astype(np.float32)


@pytest.mark.parametrize("fn", [step_vectorized, step_int, step_bool, step_heaviside, step_loop, step_float32])
def test_step_right(fn):
    assert_passes("step", fn)


@pytest.mark.parametrize("fn, hint", [
    (lambda z: (z >= 0).astype(float), "z >= 0"),
    (lambda z: np.sign(z), "np.sign"),
    (lambda z: (z <= 0).astype(float), "inverted"),
    (lambda z: (z > 0).astype(float).ravel(), "shape"),
    (lambda z: list((np.ravel(z) > 0).astype(int)), "Python list"),
    (lambda z: None, "return"),
    (lambda z: 1 / (1 + np.exp(-z)), None),
])
def test_step_wrong(fn, hint):
    assert_fails("step", fn, hint=hint)


# --------------------------------------------------------------------------- perceptron_predict
def predict_vectorized(X, w, b):
    return (X @ w + b > 0).astype(int)


def predict_loop(X, w, b):
    out = []
    for x in X:
        s = b
        for x_j, w_j in zip(x, w):
            s += x_j * w_j
        out.append(1.0 if s > 0 else 0.0)
    return np.array(out)


def predict_float32(X, w, b):
    return (X.astype(np.float32) @ w.astype(np.float32) + np.float32(b) > 0).astype(np.float32)


def predict_einsum(X, w, b):
    return np.heaviside(np.einsum("nd,d->n", X, w) + b, 0)


@pytest.mark.parametrize("fn", [predict_vectorized, predict_loop, predict_float32, predict_einsum])
def test_predict_right(fn):
    assert_passes("perceptron_predict", fn)


@pytest.mark.parametrize("fn, hint", [
    (lambda X, w, b: (X @ w - b > 0).astype(int), "bias is subtracted"),
    (lambda X, w, b: (X @ w > 0).astype(int), "bias is missing"),
    (lambda X, w, b: (X @ w + b >= 0).astype(int), "exactly 0"),
    (lambda X, w, b: X @ w + b, "apply the step"),
    (lambda X, w, b: (X @ w + b > 0).astype(int)[:, None], "extra or missing axis"),
    (lambda X, w, b: int(X[0] @ w + b > 0), "shape"),
])
def test_predict_wrong(fn, hint):
    assert_fails("perceptron_predict", fn, hint=hint)


def test_predict_mutating_input_is_reported():
    def predict(X, w, b):
        X += 0  # harmless value-wise, but writes
        X[0, 0] = 99.0
        return (X @ w + b > 0).astype(int)

    assert_fails("perceptron_predict", predict, hint="changed its input `X` in place")


# --------------------------------------------------------------------------- gate_weights
GOOD_GATES = {
    "AND": (np.array([1.0, 1.0]), -1.5),
    "OR": (np.array([1.0, 1.0]), -0.5),
    "NAND": (np.array([-1.0, -1.0]), 1.5),
    "NOR": (np.array([-1.0, -1.0]), 0.5),
}


def test_gate_weights_right():
    assert_passes("gate_weights", GOOD_GATES)
    # Other valid weights, ints and lists, numpy scalars for b.
    assert_passes("gate_weights", {
        "AND": (np.array([0.3, 0.3]), -0.5),
        "OR": ([2, 2], -1),
        "NAND": (np.array([-0.5, -0.5]), np.float64(0.6)),
        "NOR": (np.array([-2, -3]), 1),
    })


@pytest.mark.parametrize("gate, pair, hint", [
    ("AND", (np.array([1.0, 1.0]), -0.5), "compute OR"),
    ("OR", (np.array([1.0, 1.0]), -1.5), "compute AND"),
    ("NAND", (np.array([1.0, 1.0]), -1.5), "NAND is NOT AND"),
    ("NOR", (np.array([1.0, 1.0]), -0.5), "NOR is NOT OR"),
    ("OR", (np.array([0.2, 0.2]), 0.4), "compares H"),
    ("AND", (np.array([1.0, 1.0]), -2.0), "exactly on 0"),
    ("AND", (np.array([1.0, 1.0, 1.0]), -1.5), "shape (2,)"),
    ("AND", (np.array([1.0, 1.0]), np.array([-1.5, 0.0])), "single number"),
    ("AND", np.array([1.0, 1.0]), "pair (w, b)"),
])
def test_gate_weights_wrong(gate, pair, hint):
    weights = dict(GOOD_GATES)
    weights[gate] = pair
    assert_fails("gate_weights", weights, hint=hint)


def test_gate_weights_missing_key():
    weights = dict(GOOD_GATES)
    del weights["NOR"]
    assert_fails("gate_weights", weights, hint="missing the key(s) 'NOR'")
    assert_fails("gate_weights", [GOOD_GATES["AND"]], hint="should be a dict")


# --------------------------------------------------------------------------- perceptron_train
def train_loop(X, y, lr=1.0, epochs=10):
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        wrong = 0
        for x_i, y_i in zip(X, y):
            y_hat = 1.0 if x_i @ w + b > 0 else 0.0
            if y_hat != y_i:
                w = w + lr * (y_i - y_hat) * x_i
                b += lr * (y_i - y_hat)
                wrong += 1
        errors.append(wrong)
    return w, b, np.array(errors)


def train_always_update(X, y, lr=1.0, epochs=10):
    """Updates on every sample (a zero update when right), errors as a list of ints."""
    w, b, errors = np.zeros(X.shape[1]), 0, []
    for _ in range(epochs):
        errors.append(0)
        for i in range(len(X)):
            d = y[i] - np.heaviside(X[i] @ w + b, 0)
            w = w + lr * d * X[i]
            b = b + lr * d
            errors[-1] += int(d != 0)
    return w, b, errors


def train_float32(X, y, lr=1.0, epochs=10):
    X = X.astype(np.float32)
    w, b, errors = np.zeros(X.shape[1], np.float32), np.float32(0), np.zeros(epochs, np.int64)
    for e in range(epochs):
        for x_i, y_i in zip(X, y):
            d = np.float32(y_i) - np.float32(x_i @ w + b > 0)
            w += np.float32(lr) * d * x_i
            b += np.float32(lr) * d
            errors[e] += d != 0
    return w, b, errors


@pytest.mark.parametrize("fn", [train_loop, train_always_update, train_float32])
def test_train_right(fn):
    assert_passes("perceptron_train", fn)


def _variant(ge=False, batch=False, sign=1, bias=True, after=False, fraction=False, early=False, shuffle=False):
    def train(X, y, lr=1.0, epochs=10):
        w, b, errors = np.zeros(X.shape[1]), 0.0, []
        pred = (lambda x: float(x @ w + b >= 0)) if ge else (lambda x: float(x @ w + b > 0))
        for epoch in range(epochs):
            order = np.random.default_rng(epoch).permutation(len(X)) if shuffle else range(len(X))
            if batch:
                d = y - np.array([pred(x) for x in X])
                wrong = int(np.count_nonzero(d))
                w, b = w + sign * lr * d @ X, b + (sign * lr * d.sum() if bias else 0)
            else:
                wrong = 0
                for i in order:
                    d = y[i] - pred(X[i])
                    wrong += int(d != 0)
                    w = w + sign * lr * d * X[i]
                    if bias:
                        b = b + sign * lr * d
            if after:
                wrong = sum(pred(x) != t for x, t in zip(X, y))
            errors.append(wrong / len(X) if fraction else wrong)
            if early and wrong == 0:
                break
        return w, b, np.array(errors)
    return train


@pytest.mark.parametrize("kwargs, hint", [
    (dict(ge=True), "z >= 0"),
    (dict(batch=True), "once per pass"),
    (dict(sign=-1), "wrong sign"),
    (dict(bias=False), "bias is never updated"),
    (dict(after=True), "during pass e"),
    (dict(fraction=True), "not a fraction"),
    (dict(early=True), "shape"),
    (dict(shuffle=True), None),
])
def test_train_wrong(kwargs, hint):
    assert_fails("perceptron_train", _variant(**kwargs), hint=hint)


def test_train_default_arguments_are_checked():
    def train_wrong_defaults(X, y, lr=0.1, epochs=5):
        return train_loop(X, y, lr, epochs)

    assert_fails("perceptron_train", train_wrong_defaults, hint="default lr, epochs")


def test_train_wrong_return():
    assert_fails("perceptron_train", lambda X, y, lr=1.0, epochs=10: train_loop(X, y, lr, epochs)[:2],
                 hint="three values")
    assert_fails("perceptron_train", lambda X, y, lr=1.0, epochs=10: None, hint="returned None")


# --------------------------------------------------------------------------- more conventions and mistakes
@pytest.mark.parametrize("fn", [
    lambda z: np.clip(np.ceil(z), 0, 1),
    lambda z: np.maximum(np.sign(z), 0),
    lambda z: (z > 0).astype(np.uint8),
    np.vectorize(lambda v: 1.0 if v > 0 else 0.0),
])
def test_step_right_more(fn):
    assert_passes("step", fn)


def test_step_on_a_copy_is_fine():
    def step(z):
        z = np.array(z, dtype=float)
        z[z > 0] = 1
        z[z <= 0] = 0
        return z

    assert_passes("step", step)


@pytest.mark.parametrize("fn, hint", [
    (lambda z: (np.abs(z) > 0).astype(float), "negative inputs too"),
    (lambda z: np.round(1 / (1 + np.exp(-z))), None),       # 0 for tiny positive z
    (lambda z: (z > 1e-12).astype(float), None),
    (lambda z: np.heaviside(z, 0.5), "whole numbers"),
])
def test_step_wrong_more(fn, hint):
    assert_fails("step", fn, hint=hint)


@pytest.mark.parametrize("fn", [
    lambda X, w, b: (np.c_[np.ones(len(X)), X] @ np.r_[b, w] > 0).astype(int),
    lambda X, w, b: w @ X.T + b > 0,
    lambda X, w, b: ((X * w).sum(axis=1) + b > 0) * 1,
    lambda X, w, b: np.maximum(np.sign(X @ w + b), 0),
])
def test_predict_right_more(fn):
    assert_passes("perceptron_predict", fn, seeds=range(6))


def test_predict_ge_fails_for_every_seed():
    """The exact-zero case always holds sums of exactly 0 (it did only by chance for some seeds)."""
    for seed in range(10):  # one call per seed: assert_fails stops after its first seed
        assert_fails("perceptron_predict", lambda X, w, b: (X @ w + b >= 0).astype(int), hint="exactly 0",
                     seeds=(seed,))


@pytest.mark.parametrize("fn, hint", [
    (lambda X, w, b: np.sign(X @ w + b), "np.sign"),
    (lambda X, w, b: 1 / (1 + np.exp(-(X @ w + b))), "sigmoid"),
])
def test_predict_wrong_more(fn, hint):
    assert_fails("perceptron_predict", fn, hint=hint)


def test_gate_weights_other_types():
    assert_passes("gate_weights", {
        "AND": ((1, 1), -1.5),
        "OR": [[1, 1], -0.5],
        "NAND": (np.array([-1, -1]), np.array(1.5)),
        "NOR": (np.array([-1.0, -1.0], dtype=np.float32), np.float32(0.5)),
    }, seeds=(0,))


@pytest.mark.parametrize("pair, hint", [
    ((np.array([1.0, 1.0]), np.array([-1.5])), "single number"),
    ((np.array([[1.0], [1.0]]), -1.5), "shape (2,)"),
    ((np.array([1.0, 0.0]), -0.5), "check every row"),
])
def test_gate_weights_wrong_more(pair, hint):
    assert_fails("gate_weights", {**GOOD_GATES, "AND": pair}, hint=hint)


def train_augmented(X, y, lr=1.0, epochs=10):
    """The bias as a weight on a constant input 1, in place on its own arrays."""
    Xa = np.hstack([np.ones((len(X), 1)), X])
    w, errors = np.zeros(Xa.shape[1]), np.zeros(epochs, dtype=int)
    for e in range(epochs):
        for x_i, y_i in zip(Xa, y):
            y_hat = float(x_i @ w > 0)
            w += lr * (y_i - y_hat) * x_i
            errors[e] += y_hat != y_i
    return w[1:], w[0], errors


def train_early_stop_padded(X, y, lr=1.0, epochs=10):
    """Stops once a pass is clean; the remaining passes would change nothing, so their counts are 0."""
    w, b, errors = np.zeros(X.shape[1]), 0.0, [0] * epochs
    for e in range(epochs):
        for x_i, y_i in zip(X, y):
            y_hat = int(x_i @ w + b > 0)
            if y_hat != y_i:
                w += lr * (y_i - y_hat) * x_i
                b += lr * (y_i - y_hat)
                errors[e] += 1
        if errors[e] == 0:
            break
    return [w, np.array(b), errors]


@pytest.mark.parametrize("fn", [train_augmented, train_early_stop_padded])
def test_train_right_more(fn):
    assert_passes("perceptron_train", fn, seeds=range(5))


def train_plus_minus(X, y, lr=1.0, epochs=10, strict=False):
    """The ±1 textbook form: t = 2y − 1, update when t·z ≤ 0 (or < 0)."""
    t = 2 * y - 1
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        n = 0
        for x_i, t_i in zip(X, t):
            m = t_i * (x_i @ w + b)
            if (m < 0) if strict else (m <= 0):
                w, b, n = w + lr * t_i * x_i, b + lr * t_i, n + 1
        errors.append(n)
    return w, b, np.array(errors)


def _train_more(bias_lr=True, cumulative=False, target_only=False):
    def train(X, y, lr=1.0, epochs=10):
        w, b, errors, total = np.zeros(X.shape[1]), 0.0, [], 0
        for _ in range(epochs):
            wrong = 0
            for x_i, y_i in zip(X, y):
                y_hat = 1.0 if x_i @ w + b > 0 else 0.0
                if y_hat != y_i:
                    d = y_i if target_only else y_i - y_hat
                    w = w + lr * d * x_i
                    b += (lr if bias_lr else 1.0) * d
                    wrong += 1
            total += wrong
            errors.append(total if cumulative else wrong)
        return w, b, np.array(errors)
    return train


@pytest.mark.parametrize("fn, hint", [
    (train_plus_minus, "±1 form"),
    (lambda X, y, lr=1.0, epochs=10: train_plus_minus(X, y, lr, epochs, strict=True), "never change"),
    (_train_more(bias_lr=False), "bias update is missing the learning rate"),
    (_train_more(cumulative=True), "running total"),
    (_train_more(target_only=True), "target alone"),
    (lambda X, y, lr=1.0, epochs=10: (lambda w, b, e: (w, np.array([b]), e))(*train_loop(X, y, lr, epochs)),
     "single number"),
])
def test_train_wrong_more(fn, hint):
    assert_fails("perceptron_train", fn, hint=hint)
