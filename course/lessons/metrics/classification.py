"""Exercise specs of lesson 07, classification: ``confusion_matrix``, ``accuracy``, ``precision_recall_f1``.

The references count with torchmetrics and redo its divisions in float64 (see :mod:`.counting`).
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, register

from .counting import (class_weights, confusion, divide, per_class, prf, random_labels, seen_classes,
                       stats, weighted_mean)
from .lecture import email_labels, vehicle_labels


def label_case(label, y_true, y_pred, num_classes=None, **settings):
    """A case of labels by name; ``data["label_dtype"]`` keeps the students' dtype (the reference sees int64)."""
    args = {"y_true": y_true, "y_pred": y_pred, **settings}
    if num_classes is not None:
        args["num_classes"] = num_classes
    return Case(label, args, data={"label_dtype": str(np.asarray(y_true).dtype)})


# --------------------------------------------------------------------------- confusion_matrix
def _cm_cases(rng):
    yt, yp = email_labels()
    a, b = random_labels(rng, 15, 3, dtype=np.int8, p_correct=0.2)
    yt17, yp17 = random_labels(rng, 200, 17, dtype=np.uint8, p_correct=0.4)
    y3 = rng.integers(0, 3, size=30)
    p3 = y3.copy()
    p3[rng.choice(30, size=5, replace=False)] = 3  # class 3 only ever predicted
    return [
        label_case("the lecture's e-mail example (urgent, normal, spam)", yt, yp, 3),
        label_case("binary labels, 12 samples", *random_labels(rng, 12, 2), 2),
        label_case("4 classes, 40 samples", *random_labels(rng, 40, 4, p_correct=0.3), 4),
        label_case("5 classes, but the highest two (3, 4) never occur", *random_labels(rng, 20, 5, skip=(3, 4)), 5),
        label_case("6 classes, class 0 and 2 never occur, int32 labels",
                   *random_labels(rng, 25, 6, dtype=np.int32, skip=(0, 2)), 6),
        label_case("int8 labels", a, b, 3),
        label_case("uint8 labels, 17 classes", yt17, yp17, 17),
        label_case("a batch of one sample", np.array([2]), np.array([0]), 3),
        label_case("class 3 is predicted but never true", y3, p3, 4),
    ]


def _cm_distinct(ref, y_true, y_pred):
    """The matrix of the labels that occur, in sorted order, as np.unique would index them."""
    torch = ref.torch
    classes = torch.unique(torch.cat([y_true, y_pred]))
    return confusion(ref, torch.searchsorted(classes, y_true), torch.searchsorted(classes, y_pred), len(classes))


def _cm_fancy_assign(ref, y_true, y_pred, num_classes):
    """``cm[y_true, y_pred] += 1``: each distinct pair counted once."""
    cm = ref.torch.zeros((num_classes, num_classes), dtype=ref.torch.int64, device=ref.device)
    cm[y_true, y_pred] = 1
    return cm


def _cm_wrapped(ref, y_true, y_pred, num_classes, label_dtype):
    """``np.bincount(num_classes * y_true + y_pred)`` computed in a small unsigned dtype that wraps around."""
    mod = int(np.iinfo(label_dtype).max) + 1
    idx = (num_classes * y_true + y_pred) % mod
    return ref.torch.bincount(idx, minlength=num_classes ** 2)[:num_classes ** 2].reshape(num_classes, num_classes)


