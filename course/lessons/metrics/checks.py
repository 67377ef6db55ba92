"""Exercise specs of lesson 07: ``confusion_matrix``, ``accuracy``, ``precision_recall_f1``,
``regression_metrics`` and ``kfold_indices``, with their cases, references, runs and mistakes.

The references count with torchmetrics and redo its divisions in float64 (see the package docstring).
"""
from __future__ import annotations

import contextlib
import warnings

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, StudentError, register

from .examples import email_labels, vehicle_labels

LESSON = "07_metrics"


# --------------------------------------------------------------------------- helpers for references
@contextlib.contextmanager
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _tm():
    with _quiet():
        from torchmetrics.functional import classification
    return classification


def _labels(case, ref):
    y_true, y_pred = case.args[0], case.args[1]
    return ref.long(np.asarray(y_true, dtype=np.int64)), ref.long(np.asarray(y_pred, dtype=np.int64))


def _stats(y_true, y_pred, K, ref):
    """Per-class TP, FP, FN and support as float64 tensors, counted by torchmetrics."""
    with _quiet():
        s = _tm().multiclass_stat_scores(y_pred, y_true, num_classes=K, average="none")
    s = s.to(ref.dtype)
    return s[:, 0], s[:, 1], s[:, 3], s[:, 4]


def _divide(num, den, ref):
    """num / den elementwise, with 0/0 (any x/0) counted as 0, as torchmetrics' ``_safe_divide``."""
    torch = ref.torch
    return torch.where(den == 0, torch.zeros_like(num), num / torch.where(den == 0, torch.ones_like(den), den))


def _reduce(score, weights, ref):
    return _divide((weights * score).sum(), weights.sum(), ref)


def _prf(tp, fp, fn, average, ref, *, macro_all=False, macro_true_only=False, weights=None):
    """Precision, recall and F1 from per-class counts, reduced as torchmetrics does (or a variant)."""
    if average == "micro":
        TP, FP, FN = tp.sum(), fp.sum(), fn.sum()
        return (_divide(TP, TP + FP, ref), _divide(TP, TP + FN, ref), _divide(2 * TP, 2 * TP + FP + FN, ref))
    p, r, f = _divide(tp, tp + fp, ref), _divide(tp, tp + fn, ref), _divide(2 * tp, 2 * tp + fp + fn, ref)
    if average is None:
        return p, r, f
    if weights is None:
        if average == "weighted":
            weights = tp + fn
        elif macro_all:
            weights = ref.torch.ones_like(tp)
        elif macro_true_only:
            weights = ((tp + fn) > 0).to(ref.dtype)
        else:
            weights = ((tp + fp + fn) > 0).to(ref.dtype)
    return tuple(_reduce(v, weights, ref) for v in (p, r, f))


# --------------------------------------------------------------------------- confusion_matrix
def _cm_ref(case, ref):
    y_true, y_pred = _labels(case, ref)
    with _quiet():
        return _tm().multiclass_confusion_matrix(y_pred, y_true, num_classes=int(case.args[2]))


def _random_labels(rng, n, K, dtype=np.int64, skip=(), p_correct=0.5):
    classes = np.array([c for c in range(K) if c not in skip])
    y_true = rng.choice(classes, size=n)
    y_pred = np.where(rng.random(n) < p_correct, y_true, rng.choice(classes, size=n))
    return y_true.astype(dtype), y_pred.astype(dtype)


def _label_case(label, y_true, y_pred, K, **kwargs):
    return Case(label, (y_true, y_pred, K), kwargs, arg_names=["y_true", "y_pred", "num_classes"])


def _cm_cases(rng):
    yt, yp = email_labels()
    cases = [_label_case("the lecture's e-mail example (urgent, normal, spam)", yt, yp, 3)]
    cases.append(_label_case("binary labels, 12 samples", *_random_labels(rng, 12, 2), 2))
    cases.append(_label_case("4 classes, 40 samples", *_random_labels(rng, 40, 4, p_correct=0.3), 4))
    cases.append(_label_case("5 classes, but the highest two (3, 4) never occur",
                             *_random_labels(rng, 20, 5, skip=(3, 4)), 5))
    cases.append(_label_case("6 classes, class 0 and 2 never occur, int32 labels",
                             *_random_labels(rng, 25, 6, dtype=np.int32, skip=(0, 2)), 6))
    a, b = _random_labels(rng, 15, 3, dtype=np.int8, p_correct=0.2)
    cases.append(_label_case("int8 labels", a, b, 3))
    yt17, yp17 = _random_labels(rng, 200, 17, dtype=np.uint8, p_correct=0.4)
    cases.append(_label_case("uint8 labels, 17 classes", yt17, yp17, 17))
    cases.append(_label_case("a batch of one sample", np.array([2]), np.array([0]), 3))
    yt = rng.integers(0, 3, size=30)
    yp = yt.copy()
    yp[rng.choice(30, size=5, replace=False)] = 3  # class 3 only ever predicted
    cases.append(_label_case("class 3 is predicted but never true", yt, yp, 4))
    return cases


