"""Lesson 05: batch normalization and regularization (dropout, weight decay).

Exercises: ``batchnorm_forward``, ``batchnorm_backward`` (in :mod:`.batchnorm`), ``dropout_forward``,
``dropout_backward`` (in :mod:`.dropout`).
The lecture's data (in :mod:`.lecture`): :data:`LECTURE_BATCH`, :data:`LECTURE_CONVS`, :data:`KERAS_SUMMARY`,
:data:`ALEXNET_RECIPE`, :data:`KEY_TERMS`.
Training runs and demos (in :mod:`.experiments`): :func:`build_lecture_model`, :func:`keras_summary`,
:func:`train_classifier`, :func:`accuracy`, :func:`train_with_validation`, :func:`backward_demo`.
Pictures (in :mod:`.plots`): :func:`running_stats_explorer`, :func:`plot_running_stats`, :func:`dropout_explorer`,
:func:`plot_validation`, :func:`key_terms_html`.
"""
LESSON = "05_batchnorm"

from . import batchnorm, dropout  # noqa: E402  (register the exercises)
from .experiments import (  # noqa: E402
    accuracy,
    backward_demo,
    build_lecture_model,
    keras_summary,
    train_classifier,
    train_with_validation,
    weight_norm,
)
from .lecture import ALEXNET_RECIPE, KERAS_SUMMARY, KEY_TERMS, LECTURE_BATCH, LECTURE_CONVS  # noqa: E402
from .plots import (  # noqa: E402
    dropout_explorer,
    key_terms_html,
    plot_running_stats,
    plot_validation,
    running_stats_explorer,
    running_stats_trace,
)

__all__ = [
    "ALEXNET_RECIPE", "KERAS_SUMMARY", "KEY_TERMS", "LECTURE_BATCH", "LECTURE_CONVS", "LESSON", "accuracy",
    "backward_demo", "batchnorm", "build_lecture_model", "dropout", "dropout_explorer", "keras_summary",
    "key_terms_html", "plot_running_stats", "plot_validation", "running_stats_explorer", "running_stats_trace",
    "train_classifier", "train_with_validation", "weight_norm",
]
