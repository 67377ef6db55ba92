"""Lesson 09, applied lab 1: Boston house prices with least squares and a NumPy network.

Exercises: ``fit_standardizer``, ``apply_standardizer``, ``least_squares`` (in :mod:`.preprocessing`)
and the outcome-graded ``boston_mlp`` (in :mod:`.model`: the student's training function, trained by the
check on its own split and held to a test-MAE bar).
The lab's fixed data (:mod:`.lecture`): the feature glossary, the published anchors, the check's split.
Pictures (:mod:`.plots`): the censored target, a feature explorer widget, residuals, learning curves.
Experiments (:mod:`.experiments`): the same network in PyTorch, one Adam step of ``nn.Sequential`` from
given weights, k-fold and learning-curve drivers that take the student's functions.
"""
LESSON = "09_lab_boston_housing"

from . import model, preprocessing  # noqa: E402  (register the exercises)
from .experiments import (  # noqa: E402
    cross_validate, learning_curve, torch_adam_step, train_torch_mlp,
)
from .lecture import (  # noqa: E402
    FEATURES, MEDV_CAP, PUBLISHED, SPLIT_SEED, TEST_SIZE, check_split, published_table,
)
from .plots import (  # noqa: E402
    feature_explorer, plot_learning_curves, plot_medv, plot_predictions, plot_residuals,
)

__all__ = ["LESSON", "FEATURES", "MEDV_CAP", "PUBLISHED", "SPLIT_SEED", "TEST_SIZE", "check_split",
           "published_table", "cross_validate", "learning_curve", "torch_adam_step", "train_torch_mlp",
           "feature_explorer", "plot_learning_curves", "plot_medv", "plot_predictions", "plot_residuals",
           "model", "preprocessing"]
