"""Lesson 04 graders: right implementations pass (any state form that gives torch's trajectory, float32
and float64, loops and vectorized), wrong ones fail with the hint a student should see."""
import numpy as np
import pytest

from checkhelpers import assert_fails, assert_passes


# =========================================================================== linreg_loss_and_grad
def linreg_vectorized(X, y, w, b):
    r = X @ w + b - y
    return np.mean(r ** 2), 2 / len(y) * X.T @ r, 2 / len(y) * np.sum(r)


def linreg_loop(X, y, w, b):
    n, d = X.shape
    loss, dw, db = 0.0, [0.0] * d, 0.0
    for i in range(n):
        r = sum(X[i, j] * w[j] for j in range(d)) + b - y[i]
        loss += r * r / n
        for j in range(d):
            dw[j] += 2 * r * X[i, j] / n
        db += 2 * r / n
    return loss, np.array(dw), db


def linreg_float32(X, y, w, b):
    X, y, w, b = X.astype(np.float32), y.astype(np.float32), w.astype(np.float32), np.float32(b)
    r = X @ w + b - y
    return np.float32(np.mean(r ** 2)), (2 * X.T @ r / len(y)).astype(np.float32), np.float32(2 * r.mean())


def linreg_einsum(X, y, w, b):
    r = np.einsum("nd,d->n", X, w) + b - y
    return (r @ r) / len(r), np.einsum("n,nd->d", r, X) * (2 / len(r)), np.array(2 * r.mean())


@pytest.mark.parametrize("fn", [linreg_vectorized, linreg_loop, linreg_float32, linreg_einsum])
def test_linreg_right(fn):
    assert_passes("linreg_loss_and_grad", fn)


def _linreg(loss_f=1.0, grad_f=1.0, sum_grads=False, sum_loss=False, rmse=False, sign=1, db_sum=False,
            db_zero=False, no_bias=False):
    def fn(X, y, w, b):
        n = len(y)
        r = X @ w + (0 if no_bias else b) - y
        loss = np.sum(r ** 2) if sum_loss else np.mean(r ** 2)
        if rmse:
            loss = np.sqrt(loss)
        scale = 2 * grad_f / (1 if sum_grads else n)
        dw = sign * scale * X.T @ r
        db = 0.0 if db_zero else sign * (2 * np.sum(r) if db_sum else scale * np.sum(r))
        return loss_f * loss, dw, db
    return fn


@pytest.mark.parametrize("fn, hint, mistake", [
    (_linreg(grad_f=0.5), "missing the 2", "linreg_loss_and_grad.no_two"),
    (_linreg(loss_f=0.5, grad_f=0.5), "half the mean squared error", "linreg_loss_and_grad.half_mse"),
    (_linreg(sum_grads=True), "summed over the samples instead of averaged", "linreg_loss_and_grad.summed_grads"),
    (_linreg(sum_loss=True), "sum of squares", "linreg_loss_and_grad.summed_loss"),
    (_linreg(rmse=True), "RMSE", "linreg_loss_and_grad.rmse"),
    (_linreg(sign=-1), "wrong sign", "linreg_loss_and_grad.wrong_sign"),
    (_linreg(db_sum=True), "db is summed", "linreg_loss_and_grad.db_summed"),
    (_linreg(db_zero=True), "db should be the mean", "linreg_loss_and_grad.db_zero"),
    (_linreg(no_bias=True), "leaves out the bias", "linreg_loss_and_grad.no_bias"),
    (lambda X, y, w, b: (np.mean((X @ w + b - y) ** 2), 2 * X.T @ (X @ w + b - y) / len(y)), "three values", None),
    (lambda X, y, w, b: linreg_vectorized(X, y, w, b)[0:1] + (linreg_vectorized(X, y, w, b)[1][:, None],
                                                               linreg_vectorized(X, y, w, b)[2]), "axis", None),
    (lambda X, y, w, b: (*linreg_vectorized(X, y, w, b)[:2], np.array([linreg_vectorized(X, y, w, b)[2]])),
     "single number", None),
])
def test_linreg_wrong(fn, hint, mistake):
    assert_fails("linreg_loss_and_grad", fn, hint=hint, mistake=mistake)


