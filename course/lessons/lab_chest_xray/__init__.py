"""Lesson 11, applied lab 3: pneumonia from chest X-rays (PneumoniaMNIST) with a CNN.

Exercises: ``class_weights`` and ``weighted_bce_with_logits`` (in :mod:`.imbalance`),
``sensitivity_specificity`` and ``youden_threshold`` (in :mod:`.diagnostic`), and the outcome-graded
``xray_cnn`` (in :mod:`.model`: the student's trained model scored on the test split, with the threshold
chosen on validation). The lab's fixed data (:mod:`.lecture`): class counts, the MedMNIST v2 anchors.
Pictures (:mod:`.plots`): sample images, the threshold widget, the ROC curve with the operating point,
filters and saliency maps. Experiments (:mod:`.experiments`): the CNN, its training, saliency.
"""
LESSON = "11_lab_chest_xray"

from . import diagnostic, imbalance, model  # noqa: E402  (register the exercises)
from .experiments import (  # noqa: E402
    augmentation_study, auc_of, count_parameters, make_cnn, predict_proba, print_augmentation_study, saliency,
    to_input, train_cnn,
)
from .lecture import (  # noqa: E402
    ACCURACY_BAR, ANCHORS, AUC_BAR, CLASS_COUNTS, CLASS_NAMES, OFFICIAL_TRAIN_COUNTS, TERMS, always_pneumonia,
    balanced_weights, class_table, shares,
)
from .plots import (  # noqa: E402
    plot_filters, plot_roc, plot_saliency, plot_samples, table_html, threshold_widget,
)

__all__ = ["LESSON", "ACCURACY_BAR", "ANCHORS", "AUC_BAR", "CLASS_COUNTS", "CLASS_NAMES", "OFFICIAL_TRAIN_COUNTS",
           "TERMS", "always_pneumonia", "balanced_weights", "class_table", "shares", "augmentation_study", "auc_of", "count_parameters",
           "print_augmentation_study",
           "make_cnn", "predict_proba", "saliency", "to_input", "train_cnn", "plot_filters", "plot_roc",
           "plot_saliency", "plot_samples", "table_html", "threshold_widget", "diagnostic", "imbalance", "model"]