register(Exercise(
    name="confusion_matrix",
    signature="confusion_matrix(y_true, y_pred, num_classes)",
    cases=_cm_cases,
    reference=confusion,
    outputs=(Output("cm", kind="int"),),
    mistakes=(
        Mistake("transposed", "your matrix is transposed: row i must be the TRUE class i and column j the PREDICTED "
                "class j, so cm[i, j] counts samples of class i predicted as j (the lecture's table puts the system "
                "output in rows; ours is its transpose).",
                lambda ref, y_true, y_pred, num_classes: confusion(ref, y_true, y_pred, num_classes).T),
        Mistake("size_from_labels", "the size of the matrix must be num_classes × num_classes, even when the highest "
                "classes never occur: use num_classes, not the largest label you see.",
                lambda ref, y_true, y_pred: confusion(ref, y_true, y_pred, seen_classes(y_true, y_pred))),
        Mistake("distinct_labels", "the size of the matrix must be num_classes × num_classes and row/column i must "
                "be class i: don't build it from the distinct labels that happen to occur.", _cm_distinct),
        Mistake("fancy_index_add", "`cm[y_true, y_pred] += 1` adds 1 only once per distinct (true, predicted) pair, "
                "however often it occurs: use np.add.at(cm, (y_true, y_pred), 1) or a loop over the samples.",
                _cm_fancy_assign),
        Mistake("small_dtype_overflow", "num_classes * y_true + y_pred overflowed the labels' small integer dtype "
                "(uint8 holds 0..255): convert the labels with .astype(np.int64) first.", _cm_wrapped,
                when=lambda label_dtype, num_classes: np.iinfo(label_dtype).max < num_classes ** 2),
        Mistake("fractions", "the confusion matrix holds counts, not fractions: don't divide by the number of "
                "samples.",
                lambda ref, y_true, y_pred, num_classes: confusion(ref, y_true, y_pred, num_classes).double()
                / len(y_true)),
    ),
    hint="cm[i, j] is the number of samples whose true class is i and whose predicted class is j; "
         "the matrix is (num_classes, num_classes) and its entries add up to the number of samples.",
    points=2,
))


# --------------------------------------------------------------------------- accuracy
def _accuracy(ref, y_true, y_pred):
    """torchmetrics' multiclass_accuracy(average="micro"): TP summed over the classes / N, in float64."""
    tp, _, _ = stats(ref, y_true, y_pred, seen_classes(y_true, y_pred))
    return tp.sum() / len(y_true)


def _acc_cases(rng):
    yt, yp = email_labels()
    cases = [label_case("the lecture's e-mail example", yt, yp)]
    for label, n, K, dtype, pc in [("binary, 20 samples", 20, 2, np.int64, 0.6),
                                   ("5 classes, 37 samples", 37, 5, np.int64, 0.4),
                                   ("int8 labels", 16, 3, np.int8, 0.5),
                                   ("uint8 labels", 50, 10, np.uint8, 0.7),
                                   ("int32 labels, 1000 samples", 1000, 4, np.int32, 0.8)]:
        cases.append(label_case(label, *random_labels(rng, n, K, dtype, p_correct=pc)))
    y = rng.integers(0, 3, size=9)
    return cases + [
        label_case("all correct", y, y.copy()),
        label_case("all wrong", np.zeros(7, dtype=np.int64), np.ones(7, dtype=np.int64)),
        label_case("a batch of one sample", np.array([1]), np.array([1])),
        label_case("a batch of one, wrong", np.array([0]), np.array([2])),
    ]


def _balanced_accuracy(ref, y_true, y_pred):
    """The mean of the per-class recalls over the classes present in y_true."""
    tp, fp, fn = stats(ref, y_true, y_pred, seen_classes(y_true, y_pred))
    return weighted_mean(ref, [divide(ref, tp, tp + fn)], ((tp + fn) > 0).to(ref.dtype))[0]


register(Exercise(
    name="accuracy",
    signature="accuracy(y_true, y_pred)",
    cases=_acc_cases,
    reference=_accuracy,
    outputs=(Output("acc", scalar=True),),
    mistakes=(
        Mistake("count_not_fraction", "accuracy is a fraction: divide the number of correct predictions by the "
                "number of samples.", lambda ref, y_true, y_pred: (y_true == y_pred).sum().double()),
        Mistake("error_rate", "you return the error rate, the fraction of WRONG predictions; accuracy is the "
                "fraction correct.", lambda ref, y_true, y_pred: (y_true != y_pred).double().mean()),
        Mistake("floor_division", "`//` is floor division: it rounds the fraction down to 0; use `/` (or np.mean).",
                lambda ref, y_true, y_pred: ref.torch.floor((y_true == y_pred).double().mean())),
        Mistake("balanced_accuracy", "you averaged the per-class recalls (balanced accuracy); accuracy counts every "
                "sample once: correct predictions / all samples.", _balanced_accuracy),
        Mistake("percentage", "accuracy is a fraction between 0 and 1, not a percentage: don't multiply by 100.",
                lambda ref, y_true, y_pred: 100 * (y_true == y_pred).double().mean()),
    ),
    hint="accuracy = (number of samples with y_pred == y_true) / (number of samples), a single float.",
))


# --------------------------------------------------------------------------- precision_recall_f1
def _prf_reference(ref, y_true, y_pred, num_classes, average):
    """Precision, recall and F1 as torchmetrics' multiclass_precision / _recall / _f1_score define them."""
    return prf(ref, *stats(ref, y_true, y_pred, num_classes), average)


