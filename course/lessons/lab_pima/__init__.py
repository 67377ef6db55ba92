"""Lesson 10, applied lab 2: diabetes in Pima women, missing values, logistic regression and a network.

Exercises: ``impute_zeros`` (in :mod:`.preprocessing`), ``roc_auc`` and ``logistic_regression`` (in
:mod:`.scoring`), and the outcome-graded ``pima_model`` (in :mod:`.model`: the student's training
function, trained by the check on its own stratified split and held to AUC and accuracy bars).
The lab's fixed data (:mod:`.lecture`): the columns whose zeros mean "not measured", the published anchors.
Pictures (:mod:`.plots`): the hidden zeros, the ROC curve with a threshold widget, fold-score spreads.
Experiments (:mod:`.experiments`): stratified folds built from the student's ``kfold_indices``, the same
models in PyTorch.
"""
LESSON = "10_lab_pima_diabetes"

from . import model, preprocessing, scoring  # noqa: E402  (register the exercises)
from .experiments import repeated_cv, stratified_folds, train_torch_logistic, train_torch_mlp  # noqa: E402
from .lecture import (  # noqa: E402
    MISSING_COUNTS, PUBLISHED, SPLIT_SEED, TEST_SIZE, ZERO_COLUMNS, baseline_accuracy, check_split,
)
from .plots import plot_fold_scores, plot_missing, roc_threshold_widget  # noqa: E402

__all__ = ["LESSON", "MISSING_COUNTS", "PUBLISHED", "SPLIT_SEED", "TEST_SIZE", "ZERO_COLUMNS",
           "baseline_accuracy", "check_split", "repeated_cv", "stratified_folds", "train_torch_logistic",
           "train_torch_mlp", "plot_fold_scores", "plot_missing", "roc_threshold_widget",
           "model", "preprocessing", "scoring"]
