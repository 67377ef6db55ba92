"""Exercise specs of lab 3's diagnostic-test report: ``sensitivity_specificity`` and ``youden_threshold``.

Youden's J = sensitivity + specificity − 1 is compared exactly: TP / P + TN / N − 1 has the same order as
TP · N + TN · P, an integer, so two thresholds with the same J tie exactly and the tie goes to the largest
threshold (the one that sends fewer children for treatment).
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, register


# --------------------------------------------------------------------------- sensitivity_specificity
def confusion_counts(ref, y_true, y_pred):
    """TP, FN, TN, FP of 0/1 tensors, as float64 tensors."""
    t, p = y_true.to(ref.dtype) > 0.5, y_pred.to(ref.dtype) > 0.5
    count = lambda m: m.sum().to(ref.dtype)  # noqa: E731
    return count(t & p), count(t & ~p), count(~t & ~p), count(~t & p)


def _ratio(ref, a, b):
    return a / b if float(b) > 0 else ref.torch.zeros((), dtype=ref.dtype, device=ref.device)


def sens_spec_reference(ref, y_true, y_pred):
    tp, fn, tn, fp = confusion_counts(ref, y_true, y_pred)
    return {"sensitivity": _ratio(ref, tp, tp + fn), "specificity": _ratio(ref, tn, tn + fp)}


def _ss_cases(rng):
    y = (rng.random(40) < 0.6).astype(np.int64)
    y[:2] = [0, 1]
    pred = np.where(rng.random(40) < 0.8, y, 1 - y)
    y2 = (rng.random(30) < 0.3).astype(np.int64)
    y2[:2] = [0, 1]
    pred2 = (rng.random(30) < 0.5).astype(np.int64)
    return [
        Case("40 children, 80 % of the predictions right", {"y_true": y, "y_pred": pred}),
        Case("30 children, random predictions", {"y_true": y2, "y_pred": pred2}),
        Case("'always pneumonia': specificity 0", {"y_true": y, "y_pred": np.ones(40, np.int64)}),
        Case("no healthy child in y_true: specificity 0/0 counts 0",
             {"y_true": np.ones(6, np.int64), "y_pred": np.array([1, 0, 1, 1, 0, 1])}),
        Case("no sick child in y_true: sensitivity 0/0 counts 0",
             {"y_true": np.zeros(5, np.int64), "y_pred": np.array([0, 1, 0, 0, 0])}),
        Case("float labels and boolean predictions", {"y_true": y2.astype(float), "y_pred": pred2.astype(bool)}),
    ]


register(Exercise(
    name="sensitivity_specificity",
    signature="sensitivity_specificity(y_true, y_pred)",
    cases=_ss_cases,
    reference=sens_spec_reference,
    outputs=(Output("sensitivity", scalar=True), Output("specificity", scalar=True)),
    mistakes=(
        Mistake("one_minus_sensitivity", "specificity is not 1 − sensitivity: it is TN / (TN + FP), the share of "
                "the healthy children (y = 0) predicted healthy; 1 − sensitivity is the share of sick ones missed.",
                lambda ref, y_true, y_pred: {"specificity": 1 - sens_spec_reference(ref, y_true, y_pred)["sensitivity"]}),
        Mistake("swapped", "sensitivity and specificity are swapped: sensitivity = TP / (TP + FN) (the sick, "
                "y = 1), specificity = TN / (TN + FP) (the healthy, y = 0).",
                lambda ref, y_true, y_pred: (lambda d: {"sensitivity": d["specificity"], "specificity": d["sensitivity"]})(
                    sens_spec_reference(ref, y_true, y_pred))),
        Mistake("precision", "TP / (TP + FP) is the precision (of a positive prediction); sensitivity divides by "
                "the sick children, TP / (TP + FN).",
                lambda ref, y_true, y_pred: (lambda c: {"sensitivity": _ratio(ref, c[0], c[0] + c[3])})(
                    confusion_counts(ref, y_true, y_pred))),
        Mistake("nan_for_empty", "a class absent from y_true makes 0/0: count it 0 (test the denominator) "
                "instead of returning nan.",
                lambda ref, y_true, y_pred: (lambda c: {"sensitivity": c[0] / (c[0] + c[1]),
                                                        "specificity": c[2] / (c[2] + c[3])})(
                    confusion_counts(ref, y_true, y_pred)),
                when=lambda y_true: bool((y_true > 0.5).all() or (y_true < 0.5).all())),
    ),
    hint="TP = sum((y_true == 1) & (y_pred == 1)) and so on; sensitivity = TP / (TP + FN), specificity = "
         "TN / (TN + FP), each 0 when its denominator is 0.",
    points=1,
))


# --------------------------------------------------------------------------- youden_threshold
def youden_reference(ref, y_true, scores, *, strict=False, ties="largest", score="youden", as_index=False):
    """Youden's threshold by exact integer comparison (and, with the keywords, its plausible wrong versions)."""
    torch = ref.torch
    pos = y_true.to(ref.dtype) > 0.5
    ts = torch.unique(scores)  # ascending
    above = scores[None, :] > ts[:, None] if strict else scores[None, :] >= ts[:, None]
    tp = (above & pos[None, :]).sum(1)
    tn = (~above & ~pos[None, :]).sum(1)
    P, N = int(pos.sum()), int((~pos).sum())
    if score == "youden":
        value = tp * N + tn * P  # int64: exact
    elif score == "accuracy":
        value = tp + tn
    else:  # J in floating point, as TP / P + TN / N - 1
        value = tp.to(ref.dtype) / P + tn.to(ref.dtype) / N - 1
    best = value.max()
    where = torch.nonzero(value == best).flatten()
    i = where[-1] if ties == "largest" else where[0]
    if as_index:
        return i.to(ref.dtype)
    return ts[i]


