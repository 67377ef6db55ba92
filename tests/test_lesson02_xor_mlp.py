"""Lesson 02 graders: right implementations pass (loops and vectorized, float32 and float64, caches of any
kind), wrong ones fail with the hint a student should see and the id of the mistake that recognises them."""
import types

import numpy as np
import pytest

from checkhelpers import assert_fails, assert_passes

X4 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y4 = np.array([[0], [1], [1], [0]], dtype=float)


def step(z):
    return (np.asarray(z) > 0).astype(float)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# --------------------------------------------------------------------------- xor_network
def xor_perceptrons(X):
    X = np.asarray(X, dtype=float)
    y_or = step(X @ np.array([1.0, 1.0]) - 0.5)
    y_nand = step(X @ np.array([-1.0, -1.0]) + 1.5)
    return step(np.stack([y_or, y_nand], axis=1) @ np.array([1.0, 1.0]) - 1.5)


def xor_matrix(X):
    """The hidden layer as one matrix product, weights (2, 2)."""
    W1, b1 = np.array([[0.5, -0.5], [0.5, -0.5]]), np.array([-0.2, 0.7])
    h = (X @ W1 + b1 > 0).astype(int)
    return ((h @ np.array([1, 1]) - 1.5) > 0).astype(int)


def xor_loop(X):
    out = []
    for x1, x2 in X:
        a = 1 if x1 + x2 - 0.5 > 0 else 0
        b = 1 if -x1 - x2 + 1.5 > 0 else 0
        out.append(1 if a + b - 1.5 > 0 else 0)
    return np.array(out)


@pytest.mark.parametrize("fn", [xor_perceptrons, xor_matrix, xor_loop])
def test_xor_network_right(fn):
    assert_passes("xor_network", fn)


def _xor_gates(combine):
    def fn(X):
        X = np.asarray(X, dtype=float)
        g = {"OR": step(X.sum(1) - 0.5), "AND": step(X.sum(1) - 1.5), "NAND": step(1.5 - X.sum(1))}
        return combine(g)
    return fn


@pytest.mark.parametrize("fn, hint, mistake", [
    (_xor_gates(lambda g: g["OR"]), "computes OR", "computes_or"),
    (_xor_gates(lambda g: step(g["OR"] + g["AND"] - 1.5)), "must be NAND", "and_not_nand"),
    (_xor_gates(lambda g: step(g["OR"] + g["NAND"] - 0.5)), "must be AND, not OR", "output_or"),
    (_xor_gates(lambda g: 1 - step(g["OR"] + g["NAND"] - 1.5)), "inverted", "inverted"),
    (_xor_gates(lambda g: g["NAND"]), "computes NAND", "computes_nand"),
    (_xor_gates(lambda g: 0 * g["AND"]), "outputs 0 everywhere", "all_zero"),
    (_xor_gates(lambda g: np.stack([g["OR"], g["NAND"]], 1)), "shape", None),
    (_xor_gates(lambda g: step(g["OR"] + g["NAND"] - 1.5)[:, None]), "extra or missing axis", None),
])
def test_xor_network_wrong(fn, hint, mistake):
    assert_fails("xor_network", fn, hint=hint, mistake=mistake and f"xor_network.{mistake}")


# --------------------------------------------------------------------------- dense_forward / backward
def dense_forward(x, W, b):
    return x @ W + b, (x, W)


def dense_forward_loop(x, W, b):
    N, D = x.shape
    M = W.shape[1]
    out = np.zeros((N, M))
    for n in range(N):
        for m in range(M):
            out[n, m] = b[m] + sum(x[n, d] * W[d, m] for d in range(D))
    return out, {"x": x, "W": W}


def dense_forward_f32(x, W, b):
    x32, W32 = x.astype(np.float32), W.astype(np.float32)
    return x32 @ W32 + b.astype(np.float32), (x32, W32)


def dense_forward_einsum(x, W, b):
    return np.einsum("nd,dm->nm", x, W) + b, (x, W, b)


@pytest.mark.parametrize("fn", [dense_forward, dense_forward_loop, dense_forward_f32, dense_forward_einsum])
def test_dense_forward_right(fn):
    assert_passes("dense_forward", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda x, W, b: (x @ W.T + b, None), "transposed", "transposed_w"),
    (lambda x, W, b: (x @ W, None), "bias is missing", "no_bias"),
    (lambda x, W, b: (x @ W - b, None), "subtracted", "bias_subtracted"),
    (lambda x, W, b: x @ W + b, "two values", None),
    (lambda x, W, b: ((W.T @ x.T).T[:, :1], None), "shape", None),
])
def test_dense_forward_wrong(fn, hint, mistake):
    assert_fails("dense_forward", fn, hint=hint, mistake=mistake and f"dense_forward.{mistake}")


