"""Exercise specs of lab 3's imbalance: ``class_weights`` (scikit-learn's "balanced") and
``weighted_bce_with_logits`` (against ``F.binary_cross_entropy_with_logits(..., pos_weight=...)``)."""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, register

from .lecture import CLASS_COUNTS


# --------------------------------------------------------------------------- class_weights
def counts_of(ref, y, num_classes):
    """How many times each class 0 .. num_classes - 1 occurs in ``y`` (float64)."""
    return ref.torch.bincount(y.long().flatten(), minlength=int(num_classes)).to(ref.dtype)


def _weights_cases(rng):
    normal, pneumonia = CLASS_COUNTS["train"]
    y_train = rng.permutation(np.r_[np.zeros(normal, np.int64), np.ones(pneumonia, np.int64)])
    y3 = rng.integers(0, 3, size=50)
    y3[:3] = [0, 1, 2]
    y4 = rng.choice(4, size=40, p=[0.55, 0.25, 0.15, 0.05])
    y4[:4] = [0, 1, 2, 3]
    return [
        Case("the embedded training labels: 388 normal, 3,494 pneumonia", {"y": y_train, "num_classes": 2}),
        Case("50 labels of 3 classes", {"y": y3, "num_classes": 3}),
        Case("40 labels of 4 classes, one rare", {"y": y4.astype(np.int32), "num_classes": 4}),
        Case("balanced classes: every weight is 1", {"y": np.array([0, 1, 1, 0, 2, 2]), "num_classes": 3}),
        Case("float labels 0.0 / 1.0", {"y": rng.permutation(np.r_[np.zeros(3), np.ones(9)]), "num_classes": 2}),
    ]


register(Exercise(
    name="class_weights",
    signature="class_weights(y, num_classes)",
    cases=_weights_cases,
    reference=lambda ref, y, num_classes: len(y) / (num_classes * counts_of(ref, y, num_classes)),
    outputs=(Output("weights"),),
    mistakes=(
        Mistake("inverted", "your weights are inverted: the rare class must get the large weight, "
                "n / (num_classes · n_c), not n_c · num_classes / n.",
                lambda ref, y, num_classes: num_classes * counts_of(ref, y, num_classes) / len(y)),
        Mistake("no_num_classes", "divide by num_classes too: the balanced weight is n / (num_classes · n_c), "
                "so that balanced classes get weight 1.",
                lambda ref, y, num_classes: len(y) / counts_of(ref, y, num_classes)),
        Mistake("frequency", "you returned the class frequencies n_c / n; the weight is the inverse, "
                "n / (num_classes · n_c).",
                lambda ref, y, num_classes: counts_of(ref, y, num_classes) / len(y)),
        Mistake("one_minus_frequency", "1 − n_c / n is not the balanced weight: use n / (num_classes · n_c).",
                lambda ref, y, num_classes: 1 - counts_of(ref, y, num_classes) / len(y)),
    ),
    hint="count each class with np.bincount(y, minlength=num_classes), then weight = len(y) / (num_classes · count).",
    points=1,
))


# --------------------------------------------------------------------------- weighted_bce_with_logits
def _with_grad(ref, logits, loss_of):
    """(loss, dlogits): ``loss_of(z)`` and its gradient by autograd."""
    z = logits.detach().clone().requires_grad_(True)
    loss = loss_of(z)
    (g,) = ref.torch.autograd.grad(loss, z)
    return {"loss": loss.detach(), "dlogits": g}


def weighted_bce_reference(ref, logits, y, pos_weight):
    """``F.binary_cross_entropy_with_logits(logits, y, pos_weight=...)`` and its gradient, by autograd."""
    pw = ref.torch.tensor(float(pos_weight), dtype=ref.dtype, device=ref.device)
    return _with_grad(ref, logits, lambda z: ref.F.binary_cross_entropy_with_logits(z, y.to(ref.dtype), pos_weight=pw))


def _terms(ref, z, y, w_pos, w_neg):
    F = ref.F
    y = y.to(ref.dtype)
    return w_pos * y * F.softplus(-z) + w_neg * (1 - y) * F.softplus(z)


def _on_negatives(ref, logits, y, pos_weight):
    return _with_grad(ref, logits, lambda z: _terms(ref, z, y, 1.0, float(pos_weight)).mean())


def _weighted_mean(ref, logits, y, pos_weight):
    w = 1 + (float(pos_weight) - 1) * y.to(ref.dtype)
    return _with_grad(ref, logits, lambda z: _terms(ref, z, y, float(pos_weight), 1.0).sum() / w.sum())


def _summed(ref, logits, y, pos_weight):
    return _with_grad(ref, logits, lambda z: _terms(ref, z, y, float(pos_weight), 1.0).sum())


