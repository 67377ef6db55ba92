"""The lecture's fixed data for lesson 07: the e-mail table, the weighted-F1 example, the Bayes example.

The two classification examples are kept as confusion matrices; :func:`email_labels` and
:func:`vehicle_labels` turn them into label arrays ``(y_true, y_pred)`` for the notebook and the
exercise cases. The base-rate example of Bayes' theorem is :data:`BAYES_TEST` with
:func:`bayes_counts`.
"""
from __future__ import annotations

import numpy as np

#: The e-mail classes of the lecture's three-class example.
EMAIL_CLASSES = ("urgent", "normal", "spam")

#: The lecture's table: rows = system output (predicted), columns = gold label (true).
EMAIL_LECTURE_TABLE = np.array([[8, 10, 1],
                                [5, 60, 50],
                                [3, 30, 200]])

#: The lecture's per-class precisions (.42, .52, .86), micro (.73) and macro (.60) averages.
EMAIL_PRECISION = {"per_class": (0.42, 0.52, 0.86), "micro": 0.73, "macro": 0.60}

#: The classes of the lecture's weighted-average example.
VEHICLE_CLASSES = ("airplane", "boat", "car")

#: A confusion matrix (rows = true, columns = predicted) whose per-class F1 scores are the lecture's
#: 0.67, 0.40, 0.67 with supports 3, 1, 6 (weighted F1 0.64).
VEHICLE_CONFUSION = np.array([[2, 1, 0],
                              [0, 1, 0],
                              [1, 2, 3]])

#: The lecture's weighted-F1 table: per-class F1, support, and the weighted average.
VEHICLE_F1 = {"f1": (0.67, 0.40, 0.67), "support": (3, 1, 6), "weighted": 0.64}

#: The lecture's base-rate example: a test with 99% sensitivity and 10% false positives, 1% prevalence.
BAYES_TEST = {"prevalence": 0.01, "sensitivity": 0.99, "false_positive_rate": 0.10}


def labels_from_confusion(cm):
    """Label arrays ``(y_true, y_pred)`` that have the confusion matrix ``cm`` (rows = true class)."""
    cm = np.asarray(cm)
    K = cm.shape[0]
    pairs = [(t, p) for t in range(K) for p in range(K) for _ in range(int(cm[t, p]))]
    y_true = np.array([t for t, _ in pairs], dtype=np.int64)
    y_pred = np.array([p for _, p in pairs], dtype=np.int64)
    return y_true, y_pred


def email_labels():
    """The lecture's 367 e-mails as ``(y_true, y_pred)``: 0 urgent, 1 normal, 2 spam."""
    return labels_from_confusion(EMAIL_LECTURE_TABLE.T)


def vehicle_labels():
    """Ten vehicle images as ``(y_true, y_pred)`` matching the lecture's weighted-F1 example."""
    return labels_from_confusion(VEHICLE_CONFUSION)


def bayes_counts(population=100_000, prevalence=0.01, sensitivity=0.99, false_positive_rate=0.10):
    """The expected confusion counts of a test on a population: a dict TP, FN, FP, TN and the precision.

    The precision TP / (TP + FP) is P(sick | positive), Bayes' theorem in counts.
    """
    sick = population * prevalence
    healthy = population - sick
    tp, fn = sensitivity * sick, (1 - sensitivity) * sick
    fp, tn = false_positive_rate * healthy, (1 - false_positive_rate) * healthy
    return {"TP": tp, "FN": fn, "FP": fp, "TN": tn, "precision": tp / (tp + fp),
            "accuracy": (tp + tn) / population}