def _youden_cases(rng):
    y = (rng.random(60) < 0.65).astype(np.int64)
    y[:2] = [0, 1]
    s = 1 / (1 + np.exp(-(1.5 * (2 * y - 1) + rng.normal(scale=1.2, size=60))))
    # Rounded scores: many repeated values, and thresholds with the same J.
    y_t = np.array([0, 0, 1, 0, 1, 0, 0, 1, 0, 1])
    s_t = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
    # P = 2, N = 6: t = 0.2 (TP 2, TN 1) and t = 0.6 (TP 1, TN 4) tie exactly (14 = 14), but in floating point
    # 2/2 + 1/6 - 1 > 1/2 + 4/6 - 1 by one rounding step.
    y_f = np.array([0, 1, 0, 0, 0, 1, 0, 0])
    s_f = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    y_r = (rng.random(50) < 0.7).astype(np.int64)
    y_r[:2] = [0, 1]
    s_r = np.round(np.clip(0.35 * y_r + rng.uniform(0, 0.65, size=50), 0, 1), 1)
    # 90 % pneumonia, as the training split: accuracy's best threshold is not Youden's.
    y_i = np.r_[np.zeros(10, np.int64), np.ones(90, np.int64)]
    s_i = np.r_[rng.uniform(0.0, 0.6, size=10), rng.uniform(0.3, 1.0, size=90)]
    return [
        Case("60 scores of two overlapping classes", {"y_true": y, "scores": s}),
        Case("10 scores where two thresholds tie on J: the largest wins", {"y_true": y_t, "scores": s_t}),
        Case("8 scores whose tie only integers see (P = 2, N = 6)", {"y_true": y_f, "scores": s_f}),
        Case("50 scores rounded to 0.1 (repeated values)", {"y_true": y_r, "scores": s_r}),
        Case("90 % positives: the best J is not the best accuracy", {"y_true": y_i, "scores": s_i}),
        Case("float labels", {"y_true": y[:30].astype(float), "scores": s[:30]}),
        Case("perfect separation", {"y_true": np.array([0, 0, 1, 1]), "scores": np.array([0.2, 0.1, 0.8, 0.6])}),
    ]


register(Exercise(
    name="youden_threshold",
    signature="youden_threshold(y_true, scores)",
    cases=_youden_cases,
    reference=youden_reference,
    outputs=(Output("threshold", scalar=True),),
    mistakes=(
        Mistake("accuracy", "you maximized the accuracy (TP + TN); Youden's J = sensitivity + specificity − 1 "
                "weighs each class by its own size: maximize TP · N + TN · P.",
                lambda ref, y_true, scores: youden_reference(ref, y_true, scores, score="accuracy")),
        Mistake("float_ties", "J computed in floating point (TP/P + TN/N) can break a true tie by rounding: compare "
                "TP · N + TN · P in integers.",
                lambda ref, y_true, scores: youden_reference(ref, y_true, scores, score="float")),
        Mistake("ties_smallest", "when several thresholds reach the same J the largest one wins (np.argmax gives the "
                "first, the smallest: compare with >= in a loop, or take the last index of the maximum).",
                lambda ref, y_true, scores: youden_reference(ref, y_true, scores, ties="smallest")),
        Mistake("strict", "predict 1 where score >= t (the threshold itself counts as pneumonia), not score > t.",
                lambda ref, y_true, scores: youden_reference(ref, y_true, scores, strict=True)),
        Mistake("index", "you returned the index of the best threshold; return the threshold itself, a score.",
                lambda ref, y_true, scores: youden_reference(ref, y_true, scores, as_index=True)),
    ),
    hint="for each distinct score t: TP = #(positives with score >= t), TN = #(negatives with score < t); keep the t "
         "with the largest TP · N + TN · P, the largest t on a tie.",
    points=2,
))
