"""Lab 1 (Boston) graders: right implementations pass (loops and vectorized, float32 and float64), wrong
ones fail with the hint and the mistake id a student should see; the outcome-graded network is trained
by the check, held to its bar, and a predictor that refits on the test rows is caught."""
import numpy as np
import pytest

from checkhelpers import assert_fails, assert_passes, run_quietly


# --------------------------------------------------------------------------- fit_standardizer
def fit_vectorized(X):
    mean, std = X.mean(axis=0), X.std(axis=0)
    return mean, np.where(std == 0, 1.0, std)


def fit_loops(X):
    N, D = X.shape
    mean, std = np.zeros(D), np.ones(D)
    for j in range(D):
        m = sum(X[i, j] for i in range(N)) / N
        v = sum((X[i, j] - m) ** 2 for i in range(N)) / N
        mean[j] = m
        std[j] = np.sqrt(v) if v > 0 else 1.0
    return mean, std


def fit_float32(X):
    X = X.astype(np.float32)
    std = X.std(axis=0)
    return X.mean(axis=0), np.where(std == 0, np.float32(1), std)


def fit_range_test(X):
    std = X.std(axis=0)
    std[np.ptp(X, axis=0) == 0] = 1.0
    return X.mean(axis=0), std


@pytest.mark.parametrize("fn", [fit_vectorized, fit_loops, fit_float32, fit_range_test])
def test_fit_standardizer_right(fn):
    assert_passes("fit_standardizer", fn)


def _std1(X):
    s = X.std(axis=0, ddof=1) if len(X) > 1 else np.zeros(X.shape[1])
    return np.where(s == 0, 1.0, s)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda X: (X.mean(axis=0), _std1(X)), "ddof=1", "ddof_1"),
    (lambda X: (X.mean(axis=0), X.std(axis=0)), "constant column", "constant_zero"),
    (lambda X: (X.mean(axis=0), np.where(X.var(axis=0) == 0, 1.0, X.var(axis=0))), "variance", "variance"),
    (lambda X: (X.mean(axis=1), np.where(X.std(axis=1) == 0, 1.0, X.std(axis=1)))
     if X.shape[0] == X.shape[1] else fit_vectorized(X), "wrong axis", "over_rows"),
])
def test_fit_standardizer_wrong(fn, hint, mistake):
    assert_fails("fit_standardizer", fn, hint=hint, mistake=f"fit_standardizer.{mistake}")


def test_fit_standardizer_other_failures():
    assert_fails("fit_standardizer", lambda X: None, hint="return")
    assert_fails("fit_standardizer", lambda X: X.mean(axis=0), hint="two values")
    assert_fails("fit_standardizer", lambda X: (X.mean(axis=1), X.std(axis=1)), hint="shape")
    assert_fails("fit_standardizer", lambda X: (X.mean(axis=0), X.std(axis=0) + np.nan), hint="nan")


# --------------------------------------------------------------------------- apply_standardizer
def apply_loops(X, mean, std):
    out = np.empty_like(X, dtype=float)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            out[i, j] = (X[i, j] - mean[j]) / std[j]
    return out


@pytest.mark.parametrize("fn", [
    lambda X, mean, std: (X - mean) / std,
    apply_loops,
    lambda X, mean, std: ((X.astype(np.float32) - mean.astype(np.float32)) / std.astype(np.float32)),
    lambda X, mean, std: (X - mean[None, :]) * (1.0 / std),
])
def test_apply_standardizer_right(fn):
    assert_passes("apply_standardizer", fn)


def test_apply_standardizer_leaky_refit_is_named():
    """The leak: a standardizer fitted on the rows it transforms (all rows, test rows included)."""
    def leaky(X, mean, std):
        m, s = X.mean(axis=0), X.std(axis=0)
        return (X - m) / np.where(s == 0, 1.0, s)

    assert_fails("apply_standardizer", leaky, hint="fitted on the training rows",
                 mistake="apply_standardizer.refits_on_x")


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda X, mean, std: (X - mean) * std, "multiplied", "times_std"),
    (lambda X, mean, std: X / std, "without subtracting the mean", "no_centering"),
    (lambda X, mean, std: X - mean / std, "parentheses", "precedence"),
])
def test_apply_standardizer_wrong(fn, hint, mistake):
    assert_fails("apply_standardizer", fn, hint=hint, mistake=f"apply_standardizer.{mistake}")


