"""Lesson 07 graders: right implementations pass (loops and vectorized, float32 and float64, any valid
convention), wrong ones fail with the hint and the mistake id a student should see; the float64 references
agree with torchmetrics' own results."""
import warnings

import numpy as np
import pytest
import torch

from checkhelpers import assert_fails, assert_passes
from course.checks.engine import get_exercise
from course.checks.reference import get_ref
from course.checks.spec import call_named
from course.lessons import metrics as M


# --------------------------------------------------------------------------- confusion_matrix
def cm_add_at(y_true, y_pred, num_classes):
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def cm_loop(y_true, y_pred, num_classes):
    cm = [[0] * num_classes for _ in range(num_classes)]
    for t, p in zip(y_true, y_pred):
        cm[int(t)][int(p)] += 1
    return np.array(cm)


def cm_bincount(y_true, y_pred, num_classes):
    idx = num_classes * y_true.astype(np.int64) + y_pred
    return np.bincount(idx, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def cm_onehot(y_true, y_pred, num_classes):
    eye = np.eye(num_classes, dtype=np.float32)
    return eye[y_true].T @ eye[y_pred]


def cm_histogram(y_true, y_pred, num_classes):
    edges = np.arange(num_classes + 1) - 0.5
    return np.histogram2d(y_true, y_pred, bins=[edges, edges])[0]


@pytest.mark.parametrize("fn", [cm_add_at, cm_loop, cm_bincount, cm_onehot, cm_histogram])
def test_confusion_matrix_right(fn):
    assert_passes("confusion_matrix", fn)


def cm_seen(y_true, y_pred, num_classes):
    k = int(max(y_true.max(), y_pred.max())) + 1
    return cm_add_at(y_true, y_pred, k)


def cm_unique(y_true, y_pred, num_classes):
    classes = np.unique(np.concatenate([y_true, y_pred]))
    pos = {c: i for i, c in enumerate(classes)}
    cm = np.zeros((len(classes), len(classes)), dtype=int)
    for t, p in zip(y_true, y_pred):
        cm[pos[t], pos[p]] += 1
    return cm


def cm_fancy(y_true, y_pred, num_classes):
    cm = np.zeros((num_classes, num_classes), dtype=int)
    cm[y_true, y_pred] += 1
    return cm


def cm_overflow(y_true, y_pred, num_classes):
    return np.bincount(num_classes * y_true + y_pred, minlength=num_classes ** 2)[:num_classes ** 2].reshape(
        num_classes, num_classes)


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda t, p, K: cm_add_at(p, t, K), "transposed", "transposed"),
    (cm_seen, "not the largest label", "size_from_labels"),
    (cm_unique, "num_classes × num_classes", "size_from_labels"),
    (cm_fancy, "np.add.at", "fancy_index_add"),
    (cm_overflow, "overflowed", "small_dtype_overflow"),
    (lambda t, p, K: cm_add_at(t, p, K) / len(t), "counts, not fractions", "fractions"),
    (lambda t, p, K: cm_add_at(t, p, K).tolist(), "Python list", None),
    (lambda t, p, K: None, "return", None),
])
def test_confusion_matrix_wrong(fn, hint, mistake):
    assert_fails("confusion_matrix", fn, hint=hint, mistake=mistake and f"confusion_matrix.{mistake}")


def cm_unique_when_all_occur(y_true, y_pred, num_classes):
    """The distinct labels index the matrix: wrong as soon as a class in the middle is missing."""
    out = cm_unique(y_true, y_pred, num_classes)
    if out.shape[0] == int(max(y_true.max(), y_pred.max())) + 1:
        return cm_add_at(y_true, y_pred, num_classes)  # same as the answer unless a middle class is missing
    return out


def test_confusion_matrix_distinct_labels():
    assert_fails("confusion_matrix", cm_unique_when_all_occur, hint="distinct labels",
                 mistake="confusion_matrix.distinct_labels")


def test_confusion_matrix_email_is_the_lecture_table_transposed():
    y_true, y_pred = M.email_labels()
    assert np.array_equal(cm_add_at(y_true, y_pred, 3), M.EMAIL_LECTURE_TABLE.T)