def _cm_wrong(fn):
    def outputs(case, ref):
        y_true, y_pred = _labels(case, ref)
        return fn(y_true, y_pred, int(case.args[2]), case, ref)
    return outputs


def _cm_seen_max(y_true, y_pred, K, case, ref):
    k = int(max(y_true.max(), y_pred.max())) + 1
    with _quiet():
        return _tm().multiclass_confusion_matrix(y_pred, y_true, num_classes=k)


def _cm_distinct(y_true, y_pred, K, case, ref):
    torch = ref.torch
    classes = torch.unique(torch.cat([y_true, y_pred]))
    pos = {int(c): i for i, c in enumerate(classes)}
    k = len(classes)
    cm = torch.zeros((k, k), dtype=torch.int64, device=ref.device)
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        cm[pos[t], pos[p]] += 1
    return cm


def _cm_fancy_assign(y_true, y_pred, K, case, ref):
    cm = ref.torch.zeros((K, K), dtype=ref.torch.int64, device=ref.device)
    cm[y_true, y_pred] = 1
    return cm


def _cm_small_dtype(case):
    dtype = np.asarray(case.args[0]).dtype
    return np.iinfo(dtype).max < int(case.args[2]) ** 2


def _cm_overflow(y_true, y_pred, K, case, ref):
    mod = int(np.iinfo(np.asarray(case.args[0]).dtype).max) + 1
    idx = (K * y_true + y_pred) % mod
    return ref.torch.bincount(idx, minlength=K * K)[:K * K].reshape(K, K)


register(Exercise(
    name="confusion_matrix",
    lesson=LESSON,
    signature="confusion_matrix(y_true, y_pred, num_classes)",
    cases=_cm_cases,
    reference=_cm_ref,
    outputs=(Output("cm", kind="int"),),
    mistakes=(
        Mistake("your matrix is transposed: row i must be the TRUE class i and column j the PREDICTED class j, "
                "so cm[i, j] counts samples of class i predicted as j (the lecture's table puts the system "
                "output in rows; ours is its transpose).",
                _cm_wrong(lambda t, p, K, case, ref: _cm_ref(case, ref).T)),
        Mistake("the size of the matrix must be num_classes × num_classes, even when the highest classes never "
                "occur: use num_classes, not the largest label you see.", _cm_wrong(_cm_seen_max)),
        Mistake("the size of the matrix must be num_classes × num_classes and row/column i must be class i: "
                "don't build it from the distinct labels that happen to occur.", _cm_wrong(_cm_distinct)),
        Mistake("`cm[y_true, y_pred] += 1` adds 1 only once per distinct (true, predicted) pair, however often "
                "it occurs: use np.add.at(cm, (y_true, y_pred), 1) or a loop over the samples.",
                _cm_wrong(_cm_fancy_assign)),
        Mistake("num_classes * y_true + y_pred overflowed the labels' small integer dtype (uint8 holds 0..255): "
                "convert the labels with .astype(np.int64) first.", _cm_wrong(_cm_overflow), applies=_cm_small_dtype),
        Mistake("the confusion matrix holds counts, not fractions: don't divide by the number of samples.",
                _cm_wrong(lambda t, p, K, case, ref: _cm_ref(case, ref).double() / len(t))),
    ),
    hint="cm[i, j] is the number of samples whose true class is i and whose predicted class is j; "
         "the matrix is (num_classes, num_classes) and its entries add up to the number of samples.",
))


# --------------------------------------------------------------------------- accuracy
def _acc_counts(case, ref):
    y_true, y_pred = _labels(case, ref)
    K = int(max(y_true.max(), y_pred.max())) + 1
    return _stats(y_true, y_pred, K, ref), len(y_true)


def _acc_ref(case, ref):
    """torchmetrics' multiclass_accuracy(average="micro"), TP summed over classes / N, in float64."""
    (tp, fp, fn, support), n = _acc_counts(case, ref)
    return tp.sum() / support.sum()