# --------------------------------------------------------------------------- least_squares
def lsq_lstsq(X, y):
    A = np.hstack([X, np.ones((len(X), 1))])
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    return theta[:-1], theta[-1]


def lsq_normal_equations(X, y):
    A = np.column_stack([X, np.ones(len(X))])
    theta = np.linalg.solve(A.T @ A, A.T @ y)
    return theta[:-1], float(theta[-1])


def lsq_centered(X, y):
    xm, ym = X.mean(axis=0), y.mean()
    w = np.linalg.lstsq(X - xm, y - ym, rcond=None)[0]
    return w, ym - xm @ w


def lsq_float32(X, y):
    A = np.hstack([X, np.ones((len(X), 1))]).astype(np.float32)
    theta = np.linalg.lstsq(A, y.astype(np.float32), rcond=None)[0]
    return theta[:-1], theta[-1]


def lsq_ones_first(X, y):
    A = np.hstack([np.ones((len(X), 1)), X])
    theta = np.linalg.pinv(A) @ y
    return theta[1:], theta[0]


@pytest.mark.parametrize("fn", [lsq_lstsq, lsq_normal_equations, lsq_centered, lsq_float32, lsq_ones_first])
def test_least_squares_right(fn):
    assert_passes("least_squares", fn)


def _no_intercept(X, y):
    return np.linalg.lstsq(X, y, rcond=None)[0], 0.0


def _intercept_after(X, y):
    w = np.linalg.lstsq(X, y, rcond=None)[0]
    return w, y.mean() - X.mean(axis=0) @ w


def _split_wrong(X, y):
    A = np.hstack([np.ones((len(X), 1)), X])
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    return theta[:-1], theta[-1]


@pytest.mark.parametrize("fn, hint, mistake", [
    (_no_intercept, "no intercept", "no_intercept"),
    (_intercept_after, "solved together", "intercept_after"),
    (_split_wrong, "the other way", "ones_first"),
])
def test_least_squares_wrong(fn, hint, mistake):
    assert_fails("least_squares", fn, hint=hint, mistake=f"least_squares.{mistake}")


# --------------------------------------------------------------------------- boston_mlp (outcome-graded)
class _Adam:
    def __init__(self, lr):
        self.lr, self.t, self.m, self.v = lr, 0, 0.0, 0.0

    def step(self, w, g):
        self.t += 1
        self.m = 0.9 * self.m + 0.1 * g
        self.v = 0.999 * self.v + 0.001 * g * g
        return w - self.lr * (self.m / (1 - 0.9 ** self.t)) / (np.sqrt(self.v / (1 - 0.999 ** self.t)) + 1e-8)