# =========================================================================== minibatches
def mb_generator(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        b = idx[start:start + batch_size]
        yield X[b], y[b]


def mb_list_shuffle(X, y, batch_size, rng):
    idx = np.arange(len(X))
    rng.shuffle(idx)
    Xs, ys = X[idx], y[idx]
    return [(Xs[i:i + batch_size], ys[i:i + batch_size]) for i in range(0, len(X), batch_size)]


def mb_choice_lists(X, y, batch_size, rng):
    idx = rng.choice(len(X), size=len(X), replace=False)
    out, start = [], 0
    while start < len(X):
        b = idx[start:start + batch_size]
        out.append([X[b], y[b]])
        start += batch_size
    return out


def mb_float32(X, y, batch_size, rng):
    for Xb, yb in mb_generator(X, y, batch_size, rng):
        yield Xb.astype(np.float32), yb


@pytest.mark.parametrize("fn", [mb_generator, mb_list_shuffle, mb_choice_lists, mb_float32])
def test_minibatches_right(fn):
    assert_passes("minibatches", fn)


def mb_drop_last(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    for start in range(0, len(X) - batch_size + 1, batch_size):
        b = idx[start:start + batch_size]
        yield X[b], y[b]


def mb_drop_last_nonempty(X, y, batch_size, rng):
    """Drops the remainder but keeps one batch when batch_size > N (a common special case)."""
    idx = rng.permutation(len(X))
    n_batches = max(1, len(X) // batch_size)
    for k in range(n_batches):
        b = idx[k * batch_size:(k + 1) * batch_size]
        yield X[b], y[b]


def mb_with_replacement(X, y, batch_size, rng):
    for start in range(0, len(X), batch_size):
        b = rng.integers(0, len(X), size=min(batch_size, len(X) - start))
        yield X[b], y[b]


def mb_array_split(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    for b in np.array_split(idx, -(-len(X) // batch_size)):
        yield X[b], y[b]


def mb_unaligned(X, y, batch_size, rng):
    ix, iy = rng.permutation(len(X)), rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        yield X[ix[start:start + batch_size]], y[iy[start:start + batch_size]]


def mb_global_random(X, y, batch_size, rng):
    idx = np.random.permutation(len(X))
    for start in range(0, len(X), batch_size):
        b = idx[start:start + batch_size]
        yield X[b], y[b]


def mb_fixed_seed(X, y, batch_size, rng):
    return mb_generator(X, y, batch_size, np.random.default_rng(0))


def mb_no_shuffle(X, y, batch_size, rng):
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def mb_empty_last(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    for k in range(len(X) // batch_size + 1):
        b = idx[k * batch_size:(k + 1) * batch_size]
        yield X[b], y[b]


def mb_endless(X, y, batch_size, rng):
    while True:
        b = rng.permutation(len(X))[:batch_size]
        yield X[b], y[b]


def mb_only_X(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        yield X[idx[start:start + batch_size]]


def mb_y_column(X, y, batch_size, rng):
    for Xb, yb in mb_generator(X, y, batch_size, rng):
        yield Xb, yb[:, None]


@pytest.mark.parametrize("fn, hint, mistake", [
    (mb_drop_last, "last, smaller batch is dropped", "minibatches.drop_last"),
    (mb_drop_last_nonempty, "last, smaller batch is dropped", "minibatches.drop_last"),
    (mb_with_replacement, "draw ONE permutation", None),
    (mb_array_split, "array_split", "minibatches.array_split"),
    (mb_unaligned, "not aligned", None),
    (mb_global_random, "same seed gave different batches", None),
    (mb_fixed_seed, "different seeds gave the same order", None),
    (mb_no_shuffle, "original order", None),
    (mb_empty_last, "empty", None),
    (mb_endless, "more than", None),
    (mb_only_X, "pair (X_batch, y_batch)", None),
    (mb_y_column, "y_batch of batch 0 has shape", None),
    (lambda X, y, batch_size, rng: None, "returned None", None),
    (lambda X, y, batch_size, rng: 3, "should yield", None),
])
def test_minibatches_wrong(fn, hint, mistake):
    assert_fails("minibatches", fn, hint=hint, mistake=mistake)


def test_minibatches_in_place_shuffle_is_reported():
    def mb(X, y, batch_size, rng):
        idx = rng.permutation(len(X))
        X[:] = X[idx]
        y[:] = y[idx]
        for start in range(0, len(X), batch_size):
            yield X[start:start + batch_size], y[start:start + batch_size]

    assert_fails("minibatches", mb, hint="changed its input")


# =========================================================================== optimizers: right versions
class SGD:
    def __init__(self, lr):
        self.lr = lr

    def step(self, w, grad):
        return w - self.lr * grad


class SGDInPlace:
    def __init__(self, lr):
        self.lr = lr

    def step(self, w, grad):
        w -= self.lr * grad
        return w


class SGDFloat32:
    def __init__(self, lr):
        self.lr = np.float32(lr)

    def step(self, w, grad):
        return w.astype(np.float32) - self.lr * grad.astype(np.float32)


class MomentumTorch:
    """torch's form: b = μb + g, w -= lr·b."""

    def __init__(self, lr, momentum=0.9):
        self.lr, self.momentum, self.b = lr, momentum, None

    def step(self, w, grad):
        self.b = grad.copy() if self.b is None else self.momentum * self.b + grad
        return w - self.lr * self.b


class MomentumLecture:
    """The lecture's (Goodfellow's) form: v = αv − εg, w += v."""

    def __init__(self, lr, momentum=0.9):
        self.lr, self.alpha, self.v = lr, momentum, 0.0

    def step(self, w, grad):
        self.v = self.alpha * self.v - self.lr * grad
        return w + self.v


class MomentumHeavyBall:
    """Polyak's heavy ball: w_next = w − lr·g + μ(w − w_prev), no velocity stored."""

    def __init__(self, lr, momentum=0.9):
        self.lr, self.momentum, self.prev = lr, momentum, None

    def step(self, w, grad):
        prev = w if self.prev is None else self.prev
        new = w - self.lr * grad + self.momentum * (w - prev)
        self.prev = w.copy()
        return new


class MomentumFloat32:
    def __init__(self, lr, momentum=0.9):
        self.lr, self.momentum = np.float32(lr), np.float32(momentum)
        self.state = {}

    def step(self, w, grad):
        g = grad.astype(np.float32)
        v = self.state.get("v", np.zeros_like(g))
        v = self.momentum * v + g
        self.state["v"] = v
        out = w.astype(np.float32)
        out -= self.lr * v
        return out


class NesterovTorch:
    def __init__(self, lr, momentum=0.9):
        self.lr, self.momentum, self.b = lr, momentum, 0

    def step(self, w, grad):
        self.b = self.momentum * self.b + grad
        return w - self.lr * (grad + self.momentum * self.b)


class NesterovBengio:
    """Bengio et al.'s form: v_new = μv − εg; w += −μ·v + (1 + μ)·v_new."""

    def __init__(self, lr, momentum=0.9):
        self.lr, self.mu, self.v = lr, momentum, None

    def step(self, w, grad):
        v = np.zeros_like(w) if self.v is None else self.v
        v_new = self.mu * v - self.lr * grad
        self.v = v_new
        return w - self.mu * v + (1 + self.mu) * v_new


class NesterovLookAhead:
    """The lecture's θ kept inside; w handed in and returned is the look-ahead point θ + αv."""

    def __init__(self, lr, momentum=0.9):
        self.lr, self.alpha, self.theta, self.v = lr, momentum, None, None

    def step(self, w, grad):
        if self.theta is None:
            self.theta, self.v = w.copy(), np.zeros_like(w)
        self.v = self.alpha * self.v - self.lr * grad
        self.theta = self.theta + self.v
        return self.theta + self.alpha * self.v


class NesterovFloat32(NesterovTorch):
    def step(self, w, grad):
        return super().step(w.astype(np.float32), grad.astype(np.float32)).astype(np.float32)


class AdaGrad:
    def __init__(self, lr, eps=1e-10):
        self.lr, self.eps, self.r = lr, eps, 0

    def step(self, w, grad):
        self.r = self.r + grad ** 2
        return w - self.lr * grad / (np.sqrt(self.r) + self.eps)


class AdaGradLoop:
    def __init__(self, lr, eps=1e-10):
        self.lr, self.eps, self.r = lr, eps, None

    def step(self, w, grad):
        if self.r is None:
            self.r = np.zeros(w.shape)
        new = np.array(w, dtype=float)
        for idx in np.ndindex(w.shape):
            self.r[idx] += grad[idx] * grad[idx]
            new[idx] = w[idx] - self.lr / (self.eps + self.r[idx] ** 0.5) * grad[idx]
        return new


class AdaGradFloat32(AdaGrad):
    def step(self, w, grad):
        g = grad.astype(np.float32)
        self.r = self.r + g * g
        return (w.astype(np.float32) - np.float32(self.lr) * g / (np.sqrt(self.r) + np.float32(self.eps))).astype(
            np.float32)


class RMSProp:
    def __init__(self, lr, alpha=0.99, eps=1e-8):
        self.lr, self.alpha, self.eps, self.r = lr, alpha, eps, 0.0

    def step(self, w, grad):
        self.r = self.alpha * self.r + (1 - self.alpha) * grad * grad
        return w - self.lr * grad / (np.sqrt(self.r) + self.eps)


class RMSPropInPlace:
    def __init__(self, lr, alpha=0.99, eps=1e-8):
        self.lr, self.alpha, self.eps, self.r = lr, alpha, eps, None

    def step(self, w, grad):
        if self.r is None:
            self.r = np.zeros_like(w)
        self.r *= self.alpha
        self.r += (1 - self.alpha) * grad ** 2
        w -= self.lr * grad / (np.sqrt(self.r) + self.eps)
        return w


class RMSPropFloat32(RMSProp):
    def step(self, w, grad):
        g = grad.astype(np.float32)
        self.r = np.float32(self.alpha) * self.r + np.float32(1 - self.alpha) * g * g
        return (w.astype(np.float32) - np.float32(self.lr) * g / (np.sqrt(self.r) + np.float32(self.eps))).astype(
            np.float32)


class Adam:
    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = self.v = 0.0
        self.t = 0

    def step(self, w, grad):
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * grad
        self.v = self.beta2 * self.v + (1 - self.beta2) * grad ** 2
        m_hat = self.m / (1 - self.beta1 ** self.t)
        v_hat = self.v / (1 - self.beta2 ** self.t)
        return w - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamTorchForm:
    """As torch.optim.Adam computes it: step size lr/c1, denominator sqrt(v)/sqrt(c2) + eps."""

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.state = None

    def step(self, w, grad):
        if self.state is None:
            self.state = {"t": 0, "m": np.zeros_like(grad), "v": np.zeros_like(grad)}
        s = self.state
        s["t"] += 1
        s["m"] += (1 - self.b1) * (grad - s["m"])
        s["v"] = self.b2 * s["v"] + (1 - self.b2) * grad * grad
        denom = np.sqrt(s["v"]) / np.sqrt(1 - self.b2 ** s["t"]) + self.eps
        return w - self.lr / (1 - self.b1 ** s["t"]) * s["m"] / denom


class AdamFloat32(Adam):
    def step(self, w, grad):
        g = grad.astype(np.float32)
        self.t += 1
        self.m = np.float32(self.beta1) * self.m + np.float32(1 - self.beta1) * g
        self.v = np.float32(self.beta2) * self.v + np.float32(1 - self.beta2) * g * g
        m_hat = self.m / np.float32(1 - self.beta1 ** self.t)
        v_hat = self.v / np.float32(1 - self.beta2 ** self.t)
        return (w.astype(np.float32) - np.float32(self.lr) * m_hat / (np.sqrt(v_hat) + np.float32(self.eps))).astype(
            np.float32)


@pytest.mark.parametrize("name, cls", [
    ("sgd", SGD), ("sgd", SGDInPlace), ("sgd", SGDFloat32),
    ("momentum", MomentumTorch), ("momentum", MomentumLecture), ("momentum", MomentumHeavyBall),
    ("momentum", MomentumFloat32),
    ("nesterov", NesterovTorch), ("nesterov", NesterovBengio), ("nesterov", NesterovLookAhead),
    ("nesterov", NesterovFloat32),
    ("adagrad", AdaGrad), ("adagrad", AdaGradLoop), ("adagrad", AdaGradFloat32),
    ("rmsprop", RMSProp), ("rmsprop", RMSPropInPlace), ("rmsprop", RMSPropFloat32),
    ("adam", Adam), ("adam", AdamTorchForm), ("adam", AdamFloat32),
], ids=lambda x: x if isinstance(x, str) else x.__name__)
def test_optimizer_right(name, cls):
    assert_passes(name, cls)


# =========================================================================== optimizers: wrong versions
def _rule_class(rule, defaults):
    """A class from an update rule rule(state, w, g, settings) -> new w, with the given keyword defaults."""
    names = list(defaults)

    class Opt:
        def __init__(self, lr, *args, **kwargs):
            self.s = dict(defaults, lr=lr)
            self.s.update(zip(names, args))
            self.s.update(kwargs)
            self.state = {"t": 0}

        def step(self, w, grad):
            self.state["t"] += 1
            return rule(self.state, w, grad, self.s)

    return Opt


def _get(state, key, like):
    return state.get(key, np.zeros_like(like))


def momentum_rule(damp=False, ascent=False, lr_twice=False, old_velocity=False, reset=False, nesterov=False,
                  nesterov_old=False):
    def rule(st, w, g, s):
        mu, lr = s["momentum"], s["lr"]
        if reset:
            st.pop("b", None)
        b_old = _get(st, "b", w)
        b = mu * b_old + ((1 - mu) * g if damp else g)
        st["b"] = b
        d = g + mu * b if nesterov else (g + mu * b_old if nesterov_old else (b_old if old_velocity else b))
        step = lr * d * (lr if lr_twice else 1.0)
        return w + step if ascent else w - step
    return rule


MOM = {"momentum": 0.9}


@pytest.mark.parametrize("name, cls, hint, mistake", [
    ("sgd", _rule_class(lambda st, w, g, s: w + s["lr"] * g, {}), "uphill", "sgd.ascent"),
    ("sgd", _rule_class(lambda st, w, g, s: -s["lr"] * g, {}), "returns the update", "sgd.returns_update"),
    ("sgd", _rule_class(lambda st, w, g, s: w - g, {}), "learning rate is missing", "sgd.no_lr"),
    ("momentum", _rule_class(momentum_rule(damp=True), MOM), "(1 − momentum)", "momentum.dampened"),
    ("momentum", _rule_class(momentum_rule(ascent=True), MOM), "uphill", "momentum.ascent"),
    ("momentum", _rule_class(momentum_rule(lr_twice=True), MOM), "applied twice", "momentum.lr_twice"),
    ("momentum", _rule_class(momentum_rule(old_velocity=True), MOM), "velocity of the previous step", "momentum.old_velocity"),
    ("momentum", _rule_class(momentum_rule(reset=True), MOM), "does not survive", "momentum.no_state"),
    ("momentum", _rule_class(momentum_rule(nesterov=True), MOM), "Nesterov's step", "momentum.nesterov"),
    ("momentum", _rule_class(momentum_rule(), {"momentum": 0.5}), "default momentum (0.9)", None),
    ("nesterov", _rule_class(momentum_rule(), MOM), "plain momentum", "nesterov.plain_momentum"),
    ("nesterov", _rule_class(momentum_rule(nesterov_old=True), MOM), "plain momentum", "nesterov.plain_momentum"),
    ("nesterov", _rule_class(momentum_rule(nesterov=True, damp=True), MOM), "running-average", "nesterov.dampened"),
    ("nesterov", _rule_class(momentum_rule(nesterov=True, reset=True), MOM), "does not survive", "nesterov.no_state"),
    ("nesterov", _rule_class(momentum_rule(nesterov=True, ascent=True), MOM), None, None),
], ids=lambda x: x if isinstance(x, str) else "")
def test_momentum_family_wrong(name, cls, hint, mistake):
    assert_fails(name, cls, hint=hint, mistake=mistake)


def adagrad_rule(plain=False, eps_inside=False, before=False, mean=False, no_sqrt=False, reset=False):
    def rule(st, w, g, s):
        if reset:
            st.pop("r", None)
        r_old = _get(st, "r", w)
        r = r_old + (g if plain else g * g)
        st["r"] = r
        acc = r_old if before else (r / st["t"] if mean else r)
        if no_sqrt:
            denom = acc + s["eps"]
        elif eps_inside:
            denom = np.sqrt(acc + s["eps"])
        else:
            denom = np.sqrt(acc) + s["eps"]
        return w - s["lr"] * g / denom
    return rule


def rmsprop_rule(no_decay=False, adagrad=False, swapped=False, eps_inside=False, bias_correct=False,
                 init_square=False, no_sqrt=False):
    def rule(st, w, g, s):
        a = s["alpha"]
        if init_square and "r" not in st:
            st["r"] = g * g
        r_old = _get(st, "r", w)
        if adagrad:
            r = r_old + g * g
        elif no_decay:
            r = r_old + (1 - a) * g * g
        elif swapped:
            r = (1 - a) * r_old + a * g * g
        else:
            r = a * r_old + (1 - a) * g * g
        st["r"] = r
        acc = r / (1 - a ** st["t"]) if bias_correct else r
        denom = acc + s["eps"] if no_sqrt else (np.sqrt(acc + s["eps"]) if eps_inside else np.sqrt(acc) + s["eps"])
        return w - s["lr"] * g / denom
    return rule


def adam_rule(correct1=True, correct2=True, t0=False, t_fixed=False, eps_inside=False, efficient=False,
              swapped=False, betas_swapped=False):
    def rule(st, w, g, s):
        b1, b2 = (s["beta2"], s["beta1"]) if betas_swapped else (s["beta1"], s["beta2"])
        m_old, v_old = _get(st, "m", w), _get(st, "v", w)
        if swapped:
            m, v = (1 - b1) * m_old + b1 * g, (1 - b2) * v_old + b2 * g * g
        else:
            m, v = b1 * m_old + (1 - b1) * g, b2 * v_old + (1 - b2) * g * g
        st["m"], st["v"] = m, v
        t = 1 if t_fixed else (st["t"] - 1 if t0 else st["t"])
        c1, c2 = 1 - b1 ** t, 1 - b2 ** t
        if efficient:
            return w - s["lr"] * np.sqrt(c2) / c1 * m / (np.sqrt(v) + s["eps"])
        m_hat = m / c1 if correct1 else m
        v_hat = v / c2 if correct2 else v
        denom = np.sqrt(v_hat + s["eps"]) if eps_inside else np.sqrt(v_hat) + s["eps"]
        return w - s["lr"] * m_hat / denom
    return rule


ADA = {"eps": 1e-10}
RMS = {"alpha": 0.99, "eps": 1e-8}
ADAM = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


@pytest.mark.parametrize("name, cls, hint, mistake", [
    ("adagrad", _rule_class(adagrad_rule(plain=True), ADA), "squares of the gradients", "adagrad.sums_grads"),
    ("adagrad", _rule_class(adagrad_rule(eps_inside=True), ADA), "outside the square root", "adagrad.eps_inside"),
    ("adagrad", _rule_class(adagrad_rule(before=True), ADA), "before you divide", "adagrad.add_after"),
    ("adagrad", _rule_class(adagrad_rule(mean=True), ADA), "average them", "adagrad.mean"),
    ("adagrad", _rule_class(adagrad_rule(no_sqrt=True), ADA), "square root of r", "adagrad.no_sqrt"),
    ("adagrad", _rule_class(adagrad_rule(reset=True), ADA), "does not survive", "adagrad.no_state"),
    ("adagrad", _rule_class(adagrad_rule(), {"eps": 1e-7}), "default eps (1e-10)", None),
    ("rmsprop", _rule_class(rmsprop_rule(no_decay=True), RMS), "never decayed", "rmsprop.no_decay"),
    ("rmsprop", _rule_class(rmsprop_rule(adagrad=True), RMS), "like AdaGrad", "rmsprop.adagrad"),
    ("rmsprop", _rule_class(rmsprop_rule(swapped=True), RMS), "swapped", "rmsprop.alpha_swapped"),
    ("rmsprop", _rule_class(rmsprop_rule(eps_inside=True), RMS), "inside the square root", "rmsprop.eps_inside"),
    ("rmsprop", _rule_class(rmsprop_rule(bias_correct=True), RMS), "no bias correction", "rmsprop.bias_corrected"),
    ("rmsprop", _rule_class(rmsprop_rule(init_square=True), RMS), "starts at zero", "rmsprop.init_square"),
    ("rmsprop", _rule_class(rmsprop_rule(no_sqrt=True), RMS), "square root of r", "rmsprop.no_sqrt"),
    ("rmsprop", _rule_class(rmsprop_rule(), {"alpha": 0.9, "eps": 1e-8}), "defaults alpha=0.99", None),
    ("adam", _rule_class(adam_rule(correct1=False, correct2=False), ADAM), "bias correction is missing", "adam.no_bias_correction"),
    ("adam", _rule_class(adam_rule(correct1=False), ADAM), "only v is bias-corrected", "adam.m_uncorrected"),
    ("adam", _rule_class(adam_rule(correct2=False), ADAM), "only m is bias-corrected", "adam.v_uncorrected"),
    ("adam", _rule_class(adam_rule(t0=True), ADAM), "t starts at 0", "adam.t_from_zero"),
    ("adam", _rule_class(adam_rule(t_fixed=True), ADAM), "t never grows", "adam.t_fixed"),
    ("adam", _rule_class(adam_rule(eps_inside=True), ADAM), "inside the square root", "adam.eps_inside"),
    ("adam", _rule_class(adam_rule(efficient=True), ADAM), "folded the bias corrections", "adam.folded_eps"),
    ("adam", _rule_class(adam_rule(swapped=True), ADAM), "weights of the running averages are swapped", "adam.weights_swapped"),
    ("adam", _rule_class(adam_rule(betas_swapped=True), ADAM), "beta1 and beta2 are swapped", "adam.betas_swapped"),
    ("adam", _rule_class(adam_rule(), {"beta1": 0.9, "beta2": 0.99, "eps": 1e-8}), "defaults beta1=0.9", None),
], ids=lambda x: x if isinstance(x, str) else "")
def test_adaptive_wrong(name, cls, hint, mistake):
    assert_fails(name, cls, hint=hint, mistake=mistake)


# --------------------------------------------------------------------------- state, construction, returns
class SharedMomentum:
    """State in a class-level dict: every instance uses the same velocity."""

    state = {}

    def __init__(self, lr, momentum=0.9):
        self.lr, self.momentum = lr, momentum

    def step(self, w, grad):
        if self.state.get("shape") != w.shape:  # a new shape: start over (so only the paired case shows it)
            self.state.clear()
            self.state["shape"] = w.shape
        self.state["v"] = self.momentum * self.state.get("v", 0.0) + grad
        return w - self.lr * self.state["v"]


def test_shared_state_is_named():
    SharedMomentum.state.clear()
    assert_fails("momentum", SharedMomentum, hint="share their state", mistake="momentum.shared_state")


_SHARED_ADAM = {}


class SharedAdam(Adam):
    def step(self, w, grad):
        self.__dict__.update(_SHARED_ADAM)
        out = super().step(w, grad)
        _SHARED_ADAM.update(m=self.m, v=self.v, t=self.t)
        return out


def test_shared_adam_state_is_named():
    """State that outlives its instance breaks at the first new shape: the message says why."""
    _SHARED_ADAM.clear()
    message = assert_fails("adam", SharedAdam, hint="share their state")
    assert "broadcast" in message


def test_wrong_keyword_name():
    class Momentum:
        def __init__(self, lr, beta=0.9):
            self.inner = MomentumTorch(lr, beta)

        def step(self, w, grad):
            return self.inner.step(w, grad)

    assert_fails("momentum", Momentum, hint="unexpected keyword argument 'momentum'")


def test_lr_with_a_default_still_passes():
    class AdamDefaultLr(Adam):
        def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            super().__init__(lr, beta1, beta2, eps)

    assert_passes("adam", AdamDefaultLr)


def test_step_returning_none_or_wrong_shape():
    class NoReturn(SGD):
        def step(self, w, grad):
            w -= self.lr * grad

    class Flat(SGD):
        def step(self, w, grad):
            return (w - self.lr * grad).ravel()

    assert_fails("sgd", NoReturn, hint="returned None on step 1")
    assert_fails("sgd", Flat, hint="shape of w")


def test_instance_or_function_instead_of_class():
    assert_fails("sgd", SGD(0.1), hint="not an instance")
    assert_fails("sgd", lambda w, grad: w - 0.1 * grad, hint="should be a class")

    class NoStep:
        def __init__(self, lr):
            self.lr = lr

    assert_fails("sgd", NoStep, hint="no method `step")


def test_grad_mutated_in_place_is_reported():
    class Mutating(SGD):
        def step(self, w, grad):
            grad *= self.lr
            return w - grad

    assert_fails("sgd", Mutating, hint="changed its input `grad` in place")


def test_unwritten_class_says_so():
    class Adam:
        def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
            raise NotImplementedError()

        def step(self, w, grad):
            raise NotImplementedError()

    assert_fails("adam", Adam, hint="NotImplementedError")


def test_torch_inside_is_refused():
    import torch

    class TorchAdam:
        def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
            self.p, self.opt = None, None
            self.kw = {"lr": lr, "betas": (beta1, beta2), "eps": eps}

        def step(self, w, grad):
            if self.p is None:
                self.p = torch.tensor(w, requires_grad=True)
                self.opt = torch.optim.Adam([self.p], **self.kw)
            self.p.grad = torch.tensor(grad)
            self.opt.step()
            return self.p.detach().numpy().copy()

    assert_fails("adam", TorchAdam, hint="called torch")


# =========================================================================== more forms, right and wrong
def linreg_python_floats(X, y, w, b):
    r = X @ w + b - y
    n = len(y)
    return float(r @ r / n), (2 / n) * (r @ X), float(2 * r.sum() / n)


def linreg_column_residual(X, y, w, b):
    r = (X.dot(w) + b - y)[:, None]
    return np.mean(r ** 2), 2 * np.mean(X * r, axis=0), np.mean(2 * r).reshape(())


def linreg_augmented(X, y, w, b):
    """The bias folded in as a column of ones."""
    Xa = np.hstack([X, np.ones((len(X), 1))])
    r = Xa @ np.append(w, b) - y
    g = 2 * Xa.T @ r / len(y)
    return (r ** 2).mean(), g[:-1], g[-1]


@pytest.mark.parametrize("fn", [linreg_python_floats, linreg_column_residual, linreg_augmented])
def test_linreg_more_right(fn):
    assert_passes("linreg_loss_and_grad", fn)


@pytest.mark.parametrize("fn", [
    lambda X, y, w, b: (np.mean((X @ w + b - y) ** 2), 2 * X.T @ (X @ w + b - y) / X.shape[1],
                        2 * np.mean(X @ w + b - y)),  # divides by D, not N
    lambda X, y, w, b: (np.mean((X @ w - b - y) ** 2), 2 * X.T @ (X @ w - b - y) / len(y),
                        2 * np.mean(X @ w - b - y)),  # b subtracted
    lambda X, y, w, b: (np.var(X @ w + b - y), 2 * X.T @ (X @ w + b - y) / len(y),
                        2 * np.mean(X @ w + b - y)),  # variance of the residual, not its mean square
    lambda X, y, w, b: (np.mean((X @ w + b - y[:, None]) ** 2), 2 * X.T @ (X @ w + b - y) / len(y),
                        2 * np.mean(X @ w + b - y)),  # (N, N) broadcast in the loss
])
def test_linreg_more_wrong(fn):
    assert_fails("linreg_loss_and_grad", fn)


def mb_argsort(X, y, batch_size, rng):
    idx = np.argsort(rng.random(len(X)))
    return [(X[idx[i:i + batch_size]], y[idx[i:i + batch_size]]) for i in range(0, len(X), batch_size)]


def mb_split_points(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    for b in np.split(idx, np.arange(batch_size, len(X), batch_size)):
        yield X[b], y[b]


@pytest.mark.parametrize("fn", [mb_argsort, mb_split_points])
def test_minibatches_more_right(fn):
    assert_passes("minibatches", fn)


def mb_shuffled_batch_order(X, y, batch_size, rng):
    for start in rng.permutation(np.arange(0, len(X), batch_size)):
        yield X[start:start + batch_size], y[start:start + batch_size]


def mb_remainder_first(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    r = len(X) % batch_size
    for b in ([idx[:r]] if r else []) + [idx[i:i + batch_size] for i in range(r, len(X), batch_size)]:
        yield X[b], y[b]


def mb_permuted_separately(X, y, batch_size, rng):
    Xs, ys = rng.permutation(X), rng.permutation(y)
    for i in range(0, len(X), batch_size):
        yield Xs[i:i + batch_size], ys[i:i + batch_size]


def mb_overlapping(X, y, batch_size, rng):
    idx = rng.permutation(len(X))
    for i in range(0, len(X), batch_size):
        b = idx[i:i + batch_size + 1]
        yield X[b], y[b]


@pytest.mark.parametrize("fn, hint", [
    (mb_shuffled_batch_order, "only the order of the batches"),
    (mb_remainder_first, None),
    (mb_permuted_separately, "not aligned"),
    (mb_overlapping, "appears 2 times"),
])
def test_minibatches_more_wrong(fn, hint):
    assert_fails("minibatches", fn, hint=hint)


class MomentumLrInVelocity:
    """v = μv + lr·g, w = w − v."""

    def __init__(self, lr, momentum=0.9):
        self.lr, self.mu, self.v = lr, momentum, None

    def step(self, w, grad):
        self.v = self.lr * grad if self.v is None else self.mu * self.v + self.lr * grad
        return w - self.v


class MomentumKeepsGrad:
    """Keeps the first grad array itself as the buffer and updates it in place later (its own array)."""

    def __init__(self, lr, momentum=0.9):
        self.lr, self.mu, self.b = lr, momentum, None

    def step(self, w, grad):
        if self.b is None:
            self.b = grad
        else:
            self.b *= self.mu
            self.b += grad
        w -= self.lr * self.b
        return w


class MomentumLoop:
    def __init__(self, lr, momentum=0.9):
        self.lr, self.mu, self.v = lr, momentum, None

    def step(self, w, grad):
        if self.v is None:
            self.v = np.zeros_like(w)
        out = w.copy()
        for i in np.ndindex(*w.shape):
            self.v[i] = self.mu * self.v[i] - self.lr * grad[i]
            out[i] += self.v[i]
        return out


class NesterovLectureVelocity:
    """v = μv − lr·g, w = w + μv − lr·g."""

    def __init__(self, lr, momentum=0.9):
        self.lr, self.mu, self.v = lr, momentum, 0.0

    def step(self, w, grad):
        self.v = self.mu * self.v - self.lr * grad
        return w + self.mu * self.v - self.lr * grad


class NesterovNoVelocity:
    """w_next = w − lr·g + μ(w − w_prev) − lr·μ(g − g_prev): previous w and grad instead of a velocity."""

    def __init__(self, lr, momentum=0.9):
        self.lr, self.mu, self.pw, self.pg = lr, momentum, None, None

    def step(self, w, grad):
        if self.pw is None:
            new = w - self.lr * (1 + self.mu) * grad
        else:
            new = w - self.lr * grad + self.mu * (w - self.pw) - self.lr * self.mu * (grad - self.pg)
        self.pw, self.pg = w.copy(), grad.copy()
        return new


class NesterovExpanded:
    """w = w − lr·((1 + μ)·g + μ²·b_old), then b = μb + g."""

    def __init__(self, lr, momentum=0.9):
        self.lr, self.mu, self.b = lr, momentum, 0

    def step(self, w, grad):
        new = w - self.lr * ((1 + self.mu) * grad + self.mu ** 2 * self.b)
        self.b = self.mu * self.b + grad
        return new


class AdaGradPure32:
    def __init__(self, lr, eps=1e-10):
        self.lr, self.eps, self.r = np.float32(lr), np.float32(eps), None

    def step(self, w, grad):
        g = grad.astype(np.float32)
        self.r = g * g if self.r is None else self.r + g * g
        return w.astype(np.float32) - self.lr * g / (np.sqrt(self.r) + self.eps)


class RMSPropIncremental:
    """r += (1 − alpha)·(g² − r)."""

    def __init__(self, lr, alpha=0.99, eps=1e-8):
        self.lr, self.a, self.eps, self.r = lr, alpha, eps, 0

    def step(self, w, grad):
        self.r = self.r + (1 - self.a) * (grad ** 2 - self.r)
        return w - self.lr * grad / (self.eps + self.r ** 0.5)


class RMSPropPure32:
    def __init__(self, lr, alpha=0.99, eps=1e-8):
        self.lr, self.a, self.eps, self.r = np.float32(lr), np.float32(alpha), np.float32(eps), np.float32(0)

    def step(self, w, grad):
        g = grad.astype(np.float32)
        self.r = self.a * self.r + (np.float32(1) - self.a) * g * g
        return w.astype(np.float32) - self.lr * g / (np.sqrt(self.r) + self.eps)


class RMSPropArrays32:
    """float32 arrays, Python-float settings."""

    def __init__(self, lr, alpha=0.99, eps=1e-8):
        self.lr, self.a, self.eps, self.r = lr, alpha, eps, None

    def step(self, w, grad):
        g, w = grad.astype(np.float32), w.astype(np.float32)
        if self.r is None:
            self.r = np.zeros_like(g)
        self.r = self.a * self.r + (1 - self.a) * g * g
        return w - self.lr * g / (np.sqrt(self.r) + self.eps)


class AdamBetaProducts:
    """beta1^t and beta2^t kept as running products."""

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.m = self.v = None
        self.p1 = self.p2 = 1.0

    def step(self, w, grad):
        if self.m is None:
            self.m, self.v = np.zeros_like(w), np.zeros_like(w)
        self.p1 *= self.b1
        self.p2 *= self.b2
        self.m = self.b1 * self.m + (1 - self.b1) * grad
        self.v = self.b2 * self.v + (1 - self.b2) * grad * grad
        return w - self.lr * (self.m / (1 - self.p1)) / (np.sqrt(self.v / (1 - self.p2)) + self.eps)


class AdamEpsHat:
    """The folded step size with eps scaled by sqrt(1 − beta2^t) as well: torch's update, rearranged."""

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.m = self.v = 0.0
        self.t = 0

    def step(self, w, grad):
        self.t += 1
        self.m = self.b1 * self.m + (1 - self.b1) * grad
        self.v = self.b2 * self.v + (1 - self.b2) * grad ** 2
        c1, c2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t
        return w - self.lr * np.sqrt(c2) / c1 * self.m / (np.sqrt(self.v) + self.eps * np.sqrt(c2))


class AdamUndampedSums:
    """m and v kept without the (1 − beta) factors, which are applied when they are used."""

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.M = self.V = 0.0
        self.t = 0

    def step(self, w, grad):
        self.t += 1
        self.M = self.b1 * self.M + grad
        self.V = self.b2 * self.V + grad * grad
        m_hat = (1 - self.b1) * self.M / (1 - self.b1 ** self.t)
        v_hat = (1 - self.b2) * self.V / (1 - self.b2 ** self.t)
        return w - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamCountAfter:
    """t starts at 1 and is incremented after the update."""

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.m = self.v = 0
        self.t = 1

    def step(self, w, grad):
        self.m = self.b1 * self.m + (1 - self.b1) * grad
        self.v = self.b2 * self.v + (1 - self.b2) * grad ** 2
        out = w - self.lr * self.m / (1 - self.b1 ** self.t) / (np.sqrt(self.v / (1 - self.b2 ** self.t)) + self.eps)
        self.t += 1
        return out


class AdamPure32:
    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        f = np.float32
        self.lr, self.b1, self.b2, self.eps = f(lr), f(beta1), f(beta2), f(eps)
        self.m = self.v = f(0)
        self.t = 0

    def step(self, w, grad):
        f = np.float32
        g = grad.astype(f)
        self.t += 1
        self.m = self.b1 * self.m + (f(1) - self.b1) * g
        self.v = self.b2 * self.v + (f(1) - self.b2) * g * g
        m_hat = self.m / (f(1) - self.b1 ** self.t)
        v_hat = self.v / (f(1) - self.b2 ** self.t)
        return w.astype(f) - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamMixed32:
    """float32 betas in the averages, the Python floats in the bias corrections."""

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = self.v = 0
        self.t = 0

    def step(self, w, grad):
        f = np.float32
        b1, b2, g = f(self.beta1), f(self.beta2), grad.astype(f)
        self.t += 1
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g * g
        m_hat = self.m / (1 - self.beta1 ** self.t)
        v_hat = self.v / (1 - self.beta2 ** self.t)
        return (w.astype(f) - f(self.lr) * m_hat / (np.sqrt(v_hat) + f(self.eps))).astype(f)


@pytest.mark.parametrize("name, cls", [
    ("momentum", MomentumLrInVelocity), ("momentum", MomentumKeepsGrad), ("momentum", MomentumLoop),
    ("nesterov", NesterovLectureVelocity), ("nesterov", NesterovNoVelocity), ("nesterov", NesterovExpanded),
    ("adagrad", AdaGradPure32),
    ("rmsprop", RMSPropIncremental), ("rmsprop", RMSPropPure32), ("rmsprop", RMSPropArrays32),
    ("adam", AdamBetaProducts), ("adam", AdamEpsHat), ("adam", AdamUndampedSums), ("adam", AdamCountAfter),
    ("adam", AdamPure32), ("adam", AdamMixed32),
], ids=lambda x: x if isinstance(x, str) else x.__name__)
def test_optimizer_more_right(name, cls):
    assert_passes(name, cls)


@pytest.mark.parametrize("name, cls", [
    ("rmsprop", RMSPropFloat32), ("rmsprop", RMSPropArrays32), ("adam", AdamFloat32), ("adam", AdamMixed32),
    ("momentum", MomentumFloat32), ("adagrad", AdaGradFloat32),
], ids=lambda x: x if isinstance(x, str) else x.__name__)
def test_float32_trajectories_pass_for_more_seeds(name, cls):
    """float32 rounding must not grow past the float32 tolerance over the trajectory (RMSProp with a short
    memory near a minimum, Adam's float32 betas over a long path)."""
    assert_passes(name, cls, seeds=range(3, 16))


def _adam_class(update):
    """Adam whose step calls update(self, grad) -> (m_hat, v_hat) after counting t."""

    class A(Adam):
        def step(self, w, grad):
            self.t += 1
            m_hat, v_hat = update(self, grad)
            return w - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    return A


def _adam_overwrite(which):
    def update(self, g):
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.v = self.beta2 * self.v + (1 - self.beta2) * g * g
        m_hat, v_hat = self.m / (1 - self.beta1 ** self.t), self.v / (1 - self.beta2 ** self.t)
        if "m" in which:
            self.m = m_hat
        if "v" in which:
            self.v = v_hat
        return m_hat, v_hat
    return _adam_class(update)


def _adam_amsgrad(self, g):
    self.m = self.beta1 * self.m + (1 - self.beta1) * g
    self.v = self.beta2 * self.v + (1 - self.beta2) * g * g
    self.v_max = np.maximum(getattr(self, "v_max", 0.0), self.v)
    return self.m / (1 - self.beta1 ** self.t), self.v_max / (1 - self.beta2 ** self.t)


def _adam_bias_lagging(self, g):
    """The bias corrections use t − 1 (but at least 1): the first step agrees with torch."""
    self.m = self.beta1 * self.m + (1 - self.beta1) * g
    self.v = self.beta2 * self.v + (1 - self.beta2) * g * g
    t = max(self.t - 1, 1)
    return self.m / (1 - self.beta1 ** t), self.v / (1 - self.beta2 ** t)


class SGDDecaying(SGD):
    """lr/sqrt(t): the first step agrees with torch."""

    def __init__(self, lr):
        super().__init__(lr)
        self.t = 0

    def step(self, w, grad):
        self.t += 1
        return w - self.lr / np.sqrt(self.t) * grad


class MomentumStoresStep(MomentumTorch):
    """Keeps lr·b as the buffer: the first step agrees with torch."""

    def step(self, w, grad):
        b = grad.copy() if self.b is None else self.momentum * self.b + grad
        self.b = self.lr * b
        return w - self.b


class MomentumHeavyBallAliased(MomentumHeavyBall):
    """Keeps w itself (not a copy) as the previous w, then changes w in place: w − w_prev is always 0."""

    def step(self, w, grad):
        prev = w if self.prev is None else self.prev
        d = self.momentum * (w - prev)
        self.prev = w
        w -= self.lr * grad
        w += d
        return w


class NesterovStoresDirection(NesterovTorch):
    """Keeps grad + μb as the buffer: the first step agrees with torch."""

    def step(self, w, grad):
        b = self.momentum * self.b + grad
        d = grad + self.momentum * b
        self.b = d
        return w - self.lr * d


class NesterovReturnsTheta(NesterovLookAhead):
    """The lecture's θ returned instead of the look-ahead point θ + αv."""

    def step(self, w, grad):
        super().step(w, grad)
        return self.theta


class AdaGradDecaying(AdaGrad):
    """r = 0.999·r + g²: the first step agrees with torch."""

    def step(self, w, grad):
        self.r = 0.999 * self.r + grad ** 2
        return w - self.lr * grad / (np.sqrt(self.r) + self.eps)


class AdaGradStartsAtEps(AdaGrad):
    """r starts at eps and no eps is added: the same as eps inside the square root."""

    def __init__(self, lr, eps=1e-10):
        super().__init__(lr, eps)
        self.r = eps

    def step(self, w, grad):
        self.r = self.r + grad ** 2
        return w - self.lr * grad / np.sqrt(self.r)


class RMSPropStoresRoot(RMSProp):
    """Keeps sqrt(r) as the average: the first step agrees with torch."""

    def step(self, w, grad):
        self.r = np.sqrt(self.alpha * self.r + (1 - self.alpha) * grad * grad)
        return w - self.lr * grad / (self.r + self.eps)


class RMSPropCentered(RMSProp):
    def step(self, w, grad):
        self.g_avg = self.alpha * getattr(self, "g_avg", 0.0) + (1 - self.alpha) * grad
        self.r = self.alpha * self.r + (1 - self.alpha) * grad * grad
        return w - self.lr * grad / (np.sqrt(self.r - self.g_avg ** 2) + self.eps)


class RMSPropEps1e6(RMSProp):
    def __init__(self, lr, alpha=0.99, eps=1e-6):
        super().__init__(lr, alpha, eps)


class AdamEpsInside32(AdamFloat32):
    def step(self, w, grad):
        g = grad.astype(np.float32)
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.v = self.beta2 * self.v + (1 - self.beta2) * g * g
        m_hat, v_hat = self.m / (1 - self.beta1 ** self.t), self.v / (1 - self.beta2 ** self.t)
        return (w.astype(np.float32) - self.lr * m_hat / np.sqrt(v_hat + self.eps)).astype(np.float32)


class AdamFolded32(AdamFloat32):
    def step(self, w, grad):
        g = grad.astype(np.float32)
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.v = self.beta2 * self.v + (1 - self.beta2) * g * g
        lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        return (w.astype(np.float32) - lr_t * self.m / (np.sqrt(self.v) + self.eps)).astype(np.float32)


@pytest.mark.parametrize("name, cls, hint, mistake", [
    ("sgd", SGDDecaying, None, None),
    ("momentum", MomentumStoresStep, None, None),
    ("momentum", MomentumHeavyBallAliased, "plain SGD", "momentum.no_state"),
    ("nesterov", NesterovStoresDirection, None, None),
    ("nesterov", NesterovReturnsTheta, "plain momentum", "nesterov.plain_momentum"),
    ("adagrad", AdaGradDecaying, None, None),
    ("adagrad", AdaGradStartsAtEps, "outside the square root", "adagrad.eps_inside"),
    ("rmsprop", RMSPropStoresRoot, None, None),
    ("rmsprop", RMSPropCentered, None, None),
    ("rmsprop", RMSPropEps1e6, None, None),
    ("adam", _adam_overwrite("mv"), "stored back", "adam.stores_corrected"),
    ("adam", _adam_overwrite("m"), "stored back", "adam.stores_corrected"),
    ("adam", _adam_overwrite("v"), "stored back", "adam.stores_corrected"),
    ("adam", _adam_class(_adam_amsgrad), None, None),
    ("adam", _adam_class(_adam_bias_lagging), None, None),
    ("adam", AdamEpsInside32, "inside the square root", "adam.eps_inside"),
    ("adam", AdamFolded32, "folded the bias corrections", "adam.folded_eps"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_optimizer_more_wrong(name, cls, hint, mistake):
    assert_fails(name, cls, hint=hint, mistake=mistake)
