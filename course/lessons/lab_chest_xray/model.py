"""The outcome-graded exercise of lab 3: ``xray_cnn``.

The student trains the CNN in the notebook and hands the check two things: ``predict_xray(images)``, the
trained model's probability of pneumonia for uint8 images ``(M, 28, 28)`` -> ``(M,)`` NumPy, and
``val_threshold``, the decision threshold chosen with ``youden_threshold`` on the **validation** split. The
check scores the model (it does not train it again: training takes most of the notebook's minute):

- the test AUC, held to ``AUC_BAR``;
- the test accuracy at Youden's threshold on the validation scores, held to ``ACCURACY_BAR``;
- ``val_threshold`` against Youden's threshold of the validation scores: one chosen on the test split
  (or maximizing accuracy, or left at 0.5) is named.

A prediction must not depend on the other images passed with it (batch norm or dropout left in training
mode) nor change from one call to the next. The cases are the same for every seed: there are no hidden
seeds.
"""
from __future__ import annotations

import numpy as np

from course.checks import Case, Exercise, Mistake, Output, StudentError, register
from course.checks.kinds import Training

from .diagnostic import youden_reference
from .lecture import ACCURACY_BAR, ANCHORS, AUC_BAR


class ScoredModel(Training):
    """:class:`Training` whose reference needs the student's run: the threshold of *their* validation scores."""

    after_run = True


def _cases(rng):
    from course import data

    X_val, y_val = data.load_pneumoniamnist("val")
    X_test, y_test = data.load_pneumoniamnist("test")
    return [Case("the 624 test images (234 normal, 390 pneumonia), threshold from the 524 validation images",
                 {"images": X_test}, data={"y_test": y_test, "X_val": X_val, "y_val": y_val})]


def _scores(call, fn, images, what="predict_xray"):
    raw = call(fn, images, what=what, names=["images"])
    if raw is None:
        raise StudentError(f"`{what}` returned None; it should return the probability of pneumonia of each image.")
    if type(raw).__module__.split(".")[0] == "torch":
        raise StudentError(f"`{what}` returned a torch tensor; return a NumPy array "
                           f"(`torch.sigmoid(logits).detach().cpu().numpy()`).")
    p = np.asarray(raw, dtype=np.float64)
    if p.shape == (len(images), 1):
        p = p[:, 0]
    if p.shape != (len(images),):
        raise StudentError(f"`{what}` on {len(images)} images returned shape {p.shape}; it should return one "
                           f"probability per image, shape ({len(images)},).")
    if not np.all(np.isfinite(p)):
        raise StudentError(f"`{what}` returned values that are not finite (nan or inf).")
    if p.min() < 0 or p.max() > 1:
        raise StudentError(f"`{what}` returned values in [{p.min():.3g}, {p.max():.3g}]; probabilities lie in "
                           f"[0, 1]: apply the sigmoid to the logits.")
    return p


def _outcome(result, call, objects, ref, case, images, y_test, X_val, y_val):
    import torch

    fn, threshold = objects[0], objects[1]
    p_test = _scores(call, fn, images)
    rows = np.arange(len(images))[::-7][:40]
    again = _scores(call, fn, images[rows])
    if not np.allclose(again, p_test[rows], rtol=1e-4, atol=1e-5):
        raise StudentError("the probability of an image changes with the other images passed with it, or from one "
                           "call to the next: put the model in evaluation mode (`model.eval()`, which turns dropout "
                           "off and makes batch norm use its running statistics) inside `predict_xray`.")
    p_val = _scores(call, fn, X_val)
    if not isinstance(threshold, (int, float, np.floating, np.integer)) or isinstance(threshold, bool):
        raise StudentError(f"`val_threshold` should be a number (a score from `youden_threshold`); it is "
                           f"{type(threshold).__name__}.")
    case.data["val_scores"], case.data["test_scores"] = p_val, p_test
    t_val = float(youden_reference(ref, ref.long(y_val), ref.t(p_val)))
    from torchmetrics.functional.classification import binary_auroc

    auc = float(binary_auroc(torch.as_tensor(p_test).float(), torch.as_tensor(y_test).long()))
    acc = float(np.mean((p_test >= t_val) == (y_test == 1)))
    best = max(ANCHORS[:4], key=lambda a: a["auc"])
    case.label += (f"; measured: test AUC {auc:.3f} (bar {AUC_BAR}), test accuracy {acc:.3f} at the validation "
                   f"threshold {t_val:.3f} (bar {ACCURACY_BAR}); MedMNIST's best 28x28 baseline, {best['model']}, "
                   f"has {best['auc']} / {best['acc']}")
    return {"test_auc": auc, "test_accuracy": acc, "threshold": float(threshold)}


def _tensor(ref, value):
    return ref.torch.tensor(float(value), dtype=ref.dtype, device=ref.device)


register(Exercise(
    name="xray_cnn",
    signature=("predict_xray(images)", "val_threshold"),
    cases=_cases,
    kind=ScoredModel(outcome=_outcome),
    reference=lambda ref, y_val, val_scores: {"threshold": youden_reference(ref, y_val, val_scores)},
    outputs=(Output("test_auc", scalar=True, at_least=AUC_BAR, label="test AUC"),
             Output("test_accuracy", scalar=True, at_least=ACCURACY_BAR,
                    label="test accuracy at the threshold chosen on validation"),
             Output("threshold", scalar=True)),
    mistakes=(
        Mistake("test_threshold", "your threshold is Youden's threshold of the TEST scores: choosing it on the test "
                "split uses the answers you are graded on. Choose it on the validation split: "
                "youden_threshold(y_val, predict_xray(X_val)).",
                lambda ref, y_test, test_scores: {"threshold": youden_reference(ref, y_test, test_scores)}),
        Mistake("accuracy_threshold", "your threshold maximizes the validation accuracy; the lab's threshold is "
                "Youden's, youden_threshold(y_val, predict_xray(X_val)).",
                lambda ref, y_val, val_scores: {"threshold": youden_reference(ref, y_val, val_scores,
                                                                              score="accuracy")}),
        Mistake("default_half", "val_threshold is the default 0.5; choose it on the validation split with "
                "youden_threshold(y_val, predict_xray(X_val)).",
                lambda ref: {"threshold": _tensor(ref, 0.5)}),
    ),
    hint="train longer (more epochs), with augmentation and the class weights, and check `model.eval()`; the "
         "threshold is youden_threshold(y_val, predict_xray(X_val)).",
    numpy_only=False,
    time_limit=60.0,
    points=3,
    hidden_seeds=(),
))