def _acc_cases(rng):
    yt, yp = email_labels()
    cases = [Case("the lecture's e-mail example", (yt, yp), arg_names=["y_true", "y_pred"])]
    for label, n, K, dtype, pc in [("binary, 20 samples", 20, 2, np.int64, 0.6),
                                   ("5 classes, 37 samples", 37, 5, np.int64, 0.4),
                                   ("int8 labels", 16, 3, np.int8, 0.5),
                                   ("uint8 labels", 50, 10, np.uint8, 0.7),
                                   ("int32 labels, 1000 samples", 1000, 4, np.int32, 0.8)]:
        cases.append(Case(label, _random_labels(rng, n, K, dtype, p_correct=pc), arg_names=["y_true", "y_pred"]))
    y = rng.integers(0, 3, size=9)
    cases.append(Case("all correct", (y, y.copy()), arg_names=["y_true", "y_pred"]))
    cases.append(Case("all wrong", (np.zeros(7, dtype=np.int64), np.ones(7, dtype=np.int64)),
                      arg_names=["y_true", "y_pred"]))
    cases.append(Case("a batch of one sample", (np.array([1]), np.array([1])), arg_names=["y_true", "y_pred"]))
    cases.append(Case("a batch of one, wrong", (np.array([0]), np.array([2])), arg_names=["y_true", "y_pred"]))
    return cases


def _acc_balanced(case, ref):
    (tp, fp, fn, support), n = _acc_counts(case, ref)
    return _prf(tp, fp, fn, "macro", ref, macro_true_only=True)[1]


register(Exercise(
    name="accuracy",
    lesson=LESSON,
    signature="accuracy(y_true, y_pred)",
    cases=_acc_cases,
    reference=_acc_ref,
    outputs=(Output("acc", scalar=True),),
    mistakes=(
        Mistake("accuracy is a fraction: divide the number of correct predictions by the number of samples.",
                lambda case, ref: _acc_ref(case, ref) * len(case.args[0])),
        Mistake("you return the error rate, the fraction of WRONG predictions; accuracy is the fraction correct.",
                lambda case, ref: 1 - _acc_ref(case, ref)),
        Mistake("`//` is floor division: it rounds the fraction down to 0; use `/` (or np.mean).",
                lambda case, ref: ref.torch.floor(_acc_ref(case, ref))),
        Mistake("you averaged the per-class recalls (balanced accuracy); accuracy counts every sample once: "
                "correct predictions / all samples.", _acc_balanced),
        Mistake("accuracy is a fraction between 0 and 1, not a percentage: don't multiply by 100.",
                lambda case, ref: 100 * _acc_ref(case, ref)),
    ),
    hint="accuracy = (number of samples with y_pred == y_true) / (number of samples), a single float.",
))


# --------------------------------------------------------------------------- precision_recall_f1
def _avg(case):
    return case.kwargs.get("average", "macro")


def _prf_counts(case, ref):
    y_true, y_pred = _labels(case, ref)
    return _stats(y_true, y_pred, int(case.args[2]), ref)


def _prf_ref(case, ref):
    """Precision, recall and F1 as torchmetrics' multiclass_precision / _recall / _f1_score define them.

    torchmetrics returns float32; here its per-class counts are divided in float64 with its rules:
    x/0 → 0; micro pools TP, FP, FN over the classes; macro averages the per-class scores over the
    classes with TP + FP + FN > 0 (present in y_true or y_pred); weighted weights them by TP + FN.
    """
    tp, fp, fn, _ = _prf_counts(case, ref)
    return _prf(tp, fp, fn, _avg(case), ref)


