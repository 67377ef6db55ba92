"""The outcome-graded exercise of lab 2: ``pima_model``.

The student's ``train_pima_model(X_train, y_train, seed=0)`` gets the raw training rows of the check's
own stratified split (zeros and all) and returns ``predict_proba(X) -> (M,)``, the probability of a
positive test for each row (or an object with a ``predict_proba`` method). The check trains it inside the
time limit and holds the test AUC and the accuracy at the threshold 0.5 to the bars; the message gives the
measured figures and the majority baseline. As in lab 1, a row's probability must not depend on the other
rows passed with it (medians or a standardizer refitted on the test rows).
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Output, StudentError, register
from course.checks.kinds import Training
from course.lessons.lab_boston.model import predictions_of

from .lecture import CHECK_SPLITS, baseline_accuracy, check_split
from .scoring import torchmetrics_auc

AUC_BAR = 0.80
ACCURACY_BAR = 0.74


def _cases(rng):
    """One case: a stratified split drawn from the check's seed (among ``CHECK_SPLITS``)."""
    split = int(CHECK_SPLITS[int(rng.integers(0, len(CHECK_SPLITS)))])
    X_train, X_test, y_train, y_test = check_split(split)
    return [Case(f"train on {len(X_train)} women, test on {len(X_test)} held-out ones (stratified split {split}; "
                 f"the majority baseline scores {baseline_accuracy(y_test):.3f})",
                 {"X_train": X_train, "y_train": y_train, "seed": int(rng.integers(0, 100))},
                 data={"X_test": X_test, "y_test": y_test})]


def _outcome(result, call, ref, X_test, y_test):
    p = predictions_of(result, call, X_test, "train_pima_model", kind="predict_proba")
    if p.min() < 0 or p.max() > 1:
        raise StudentError(f"`predict_proba` returned values in [{p.min():.3g}, {p.max():.3g}]; probabilities lie in "
                           f"[0, 1]: apply the sigmoid to the logits.")
    auc = float(torchmetrics_auc(ref, ref.long(y_test), ref.t(p)))
    return {"test_auc": auc, "test_accuracy": float(np.mean((p >= 0.5) == (y_test == 1)))}


register(Exercise(
    name="pima_model",
    signature="train_pima_model(X_train, y_train, seed=0)",
    cases=_cases,
    kind=Training(outcome=_outcome),
    outputs=(Output("test_auc", scalar=True, at_least=AUC_BAR, label="test AUC"),
             Output("test_accuracy", scalar=True, at_least=ACCURACY_BAR,
                    label="test accuracy at threshold 0.5 (the majority baseline is about 0.651)")),
    hint="impute the zeros with the training rows' medians, standardize with the training rows' statistics, "
         "train logistic regression (or your network) and return probabilities from the same pipeline.",
    time_limit=60.0,
    points=3,
))
