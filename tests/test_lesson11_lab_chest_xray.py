"""Lesson 11, applied lab 3 (chest X-rays): right implementations pass, plausible wrong ones fail with their hint."""
from __future__ import annotations

import numpy as np
import pytest

from checkhelpers import assert_fails, assert_passes


# --------------------------------------------------------------------------- class_weights
def class_weights(y, num_classes):
    y = np.asarray(y).astype(int)
    return len(y) / (num_classes * np.bincount(y, minlength=num_classes))


def class_weights_loop(y, num_classes):
    out = []
    for c in range(num_classes):
        out.append(len(y) / (num_classes * sum(1 for v in y if v == c)))
    return np.array(out)


def class_weights_f32(y, num_classes):
    return class_weights(y, num_classes).astype(np.float32)


def test_class_weights_right():
    assert_passes("class_weights", class_weights)
    assert_passes("class_weights", class_weights_loop)
    assert_passes("class_weights", class_weights_f32)


@pytest.mark.parametrize("wrong, mistake, hint", [
    (lambda y, K: K * np.bincount(np.asarray(y).astype(int), minlength=K) / len(y), "inverted", "inverted"),
    (lambda y, K: len(y) / np.bincount(np.asarray(y).astype(int), minlength=K), "no_num_classes", "num_classes"),
    (lambda y, K: np.bincount(np.asarray(y).astype(int), minlength=K) / len(y), "frequency", "frequencies"),
    (lambda y, K: 1 - np.bincount(np.asarray(y).astype(int), minlength=K) / len(y), "one_minus_frequency", "1 − n_c"),
])
def test_class_weights_wrong(wrong, mistake, hint):
    assert_fails("class_weights", wrong, hint=hint, mistake=f"class_weights.{mistake}")


def test_class_weights_none():
    assert_fails("class_weights", lambda y, num_classes: None, hint="return")


