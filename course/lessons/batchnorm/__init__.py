"""Lesson 05: batch normalization, dropout and generalization.

Exercises (in :mod:`.checks`): ``batchnorm_forward``, ``batchnorm_backward``, ``dropout_forward``,
``dropout_backward``.
Pictures and tools (in :mod:`.plots`): :func:`plot_scaling` (standardization vs min-max),
:func:`running_stats_explorer` (a momentum slider over the running estimates), :func:`dropout_explorer`
(a digit through dropout), :func:`plot_losses`, :func:`plot_early_stopping`.
The lecture's data, model and training helpers (in :mod:`.experiments`): :data:`LECTURE_BATCH`,
:func:`build_lecture_model` and :func:`keras_summary` (the lecture's Keras model in PyTorch),
:func:`train_classifier`, :func:`accuracy`, :func:`train_with_validation`, :func:`early_stopping_epoch`.
"""
from __future__ import annotations

from . import checks
from .checks import LESSON
from .experiments import (
    LECTURE_BATCH,
    LECTURE_CONVS,
    accuracy,
    build_lecture_model,
    early_stopping_epoch,
    keras_summary,
    train_classifier,
    train_with_validation,
)
from .plots import (
    dropout_explorer,
    plot_early_stopping,
    plot_losses,
    plot_running_stats,
    plot_scaling,
    running_stats_explorer,
    running_stats_trace,
)

__all__ = [
    "LECTURE_BATCH", "LECTURE_CONVS", "LESSON", "accuracy", "build_lecture_model", "checks", "dropout_explorer",
    "early_stopping_epoch", "keras_summary", "plot_early_stopping", "plot_losses", "plot_running_stats",
    "plot_scaling", "running_stats_explorer", "running_stats_trace", "train_classifier", "train_with_validation",
]
