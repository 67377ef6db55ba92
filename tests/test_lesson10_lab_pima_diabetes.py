"""Lab 2 (Pima) graders: right implementations pass (loops and vectorized, float32 and float64), wrong
ones fail with the hint and the mistake id a student should see; the outcome-graded model is trained by
the check, held to its bars, and preprocessing refitted on the test rows is caught."""
import numpy as np
import pytest

from checkhelpers import assert_fails, assert_passes

COLS = [1, 2, 3, 4, 5]


# --------------------------------------------------------------------------- impute_zeros
def impute_vectorized(X_train, X, columns):
    X = X.copy()
    for c in columns:
        col = X_train[:, c]
        X[X[:, c] == 0, c] = np.median(col[col != 0])
    return X


def impute_loops(X_train, X, columns):
    out = np.array(X, dtype=float)
    for c in columns:
        values = sorted(v for v in X_train[:, c] if v != 0)
        n = len(values)
        med = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
        for i in range(len(out)):
            if out[i, c] == 0:
                out[i, c] = med
    return out


def impute_where(X_train, X, columns):
    cols = list(columns)
    med = np.array([np.median(X_train[X_train[:, c] > 0, c]) for c in cols])
    out = X.astype(np.float32)
    out[:, cols] = np.where(out[:, cols] == 0, med.astype(np.float32), out[:, cols])
    return out


def impute_nanmedian(X_train, X, columns):
    T = X_train.astype(float).copy()
    T[T == 0] = np.nan
    med = np.nanmedian(T, axis=0)
    out = X.copy()
    for c in columns:
        out[:, c] = np.where(out[:, c] == 0, med[c], out[:, c])
    return out


@pytest.mark.parametrize("fn", [impute_vectorized, impute_loops, impute_where, impute_nanmedian])
def test_impute_zeros_right(fn):
    assert_passes("impute_zeros", fn)


def _with(stat, source="train", every=False):
    def impute(X_train, X, columns):
        out = X.copy()
        for c in (range(X.shape[1]) if every else columns):
            base = {"train": X_train[:, c], "X": X[:, c], "all": np.concatenate([X_train[:, c], X[:, c]])}[source]
            out[X[:, c] == 0, c] = stat(base)
        return out
    return impute


nonzero_median = lambda v: np.median(v[v != 0])  # noqa: E731


@pytest.mark.parametrize("fn, hint, mistake", [
    (_with(nonzero_median, source="X"), "rows you are filling", "medians_of_X".lower()),
    (_with(nonzero_median, source="all"), "from all the rows", "medians_of_all_rows"),
    (_with(lambda v: v[v != 0].mean()), "filled with the mean", "mean"),
    (_with(lambda v: v.mean()), "zeros included", "mean_with_zeros"),
    (_with(np.median), "counts the zeros", "median_with_zeros"),
    (_with(nonzero_median, every=True), "every column", "every_column"),
])
def test_impute_zeros_wrong(fn, hint, mistake):
    assert_fails("impute_zeros", fn, hint=hint, mistake=f"impute_zeros.{mistake}")


def test_impute_zeros_in_place_and_none():
    def in_place(X_train, X, columns):
        for c in columns:
            X[X[:, c] == 0, c] = np.median(X_train[X_train[:, c] != 0, c])
        return X

    assert_fails("impute_zeros", in_place, hint="in place")
    assert_fails("impute_zeros", lambda X_train, X, columns: None, hint="return")


# --------------------------------------------------------------------------- roc_auc
def auc_pairs(y_true, scores):
    y = np.asarray(y_true) == 1
    pos, neg = scores[y], scores[~y]
    return ((pos[:, None] > neg).sum() + 0.5 * (pos[:, None] == neg).sum()) / (len(pos) * len(neg))