def _prf_cases(rng):
    yt, yp = email_labels()
    cases = [
        _label_case("the lecture's e-mail example, default average", yt, yp, 3),
        _label_case("the lecture's e-mail example, average='micro'", yt, yp, 3, average="micro"),
        _label_case("the lecture's e-mail example, average='weighted'", yt, yp, 3, average="weighted"),
        _label_case("the lecture's e-mail example, average=None", yt, yp, 3, average=None),
    ]
    vt, vp = vehicle_labels()
    cases.append(_label_case("the lecture's airplane/boat/car example, average='weighted'", vt, vp, 3,
                             average="weighted"))
    cases.append(_label_case("5 classes, the highest two never occur, macro",
                             *_random_labels(rng, 30, 5, skip=(3, 4), p_correct=0.4), 5, average="macro"))
    cases.append(_label_case("6 classes, class 1 and 5 never occur, average=None",
                             *_random_labels(rng, 30, 6, skip=(1, 5), p_correct=0.4), 6, average=None))
    yt = rng.integers(0, 3, size=30)
    yp = np.where(rng.random(30) < 0.5, yt, rng.integers(0, 3, size=30))
    yp[rng.choice(30, size=4, replace=False)] = 3
    cases.append(_label_case("class 3 is predicted but never true, macro", yt, yp, 5, average="macro"))
    yt = rng.integers(0, 4, size=40)
    yp = np.where(yt == 2, rng.choice([0, 1, 3], size=40), yt)
    yp = np.where(rng.random(40) < 0.3, rng.choice([0, 1, 3], size=40), yp)
    cases.append(_label_case("class 2 is true but never predicted, weighted", yt, yp, 4, average="weighted"))
    cases.append(_label_case("class 2 is true but never predicted, macro", yt, yp, 4, average="macro"))
    yt, yp = _random_labels(rng, 60, 4, p_correct=0.5)
    yt[:25] = 0  # imbalanced: class 0 dominates
    cases.append(_label_case("imbalanced classes, weighted", yt, yp, 4, average="weighted"))
    cases.append(_label_case("imbalanced classes, micro, int8 labels", yt.astype(np.int8), yp.astype(np.int8), 4,
                             average="micro"))
    cases.append(_label_case("binary, uint8 labels, average=None", *_random_labels(rng, 25, 2, np.uint8), 2,
                             average=None))
    cases.append(_label_case("a batch of one sample, macro", np.array([2]), np.array([0]), 3, average="macro"))
    return cases


def _prf_variant(**kw):
    def outputs(case, ref):
        tp, fp, fn, _ = _prf_counts(case, ref)
        return _prf(tp, fp, fn, _avg(case), ref, **kw)
    return outputs


def _prf_as(average):
    def outputs(case, ref):
        tp, fp, fn, _ = _prf_counts(case, ref)
        return _prf(tp, fp, fn, average, ref)
    return outputs


def _prf_weights(which):
    def outputs(case, ref):
        tp, fp, fn, _ = _prf_counts(case, ref)
        w = tp + fp if which == "predicted" else ref.torch.ones_like(tp)
        return _prf(tp, fp, fn, "weighted", ref, weights=w)
    return outputs


def _prf_swapped(case, ref):
    p, r, f = _prf_ref(case, ref)
    return r, p, f


def _prf_f1_of_means(case, ref):
    p, r, _ = _prf_ref(case, ref)
    return p, r, _divide(2 * p * r, p + r, ref)


def _prf_seen_max(case, ref):
    y_true, y_pred = _labels(case, ref)
    k = int(max(y_true.max(), y_pred.max())) + 1
    return _prf(*_stats(y_true, y_pred, k, ref)[:3], None, ref)


def _prf_nanmean(case, ref):
    tp, fp, fn, _ = _prf_counts(case, ref)
    with _quiet():
        p, r, f = tp / (tp + fp), tp / (tp + fn), 2 * tp / (2 * tp + fp + fn)
    if _avg(case) is None:
        return p, r, f
    return tuple(ref.torch.nanmean(v) for v in (p, r, f))


def _prf_zero_as_one(case, ref):
    """0/0 counted as 1 (a class never predicted gets precision 1), then reduced as the reference does."""
    tp, fp, fn, _ = _prf_counts(case, ref)
    torch = ref.torch

    def one(num, den):
        return torch.where(den == 0, torch.ones_like(num), num / torch.where(den == 0, torch.ones_like(den), den))

    p, r, f = one(tp, tp + fp), one(tp, tp + fn), one(2 * tp, 2 * tp + fp + fn)
    if _avg(case) is None:
        return p, r, f
    w = tp + fn if _avg(case) == "weighted" else ((tp + fp + fn) > 0).to(ref.dtype)
    return tuple(_reduce(v, w, ref) for v in (p, r, f))


def _prf_macro_predicted(case, ref):
    tp, fp, fn, _ = _prf_counts(case, ref)
    return _prf(tp, fp, fn, "macro", ref, weights=((tp + fp) > 0).to(ref.dtype))


def _when(*averages):
    return lambda case: _avg(case) in averages