def _prf_cases(rng):
    yt, yp = email_labels()
    vt, vp = vehicle_labels()
    cases = [
        label_case("the lecture's e-mail example, default average", yt, yp, 3),
        label_case("the lecture's e-mail example, average='micro'", yt, yp, 3, average="micro"),
        label_case("the lecture's e-mail example, average='weighted'", yt, yp, 3, average="weighted"),
        label_case("the lecture's e-mail example, average=None", yt, yp, 3, average=None),
        label_case("the lecture's airplane/boat/car example, average='weighted'", vt, vp, 3, average="weighted"),
        label_case("5 classes, the highest two never occur, macro",
                   *random_labels(rng, 30, 5, skip=(3, 4), p_correct=0.4), 5, average="macro"),
        label_case("5 classes, class 4 never occurs, weighted",
                   *random_labels(rng, 30, 5, skip=(4,), p_correct=0.5), 5, average="weighted"),
        label_case("6 classes, class 1 and 5 never occur, average=None",
                   *random_labels(rng, 30, 6, skip=(1, 5), p_correct=0.4), 6, average=None),
    ]
    y3 = rng.integers(0, 3, size=30)
    p3 = np.where(rng.random(30) < 0.5, y3, rng.integers(0, 3, size=30))
    p3[rng.choice(30, size=4, replace=False)] = 3
    cases.append(label_case("class 3 is predicted but never true, macro", y3, p3, 5, average="macro"))
    y4 = rng.integers(0, 4, size=40)
    p4 = np.where(y4 == 2, rng.choice([0, 1, 3], size=40), y4)
    p4 = np.where(rng.random(40) < 0.3, rng.choice([0, 1, 3], size=40), p4)
    cases.append(label_case("class 2 is true but never predicted, weighted", y4, p4, 4, average="weighted"))
    cases.append(label_case("class 2 is true but never predicted, macro", y4, p4, 4, average="macro"))
    yi, pi = random_labels(rng, 60, 4, p_correct=0.5)
    yi[:25] = 0  # imbalanced: class 0 dominates
    return cases + [
        label_case("imbalanced classes, weighted", yi, pi, 4, average="weighted"),
        label_case("imbalanced classes, micro, int8 labels", yi.astype(np.int8), pi.astype(np.int8), 4,
                   average="micro"),
        label_case("binary, uint8 labels, average=None", *random_labels(rng, 25, 2, np.uint8), 2, average=None),
        label_case("a batch of one sample, macro", np.array([2]), np.array([0]), 3, average="macro"),
    ]


def _reweighted(weights):
    """The per-class scores averaged with other class weights: ``weights(ref, tp, fp, fn)``."""
    def wrong(ref, y_true, y_pred, num_classes):
        tp, fp, fn = stats(ref, y_true, y_pred, num_classes)
        return weighted_mean(ref, per_class(ref, tp, fp, fn), weights(ref, tp, fp, fn))
    return wrong


def _reduced_as(average):
    return lambda ref, y_true, y_pred, num_classes: prf(ref, *stats(ref, y_true, y_pred, num_classes), average)


def _zero_by_zero_one(ref, y_true, y_pred, num_classes, average):
    tp, fp, fn = stats(ref, y_true, y_pred, num_classes)
    scores = per_class(ref, tp, fp, fn, zero_by_zero=1.0)
    return scores if average is None else weighted_mean(ref, scores, class_weights(ref, tp, fp, fn, average))


def _nan_kept(ref, y_true, y_pred, num_classes, average):
    """0/0 left as NaN: np.nanmean over every class for macro, a NaN that spreads for weighted."""
    tp, fp, fn = stats(ref, y_true, y_pred, num_classes)
    scores = per_class(ref, tp, fp, fn, zero_by_zero=float("nan"))
    if average == "weighted":
        return weighted_mean(ref, scores, class_weights(ref, tp, fp, fn, average))
    return scores if average is None else tuple(ref.torch.nanmean(v) for v in scores)


def _f1_of_means(ref, y_true, y_pred, num_classes, average):
    p, r, _ = _prf_reference(ref, y_true, y_pred, num_classes, average)
    return p, r, divide(ref, 2 * p * r, p + r)


def _average_is(*averages):
    return lambda average: average in averages


