"""The fixed data of lab 3: the splits' class counts, what "always pneumonia" scores, the published anchors.

PneumoniaMNIST (MedMNIST v2) is the pediatric chest X-ray set of Kermany et al. (2018), children aged one
to five from Guangzhou, resized to 28 x 28. The course embeds a training split with fewer normal images
than the official one (388 instead of 1,214), so that the imbalance is the problem to solve.
"""
from __future__ import annotations

import numpy as np

#: Split -> (normal, pneumonia) counts of the embedded copy (label 0 normal, 1 pneumonia).
CLASS_COUNTS = {"train": (388, 3494), "val": (135, 389), "test": (234, 390)}

#: The official MedMNIST v2 training split, for comparison (4,708 images).
OFFICIAL_TRAIN_COUNTS = (1214, 3494)

#: MedMNIST v2's own PneumoniaMNIST results at 28 x 28 (Yang et al., Scientific Data 10, 41, 2023):
#: test AUC and test accuracy. They trained on the official training split.
ANCHORS = [
    {"model": "ResNet-18 (28)", "auc": 0.944, "acc": 0.854},
    {"model": "ResNet-50 (28)", "auc": 0.948, "acc": 0.854},
    {"model": "auto-sklearn", "auc": 0.942, "acc": 0.855},
    {"model": "AutoKeras", "auc": 0.947, "acc": 0.878},
    {"model": "Google AutoML Vision (the ceiling)", "auc": 0.991, "acc": 0.946},
]

#: The lab's bars for ``xray_cnn``: test AUC, and test accuracy at the threshold chosen on validation.
AUC_BAR = 0.95
ACCURACY_BAR = 0.86

CLASS_NAMES = ("normal", "pneumonia")

#: Key terms, English and the lectures' Korean.
TERMS = [
    ("class imbalance", "클래스 불균형"),
    ("convolutional neural network (CNN)", "합성곱 신경망"),
    ("sensitivity (recall of pneumonia)", "민감도"),
    ("specificity", "특이도"),
    ("decision threshold", "결정 임계값"),
    ("ROC curve / AUC", "ROC 곡선 / AUC"),
    ("confusion matrix", "혼동 행렬"),
    ("data augmentation", "데이터 증강"),
    ("saliency map", "돌출 맵 (saliency map)"),
]


def shares(split: str) -> dict:
    """The class shares of a split: ``{"normal": 0.1, "pneumonia": 0.9}``."""
    normal, pneumonia = CLASS_COUNTS[split]
    n = normal + pneumonia
    return {"normal": normal / n, "pneumonia": pneumonia / n}


def always_pneumonia(split: str) -> dict:
    """What answering "pneumonia" for every child scores on a split: accuracy, sensitivity, specificity, AUC."""
    return {"accuracy": shares(split)["pneumonia"], "sensitivity": 1.0, "specificity": 0.0, "auc": 0.5}


def class_table() -> list:
    """One row per split: counts, shares, and the accuracy of "always pneumonia"."""
    rows = []
    for split, (normal, pneumonia) in CLASS_COUNTS.items():
        rows.append({"split": split, "normal": normal, "pneumonia": pneumonia, "images": normal + pneumonia,
                     "normal share": round(normal / (normal + pneumonia), 3),
                     "always-pneumonia accuracy": round(always_pneumonia(split)["accuracy"], 3)})
    return rows


def balanced_weights(counts) -> np.ndarray:
    """n / (K · n_c) for the given class counts: the weights ``class_weights`` computes."""
    counts = np.asarray(counts, dtype=float)
    return counts.sum() / (len(counts) * counts)