register(Exercise(
    name="precision_recall_f1",
    lesson=LESSON,
    signature='precision_recall_f1(y_true, y_pred, num_classes, average="macro")',
    cases=_prf_cases,
    reference=_prf_ref,
    outputs=(Output("precision"), Output("recall"), Output("f1")),
    mistakes=(
        Mistake("precision and recall are swapped: precision = TP / (TP + FP) divides by the column sum of the "
                "confusion matrix (all PREDICTED as the class), recall = TP / (TP + FN) by the row sum (all TRUE "
                "members of the class).", _prf_swapped),
        Mistake("average='macro' is computed like 'micro' (pooled counts): macro computes precision, recall and "
                "F1 for each class first, then takes their plain mean.", _prf_as("micro"), applies=_when("macro")),
        Mistake("average='micro' is computed like 'macro': micro adds up TP, FP and FN over all classes first, "
                "then divides once.", _prf_as("macro"), applies=_when("micro")),
        Mistake("macro averages only over the classes that occur in y_true or y_pred: leave out a class absent "
                "from both instead of counting it as 0.", _prf_variant(macro_all=True), applies=_when("macro")),
        Mistake("macro averages over the classes that occur in y_true OR y_pred: a class that is only ever "
                "predicted counts too (with recall 0/0 = 0).", _prf_variant(macro_true_only=True),
                applies=_when("macro")),
        Mistake("'weighted' weights each class by its support, the number of TRUE samples of the class "
                "(row sums), not by how often it was predicted.", _prf_weights("predicted"), applies=_when("weighted")),
        Mistake("'weighted' must weight each class by its support (its count in y_true); you took the plain "
                "mean of the classes.", _prf_weights("uniform"), applies=_when("weighted")),
        Mistake("'weighted' must weight each class by its support (its count in y_true), over all classes; you "
                "took the macro average.", _prf_as("macro"), applies=_when("weighted")),
        Mistake("'weighted' is computed like 'micro' (pooled counts): weighted computes precision, recall and F1 for "
                "each class first, then averages them with the class supports (counts in y_true) as weights.",
                _prf_as("micro"), applies=_when("weighted")),
        Mistake("macro averages over the classes that occur in y_true OR y_pred; you left out the classes that are "
                "never predicted (a class that is only true counts too, with precision 0/0 = 0).",
                _prf_macro_predicted, applies=_when("macro")),
        Mistake("a 0/0 (a class never predicted, or never present) must count as 0, not 1.", _prf_zero_as_one,
                applies=_when("macro", "weighted", None)),
        Mistake("the averaged F1 is the average of the per-class F1 scores, not the harmonic mean of the averaged "
                "precision and recall.", _prf_f1_of_means,
                applies=_when("macro", "weighted")),
        Mistake("with average=None the arrays must have length num_classes, one entry per class 0 … "
                "num_classes − 1, even for classes that never occur.", _prf_seen_max, applies=_when(None)),
        Mistake("a 0/0 (a class never predicted, or never present) must count as 0, not NaN — and NaN classes "
                "must not be skipped in the average (np.nanmean).", _prf_nanmean,
                applies=_when("macro", None)),
    ),
    hint="from the confusion matrix: TP = diagonal, FP = column sum − TP, FN = row sum − TP; per class "
         "P = TP/(TP+FP), R = TP/(TP+FN), F1 = 2PR/(P+R), each 0 when its denominator is 0; then reduce "
         "by `average`.",
))


# --------------------------------------------------------------------------- regression_metrics
REG_KEYS = ("mae", "mse", "rmse")


def _reg_ref(case, ref):
    torch = ref.torch
    y, p = ref.t(case.args[0]), ref.t(case.args[1])
    mse = torch.nn.functional.mse_loss(p, y)
    return {"mae": torch.nn.functional.l1_loss(p, y), "mse": mse, "rmse": torch.sqrt(mse)}


def _reg_cases(rng):
    def case(label, y, p):
        return Case(label, (y, p), arg_names=["y_true", "y_pred"])

    y = rng.normal(20, 8, size=50)
    y_out = rng.normal(0, 1, size=20)
    p_out = y_out + rng.normal(0, 0.3, size=20)
    p_out[7] += 25.0
    big = rng.normal(3e5, 1e5, size=30)
    return [
        case("a small hand example", np.array([3.0, -0.5, 2.0, 7.0]), np.array([2.5, 0.0, 2.0, 8.0])),
        case("50 random targets", y, y + rng.normal(0, 3, size=50)),
        case("one outlier among 20 predictions", y_out, p_out),
        case("perfect predictions (zero error)", y[:10], y[:10].copy()),
        case("a batch of one sample", np.array([4.0]), np.array([1.5])),
        case("integer targets, float predictions", rng.integers(0, 10, size=12), rng.normal(5, 3, size=12)),
        case("float32 inputs", y[:15].astype(np.float32), (y[:15] + rng.normal(0, 2, size=15)).astype(np.float32)),
        case("large values (house prices in dollars)", big, big + rng.normal(0, 2e4, size=30)),
    ]


