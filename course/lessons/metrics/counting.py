"""What the classification specs share: label cases drawn at random, and torchmetrics' counts and rules.

torchmetrics counts per-class TP, FP, FN and the support (``multiclass_stat_scores``) and divides in
float32; the divisions are redone here in float64 with exactly its rules: x/0 counts as 0; "micro"
pools TP, FP and FN over the classes; "macro" averages the per-class scores over the classes present
in ``y_true`` or ``y_pred`` (TP + FP + FN > 0); "weighted" weights them by the support TP + FN.
The test suite compares these float64 values with torchmetrics' own float32 results.
"""
from __future__ import annotations

import contextlib
import warnings

import numpy as np


@contextlib.contextmanager
def quiet():
    """torchmetrics warns about its own imports and about classes absent from a batch: not the student's business."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def tm():
    """torchmetrics' functional classification module."""
    with quiet():
        from torchmetrics.functional import classification
    return classification


def confusion(ref, y_true, y_pred, num_classes):
    """torchmetrics' confusion matrix (rows true, columns predicted) of int64 label tensors."""
    with quiet():
        return tm().multiclass_confusion_matrix(y_pred, y_true, num_classes=int(num_classes))


def stats(ref, y_true, y_pred, num_classes):
    """Per-class TP, FP, FN as float64 tensors, counted by torchmetrics."""
    with quiet():
        s = tm().multiclass_stat_scores(y_pred, y_true, num_classes=int(num_classes), average="none")
    s = s.to(ref.dtype)
    return s[:, 0], s[:, 1], s[:, 3]


def seen_classes(y_true, y_pred):
    """One more than the largest label that occurs: the class count a careless version infers."""
    return int(max(y_true.max(), y_pred.max())) + 1


def divide(ref, num, den, zero_by_zero=0.0):
    """num / den elementwise, with x/0 counted as ``zero_by_zero`` (0 as torchmetrics' ``_safe_divide``)."""
    torch = ref.torch
    safe = torch.where(den == 0, torch.ones_like(den), den)
    return torch.where(den == 0, torch.full_like(num, zero_by_zero), num / safe)


def per_class(ref, tp, fp, fn, zero_by_zero=0.0):
    """Per-class precision, recall and F1."""
    return (divide(ref, tp, tp + fp, zero_by_zero), divide(ref, tp, tp + fn, zero_by_zero),
            divide(ref, 2 * tp, 2 * tp + fp + fn, zero_by_zero))


def pooled(ref, tp, fp, fn):
    """Micro precision, recall and F1: the counts added over the classes first."""
    TP, FP, FN = tp.sum(), fp.sum(), fn.sum()
    return divide(ref, TP, TP + FP), divide(ref, TP, TP + FN), divide(ref, 2 * TP, 2 * TP + FP + FN)


def class_weights(ref, tp, fp, fn, average):
    """The weights of the classes in torchmetrics' "macro" (present classes) or "weighted" (support)."""
    if average == "weighted":
        return tp + fn
    return ((tp + fp + fn) > 0).to(ref.dtype)


def weighted_mean(ref, values, weights):
    """sum(w · v) / sum(w) for each of the tensors in ``values``, 0 when the weights sum to 0."""
    return tuple(divide(ref, (weights * v).sum(), weights.sum()) for v in values)


def prf(ref, tp, fp, fn, average, weights=None):
    """Precision, recall and F1 reduced by ``average`` as torchmetrics does (or with other ``weights``)."""
    if average == "micro":
        return pooled(ref, tp, fp, fn)
    scores = per_class(ref, tp, fp, fn)
    if average is None:
        return scores
    if weights is None:
        weights = class_weights(ref, tp, fp, fn, average)
    return weighted_mean(ref, scores, weights)


def random_labels(rng, n, K, dtype=np.int64, skip=(), p_correct=0.5):
    """``(y_true, y_pred)``: n labels of the classes 0 … K−1 but ``skip``, about ``p_correct`` of them right."""
    classes = np.array([c for c in range(K) if c not in skip])
    y_true = rng.choice(classes, size=n)
    y_pred = np.where(rng.random(n) < p_correct, y_true, rng.choice(classes, size=n))
    return y_true.astype(dtype), y_pred.astype(dtype)
