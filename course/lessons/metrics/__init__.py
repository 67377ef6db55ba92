"""Lesson 07: evaluation metrics and model validation.

Exercises: ``confusion_matrix``, ``accuracy``, ``precision_recall_f1`` (:mod:`.classification`, on the
torchmetrics counts of :mod:`.counting`), ``regression_metrics`` (:mod:`.regression`) and
``kfold_indices`` (:mod:`.crossval`).
The lecture's data (:mod:`.lecture`): the urgent/normal/spam e-mail table :data:`EMAIL_LECTURE_TABLE`
with :data:`EMAIL_CLASSES` and :func:`email_labels`; the airplane/boat/car weighted-F1 example
:data:`VEHICLE_CONFUSION` with :data:`VEHICLE_CLASSES` and :func:`vehicle_labels`; the Bayes base-rate
example :data:`BAYES_TEST` with :func:`bayes_counts`.
Pictures (:mod:`.plots`): :func:`binary_curves` and :func:`plot_threshold` (confusion matrix, scores,
ROC and precision–recall curves at one decision threshold), :func:`threshold_explorer` (a slider that
moves the threshold), :func:`plot_fold_layout`, :func:`plot_complexity` and :func:`plot_data_amount`.
The confusion matrix itself is the course's :func:`course.plots.plot_confusion`.
Experiments (:mod:`.experiments`): :func:`degree_sweep` and :func:`data_amount_sweep` (polynomial fits of
growing degree, for one and for several training-set sizes).
"""
LESSON = "07_metrics"

from . import classification, crossval, regression  # noqa: E402  (register the exercises)
from .experiments import data_amount_sweep, degree_sweep, noisy_samples, truth  # noqa: E402
from .lecture import (  # noqa: E402
    BAYES_TEST,
    EMAIL_CLASSES,
    EMAIL_LECTURE_TABLE,
    EMAIL_PRECISION,
    VEHICLE_CLASSES,
    VEHICLE_CONFUSION,
    VEHICLE_F1,
    bayes_counts,
    email_labels,
    labels_from_confusion,
    vehicle_labels,
)
from .plots import (  # noqa: E402
    binary_curves,
    plot_complexity,
    plot_data_amount,
    plot_fold_layout,
    plot_threshold,
    threshold_explorer,
    threshold_metrics,
)
from .regression import REG_KEYS  # noqa: E402

__all__ = [
    "LESSON", "REG_KEYS", "classification", "crossval", "regression",
    "BAYES_TEST", "EMAIL_CLASSES", "EMAIL_LECTURE_TABLE", "EMAIL_PRECISION", "VEHICLE_CLASSES",
    "VEHICLE_CONFUSION", "VEHICLE_F1", "bayes_counts", "email_labels", "labels_from_confusion", "vehicle_labels",
    "data_amount_sweep", "degree_sweep", "noisy_samples", "truth",
    "binary_curves", "plot_complexity", "plot_data_amount", "plot_fold_layout", "plot_threshold",
    "threshold_explorer", "threshold_metrics",
]