def _reg_run(objects, case, call):
    result = call(objects[0], *case.args, what="regression_metrics", names=["y_true", "y_pred"])
    if result is None:
        raise StudentError("`regression_metrics` returned None; it should return a dict "
                           "{'mae': ..., 'mse': ..., 'rmse': ...}. Did you forget a `return` statement?")
    if not isinstance(result, dict):
        raise StudentError(f"`regression_metrics` should return a dict with the keys 'mae', 'mse' and 'rmse'; "
                           f"it returned {type(result).__name__}.")
    missing = [k for k in REG_KEYS if k not in result]
    if missing:
        have = ", ".join(repr(k) for k in result) or "no keys"
        raise StudentError(f"the dict returned by `regression_metrics` is missing the key(s) "
                           f"{', '.join(map(repr, missing))} (it has {have}); use the lower-case names "
                           f"'mae', 'mse' and 'rmse'.")
    return {k: result[k] for k in REG_KEYS}


def _reg_wrong(fn):
    def outputs(case, ref):
        y, p = ref.t(case.args[0]), ref.t(case.args[1])
        return fn(p - y, ref.torch)
    return outputs


register(Exercise(
    name="regression_metrics",
    lesson=LESSON,
    signature="regression_metrics(y_true, y_pred)",
    cases=_reg_cases,
    reference=_reg_ref,
    outputs=tuple(Output(k, scalar=True) for k in REG_KEYS),
    run=_reg_run,
    mistakes=(
        # Several outputs wrong at once first: they are the more specific matches.
        Mistake("np.var and np.std subtract the mean error first (a constant bias would vanish): the MSE is "
                "mean(e\u00b2) and the RMSE its square root, not the variance and standard deviation of e.",
                _reg_wrong(lambda e, torch: {"mse": e.var(correction=0), "rmse": e.std(correction=0)})),
        Mistake("np.std subtracts the mean error first: the RMSE is sqrt(mean(e\u00b2)), not the standard deviation "
                "of the errors.", _reg_wrong(lambda e, torch: {"rmse": e.std(correction=0)})),
        Mistake("the MSE is a plain mean over the N samples: divide by N, not N \u2212 1.",
                _reg_wrong(lambda e, torch: {"mse": (e ** 2).sum() / (len(e) - 1),
                                             "rmse": torch.sqrt((e ** 2).sum() / (len(e) - 1))}),
                applies=lambda case: len(case.args[0]) > 1),
        Mistake("your RMSE is the mean of the per-sample roots sqrt(e²) = |e|, which is just the MAE: square, "
                "average, THEN take one square root of the mean.",
                _reg_wrong(lambda e, torch: {"rmse": torch.sqrt(e ** 2).mean()})),
        Mistake("the MAE needs absolute values: positive and negative errors cancel in the plain mean of "
                "y_pred − y_true.", _reg_wrong(lambda e, torch: {"mae": e.mean()})),
        Mistake("the MAE needs absolute values: positive and negative errors cancel in the plain mean of "
                "y_true − y_pred.", _reg_wrong(lambda e, torch: {"mae": (-e).mean()})),
        Mistake("you summed the errors; MAE and MSE are MEANS over the samples (divide by N).",
                _reg_wrong(lambda e, torch: {"mae": e.abs().sum(), "mse": (e ** 2).sum()})),
        Mistake("you summed the squared errors; the MSE is their MEAN (divide by N), and the RMSE its root.",
                _reg_wrong(lambda e, torch: {"mse": (e ** 2).sum(), "rmse": torch.sqrt((e ** 2).sum())})),
        Mistake("the MSE here is the plain mean of the squared errors, without the 1/2 some cost functions use.",
                _reg_wrong(lambda e, torch: {"mse": (e ** 2).mean() / 2})),
        Mistake("the RMSE is the square root of the MSE, not of the MAE.",
                _reg_wrong(lambda e, torch: {"rmse": torch.sqrt(e.abs().mean())})),
        Mistake("the MSE is the mean of the squared errors, not the square of the mean absolute error.",
                _reg_wrong(lambda e, torch: {"mse": e.abs().mean() ** 2})),
        Mistake("the MSE is a plain mean over the N samples: divide by N, not N \u2212 1.",
                _reg_wrong(lambda e, torch: {"mse": (e ** 2).sum() / (len(e) - 1)}),
                applies=lambda case: len(case.args[0]) > 1),
        Mistake("'mse' and 'rmse' are swapped: mse = mean(e\u00b2), rmse = sqrt(mse).",
                _reg_wrong(lambda e, torch: {"mse": torch.sqrt((e ** 2).mean()), "rmse": (e ** 2).mean()})),
    ),
    hint="with e = y_pred − y_true: mae = mean(|e|), mse = mean(e²), rmse = sqrt(mse); three single numbers "
         "in a dict.",
))


