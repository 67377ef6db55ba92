"""Exercise specs of lab 2's model and score: ``roc_auc`` (against torchmetrics) and
``logistic_regression`` (the trajectory of ``torch.optim.SGD`` on ``F.binary_cross_entropy_with_logits``)."""
from __future__ import annotations

import warnings

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, register
from course.checks.compare import Tolerance

#: torchmetrics computes the AUC in float32: about 1e-6 is what agreement can mean.
AUC_TOL = Tolerance(rtol=1e-6, atol=2e-6, name="torchmetrics float32")


def torchmetrics_auc(ref, y_true, scores):
    """``torchmetrics.classification.BinaryAUROC`` of ``scores`` against 0/1 ``y_true`` (a float64 tensor)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torchmetrics.classification import BinaryAUROC

        metric = BinaryAUROC().to(scores.device)
        metric.update(scores.float(), y_true.long())
        return metric.compute().to(ref.dtype)


def _pairs(y_true, scores):
    pos, neg = scores[y_true == 1], scores[y_true == 0]
    return pos[:, None], neg[None, :], len(pos) * len(neg)


def _auc_cases(rng):
    y = rng.integers(0, 2, size=60)
    y[:2] = [0, 1]
    s_cont = 1 / (1 + np.exp(-(1.2 * y + rng.normal(size=60))))
    y2 = rng.integers(0, 2, size=80)
    y2[:2] = [0, 1]
    s_ties = np.round(np.clip(0.3 * y2 + rng.uniform(0, 0.7, size=80), 0, 1), 1)  # many ties across classes
    return [
        Case("60 continuous scores", {"y_true": y, "scores": s_cont}),
        Case("80 scores rounded to 0.1: ties between positives and negatives", {"y_true": y2, "scores": s_ties}),
        Case("every score the same (AUC 0.5)", {"y_true": np.array([0, 1, 1, 0, 1]), "scores": np.full(5, 0.4)}),
        Case("perfect separation", {"y_true": np.array([0, 0, 1, 1, 1]), "scores": np.array([0.1, 0.2, 0.3, 0.9, 0.8])}),
        Case("two samples, scores in the wrong order", {"y_true": np.array([1, 0]), "scores": np.array([0.2, 0.7])}),
        Case("float labels 0.0 / 1.0, a few ties", {"y_true": y2[:20].astype(float), "scores": s_ties[:20]}),
    ]


register(Exercise(
    name="roc_auc",
    signature="roc_auc(y_true, scores)",
    cases=_auc_cases,
    reference=lambda ref, y_true, scores: torchmetrics_auc(ref, y_true, scores),
    outputs=(Output("auc", scalar=True, tol=AUC_TOL),),
    mistakes=(
        Mistake("ties_ignored", "ties are not handled: a positive and a negative with the same score must count "
                "one half (you counted them 0). Count pos > neg plus half of pos == neg.",
                lambda ref, y_true, scores: (lambda p, n, m: (p > n).sum().double() / m)(*_pairs(y_true, scores))),
        Mistake("ties_full", "a tie between a positive and a negative counts one half, not one: count pos > neg "
                "plus half of pos == neg.",
                lambda ref, y_true, scores: (lambda p, n, m: (p >= n).sum().double() / m)(*_pairs(y_true, scores))),
        Mistake("inverted", "your AUC is 1 minus the answer: the positive class (y = 1) should get the high scores; "
                "count the pairs where the positive's score is above the negative's.",
                lambda ref, y_true, scores: 1 - torchmetrics_auc(ref, y_true, scores)),
    ),
    hint="the AUC is the fraction of (positive, negative) pairs in which the positive has the higher score, a "
         "tie counting one half.",
    points=2,
))


# --------------------------------------------------------------------------- logistic_regression
def _sgd(ref, X, y, lr, epochs, *, reduction="mean", maximize=False, bias=True, loss="bce"):
    torch, F = ref.torch, ref.F
    w = torch.zeros(X.shape[1], dtype=ref.dtype, device=ref.device, requires_grad=True)
    b = torch.zeros((), dtype=ref.dtype, device=ref.device, requires_grad=True)
    opt = torch.optim.SGD([w, b] if bias else [w], lr=lr, maximize=maximize)
    y = y.to(ref.dtype)
    for _ in range(int(epochs)):
        z = X @ w + b
        if loss == "bce":
            value = F.binary_cross_entropy_with_logits(z, y, reduction=reduction)
        else:  # half the mean squared error of the sigmoid
            value = 0.5 * ((torch.sigmoid(z) - y) ** 2).mean()
        opt.zero_grad()
        value.backward()
        opt.step()
    return w.detach(), b.detach()


def _logreg_cases(rng):
    from course import data

    X = rng.normal(size=(50, 2))
    y = (X @ np.array([2.0, -1.0]) + 0.5 + rng.normal(scale=0.8, size=50) > 0).astype(np.int64)
    Xp, yp, _ = data.load_pima()
    idx = rng.choice(len(Xp), size=200, replace=False)
    Xs = (Xp[idx] - Xp[idx].mean(axis=0)) / Xp[idx].std(axis=0)
    return [
        Case("50 points in 2-D, the defaults lr=0.1, epochs=100", {"X": X, "y": y}),
        Case("200 standardized Pima women, lr=0.5, epochs=60", {"X": Xs, "y": yp[idx], "lr": 0.5, "epochs": 60}),
        Case("float labels, lr=1.0, epochs=25", {"X": X[:30], "y": y[:30].astype(float), "lr": 1.0, "epochs": 25}),
        Case("a single step", {"X": X[:10], "y": y[:10], "lr": 0.3, "epochs": 1}),
    ]


register(Exercise(
    name="logistic_regression",
    signature="logistic_regression(X, y, lr=0.1, epochs=100)",
    cases=_logreg_cases,
    reference=lambda ref, X, y, lr, epochs: _sgd(ref, X, y, lr, epochs),
    outputs=(Output("w"), Output("b", scalar=True)),
    mistakes=(
        Mistake("no_mean", "the gradient lacks the 1/N: the loss is the mean cross-entropy, so dw = X.T @ (p − y) / N "
                "and db = mean(p − y).",
                lambda ref, X, y, lr, epochs: _sgd(ref, X, y, lr, epochs, reduction="sum")),
        Mistake("ascent", "you step up the gradient: w −= lr · dw (descent), with dw = X.T @ (p − y) / N.",
                lambda ref, X, y, lr, epochs: _sgd(ref, X, y, lr, epochs, maximize=True)),
        Mistake("bias_not_updated", "b never moves: update it with db = mean(p − y) at every step, like w.",
                lambda ref, X, y, lr, epochs: {"b": _sgd(ref, X, y, lr, epochs, bias=False)[1]}),
        Mistake("mse_gradient", "you used the gradient of the squared error of the sigmoid, (p − y)·p·(1 − p); the "
                "cross-entropy's gradient with respect to z is simply p − y.",
                lambda ref, X, y, lr, epochs: _sgd(ref, X, y, lr, epochs, loss="mse")),
        Mistake("one_step_short", "one step too few: run exactly `epochs` full-batch steps (range(epochs)).",
                lambda ref, X, y, lr, epochs: _sgd(ref, X, y, lr, epochs - 1), when=lambda epochs: epochs > 1),
    ),
    hint="from w = 0, b = 0, repeat `epochs` times: p = sigmoid(X @ w + b), w −= lr · X.T @ (p − y) / N, "
         "b −= lr · mean(p − y).",
    points=2,
))