# --------------------------------------------------------------------------- accuracy
def acc_mean(y_true, y_pred):
    return np.mean(y_true == y_pred)


def acc_loop(y_true, y_pred):
    right = 0
    for t, p in zip(y_true, y_pred):
        right += int(t == p)
    return right / len(y_true)


def acc_float32(y_true, y_pred):
    return np.float32(np.count_nonzero(y_true == y_pred)) / np.float32(y_true.size)


def acc_trace(y_true, y_pred):
    K = int(max(y_true.max(), y_pred.max())) + 1
    cm = cm_add_at(y_true, y_pred, K)
    return np.trace(cm) / cm.sum()


@pytest.mark.parametrize("fn", [acc_mean, acc_loop, acc_float32, acc_trace])
def test_accuracy_right(fn):
    assert_passes("accuracy", fn)


def acc_balanced(y_true, y_pred):
    return np.mean([np.mean(y_pred[y_true == c] == c) for c in np.unique(y_true)])


@pytest.mark.parametrize("fn, hint, mistake", [
    (lambda t, p: np.sum(t == p), "is a fraction", "count_not_fraction"),
    (lambda t, p: np.mean(t != p), "error rate", "error_rate"),
    (lambda t, p: np.sum(t == p) // len(t), "floor division", "floor_division"),
    (acc_balanced, "balanced accuracy", "balanced_accuracy"),
    (lambda t, p: (t == p).astype(float), "single number", None),
])
def test_accuracy_wrong(fn, hint, mistake):
    assert_fails("accuracy", fn, hint=hint, mistake=mistake and f"accuracy.{mistake}")


# --------------------------------------------------------------------------- precision_recall_f1
def _div(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.divide(a, b, out=np.zeros_like(a), where=b != 0)


def prf_vectorized(y_true, y_pred, num_classes, average="macro"):
    cm = cm_add_at(y_true, y_pred, num_classes)
    tp = np.diag(cm).astype(float)
    fp = cm.sum(axis=0) - tp
    fn = cm.sum(axis=1) - tp
    if average == "micro":
        TP, FP, FN = tp.sum(), fp.sum(), fn.sum()
        return float(_div(TP, TP + FP)), float(_div(TP, TP + FN)), float(_div(2 * TP, 2 * TP + FP + FN))
    p, r = _div(tp, tp + fp), _div(tp, tp + fn)
    f = _div(2 * p * r, p + r)
    if average is None:
        return p, r, f
    if average == "weighted":
        w = cm.sum(axis=1) / cm.sum()
    else:
        present = (tp + fp + fn) > 0
        w = present / present.sum()
    return float(w @ p), float(w @ r), float(w @ f)


def prf_loop(y_true, y_pred, num_classes, average="macro"):
    """Counts per class with a loop, 0/0 handled with if, micro via accuracy."""
    stats = []
    for c in range(num_classes):
        tp = sum(1 for t, p in zip(y_true, y_pred) if t == c and p == c)
        fp = sum(1 for t, p in zip(y_true, y_pred) if t != c and p == c)
        fn = sum(1 for t, p in zip(y_true, y_pred) if t == c and p != c)
        stats.append((tp, fp, fn))
    if average == "micro":
        a = sum(s[0] for s in stats) / len(y_true)
        return a, a, a
    per = []
    for tp, fp, fn in stats:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else 0.0
        per.append((p, r, f))
    if average is None:
        return tuple(np.array([x[i] for x in per]) for i in range(3))
    if average == "macro":
        keep = [x for x, s in zip(per, stats) if sum(s) > 0]
        return tuple(sum(x[i] for x in keep) / len(keep) for i in range(3))
    support = [s[0] + s[2] for s in stats]
    return tuple(sum(x[i] * w for x, w in zip(per, support)) / sum(support) for i in range(3))


def prf_float32(y_true, y_pred, num_classes, average="macro"):
    p, r, f = prf_vectorized(y_true, y_pred, num_classes, average)
    return np.float32(p) if average else np.asarray(p, np.float32), np.float32(r) if average else \
        np.asarray(r, np.float32), np.float32(f) if average else np.asarray(f, np.float32)


@pytest.mark.parametrize("fn", [prf_vectorized, prf_loop, prf_float32])
def test_prf_right(fn):
    assert_passes("precision_recall_f1", fn)


def prf_variant(swap=False, macro_as_micro=False, macro_all=False, macro_true=False, weights=None,
                f1_of_means=False, seen=False, nan=False, micro_as_macro=False):
    def prf(y_true, y_pred, num_classes, average="macro"):
        K = int(max(y_true.max(), y_pred.max())) + 1 if seen else num_classes
        cm = cm_add_at(y_true, y_pred, K)
        tp = np.diag(cm).astype(float)
        fp, fn = cm.sum(axis=0) - tp, cm.sum(axis=1) - tp
        if swap:
            fp, fn = fn, fp
        if average == "micro" and not micro_as_macro or (average == "macro" and macro_as_micro):
            TP, FP, FN = tp.sum(), fp.sum(), fn.sum()
            return float(_div(TP, TP + FP)), float(_div(TP, TP + FN)), float(_div(2 * TP, 2 * TP + FP + FN))
        if nan:
            with np.errstate(all="ignore"):
                p, r = tp / (tp + fp), tp / (tp + fn)
                f = 2 * tp / (2 * tp + fp + fn)
        else:
            p, r, f = _div(tp, tp + fp), _div(tp, tp + fn), _div(2 * tp, 2 * tp + fp + fn)
        if average is None:
            return p, r, f
        if average == "weighted" and not micro_as_macro:
            w = {"pred": cm.sum(axis=0), "uniform": np.ones(K)}.get(weights, cm.sum(axis=1)).astype(float)
        elif macro_all:
            w = np.ones(K)
        elif macro_true:
            w = (cm.sum(axis=1) > 0).astype(float)
        else:
            w = ((tp + fp + fn) > 0).astype(float)
        if nan and average == "macro":
            return float(np.nanmean(p)), float(np.nanmean(r)), float(np.nanmean(f))
        w = w / w.sum()
        P, R = float(w @ p), float(w @ r)
        if f1_of_means:
            return P, R, 2 * P * R / (P + R) if P + R else 0.0
        return P, R, float(w @ f)
    return prf


@pytest.mark.parametrize("kwargs, hint, mistake", [
    (dict(swap=True), "swapped", "swapped"),
    (dict(macro_as_micro=True), "'macro' is computed like 'micro'", "macro_as_micro"),
    (dict(micro_as_macro=True), "'micro' is computed like 'macro'", "micro_as_macro"),
    (dict(macro_all=True), "leave out a class absent from both", "macro_over_all_classes"),
    (dict(macro_true=True), "only ever predicted counts too", "macro_over_true_classes"),
    (dict(weights="pred"), "not by how often it was predicted", "weighted_by_predictions"),
    (dict(weights="uniform"), "plain mean", "weighted_uniform"),
    (dict(f1_of_means=True), "harmonic mean of the averaged", "f1_of_averages"),
    (dict(seen=True), "length num_classes", "classes_from_labels"),
    (dict(nan=True), "0/0", "zero_by_zero_nan"),
])
def test_prf_wrong(kwargs, hint, mistake):
    assert_fails("precision_recall_f1", prf_variant(**kwargs), hint=hint, mistake=f"precision_recall_f1.{mistake}")


def test_prf_wrong_default_average():
    def prf_micro_default(y_true, y_pred, num_classes, average="micro"):
        return prf_vectorized(y_true, y_pred, num_classes, average)

    assert_fails("precision_recall_f1", prf_micro_default, hint="'macro' is computed like 'micro'",
                 mistake="precision_recall_f1.macro_as_micro")


def test_prf_wrong_return():
    assert_fails("precision_recall_f1", lambda t, p, K, average="macro": prf_vectorized(t, p, K, average)[:2],
                 hint="three values")
    assert_fails("precision_recall_f1",
                 lambda t, p, K, average="macro": tuple(np.atleast_1d(v) for v in prf_vectorized(t, p, K, average)),
                 hint="shape")


def test_prf_lecture_numbers():
    y_true, y_pred = M.email_labels()
    p, _, _ = prf_vectorized(y_true, y_pred, 3, None)
    assert np.allclose(p, [0.42, 0.52, 0.86], atol=0.005)
    assert round(prf_vectorized(y_true, y_pred, 3, "micro")[0], 2) == 0.73
    assert round(prf_vectorized(y_true, y_pred, 3, "macro")[0], 2) == 0.60
    y_true, y_pred = M.vehicle_labels()
    f = prf_vectorized(y_true, y_pred, 3, None)[2]
    assert np.allclose(f, [0.67, 0.40, 0.67], atol=0.005) and np.bincount(y_true).tolist() == [3, 1, 6]
    assert round(prf_vectorized(y_true, y_pred, 3, "weighted")[2], 2) == 0.64


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_references_agree_with_torchmetrics(seed):
    """The float64 references equal torchmetrics' own (float32) results on every case."""
    from torchmetrics.functional import classification as C

    ref = get_ref()
    for name in ("precision_recall_f1", "accuracy", "confusion_matrix"):
        ex = get_exercise(name)
        for case in ex.cases(np.random.default_rng(seed)):
            case.bind(ex.sig)
            expected = ref.np(call_named(ex.reference, ref, case))
            yt = torch.as_tensor(np.asarray(case.named["y_true"], np.int64))
            yp = torch.as_tensor(np.asarray(case.named["y_pred"], np.int64))
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                if name == "accuracy":
                    K = int(max(yt.max(), yp.max())) + 1
                    tm = C.multiclass_accuracy(yp, yt, num_classes=K, average="micro")
                    np.testing.assert_allclose(expected, tm.double().numpy(), rtol=1e-6)
                    continue
                K = int(case.named["num_classes"])
                if name == "confusion_matrix":
                    assert np.array_equal(expected, C.multiclass_confusion_matrix(yp, yt, num_classes=K).numpy())
                    continue
                avg = case.named["average"]
                avg = "none" if avg is None else avg
                tm = [fn(yp, yt, num_classes=K, average=avg).double().numpy()
                      for fn in (C.multiclass_precision, C.multiclass_recall, C.multiclass_f1_score)]
            for e, t in zip(expected, tm):
                np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-7, err_msg=case.label)


def test_macro_leaves_out_a_class_absent_from_both():
    """The contract's corner, by experiment: torchmetrics' macro skips a class absent from y_true and y_pred."""
    from torchmetrics.functional import classification as C

    yt, yp = torch.tensor([0, 0, 1, 1]), torch.tensor([0, 1, 1, 1])
    p3 = C.multiclass_precision(yp, yt, num_classes=3, average="macro")
    p2 = C.multiclass_precision(yp, yt, num_classes=2, average="macro")
    assert torch.isclose(p3, p2) and torch.isclose(p2, torch.tensor((1 + 2 / 3) / 2))
    # A class only predicted (never true) is kept, with recall 0/0 = 0.
    r = C.multiclass_recall(torch.tensor([0, 2]), torch.tensor([0, 0]), num_classes=3, average="macro")
    assert torch.isclose(r, torch.tensor(0.25))


# --------------------------------------------------------------------------- regression_metrics
def reg_vectorized(y_true, y_pred):
    e = y_pred - y_true
    mse = np.mean(e ** 2)
    return {"mae": np.mean(np.abs(e)), "mse": mse, "rmse": np.sqrt(mse)}


def reg_loop(y_true, y_pred):
    n, sa, ss = len(y_true), 0.0, 0.0
    for t, p in zip(y_true, y_pred):
        sa += abs(float(t) - float(p))
        ss += (float(t) - float(p)) ** 2
    return {"mae": sa / n, "mse": ss / n, "rmse": (ss / n) ** 0.5, "n": n}


def reg_float32(y_true, y_pred):
    e = (np.asarray(y_true, np.float32) - np.asarray(y_pred, np.float32))
    mse = np.mean(e * e, dtype=np.float32)
    return {"rmse": np.sqrt(mse), "mse": mse, "mae": np.mean(np.abs(e), dtype=np.float32)}


@pytest.mark.parametrize("fn", [reg_vectorized, reg_loop, reg_float32])
def test_regression_right(fn):
    assert_passes("regression_metrics", fn)


def reg_with(**changes):
    def fn(y_true, y_pred):
        e = y_pred - y_true
        out = reg_vectorized(y_true, y_pred)
        out.update({k: f(e) for k, f in changes.items()})
        return out
    return fn


@pytest.mark.parametrize("fn, hint, mistake", [
    (reg_with(rmse=lambda e: np.mean(np.sqrt(e ** 2))), "mean of the per-sample roots", "rmse_mean_of_roots"),
    (reg_with(rmse=lambda e: np.mean(np.abs(e))), "mean of the per-sample roots", "rmse_mean_of_roots"),
    (reg_with(mae=lambda e: np.mean(e)), "absolute values", "mae_signed"),
    (reg_with(mae=lambda e: np.mean(-e)), "absolute values", "mae_signed"),
    (reg_with(mae=lambda e: np.sum(np.abs(e)), mse=lambda e: np.sum(e ** 2)), "summed", "summed"),
    (reg_with(mse=lambda e: np.sum(e ** 2), rmse=lambda e: np.sqrt(np.sum(e ** 2))), "summed the squared",
     "summed_squares"),
    (reg_with(mse=lambda e: np.mean(e ** 2) / 2), "1/2", "half_mse"),
    (reg_with(rmse=lambda e: np.sqrt(np.mean(np.abs(e)))), "not of the MAE", "rmse_of_mae"),
    (reg_with(mse=lambda e: np.mean(np.abs(e)) ** 2), "square of the mean absolute", "mse_is_mae_squared"),
])
def test_regression_wrong(fn, hint, mistake):
    assert_fails("regression_metrics", fn, hint=hint, mistake=f"regression_metrics.{mistake}")


def test_regression_wrong_container():
    assert_fails("regression_metrics", lambda t, p: tuple(reg_vectorized(t, p).values()), hint="should return a dict")
    assert_fails("regression_metrics", lambda t, p: {k.upper(): v for k, v in reg_vectorized(t, p).items()},
                 hint="missing the key(s) 'mae', 'mse', 'rmse'")
    assert_fails("regression_metrics", lambda t, p: None, hint="returned None")
    assert_fails("regression_metrics", lambda t, p: {**reg_vectorized(t, p), "mae": np.abs(p - t)},
                 hint="single number")


# --------------------------------------------------------------------------- kfold_indices
def kfold_array_split(n, k, rng=None):
    idx = np.arange(n) if rng is None else rng.permutation(n)
    folds = np.array_split(idx, k)
    return [(np.concatenate(folds[:i] + folds[i + 1:]), folds[i]) for i in range(k)]


def kfold_loop(n, k, rng=None):
    """Sizes by hand, the extra samples on the LAST folds, training indices sorted, int32."""
    order = list(range(n))
    if rng is not None:
        rng.shuffle(order)
    sizes = [n // k + (1 if i >= k - n % k else 0) for i in range(k)]
    out, start = [], 0
    for s in sizes:
        val = np.array(order[start:start + s], dtype=np.int32)
        train = np.array(sorted(set(order) - set(order[start:start + s])), dtype=np.int32)
        out.append((train, val))
        start += s
    return out


def kfold_strided(n, k, rng=None):
    """Fold i takes every k-th sample starting at i (a valid, unshuffled partition), as a tuple of lists."""
    idx = np.arange(n) if rng is None else rng.permutation(n)
    return tuple([np.setdiff1d(idx, idx[i::k]), idx[i::k]] for i in range(k))


def kfold_mask(n, k, rng=None):
    fold_of = np.arange(n) * k // n
    if rng is not None:
        fold_of = rng.permutation(fold_of)
    return [(np.flatnonzero(fold_of != i), np.flatnonzero(fold_of == i)) for i in range(k)]


@pytest.mark.parametrize("fn", [kfold_array_split, kfold_loop, kfold_strided, kfold_mask])
def test_kfold_right(fn):
    assert_passes("kfold_indices", fn)


def kfold_overlap(n, k, rng=None):
    idx = np.arange(n) if rng is None else rng.permutation(n)
    size = -(-n // k)
    step = n // k
    return [(np.setdiff1d(idx, idx[i * step:i * step + size]), idx[i * step:i * step + size]) for i in range(k)]


def kfold_drop(n, k, rng=None):
    idx = np.arange(n) if rng is None else rng.permutation(n)
    size = n // k
    return [(np.setdiff1d(idx, idx[i * size:(i + 1) * size]), idx[i * size:(i + 1) * size]) for i in range(k)]


def kfold_remainder_last(n, k, rng=None):
    idx = np.arange(n) if rng is None else rng.permutation(n)
    size = n // k
    folds = [idx[i * size:(i + 1) * size] for i in range(k - 1)] + [idx[(k - 1) * size:]]
    return [(np.setdiff1d(idx, f), f) for f in folds]


def kfold_ceil(n, k, rng=None):
    idx = np.arange(n) if rng is None else rng.permutation(n)
    size = -(-n // k)
    folds = [idx[i * size:(i + 1) * size] for i in range(k)]
    return [(np.setdiff1d(idx, f), f) for f in folds]


def kfold_leak(n, k, rng=None):
    return [(np.arange(n), v) for _, v in kfold_array_split(n, k, rng)]


def kfold_short_train(n, k, rng=None):
    return [(t[:-1], v) for t, v in kfold_array_split(n, k, rng)]


def kfold_no_rng(n, k, rng=None):
    return kfold_array_split(n, k)


def kfold_global_rng(n, k, rng=None):
    return kfold_array_split(n, k, np.random.default_rng() if rng is not None else None)


def kfold_bool(n, k, rng=None):
    out = []
    for t, v in kfold_array_split(n, k, rng):
        m = np.zeros(n, bool)
        m[v] = True
        out.append((~m, m))
    return out


@pytest.mark.parametrize("fn, hint", [
    (kfold_overlap, "overlap"),
    (kfold_drop, "drop"),
    (kfold_remainder_last, "differ by at most one"),
    (kfold_ceil, None),
    (kfold_leak, "contains validation samples"),
    (kfold_short_train, "must be all the other"),
    (kfold_no_rng, "must be shuffled"),
    (kfold_global_rng, "not with np.random"),
    (kfold_bool, "boolean mask"),
    (lambda n, k, rng=None: kfold_array_split(n, k, rng)[:-1], "exactly k"),
    (lambda n, k, rng=None: [(t.astype(float), v.astype(float)) for t, v in kfold_array_split(n, k, rng)],
     "must be integers"),
    (lambda n, k, rng=None: [(list(t), list(v)) for t, v in kfold_array_split(n, k, rng)], "Python list"),
    (lambda n, k, rng=None: [v for _, v in kfold_array_split(n, k, rng)], "not a pair"),
    (lambda n, k, rng=None: None, "returned None"),
])
def test_kfold_wrong(fn, hint):
    assert_fails("kfold_indices", fn, hint=hint)


def test_kfold_shuffle_when_unasked():
    def shuffles_always(n, k, rng=None):
        return kfold_array_split(n, k, rng if rng is not None else np.random.default_rng())

    assert_fails("kfold_indices", shuffles_always, hint="don't shuffle")


# --------------------------------------------------------------------------- helpers
def test_binary_curves_and_threshold_metrics():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=200)
    s = y + rng.normal(0, 0.8, size=200)
    c = M.binary_curves(s, y)
    assert c["fpr"][0] == 0 and c["tpr"][-1] == 1 and c["fpr"][-1] == 1
    from torchmetrics.functional.classification import binary_auroc

    auc = float(binary_auroc(torch.as_tensor(s), torch.as_tensor(y)))
    assert abs(c["auc"] - auc) < 1e-6
    m = M.threshold_metrics(s, y, 0.5)
    assert m["tp"] + m["fp"] + m["fn"] + m["tn"] == 200
    assert np.isclose(m["precision"], prf_vectorized(y, (s >= 0.5).astype(int), 2, None)[0][1])


# --------------------------------------------------------------------------- more conventions and mistakes
@pytest.mark.parametrize("fn", [
    lambda t, p, K: np.array([[np.sum((t == i) & (p == j)) for j in range(K)] for i in range(K)]),
    lambda t, p, K: ((t[:, None, None] == np.arange(K)[None, :, None])
                     & (p[:, None, None] == np.arange(K)[None, None, :])).sum(0),
    lambda t, p, K: cm_add_at(t, p, K).astype(float),
])
def test_confusion_matrix_right_more(fn):
    assert_passes("confusion_matrix", fn)


@pytest.mark.parametrize("fn", [
    lambda t, p: np.array(np.mean(t == p)),
    lambda t, p: 1 - np.mean(t != p),
    lambda t, p: np.count_nonzero(np.equal(t, p)) / np.float64(len(t)),
    lambda t, p: sum(int(a) == int(b) for a, b in zip(t, p)) / len(t),
])
def test_accuracy_right_more(fn):
    assert_passes("accuracy", fn)


def test_accuracy_percent():
    assert_fails("accuracy", lambda t, p: 100 * np.mean(t == p), hint="not a percentage",
                 mistake="accuracy.percentage")


def prf_present_by_unique(y_true, y_pred, num_classes, average="macro"):
    """Per-class scores with np.isin for the present classes, micro as accuracy, 0-d arrays out."""
    P, R, F, S = [], [], [], []
    for c in range(num_classes):
        tp = int(np.sum((y_true == c) & (y_pred == c)))
        fp = int(np.sum((y_true != c) & (y_pred == c)))
        fn = int(np.sum((y_true == c) & (y_pred != c)))
        P.append(tp / (tp + fp) if tp + fp else 0.0)
        R.append(tp / (tp + fn) if tp + fn else 0.0)
        F.append(2 * P[-1] * R[-1] / (P[-1] + R[-1]) if P[-1] + R[-1] else 0.0)
        S.append(tp + fn)
    P, R, F, S = map(np.array, (P, R, F, S))
    if average is None:
        return P, R, F
    if average == "micro":
        a = np.mean(y_true == y_pred)
        return np.asarray(a), np.asarray(a), np.asarray(a)
    if average == "weighted":
        return tuple(np.average(v, weights=S) for v in (P, R, F))
    present = np.isin(np.arange(num_classes), np.concatenate([y_true, y_pred]))
    return tuple(v[present].mean() for v in (P, R, F))


def prf_all_float32(y_true, y_pred, num_classes, average="macro"):
    return tuple(np.asarray(v, np.float32) for v in prf_vectorized(y_true, y_pred, num_classes, average))


@pytest.mark.parametrize("fn", [prf_present_by_unique, prf_all_float32])
def test_prf_right_more(fn):
    assert_passes("precision_recall_f1", fn)


def prf_zero_as_one(y_true, y_pred, num_classes, average="macro"):
    cm = cm_add_at(y_true, y_pred, num_classes)
    tp = np.diag(cm).astype(float)
    fp, fn = cm.sum(axis=0) - tp, cm.sum(axis=1) - tp
    one = lambda a, b: np.divide(a, b, out=np.ones_like(a), where=b != 0)  # noqa: E731
    if average == "micro":
        return prf_vectorized(y_true, y_pred, num_classes, average)
    p, r, f = one(tp, tp + fp), one(tp, tp + fn), one(2 * tp, 2 * tp + fp + fn)
    if average is None:
        return p, r, f
    w = cm.sum(axis=1) if average == "weighted" else (tp + fp + fn) > 0
    return tuple(float(np.average(v, weights=w)) for v in (p, r, f))


def prf_weighted_as_micro(y_true, y_pred, num_classes, average="macro"):
    return prf_vectorized(y_true, y_pred, num_classes, "micro" if average == "weighted" else average)


def prf_macro_predicted_only(y_true, y_pred, num_classes, average="macro"):
    if average != "macro":
        return prf_vectorized(y_true, y_pred, num_classes, average)
    per = prf_vectorized(y_true, y_pred, num_classes, None)
    predicted = np.bincount(y_pred.astype(np.int64), minlength=num_classes) > 0
    return tuple(float(v[predicted].mean()) for v in per)


@pytest.mark.parametrize("fn, hint, mistake", [
    (prf_zero_as_one, "not 1", "zero_by_zero_is_one"),
    (prf_weighted_as_micro, "'weighted' is computed like 'micro'", "weighted_as_micro"),
    (prf_macro_predicted_only, "never predicted", "macro_over_predicted_classes"),
])
def test_prf_wrong_more(fn, hint, mistake):
    assert_fails("precision_recall_f1", fn, hint=hint, mistake=f"precision_recall_f1.{mistake}")


def reg_in_place_on_copy(y_true, y_pred):
    e = y_pred.astype(float)
    e -= y_true
    np.abs(e, out=e)
    mae = e.mean()
    e **= 2
    return {"mae": mae, "mse": e.mean(), "rmse": np.sqrt(e.mean())}


@pytest.mark.parametrize("fn", [
    reg_in_place_on_copy,
    lambda t, p: {k: float(v) for k, v in reg_vectorized(t, p).items()},
    lambda t, p: {**reg_vectorized(t, p), "rmse": np.linalg.norm(p - t) / np.sqrt(len(t))},
    lambda t, p: {k: np.float32(v) for k, v in reg_vectorized(t, p).items()},
    lambda t, p: {k: np.array(v) for k, v in reg_vectorized(t, p).items()},
])
def test_regression_right_more(fn):
    assert_passes("regression_metrics", fn)


@pytest.mark.parametrize("fn, hint, mistake", [
    (reg_with(mse=lambda e: np.var(e), rmse=lambda e: np.std(e)), "np.var and np.std", "var_and_std"),
    (reg_with(rmse=lambda e: np.std(e)), "standard deviation", "rmse_is_std"),
    (reg_with(mse=lambda e: np.sum(e ** 2) / (len(e) - 1), rmse=lambda e: np.sqrt(np.sum(e ** 2) / (len(e) - 1))),
     "not N \u2212 1", "divide_by_n_minus_1"),
    (reg_with(mse=lambda e: np.sum(e ** 2) / (len(e) - 1)), "not N \u2212 1", "divide_by_n_minus_1"),
    (reg_with(mse=lambda e: np.sqrt(np.mean(e ** 2)), rmse=lambda e: np.mean(e ** 2)), "swapped", "mse_rmse_swapped"),
])
def test_regression_wrong_more(fn, hint, mistake):
    assert_fails("regression_metrics", fn, hint=hint, mistake=f"regression_metrics.{mistake}")


def kfold_rng_shuffle(n, k, rng=None):
    idx = np.arange(n)
    if rng is not None:
        rng.shuffle(idx)
    return [(np.setdiff1d(idx, v), v) for v in np.array_split(idx, k)]


def kfold_choice(n, k, rng=None):
    idx = np.arange(n) if rng is None else rng.choice(n, size=n, replace=False)
    folds = np.array_split(idx, k)
    return [[np.concatenate(folds[:i] + folds[i + 1:]).astype(np.uint32), folds[i].astype(np.int16)]
            for i in range(k)]


def kfold_derived_seed(n, k, rng=None):
    return kfold_array_split(n, k, None if rng is None else np.random.default_rng(int(rng.integers(1 << 30))))


@pytest.mark.parametrize("fn", [kfold_rng_shuffle, kfold_choice, kfold_derived_seed])
def test_kfold_right_more(fn):
    assert_passes("kfold_indices", fn)


def kfold_permutation_per_fold(n, k, rng=None):
    out = []
    for i in range(k):
        idx = np.arange(n) if rng is None else rng.permutation(n)
        v = np.array_split(idx, k)[i]
        out.append((np.setdiff1d(idx, v), v))
    return out


def kfold_random_labels(n, k, rng=None):
    fold_of = (rng if rng is not None else np.random.default_rng(0)).integers(0, k, n)
    return [(np.flatnonzero(fold_of != i), np.flatnonzero(fold_of == i)) for i in range(k)]


@pytest.mark.parametrize("fn, hint", [
    (lambda n, k, rng=None: [(v, t) for t, v in kfold_array_split(n, k, rng)], "(val_idx, train_idx)"),
    (kfold_permutation_per_fold, "one permutation"),
    (kfold_random_labels, "every fold gets n // k = 2"),
])
def test_kfold_wrong_more(fn, hint):
    assert_fails("kfold_indices", fn, hint=hint)