# --------------------------------------------------------------------------- kfold_indices
def _kfold_ref(case, ref):
    torch = ref.torch
    n, k = case.args
    sizes = torch.tensor([len(f) for f in torch.arange(n, device=ref.device).tensor_split(k)], device=ref.device)
    return {"val_sizes": torch.sort(sizes, descending=True).values,
            "val_coverage": torch.ones(n, dtype=torch.int64, device=ref.device)}


def _kfold_cases(rng):
    def case(label, n, k, seed=None):
        kwargs = {} if seed is None else {"rng": np.random.default_rng(seed)}
        data = {} if seed is None else {"seed": seed}
        return Case(label, (n, k), kwargs, data=data, arg_names=["n", "k"])

    s = [int(x) for x in rng.integers(0, 2 ** 31, size=4)]
    return [
        case("n=10, k=5, no rng", 10, 5),
        case("n=10, k=3 (not divisible), no rng", 10, 3),
        case("n=23, k=4, no rng", 23, 4),
        case("k = n = 7 (leave-one-out)", 7, 7),
        case("n=6, k=2", 6, 2),
        case("n=20, k=5, shuffled with a Generator", 20, 5, s[0]),
        case("n=103, k=10, shuffled with a Generator", 103, 10, s[1]),
        case("n=9, k=9, shuffled with a Generator", 9, 9, s[2]),
        case("n=50, k=3, shuffled with a Generator", 50, 3, s[3]),
    ]


def _as_index_array(a, what, n):
    if type(a).__module__.split(".")[0] == "torch":
        raise StudentError(f"{what} is a torch tensor; return NumPy integer arrays.")
    if isinstance(a, (list, tuple, range)):
        raise StudentError(f"{what} is a Python {type(a).__name__}; return a NumPy integer array "
                           f"(np.array(...) or np.arange(...)).")
    if not isinstance(a, np.ndarray):
        raise StudentError(f"{what} is {type(a).__name__}; it should be a NumPy array of integer indices.")
    if a.dtype == np.bool_:
        raise StudentError(f"{what} is a boolean mask; return the integer INDICES (np.flatnonzero(mask) "
                           f"or np.where(mask)[0]).")
    if not np.issubdtype(a.dtype, np.integer):
        raise StudentError(f"{what} has dtype {a.dtype}; indices must be integers (np.arange gives int64; "
                           f"use .astype(int) if you built them with floats).")
    if a.ndim != 1:
        raise StudentError(f"{what} has shape {a.shape}; it should be a flat (1-D) array of indices.")
    if a.size and (a.min() < 0 or a.max() >= n):
        raise StudentError(f"{what} holds the index {int(a.min() if a.min() < 0 else a.max())}, outside "
                           f"range(n) = 0 … {n - 1}.")
    return a.astype(np.int64)


def _kfold_folds(result, n, k):
    """The student's folds as a list of (train, val) int64 arrays, or a StudentError."""
    if result is None:
        raise StudentError("`kfold_indices` returned None; it should return a list of k (train_idx, val_idx) "
                           "pairs. Did you forget a `return` statement?")
    if isinstance(result, np.ndarray) or not isinstance(result, (list, tuple)):
        raise StudentError(f"`kfold_indices` should return a list of k (train_idx, val_idx) pairs; it returned "
                           f"{type(result).__name__}.")
    if len(result) != k:
        raise StudentError(f"`kfold_indices` returned {len(result)} folds for k = {k}; there must be exactly k "
                           f"(train_idx, val_idx) pairs, one per fold.")
    folds = []
    for i, pair in enumerate(result):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise StudentError(f"Fold {i} is not a pair (train_idx, val_idx); it is {type(pair).__name__}"
                               f"{' of length ' + str(len(pair)) if isinstance(pair, (tuple, list)) else ''}.")
        train = _as_index_array(pair[0], f"train_idx of fold {i}", n)
        val = _as_index_array(pair[1], f"val_idx of fold {i}", n)
        folds.append((train, val))
    return folds


