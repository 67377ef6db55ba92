"""The outcome-graded exercise of lab 1: ``boston_mlp``.

The student's ``train_boston_mlp(X_train, y_train, seed=0)`` gets the raw training rows of the check's
own split (never the test rows) and returns a predictor: a function ``predict(X) -> (M,)`` prices in
$1000s (or an object with a ``predict`` method). The check trains it inside the time limit, predicts the
held-out rows, and holds the test MAE to the bar. A hard-coded number cannot pass: the split changes
with the seed, and a prediction for one row must not depend on which other rows are predicted with it
(that catches a standardizer refitted on the rows being predicted).
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Output, StudentError, register
from course.checks.compare import as_array
from course.checks.kinds import Training

from .lecture import check_split

#: The bar: the network's test MAE in $1000s (least squares gets about 3.2 to 3.9 on these splits).
MAE_BAR = 2.9


def predictions_of(result, call, X, what: str, kind: str = "predict"):
    """The (M,) float predictions of a student's predictor on ``X``, checked for shape, finiteness and for
    rows predicted independently of each other."""
    fn = getattr(result, kind, None) if not callable(result) or hasattr(result, kind) else result
    if result is None:
        raise StudentError(f"`{what}` returned None; it should return the trained model's `{kind}` function. "
                           f"Did you forget a `return`?")
    if not callable(fn):
        raise StudentError(f"`{what}` should return a function `{kind}(X)` (or an object with a `{kind}` "
                           f"method); it returned {type(result).__name__}.")

    def run(rows):
        raw = call(fn, rows, what=kind, names=["X"])
        try:
            arr = as_array(raw, f"what `{kind}` returned")
        except ValueError as e:
            raise StudentError(str(e)) from None
        if arr.shape == (len(rows), 1):
            arr = arr[:, 0]
        if arr.shape != (len(rows),):
            raise StudentError(f"`{kind}` on {len(rows)} rows returned shape {arr.shape}; it should return one "
                               f"number per row, shape ({len(rows)},).")
        arr = np.asarray(arr, dtype=np.float64)
        if not np.all(np.isfinite(arr)):
            raise StudentError(f"`{kind}` returned values that are not finite numbers (nan or inf): a constant "
                               f"column divided by a std of 0, or a training run that diverged?")
        return arr

    full = run(X)
    order = np.arange(len(X))[::-1]
    few = order[: max(2, len(X) // 5)]
    part = run(X[few])
    if not np.allclose(part, full[few], rtol=1e-5, atol=1e-6 * (1 + np.abs(full).max())):
        raise StudentError(
            f"the prediction for a row changes with the other rows passed to `{kind}` (the same {len(few)} rows "
            f"alone get other values than inside the full test set): your preprocessing is fitted on the rows "
            f"being predicted, a leak. Fit the standardizer (and any median) once, on the training rows, inside "
            f"the training function, and reuse those statistics in `{kind}`.")
    return full


def _cases(rng):
    """One case: a split drawn from the check's seed (the hidden seeds give other splits)."""
    split = int(rng.integers(0, 10_000))
    X_train, X_test, y_train, y_test = check_split(split)
    return [Case(f"train on {len(X_train)} tracts, test on {len(X_test)} held-out ones (split {split})",
                 {"X_train": X_train, "y_train": y_train, "seed": int(rng.integers(0, 100))},
                 data={"X_test": X_test, "y_test": y_test})]


def _outcome(result, call, X_test, y_test):
    pred = predictions_of(result, call, X_test, "train_boston_mlp")
    return {"test_mae": float(np.mean(np.abs(pred - y_test)))}


register(Exercise(
    name="boston_mlp",
    signature="train_boston_mlp(X_train, y_train, seed=0)",
    cases=_cases,
    kind=Training(outcome=_outcome),
    outputs=(Output("test_mae", scalar=True, at_most=MAE_BAR, label="test MAE (in $1000s)"),),
    hint="standardize with the training rows' statistics, train your MLP with Adam on mini-batches and stop "
         "early on a validation part of the training rows; predict in $1000s.",
    time_limit=60.0,
    points=3,
))