def auc_loops(y_true, scores):
    pos = [s for s, t in zip(scores, y_true) if t == 1]
    neg = [s for s, t in zip(scores, y_true) if t == 0]
    total = 0.0
    for p in pos:
        for n in neg:
            total += 1.0 if p > n else 0.5 if p == n else 0.0
    return total / (len(pos) * len(neg))


def _rankdata(a):
    order = np.argsort(a, kind="mergesort")
    ranks = np.empty(len(a))
    s = a[order]
    i = 0
    while i < len(a):
        j = i
        while j + 1 < len(a) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def auc_ranks(y_true, scores):
    y = np.asarray(y_true) == 1
    r = _rankdata(np.asarray(scores, float))
    P, N = y.sum(), (~y).sum()
    return (r[y].sum() - P * (P + 1) / 2) / (P * N)


def auc_trapezoid(y_true, scores):
    y = np.asarray(y_true) == 1
    thresholds = np.unique(scores)[::-1]
    tpr = np.r_[0, [(y & (scores >= t)).sum() / y.sum() for t in thresholds]]
    fpr = np.r_[0, [(~y & (scores >= t)).sum() / (~y).sum() for t in thresholds]]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def auc_float32(y_true, scores):
    return np.float32(auc_pairs(y_true, scores.astype(np.float32)))


@pytest.mark.parametrize("fn", [auc_pairs, auc_loops, auc_ranks, auc_trapezoid, auc_float32])
def test_roc_auc_right(fn):
    assert_passes("roc_auc", fn)


def test_roc_auc_reference_is_torchmetrics_and_ties_count_half():
    import torch
    from torchmetrics.classification import BinaryAUROC

    y, s = np.array([0, 1, 1, 0]), np.array([0.5, 0.5, 0.9, 0.1])
    m = BinaryAUROC()
    m.update(torch.tensor(s, dtype=torch.float32), torch.tensor(y))
    assert abs(float(m.compute()) - auc_pairs(y, s)) < 1e-6 and auc_pairs(y, s) == 0.875


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda y_true, scores: (lambda p, n: (p[:, None] > n).mean())(scores[y_true == 1], scores[y_true == 0]),
     "ties are not handled", "ties_ignored"),
    (lambda y_true, scores: (lambda p, n: (p[:, None] >= n).mean())(scores[y_true == 1], scores[y_true == 0]),
     "not one", "ties_full"),
    (lambda y_true, scores: 1 - auc_pairs(y_true, scores), "1 minus", "inverted"),
])
def test_roc_auc_wrong(fn, hint, mistake):
    assert_fails("roc_auc", fn, hint=hint, mistake=f"roc_auc.{mistake}")


def test_roc_auc_accuracy_is_not_auc():
    assert_fails("roc_auc", lambda y_true, scores: float(np.mean((scores >= 0.5) == y_true)))


# --------------------------------------------------------------------------- logistic_regression
def _sigmoid(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))


def logreg_vectorized(X, y, lr=0.1, epochs=100):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        g = _sigmoid(X @ w + b) - y
        w = w - lr * X.T @ g / len(y)
        b = b - lr * g.mean()
    return w, b


def logreg_loops(X, y, lr=0.1, epochs=100):
    N, D = X.shape
    w, b = [0.0] * D, 0.0
    for _ in range(epochs):
        gw, gb = [0.0] * D, 0.0
        for i in range(N):
            z = b + sum(X[i, j] * w[j] for j in range(D))
            e = 1 / (1 + np.exp(-z)) - y[i]
            gb += e / N
            for j in range(D):
                gw[j] += e * X[i, j] / N
        w = [w[j] - lr * gw[j] for j in range(D)]
        b -= lr * gb
    return np.array(w), b


def logreg_float32(X, y, lr=0.1, epochs=100):
    X, y = X.astype(np.float32), y.astype(np.float32)
    w, b = np.zeros(X.shape[1], np.float32), np.float32(0)
    for _ in range(epochs):
        g = (1 / (1 + np.exp(-(X @ w + b))) - y).astype(np.float32)
        w = w - np.float32(lr) * X.T @ g / np.float32(len(y))
        b = b - np.float32(lr) * g.mean()
    return w, b