def _kfold_properties(folds, n, k):
    """Check the k-fold contract and say precisely which part is broken."""
    seen = np.full(n, -1)
    for i, (_, val) in enumerate(folds):
        if len(val) == 0:
            raise StudentError(f"The validation fold {i} is empty; every fold needs n // k or n // k + 1 samples.")
        uniq, counts = np.unique(val, return_counts=True)
        if (counts > 1).any():
            raise StudentError(f"The validation fold {i} holds the sample {int(uniq[counts > 1][0])} more than once.")
        again = val[seen[val] >= 0]
        if again.size:
            j = int(seen[again[0]])
            raise StudentError(f"The validation folds overlap: sample {int(again[0])} is in fold {j} and in fold "
                               f"{i}. Each sample must be validated exactly once (split one permutation of "
                               f"range(n) into k consecutive pieces).")
        seen[val] = i
    dropped = np.flatnonzero(seen < 0)
    if dropped.size:
        raise StudentError(f"The validation folds drop {dropped.size} sample(s), e.g. {int(dropped[0])}: together "
                           f"they must cover all of range(n) — with n = {n}, k = {k} the n % k = {n % k} leftover "
                           f"samples must go somewhere (np.array_split does it for you).")
    sizes = [len(v) for _, v in folds]
    if max(sizes) - min(sizes) > 1:
        share = (f"every fold gets n // k = {n // k} samples" if n % k == 0 else
                 f"the first n % k = {n % k} folds get n // k + 1 = {n // k + 1} samples and the others "
                 f"n // k = {n // k}")
        raise StudentError(f"The fold sizes are {sizes}: they may differ by at most one. With n = {n}, k = {k} "
                           f"{share} (np.array_split does exactly this).")
    for i, (train, val) in enumerate(folds):
        uniq, counts = np.unique(train, return_counts=True)
        if (counts > 1).any():
            raise StudentError(f"The train_idx of fold {i} holds the sample {int(uniq[counts > 1][0])} more than once.")
        leak = np.intersect1d(train, val)
        if leak.size:
            raise StudentError(f"The train_idx of fold {i} contains validation samples (e.g. {int(leak[0])}): the model "
                               f"would be validated on data it was trained on. train_idx must be all samples NOT "
                               f"in val_idx.")
        rest = np.setdiff1d(np.arange(n), val)
        if len(train) != len(rest) or not np.array_equal(np.sort(train), rest):
            missing = np.setdiff1d(rest, train)
            raise StudentError(f"The train_idx of fold {i} has {len(train)} samples, but it must be all the other "
                               f"{len(rest)} (it misses e.g. {int(missing[0]) if missing.size else '?'}): "
                               f"train_idx = the samples of the other k − 1 folds.")


def _same_folds(a, b):
    return all(np.array_equal(ta, tb) and np.array_equal(va, vb) for (ta, va), (tb, vb) in zip(a, b))


def _val_sets(folds):
    return [frozenset(v.tolist()) for _, v in folds]


def _kfold_run(objects, case, call):
    n, k = case.args
    fn = objects[0]
    seed = case.data.get("seed")

    def once():
        kwargs = {} if seed is None else {"rng": np.random.default_rng(seed)}
        return _kfold_folds(call(fn, n, k, what="kfold_indices", names=["n", "k"], **kwargs), n, k)

    folds = once()
    try:
        _kfold_properties(folds, n, k)
    except StudentError as problem:
        try:
            _kfold_properties([(v, t) for t, v in folds], n, k)
        except StudentError:
            raise problem from None
        raise StudentError("Each pair must be (train_idx, val_idx), in that order: yours are (val_idx, train_idx) "
                           "— the small validation fold comes second.") from None
    again = once()
    if not _same_folds(folds, again):
        if seed is None:
            raise StudentError("With rng=None two calls gave different folds: without a Generator, don't shuffle "
                               "(use np.arange(n) in order).")
        raise StudentError("Two calls with Generators made from the same seed gave different folds: shuffle with "
                           "the Generator you are given (rng.permutation(n)), not with np.random.")
    if seed is not None and n >= 8 and _val_sets(folds) == _val_sets(
            _kfold_folds(call(fn, n, k, what="kfold_indices", names=["n", "k"]), n, k)):
        raise StudentError("With a Generator the folds must be shuffled: draw order = rng.permutation(n) and split "
                           "that, instead of splitting range(n) in order.")
    sizes = np.sort(np.array([len(v) for _, v in folds]))[::-1]
    coverage = np.bincount(np.concatenate([v for _, v in folds]), minlength=n)
    return {"val_sizes": sizes, "val_coverage": coverage}


register(Exercise(
    name="kfold_indices",
    lesson=LESSON,
    signature="kfold_indices(n, k, rng=None)",
    cases=_kfold_cases,
    reference=_kfold_ref,
    outputs=(Output("val_sizes", kind="int"), Output("val_coverage", kind="int")),
    run=_kfold_run,
    hint="take idx = np.arange(n) (or rng.permutation(n) when rng is given), split it into k pieces whose "
         "sizes differ by at most one (np.array_split), and pair each piece (validation) with the rest "
         "(training).",
))