def test_dense_forward_bias_on_the_wrong_axis_is_named():
    def fwd(x, W, b):
        out = x @ W
        return (out + b[:, None] if out.shape[0] == len(b) else out + b), None

    assert_fails("dense_forward", fwd, hint="wrong axis", mistake="dense_forward.bias_wrong_axis")


def test_dense_forward_transposed_on_non_square_gets_the_error_and_its_line():
    # Skip the first (square) case: a non-square W makes x @ W.T raise; the message quotes the line.
    def fwd(x, W, b):
        if W.shape[0] == W.shape[1]:
            return x @ W + b, None
        return x @ W.T + b, None

    message = assert_fails("dense_forward", fwd, hint="raised ValueError")
    assert "x @ W.T" in message


def dense_backward(dout, cache):
    x, W = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def dense_backward_loop(dout, cache):
    x, W = cache["x"], cache["W"]
    N, D = x.shape
    M = W.shape[1]
    dx, dW, db = np.zeros((N, D)), np.zeros((D, M)), np.zeros(M)
    for n in range(N):
        for m in range(M):
            db[m] += dout[n, m]
            for d in range(D):
                dx[n, d] += dout[n, m] * W[d, m]
                dW[d, m] += x[n, d] * dout[n, m]
    return dx, dW, db


def dense_backward_f32(dout, cache):
    x, W = cache
    d = dout.astype(np.float32)
    return d @ W.T, x.T @ d, d.sum(axis=0)


@pytest.mark.parametrize("fwd, bwd", [(dense_forward, dense_backward), (dense_forward_loop, dense_backward_loop),
                                      (dense_forward_f32, dense_backward_f32)])
def test_dense_backward_right(fwd, bwd):
    assert_passes("dense_backward", fwd, bwd)


def _bwd(dx=None, dW=None, db=None):
    def bwd(dout, cache):
        x, W = cache
        return ((dx or (lambda d, x, W: d @ W.T))(dout, x, W), (dW or (lambda d, x, W: x.T @ d))(dout, x, W),
                (db or (lambda d, x, W: d.sum(axis=0)))(dout, x, W))
    return bwd


@pytest.mark.parametrize("bwd, hint, mistake", [
    (_bwd(dx=lambda d, x, W: d @ W), "W.T belongs", "dx_uses_w"),
    (_bwd(dW=lambda d, x, W: d.T @ x), "dW is transposed", "dw_transposed"),
    (_bwd(db=lambda d, x, W: d.sum(axis=1)), "wrong axis", "db_wrong_axis"),
    (_bwd(db=lambda d, x, W: d.sum()), "not over everything", "db_sum_all"),
    (_bwd(db=lambda d, x, W: d), "not dout itself", "db_not_summed"),
    (_bwd(db=lambda d, x, W: d.mean(axis=0)), "averages", "db_mean"),
    (_bwd(dW=lambda d, x, W: x.T @ d / len(x)), "divided by N", "dw_divided_by_n"),
    (_bwd(dx=lambda d, x, W: -d @ W.T), "opposite sign", None),
    (lambda dout, cache: dense_backward(dout, cache)[:2], "three values", None),
])
def test_dense_backward_wrong(bwd, hint, mistake):
    assert_fails("dense_backward", dense_forward, bwd, hint=hint, mistake=mistake and f"dense_backward.{mistake}")


def test_dense_backward_wrong_axis_on_square_batch():
    """Where N == M the wrong-axis bias gradient has the right shape; it is still named."""
    def bwd(dout, cache):
        x, W = cache
        db = dout.sum(axis=1) if dout.shape[0] == dout.shape[1] == 3 else dout.sum(axis=0)
        return dout @ W.T, x.T @ dout, db

    assert_fails("dense_backward", dense_forward, bwd, hint="wrong axis", mistake="dense_backward.db_wrong_axis")


def test_dense_backward_dx_with_W_on_non_square_gets_the_error_and_its_line():
    def bwd(dout, cache):
        x, W = cache
        dx = dout @ W.T if W.shape[0] == W.shape[1] else dout @ W
        return dx, x.T @ dout, dout.sum(axis=0)

    message = assert_fails("dense_backward", dense_forward, bwd, hint="raised ValueError")
    assert "dout @ W" in message


# --------------------------------------------------------------------------- mse_loss
def mse(pred, target):
    d = pred - target
    return np.mean(d ** 2), 2 * d / d.size


def mse_loop(pred, target):
    flat_p, flat_t = np.ravel(pred), np.ravel(target)
    total = 0.0
    for p, t in zip(flat_p, flat_t):
        total += (p - t) ** 2
    n = len(flat_p)
    return total / n, (2 / n * (pred - target))