register(Exercise(
    name="precision_recall_f1",
    signature='precision_recall_f1(y_true, y_pred, num_classes, average="macro")',
    cases=_prf_cases,
    reference=_prf_reference,
    outputs=(Output("precision"), Output("recall"), Output("f1")),
    mistakes=(
        Mistake("swapped", "precision and recall are swapped: precision = TP / (TP + FP) divides by the column sum of "
                "the confusion matrix (all PREDICTED as the class), recall = TP / (TP + FN) by the row sum (all TRUE "
                "members of the class).",
                lambda ref, y_true, y_pred, num_classes, average:
                (lambda p, r, f: (r, p, f))(*_prf_reference(ref, y_true, y_pred, num_classes, average))),
        Mistake("macro_as_micro", "average='macro' is computed like 'micro' (pooled counts): macro computes "
                "precision, recall and F1 for each class first, then takes their plain mean.", _reduced_as("micro"),
                when=_average_is("macro")),
        Mistake("micro_as_macro", "average='micro' is computed like 'macro': micro adds up TP, FP and FN over all "
                "classes first, then divides once.", _reduced_as("macro"), when=_average_is("micro")),
        Mistake("macro_over_all_classes", "macro averages only over the classes that occur in y_true or y_pred: leave "
                "out a class absent from both instead of counting it as 0.",
                _reweighted(lambda ref, tp, fp, fn: ref.torch.ones_like(tp)), when=_average_is("macro")),
        Mistake("macro_over_true_classes", "macro averages over the classes that occur in y_true OR y_pred: a class "
                "that is only ever predicted counts too (with recall 0/0 = 0).",
                _reweighted(lambda ref, tp, fp, fn: ((tp + fn) > 0).to(ref.dtype)), when=_average_is("macro")),
        Mistake("weighted_by_predictions", "'weighted' weights each class by its support, the number of TRUE samples "
                "of the class (row sums), not by how often it was predicted.",
                _reweighted(lambda ref, tp, fp, fn: tp + fp), when=_average_is("weighted")),
        Mistake("weighted_uniform", "'weighted' must weight each class by its support (its count in y_true); you took "
                "the plain mean of the classes.", _reweighted(lambda ref, tp, fp, fn: ref.torch.ones_like(tp)),
                when=_average_is("weighted")),
        Mistake("weighted_as_macro", "'weighted' must weight each class by its support (its count in y_true), over "
                "all classes; you took the macro average.", _reduced_as("macro"), when=_average_is("weighted")),
        Mistake("weighted_as_micro", "'weighted' is computed like 'micro' (pooled counts): weighted computes "
                "precision, recall and F1 for each class first, then averages them with the class supports (counts "
                "in y_true) as weights.", _reduced_as("micro"), when=_average_is("weighted")),
        Mistake("macro_over_predicted_classes", "macro averages over the classes that occur in y_true OR y_pred; you "
                "left out the classes that are never predicted (a class that is only true counts too, with "
                "precision 0/0 = 0).", _reweighted(lambda ref, tp, fp, fn: ((tp + fp) > 0).to(ref.dtype)),
                when=_average_is("macro")),
        Mistake("zero_by_zero_is_one", "a 0/0 (a class never predicted, or never present) must count as 0, not 1.",
                _zero_by_zero_one, when=_average_is("macro", "weighted", None)),
        Mistake("f1_of_averages", "the averaged F1 is the average of the per-class F1 scores, not the harmonic mean "
                "of the averaged precision and recall.", _f1_of_means, when=_average_is("macro", "weighted")),
        Mistake("classes_from_labels", "with average=None the arrays must have length num_classes, one entry per "
                "class 0 … num_classes − 1, even for classes that never occur.",
                lambda ref, y_true, y_pred: prf(ref, *stats(ref, y_true, y_pred, seen_classes(y_true, y_pred)), None),
                when=_average_is(None)),
        Mistake("zero_by_zero_nan", "a 0/0 (a class never predicted, or never present) must count as 0, not NaN — "
                "and NaN classes must not be skipped in the average (np.nanmean).", _nan_kept,
                when=_average_is("macro", "weighted", None)),
    ),
    hint="from the confusion matrix: TP = diagonal, FP = column sum − TP, FN = row sum − TP; per class "
         "P = TP/(TP+FP), R = TP/(TP+FN), F1 = 2PR/(P+R), each 0 when its denominator is 0; then reduce "
         "by `average`.",
    points=3,
))
