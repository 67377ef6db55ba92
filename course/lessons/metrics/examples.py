"""The lecture's worked examples: the three-class e-mail table and the airplane/boat/car example.

Both are kept as confusion matrices; :func:`email_labels` and :func:`vehicle_labels` turn them into label
arrays ``(y_true, y_pred)`` for the notebook and the exercise cases.
"""
from __future__ import annotations

import numpy as np

#: The e-mail classes of the lecture's three-class example.
EMAIL_CLASSES = ("urgent", "normal", "spam")

#: The lecture's table: rows = system output (predicted), columns = gold label (true).
EMAIL_LECTURE_TABLE = np.array([[8, 10, 1],
                                [5, 60, 50],
                                [3, 30, 200]])

#: The classes of the lecture's weighted-average example.
VEHICLE_CLASSES = ("airplane", "boat", "car")

#: A confusion matrix (rows = true, columns = predicted) whose per-class F1 scores are the lecture's
#: 0.67, 0.40, 0.67 with supports 3, 1, 6.
VEHICLE_CONFUSION = np.array([[2, 1, 0],
                              [0, 1, 0],
                              [1, 2, 3]])


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