def mse_f32(pred, target):
    d = (pred - target).astype(np.float32)
    return np.float32(np.mean(d * d)), np.float32(2) * d / np.float32(d.size)


def mse_array_scalar(pred, target):
    d = pred - target
    return np.array(np.sum(d * d) / d.size), 2 * d / d.size


@pytest.mark.parametrize("fn", [mse, mse_loop, mse_f32, mse_array_scalar])
def test_mse_right(fn):
    assert_passes("mse_loss", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda p, t: (np.sum((p - t) ** 2), 2 * (p - t)), "1/N is forgotten", "sum_not_mean"),
    (lambda p, t: (0.5 * np.mean((p - t) ** 2), (p - t) / (p - t).size), "½", "half_mse"),
    (lambda p, t: (np.sum((p - t) ** 2) / len(p), 2 * (p - t) / len(p)), "number of elements", "per_row"),
    (lambda p, t: (np.mean((p - t) ** 2), 2 * (p - t)), "missing the 1/n", "dpred_no_1_over_n"),
    (lambda p, t: (np.mean((p - t) ** 2), (p - t) / p.size), "factor 2", "dpred_no_2"),
    (lambda p, t: (np.mean((p - t) ** 2), 2 * (t - p) / p.size), "wrong sign", "dpred_sign"),
    (lambda p, t: (np.sqrt(np.mean((p - t) ** 2)), 2 * (p - t) / p.size), "RMSE", "rmse"),
    (lambda p, t: (np.mean(np.abs(p - t)), 2 * (p - t) / p.size), "absolute", "mae"),
    (lambda p, t: (np.mean((p - t) ** 2, axis=0), 2 * (p - t) / p.size), "single number", None),
    (lambda p, t: np.mean((p - t) ** 2), "should return two values", None),
])
def test_mse_wrong(fn, hint, mistake):
    assert_fails("mse_loss", fn, hint=hint, mistake=mistake and f"mse_loss.{mistake}")