# --------------------------------------------------------------------------- weighted_bce_with_logits
def softplus(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def wbce(logits, y, pos_weight):
    z, y = np.asarray(logits, float), np.asarray(y, float)
    loss = np.mean(pos_weight * y * softplus(-z) + (1 - y) * softplus(z))
    return loss, (pos_weight * y * (sigmoid(z) - 1) + (1 - y) * sigmoid(z)) / len(z)


def wbce_loop(logits, y, pos_weight):
    n = len(logits)
    total, grad = 0.0, np.zeros(n)
    for i in range(n):
        z, t = float(logits[i]), float(y[i])
        sp_pos = max(-z, 0) + np.log1p(np.exp(-abs(z)))  # -log sigmoid(z)
        sp_neg = max(z, 0) + np.log1p(np.exp(-abs(z)))   # -log(1 - sigmoid(z))
        total += pos_weight * t * sp_pos + (1 - t) * sp_neg
        p = 1 / (1 + np.exp(-z)) if z >= 0 else np.exp(z) / (1 + np.exp(z))
        grad[i] = (pos_weight * t * (p - 1) + (1 - t) * p) / n
    return total / n, grad


def wbce_logaddexp(logits, y, pos_weight):
    """The same loss written with np.logaddexp (another stable form)."""
    z, y = np.asarray(logits, float), np.asarray(y, float)
    w = 1 + (pos_weight - 1) * y
    loss = np.mean((1 - y) * z + w * np.logaddexp(0, -z))
    p = np.exp(-np.logaddexp(0, -z))
    return loss, (pos_weight * y * (p - 1) + (1 - y) * p) / len(z)


def wbce_f32(logits, y, pos_weight):
    loss, g = wbce(np.asarray(logits, np.float32), np.asarray(y, np.float32), np.float32(pos_weight))
    return np.float32(loss), g.astype(np.float32)


def test_weighted_bce_right():
    for fn in (wbce, wbce_loop, wbce_logaddexp, wbce_f32):
        assert_passes("weighted_bce_with_logits", fn)


def _wbce_negatives(logits, y, pos_weight):
    z, y = np.asarray(logits, float), np.asarray(y, float)
    loss = np.mean(y * softplus(-z) + pos_weight * (1 - y) * softplus(z))
    return loss, (y * (sigmoid(z) - 1) + pos_weight * (1 - y) * sigmoid(z)) / len(z)


def _wbce_weighted_mean(logits, y, pos_weight):
    z, y = np.asarray(logits, float), np.asarray(y, float)
    w = np.where(y == 1, pos_weight, 1.0)
    loss = np.sum(pos_weight * y * softplus(-z) + (1 - y) * softplus(z)) / w.sum()
    return loss, (pos_weight * y * (sigmoid(z) - 1) + (1 - y) * sigmoid(z)) / w.sum()


def _wbce_sum(logits, y, pos_weight):
    loss, g = wbce(logits, y, pos_weight)
    return loss * len(logits), g * len(logits)


def _wbce_grad_not_averaged(logits, y, pos_weight):
    loss, g = wbce(logits, y, pos_weight)
    return loss, g * len(logits)


def _wbce_grad_sign(logits, y, pos_weight):
    loss, g = wbce(logits, y, pos_weight)
    return loss, -g


def _wbce_naive(logits, y, pos_weight):
    z, y = np.asarray(logits, float), np.asarray(y, float)
    p = 1 / (1 + np.exp(-z))
    loss = -np.mean(pos_weight * y * np.log(p) + (1 - y) * np.log(1 - p))
    return loss, (pos_weight * y * (p - 1) + (1 - y) * p) / len(z)


def _wbce_clipped(eps):
    def fn(logits, y, pos_weight):
        z, y = np.asarray(logits, float), np.asarray(y, float)
        p = np.clip(sigmoid(z), eps, 1 - eps)
        loss = -np.mean(pos_weight * y * np.log(p) + (1 - y) * np.log(1 - p))
        return loss, (pos_weight * y * (sigmoid(z) - 1) + (1 - y) * sigmoid(z)) / len(z)
    return fn


@pytest.mark.parametrize("wrong, mistake, hint", [
    (_wbce_negatives, "weight_on_negatives", "applied it to the negatives"),
    (_wbce_weighted_mean, "weighted_mean", "sum of the weights"),
    (_wbce_sum, "sum_not_mean", "mean over the examples"),
    (_wbce_grad_not_averaged, "grad_not_averaged", "1/N"),
    (_wbce_grad_sign, "grad_sign", "wrong sign"),
    (_wbce_clipped(1e-7), "clipped", "clipping"),
    (_wbce_clipped(1e-12), "clipped", "clipping"),
])
def test_weighted_bce_wrong(wrong, mistake, hint):
    assert_fails("weighted_bce_with_logits", wrong, hint=hint, mistake=f"weighted_bce_with_logits.{mistake}")


def test_weighted_bce_unstable_at_1000():
    with np.errstate(all="ignore"):
        message = assert_fails("weighted_bce_with_logits", _wbce_naive, hint="softplus",
                               mistake="weighted_bce_with_logits.unstable_log")
    assert "±1000" in message


def test_weighted_bce_one_output():
    assert_fails("weighted_bce_with_logits", lambda logits, y, pos_weight: wbce(logits, y, pos_weight)[0],
                 hint="two values")


# --------------------------------------------------------------------------- sensitivity_specificity
def sens_spec(y_true, y_pred):
    t, p = np.asarray(y_true) == 1, np.asarray(y_pred).astype(bool)
    tp, fn, tn, fp = np.sum(t & p), np.sum(t & ~p), np.sum(~t & ~p), np.sum(~t & p)
    return (tp / (tp + fn) if tp + fn else 0.0), (tn / (tn + fp) if tn + fp else 0.0)


def sens_spec_loop(y_true, y_pred):
    tp = fn = tn = fp = 0
    for t, p in zip(y_true, y_pred):
        if t == 1 and p:
            tp += 1
        elif t == 1:
            fn += 1
        elif p:
            fp += 1
        else:
            tn += 1
    return (tp / (tp + fn) if tp + fn > 0 else 0.0), (tn / (tn + fp) if tn + fp > 0 else 0.0)


def sens_spec_f32(y_true, y_pred):
    s, c = sens_spec(y_true, y_pred)
    return np.float32(s), np.float32(c)


def test_sensitivity_specificity_right():
    for fn in (sens_spec, sens_spec_loop, sens_spec_f32):
        assert_passes("sensitivity_specificity", fn)


def _ss_nan(y_true, y_pred):
    t, p = np.asarray(y_true) == 1, np.asarray(y_pred).astype(bool)
    with np.errstate(all="ignore"):
        return np.float64(np.sum(t & p)) / np.sum(t), np.float64(np.sum(~t & ~p)) / np.sum(~t)


def _ss_precision(y_true, y_pred):
    t, p = np.asarray(y_true) == 1, np.asarray(y_pred).astype(bool)
    return np.sum(t & p) / max(np.sum(p), 1), sens_spec(y_true, y_pred)[1]


@pytest.mark.parametrize("wrong, mistake, hint", [
    (lambda t, p: (sens_spec(t, p)[0], 1 - sens_spec(t, p)[0]), "one_minus_sensitivity", "not 1 − sensitivity"),
    (lambda t, p: sens_spec(t, p)[::-1], "swapped", "swapped"),
    (_ss_precision, "precision", "precision"),
    (_ss_nan, "nan_for_empty", "0/0"),
])
def test_sensitivity_specificity_wrong(wrong, mistake, hint):
    assert_fails("sensitivity_specificity", wrong, hint=hint, mistake=f"sensitivity_specificity.{mistake}")


# --------------------------------------------------------------------------- youden_threshold
def youden(y_true, scores):
    y, s = np.asarray(y_true) == 1, np.asarray(scores)
    P, N = int(y.sum()), int((~y).sum())
    best, best_t = None, None
    for t in np.unique(s):
        tp = int(np.sum((s >= t) & y))
        tn = int(np.sum((s < t) & ~y))
        value = tp * N + tn * P
        if best is None or value >= best:
            best, best_t = value, t
    return best_t


def youden_vectorized(y_true, scores):
    y, s = np.asarray(y_true) == 1, np.asarray(scores)
    ts = np.unique(s)
    above = s[None, :] >= ts[:, None]
    tp = (above & y).sum(1).astype(np.int64)
    tn = (~above & ~y).sum(1).astype(np.int64)
    value = tp * int((~y).sum()) + tn * int(y.sum())
    return ts[np.flatnonzero(value == value.max())[-1]]


def youden_f32(y_true, scores):
    return youden_vectorized(y_true, np.asarray(scores, np.float32).astype(np.float64))


def test_youden_threshold_right():
    assert_passes("youden_threshold", youden)
    assert_passes("youden_threshold", youden_vectorized)


def _youden_generic(score, ties="largest", strict=False, index=False):
    def fn(y_true, scores):
        y, s = np.asarray(y_true) == 1, np.asarray(scores)
        ts = np.unique(s)
        above = s[None, :] > ts[:, None] if strict else s[None, :] >= ts[:, None]
        tp, tn = (above & y).sum(1), (~above & ~y).sum(1)
        P, N = int(y.sum()), int((~y).sum())
        value = {"acc": tp + tn, "float": tp / P + tn / N - 1, "exact": tp * N + tn * P}[score]
        i = np.argmax(value) if ties == "smallest" else np.flatnonzero(value == value.max())[-1]
        return float(i) if index else ts[i]
    return fn


@pytest.mark.parametrize("wrong, mistake, hint", [
    (_youden_generic("acc"), "accuracy", "accuracy"),
    (_youden_generic("exact", ties="smallest"), "ties_smallest", "largest one wins"),
    (_youden_generic("float"), "float_ties", "integers"),
    (_youden_generic("exact", strict=True), "strict", "score >= t"),
    (_youden_generic("exact", index=True), "index", "index"),
])
def test_youden_threshold_wrong(wrong, mistake, hint):
    assert_fails("youden_threshold", wrong, hint=hint, mistake=f"youden_threshold.{mistake}")


# --------------------------------------------------------------------------- xray_cnn
@pytest.fixture(scope="module")
def xray():
    from course import data
    from course.lessons import lab_chest_xray as L

    X_train, y_train = data.load_pneumoniamnist("train")
    X_val, y_val = data.load_pneumoniamnist("val")
    X_test, y_test = data.load_pneumoniamnist("test")
    model, _ = L.train_cnn(X_train, y_train, **L.experiments.LAB_SETTINGS, pos_weight=388 / 3494, seed=0, progress=False)
    predict = lambda images: L.predict_proba(model, images)  # noqa: E731
    return {"model": model, "predict": predict, "X_val": X_val, "y_val": y_val, "X_test": X_test, "y_test": y_test}


def _mean_intensity(images):
    """A weak but honest model: darker lungs, more pneumonia (no training)."""
    m = np.asarray(images, float).mean(axis=(1, 2))
    return 1 / (1 + np.exp(-(m - 145) / 10))


def test_xray_cnn_right(xray):
    t = youden(xray["y_val"], xray["predict"](xray["X_val"]))
    assert_passes("xray_cnn", xray["predict"], t, seeds=(0,))
    assert_passes("xray_cnn", xray["predict"], float(t), seeds=(0,))


def test_xray_cnn_threshold_on_test(xray):
    t_test = youden(xray["y_test"], xray["predict"](xray["X_test"]))
    assert_fails("xray_cnn", xray["predict"], t_test, hint="TEST scores", mistake="xray_cnn.test_threshold")


@pytest.mark.parametrize("choose, mistake", [
    (lambda y, s: _youden_generic("acc")(y, s), "accuracy_threshold"),
    (lambda y, s: 0.5, "default_half"),
])
def test_xray_cnn_wrong_threshold(choose, mistake):
    from course import data

    X_val, y_val = data.load_pneumoniamnist("val")
    assert_fails("xray_cnn", _mean_intensity, choose(y_val, _mean_intensity(X_val)), mistake=f"xray_cnn.{mistake}")


def test_xray_cnn_below_the_bar_says_the_figures():
    from course import data

    X_val, y_val = data.load_pneumoniamnist("val")
    message = assert_fails("xray_cnn", _mean_intensity, youden(y_val, _mean_intensity(X_val)), hint="test AUC")
    assert "measured: test AUC" in message and "bar 0.95" in message and "bar 0.86" in message


def test_xray_cnn_train_mode_and_types(xray):
    import torch

    model, t = xray["model"], 0.5
    from course.lessons.lab_chest_xray import to_input

    def train_mode(images):  # dropout left on
        model.train()
        with torch.no_grad():
            return torch.sigmoid(model(to_input(images))[:, 0]).numpy().astype(float)

    try:
        assert_fails("xray_cnn", train_mode, t, hint="model.eval()")
    finally:
        model.eval()
    assert_fails("xray_cnn", lambda images: torch.as_tensor(_mean_intensity(images)), t, hint="torch tensor")
    assert_fails("xray_cnn", lambda images: 10 * _mean_intensity(images), t, hint="sigmoid")
    assert_fails("xray_cnn", lambda images: _mean_intensity(images)[:5], t, hint="one probability per image")
    assert_fails("xray_cnn", _mean_intensity, None, hint="None")