def _naive(ref, logits, y, pos_weight, eps=0.0):
    torch = ref.torch
    y = y.to(ref.dtype)

    def loss(z):
        p = torch.sigmoid(z)
        if eps:
            p = p.clamp(eps, 1 - eps)
        return -(float(pos_weight) * y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()

    z = logits
    p = torch.sigmoid(z)
    out = {"loss": loss(z)}
    if not eps:  # the naive loss with the textbook gradient, which stays finite
        out["dlogits"] = (float(pos_weight) * y * (p - 1) + (1 - y) * p) / len(z)
    return out


def _bce_cases(rng):
    n = 12
    z = rng.normal(scale=2.0, size=n)
    y = (rng.random(n) < 0.6).astype(np.int64)
    y[:2] = [0, 1]
    z_big = np.array([1000.0, -1000.0, 1000.0, -1000.0, 3.0, -2.0])
    y_big = np.array([1, 0, 0, 1, 1, 0])
    z_train = rng.normal(loc=1.5, scale=1.5, size=40)
    y_train = (rng.random(40) < 0.9).astype(np.int64)
    y_train[:2] = [0, 0]
    return [
        Case("12 logits, pos_weight 2.5", {"logits": z, "y": y, "pos_weight": 2.5}),
        Case("pos_weight = 1: plain binary cross-entropy", {"logits": z, "y": y, "pos_weight": 1.0}),
        Case("a training batch: 90 % pneumonia, pos_weight 388/3494", {"logits": z_train, "y": y_train,
                                                                      "pos_weight": 388 / 3494}),
        Case("float labels, pos_weight 0.5", {"logits": z[:8], "y": y[:8].astype(float), "pos_weight": 0.5}),
        Case("logits of ±1000, right and wrong (stability)", {"logits": z_big, "y": y_big, "pos_weight": 3.0}),
    ]


register(Exercise(
    name="weighted_bce_with_logits",
    signature="weighted_bce_with_logits(logits, y, pos_weight)",
    cases=_bce_cases,
    reference=weighted_bce_reference,
    outputs=(Output("loss", scalar=True), Output("dlogits")),
    mistakes=(
        Mistake("weight_on_negatives", "pos_weight multiplies the loss of the positive examples (y = 1), "
                "pos_weight · y · softplus(−z); you applied it to the negatives.", _on_negatives),
        Mistake("weighted_mean", "PyTorch's pos_weight loss is the plain mean over the N examples; you divided by "
                "the sum of the weights (that is CrossEntropyLoss(weight=...)'s convention, not this one's).",
                _weighted_mean),
        Mistake("sum_not_mean", "the loss is the mean over the examples: divide the sum by N (and dlogits too).",
                _summed),
        Mistake("grad_not_averaged", "dlogits lacks the 1/N of the mean: dlogits = (pos_weight · y · (σ(z) − 1) + "
                "(1 − y) · σ(z)) / N.",
                lambda ref, logits, y, pos_weight: {"dlogits": len(logits) * weighted_bce_reference(
                    ref, logits, y, pos_weight)["dlogits"]}),
        Mistake("grad_sign", "dlogits has the wrong sign: the gradient of the loss is σ(z) − 1 for a positive "
                "(times pos_weight) and σ(z) for a negative, over N.",
                lambda ref, logits, y, pos_weight: {"dlogits": -weighted_bce_reference(
                    ref, logits, y, pos_weight)["dlogits"]}),
        Mistake("unstable_log", "log(sigmoid(z)) overflows for logits of ±1000 (log 0 = −inf, 0 · inf = nan): "
                "write −log σ(z) = softplus(−z) = max(−z, 0) + log1p(exp(−|z|)), and −log(1 − σ(z)) = softplus(z).",
                _naive),
        Mistake("clipped", "clipping the probability (to 1e-7 or 1e-12) keeps the loss finite but wrong for large "
                "logits: a logit of −1000 for a positive costs 1000, not −log(1e-7). Use softplus: "
                "max(z, 0) + log1p(exp(−|z|)).",
                lambda ref, logits, y, pos_weight: {"loss": _naive(ref, logits, y, pos_weight, 1e-7)["loss"]}),
        Mistake("clipped", "clipping the probability (to 1e-7 or 1e-12) keeps the loss finite but wrong for large "
                "logits: a logit of −1000 for a positive costs 1000, not −log(1e-7). Use softplus: "
                "max(z, 0) + log1p(exp(−|z|)).",
                lambda ref, logits, y, pos_weight: {"loss": _naive(ref, logits, y, pos_weight, 1e-12)["loss"]}),
    ),
    hint="loss = mean(pos_weight · y · softplus(−z) + (1 − y) · softplus(z)) with softplus(z) = max(z, 0) + "
         "log1p(exp(−|z|)); dlogits = (pos_weight · y · (σ(z) − 1) + (1 − y) · σ(z)) / N.",
    points=2,
))