def _train_mlp(X, y, seed, epochs=200, hidden=64, lr=3e-3, patience=30, dtype=np.float64):
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(X))
    va, tr = perm[: len(X) // 7], perm[len(X) // 7:]
    mean, std = X[tr].mean(axis=0), X[tr].std(axis=0)
    prep = lambda A: ((A - mean) / std).astype(dtype)  # noqa: E731
    ym, ys = y[tr].mean(), y[tr].std()
    sizes = [X.shape[1], hidden, hidden, 1]
    P = {}
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), 1):
        P[f"W{i}"] = rng.uniform(-1, 1, (a, b)).astype(dtype) / np.sqrt(a)
        P[f"b{i}"] = np.zeros(b, dtype)
    opt = {k: _Adam(lr) for k in P}

    def forward(A):
        hs = [A]
        for i in (1, 2, 3):
            z = hs[-1] @ P[f"W{i}"] + P[f"b{i}"]
            hs.append(np.maximum(z, 0) if i < 3 else z)
        return hs

    Xt, Xv = prep(X[tr]), prep(X[va])
    best, kept, wait = np.inf, None, 0
    for _ in range(epochs):
        order = rng.permutation(len(tr))
        for k in range(0, len(order), 32):
            b = order[k:k + 32]
            hs = forward(Xt[b])
            d = (2 * (hs[-1][:, 0] - (y[tr][b] - ym) / ys) / len(b))[:, None]
            for i in (3, 2, 1):
                if i < 3:
                    d = d * (hs[i] > 0)
                gW, gb, d = hs[i - 1].T @ d, d.sum(axis=0), d @ P[f"W{i}"].T
                P[f"W{i}"] = opt[f"W{i}"].step(P[f"W{i}"], gW)
                P[f"b{i}"] = opt[f"b{i}"].step(P[f"b{i}"], gb)
        val = np.mean(np.abs(forward(Xv)[-1][:, 0] * ys + ym - y[va]))
        if val < best:
            best, kept, wait = val, {k: v.copy() for k, v in P.items()}, 0
        else:
            wait += 1
            if wait > patience:
                break
    P.update(kept)
    return lambda A: forward(prep(A))[-1][:, 0] * ys + ym


def train_mlp64(X_train, y_train, seed=0):
    return _train_mlp(X_train, y_train, seed)


def train_mlp32(X_train, y_train, seed=0):
    return _train_mlp(X_train, y_train, seed, dtype=np.float32)


class _Model:
    def __init__(self, predict):
        self._predict = predict

    def predict(self, X):
        return self._predict(X)[:, None]  # (M, 1) is accepted too


@pytest.mark.parametrize("fn", [train_mlp64, train_mlp32, lambda X_train, y_train, seed=0: _Model(train_mlp64(X_train, y_train, seed))])
def test_boston_mlp_right(fn):
    assert_passes("boston_mlp", fn)


def _least_squares_model(X_train, y_train, seed=0):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    w, b = lsq_lstsq((X_train - mean) / std, y_train)
    return lambda X: ((X - mean) / std) @ w + b


def test_boston_mlp_below_the_bar_gives_figure_and_bar():
    message = assert_fails("boston_mlp", _least_squares_model, hint="the bar is at most 2.9")
    assert "your test MAE" in message


def test_boston_mlp_hard_coded_number_fails():
    assert_fails("boston_mlp", lambda X_train, y_train, seed=0: (lambda X: np.full(len(X), 21.0)),
                 hint="the bar is at most 2.9")
    assert_fails("boston_mlp", lambda X_train, y_train, seed=0: 2.5, hint="should return a function")
    assert_fails("boston_mlp", lambda X_train, y_train, seed=0: None, hint="return")


def test_boston_mlp_standardizer_fitted_on_the_predicted_rows_is_a_leak():
    def leaky(X_train, y_train, seed=0):
        w, b = lsq_lstsq((X_train - X_train.mean(axis=0)) / X_train.std(axis=0), y_train)
        return lambda X: ((X - X.mean(axis=0)) / X.std(axis=0)) @ w + b

    assert_fails("boston_mlp", leaky, hint="fitted on the rows being predicted")


def test_boston_mlp_nan_and_shape():
    assert_fails("boston_mlp", lambda X_train, y_train, seed=0: (lambda X: np.full(len(X), np.nan)), hint="not finite")
    assert_fails("boston_mlp", lambda X_train, y_train, seed=0: (lambda X: np.zeros((len(X), 2))), hint="one number per row")


def test_boston_mlp_check_draws_other_splits():
    from course.checks.engine import get_exercise

    ex = get_exercise("boston_mlp")
    firsts = [ex.cases(np.random.default_rng(s))[0].data["y_test"][:5].tolist() for s in (0, 1, 2)]
    assert firsts[0] != firsts[1] != firsts[2]


def test_boston_mlp_passes_quietly_with_seconds():
    result, out, err, _ = run_quietly("boston_mlp", train_mlp64)
    assert not isinstance(result, AssertionError) and err == ""
    assert result.seconds < 30
