"""Lesson 07: evaluation metrics and model validation.

Exercises (:mod:`.checks`): ``confusion_matrix``, ``accuracy``, ``precision_recall_f1``,
``regression_metrics``, ``kfold_indices``.
The lecture's examples (:mod:`.examples`): the e-mail table :data:`EMAIL_LECTURE_TABLE` with
:data:`EMAIL_CLASSES`, the airplane/boat/car matrix :data:`VEHICLE_CONFUSION` with :data:`VEHICLE_CLASSES`,
and their label arrays :func:`email_labels` and :func:`vehicle_labels`.
Pictures (:mod:`.plots`): :func:`plot_confusion` (a labelled confusion matrix), :func:`binary_curves` and
:func:`plot_threshold` (confusion matrix, scores, ROC and precision–recall curves at one decision
threshold), :func:`threshold_explorer` (a slider that moves the threshold), :func:`plot_fold_layout`
(which samples validate in which fold) and :func:`plot_complexity` (train and validation error against
model complexity).

The references use torchmetrics: ``multiclass_confusion_matrix`` for the matrix and
``multiclass_stat_scores`` for the per-class counts TP, FP, FN and the support. torchmetrics divides
those counts in float32, so the divisions are redone here in float64 with exactly torchmetrics' rules
(0/0 counts as 0; "macro" leaves out a class that is absent from both ``y_true`` and ``y_pred``;
"weighted" weights each class by its support TP + FN). The test suite compares these float64 values
with torchmetrics' own float32 results.
"""
from __future__ import annotations

from . import checks
from .checks import LESSON, REG_KEYS
from .examples import (
    EMAIL_CLASSES,
    EMAIL_LECTURE_TABLE,
    VEHICLE_CLASSES,
    VEHICLE_CONFUSION,
    email_labels,
    labels_from_confusion,
    vehicle_labels,
)
from .plots import (
    binary_curves,
    plot_complexity,
    plot_confusion,
    plot_fold_layout,
    plot_threshold,
    threshold_explorer,
    threshold_metrics,
)

__all__ = [
    "LESSON", "REG_KEYS",
    "EMAIL_CLASSES", "EMAIL_LECTURE_TABLE", "VEHICLE_CLASSES", "VEHICLE_CONFUSION",
    "email_labels", "labels_from_confusion", "vehicle_labels",
    "binary_curves", "plot_complexity", "plot_confusion", "plot_fold_layout", "plot_threshold",
    "threshold_explorer", "threshold_metrics",
]