# --------------------------------------------------------------------------- numerical_gradient
def numgrad(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        fp = f(x)
        x[idx] = old - h
        fm = f(x)
        x[idx] = old
        grad[idx] = (fp - fm) / (2 * h)
    return grad


def numgrad_copies(f, x, h=1e-5):
    """Never touches x: builds x ± h·e_i as new arrays."""
    grad = np.zeros(x.size)
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        grad[i] = (f(x + e.reshape(x.shape)) - f(x - e.reshape(x.shape))) / (2 * h)
    return grad.reshape(x.shape)


def numgrad_flat(f, x, h=1e-5):
    """Through a flat view, CS231n style with np.nditer."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old
        grad[ix] = (fxph - fxmh) / (2 * h)
        it.iternext()
    return grad


@pytest.mark.parametrize("fn", [numgrad, numgrad_copies, numgrad_flat])
def test_numerical_gradient_right(fn):
    assert_passes("numerical_gradient", fn)


def _numgrad_variant(kind):
    def fn(f, x, h=1e-5):
        grad = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            old = x[idx]
            f0 = f(x)
            x[idx] = old + h
            fp = f(x)
            x[idx] = old - h
            fm = f(x)
            x[idx] = old
            grad[idx] = {"forward": (fp - f0) / h, "backward": (f0 - fm) / h, "no2": (fp - fm) / h,
                         "prec": (fp - fm) / 2 * h}[kind]
        return grad
    return fn


def numgrad_not_restored(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        fp = f(x)
        x[idx] = old - h
        fm = f(x)
        grad[idx] = (fp - fm) / (2 * h)
    return grad


def numgrad_roundoff(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x[idx] += h
        fp = f(x)
        x[idx] -= 2 * h
        fm = f(x)
        x[idx] += h
        grad[idx] = (fp - fm) / (2 * h)
    return grad


def numgrad_fixed_h(f, x, h=1e-5):
    return numgrad(f, x)  # ignores the h it was given


def numgrad_default_1e4(f, x, h=1e-4):
    return numgrad(f, x, h)


def numgrad_rows(f, x, h=1e-5):
    """Loops over len(x) and perturbs whole rows of a matrix."""
    grad = np.zeros_like(x)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


@pytest.mark.parametrize("fn, hint, mistake", [
    (_numgrad_variant("forward"), "one-sided (forward)", "forward_difference"),
    (_numgrad_variant("backward"), "one-sided (backward)", "backward_difference"),
    (_numgrad_variant("no2"), "divide by 2h", "no_2"),
    (_numgrad_variant("prec"), "/ (2 * h)", "precedence"),
    # x left changed: the guard reports it before any value is compared
    (numgrad_not_restored, "changed its input `x` in place", None),
    (numgrad_roundoff, "changed its input `x` in place", None),
    (numgrad_fixed_h, "with the h it is given", "ignores_h"),
    (numgrad_default_1e4, "the default, h=1e-5", "default_h"),
    (numgrad_rows, "whole row", "whole_rows"),
    (lambda f, x, h=1e-5: None, "return", None),
])
def test_numerical_gradient_wrong(fn, hint, mistake):
    assert_fails("numerical_gradient", fn, hint=hint, mistake=mistake and f"numerical_gradient.{mistake}")


# --------------------------------------------------------------------------- two-layer network
def two_forward(X, params):
    h = sigmoid(X @ params["W1"] + params["b1"])
    out = sigmoid(h @ params["W2"] + params["b2"])
    return out, (X, params["W1"], params["W2"], h, out)


def two_forward_dense(X, params):
    """Built from the dense layer and a separate sigmoid, caches as dicts."""
    z1, c1 = dense_forward(X, params["W1"], params["b1"])
    h = sigmoid(z1)
    z2, c2 = dense_forward(h, params["W2"], params["b2"])
    out = sigmoid(z2)
    return out, {"c1": c1, "c2": c2, "h": h, "out": out}


def two_forward_tanh_form(X, params):
    """σ(z) = (1 + tanh(z/2)) / 2, in float32."""
    def s(z):
        return (1 + np.tanh(z / 2)) / 2
    P = {k: v.astype(np.float32) for k, v in params.items()}
    X = X.astype(np.float32)
    h = s(X @ P["W1"] + P["b1"])
    out = s(h @ P["W2"] + P["b2"])
    return out, (X, P["W1"], P["W2"], h, out)


@pytest.mark.parametrize("fn", [two_forward, two_forward_dense, two_forward_tanh_form])
def test_two_layer_forward_right(fn):
    assert_passes("two_layer_forward", fn)


def _two_fwd_variant(t1=False, t2=False, hid=True, outp=True, bias=True, neg=False):
    def fn(X, p):
        s = (lambda z: 1 / (1 + np.exp(z))) if neg else sigmoid
        z1 = X @ (p["W1"].T if t1 else p["W1"]) + (p["b1"] if bias else 0)
        h = s(z1) if hid else z1
        z2 = h @ (p["W2"].T if t2 else p["W2"]) + (p["b2"] if bias else 0)
        return (s(z2) if outp else z2), None
    return fn


@pytest.mark.parametrize("fn, hint, mistake", [
    (_two_fwd_variant(t1=True, t2=True), "weights are used transposed", "both_transposed"),
    (_two_fwd_variant(t1=True), "W1 is used transposed", "w1_transposed"),
    (_two_fwd_variant(t2=True), "W2 is used transposed", "w2_transposed"),
    (_two_fwd_variant(outp=False), "output layer has no sigmoid", "no_output_sigmoid"),
    (_two_fwd_variant(hid=False), "hidden layer has no sigmoid", "no_hidden_sigmoid"),
    (_two_fwd_variant(bias=False), "biases are missing", "no_biases"),
    (_two_fwd_variant(neg=True), "wrong sign in the exponent", "sigmoid_sign"),
    (lambda X, p: two_forward(X, p)[0], "two values", None),
    (lambda X, p: (two_forward(X, p)[0].ravel(), None), "shape", None),
])
def test_two_layer_forward_wrong(fn, hint, mistake):
    assert_fails("two_layer_forward", fn, hint=hint, mistake=mistake and f"two_layer_forward.{mistake}")


def test_two_layer_forward_transposed_on_square_weights_is_named():
    def fwd(X, p):
        square = p["W1"].shape[0] == p["W1"].shape[1] and p["W2"].shape[0] == p["W2"].shape[1]
        return _two_fwd_variant(t1=square, t2=square)(X, p)

    assert_fails("two_layer_forward", fwd, hint="weights are used transposed",
                 mistake="two_layer_forward.both_transposed")


def test_two_layer_forward_transposed_on_non_square_weights_gets_the_error():
    def fwd(X, p):
        square = p["W1"].shape[0] == p["W1"].shape[1]
        return _two_fwd_variant(t1=not square, t2=not square)(X, p)

    assert_fails("two_layer_forward", fwd, hint="raised ValueError")


def test_two_layer_forward_mutating_params_is_reported():
    def fwd(X, params):
        params["W1"] *= 1.0
        params["W1"][0, 0] += 1.0
        return two_forward(X, params)

    assert_fails("two_layer_forward", fwd, hint="changed its input `params` in place")


def two_backward(dout, cache):
    X, W1, W2, h, out = cache
    dz2 = dout * out * (1 - out)
    dz1 = (dz2 @ W2.T) * h * (1 - h)
    return {"W1": X.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ dz2, "b2": dz2.sum(axis=0)}


def two_backward_dense(dout, cache):
    dz2 = dout * cache["out"] * (1 - cache["out"])
    dh, dW2, db2 = dense_backward(dz2, cache["c2"])
    dz1 = dh * cache["h"] * (1 - cache["h"])
    _, dW1, db1 = dense_backward(dz1, cache["c1"])
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "extra": 0}


def two_backward_f32(dout, cache):
    return two_backward(dout.astype(np.float32), cache)


@pytest.mark.parametrize("fwd, bwd", [(two_forward, two_backward), (two_forward_dense, two_backward_dense),
                                      (two_forward_tanh_form, two_backward_f32)])
def test_two_layer_backward_right(fwd, bwd):
    assert_passes("two_layer_backward", fwd, bwd)


def _two_bwd_variant(deriv="out", hid_deriv=None, out_d=True, hid_d=True, w2_no_t=False, avg=False,
                     db1_axis=0, db2_axis=0, dW1_T=False, dW2_T=False, sign=1):
    def bwd(dout, cache):
        X, W1, W2, h, out = cache
        z1 = np.log(h / (1 - h))
        z2 = np.log(out / (1 - out))

        def d(z, a, how):
            return {"out": a * (1 - a), "pre": z * (1 - z), "twice": sigmoid(a) * (1 - sigmoid(a))}[how]

        dz2 = dout * d(z2, out, deriv) if out_d else dout
        dh = dz2 @ (W2 if w2_no_t else W2.T)
        dz1 = dh * d(z1, h, hid_deriv or deriv) if hid_d else dh
        g = {"W1": X.T @ dz1, "b1": dz1.sum(axis=db1_axis), "W2": h.T @ dz2, "b2": dz2.sum(axis=db2_axis)}
        if dW1_T:
            g["W1"] = g["W1"].T
        if dW2_T:
            g["W2"] = g["W2"].T
        return {k: sign * v / (len(X) if avg else 1) for k, v in g.items()}
    return bwd


@pytest.mark.parametrize("bwd, hint, mistake", [
    (_two_bwd_variant(deriv="pre"), "pre-activation", "derivative_of_pre_activation"),
    (_two_bwd_variant(hid_deriv="pre"), "z1(1 − z1)", "hidden_derivative_of_pre_activation"),
    (_two_bwd_variant(deriv="twice"), "applied twice", "sigmoid_twice"),
    (_two_bwd_variant(out_d=False), "output sigmoid's derivative is missing", "no_output_derivative"),
    (_two_bwd_variant(hid_d=False), "hidden sigmoid's derivative is missing", "no_hidden_derivative"),
    (_two_bwd_variant(avg=True), "divided by N", "divided_by_n"),
    (_two_bwd_variant(db1_axis=1), "wrong axis", "db1_wrong_axis"),
    (_two_bwd_variant(db2_axis=1), "wrong axis", "db2_wrong_axis"),
    (_two_bwd_variant(dW1_T=True), "dW1 = X.T @ dz1", "dw1_transposed"),
    (_two_bwd_variant(dW2_T=True), "transposed", "dw2_transposed"),
    (_two_bwd_variant(sign=-1), "opposite sign", None),
    (lambda dout, cache: [0, 0, 0, 0], "should return a dict", None),
    (lambda dout, cache: {"dW1": 0}, "has no key", None),
])
def test_two_layer_backward_wrong(bwd, hint, mistake):
    assert_fails("two_layer_backward", two_forward, bwd, hint=hint,
                 mistake=mistake and f"two_layer_backward.{mistake}")


def test_two_layer_backward_w2_not_transposed():
    # On the square case (the first) it is named; where W2 (H, C) is not square, dz2 @ W2 raises.
    assert_fails("two_layer_backward", two_forward, _two_bwd_variant(w2_no_t=True), hint="dh = dz2 @ W2.T",
                 mistake="two_layer_backward.w2_not_transposed")

    def bwd(dout, cache):
        W2 = cache[2]
        return _two_bwd_variant(w2_no_t=W2.shape[0] != W2.shape[1])(dout, cache)

    assert_fails("two_layer_backward", two_forward, bwd, hint="raised ValueError")


# --------------------------------------------------------------------------- train_xor
def train_xor(seed=0, H=8, lr=2.0, epochs=3000, forward=two_forward, backward=two_backward):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(2, H)), "b1": np.zeros(H), "W2": rng.normal(size=(H, 1)), "b2": np.zeros(1)}
    for _ in range(epochs):
        out, cache = forward(X4, params)
        _, dout = mse(out, Y4)
        grads = backward(dout, cache)
        for k in ("W1", "b1", "W2", "b2"):
            params[k] = params[k] - lr * grads[k]
    return params


def train_xor_hand(seed=0):
    """A valid answer without training: the lecture's OR/NAND/AND network in sigmoid form."""
    return {"W1": np.array([[20.0, -20.0], [20.0, -20.0]]), "b1": np.array([-10.0, 30.0]),
            "W2": np.array([[20.0], [20.0]]), "b2": np.array([-30.0])}


def train_xor_f32(seed=0):
    return {k: v.astype(np.float32) for k, v in train_xor(seed, H=6, lr=3.0, epochs=2000).items()}


@pytest.mark.parametrize("fn", [train_xor, train_xor_hand, train_xor_f32])
def test_train_xor_right(fn):
    assert_passes("train_xor", fn, two_forward)


def test_train_xor_with_dense_forward():
    assert_passes("train_xor", lambda seed=0: train_xor(seed, forward=two_forward_dense,
                                                        backward=two_backward_dense), two_forward_dense)


@pytest.mark.parametrize("fn, fwd, hint, mistake", [
    (lambda seed=0: train_xor(seed, epochs=0), two_forward, None, None),
    (lambda seed=0: train_xor(seed, epochs=3), two_forward, "not learned yet", None),
    (lambda seed=0: train_xor(seed, epochs=40), two_forward, None, None),
    (lambda seed=0: {k: np.zeros_like(v) for k, v in train_xor(seed, epochs=0).items()}, two_forward,
     "identical weights", None),
    (lambda seed=0: {k: (-v if k.startswith("W2") or k == "b2" else v) for k, v in train_xor_hand().items()},
     two_forward, "inverted", "inverted"),
    (lambda seed=0: {k: v for k, v in train_xor_hand().items() if k != "b2"}, two_forward, "missing the key(s)", None),
    (lambda seed=0: {**train_xor_hand(), "b1": train_xor_hand()["b1"][None, :]}, two_forward, "should be (2,)", None),
    (lambda seed=0: {**train_xor_hand(), "W1": train_xor_hand()["W1"][:1]}, two_forward, "2 inputs", None),
    (lambda seed=0: train_xor(seed, lr=1e6, epochs=50), two_forward, "learning rate is far too large", None),
    (train_xor_hand, _two_fwd_variant(outp=False), "disagrees with PyTorch", None),
    (lambda: train_xor_hand(), two_forward, "unexpected keyword argument 'seed'", None),
])
def test_train_xor_wrong(fn, fwd, hint, mistake):
    assert_fails("train_xor", fn, fwd, hint=hint, mistake=mistake and f"train_xor.{mistake}")


def test_train_xor_symmetric_init_is_named():
    def train_zero_init(seed=0, H=4, lr=2.0, epochs=300):
        params = {"W1": np.zeros((2, H)), "b1": np.zeros(H), "W2": np.zeros((H, 1)), "b2": np.zeros(1)}
        for _ in range(epochs):
            out, cache = two_forward(X4, params)
            grads = two_backward(mse(out, Y4)[1], cache)
            params = {k: params[k] - lr * grads[k] for k in params}
        return params

    assert_fails("train_xor", train_zero_init, two_forward, hint="identical weights")


# --------------------------------------------------------------------------- more conventions and mistakes
def dense_forward_all_f32(x, W, b):
    x32, W32 = x.astype(np.float32), W.astype(np.float32)
    return x32 @ W32 + b.astype(np.float32), (x32, W32)


def test_dense_forward_float32_on_large_values():
    """Large inputs whose products cancel: float32 rounding of the inputs once failed a right answer (seed 15)."""
    assert_passes("dense_forward", dense_forward_all_f32, seeds=(0, 1, 2, 15))
    assert_passes("dense_forward", lambda x, W, b: ((W.T @ x.T).T + b[None, :], x))


def test_dense_backward_float32_throughout():
    def bwd(dout, cache):
        x, W = cache
        d = dout.astype(np.float32)
        return d @ W.T, x.T @ d, d.sum(axis=0)

    assert_passes("dense_backward", dense_forward_all_f32, bwd)


def test_dense_backward_db_keepdims_is_named():
    def bwd(dout, cache):
        x, W = cache
        return dout @ W.T, x.T @ dout, dout.sum(axis=0, keepdims=True)

    assert_fails("dense_backward", dense_forward, bwd, hint="without keepdims", mistake="dense_backward.db_not_summed")


def mse_f32_inputs(pred, target):
    p, t = pred.astype(np.float32), target.astype(np.float32)
    return np.mean((p - t) ** 2), 2 * (p - t) / p.size


@pytest.mark.parametrize("fn", [
    mse_f32_inputs,
    lambda p, t: (float(np.square(p - t).mean()), 2 / p.size * (p - t)),
    lambda p, t: (lambda e: (e @ e / e.size, 2 * (p - t) / e.size))((p - t).ravel()),
])
def test_mse_right_more(fn):
    # Seeds 43 and 90 once failed the float32 version on the large-values case (inputs rounded to float32).
    assert_passes("mse_loss", fn, seeds=(0, 1, 2, 43, 90))


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda p, t: (np.mean((p - t) ** 2, keepdims=True), 2 * (p - t) / p.size), "without keepdims", "loss_keepdims"),
    (lambda p, t: (np.mean((p - t) ** 2, axis=0), 2 * (p - t) / p.size), "along axis 0", "loss_axis_0"),
    (lambda p, t: (np.sum((p - t) ** 2) / len(p), 2 * (p - t) / p.size), "loss divides by the number of rows",
     "loss_per_row"),
    (lambda p, t: (np.mean((p - t) ** 2), 2 * (p - t) / len(p)), "dpred divides by the number of rows",
     "dpred_per_row"),
    (lambda p, t: (0.5 * np.sum((p - t) ** 2), p - t), "½·Σ", "half_sum"),
])
def test_mse_wrong_more(fn, hint, mistake):
    assert_fails("mse_loss", fn, hint=hint, mistake=mistake and f"mse_loss.{mistake}")