def logreg_augmented(X, y, lr=0.1, epochs=100):
    A = np.hstack([X, np.ones((len(X), 1))])
    theta = np.zeros(A.shape[1])
    for _ in range(epochs):
        theta -= lr * A.T @ (_sigmoid(A @ theta) - y) / len(y)
    return theta[:-1], theta[-1]


@pytest.mark.parametrize("fn", [logreg_vectorized, logreg_loops, logreg_float32, logreg_augmented])
def test_logistic_regression_right(fn):
    assert_passes("logistic_regression", fn)


def _variant(*, scale=True, sign=1.0, bias=True, mse=False, short=0):
    def fit(X, y, lr=0.1, epochs=100):
        w, b = np.zeros(X.shape[1]), 0.0
        for _ in range(epochs - short if epochs > 1 else epochs):
            p = _sigmoid(X @ w + b)
            g = (p - y) * p * (1 - p) if mse else p - y
            n = len(y) if scale else 1
            w = w - sign * lr * X.T @ g / n
            if bias:
                b = b - sign * lr * g.sum() / n
        return w, b
    return fit


@pytest.mark.parametrize("fn, hint, mistake", [
    (_variant(scale=False), "lacks the 1/N", "no_mean"),
    (_variant(sign=-1.0), "step up the gradient", "ascent"),
    (_variant(bias=False), "b never moves", "bias_not_updated"),
    (_variant(mse=True), "squared error", "mse_gradient"),
    (_variant(short=1), "one step too few", "one_step_short"),
])
def test_logistic_regression_wrong(fn, hint, mistake):
    assert_fails("logistic_regression", fn, hint=hint, mistake=f"logistic_regression.{mistake}")


# --------------------------------------------------------------------------- pima_model (outcome-graded)
def _pipeline(X_train, y_train, fit, medians_from=None):
    Xi = impute_vectorized(X_train, X_train, COLS)
    mean, std = Xi.mean(axis=0), Xi.std(axis=0)
    w, b = fit((Xi - mean) / std, y_train)
    return lambda X: _sigmoid(((impute_vectorized(X_train, X, COLS) - mean) / std) @ w + b)


def train_logistic(X_train, y_train, seed=0):
    return _pipeline(X_train, y_train, lambda A, y: logreg_vectorized(A, y, lr=0.1, epochs=500))


class _Model:
    def __init__(self, f):
        self.f = f

    def predict_proba(self, X):
        return self.f(X).astype(np.float32)


@pytest.mark.parametrize("fn", [train_logistic, lambda X_train, y_train, seed=0: _Model(train_logistic(X_train, y_train))])
def test_pima_model_right(fn):
    assert_passes("pima_model", fn)


def test_pima_model_majority_class_fails_with_the_figures():
    message = assert_fails("pima_model", lambda X_train, y_train, seed=0: (lambda X: np.full(len(X), 0.3)),
                           hint="the bar is at least 0.8")
    assert "your test AUC is 0.5" in message and "0.651" in message


def test_pima_model_imputing_with_the_test_rows_medians_is_a_leak():
    def leaky(X_train, y_train, seed=0):
        Xi = impute_vectorized(X_train, X_train, COLS)
        mean, std = Xi.mean(axis=0), Xi.std(axis=0)
        w, b = logreg_vectorized((Xi - mean) / std, y_train, epochs=300)
        return lambda X: _sigmoid(((impute_vectorized(X, X, COLS) - mean) / std) @ w + b)

    assert_fails("pima_model", leaky, hint="fitted on the rows being predicted")


def test_pima_model_logits_are_not_probabilities():
    def logits(X_train, y_train, seed=0):
        f = train_logistic(X_train, y_train)
        return lambda X: np.log(f(X) / (1 - f(X)))

    assert_fails("pima_model", logits, hint="apply the sigmoid")