def numgrad_own_copy(f, x, h=1e-5):
    """x[i] += h, -= 2h, += h on its own copy: the caller's x is untouched."""
    x = x.copy()
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x[idx] += h
        fp = f(x)
        x[idx] -= 2 * h
        fm = f(x)
        x[idx] += h
        grad[idx] = (fp - fm) / (2 * h)
    return grad


def numgrad_flat_attr(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in range(x.size):
        old = x.flat[i]
        x.flat[i] = old + h
        fp = f(x)
        x.flat[i] = old - h
        fm = f(x)
        x.flat[i] = old
        grad.flat[i] = (fp - fm) / (2 * h)
    return grad


@pytest.mark.parametrize("fn", [numgrad, numgrad_copies, numgrad_own_copy, numgrad_flat_attr])
def test_numerical_gradient_right_on_more_seeds(fn):
    """Graded against autograd, a right central difference failed at seeds 8 and 13 (h = 1e-4 case)."""
    assert_passes("numerical_gradient", fn, seeds=(0, 1, 2, 8, 13))


def test_numerical_gradient_reference_is_close_to_the_true_gradient():
    """The reference is the central difference; on every case it agrees with autograd to O(h²)."""
    from course.checks.engine import get_exercise
    from course.checks.reference import get_ref
    from course.checks.spec import call_named, to_torch
    from course.lessons.xor_mlp.gradcheck import exact_gradient

    ref = get_ref()
    ex = get_exercise("numerical_gradient")
    for seed in range(20):
        for case in ex.cases(np.random.default_rng(seed)):
            case.bind(ex.sig)
            central = ref.np(call_named(ex.reference, ref, case))
            exact = ref.np(exact_gradient(ref, to_torch(case.named["x"], ref), case.data["func"], case.data["consts"]))
            h = case.named["h"]
            assert np.allclose(central, exact, rtol=1e-6, atol=max(1e-6, 1.01 * h ** 2)), (seed, case.label)


def two_forward_stable(X, params):
    def s(z):
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    h = s(X @ params["W1"] + params["b1"])
    out = s(h @ params["W2"] + params["b2"])
    return out, (X, params["W1"], params["W2"], h, out)


def two_forward_cache_z(X, params):
    z1 = X @ params["W1"] + params["b1"]
    h = sigmoid(z1)
    z2 = h @ params["W2"] + params["b2"]
    return sigmoid(z2), (X, params, z1, h, z2)


def two_backward_from_z(dout, cache):
    """σ′ from the pre-activations, exp(−z)/(1 + exp(−z))²."""
    X, params, z1, h, z2 = cache

    def ds(z):
        return np.exp(-z) / (1 + np.exp(-z)) ** 2
    dz2 = dout * ds(z2)
    dz1 = dz2 @ params["W2"].T * ds(z1)
    return {"W1": X.T @ dz1, "b1": dz1.sum(0), "W2": h.T @ dz2, "b2": dz2.sum(0)}


def test_two_layer_right_more():
    assert_passes("two_layer_forward", two_forward_stable)
    assert_passes("two_layer_backward", two_forward_stable, two_backward)
    assert_passes("two_layer_backward", two_forward_cache_z, two_backward_from_z)


def test_two_layer_forward_biases_after_sigmoids():
    def fwd(X, p):
        return sigmoid((sigmoid(X @ p["W1"]) + p["b1"]) @ p["W2"]) + p["b2"], None

    assert_fails("two_layer_forward", fwd, hint="added after the sigmoids",
                 mistake="two_layer_forward.biases_after_sigmoid")


def test_two_layer_forward_unnamed_mistake_gets_no_false_scale_hint():
    """With the 1-by-1 lecture case first, any wrong output looked like 'the answer times c'."""
    def fwd(X, p):
        return sigmoid(np.tanh(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]), None

    message = assert_fails("two_layer_forward", fwd)
    assert "scale factor" not in message


def test_two_layer_backward_dout_ignored():
    def bwd(dout, cache):
        return two_backward(np.ones_like(dout), cache)

    assert_fails("two_layer_backward", two_forward, bwd, hint="dout is ignored", mistake="two_layer_backward.dout_ignored")


def test_mse_wrong_loss_shape_gets_no_false_transpose_hint():
    """With the (1, 1) lecture case first, a right dpred (1-by-1, its own transpose) was called transposed."""
    message = assert_fails("mse_loss", lambda p, t: (np.full(2, np.mean((p - t) ** 2)), 2 * (p - t) / p.size))
    assert "transpose" not in message


# --------------------------------------------------------------------------- caches of any kind
class DenseLayer:
    """A from-scratch layer object as some libraries keep it: the forward stores x and W on itself."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        return dout @ self.W.T, self.x.T @ dout, dout.sum(axis=0)


def dense_forward_object(x, W, b):
    layer = DenseLayer(W, b)
    return layer.forward(x), layer


def dense_backward_object(dout, cache):
    return cache.backward(dout)


def dense_forward_namespace(x, W, b):
    return x @ W + b, types.SimpleNamespace(x=x, W=W)


def dense_backward_namespace(dout, cache):
    return dout @ cache.W.T, cache.x.T @ dout, dout.sum(axis=0)


def dense_forward_nan_in_cache(x, W, b):
    """A tuple cache holding a NaN scalar (a placeholder) is untouched, not changed in place."""
    return x @ W + b, (x, W, float("nan"))


def dense_backward_nan_in_cache(dout, cache):
    x, W, _ = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


@pytest.mark.parametrize("fwd, bwd", [(dense_forward_object, dense_backward_object),
                                      (dense_forward_namespace, dense_backward_namespace),
                                      (dense_forward_nan_in_cache, dense_backward_nan_in_cache)])
def test_dense_backward_right_with_any_cache(fwd, bwd):
    assert_passes("dense_forward", fwd)
    assert_passes("dense_backward", fwd, bwd)


def test_dense_backward_mutating_a_namespace_cache_is_reported():
    def bwd(dout, cache):
        cache.x = cache.x * 0  # replaces an attribute of the cache it was given
        return dout @ cache.W.T, np.zeros_like(cache.W), dout.sum(axis=0)

    assert_fails("dense_backward", dense_forward_namespace, bwd, hint="changed its input `cache` in place")


def test_dense_backward_mutating_an_array_in_a_namespace_cache_is_reported():
    def bwd(dout, cache):
        dx, dW, db = dense_backward_namespace(dout, cache)
        cache.W -= 0.1 * dW  # an update inside the backward pass
        return dx, dW, db

    assert_fails("dense_backward", dense_forward_namespace, bwd, hint="changed its input `cache` in place")


class TwoLayerNet:
    """The two-layer network as an object holding its activations (the cache is the object itself)."""

    def __init__(self, params):
        self.p = params

    def forward(self, X):
        self.X = X
        self.h = sigmoid(X @ self.p["W1"] + self.p["b1"])
        self.out = sigmoid(self.h @ self.p["W2"] + self.p["b2"])
        return self.out

    def backward(self, dout):
        dz2 = dout * self.out * (1 - self.out)
        dz1 = dz2 @ self.p["W2"].T * self.h * (1 - self.h)
        return {"W1": self.X.T @ dz1, "b1": dz1.sum(0), "W2": self.h.T @ dz2, "b2": dz2.sum(0)}


def test_two_layer_right_with_an_object_or_namespace_cache():
    def fwd_object(X, params):
        net = TwoLayerNet(params)
        return net.forward(X), net

    def fwd_namespace(X, params):
        out, (X_, W1, W2, h, out_) = two_forward(X, params)
        return out, types.SimpleNamespace(X=X_, W1=W1, W2=W2, h=h, out=out_)

    def bwd_namespace(dout, c):
        return two_backward(dout, (c.X, c.W1, c.W2, c.h, c.out))

    assert_passes("two_layer_backward", fwd_object, lambda dout, cache: cache.backward(dout))
    assert_passes("two_layer_backward", fwd_namespace, bwd_namespace)
